/*
 * tests/unit/quality/test_mocks.c - mock tables (quality/mocks.c): YAML in
 * its three forms (rows named by the file, table + rows, tables[]), CSV,
 * JSON and Parquet files become tables with their types; `only` loads just
 * the tables it names, even from a file holding several, and a table it
 * names with no mock is an error naming the folder; bad mock files are
 * refused with their file and position. The original Ratatouille's
 * layer_table names are layer.table; two files of one table are refused.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rat.h"
#include "util/common.h"
#include "quality/quality.h"

static test_session s;
static char mocks_dir[4200], scratch[4200];

/* A fresh mocks folder holding files (path, text, ..., NULL). */
static void mock_files(const char *first, ...)
{
	const char *path;
	va_list ap;

	test_rmtree(mocks_dir);
	test_write(mocks_dir, ".keep", "");
	va_start(ap, first);
	for (path = first; path; path = va_arg(ap, const char *))
		test_write(mocks_dir, path, va_arg(ap, const char *));
	va_end(ap);
}

/* Load the mocks folder into the session (only: NULL or the tables to load). */
static int load(const rat_strarray *only, rat_strarray *loaded)
{
	rat_mocks m = { s.engine, scratch, only, RAT_STRARRAY_INIT, 0, RAT_STRARRAY_INIT, s.ws };
	int error = rat_mocks__load(&m, mocks_dir, "pipelines/silver/orders/tests/mocks");

	rat_strarray_free(loaded);
	*loaded = m.loaded;
	rat_strarray_free(&m.sources);
	return error;
}

/* The text of a one-value query. */
static const char *value_of(const char *sql)
{
	return test_value(s.engine, sql);
}

static void every_format_becomes_a_table(void **state)
{
	rat_strarray loaded = RAT_STRARRAY_INIT;
	char parquet[4300], copy[8192];
	(void)state;

	snprintf(parquet, sizeof(parquet), "%s/silver.totals.parquet", scratch);
	snprintf(copy, sizeof(copy), "COPY (SELECT 'ann' AS customer, 10::INTEGER AS amount) TO "
		 "'%s' (FORMAT parquet)", parquet);
	assert_int_equal(rat_engine_exec(s.engine, copy), 0);
	mock_files("bronze.sales.yaml",
		   "rows:\n  - {id: 1, price: 2.5, paid: true, code: \"007\", note: null}\n"
		   "  - {id: 2, price: 3, paid: false, code: \"8\", note: x}\n",
		   "named.yaml", "table: bronze.customers\nrows: [{id: 1, name: ann}]\n",
		   "many.yml",
		   "tables:\n  - {table: bronze.refunds, rows: [{id: 9}]}\n"
		   "  - table: silver.orders\n    rows: [{id: 1, placed: \"2024-01-02 03:04:05\"}]\n",
		   "bronze.csv_orders.csv", "id,amount\n4,40\n5,50\n",
		   "bronze.json_orders.json", "[{\"id\": 6, \"amount\": 60}]\n",
		   "notes.txt", "not a mock\n", ".hidden.csv", "x\n1\n", NULL);
	{
		char cmd[12000];
		snprintf(cmd, sizeof(cmd), "cp '%s' '%s/'", parquet, mocks_dir);
		assert_int_equal(system(cmd), 0);
	}
	assert_int_equal(load(NULL, &loaded), 0);
	assert_string_equal(test_joined(&loaded, " "),
			    "bronze.csv_orders bronze.json_orders bronze.sales bronze.refunds "
			    "silver.orders bronze.customers silver.totals");
	/* YAML scalars keep their types: plain 1, 2.5, true, null; quoted text */
	assert_string_equal(value_of("SELECT string_agg(column_name || ' ' || column_type, ', ' "
				     "ORDER BY column_name) FROM (DESCRIBE bronze.sales)"),
			    "code VARCHAR, id BIGINT, note VARCHAR, paid BOOLEAN, price DOUBLE");
	assert_string_equal(value_of("SELECT code FROM bronze.sales WHERE id = 1"), "007");
	assert_string_equal(value_of("SELECT count(*) FROM bronze.sales WHERE note IS NULL"), "1");
	assert_string_equal(value_of("SELECT sum(price) FROM bronze.sales"), "5.5");
	assert_string_equal(value_of("SELECT name FROM bronze.customers"), "ann");
	assert_string_equal(value_of("SELECT typeof(placed) FROM silver.orders"), "TIMESTAMP");
	assert_string_equal(value_of("SELECT sum(amount) FROM bronze.csv_orders"), "90");
	assert_string_equal(value_of("SELECT amount FROM bronze.json_orders"), "60");
	assert_string_equal(value_of("SELECT customer || amount FROM silver.totals"), "ann10");
	assert_string_equal(value_of("SELECT id FROM bronze.refunds"), "9");
	rat_strarray_free(&loaded);
}

static void only_loads_the_tables_it_names(void **state)
{
	rat_strarray loaded = RAT_STRARRAY_INIT, only = RAT_STRARRAY_INIT;
	rat_result *result = NULL;
	(void)state;

	assert_int_equal(rat_engine_exec(s.engine, "DROP SCHEMA IF EXISTS gold CASCADE"), 0);
	mock_files("many.yaml",
		   "tables:\n  - {table: gold.a, rows: [{x: 1}]}\n  - {table: gold.b, rows: [{x: 2}]}\n",
		   "gold.c.csv", "x\n3\n", "gold.d.yaml", "rows: [{x: 4}]\n", NULL);
	assert_int_equal(rat_strarray__push(&only, "gold.b"), 0);
	assert_int_equal(rat_strarray__push(&only, "gold.d"), 0);
	assert_int_equal(load(&only, &loaded), 0);
	assert_string_equal(test_joined(&loaded, " "), "gold.d gold.b");
	assert_string_equal(value_of("SELECT x FROM gold.b"), "2");
	assert_int_not_equal(rat_engine_query(&result, s.engine, "SELECT * FROM gold.a"), 0);
	assert_int_not_equal(rat_engine_query(&result, s.engine, "SELECT * FROM gold.c"), 0);

	/* a table named in only with no mock */
	assert_int_equal(rat_strarray__push(&only, "gold.nothing"), 0);
	assert_int_equal(load(&only, &loaded), RAT_ENOTFOUND);
	assert_string_equal(rat_error_last()->message,
			    "no mock for gold.nothing in pipelines/silver/orders/tests/mocks");
	/* no mocks folder at all: nothing to load, unless some table is wanted */
	test_rmtree(mocks_dir);
	assert_int_equal(load(NULL, &loaded), 0);
	assert_int_equal(loaded.count, 0);
	assert_int_equal(load(&only, &loaded), RAT_ENOTFOUND);
	assert_string_equal(rat_error_last()->message,
			    "no mock for gold.b in pipelines/silver/orders/tests/mocks");
	rat_strarray_free(&only);
	rat_strarray_free(&loaded);
}

/* The original Ratatouille's layer_table names (issue 16, item 8). */
static void layer_table_names_are_layer_dot_table(void **state)
{
	rat_strarray loaded = RAT_STRARRAY_INIT, only = RAT_STRARRAY_INIT;
	(void)state;

	mock_files("bronze_sales.yaml",
		   "table: bronze_raw_sales\nrows:\n  - {txn_id: T001, quantity: 2}\n",
		   "silver_stores.csv", "store_id\nS1\n", NULL);
	assert_int_equal(load(NULL, &loaded), 0);
	assert_string_equal(test_joined(&loaded, " "), "bronze.raw_sales silver.stores");
	assert_string_equal(value_of("SELECT quantity FROM bronze.raw_sales"), "2");
	assert_string_equal(value_of("SELECT store_id FROM silver.stores"), "S1");
	/* only may name them either way */
	assert_int_equal(rat_strarray__push(&only, "bronze_raw_sales"), 0);
	assert_int_equal(load(&only, &loaded), 0);
	assert_string_equal(test_joined(&loaded, " "), "bronze.raw_sales");
	rat_strarray_free(&only);
	rat_strarray_free(&loaded);
}

/* Two files of one table: an error naming both, whichever way they name it. */
static void two_mocks_of_one_table_are_refused(void **state)
{
	rat_strarray loaded = RAT_STRARRAY_INIT, only = RAT_STRARRAY_INIT;
	const char *msg;
	(void)state;

	mock_files("a.yaml", "table: bronze.raw_sales\nrows: [{id: 1}]\n",
		   "b.yaml", "table: bronze_raw_sales\nrows: [{id: 2}]\n", NULL);
	assert_int_equal(load(NULL, &loaded), RAT_EINVALID);
	msg = rat_error_last()->message;
	/* the folder's order decides which is found second: both are named either way */
	if (strcmp(msg, "pipelines/silver/orders/tests/mocks/b.yaml: mock table bronze.raw_sales "
			"is also in pipelines/silver/orders/tests/mocks/a.yaml (two mocks of one "
			"table: give each test the file it reads, -- @mocks: mocks/<file>)") != 0 &&
	    strcmp(msg, "pipelines/silver/orders/tests/mocks/a.yaml: mock table bronze.raw_sales "
			"is also in pipelines/silver/orders/tests/mocks/b.yaml (two mocks of one "
			"table: give each test the file it reads, -- @mocks: mocks/<file>)") != 0)
		fail_msg("unexpected: %s", msg);
	/* only another table: no clash */
	mock_files("a.yaml", "table: bronze.raw_sales\nrows: [{id: 1}]\n",
		   "b.yaml", "table: bronze_raw_sales\nrows: [{id: 2}]\n",
		   "bronze.stores.csv", "id\n1\n", NULL);
	assert_int_equal(rat_strarray__push(&only, "bronze.stores"), 0);
	assert_int_equal(load(&only, &loaded), 0);
	rat_strarray_free(&only);
	rat_strarray_free(&loaded);
}

/* Loading the one mock file name holding text fails with exactly want. */
static void refused(const char *name, const char *text, const char *want)
{
	rat_strarray loaded = RAT_STRARRAY_INIT;

	mock_files(name, text, NULL);
	if (load(NULL, &loaded) == 0)
		fail_msg("%s loaded; expected: %s", name, want);
	assert_string_equal(rat_error_last()->message, want);
	rat_strarray_free(&loaded);
}

static void bad_mocks_are_refused_with_their_place(void **state)
{
	(void)state;

	refused("bronze.x.yaml", "rows: []\n",
		"pipelines/silver/orders/tests/mocks/bronze.x.yaml:1:1: rows: a mock needs at "
		"least one row (its columns and types come from the rows)");
	refused("bronze.x.yaml", "rows: {id: 1}\n",
		"pipelines/silver/orders/tests/mocks/bronze.x.yaml:1:8: rows: expected a list, got "
		"a mapping");
	refused("x.yaml", "columns: [id]\n",
		"pipelines/silver/orders/tests/mocks/x.yaml:1:1: columns: unknown key (allowed: "
		"table, rows, tables)");
	refused("x.yaml", "table: bronze.x\n",
		"pipelines/silver/orders/tests/mocks/x.yaml:1:1: (top level): give the mock's rows");
	refused("x.yaml", "tables:\n  - {rows: [{id: 1}]}\n",
		"pipelines/silver/orders/tests/mocks/x.yaml:2:6: tables[0]: give the mock's table: "
		"layer.name");
	refused("x.yaml", "tables:\n  - {table: orders, rows: [{id: 1}]}\n",
		"pipelines/silver/orders/tests/mocks/x.yaml: mock table 'orders' is not layer.table "
		"(nor layer_table, bronze_sales for bronze.sales)");
	refused("orders.csv", "id\n1\n",
		"pipelines/silver/orders/tests/mocks/orders.csv: mock table 'orders' is not "
		"layer.table (nor layer_table, bronze_sales for bronze.sales)");
	/* layer_table needs a known layer and a name after it */
	refused("x.yaml", "table: platinum_sales\nrows: [{id: 1}]\n",
		"pipelines/silver/orders/tests/mocks/x.yaml: mock table 'platinum_sales' is not "
		"layer.table (nor layer_table, bronze_sales for bronze.sales)");
	refused("bronze_.csv", "id\n1\n",
		"pipelines/silver/orders/tests/mocks/bronze_.csv: mock table 'bronze_' is not "
		"layer.table (nor layer_table, bronze_sales for bronze.sales)");
}

static void an_empty_mock_is_refused_at_its_rows(void **state)
{
	(void)state;

	/* util/yaml.h: an error about an empty value points at its key */
	refused("bronze.x.yaml", "# the sales mock\n\nrows: []\n",
		"pipelines/silver/orders/tests/mocks/bronze.x.yaml:3:1: rows: a mock needs at "
		"least one row (its columns and types come from the rows)");
	refused("x.yaml", "tables:\n  - {table: bronze.x, rows: []}\n",
		"pipelines/silver/orders/tests/mocks/x.yaml:2:23: tables[0].rows: a mock needs at "
		"least one row (its columns and types come from the rows)");
}

static void a_reader_error_names_the_mock(void **state)
{
	rat_strarray loaded = RAT_STRARRAY_INIT;
	const char *msg, *want = "pipelines/silver/orders/tests/mocks/bronze.broken.json: mock "
				 "bronze.broken: ";
	(void)state;

	mock_files("bronze.broken.json", "[{\"id\": 1,\n", NULL);
	assert_int_not_equal(load(NULL, &loaded), 0);
	msg = rat_error_last()->message;
	if (strncmp(msg, want, strlen(want)) != 0)
		fail_msg("the error does not name the mock: %s", msg);
	rat_strarray_free(&loaded);
}

static int setup(void **state)
{
	test_session_open(&s, "quality_mocks");
	snprintf(mocks_dir, sizeof(mocks_dir), "%s/mocks", s.dir);
	snprintf(scratch, sizeof(scratch), "%s/scratch", s.dir);
	test_write(scratch, ".keep", "");
	*state = &s; /* test_session_teardown closes it */
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_format_becomes_a_table),
		cmocka_unit_test(only_loads_the_tables_it_names),
		cmocka_unit_test(bad_mocks_are_refused_with_their_place),
		cmocka_unit_test(an_empty_mock_is_refused_at_its_rows),
		cmocka_unit_test(a_reader_error_names_the_mock),
		cmocka_unit_test(layer_table_names_are_layer_dot_table),
		cmocka_unit_test(two_mocks_of_one_table_are_refused),
	};
	return cmocka_run_group_tests(tests, setup, test_session_teardown);
}
