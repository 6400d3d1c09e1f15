/*
 * workspace/tables.c - a workspace's tables on catalog branches (see tables.h).
 */
#include "util/common.h"
#include "util/fs.h"
#include "config/config.h"
#include "engine/session.h"
#include "table/scan.h"
#include "workspace/tables.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rat_workspace__open_catalog(rat_catalog **out, const rat_workspace *ws)
{
	char *path = rat_fs__join(rat_workspace_home(ws), "catalog.db");
	int error;

	if (!path)
		return RAT_ENOMEM;
	if ((error = rat_fs__mkdir_p(rat_workspace_home(ws))) == 0)
		error = rat_catalog__open_embedded(out, path);
	free(path);
	return error;
}

/* "layer.table" -> the table's location (no trailing '/'); validates both parts. */
static int table_location(char **out, const rat_workspace *ws, const char *key)
{
	const char *dot = key ? strchr(key, '.') : NULL;
	char layer[16];
	size_t n;
	int error;

	*out = NULL;
	if (!dot || (size_t)(dot - key) >= sizeof(layer))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
				      "'%s' is not a table name (layer.table)", key ? key : "(null)");
	memcpy(layer, key, (size_t)(dot - key));
	layer[dot - key] = '\0';
	if ((error = rat_workspace_storage_path(out, ws, layer, dot + 1)) != 0)
		return error;
	n = strlen(*out);
	if (n > 1 && (*out)[n - 1] == '/')
		(*out)[n - 1] = '\0';
	return 0;
}

static char *cache_dir(const rat_workspace *ws)
{
	return rat_fs__join(rat_workspace_home(ws), "cache");
}

int rat_workspace__table_store(rat_store **out, const rat_workspace *ws, const char *key)
{
	rat_store_options opts = RAT_STORE_OPTIONS_INIT;
	char *location = NULL, *cache = cache_dir(ws);
	int error;

	*out = NULL;
	if (!cache)
		return RAT_ENOMEM;
	opts.cache_dir = cache;
	if ((error = table_location(&location, ws, key)) == 0 &&
	    (location[0] != '/' || (error = rat_fs__mkdir_p(location)) == 0))
		error = rat_store__open(out, location, &opts);
	free(location);
	free(cache);
	return error;
}

/* The key under the table root of a recorded metadata location; NULL if it is not under it. */
static const char *metadata_key(const char *metadata_location, const char *location)
{
	size_t n = strlen(location);

	if (strncmp(metadata_location, location, n) != 0 || metadata_location[n] != '/')
		return NULL;
	return metadata_location + n + 1;
}

int rat_workspace__write_table(rat_write_result *out, const rat_workspace *ws, rat_catalog *catalog,
			       rat_engine *engine, const char *branch, const char *key,
			       const char *select_sql, const rat_write_options *base,
			       const char *author)
{
	rat_write_options opts = RAT_WRITE_OPTIONS_INIT;
	char head[RAT_HASH_LEN + 1], hash[RAT_HASH_LEN + 1];
	char *location = NULL, *scratch = NULL, *metadata = NULL, *message = NULL;
	rat_contents contents = { NULL, 0 };
	rat_store *store = NULL;
	const rat_catalog_entry *current;
	int error;

	memset(out, 0, sizeof(*out));
	if (base)
		opts = *base;
	if ((error = rat_catalog__resolve(catalog, branch, head)) != 0 ||
	    (error = rat_catalog__contents(catalog, head, &contents)) != 0 ||
	    (error = table_location(&location, ws, key)) != 0 ||
	    (error = rat_workspace__table_store(&store, ws, key)) != 0)
		goto cleanup;
	current = rat_catalog__find(&contents, key);
	opts.catalog_managed = true;
	opts.location = location;
	opts.base_metadata = current ? metadata_key(current->state.metadata_location, location) : NULL;
	if (current && !opts.base_metadata) {
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
				       "%s on %s lives at %s, outside the workspace's storage %s", key,
				       branch, current->state.metadata_location, location);
		goto cleanup;
	}
	if (!opts.scratch_dir) {
		scratch = rat__sprintf("%s/tmp/%s", rat_workspace_home(ws), rat_workspace_name(ws));
		if (!scratch) {
			error = RAT_ENOMEM;
			goto cleanup;
		}
		opts.scratch_dir = scratch;
	}
	if ((error = rat_table__write(out, store, engine, select_sql, &opts)) != 0 ||
	    !out->metadata_key[0])
		goto cleanup; /* failed, or nothing to change */
	{
		rat_table_state state;
		rat_catalog_op op = { RAT_OP_PUT, key, &state };
		rat_commit_request request = { branch, head, &op, 1, author ? author : "ratatouille",
					       NULL, NULL, 0 };
		metadata = rat__sprintf("%s/%s", location, out->metadata_key);
		message = rat__sprintf("write %s", key);
		if (!metadata || !message) {
			error = RAT_ENOMEM;
			goto cleanup;
		}
		state.metadata_location = metadata;
		state.snapshot_id = out->snapshot_id ? out->snapshot_id : -1;
		state.schema_id = out->schema_id;
		state.spec_id = out->spec_id;
		state.content_id = out->table_uuid;
		request.message = message;
		error = rat_catalog__commit(catalog, &request, hash);
	}
cleanup:
	rat_catalog__contents_free(&contents);
	rat_store__free(store);
	free(location);
	free(scratch);
	free(metadata);
	free(message);
	return error;
}

static int bind_table(rat_engine *engine, const rat_workspace *ws, const rat_catalog_entry *c)
{
	rat_scan_options opts = RAT_SCAN_OPTIONS_INIT;
	rat_store *store = NULL;
	rat_scan scan;
	rat_buf sql = RAT_BUF_INIT;
	char *location = NULL, layer[16], *recorded = NULL, *slash;
	const char *dot = strchr(c->key, '.');
	bool planned = false;
	int error;

	if ((error = table_location(&location, ws, c->key)) != 0 ||
	    (error = rat_workspace__table_store(&store, ws, c->key)) != 0)
		goto cleanup;
	/* the table may have been written elsewhere (another warehouse root): relocate */
	if ((recorded = rat__strdup(c->state.metadata_location)) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((slash = strstr(recorded, "/metadata/")) == NULL) {
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
				       "%s: recorded metadata %s is not under a metadata/ folder", c->key,
				       c->state.metadata_location);
		goto cleanup;
	}
	*slash = '\0';
	opts.relocate_from = recorded;
	opts.metadata_key = slash + 1;
	if ((error = rat_table__plan(&scan, store, &opts)) != 0)
		goto cleanup;
	planned = true;
	memcpy(layer, c->key, (size_t)(dot - c->key));
	layer[dot - c->key] = '\0';
	if ((error = rat_table__scan_sql(&scan, store, &sql)) == 0)
		error = rat_engine__bind_view(engine, layer, dot + 1, rat_buf_cstr(&sql));
cleanup:
	if (error)
		rat_error__prefix("%s", c->key);
	if (planned)
		rat_table__scan_free(&scan);
	rat_store__free(store);
	rat_buf_free(&sql);
	free(location);
	free(recorded);
	return error;
}

/* The folders a locked session may read: the workspace's tables, the read cache, its spill folder. */
static int allowed_folders(rat_strarray *out, const rat_workspace *ws)
{
	char *tables = NULL, *cache = cache_dir(ws), *spill;
	int error;

	spill = rat__sprintf("%s/tmp/%s", rat_workspace_home(ws), rat_workspace_name(ws));
	if (!cache || !spill) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = rat_strarray__push(out, cache)) != 0 || (error = rat_strarray__push(out, spill)) != 0)
		goto cleanup;
	if (rat_workspace_warehouse(ws)[0] == '/') {
		tables = rat__sprintf("%s/%s", rat_workspace_warehouse(ws), rat_workspace_s3_prefix(ws));
		error = tables ? rat_strarray__push(out, tables) : RAT_ENOMEM;
	}
cleanup:
	free(tables);
	free(cache);
	free(spill);
	return error;
}

int rat_workspace__bind(rat_engine *engine, const rat_workspace *ws, rat_catalog *catalog,
			const char *ref, bool lock)
{
	rat_contents contents = { NULL, 0 };
	rat_strarray allowed = RAT_STRARRAY_INIT;
	size_t i;
	int error;

	if ((error = rat_catalog__contents(catalog, ref, &contents)) != 0)
		goto cleanup;
	for (i = 0; !error && i < contents.count; i++)
		error = bind_table(engine, ws, &contents.items[i]);
	if (!error && lock && (error = allowed_folders(&allowed, ws)) == 0)
		error = rat_engine__lock(engine, &allowed);
cleanup:
	rat_catalog__contents_free(&contents);
	rat_strarray_free(&allowed);
	return error;
}

int rat_engine_open_at(rat_engine **out, const rat_workspace *ws, const char *ref)
{
	rat_catalog *catalog = NULL;
	rat_engine *engine = NULL;
	int error;

	*out = NULL;
	if ((error = rat_engine_open(&engine, ws)) != 0 ||
	    (error = rat_workspace__open_catalog(&catalog, ws)) != 0 ||
	    (error = rat_workspace__bind(engine, ws, catalog, ref ? ref : rat_workspace_branch(ws),
					 true)) != 0) {
		rat_engine_free(engine);
		rat_catalog__free(catalog);
		return error;
	}
	rat_catalog__free(catalog);
	*out = engine;
	return 0;
}
