/*
 * engine/describe.c - a query's columns as Iceberg types (see describe.h).
 */
#include "engine/engine_internal.h"
#include "engine/describe.h"
#include "util/sql.h"
#include "rat/engine.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct mapping {
	const char *column;
	int *next_id;
} mapping;

static int refuse(const mapping *m, const char *type, const char *advice)
{
	return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_ENGINE,
			      "column '%s' is %s, which an Iceberg table cannot hold: %s", m->column,
			      type, advice);
}

static int map_type(json_t **iceberg, rat_buf *written, duckdb_logical_type t, const mapping *m);

/* A child type; ownership of child is taken. */
static int map_child(json_t **iceberg, rat_buf *written, duckdb_logical_type child, const mapping *m)
{
	int error = map_type(iceberg, written, child, m);
	duckdb_destroy_logical_type(&child);
	return error;
}

static int map_struct(json_t **iceberg, rat_buf *written, duckdb_logical_type t, const mapping *m)
{
	idx_t i, n = duckdb_struct_type_child_count(t);
	json_t *fields = json_array();
	int first_id = *m->next_id, error = 0;

	*m->next_id += (int)n; /* a struct's fields take ids before their own children */
	*iceberg = json_pack("{s:s, s:o}", "type", "struct", "fields", fields);
	if (!*iceberg)
		return rat_error__oom();
	error = rat_buf_puts(written, "STRUCT(");
	for (i = 0; !error && i < n; i++) {
		char *name = duckdb_struct_type_child_name(t, i);
		json_t *child = NULL;
		if (i)
			error = rat_buf_puts(written, ", ");
		if (!error)
			error = rat_sql__ident(written, name);
		if (!error)
			error = rat_buf_putc(written, ' ');
		if (!error)
			error = map_child(&child, written, duckdb_struct_type_child_type(t, i), m);
		if (!error && json_array_append_new(fields, json_pack("{s:i, s:s, s:b, s:o}", "id",
								      first_id + (int)i, "name", name,
								      "required", 0, "type", child)) != 0)
			error = rat_error__oom();
		duckdb_free(name);
	}
	return error ? error : rat_buf_putc(written, ')');
}

static int map_list(json_t **iceberg, rat_buf *written, duckdb_logical_type child, const mapping *m)
{
	int element_id = (*m->next_id)++;
	json_t *element = NULL;
	int error = map_child(&element, written, child, m);

	if (error)
		return error;
	*iceberg = json_pack("{s:s, s:i, s:o, s:b}", "type", "list", "element-id", element_id,
			     "element", element, "element-required", 0);
	return *iceberg ? rat_buf_puts(written, "[]") : rat_error__oom();
}

static int map_map(json_t **iceberg, rat_buf *written, duckdb_logical_type t, const mapping *m)
{
	int key_id = (*m->next_id)++, value_id = (*m->next_id)++;
	json_t *key = NULL, *value = NULL;
	int error;

	if ((error = rat_buf_puts(written, "MAP(")) != 0 ||
	    (error = map_child(&key, written, duckdb_map_type_key_type(t), m)) != 0 ||
	    (error = rat_buf_puts(written, ", ")) != 0 ||
	    (error = map_child(&value, written, duckdb_map_type_value_type(t), m)) != 0) {
		json_decref(key);
		return error;
	}
	*iceberg = json_pack("{s:s, s:i, s:o, s:i, s:o, s:b}", "type", "map", "key-id", key_id,
			     "key", key, "value-id", value_id, "value", value, "value-required", 0);
	return *iceberg ? rat_buf_putc(written, ')') : rat_error__oom();
}

static int primitive(json_t **iceberg, rat_buf *written, const char *ice, const char *duck)
{
	*iceberg = json_string(ice);
	return *iceberg ? rat_buf_puts(written, duck) : rat_error__oom();
}

static int map_type(json_t **iceberg, rat_buf *written, duckdb_logical_type t, const mapping *m)
{
	char *alias = duckdb_logical_type_get_alias(t);
	bool is_json = alias && strcasecmp(alias, "JSON") == 0;

	duckdb_free(alias);
	if (is_json)
		return primitive(iceberg, written, "string", "VARCHAR");
	switch (duckdb_get_type_id(t)) {
	case DUCKDB_TYPE_BOOLEAN: return primitive(iceberg, written, "boolean", "BOOLEAN");
	case DUCKDB_TYPE_TINYINT: case DUCKDB_TYPE_SMALLINT: case DUCKDB_TYPE_INTEGER:
	case DUCKDB_TYPE_UTINYINT: case DUCKDB_TYPE_USMALLINT:
		return primitive(iceberg, written, "int", "INTEGER");
	case DUCKDB_TYPE_BIGINT: case DUCKDB_TYPE_UINTEGER:
		return primitive(iceberg, written, "long", "BIGINT");
	case DUCKDB_TYPE_FLOAT: return primitive(iceberg, written, "float", "FLOAT");
	case DUCKDB_TYPE_DOUBLE: return primitive(iceberg, written, "double", "DOUBLE");
	case DUCKDB_TYPE_DECIMAL: {
		char ice[40], duck[40];
		snprintf(ice, sizeof(ice), "decimal(%u, %u)", duckdb_decimal_width(t), duckdb_decimal_scale(t));
		snprintf(duck, sizeof(duck), "DECIMAL(%u,%u)", duckdb_decimal_width(t), duckdb_decimal_scale(t));
		return primitive(iceberg, written, ice, duck);
	}
	case DUCKDB_TYPE_VARCHAR: case DUCKDB_TYPE_ENUM:
		return primitive(iceberg, written, "string", "VARCHAR");
	case DUCKDB_TYPE_BLOB: return primitive(iceberg, written, "binary", "BLOB");
	case DUCKDB_TYPE_UUID: return primitive(iceberg, written, "uuid", "UUID");
	case DUCKDB_TYPE_DATE: return primitive(iceberg, written, "date", "DATE");
	case DUCKDB_TYPE_TIME: return primitive(iceberg, written, "time", "TIME");
	case DUCKDB_TYPE_TIMESTAMP: case DUCKDB_TYPE_TIMESTAMP_S: case DUCKDB_TYPE_TIMESTAMP_MS:
		return primitive(iceberg, written, "timestamp", "TIMESTAMP");
	case DUCKDB_TYPE_TIMESTAMP_TZ:
		return primitive(iceberg, written, "timestamptz", "TIMESTAMP WITH TIME ZONE");
	case DUCKDB_TYPE_STRUCT: return map_struct(iceberg, written, t, m);
	case DUCKDB_TYPE_LIST: return map_list(iceberg, written, duckdb_list_type_child_type(t), m);
	case DUCKDB_TYPE_ARRAY: return map_list(iceberg, written, duckdb_array_type_child_type(t), m);
	case DUCKDB_TYPE_MAP: return map_map(iceberg, written, t, m);
	case DUCKDB_TYPE_HUGEINT:
		/* what sum() and count-like math of integers give: written as long, a value
		 * beyond 64 bits fails the write with DuckDB's conversion error, never wraps */
		return primitive(iceberg, written, "long", "BIGINT");
	case DUCKDB_TYPE_UHUGEINT: return refuse(m, "UHUGEINT", "cast it to DECIMAL(38,0)");
	case DUCKDB_TYPE_UBIGINT: return refuse(m, "UBIGINT", "cast it to DECIMAL(20,0) or BIGINT");
	case DUCKDB_TYPE_INTERVAL: return refuse(m, "INTERVAL", "store it as a number (e.g. epoch seconds) or text");
	case DUCKDB_TYPE_TIME_TZ: return refuse(m, "TIME WITH TIME ZONE", "cast it to TIME (in UTC)");
	case DUCKDB_TYPE_TIMESTAMP_NS: return refuse(m, "TIMESTAMP_NS", "cast it to TIMESTAMP (microseconds)");
	case DUCKDB_TYPE_UNION: return refuse(m, "a UNION", "split it into columns or a STRUCT");
	case DUCKDB_TYPE_BIT: return refuse(m, "BIT", "cast it to VARCHAR or BLOB");
	case DUCKDB_TYPE_SQLNULL: /* DuckDB projects a bare NULL as INTEGER; kept for safety */
		return refuse(m, "an untyped NULL", "give it a type, e.g. CAST(NULL AS VARCHAR)");
	default: return refuse(m, "of a type with no Iceberg form", "cast it to VARCHAR");
	}
}

static int describe_column(rat_column_desc *c, duckdb_logical_type t, int *next_id)
{
	rat_buf written = RAT_BUF_INIT;
	mapping m = { c->name, next_id };
	int error = map_type(&c->iceberg_type, &written, t, &m);

	if (!error && (c->written_type = rat_buf_detach(&written)) == NULL)
		error = RAT_ENOMEM;
	rat_buf_free(&written);
	return error;
}

int rat_engine__describe(rat_query_desc *out, rat_engine *engine, const char *sql, int *next_id)
{
	duckdb_prepared_statement stmt = NULL;
	size_t i, j;
	int error = 0;

	memset(out, 0, sizeof(*out));
	if ((error = rat_engine__prepare(&stmt, engine, sql)) != 0)
		goto cleanup;
	if (duckdb_prepared_statement_type(stmt) != DUCKDB_STATEMENT_TYPE_SELECT) {
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_ENGINE,
				       "a table is written from one SELECT statement");
		goto cleanup;
	}
	out->count = (size_t)duckdb_prepared_statement_column_count(stmt);
	if ((out->columns = rat__calloc(out->count, sizeof(*out->columns))) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	for (i = 0; !error && i < out->count; i++) {
		/* the C API allocates the name: ours is a copy, theirs goes back */
		const char *name = duckdb_prepared_statement_column_name(stmt, i);
		if ((out->columns[i].name = rat__strdup(name ? name : "")) == NULL)
			error = RAT_ENOMEM;
		duckdb_free((void *)name);
		for (j = 0; !error && j < i; j++)
			if (strcasecmp(out->columns[j].name, out->columns[i].name) == 0)
				error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_ENGINE,
						       "two columns are named '%s': give them distinct "
						       "names (AS ...)",
						       out->columns[i].name);
		out->columns[i].field_id = (*next_id)++; /* top-level ids first */
	}
	for (i = 0; !error && i < out->count; i++) {
		duckdb_logical_type t = duckdb_prepared_statement_column_logical_type(stmt, i);
		error = describe_column(&out->columns[i], t, next_id);
		duckdb_destroy_logical_type(&t);
	}
cleanup:
	if (stmt)
		duckdb_destroy_prepare(&stmt);
	if (error)
		rat_engine__query_desc_free(out);
	return error;
}

void rat_engine__query_desc_free(rat_query_desc *desc)
{
	size_t i;

	for (i = 0; i < desc->count; i++) {
		free(desc->columns[i].name);
		free(desc->columns[i].written_type);
		json_decref(desc->columns[i].iceberg_type);
	}
	free(desc->columns);
	memset(desc, 0, sizeof(*desc));
}
