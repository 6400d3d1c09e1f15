/*
 * table/scan_sql.c - the SQL that reads a planned scan (scan.h).
 *
 * The SQL is plain DuckDB: read_parquet() with a field-id schema map for the
 * data, anti-joins for the deletes. Without delete files it is a single
 * read_parquet() call, which DuckDB can prune and parallelise freely; files
 * librat wrote with identity partitions are read by their Hive folders.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/sql.h"
#include "table/scan.h"
#include "table/write_stats.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
