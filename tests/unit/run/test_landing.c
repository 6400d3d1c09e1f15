/*
 * tests/unit/run/test_landing.c - a build's inputs (run/ingest.c,
 * run/fingerprint.c): files listed under a landing folder, hidden ones
 * left out and nesting capped; the SQL list of their paths, quotes doubled;
 * the new files of a pipeline, sorted, without those already ingested, and
 * the error for a missing landing folder; the ingestion columns bronze rows
 * get; a fingerprint that changes with the SQL, the config file, an input
 * table's version and a landing file, and with nothing else.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rat.h"
#include "util/common.h"
#include "util/buf.h"
#include "run/build.h"

static char *dir;
static char ws_dir[4200];

static void files_are_listed_below_the_root(void **state)
{
	rat_strarray rel = RAT_STRARRAY_INIT;
	char root[4300];
	(void)state;

	snprintf(root, sizeof(root), "%s/list", dir);
	test_write(root, "b.csv", "x\n");
	test_write(root, "a.csv", "x\n");
	test_write(root, "2024/03/c.csv", "x\n");
	test_write(root, "2024/.partial.csv", "x\n");
	test_write(root, ".git/ignored.csv", "x\n");
	test_write(root, "empty/.keep", "");
	assert_int_equal(rat_run__list_files(&rel, root, NULL, 0), 0);
	assert_string_equal(test_joined(&rel, " "), "2024/03/c.csv a.csv b.csv");
	rat_strarray_free(&rel);
	assert_int_equal(rat_run__list_files(&rel, root, "2024", 0), 0);
	assert_string_equal(test_joined(&rel, " "), "2024/03/c.csv");
	rat_strarray_free(&rel);
	test_rmtree(root);
}

static void listing_a_missing_folder_or_a_deep_one_fails(void **state)
{
	rat_strarray rel = RAT_STRARRAY_INIT;
	char root[4300], deep[512] = "", want[8192];
	int i;
	(void)state;

	snprintf(root, sizeof(root), "%s/absent", dir);
	assert_int_equal(rat_run__list_files(&rel, root, NULL, 0), RAT_ENOTFOUND);
	snprintf(want, sizeof(want), "%s: No such file or directory", root);
	assert_string_equal(rat_error_last()->message, want);

	snprintf(root, sizeof(root), "%s/deep", dir);
	for (i = 0; i < 34; i++)
		snprintf(deep + strlen(deep), sizeof(deep) - strlen(deep), "%sd", i ? "/" : "");
	snprintf(want, sizeof(want), "%s/file.csv", deep);
	test_write(root, want, "x\n");
	assert_int_equal(rat_run__list_files(&rel, root, NULL, 0), RAT_EINVALID);
	deep[33 * 2 - 1] = '\0'; /* the 33rd folder is the one too deep */
	snprintf(want, sizeof(want), "%s/%s: folders nested too deep", root, deep);
	assert_string_equal(rat_error_last()->message, want);
	rat_strarray_free(&rel);
	test_rmtree(root);
}

static void the_list_literal_quotes_each_path(void **state)
{
	rat_strarray paths = RAT_STRARRAY_INIT;
	rat_buf sql = RAT_BUF_INIT;
	(void)state;

	assert_int_equal(rat_run__list_literal(&sql, &paths), 0);
	assert_string_equal(rat_buf_cstr(&sql), "[]");
	rat_buf_clear(&sql);
	assert_int_equal(rat_strarray__push(&paths, "/land/a.csv"), 0);
	assert_int_equal(rat_run__list_literal(&sql, &paths), 0);
	assert_string_equal(rat_buf_cstr(&sql), "['/land/a.csv']");
	rat_buf_clear(&sql);
	assert_int_equal(rat_strarray__push(&paths, "/land/it's here.csv"), 0);
	assert_int_equal(rat_strarray__push(&paths, "/land/''"), 0);
	assert_int_equal(rat_run__list_literal(&sql, &paths), 0);
	assert_string_equal(rat_buf_cstr(&sql), "['/land/a.csv', '/land/it''s here.csv', '/land/''''']");
	rat_buf_free(&sql);
	rat_strarray_free(&paths);
}

static rat_workspace *shop(void)
{
	rat_workspace *ws = NULL;

	test_write(ws_dir, "workspace.yaml", "name: shop\n");
	if (rat_workspace_open(&ws, ws_dir) != 0)
		fail_msg("open: %s", rat_error_last()->message);
	return ws;
}

static void new_landing_files_skip_what_was_ingested(void **state)
{
	rat_workspace *ws = shop();
	rat_pipeline p;
	rat_strarray abs = RAT_STRARRAY_INIT, rel = RAT_STRARRAY_INIT, done = RAT_STRARRAY_INIT;
	char want[8192];
	(void)state;

	memset(&p, 0, sizeof(p));
	p.landing = "orders";
	p.display = "pipelines/bronze/orders.sql";
	test_write(ws_dir, "landing/orders/b.csv", "id\n2\n");
	test_write(ws_dir, "landing/orders/a.csv", "id\n1\n");
	test_write(ws_dir, "landing/orders/2024/c.csv", "id\n3\n");
	test_write(ws_dir, "landing/orders/.upload.tmp", "partial");
	assert_int_equal(rat_run__new_landing_files(&abs, &rel, ws, &p, NULL), 0);
	assert_string_equal(test_joined(&rel, " "), "2024/c.csv a.csv b.csv");
	snprintf(want, sizeof(want), "%s/landing/orders/2024/c.csv", rat_workspace_path(ws));
	assert_string_equal(abs.strings[0], want);
	assert_int_equal(abs.count, 3);
	rat_strarray_free(&abs);
	rat_strarray_free(&rel);

	assert_int_equal(rat_strarray__push(&done, "a.csv"), 0);
	assert_int_equal(rat_strarray__push(&done, "2024/c.csv"), 0);
	assert_int_equal(rat_strarray__push(&done, "gone.csv"), 0); /* ingested, since removed */
	assert_int_equal(rat_run__new_landing_files(&abs, &rel, ws, &p, &done), 0);
	assert_string_equal(test_joined(&rel, " "), "b.csv");
	snprintf(want, sizeof(want), "%s/landing/orders/b.csv", rat_workspace_path(ws));
	assert_string_equal(test_joined(&abs, " "), want);
	rat_strarray_free(&abs);
	rat_strarray_free(&rel);
	rat_strarray_free(&done);

	p.landing = "nope";
	assert_int_equal(rat_run__new_landing_files(&abs, &rel, ws, &p, NULL), RAT_ENOTFOUND);
	assert_string_equal(rat_error_last()->message,
			    "pipelines/bronze/orders.sql: landing folder landing/nope does not exist");
	assert_int_equal(abs.count + rel.count, 0);
	rat_workspace_free(ws);
}

/* A build of p for the run context ctx, as build.c starts one (no engine, no catalog). */
static void start(build *b, const rat_run_context *ctx, const rat_pipeline *p)
{
	memset(b, 0, sizeof(*b));
	b->ctx = ctx;
	b->p = p;
}

static void bronze_rows_get_ingestion_columns(void **state)
{
	rat_run_context ctx;
	rat_pipeline p;
	build b;
	rat_buf sql = RAT_BUF_INIT;
	rat_strarray columns = RAT_STRARRAY_INIT;
	(void)state;

	memset(&ctx, 0, sizeof(ctx));
	memset(&p, 0, sizeof(p));
	ctx.started_at = "2024-03-01 10:00:00.000+00";
	p.layer = "bronze";
	start(&b, &ctx, &p);
	assert_int_equal(rat_buf_puts(&sql, "SELECT 1 AS id"), 0);
	assert_int_equal(rat_strarray__push(&columns, "id"), 0);
	assert_int_equal(rat_run__add_ingestion_columns(&b, &sql, &columns), 0);
	assert_string_equal(rat_buf_cstr(&sql),
			    "SELECT *, TIMESTAMPTZ '2024-03-01 10:00:00.000+00' AS _ingested_at, "
			    "CAST(TIMESTAMPTZ '2024-03-01 10:00:00.000+00' AS DATE) AS "
			    "_ingested_date FROM (SELECT 1 AS id\n)");
	assert_string_equal(test_joined(&columns, " "), "id _ingested_at _ingested_date");

	/* a query that makes its own keeps them */
	rat_buf_clear(&sql);
	assert_int_equal(rat_buf_puts(&sql, "SELECT x"), 0);
	assert_int_equal(rat_run__add_ingestion_columns(&b, &sql, &columns), 0);
	assert_string_equal(rat_buf_cstr(&sql), "SELECT * FROM (SELECT x\n)");
	assert_int_equal(columns.count, 3);

	/* other layers are left alone */
	p.layer = "silver";
	rat_buf_clear(&sql);
	assert_int_equal(rat_buf_puts(&sql, "SELECT 1"), 0);
	assert_int_equal(rat_run__add_ingestion_columns(&b, &sql, &columns), 0);
	assert_string_equal(rat_buf_cstr(&sql), "SELECT 1");
	rat_buf_free(&sql);
	rat_strarray_free(&columns);
}

/* b's fingerprint of "SELECT 1" differs from last, which becomes it. */
static void print_changed(build *b, char last[65])
{
	assert_int_equal(rat_run__fingerprint(b, "SELECT 1"), 0);
	assert_int_equal(strlen(b->fingerprint), 64);
	if (strcmp(b->fingerprint, last) == 0)
		fail_msg("the fingerprint did not change");
	snprintf(last, 65, "%s", b->fingerprint);
}

static void fingerprints_follow_every_input_and_nothing_else(void **state)
{
	rat_run_context ctx;
	rat_pipeline p;
	rat_catalog_entry dep;
	build b;
	char last[65] = "", config[4300], landing[4300];
	(void)state;

	memset(&ctx, 0, sizeof(ctx));
	memset(&p, 0, sizeof(p));
	memset(&dep, 0, sizeof(dep));
	p.layer = "silver";
	start(&b, &ctx, &p);
	print_changed(&b, last);
	assert_int_equal(rat_run__fingerprint(&b, "SELECT 1"), 0);
	assert_string_equal(b.fingerprint, last); /* the same inputs: the same print */
	assert_int_equal(rat_run__fingerprint(&b, "SELECT 2"), 0);
	assert_string_not_equal(b.fingerprint, last);

	/* the config file's text */
	snprintf(config, sizeof(config), "%s/fp/config.yaml", dir);
	test_write(dir, "fp/config.yaml", "columns: []\n");
	p.config_path = config;
	print_changed(&b, last);
	test_write(dir, "fp/config.yaml", "columns: [] \n");
	print_changed(&b, last);

	/* an input table's version: absent, then at one metadata file, then another */
	assert_int_equal(rat_strarray__push(&p.deps, "bronze.orders"), 0);
	print_changed(&b, last);
	dep.key = "bronze.orders";
	dep.state.metadata_location = "wh/bronze/orders/metadata/v1.metadata.json";
	b.contents.items = &dep;
	b.contents.count = 1;
	print_changed(&b, last);
	dep.state.metadata_location = "wh/bronze/orders/metadata/v2.metadata.json";
	print_changed(&b, last);

	/* a landing file, and its size */
	snprintf(landing, sizeof(landing), "%s/fp/a.csv", dir);
	test_write(dir, "fp/a.csv", "id\n1\n");
	assert_int_equal(rat_strarray__push(&b.new_abs, landing), 0);
	assert_int_equal(rat_strarray__push(&b.new_rel, "a.csv"), 0);
	print_changed(&b, last);
	test_write(dir, "fp/a.csv", "id\n1\n2\n");
	print_changed(&b, last);
	assert_int_equal(rat_run__fingerprint(&b, "SELECT 1"), 0);
	assert_string_equal(b.fingerprint, last);

	/* a config file that cannot be read is an error, not a different print */
	unlink(config);
	assert_int_equal(rat_run__fingerprint(&b, "SELECT 1"), RAT_ENOTFOUND);
	rat_strarray_free(&p.deps);
	rat_strarray_free(&b.new_abs);
	rat_strarray_free(&b.new_rel);
}

static int setup(void **state)
{
	dir = test_scratch_home("run_landing");
	snprintf(ws_dir, sizeof(ws_dir), "%s/ws", dir);
	*state = dir; /* test_scratch_teardown removes it */
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(files_are_listed_below_the_root),
		cmocka_unit_test(listing_a_missing_folder_or_a_deep_one_fails),
		cmocka_unit_test(the_list_literal_quotes_each_path),
		cmocka_unit_test(new_landing_files_skip_what_was_ingested),
		cmocka_unit_test(bronze_rows_get_ingestion_columns),
		cmocka_unit_test(fingerprints_follow_every_input_and_nothing_else),
	};
	return cmocka_run_group_tests(tests, setup, test_scratch_teardown);
}
