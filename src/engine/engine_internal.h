/*
 * engine/engine_internal.h - shared between the engine's files. Only
 * src/engine/ includes duckdb.h.
 */
#ifndef RAT_ENGINE_INTERNAL_H
#define RAT_ENGINE_INTERNAL_H

#include <duckdb.h>

#include "util/common.h"
#include "util/buf.h"
#include "util/sql.h"
#include "rat/engine.h"
#include "engine/engine.h"

/* An engine session: one in-memory database and its connection. */
struct rat_engine {
	duckdb_database db;
	duckdb_connection conn;
	rat_engine_resolver resolver; /* binds tables on demand (engine.h); resolve NULL: none */
	bool resolving;               /* inside the resolver: no resolving again */
	char *user_sql;               /* the user's SQL its errors are located in (position.c), or NULL */
	rat_strarray protected;       /* schemas no statement may change (lowercase); none: unguarded */
	char *protect_hint;           /* what a refusal says to do instead */
	bool trusted;                 /* librat's own statements (binding views, its writes): not guarded */
	bool writes_refused;          /* locked: a user's statement writes no file (guard.c) */
	char *session_workspace;      /* whose session it is (a workspace's folder), or NULL */
	char *session_ref;            /* the ref its tables were bound at, or NULL */
};

/* Where an error DuckDB reported falls in the session's user SQL (position.c). */
typedef struct rat_engine_position {
	size_t keep;   /* the bytes of DuckDB's message to keep (its excerpt dropped or not) */
	bool found;    /* offset holds a position in the user's SQL */
	size_t offset;
} rat_engine_position;

/**
 * Read DuckDB's message about statement sql (NULL: unknown, e.g. a
 * statement after the first of several) against the session's user SQL.
 */
void rat_engine__locate(rat_engine_position *out, const rat_engine *engine, const char *sql,
			const char *message);

/* The guard's view of one SQL text being run (guard.c; rat_engine__protect). */
typedef struct rat_guard {
	const char *sql;
	idx_t count;          /* its statements, as DuckDB splits them */
	rat_sql_spans spans;  /* as util/sql_lex.c splits them, when needed */
	int split;            /* 0: not split yet; 1: the spans are DuckDB's statements; -1: not */
	rat_strarray before;  /* a statement checked after it runs: the protected tables before */
	bool check_after;     /* the statement just prepared is checked after it runs */
} rat_guard;

#define RAT_GUARD_INIT(sql, count) { (sql), (count), { NULL, 0 }, 0, RAT_STRARRAY_INIT, false }

/**
 * Statement i of g is about to be prepared: 0, or, in a locked session, the
 * refusal (RAT_ESQL) of a statement whose first word is COPY, EXPORT,
 * ATTACH or PREPARE, or that names EXPORT DATABASE (DuckDB creates
 * EXPORT's folder when it prepares it).
 */
RAT_MUST_USE int rat_engine__guard_before(rat_engine *engine, rat_guard *g, idx_t i);
/**
 * Statement i of g, prepared as stmt, is about to run: 0, or the refusal
 * (RAT_ESQL) when it would change a protected schema. When DuckDB cannot
 * say what it creates, g->check_after is set: call rat_engine__guard_ran()
 * once it ran.
 */
RAT_MUST_USE int rat_engine__guard_prepared(rat_engine *engine, rat_guard *g, idx_t i,
					    duckdb_prepared_statement stmt);
/** After statement i ran: undo and refuse a table it made in a protected schema (check_after). */
RAT_MUST_USE int rat_engine__guard_ran(rat_engine *engine, rat_guard *g, idx_t i);
/**
 * Statement i failed to prepare with error: the refusal instead when it is
 * a write (INSERT, UPDATE, DELETE, COPY FROM, MERGE, TRUNCATE) whose target
 * is in a protected schema; else error.
 */
RAT_MUST_USE int rat_engine__guard_unprepared(rat_engine *engine, rat_guard *g, idx_t i,
					      int error);
void rat_engine__guard_free(rat_guard *g);

/** The detail (util/error.h) of an engine error DuckDB gives as text only. */
int rat_engine__detail_of_message(const char *message);

/**
 * After a statement failed to prepare with message: when it is a catalog
 * miss and the resolver bound more tables, *again says to prepare it again.
 */
RAT_MUST_USE int rat_engine__rebind_after(rat_engine *engine, const char *message, bool *again);

/**
 * Prepare sql, one statement, binding the tables it names first (and again
 * after a catalog miss); errors as rat_engine_query() reports them.
 */
RAT_MUST_USE int rat_engine__prepare(duckdb_prepared_statement *stmt, rat_engine *engine,
				     const char *sql);

typedef enum rat_format_mode {
	RAT_FORMAT_TEXT = 0, /* as DuckDB casts to VARCHAR */
	RAT_FORMAT_JSON = 1
} rat_format_mode;

/** Append the value at row of vector (of logical type) to out. The value must not be NULL at top level. */
RAT_MUST_USE int rat_engine__format(rat_buf *out, duckdb_vector vector, duckdb_logical_type type,
				    idx_t row, rat_format_mode mode);
/** The SQL spelling of a type ("DECIMAL(18,3)", "INTEGER[]", ...). */
RAT_MUST_USE int rat_engine__type_name(rat_buf *out, duckdb_logical_type type);
/** Our coarse type for a DuckDB type. */
rat_type rat_engine__type(duckdb_logical_type type);

#endif
