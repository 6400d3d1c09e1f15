/*
 * table/scan.c - plan a scan of an Iceberg table and write the SQL that reads it.
 *
 * See scan.h for the rules. The SQL is plain DuckDB: read_parquet() with a
 * field-id schema map for the data, anti-joins for the deletes. Without
 * delete files it is a single read_parquet() call, which DuckDB can prune
 * and parallelise freely.
 */
#include "util/common.h"
#include "table/scan.h"
#include "table/write_stats.h"
#include "util/sql.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define METADATA_MAX ((uint64_t)256 << 20)
#define MANIFEST_MAX ((uint64_t)1 << 30)

long rat_table__metadata_version(const char *key)
{
	const char *slash = strrchr(key, '/'), *name = slash ? slash + 1 : key, *p = name;
	char *end;
	long v;

	if (!rat__str_has_suffix(name, ".metadata.json"))
		return -1;
	if (*p == 'v')
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	v = strtol(p, &end, 10);
	return (*end == '.' || *end == '-') ? v : -1;
}

/*
 * The version named by metadata/version-hint.text. The hint is only a hint:
 * an empty or unreadable one (a store that overwrites objects in place can
 * show a half-written one) counts as absent, and the caller lists instead.
 */
static int from_version_hint(rat_store *store, char **key)
{
	rat_buf hint = RAT_BUF_INIT;
	char *text, *end;
	long v;
	int error = rat_store__get(store, "metadata/version-hint.text", &hint, 4096);

	if (error) {
		rat_buf_free(&hint);
		return error;
	}
	text = hint.ptr ? hint.ptr : (char *)"";
	while (*text && isspace((unsigned char)*text))
		text++;
	text[strcspn(text, " \t\r\n")] = '\0';
	v = strtol(text, &end, 10);
	if (*text && *end == '\0' && v >= 0)
		*key = rat__sprintf("metadata/v%ld.metadata.json", v);
	else if (rat__str_has_suffix(text, ".metadata.json") && !strchr(text, '/'))
		*key = rat__sprintf("metadata/%s", text);
	else
		error = RAT_ENOTFOUND; /* not a usable hint: list the metadata folder */
	rat_buf_free(&hint);
	return error ? error : (*key ? 0 : RAT_ENOMEM);
}

/* The hint may lag a commit that crashed before updating it: look past it. */
static int past_hint(rat_store *store, char **key)
{
	long v = rat_table__metadata_version(*key);
	rat_store_object object;
	int error;

	for (;;) {
		char *next = rat__sprintf("metadata/v%ld.metadata.json", v + 1);
		if (!next)
			return RAT_ENOMEM;
		error = rat_store__head(store, next, &object);
		if (error) {
			free(next);
			if (error == RAT_ENOTFOUND) {
				rat_error_clear();
				return 0;
			}
			return error;
		}
		rat_store__object_free(&object);
		free(*key);
		*key = next;
		v++;
	}
}

int rat_table__latest_metadata(rat_store *store, char **key)
{
	rat_store_list list = { NULL, 0 };
	long best = -1;
	size_t i;
	int error;

	*key = NULL;
	error = from_version_hint(store, key);
	if (!error && rat__str_has_prefix(*key, "metadata/v"))
		error = past_hint(store, key);
	if (error != RAT_ENOTFOUND)
		return error;
	rat_error_clear();
	if ((error = rat_store__list(store, "metadata/", &list)) != 0)
		return error;
	for (i = 0; i < list.count; i++) {
		long v = rat_table__metadata_version(list.items[i].key);
		if (v > best) {
			best = v;
			free(*key);
			if ((*key = rat__strdup(list.items[i].key)) == NULL) {
				error = RAT_ENOMEM;
				break;
			}
		}
	}
	rat_store__list_free(&list);
	if (!error && !*key) {
		char *url = rat_store__url(store, "metadata/");
		error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_INVALID,
				       "no Iceberg table metadata in %s", url ? url : "metadata/");
		free(url);
	}
	return error;
}

int rat_table__key_under(const char *prefix, const char *path, char **key)
{
	size_t n = strlen(prefix);

	*key = NULL;
	if (strncmp(path, prefix, n) != 0 || path[n] != '/' || path[n + 1] == '\0')
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "%s is outside the table location %s", path, prefix);
	*key = rat__strdup(path + n + 1);
	return *key ? 0 : RAT_ENOMEM;
}

int rat_table__key(const rat_scan *scan, const char *path, char **key)
{
	return rat_table__key_under(scan->prefix, path, key);
}

int rat_table__read_under(rat_store *store, const char *prefix, const char *path, uint64_t max,
			  rat_buf *out, char **key)
{
	int error = rat_table__key_under(prefix, path, key);
	if (!error)
		error = rat_store__get(store, *key, out, max);
	return error;
}

/* Read one manifest and sort its live entries into data and delete files. */
static int read_manifest(rat_scan *scan, rat_store *store, const rat_manifest_ref *ref,
			 const rat_scan_options *opts)
{
	rat_data_files entries = { NULL, 0, 0 };
	rat_buf bytes = RAT_BUF_INIT;
	char *key = NULL;
	size_t i;
	int error;

	if ((error = rat_table__read_under(store, scan->prefix, ref->path, MANIFEST_MAX, &bytes,
					   &key)) != 0 ||
	    (error = rat_table__read_manifest(&entries, bytes.ptr, bytes.len, ref, key)) != 0)
		goto cleanup;
	for (i = 0; i < entries.count; i++) {
		rat_data_file *f = &entries.items[i];
		if (f->status == RAT_ENTRY_DELETED)
			continue;
		if (f->content == RAT_CONTENT_DATA && opts->filter_count > 0 &&
		    !rat_table__file_may_match(&scan->meta, scan->schema, f, opts->filters,
					       opts->filter_count)) {
			scan->pruned++;
			continue;
		}
		error = rat_table__data_files_push(f->content == RAT_CONTENT_DATA ? &scan->data
										  : &scan->deletes, f);
		if (error)
			goto cleanup;
		memset(f, 0, sizeof(*f)); /* now owned by the scan */
	}
cleanup:
	rat_table__data_files_free(&entries);
	rat_buf_free(&bytes);
	free(key);
	return error;
}

static int pick_snapshot(rat_scan *scan, const rat_scan_options *opts)
{
	const rat_table_metadata *m = &scan->meta;

	if (opts->snapshot_id >= 0) {
		if ((scan->snapshot = rat_table__snapshot(m, opts->snapshot_id)) == NULL)
			return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_INVALID,
					      "table %s has no snapshot %lld", scan->prefix,
					      (long long)opts->snapshot_id);
	} else if (opts->as_of_ms >= 0) {
		if ((scan->snapshot = rat_table__snapshot_at(m, opts->as_of_ms)) == NULL)
			return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_INVALID,
					      "table %s has no snapshot at or before %lld ms",
					      scan->prefix, (long long)opts->as_of_ms);
	} else if (m->current_snapshot_id >= 0) {
		scan->snapshot = rat_table__snapshot(m, m->current_snapshot_id);
	}
	/* the current snapshot reads with the current schema; an older one with its own */
	if (scan->snapshot && scan->snapshot->snapshot_id == m->current_snapshot_id)
		scan->schema = rat_table__schema(m, m->current_schema_id);
	else
		scan->schema = rat_table__snapshot_schema(m, scan->snapshot);
	return 0;
}

int rat_table__plan(rat_scan *out, rat_store *store, const rat_scan_options *opts)
{
	rat_scan_options defaults = RAT_SCAN_OPTIONS_INIT;
	rat_manifest_list list = { NULL, 0 };
	rat_buf bytes = RAT_BUF_INIT;
	char *key = NULL;
	size_t i, n;
	int error;

	memset(out, 0, sizeof(*out));
	if (!opts)
		opts = &defaults;
	if (opts->metadata_key)
		out->metadata_key = rat__strdup(opts->metadata_key);
	else if ((error = rat_table__latest_metadata(store, &out->metadata_key)) != 0)
		goto cleanup;
	if (!out->metadata_key) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = rat_store__get(store, out->metadata_key, &bytes, METADATA_MAX)) != 0 ||
	    (error = rat_table__metadata_parse(&out->meta, bytes.ptr, bytes.len, out->metadata_key)) != 0)
		goto cleanup;
	out->prefix = rat__strdup(opts->relocate_from ? opts->relocate_from : out->meta.location);
	if (!out->prefix) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	n = strlen(out->prefix);
	while (n > 1 && out->prefix[n - 1] == '/')
		out->prefix[--n] = '\0';
	if ((error = pick_snapshot(out, opts)) != 0 ||
	    (error = rat_table__check_filters(out->schema, opts->filters, opts->filter_count)) != 0 ||
	    !out->snapshot)
		goto cleanup;
	rat_buf_clear(&bytes);
	if ((error = rat_table__read_under(store, out->prefix, out->snapshot->manifest_list,
					   MANIFEST_MAX, &bytes, &key)) != 0 ||
	    (error = rat_table__read_manifest_list(&list, bytes.ptr, bytes.len, key)) != 0)
		goto cleanup;
	for (i = 0; i < list.count; i++)
		if ((error = read_manifest(out, store, &list.items[i], opts)) != 0)
			goto cleanup;
cleanup:
	rat_table__manifest_list_free(&list);
	rat_buf_free(&bytes);
	free(key);
	if (error)
		rat_table__scan_free(out);
	return error;
}

void rat_table__scan_free(rat_scan *scan)
{
	rat_table__metadata_free(&scan->meta);
	rat_table__data_files_free(&scan->data);
	rat_table__data_files_free(&scan->deletes);
	free(scan->metadata_key);
	free(scan->prefix);
	memset(scan, 0, sizeof(*scan));
}

/* SQL text */

static const struct {
	const char *iceberg, *duckdb;
} primitives[] = {
	{ "boolean", "BOOLEAN" },   { "int", "INTEGER" },
	{ "long", "BIGINT" },       { "float", "FLOAT" },
	{ "double", "DOUBLE" },     { "date", "DATE" },
	{ "time", "TIME" },         { "timestamp", "TIMESTAMP" },
	{ "timestamptz", "TIMESTAMP WITH TIME ZONE" },
	{ "timestamp_ns", "TIMESTAMP_NS" },
	{ "timestamptz_ns", "TIMESTAMP WITH TIME ZONE" },
	{ "string", "VARCHAR" },    { "uuid", "UUID" },
	{ "binary", "BLOB" },
};

static int primitive_type(rat_buf *out, const char *t)
{
	unsigned p, s;
	size_t i;

	for (i = 0; i < RAT_ARRAY_SIZE(primitives); i++)
		if (strcmp(t, primitives[i].iceberg) == 0)
			return rat_buf_puts(out, primitives[i].duckdb);
	if (sscanf(t, "decimal(%u, %u)", &p, &s) == 2 || sscanf(t, "decimal(%u,%u)", &p, &s) == 2)
		return rat_buf_printf(out, "DECIMAL(%u,%u)", p, s);
	if (rat__str_has_prefix(t, "fixed["))
		return rat_buf_puts(out, "BLOB");
	return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "unknown Iceberg type '%s'", t);
}

int rat_table__duckdb_type(rat_buf *out, json_t *type)
{
	const char *kind;
	int error = 0;
	size_t i;

	if (json_is_string(type))
		return primitive_type(out, json_string_value(type));
	kind = json_string_value(json_object_get(type, "type"));
	if (!kind)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "a nested type lacks 'type'");
	if (strcmp(kind, "list") == 0) {
		if ((error = rat_table__duckdb_type(out, json_object_get(type, "element"))) != 0)
			return error;
		return rat_buf_puts(out, "[]");
	}
	if (strcmp(kind, "map") == 0) {
		if ((error = rat_buf_puts(out, "MAP(")) != 0 ||
		    (error = rat_table__duckdb_type(out, json_object_get(type, "key"))) != 0 ||
		    (error = rat_buf_puts(out, ", ")) != 0 ||
		    (error = rat_table__duckdb_type(out, json_object_get(type, "value"))) != 0)
			return error;
		return rat_buf_putc(out, ')');
	}
	if (strcmp(kind, "struct") == 0) {
		json_t *fields = json_object_get(type, "fields");
		if ((error = rat_buf_puts(out, "STRUCT(")) != 0)
			return error;
		for (i = 0; !error && i < json_array_size(fields); i++) {
			json_t *f = json_array_get(fields, i);
			if (i)
				error = rat_buf_puts(out, ", ");
			if (!error)
				error = rat_sql__ident(out, json_string_value(json_object_get(f, "name")) ?: "");
			if (!error)
				error = rat_buf_putc(out, ' ');
			if (!error)
				error = rat_table__duckdb_type(out, json_object_get(f, "type"));
		}
		return error ? error : rat_buf_putc(out, ')');
	}
	return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "unknown Iceberg type '%s'", kind);
}

/* schema=MAP{id: {name: 'x', type: 'T', default_value: NULL}, ...} for the given fields */
static int put_schema_map(rat_buf *sql, const rat_table_schema *schema, const int *ids,
			  size_t id_count)
{
	size_t i, n = ids ? id_count : schema->field_count;
	int error = rat_buf_puts(sql, "schema=MAP{");

	for (i = 0; !error && i < n; i++) {
		const rat_table_field *f = ids ? rat_table__field(schema, ids[i]) : &schema->fields[i];
		rat_buf type = RAT_BUF_INIT;
		if (!f)
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
					      "equality delete names field %d, which the schema lacks",
					      ids[i]);
		if ((error = rat_table__duckdb_type(&type, f->type_json)) == 0 &&
		    (error = rat_buf_printf(sql, "%s%d: {name: ", i ? ", " : "", f->id)) == 0 &&
		    (error = rat_sql__literal(sql, f->name)) == 0 &&
		    (error = rat_buf_puts(sql, ", type: ")) == 0 &&
		    (error = rat_sql__literal(sql, rat_buf_cstr(&type))) == 0)
			error = rat_buf_puts(sql, ", default_value: NULL}");
		rat_buf_free(&type);
	}
	return error ? error : rat_buf_putc(sql, '}');
}

/* A file list for read_parquet: ['a', 'b']; *locals receives the local paths. */
static int put_files(rat_buf *sql, const rat_scan *scan, rat_store *store,
		     const rat_data_file *const *files, size_t count, rat_strarray *locals)
{
	size_t i;
	int error = rat_buf_putc(sql, '[');

	for (i = 0; !error && i < count; i++) {
		char *key = NULL, *local = NULL;
		if ((error = rat_table__key(scan, files[i]->path, &key)) == 0 &&
		    (error = rat_store__local_path(store, key, &local)) == 0) {
			if (i)
				error = rat_buf_puts(sql, ", ");
			if (!error)
				error = rat_sql__literal(sql, local);
			if (!error && locals)
				error = rat_strarray__push(locals, local);
		}
		free(key);
		free(local);
	}
	return error ? error : rat_buf_putc(sql, ']');
}

/* What a scan's rows carry besides the table's columns. */
enum { WITH_FILE = 1, /* __rat_file: the local path of the row's data file */
       WITH_POS = 2,  /* __rat_pos: the row's position in that file */
       WITH_INDEX = 4 /* __rat_fidx: that file's index among the files read */ };

static int put_columns(rat_buf *sql, const rat_table_schema *schema, const char *alias,
		       unsigned extra)
{
	size_t i;
	int error = 0;

	for (i = 0; !error && i < schema->field_count; i++) {
		if (i)
			error = rat_buf_puts(sql, ", ");
		if (!error && alias)
			error = rat_buf_printf(sql, "%s.", alias);
		if (!error)
			error = rat_sql__ident(sql, schema->fields[i].name);
	}
	if (!error && (extra & WITH_FILE))
		error = rat_buf_printf(sql, ", %s%s__rat_file", alias ? alias : "", alias ? "." : "");
	if (!error && (extra & WITH_POS))
		error = rat_buf_printf(sql, ", %s%sfile_row_number AS __rat_pos", alias ? alias : "",
				       alias ? "." : "");
	if (!error && (extra & WITH_INDEX)) /* the deletes' read names it already */
		error = alias ? rat_buf_printf(sql, ", %s.__rat_fidx", alias)
			      : rat_buf_puts(sql, ", file_index AS __rat_fidx");
	return error;
}

static int put_empty(rat_buf *sql, const rat_table_schema *schema, unsigned extra)
{
	size_t i;
	int error = rat_buf_puts(sql, "SELECT ");

	for (i = 0; !error && i < schema->field_count; i++) {
		rat_buf type = RAT_BUF_INIT;
		if ((error = rat_table__duckdb_type(&type, schema->fields[i].type_json)) == 0)
			error = rat_buf_printf(sql, "%sCAST(NULL AS %s) AS ", i ? ", " : "",
					       rat_buf_cstr(&type));
		if (!error)
			error = rat_sql__ident(sql, schema->fields[i].name);
		rat_buf_free(&type);
	}
	if (!error && (extra & WITH_FILE))
		error = rat_buf_puts(sql, ", CAST(NULL AS VARCHAR) AS __rat_file");
	if (!error && (extra & WITH_POS))
		error = rat_buf_puts(sql, ", CAST(NULL AS BIGINT) AS __rat_pos");
	if (!error && (extra & WITH_INDEX))
		error = rat_buf_puts(sql, ", CAST(NULL AS BIGINT) AS __rat_fidx");
	return error ? error : rat_buf_puts(sql, " WHERE false");
}

/*
 * (VALUES (index in the file list, original path, data sequence number,
 * partition id), ...) alias(__rat_idx, __rat_orig, __rat_seq, __rat_part)
 */
static int put_file_table(rat_buf *sql, const rat_data_file **files, size_t count,
			  const char *alias)
{
	size_t i;
	int error = rat_buf_puts(sql, "(VALUES ");

	for (i = 0; !error && i < count; i++) {
		const rat_data_file *f = files[i];
		char *part = rat_table__partition_id(f);
		if (!part)
			return RAT_ENOMEM;
		if ((error = rat_buf_printf(sql, "%s(%zu, ", i ? ", " : "", i)) == 0 &&
		    (error = rat_sql__literal(sql, f->path)) == 0 &&
		    (error = rat_buf_printf(sql, ", %lld, ", (long long)f->data_sequence_number)) == 0 &&
		    (error = rat_sql__literal(sql, part)) == 0)
			error = rat_buf_putc(sql, ')');
		free(part);
	}
	return error ? error
		     : rat_buf_printf(sql, ") %s(__rat_idx, __rat_orig, __rat_seq, __rat_part)", alias);
}

/* Rows of the position delete files: (original data file path, position, sequence number). */
static int put_position_deletes(rat_buf *sql, const rat_scan *scan, rat_store *store)
{
	size_t i, n = 0;
	int error = 0;

	for (i = 0; !error && i < scan->deletes.count; i++) {
		const rat_data_file *f = &scan->deletes.items[i];
		if (f->content != RAT_CONTENT_POSITION_DELETES)
			continue;
		if ((error = rat_buf_puts(sql, n++ ? " UNION ALL " : "")) == 0 &&
		    (error = rat_buf_puts(sql, "SELECT file_path AS __rat_orig, pos AS __rat_pos, ")) == 0 &&
		    (error = rat_buf_printf(sql, "%lld AS __rat_seq FROM read_parquet(",
					    (long long)f->data_sequence_number)) == 0 &&
		    (error = put_files(sql, scan, store, &f, 1, NULL)) == 0)
			error = rat_buf_putc(sql, ')');
	}
	return error;
}

/* AND NOT EXISTS (rows of one equality delete file that match d) */
static int put_equality_delete(rat_buf *sql, const rat_scan *scan, rat_store *store,
			       const rat_data_file *f)
{
	const rat_table_spec *spec = rat_table__spec(&scan->meta, f->spec_id);
	char *part = rat_table__partition_id(f);
	size_t i;
	int error;

	if (!part)
		return RAT_ENOMEM;
	if ((error = rat_buf_printf(sql, " AND NOT EXISTS (SELECT 1 FROM read_parquet(")) == 0 &&
	    (error = put_files(sql, scan, store, &f, 1, NULL)) == 0 &&
	    (error = rat_buf_puts(sql, ", ")) == 0 &&
	    (error = put_schema_map(sql, scan->schema, f->equality_ids, f->equality_count)) == 0)
		error = rat_buf_printf(sql, ") e WHERE %lld > f.__rat_seq",
				       (long long)f->data_sequence_number);
	/* a partitioned delete applies within its partition only */
	if (!error && spec && spec->field_count > 0) {
		error = rat_buf_puts(sql, " AND f.__rat_part = ");
		if (!error)
			error = rat_sql__literal(sql, part);
	}
	for (i = 0; !error && i < f->equality_count; i++) {
		const rat_table_field *field = rat_table__field(scan->schema, f->equality_ids[i]);
		if ((error = rat_buf_puts(sql, " AND e.")) == 0 &&
		    (error = rat_sql__ident(sql, field->name)) == 0 &&
		    (error = rat_buf_puts(sql, " IS NOT DISTINCT FROM d.")) == 0)
			error = rat_sql__ident(sql, field->name);
	}
	free(part);
	return error ? error : rat_buf_putc(sql, ')');
}

static bool has_content(const rat_data_files *files, rat_content content)
{
	size_t i;

	for (i = 0; i < files->count; i++)
		if (files->items[i].content == content)
			return true;
	return false;
}

/*
 * The rows of the files with the deletes applied. The data files are told
 * apart by their index in the read (DuckDB's file_index), not their path: a
 * position delete's path is turned into that index once, in the small join
 * of the deletes with the file table (where the sequence number rule is
 * applied too), so that the anti-join of every row is on two integers.
 * Equality deletes need each row's sequence number and partition: the file
 * table joins the rows then, on the index as well.
 */
static int put_with_deletes(rat_buf *sql, const rat_scan *scan, rat_store *store,
			    const rat_data_file **files, size_t count, unsigned extra,
			    rat_strarray *locals)
{
	bool equality = has_content(&scan->deletes, RAT_CONTENT_EQUALITY_DELETES);
	size_t i;
	int error;

	if ((error = rat_buf_puts(sql, "SELECT ")) != 0 ||
	    (error = put_columns(sql, scan->schema, "d", extra)) != 0 ||
	    (error = rat_buf_puts(sql, " FROM (SELECT *, file_index AS __rat_fidx FROM "
				       "read_parquet(")) != 0 ||
	    (error = put_files(sql, scan, store, files, count, locals)) != 0 ||
	    (error = rat_buf_puts(sql, ", ")) != 0 ||
	    (error = put_schema_map(sql, scan->schema, NULL, 0)) != 0 ||
	    (error = rat_buf_printf(sql, "%s, file_row_number=true)) d",
				    (extra & WITH_FILE) ? ", filename='__rat_file'" : "")) != 0)
		return error;
	if (equality &&
	    ((error = rat_buf_puts(sql, " JOIN ")) != 0 ||
	     (error = put_file_table(sql, files, count, "f")) != 0 ||
	     (error = rat_buf_puts(sql, " ON d.__rat_fidx = f.__rat_idx")) != 0))
		return error;
	if (has_content(&scan->deletes, RAT_CONTENT_POSITION_DELETES) &&
	    ((error = rat_buf_puts(sql, " ANTI JOIN (SELECT g.__rat_idx AS __rat_didx, "
				       "p.__rat_pos AS __rat_dpos FROM (")) != 0 ||
	     (error = put_position_deletes(sql, scan, store)) != 0 ||
	     (error = rat_buf_puts(sql, ") p JOIN ")) != 0 ||
	     (error = put_file_table(sql, files, count, "g")) != 0 ||
	     (error = rat_buf_puts(sql, " ON p.__rat_orig = g.__rat_orig AND p.__rat_seq >= "
					"g.__rat_seq) x ON d.__rat_fidx = x.__rat_didx AND "
					"d.file_row_number = x.__rat_dpos")) != 0))
		return error;
	if ((error = rat_buf_puts(sql, " WHERE true")) != 0)
		return error;
	for (i = 0; !error && i < scan->deletes.count; i++)
		if (scan->deletes.items[i].content == RAT_CONTENT_EQUALITY_DELETES)
			error = put_equality_delete(sql, scan, store, &scan->deletes.items[i]);
	return error;
}

/*
 * Whether DuckDB may read files by their Hive-style folders, which lets it
 * skip the files a filter on a partition column rules out before opening
 * them (read_parquet's schema map, which maps columns by field id, cannot be
 * combined with that). Only when the map would change nothing: one schema,
 * every file written by librat (its snapshot says so: the file's columns
 * carry the schema's names and types), identity partitions of date, int or
 * long columns, and every file's local path naming exactly its partition
 * values as col=value folders. *types receives the hive_types map.
 */
static bool hive_readable(const rat_scan *scan, const rat_data_file *const *files, size_t count,
			  const rat_strarray *locals, rat_buf *types)
{
	const rat_table_spec *spec = count ? rat_table__spec(&scan->meta, files[0]->spec_id) : NULL;
	size_t i, j;

	if (!spec || spec->field_count == 0 || scan->meta.schema_count != 1)
		return false;
	for (j = 0; j < spec->field_count; j++) {
		const rat_table_field *f = rat_table__field(scan->schema, spec->fields[j].source_id);
		if (!f || strcmp(spec->fields[j].transform, "identity") != 0 ||
		    strcmp(f->name, spec->fields[j].name) != 0 ||
		    (strcmp(f->type, "date") != 0 && strcmp(f->type, "int") != 0 &&
		     strcmp(f->type, "long") != 0))
			return false;
	}
	for (i = 0; i < count; i++) {
		const rat_table_snapshot *by = rat_table__snapshot(&scan->meta, files[i]->snapshot_id);
		const char *engine = by ? json_string_value(json_object_get(by->summary, "engine-name"))
					: NULL, *p = locals->strings[i];
		size_t matched = 0;
		if (files[i]->spec_id != spec->spec_id || !engine || strcmp(engine, RAT_ENGINE_NAME) != 0)
			return false;
		/* every folder with '=' in the path must be the next partition field, = its value */
		for (; (p = strchr(p, '/')) != NULL; p++) {
			const char *end = strchr(p + 1, '/'), *eq = memchr(p + 1, '=', end ? (size_t)(end - p - 1) : 0);
			const rat_table_partition_field *pf = &spec->fields[matched];
			char value[64];
			json_t *want, *got = NULL;
			size_t n;
			bool same;
			if (!end || !eq)
				continue;
			n = (size_t)(end - eq - 1);
			if (matched == spec->field_count || (size_t)(eq - p - 1) != strlen(pf->name) ||
			    strncmp(p + 1, pf->name, strlen(pf->name)) != 0 || n == 0 || n >= sizeof(value))
				return false;
			memcpy(value, eq + 1, n);
			value[n] = '\0';
			want = json_object_get(files[i]->partition, pf->name);
			if (strspn(value, "0123456789-") != n || !json_is_integer(want) ||
			    rat_table__transform_value("identity",
						       rat_table__field(scan->schema, pf->source_id)->type,
						       value, &got) != 0) {
				rat_error_clear();
				return false;
			}
			same = json_equal(want, got);
			json_decref(got);
			if (!same)
				return false;
			matched++;
		}
		if (matched != spec->field_count)
			return false;
	}
	for (j = 0; j < spec->field_count; j++) {
		const rat_table_field *f = rat_table__field(scan->schema, spec->fields[j].source_id);
		if (rat_buf_puts(types, j ? ", " : "") != 0 || rat_sql__literal(types, f->name) != 0 ||
		    rat_buf_puts(types, strcmp(f->type, "date") == 0 ? ": DATE"
					: strcmp(f->type, "int") == 0 ? ": INTEGER"
					: ": BIGINT") != 0)
			return false;
	}
	return true;
}

/* SELECT list casting every column to its type (a no-op DuckDB drops when they agree). */
static int put_cast_columns(rat_buf *sql, const rat_table_schema *schema, bool with_file)
{
	size_t i;
	int error = 0;

	for (i = 0; !error && i < schema->field_count; i++) {
		rat_buf type = RAT_BUF_INIT;
		if ((error = rat_table__duckdb_type(&type, schema->fields[i].type_json)) == 0 &&
		    (error = rat_buf_puts(sql, i ? ", CAST(" : "CAST(")) == 0 &&
		    (error = rat_sql__ident(sql, schema->fields[i].name)) == 0 &&
		    (error = rat_buf_printf(sql, " AS %s) AS ", rat_buf_cstr(&type))) == 0)
			error = rat_sql__ident(sql, schema->fields[i].name);
		rat_buf_free(&type);
	}
	if (!error && with_file)
		error = rat_buf_puts(sql, ", __rat_file");
	return error;
}

/*
 * Without delete files: one read_parquet() over the file list (its local
 * paths in locals), by Hive folders when hive_readable(), else through the
 * field-id schema map.
 */
static int put_plain_read(rat_buf *sql, const rat_scan *scan, const rat_data_file *const *files,
			  size_t count, const char *list, const rat_strarray *locals, unsigned extra)
{
	rat_buf types = RAT_BUF_INIT;
	int error;

	if (!(extra & (WITH_POS | WITH_INDEX)) && hive_readable(scan, files, count, locals, &types)) {
		if ((error = rat_buf_puts(sql, "SELECT ")) == 0 &&
		    (error = put_cast_columns(sql, scan->schema, extra & WITH_FILE)) == 0)
			error = rat_buf_printf(sql, " FROM read_parquet(%s, hive_partitioning = true, "
						    "hive_types = {%s}%s)",
					       list, rat_buf_cstr(&types),
					       (extra & WITH_FILE) ? ", filename = '__rat_file'" : "");
	} else if ((error = rat_buf_puts(sql, "SELECT ")) == 0 &&
		   (error = put_columns(sql, scan->schema, NULL, extra)) == 0 &&
		   (error = rat_buf_printf(sql, " FROM read_parquet(%s, ", list)) == 0 &&
		   (error = put_schema_map(sql, scan->schema, NULL, 0)) == 0) {
		error = rat_buf_printf(sql, "%s%s)", (extra & WITH_FILE) ? ", filename='__rat_file'" : "",
				       (extra & WITH_POS) ? ", file_row_number=true" : "");
	}
	rat_buf_free(&types);
	return error;
}

static int scan_sql(const rat_scan *scan, rat_store *store, const bool *keep, unsigned extra,
		    rat_buf *sql, rat_strarray *locals)
{
	const rat_data_file **files = NULL;
	rat_strarray mine = RAT_STRARRAY_INIT;
	rat_buf list = RAT_BUF_INIT;
	size_t i, count = 0;
	int error = 0;

	if (scan->schema->field_count == 0)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "table %s has no columns",
				      scan->prefix);
	/* the local path of every data file read, by index, when the caller wants them ("" for
	 * the others: finding a remote file's local path downloads it) */
	for (i = 0; locals && !error && i < scan->data.count; i++) {
		char *key = NULL, *local = NULL;
		if (keep && !keep[i])
			error = rat_strarray__push(locals, "");
		else if ((error = rat_table__key(scan, scan->data.items[i].path, &key)) == 0 &&
		    (error = rat_store__local_path(store, key, &local)) == 0)
			error = rat_strarray__push(locals, local);
		free(key);
		free(local);
	}
	if (!error && (files = rat__calloc(scan->data.count, sizeof(*files))) == NULL)
		error = RAT_ENOMEM;
	for (i = 0; !error && i < scan->data.count; i++)
		if (!keep || keep[i])
			files[count++] = &scan->data.items[i];
	if (error) {
		/* nothing */
	} else if (count == 0) {
		error = put_empty(sql, scan->schema, extra);
	} else if (scan->deletes.count == 0) {
		/* the fast path: one read, no joins */
		if ((error = put_files(&list, scan, store, files, count, &mine)) == 0)
			error = put_plain_read(sql, scan, files, count, rat_buf_cstr(&list), &mine,
					       extra);
	} else {
		error = put_with_deletes(sql, scan, store, files, count, extra, &mine);
	}
	rat_strarray_free(&mine);
	rat_buf_free(&list);
	free(files);
	return error;
}

int rat_table__scan_sql_ex(const rat_scan *scan, rat_store *store, const bool *keep, bool with_file,
			   rat_buf *sql, rat_strarray *locals)
{
	return scan_sql(scan, store, keep, with_file ? WITH_FILE : 0, sql, locals);
}

int rat_table__scan_positions_sql(const rat_scan *scan, rat_store *store, const bool *keep,
				  rat_buf *sql, rat_strarray *locals)
{
	return scan_sql(scan, store, keep, WITH_INDEX | WITH_POS, sql, locals);
}

int rat_table__scan_sql(const rat_scan *scan, rat_store *store, rat_buf *sql)
{
	return scan_sql(scan, store, NULL, 0, sql, NULL);
}
