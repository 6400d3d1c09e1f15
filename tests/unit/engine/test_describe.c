/*
 * tests/unit/engine/test_describe.c - a query's columns as Iceberg types:
 * the mapping of every DuckDB type, field ids, and the refusals.
 */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>

#include "rat.h"
#include "util/common.h"
#include "engine/describe.h"

static char *dir;
static test_session session;
static rat_engine *engine;

static void check(const char *expr, const char *iceberg, const char *written)
{
	char sql[512], *json;
	rat_query_desc desc;
	int next_id = 1;

	snprintf(sql, sizeof(sql), "SELECT %s AS c", expr);
	if (rat_engine__describe(&desc, engine, sql, &next_id) != 0)
		fail_msg("%s: %s", expr, rat_error_last()->message);
	assert_int_equal(desc.count, 1);
	json = json_dumps(desc.columns[0].iceberg_type, JSON_ENCODE_ANY | JSON_COMPACT);
	if (strcmp(json, iceberg) != 0 || strcmp(desc.columns[0].written_type, written) != 0)
		fail_msg("%s: got %s / %s, expected %s / %s", expr, json,
			 desc.columns[0].written_type, iceberg, written);
	free(json);
	rat_engine__query_desc_free(&desc);
}

static void primitives_map_to_iceberg(void **state)
{
	(void)state;
	check("true", "\"boolean\"", "BOOLEAN");
	check("1::TINYINT", "\"int\"", "INTEGER");
	check("1::USMALLINT", "\"int\"", "INTEGER");
	check("1::INTEGER", "\"int\"", "INTEGER");
	check("1::UINTEGER", "\"long\"", "BIGINT");
	check("sum(1)", "\"long\"", "BIGINT"); /* HUGEINT */
	check("1::BIGINT", "\"long\"", "BIGINT");
	check("1.5::FLOAT", "\"float\"", "FLOAT");
	check("1.5::DOUBLE", "\"double\"", "DOUBLE");
	check("1.5::DECIMAL(9,2)", "\"decimal(9, 2)\"", "DECIMAL(9,2)");
	check("1::DECIMAL(38,10)", "\"decimal(38, 10)\"", "DECIMAL(38,10)");
	check("'x'", "\"string\"", "VARCHAR");
	check("'a'::ENUM('a','b')", "\"string\"", "VARCHAR");
	check("'{}'::JSON", "\"string\"", "VARCHAR");
	check("'x'::BLOB", "\"binary\"", "BLOB");
	check("uuid()", "\"uuid\"", "UUID");
	check("DATE '2024-01-01'", "\"date\"", "DATE");
	check("TIME '01:02:03'", "\"time\"", "TIME");
	check("TIMESTAMP '2024-01-01'", "\"timestamp\"", "TIMESTAMP");
	check("'2024-01-01'::TIMESTAMP_MS", "\"timestamp\"", "TIMESTAMP");
	check("TIMESTAMPTZ '2024-01-01 00:00:00+00'", "\"timestamptz\"", "TIMESTAMP WITH TIME ZONE");
}

static void nested_types_get_field_ids(void **state)
{
	(void)state;
	check("[1, 2]", "{\"type\":\"list\",\"element-id\":2,\"element\":\"int\",\"element-required\":false}",
	      "INTEGER[]");
	check("[1, 2]::INTEGER[2]",
	      "{\"type\":\"list\",\"element-id\":2,\"element\":\"int\",\"element-required\":false}",
	      "INTEGER[]");
	check("MAP {'k': 1}",
	      "{\"type\":\"map\",\"key-id\":2,\"key\":\"string\",\"value-id\":3,\"value\":\"int\","
	      "\"value-required\":false}",
	      "MAP(VARCHAR, INTEGER)");
	check("{'a': 1, 'b': [true]}",
	      "{\"type\":\"struct\",\"fields\":[{\"id\":2,\"name\":\"a\",\"required\":false,"
	      "\"type\":\"int\"},{\"id\":3,\"name\":\"b\",\"required\":false,\"type\":{\"type\":"
	      "\"list\",\"element-id\":4,\"element\":\"boolean\",\"element-required\":false}}]}",
	      "STRUCT(\"a\" INTEGER, \"b\" BOOLEAN[])");
}

static void top_level_ids_come_first(void **state)
{
	rat_query_desc desc;
	int next_id = 10;
	(void)state;

	assert_int_equal(rat_engine__describe(&desc, engine,
					      "SELECT {'x': 1} AS s, 2 AS i, [3] AS l", &next_id), 0);
	assert_int_equal(desc.count, 3);
	assert_int_equal(desc.columns[0].field_id, 10);
	assert_int_equal(desc.columns[1].field_id, 11);
	assert_int_equal(desc.columns[2].field_id, 12);
	assert_int_equal(next_id, 15); /* s.x = 13, l.element = 14 */
	rat_engine__query_desc_free(&desc);
}

static void unsupported_types_are_refused(void **state)
{
	static const char *const cases[][2] = {
		{ "1::UHUGEINT", "column 'c' is UHUGEINT, which an Iceberg table cannot hold: cast it to DECIMAL(38,0)" },
		{ "1::UBIGINT", "UBIGINT" },
		{ "INTERVAL 1 DAY", "INTERVAL" },
		{ "'2024-01-01'::TIMESTAMP_NS", "TIMESTAMP_NS" },
		{ "[1::UHUGEINT]", "UHUGEINT" },
		{ "union_value(a := 1)", "UNION" },
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char sql[256];
		rat_query_desc desc;
		int next_id = 1;
		snprintf(sql, sizeof(sql), "SELECT %s AS c", cases[i][0]);
		if (rat_engine__describe(&desc, engine, sql, &next_id) != RAT_EINVALID)
			fail_msg("%s was accepted", cases[i][0]);
		if (!strstr(rat_error_last()->message, cases[i][1]))
			fail_msg("%s: %s", cases[i][0], rat_error_last()->message);
	}
}

static void only_one_select_with_distinct_names(void **state)
{
	rat_query_desc desc;
	int next_id = 1;
	(void)state;

	assert_int_equal(rat_engine__describe(&desc, engine, "SELECT 1 AS a, 2 AS A", &next_id),
			 RAT_EINVALID);
	assert_non_null(strstr(rat_error_last()->message, "two columns are named 'A'"));
	assert_int_equal(rat_engine__describe(&desc, engine, "CREATE TABLE t (a INT)", &next_id),
			 RAT_EINVALID);
	assert_int_equal(rat_engine__describe(&desc, engine, "SELEC 1", &next_id), RAT_ESQL);
}

static int setup(void **state)
{
	*state = &session;
	test_session_open(&session, "engine_describe");
	dir = session.dir;
	engine = session.engine;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(primitives_map_to_iceberg),
		cmocka_unit_test(nested_types_get_field_ids),
		cmocka_unit_test(top_level_ids_come_first),
		cmocka_unit_test(unsupported_types_are_refused),
		cmocka_unit_test(only_one_select_with_distinct_names),
	};
	return cmocka_run_group_tests(tests, setup, test_session_teardown);
}
