/*
 * workspace/workspace.h - what other folders need of a workspace handle
 * beyond its public accessors (rat/workspace.h): the environment it was
 * loaded with, its clock, how to reach its storage, and its engine and
 * catalog.
 *
 * Everything a workspace takes from the environment (RAT_NOW, the S3
 * settings, USER, env_var() in templates, what executable pipelines
 * inherit) comes from the copy it made when it loaded (config/env.c), never
 * from the process environment later: a process serving several
 * workspaces can give each its own.
 */
#ifndef RAT_WORKSPACE_WORKSPACE_H
#define RAT_WORKSPACE_WORKSPACE_H

#include "util/common.h"
#include "rat/engine.h"
#include "rat/workspace.h"
#include "catalog/catalog.h"
#include "config/config.h"
#include "storage/storage.h"

/**
 * Load the workspace in the folder dir, taking over env (which is emptied):
 * what rat_workspace_open() does once it found the folder.
 */
RAT_MUST_USE int rat_workspace__load(rat_workspace **out, const char *dir, rat_env *env);
/** runs.keep_failed_days: how long a failed or cancelled run's branch is kept (days). */
int64_t rat_workspace__keep_failed_days(const rat_workspace *ws);
/** workspace.yaml's alerts: (config.h; owned by ws), *count of them. */
const rat_alert_config *rat_workspace__alerts(const rat_workspace *ws, size_t *count);
/** workspace.yaml's quality: and freshness: defaults (config.h; owned by ws). */
const rat_workspace_defaults *rat_workspace__defaults(const rat_workspace *ws);
/**
 * The name a workspace in the folder dir must give in its workspace.yaml:
 * the folder's own name when it sits in a folder where names are looked up
 * (a RAT_WORKSPACES folder, or one named workspaces/), so that what
 * `rat workspace list` shows is what -w finds; NULL elsewhere (a workspace
 * reached by its path alone names itself).
 */
RAT_MUST_USE int rat_workspace__folder_name(char **out, const char *dir, const rat_env *env);
/** An environment variable as the workspace saw it at load; NULL when unset. Owned by ws. */
const char *rat_workspace__env(const rat_workspace *ws, const char *name);
/**
 * A variable the workspace's templates read with env_var(): RAT_VAR_* and
 * the names workspace.yaml lists in env_vars. *out receives its value
 * (owned by ws), NULL when unset; RAT_EINVALID, the message naming the
 * variable and why, for any other name, and always for the operator's
 * settings and credentials (rat_config__env_reserved()).
 */
RAT_MUST_USE int rat_workspace__allowed_env(const char **out, const rat_workspace *ws,
					    const char *name);
/** Where the secrets key is kept, from the workspace's environment (config.h; free() *out). */
RAT_MUST_USE int rat_workspace__secrets_key_path(char **out, const rat_workspace *ws);
/** Append "NAME=value" for each variable set that the workspace may read (above). */
RAT_MUST_USE int rat_workspace__allowed_environ(rat_strarray *out, const rat_workspace *ws);
/** RAT_NOW as the workspace saw it at load, in ms since the epoch; -1 when unset. */
int64_t rat_workspace__fixed_now_ms(const rat_workspace *ws);
/* NESSIE_URI (NULL: the catalog is RAT_HOME's) and RAT_TOKEN, as the workspace captured them. */
const char *rat_workspace__remote_uri(const rat_workspace *ws);
const char *rat_workspace__remote_token(const rat_workspace *ws);
/* 0; or, with NESSIE_URI, RAT_EINVALID saying that what (a task) is done on the server's machine. */
RAT_MUST_USE int rat_workspace__local_only(const rat_workspace *ws, const char *what);
/**
 * The workspace's read cache for remote data files, RAT_HOME/cache/<name>.
 * One per workspace: a session may read its cache folder, so a shared one
 * would let it read what another workspace downloaded. Owned by ws.
 */
const char *rat_workspace__cache_dir(const rat_workspace *ws);
/**
 * Whether key's namespace ("silver" of "silver.orders", or a namespace's own
 * key "silver") is a layer, and which into *out: false for a namespace made
 * beyond the layers. Nothing is copied, no error is set.
 */
bool rat_workspace__key_layer(rat_layer *out, const char *key);
/** Store options for the workspace's data: its S3 settings and read cache (borrowed from ws). */
void rat_workspace__store_options(const rat_workspace *ws, rat_store_options *out);

/**
 * An engine session with the workspace's resources applied (memory_limit
 * = min(duckdb_memory_mb, max_memory_mb), threads, the spill folder),
 * bound to nothing and not locked: for librat's own work.
 */
RAT_MUST_USE int rat_workspace__open_engine(rat_engine **out, const rat_workspace *ws);
/** Open (creating) the catalog of a RAT_HOME folder: <home>/catalog.db. For `rat init`. */
RAT_MUST_USE int rat_workspace__open_home_catalog(rat_catalog **out, const char *home);
/**
 * Open the catalog of the workspace's RAT_HOME, forking the workspace's
 * branch from main when it is missing. Commits through it are dated by the
 * workspace's clock. A catalog that does not exist is not created:
 * RAT_ENOTFOUND, the message saying where it looked (rat_workspace__no_catalog()).
 */
RAT_MUST_USE int rat_workspace__open_catalog(rat_catalog **out, const rat_workspace *ws);
/** As rat_workspace__open_catalog(), creating RAT_HOME and the catalog when missing: for runs. */
RAT_MUST_USE int rat_workspace__create_catalog(rat_catalog **out, const rat_workspace *ws);
/**
 * For reading: the catalog when it exists, else an empty one held in
 * memory (main and the workspace's branch, no tables), so that reading a
 * workspace with no state yet creates nothing on disk.
 */
RAT_MUST_USE int rat_workspace__read_catalog(rat_catalog **out, const rat_workspace *ws);
/**
 * Claim the workspace's identity in catalog (rat_catalog__claim(): its name,
 * branch, storage prefix and folder; move: record a changed one) and act as
 * the workspace from then on.
 */
RAT_MUST_USE int rat_workspace__claim(rat_catalog *catalog, const rat_workspace *ws, bool move);
/**
 * The workspace's identity claimed in its catalog (rat_workspace__claim()),
 * which must exist: what a name is trusted for (products' access rules)
 * needs it first.
 */
RAT_MUST_USE int rat_workspace__check_identity(const rat_workspace *ws);
/**
 * Claim the workspace's identity in the catalog, creating the catalog when
 * missing (as a run does): for writers of the workspace's own state outside
 * the catalog (its secrets). An error naming the other workspace when one
 * holds its name, folder, branch or prefix.
 */
RAT_MUST_USE int rat_workspace__claim_identity(const rat_workspace *ws);
/** Set RAT_ENOTFOUND "no catalog at <path>: ..." naming RAT_HOME and how it was found. */
RAT_MUST_USE int rat_workspace__no_catalog(const rat_workspace *ws);

/**
 * A layer's pipelines as rat_workspace_list_pipelines() names them (sorted), and
 * (stems, may be NULL) the file or folder name each is in, in the same
 * order: a decorated Python file's name may differ from its stem.
 */
RAT_MUST_USE int rat_workspace__list_pipeline_files(rat_strarray *names, rat_strarray *stems,
						    const rat_workspace *ws, rat_layer layer);

#endif
