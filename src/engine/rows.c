/*
 * engine/rows.c - rows a caller holds, made a temporary table of the
 * session (rat_engine_register_rows, rat/engine.h), filled through DuckDB's
 * appender a vector (2048 rows) at a time. Values come as booleans, int64,
 * doubles or text. Where the column's type takes them as they are (int64
 * into any integer or temporal column, doubles into FLOAT or DOUBLE, text
 * into VARCHAR or BLOB) the vectors are the table's own; otherwise (text
 * into a DECIMAL or a list...) they fill a staging table the table is then
 * cast from, as DuckDB casts. A failure drops both: nothing half-filled is
 * left.
 */
#include "engine/engine_internal.h"
#include "rat/engine.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One column's vector type (the kind's, or the temporal column's own) and its target. */
typedef struct fill {
	const rat_column *column;
	duckdb_type target;  /* the table column's type */
	duckdb_type vector;  /* what the chunk holds */
} fill;

static int invalid(const char *table, size_t col, const rat_column *c, const char *what)
{
	if (c)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "rows '%s', column %zu ('%s'): %s",
				      table, col + 1, c->name ? c->name : "?", what);
	return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "rows '%s': %s", table, what);
}

static int check_columns(const char *name, const rat_column *columns, size_t count, size_t rows)
{
	size_t i;

	if (count == 0 || !columns)
		return invalid(name, 0, NULL, "no column given (a table needs one)");
	for (i = 0; i < count; i++) {
		const rat_column *c = &columns[i];
		if (!c->name || !c->name[0])
			return invalid(name, i, c, "a column needs a name");
		if (!c->type || !c->type[0])
			return invalid(name, i, c, "a column needs an SQL type");
		if (c->kind < RAT_COLUMN_BOOL || c->kind > RAT_COLUMN_JSON)
			return invalid(name, i, c, "unknown kind of values");
		if (rows > 0 && !c->values)
			return invalid(name, i, c, "no values given");
	}
	return 0;
}

/* sql is one statement: a column's type ends where the type does, or nothing is run. */
static int one_statement(rat_engine *engine, const char *name, const char *sql)
{
	duckdb_extracted_statements statements = NULL;
	idx_t count = duckdb_extract_statements(engine->conn, sql, &statements);

	duckdb_destroy_extracted(&statements);
	return count == 1 ? 0 : invalid(name, 0, NULL, "a column's type is not one SQL type");
}

/* CREATE OR REPLACE TEMP TABLE "name" ("col" TYPE, ...), run as the session's own SQL. */
static int create_table(rat_engine *engine, const char *name, const rat_column *columns,
			const char *const *types, size_t count)
{
	rat_buf sql = RAT_BUF_INIT;
	size_t i;
	int error = rat_buf_puts(&sql, "CREATE OR REPLACE TEMP TABLE ");

	if (!error)
		error = rat_sql__ident(&sql, name);
	for (i = 0; !error && i < count; i++)
		if ((error = rat_buf_puts(&sql, i ? ", " : " (")) == 0 &&
		    (error = rat_sql__ident(&sql, columns[i].name)) == 0 &&
		    (error = rat_buf_puts(&sql, " ")) == 0)
			error = rat_buf_puts(&sql, types[i]);
	if (!error && (error = rat_buf_puts(&sql, ")")) == 0 &&
	    (error = one_statement(engine, name, rat_buf_cstr(&sql))) == 0)
		error = rat_engine_exec(engine, rat_buf_cstr(&sql));
	rat_buf_free(&sql);
	return error;
}

/* CREATE OR REPLACE TEMP TABLE "name" AS SELECT CAST("col" AS TYPE) AS "col", ... FROM "staging". */
static int cast_table(rat_engine *engine, const char *name, const char *staging,
		      const rat_column *columns, size_t count)
{
	rat_buf sql = RAT_BUF_INIT;
	size_t i;
	int error = rat_buf_puts(&sql, "CREATE OR REPLACE TEMP TABLE ");

	if (!error && (error = rat_sql__ident(&sql, name)) == 0)
		error = rat_buf_puts(&sql, " AS SELECT ");
	for (i = 0; !error && i < count; i++) {
		bool json = columns[i].kind == RAT_COLUMN_JSON; /* through DuckDB's JSON, not its literals */
		if ((error = rat_buf_puts(&sql, i ? ", CAST(" : "CAST(")) == 0 &&
		    (error = rat_buf_puts(&sql, json ? "CAST(" : "")) == 0 &&
		    (error = rat_sql__ident(&sql, columns[i].name)) == 0 &&
		    (error = rat_buf_printf(&sql, "%s AS %s) AS ", json ? " AS JSON)" : "",
					    columns[i].type)) == 0)
			error = rat_sql__ident(&sql, columns[i].name);
	}
	if (!error && (error = rat_buf_puts(&sql, " FROM temp.main.")) == 0 &&
	    (error = rat_sql__ident(&sql, staging)) == 0)
		error = rat_engine_exec(engine, rat_buf_cstr(&sql));
	rat_buf_free(&sql);
	if (error == RAT_ESQL) {
		char what[2048];
		snprintf(what, sizeof(what), "%s", rat_error_last()->message);
		return invalid(name, 0, NULL, what);
	}
	return error;
}

static void drop_table(rat_engine *engine, const char *name)
{
	rat_buf sql = RAT_BUF_INIT;
	rat_error_saved saved;

	rat_error__save(&saved); /* the failure that made us drop it is the one to tell */
	if (rat_buf_puts(&sql, "DROP TABLE IF EXISTS temp.main.") == 0 &&
	    rat_sql__ident(&sql, name) == 0)
		rat__ignore(rat_engine_exec(engine, rat_buf_cstr(&sql)));
	rat_error__restore(&saved);
	rat_buf_free(&sql);
}

/* The vector type a column's values fill: the target's own when they go in as they are. */
static duckdb_type vector_type(int kind, duckdb_type target)
{
	switch (kind) {
	case RAT_COLUMN_BOOL: return DUCKDB_TYPE_BOOLEAN;
	case RAT_COLUMN_DOUBLE: return target == DUCKDB_TYPE_FLOAT ? target : DUCKDB_TYPE_DOUBLE;
	case RAT_COLUMN_TEXT: return target == DUCKDB_TYPE_BLOB ? DUCKDB_TYPE_BLOB : DUCKDB_TYPE_VARCHAR;
	case RAT_COLUMN_JSON: return DUCKDB_TYPE_VARCHAR;
	default:
		switch (target) {
		case DUCKDB_TYPE_TINYINT: case DUCKDB_TYPE_SMALLINT: case DUCKDB_TYPE_INTEGER:
		case DUCKDB_TYPE_UTINYINT: case DUCKDB_TYPE_USMALLINT: case DUCKDB_TYPE_UINTEGER:
		case DUCKDB_TYPE_UBIGINT: case DUCKDB_TYPE_DATE: case DUCKDB_TYPE_TIME:
		case DUCKDB_TYPE_TIMESTAMP: case DUCKDB_TYPE_TIMESTAMP_TZ: return target;
		case DUCKDB_TYPE_TIMESTAMP_S: case DUCKDB_TYPE_TIMESTAMP_MS:
		case DUCKDB_TYPE_TIMESTAMP_NS: return DUCKDB_TYPE_TIMESTAMP;
		default: return DUCKDB_TYPE_BIGINT;
		}
	}
}

/* The SQL name of a vector type vector_type() gives. */
static const char *vector_type_name(duckdb_type t)
{
	switch (t) {
	case DUCKDB_TYPE_BOOLEAN: return "BOOLEAN";
	case DUCKDB_TYPE_DOUBLE: return "DOUBLE";
	case DUCKDB_TYPE_FLOAT: return "FLOAT";
	case DUCKDB_TYPE_BLOB: return "BLOB";
	case DUCKDB_TYPE_VARCHAR: return "VARCHAR";
	case DUCKDB_TYPE_TINYINT: return "TINYINT";
	case DUCKDB_TYPE_SMALLINT: return "SMALLINT";
	case DUCKDB_TYPE_INTEGER: return "INTEGER";
	case DUCKDB_TYPE_UTINYINT: return "UTINYINT";
	case DUCKDB_TYPE_USMALLINT: return "USMALLINT";
	case DUCKDB_TYPE_UINTEGER: return "UINTEGER";
	case DUCKDB_TYPE_UBIGINT: return "UBIGINT";
	case DUCKDB_TYPE_DATE: return "DATE";
	case DUCKDB_TYPE_TIME: return "TIME";
	case DUCKDB_TYPE_TIMESTAMP: return "TIMESTAMP";
	case DUCKDB_TYPE_TIMESTAMP_TZ: return "TIMESTAMP WITH TIME ZONE";
	default: return "BIGINT";
	}
}

/* An int64 out of an integer column's range: RAT_EINVALID naming it. */
static int out_of_range(const char *table, size_t col, const rat_column *c, int64_t x, size_t row,
			const char *type)
{
	char what[128];

	snprintf(what, sizeof(what), "%" PRId64 " (row %zu) does not fit in %s", x, row + 1, type);
	return invalid(table, col, c, what);
}

/* int64 x into slot i of an integer or temporal vector of type t. */
static int put_int64(void *data, size_t i, duckdb_type t, int64_t x)
{
	switch (t) {
	case DUCKDB_TYPE_TINYINT:
		if (x < INT8_MIN || x > INT8_MAX) return 1;
		((int8_t *)data)[i] = (int8_t)x; return 0;
	case DUCKDB_TYPE_SMALLINT:
		if (x < INT16_MIN || x > INT16_MAX) return 1;
		((int16_t *)data)[i] = (int16_t)x; return 0;
	case DUCKDB_TYPE_INTEGER:
		if (x < INT32_MIN || x > INT32_MAX) return 1;
		((int32_t *)data)[i] = (int32_t)x; return 0;
	case DUCKDB_TYPE_DATE: /* the outermost two are DuckDB's infinities */
		if (x <= INT32_MIN + 1 || x >= INT32_MAX - 1) return 1;
		((int32_t *)data)[i] = (int32_t)x; return 0;
	case DUCKDB_TYPE_UTINYINT:
		if (x < 0 || x > UINT8_MAX) return 1;
		((uint8_t *)data)[i] = (uint8_t)x; return 0;
	case DUCKDB_TYPE_USMALLINT:
		if (x < 0 || x > UINT16_MAX) return 1;
		((uint16_t *)data)[i] = (uint16_t)x; return 0;
	case DUCKDB_TYPE_UINTEGER:
		if (x < 0 || x > (int64_t)UINT32_MAX) return 1;
		((uint32_t *)data)[i] = (uint32_t)x; return 0;
	case DUCKDB_TYPE_UBIGINT:
		if (x < 0) return 1;
		((uint64_t *)data)[i] = (uint64_t)x; return 0;
	default: ((int64_t *)data)[i] = x; return 0;
	}
}

/* Rows [from, from + n) of column f into vector v; 0 or RAT_EINVALID naming the value. */
static int fill_vector(const char *table, size_t col, const fill *f, duckdb_vector v, size_t from,
		       size_t n)
{
	const rat_column *c = f->column;
	void *data = duckdb_vector_get_data(v);
	uint64_t *validity = NULL;
	size_t i;

	if (c->valid) {
		duckdb_vector_ensure_validity_writable(v);
		validity = duckdb_vector_get_validity(v);
	}
	for (i = 0; i < n; i++) {
		size_t row = from + i;
		if (c->valid && !c->valid[row]) {
			duckdb_validity_set_row_invalid(validity, i);
			continue;
		}
		switch (c->kind) {
		case RAT_COLUMN_BOOL: ((bool *)data)[i] = ((const uint8_t *)c->values)[row] != 0; break;
		case RAT_COLUMN_DOUBLE:
			if (f->vector == DUCKDB_TYPE_FLOAT)
				((float *)data)[i] = (float)((const double *)c->values)[row];
			else
				((double *)data)[i] = ((const double *)c->values)[row];
			break;
		case RAT_COLUMN_TEXT:
		case RAT_COLUMN_JSON: {
			const char *s = ((const char *const *)c->values)[row];
			if (!s)
				return invalid(table, col, c, "a value is NULL: mark it in valid instead");
			duckdb_vector_assign_string_element_len(v, i, s, c->lengths ? c->lengths[row] : strlen(s));
			break;
		}
		default:
			if (put_int64(data, i, f->vector, ((const int64_t *)c->values)[row]) != 0)
				return out_of_range(table, col, c, ((const int64_t *)c->values)[row], row,
						    vector_type_name(f->vector));
		}
	}
	return 0;
}

/* Append rows [from, from + n) of every column as one chunk. */
static int append_chunk(duckdb_appender app, duckdb_data_chunk chunk, const char *table,
			const fill *fills, size_t count, size_t from, size_t n)
{
	size_t i;
	int error;

	duckdb_data_chunk_reset(chunk);
	for (i = 0; i < count; i++)
		if ((error = fill_vector(table, i, &fills[i], duckdb_data_chunk_get_vector(chunk, i),
					 from, n)) != 0)
			return error;
	duckdb_data_chunk_set_size(chunk, n);
	if (duckdb_append_data_chunk(app, chunk) == DuckDBError) {
		const char *message = duckdb_appender_error(app);
		char what[1024];
		snprintf(what, sizeof(what), "rows %zu to %zu: %s", from + 1, from + n,
			 message ? message : "the engine refused them");
		return invalid(table, 0, NULL, what);
	}
	return 0;
}

/* The chunk every batch of rows is copied into, typed after fills. */
static int make_chunk(duckdb_data_chunk *out, const fill *fills, size_t count)
{
	duckdb_logical_type *types = rat__calloc(count, sizeof(*types));
	size_t i;

	*out = NULL;
	if (!types)
		return RAT_ENOMEM;
	for (i = 0; i < count; i++)
		types[i] = duckdb_create_logical_type(fills[i].vector);
	*out = duckdb_create_data_chunk(types, count);
	for (i = 0; i < count; i++)
		duckdb_destroy_logical_type(&types[i]);
	free(types);
	return *out ? 0 : RAT_ENOMEM;
}

/* An appender on the session's temporary table `table`. */
static int open_appender(duckdb_appender *app, rat_engine *engine, const char *table,
			 const char *name)
{
	int error = 0;

	*app = NULL;
	if (duckdb_appender_create_ext(engine->conn, "temp", "main", table, app) == DuckDBError) {
		const char *message = *app ? duckdb_appender_error(*app) : NULL;
		error = invalid(name, 0, NULL, message ? message : "the engine cannot append to it");
		if (*app)
			duckdb_appender_destroy(app);
	}
	return error;
}

/* Every row into the temporary table `table`, through its appender, in chunks of fills' types. */
static int append_rows(rat_engine *engine, const char *table, const char *name, const fill *fills,
		       size_t count, size_t rows)
{
	duckdb_appender app = NULL;
	duckdb_data_chunk chunk = NULL;
	size_t i, step = duckdb_vector_size();
	int error;

	if ((error = open_appender(&app, engine, table, name)) != 0)
		return error;
	error = make_chunk(&chunk, fills, count);
	for (i = 0; !error && i < rows; i += step)
		error = append_chunk(app, chunk, name, fills, count, i, rows - i < step ? rows - i : step);
	if (!error && duckdb_appender_close(app) == DuckDBError) {
		const char *message = duckdb_appender_error(app);
		error = invalid(name, 0, NULL, message ? message : "the engine refused the rows");
	}
	if (chunk)
		duckdb_destroy_data_chunk(&chunk);
	duckdb_appender_destroy(&app);
	return error;
}

/* Each column's type in the created table `name`, and the vector its values fill; *cast when one differs. */
static int plan(fill *fills, bool *cast, rat_engine *engine, const char *name,
		const rat_column *columns, size_t count)
{
	duckdb_appender app = NULL;
	size_t i;
	int error = open_appender(&app, engine, name, name);

	*cast = false;
	for (i = 0; !error && i < count; i++) {
		duckdb_logical_type target = duckdb_appender_column_type(app, i);
		fills[i].column = &columns[i];
		fills[i].target = duckdb_get_type_id(target);
		duckdb_destroy_logical_type(&target);
		fills[i].vector = vector_type(columns[i].kind, fills[i].target);
		*cast = *cast || fills[i].vector != fills[i].target || columns[i].kind == RAT_COLUMN_JSON;
	}
	if (app)
		duckdb_appender_destroy(&app);
	return error;
}

/* The rows into a staging table of the vectors' types, then `name` cast from it. */
static int fill_by_casting(rat_engine *engine, const char *name, const fill *fills,
			   const rat_column *columns, size_t count, size_t rows)
{
	const char **types = rat__calloc(count, sizeof(*types));
	rat_buf staging = RAT_BUF_INIT;
	size_t i;
	int error;

	if (!types)
		return RAT_ENOMEM;
	for (i = 0; i < count; i++)
		types[i] = vector_type_name(fills[i].vector);
	if ((error = rat_buf_printf(&staging, "rat_staging_%s", name)) == 0 &&
	    (error = create_table(engine, staging.ptr, columns, types, count)) == 0) {
		if ((error = append_rows(engine, staging.ptr, name, fills, count, rows)) == 0)
			error = cast_table(engine, name, staging.ptr, columns, count);
		drop_table(engine, staging.ptr);
	}
	rat_buf_free(&staging);
	free(types);
	return error;
}

int rat_engine_register_rows(rat_engine *engine, const char *name, const rat_column *columns,
			     size_t count, size_t rows)
{
	const char **types = NULL;
	fill *fills = NULL;
	bool cast = false;
	size_t i;
	int error;

	if (!engine || !name || !name[0])
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "rows need a session and a table name");
	if ((error = check_columns(name, columns, count, rows)) != 0)
		return error;
	types = rat__calloc(count, sizeof(*types));
	fills = rat__calloc(count, sizeof(*fills));
	if (!types || !fills) {
		free(types);
		free(fills);
		return RAT_ENOMEM;
	}
	for (i = 0; i < count; i++)
		types[i] = columns[i].type;
	if ((error = create_table(engine, name, columns, types, count)) == 0 &&
	    (error = plan(fills, &cast, engine, name, columns, count)) == 0)
		error = cast ? fill_by_casting(engine, name, fills, columns, count, rows)
			     : append_rows(engine, name, name, fills, count, rows);
	if (error)
		drop_table(engine, name);
	free(types);
	free(fills);
	return error;
}

int rat_rows_write_parquet(const char *path, const rat_column *columns, size_t count, size_t rows,
			   int64_t memory_mb)
{
	rat_engine_config config = { memory_mb > 0 ? memory_mb : 1024, 1, NULL };
	rat_engine *engine = NULL;
	rat_buf sql = RAT_BUF_INIT;
	int error;

	if (!path || !path[0])
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "rows need a file to go to");
	if ((error = rat_engine__open(&engine, &config)) == 0 &&
	    (error = rat_engine_register_rows(engine, "rows", columns, count, rows)) == 0 &&
	    (error = rat_buf_puts(&sql, "COPY temp.main.rows TO ")) == 0 &&
	    (error = rat_sql__literal(&sql, path)) == 0 &&
	    (error = rat_buf_puts(&sql, " (FORMAT PARQUET)")) == 0 &&
	    (error = rat_engine__exec_own(engine, rat_buf_cstr(&sql))) != 0)
		rat_error__prefix("writing %s", path);
	rat_buf_free(&sql);
	rat_engine_free(engine);
	return error;
}
