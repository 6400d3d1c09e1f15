/*
 * server/nessie_merge.c - Nessie's API v2 merge and transplant:
 * POST /trees/{branch[@hash]}/history/merge with {"fromRefName", "fromHash",
 * "dryRun", "returnConflictAsResult", "defaultKeyMergeMode", "keyMergeModes"},
 * and POST /trees/{branch[@hash]}/history/transplant with {"fromRefName",
 * "hashesToTransplant", ...the same}: rat_transplant(), each commit made
 * again on the branch (a key the branch changed since the commit's parent is
 * a KEY_CONFLICT; nothing is written then), the branch moved in one step.
 *
 * It is rat_merge(): the source (fromHash, else fromRefName's head; fromRefName
 * DETACHED: fromHash alone) merged
 * into the branch, fast-forward when the branch has not moved, else a
 * three-way merge in which a key both sides changed differently is a
 * conflict (KEY_CONFLICT, Nessie's type for merges) and nothing is written. A dry run decides
 * without writing. Conflicts are a 409 NessieError with REFERENCE_CONFLICTS
 * details, or, with returnConflictAsResult, a MergeResponse whose
 * wasSuccessful is false and whose details name them. Only the NORMAL merge
 * behaviour is taken (FORCE and DROP would pick a side per key).
 */
#include "server/nessie.h"

#include <stdlib.h>
#include <string.h>

static json_t *details_of(const rat_merge_outcome *m, bool with_conflicts)
{
	json_t *details = json_array();
	size_t i;

	for (i = 0; i < m->merged.count; i++)
		json_array_append_new(details, json_pack("{s:o, s:s}", "key",
							 nes_key_json(m->merged.strings[i]),
							 "mergeBehavior", "NORMAL"));
	for (i = 0; with_conflicts && i < m->conflicts.count; i++) {
		const char *key = m->conflicts.strings[i];
		char message[512];
		snprintf(message, sizeof(message), "values of existing and expected content for key "
			 "'%s' are different", key);
		json_array_append_new(details,
				      json_pack("{s:o, s:s, s:{s:s, s:o, s:s}}", "key", nes_key_json(key),
						"mergeBehavior", "NORMAL", "conflict", "conflictType",
						"KEY_CONFLICT", "key", nes_key_json(key), "message",
						message));
	}
	return details;
}

/* Whether the body asks only for the NORMAL merge behaviour. */
static bool normal_only(json_t *body)
{
	json_t *modes = json_object_get(body, "keyMergeModes"), *m;
	const char *dflt = json_string_value(json_object_get(body, "defaultKeyMergeMode"));
	size_t i;

	if (dflt && strcmp(dflt, "NORMAL") != 0)
		return false;
	json_array_foreach(modes, i, m)
		if (!srv_is(json_string_value(json_object_get(m, "mergeBehavior")), "NORMAL"))
			return false;
	return true;
}

/* What a merge and a transplant refuse before anything: 0, or a 4xx said. */
static int checks(nes *x, json_t *body, const nes_ref *target, bool dry)
{
	if (x->r->read_only && !dry)
		return srv_error(x->res, 403, "FORBIDDEN", "the token is read-only: it may not "
				 "merge or transplant");
	if (!json_is_object(body))
		return srv_error(x->res, 400, "BAD_REQUEST", "the body is a JSON object");
	if (!normal_only(body))
		return srv_error(x->res, 400, "BAD_REQUEST", "only the NORMAL merge behaviour is "
				 "taken here (FORCE and DROP are not)");
	if (!srv_is(target->type, "BRANCH"))
		return srv_error(x->res, 400, "BAD_REQUEST", "%s is not a branch: merges and "
				 "transplants go to branches", target->name);
	return 0;
}

/* The MergeResponse of a merge or transplant that gave error, or its conflicts as a 409. */
static void answer(nes *x, const nes_ref *target, const rat_merge_outcome *m, int error,
		   bool as_result, bool dry, const char *head)
{
	json_t *conflicts;
	size_t i;

	if (error && error != RAT_ECONFLICT) {
		srv_lib_error(x->res, error);
		return;
	}
	if (error && !as_result) {
		conflicts = json_array();
		for (i = 0; i < m->conflicts.count; i++)
			json_array_append_new(conflicts, json_pack(
				"{s:s, s:o, s:s}", "conflictType", "KEY_CONFLICT", "key",
				nes_key_json(m->conflicts.strings[i]), "message",
				"a conflict on this key: the target changed it too"));
		nes_conflicts(x, conflicts);
		return;
	}
	rat_error_clear();
	x->res->status = 200;
	x->res->body = json_pack("{s:b, s:b, s:s, s:s, s:s, s:s, s:o}", "wasApplied",
				 !error && !dry && !m->up_to_date, "wasSuccessful", !error,
				 "resultantTargetHash", error ? head : m->hash, "targetBranch",
				 target->name, "effectiveTargetHash", head, "expectedHash",
				 target->hash, "details", details_of(m, error != 0));
}

int nes_merge(nes *x, const nes_ref *target)
{
	json_t *body = json_loadb(x->r->body, x->r->body_len, 0, NULL);
	const char *from_name = json_string_value(json_object_get(body, "fromRefName"));
	const char *from_hash = json_string_value(json_object_get(body, "fromHash"));
	bool dry = json_is_true(json_object_get(body, "dryRun"));
	bool as_result = json_is_true(json_object_get(body, "returnConflictAsResult"));
	rat_merge_outcome m;
	nes_ref source;
	char head[65];
	int error;

	memset(&m, 0, sizeof(m));
	if (checks(x, body, target, dry) != 0)
		goto done;
	if (!from_name && !from_hash) {
		srv_error(x->res, 400, "BAD_REQUEST", "the body names the source: fromRefName (and "
			  "fromHash)");
		goto done;
	}
	if (from_hash) { /* the source at that commit, which fromRefName must be able to reach */
		char spec[640];
		snprintf(spec, sizeof(spec), "%s@%s",
			 from_name && !srv_is(from_name, "DETACHED") ? from_name : "", from_hash);
		if (nes_resolve(x, spec, &source) != 0)
			goto done;
	} else if (nes_resolve(x, from_name, &source) != 0) {
		goto done;
	}
	if ((error = rat_ref_resolve(x->catalog, target->name, head)) != 0) {
		srv_lib_error(x->res, error);
		goto done;
	}
	error = rat_merge(&m, x->catalog, source.hash, target->name, dry, x->r->who->name);
	answer(x, target, &m, error, as_result, dry, head);
done:
	rat_merge_outcome_free(&m);
	json_decref(body);
	return x->res->status;
}

int nes_transplant(nes *x, const nes_ref *target)
{
	json_t *body = json_loadb(x->r->body, x->r->body_len, 0, NULL);
	json_t *hashes = json_object_get(body, "hashesToTransplant");
	const char *from_name = json_string_value(json_object_get(body, "fromRefName"));
	bool dry = json_is_true(json_object_get(body, "dryRun"));
	bool as_result = json_is_true(json_object_get(body, "returnConflictAsResult"));
	size_t n = json_array_size(hashes), i;
	char (*full)[65] = calloc(n + 1, sizeof(*full)), head[65];
	const char **list = calloc(n + 1, sizeof(*list));
	rat_merge_outcome m;
	int error;

	memset(&m, 0, sizeof(m));
	if (!full || !list)
		srv_lib_error(x->res, RAT_ENOMEM);
	else if (checks(x, body, target, dry) != 0)
		; /* said */
	else if (!json_is_array(hashes) || n == 0)
		srv_error(x->res, 400, "BAD_REQUEST", "hashesToTransplant is a non-empty list of "
			  "commit hashes");
	for (i = 0; !x->res->status && i < n; i++) { /* each a commit the workspace may read */
		const char *hash = json_string_value(json_array_get(hashes, i));
		char spec[640];
		nes_ref one;
		if (!hash || !nes_hash_like(hash, strlen(hash))) {
			srv_error(x->res, 400, "BAD_REQUEST", "hashesToTransplant[%zu] is not a hash", i);
			break;
		}
		snprintf(spec, sizeof(spec), "%s@%s",
			 from_name && !srv_is(from_name, "DETACHED") ? from_name : "", hash);
		if (nes_resolve(x, spec, &one) != 0)
			break;
		memcpy(full[i], one.hash, sizeof(full[i]));
		list[i] = full[i];
	}
	if (!x->res->status) {
		if ((error = rat_ref_resolve(x->catalog, target->name, head)) != 0)
			srv_lib_error(x->res, error);
		else
			answer(x, target, &m, rat_transplant(&m, x->catalog, list, n, target->name, dry),
			       as_result, dry, head);
	}
	rat_merge_outcome_free(&m);
	free(full);
	free(list);
	json_decref(body);
	return x->res->status;
}
