/*
 * rat/workspace.h - workspaces: a folder with workspace.yaml and the layout
 * pipelines/{bronze,silver,gold}/, schemas/, macros/, notebooks/.
 *
 * A workspace is loaded once into an immutable handle that carries its
 * resolved settings: workspace.yaml, the resource profile it names (built in
 * or from a profiles folder), workspace overrides and the environment
 * (RAT_HOME, RAT_PROFILE, ICEBERG_WAREHOUSE, RAT_WORKSPACES, WORKSPACE).
 * Strings returned by accessors are owned by the handle and live as long as it.
 */
#ifndef RAT_WORKSPACE_H
#define RAT_WORKSPACE_H

#include "common.h"

RAT_BEGIN_DECL

typedef struct rat_workspace rat_workspace;

typedef enum rat_layer {
	RAT_LAYER_BRONZE = 0,
	RAT_LAYER_SILVER = 1,
	RAT_LAYER_GOLD = 2
} rat_layer;

#define RAT_LAYER_COUNT 3

/** "bronze", "silver" or "gold"; NULL for a value outside the enum. Static storage. */
RAT_EXTERN(const char *) rat_layer_name(rat_layer layer);

/** Parse a layer name. Returns RAT_EINVALID (message lists the layers) if unknown. */
RAT_EXTERN(int) RAT_CHECKED rat_layer_parse(rat_layer *out, const char *name);

typedef struct rat_workspace_create_options {
	unsigned int version;    /**< RAT_WORKSPACE_CREATE_OPTIONS_VERSION */
	const char *path;        /**< folder to create; NULL: <first RAT_WORKSPACES folder>/<name> */
	const char *description; /**< NULL: "<name> workspace" */
} rat_workspace_create_options;

#define RAT_WORKSPACE_CREATE_OPTIONS_VERSION 1
#define RAT_WORKSPACE_CREATE_OPTIONS_INIT { RAT_WORKSPACE_CREATE_OPTIONS_VERSION, NULL, NULL }

/**
 * Fill opts with the defaults of version (pass
 * RAT_WORKSPACE_CREATE_OPTIONS_VERSION): the same as
 * RAT_WORKSPACE_CREATE_OPTIONS_INIT. RAT_EINVALID for a version this library
 * does not know.
 */
RAT_EXTERN(int) RAT_CHECKED rat_workspace_create_options_init(rat_workspace_create_options *opts, unsigned int version);

/**
 * Create a workspace folder with the standard layout and a workspace.yaml
 * holding the default settings, then load it.
 *
 * @param out   receives the new handle; free it with rat_workspace_free()
 * @param name  workspace name: letters, digits, '-' and '_', starting with a
 *              letter or digit, at most 64 characters
 * @param opts  NULL for defaults
 * @return 0; RAT_EINVALID for a bad name; RAT_EEXISTS if the target exists and
 *         is not an empty folder (nothing is written then); RAT_EIO.
 */
RAT_EXTERN(int) RAT_CHECKED rat_workspace_create(rat_workspace **out, const char *name, const rat_workspace_create_options *opts);

/**
 * Load a workspace.
 *
 * @param name_or_path  a folder holding workspace.yaml (used as is), or a name
 *        looked up in the folders of RAT_WORKSPACES (colon-separated, default
 *        "./workspaces"). NULL: $WORKSPACE, else the workspace enclosing the
 *        current folder, else "default".
 * @return 0; RAT_ENOTFOUND (the message lists where it looked); RAT_EINVALID
 *         when workspace.yaml or a profile is malformed (the message is
 *         "file:line:col: key: what is wrong (what is allowed)").
 */
RAT_EXTERN(int) RAT_CHECKED rat_workspace_open(rat_workspace **out, const char *name_or_path);

/**
 * Like rat_workspace_open(), but returns a process-wide cached handle: the
 * same name yields the same handle. The cache owns it; do not free it. It
 * stays valid until rat_workspace_cache_clear(). Thread-safe.
 */
RAT_EXTERN(int) RAT_CHECKED rat_workspace_get(const rat_workspace **out, const char *name_or_path);

/** Free every cached workspace. Handles from rat_workspace_get() become invalid. */
RAT_EXTERN(void) rat_workspace_cache_clear(void);

/** Free a handle from rat_workspace_open() or _create(). NULL is accepted. */
RAT_EXTERN(void) rat_workspace_free(rat_workspace *ws);
/**
 * Record in the catalog the identity the workspace has now (its folder, its
 * isolation.s3_prefix and nessie_branch as its workspace.yaml gives them)
 * in place of the one recorded: `rat workspace move`. Still refused
 * (RAT_EEXISTS) when another workspace claims any of it; a storage prefix
 * it leaves stays its own (its tables' files are there). RAT_ENOTFOUND when
 * the workspace has no catalog yet.
 */
RAT_EXTERN(int) RAT_CHECKED rat_workspace_move(const rat_workspace *ws);

/**
 * The folders of the workspaces found in RAT_WORKSPACES (sub-folders that hold
 * a workspace.yaml), as absolute paths, sorted. Free with rat_strarray_free().
 */
RAT_EXTERN(int) RAT_CHECKED rat_workspace_list(rat_strarray *out);

RAT_EXTERN(const char *) rat_workspace_name(const rat_workspace *ws);
RAT_EXTERN(const char *) rat_workspace_path(const rat_workspace *ws);        /**< absolute folder */
RAT_EXTERN(const char *) rat_workspace_config_path(const rat_workspace *ws); /**< its workspace.yaml */
RAT_EXTERN(const char *) rat_workspace_description(const rat_workspace *ws); /**< "" when unset */
RAT_EXTERN(const char *) rat_workspace_version(const rat_workspace *ws);     /**< "" when unset */
/** The catalog branch after resolving auto/git/git:<prefix> (see docs/workspaces.md). */
RAT_EXTERN(const char *) rat_workspace_branch(const rat_workspace *ws);
/** isolation.nessie_branch as written, or "" when the default applies. */
RAT_EXTERN(const char *) rat_workspace_branch_spec(const rat_workspace *ws);
RAT_EXTERN(const char *) rat_workspace_s3_prefix(const rat_workspace *ws);
/**
 * RAT_HOME: the local state folder (catalog, local warehouse, caches, spill).
 * Without the RAT_HOME variable it is found from the workspace's own folder,
 * never from the current one: .rat/ beside the workspaces/ folder that holds
 * it, else .rat/ in its parent folder.
 */
RAT_EXTERN(const char *) rat_workspace_home(const rat_workspace *ws);
/**
 * How rat_workspace_home() was found, for messages: "set by RAT_HOME",
 * "beside the workspaces/ folder that holds the workspace" or "in
 * the workspace's parent folder". Static storage.
 */
RAT_EXTERN(const char *) rat_workspace_home_origin(const rat_workspace *ws);
/** The catalog of the workspace's state: <RAT_HOME>/catalog.db. */
RAT_EXTERN(const char *) rat_workspace_catalog_path(const rat_workspace *ws);
/**
 * The `rat serve` whose catalog the workspace uses instead (NESSIE_URI, as it
 * was at load), or NULL: the catalog is rat_workspace_catalog_path().
 */
RAT_EXTERN(const char *) rat_workspace_catalog_server(const rat_workspace *ws);
/**
 * 1 when the catalog exists, 0 when nothing has created it yet (only a run
 * or `rat init` does; reading a workspace without one sees no tables and
 * creates nothing). Always 1 with NESSIE_URI set: the catalog is the
 * server's.
 */
RAT_EXTERN(int) rat_workspace_catalog_exists(const rat_workspace *ws);
/**
 * What the workspace takes for now, in ms since the epoch: RAT_NOW when it
 * was set at load (fixed for tests and backfills), else the real time. Run
 * and ingestion times, commits, retention and product ages use it.
 */
RAT_EXTERN(int64_t) rat_workspace_now_ms(const rat_workspace *ws);
/** runs.retention_days (workspace.yaml, default 30): how long run records, and what a server decided for the triggers, are kept. */
RAT_EXTERN(int64_t) rat_workspace_run_retention_days(const rat_workspace *ws);
/** ICEBERG_WAREHOUSE, or <RAT_HOME>/warehouse when unset. */
RAT_EXTERN(const char *) rat_workspace_warehouse(const rat_workspace *ws);
/** Where the engine spills what does not fit in memory: <RAT_HOME>/tmp/<workspace name>. */
RAT_EXTERN(const char *) rat_workspace_spill_dir(const rat_workspace *ws);

/** Where the workspace's data is read and written when its warehouse is on S3. */
typedef struct rat_s3_info {
	const char *endpoint;   /**< the endpoint in effect; "" when the warehouse is not on S3 */
	const char *region;     /**< the signing region ("us-east-1" unless S3_REGION says) */
	const char *access_key; /**< the access key id; "" when requests are not signed */
	const char *origin;     /**< how the endpoint was chosen ("S3_ENDPOINT", "default: ...",
				     "AWS: S3_ENDPOINT=aws", ...); "" when not on S3 */
} rat_s3_info;

/** The S3 settings in effect (never the secret key). Strings owned by ws. */
RAT_EXTERN(void) rat_workspace_s3(const rat_workspace *ws, rat_s3_info *out);

/**
 * Sign an S3 request another program makes on ws's storage (remote signing:
 * rat serve gives engines signatures, never the keys), with ws's keys and
 * region (AWS Signature Version 4, dated now). method to url, which must be
 * on the endpoint and bucket of ws's warehouse (path-style or
 * virtual-hosted), with headers (name, value pairs, header_count of them).
 * Only a request on an object under ws's storage prefix, or a listing of a
 * prefix under it, is signed; with read_only, only GET and HEAD; a
 * multi-object delete never (its keys are in its body): RAT_EACCESS,
 * naming why. RAT_EINVALID when ws's warehouse is not on S3 or has no keys.
 * out: the headers to send the request with (name, value pairs; release
 * with rat_strarray_free()).
 */
RAT_EXTERN(int) RAT_CHECKED rat_workspace_s3_sign(rat_strarray *out, const rat_workspace *ws,
						  const char *method, const char *url,
						  const char *const *headers, size_t header_count,
						  int read_only);

/** Bits of rat_resources.overridden: which keys workspace.yaml overrides. */
#define RAT_RESOURCE_MAX_MEMORY_MB (1u << 0)
#define RAT_RESOURCE_DUCKDB_MEMORY_MB (1u << 1)
#define RAT_RESOURCE_CHUNK_SIZE_ROWS (1u << 2)
#define RAT_RESOURCE_MAX_PARALLEL_PIPELINES (1u << 3)
#define RAT_RESOURCE_THREADS (1u << 4)

/** Effective resource limits: the profile's values after workspace overrides. */
typedef struct rat_resources {
	const char *profile;            /**< profile name */
	const char *profile_source;     /**< "built-in" or the profile file's path */
	int64_t max_memory_mb;          /**< memory budget of the whole process */
	int64_t duckdb_memory_mb;       /**< memory the engine may use, before the cap */
	int64_t engine_memory_mb;       /**< DuckDB memory_limit: min(duckdb_memory_mb, max_memory_mb) */
	int64_t chunk_size_rows;        /**< ingestion batch / row group size */
	int64_t max_parallel_pipelines; /**< pipelines run at once */
	int64_t threads;                /**< DuckDB worker threads */
	unsigned int overridden;        /**< RAT_RESOURCE_* bits */
	/** What of the profile file is not applied, and why ("resources.containers (rat runs
	 * no containers)"; "; "-separated); "" when nothing. Owned by the workspace. */
	const char *profile_ignored;
} rat_resources;

RAT_EXTERN(void) rat_workspace_resources(const rat_workspace *ws, rat_resources *out);

/** Settings of one medallion layer (workspace.yaml `layers.<layer>`). */
typedef struct rat_layer_settings {
	int64_t retention_days;            /**< -1: keep forever */
	const char *const *partition_by;   /**< default partition columns */
	size_t partition_by_count;
	const char *retention_column;      /**< the date retention goes by; "": when rows were
					        loaded (docs/maintenance.md) */
} rat_layer_settings;

RAT_EXTERN(void) rat_workspace_layer(const rat_workspace *ws, rat_layer layer,
				     rat_layer_settings *out);

typedef struct rat_product_access {
	const char *workspace; /**< pattern: "*", "prefix*" or an exact name */
	const char *level;     /**< "read", "write" or "admin" */
} rat_product_access;

/** A data product this workspace publishes (workspace.yaml `products[]`). */
typedef struct rat_product_config {
	const char *name;
	const char *source;          /**< "layer.table" */
	const char *description;     /**< "" when unset */
	double sla_freshness_hours;  /**< 0 when unset */
	const rat_product_access *access;
	size_t access_count;
} rat_product_config;

RAT_EXTERN(size_t) rat_workspace_product_count(const rat_workspace *ws);
/** The i-th product, or NULL if i is out of range. Owned by ws. */
RAT_EXTERN(const rat_product_config *) rat_workspace_product(const rat_workspace *ws, size_t i);

/** A product this workspace consumes (workspace.yaml `subscriptions[]`). */
typedef struct rat_subscription_config {
	const char *product;            /**< "name" or "owner-workspace/name" */
	const char *alias;              /**< name under products.*; default: the product's name */
	const char *version_constraint; /**< npm semver range; default "latest" */
} rat_subscription_config;

RAT_EXTERN(size_t) rat_workspace_subscription_count(const rat_workspace *ws);
RAT_EXTERN(const rat_subscription_config *) rat_workspace_subscription(const rat_workspace *ws,
								      size_t i);

/**
 * Names of the pipelines of a layer, sorted: pipelines/<layer>/<name>.sql
 * (or .py/.sh, or a lone <name>.yaml holding a command) and
 * pipelines/<layer>/<name>/pipeline.sql (or .py/.sh, or a lone config.yaml).
 * A folder <name>/ without those beside a flat <name>.sql holds the flat
 * pipeline's documents and tests, and is no pipeline of its own. Free with
 * rat_strarray_free(). RAT_EINVALID if one name is defined twice: two flat
 * files, or a flat file and the folder's that differ (both named). A Python
 * file with a pipeline decorator (`@bronze_pipeline(name="raw_sales")`) is
 * named by it: its name=, else its function's name. Sorted.
 */
RAT_EXTERN(int) RAT_CHECKED rat_workspace_list_pipelines(rat_strarray *out, const rat_workspace *ws, rat_layer layer);

/**
 * The storage location of a layer (or a namespace), or of a table in it:
 * <warehouse>/<s3_prefix>/<layer>/[<table>/]. A local path or an s3:// URL.
 *
 * @param out    receives the location; free with rat_free()
 * @param layer  "bronze", "silver" or "gold", or a namespace's name (rat/table.h:
 *               whether it exists is not looked at here)
 * @param table  NULL for the layer's folder; else letters, digits and '_'
 */
RAT_EXTERN(int) RAT_CHECKED rat_workspace_storage_path(char **out, const rat_workspace *ws, const char *layer, const char *table);

RAT_END_DECL

#endif
