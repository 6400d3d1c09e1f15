/*
 * tests/unit/run/test_write.c - rat_engine_write_table() (run/write.c): a
 * session's rows (a temporary table the caller filled, a Parquet file,
 * a query) become a workspace table in one commit, which the session then
 * reads; an append adds rows; a pipeline's error-severity checks gate the
 * commit (the rows stay on run/write-<id>); its warn-severity ones are
 * reported; its next run rebuilds the table; only the workspace's own
 * session, branch and dev/ branches, tables (not views) and known options
 * are accepted.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rat.h"
#include "engine/engine.h"

static char *dir;
static char ws_dir[4200];
static rat_workspace *ws;
static rat_engine *engine;

/* A fresh session on the workspace's branch: what a later reader sees. */
static const char *fresh_value(const char *ref, const char *sql)
{
	rat_engine *e = NULL;
	const char *v;

	if (rat_engine_open_at(&e, ws, ref) != 0)
		fail_msg("open: %s", rat_error_last()->message);
	v = test_value(e, sql);
	rat_engine_free(e);
	return v;
}

static rat_write_table_result write_ok(const char *table, const char *sql, int mode)
{
	rat_write_table_options opts = RAT_WRITE_TABLE_OPTIONS_INIT;
	rat_write_table_result r;

	opts.mode = mode;
	if (rat_engine_write_table(&r, engine, ws, table, sql, &opts) != 0)
		fail_msg("write %s: %s", table, rat_error_last()->message);
	return r;
}

static void head(char hash[65], const char *ref)
{
	rat_catalog *catalog = NULL;

	assert_int_equal(rat_catalog_open(&catalog, ws), 0);
	assert_int_equal(rat_ref_resolve(catalog, ref, hash), 0);
	rat_catalog_free(catalog);
}

/* The guide's engine.write_parquet(df, ...): rows the caller holds, as a table. */
static void a_session_s_rows_become_a_table(void **state)
{
	rat_write_table_result r;
	char parquet[4300], sql[8800], before[65];
	(void)state;

	/* rows registered in the session (here a temporary table) */
	assert_int_equal(rat_engine_exec(engine, "CREATE TEMP TABLE df AS SELECT i AS id, i * 1.5 AS "
						 "price FROM range(3) t(i)"),
			 0);
	r = write_ok("silver.cleaned_sales", "SELECT * FROM df", RAT_WRITE_TABLE_OVERWRITE);
	assert_int_equal(r.rows_written, 3);
	assert_int_equal(r.rows, 3);
	assert_string_equal(r.branch, rat_workspace_branch(ws));
	head(before, rat_workspace_branch(ws));
	assert_string_equal(r.commit, before);
	/* the session sees the new version, and so does a new one */
	assert_string_equal(test_value(engine, "SELECT sum(price) FROM silver.cleaned_sales"), "4.5");
	assert_string_equal(fresh_value(NULL, "SELECT count(*) FROM silver.cleaned_sales"), "3");
	/* a Parquet file in the landing folder, appended */
	snprintf(parquet, sizeof(parquet), "%s/landing/more.parquet", ws_dir);
	snprintf(sql, sizeof(sql), "COPY (SELECT 9 AS id, 2.0 AS price) TO '%s'", parquet);
	assert_int_equal(rat_engine_exec(engine, sql), RAT_ESQL); /* a user's SQL writes no file */
	assert_int_equal(rat_engine__exec_own(engine, sql), 0);
	snprintf(sql, sizeof(sql), "SELECT * FROM read_parquet('%s')", parquet);
	r = write_ok("silver.cleaned_sales", sql, RAT_WRITE_TABLE_APPEND);
	assert_int_equal(r.rows_written, 1);
	assert_int_equal(r.rows, 4);
	assert_string_equal(test_value(engine, "SELECT max(id) FROM silver.cleaned_sales"), "9");
	/* an overwrite replaces the rows and the schema: price is now a string */
	write_ok("silver.cleaned_sales", "SELECT 1 AS id, 'free' AS price", RAT_WRITE_TABLE_OVERWRITE);
	assert_string_equal(fresh_value(NULL, "SELECT typeof(price) || ',' || price FROM "
					      "silver.cleaned_sales"),
			    "VARCHAR,free");
	/* the commit before still reads the old version */
	assert_string_equal(fresh_value(before, "SELECT count(*) FROM silver.cleaned_sales"), "3");
}

/* A pipeline's table: its checks gate the commit; its next run rebuilds it. */
static void a_pipeline_s_checks_gate_the_write(void **state)
{
	rat_write_table_options opts = RAT_WRITE_TABLE_OPTIONS_INIT;
	rat_write_table_result r;
	rat_run_info *info = NULL;
	rat_ref_list refs;
	rat_catalog *catalog = NULL;
	char before[65], after[65];
	size_t i, kept = 0;
	(void)state;

	/* built by a run, then up to date */
	assert_int_equal(rat_run(&info, ws, NULL), 0);
	rat_run_info_free(info);
	assert_int_equal(rat_run(&info, ws, NULL), 0);
	assert_int_equal(info->steps[1].status, RAT_STEP_SKIPPED);
	rat_run_info_free(info);
	head(before, rat_workspace_branch(ws));
	assert_int_equal(rat_engine_write_table(&r, engine, ws, "gold.totals",
						"SELECT NULL::INT AS n, -1 AS amount", &opts),
			 RAT_ERROR);
	assert_non_null(strstr(rat_error_last()->message,
			       "write gold.totals: checks failed in pipelines/gold/totals.yaml: "
			       "not_null(n) (1 rows); nothing was written to workspace/writes, and "
			       "the new version is kept on run/writes/write-"));
	head(after, rat_workspace_branch(ws));
	assert_string_equal(after, before);
	assert_int_equal(rat_catalog_open(&catalog, ws), 0);
	assert_int_equal(rat_ref_list_get(&refs, catalog), 0);
	for (i = 0; i < refs.count; i++)
		kept += strncmp(refs.items[i].name, "run/writes/write-", 17) == 0;
	assert_int_equal(kept, 1);
	rat_ref_list_free(&refs);
	rat_catalog_free(catalog);
	/* a warn-severity finding is reported, and the write lands */
	r = write_ok("gold.totals", "SELECT 5 AS n, -1 AS amount", RAT_WRITE_TABLE_OVERWRITE);
	assert_int_equal(r.checks_passed, 1);
	assert_int_equal(r.checks_warned, 1);
	assert_string_equal(r.warnings, "positive(amount): 1 violating rows");
	/* the pipeline's next run is a build again, not "up to date" */
	assert_int_equal(rat_run(&info, ws, NULL), 0);
	assert_string_equal(info->steps[0].key, "gold.biggest"); /* (a view) */
	assert_string_equal(info->steps[1].key, "gold.totals");
	assert_string_equal(info->steps[1].operation, "overwrite");
	rat_run_info_free(info);
	assert_string_equal(fresh_value(NULL, "SELECT n || ',' || amount FROM gold.totals"), "2,30");
}

static void expect_refused(const char *table, const char *sql, const rat_write_table_options *opts,
			   rat_engine *e, int code, const char *message)
{
	rat_write_table_result r;

	assert_int_equal(rat_engine_write_table(&r, e, ws, table, sql, opts), code);
	if (strcmp(rat_error_last()->message, message) != 0)
		fail_msg("got: %s\nexpected: %s", rat_error_last()->message, message);
}

static void only_what_the_workspace_owns(void **state)
{
	rat_write_table_options opts = RAT_WRITE_TABLE_OPTIONS_INIT;
	rat_write_table_result ignored;
	rat_catalog *catalog = NULL;
	rat_engine *plain = NULL;
	rat_workspace *other = NULL;
	char path[4300];
	(void)state;

	expect_refused("gold.biggest", "SELECT 1 AS x", NULL, engine, RAT_EINVALID,
		       "write gold.biggest: gold.biggest is a view (pipelines/gold/biggest.sql): only "
		       "tables are written");
	expect_refused("orders", "SELECT 1 AS x", NULL, engine, RAT_EINVALID,
		       "write orders: 'orders' is not a table name (layer.table or namespace.table)");
	opts.branch = "main";
	expect_refused("gold.x", "SELECT 1 AS x", &opts, engine, RAT_EINVALID,
		       "write gold.x: workspace 'writes' writes only its own branch workspace/writes "
		       "and dev/ branches, not 'main'");
	opts.branch = NULL;
	opts.mode = 7;
	expect_refused("gold.x", "SELECT 1 AS x", &opts, engine, RAT_EINVALID,
		       "write gold.x: rat_write_table_options.mode: 7 is neither overwrite nor "
		       "append");
	opts.mode = RAT_WRITE_TABLE_OVERWRITE;
	opts.version = 0;
	assert_int_equal(rat_engine_write_table(&ignored, engine, ws, "gold.x", "SELECT 1", &opts),
			 RAT_EINVALID);
	assert_non_null(strstr(rat_error_last()->message, "rat_write_table_options"));
	/* another workspace's session cannot write here */
	snprintf(path, sizeof(path), "%s/other", dir);
	test_write(path, "workspace.yaml", "name: other\nresources:\n  profile: tiny\n");
	assert_int_equal(rat_workspace_open(&other, path), 0);
	assert_int_equal(rat_engine_open(&plain, other), 0);
	expect_refused("gold.x", "SELECT 1 AS x", NULL, plain, RAT_EINVALID,
		       "write gold.x: the session is not one of workspace 'writes': a table is "
		       "written from a session of its own workspace (rat_engine_open)");
	rat_engine_free(plain);
	rat_workspace_free(other);
	/* a dev/ branch: written there, not on the workspace's */
	assert_int_equal(rat_catalog_open(&catalog, ws), 0);
	assert_int_equal(rat_ref_create(catalog, "dev/try", 0, rat_workspace_branch(ws)), 0);
	rat_catalog_free(catalog);
	opts.version = RAT_WRITE_TABLE_OPTIONS_VERSION;
	opts.branch = "dev/try";
	{
		rat_write_table_result r;
		assert_int_equal(rat_engine_write_table(&r, engine, ws, "gold.tried", "SELECT 7 AS x",
							&opts),
				 0);
		assert_string_equal(r.branch, "dev/try");
	}
	assert_string_equal(fresh_value("dev/try", "SELECT x FROM gold.tried"), "7");
	assert_string_equal(fresh_value(NULL, "SELECT count(*) FROM duckdb_views() WHERE "
					      "view_name = 'tried'"),
			    "0");
}

static int setup(void **state)
{
	(void)state;
	dir = test_scratch_home("run_write");
	snprintf(ws_dir, sizeof(ws_dir), "%s/writes", dir);
	test_write(ws_dir, "workspace.yaml", "name: writes\nresources:\n  profile: tiny\n");
	test_write(ws_dir, "landing/orders/a.csv", "id,amount\n1,10\n2,20\n");
	test_write(ws_dir, "pipelines/gold/totals.sql",
		   "SELECT count(*) AS n, sum(amount) AS amount FROM read_csv({{ landing_files }})\n");
	test_write(ws_dir, "pipelines/gold/totals.yaml",
		   "landing: orders\ncolumns:\n  - name: n\n    tests: [not_null]\n"
		   "  - name: amount\n    tests: [{positive: true, severity: warn}]\n");
	test_write(ws_dir, "pipelines/gold/biggest.sql", "-- @materialized: view\nSELECT 1 AS x\n");
	if (rat_workspace_open(&ws, ws_dir) != 0 || rat_engine_open(&engine, ws) != 0)
		fail_msg("open: %s", rat_error_last()->message);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rat_engine_free(engine);
	rat_workspace_free(ws);
	test_rmtree(dir);
	free(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_session_s_rows_become_a_table),
		cmocka_unit_test(a_pipeline_s_checks_gate_the_write),
		cmocka_unit_test(only_what_the_workspace_owns),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
