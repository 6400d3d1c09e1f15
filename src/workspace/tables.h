/*
 * workspace/tables.h - a workspace's tables on catalog branches: where they
 * live, writing a table on a branch, table information, and binding a ref's
 * tables into an engine session (bind.c).
 *
 * This layer joins the catalog, the table format and the engine, none of
 * which knows the others: the catalog records each table's current metadata
 * file per branch; a write starts from the file the branch records and ends
 * by committing the new one against the branch head it started from.
 */
#ifndef RAT_WORKSPACE_TABLES_H
#define RAT_WORKSPACE_TABLES_H

#include "util/common.h"
#include "rat/catalog.h"
#include "rat/engine.h"
#include "rat/workspace.h"
#include "catalog/catalog.h"
#include "storage/storage.h"
#include "table/metadata.h"
#include "table/scan.h"
#include "table/write.h"
#include "workspace/workspace.h"

/** A store rooted at entry c's table in ws, and in *key the key there of its metadata file. */
RAT_MUST_USE int rat_workspace__entry_store(rat_store **store, const char **key,
					    const rat_workspace *ws, const rat_catalog_entry *c);
/** Plan the version of the table entry c of ws records (relocating when it was written elsewhere). */
RAT_MUST_USE int rat_workspace__plan_entry(rat_scan *scan, rat_store **store,
					   const rat_workspace *ws, const rat_catalog_entry *c);
/**
 * The metadata of the table an entry records, and a store rooted at the
 * table (free both: rat_table__metadata_free(), rat_store__free()).
 */
RAT_MUST_USE int rat_workspace__entry_metadata(rat_table_metadata *meta, rat_store **store,
					       const rat_workspace *ws, const rat_catalog_entry *c);
/** A store rooted at the table "layer.table" of the workspace (its S3 settings and read cache). */
RAT_MUST_USE int rat_workspace__table_store(rat_store **out, const rat_workspace *ws,
					    const char *key);
/** Where the table "layer.table" of the workspace lives (no trailing '/'). (free()) */
/**
 * Where the table of catalog entry c is read from in ws: the workspace's own
 * table location, unless the entry records a table of another workspace's
 * storage in the same warehouse (a table of main after `rat main merge`):
 * then that table's own folder, and *foreign (or NULL) says so. A recorded
 * location outside the warehouse (a moved warehouse) reads from the
 * workspace's own location.
 */
RAT_MUST_USE int rat_workspace__entry_location(char **out, bool *foreign, const rat_workspace *ws,
					       const rat_catalog_entry *c);
RAT_MUST_USE int rat_workspace__table_location(char **out, const rat_workspace *ws,
					       const char *key);
/**
 * A store rooted at a table's location, with opts (rat_workspace__store_options():
 * S3 settings, read cache); a local folder is created when missing.
 */
RAT_MUST_USE int rat_workspace__store_at(rat_store **out, const char *location,
					 const rat_store_options *opts);
/**
 * A store rooted at entry c's table (or view) at location, and in *key the
 * key there of the metadata file c records (pointing into c).
 */
RAT_MUST_USE int rat_workspace__entry_store_at(rat_store **store, const char **key,
					       const rat_catalog_entry *c, const char *location,
					       const rat_store_options *opts);
/** Plan the version of the table c records, which lives at location. */
RAT_MUST_USE int rat_workspace__plan_entry_at(rat_scan *scan, rat_store **store,
					      const rat_catalog_entry *c, const char *location,
					      const rat_store_options *opts);
/**
 * The branch a write or drop of ws goes to: branch (NULL: the workspace's
 * own) when the workspace may write it: its own branch or a dev/ branch.
 * RAT_EINVALID otherwise, naming what it may write.
 */
RAT_MUST_USE int rat_workspace__target_branch(const char **out, const rat_workspace *ws,
					      const char *branch);
/**
 * Whether commit head accepts a commit: 0; an error (negative, said); or a
 * positive value of the caller's, which makes no commit and is returned as
 * it is (namespaces.c: nothing to change).
 */
typedef int (*rat_workspace_head_check)(rat_catalog *catalog, const char *head, void *payload);
/**
 * Commit r to r->branch on the head check(catalog, head, payload) accepted
 * (r->expected_head is set here); when another commit moved the branch
 * first, the check and the commit are made again on the new head. Commits
 * of this process to one catalog file go one at a time (metadata.c).
 */
RAT_MUST_USE int rat_workspace__commit_at_head(char commit[RAT_HASH_LEN + 1], rat_catalog *catalog,
					       const rat_workspace *ws, rat_commit_request *r,
					       rat_workspace_head_check check, void *payload);
/** The longest namespace name (namespaces.c). */
#define RAT_NAMESPACE_MAX 64
/** Whether name may name a namespace beyond the layers (RAT_EINVALID, said, if not). */
RAT_MUST_USE int rat_workspace__namespace_name(const char *name);
/**
 * Whether the namespace of key ("namespace.table") exists at commit head of
 * branch: a layer, or one recorded there (RAT_ENOTFOUND, said, if not).
 */
RAT_MUST_USE int rat_workspace__namespace_of(rat_catalog *catalog, const char *head,
					     const char *branch, const char *key);
/*
 * listing.c: what a listing learnt of each metadata file (a line of fields
 * per file path), kept under the workspace's cache folder between listings.
 */
typedef struct rat_listing rat_listing;
/** The cache as the last listing left it (an empty one when there is none). */
RAT_MUST_USE int rat_workspace__listing_open(rat_listing **out, const rat_workspace *ws);
/**
 * The fields kept for file, if it is still the file described then: a
 * tab-separated line (borrowed; split it with rat_workspace__listing_field());
 * else NULL.
 */
const char *rat_workspace__listing_get(rat_listing *l, const char *file);
/** Keep fields (tab-separated, each escaped with rat_workspace__listing_escape()) for file. */
void rat_workspace__listing_put(rat_listing *l, const char *file, const char *fields);
/** Write the cache if something was learnt (best effort: a failure is not reported). */
void rat_workspace__listing_save(rat_listing *l);
void rat_workspace__listing_free(rat_listing *l);
/**
 * The tables and views of commit as a listing kept them (a commit never
 * changes, so they hold for ever): 0 with out filled; RAT_ENOTFOUND (not
 * said) when the last listing kept another commit's, or none.
 */
RAT_MUST_USE int rat_workspace__listing_contents(rat_contents *out, const rat_workspace *ws,
						 const char *commit);
/** Keep contents as commit's, for the next listing (best effort, as the listing). */
void rat_workspace__listing_keep_contents(const rat_workspace *ws, const char *commit,
					  const rat_contents *contents);
/** s into out with '\\', tab, newline and carriage return escaped. */
RAT_MUST_USE int rat_workspace__listing_escape(rat_buf *out, const char *s);
/** The field at *p unescaped (free()), *p moved past its tab; NULL: out of memory. */
char *rat_workspace__listing_field(const char **p);
/** Who a commit made for ws names: given, else $USER as ws saw it, else "ratatouille". */
const char *rat_workspace__author(const rat_workspace *ws, const char *given);
/**
 * Write the rows of select_sql into the table `key` on `branch`, and commit
 * its new state there. RAT_ECONFLICT when the branch moved meanwhile (the
 * files written are then orphans; retry). opts may be NULL.
 */
RAT_MUST_USE int rat_workspace__write_table(rat_write_result *out, const rat_workspace *ws,
					    rat_catalog *catalog, rat_engine *engine,
					    const char *branch, const char *key,
					    const char *select_sql, const rat_write_options *opts,
					    const char *author);
/**
 * As rat_workspace__write_table(), committing on whatever the branch's head
 * is then: for a branch where each key has one writer (a run branch), so
 * that writers of different keys do not conflict.
 */
RAT_MUST_USE int rat_workspace__write_table_unpinned(rat_write_result *out, const rat_workspace *ws,
						     rat_catalog *catalog, rat_engine *engine,
						     const char *branch, const char *key,
						     const char *select_sql,
						     const rat_write_options *opts,
						     const char *author);
/**
 * Commit key on branch as an Iceberg view of sql (which engine must be able
 * to describe: the relations it names bound there), continuing the view's
 * history when key already is a view, replacing a table otherwise.
 */
RAT_MUST_USE int rat_workspace__write_view(const rat_workspace *ws, rat_catalog *catalog,
					   rat_engine *engine, const char *branch, const char *key,
					   const char *sql, const char *author);
/**
 * Give the session the tables and views at `ref` as layer.table, bound on
 * demand: a table is defined (a view over its files) the first time SQL
 * names it (workspace/bind.c). Products and the lock-down are session/'s:
 * the files other workspaces' tables at ref read (main's, at that version)
 * are pushed onto files (NULL: not kept) for it, and the namespaces made
 * beyond the layers onto namespaces (NULL: not kept), for its guard.
 */
RAT_MUST_USE int rat_workspace__bind(rat_engine *engine, const rat_workspace *ws,
				     rat_catalog *catalog, const char *ref, rat_strarray *files,
				     rat_strarray *namespaces);

/**
 * The rows of a planned snapshot from its manifests alone: the data files'
 * rows less those position delete files remove (librat's never overlap).
 * *exact (when asked) is false when equality deletes remove more than that.
 */
int64_t rat_workspace__live_rows(const rat_scan *scan, bool *exact);
/** The SQL of the view an entry records. (free()) */
RAT_MUST_USE int rat_workspace__view_sql(char **sql, const rat_workspace *ws,
					 const rat_catalog_entry *c);
/** As rat_workspace__view_sql(), for a view at location. */
RAT_MUST_USE int rat_workspace__view_sql_at(char **sql, const rat_catalog_entry *c,
					    const char *location, const rat_store_options *opts);
/** Defines one view the session binds on demand (rat_workspace__bind_later()). */
typedef int (*rat_workspace_bind_fn)(rat_engine *engine, void *payload);
/**
 * Bind key ("schema.name") in a session given its tables by
 * rat_workspace__bind() on demand, as its tables are: bind(engine, payload)
 * defines it the first time SQL names it. Its failure fails SQL that names
 * it as schema.name, and no other: a product whose file is gone, or one the
 * workspace may not read (a bind that always fails with the reason). The
 * session owns payload from the call on, even when it fails (free_payload,
 * NULL for none).
 */
RAT_MUST_USE int rat_workspace__bind_later(rat_engine *engine, const char *key,
					   rat_workspace_bind_fn bind, void (*free_payload)(void *),
					   void *payload);
/**
 * Define key in the session as a view of sql, in place of what the
 * session's ref holds for it (a dry run's plan: the table as this run would
 * build it).
 */
RAT_MUST_USE int rat_workspace__bind_sql(rat_engine *engine, const char *key, const char *sql);
/**
 * (Re)define the view of one key as it is at ref (after the session wrote
 * it); *rows (when asked) receives its live rows from the manifests, or -1
 * when only a read can tell (a view, equality deletes).
 */
RAT_MUST_USE int rat_workspace__bind_key(rat_engine *engine, const rat_workspace *ws,
					 rat_catalog *catalog, const char *ref, const char *key,
					 int64_t *rows);

#endif
