/*
 * tests/unit/workspace/test_branches.c - a workspace's tables on catalog
 * branches: a write on a dev branch is invisible on the workspace branch
 * until merged; both branches changing a table is a merge conflict; a
 * session bound to a branch and locked reads its tables and not another
 * workspace's; a drop removes a table from one branch, which it must own.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rat.h"
#include "util/common.h"
#include "catalog/catalog.h"
#include "workspace/tables.h"
#include "rat/table.h"

static test_session session;
static rat_catalog *catalog;

static void write_table(const char *branch, const char *key, const char *sql)
{
	rat_write_result result;
	if (rat_workspace__write_table(&result, session.ws, catalog, session.engine, branch, key, sql,
				       NULL, "tester") != 0)
		fail_msg("write %s on %s: %s", key, branch, rat_error_last()->message);
}

/* SELECT expr on a fresh session bound (and locked) to ref. */
static char *value_at(const char *ref, const char *sql)
{
	rat_engine *engine = NULL;
	rat_result *result = NULL;
	const char *text = NULL;
	char *copy;

	if (rat_engine_open_at(&engine, session.ws, ref) != 0)
		fail_msg("bind %s: %s", ref, rat_error_last()->message);
	if (rat_engine_query(&result, engine, sql) != 0)
		fail_msg("%s at %s: %s", sql, ref, rat_error_last()->message);
	assert_int_equal(rat_result_next(result), 1);
	assert_int_equal(rat_result_get_text(result, 0, &text, NULL), 0);
	copy = strdup(text ? text : "NULL");
	rat_result_free(result);
	rat_engine_free(engine);
	return copy;
}

static void expect_at(const char *ref, const char *sql, const char *want)
{
	char *got = value_at(ref, sql);
	if (strcmp(got, want) != 0)
		fail_msg("%s at %s: got %s, expected %s", sql, ref, got, want);
	free(got);
}

static void dev_branch_write_merge(void **state)
{
	const char *ws_branch = rat_workspace_branch(session.ws);
	rat_merge_result merge;
	char head[RAT_HASH_LEN + 1], main_head[RAT_HASH_LEN + 1];
	(void)state;

	/* opening the workspace's catalog forked its branch from main */
	assert_int_equal(rat_catalog__resolve(catalog, ws_branch, head), 0);
	assert_int_equal(rat_catalog__resolve(catalog, "main", main_head), 0);
	assert_string_equal(head, main_head);
	write_table(ws_branch, "silver.sales", "SELECT i AS id FROM range(100) t(i)");
	expect_at(ws_branch, "SELECT count(*) FROM silver.sales", "100");

	/* rat dev start exp: a branch off the workspace branch */
	assert_int_equal(rat_catalog__create_ref(catalog, "dev/exp", RAT_REF_BRANCH, ws_branch), 0);
	write_table("dev/exp", "silver.sales", "SELECT i AS id FROM range(100, 110) t(i)");
	write_table("dev/exp", "gold.kpis", "SELECT 42 AS answer");
	expect_at("dev/exp", "SELECT count(*) FROM silver.sales", "110");
	/* the workspace branch does not see the dev work */
	expect_at(ws_branch, "SELECT count(*) FROM silver.sales", "100");
	{
		rat_engine *engine = NULL;
		rat_result *result = NULL;
		assert_int_equal(rat_engine_open(&engine, session.ws), 0); /* the workspace branch */
		assert_int_equal(rat_engine_query(&result, engine, "SELECT * FROM gold.kpis"), RAT_ESQL);
		rat_engine_free(engine);
	}
	/* rat dev merge */
	assert_int_equal(rat_catalog__merge(catalog, "dev/exp", ws_branch, false, "tester", &merge), 0);
	assert_true(merge.fast_forward);
	rat_catalog__merge_result_free(&merge);
	expect_at(ws_branch, "SELECT count(*) || ',' || (SELECT answer FROM gold.kpis) FROM silver.sales",
		  "110,42");
}

static void both_branches_change_a_table(void **state)
{
	const char *ws_branch = rat_workspace_branch(session.ws);
	rat_merge_result merge;
	char before[RAT_HASH_LEN + 1], after[RAT_HASH_LEN + 1];
	(void)state;

	assert_int_equal(rat_catalog__create_ref(catalog, "dev/other", RAT_REF_BRANCH, ws_branch), 0);
	write_table("dev/other", "silver.sales", "SELECT 1000 AS id");
	write_table(ws_branch, "silver.sales", "SELECT 2000 AS id");
	/* each branch reads its own version of the same table folder */
	expect_at("dev/other", "SELECT max(id) FROM silver.sales", "1000");
	expect_at(ws_branch, "SELECT max(id) FROM silver.sales", "2000");
	assert_int_equal(rat_catalog__resolve(catalog, ws_branch, before), 0);
	assert_int_equal(rat_catalog__merge(catalog, "dev/other", ws_branch, false, "tester", &merge),
			 RAT_ECONFLICT);
	assert_int_equal(merge.conflicts.count, 1);
	assert_string_equal(merge.conflicts.strings[0], "silver.sales");
	rat_catalog__merge_result_free(&merge);
	assert_int_equal(rat_catalog__resolve(catalog, ws_branch, after), 0);
	assert_string_equal(before, after);
}

/* A merge reads the rows of the version its branch records, not the newest file in the folder. */
static void a_merge_starts_from_its_branch_version(void **state)
{
	rat_write_options merge = RAT_WRITE_OPTIONS_INIT;
	rat_write_result result;
	const char *key[] = { "id" };
	(void)state;

	merge.mode = RAT_WRITE_MERGE;
	merge.unique_key = key;
	merge.unique_key_count = 1;
	assert_int_equal(rat_catalog__create_ref(catalog, "dev/left", RAT_REF_BRANCH, "main"), 0);
	assert_int_equal(rat_catalog__create_ref(catalog, "dev/right", RAT_REF_BRANCH, "main"), 0);
	write_table("dev/left", "silver.orders", "SELECT 1 AS id, 'left' AS side");
	write_table("dev/right", "silver.orders", "SELECT 1 AS id, 'right' AS side");
	/* right's write is now the newest metadata file of the folder */
	write_table("dev/right", "silver.orders", "SELECT 2 AS id, 'right' AS side UNION ALL "
						   "SELECT 3, 'right'");
	assert_int_equal(rat_workspace__write_table(&result, session.ws, catalog, session.engine,
						    "dev/left", "silver.orders",
						    "SELECT 2 AS id, 'left' AS side", &merge, "tester"),
			 0);
	/* (reading right's file for key 2 would have carried 3right over) */
	expect_at("dev/left", "SELECT string_agg(id || side, ',' ORDER BY id) FROM silver.orders",
		  "1left,2left");
	expect_at("dev/right", "SELECT string_agg(id || side, ',' ORDER BY id) FROM silver.orders",
		  "1right,2right,3right");
}

/*
 * After a merge on read, the table's delete files are applied wherever it
 * is read: a session bound to the branch, and the row count of its info.
 */
static void a_merge_on_read_table_reads_and_counts_without_its_deleted_rows(void **state)
{
	const char *branch = rat_workspace_branch(session.ws);
	rat_write_options opts = RAT_WRITE_OPTIONS_INIT;
	const char *key[] = { "id" };
	rat_write_result result;
	rat_table_list list;
	int i;
	(void)state;

	for (i = 0; i < 4; i++) {
		char sql[128];
		snprintf(sql, sizeof(sql), "SELECT i AS id, 'v1' AS v FROM range(%d, %d) t(i)",
			 i * 250000, (i + 1) * 250000);
		write_table(branch, "silver.spread", sql);
	}
	opts.mode = RAT_WRITE_MERGE;
	opts.unique_key = key;
	opts.unique_key_count = 1;
	assert_int_equal(rat_workspace__write_table(&result, session.ws, catalog, session.engine,
						    branch, "silver.spread",
						    "SELECT i * 250000 + 7 AS id, 'v2' AS v FROM "
						    "range(4) t(i)",
						    &opts, "tester"),
			 0);
	assert_int_equal(result.removed_files, 0); /* on read: position deletes, no rewrite */
	expect_at(branch, "SELECT count(*) || ',' || count(*) FILTER (WHERE v = 'v2') FROM "
			  "silver.spread",
		  "1000000,4");
	assert_int_equal(rat_table_list_get(&list, session.ws, NULL, "silver.spread"), 0);
	assert_int_equal(list.count, 1);
	assert_int_equal(list.items[0].rows, 1000000);
	assert_int_equal(list.items[0].data_files, 5);
	rat_table_list_free(&list);
}

static void a_bound_session_cannot_reach_another_workspace(void **state)
{
	rat_workspace *other = NULL;
	rat_workspace_create_options opts = RAT_WORKSPACE_CREATE_OPTIONS_INIT;
	rat_write_result result;
	rat_engine *engine = NULL;
	rat_result *r = NULL;
	char path[4200], sql[8800], *location = NULL;
	(void)state;

	snprintf(path, sizeof(path), "%s/finance", session.dir);
	opts.path = path;
	assert_int_equal(rat_workspace_create(&other, "finance", &opts), 0);
	{
		/* creating a workspace creates its branch; finance writes it, through a
		 * catalog acting as finance (this workspace's may neither read nor write it) */
		char hash[RAT_HASH_LEN + 1];
		rat_catalog *theirs = NULL;
		assert_int_equal(rat_catalog__resolve(catalog, "workspace/finance", hash), RAT_EACCESS);
		assert_int_equal(rat_workspace__open_catalog(&theirs, other), 0);
		assert_int_equal(rat_catalog__resolve(theirs, "workspace/finance", hash), 0);
		assert_int_equal(rat_workspace__write_table(&result, other, theirs, session.engine,
							    rat_workspace_branch(other), "gold.ledger",
							    "SELECT 'secret' AS s", NULL, "finance"),
				 0);
		rat_catalog__free(theirs);
	}
	assert_int_equal(rat_workspace_storage_path(&location, other, "gold", "ledger"), 0);

	assert_int_equal(rat_engine_open(&engine, session.ws), 0);
	snprintf(sql, sizeof(sql), "SELECT * FROM glob('%s**')", location);
	assert_int_equal(rat_engine_query(&r, engine, sql), RAT_ESQL);
	assert_non_null(strstr(rat_error_last()->message, "Permission Error"));
	assert_int_equal(rat_engine_query(&r, engine, "SELECT * FROM gold.ledger"), RAT_ESQL);
	rat_engine_free(engine);
	rat_free(location);
	rat_workspace_free(other);
}

/* rat_table_drop: one commit removing the key from a branch the workspace owns. */
static void a_drop_removes_the_key_from_its_branch_only(void **state)
{
	const char *ws_branch = rat_workspace_branch(session.ws);
	rat_table_drop_options opts = RAT_TABLE_DROP_OPTIONS_INIT;
	rat_table_drop_result r;
	char before[RAT_HASH_LEN + 1], after[RAT_HASH_LEN + 1];
	rat_contents contents = { NULL, 0 };
	(void)state;

	write_table(ws_branch, "gold.dropped", "SELECT 1 AS x");
	assert_int_equal(rat_catalog__create_ref(catalog, "dev/keep", RAT_REF_BRANCH, ws_branch), 0);
	assert_int_equal(rat_catalog__resolve(catalog, ws_branch, before), 0);
	/* a dry run commits nothing */
	opts.dry_run = 1;
	assert_int_equal(rat_table_drop(&r, session.ws, "gold.dropped", &opts), 0);
	assert_string_equal(r.commit, "");
	assert_string_equal(r.branch, ws_branch);
	assert_int_equal(rat_catalog__resolve(catalog, ws_branch, after), 0);
	assert_string_equal(after, before);
	opts.dry_run = 0;
	opts.author = "dropper";
	assert_int_equal(rat_table_drop(&r, session.ws, "gold.dropped", &opts), 0);
	assert_int_equal(rat_catalog__resolve(catalog, ws_branch, after), 0);
	assert_string_equal(r.commit, after);
	assert_int_equal(rat_catalog__contents(catalog, after, &contents), 0);
	assert_null(rat_catalog__find(&contents, "gold.dropped"));
	rat_catalog__contents_free(&contents);
	/* the commit before, and the dev branch, still hold it */
	expect_at(before, "SELECT x FROM gold.dropped", "1");
	expect_at("dev/keep", "SELECT x FROM gold.dropped", "1");
	assert_int_equal(rat_table_drop(&r, session.ws, "gold.dropped", NULL), RAT_ENOTFOUND);
	assert_string_equal(rat_error_last()->message,
			    "drop gold.dropped: no table gold.dropped on workspace/test");
	/* from a dev branch, yes; from main, no */
	opts.branch = "dev/keep";
	assert_int_equal(rat_table_drop(&r, session.ws, "gold.dropped", &opts), 0);
	opts.branch = "main";
	assert_int_equal(rat_table_drop(&r, session.ws, "gold.dropped", &opts), RAT_EINVALID);
	assert_string_equal(rat_error_last()->message,
			    "drop gold.dropped: workspace 'test' writes only its own "
			    "branch workspace/test and dev/ branches, not 'main'");
}

static int setup(void **state)
{
	(void)state;
	test_session_open_catalog(&session, "workspace_branches", &catalog);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_session_close_catalog(&session, catalog);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(dev_branch_write_merge),
		cmocka_unit_test(both_branches_change_a_table),
		cmocka_unit_test(a_merge_starts_from_its_branch_version),
		cmocka_unit_test(a_merge_on_read_table_reads_and_counts_without_its_deleted_rows),
		cmocka_unit_test(a_bound_session_cannot_reach_another_workspace),
		cmocka_unit_test(a_drop_removes_the_key_from_its_branch_only),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
