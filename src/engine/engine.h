/*
 * engine/engine.h - the engine's internal interface: open a session from a
 * plain config, define views, bind tables on demand (a resolver hook), and
 * lock a session down.
 *
 * The lock-down sets DuckDB's allowed_directories, then
 * enable_external_access = false and lock_configuration = true: from then on
 * a read of any path outside the allowed folders (another folder, ".."
 * tricks, glob, INSTALL) is refused by the engine with "Permission Error:
 * ... disabled by configuration", and no SET can undo it, while the views
 * bound before keep reading their files. A write is refused everywhere,
 * allowed folders included (guard.c), but for librat's own statements.
 *
 * Relative paths are refused even inside an allowed folder (DuckDB checks
 * the path as written). DuckDB follows symlinks: allow only folders that
 * librat manages (table folders, caches, spill), never a folder a user
 * writes into.
 */
#ifndef RAT_ENGINE_ENGINE_H
#define RAT_ENGINE_ENGINE_H

#include "util/common.h"
#include "util/buf.h"
#include "rat/engine.h"

/** What an engine is opened with: plain settings, which the caller resolves. */
typedef struct rat_engine_config {
	int64_t memory_mb;    /* DuckDB's memory_limit, in MiB */
	int64_t threads;      /* worker threads */
	const char *temp_dir; /* where DuckDB spills; created when missing. NULL: no spilling */
} rat_engine_config;

/**
 * A session with config applied, bound to nothing and not locked: for
 * librat's own work (writing tables, ingesting). User SQL goes only to
 * sessions from rat_engine_open() / rat_engine_open_at() (session/).
 */
RAT_MUST_USE int rat_engine__open(rat_engine **out, const rat_engine_config *config);
/** Create the schema if needed and (re)define schema.name as a view of select_sql. */
RAT_MUST_USE int rat_engine__bind_view(rat_engine *engine, const char *schema, const char *name,
				       const char *select_sql);
/**
 * What binds a session's tables on demand. Before SQL runs, resolve() is
 * given its text and binds what it may name; when a statement still fails
 * to prepare with a catalog error (a name it did not see, a search_path),
 * resolve_all() binds the rest and, if it bound anything, the statement is
 * prepared again. Both run with the resolver switched off, so the SQL they
 * run (rat_engine__bind_view) is not resolved in turn.
 */
typedef struct rat_engine_resolver {
	int (*resolve)(rat_engine *engine, const char *sql, void *payload);
	/** Bind everything left; *bound receives how many were bound. */
	int (*resolve_all)(rat_engine *engine, size_t *bound, void *payload);
	void (*free)(void *payload);
	void *payload;
} rat_engine_resolver;

/** Give the session its resolver (it owns the payload from now on). */
void rat_engine__set_resolver(rat_engine *engine, const rat_engine_resolver *resolver);
/** The session's resolver payload, or NULL. */
void *rat_engine__resolver_payload(rat_engine *engine);
/** Run sql's resolver step (nothing without a resolver). */
RAT_MUST_USE int rat_engine__resolve(rat_engine *engine, const char *sql);

/**
 * A folder a user fills (landing/, a tests folder), which a locked session
 * reads only through what a stager staged (engine/stage.c): a string
 * literal or quoted name in a statement's text whose value is `from` or
 * starts with `from/` is handed to stage() (the part after `from/`, a file,
 * a folder or a glob; "" for the whole folder) and the statement runs with
 * `to` in its place, an allowed folder only librat writes. Messages and
 * text results show `from` again, and rat_engine__unstaged_select() turns
 * a query's text columns back before librat writes them into a table.
 */
typedef struct rat_engine_stager {
	const char *from; /* absolute, no trailing '/'; copied */
	const char *to;   /* absolute, no trailing '/'; copied */
	/** Stage what rel names under to, so that to/rel reads what from/rel held. */
	int (*stage)(void *payload, const char *rel);
	void (*free)(void *payload);
	void *payload;
} rat_engine_stager;

/** Add a stager to the session (it owns the payload from now on, failing or not). */
RAT_MUST_USE int rat_engine__add_stager(rat_engine *engine, const rat_engine_stager *stager);
/** Replace every staged folder's path in text with its user folder's. */
RAT_MUST_USE int rat_engine__unstage_text(const rat_engine *engine, rat_buf *text);
/**
 * select_sql with its text columns unstaged (*out, to free), for a query
 * whose rows librat writes into a table (a `filename` column of a landing
 * file keeps the file's own path); *out NULL when nothing was staged in the
 * session or the query has no text column.
 */
RAT_MUST_USE int rat_engine__unstaged_select(rat_engine *engine, const char *select_sql,
					     char **out);

/**
 * Name the user's SQL that the session's statements run, as given or inside
 * librat's own SQL (NULL: none; the session keeps a copy). An error the
 * engine reports with a position in it (DuckDB's "LINE n:" excerpt) then
 * carries the position as a byte offset into that SQL
 * (rat_error__position()) and its message loses the excerpt, which would
 * quote librat's wrapper; the caller shows the user's own lines instead.
 * An excerpt pointing into librat's SQL around the user's is dropped too.
 */
RAT_MUST_USE int rat_engine__set_user_sql(rat_engine *engine, const char *sql);

/**
 * rat_engine_machine_memory_mb() with the files read under root ("" for the
 * system's own /proc and /sys; tests give a folder holding proc/self/cgroup
 * and sys/fs/cgroup/...) and physical_mb as the machine's memory.
 */
RAT_MUST_USE int rat_engine__memory_mb(int64_t *out, int64_t physical_mb, const char *root);

/**
 * Guard the session's schemas (a workspace's layers and products; created
 * when missing): from now on a statement that would create, change or drop
 * anything in one of them, or attach a database under one of their names,
 * is refused before it runs (RAT_ESQL), naming the statement and its
 * target, then hint (what to do instead). librat's own view definitions
 * (rat_engine__bind_view) are not guarded. See guard.c.
 */
RAT_MUST_USE int rat_engine__protect(rat_engine *engine, const char *const *schemas, size_t count,
				     const char *hint);

/**
 * Record whose session this is: the workspace folder and the ref its tables
 * are bound at (copied), so that a write through it can check it writes
 * that workspace's tables. Both NULL for librat's own sessions.
 */
RAT_MUST_USE int rat_engine__set_session(rat_engine *engine, const char *workspace,
					 const char *ref);
const char *rat_engine__session_workspace(const rat_engine *engine);
const char *rat_engine__session_ref(const rat_engine *engine);

/**
 * Lock the session down to the given absolute folders, and the given files
 * (NULL: none), for reading: from then on a statement that writes a file or
 * could (COPY, EXPORT DATABASE, ATTACH, PREPARE) is refused before it runs
 * (RAT_ESQL), whatever folder it names. Irreversible.
 */
RAT_MUST_USE int rat_engine__lock(rat_engine *engine, const rat_strarray *allowed_dirs,
				  const rat_strarray *allowed_files);

/**
 * librat's own statements, past the guard and the lock's refusals (the
 * table writer's COPY into its staging folder): as rat_engine_query() /
 * rat_engine_exec(). sql may embed a user's SQL only as one query that
 * DuckDB prepared alone as a SELECT (rat_engine__describe() checks it), on
 * a line of its own inside parentheses, so that it cannot close them.
 */
RAT_MUST_USE int rat_engine__query_own(rat_result **out, rat_engine *engine, const char *sql);
RAT_MUST_USE int rat_engine__exec_own(rat_engine *engine, const char *sql);

#endif
