/*
 * catalog/squash.c - publish what one branch changed since a base as one
 * commit on another (catalog.h): how a run lands on its workspace branch
 * and how retention lands its deletes.
 *
 * Conflicts are decided per key: the commit goes ahead when the target did
 * not change any of the published keys since the base, whatever else moved
 * on it; a commit that loses a race with another writer is tried again.
 */
#include "util/common.h"
#include "util/buf.h"
#include "rat/catalog.h"
#include "catalog/catalog.h"

#include <stdlib.h>

int rat_catalog__squash(char commit[RAT_HASH_LEN + 1], rat_catalog *catalog, const char *source,
		    const char *base, const char *target, const char *author, const char *title,
		    json_t *properties)
{
	rat_diff diff = { NULL, 0 };
	rat_contents at_base = { NULL, 0 }, now = { NULL, 0 };
	rat_catalog_op *ops = NULL;
	rat_buf message = RAT_BUF_INIT, conflicts = RAT_BUF_INIT;
	char head[RAT_HASH_LEN + 1];
	size_t i, attempt;
	int error;

	commit[0] = '\0';
	if ((error = rat_catalog__diff(catalog, base, source, &diff)) != 0)
		return error;
	if (diff.count == 0) { /* nothing changed: nothing to publish */
		error = rat_catalog__resolve(catalog, target, commit);
		goto cleanup;
	}
	if ((ops = rat__calloc(diff.count, sizeof(*ops))) == NULL) {
		error = rat_error__oom();
		goto cleanup;
	}
	error = rat_buf_printf(&message, "%s:", title);
	for (i = 0; !error && i < diff.count; i++) {
		ops[i].kind = diff.items[i].kind == RAT_CHANGE_REMOVED ? RAT_OP_DELETE : RAT_OP_PUT;
		ops[i].key = diff.items[i].key;
		ops[i].state = &diff.items[i].after;
		error = rat_buf_printf(&message, " %s", diff.items[i].key);
	}
	if (!error)
		error = rat_catalog__contents(catalog, base, &at_base);
	for (attempt = 0; !error && attempt < 20; attempt++) {
		rat_commit_request request = { target, head, ops, diff.count, author,
					       rat_buf_cstr(&message), properties, 0 };
		if ((error = rat_catalog__resolve(catalog, target, head)) != 0 ||
		    (error = rat_catalog__contents(catalog, head, &now)) != 0)
			break;
		rat_buf_clear(&conflicts);
		for (i = 0; !error && i < diff.count; i++) {
			const rat_catalog_entry *a = rat_catalog__find(&at_base, diff.items[i].key);
			const rat_catalog_entry *b = rat_catalog__find(&now, diff.items[i].key);
			if ((a || b) && (!a || !b || !rat_catalog__state_equal(&a->state, &b->state)))
				error = rat_buf_printf(&conflicts, "%s%s", conflicts.len ? ", " : "",
						       diff.items[i].key);
		}
		rat_catalog__contents_free(&now);
		if (error)
			break;
		if (conflicts.len) {
			error = rat_error__set(RAT_ECONFLICT, RAT_ERRCLASS_CATALOG,
					       "cannot publish %s: %s changed on %s meanwhile; nothing "
					       "was published, the changes are on %s",
					       title, rat_buf_cstr(&conflicts), target, source);
			break;
		}
		if ((error = rat_catalog__commit(catalog, &request, commit)) == 0)
			break;
		if (error == RAT_ECONFLICT) /* the branch moved between the check and the commit */
			error = 0, rat_error_clear();
	}
	if (!error && !commit[0])
		error = rat_error__set(RAT_ECONFLICT, RAT_ERRCLASS_CATALOG,
				       "cannot publish %s: %s kept moving; the changes are on %s",
				       title, target, source);
cleanup:
	free(ops);
	rat_catalog__diff_free(&diff);
	rat_catalog__contents_free(&at_base);
	rat_buf_free(&message);
	rat_buf_free(&conflicts);
	return error;
}
