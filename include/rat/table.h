/*
 * rat/table.h - what a workspace's tables look like at a catalog ref: size,
 * schema and partitioning, and each table's snapshot history; and dropping
 * a table from a branch.
 *
 * Lists are owned by the caller and released with their _free function; the
 * strings inside live as long as the list.
 */
#ifndef RAT_TABLE_H
#define RAT_TABLE_H

#include "common.h"
#include "workspace.h"

RAT_BEGIN_DECL

typedef struct rat_table_info {
	const char *key;               /**< "layer.table" */
	const char *location;          /**< the table's folder or s3:// prefix */
	const char *metadata_location; /**< the metadata file the ref records */
	int64_t snapshot_id;           /**< -1: no snapshot yet */
	int64_t updated_ms;            /**< the snapshot's time; 0 without one */
	int64_t rows;                  /**< rows in the live data files, less the positions that
					    position delete files remove (equality deletes are
					    not counted) */
	int64_t data_files;
	int64_t bytes;                 /**< size of the live data files */
	const char *partitioning;      /**< e.g. "day(ts), device"; "" when unpartitioned */
	const char *kind;              /**< "table" or "view" (a view has no files: rows -1) */
	const char *view_sql;          /**< a view's SQL; "" for a table */
	const char **columns;          /**< "name TYPE" each, e.g. "price DECIMAL(9,2)" */
	const char **column_names;     /**< each column's name alone ("price") */
	const char **column_types;     /**< each column's type alone ("DECIMAL(9,2)"; a view's in
					    Iceberg's names: "decimal(9,2)") */
	size_t column_count;           /**< of each of the three arrays */
	/**
	 * "" when the table was read. Otherwise why it could not be (its metadata
	 * file is corrupt or missing, its storage refused the read): the message
	 * names the table and the file. key, kind, location and
	 * metadata_location are then set; snapshot_id is -1, rows, data_files
	 * and bytes are -1, partitioning and view_sql are "", and there are no
	 * columns. Only a listing of every table (key NULL) holds such an entry;
	 * asked for one table, rat_table_list_get fails instead. (Added in 0.1:
	 * at the end, the fields before it keep their places.)
	 */
	const char *error;
} rat_table_info;

typedef struct rat_table_list {
	rat_table_info *items; /**< sorted by key */
	size_t count;
} rat_table_list;

/**
 * The workspace's tables at ref (NULL: the workspace's branch), or only the
 * table key when key is not NULL (RAT_ENOTFOUND when absent at ref).
 *
 * Listing every table, one that cannot be read does not fail the list: its
 * entry says why in its error field (the call fails only when the catalog
 * itself cannot be read, or memory runs out). Asked for one table, the call
 * fails with that table's error.
 */
RAT_EXTERN(int) RAT_CHECKED rat_table_list_get(rat_table_list *out, const rat_workspace *ws, const char *ref, const char *key);
RAT_EXTERN(void) rat_table_list_free(rat_table_list *list);

typedef struct rat_snapshot_info {
	int64_t snapshot_id;
	int64_t parent_id;      /**< -1 for the first */
	int64_t time_ms;
	const char *operation;  /**< append, overwrite, ... */
	int64_t added_rows;     /**< -1 when the writer did not record it */
	int64_t deleted_rows;   /**< -1 when not recorded */
	int64_t total_rows;     /**< -1 when not recorded */
	int schema_id;
} rat_snapshot_info;

typedef struct rat_history {
	rat_snapshot_info *items; /**< newest first: the current snapshot and its ancestors */
	size_t count;
} rat_history;

RAT_EXTERN(int) RAT_CHECKED rat_table_history_get(rat_history *out, const rat_workspace *ws, const char *ref, const char *key);
RAT_EXTERN(void) rat_history_free(rat_history *history);

/* Dropping a table */

typedef struct rat_table_drop_options {
	unsigned int version; /**< RAT_TABLE_DROP_OPTIONS_VERSION */
	/** The branch to drop it from: NULL for the workspace's branch; else that branch
	 * or a dev/ branch (a workspace changes only its own refs). */
	const char *branch;
	/** Who the commit names; NULL: $USER of the workspace's environment. */
	const char *author;
	/** Non-zero: check everything and fill the result, but commit nothing. */
	int dry_run;
} rat_table_drop_options;

#define RAT_TABLE_DROP_OPTIONS_VERSION 1
#define RAT_TABLE_DROP_OPTIONS_INIT { RAT_TABLE_DROP_OPTIONS_VERSION, NULL, NULL, 0 }

/**
 * Fill opts with the defaults of version (pass RAT_TABLE_DROP_OPTIONS_VERSION):
 * the same as RAT_TABLE_DROP_OPTIONS_INIT. RAT_EINVALID for a version this
 * library does not know.
 */
RAT_EXTERN(int) RAT_CHECKED rat_table_drop_options_init(rat_table_drop_options *opts, unsigned int version);

typedef struct rat_table_drop_result {
	char branch[128];  /**< the branch it was dropped from */
	char commit[65];   /**< the commit that removed it; "" for a dry run */
	int was_view;      /**< 1 when key was a view */
} rat_table_drop_result;

/**
 * Remove the table or view key ("layer.table") from a branch: one catalog
 * commit, against the head the call read (RAT_ECONFLICT when the branch
 * moved meanwhile; nothing is written then). Its files stay: older commits,
 * tags and other branches still read it, and `rat vacuum` removes what no
 * ref uses any more. A pipeline's table is built again, from scratch, by the
 * next run (its landing files included). RAT_ENOTFOUND when the branch has
 * no such key. opts may be NULL.
 */
RAT_EXTERN(int) RAT_CHECKED rat_table_drop(rat_table_drop_result *out, const rat_workspace *ws, const char *key, const rat_table_drop_options *opts);

RAT_END_DECL

#endif
