/*
 * tests/unit/quality/test_checks.c - a pipeline's checks as SQL
 * (quality/checks.c): each column test (not_null, unique, positive, min,
 * max, accepted_values) and each tests[] entry becomes a query named after
 * it, with its severity, whose rows are exactly the violating rows of a
 * small table in a plain engine session; rat_quality__violations counts
 * them and shows at most five as JSON.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rat.h"
#include "util/common.h"
#include "util/fs.h"
#include "pipeline/pipeline.h"
#include "quality/quality.h"
#include "quality/suite.h"

static test_session s;

/* The pipelines of the session's workspace after writing silver/orders.yaml as config. */
static void load(rat_pipelines *all, const char *config)
{
	char ws[4200];

	snprintf(ws, sizeof(ws), "%s/ws", s.dir);
	test_write(ws, "pipelines/bronze/orders.sql", "SELECT 1 AS id\n");
	test_write(ws, "pipelines/silver/orders.sql",
		   "SELECT * FROM {{ ref('bronze.orders') }}\n");
	test_write(ws, "pipelines/silver/orders.yaml", config);
	if (rat_pipeline__load_all(all, s.ws) != 0)
		fail_msg("load: %s", rat_error_last()->message);
}

static void checks_of(rat_checks *checks, rat_pipelines *all, const char *config)
{
	load(all, config);
	if (rat_quality__checks(checks, rat_pipeline__find(all, "silver.orders"), all,
				"\"silver\".\"orders\"") != 0)
		fail_msg("checks: %s", rat_error_last()->message);
}

/* The violating rows of sql: how many, and the rows shown joined by ' '. */
static const char *violations(const char *sql, int64_t *count)
{
	rat_strarray rows = RAT_STRARRAY_INIT;
	const char *out;

	if (rat_quality__violations(s.engine, sql, count, &rows) != 0)
		fail_msg("%s: %s", sql, rat_error_last()->message);
	out = test_joined(&rows, " ");
	rat_strarray_free(&rows);
	return out;
}

static const char orders_config[] =
	"columns:\n"
	"  - name: id\n"
	"    tests: [not_null, unique]\n"
	"  - name: amount\n"
	"    tests: [positive, {min: -5}, {max: 100, severity: warn}]\n"
	"  - name: status\n"
	"    tests:\n"
	"      - accepted_values: [new, \"it's done\"]\n"
	"tests:\n"
	"  - name: no_big\n"
	"    sql: SELECT * FROM {{ this }} WHERE amount > 1000 ORDER BY id\n"
	"    severity: warn\n"
	"  - name: orphans\n"
	"    sql: SELECT * FROM {{ this }} t WHERE id NOT IN (SELECT id FROM {{ ref('bronze.orders') }})\n";

static const struct {
	const char *name, *sql;
	rat_severity severity;
	int64_t count;
	const char *rows;
} expected[] = {
	{ "not_null(id)", "SELECT * FROM \"silver\".\"orders\" WHERE \"id\" IS NULL",
	  RAT_SEVERITY_ERROR, 1, "{\"id\":null,\"amount\":-10,\"status\":\"lost\"}" },
	{ "unique(id)",
	  "SELECT \"id\", count(*) AS occurrences FROM \"silver\".\"orders\" WHERE \"id\" IS NOT "
	  "NULL GROUP BY \"id\" HAVING count(*) > 1",
	  RAT_SEVERITY_ERROR, 1, "{\"id\":2,\"occurrences\":2}" },
	{ "positive(amount)", "SELECT * FROM \"silver\".\"orders\" WHERE \"amount\" <= 0",
	  RAT_SEVERITY_ERROR, 2,
	  "{\"id\":2,\"amount\":-1,\"status\":\"it's done\"} "
	  "{\"id\":null,\"amount\":-10,\"status\":\"lost\"}" },
	{ "min(amount)", "SELECT * FROM \"silver\".\"orders\" WHERE \"amount\" < -5",
	  RAT_SEVERITY_ERROR, 1, "{\"id\":null,\"amount\":-10,\"status\":\"lost\"}" },
	{ "max(amount)", "SELECT * FROM \"silver\".\"orders\" WHERE \"amount\" > 100",
	  RAT_SEVERITY_WARN, 2,
	  "{\"id\":2,\"amount\":200,\"status\":null} {\"id\":5,\"amount\":2000,\"status\":\"new\"}" },
	{ "accepted_values(status)",
	  "SELECT * FROM \"silver\".\"orders\" WHERE \"status\" IS NOT NULL AND CAST(\"status\" AS "
	  "VARCHAR) NOT IN ('new', 'it''s done')",
	  RAT_SEVERITY_ERROR, 1, "{\"id\":null,\"amount\":-10,\"status\":\"lost\"}" },
	{ "tests[no_big]",
	  "SELECT * FROM \"silver\".\"orders\" WHERE amount > 1000 ORDER BY id",
	  RAT_SEVERITY_WARN, 1, "{\"id\":5,\"amount\":2000,\"status\":\"new\"}" },
	{ "tests[orphans]",
	  "SELECT * FROM \"silver\".\"orders\" t WHERE id NOT IN (SELECT id FROM "
	  "\"bronze\".\"orders\")",
	  RAT_SEVERITY_ERROR, 1, "{\"id\":5,\"amount\":2000,\"status\":\"new\"}" },
};

static void each_test_is_a_query_of_its_violations(void **state)
{
	rat_pipelines all;
	rat_checks checks;
	size_t i;
	(void)state;

	checks_of(&checks, &all, orders_config);
	assert_int_equal(checks.count, RAT_ARRAY_SIZE(expected));
	for (i = 0; i < checks.count; i++) {
		const rat_check *c = &checks.items[i];
		int64_t count = -1;
		const char *rows;
		assert_string_equal(c->name, expected[i].name);
		assert_string_equal(c->sql, expected[i].sql);
		assert_int_equal(c->severity, expected[i].severity);
		/* the rows are in a stable order for the comparison */
		if (strncmp(c->sql, "SELECT * FROM", 13) == 0 && !strstr(c->sql, "ORDER BY")) {
			char *ordered = rat__sprintf("%s ORDER BY id NULLS LAST", c->sql);
			rows = violations(ordered, &count);
			free(ordered);
		} else {
			rows = violations(c->sql, &count);
		}
		if (count != expected[i].count || strcmp(rows, expected[i].rows) != 0)
			fail_msg("%s: %lld rows [%s], expected %lld [%s]", c->name, (long long)count,
				 rows, (long long)expected[i].count, expected[i].rows);
	}
	rat_quality__checks_free(&checks);
	rat_quality__checks_free(&checks); /* twice is harmless */
	rat_pipelines_free(&all);
}

static void a_pipeline_without_tests_has_no_checks(void **state)
{
	rat_pipelines all;
	rat_checks checks;
	(void)state;

	checks_of(&checks, &all, "description: no tests here\ncolumns:\n  - name: id\n");
	assert_int_equal(checks.count, 0);
	assert_null(checks.items);
	rat_quality__checks_free(&checks);
	rat_pipelines_free(&all);
}

static void accepted_values_compare_as_text(void **state)
{
	rat_pipelines all;
	rat_checks checks;
	int64_t count = -1;
	(void)state;

	checks_of(&checks, &all, "columns:\n  - name: id\n    tests:\n"
		  "      - accepted_values: [1, 2]\n  - name: flag\n    tests:\n"
		  "      - {accepted_values: [true], severity: warn}\n");
	assert_int_equal(checks.count, 2);
	assert_string_equal(checks.items[0].sql,
			    "SELECT * FROM \"silver\".\"orders\" WHERE \"id\" IS NOT NULL AND "
			    "CAST(\"id\" AS VARCHAR) NOT IN ('1', '2')");
	assert_string_equal(violations(checks.items[0].sql, &count), "{\"id\":5,\"flag\":false}");
	assert_int_equal(count, 1);
	assert_string_equal(violations(checks.items[1].sql, &count), "{\"id\":5,\"flag\":false}");
	assert_int_equal(checks.items[1].severity, RAT_SEVERITY_WARN);
	rat_quality__checks_free(&checks);
	rat_pipelines_free(&all);
}

static void a_bound_the_config_accepts_makes_sql_that_runs(void **state)
{
	static const char *const bounds[] = { "1e3", "-2.5", "+7", ".5", "2.", "3E-2" };
	static const char *const refused[] = { "inf", "nan", "0x10", "1e", "\"-\"", "1.2.3", "e5" };
	rat_pipelines all;
	rat_checks checks;
	char config[256], ws[4200], want[256];
	size_t i;
	(void)state;

	/* a bound goes into the check's SQL as written: whatever loads must run */
	for (i = 0; i < RAT_ARRAY_SIZE(bounds); i++) {
		int64_t count = -1;
		int error;
		rat_strarray rows = RAT_STRARRAY_INIT;
		snprintf(config, sizeof(config), "columns:\n  - name: id\n    tests: [{max: %s}]\n",
			 bounds[i]);
		checks_of(&checks, &all, config);
		error = rat_quality__violations(s.engine, checks.items[0].sql, &count, &rows);
		rat_strarray_free(&rows);
		rat_quality__checks_free(&checks);
		rat_pipelines_free(&all);
		if (error)
			fail_msg("max: %s loads, but its check fails: %s", bounds[i],
				 rat_error_last()->message);
	}
	/* and what SQL would not read as a number does not load (strtod() reads some) */
	snprintf(ws, sizeof(ws), "%s/ws", s.dir);
	for (i = 0; i < RAT_ARRAY_SIZE(refused); i++) {
		snprintf(config, sizeof(config), "columns:\n  - name: id\n    tests: [{max: %s}]\n",
			 refused[i]);
		test_write(ws, "pipelines/silver/orders.yaml", config);
		assert_int_equal(rat_pipeline__load_all(&all, s.ws), RAT_EINVALID);
		snprintf(want, sizeof(want), "'%.*s' is not a number",
			 (int)strcspn(refused[i] + (refused[i][0] == '"'), "\""),
			 refused[i] + (refused[i][0] == '"'));
		if (!strstr(rat_error_last()->message, want))
			fail_msg("max: %s: %s", refused[i], rat_error_last()->message);
	}
}

static void a_template_error_in_tests_names_the_test(void **state)
{
	rat_pipelines all;
	rat_checks checks;
	const char *msg;
	(void)state;

	load(&all, "tests:\n  - name: broken\n    sql: SELECT * FROM {{ nope() }}\n");
	assert_int_not_equal(rat_quality__checks(&checks, rat_pipeline__find(&all, "silver.orders"),
						 &all, "\"silver\".\"orders\""), 0);
	msg = rat_error_last()->message;
	if (strncmp(msg, "silver.orders: tests[broken]: pipelines/silver/orders.yaml", 58) != 0)
		fail_msg("the error does not name the test and its file: %s", msg);
	assert_int_equal(checks.count, 0);
	assert_null(checks.items);
	rat_pipelines_free(&all);
}

static void at_most_five_violations_are_shown(void **state)
{
	rat_strarray rows = RAT_STRARRAY_INIT;
	int64_t count = -1;
	(void)state;

	assert_int_equal(rat_quality__violations(s.engine, "SELECT range AS n FROM range(12)", &count,
						 &rows), 0);
	assert_int_equal(count, 12);
	assert_int_equal(rows.count, 5);
	assert_string_equal(rows.strings[0], "{\"n\":0}");
	rat_strarray_free(&rows);
	assert_int_equal(rat_quality__violations(s.engine, "SELECT 1 WHERE false", &count, &rows), 0);
	assert_int_equal(count, 0);
	assert_int_equal(rows.count, 0);
	assert_int_equal(rat_quality__violations(s.engine, "SELECT nope FROM nowhere", &count, &rows),
			 RAT_ESQL);
	assert_non_null(strstr(rat_error_last()->message, "nowhere"));
	rat_strarray_free(&rows);
}

static int setup(void **state)
{
	test_session_open(&s, "quality_checks");
	if (rat_engine_exec(s.engine,
			    "CREATE SCHEMA silver; CREATE SCHEMA bronze;"
			    "CREATE TABLE bronze.orders AS SELECT * FROM (VALUES (1), (2)) t(id);"
			    "CREATE TABLE silver.orders AS SELECT * FROM (VALUES (1, 10, 'new'), "
			    "(2, -1, 'it''s done'), (2, 200, NULL), (NULL, -10, 'lost'), "
			    "(5, 2000, 'new')) t(id, amount, status);") != 0)
		fail_msg("setup: %s", rat_error_last()->message);
	*state = &s; /* test_session_teardown closes it */
	return 0;
}

/* accepted_values_compare_as_text reads a table of its own. */
static int with_flags(void **state)
{
	(void)state;
	if (rat_engine_exec(s.engine, "CREATE OR REPLACE TABLE silver.orders AS SELECT * FROM "
				      "(VALUES (1, true), (2, true), (5, false), (NULL, NULL)) "
				      "t(id, flag)") != 0)
		fail_msg("flags: %s", rat_error_last()->message);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(each_test_is_a_query_of_its_violations),
		cmocka_unit_test(a_pipeline_without_tests_has_no_checks),
		cmocka_unit_test(a_template_error_in_tests_names_the_test),
		cmocka_unit_test(at_most_five_violations_are_shown),
		cmocka_unit_test_setup(accepted_values_compare_as_text, with_flags),
		cmocka_unit_test(a_bound_the_config_accepts_makes_sql_that_runs),
	};
	return cmocka_run_group_tests(tests, setup, test_session_teardown);
}
