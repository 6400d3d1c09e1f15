/*
 * tests/unit/engine/test_format.c - values are spelled as DuckDB spells them:
 * for each expression, our text of the value must equal the engine's own
 * CAST(value AS VARCHAR). JSON forms are checked against expected strings.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rat.h"

static char *dir;
static test_session session;
static rat_engine *engine;

static const char *const expressions[] = {
	"true", "false", "42::TINYINT", "-129::SMALLINT", "2147483647", "-9223372036854775808",
	"255::UTINYINT", "18446744073709551615::UBIGINT",
	"170141183460469231731687303715884105727::HUGEINT",
	"(-170141183460469231731687303715884105727::HUGEINT - 1)",
	"340282366920938463463374607431768211455::UHUGEINT",
	"1.0::DOUBLE", "0.1::DOUBLE", "1e20::DOUBLE", "1e16::DOUBLE", "1e15::DOUBLE",
	"123456789.125::DOUBLE", "'inf'::DOUBLE", "'-inf'::DOUBLE", "'nan'::DOUBLE", "1e-7::DOUBLE",
	"2.5e-5::DOUBLE", "0.0001::DOUBLE", "0.00012345::DOUBLE", "123.456e-10::DOUBLE", "-1e300::DOUBLE", "9007199254740993::DOUBLE", "1.7976931348623157e308::DOUBLE", "5e-324::DOUBLE", "1e-45::FLOAT", "16777217::FLOAT", "[TIME '12:00:00']", "-0.0::DOUBLE", "1.5::FLOAT", "0.1::FLOAT", "3.4e38::FLOAT",
	"1::FLOAT", "-12.340::DECIMAL(10,3)", "0.05::DECIMAL(4,2)", "-0.5::DECIMAL(4,1)",
	"12345678901234567890.123456789::DECIMAL(38,9)", "0::DECIMAL(18,6)", "7::DECIMAL(3,0)",
	"'héllo wörld'", "''", "'it''s'",
	"'\\x00\\xFFab'::BLOB", "'\\x5C'::BLOB", "''::BLOB", "'abc'::BLOB",
	"DATE '2024-02-29'", "DATE '0044-03-15' - INTERVAL 100 YEAR", "'infinity'::DATE",
	"'-infinity'::DATE", "TIME '01:02:03.000120'", "TIME '23:59:59'",
	"TIMETZ '01:02:03+05:30'", "TIMETZ '01:02:03-08'",
	"TIMESTAMP '2024-01-02 03:04:05.5'", "TIMESTAMP '2024-01-02 03:04:05'",
	"TIMESTAMP '1960-06-30 23:59:59.999999'", "'infinity'::TIMESTAMP", "'-infinity'::TIMESTAMP",
	"TIMESTAMPTZ '2024-01-02 03:04:05.123+00'", "TIMESTAMPTZ '2024-01-02 03:04:05+02'",
	"'2024-01-02 03:04:05.123456789'::TIMESTAMP_NS", "'2024-01-02 03:04:05.123'::TIMESTAMP_MS",
	"'2024-01-02 03:04:05'::TIMESTAMP_S",
	"INTERVAL '1 year 2 months 3 days 4 hours 5 minutes 6.5 seconds'", "INTERVAL '-1 day'",
	"INTERVAL '0 seconds'", "INTERVAL '-3 hours'", "INTERVAL '1 month'", "INTERVAL '25 hours'",
	"'12345678-1234-5678-1234-567812345678'::UUID", "'00000000-0000-0000-0000-000000000001'::UUID",
	"'ffffffff-ffff-ffff-ffff-ffffffffffff'::UUID", "'101'::BIT", "'1'::BIT", "'111100001'::BIT",
	"['a', 'b', NULL, 'it''s']", "{'a': 1, 'b': 'x y'}", "MAP {'k': 1, 'j': 2}",
	"[1, 2]::INTEGER[2]", "union_value(num := 2)", "{'x': [1, 2], 'y': {'z': 'w'}}",
	"['a b', '', 'x,y', '[', 'null', 'NULL', 'a:b', 'a=b', '{', ' lead', 'trail ']",
	"row(1, 'a')", "[]::INT[]", "MAP {'a b': 'c d'}", "{'a b': 1, 'it''s': 2}",
	"[NULL::VARCHAR]", "{'a': NULL}", "[[1, 2], [3]]", "[1.5, 2.0]", "[DATE '2024-01-01']",
	"['a\\b']", "['a\"b']", "MAP {'x': 'y=z'}", "[{'a': 'b c'}]",
	"'sad'::ENUM('happy', 'sad')", "['sad'::ENUM('happy', 'sad')]",
	"[TIMESTAMP '2024-01-01 00:00:00.25']", "[INTERVAL '2 days']", "[true, false]",
	"[1e20::DOUBLE, 0.5]", "[-12.5::DECIMAL(5,2)]",
};

static void text_matches_duckdb_cast(void **state)
{
	size_t i, mismatches = 0;
	(void)state;

	for (i = 0; i < sizeof(expressions) / sizeof(expressions[0]); i++) {
		char sql[1024];
		rat_result *result = NULL;
		const char *ours = NULL, *theirs = NULL;
		size_t ours_len = 0, theirs_len = 0;

		snprintf(sql, sizeof(sql), "SELECT %s AS v, CAST(%s AS VARCHAR) AS t", expressions[i],
			 expressions[i]);
		if (rat_engine_query(&result, engine, sql) != 0)
			fail_msg("%s: %s", sql, rat_error_last()->message);
		assert_int_equal(rat_result_next(result), 1);
		if (rat_result_get_text(result, 0, &ours, &ours_len) != 0)
			fail_msg("%s: %s", expressions[i], rat_error_last()->message);
		assert_int_equal(rat_result_get_text(result, 1, &theirs, &theirs_len), 0);
		if (ours_len != theirs_len || memcmp(ours, theirs, ours_len) != 0) {
			print_error("%s: we print [%.*s], DuckDB casts to [%.*s]\n", expressions[i],
				    (int)ours_len, ours, (int)theirs_len, theirs);
			mismatches++;
		}
		rat_result_free(result);
	}
	assert_int_equal(mismatches, 0);
}

static void json_forms(void **state)
{
	static const char *const cases[][2] = {
		{ "42", "42" },
		{ "NULL", "null" },
		{ "true", "true" },
		{ "'a\"b\\c' || chr(10)", "\"a\\\"b\\\\c\\n\"" },
		{ "1.5::DOUBLE", "1.5" },
		{ "'inf'::DOUBLE", "\"inf\"" },
		{ "-12.340::DECIMAL(10,3)", "-12.340" },
		{ "[1, NULL, 3]", "[1,null,3]" },
		{ "{'a': 1, 'b': 'x'}", "{\"a\":1,\"b\":\"x\"}" },
		{ "MAP {'k': [1], 'j': []}", "{\"k\":[1],\"j\":[]}" },
		{ "MAP {1: 'one'}", "{\"1\":\"one\"}" },
		{ "DATE '2024-02-29'", "\"2024-02-29\"" },
		{ "'12345678-1234-5678-1234-567812345678'::UUID",
		  "\"12345678-1234-5678-1234-567812345678\"" },
		{ "'{\"x\": [1, 2]}'::JSON", "{\"x\": [1, 2]}" },
		{ "170141183460469231731687303715884105727::HUGEINT",
		  "170141183460469231731687303715884105727" },
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char sql[512];
		rat_result *result = NULL;
		const char *json = NULL;

		snprintf(sql, sizeof(sql), "SELECT %s", cases[i][0]);
		if (rat_engine_query(&result, engine, sql) != 0)
			fail_msg("%s: %s", sql, rat_error_last()->message);
		assert_int_equal(rat_result_next(result), 1);
		assert_int_equal(rat_result_get_json(result, 0, &json, NULL), 0);
		if (strcmp(json, cases[i][1]) != 0)
			fail_msg("%s: JSON [%s], expected [%s]", cases[i][0], json, cases[i][1]);
		rat_result_free(result);
	}
}

static void type_names(void **state)
{
	rat_result *result = NULL;
	(void)state;

	assert_int_equal(rat_engine_query(&result, engine,
					  "SELECT 1::DECIMAL(18,3) AS d, [1] AS l, {'a': 'x'} AS s, "
					  "MAP {'k': 1} AS m, [1,2]::INT[2] AS a, 'x' AS v"),
			 0);
	assert_string_equal(rat_result_column_type_name(result, 0), "DECIMAL(18,3)");
	assert_string_equal(rat_result_column_type_name(result, 1), "INTEGER[]");
	assert_string_equal(rat_result_column_type_name(result, 2), "STRUCT(a VARCHAR)");
	assert_string_equal(rat_result_column_type_name(result, 3), "MAP(VARCHAR, INTEGER)");
	assert_string_equal(rat_result_column_type_name(result, 4), "INTEGER[2]");
	assert_string_equal(rat_result_column_type_name(result, 5), "VARCHAR");
	assert_int_equal(rat_result_column_type(result, 0), RAT_TYPE_DECIMAL);
	assert_int_equal(rat_result_column_type(result, 1), RAT_TYPE_LIST);
	assert_int_equal(rat_result_column_type(result, 2), RAT_TYPE_STRUCT);
	assert_int_equal(rat_result_column_type(result, 3), RAT_TYPE_MAP);
	assert_null(rat_result_column_type_name(result, 6));
	rat_result_free(result);
}

static int setup(void **state)
{
	*state = &session;
	test_session_open(&session, "engine_format");
	dir = session.dir;
	engine = session.engine;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_matches_duckdb_cast),
		cmocka_unit_test(json_forms),
		cmocka_unit_test(type_names),
	};
	return cmocka_run_group_tests(tests, setup, test_session_teardown);
}
