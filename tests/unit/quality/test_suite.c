/*
 * tests/unit/quality/test_suite.c - rat_test_run() (quality/testing.c,
 * quality/files.c) on a scratch workspace holding every kind of test: unit
 * tests on mocks that pass, fail (rows missing and unexpected, a wrong count
 * and columns, a column the result lacks) or error (a missing mock, no
 * expectation); quality tests on mocks and on the real table; the config's
 * column tests and tests[]; freshness by a column and by the last commit.
 * Before any run the real-table tests are skipped; after one they pass,
 * warn or fail. The counts, statuses and exact messages are asserted, and
 * the selections, fail_fast and bad options.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rat.h"
#include "util/common.h"

static char *dir;
static rat_workspace *ws;

static const char *const files[] = {
	"workspace.yaml", "name: suite\nresources:\n  profile: tiny\n",
	"landing/orders/a.csv", "id,customer,amount\n1,ann,10\n2,bob,20\n3,ann,-5\n",
	/* bronze.orders: ingestion, tested on a landing mock */
	"pipelines/bronze/orders/pipeline.sql",
	"-- @materialized: incremental\n-- @landing: orders\n"
	"SELECT * FROM read_csv({{ landing_files }}, header = true)\n",
	"pipelines/bronze/orders/tests/mocks/landing/x.csv", "id,customer,amount\n7,zed,70\n8,yan,80\n",
	"pipelines/bronze/orders/tests/unit/reads_landing.sql",
	"-- @expect_count: 2\n-- @expect_columns: [id, customer, amount]\n",
	/* silver.orders: every kind of test */
	"pipelines/silver/orders/pipeline.sql",
	"SELECT id, lower(customer) AS customer, amount FROM {{ ref('bronze.orders') }}\n"
	"WHERE amount > 0\n",
	"pipelines/silver/orders/config.yaml",
	"columns:\n  - name: id\n    tests: [not_null, unique]\n"
	"  - name: amount\n    tests: [{max: 15, severity: warn}]\n"
	"tests:\n  - name: no_zero\n    sql: SELECT * FROM {{ this }} WHERE amount = 0\n"
	"freshness:\n  warn_after: 1d\n",
	"pipelines/silver/orders/tests/mocks/one.yaml",
	"table: bronze.orders\nrows:\n  - {id: 1, customer: ANN, amount: 10}\n"
	"  - {id: 2, customer: Bob, amount: -3}\n  - {id: 3, customer: bob, amount: 30}\n",
	"pipelines/silver/orders/tests/unit/a_expect.sql",
	"-- @expect: [{id: 1, customer: ann, amount: 10}, {id: 3, customer: bob, amount: 30}]\n",
	"pipelines/silver/orders/tests/unit/b_wrong.sql", "-- @expect: [{id: 1, amount: 11}]\n",
	"pipelines/silver/orders/tests/unit/c_count.sql",
	"-- @expect_count: 5\n-- @expect_exact_columns: [id]\n",
	"pipelines/silver/orders/tests/unit/d_missing_mock.sql",
	"-- @mocks: [bronze.nothing]\n-- @expect_count: 0\n",
	"pipelines/silver/orders/tests/unit/e_no_expectation.sql", "-- @mocks: [bronze.orders]\n",
	"pipelines/silver/orders/tests/unit/f_sql.sql",
	"-- @mocks: [bronze.orders]\nSELECT 3 AS id UNION ALL SELECT 1\n",
	"pipelines/silver/orders/tests/unit/g_missing_column.sql", "SELECT 1 AS nope\n",
	"pipelines/silver/orders/tests/quality/ann.sql",
	"SELECT id, customer FROM {{ this }} WHERE customer = 'ann'\n",
	"pipelines/silver/orders/tests/quality/no_big.sql",
	"-- @severity: warn\nSELECT * FROM {{ this }} WHERE amount > 15\n",
	"pipelines/silver/orders/tests/quality/on_mocks.sql",
	"-- @mocks: [bronze.orders]\nSELECT * FROM {{ this }} WHERE customer <> lower(customer)\n",
	/* gold: freshness by a column of old data, and a column test */
	"pipelines/gold/aging.sql", "SELECT TIMESTAMP '2020-01-01 00:00:00' AS ts\n",
	"pipelines/gold/aging.yaml", "freshness: {column: ts, warn_after: 2d}\n",
	"pipelines/gold/stale.sql", "SELECT TIMESTAMP '2020-01-01 00:00:00' AS ts\n",
	"pipelines/gold/stale.yaml", "freshness: {column: ts, warn_after: 1d, error_after: 2d}\n",
	"pipelines/gold/totals.sql",
	"SELECT customer, sum(amount) AS amount FROM {{ ref('silver.orders') }} GROUP BY customer\n",
	"pipelines/gold/totals.yaml", "columns:\n  - name: amount\n    tests: [positive]\n",
	NULL,
};

/* Run the suite with opts (NULL: defaults); the report. */
static void test_all(rat_test_report *r, const rat_test_options *opts)
{
	if (rat_test_run(r, ws, opts) != 0)
		fail_msg("rat_test_run: %s", rat_error_last()->message);
}

/* The result named name of pipeline key, or a failure. */
static const rat_test_result *result(const rat_test_report *r, const char *key, const char *name)
{
	size_t i;

	for (i = 0; i < r->count; i++)
		if (strcmp(r->items[i].pipeline, key) == 0 && strcmp(r->items[i].name, name) == 0)
			return &r->items[i];
	fail_msg("no result %s %s", key, name);
	return NULL;
}

/* The result name of pipeline key, whose message is message. */
static const rat_test_result *says(const rat_test_report *r, const char *key, const char *name,
				   const char *message)
{
	const rat_test_result *t = result(r, key, name);

	if (strcmp(t->message, message) != 0)
		fail_msg("%s %s says '%s', expected '%s'", key, name, t->message, message);
	return t;
}

/* The results as "name:status" joined by ' ', in report order. */
static const char *statuses(const rat_test_report *r)
{
	static char out[2048];
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < r->count; i++)
		used += (size_t)snprintf(out + used, sizeof(out) - used, "%s%s:%d", i ? " " : "",
					 r->items[i].name, (int)r->items[i].status);
	return out;
}

static void counts_are(const rat_test_report *r, size_t passed, size_t failed, size_t warned,
		       size_t errored, size_t skipped)
{
	assert_int_equal(r->count, passed + failed + warned + errored + skipped);
	assert_int_equal(r->passed, passed);
	assert_int_equal(r->failed, failed);
	assert_int_equal(r->warned, warned);
	assert_int_equal(r->errored, errored);
	assert_int_equal(r->skipped, skipped);
}

static void unit_tests_run_on_mocks(void **state)
{
	rat_test_report r;
	const rat_test_result *t;
	(void)state;

	test_all(&r, NULL);
	/* P=0 F=1 W=2 E=3 S=4 */
	assert_string_equal(statuses(&r),
			    "unit/reads_landing:0 unit/a_expect:0 unit/b_wrong:1 unit/c_count:1 "
			    "unit/d_missing_mock:3 unit/e_no_expectation:3 unit/f_sql:0 "
			    "unit/g_missing_column:1 quality/ann:4 quality/no_big:4 "
			    "quality/on_mocks:0 not_null(id):4 unique(id):4 max(amount):4 "
			    "tests[no_zero]:4 freshness:4 freshness:4 freshness:4 positive(amount):4");
	counts_are(&r, 4, 3, 0, 2, 10);
	assert_int_equal(r.stopped, 0);

	t = result(&r, "silver.orders", "unit/b_wrong");
	assert_string_equal(t->kind, "unit");
	assert_string_equal(t->file, "pipelines/silver/orders/tests/unit/b_wrong.sql");
	assert_int_equal(t->error_severity, 1);
	assert_string_equal(t->message, "1 expected rows missing, 2 unexpected");
	assert_int_equal(t->violations, 3);
	assert_int_equal(t->row_count, 3);
	assert_string_equal(t->rows[0], "missing: {\"id\":1,\"amount\":11}");
	if (!((strcmp(t->rows[1], "unexpected: {\"id\":1,\"amount\":10}") == 0 &&
	       strcmp(t->rows[2], "unexpected: {\"id\":3,\"amount\":30}") == 0) ||
	      (strcmp(t->rows[2], "unexpected: {\"id\":1,\"amount\":10}") == 0 &&
	       strcmp(t->rows[1], "unexpected: {\"id\":3,\"amount\":30}") == 0)))
		fail_msg("unexpected rows: %s | %s", t->rows[1], t->rows[2]);
	t = says(&r, "silver.orders", "unit/c_count",
		 "2 rows, expected 5; columns [id, customer, amount], expected exactly [id]");
	assert_int_equal(t->violations, 2);
	t = says(&r, "silver.orders", "unit/d_missing_mock",
		 "no mock for bronze.nothing in pipelines/silver/orders/tests/mocks");
	t = says(&r, "silver.orders", "unit/e_no_expectation",
		 "pipelines/silver/orders/tests/unit/e_no_expectation.sql: no expectation "
		 "(@expect, @expect_count, @expect_columns, or a SELECT of the expected "
		 "rows)");
	t = says(&r, "silver.orders", "unit/g_missing_column", "the result has no column nope");
	assert_int_equal(t->violations, 1);
	t = says(&r, "silver.orders", "unit/a_expect", "");
	assert_int_equal(t->row_count, 0);
	t = says(&r, "silver.orders", "quality/no_big",
		 "silver.orders is not built on workspace/suite yet");
	assert_int_equal(t->error_severity, 0);
	assert_string_equal(t->kind, "quality");
	t = result(&r, "silver.orders", "tests[no_zero]");
	assert_string_equal(t->kind, "config");
	assert_string_equal(t->file, "pipelines/silver/orders/config.yaml");
	assert_string_equal(result(&r, "silver.orders", "not_null(id)")->kind, "column");
	assert_string_equal(result(&r, "gold.stale", "freshness")->file, "pipelines/gold/stale.yaml");
	rat_test_report_free(&r);
	rat_test_report_free(&r); /* twice is harmless */
}

/* The hours since 2020-01-01 00:00:00 UTC, now. */
static double hours_since_2020(void)
{
	return ((double)time(NULL) - 1577836800.0) / 3600.0;
}

/* message is "newest data is <h>h old (<rest>" with h within 0.2 of the age of 2020-01-01. */
static void age_message(const char *message, const char *rest)
{
	double hours = 0;
	char tail[128];

	if (sscanf(message, "newest data is %lfh old (%127[^\n]", &hours, tail) != 2 ||
	    strcmp(tail, rest) != 0 || hours < hours_since_2020() - 0.2 ||
	    hours > hours_since_2020() + 0.2)
		fail_msg("'%s': expected about %.1fh and '(%s'", message, hours_since_2020(), rest);
}

static void after_a_run_the_real_tables_are_tested(void **state)
{
	rat_test_report r;
	rat_run_info *info = NULL;
	const rat_test_result *t;
	(void)state;

	if (rat_run(&info, ws, NULL) != 0)
		fail_msg("run: %s", rat_error_last()->message);
	rat_run_info_free(info);
	test_all(&r, NULL);
	assert_string_equal(statuses(&r),
			    "unit/reads_landing:0 unit/a_expect:0 unit/b_wrong:1 unit/c_count:1 "
			    "unit/d_missing_mock:3 unit/e_no_expectation:3 unit/f_sql:0 "
			    "unit/g_missing_column:1 quality/ann:1 quality/no_big:2 "
			    "quality/on_mocks:0 not_null(id):0 unique(id):0 max(amount):2 "
			    "tests[no_zero]:0 freshness:0 freshness:2 freshness:1 positive(amount):0");
	counts_are(&r, 9, 5, 3, 2, 0);

	t = says(&r, "silver.orders", "quality/ann", "1 violating rows");
	assert_int_equal(t->violations, 1);
	assert_int_equal(t->row_count, 1);
	assert_string_equal(t->rows[0], "{\"id\":1,\"customer\":\"ann\"}");
	t = says(&r, "silver.orders", "quality/no_big", "1 violating rows");
	assert_string_equal(t->rows[0], "{\"id\":2,\"customer\":\"bob\",\"amount\":20}");
	t = says(&r, "silver.orders", "max(amount)", "1 violating rows");
	assert_int_equal(t->error_severity, 0);
	t = says(&r, "silver.orders", "freshness", ""); /* by the last commit: just now */
	t = result(&r, "gold.aging", "freshness");
	age_message(t->message, "warn after 2d)");
	assert_int_equal(t->error_severity, 0);
	t = result(&r, "gold.stale", "freshness");
	age_message(t->message, "error after 2d)");
	assert_int_equal(t->error_severity, 1);
	rat_test_report_free(&r);
}

typedef struct tally {
	size_t calls;
	char last[128];
} tally;

static void count_result(void *ctx, const rat_test_result *r)
{
	tally *t = ctx;

	t->calls++;
	snprintf(t->last, sizeof(t->last), "%s %s", r->pipeline, r->name);
}

static void fail_fast_stops_at_the_first_failure(void **state)
{
	rat_test_options opts = RAT_TEST_OPTIONS_INIT;
	tally seen = { 0, "" };
	rat_test_report r;
	(void)state;

	opts.fail_fast = 1;
	opts.progress = count_result;
	opts.progress_ctx = &seen;
	test_all(&r, &opts);
	assert_int_equal(r.stopped, 1);
	assert_string_equal(statuses(&r), "unit/reads_landing:0 unit/a_expect:0 unit/b_wrong:1");
	counts_are(&r, 2, 1, 0, 0, 0);
	assert_int_equal(seen.calls, 3);
	assert_string_equal(seen.last, "silver.orders unit/b_wrong");
	rat_test_report_free(&r);
}

/* The suite run with kind, pipeline and layer (each may be NULL) gives the statuses want. */
static void selected(const char *kind, const char *pipeline, const char *layer, const char *want)
{
	rat_test_options opts = RAT_TEST_OPTIONS_INIT;
	rat_test_report r;

	opts.kind = kind;
	opts.pipeline = pipeline;
	opts.layer = layer;
	test_all(&r, &opts);
	assert_string_equal(statuses(&r), want);
	rat_test_report_free(&r);
}

static void selections_pick_their_tests(void **state)
{
	(void)state;

	selected("unit", NULL, NULL,
		 "unit/reads_landing:0 unit/a_expect:0 unit/b_wrong:1 unit/c_count:1 "
		 "unit/d_missing_mock:3 unit/e_no_expectation:3 unit/f_sql:0 unit/g_missing_column:1");
	selected("quality", "gold/totals", NULL, "positive(amount):0");
	selected(NULL, "gold.stale", NULL, "freshness:1"); /* the dotted form too */
	selected(NULL, NULL, "bronze", "unit/reads_landing:0");
	selected(NULL, "totals", NULL, "positive(amount):0"); /* a name in one layer only */
	selected("unit", "orders", "bronze", "unit/reads_landing:0"); /* the layer says which */
}

/* What an option selects must exist: a name in two layers, or no test, is an error. */
static void selections_that_match_nothing_are_refused(void **state)
{
	rat_test_options opts = RAT_TEST_OPTIONS_INIT;
	rat_test_report r;
	(void)state;

	opts.pipeline = "orders";
	assert_int_equal(rat_test_run(&r, ws, &opts), RAT_EINVALID);
	assert_string_equal(rat_error_last()->message,
			    "more than one layer has a pipeline 'orders' (bronze.orders, "
			    "silver.orders): name one as layer.name");
	opts.pipeline = "nope";
	assert_int_equal(rat_test_run(&r, ws, &opts), RAT_ENOTFOUND);
	assert_string_equal(rat_error_last()->message, "no pipeline nope (`rat list` shows them)");
	opts.layer = "gold";
	opts.pipeline = "orders";
	assert_int_equal(rat_test_run(&r, ws, &opts), RAT_ENOTFOUND);
	assert_string_equal(rat_error_last()->message,
			    "no pipeline orders in the layer gold (`rat list` shows them)");
	opts.layer = NULL;
	opts.pipeline = NULL;
	opts.kind = "quality";
	opts.layer = "bronze";
	assert_int_equal(rat_test_run(&r, ws, &opts), RAT_ENOTFOUND);
	assert_string_equal(rat_error_last()->message, "no quality test in the bronze layer");
	assert_int_equal(r.count, 0);
	opts.layer = NULL;
	opts.pipeline = "bronze/orders";
	assert_int_equal(rat_test_run(&r, ws, &opts), RAT_ENOTFOUND);
	assert_string_equal(rat_error_last()->message, "no quality test in bronze/orders");
}

static void bad_selections_and_options_are_refused(void **state)
{
	rat_test_options opts = RAT_TEST_OPTIONS_INIT;
	rat_test_report r;
	(void)state;

	opts.pipeline = "silver/nope";
	assert_int_equal(rat_test_run(&r, ws, &opts), RAT_ENOTFOUND);
	assert_string_equal(rat_error_last()->message, "no pipeline silver/nope (`rat list` shows them)");
	assert_int_equal(r.count, 0);
	assert_null(r.items);
	opts.pipeline = NULL;
	opts.layer = "platinum";
	assert_int_equal(rat_test_run(&r, ws, &opts), RAT_EINVALID);
	opts.layer = NULL;
	opts.kind = "smoke";
	assert_int_equal(rat_test_run(&r, ws, &opts), RAT_EINVALID);
	assert_string_equal(rat_error_last()->message, "test type 'smoke' is unit, quality or freshness");
	opts.kind = NULL;
	opts.version = 0;
	assert_int_equal(rat_test_run(&r, ws, &opts), RAT_EINVALID);
	assert_non_null(strstr(rat_error_last()->message, "rat_test_options: version 0"));
}

static int setup(void **state)
{
	char path[4300];
	size_t i;

	dir = test_scratch_home("quality_suite");
	unsetenv("ICEBERG_WAREHOUSE"); /* the tables in the scratch home's warehouse */
	unsetenv("RAT_NOW");           /* freshness is measured against the real clock */
	snprintf(path, sizeof(path), "%s/ws", dir);
	for (i = 0; files[i]; i += 2)
		test_write(path, files[i], files[i + 1]);
	if (rat_workspace_open(&ws, path) != 0)
		fail_msg("open: %s", rat_error_last()->message);
	*state = dir;
	return 0;
}

static int teardown(void **state)
{
	rat_workspace_free(ws);
	return test_scratch_teardown(state);
}

int main(void)
{
	/* in order: the first test runs before any build, the others after the run */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(unit_tests_run_on_mocks),
		cmocka_unit_test(after_a_run_the_real_tables_are_tested),
		cmocka_unit_test(fail_fast_stops_at_the_first_failure),
		cmocka_unit_test(selections_pick_their_tests),
		cmocka_unit_test(bad_selections_and_options_are_refused),
		cmocka_unit_test(selections_that_match_nothing_are_refused),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
