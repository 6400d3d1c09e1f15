/*
 * engine/engine_internal.h - shared between the engine's files. Only
 * src/engine/ includes duckdb.h.
 */
#ifndef RAT_ENGINE_INTERNAL_H
#define RAT_ENGINE_INTERNAL_H

#include <duckdb.h>

#include "util/common.h"
#include "util/buf.h"
#include "rat/engine.h"
#include "engine/engine.h"

/* An engine session: one in-memory database and its connection. */
struct rat_engine {
	duckdb_database db;
	duckdb_connection conn;
	rat_engine_resolver resolver; /* binds tables on demand (engine.h); resolve NULL: none */
	bool resolving;               /* inside the resolver: no resolving again */
	char *user_sql;               /* the user's SQL its errors are located in (position.c), or NULL */
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
