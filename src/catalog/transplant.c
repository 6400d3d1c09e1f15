/*
 * catalog/transplant.c - commits of another ref made again on a branch, in
 * order (Nessie's transplant; rat_transplant() of rat/catalog.h).
 *
 * Each commit brings what it changed since its parent. A key it changed is
 * in conflict when the branch (with the commits before it in the list
 * already applied) no longer holds what the commit's parent held for it:
 * then nothing is written, and the keys are named. Otherwise the commits
 * are made one by one, each with its message, author and properties, on a
 * branch of their own forked from the target's head, and the target is
 * moved to the last one in one step: a target that moved meanwhile is
 * refused (RAT_ECONFLICT) and keeps every commit it had, never half of
 * the transplant.
 */
#include "util/common.h"
#include "util/random.h"
#include "util/hex.h"
#include "catalog/catalog_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One commit to transplant: its metadata and what it changed. */
typedef struct picked {
	rat_commit_info info;
	rat_diff diff;
} picked;

/* The state key has once the commits before index `upto` apply over head (NULL: absent). */
static const rat_table_state *current(const picked *p, size_t upto, const rat_contents *head,
				      const char *key)
{
	const rat_catalog_entry *e;
	size_t i, j;

	for (i = upto; i > 0; i--)
		for (j = 0; j < p[i - 1].diff.count; j++)
			if (strcmp(p[i - 1].diff.items[j].key, key) == 0)
				return p[i - 1].diff.items[j].kind == RAT_CHANGE_REMOVED
					       ? NULL
					       : &p[i - 1].diff.items[j].after;
	e = rat_catalog__find(head, key);
	return e ? &e->state : NULL;
}

/* Read each commit and what it changed; the conflicts (and the keys brought) into out. */
static int pick(rat_catalog *c, const char *const *hashes, picked *p, size_t n,
		const rat_contents *head, rat_merge_result *out)
{
	char hash[RAT_HASH_LEN + 1];
	size_t i, j;
	int error = 0;

	for (i = 0; !error && i < n; i++) {
		if ((error = rat_catalog__resolve(c, hashes[i], hash)) != 0 ||
		    (error = c->backend->commit_info(c->impl, hash, &p[i].info)) != 0)
			break;
		if (!p[i].info.parent[0])
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
					      "commit %.12s is a root: it has no changes to transplant",
					      hash);
		if ((error = rat_catalog__diff(c, p[i].info.parent, hash, &p[i].diff)) != 0)
			break;
		for (j = 0; !error && j < p[i].diff.count; j++) {
			const rat_change *ch = &p[i].diff.items[j];
			const rat_table_state *is = current(p, i, head, ch->key);
			bool had = ch->kind != RAT_CHANGE_ADDED;
			bool same = had ? is && rat_catalog__state_equal(is, &ch->before) : !is;
			if (!same && !rat_strarray__contains(&out->conflicts, ch->key))
				error = rat_strarray__push(&out->conflicts, ch->key);
			else if (same && !rat_strarray__contains(&out->merged, ch->key))
				error = rat_strarray__push(&out->merged, ch->key);
		}
	}
	return error;
}

/* Commit p's changes on branch (whose head is head), its head after into head. */
static int replay(rat_catalog *c, const char *branch, const picked *p,
		  char head[RAT_HASH_LEN + 1])
{
	rat_catalog_op *ops = rat__calloc(p->diff.count + 1, sizeof(*ops));
	json_t *props = json_copy(p->info.properties); /* its own, not the request it was made for */
	rat_commit_request r = { branch, head, ops, p->diff.count, p->info.author,
				 p->info.message, props, 0 };
	char made[RAT_HASH_LEN + 1];
	size_t i;
	int error;

	if (!ops || !props) {
		free(ops);
		json_decref(props);
		return rat_error__oom();
	}
	json_object_del(props, RAT_REQUEST_ID_PROPERTY);
	for (i = 0; i < p->diff.count; i++) {
		ops[i].key = p->diff.items[i].key;
		ops[i].kind = p->diff.items[i].kind == RAT_CHANGE_REMOVED ? RAT_OP_DELETE : RAT_OP_PUT;
		ops[i].state = &p->diff.items[i].after;
	}
	if ((error = rat_catalog__commit(c, &r, made)) == 0)
		memcpy(head, made, sizeof(made));
	json_decref(props);
	free(ops);
	return error;
}

/* The commits made on a branch of their own, then the target moved there in one step. */
static int apply(rat_catalog *c, const char *target, const char *head, const picked *p,
		 size_t n, char out[RAT_HASH_LEN + 1])
{
	unsigned char bytes[8];
	char side[RAT_REF_NAME_MAX], *hex, at[RAT_HASH_LEN + 1];
	size_t i;
	int error;

	if ((error = rat_random__bytes(bytes, sizeof(bytes))) != 0)
		return error;
	if ((hex = rat_hex__encode(bytes, sizeof(bytes))) == NULL)
		return rat_error__oom();
	snprintf(side, sizeof(side), "run/%s%stransplant-%s", c->workspace ? c->workspace : "",
		 c->workspace ? "/" : "", hex);
	free(hex);
	memcpy(at, head, sizeof(at));
	if ((error = c->backend->create_ref(c->impl, side, RAT_REF_BRANCH, head,
					    c->workspace ? c->workspace : "")) != 0)
		return error;
	for (i = 0; !error && i < n; i++)
		error = replay(c, side, &p[i], at);
	if (!error && (error = c->backend->move_ref(c->impl, target, head, at)) == 0)
		memcpy(out, at, RAT_HASH_LEN + 1);
	{
		rat_error_saved saved;
		rat_error__save(&saved);
		rat__ignore(c->backend->delete_ref(c->impl, side, NULL));
		rat_error__restore(&saved);
	}
	return error;
}

int rat_catalog__transplant(rat_catalog *c, const char *const *hashes, size_t n,
			    const char *target, bool dry_run, rat_merge_result *out)
{
	char head[RAT_HASH_LEN + 1], buf[RAT_REF_NAME_MAX];
	rat_contents now = { NULL, 0 };
	picked *p = NULL;
	size_t i;
	int error;

	memset(out, 0, sizeof(*out));
	target = rat_catalog__ref_name(c, target, buf, sizeof(buf));
	if (n == 0)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
				      "a transplant names one commit or more");
	if ((!dry_run && (error = rat_catalog__check_write(c, target)) != 0) ||
	    (error = rat_catalog__resolve(c, target, head)) != 0 ||
	    (error = rat_catalog__contents_of(c, head, RAT_CONTENTS_ALL, &now)) != 0)
		return error;
	memcpy(out->hash, head, sizeof(out->hash));
	if ((p = rat__calloc(n, sizeof(*p))) == NULL) {
		error = rat_error__oom();
		goto cleanup;
	}
	if ((error = pick(c, hashes, p, n, &now, out)) != 0)
		goto cleanup;
	if (out->conflicts.count) {
		char keys[1024];
		error = rat_error__set(RAT_ECONFLICT, RAT_ERRCLASS_CATALOG,
				       "transplant onto '%s' refused: it changed %s since the "
				       "commits' parents (nothing was written)",
				       target, rat_strarray__list(keys, sizeof(keys), &out->conflicts));
	} else if (!dry_run) {
		error = apply(c, target, head, p, n, out->hash);
	}
cleanup:
	for (i = 0; p && i < n; i++) {
		rat_catalog__commit_info_clear(&p[i].info);
		rat_catalog__diff_free(&p[i].diff);
	}
	free(p);
	rat_catalog__contents_free(&now);
	return error;
}
