/*
 * workspace/workspace.c - the public workspace API (rat/workspace.h):
 * locate, create, load, cache, list, and derive paths.
 *
 * A handle is immutable once loaded: settings are resolved at load time
 * (config/), so everything after is a lookup.
 */
#include "util/common.h"
#include "util/clock.h"
#include "util/fs.h"
#include "rat/catalog.h"
#include "rat/workspace.h"
#include "config/config.h"
#include "catalog/catalog.h"
#include "workspace/tables.h"
#include "workspace/workspace.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct rat_workspace {
	rat_workspace_config config;
	char *path;
	char *config_path;
	char *branch;
	char *s3_prefix;
	char *home;
	const char *home_origin; /* which rule found home (static text) */
	char *catalog_path;      /* <home>/catalog.db */
	char *warehouse;
	char *spill;
	char *cache;           /* RAT_HOME/cache/<name>: the read cache of remote files */
	rat_env env;           /* the environment as it was at load */
	rat_s3_settings s3;    /* from env and the warehouse */
	int64_t fixed_now_ms;  /* RAT_NOW; -1: the real clock */
};

static const char *const layer_names[RAT_LAYER_COUNT] = { "bronze", "silver", "gold" };

const char *rat_layer_name(rat_layer layer)
{
	return (unsigned)layer < RAT_LAYER_COUNT ? layer_names[layer] : NULL;
}

int rat_layer_parse(rat_layer *out, const char *name)
{
	int i;

	for (i = 0; i < RAT_LAYER_COUNT; i++) {
		if (name && strcmp(name, layer_names[i]) == 0) {
			*out = (rat_layer)i;
			return 0;
		}
	}
	return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
			      "unknown layer '%s' (bronze, silver, gold)", name ? name : "(null)");
}

bool rat_workspace__key_layer(rat_layer *out, const char *key)
{
	size_t n = strcspn(key, "."), i;

	for (i = 0; i < RAT_LAYER_COUNT; i++)
		if (strlen(layer_names[i]) == n && strncmp(key, layer_names[i], n) == 0) {
			*out = (rat_layer)i;
			return true;
		}
	return false;
}

/* "workspaces/x/workspace.yaml" when under the current folder, else absolute. */
static char *display_path(const char *path)
{
	char *cwd = rat_fs__cwd(), *out;
	size_t n;

	if (cwd && strcmp(cwd, "/") != 0 && (n = strlen(cwd)) && strncmp(path, cwd, n) == 0 &&
	    path[n] == '/')
		out = rat__strdup(path + n + 1);
	else
		out = rat__strdup(path);
	free(cwd);
	return out;
}

static bool holds_workspace(const char *dir)
{
	char *yaml = rat_fs__join(dir, "workspace.yaml");
	bool found = yaml && rat_fs__is_file(yaml);
	free(yaml);
	return found;
}

/* The workspace folder enclosing the current folder, or NULL. */
static char *enclosing_workspace(void)
{
	char *dir = rat_fs__cwd();

	while (dir) {
		if (holds_workspace(dir))
			return dir;
		if (strcmp(dir, "/") == 0)
			break;
		char *parent = rat_fs__dirname(dir);
		free(dir);
		dir = parent;
	}
	free(dir);
	return NULL;
}

static int not_found(const char *name, const rat_strarray *dirs)
{
	char looked[2048];

	return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_WORKSPACE,
			      "workspace '%s' not found (looked in %s; set RAT_WORKSPACES or create "
			      "it with `rat init %s`)",
			      name, rat_strarray__list(looked, sizeof(looked), dirs), name);
}

/* Resolve -w NAME|PATH (or the defaults) to the workspace's absolute folder. */
static int locate(char **out, const char *name_or_path, const rat_env *environment)
{
	rat_strarray dirs = RAT_STRARRAY_INIT;
	const char *env = rat_config__default_workspace(environment);
	char *abs = NULL;
	size_t i;
	int error = 0;

	*out = NULL;
	if (!name_or_path || !*name_or_path) {
		if (env && *env) {
			name_or_path = env;
		} else if ((*out = enclosing_workspace()) != NULL) {
			return 0;
		} else {
			name_or_path = "default";
		}
	}
	if ((abs = rat_fs__absolute(name_or_path)) == NULL)
		return RAT_ENOMEM;
	if (holds_workspace(abs)) {
		*out = abs;
		return 0;
	}
	if (strchr(name_or_path, '/') || name_or_path[0] == '.') {
		error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_WORKSPACE,
				       "%s: no workspace.yaml in this folder", abs);
		goto cleanup;
	}
	if (!rat_config__valid_workspace_name(name_or_path)) {
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
				       "invalid workspace name '%s' (letters, digits, '-' and '_')",
				       name_or_path);
		goto cleanup;
	}
	if ((error = rat_config__workspace_dirs(&dirs, environment)) != 0)
		goto cleanup;
	for (i = 0; i < dirs.count; i++) {
		char *candidate = rat_fs__join(dirs.strings[i], name_or_path);
		if (!candidate) {
			error = RAT_ENOMEM;
			goto cleanup;
		}
		if (holds_workspace(candidate)) {
			*out = candidate;
			goto cleanup;
		}
		free(candidate);
	}
	error = not_found(name_or_path, &dirs);
cleanup:
	free(abs);
	rat_strarray_free(&dirs);
	return error;
}

int rat_workspace__folder_name(char **out, const char *dir, const rat_env *env)
{
	rat_strarray dirs = RAT_STRARRAY_INIT;
	char *parent = rat_fs__dirname(dir), *parent_name = parent ? rat_fs__basename(parent) : NULL;
	bool looked_up;
	int error;

	*out = NULL;
	if (!parent || !parent_name) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = rat_config__workspace_dirs(&dirs, env)) != 0)
		goto cleanup;
	looked_up = strcmp(parent_name, "workspaces") == 0 || rat_strarray__contains(&dirs, parent);
	if (looked_up && (*out = rat_fs__basename(dir)) == NULL)
		error = RAT_ENOMEM;
cleanup:
	rat_strarray_free(&dirs);
	free(parent);
	free(parent_name);
	return error;
}

/* Paths and settings that follow from the folder and the environment. */
static int resolve_environment(rat_workspace *ws)
{
	int error;

	if ((error = rat_config__fixed_now(&ws->fixed_now_ms, &ws->env)) != 0)
		return error;
	if ((ws->home = rat_config__home(&ws->env, ws->path, &ws->home_origin)) == NULL ||
	    (ws->catalog_path = rat_fs__join(ws->home, "catalog.db")) == NULL ||
	    (ws->warehouse = rat_config__warehouse(&ws->env, ws->home)) == NULL)
		return RAT_ENOMEM;
	rat_config__s3_settings(&ws->s3, &ws->env, rat__str_has_prefix(ws->warehouse, "s3://"));
	return 0;
}

int rat_workspace__load(rat_workspace **out, const char *dir, rat_env *env)
{
	rat_workspace *ws = NULL;
	char *display = NULL, *folder_name = NULL;
	int error;

	*out = NULL;
	if ((ws = rat__calloc(1, sizeof(*ws))) == NULL)
		return RAT_ENOMEM;
	ws->env = *env;
	memset(env, 0, sizeof(*env));
	if ((ws->path = rat__strdup(dir)) == NULL ||
	    (ws->config_path = rat_fs__join(dir, "workspace.yaml")) == NULL ||
	    (display = display_path(ws->config_path)) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = resolve_environment(ws)) != 0 ||
	    (error = rat_workspace__folder_name(&folder_name, ws->path, &ws->env)) != 0 ||
	    (error = rat_config__load_workspace(&ws->config, ws->config_path, display, ws->path,
						ws->home, folder_name, &ws->env)) != 0)
		goto cleanup;
	if ((error = rat_config__resolve_branch(&ws->branch, ws->config.branch_spec,
						ws->config.name, ws->path, &ws->env)) != 0) {
		rat_error__prefix("%s", display);
		goto cleanup;
	}
	ws->s3_prefix = rat__strdup(ws->config.s3_prefix ? ws->config.s3_prefix : ws->config.name);
	ws->spill = rat__sprintf("%s/tmp/%s", ws->home, ws->config.name);
	/* one read cache per workspace: a session may read its cache folder, so a
	 * shared one would let it read what another workspace downloaded */
	ws->cache = rat__sprintf("%s/cache/%s", ws->home, ws->config.name);
	if (!ws->s3_prefix || !ws->spill || !ws->cache) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	*out = ws;
	ws = NULL;
cleanup:
	free(display);
	free(folder_name);
	rat_workspace_free(ws);
	return error;
}

int rat_workspace_open(rat_workspace **out, const char *name_or_path)
{
	rat_env env = RAT_ENV_INIT;
	char *dir = NULL;
	int error;

	*out = NULL;
	if ((error = rat_config__env_capture(&env)) == 0 &&
	    (error = locate(&dir, name_or_path, &env)) == 0)
		error = rat_workspace__load(out, dir, &env);
	rat_config__env_free(&env);
	free(dir);
	return error;
}

void rat_workspace_free(rat_workspace *ws)
{
	if (!ws)
		return;
	rat_config__free_workspace(&ws->config);
	free(ws->path);
	free(ws->config_path);
	free(ws->branch);
	free(ws->s3_prefix);
	free(ws->home);
	free(ws->catalog_path);
	free(ws->warehouse);
	free(ws->spill);
	free(ws->cache);
	rat_config__env_free(&ws->env);
	free(ws);
}

/*
 * The cache: workspaces by folder, for programs that ask for the same
 * workspace many times (the guide's get_workspace()).
 */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static rat_workspace **cache;
static size_t cache_count, cache_capacity;

int rat_workspace_get(const rat_workspace **out, const char *name_or_path)
{
	rat_env env = RAT_ENV_INIT;
	rat_workspace *ws = NULL;
	char *dir = NULL;
	size_t i;
	int error;

	*out = NULL;
	if ((error = rat_config__env_capture(&env)) != 0 ||
	    (error = locate(&dir, name_or_path, &env)) != 0) {
		rat_config__env_free(&env);
		return error;
	}
	pthread_mutex_lock(&cache_lock);
	for (i = 0; i < cache_count; i++) {
		if (strcmp(cache[i]->path, dir) == 0) {
			*out = cache[i];
			goto cleanup;
		}
	}
	if ((error = rat_workspace__load(&ws, dir, &env)) != 0 ||
	    (error = rat__grow((void **)&cache, &cache_capacity, cache_count, sizeof(*cache))) != 0)
		goto cleanup;
	cache[cache_count++] = ws;
	*out = ws;
	ws = NULL;
cleanup:
	pthread_mutex_unlock(&cache_lock);
	rat_workspace_free(ws);
	rat_config__env_free(&env);
	free(dir);
	return error;
}

void rat_workspace_cache_clear(void)
{
	size_t i;

	pthread_mutex_lock(&cache_lock);
	for (i = 0; i < cache_count; i++)
		rat_workspace_free(cache[i]);
	free(cache);
	cache = NULL;
	cache_count = cache_capacity = 0;
	pthread_mutex_unlock(&cache_lock);
}

int rat_workspace_list(rat_strarray *out)
{
	rat_strarray dirs = RAT_STRARRAY_INIT, found = RAT_STRARRAY_INIT;
	rat_env env = RAT_ENV_INIT;
	size_t i, j;
	int error;

	if ((error = rat_config__env_capture(&env)) != 0 ||
	    (error = rat_config__workspace_dirs(&dirs, &env)) != 0)
		goto cleanup;
	for (i = 0; i < dirs.count; i++) {
		rat_strarray entries = RAT_STRARRAY_INIT;
		if (rat_fs__list_dir(&entries, dirs.strings[i]) != 0) {
			rat_error_clear(); /* a missing folder holds no workspaces */
			continue;
		}
		for (j = 0; !error && j < entries.count; j++) {
			char *dir = rat_fs__join(dirs.strings[i], entries.strings[j]);
			if (!dir)
				error = RAT_ENOMEM;
			else if (entries.strings[j][0] != '.' && holds_workspace(dir) &&
				 !rat_strarray__contains(&found, dir))
				error = rat_strarray__push(&found, dir);
			free(dir);
		}
		rat_strarray_free(&entries);
		if (error)
			goto cleanup;
	}
	rat_strarray__hand_over(out, &found);
cleanup:
	rat_strarray_free(&found);
	rat_strarray_free(&dirs);
	rat_config__env_free(&env);
	return error;
}

const char *rat_workspace_name(const rat_workspace *ws) { return ws->config.name; }
const char *rat_workspace_path(const rat_workspace *ws) { return ws->path; }
const char *rat_workspace_config_path(const rat_workspace *ws) { return ws->config_path; }
const char *rat_workspace_description(const rat_workspace *ws) { return ws->config.description; }
const char *rat_workspace_version(const rat_workspace *ws) { return ws->config.version; }
const char *rat_workspace_branch(const rat_workspace *ws) { return ws->branch; }
const char *rat_workspace_s3_prefix(const rat_workspace *ws) { return ws->s3_prefix; }
const char *rat_workspace_home(const rat_workspace *ws) { return ws->home; }
const char *rat_workspace_home_origin(const rat_workspace *ws) { return ws->home_origin; }
const char *rat_workspace_catalog_path(const rat_workspace *ws) { return ws->catalog_path; }

int rat_workspace_catalog_exists(const rat_workspace *ws)
{
	return rat_workspace__remote_uri(ws) || rat_fs__is_file(ws->catalog_path);
}

const char *rat_workspace__remote_uri(const rat_workspace *ws)
{
	return rat_config__catalog_uri(&ws->env);
}

const char *rat_workspace_catalog_server(const rat_workspace *ws)
{
	return rat_workspace__remote_uri(ws);
}

const char *rat_workspace__remote_token(const rat_workspace *ws)
{
	return rat_config__catalog_token(&ws->env);
}

void rat_workspace_s3(const rat_workspace *ws, rat_s3_info *out)
{
	bool s3 = rat__str_has_prefix(ws->warehouse, "s3://");

	out->endpoint = s3 ? ws->s3.endpoint : "";
	out->region = !s3 ? "" : ws->s3.region ? ws->s3.region : "us-east-1";
	out->access_key = s3 && ws->s3.access_key ? ws->s3.access_key : "";
	out->origin = s3 ? ws->s3.origin : "";
}
const char *rat_workspace_warehouse(const rat_workspace *ws) { return ws->warehouse; }
const char *rat_workspace_spill_dir(const rat_workspace *ws) { return ws->spill; }

const char *rat_workspace_branch_spec(const rat_workspace *ws)
{
	return ws->config.branch_spec ? ws->config.branch_spec : "";
}

void rat_workspace_resources(const rat_workspace *ws, rat_resources *out)
{
	const int64_t *r = ws->config.resources;

	out->profile = ws->config.profile.name;
	out->profile_source = ws->config.profile.source;
	out->max_memory_mb = r[RAT_RES_MAX_MEMORY_MB];
	out->duckdb_memory_mb = r[RAT_RES_DUCKDB_MEMORY_MB];
	out->engine_memory_mb = r[RAT_RES_DUCKDB_MEMORY_MB] < r[RAT_RES_MAX_MEMORY_MB]
					? r[RAT_RES_DUCKDB_MEMORY_MB]
					: r[RAT_RES_MAX_MEMORY_MB];
	out->chunk_size_rows = r[RAT_RES_CHUNK_SIZE_ROWS];
	out->max_parallel_pipelines = r[RAT_RES_MAX_PARALLEL_PIPELINES];
	out->threads = r[RAT_RES_THREADS];
	out->overridden = ws->config.overridden;
	out->profile_ignored = ws->config.profile.ignored;
}

void rat_workspace_layer(const rat_workspace *ws, rat_layer layer, rat_layer_settings *out)
{
	const rat_layer_config *config = &ws->config.layers[(unsigned)layer < RAT_LAYER_COUNT ? layer : 0];

	out->retention_days = config->retention_days;
	out->partition_by = (const char *const *)config->partition_by.strings;
	out->partition_by_count = config->partition_by.count;
	out->retention_column = config->retention_column ? config->retention_column : "";
}

size_t rat_workspace_product_count(const rat_workspace *ws)
{
	return ws->config.product_count;
}

const rat_product_config *rat_workspace_product(const rat_workspace *ws, size_t i)
{
	return i < ws->config.product_count ? &ws->config.products[i] : NULL;
}

size_t rat_workspace_subscription_count(const rat_workspace *ws)
{
	return ws->config.subscription_count;
}

const rat_subscription_config *rat_workspace_subscription(const rat_workspace *ws, size_t i)
{
	return i < ws->config.subscription_count ? &ws->config.subscriptions[i] : NULL;
}

int rat_workspace_storage_path(char **out, const rat_workspace *ws, const char *layer,
			       const char *table)
{
	rat_layer parsed;

	*out = NULL;
	/* a layer, or a namespace made beyond them (namespaces.c) */
	if (!layer || ((strchr(layer, '.') || !rat_workspace__key_layer(&parsed, layer)) &&
		       rat_workspace__namespace_name(layer) != 0))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
				      "'%.80s' is neither a layer (bronze, silver, gold) nor a "
				      "namespace name",
				      layer ? layer : "");
	if (table && !rat_config__valid_identifier(table))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "invalid table name '%s' (letters, digits and '_', not "
				      "starting with a digit)",
				      table);
	*out = table ? rat__sprintf("%s/%s/%s/%s/", ws->warehouse, ws->s3_prefix, layer, table)
		     : rat__sprintf("%s/%s/%s/", ws->warehouse, ws->s3_prefix, layer);
	return *out ? 0 : RAT_ENOMEM;
}

/*
 * What other folders need of a handle beyond the public accessors
 * (workspace.h).
 */
const char *rat_workspace__env(const rat_workspace *ws, const char *name)
{
	return rat_config__env_get(&ws->env, name);
}

/* Whether the workspace may read name: RAT_VAR_* or listed in env_vars, and not reserved. */
static bool env_allowed(const rat_workspace *ws, const char *name)
{
	size_t i;

	if (rat_config__env_reserved(name))
		return false;
	if (rat__str_has_prefix(name, RAT_ENV_VAR_PREFIX))
		return true;
	for (i = 0; i < ws->config.env_vars.count; i++)
		if (strcmp(ws->config.env_vars.strings[i], name) == 0)
			return true;
	return false;
}

int rat_workspace__allowed_env(const char **out, const rat_workspace *ws, const char *name)
{
	const char *why = rat_config__env_reserved(name);

	*out = NULL;
	if (why)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
				      "environment variable '%.128s' is %s: a workspace never "
				      "reads it (a pipeline's own credential goes in the "
				      "workspace's secrets: rat secret set -w %s NAME)",
				      name, why, ws->config.name);
	if (!env_allowed(ws, name))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
				      "environment variable '%.128s' is not allowed for workspace "
				      "'%s' (a workspace reads RAT_VAR_* and the names its "
				      "workspace.yaml lists in env_vars)",
				      name, ws->config.name);
	*out = rat_config__env_get(&ws->env, name);
	return 0;
}

int rat_workspace__allowed_environ(rat_strarray *out, const rat_workspace *ws)
{
	size_t i;
	int error = 0;

	for (i = 0; !error && i < ws->env.vars.count; i++) {
		const char *v = ws->env.vars.strings[i];
		char *name = rat__strndup(v, strcspn(v, "="));
		if (!name)
			return RAT_ENOMEM;
		if (env_allowed(ws, name))
			error = rat_strarray__push(out, v);
		free(name);
	}
	return error;
}

int rat_workspace__secrets_key_path(char **out, const rat_workspace *ws)
{
	return rat_config__secrets_key_path(out, &ws->env);
}

const rat_alert_config *rat_workspace__alerts(const rat_workspace *ws, size_t *count)
{
	*count = ws->config.alert_count;
	return ws->config.alerts;
}

int64_t rat_workspace__keep_failed_days(const rat_workspace *ws)
{
	return ws->config.keep_failed_days;
}

int64_t rat_workspace_run_retention_days(const rat_workspace *ws)
{
	return ws->config.run_retention_days;
}

const rat_workspace_defaults *rat_workspace__defaults(const rat_workspace *ws)
{
	return &ws->config.defaults;
}

int64_t rat_workspace__fixed_now_ms(const rat_workspace *ws)
{
	return ws->fixed_now_ms;
}

int64_t rat_workspace_now_ms(const rat_workspace *ws)
{
	return ws->fixed_now_ms >= 0 ? ws->fixed_now_ms : rat_clock__real_ms();
}

const char *rat_workspace__cache_dir(const rat_workspace *ws)
{
	return ws->cache;
}

void rat_workspace__store_options(const rat_workspace *ws, rat_store_options *out)
{
	rat_store_options defaults = RAT_STORE_OPTIONS_INIT;

	*out = defaults;
	out->endpoint = ws->s3.endpoint;
	out->region = ws->s3.region;
	out->access_key = ws->s3.access_key;
	out->secret_key = ws->s3.secret_key;
	out->cache_dir = ws->cache;
}
