/*
 * engine/engine.c - engine sessions (rat/engine.h): an in-memory DuckDB
 * database opened from a plain config (engine.h), and SQL execution, its
 * statements staged first (stage.c); the results are result.c's.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *rat_engine_version(void)
{
	if (rat_duckdb__load() != 0) {
		rat_error_clear();
		return "(not loaded)";
	}
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
	if ((error = rat_duckdb__load()) != 0)
		return error;
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
	rat_engine__stagers_free(engine); /* after DuckDB closed what it read through them */
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
	rat_buf unstaged = RAT_BUF_INIT;

	if (!message)
		message = "the engine failed without a message";
	rat_engine__locate(&at, engine, sql, message);
	/* the user's folders as the user named them (stage.c); as DuckDB said it when out of memory */
	if (engine && engine->staged) {
		char *kept = rat__strndup(message, at.keep);
		if (kept && rat_engine__restage_excerpt(engine, sql, kept, &unstaged) == 0 &&
		    unstaged.ptr) {
			message = unstaged.ptr;
			at.keep = unstaged.len;
		}
		free(kept);
	}
	rat_error__set(RAT_ESQL, RAT_ERRCLASS_ENGINE, "%.*s", (int)at.keep, message);
	rat_error__set_detail(detail);
	if (at.found)
		rat_error__set_position(at.offset);
	rat_buf_free(&unstaged);
	return RAT_ESQL;
}

/* An error given as text only. */
static int sql_error(const rat_engine *engine, const char *sql, const char *message)
{
	return sql_error_detail(engine, sql, message, rat_engine__detail_of_message(message));
}

/* The error of a failed result, typed. */
int rat_engine__result_error(const rat_engine *engine, const char *sql, duckdb_result *result)
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

/* Run fn(engine, the SQL to run, ctx): sql, or sql pointing at the staged folders (stage.c). */
static int with_staged(rat_engine *engine, const char *sql,
		       int (*fn)(rat_engine *engine, const char *sql, void *ctx), void *ctx)
{
	const char *was = engine->stage_original;
	const rat_engine_edits *were = engine->stage_edits;
	rat_engine_edits edits = { NULL, 0, 0 };
	char *staged = NULL;
	int error = rat_engine__stage_sql(engine, sql, &staged, &edits);

	if (!error) { /* what its errors are shown in (statements may run inside: views bound) */
		engine->stage_original = staged ? sql : NULL;
		engine->stage_edits = &edits;
		error = fn(engine, staged ? staged : sql, ctx);
		engine->stage_original = was;
		engine->stage_edits = were;
	}
	rat_engine__edits_free(&edits);
	free(staged);
	return error;
}

static int prepare_staged(rat_engine *engine, const char *sql, void *ctx)
{
	duckdb_prepared_statement *stmt = ctx;
	int error;

	{
		rat_guard g = RAT_GUARD_INIT(sql, 1);
		error = rat_engine__guard_before(engine, &g, 0);
		rat_engine__guard_free(&g);
	}
	if (error || (error = rat_engine__resolve(engine, sql)) != 0)
		return error;
	return prepare_rebinding(stmt, engine, prepare_whole, (void *)sql, sql);
}

int rat_engine__prepare(duckdb_prepared_statement *stmt, rat_engine *engine, const char *sql)
{
	*stmt = NULL;
	return with_staged(engine, sql, prepare_staged, stmt);
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
		error = rat_engine__result_error(engine, i == 0 ? g->sql : NULL, &result);
	duckdb_destroy_result(&result);
	duckdb_destroy_prepare(&stmt);
	return error ? error : rat_engine__guard_ran(engine, g, i);
}

static int exec_staged(rat_engine *engine, const char *sql, void *ctx)
{
	duckdb_extracted_statements statements = NULL;
	idx_t count, i;
	int error;

	(void)ctx;
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

int rat_engine_exec(rat_engine *engine, const char *sql)
{
	return with_staged(engine, sql, exec_staged, NULL);
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
		error = rat_engine__result_error(engine, i == 0 ? g->sql : NULL, &r->result);
		duckdb_destroy_result(&r->result);
		return error;
	}
	r->has_result = true;
	return rat_engine__guard_ran(engine, g, i);
}

/* A query's result and the parameters of its last statement. */
typedef struct query_call {
	rat_result **out;
	const rat_param *params;
	size_t count;
} query_call;

static duckdb_state bind_one(duckdb_prepared_statement stmt, idx_t at, const rat_param *p)
{
	switch (p->kind) {
	case RAT_PARAM_NULL: return duckdb_bind_null(stmt, at);
	case RAT_PARAM_BOOL: return duckdb_bind_boolean(stmt, at, p->int_value != 0);
	case RAT_PARAM_INT64: return duckdb_bind_int64(stmt, at, p->int_value);
	case RAT_PARAM_DOUBLE: return duckdb_bind_double(stmt, at, p->double_value);
	case RAT_PARAM_TEXT:
		return duckdb_bind_varchar_length(stmt, at, p->text ? p->text : "", p->text_len);
	case RAT_PARAM_BLOB: return duckdb_bind_blob(stmt, at, p->text ? p->text : "", p->text_len);
	default: return DuckDBError;
	}
}

/* Bind call's parameters to the prepared statement: positional ones in order, named ones by name. */
static int bind_params(duckdb_prepared_statement stmt, const query_call *call)
{
	idx_t expected = duckdb_nparams(stmt), positional = 0, at;
	size_t i;

	for (i = 0; i < call->count; i++) {
		const rat_param *p = &call->params[i];
		if (p->kind < RAT_PARAM_NULL || p->kind > RAT_PARAM_BLOB)
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
					      "parameter %zu: unknown kind %d", i + 1, p->kind);
		if (p->name) {
			if (duckdb_bind_parameter_index(stmt, &at, p->name) == DuckDBError)
				return rat_error__set(RAT_ESQL, RAT_ERRCLASS_ENGINE,
						      "the query has no parameter $%s", p->name);
		} else if ((at = ++positional) > expected) {
			return rat_error__set(RAT_ESQL, RAT_ERRCLASS_ENGINE,
					      "the query takes %llu parameter%s, %zu given",
					      (unsigned long long)expected, expected == 1 ? "" : "s",
					      call->count);
		}
		if (bind_one(stmt, at, p) == DuckDBError)
			return rat_error__set(RAT_ESQL, RAT_ERRCLASS_ENGINE,
					      "parameter %zu%s%s: the engine refused its value", i + 1,
					      p->name ? " $" : "", p->name ? p->name : "");
	}
	if (positional < expected && call->count == positional)
		return rat_error__set(RAT_ESQL, RAT_ERRCLASS_ENGINE,
				      "the query takes %llu parameter%s, %zu given",
				      (unsigned long long)expected, expected == 1 ? "" : "s", call->count);
	return 0;
}

static int query_staged(rat_engine *engine, const char *sql, void *ctx)
{
	const query_call *call = ctx;
	duckdb_extracted_statements statements = NULL;
	duckdb_prepared_statement stmt = NULL;
	rat_result *r = NULL;
	rat_guard g = RAT_GUARD_INIT(sql, 0);
	idx_t count, i;
	int error;

	*call->out = NULL;
	if ((error = rat_engine__resolve(engine, sql)) != 0 ||
	    (error = extract(&statements, &count, engine, sql)) != 0)
		return error;
	g.count = count;
	for (i = 0; i + 1 < count; i++)
		if ((error = run_discarding(engine, &statements, &g, i)) != 0)
			goto cleanup;
	if ((error = prepare(&stmt, engine, &statements, &g, count - 1)) != 0 ||
	    (error = bind_params(stmt, call)) != 0)
		goto cleanup;
	if ((r = rat__calloc(1, sizeof(*r))) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	r->engine = engine;
	if ((error = execute_last(engine, stmt, &g, count - 1, r)) != 0 ||
	    (error = rat_engine__describe_columns(r)) != 0)
		goto cleanup;
	*call->out = r;
	r = NULL;
cleanup:
	rat_result_free(r);
	if (stmt)
		duckdb_destroy_prepare(&stmt);
	duckdb_destroy_extracted(&statements);
	rat_engine__guard_free(&g);
	return error;
}

int rat_engine_query(rat_result **out, rat_engine *engine, const char *sql)
{
	return rat_engine_query_params(out, engine, sql, NULL, 0);
}

int rat_engine_query_params(rat_result **out, rat_engine *engine, const char *sql,
			    const rat_param *params, size_t count)
{
	query_call call = { out, params, count };

	*out = NULL;
	if (count && !params)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "%zu parameters announced, none given", count);
	return with_staged(engine, sql, query_staged, &call);
}
