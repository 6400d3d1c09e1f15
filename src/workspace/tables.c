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

int rat_workspace__open_home_catalog(rat_catalog **out, const char *home)
{
	char *path = rat_fs__join(home, "catalog.db");
	int error;

	if (!path)
		return RAT_ENOMEM;
	if ((error = rat_fs__mkdir_p(home)) == 0)
		error = rat_catalog__open_embedded(out, path);
	free(path);
	return error;
}

int rat_workspace__open_catalog(rat_catalog **out, const rat_workspace *ws)
{
	const char *branch = rat_workspace_branch(ws);
	char hash[RAT_HASH_LEN + 1];
	int error;

	if ((error = rat_workspace__open_home_catalog(out, rat_workspace_home(ws))) != 0)
		return error;
	/*
	 * A workspace whose branch is not there yet (a folder cloned from Git, a
	 * `git:` branch name after a checkout, a deleted branch) forks it from
	 * main on first use, as `rat init` does.
	 */
	if ((error = rat_catalog__resolve(*out, branch, hash)) == RAT_ENOTFOUND) {
		rat_error_clear();
		error = rat_catalog__create_ref(*out, branch, RAT_REF_BRANCH, "main");
		if (error == RAT_EEXISTS) { /* another process forked it meanwhile */
			rat_error_clear();
			error = 0;
		}
		if (error)
			rat_error__prefix("forking %s's branch %s from main",
					  rat_workspace_name(ws), branch);
	}
	if (error) {
		rat_catalog__free(*out);
		*out = NULL;
	}
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
	char *location = NULL, *metadata = NULL, *message = NULL;
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
	if (!opts.scratch_dir)
		opts.scratch_dir = rat_workspace_spill_dir(ws);
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
	free(metadata);
	free(message);
	return error;
}

/* Plan the version of a table a catalog entry records (relocating when it was written elsewhere). */
static int plan_entry(rat_scan *scan, rat_store **store, const rat_workspace *ws,
		      const rat_catalog_entry *c)
{
	rat_scan_options opts = RAT_SCAN_OPTIONS_INIT;
	char *recorded = NULL, *slash;
	int error;

	*store = NULL;
	memset(scan, 0, sizeof(*scan));
	if ((error = rat_workspace__table_store(store, ws, c->key)) != 0)
		goto cleanup;
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
	error = rat_table__plan(scan, *store, &opts);
cleanup:
	if (error) {
		rat_error__prefix("%s", c->key);
		rat_store__free(*store);
		*store = NULL;
	}
	free(recorded);
	return error;
}

static int bind_table(rat_engine *engine, const rat_workspace *ws, const rat_catalog_entry *c)
{
	rat_store *store = NULL;
	rat_scan scan;
	rat_buf sql = RAT_BUF_INIT;
	const char *dot = strchr(c->key, '.');
	char layer[16];
	int error;

	if ((error = plan_entry(&scan, &store, ws, c)) != 0)
		return error;
	memcpy(layer, c->key, (size_t)(dot - c->key));
	layer[dot - c->key] = '\0';
	if ((error = rat_table__scan_sql(&scan, store, &sql)) == 0)
		error = rat_engine__bind_view(engine, layer, dot + 1, rat_buf_cstr(&sql));
	if (error)
		rat_error__prefix("%s", c->key);
	rat_table__scan_free(&scan);
	rat_store__free(store);
	rat_buf_free(&sql);
	return error;
}

/*
 * The workspace's landing folder, <workspace>/landing, if there is one. A
 * locked session may read (and write) under it, so it must hold real files
 * only: DuckDB follows links, and a link would reach past the lock.
 */
static int landing_folder(char **out, const rat_workspace *ws)
{
	char *landing = rat_fs__join(rat_workspace_path(ws), "landing"), *link = NULL;
	int error;

	*out = NULL;
	if (!landing)
		return RAT_ENOMEM;
	if ((error = rat_fs__find_symlink(&link, landing)) == 0 && link)
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
				       "%s is a symbolic link: a workspace's landing folder must "
				       "hold real files and folders only (move or copy the data in)",
				       link);
	if (!error && rat_fs__is_dir(landing)) {
		*out = landing;
		landing = NULL;
	}
	free(link);
	free(landing);
	return error;
}

/*
 * The folders a locked session may reach: the workspace's tables, its
 * landing folder, the read cache and its spill folder.
 */
static int allowed_folders(rat_strarray *out, const rat_workspace *ws)
{
	char *tables = NULL, *landing = NULL, *cache = cache_dir(ws);
	int error;

	if (!cache)
		return RAT_ENOMEM;
	if ((error = rat_strarray__push(out, cache)) != 0 ||
	    (error = rat_strarray__push(out, rat_workspace_spill_dir(ws))) != 0 ||
	    (error = landing_folder(&landing, ws)) != 0 ||
	    (landing && (error = rat_strarray__push(out, landing)) != 0))
		goto cleanup;
	if (rat_workspace_warehouse(ws)[0] == '/') {
		tables = rat__sprintf("%s/%s", rat_workspace_warehouse(ws), rat_workspace_s3_prefix(ws));
		error = tables ? rat_strarray__push(out, tables) : RAT_ENOMEM;
	}
cleanup:
	free(landing);
	free(tables);
	free(cache);
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

/* Table information (public rat/table.h) */

static char *describe_partitioning(const rat_scan *scan)
{
	const rat_table_spec *spec = rat_table__spec(&scan->meta, scan->meta.default_spec_id);
	rat_buf out = RAT_BUF_INIT;
	size_t i;
	int error = 0;

	for (i = 0; !error && spec && i < spec->field_count; i++) {
		const rat_table_field *f = rat_table__field(scan->schema, spec->fields[i].source_id);
		const char *name = f ? f->name : spec->fields[i].name;
		if (strcmp(spec->fields[i].transform, "identity") == 0)
			error = rat_buf_printf(&out, "%s%s", i ? ", " : "", name);
		else
			error = rat_buf_printf(&out, "%s%s(%s)", i ? ", " : "", spec->fields[i].transform, name);
	}
	if (error) {
		rat_buf_free(&out);
		return NULL;
	}
	return rat_buf_detach(&out);
}

/* "name TYPE" for each column, into info. */
static int describe_columns(rat_table_info *info, const rat_table_schema *schema)
{
	size_t i;
	int error = 0;

	if ((info->columns = rat__calloc(schema->field_count + 1, sizeof(char *))) == NULL)
		return RAT_ENOMEM;
	for (i = 0; !error && i < schema->field_count; i++) {
		rat_buf col = RAT_BUF_INIT;
		if ((error = rat_buf_printf(&col, "%s ", schema->fields[i].name)) == 0 &&
		    (error = rat_table__duckdb_type(&col, schema->fields[i].type_json)) == 0) {
			info->columns[i] = rat_buf_detach(&col);
			info->column_count = i + 1;
			error = info->columns[i] ? 0 : RAT_ENOMEM;
		}
		rat_buf_free(&col);
	}
	return error;
}

static int fill_info(rat_table_info *info, const rat_workspace *ws, const rat_catalog_entry *c)
{
	rat_store *store = NULL;
	rat_scan scan;
	char *location = NULL;
	size_t i;
	int error;

	if ((error = plan_entry(&scan, &store, ws, c)) != 0)
		return error;
	if ((error = table_location(&location, ws, c->key)) != 0)
		goto cleanup;
	info->key = rat__strdup(c->key);
	info->location = location;
	location = NULL;
	info->metadata_location = rat__strdup(c->state.metadata_location);
	info->snapshot_id = scan.snapshot ? scan.snapshot->snapshot_id : -1;
	info->updated_ms = scan.snapshot ? scan.snapshot->timestamp_ms : 0;
	info->data_files = (int64_t)scan.data.count;
	for (i = 0; i < scan.data.count; i++) {
		info->rows += scan.data.items[i].record_count;
		info->bytes += scan.data.items[i].file_size;
	}
	info->partitioning = describe_partitioning(&scan);
	if (!info->key || !info->metadata_location || !info->partitioning)
		error = RAT_ENOMEM;
	if (!error)
		error = describe_columns(info, scan.schema);
cleanup:
	free(location);
	rat_table__scan_free(&scan);
	rat_store__free(store);
	return error;
}

int rat_table_list_get(rat_table_list *out, const rat_workspace *ws, const char *ref, const char *key)
{
	rat_catalog *catalog = NULL;
	rat_contents contents = { NULL, 0 };
	size_t i;
	int error;

	memset(out, 0, sizeof(*out));
	if ((error = rat_workspace__open_catalog(&catalog, ws)) != 0 ||
	    (error = rat_catalog__contents(catalog, ref ? ref : rat_workspace_branch(ws), &contents)) != 0)
		goto cleanup;
	if (key && !rat_catalog__find(&contents, key)) {
		error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_WORKSPACE, "no table %s on %s", key,
				       ref ? ref : rat_workspace_branch(ws));
		goto cleanup;
	}
	if ((out->items = rat__calloc(contents.count + 1, sizeof(*out->items))) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	for (i = 0; !error && i < contents.count; i++) {
		if (key && strcmp(contents.items[i].key, key) != 0)
			continue;
		error = fill_info(&out->items[out->count++], ws, &contents.items[i]);
	}
cleanup:
	if (error)
		rat_table_list_free(out);
	rat_catalog__contents_free(&contents);
	rat_catalog__free(catalog);
	return error;
}

void rat_table_list_free(rat_table_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->count; i++) {
		free((char *)list->items[i].key);
		free((char *)list->items[i].location);
		free((char *)list->items[i].metadata_location);
		free((char *)list->items[i].partitioning);
		for (size_t j = 0; j < list->items[i].column_count; j++)
			free((char *)list->items[i].columns[j]);
		free((void *)list->items[i].columns);
	}
	free(list->items);
	memset(list, 0, sizeof(*list));
}

static int64_t summary_count(json_t *summary, const char *key)
{
	const char *text = json_string_value(json_object_get(summary, key));
	return text ? strtoll(text, NULL, 10) : -1;
}

int rat_table_history_get(rat_history *out, const rat_workspace *ws, const char *ref, const char *key)
{
	rat_catalog *catalog = NULL;
	rat_contents contents = { NULL, 0 };
	const rat_catalog_entry *entry;
	rat_store *store = NULL;
	rat_scan scan;
	bool planned = false;
	int64_t id;
	int error;

	memset(out, 0, sizeof(*out));
	if ((error = rat_workspace__open_catalog(&catalog, ws)) != 0 ||
	    (error = rat_catalog__contents(catalog, ref ? ref : rat_workspace_branch(ws), &contents)) != 0)
		goto cleanup;
	if ((entry = rat_catalog__find(&contents, key ? key : "")) == NULL) {
		error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_WORKSPACE, "no table %s on %s",
				       key ? key : "(null)", ref ? ref : rat_workspace_branch(ws));
		goto cleanup;
	}
	if ((error = plan_entry(&scan, &store, ws, entry)) != 0)
		goto cleanup;
	planned = true;
	if ((out->items = rat__calloc(scan.meta.snapshot_count + 1, sizeof(*out->items))) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	/* the current snapshot and its ancestors: this branch's history of the table */
	for (id = scan.snapshot ? scan.snapshot->snapshot_id : -1; !error && id >= 0;) {
		const rat_table_snapshot *s = rat_table__snapshot(&scan.meta, id);
		rat_snapshot_info *info;
		if (!s || out->count >= scan.meta.snapshot_count)
			break;
		info = &out->items[out->count++];
		info->snapshot_id = s->snapshot_id;
		info->parent_id = s->parent_id;
		info->time_ms = s->timestamp_ms;
		info->schema_id = s->schema_id;
		info->added_rows = summary_count(s->summary, "added-records");
		info->deleted_rows = summary_count(s->summary, "deleted-records");
		info->total_rows = summary_count(s->summary, "total-records");
		if ((info->operation = rat__strdup(s->operation)) == NULL)
			error = RAT_ENOMEM;
		id = s->parent_id;
	}
cleanup:
	if (error)
		rat_history_free(out);
	if (planned)
		rat_table__scan_free(&scan);
	rat_store__free(store);
	rat_catalog__contents_free(&contents);
	rat_catalog__free(catalog);
	return error;
}

void rat_history_free(rat_history *history)
{
	size_t i;

	if (!history)
		return;
	for (i = 0; i < history->count; i++)
		free((char *)history->items[i].operation);
	free(history->items);
	memset(history, 0, sizeof(*history));
}

int rat_engine_open(rat_engine **out, const rat_workspace *ws)
{
	return rat_engine_open_at(out, ws, NULL);
}

int rat_engine_open_at(rat_engine **out, const rat_workspace *ws, const char *ref)
{
	rat_catalog *catalog = NULL;
	rat_engine *engine = NULL;
	int error;

	*out = NULL;
	if ((error = rat_engine__open(&engine, ws)) != 0 ||
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
