/*
 * catalog/catalog.h - the Git-like catalog (the Nessie model): named
 * references (branches, tags) point at commits; a commit holds its parent(s),
 * author, message, time, properties and the full map of content keys
 * ("layer.table") to table state, and of namespaces ("name") to their
 * properties. Commit hashes are derived from content.
 *
 * A commit changes any number of keys at once, against an expected head:
 * if the branch moved, nothing is written and the caller is told (RAT_ECONFLICT,
 * naming the branch and both hashes). Merges fast-forward when they can and
 * otherwise make a merge commit, refusing (per key, writing nothing) when both
 * sides changed the same key differently.
 *
 * Backends implement rat_catalog_backend: the embedded one (SQLite in WAL
 * mode, one file under RAT_HOME), and the remote one (remote/: `rat serve`'s
 * catalog through Nessie's REST API v2, with NESSIE_URI).
 */
#ifndef RAT_CATALOG_CATALOG_H
#define RAT_CATALOG_CATALOG_H

#include <jansson.h>

#include "util/common.h"
#include "rat/catalog.h"

#define RAT_HASH_LEN 64

/**
 * What the catalog records of a table (or a view) at a commit; or of a
 * namespace (Nessie's NAMESPACE: a key without a '.', no metadata file).
 */
typedef struct rat_table_state {
	char *metadata_location; /* "" for a namespace */
	int64_t snapshot_id; /* -1: no snapshot yet (always for a view) */
	int schema_id;
	int spec_id;
	char *content_id;    /* stable across commits: the table's identity */
	bool view;           /* an Iceberg view (Nessie's ICEBERG_VIEW), not a table */
	bool ns;             /* a namespace */
	char *properties;    /* a namespace's properties: a JSON object (compact, sorted keys) */
} rat_table_state;

typedef struct rat_catalog_entry {
	char *key; /* "layer.table" */
	rat_table_state state;
} rat_catalog_entry;

/** Which keys of a map: all, the tables and views ("layer.table"), or the namespaces ("name"). */
typedef enum rat_contents_kind {
	RAT_CONTENTS_ALL = 0,
	RAT_CONTENTS_TABLES = 1,
	RAT_CONTENTS_NAMESPACES = 2
} rat_contents_kind;

/** A commit's full key map, sorted by key. */
typedef struct rat_contents {
	rat_catalog_entry *items;
	size_t count;
} rat_contents;

typedef enum rat_ref_kind { RAT_REF_BRANCH = 0, RAT_REF_TAG = 1 } rat_ref_kind;

typedef struct rat_ref {
	char *name;
	rat_ref_kind kind;
	char hash[RAT_HASH_LEN + 1];
} rat_ref;

typedef struct rat_refs {
	rat_ref *items;
	size_t count;
} rat_refs;

typedef struct rat_commit_info {
	char hash[RAT_HASH_LEN + 1];
	char parent[RAT_HASH_LEN + 1];       /* "" for the root */
	char merge_parent[RAT_HASH_LEN + 1]; /* "" unless a merge */
	char *author;
	char *message;
	int64_t time_ms;
	json_t *properties;                   /* object */
} rat_commit_info;

typedef struct rat_commits {
	rat_commit_info *items; /* newest first */
	size_t count;
} rat_commits;

typedef enum rat_op_kind { RAT_OP_PUT = 0, RAT_OP_DELETE = 1 } rat_op_kind;

typedef struct rat_catalog_op {
	rat_op_kind kind;
	const char *key;
	const rat_table_state *state; /* RAT_OP_PUT */
} rat_catalog_op;

typedef struct rat_commit_request {
	const char *branch;
	const char *expected_head; /* NULL: whatever the head is when the commit lands */
	const rat_catalog_op *ops;
	size_t op_count;
	const char *author;
	const char *message;
	json_t *properties;        /* NULL: {} (borrowed) */
	int64_t time_ms;           /* 0: now */
} rat_commit_request;

typedef enum rat_change_kind { RAT_CHANGE_ADDED, RAT_CHANGE_REMOVED, RAT_CHANGE_MODIFIED } rat_change_kind;

typedef struct rat_change {
	char *key;
	rat_change_kind kind;
	rat_table_state before; /* zeroed when added */
	rat_table_state after;  /* zeroed when removed */
} rat_change;

typedef struct rat_diff {
	rat_change *items; /* sorted by key */
	size_t count;
} rat_diff;

typedef struct rat_merge_result {
	bool fast_forward;
	bool up_to_date;        /* nothing to merge */
	char hash[RAT_HASH_LEN + 1]; /* the target's new head (or what it would be) */
	rat_strarray merged;    /* keys brought over */
	rat_strarray conflicts; /* keys both sides changed differently */
} rat_merge_result;

typedef struct rat_catalog rat_catalog;

/** Open (creating if needed) the embedded catalog in a database file; "main" exists at the root. */
RAT_MUST_USE int rat_catalog__open_embedded(rat_catalog **out, const char *path);
/** The schema version of the catalog file this code writes (older ones are migrated). */
int rat_catalog__schema_version(void);
/**
 * backup.c: a consistent copy of the catalog file db_path into file, a new
 * file (RAT_EEXISTS if there is one), taken while others use the catalog.
 */
RAT_MUST_USE int rat_catalog__backup(const char *db_path, const char *file);
/**
 * Replace the catalog at db_path with the backup in file, after checking it;
 * the catalog it replaces is kept as a backup first, its path in *kept
 * (free(); NULL when there was none).
 */
RAT_MUST_USE int rat_catalog__restore(const char *db_path, const char *file, char **kept);
void rat_catalog__free(rat_catalog *catalog);

/** Resolve a branch, a tag, or a commit hash (or a unique prefix of 8+ hex digits). */
RAT_MUST_USE int rat_catalog__resolve(rat_catalog *catalog, const char *ref,
				      char hash[RAT_HASH_LEN + 1]);
/** Create a branch or tag at `from` (a ref or hash; NULL: "main"). RAT_EEXISTS if taken. */
RAT_MUST_USE int rat_catalog__create_ref(rat_catalog *catalog, const char *name, rat_ref_kind kind,
					 const char *from);
/** Delete a ref; with expected_hash, only if it still points there (else RAT_ECONFLICT). */
RAT_MUST_USE int rat_catalog__delete_ref(rat_catalog *catalog, const char *name,
					 const char *expected_hash);
RAT_MUST_USE int rat_catalog__list_refs(rat_catalog *catalog, rat_refs *out);
/**
 * The branch or tag ref names (as the catalog's workspace names it: dev/NAME is
 * its dev/<workspace>/NAME): its stored name into name (len bytes), kind, head.
 */
RAT_MUST_USE int rat_catalog__ref_get(rat_catalog *catalog, const char *ref, char *name,
				      size_t len, rat_ref_kind *kind, char head[RAT_HASH_LEN + 1]);
/** Point branch name at to (a ref or hash) if it is still at expected (NULL: any head). */
RAT_MUST_USE int rat_catalog__assign_ref(rat_catalog *catalog, const char *name,
					 const char *expected, const char *to);
/** The tables and views at a ref or hash (namespaces left out). */
RAT_MUST_USE int rat_catalog__contents(rat_catalog *catalog, const char *ref, rat_contents *out);
/** The namespaces recorded at a ref or hash (those created beyond the layers). */
RAT_MUST_USE int rat_catalog__namespaces(rat_catalog *catalog, const char *ref, rat_contents *out);
/** The keys of one kind at a ref or hash (RAT_CONTENTS_ALL: tables, views and namespaces). */
RAT_MUST_USE int rat_catalog__contents_of(rat_catalog *catalog, const char *ref,
					  rat_contents_kind kind, rat_contents *out);
/** One key's state at a ref or hash, without reading the rest (RAT_ENOTFOUND: no such key). */
RAT_MUST_USE int rat_catalog__entry(rat_catalog *catalog, const char *ref, const char *key,
				    rat_table_state *out);
/** Commit to a branch; out_hash receives the new head. */
RAT_MUST_USE int rat_catalog__commit(rat_catalog *catalog, const rat_commit_request *request,
				     char out_hash[RAT_HASH_LEN + 1]);
/** History from a ref, newest first, following first parents (limit 0: all). */
RAT_MUST_USE int rat_catalog__log(rat_catalog *catalog, const char *ref, size_t limit,
				  rat_commits *out);
/** What changed from `from` to `to`. */
RAT_MUST_USE int rat_catalog__diff(rat_catalog *catalog, const char *from, const char *to,
				   rat_diff *out);
/** Merge source into the target branch (dry_run: decide, write nothing). */
RAT_MUST_USE int rat_catalog__merge(rat_catalog *catalog, const char *source, const char *target,
				    bool dry_run, const char *author, rat_merge_result *out);

/**
 * transplant.c: the commits hashes (refs or hashes, in order) made again on
 * the branch target, each bringing what it changed since its parent (dry_run:
 * decide, write nothing). A key one changed that target changed since is a
 * conflict (out->conflicts; RAT_ECONFLICT, nothing written); target moves to
 * the last new commit in one step.
 */
RAT_MUST_USE int rat_catalog__transplant(rat_catalog *c, const char *const *hashes, size_t n,
					 const char *target, bool dry_run, rat_merge_result *out);

/** The entry of key in a (sorted) key map, or NULL. */
const rat_catalog_entry *rat_catalog__find(const rat_contents *contents, const char *key);

void rat_table_state_clear(rat_table_state *state);
/** Same location, snapshot, schema, spec, identity, kind and properties. */
bool rat_catalog__state_equal(const rat_table_state *a, const rat_table_state *b);
void rat_catalog__contents_free(rat_contents *contents);
void rat_catalog__refs_free(rat_refs *refs);
void rat_catalog__commits_free(rat_commits *commits);
void rat_catalog__diff_free(rat_diff *diff);
void rat_catalog__merge_result_free(rat_merge_result *result);

/**
 * Date the commits made through c at fixed_ms (ms since the epoch) when a
 * request gives no time; -1: the real clock (the default). A workspace's
 * RAT_NOW arrives here.
 */
void rat_catalog__set_fixed_time(rat_catalog *c, int64_t fixed_ms);

/*
 * Identity and ownership (identity.c, docs/security.md). A catalog opened for
 * a workspace (rat_catalog__set_workspace) acts as that workspace: it writes
 * only refs it owns (never main), reads only main, its own refs and the refs
 * of a workspace one of whose products grants it access, and reads
 * dev/NAME and run/ID as dev/<workspace>/NAME and run/<workspace>/ID. A
 * catalog opened without one is the operator's: it reads and writes every ref.
 */

/** What a workspace claims in its catalog: no other workspace may claim any of it. */
typedef struct rat_identity {
	const char *name;
	const char *branch;       /* the branch it resolves to now */
	const char *branch_claim; /* the branch, or (branch_is_prefix) every branch under it */
	bool branch_is_prefix;    /* git:<prefix>, auto, git: the Git branch is appended */
	const char *prefix;       /* the storage prefix */
	const char *folder;       /* the workspace's folder (the embedded catalog's) */
} rat_identity;

/**
 * Record id in the catalog, or check it against what is recorded: a second
 * workspace claiming the name, the folder, an overlapping storage prefix or
 * branch, a reserved prefix (`_…`) or branch (main, dev/, run/) is refused
 * (RAT_EEXISTS or RAT_EINVALID, naming both workspaces and what they claim).
 * A workspace whose recorded identity differs from id is refused unless
 * move (`rat workspace move`). In the same transaction, the refs made before
 * refs had owners that are this workspace's are given to it (dev/NAME becomes
 * dev/<name>/NAME, run/ID run/<name>/ID). Sets the catalog's workspace.
 */
RAT_MUST_USE int rat_catalog__claim(rat_catalog *c, const rat_identity *id, bool move);
/*
 * Requests: a commit made while the catalog has a request id carries it as
 * its RAT_REQUEST_ID_PROPERTY property, and rat_catalog__find_request()
 * finds that commit again (indexed): a retried request learns whether its
 * first attempt landed, even across a restart.
 */
#define RAT_REQUEST_ID_PROPERTY "rat.request-id"
/** Make every commit from now on for request id (NULL: none). */
RAT_MUST_USE int rat_catalog__set_request_id(rat_catalog *c, const char *id);
/** rat_catalog_set_commit_meta() (rat/catalog.h). */
RAT_MUST_USE int rat_catalog__set_commit_meta(rat_catalog *c, const char *properties_json,
					      int64_t time_ms);
/** The commit made for request id, if the catalog's workspace may read it (else RAT_ENOTFOUND). */
RAT_MUST_USE int rat_catalog__find_request(rat_catalog *c, const char *id,
					   char hash[RAT_HASH_LEN + 1]);

/** Act as workspace name (NULL: the operator) from now on. */
RAT_MUST_USE int rat_catalog__set_workspace(rat_catalog *c, const char *name);
/** The workspace a ref belongs to ("" when none: main and refs older than owners). */
RAT_MUST_USE int rat_catalog__ref_owner(rat_catalog *c, const char *ref, char *owner, size_t len);
/** RAT_EACCESS unless the catalog's workspace may read ref (a ref name; hashes pass). */
RAT_MUST_USE int rat_catalog__check_read(rat_catalog *c, const char *ref);

/* The backend interface (catalog_internal.h has the struct). */
typedef struct rat_catalog_backend rat_catalog_backend;

/**
 * Publish the changes branch source made since base as one commit on
 * target (titled "title: key key ..."), unless target changed one of those
 * keys since base (RAT_ECONFLICT naming them; nothing written). commit gets
 * target's new head (its head as it was when there was nothing to publish).
 */
RAT_MUST_USE int rat_catalog__squash(char commit[RAT_HASH_LEN + 1], rat_catalog *catalog,
				     const char *source, const char *base, const char *target,
				     const char *author, const char *title, json_t *properties);

#endif
