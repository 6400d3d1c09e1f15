/*
 * server/nessie_replay.c - a keyed Nessie commit or merge (Idempotency-Key)
 * that the memory forgot but the catalog holds: its answer rebuilt from the
 * commit it made (srv_request_landed() found it by the request's id), so that
 * a client retrying after a restart or a lost answer learns that it landed,
 * instead of meeting its own change as a conflict.
 */
#include "server/nessie.h"

#include <stdlib.h>
#include <string.h>

/* The branch a path segment names ("name@hash" or "name"). */
static void branch_of(const char *segment, char *out, size_t len)
{
	size_t n = strcspn(segment, "@~^*");

	snprintf(out, len, "%.*s", (int)(n < len ? n : len - 1), segment);
}

/* A merge's answer: it was applied, and brought the keys it changed. */
static int merged(nes *x, const char *branch, const rat_log_entry *c, const rat_diff_list *diff)
{
	json_t *details = json_array();
	size_t i;

	for (i = 0; i < diff->count; i++)
		json_array_append_new(details, json_pack("{s:o, s:s}", "key",
							 nes_key_json(diff->items[i].key),
							 "mergeBehavior", "NORMAL"));
	x->res->status = 200;
	x->res->body = json_pack("{s:b, s:b, s:s, s:s, s:s, s:o}", "wasApplied", 1, "wasSuccessful",
				 1, "resultantTargetHash", c->hash, "targetBranch", branch,
				 "effectiveTargetHash", c->parent, "details", details);
	return 200;
}

int nes_replay(nes *x, const char *commit)
{
	rat_log log = { NULL, 0 };
	rat_diff_list diff = { NULL, 0 };
	rat_content_list then = { NULL, 0 };
	json_t *keys = json_array();
	nes_ref target;
	size_t i;
	int error;

	memset(&target, 0, sizeof(target));
	target.type = "BRANCH";
	branch_of(x->r->nseg > 3 ? x->r->seg[3] : "", target.name, sizeof(target.name));
	if ((error = rat_log_get(&log, x->catalog, commit, 1)) == 0 && *log.items[0].parent &&
	    (error = rat_diff_get(&diff, x->catalog, log.items[0].parent, commit)) == 0)
		error = rat_content_list_get(&then, x->catalog, log.items[0].parent);
	if (error)
		srv_lib_error(x->res, error);
	else if (x->r->nseg == 6 && srv_is(x->r->seg[5], "merge"))
		merged(x, target.name, &log.items[0], &diff);
	else {
		for (i = 0; i < diff.count; i++)
			json_array_append_new(keys, json_string(diff.items[i].key));
		nes_landed(x, &target, keys, &then, commit);
	}
	json_decref(keys);
	rat_content_list_free(&then);
	rat_diff_list_free(&diff);
	rat_log_free(&log);
	return x->res->status;
}
