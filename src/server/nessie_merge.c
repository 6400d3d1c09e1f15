/*
 * server/nessie_merge.c - Nessie's API v2 merge:
 * POST /trees/{branch[@hash]}/history/merge with {"fromRefName", "fromHash",
 * "dryRun", "returnConflictAsResult", "defaultKeyMergeMode", "keyMergeModes"}.
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

int nes_merge(nes *x, const nes_ref *target)
{
	json_t *body = json_loadb(x->r->body, x->r->body_len, 0, NULL), *conflicts;
	const char *from_name = json_string_value(json_object_get(body, "fromRefName"));
	const char *from_hash = json_string_value(json_object_get(body, "fromHash"));
	bool dry = json_is_true(json_object_get(body, "dryRun"));
	bool as_result = json_is_true(json_object_get(body, "returnConflictAsResult"));
	rat_merge_outcome m;
	nes_ref source;
	char head[65];
	size_t i;
	int error;

	memset(&m, 0, sizeof(m));
	if (x->r->read_only && !dry)
		srv_error(x->res, 403, "FORBIDDEN", "the token is read-only: it may not merge");
	else if (!json_is_object(body) || (!from_name && !from_hash))
		srv_error(x->res, 400, "BAD_REQUEST", "the body names the source: fromRefName (and "
			  "fromHash)");
	else if (!normal_only(body))
		srv_error(x->res, 400, "BAD_REQUEST", "only the NORMAL merge behaviour is taken here "
			  "(FORCE and DROP are not)");
	else if (!srv_is(target->type, "BRANCH"))
		srv_error(x->res, 400, "BAD_REQUEST", "%s is not a branch: merges go to branches",
			  target->name);
	if (x->res->status)
		goto done;
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
	if (error && error != RAT_ECONFLICT) {
		srv_lib_error(x->res, error);
		goto done;
	}
	if (error && !as_result) {
		conflicts = json_array();
		for (i = 0; i < m.conflicts.count; i++)
			json_array_append_new(conflicts, json_pack(
				"{s:s, s:o, s:s}", "conflictType", "KEY_CONFLICT", "key",
				nes_key_json(m.conflicts.strings[i]), "message",
				"the merge has a conflict on this key: both sides changed it"));
		nes_conflicts(x, conflicts);
		goto done;
	}
	rat_error_clear();
	x->res->status = 200;
	x->res->body = json_pack("{s:b, s:b, s:s, s:s, s:s, s:s, s:o}", "wasApplied",
				 !error && !dry && !m.up_to_date, "wasSuccessful", !error,
				 "resultantTargetHash", error ? head : m.hash, "targetBranch",
				 target->name, "effectiveTargetHash", head, "expectedHash",
				 target->hash, "details", details_of(&m, error != 0));
done:
	rat_merge_outcome_free(&m);
	json_decref(body);
	return x->res->status;
}
