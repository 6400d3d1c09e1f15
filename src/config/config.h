/*
 * config/config.h - workspace.yaml, resource profiles and the environment,
 * resolved into one settings struct.
 *
 * Resolution order for every resource key: the profile's value (profile from
 * resources.profile, else $RAT_PROFILE, else "small"), then the workspace's
 * resources.overrides. Paths come from the environment: RAT_HOME (local
 * state), ICEBERG_WAREHOUSE (else <RAT_HOME>/warehouse), RAT_WORKSPACES.
 */
#ifndef RAT_CONFIG_CONFIG_H
#define RAT_CONFIG_CONFIG_H

#include "util/common.h"
#include "util/yaml.h"
#include "rat/workspace.h"

/* The environment as a workspace captured it (env.c, below). */
typedef struct rat_env {
	rat_strarray vars; /* "NAME=value" each, sorted by name */
} rat_env;

#define RAT_ENV_INIT { RAT_STRARRAY_INIT }

typedef enum rat_resource_key {
	RAT_RES_MAX_MEMORY_MB = 0,
	RAT_RES_DUCKDB_MEMORY_MB,
	RAT_RES_CHUNK_SIZE_ROWS,
	RAT_RES_MAX_PARALLEL_PIPELINES,
	RAT_RES_THREADS,
	RAT_RES_COUNT
} rat_resource_key;

/** The YAML key of a resource ("max_memory_mb", ...). */
const char *rat_config__resource_name(rat_resource_key key);
/** NULL-terminated list of the resource keys, for key checks. */
extern const char *const rat_config__resource_keys[];

typedef struct rat_profile {
	char name[64];
	char source[1024]; /* "built-in" or the file */
	int64_t values[RAT_RES_COUNT];
	/* What of the original Ratatouille's profile form is not applied, and why; "" when
	 * nothing (profile_original.c) */
	char ignored[512];
} rat_profile;

/**
 * Read the resource keys present in mapping into values (each a positive
 * integer below its sanity cap), setting bit i of *set (when set is not NULL).
 */
RAT_MUST_USE int rat_config__read_resources(int64_t *values, unsigned int *set,
					    const rat_yaml *yaml, struct fy_node *mapping,
					    const char *path);

/**
 * A profile file's resources.duckdb and resources.containers (the original
 * Ratatouille's form, profile_original.c): duckdb.threads and
 * duckdb.memory_limit go into p->values (a threads: beside it must agree);
 * what does not apply is named in p->ignored. section is resources.
 */
RAT_MUST_USE int rat_config__profile_original(rat_profile *p, const rat_yaml *yaml,
					      const rat_yaml_field *section);

/** Names of the built-in profiles, NULL-terminated. */
extern const char *const rat_config__builtin_profiles[];

/**
 * Find a profile by name: <workspace>/profiles/<name>.yaml, then
 * <home>/profiles/<name>.yaml, then the built-ins. Returns RAT_ENOTFOUND
 * with a message listing what exists (the caller puts the position in front).
 */
RAT_MUST_USE int rat_config__profile_find(rat_profile *out, const char *name,
					  const char *workspace_dir, const char *home);

typedef struct rat_layer_config {
	int64_t retention_days; /* -1: forever */
	char *retention_column; /* NULL: retention goes by when rows were loaded */
	rat_strarray partition_by;
} rat_layer_config;

/* workspace.yaml's defaults:, quality: and freshness: (workspace_defaults.c). */
typedef struct rat_workspace_defaults {
	int64_t freshness_warn_s;  /* freshness.default_warn_hours, for pipelines without freshness */
	int64_t freshness_error_s; /* freshness.default_error_hours; 0: unset */
	bool fail_on_error;        /* quality.fail_on_error (default true); false: errors warn */
	double warn_threshold;     /* quality.warn_threshold: a share of rows; 0: unset */
} rat_workspace_defaults;

/**
 * Read the sections of root: defaults.resource_profile into *profile (when
 * *has_profile; resolved with resources.profile by the caller), quality and
 * freshness into out. Unknown keys and bad values name file:line:col and key.
 */
RAT_MUST_USE int rat_config__parse_defaults(rat_workspace_defaults *out, rat_yaml_field *profile,
					    bool *has_profile, const rat_yaml *yaml,
					    struct fy_node *root);

/* One of workspace.yaml's alerts: (workspace_alerts.c). */
typedef struct rat_alert_config {
	char *url;          /* http:// or https:// */
	char *secret;       /* the workspace secret that signs each event; NULL: unsigned */
	rat_strarray events; /* the events sent there; empty: every one */
} rat_alert_config;

/** The events an alert may name, NULL-terminated: "run.failed", "product.late", "freshness.failed". */
extern const char *const rat_config__alert_events[];

typedef struct rat_workspace_config {
	char *name;
	char *version;
	char *description;
	char *branch_spec; /* NULL: default workspace/<name> */
	char *s3_prefix;   /* NULL: <name> */
	rat_profile profile;
	int64_t resources[RAT_RES_COUNT];
	unsigned int overridden; /* bit i: resources[i] set by resources.overrides */
	rat_layer_config layers[RAT_LAYER_COUNT];
	rat_product_config *products;
	size_t product_count;
	rat_subscription_config *subscriptions;
	size_t subscription_count;
	int64_t keep_failed_days; /* runs.keep_failed_days: a failed run's branch kept (default 7) */
	int64_t run_retention_days; /* runs.retention_days: run records and the ledger's ticks kept (default 30) */
	rat_strarray env_vars;    /* env_vars: what env_var() and executables may read */
	rat_workspace_defaults defaults; /* defaults:, quality:, freshness: */
	rat_alert_config *alerts; /* alerts: */
	size_t alert_count;
} rat_workspace_config;

/** workspace.yaml's alerts: section into config (workspace_alerts.c). */
RAT_MUST_USE int rat_config__parse_alerts(rat_workspace_config *config, const rat_yaml *yaml,
					  const rat_yaml_field *section);
void rat_config__free_alerts(rat_workspace_config *config);

/**
 * Load and validate workspace.yaml at path (display names it in messages),
 * resolving its profile. `dir` is the workspace folder, `home` RAT_HOME.
 * folder_name, when not NULL, is the name the file must give (the folder's,
 * for a workspace in a folder where names are looked up): another name is
 * an error naming both.
 */
RAT_MUST_USE int rat_config__load_workspace(rat_workspace_config *out, const char *path,
					    const char *display, const char *dir, const char *home,
					    const char *folder_name, const rat_env *env);
void rat_config__free_workspace(rat_workspace_config *config);

/** The default workspace.yaml text written by `rat init`. Free with free(). */
char *rat_config__default_yaml(const char *name, const char *description);

/* Validation of names, shared with the workspace code. */
bool rat_config__valid_workspace_name(const char *name);
bool rat_config__valid_identifier(const char *name);
/** A partition: a column, or year(col), month(col), day(col) or hour(col). */
bool rat_config__valid_partition(const char *expr);

/*
 * Environment (env.c): the only place librat reads the process
 * environment. A workspace captures it once, when it loads, and every
 * setting that comes from the environment is read from that copy, so that
 * a process serving several workspaces can give each its own.
 */

/** Copy the process environment into out (free with rat_config__env_free()). */
RAT_MUST_USE int rat_config__env_capture(rat_env *out);
/** out as a copy of env. */
RAT_MUST_USE int rat_config__env_copy(rat_env *out, const rat_env *env);
void rat_config__env_free(rat_env *env);
/** The value of name in env, or NULL when it is not set. Owned by env. */
const char *rat_config__env_get(const rat_env *env, const char *name);
/** As rat_config__env_get(), with an empty value taken as unset. */
const char *rat_config__env_value(const rat_env *env, const char *name);
/**
 * RAT_NOW ("2024-03-01", "2024-03-01 10:00:00" or "2024-03-01T10:00:00Z",
 * UTC) into *out_ms, as milliseconds since the epoch: what librat takes for
 * now in run times, ingestion, commit and snapshot times and retention
 * cutoffs; -1 when unset (then the real clock applies). A value in none of
 * these forms is RAT_EINVALID, the message naming RAT_NOW, the value and the
 * forms: never a silent fallback to the real clock.
 */
RAT_MUST_USE int rat_config__fixed_now(int64_t *out_ms, const rat_env *env);

/**
 * The local state folder of the workspace in workspace_dir: RAT_HOME when
 * set, else found from the workspace's own folder, never from the current
 * one: .rat/ beside the workspaces/ folder that holds it (X/workspaces/W
 * gives X/.rat), else .rat/ in its parent folder (P/W gives P/.rat). So a
 * workspace has one state whatever folder a command runs from. *origin
 * receives which rule applied (static text, for messages). Free with free().
 */
char *rat_config__home(const rat_env *env, const char *workspace_dir, const char **origin);
/** ICEBERG_WAREHOUSE, or <home>/warehouse. */
char *rat_config__warehouse(const rat_env *env, const char *home);
/** The folders of RAT_WORKSPACES (default "./workspaces"), absolute. */
RAT_MUST_USE int rat_config__workspace_dirs(rat_strarray *out, const rat_env *env);
/**
 * NESSIE_URI: the Nessie API of the `rat serve` whose catalog the workspace
 * uses instead of its RAT_HOME's (NULL when unset: the local catalog), and
 * RAT_TOKEN, the token it acts with there (NULL when unset).
 */
const char *rat_config__catalog_uri(const rat_env *env);
const char *rat_config__catalog_token(const rat_env *env);
/** WORKSPACE: the workspace a command uses without -w; NULL when unset. */
const char *rat_config__default_workspace(const rat_env *env);

/*
 * S3 settings from the environment (S3_ENDPOINT, S3_REGION, S3_ACCESS_KEY,
 * S3_SECRET_KEY). With the warehouse on S3 and none of S3_ENDPOINT,
 * S3_ACCESS_KEY, S3_SECRET_KEY set, the guide's local MinIO applies
 * (RAT_S3_DEFAULT_*). S3_ENDPOINT=aws (any case) or set but empty means AWS
 * itself, https://s3.<region>.amazonaws.com, as does an unset S3_ENDPOINT
 * beside keys or with a local warehouse.
 */
#define RAT_S3_DEFAULT_ENDPOINT "http://localhost:9000"
#define RAT_S3_DEFAULT_ACCESS_KEY "ratatouille"
#define RAT_S3_DEFAULT_SECRET_KEY "ratatouille123"

typedef struct rat_s3_settings {
	const char *endpoint;   /* never NULL after rat_config__s3_settings() */
	const char *region;     /* NULL: the store's default (us-east-1) */
	const char *access_key; /* NULL with secret_key: anonymous */
	const char *secret_key;
	const char *origin;     /* how the endpoint was chosen, for `rat workspace show` */
	char aws_endpoint[96];  /* endpoint may point here: do not copy the struct */
} rat_s3_settings;

/**
 * The S3 settings of env; s3_warehouse: ICEBERG_WAREHOUSE is an s3:// URL.
 * The strings are owned by env, static, or in out itself.
 */
void rat_config__s3_settings(rat_s3_settings *out, const rat_env *env, bool s3_warehouse);

/*
 * Branch resolution (branch.c): literal, "auto"/"git", "git:<prefix>";
 * falls back to workspace/<name> outside a Git work tree or on a detached HEAD.
 */
RAT_MUST_USE int rat_config__resolve_branch(char **out, const char *spec, const char *name,
					    const char *dir, const rat_env *env);
/** Is a nessie_branch value reserved (main; dev/ and run/, which rat names per workspace)? */
bool rat_config__reserved_branch(const char *spec);
/** Check a nessie_branch value; sets a message (without position) on failure. */
RAT_MUST_USE int rat_config__check_branch_spec(const char *spec);

/*
 * What a workspace's templates (env_var()) and executables may read of the
 * environment: every RAT_VAR_* variable and the names its workspace.yaml
 * lists in env_vars; never a name rat_config__env_reserved() refuses.
 */
#define RAT_ENV_VAR_PREFIX "RAT_VAR_"

/**
 * Why name may never be given to a workspace (static text: "a storage
 * credential of the operator", "one of rat's own settings", "read by rat's
 * configuration", "named like a credential"), or NULL when it may: S3_*,
 * AWS_*, GOOGLE_*, AZURE_*, RAT_* but RAT_VAR_*, ICEBERG_WAREHOUSE,
 * WORKSPACE, GIT_CEILING_DIRECTORIES, USER, and names with a word such as
 * SECRET, PASSWORD, TOKEN or KEY.
 */
const char *rat_config__env_reserved(const char *name);

/**
 * workspace.yaml's env_vars (a list of names, or one) into out: each a
 * valid variable name, listed once, not reserved; errors name file:line:col
 * and the item (env_vars[1]).
 */
RAT_MUST_USE int rat_config__parse_env_vars(rat_strarray *out, const rat_yaml *yaml,
					    const rat_yaml_field *field);

/**
 * Where the key that seals the workspaces' secrets is kept, apart from the
 * store under RAT_HOME: RAT_SECRETS_KEY_FILE, else
 * $XDG_CONFIG_HOME/rat/secrets.key, else $HOME/.config/rat/secrets.key
 * (free() *out). RAT_ENOTFOUND when none of them is set.
 */
RAT_MUST_USE int rat_config__secrets_key_path(char **out, const rat_env *env);

#endif
