/*
 * workspace/tables.h - a workspace's tables on catalog branches: where its
 * catalog lives, writing a table on a branch, and binding a ref's tables
 * into an engine session (then locking it down to the workspace's folders).
 *
 * This layer joins the catalog, the table format and the engine, none of
 * which knows the others: the catalog records each table's current metadata
 * file per branch; a write starts from the file the branch records and ends
 * by committing the new one against the branch head it started from.
 */
#ifndef RAT_WORKSPACE_TABLES_H
#define RAT_WORKSPACE_TABLES_H

#include "util/common.h"
#include "catalog/catalog.h"
#include "storage/storage.h"
#include "table/metadata.h"
#include "table/write.h"

/** Open (creating) the catalog of a RAT_HOME folder: <home>/catalog.db. */
int rat_workspace__open_home_catalog(rat_catalog **out, const char *home);
/** Open (creating) the catalog of the workspace's RAT_HOME. */
int rat_workspace__open_catalog(rat_catalog **out, const rat_workspace *ws);
/**
 * The metadata of the table an entry records, and a store rooted at the
 * table (free both: rat_table__metadata_free(), rat_store__free()).
 */
int rat_workspace__entry_metadata(rat_table_metadata *meta, rat_store **store,
				  const rat_workspace *ws, const rat_catalog_entry *c);
/** The workspace's own read cache folder, RAT_HOME/cache/<workspace>. (free()) */
char *rat_workspace__cache_dir(const rat_workspace *ws);
/** A store rooted at the table "layer.table" of the workspace (S3 settings from the environment). */
int rat_workspace__table_store(rat_store **out, const rat_workspace *ws, const char *key);
/**
 * Write the rows of select_sql into the table `key` on `branch`, and commit
 * its new state there. RAT_ECONFLICT when the branch moved meanwhile (the
 * files written are then orphans; retry). opts may be NULL.
 */
int rat_workspace__write_table(rat_write_result *out, const rat_workspace *ws, rat_catalog *catalog,
			       rat_engine *engine, const char *branch, const char *key,
			       const char *select_sql, const rat_write_options *opts,
			       const char *author);
/**
 * As rat_workspace__write_table(), committing on whatever the branch's head
 * is then: for a branch where each key has one writer (a run branch), so
 * that writers of different keys do not conflict.
 */
int rat_workspace__write_table_unpinned(rat_write_result *out, const rat_workspace *ws,
					rat_catalog *catalog, rat_engine *engine, const char *branch,
					const char *key, const char *select_sql,
					const rat_write_options *opts, const char *author);
/**
 * Commit key on branch as an Iceberg view of sql (which engine must be able
 * to describe: the relations it names bound there), continuing the view's
 * history when key already is a view, replacing a table otherwise.
 */
int rat_workspace__write_view(const rat_workspace *ws, rat_catalog *catalog, rat_engine *engine,
			      const char *branch, const char *key, const char *sql,
			      const char *author);
/**
 * Define a view layer.table for every table at `ref` (and every view, over them); with lock, then lock
 * the session down to the workspace's table folders, read cache and spill folder.
 */
int rat_workspace__bind(rat_engine *engine, const rat_workspace *ws, rat_catalog *catalog,
			const char *ref, bool lock);

/** The SQL of the view an entry records. (free()) */
int rat_workspace__view_sql(char **sql, const rat_workspace *ws, const rat_catalog_entry *c);
/** (Re)define the view of one key as it is at ref (after the session wrote it). */
int rat_workspace__bind_key(rat_engine *engine, const rat_workspace *ws, rat_catalog *catalog,
			    const char *ref, const char *key);

#endif
