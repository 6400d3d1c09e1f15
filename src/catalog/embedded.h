/*
 * catalog/embedded.h - what the embedded (SQLite) backend's files share:
 * embedded.c (commits, refs, the schema), tree.c (key maps) and identity.c (the workspaces'
 * identities and the refs' owners, in the same database file).
 */
#ifndef RAT_CATALOG_EMBEDDED_H
#define RAT_CATALOG_EMBEDDED_H

#include <sqlite3.h>

#include "catalog/catalog_internal.h"

/*
 * Statements prepared once and kept (a catalog is used by one thread at a
 * time), and tree nodes parsed once and kept: a node is named by the hash
 * of its body, so what is kept under a hash never goes stale.
 */
#define RAT_EMBEDDED_STATEMENTS 24
#define RAT_EMBEDDED_NODES 128 /* twice the buckets: a whole map and some of the next */
#define RAT_EMBEDDED_NODE_KEYS 64 /* a leaf of more keys (a branch of over ~4,000 tables) is parsed each time */

typedef struct rat_embedded {
	sqlite3 *db;
	char *path;
	struct {
		char *sql;
		sqlite3_stmt *st;
		bool busy; /* handed out, not given back yet */
	} statements[RAT_EMBEDDED_STATEMENTS];
	struct {
		char hash[RAT_HASH_LEN + 1];
		json_t *json;
	} nodes[RAT_EMBEDDED_NODES];
	size_t next_node; /* the one replaced next (first in, first out) */
} rat_embedded;

/*
 * sql prepared (kept for the next caller when there is room): bind, step,
 * then give it back with rat_embedded__done(), which resets it (so that no
 * read transaction stays open). RAT_EIO, said with what was being done,
 * when it does not prepare.
 */
RAT_MUST_USE int rat_embedded__prepare(rat_embedded *e, const char *sql, const char *what,
				       sqlite3_stmt **out);
void rat_embedded__done(rat_embedded *e, sqlite3_stmt *st);

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

/* tree.c: a commit's key map, a root node over leaves, one per bucket of keys. */
#define RAT_TREE_BUCKETS 64 /* at most 256: a bucket is written as two hex digits */
typedef struct rat_tree_root {
	char leaf[RAT_TREE_BUCKETS][RAT_HASH_LEN + 1]; /* "" when the bucket has no key */
} rat_tree_root;
/* The root node of tree hash, read and checked. */
RAT_MUST_USE int rat_embedded__tree_root(rat_embedded *e, const char *hash, rat_tree_root *out);
RAT_MUST_USE int rat_embedded__tree_put_root(rat_embedded *e, const rat_tree_root *root,
					     char out[RAT_HASH_LEN + 1]);
/* Apply a commit's ops to root, in place, writing the leaves they change. */
RAT_MUST_USE int rat_embedded__tree_apply(rat_embedded *e, rat_tree_root *root,
					  const rat_commit_request *r);
/* Every key of the tree, sorted. */
/* One key's state in a tree: a read of the root's leaf for its bucket only. */
RAT_MUST_USE int rat_embedded__tree_entry(rat_embedded *e, const rat_tree_root *root, const char *key,
					  rat_table_state *out);
RAT_MUST_USE int rat_embedded__tree_contents(rat_embedded *e, const rat_tree_root *root,
					     rat_contents_kind kind, rat_contents *out);
/* Write a whole key map (a JSON object key -> state) as leaves and a root. */
RAT_MUST_USE int rat_embedded__tree_put_map(rat_embedded *e, json_t *map,
					    char out[RAT_HASH_LEN + 1]);
/* A node of table (trees, leaves) that is a JSON object, parsed; what names it in errors. */
RAT_MUST_USE int rat_embedded__tree_json(rat_embedded *e, const char *table, const char *hash,
					 const char *what, json_t **out);

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
