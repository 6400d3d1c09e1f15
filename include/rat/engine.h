/*
 * rat/engine.h - an engine session: embedded DuckDB configured for a workspace.
 *
 * A session applies the workspace's resource profile to DuckDB
 * (memory_limit = min(duckdb_memory_mb, max_memory_mb), threads, and a spill
 * folder under RAT_HOME/tmp/<workspace>), runs SQL and streams results chunk
 * by chunk, so a result larger than memory is never held whole.
 *
 * A session is used by one thread at a time. A result borrows its session:
 * free the result before the session.
 *
 * SQL in a session reads the workspace's tables and cannot change them: a
 * statement that would create, change or drop something in a layer schema
 * (bronze, silver, gold) or products is refused before it runs, naming
 * `rat write` and `rat drop`. Temporary tables, the session's own main
 * schema and CTEs are the session's to use. A table is written with
 * rat_engine_write_table() (below) and dropped with rat_table_drop().
 */
#ifndef RAT_ENGINE_H
#define RAT_ENGINE_H

#include "common.h"
#include "workspace.h"

RAT_BEGIN_DECL

typedef struct rat_engine rat_engine;
typedef struct rat_result rat_result;

/** Logical type of a result column. */
typedef enum rat_type {
	RAT_TYPE_OTHER = 0, /**< readable only as text / JSON */
	RAT_TYPE_NULL,      /**< the type of a bare NULL literal */
	RAT_TYPE_BOOLEAN,
	RAT_TYPE_INTEGER,   /**< any signed or unsigned integer up to 64 bits */
	RAT_TYPE_HUGEINT,   /**< 128-bit integers */
	RAT_TYPE_FLOAT,     /**< FLOAT and DOUBLE */
	RAT_TYPE_DECIMAL,
	RAT_TYPE_VARCHAR,
	RAT_TYPE_BLOB,
	RAT_TYPE_DATE,      /**< as int64: days since 1970-01-01 */
	RAT_TYPE_TIME,      /**< as int64: microseconds since midnight */
	RAT_TYPE_TIMESTAMP, /**< as int64: microseconds since the epoch */
	RAT_TYPE_TIMESTAMP_TZ,
	RAT_TYPE_INTERVAL,
	RAT_TYPE_UUID,
	RAT_TYPE_LIST,      /**< LIST and ARRAY */
	RAT_TYPE_STRUCT,
	RAT_TYPE_MAP
} rat_type;

/**
 * Open a session for a workspace: its resource profile applied, and its
 * tables on the workspace's catalog branch bound as views `layer.table`
 * over exactly their current files. The session is then locked down: SQL
 * reaches those tables and nothing else (no other folder, no ATTACH, no
 * COPY out, no SET that lifts the lock). A workspace whose branch does not
 * exist yet forks it from main first.
 * The session keeps a reference to nothing in ws; ws may be freed first.
 *
 * @param out receives the session; free with rat_engine_free()
 */
RAT_EXTERN(int) RAT_CHECKED rat_engine_open(rat_engine **out, const rat_workspace *ws);

/**
 * As rat_engine_open(), with the tables as of a catalog ref: a branch, a tag
 * or a commit (NULL: the workspace's branch).
 */
RAT_EXTERN(int) RAT_CHECKED rat_engine_open_at(rat_engine **out, const rat_workspace *ws, const char *ref);

/**
 * Ask the statement running in engine to stop, from another thread (a
 * signal handler should wake a thread that calls this: it is not
 * async-signal-safe). The running rat_engine_query(), rat_engine_exec() or
 * rat_result_next() then fails with RAT_ESQL ("INTERRUPT Error:
 * Interrupted!") and the session stays usable for the next statement.
 * Nothing happens when no statement runs. NULL is accepted.
 */
RAT_EXTERN(void) rat_engine_interrupt(rat_engine *engine);

/**
 * The memory this process may use on this machine, in MiB: the physical
 * memory, or the memory limit of the process's control group (cgroup v2
 * memory.max, or v1 memory.limit_in_bytes) when that is lower. The engine
 * gives DuckDB what the profile says even when it is more than this: callers
 * compare the two (rat_resources.engine_memory_mb) to warn.
 *
 * @return 0; RAT_ENOTFOUND when the system does not say.
 */
RAT_EXTERN(int) RAT_CHECKED rat_engine_machine_memory_mb(int64_t *out);

/** Close a session. NULL is accepted. */
RAT_EXTERN(void) rat_engine_free(rat_engine *engine);

/** How a query parameter's value is given (rat_param.kind). */
typedef enum rat_param_kind {
	RAT_PARAM_NULL = 0,
	RAT_PARAM_BOOL,   /**< int_value, 0 or 1 */
	RAT_PARAM_INT64,  /**< int_value */
	RAT_PARAM_DOUBLE, /**< double_value */
	RAT_PARAM_TEXT,   /**< text, text_len bytes: cast as the parameter's place wants (a DATE, a DECIMAL...) */
	RAT_PARAM_BLOB    /**< text, text_len bytes */
} rat_param_kind;

/** A value bound to a query parameter (rat_engine_query_params()). */
typedef struct rat_param {
	/** For `$name`: its name; NULL: the next positional parameter (`?` or `$1`, `$2`... in order). */
	const char *name;
	int kind;             /**< a rat_param_kind */
	int64_t int_value;
	double double_value;
	const char *text;
	size_t text_len;
} rat_param;

/** Run every statement of sql in order, discarding results. RAT_ESQL with the engine's message. */
RAT_EXTERN(int) RAT_CHECKED rat_engine_exec(rat_engine *engine, const char *sql);

/**
 * Run every statement of sql in order and return the result of the last,
 * streamed: rows are computed as rat_result_next() asks for them.
 *
 * @param out receives the result; free with rat_result_free() before the engine
 * @return 0; RAT_ESQL with the engine's message (which names the line).
 */
RAT_EXTERN(int) RAT_CHECKED rat_engine_query(rat_result **out, rat_engine *engine, const char *sql);

/**
 * As rat_engine_query(), the last statement's parameters bound to params
 * (never spliced into the SQL text). A parameter left without a value, or
 * a value no parameter takes, is RAT_ESQL naming it.
 */
RAT_EXTERN(int) RAT_CHECKED rat_engine_query_params(rat_result **out, rat_engine *engine, const char *sql,
						    const rat_param *params, size_t count);

RAT_EXTERN(size_t) rat_result_column_count(const rat_result *result);
/** Column name, or NULL if col is out of range. Owned by the result. */
RAT_EXTERN(const char *) rat_result_column_name(const rat_result *result, size_t col);
RAT_EXTERN(rat_type) rat_result_column_type(const rat_result *result, size_t col);
/** SQL spelling of the column type, e.g. "DECIMAL(18,3)" or "INTEGER[]". Owned by the result. */
RAT_EXTERN(const char *) rat_result_column_type_name(const rat_result *result, size_t col);

/**
 * Advance to the next row.
 * @return 1 when a row is available, 0 at the end, a negative code on failure
 *         (e.g. RAT_ESQL when the engine fails while producing rows).
 */
RAT_EXTERN(int) RAT_CHECKED rat_result_next(rat_result *result);

/** Rows returned by rat_result_next() so far. */
RAT_EXTERN(uint64_t) rat_result_row_index(const rat_result *result);

/** 1 if the current row's value in col is NULL, else 0. */
RAT_EXTERN(int) rat_result_is_null(const rat_result *result, size_t col);

/*
 * Typed getters for the current row. Each returns 0, or RAT_ETYPE when the
 * value is NULL or its type does not convert (the message names the column
 * and both types), or RAT_EINVALID for a column out of range.
 */
RAT_EXTERN(int) RAT_CHECKED rat_result_get_bool(const rat_result *result, size_t col, int *out);
/** Integers (and DATE/TIME/TIMESTAMP as documented in rat_type); out of range is RAT_ETYPE. */
RAT_EXTERN(int) RAT_CHECKED rat_result_get_int64(const rat_result *result, size_t col, int64_t *out);
/** Integers, floats and decimals. */
RAT_EXTERN(int) RAT_CHECKED rat_result_get_double(const rat_result *result, size_t col, double *out);

/**
 * Any value as text, spelled as DuckDB casts it to VARCHAR. A NULL value
 * gives *out == NULL and returns 0. The text is owned by the result and valid
 * until the next rat_result_next() or rat_result_free().
 *
 * @param len  receives the length in bytes (values may hold NUL); may be NULL
 */
RAT_EXTERN(int) RAT_CHECKED rat_result_get_text(rat_result *result, size_t col, const char **out, size_t *len);

/**
 * Any value as a JSON value: numbers and booleans bare, NULL as null, lists
 * as arrays, structs and maps as objects, everything else as a string.
 * Ownership as in rat_result_get_text(); never NULL on success.
 */
RAT_EXTERN(int) RAT_CHECKED rat_result_get_json(rat_result *result, size_t col, const char **out, size_t *len);

/** Free a result. NULL is accepted. */
RAT_EXTERN(void) rat_result_free(rat_result *result);

/*
 * Reading a result a batch at a time: the rows the engine produced next, a
 * column at a time, without a call per value (what a binding filling column
 * arrays wants). A batch holds at most 2048 rows; mixing with
 * rat_result_next() is allowed: a batch's rows are counted as returned.
 */

/**
 * Advance to the next batch of rows (the rows of the current one not yet
 * returned by rat_result_next() are skipped). The current row is then the
 * batch's first (rat_result_batch_row() moves it), so the per-row getters
 * read the batch too.
 * @return the batch's rows (> 0), 0 at the end, a negative code on failure
 *         (e.g. RAT_ESQL when the engine fails while producing rows)
 */
RAT_EXTERN(int) RAT_CHECKED rat_result_next_batch(rat_result *result);

/** Make row (0-based, in the current batch) the current row. RAT_EINVALID past the batch. */
RAT_EXTERN(int) RAT_CHECKED rat_result_batch_row(rat_result *result, size_t row);

/*
 * Copy column col of the current batch into out, one value per row of the
 * batch (as many as rat_result_next_batch() returned), and into valid (or
 * NULL) 1 for each row with a value and 0 for each NULL (whose out is 0).
 * RAT_ETYPE when the column's type does not convert (the message names the
 * column and both types), RAT_EINVALID without a current batch.
 */
/** BOOLEAN, as 0 and 1. */
RAT_EXTERN(int) RAT_CHECKED rat_result_batch_bool(const rat_result *result, size_t col, uint8_t *out, uint8_t *valid);
/**
 * As rat_result_get_int64(): integers (an unsigned value over INT64_MAX is
 * RAT_ETYPE naming the row), DATE in days, TIME in microseconds, TIMESTAMP
 * and TIMESTAMP WITH TIME ZONE in microseconds since the epoch, and
 * TIMESTAMP_S, TIMESTAMP_MS, TIMESTAMP_NS in their own unit.
 */
RAT_EXTERN(int) RAT_CHECKED rat_result_batch_int64(const rat_result *result, size_t col, int64_t *out, uint8_t *valid);
/** As rat_result_get_double(): integers, FLOAT, DOUBLE, HUGEINT, DECIMAL. */
RAT_EXTERN(int) RAT_CHECKED rat_result_batch_double(const rat_result *result, size_t col, double *out, uint8_t *valid);
/**
 * A DECIMAL of at most 18 digits as its unscaled integer (the value times
 * 10^scale), and its scale into *scale. RAT_ETYPE for a wider one (read it
 * as text) or another type.
 */
RAT_EXTERN(int) RAT_CHECKED rat_result_batch_decimal(const rat_result *result, size_t col, int64_t *out, uint8_t *valid, int *scale);
/**
 * VARCHAR and BLOB values as they are, no copy: out[i] and len[i] for each
 * row (out[i] NULL for a NULL). Valid until the next batch or
 * rat_result_free(). Other types are RAT_ETYPE: read them as text.
 */
RAT_EXTERN(int) RAT_CHECKED rat_result_batch_strings(rat_result *result, size_t col, const char **out, size_t *len);

/* Rows from the caller */

/** How a column's values are given (rat_column.kind). */
typedef enum rat_column_kind {
	RAT_COLUMN_BOOL = 1, /**< uint8_t, 0 or 1 */
	/**
	 * int64_t: an integer; for a DATE column days since 1970-01-01, for
	 * TIME microseconds since midnight, for TIMESTAMP and TIMESTAMP WITH
	 * TIME ZONE microseconds since the epoch (UTC)
	 */
	RAT_COLUMN_INT64,
	RAT_COLUMN_DOUBLE, /**< double */
	/**
	 * const char *: text cast to the column's type as DuckDB casts VARCHAR
	 * ("12.50" for a DECIMAL, "[1, 2]" for a list...); a BLOB column's
	 * bytes as they are
	 */
	RAT_COLUMN_TEXT,
	/**
	 * const char *: JSON converted to the column's type as DuckDB converts
	 * JSON (a LIST from an array, a STRUCT from an object with every field,
	 * escapes decoded)
	 */
	RAT_COLUMN_JSON
} rat_column_kind;

/** One column of rows handed to rat_engine_register_rows(). */
typedef struct rat_column {
	const char *name;
	/** Its SQL type: "BIGINT", "DATE", "DECIMAL(18,2)", "TIMESTAMP WITH TIME ZONE", "VARCHAR[]"... */
	const char *type;
	int kind;              /**< a rat_column_kind */
	const void *values;    /**< one value per row, as kind says */
	const size_t *lengths; /**< TEXT: each value's length in bytes; NULL: NUL-terminated */
	const uint8_t *valid;  /**< 1 where a row has a value, 0 for NULL; NULL: every row has one */
} rat_column;

/**
 * Make the rows the caller holds a temporary table `name` of the session
 * (replacing one of that name): SQL in the session reads it, and
 * rat_engine_write_table() writes it as a table ("SELECT * FROM name").
 * Rows are copied in batches; a value its column cannot take (text that is
 * not a date, an integer out of the column's range) is RAT_EINVALID naming
 * the column, and leaves no table.
 */
RAT_EXTERN(int) RAT_CHECKED rat_engine_register_rows(rat_engine *engine, const char *name,
						     const rat_column *columns, size_t column_count,
						     size_t row_count);

/**
 * Write rows the caller holds as a Parquet file at path (replaced), typed
 * as their columns say: what a program hands to `rat run` as an executable
 * pipeline's output (docs/pipelines.md). It uses an engine of its own,
 * bound to no workspace, with memory_mb of memory (0: 1024) and no
 * spilling. A value its column cannot take is RAT_EINVALID as in
 * rat_engine_register_rows(), and writes no file.
 */
RAT_EXTERN(int) RAT_CHECKED rat_rows_write_parquet(const char *path, const rat_column *columns,
						   size_t column_count, size_t row_count,
						   int64_t memory_mb);

/* Writing a table */

typedef enum rat_write_table_mode {
	/** The rows become the table: its schema becomes theirs (a changed type included). */
	RAT_WRITE_TABLE_OVERWRITE = 0,
	/**
	 * The rows are added. A pipeline's table follows its on_schema_change;
	 * another takes new columns and writes missing ones as NULL. A column
	 * type that cannot widen is refused (overwrite replaces the schema).
	 */
	RAT_WRITE_TABLE_APPEND = 1
} rat_write_table_mode;

typedef struct rat_write_table_options {
	unsigned int version; /**< RAT_WRITE_TABLE_OPTIONS_VERSION */
	int mode;             /**< a rat_write_table_mode; default overwrite */
	/** The branch to write: NULL for the workspace's branch; else that branch or a
	 * dev/ branch (a workspace changes only its own refs). */
	const char *branch;
	/** Who the commit names; NULL: $USER of the workspace's environment. */
	const char *author;
} rat_write_table_options;

#define RAT_WRITE_TABLE_OPTIONS_VERSION 1
#define RAT_WRITE_TABLE_OPTIONS_INIT { RAT_WRITE_TABLE_OPTIONS_VERSION, RAT_WRITE_TABLE_OVERWRITE, NULL, NULL }

/**
 * Fill opts with the defaults of version (pass RAT_WRITE_TABLE_OPTIONS_VERSION):
 * the same as RAT_WRITE_TABLE_OPTIONS_INIT. RAT_EINVALID for a version this
 * library does not know.
 */
RAT_EXTERN(int) RAT_CHECKED rat_write_table_options_init(rat_write_table_options *opts, unsigned int version);

typedef struct rat_write_table_result {
	char branch[128];      /**< the branch written */
	char commit[65];       /**< its head after the write */
	int64_t snapshot_id;   /**< the table's new snapshot */
	int64_t rows_written;  /**< rows the query gave */
	int64_t rows;          /**< rows of the table after; -1 when only a read could tell */
	int64_t checks_passed, checks_warned;
	char warnings[1024];   /**< the warn-severity checks that found rows, one per line
				    ("" when none; cut short past its size) */
} rat_write_table_result;

/**
 * Write the rows of sql, one query run in engine, as the table `table`
 * ("layer.name") of ws, and commit it on a branch (write-audit-publish):
 * the rows are written on a branch of their own (run/write-<id>), the
 * table's error-severity checks run there when it is a pipeline's (its
 * column tests and tests[]), and only when they pass does the new version
 * land on the branch, in one catalog commit. A failing check writes
 * nothing to the branch and keeps the rows on run/write-<id> for
 * inspection (the message names it). The commit lands even when the branch
 * moved meanwhile, unless the table changed there too (RAT_ECONFLICT).
 *
 * engine must be a session of ws (rat_engine_open[_at]); sql sees what the
 * session sees: the workspace's tables at its ref, its landing files, and
 * the session's own temporary tables and views (rows a caller registered).
 * When the session is bound to the branch written, it sees the new version
 * afterwards. A pipeline's table is rebuilt by its next run as usual (the
 * write does not count as the pipeline's build); a view pipeline's name is
 * refused.
 *
 * @param out filled on success (and its branch on failure)
 * @return 0; RAT_EINVALID for a bad name, branch or option, or a schema
 *         change the mode does not allow; RAT_ESQL for the query's error;
 *         RAT_ERROR when a check fails; RAT_ECONFLICT (nothing written)
 */
RAT_EXTERN(int) RAT_CHECKED rat_engine_write_table(rat_write_table_result *out, rat_engine *engine,
						   const rat_workspace *ws, const char *table,
						   const char *sql,
						   const rat_write_table_options *opts);

RAT_END_DECL

#endif
