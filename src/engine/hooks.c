/*
 * engine/hooks.c - defining views, the resolver hook that binds tables on
 * demand, whose session an engine is, locking a session down, and librat's
 * own statements past the lock (engine.h).
 */
#include "engine/engine_internal.h"
#include "engine/engine.h"
#include "util/sql.h"
#include "rat/engine.h"

#include <stdlib.h>
#include <string.h>

int rat_engine__bind_view(rat_engine *engine, const char *schema, const char *name,
			  const char *select_sql)
{
	rat_buf sql = RAT_BUF_INIT;
	int error;

	if ((error = rat_buf_puts(&sql, "CREATE SCHEMA IF NOT EXISTS ")) != 0 ||
	    (error = rat_sql__ident(&sql, schema)) != 0 ||
	    (error = rat_buf_puts(&sql, "; CREATE OR REPLACE VIEW ")) != 0 ||
	    (error = rat_sql__ident(&sql, schema)) != 0 || (error = rat_buf_putc(&sql, '.')) != 0 ||
	    (error = rat_sql__ident(&sql, name)) != 0 ||
	    (error = rat_buf_printf(&sql, " AS %s", select_sql)) != 0)
		goto cleanup;
	/* librat's own view, in a guarded schema */
	if ((error = rat_engine__exec_own(engine, rat_buf_cstr(&sql))) != 0)
		rat_error__prefix("binding %s.%s", schema, name);
cleanup:
	rat_buf_free(&sql);
	return error;
}

void rat_engine__set_resolver(rat_engine *engine, const rat_engine_resolver *resolver)
{
	if (engine->resolver.free)
		engine->resolver.free(engine->resolver.payload);
	engine->resolver = *resolver;
}

void *rat_engine__resolver_payload(rat_engine *engine)
{
	return engine->resolver.payload;
}

int rat_engine__resolve(rat_engine *engine, const char *sql)
{
	int error;

	if (!engine->resolver.resolve || engine->resolving)
		return 0;
	engine->resolving = true;
	error = engine->resolver.resolve(engine, sql, engine->resolver.payload);
	engine->resolving = false;
	return error;
}

int rat_engine__rebind_after(rat_engine *engine, const char *message, bool *again)
{
	size_t bound = 0;
	int error;

	*again = false;
	/* a name the engine does not know: "Catalog Error: Table with name x does not exist!" */
	if (!engine->resolver.resolve_all || engine->resolving ||
	    rat_engine__detail_of_message(message) != RAT_DETAIL_ENGINE_CATALOG)
		return 0;
	engine->resolving = true;
	error = engine->resolver.resolve_all(engine, &bound, engine->resolver.payload);
	engine->resolving = false;
	*again = !error && bound > 0;
	return error;
}

int rat_engine__set_session(rat_engine *engine, const char *workspace, const char *ref)
{
	char *w = rat__strdup(workspace), *r = rat__strdup(ref);

	if (!w || !r) {
		free(w);
		free(r);
		return RAT_ENOMEM;
	}
	free(engine->session_workspace);
	free(engine->session_ref);
	engine->session_workspace = w;
	engine->session_ref = r;
	return 0;
}

const char *rat_engine__session_workspace(const rat_engine *engine)
{
	return engine->session_workspace;
}

const char *rat_engine__session_ref(const rat_engine *engine)
{
	return engine->session_ref;
}

/* "SET name = [...]" of paths (each absolute; folders ending in '/') into sql. */
static int put_paths(rat_buf *sql, const char *name, const rat_strarray *paths, bool folders)
{
	size_t i;
	int error = rat_buf_printf(sql, "SET %s = [", name);

	for (i = 0; !error && paths && i < paths->count; i++) {
		const char *path = paths->strings[i];
		size_t n = strlen(path);
		if (path[0] != '/')
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_ENGINE,
					      "an allowed path must be absolute: %s", path);
		if ((error = rat_buf_puts(sql, i ? ", " : "")) != 0)
			break;
		/* a trailing '/' keeps "/a/b" from also allowing "/a/bc" */
		if (folders && n > 0 && path[n - 1] != '/') {
			char *with_slash = rat__sprintf("%s/", path);
			error = with_slash ? rat_sql__literal(sql, with_slash) : RAT_ENOMEM;
			free(with_slash);
		} else {
			error = rat_sql__literal(sql, path);
		}
	}
	return error ? error : rat_buf_puts(sql, "]; ");
}

int rat_engine__lock(rat_engine *engine, const rat_strarray *allowed,
		     const rat_strarray *allowed_files)
{
	rat_buf sql = RAT_BUF_INIT;
	int error;

	if ((error = put_paths(&sql, "allowed_directories", allowed, true)) == 0 &&
	    (error = put_paths(&sql, "allowed_paths", allowed_files, false)) == 0)
		error = rat_buf_puts(&sql, "SET enable_external_access = false; "
					   "SET lock_configuration = true");
	if (!error && (error = rat_engine_exec(engine, rat_buf_cstr(&sql))) != 0)
		rat_error__prefix("locking the session down");
	if (!error)
		engine->writes_refused = true; /* a user's statement writes no file (guard.c) */
	rat_buf_free(&sql);
	return error;
}

int rat_engine__query_own(rat_result **out, rat_engine *engine, const char *sql)
{
	bool was_trusted = engine->trusted;
	int error;

	engine->trusted = true;
	error = rat_engine_query(out, engine, sql);
	engine->trusted = was_trusted;
	return error;
}

int rat_engine__exec_own(rat_engine *engine, const char *sql)
{
	bool was_trusted = engine->trusted;
	int error;

	engine->trusted = true;
	error = rat_engine_exec(engine, sql);
	engine->trusted = was_trusted;
	return error;
}
