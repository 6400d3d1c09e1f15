/*
 * tests/unit/engine/test_guard.c - a guarded session (engine/guard.c)
 * refuses, before it runs, every statement that would change a protected
 * schema: CREATE, CREATE OR REPLACE, DROP and ALTER of its objects, the
 * schema itself, ATTACH under its name, and INSERT, UPDATE, DELETE,
 * TRUNCATE, MERGE and COPY FROM into it; as DuckDB resolves the target
 * (USE, search_path), in any statement of several. A CREATE ... AS whose
 * plan DuckDB cannot serialize (over read_csv) is undone after it runs.
 * Temporary tables, tables of the session's own main schema, CTEs, COPY
 * TO and reads stay allowed; librat's own views are not guarded.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rat.h"
#include "util/common.h"
#include "engine/engine.h"
#include "workspace/workspace.h"

static test_session session;
static rat_engine *engine;

/* A fresh guarded engine with silver.sales (a view), as a workspace session has it. */
static void open_guarded(void)
{
	static const char *const schemas[] = { "silver", "gold" };

	rat_engine_free(engine);
	if (rat_workspace__open_engine(&engine, session.ws) != 0 ||
	    rat_engine__protect(engine, schemas, 2, "HINT") != 0 ||
	    rat_engine__bind_view(engine, "silver", "sales", "SELECT 1 AS id, 10 AS amount") != 0)
		fail_msg("open: %s", rat_error_last()->message);
}

static const char *value(const char *sql)
{
	return test_value(engine, sql);
}

/* What the protected schemas hold: every table, view and macro, by name. */
static const char *inventory(void)
{
	return value("SELECT coalesce(string_agg(schema_name || '.' || name, ',' ORDER BY 1), '') FROM "
		     "(SELECT schema_name, table_name AS name FROM duckdb_tables() UNION ALL SELECT "
		     "schema_name, view_name FROM duckdb_views() WHERE NOT internal UNION ALL SELECT "
		     "schema_name, function_name FROM duckdb_functions() WHERE NOT internal) WHERE "
		     "schema_name IN ('silver', 'gold')");
}

static void refused(const char *sql, const char *message)
{
	char before[256];

	snprintf(before, sizeof(before), "%s", inventory());
	assert_int_equal(rat_engine_exec(engine, sql), RAT_ESQL);
	if (strcmp(rat_error_last()->message, message) != 0)
		fail_msg("%s:\n got: %s\n expected: %s", sql, rat_error_last()->message, message);
	assert_string_equal(inventory(), before); /* nothing changed */
	assert_string_equal(value("SELECT amount FROM silver.sales"), "10");
}

static void writes_to_a_protected_schema_are_refused(void **state)
{
	(void)state;
	open_guarded();
	refused("CREATE TABLE silver.x AS SELECT 1", "CREATE TABLE silver.x: HINT");
	refused("create or replace table SILVER.x (a int)", "CREATE TABLE silver.x: HINT");
	refused("CREATE OR REPLACE VIEW silver.sales AS SELECT 2 AS amount",
		"CREATE VIEW silver.sales: HINT");
	refused("CREATE VIEW gold.v AS SELECT * FROM silver.sales", "CREATE VIEW gold.v: HINT");
	refused("CREATE MACRO gold.f(x) AS x + 1", "CREATE MACRO gold.f: HINT");
	refused("CREATE SEQUENCE gold.s", "CREATE SEQUENCE gold.s: HINT");
	refused("DROP VIEW silver.sales", "DROP silver.sales: HINT");
	refused("DROP TABLE IF EXISTS gold.nothing", "DROP gold.nothing: HINT");
	refused("DROP SCHEMA silver CASCADE", "DROP silver: HINT");
	refused("ALTER VIEW silver.sales RENAME TO s2", "ALTER silver.sales: HINT");
	refused("COMMENT ON VIEW silver.sales IS 'x'", "ALTER silver.sales: HINT");
	refused("ATTACH ':memory:' AS gold", "ATTACH gold: HINT");
	/* writes into its views fail to prepare: the refusal says why */
	refused("INSERT INTO silver.sales VALUES (2, 20)", "INSERT INTO silver.sales: HINT");
	refused("insert or replace into \"silver\".sales VALUES (2, 20)",
		"INSERT INTO \"silver\".sales: HINT");
	refused("UPDATE silver.sales SET amount = 0", "UPDATE silver.sales: HINT");
	refused("DELETE FROM silver.sales WHERE id = 1", "DELETE FROM silver.sales: HINT");
	refused("TRUNCATE silver.sales", "TRUNCATE silver.sales: HINT");
	refused("MERGE INTO silver.sales USING (SELECT 1 AS id) s ON (s.id = sales.id) WHEN MATCHED "
		"THEN DELETE",
		"MERGE INTO silver.sales: HINT");
	refused("COPY silver.sales FROM '/nonexistent.csv'", "COPY silver.sales: HINT");
	refused("INSERT INTO gold.missing VALUES (1)", "INSERT INTO gold.missing: HINT");
}

/* DuckDB resolves the target: USE and search_path count, and so does each statement of several. */
static void targets_are_what_duckdb_resolves(void **state)
{
	(void)state;
	open_guarded();
	refused("SELECT 1; CREATE TABLE gold.x (a INT); SELECT 2",
		"statement 2: CREATE TABLE gold.x: HINT");
	refused("USE silver; CREATE TABLE z (a INT)", "statement 2: CREATE TABLE silver.z: HINT");
	open_guarded(); /* (USE stays) */
	refused("SET search_path = 'gold'; CREATE VIEW v AS SELECT 1",
		"statement 2: CREATE VIEW gold.v: HINT");
	open_guarded();
	refused("CREATE TABLE memory.silver.x AS SELECT 1", "CREATE TABLE silver.x: HINT");
	refused("SELECT ';'; /* ; */ CREATE TABLE silver.y AS SELECT $$;$$ AS s",
		"statement 2: CREATE TABLE silver.y: HINT");
}

/* A CREATE ... AS over read_csv cannot be planned ahead: it is undone after it runs. */
static void an_unplannable_create_is_undone(void **state)
{
	char csv[4200], sql[8600];
	(void)state;

	open_guarded();
	test_write(session.dir, "in.csv", "id,amount\n1,5\n");
	snprintf(csv, sizeof(csv), "%s/in.csv", session.dir);
	snprintf(sql, sizeof(sql), "CREATE TABLE gold.raw AS SELECT * FROM read_csv('%s')", csv);
	refused(sql, "CREATE TABLE gold.raw: HINT");
	snprintf(sql, sizeof(sql), "CREATE TABLE silver.raw AS SELECT * FROM read_csv('%s'); SELECT 1",
		 csv);
	refused(sql, "statement 1: CREATE TABLE silver.raw: HINT");
	/* into a temporary table, or the session's own schema: allowed */
	snprintf(sql, sizeof(sql), "CREATE TEMP TABLE raw AS SELECT * FROM read_csv('%s'); "
				   "SELECT count(*) FROM raw",
		 csv);
	assert_string_equal(value(sql), "1");
	snprintf(sql, sizeof(sql), "CREATE TABLE mine AS SELECT * FROM read_csv('%s'); SELECT "
				   "sum(amount) FROM mine",
		 csv);
	assert_string_equal(value(sql), "5");
}

static void the_session_s_own_objects_stay_allowed(void **state)
{
	char dest[4200], sql[8600];
	(void)state;

	open_guarded();
	assert_string_equal(value("CREATE TEMP TABLE t AS SELECT * FROM silver.sales; "
				  "INSERT INTO t VALUES (2, 20); UPDATE t SET amount = amount + 1; "
				  "SELECT sum(amount) FROM t"),
			    "32");
	assert_string_equal(value("CREATE TABLE main.m (a INT); INSERT INTO m VALUES (3); "
				  "CREATE VIEW mv AS SELECT a * 2 AS b FROM m; DROP TABLE t; "
				  "SELECT b FROM mv"),
			    "6");
	assert_string_equal(value("WITH c AS (SELECT amount FROM silver.sales) SELECT * FROM c"),
			    "10");
	assert_string_equal(value("CREATE MACRO twice(x) AS x * 2; SELECT twice(amount) FROM "
				  "silver.sales"),
			    "20");
	snprintf(dest, sizeof(dest), "%s/out.csv", session.dir);
	snprintf(sql, sizeof(sql), "COPY silver.sales TO '%s'", dest);
	assert_int_equal(rat_engine_exec(engine, sql), 0);
	/* librat's own views are not guarded */
	assert_int_equal(rat_engine__bind_view(engine, "gold", "kpi", "SELECT 42 AS answer"), 0);
	assert_string_equal(value("SELECT answer FROM gold.kpi"), "42");
}

static int setup(void **state)
{
	(void)state;
	test_session_open(&session, "engine_guard");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rat_engine_free(engine);
	test_session_close(&session);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(writes_to_a_protected_schema_are_refused),
		cmocka_unit_test(targets_are_what_duckdb_resolves),
		cmocka_unit_test(an_unplannable_create_is_undone),
		cmocka_unit_test(the_session_s_own_objects_stay_allowed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
