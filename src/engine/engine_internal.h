/*
 * engine/engine_internal.h - shared between the engine's files. Only
 * src/engine/ includes duckdb.h, through duckdb_api.h (DuckDB loaded when
 * the first engine opens).
 */
#ifndef RAT_ENGINE_INTERNAL_H
#define RAT_ENGINE_INTERNAL_H

#include "engine/duckdb_api.h"

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
	rat_engine_stager *stagers;   /* folders a user fills, read through staged links (stage.c) */
	size_t stager_count;
	bool staged;                  /* a stager staged something: results and messages unstaged */
	const char *stage_original;   /* the statement running, as given, when it was staged; or NULL */
	const struct rat_engine_edits *stage_edits; /* where its literals were rewritten */                /* where its literals were rewritten */
};

/** Free the session's stagers (their payloads included). */
void rat_engine__stagers_free(rat_engine *engine);
/**
 * text with every literal under a stager's folder pointing at its staged
 * folder (stage: staging what they name, as rat_engine__stage_sql() does)
 * into out; *changed says whether any did. edits (or NULL) records, for
 * each literal replaced, where it was in text and both lengths, in order.
 */
typedef struct rat_engine_edit {
	size_t at, old_len, new_len;
} rat_engine_edit;
typedef struct rat_engine_edits {
	rat_engine_edit *items;
	size_t count, cap;
} rat_engine_edits;
RAT_MUST_USE int rat_engine__rewrite(const rat_engine *engine, const char *text, bool stage,
				     rat_buf *out, bool *changed, rat_engine_edits *edits);
/**
 * sql with the literals under a stager's `from` staged and pointing under
 * its `to` (*out, to free; edits, or NULL, says where), or *out NULL when
 * it names none.
 */
RAT_MUST_USE int rat_engine__stage_sql(rat_engine *engine, const char *sql, char **out,
				       rat_engine_edits *edits);
/** An offset into a rewritten text as an offset into the text it came from. */
size_t rat_engine__edits_unmap(const rat_engine_edits *edits, size_t offset);
void rat_engine__edits_free(rat_engine_edits *edits);
/**
 * message about statement sql (NULL: unknown), which ran staged, into out
 * with the user's folders back: DuckDB's excerpt quoted again from the
 * statement as given (engine->stage_original), at the same place; without
 * one, as rat_engine__unstage_message() gives it.
 */
RAT_MUST_USE int rat_engine__restage_excerpt(const rat_engine *engine, const char *sql,
					     const char *message, rat_buf *out);
/** message with staged folders unstaged (a kept excerpt's caret moved with them), into out. */
RAT_MUST_USE int rat_engine__unstage_message(const rat_engine *engine, const char *message,
					     rat_buf *out);

/* A result's column (result.c). */
typedef struct rat_result_column {
	char *name;
	char *type_name;
	rat_type type;
	duckdb_logical_type logical;
	rat_buf text; /* text/JSON of the current row, on demand */
	int text_mode; /* -1: not computed for this row; else the rat_format_mode held */
	rat_buf batch_text; /* a batch's strings, unstaged (rat_result_batch_strings) */
} rat_result_column;

struct rat_result {
	duckdb_result result;
	bool has_result;
	rat_result_column *columns;
	size_t column_count;
	duckdb_data_chunk chunk;
	idx_t chunk_rows;
	idx_t row;        /* index in chunk of the current row */
	bool positioned;  /* a current row exists */
	bool batched;     /* the chunk was taken whole (rat_result_next_batch) */
	bool done;
	uint64_t rows;
	const rat_engine *engine; /* whose staged folders text results unstage (stage.c) */
};

/** RAT_ESQL with the error of a failed result of statement sql (NULL: unknown; engine NULL: none). */
RAT_MUST_USE int rat_engine__result_error(const rat_engine *engine, const char *sql,
					  duckdb_result *result);
/** Fill r's columns from its DuckDB result (result.c). */
RAT_MUST_USE int rat_engine__describe_columns(rat_result *r);

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
