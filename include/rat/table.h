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
#include "catalog.h"

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

/* Iceberg metadata, as a catalog service hands it out (rat serve) */

typedef struct rat_table_metadata_file {
	char *location; /**< the metadata file the ref records */
	char *json;     /**< its text */
	int is_view;    /**< 1: an Iceberg view's metadata */
} rat_table_metadata_file;

/**
 * The metadata file that ref (NULL: the workspace's branch) records for key,
 * read through catalog (opened for ws: it reads only what ws may read).
 * RAT_ENOTFOUND when ref has no such key. Release out with
 * rat_table_metadata_file_free() in every case.
 */
RAT_EXTERN(int) RAT_CHECKED rat_table_metadata_read(rat_table_metadata_file *out,
						    rat_catalog *catalog, const rat_workspace *ws,
						    const char *ref, const char *key);
/** Release what out holds (NULL-safe); it is left empty. */
RAT_EXTERN(void) rat_table_metadata_file_free(rat_table_metadata_file *out);

typedef struct rat_table_key {
	const char *key;               /**< "namespace.table" */
	const char *metadata_location; /**< the metadata file the ref records */
	int is_view;
} rat_table_key;

typedef struct rat_table_key_list {
	rat_table_key *items; /**< sorted by key */
	size_t count;
} rat_table_key_list;

/**
 * The keys that ref (a ref or a hash) records, from the catalog alone (no
 * table file is read): what a listing needs. Release out with
 * rat_table_key_list_free() in every case.
 */
RAT_EXTERN(int) RAT_CHECKED rat_table_keys_get(rat_table_key_list *out, rat_catalog *catalog,
					       const char *ref);
RAT_EXTERN(void) rat_table_key_list_free(rat_table_key_list *list);

/** One table's (or view's) change in rat_table_metadata_commit(). */
typedef struct rat_table_change {
	const char *key;               /**< "namespace.table" */
	/** The metadata location the change was made against: the commit fails
	 * with RAT_ECONFLICT unless the branch still records it. NULL: the key
	 * must not exist on the branch (a create). */
	const char *expected_location;
	/** The new metadata's text, written as the table's next metadata file under
	 * its "location" (which must lie in ws's storage). */
	const char *metadata_json;
	/** Or, with metadata_json NULL: an existing metadata file to record as it
	 * is (registering a table), in ws's storage. Both NULL: remove the key. */
	const char *metadata_location;
	int is_view;                   /**< 1: the metadata is a view's */
} rat_table_change;

/**
 * Commit every change to branch as one catalog commit: all land or none.
 * The branch may have moved since the changes were made: the commit is
 * made again on the new head as long as each key still has its expected
 * location (RAT_ECONFLICT, naming the key, once one has not). catalog is
 * opened for ws, so that only branches ws may write are written
 * (RAT_EACCESS). The new metadata locations go into locations (count
 * strings, released with rat_free(); NULL for a removal) unless locations
 * is NULL, the commit's hash into commit. author and message may be NULL.
 */
RAT_EXTERN(int) RAT_CHECKED rat_table_metadata_commit(char commit[65], char **locations,
						      rat_catalog *catalog,
						      const rat_workspace *ws, const char *branch,
						      const rat_table_change *changes, size_t count,
						      const char *author, const char *message);

/*
 * Namespaces, as an Iceberg REST catalog has them. The layers (bronze,
 * silver, gold) always exist and cannot be dropped; other namespaces are
 * made on a branch, hold tables as "namespace.table", and reach other
 * branches by merge. A name is letters, digits and '_' (not starting with a
 * digit), at most 64 bytes, not one a session keeps for itself (products,
 * main, information_schema, pg_catalog, temp, system), and unique ignoring
 * case (an engine session folds case). Properties are a JSON object of
 * strings.
 */

typedef struct rat_namespace_info {
	const char *name;
	const char *properties; /**< a JSON object ("{}": none) */
	int is_layer;
} rat_namespace_info;

typedef struct rat_namespace_list {
	rat_namespace_info *items; /**< the layers, then the others by name */
	size_t count;
} rat_namespace_list;

/**
 * The namespaces at ref (NULL: the workspace's branch), read through catalog
 * (opened for ws). Release out with rat_namespace_list_free() in every case.
 */
RAT_EXTERN(int) RAT_CHECKED rat_namespace_list_get(rat_namespace_list *out, rat_catalog *catalog,
						   const rat_workspace *ws, const char *ref);
RAT_EXTERN(void) rat_namespace_list_free(rat_namespace_list *list);
/**
 * Whether namespace name exists at ref (NULL: the workspace's branch): 0,
 * with its properties (a JSON object; release with rat_free()) into
 * properties unless it is NULL; RAT_ENOTFOUND when there is none. Reads
 * one key of the catalog, not the whole ref.
 */
RAT_EXTERN(int) RAT_CHECKED rat_namespace_get(char **properties, rat_catalog *catalog,
					      const rat_workspace *ws, const char *ref,
					      const char *name);
/**
 * Make namespace name on branch (NULL: the workspace's), with properties
 * (a JSON object of strings; NULL: none), as one commit whose hash goes into
 * commit. RAT_EEXISTS when it exists (a layer does), RAT_EINVALID for a bad
 * name or properties.
 */
RAT_EXTERN(int) RAT_CHECKED rat_namespace_create(char commit[65], rat_catalog *catalog,
						 const rat_workspace *ws, const char *branch,
						 const char *name, const char *properties);
/**
 * Drop namespace name from branch (NULL: the workspace's). RAT_ENOTFOUND
 * when there is none, RAT_ECONFLICT while it holds a table or a view,
 * RAT_EINVALID for a layer.
 */
RAT_EXTERN(int) RAT_CHECKED rat_namespace_drop(char commit[65], rat_catalog *catalog,
					       const rat_workspace *ws, const char *branch,
					       const char *name);
/**
 * Change namespace name's properties on branch (NULL: the workspace's): the
 * keys in removals go, those of updates (a JSON object of strings; NULL:
 * none) are set, as one commit (commit is "" when nothing changed). The
 * removals that were not there go into missing (rat_strarray_free()).
 * RAT_ENOTFOUND when there is no such namespace, RAT_EINVALID when a key is
 * both removed and set.
 */
RAT_EXTERN(int) RAT_CHECKED rat_namespace_update(char commit[65], rat_strarray *missing,
						 rat_catalog *catalog, const rat_workspace *ws,
						 const char *branch, const char *name,
						 const char *const *removals, size_t removal_count,
						 const char *updates);

RAT_END_DECL

#endif
