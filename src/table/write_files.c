/*
 * table/write_files.c - write the rows as Parquet data files and describe them.
 *
 * One COPY writes every file: the table's columns in schema order, each cast
 * to the type its Iceberg type is written as and tagged with its field id
 * (nested fields too), so any Iceberg reader maps them by id. Partitioned
 * tables are written in Hive-style folders by DuckDB itself; a temporal
 * partition (day(ts), ...) adds a column holding the folder value, which the
 * table's schema does not list and readers, projecting by field id, skip.
 * A folder may hold several partitions (DuckDB names both NULL and the
 * string 'NULL' p=NULL), so every file gets a UUID of its own: the
 * manifest, not the folder, says which partition a file holds.
 * RETURN_STATS gives each file's row count, size, per-column null counts and
 * min/max, from which the manifest's statistics and partition values come.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/sql.h"
#include "rat/engine.h"
#include "engine/engine.h"
#include "table/scan.h"
#include "table/write_internal.h"
#include "table/write_stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The FIELD_IDS entry of a type: an id, or {__duckdb_field_id: id, children...}. */
static int put_field_ids(rat_buf *sql, int id, json_t *type)
{
	const char *kind = json_is_object(type) ? json_string_value(json_object_get(type, "type")) : NULL;
	size_t i;
	int error;

	if (!kind)
		return rat_buf_printf(sql, "%d", id);
	if ((error = rat_buf_printf(sql, "{__duckdb_field_id: %d", id)) != 0)
		return error;
	if (strcmp(kind, "struct") == 0) {
		json_t *fields = json_object_get(type, "fields");
		for (i = 0; !error && i < json_array_size(fields); i++) {
			json_t *f = json_array_get(fields, i);
			if ((error = rat_buf_puts(sql, ", ")) == 0 &&
			    (error = rat_sql__literal(sql, json_string_value(json_object_get(f, "name")))) == 0 &&
			    (error = rat_buf_puts(sql, ": ")) == 0)
				error = put_field_ids(sql, (int)json_integer_value(json_object_get(f, "id")),
						      json_object_get(f, "type"));
		}
	} else if (strcmp(kind, "list") == 0) {
		if ((error = rat_buf_puts(sql, ", element: ")) == 0)
			error = put_field_ids(sql, (int)json_integer_value(json_object_get(type, "element-id")),
					      json_object_get(type, "element"));
	} else if (strcmp(kind, "map") == 0) {
		if ((error = rat_buf_puts(sql, ", key: ")) == 0 &&
		    (error = put_field_ids(sql, (int)json_integer_value(json_object_get(type, "key-id")),
					   json_object_get(type, "key"))) == 0 &&
		    (error = rat_buf_puts(sql, ", value: ")) == 0)
			error = put_field_ids(sql, (int)json_integer_value(json_object_get(type, "value-id")),
					      json_object_get(type, "value"));
	}
	return error ? error : rat_buf_putc(sql, '}');
}

/* SELECT list: every table column cast to its written type (NULL when the query lacks it). */
static int put_select_list(rat_buf *sql, const writer *w, const rat_table_schema *schema)
{
	size_t i;
	int error = 0;

	for (i = 0; !error && i < schema->field_count; i++) {
		const rat_table_field *f = &schema->fields[i];
		const rat_column_desc *c = rat_table__query_column(w, f->name);
		rat_buf type = RAT_BUF_INIT;
		if ((error = rat_table__duckdb_type(&type, f->type_json)) != 0)
			break;
		error = rat_buf_puts(sql, i ? ", CAST(" : "CAST(");
		if (!error)
			error = rat_buf_puts(sql, c ? "q." : "NULL");
		if (!error && c)
			error = rat_sql__ident(sql, c->name);
		if (!error)
			error = rat_buf_printf(sql, " AS %s) AS ", rat_buf_cstr(&type));
		if (!error)
			error = rat_sql__ident(sql, f->name);
		rat_buf_free(&type);
	}
	return error;
}

static const char *folder_format(const char *transform)
{
	if (strcmp(transform, "year") == 0)
		return "%Y";
	if (strcmp(transform, "month") == 0)
		return "%Y-%m";
	if (strcmp(transform, "day") == 0)
		return "%Y-%m-%d";
	if (strcmp(transform, "hour") == 0)
		return "%Y-%m-%d-%H";
	return NULL;
}

int rat_table__copy_sql(rat_buf *sql, const writer *w, const char *select_sql, const char *uuid)
{
	const rat_table_schema *schema = rat_table__schema(&w->meta, w->meta.current_schema_id);
	const rat_table_spec *spec = rat_table__spec(&w->meta, w->meta.default_spec_id);
	size_t i, parts = spec ? spec->field_count : 0;
	int error;

	if ((error = rat_buf_puts(sql, "COPY (SELECT ")) != 0 ||
	    (error = put_select_list(sql, w, schema)) != 0)
		return error;
	for (i = 0; !error && i < parts; i++) {
		const rat_table_partition_field *pf = &spec->fields[i];
		const rat_table_field *source = rat_table__field(schema, pf->source_id);
		if (!folder_format(pf->transform))
			continue; /* identity: the column's own folder */
		if ((error = rat_buf_puts(sql, ", strftime(")) == 0 &&
		    (error = rat_sql__ident(sql, source ? source->name : "?")) == 0 &&
		    (error = rat_buf_printf(sql, ", '%s') AS ", folder_format(pf->transform))) == 0)
			error = rat_sql__ident(sql, pf->name);
	}
	if (!error)
		error = rat_buf_printf(sql, " FROM (%s\n) AS q) TO ", select_sql);
	if (!error)
		error = parts ? rat_sql__literal(sql, w->stage)
			      : rat_buf_printf(sql, "'%s/data-%s.parquet'", w->stage, uuid);
	if (!error)
		error = rat_buf_puts(sql, " (FORMAT parquet, RETURN_STATS, FIELD_IDS {");
	for (i = 0; !error && i < schema->field_count; i++) {
		if ((error = rat_buf_puts(sql, i ? ", " : "")) == 0 &&
		    (error = rat_sql__literal(sql, schema->fields[i].name)) == 0 &&
		    (error = rat_buf_puts(sql, ": ")) == 0)
			error = put_field_ids(sql, schema->fields[i].id, schema->fields[i].type_json);
	}
	if (!error)
		error = rat_buf_putc(sql, '}');
	/* the schema the file was written with, as Iceberg's own writers record it */
	if (!error) {
		char *json = json_dumps(schema->json, JSON_COMPACT);
		if (!json)
			error = rat_error__oom();
		if (!error)
			error = rat_buf_puts(sql, ", KV_METADATA {'iceberg.schema': ");
		if (!error)
			error = rat_sql__literal(sql, json);
		if (!error)
			error = rat_buf_putc(sql, '}');
		free(json);
	}
	if (!error && parts) {
		error = rat_buf_puts(sql, ", PARTITION_BY (");
		for (i = 0; !error && i < parts; i++) {
			const rat_table_field *source = rat_table__field(schema, spec->fields[i].source_id);
			if ((error = rat_buf_puts(sql, i ? ", " : "")) == 0)
				error = rat_sql__ident(sql, folder_format(spec->fields[i].transform)
							       ? spec->fields[i].name
							       : source->name);
		}
		if (!error)
			error = rat_buf_printf(sql, "), WRITE_PARTITION_COLUMNS true, "
						    "FILENAME_PATTERN 'data-%s-{uuid}'", uuid);
	}
	if (!error && w->opts->row_group_size > 0)
		error = rat_buf_printf(sql, ", ROW_GROUP_SIZE %lld", (long long)w->opts->row_group_size);
	return error ? error : rat_buf_putc(sql, ')');
}

/* A column's statistics in RETURN_STATS: keyed by the quoted name. */
static json_t *column_stats(json_t *stats, const char *name)
{
	char quoted[300];
	json_t *s;

	snprintf(quoted, sizeof(quoted), "\"%s\"", name);
	s = json_object_get(stats, quoted);
	return s ? s : json_object_get(stats, name);
}

static int64_t stat_count(json_t *column, const char *key)
{
	const char *text = json_string_value(json_object_get(column, key));
	return text ? strtoll(text, NULL, 10) : -1;
}

static int describe_stats(rat_data_file *f, const rat_table_schema *schema, json_t *stats)
{
	size_t i;

	for (i = 0; i < schema->field_count; i++) {
		const rat_table_field *field = &schema->fields[i];
		json_t *s = column_stats(stats, field->name), *lower, *upper;
		char id[16];
		int64_t nulls = stat_count(s, "null_count");
		if (!s || json_is_object(field->type_json))
			continue;
		snprintf(id, sizeof(id), "%d", field->id);
		json_object_set_new(f->value_counts, id, json_integer(f->record_count));
		if (nulls >= 0)
			json_object_set_new(f->null_counts, id, json_integer(nulls));
		lower = rat_table__bound(field->type, json_string_value(json_object_get(s, "min")), false);
		upper = rat_table__bound(field->type, json_string_value(json_object_get(s, "max")), true);
		if (lower && upper) {
			json_object_set_new(f->lower_bounds, id, lower);
			json_object_set_new(f->upper_bounds, id, upper);
		} else {
			json_decref(lower);
			json_decref(upper);
		}
	}
	return 0;
}

static int describe_partition(rat_data_file *f, const writer *w, json_t *stats, json_t *keys)
{
	const rat_table_schema *schema = rat_table__schema(&w->meta, w->meta.current_schema_id);
	const rat_table_spec *spec = rat_table__spec(&w->meta, w->meta.default_spec_id);
	size_t i;
	int error = 0;

	for (i = 0; !error && spec && i < spec->field_count; i++) {
		const rat_table_partition_field *pf = &spec->fields[i];
		const rat_table_field *source = rat_table__field(schema, pf->source_id);
		const char *column = folder_format(pf->transform) ? pf->name : source->name;
		json_t *s = column_stats(stats, column), *value = NULL;
		const char *text = json_string_value(json_object_get(keys, column));
		if (!text || stat_count(s, "null_count") == f->record_count)
			value = json_null(); /* all rows NULL: the null partition */
		else if ((error = rat_table__transform_value(pf->transform, source->type, text, &value)) != 0)
			break;
		json_object_set_new(f->partition, pf->name, value);
	}
	return error;
}

/* Upload one staged file and describe it. */
static int add_file(writer *w, json_t *row)
{
	const char *local = json_string_value(json_object_get(row, "filename"));
	size_t stage_len = strlen(w->stage);
	rat_data_file f;
	char *key = NULL;
	int error;

	memset(&f, 0, sizeof(f));
	if (!local)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_ENGINE, "COPY reported no file name");
	if (strncmp(local, w->stage, stage_len) == 0 && local[stage_len] == '/')
		key = rat__sprintf("data/%s", local + stage_len + 1);
	else
		key = rat__sprintf("data/%s", strrchr(local, '/') ? strrchr(local, '/') + 1 : local);
	f.status = RAT_ENTRY_ADDED;
	f.snapshot_id = w->snapshot_id;
	f.data_sequence_number = f.file_sequence_number = w->sequence_number;
	f.content = RAT_CONTENT_DATA;
	f.spec_id = w->meta.default_spec_id;
	f.record_count = json_integer_value(json_object_get(row, "count"));
	f.file_size = json_integer_value(json_object_get(row, "file_size_bytes"));
	f.path = key ? rat__sprintf("%s/%s", w->location, key) : NULL;
	f.format = rat__strdup("PARQUET");
	f.partition = json_object();
	f.value_counts = json_object();
	f.null_counts = json_object();
	f.lower_bounds = json_object();
	f.upper_bounds = json_object();
	if (!key || !f.path || !f.format || !f.partition || !f.value_counts || !f.null_counts ||
	    !f.lower_bounds || !f.upper_bounds)
		error = rat_error__oom();
	else if ((error = describe_stats(&f, rat_table__schema(&w->meta, w->meta.current_schema_id),
					  json_object_get(row, "column_statistics"))) == 0 &&
		 (error = describe_partition(&f, w, json_object_get(row, "column_statistics"),
					     json_object_get(row, "partition_keys"))) == 0 &&
		 (error = rat_store__put_file_consume(w->store, key, local)) == 0)
		error = rat_table__data_files_push(&w->files, &f);
	if (error)
		rat_table__data_file_clear(&f);
	free(key);
	return error;
}

int rat_table__write_files(writer *w, const char *copy_sql)
{
	rat_result *result = NULL;
	json_error_t jerr;
	size_t col, ncols;
	int step, error;

	if ((error = rat_engine__query_own(&result, w->engine, copy_sql)) != 0)
		return error;
	ncols = rat_result_column_count(result);
	while (!error && (step = rat_result_next(result)) == 1) {
		json_t *row = json_object();
		for (col = 0; row && !error && col < ncols; col++) {
			const char *json = NULL;
			json_t *value;
			if ((error = rat_result_get_json(result, col, &json, NULL)) != 0)
				break;
			value = json_loads(json, JSON_DECODE_ANY, &jerr);
			json_object_set_new(row, rat_result_column_name(result, col),
					    value ? value : json_null());
		}
		if (!row)
			error = rat_error__oom();
		if (!error && json_integer_value(json_object_get(row, "count")) > 0)
			error = add_file(w, row);
		json_decref(row);
	}
	if (!error && step < 0)
		error = step;
	rat_result_free(result);
	return error;
}
