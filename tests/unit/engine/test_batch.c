/*
 * tests/unit/engine/test_batch.c - a result read a batch at a time
 * (rat_result_next_batch and the rat_result_batch_* copies) gives exactly
 * what the per-row getters give, NULLs included; parameters are bound, not
 * spliced (rat_engine_query_params); rows a caller holds become a temporary
 * table of a locked session (rat_engine_register_rows), and a value its
 * column cannot take leaves no table.
 */
#include "helpers.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rat.h"

static test_session session;
static rat_engine *locked; /* a public session: locked down as users get it */

#define ROWS 5000

static rat_result *query(rat_engine *engine, const char *sql)
{
	rat_result *r = NULL;

	if (rat_engine_query(&r, engine, sql) != 0)
		fail_msg("%s: %s", sql, rat_error_last()->message);
	return r;
}

static void batches_give_what_rows_give(void **state)
{
	const char *sql = "SELECT i::INTEGER AS i, CASE WHEN i % 3 = 0 THEN NULL ELSE i * 1.5 END AS d, "
			  "(i / 100)::DECIMAL(10,2) AS m, DATE '2020-01-01' + i::INTEGER AS day, "
			  "CASE WHEN i % 7 = 0 THEN NULL ELSE 'v' || i END AS s, "
			  "CASE WHEN i % 5 = 0 THEN NULL ELSE i % 2 = 0 END AS b FROM range(5000) t(i) ORDER BY i";
	/* two sessions: a connection streams one result at a time */
	rat_result *rows = query(session.engine, sql), *batches = query(locked, sql);
	int64_t ints[2048], days[2048], unscaled[2048];
	double doubles[2048], money[2048];
	uint8_t bools[2048], valid[6][2048];
	const char *strs[2048];
	size_t lens[2048];
	int n, scale = -1, total = 0, k;

	(void)state;
	while ((n = rat_result_next_batch(batches)) > 0) {
		assert_true(n <= 2048);
		assert_int_equal(rat_result_batch_int64(batches, 0, ints, valid[0]), 0);
		assert_int_equal(rat_result_batch_double(batches, 1, doubles, valid[1]), 0);
		assert_int_equal(rat_result_batch_decimal(batches, 2, unscaled, valid[2], &scale), 0);
		assert_int_equal(rat_result_batch_double(batches, 2, money, NULL), 0);
		assert_int_equal(rat_result_batch_int64(batches, 3, days, valid[3]), 0);
		assert_int_equal(rat_result_batch_strings(batches, 4, strs, lens), 0);
		assert_int_equal(rat_result_batch_bool(batches, 5, bools, valid[5]), 0);
		assert_int_equal(scale, 2);
		for (k = 0; k < n; k++) {
			int64_t i, day;
			double d, m;
			int b;
			const char *text;
			assert_int_equal(rat_result_next(rows), 1);
			assert_int_equal(rat_result_get_int64(rows, 0, &i), 0);
			assert_int_equal(ints[k], i);
			assert_int_equal(valid[0][k], 1);
			assert_int_equal(valid[1][k], !rat_result_is_null(rows, 1));
			if (valid[1][k]) {
				assert_int_equal(rat_result_get_double(rows, 1, &d), 0);
				assert_true(doubles[k] == d);
			} else {
				assert_true(doubles[k] == 0);
			}
			assert_int_equal(rat_result_get_double(rows, 2, &m), 0);
			assert_true(money[k] == m);
			assert_int_equal(unscaled[k], (int64_t)llround(m * 100));
			assert_int_equal(rat_result_get_int64(rows, 3, &day), 0);
			assert_int_equal(days[k], day);
			assert_int_equal(rat_result_get_text(rows, 4, &text, NULL), 0);
			if (!text) {
				assert_null(strs[k]);
			} else {
				assert_int_equal(lens[k], strlen(text));
				assert_memory_equal(strs[k], text, lens[k]);
			}
			assert_int_equal(valid[5][k], !rat_result_is_null(rows, 5));
			if (valid[5][k]) {
				assert_int_equal(rat_result_get_bool(rows, 5, &b), 0);
				assert_int_equal(bools[k], b);
			}
		}
		total += n;
		assert_int_equal(rat_result_row_index(batches), (uint64_t)total);
	}
	assert_int_equal(n, 0);
	assert_int_equal(total, ROWS);
	assert_int_equal(rat_result_next(rows), 0);
	rat_result_free(rows);
	rat_result_free(batches);
}

static void a_batch_row_reads_with_the_row_getters(void **state)
{
	rat_result *r = query(session.engine, "SELECT i, [i, i + 1] AS l FROM range(3000) t(i) ORDER BY i");
	const char *json;
	int64_t i;
	int n;

	(void)state;
	/* rows first, then a batch: the rest of the first chunk is skipped */
	assert_int_equal(rat_result_next(r), 1);
	assert_int_equal(rat_result_batch_int64(r, 0, &i, NULL), RAT_EINVALID);
	n = rat_result_next_batch(r);
	assert_true(n > 0);
	assert_int_equal(rat_result_batch_row(r, (size_t)n - 1), 0);
	assert_int_equal(rat_result_get_json(r, 1, &json, NULL), 0);
	assert_int_equal(rat_result_get_int64(r, 0, &i), 0);
	assert_true(i >= 2048);
	{
		char want[64];
		snprintf(want, sizeof(want), "[%lld,%lld]", (long long)i, (long long)i + 1);
		assert_string_equal(json, want);
	}
	assert_int_equal(rat_result_batch_row(r, (size_t)n), RAT_EINVALID);
	/* after a batch, rat_result_next() starts the next chunk */
	assert_int_equal(rat_result_next(r), 0);
	rat_result_free(r);
}

static void types_that_do_not_convert_are_refused(void **state)
{
	rat_result *r = query(session.engine,
			      "SELECT 1.5::DECIMAL(30,4) AS wide, 'x' AS s, 18446744073709551615::UBIGINT AS u, "
			      "'\\x00\\xAB'::BLOB AS raw, NULL AS nothing");
	int64_t ints[1];
	double d[1];
	const char *strs[1];
	size_t lens[1];
	uint8_t valid[1];
	int scale;

	(void)state;
	assert_int_equal(rat_result_next_batch(r), 1);
	assert_int_equal(rat_result_batch_decimal(r, 0, ints, NULL, &scale), RAT_ETYPE);
	assert_int_equal(rat_result_batch_double(r, 0, d, NULL), 0);
	assert_true(d[0] == 1.5);
	assert_int_equal(rat_result_batch_int64(r, 1, ints, NULL), RAT_ETYPE);
	assert_non_null(strstr(rat_error_last()->message, "'s'"));
	assert_int_equal(rat_result_batch_int64(r, 2, ints, NULL), RAT_ETYPE);
	assert_non_null(strstr(rat_error_last()->message, "does not fit"));
	assert_int_equal(rat_result_batch_strings(r, 2, strs, lens), RAT_ETYPE);
	assert_int_equal(rat_result_batch_strings(r, 3, strs, lens), 0);
	assert_int_equal(lens[0], 2);
	assert_memory_equal(strs[0], "\0\xab", 2);
	assert_int_equal(rat_result_batch_int64(r, 4, ints, valid), 0);
	assert_int_equal(valid[0], 0);
	assert_int_equal(rat_result_batch_int64(r, 9, ints, valid), RAT_EINVALID);
	assert_int_equal(rat_result_next_batch(r), 0);
	rat_result_free(r);
}

static const char *first_text(rat_result *r)
{
	const char *text = NULL;

	if (rat_result_next(r) != 1 || rat_result_get_text(r, 0, &text, NULL) != 0)
		fail_msg("no row: %s", rat_error_last()->message);
	return text ? text : "NULL";
}

static void parameters_are_bound(void **state)
{
	rat_param p[4] = { { NULL, RAT_PARAM_INT64, 41, 0, NULL, 0 },
			   { NULL, RAT_PARAM_TEXT, 0, 0, "2024-02-29", 10 },
			   { NULL, RAT_PARAM_TEXT, 0, 0, "it's; DROP", 10 },
			   { NULL, RAT_PARAM_NULL, 0, 0, NULL, 0 } };
	rat_param named[2] = { { "b", RAT_PARAM_DOUBLE, 0, 2.5, NULL, 0 },
			       { "a", RAT_PARAM_BOOL, 1, 0, NULL, 0 } };
	rat_result *r = NULL;

	(void)state;
	assert_int_equal(rat_engine_query_params(&r, locked,
						 "SELECT (? + 1) || ' ' || (?::DATE + 1) || ' ' || ? || ' ' || "
						 "coalesce(?::VARCHAR, 'null')", p, 4), 0);
	assert_string_equal(first_text(r), "42 2024-03-01 it's; DROP null");
	rat_result_free(r);
	assert_int_equal(rat_engine_query_params(&r, locked, "SELECT $a || ' ' || $b", named, 2), 0);
	assert_string_equal(first_text(r), "true 2.5");
	rat_result_free(r);
	/* too many, too few, a name no parameter has */
	assert_int_equal(rat_engine_query_params(&r, locked, "SELECT ?", p, 2), RAT_ESQL);
	assert_non_null(strstr(rat_error_last()->message, "takes 1 parameter, 2 given"));
	assert_int_equal(rat_engine_query_params(&r, locked, "SELECT ?, ?", p, 1), RAT_ESQL);
	assert_non_null(strstr(rat_error_last()->message, "takes 2 parameters, 1 given"));
	assert_int_equal(rat_engine_query_params(&r, locked, "SELECT $a", &named[0], 1), RAT_ESQL);
	assert_non_null(strstr(rat_error_last()->message, "no parameter $b"));
	assert_null(r);
	/* a statement before the last runs without parameters */
	assert_int_equal(rat_engine_query_params(&r, locked, "CREATE TEMP TABLE pt AS SELECT 7 AS x; "
						 "SELECT x + ? FROM pt", p, 1), 0);
	assert_string_equal(first_text(r), "48");
	rat_result_free(r);
}

static void rows_become_a_temporary_table(void **state)
{
	enum { N = 4100 };
	static int64_t ints[N], days[N], micros[N];
	static double doubles[N];
	static uint8_t bools[N], valid[N];
	static const char *texts[N], *money[N], *lists[N];
	static char buf[N][32];
	rat_column cols[8] = {
		{ "id", "INTEGER", RAT_COLUMN_INT64, ints, NULL, NULL },
		{ "x", "DOUBLE", RAT_COLUMN_DOUBLE, doubles, NULL, valid },
		{ "ok", "BOOLEAN", RAT_COLUMN_BOOL, bools, NULL, valid },
		{ "day", "DATE", RAT_COLUMN_INT64, days, NULL, NULL },
		{ "at", "TIMESTAMP WITH TIME ZONE", RAT_COLUMN_INT64, micros, NULL, valid },
		{ "name \"quoted\"", "VARCHAR", RAT_COLUMN_TEXT, texts, NULL, valid },
		{ "price", "DECIMAL(12,2)", RAT_COLUMN_TEXT, money, NULL, NULL },
		{ "tags", "INTEGER[]", RAT_COLUMN_TEXT, lists, NULL, NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < N; i++) {
		ints[i] = (int64_t)i;
		doubles[i] = (double)i / 4;
		bools[i] = i % 2;
		valid[i] = i % 10 != 0;
		days[i] = 19000 + (int64_t)i;
		micros[i] = INT64_C(1700000000000000) + (int64_t)i * 1000000;
		snprintf(buf[i], sizeof(buf[i]), "%zu.%02zu", i, i % 100);
		texts[i] = i == 5 ? "O'Brien; --" : "row";
		money[i] = buf[i];
		lists[i] = i % 2 ? "[1, 2]" : "[]";
	}
	assert_int_equal(rat_engine_register_rows(locked, "df", cols, 8, N), 0);
	assert_string_equal(test_value(locked, "SELECT count(*) || ' ' || count(x) || ' ' || sum(id) FROM df"),
			    "4100 3690 8402950");
	assert_string_equal(test_value(locked, "SELECT \"name \"\"quoted\"\"\" FROM df WHERE id = 5"), "O'Brien; --");
	assert_string_equal(test_value(locked, "SELECT day || ' ' || \"at\" || ' ' || price || ' ' || tags::VARCHAR "
					       "FROM df WHERE id = 1"),
			    "2022-01-09 2023-11-14 22:13:21+00 1.01 [1, 2]");
	assert_string_equal(test_value(locked, "SELECT typeof(price) || typeof(tags) FROM df LIMIT 1"),
			    "DECIMAL(12,2)INTEGER[]");
	assert_string_equal(test_value(locked, "SELECT count(*) FROM df WHERE ok IS NULL"), "410");
	/* replaced by the next rows of that name */
	assert_int_equal(rat_engine_register_rows(locked, "df", cols, 1, 3), 0);
	assert_string_equal(test_value(locked, "SELECT count(*) FROM df"), "3");
}

static void rows_a_column_cannot_take_leave_no_table(void **state)
{
	static const char *texts[3] = { "1", "two", "3" };
	static int64_t big[2] = { 1, INT64_C(1) << 40 };
	rat_column bad_text = { "n", "INTEGER", RAT_COLUMN_TEXT, texts, NULL, NULL };
	rat_column too_big = { "n", "INTEGER", RAT_COLUMN_INT64, big, NULL, NULL };
	rat_column injected = { "n", "INTEGER); DROP TABLE x", RAT_COLUMN_INT64, big, NULL, NULL };
	rat_column no_values = { "n", "INTEGER", RAT_COLUMN_INT64, NULL, NULL, NULL };
	rat_result *r = NULL;

	(void)state;
	assert_int_equal(rat_engine_register_rows(locked, "bad", &bad_text, 1, 3), RAT_EINVALID);
	if (!strstr(rat_error_last()->message, "two")) fail_msg("%s", rat_error_last()->message);
	assert_int_equal(rat_engine_query(&r, locked, "SELECT * FROM bad"), RAT_ESQL);
	assert_int_equal(rat_engine_register_rows(locked, "big", &too_big, 1, 2), RAT_EINVALID);
	assert_int_equal(rat_engine_query(&r, locked, "SELECT * FROM big"), RAT_ESQL);
	assert_int_equal(rat_engine_register_rows(locked, "inj", &injected, 1, 2), RAT_EINVALID);
	assert_int_equal(rat_engine_register_rows(locked, "nov", &no_values, 1, 2), RAT_EINVALID);
	assert_int_equal(rat_engine_register_rows(locked, "none", &no_values, 0, 0), RAT_EINVALID);
	/* no rows: an empty table */
	assert_int_equal(rat_engine_register_rows(locked, "empty", &no_values, 1, 0), 0);
	assert_string_equal(test_value(locked, "SELECT count(*) FROM empty"), "0");
	assert_null(r);
}

static void json_rows_and_a_parquet_file(void **state)
{
	static const char *nested[3] = { "{\"k\": \"a\\nb \\u00e9\", \"n\": [1, 2]}", "{\"k\": null, \"n\": []}",
					 "{\"k\": \"x\", \"n\": null}" };
	static int64_t ids[3] = { 1, 2, 3 };
	static const char *bad[1] = { "{\"k\": " };
	rat_column cols[2] = { { "id", "INTEGER", RAT_COLUMN_INT64, ids, NULL, NULL },
			       { "st", "STRUCT(k VARCHAR, n INTEGER[])", RAT_COLUMN_JSON, nested, NULL, NULL } };
	rat_column broken = { "st", "STRUCT(k VARCHAR)", RAT_COLUMN_JSON, bad, NULL, NULL };
	char path[4200], sql[4400];
	struct stat st;

	(void)state;
	assert_int_equal(rat_engine_register_rows(locked, "nested", cols, 2, 3), 0);
	/* JSON's escapes decoded (DuckDB's own VARCHAR literals would keep "anb") */
	assert_string_equal(test_value(locked, "SELECT st.k FROM nested WHERE id = 1"), "a\nb \xc3\xa9");
	assert_string_equal(test_value(locked, "SELECT typeof(st) || ' ' || len(st.n) FROM nested WHERE id = 1"),
			    "STRUCT(k VARCHAR, n INTEGER[]) 2");
	assert_int_equal(rat_engine_register_rows(locked, "broken", &broken, 1, 1), RAT_EINVALID);

	snprintf(path, sizeof(path), "%s/rows.parquet", session.dir);
	assert_int_equal(rat_rows_write_parquet(path, cols, 2, 3, 0), 0);
	snprintf(sql, sizeof(sql), "SELECT count(*) || ' ' || sum(id) || ' ' || max(st.k) || ' ' || "
				   "typeof(any_value(st)) FROM read_parquet('%s')", path);
	assert_string_equal(test_value(session.engine, sql), "3 6 x STRUCT(k VARCHAR, n INTEGER[])");
	/* a value its column cannot take writes no file */
	snprintf(path, sizeof(path), "%s/broken.parquet", session.dir);
	assert_int_equal(rat_rows_write_parquet(path, &broken, 1, 1, 0), RAT_EINVALID);
	assert_int_not_equal(stat(path, &st), 0);
	assert_int_equal(rat_rows_write_parquet("", cols, 2, 3, 0), RAT_EINVALID);
	/* a folder that is not there: the error names the file */
	assert_int_not_equal(rat_rows_write_parquet("/nonexistent/rat/rows.parquet", cols, 2, 3, 0), 0);
	assert_non_null(strstr(rat_error_last()->message, "writing /nonexistent/rat/rows.parquet"));
}

static int setup(void **state)
{
	*state = &session;
	test_session_open(&session, "engine_batch");
	if (rat_engine_open(&locked, session.ws) != 0)
		fail_msg("open: %s", rat_error_last()->message);
	return 0;
}

static int teardown(void **state)
{
	rat_engine_free(locked);
	return test_session_teardown(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(batches_give_what_rows_give),
		cmocka_unit_test(a_batch_row_reads_with_the_row_getters),
		cmocka_unit_test(types_that_do_not_convert_are_refused),
		cmocka_unit_test(parameters_are_bound),
		cmocka_unit_test(rows_become_a_temporary_table),
		cmocka_unit_test(rows_a_column_cannot_take_leave_no_table),
		cmocka_unit_test(json_rows_and_a_parquet_file),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
