/*
 * rat/catalog.h - the Git-like catalog of a workspace's RAT_HOME: branches
 * and tags pointing at commits; each commit records every table's state.
 * See docs/catalog.md.
 *
 * Lists returned here are owned by the caller and released with the matching
 * _free function; the strings inside live as long as the list.
 */
#ifndef RAT_CATALOG_H
#define RAT_CATALOG_H

#include "common.h"
#include "workspace.h"

RAT_BEGIN_DECL

typedef struct rat_catalog rat_catalog;

/**
 * Open the catalog the workspace uses (<RAT_HOME>/catalog.db; RAT_HOME and
 * the catalog are created if needed), with the workspace's identity claimed
 * (its name, branch, storage prefix and folder: RAT_EEXISTS when another
 * workspace claims one, or when they differ from what the catalog records
 * for it, see rat_workspace_move()) and its branch in place (forked from
 * main when missing).
 */
RAT_EXTERN(int) RAT_CHECKED rat_catalog_open(rat_catalog **out, const rat_workspace *ws);
/**
 * As rat_catalog_open(), but never creating the catalog: RAT_ENOTFOUND when
 * the workspace has none yet, the message naming the file looked for and how
 * RAT_HOME was found. What read-only commands use.
 */
RAT_EXTERN(int) RAT_CHECKED rat_catalog_open_existing(rat_catalog **out, const rat_workspace *ws);
/**
 * The catalog of the workspace's RAT_HOME as the operator's: it acts as no
 * workspace, so it reads and writes every ref, main included (`rat main`).
 * Never created (RAT_ENOTFOUND as rat_catalog_open_existing()); the
 * workspace's identity is neither claimed nor checked. Catalogs opened by
 * the other functions act as their workspace: they write only refs it owns
 * (never main; RAT_EACCESS), read main, its own refs and those of a
 * workspace one of whose products grants it access, and read dev/NAME and
 * run/ID as dev/<workspace>/NAME and run/<workspace>/ID (docs/security.md).
 */
RAT_EXTERN(int) RAT_CHECKED rat_catalog_open_operator(rat_catalog **out, const rat_workspace *ws);
/** Close it. NULL is accepted. */
RAT_EXTERN(void) rat_catalog_free(rat_catalog *catalog);
/**
 * Copy the catalog of the workspace's RAT_HOME (refs, commits, workspace
 * identities, products) into file, a new file (RAT_EEXISTS when there is
 * one): a consistent copy of what was committed when it began, taken while
 * others read and commit. The tables' files (the warehouse) are not in it.
 */
RAT_EXTERN(int) RAT_CHECKED rat_catalog_backup(const rat_workspace *ws, const char *file);
/**
 * Replace the catalog of the workspace's RAT_HOME with the backup in file,
 * checked first (RAT_EINVALID for a file that is not a whole catalog, or of
 * a newer schema version). The catalog it replaces is kept as a backup
 * first: its path into kept (kept_len bytes; "" when there was none).
 * Commits made since the backup are gone from the refs; their tables' files
 * stay in the warehouse until vacuum.
 */
RAT_EXTERN(int) RAT_CHECKED rat_catalog_restore(const rat_workspace *ws, const char *file,
						 char *kept, size_t kept_len);

/** Create a branch (tag: is_tag) named name at `from` (a ref or hash; NULL: "main"). */
RAT_EXTERN(int) RAT_CHECKED rat_ref_create(rat_catalog *catalog, const char *name, int is_tag, const char *from);
/** Delete a branch or tag ("main" cannot be deleted). */
RAT_EXTERN(int) RAT_CHECKED rat_ref_delete(rat_catalog *catalog, const char *name);
/** The full hash of a ref, a hash, or a unique hash prefix (8+ digits). */
RAT_EXTERN(int) RAT_CHECKED rat_ref_resolve(rat_catalog *catalog, const char *ref, char hash[65]);
/**
 * The branch or tag named name, as the catalog's workspace names it (its
 * dev/NAME is stored as dev/<workspace>/NAME): the stored name into stored
 * (len bytes), whether it is a tag, its head. RAT_ENOTFOUND when there is
 * none, RAT_EACCESS when the workspace may not read it.
 */
RAT_EXTERN(int) RAT_CHECKED rat_ref_get(rat_catalog *catalog, const char *name, char *stored,
					size_t len, int *is_tag, char hash[65]);
/**
 * Delete ref name if its head is still expected (a full hash; NULL: whatever
 * it is): RAT_ECONFLICT, nothing deleted, when it moved.
 */
RAT_EXTERN(int) RAT_CHECKED rat_ref_delete_at(rat_catalog *catalog, const char *name,
					      const char *expected);
/**
 * Point branch name at to (a ref or a hash the catalog may read) if its head
 * is still expected (a full hash; NULL: whatever it is): RAT_ECONFLICT when it
 * moved, RAT_EINVALID for a tag (a tag names one commit for good).
 */
RAT_EXTERN(int) RAT_CHECKED rat_ref_assign(rat_catalog *catalog, const char *name,
					   const char *expected, const char *to);

typedef struct rat_ref_info {
	const char *name;
	int is_tag;
	const char *hash;
} rat_ref_info;

typedef struct rat_ref_list {
	rat_ref_info *items;
	size_t count;
} rat_ref_list;

/**
 * The branches and tags of catalog, sorted by name; opened as a workspace,
 * only those it may read (main, its own, and those of workspaces whose
 * products it was granted): another workspace's refs, names included, are
 * not listed. Free with rat_ref_list_free().
 */
RAT_EXTERN(int) RAT_CHECKED rat_ref_list_get(rat_ref_list *out, rat_catalog *catalog);
RAT_EXTERN(void) rat_ref_list_free(rat_ref_list *list);

/** The longest request id (rat_catalog_set_request_id()), in bytes. */
#define RAT_REQUEST_ID_MAX 1024
/**
 * Mark every commit catalog makes from now on, whatever makes it (a table
 * commit, a namespace change, a merge), as made for request id: 1 to
 * RAT_REQUEST_ID_MAX bytes, unique per logical request, kept in the commit's properties as
 * "rat.request-id". NULL stops marking. A server sets it for the length of
 * one request that carries an idempotency key, so that a retry finds the
 * first attempt's commit with rat_commit_find_request(), even after a
 * restart: the mark is written in the commit's own transaction.
 */
RAT_EXTERN(int) RAT_CHECKED rat_catalog_set_request_id(rat_catalog *catalog, const char *id);
/**
 * Give every commit catalog makes from now on the properties of
 * properties_json (a JSON object of strings; a commit's own properties win
 * over a name given both ways) and date it time_ms (milliseconds since the
 * epoch) when it gives no time of its own. NULL and 0 stop it. A server sets
 * them for the length of one request whose client said what its commit
 * carries (Nessie's commitMeta). RAT_EINVALID when properties_json is not
 * such an object or time_ms is negative.
 */
RAT_EXTERN(int) RAT_CHECKED rat_catalog_set_commit_meta(rat_catalog *catalog,
						       const char *properties_json,
						       int64_t time_ms);
/**
 * The commit made for request id (its hash into commit), looked up by an
 * index whatever branch it went to; RAT_ENOTFOUND when no commit the
 * catalog's workspace may read was made for it.
 */
RAT_EXTERN(int) RAT_CHECKED rat_commit_find_request(char commit[65], rat_catalog *catalog,
						    const char *id);

typedef struct rat_log_entry {
	const char *hash;
	const char *parent;       /**< "" for the root */
	const char *merge_parent; /**< "" unless a merge */
	const char *author;
	const char *message;
	int64_t time_ms;
	const char *properties;   /**< the commit's properties, a JSON object ("{}": none) */
} rat_log_entry;

typedef struct rat_log {
	rat_log_entry *items; /**< newest first */
	size_t count;
} rat_log;

/** History of a ref (limit 0: all), newest first. */
RAT_EXTERN(int) RAT_CHECKED rat_log_get(rat_log *out, rat_catalog *catalog, const char *ref, size_t limit);
RAT_EXTERN(void) rat_log_free(rat_log *log);

/** What a catalog key holds. */
typedef enum rat_content_type {
	RAT_CONTENT_TABLE = 0,    /**< an Iceberg table ("namespace.table") */
	RAT_CONTENT_VIEW = 1,     /**< an Iceberg view ("namespace.view") */
	RAT_CONTENT_NAMESPACE = 2 /**< a namespace ("name"): a layer with properties, or one made */
} rat_content_type;

/** One key of a commit's map, as the catalog records it (Nessie's "content"). */
typedef struct rat_content_entry {
	const char *key;
	rat_content_type type;
	const char *id;                /**< the content id: the same across commits */
	const char *metadata_location; /**< "" for a namespace */
	int64_t snapshot_id;           /**< -1: none (a view, a namespace, a table with no data) */
	int schema_id;
	int spec_id;
	const char *properties;        /**< a namespace's, a JSON object; NULL otherwise */
} rat_content_entry;

typedef struct rat_content_list {
	rat_content_entry *items; /**< sorted by key */
	size_t count;
} rat_content_list;

/**
 * Every key ref (a ref or a hash) records: tables, views and namespaces,
 * read from the catalog alone. Release out with rat_content_list_free() in
 * every case.
 */
RAT_EXTERN(int) RAT_CHECKED rat_content_list_get(rat_content_list *out, rat_catalog *catalog,
						 const char *ref);
RAT_EXTERN(void) rat_content_list_free(rat_content_list *list);

typedef enum rat_change_type {
	RAT_CHANGE_TYPE_ADDED = 0,
	RAT_CHANGE_TYPE_REMOVED = 1,
	RAT_CHANGE_TYPE_MODIFIED = 2
} rat_change_type;

/** A table's state as a commit records it. */
typedef struct rat_table_version {
	const char *metadata_location; /**< "" when absent */
	int64_t snapshot_id;           /**< -1: none */
	int schema_id;
} rat_table_version;

typedef struct rat_diff_entry {
	const char *key; /**< "layer.table"; or a namespace's name (is_namespace) */
	rat_change_type type;
	rat_table_version before;
	rat_table_version after;
	int is_namespace; /**< a namespace made (rat_namespace_create), dropped, or its properties changed */
} rat_diff_entry;

typedef struct rat_diff_list {
	rat_diff_entry *items; /**< sorted by key */
	size_t count;
} rat_diff_list;

/** What changed from `from` to `to` (refs or hashes). */
RAT_EXTERN(int) RAT_CHECKED rat_diff_get(rat_diff_list *out, rat_catalog *catalog, const char *from, const char *to);
RAT_EXTERN(void) rat_diff_list_free(rat_diff_list *diff);

typedef struct rat_merge_outcome {
	int fast_forward;
	int up_to_date;
	char hash[65];             /**< the target's head after (or, dry run, what it would be) */
	rat_strarray merged;       /**< keys brought over */
	rat_strarray conflicts;    /**< keys both sides changed differently */
} rat_merge_outcome;

/**
 * Merge source into the target branch. A conflict returns RAT_ECONFLICT
 * with the keys in out->conflicts and writes nothing; dry_run decides
 * without writing. Release out with rat_merge_outcome_free() in every case.
 */
RAT_EXTERN(int) RAT_CHECKED rat_merge(rat_merge_outcome *out, rat_catalog *catalog, const char *source, const char *target, int dry_run, const char *author);
/**
 * Make commits (count refs or hashes, in order) again on the branch target,
 * each with what it changed since its parent and its own message, author and
 * properties (Nessie's transplant). A key one of them changed that target
 * changed since that commit's parent is a conflict: out->conflicts names the
 * keys, RAT_ECONFLICT, and nothing is written. Otherwise target moves to the
 * last new commit (out->hash) in one step; out->merged lists the keys
 * brought. dry_run decides without writing. Release out with
 * rat_merge_outcome_free() in every case.
 */
RAT_EXTERN(int) RAT_CHECKED rat_transplant(rat_merge_outcome *out, rat_catalog *catalog,
					   const char *const *commits, size_t count,
					   const char *target, int dry_run);
RAT_EXTERN(void) rat_merge_outcome_free(rat_merge_outcome *outcome);

RAT_END_DECL

#endif
