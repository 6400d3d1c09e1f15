/*
 * catalog/embedded.h - what the embedded (SQLite) backend's files share:
 * embedded.c (trees, commits, refs) and identity.c (the workspaces'
 * identities and the refs' owners, in the same database file).
 */
#ifndef RAT_CATALOG_EMBEDDED_H
#define RAT_CATALOG_EMBEDDED_H

#include <sqlite3.h>

#include "catalog/catalog_internal.h"

typedef struct rat_embedded {
	sqlite3 *db;
	char *path;
} rat_embedded;

/* The error of the last SQLite call, naming the file and what was being done. */
RAT_MUST_USE int rat_embedded__db_error(rat_embedded *e, const char *what);
/* Run SQL with no result. */
RAT_MUST_USE int rat_embedded__exec(rat_embedded *e, const char *sql);
/* One column of one row of a query with one text parameter; RAT_ENOTFOUND when no row. */
RAT_MUST_USE int rat_embedded__lookup(rat_embedded *e, const char *sql, const char *arg, char *out,
				      size_t outlen);
/* The nearest common ancestor of commits a and b ("" if none). */
RAT_MUST_USE int rat_embedded__merge_base(void *impl, const char *a, const char *b,
					  char out[RAT_HASH_LEN + 1]);

/* identity.c: the schema it adds (refs.owner, workspaces), inside the opening transaction. */
RAT_MUST_USE int rat_embedded__identity_schema(rat_embedded *e);
RAT_MUST_USE int rat_embedded__ref_owner(void *impl, const char *name, char *owner, size_t len);
RAT_MUST_USE int rat_embedded__claim(void *impl, const rat_identity *id, bool move);
RAT_MUST_USE int rat_embedded__granted(void *impl, const char *owner, const char *reader,
				       bool *out);
RAT_MUST_USE int rat_embedded__readable_commit(void *impl, const char *commit,
					       const char *workspace, bool *out);
RAT_MUST_USE int rat_embedded__branch_claimed(void *impl, const char *branch, const char *name,
					      char *who, size_t len);

#endif
