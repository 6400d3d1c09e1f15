/*
 * table/write_split.c - a write the engine ran out of memory for, again in
 * key ranges.
 *
 * Some operators of the engine (DuckDB 1.4's window functions, measured in
 * bench/README.md) only spill part of their state: a deduplication such as
 * `QUALIFY row_number() OVER (PARTITION BY id ...) = 1` needs about 150
 * bytes a row in memory, whatever the memory limit and spill folder. When
 * the write's one COPY fails with "Out of Memory Error" and the table has a
 * single integer unique key, the same rows are written as several COPYs,
 * each of `SELECT * FROM (query) WHERE key >= lo AND key < hi`: a filter on
 * the output, so the union of the ranges is exactly the query's result, and
 * one the engine pushes below a window partitioned by that key, so each
 * pass holds only its range. A range that still runs out of memory is
 * split in two. Every pass's files join the one commit; a write that fails
 * for good leaves nothing behind but staged files (removed with the stage).
 *
 * The query runs once per pass, so this trades time for memory. It assumes
 * the query is deterministic per key (the same key gives the same rows in
 * every pass), as a pipeline's must be for its builds to be repeatable.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/random.h"
#include "util/sql.h"
#include "rat/engine.h"
#include "table/write_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIRST_PASSES 4 /* ranges the key span is cut into at first */
#define MAX_PASSES 4096

bool rat_table__out_of_memory(void)
{
	return rat_error__detail() == RAT_DETAIL_ENGINE_OUT_OF_MEMORY;
}

typedef struct range {
	int64_t lo, hi; /* lo <= key <= hi */
} range;

bool rat_table__can_split(const writer *w)
{
	const rat_column_desc *c;
	const char *type;

	if (w->opts->unique_key_count != 1 || w->files.count != w->pass_start ||
	    (c = rat_table__query_column(w, w->opts->unique_key[0])) == NULL)
		return false;
	type = json_string_value(c->iceberg_type);
	return type && (strcmp(type, "int") == 0 || strcmp(type, "long") == 0);
}

/*
 * One pass: the rows of select_sql whose key satisfies condition, as one
 * COPY into a stage folder of its own (a partitioned COPY refuses a folder
 * that holds files, and a failed pass may leave some).
 */
int rat_table__copy_pass(writer *w, const char *select_sql, const char *condition)
{
	rat_buf filtered = RAT_BUF_INIT, copy = RAT_BUF_INIT;
	char uuid[37], *root = w->stage;
	int error;

	if ((error = rat_random__uuid(uuid)) != 0)
		return error;
	if ((w->stage = rat__sprintf("%s/pass-%s", root, uuid)) == NULL) {
		w->stage = root;
		return RAT_ENOMEM;
	}
	if ((error = rat_fs__mkdir_p(w->stage)) == 0 &&
	    (error = rat_buf_printf(&filtered, "SELECT * FROM (%s) AS __rat_pass WHERE %s",
				    select_sql, condition ? condition : "true")) == 0 &&
	    (error = rat_table__copy_sql(&copy, w, rat_buf_cstr(&filtered), uuid)) == 0)
		error = rat_table__write_files(w, rat_buf_cstr(&copy));
	free(w->stage);
	w->stage = root;
	rat_buf_free(&filtered);
	rat_buf_free(&copy);
	return error;
}

/* The key's bounds and whether some key is NULL (*empty when there is no row). */
static int key_span(writer *w, const char *select_sql, range *span, bool *nulls, bool *empty)
{
	rat_buf sql = RAT_BUF_INIT, key = RAT_BUF_INIT;
	rat_result *result = NULL;
	int64_t n = 0;
	int step, error;

	*empty = true;
	if ((error = rat_sql__ident(&key, w->opts->unique_key[0])) != 0 ||
	    (error = rat_buf_printf(&sql, "SELECT min(%s), max(%s), count(*) FILTER (WHERE %s IS "
					  "NULL) FROM (%s) AS __rat_pass",
				    rat_buf_cstr(&key), rat_buf_cstr(&key), rat_buf_cstr(&key),
				    select_sql)) != 0 ||
	    (error = rat_engine_query(&result, w->engine, rat_buf_cstr(&sql))) != 0)
		goto cleanup;
	if ((step = rat_result_next(result)) != 1) {
		error = step < 0 ? step : 0;
		goto cleanup;
	}
	*empty = rat_result_is_null(result, 0);
	if ((!*empty && ((error = rat_result_get_int64(result, 0, &span->lo)) != 0 ||
			 (error = rat_result_get_int64(result, 1, &span->hi)) != 0)) ||
	    (error = rat_result_get_int64(result, 2, &n)) != 0)
		goto cleanup;
	*nulls = n > 0;
	*empty = *empty && !*nulls;
cleanup:
	rat_result_free(result);
	rat_buf_free(&sql);
	rat_buf_free(&key);
	return error;
}

int rat_table__write_in_ranges(writer *w, const char *select_sql)
{
	range stack[64], span;
	rat_buf key = RAT_BUF_INIT, cond = RAT_BUF_INIT;
	bool nulls = false, empty = true;
	size_t depth = 0, passes = 0;
	int i, error;

	rat_error_clear(); /* the out-of-memory error this retries */
	if ((error = rat_sql__ident(&key, w->opts->unique_key[0])) != 0 ||
	    (error = key_span(w, select_sql, &span, &nulls, &empty)) != 0)
		goto cleanup;
	if (nulls && (error = rat_buf_printf(&cond, "%s IS NULL", rat_buf_cstr(&key))) == 0 &&
	    (error = rat_table__copy_pass(w, select_sql, rat_buf_cstr(&cond))) == 0)
		passes++;
	if (error || empty || span.lo > span.hi)
		goto cleanup;
	/* the first ranges, pushed so that the lowest comes off the stack first (the
	 * arithmetic is unsigned: hi - lo may not fit an int64_t) */
	for (i = FIRST_PASSES - 1; i >= 0; i--) {
		uint64_t width = (uint64_t)span.hi - (uint64_t)span.lo, step = width / FIRST_PASSES + 1;
		uint64_t start = step * (uint64_t)i, end = start + step - 1;
		if (start > width)
			continue;
		if (end > width || end < start)
			end = width;
		stack[depth++] = (range){ (int64_t)((uint64_t)span.lo + start),
					  (int64_t)((uint64_t)span.lo + end) };
	}
	while (!error && depth > 0) {
		range r = stack[--depth];
		int64_t mid;
		rat_buf_clear(&cond);
		if ((error = rat_buf_printf(&cond, "%s BETWEEN %lld AND %lld", rat_buf_cstr(&key),
					    (long long)r.lo, (long long)r.hi)) != 0)
			break;
		if ((error = rat_table__copy_pass(w, select_sql, rat_buf_cstr(&cond))) == 0) {
			passes++;
			continue;
		}
		/* still too big: split it, unless it is one key or the passes run out */
		if (!rat_table__out_of_memory() || r.lo == r.hi || passes >= MAX_PASSES ||
		    depth + 2 > sizeof(stack) / sizeof(stack[0]))
			break;
		rat_error_clear();
		error = 0;
		mid = (int64_t)((uint64_t)r.lo + ((uint64_t)r.hi - (uint64_t)r.lo) / 2);
		stack[depth++] = (range){ mid + 1, r.hi };
		stack[depth++] = (range){ r.lo, mid };
	}
cleanup:
	if (error && rat_table__out_of_memory())
		rat_error__prefix("written in key ranges of %s after running out of engine memory, "
				  "%zu passes done",
				  w->opts->unique_key[0], passes);
	w->passes = (int)passes;
	rat_buf_free(&key);
	rat_buf_free(&cond);
	return error;
}
