/*
 * workspace/info.c - what a workspace's tables are at a ref (rat/table.h):
 * location, snapshot, rows and files from the manifests, partitioning,
 * columns, a view's SQL, and a table's snapshot history.
 *
 * The public rat_table_* functions live here, not in table/: they answer
 * for a workspace and a catalog ref, which the Iceberg format layer
 * (table/) knows nothing of.
 */
#include "util/common.h"
#include "util/fs.h"
#include "rat/catalog.h"
#include "rat/engine.h"
#include "rat/table.h"
#include "rat/workspace.h"
#include "config/config.h"
#include "engine/engine.h"
#include "table/scan.h"
#include "table/view.h"
#include "workspace/tables.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Room for n columns in info: "name TYPE", the name and the type of each. */
static int alloc_columns(rat_table_info *info, size_t n)
{
	info->columns = rat__calloc(n + 1, sizeof(char *));
	info->column_names = rat__calloc(n + 1, sizeof(char *));
	info->column_types = rat__calloc(n + 1, sizeof(char *));
	return info->columns && info->column_names && info->column_types ? 0 : RAT_ENOMEM;
}

/* Column i of info: its name (name_len bytes of text, "name TYPE") and its type after. */
static int split_column(rat_table_info *info, size_t i, char *text, size_t name_len)
{
	info->columns[i] = text;
	info->column_count = i + 1;
	info->column_names[i] = rat__strndup(text, name_len);
	info->column_types[i] = rat__strdup(text + name_len + 1);
	return info->column_names[i] && info->column_types[i] ? 0 : RAT_ENOMEM;
}

/* "name TYPE" for each column, into info. */
static int describe_columns(rat_table_info *info, const rat_table_schema *schema)
{
	size_t i;
	int error;

	if ((error = alloc_columns(info, schema->field_count)) != 0)
		return error;
	for (i = 0; !error && i < schema->field_count; i++) {
		rat_buf col = RAT_BUF_INIT;
		char *text;
		if ((error = rat_buf_printf(&col, "%s ", schema->fields[i].name)) == 0 &&
		    (error = rat_table__duckdb_type(&col, schema->fields[i].type_json)) == 0) {
			text = rat_buf_detach(&col);
			error = text ? split_column(info, i, text, strlen(schema->fields[i].name))
				     : RAT_ENOMEM;
		}
		rat_buf_free(&col);
	}
	return error;
}

/* A view entry's info (and its versions). */
static int view_info(rat_view_info *out, const rat_workspace *ws, const rat_catalog_entry *c)
{
	rat_store *store = NULL;
	const char *key;
	int error;

	if ((error = rat_workspace__entry_store(&store, &key, ws, c)) == 0 &&
	    (error = rat_table__view_info(out, store, key)) != 0)
		rat_error__prefix("%s", c->key);
	rat_store__free(store);
	return error;
}

static int fill_view(rat_table_info *info, const rat_workspace *ws, const rat_catalog_entry *c)
{
	rat_view_info view;
	size_t i;
	int error;

	if ((error = view_info(&view, ws, c)) != 0)
		return error;
	info->key = rat__strdup(c->key);
	info->metadata_location = rat__strdup(c->state.metadata_location);
	if (view.sql[0]) { /* "": a view in another engine's dialect */
		info->view_sql = view.sql;
		view.sql = NULL;
	}
	info->snapshot_id = -1;
	info->updated_ms = view.version_count ? view.versions[0].timestamp_ms : 0;
	info->rows = info->data_files = info->bytes = -1;
	info->partitioning = rat__strdup("");
	if ((error = rat_workspace__table_location((char **)&info->location, ws, c->key)) == 0)
		error = alloc_columns(info, view.columns.count);
	/* "name type": an Iceberg type name holds no space, the column's name may */
	for (i = 0; !error && i < view.columns.count; i++) {
		char *text = view.columns.strings[i];
		view.columns.strings[i] = NULL;
		error = split_column(info, i, text, (size_t)(strrchr(text, ' ') - text));
	}
	if (!error && (!info->key || !info->metadata_location || !info->partitioning))
		error = RAT_ENOMEM;
	rat_table__view_info_free(&view);
	return error;
}

static int fill_info(rat_table_info *info, const rat_workspace *ws, const rat_catalog_entry *c)
{
	rat_store *store = NULL;
	rat_scan scan;
	char *location = NULL;
	size_t i;
	int error;

	info->kind = c->state.view ? "view" : "table";
	info->view_sql = "";
	if (c->state.view)
		return fill_view(info, ws, c);
	if ((error = rat_workspace__plan_entry(&scan, &store, ws, c)) != 0)
		return error;
	if ((error = rat_workspace__table_location(&location, ws, c->key)) != 0)
		goto cleanup;
	info->key = rat__strdup(c->key);
	info->location = location;
	location = NULL;
	info->metadata_location = rat__strdup(c->state.metadata_location);
	info->snapshot_id = scan.snapshot ? scan.snapshot->snapshot_id : -1;
	info->updated_ms = scan.snapshot ? scan.snapshot->timestamp_ms : 0;
	info->data_files = (int64_t)scan.data.count;
	info->rows = rat_workspace__live_rows(&scan, NULL);
	for (i = 0; i < scan.data.count; i++)
		info->bytes += scan.data.items[i].file_size;
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

/* A table that is not there; when the workspace has no catalog yet, where it looked. */
static int no_table(const rat_workspace *ws, const char *ref, const char *key)
{
	if (!rat_workspace_catalog_exists(ws)) {
		int error = rat_workspace__no_catalog(ws);
		rat_error__prefix("no table %s on %s", key, ref ? ref : rat_workspace_branch(ws));
		return error;
	}
	return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_WORKSPACE, "no table %s on %s", key,
			      ref ? ref : rat_workspace_branch(ws));
}

static void info_free(rat_table_info *t)
{
	size_t j;

	free((char *)t->key);
	free((char *)t->location);
	free((char *)t->metadata_location);
	free((char *)t->partitioning);
	if (t->view_sql && t->view_sql[0])
		free((char *)t->view_sql);
	if (t->error && t->error[0])
		free((char *)t->error);
	for (j = 0; j < t->column_count; j++) {
		free((char *)t->columns[j]);
		free((char *)t->column_names[j]);
		free((char *)t->column_types[j]);
	}
	free((void *)t->columns);
	free((void *)t->column_names);
	free((void *)t->column_types);
	memset(t, 0, sizeof(*t));
}

/*
 * A table of a listing that could not be read: what the catalog says of it,
 * and the error (the last one) in its error field.
 */
static int unreadable(rat_table_info *info, const rat_workspace *ws, const rat_catalog_entry *c)
{
	const char *why = rat_error_last()->message;
	char *message = rat__strdup(why[0] ? why : "could not be read"); /* never "": readable */

	rat_error_clear();
	info_free(info);
	info->kind = c->state.view ? "view" : "table";
	info->view_sql = "";
	info->error = message;
	info->key = rat__strdup(c->key);
	info->metadata_location = rat__strdup(c->state.metadata_location);
	info->partitioning = rat__strdup("");
	info->snapshot_id = info->rows = info->data_files = info->bytes = -1;
	if (!message || !info->key || !info->metadata_location || !info->partitioning)
		return rat_error__oom();
	return rat_workspace__table_location((char **)&info->location, ws, c->key);
}

/* The metadata file entry c's table is read from in ws (free()); NULL when it cannot be told. */
static char *metadata_file(const rat_workspace *ws, const rat_catalog_entry *c)
{
	const char *slash = strstr(c->state.metadata_location, "/metadata/");
	char *location = NULL, *file;
	bool foreign;

	if (!slash || rat_workspace__entry_location(&location, &foreign, ws, c) != 0) {
		rat_error_clear();
		return NULL;
	}
	file = rat__sprintf("%s%s", location, slash);
	free(location);
	return file;
}

/*
 * What a listing keeps of a table read, all that its metadata file decides:
 * snapshot, time, rows, files, bytes, kind, partitioning, view SQL, then the
 * columns' names and types, tab-separated (listing.c). NULL: out of memory.
 */
static char *info_fields(const rat_table_info *t)
{
	rat_buf out = RAT_BUF_INIT;
	size_t i;
	int error;

	error = rat_buf_printf(&out, "%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%" PRId64 "\t%" PRId64
				     "\t%s\t",
			       t->snapshot_id, t->updated_ms, t->rows, t->data_files, t->bytes, t->kind);
	if (!error && (error = rat_workspace__listing_escape(&out, t->partitioning)) == 0 &&
	    (error = rat_buf_putc(&out, '\t')) == 0 &&
	    (error = rat_workspace__listing_escape(&out, t->view_sql ? t->view_sql : "")) == 0)
		error = rat_buf_printf(&out, "\t%zu", t->column_count);
	for (i = 0; !error && i < t->column_count; i++)
		if ((error = rat_buf_putc(&out, '\t')) == 0 &&
		    (error = rat_workspace__listing_escape(&out, t->column_names[i])) == 0 &&
		    (error = rat_buf_putc(&out, '\t')) == 0)
			error = rat_workspace__listing_escape(&out, t->column_types[i]);
	if (error) {
		rat_buf_free(&out);
		return NULL;
	}
	return rat_buf_detach(&out);
}

/* A number field at *p (moved past it); false when there is none. */
static bool number_field(const char **p, int64_t *out)
{
	char *end;

	*out = strtoll(*p, &end, 10);
	if (end == *p || (*end != '\t' && *end))
		return false;
	*p = *end ? end + 1 : end;
	return true;
}

/* A table's info from the fields a listing kept (info_fields()); RAT_EINVALID when malformed. */
static int info_from_fields(rat_table_info *info, const char *p)
{
	int64_t n;
	char *kind = NULL, *sql = NULL, *name, *type;
	size_t i;
	int error = 0;

	if (!number_field(&p, &info->snapshot_id) || !number_field(&p, &info->updated_ms) ||
	    !number_field(&p, &info->rows) || !number_field(&p, &info->data_files) ||
	    !number_field(&p, &info->bytes))
		return RAT_EINVALID;
	if ((kind = rat_workspace__listing_field(&p)) == NULL ||
	    (info->partitioning = rat_workspace__listing_field(&p)) == NULL ||
	    (sql = rat_workspace__listing_field(&p)) == NULL) {
		free(kind);
		return RAT_ENOMEM;
	}
	info->kind = strcmp(kind, "view") == 0 ? "view" : "table";
	free(kind);
	info->view_sql = sql[0] ? sql : "";
	if (!sql[0])
		free(sql);
	if (!number_field(&p, &n) || n < 0 || n > 100000)
		return RAT_EINVALID;
	if ((error = alloc_columns(info, (size_t)n)) != 0)
		return error;
	for (i = 0; !error && i < (size_t)n; i++) {
		char *text;
		if (!*p)
			return RAT_EINVALID;
		if ((name = rat_workspace__listing_field(&p)) == NULL ||
		    (type = rat_workspace__listing_field(&p)) == NULL) {
			free(name);
			return RAT_ENOMEM;
		}
		text = rat__sprintf("%s %s", name, type);
		error = text ? split_column(info, i, text, strlen(name)) : RAT_ENOMEM;
		free(name);
		free(type);
	}
	return error;
}

/*
 * Entry c's info: from what an earlier listing learnt of its metadata file
 * when that file is unchanged (listing.c), else read, and kept for the next.
 */
static int fill_listed(rat_table_info *info, const rat_workspace *ws, const rat_catalog_entry *c,
		       rat_listing *cache)
{
	char *file = metadata_file(ws, c), *fields;
	const char *kept = file ? rat_workspace__listing_get(cache, file) : NULL;
	int error;

	if (kept) {
		info->key = rat__strdup(c->key);
		info->metadata_location = rat__strdup(c->state.metadata_location);
		if (!info->key || !info->metadata_location)
			error = RAT_ENOMEM;
		else if ((error = info_from_fields(info, kept)) == 0)
			error = rat_workspace__table_location((char **)&info->location, ws, c->key);
		if (error != RAT_EINVALID) {
			free(file);
			return error;
		}
		info_free(info); /* a malformed entry: read the table */
		rat_error_clear();
	}
	if ((error = fill_info(info, ws, c)) == 0 && file && (fields = info_fields(info)) != NULL) {
		rat_workspace__listing_put(cache, file, fields);
		free(fields);
	}
	free(file);
	return error;
}

int rat_table_list_get(rat_table_list *out, const rat_workspace *ws, const char *ref, const char *key)
{
	rat_listing *cache = NULL;
	rat_catalog *catalog = NULL;
	rat_contents contents = { NULL, 0 };
	char commit[RAT_HASH_LEN + 1];
	size_t i;
	int error;

	memset(out, 0, sizeof(*out));
	if ((error = rat_workspace__read_catalog(&catalog, ws)) != 0 ||
	    (error = rat_catalog__resolve(catalog, ref ? ref : rat_workspace_branch(ws), commit)) != 0)
		goto cleanup;
	/* the tables of that commit as the last listing kept them, else the catalog's */
	if ((error = rat_workspace__listing_contents(&contents, ws, commit)) == RAT_ENOTFOUND) {
		if ((error = rat_catalog__contents(catalog, commit, &contents)) != 0)
			goto cleanup;
		if (contents.count) /* a workspace without a catalog makes no cache folder */
			rat_workspace__listing_keep_contents(ws, commit, &contents);
	} else if (error) {
		goto cleanup;
	}
	if (key && !rat_catalog__find(&contents, key)) {
		error = no_table(ws, ref, key);
		goto cleanup;
	}
	if ((out->items = rat__calloc(contents.count + 1, sizeof(*out->items))) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = rat_workspace__listing_open(&cache, ws)) != 0)
		goto cleanup;
	for (i = 0; !error && i < contents.count; i++) {
		if (key && strcmp(contents.items[i].key, key) != 0)
			continue;
		error = fill_listed(&out->items[out->count++], ws, &contents.items[i], cache);
		if (error && error != RAT_ENOMEM && !key) /* one table: the others are listed */
			error = unreadable(&out->items[out->count - 1], ws, &contents.items[i]);
		else if (!error)
			out->items[out->count - 1].error = "";
	}
	rat_workspace__listing_save(cache);
cleanup:
	if (error)
		rat_table_list_free(out);
	rat_workspace__listing_free(cache);
	rat_catalog__contents_free(&contents);
	rat_catalog__free(catalog);
	return error;
}

void rat_table_list_free(rat_table_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->count; i++)
		info_free(&list->items[i]);
	free(list->items);
	memset(list, 0, sizeof(*list));
}

static int64_t summary_count(json_t *summary, const char *key)
{
	const char *text = json_string_value(json_object_get(summary, key));
	return text ? strtoll(text, NULL, 10) : -1;
}

/* A view's history: its versions, newest first (no rows: a view stores none). */
static int view_history(rat_history *out, const rat_workspace *ws, const rat_catalog_entry *c)
{
	rat_view_info view;
	size_t i;
	int error;

	if ((error = view_info(&view, ws, c)) != 0)
		return error;
	if ((out->items = rat__calloc(view.version_count + 1, sizeof(*out->items))) == NULL)
		error = RAT_ENOMEM;
	for (i = 0; !error && i < view.version_count; i++) {
		rat_snapshot_info *info = &out->items[out->count++];
		info->snapshot_id = view.versions[i].version_id;
		info->parent_id = i + 1 < view.version_count ? view.versions[i + 1].version_id : -1;
		info->time_ms = view.versions[i].timestamp_ms;
		info->added_rows = info->deleted_rows = info->total_rows = -1;
		info->schema_id = -1;
		if ((info->operation = rat__strdup("view")) == NULL)
			error = RAT_ENOMEM;
	}
	rat_table__view_info_free(&view);
	return error;
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
	if ((error = rat_workspace__read_catalog(&catalog, ws)) != 0 ||
	    (error = rat_catalog__contents(catalog, ref ? ref : rat_workspace_branch(ws), &contents)) != 0)
		goto cleanup;
	if ((entry = rat_catalog__find(&contents, key ? key : "")) == NULL) {
		error = no_table(ws, ref, key ? key : "(null)");
		goto cleanup;
	}
	if (entry->state.view) {
		error = view_history(out, ws, entry);
		goto cleanup;
	}
	if ((error = rat_workspace__plan_entry(&scan, &store, ws, entry)) != 0)
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
