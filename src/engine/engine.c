/*
 * engine/engine.c - engine sessions (rat/engine.h): an in-memory DuckDB
 * database opened from a plain config (engine.h), SQL execution, and
 * streamed results.
 *
 * Settings applied at open: memory_limit and threads as configured,
 * temp_directory (where DuckDB spills when memory runs out), no automatic extension
 * downloads (there is no network to fetch them from), and TimeZone UTC so
 * that results do not depend on the machine's zone.
 *
 * A query of several statements runs them in order; the last one's result is
 * streamed chunk by chunk.
 */
#include "engine/engine_internal.h"
#include "engine/engine.h"
#include "util/fs.h"
#include "rat/engine.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct column {
	char *name;
	char *type_name;
	rat_type type;
	duckdb_logical_type logical;
	rat_buf text; /* text/JSON of the current row, on demand */
	int text_mode; /* -1: not computed for this row; else the rat_format_mode held */
} column;

struct rat_result {
	duckdb_result result;
	bool has_result;
	column *columns;
	size_t column_count;
	duckdb_data_chunk chunk;
	idx_t chunk_rows;
	idx_t row;        /* index in chunk of the current row */
	bool positioned;  /* a current row exists */
	bool done;
	uint64_t rows;
};

const char *rat_engine_version(void)
{
	return duckdb_library_version();
}

static int set_option(duckdb_config config, const char *name, const char *value)
{
	if (duckdb_set_config(config, name, value) == DuckDBError)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_ENGINE,
				      "engine refused setting %s = '%s'", name, value);
	return 0;
}

int rat_engine__open(rat_engine **out, const rat_engine_config *cfg)
{
	rat_engine *engine = NULL;
	duckdb_config config = NULL;
	char value[64], *open_error = NULL;
	int error = 0;

	*out = NULL;
	/* DuckDB creates the spill folder's last level only, when it first spills */
	if (cfg->temp_dir && (error = rat_fs__mkdir_p(cfg->temp_dir)) != 0)
		return error;
	if ((engine = rat__calloc(1, sizeof(*engine))) == NULL)
		return RAT_ENOMEM;
	if (duckdb_create_config(&config) == DuckDBError) {
		error = rat_error__oom();
		goto cleanup;
	}
	snprintf(value, sizeof(value), "%" PRId64 "MiB", cfg->memory_mb);
	if ((error = set_option(config, "memory_limit", value)) != 0)
		goto cleanup;
	snprintf(value, sizeof(value), "%" PRId64, cfg->threads);
	if ((error = set_option(config, "threads", value)) != 0 ||
	    (error = set_option(config, "temp_directory", cfg->temp_dir ? cfg->temp_dir : "")) != 0 ||
	    (error = set_option(config, "autoinstall_known_extensions", "false")) != 0)
		goto cleanup;
	if (duckdb_open_ext(NULL, &engine->db, config, &open_error) == DuckDBError) {
		error = rat_error__set(RAT_ESQL, RAT_ERRCLASS_ENGINE, "cannot start the engine: %s",
				       open_error ? open_error : "unknown error");
		goto cleanup;
	}
	if (duckdb_connect(engine->db, &engine->conn) == DuckDBError) {
		error = rat_error__set(RAT_ESQL, RAT_ERRCLASS_ENGINE, "cannot connect to the engine");
		goto cleanup;
	}
	if ((error = rat_engine_exec(engine, "SET TimeZone = 'UTC'")) != 0)
		goto cleanup;
	*out = engine;
	engine = NULL;
cleanup:
	if (open_error)
		duckdb_free(open_error);
	if (config)
		duckdb_destroy_config(&config);
	rat_engine_free(engine);
	return error;
}

void rat_engine_interrupt(rat_engine *engine)
{
	if (engine && engine->conn)
		duckdb_interrupt(engine->conn);
}

void rat_engine_free(rat_engine *engine)
{
	if (!engine)
		return;
	if (engine->resolver.free)
		engine->resolver.free(engine->resolver.payload);
	free(engine->user_sql);
	if (engine->conn)
		duckdb_disconnect(&engine->conn);
	if (engine->db)
		duckdb_close(&engine->db);
	rat_strarray_free(&engine->protected);
	free(engine->protect_hint);
	free(engine->session_workspace);
	free(engine->session_ref);
	free(engine);
}

/* The detail of a DuckDB error type (util/error.h). */
static int detail_of(duckdb_error_type type)
{
	switch (type) {
	case DUCKDB_ERROR_CATALOG: return RAT_DETAIL_ENGINE_CATALOG;
	case DUCKDB_ERROR_BINDER: return RAT_DETAIL_ENGINE_BINDER;
	case DUCKDB_ERROR_OUT_OF_MEMORY: return RAT_DETAIL_ENGINE_OUT_OF_MEMORY;
	default: return RAT_DETAIL_NONE;
	}
}

/*
 * The detail of an error DuckDB's C API gives as text only (preparing,
 * pending, splitting statements): its message starts with the type's name
 * ("Catalog Error: ..."), the one place where the engine reads it.
 */
int rat_engine__detail_of_message(const char *message)
{
	static const struct {
		const char *prefix;
		duckdb_error_type type;
	} types[] = {
		{ "Catalog Error", DUCKDB_ERROR_CATALOG },
		{ "Binder Error", DUCKDB_ERROR_BINDER },
		{ "Out of Memory Error", DUCKDB_ERROR_OUT_OF_MEMORY },
	};
	size_t i;

	for (i = 0; message && i < RAT_ARRAY_SIZE(types); i++)
		if (strncmp(message, types[i].prefix, strlen(types[i].prefix)) == 0)
			return detail_of(types[i].type);
	return RAT_DETAIL_NONE;
}

/*
 * RAT_ESQL with DuckDB's message and what it says failed; for a statement
 * holding the session's user SQL, its position there (position.c).
 */
static int sql_error_detail(const rat_engine *engine, const char *sql, const char *message,
			    int detail)
{
	rat_engine_position at;

	if (!message)
		message = "the engine failed without a message";
	rat_engine__locate(&at, engine, sql, message);
	rat_error__set(RAT_ESQL, RAT_ERRCLASS_ENGINE, "%.*s", (int)at.keep, message);
	rat_error__set_detail(detail);
	if (at.found)
		rat_error__set_position(at.offset);
	return RAT_ESQL;
}

/* An error given as text only. */
static int sql_error(const rat_engine *engine, const char *sql, const char *message)
{
	return sql_error_detail(engine, sql, message, rat_engine__detail_of_message(message));
}

/* The error of a failed result, typed. */
static int result_error(const rat_engine *engine, const char *sql, duckdb_result *result)
{
	return sql_error_detail(engine, sql, duckdb_result_error(result),
				detail_of(duckdb_result_error_type(result)));
}

/* Split sql into statements; none is an error. */
static int extract(duckdb_extracted_statements *out, idx_t *count, rat_engine *engine,
		   const char *sql)
{
	*count = duckdb_extract_statements(engine->conn, sql, out);
	if (*count == 0) {
		const char *message = duckdb_extract_statements_error(*out);
		int error = message ? sql_error(engine, sql, message)
				    : rat_error__set(RAT_ESQL, RAT_ERRCLASS_ENGINE,
						     "no SQL statement given");
		duckdb_destroy_extracted(out);
		return error;
	}
	return 0;
}

typedef duckdb_state (*prepare_fn)(rat_engine *engine, void *ctx, duckdb_prepared_statement *stmt);

/* Prepare with fn, again while a catalog miss makes the resolver bind more tables. */
static int prepare_rebinding(duckdb_prepared_statement *stmt, rat_engine *engine, prepare_fn fn,
			     void *ctx, const char *sql)
{
	bool again = true;
	int error = 0;

	while (again) {
		if (fn(engine, ctx, stmt) != DuckDBError)
			return 0;
		if ((error = rat_engine__rebind_after(engine, duckdb_prepare_error(*stmt), &again)) ==
			    0 &&
		    !again)
			error = sql_error(engine, sql, duckdb_prepare_error(*stmt));
		duckdb_destroy_prepare(stmt);
	}
	return error;
}

/* Statement i of sql, extracted in *statements. */
typedef struct extracted {
	duckdb_extracted_statements *statements;
	const char *sql;
	idx_t i;
	bool tried;
} extracted;

/*
 * Preparing takes the statement out of *statements, so a retry after the
 * resolver bound more tables splits sql again.
 */
static duckdb_state prepare_extracted(rat_engine *engine, void *ctx, duckdb_prepared_statement *stmt)
{
	extracted *x = ctx;
	idx_t count;

	if (x->tried) {
		duckdb_destroy_extracted(x->statements);
		if ((count = duckdb_extract_statements(engine->conn, x->sql, x->statements)) <= x->i) {
			*stmt = NULL;
			return DuckDBError;
		}
	}
	x->tried = true;
	return duckdb_prepare_extracted_statement(engine->conn, *x->statements, x->i, stmt);
}

/* Prepare statement i of g, then let the guard refuse it (guard.c). */
static int prepare(duckdb_prepared_statement *stmt, rat_engine *engine,
		   duckdb_extracted_statements *statements, rat_guard *g, idx_t i)
{
	extracted x = { statements, g->sql, i, false };
	int error;

	*stmt = NULL;
	if ((error = rat_engine__guard_before(engine, g, i)) != 0)
		return error;
	/* DuckDB counts a later statement's lines from its own start, which is not known here */
	error = prepare_rebinding(stmt, engine, prepare_extracted, &x, i == 0 ? g->sql : NULL);
	if (error)
		return rat_engine__guard_unprepared(engine, g, i, error);
	if ((error = rat_engine__guard_prepared(engine, g, i, *stmt)) != 0)
		duckdb_destroy_prepare(stmt);
	return error;
}

static duckdb_state prepare_whole(rat_engine *engine, void *ctx, duckdb_prepared_statement *stmt)
{
	return duckdb_prepare(engine->conn, ctx, stmt);
}

int rat_engine__prepare(duckdb_prepared_statement *stmt, rat_engine *engine, const char *sql)
{
	int error;

	*stmt = NULL;
	{
		rat_guard g = RAT_GUARD_INIT(sql, 1);
		error = rat_engine__guard_before(engine, &g, 0);
		rat_engine__guard_free(&g);
	}
	if (error || (error = rat_engine__resolve(engine, sql)) != 0)
		return error;
	return prepare_rebinding(stmt, engine, prepare_whole, (void *)sql, sql);
}

static int run_discarding(rat_engine *engine, duckdb_extracted_statements *statements,
			  rat_guard *g, idx_t i)
{
	duckdb_prepared_statement stmt = NULL;
	duckdb_result result;
	int error;

	if ((error = prepare(&stmt, engine, statements, g, i)) != 0)
		return error;
	if (duckdb_execute_prepared(stmt, &result) == DuckDBError)
		error = result_error(engine, i == 0 ? g->sql : NULL, &result);
	duckdb_destroy_result(&result);
	duckdb_destroy_prepare(&stmt);
	return error ? error : rat_engine__guard_ran(engine, g, i);
}

int rat_engine_exec(rat_engine *engine, const char *sql)
{
	duckdb_extracted_statements statements = NULL;
	idx_t count, i;
	int error;

	if ((error = rat_engine__resolve(engine, sql)) != 0 ||
	    (error = extract(&statements, &count, engine, sql)) != 0)
		return error;
	{
		rat_guard g = RAT_GUARD_INIT(sql, count);
		for (i = 0; !error && i < count; i++)
			error = run_discarding(engine, &statements, &g, i);
		rat_engine__guard_free(&g);
	}
	duckdb_destroy_extracted(&statements);
	return error;
}

static int describe_columns(rat_result *r)
{
	size_t i;

	r->column_count = (size_t)duckdb_column_count(&r->result);
	if ((r->columns = rat__calloc(r->column_count, sizeof(column))) == NULL)
		return RAT_ENOMEM;
	for (i = 0; i < r->column_count; i++) {
		column *c = &r->columns[i];
		rat_buf name = RAT_BUF_INIT;
		int error;

		c->logical = duckdb_column_logical_type(&r->result, i);
		c->type = rat_engine__type(c->logical);
		c->text_mode = -1;
		if ((error = rat_engine__type_name(&name, c->logical)) != 0) {
			rat_buf_free(&name);
			return error;
		}
		c->type_name = rat_buf_detach(&name);
		c->name = rat__strdup(duckdb_column_name(&r->result, i));
		if (!c->type_name || !c->name)
			return RAT_ENOMEM;
	}
	return 0;
}

/*
 * Run the prepared last statement into r->result: streamed, or whole when
 * the guard checks it after it runs (a CREATE it could not plan).
 */
static int execute_last(rat_engine *engine, duckdb_prepared_statement stmt, rat_guard *g, idx_t i,
			rat_result *r)
{
	duckdb_pending_result pending = NULL;
	duckdb_state state;
	int error = 0;

	if (g->check_after) {
		state = duckdb_execute_prepared(stmt, &r->result);
	} else if (duckdb_pending_prepared_streaming(stmt, &pending) == DuckDBError) {
		error = sql_error(engine, i == 0 ? g->sql : NULL, duckdb_pending_error(pending));
		duckdb_destroy_pending(&pending);
		return error;
	} else {
		state = duckdb_execute_pending(pending, &r->result);
		duckdb_destroy_pending(&pending);
	}
	if (state == DuckDBError) {
		error = result_error(engine, i == 0 ? g->sql : NULL, &r->result);
		duckdb_destroy_result(&r->result);
		return error;
	}
	r->has_result = true;
	return rat_engine__guard_ran(engine, g, i);
}

int rat_engine_query(rat_result **out, rat_engine *engine, const char *sql)
{
	duckdb_extracted_statements statements = NULL;
	duckdb_prepared_statement stmt = NULL;
	rat_result *r = NULL;
	rat_guard g = RAT_GUARD_INIT(sql, 0);
	idx_t count, i;
	int error;

	*out = NULL;
	if ((error = rat_engine__resolve(engine, sql)) != 0 ||
	    (error = extract(&statements, &count, engine, sql)) != 0)
		return error;
	g.count = count;
	for (i = 0; i + 1 < count; i++)
		if ((error = run_discarding(engine, &statements, &g, i)) != 0)
			goto cleanup;
	if ((error = prepare(&stmt, engine, &statements, &g, count - 1)) != 0)
		goto cleanup;
	if ((r = rat__calloc(1, sizeof(*r))) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = execute_last(engine, stmt, &g, count - 1, r)) != 0 ||
	    (error = describe_columns(r)) != 0)
		goto cleanup;
	*out = r;
	r = NULL;
cleanup:
	rat_result_free(r);
	if (stmt)
		duckdb_destroy_prepare(&stmt);
	duckdb_destroy_extracted(&statements);
	rat_engine__guard_free(&g);
	return error;
}

size_t rat_result_column_count(const rat_result *r)
{
	return r->column_count;
}

const char *rat_result_column_name(const rat_result *r, size_t col)
{
	return col < r->column_count ? r->columns[col].name : NULL;
}

rat_type rat_result_column_type(const rat_result *r, size_t col)
{
	return col < r->column_count ? r->columns[col].type : RAT_TYPE_OTHER;
}

const char *rat_result_column_type_name(const rat_result *r, size_t col)
{
	return col < r->column_count ? r->columns[col].type_name : NULL;
}

uint64_t rat_result_row_index(const rat_result *r)
{
	return r->rows;
}

int rat_result_next(rat_result *r)
{
	size_t i;

	if (r->done)
		return 0;
	for (i = 0; i < r->column_count; i++)
		r->columns[i].text_mode = -1;
	if (r->positioned && r->row + 1 < r->chunk_rows) {
		r->row++;
		r->rows++;
		return 1;
	}
	r->positioned = false;
	for (;;) {
		if (r->chunk)
			duckdb_destroy_data_chunk(&r->chunk);
		r->chunk = duckdb_fetch_chunk(r->result);
		if (!r->chunk) {
			r->done = true;
			return duckdb_result_error(&r->result) ? result_error(NULL, NULL, &r->result) : 0;
		}
		r->chunk_rows = duckdb_data_chunk_get_size(r->chunk);
		if (r->chunk_rows > 0)
			break;
	}
	r->row = 0;
	r->positioned = true;
	r->rows++;
	return 1;
}

static int check_cell(const rat_result *r, size_t col)
{
	if (col >= r->column_count)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "column %zu out of range (the result has %zu)", col,
				      r->column_count);
	if (!r->positioned)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "no current row: call rat_result_next() first");
	return 0;
}

static duckdb_vector cell_vector(const rat_result *r, size_t col)
{
	return duckdb_data_chunk_get_vector(r->chunk, col);
}

int rat_result_is_null(const rat_result *r, size_t col)
{
	uint64_t *validity;

	if (check_cell(r, col) != 0)
		return 1;
	if (r->columns[col].type == RAT_TYPE_NULL)
		return 1;
	validity = duckdb_vector_get_validity(cell_vector(r, col));
	return validity && !duckdb_validity_row_is_valid(validity, r->row);
}

static int type_error(const rat_result *r, size_t col, const char *wanted)
{
	if (rat_result_is_null(r, col))
		return rat_error__set(RAT_ETYPE, RAT_ERRCLASS_ENGINE,
				      "column '%s' is NULL in row %" PRIu64 " (read as %s)",
				      r->columns[col].name, r->rows, wanted);
	return rat_error__set(RAT_ETYPE, RAT_ERRCLASS_ENGINE, "column '%s' is %s, not %s",
			      r->columns[col].name, r->columns[col].type_name, wanted);
}

int rat_result_get_bool(const rat_result *r, size_t col, int *out)
{
	int error = check_cell(r, col);

	if (error)
		return error;
	if (r->columns[col].type != RAT_TYPE_BOOLEAN || rat_result_is_null(r, col))
		return type_error(r, col, "a boolean");
	*out = ((bool *)duckdb_vector_get_data(cell_vector(r, col)))[r->row] ? 1 : 0;
	return 0;
}

int rat_result_get_int64(const rat_result *r, size_t col, int64_t *out)
{
	void *data;
	idx_t row = r->row;
	int error = check_cell(r, col);

	if (error)
		return error;
	if (rat_result_is_null(r, col))
		return type_error(r, col, "an integer");
	data = duckdb_vector_get_data(cell_vector(r, col));
	switch (duckdb_get_type_id(r->columns[col].logical)) {
	case DUCKDB_TYPE_BOOLEAN: *out = ((bool *)data)[row]; return 0;
	case DUCKDB_TYPE_TINYINT: *out = ((int8_t *)data)[row]; return 0;
	case DUCKDB_TYPE_SMALLINT: *out = ((int16_t *)data)[row]; return 0;
	case DUCKDB_TYPE_INTEGER: *out = ((int32_t *)data)[row]; return 0;
	case DUCKDB_TYPE_BIGINT: *out = ((int64_t *)data)[row]; return 0;
	case DUCKDB_TYPE_UTINYINT: *out = ((uint8_t *)data)[row]; return 0;
	case DUCKDB_TYPE_USMALLINT: *out = ((uint16_t *)data)[row]; return 0;
	case DUCKDB_TYPE_UINTEGER: *out = ((uint32_t *)data)[row]; return 0;
	case DUCKDB_TYPE_UBIGINT:
		if (((uint64_t *)data)[row] > INT64_MAX)
			return rat_error__set(RAT_ETYPE, RAT_ERRCLASS_ENGINE,
					      "column '%s': %" PRIu64 " does not fit in int64",
					      r->columns[col].name, ((uint64_t *)data)[row]);
		*out = (int64_t)((uint64_t *)data)[row];
		return 0;
	case DUCKDB_TYPE_DATE: *out = ((duckdb_date *)data)[row].days; return 0;
	case DUCKDB_TYPE_TIME: *out = ((duckdb_time *)data)[row].micros; return 0;
	case DUCKDB_TYPE_TIMESTAMP:
	case DUCKDB_TYPE_TIMESTAMP_TZ: *out = ((int64_t *)data)[row]; return 0;
	default: return type_error(r, col, "an integer");
	}
}

int rat_result_get_double(const rat_result *r, size_t col, double *out)
{
	duckdb_logical_type type;
	void *data;
	int64_t i;
	int error = check_cell(r, col);

	if (error)
		return error;
	if (rat_result_is_null(r, col))
		return type_error(r, col, "a number");
	type = r->columns[col].logical;
	data = duckdb_vector_get_data(cell_vector(r, col));
	switch (duckdb_get_type_id(type)) {
	case DUCKDB_TYPE_FLOAT: *out = ((float *)data)[r->row]; return 0;
	case DUCKDB_TYPE_DOUBLE: *out = ((double *)data)[r->row]; return 0;
	case DUCKDB_TYPE_HUGEINT: *out = duckdb_hugeint_to_double(((duckdb_hugeint *)data)[r->row]); return 0;
	case DUCKDB_TYPE_DECIMAL: {
		const char *text;
		/* through the exact text: the decimal's internal width varies */
		if ((error = rat_result_get_text((rat_result *)r, col, &text, NULL)) != 0)
			return error;
		*out = strtod(text, NULL);
		return 0;
	}
	default:
		if (r->columns[col].type == RAT_TYPE_INTEGER &&
		    duckdb_get_type_id(type) != DUCKDB_TYPE_UBIGINT &&
		    rat_result_get_int64(r, col, &i) == 0) {
			*out = (double)i;
			return 0;
		}
		if (duckdb_get_type_id(type) == DUCKDB_TYPE_UBIGINT) {
			*out = (double)((uint64_t *)data)[r->row];
			return 0;
		}
		return type_error(r, col, "a number");
	}
}

static int get_formatted(rat_result *r, size_t col, rat_format_mode mode, const char **out,
			 size_t *len)
{
	column *c;
	int error = check_cell(r, col);

	if (error)
		return error;
	c = &r->columns[col];
	if (c->text_mode != (int)mode) {
		rat_buf_clear(&c->text);
		if (rat_result_is_null(r, col))
			error = mode == RAT_FORMAT_JSON ? rat_buf_puts(&c->text, "null") : 0;
		else
			error = rat_engine__format(&c->text, cell_vector(r, col), c->logical, r->row, mode);
		if (!error && !c->text.ptr)
			error = rat_buf_put(&c->text, "", 0);
		if (error)
			return error;
		c->text_mode = (int)mode;
	}
	*out = c->text.ptr;
	if (len)
		*len = c->text.len;
	return 0;
}

int rat_result_get_text(rat_result *r, size_t col, const char **out, size_t *len)
{
	int error;

	*out = NULL;
	if (len)
		*len = 0;
	if ((error = check_cell(r, col)) != 0 || rat_result_is_null(r, col))
		return error;
	return get_formatted(r, col, RAT_FORMAT_TEXT, out, len);
}

int rat_result_get_json(rat_result *r, size_t col, const char **out, size_t *len)
{
	*out = NULL;
	return get_formatted(r, col, RAT_FORMAT_JSON, out, len);
}

void rat_result_free(rat_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->column_count; i++) {
		free(r->columns[i].name);
		free(r->columns[i].type_name);
		rat_buf_free(&r->columns[i].text);
		if (r->columns[i].logical)
			duckdb_destroy_logical_type(&r->columns[i].logical);
	}
	free(r->columns);
	if (r->chunk)
		duckdb_destroy_data_chunk(&r->chunk);
	if (r->has_result)
		duckdb_destroy_result(&r->result);
	free(r);
}
