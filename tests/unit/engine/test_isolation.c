/*
 * tests/unit/engine/test_isolation.c - a session bound to workspace A and
 * locked down reaches A's tables and nothing else: B's tables by name, a
 * read_parquet of B's folder, A's folder with "..", ATTACH, COPY TO outside
 * A's folders, glob, INSTALL and every SET that would lift the lock are each
 * refused with the engine's clear message, while A's views keep reading.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rat.h"
#include "util/common.h"
#include "util/fs.h"
#include "engine/engine.h"
#include "workspace/tables.h"
#include "storage/storage.h"
#include "table/scan.h"
#include "table/write.h"

static test_session session;
static char a_dir[4200], b_dir[4200], b_file[4300];

/* Write a table of one row into folder with the given value; the SELECT that reads it into sql. */
static void make_table(const char *folder, int value, rat_buf *sql)
{
	rat_write_options opts = RAT_WRITE_OPTIONS_INIT;
	rat_write_result result;
	rat_store *store = NULL;
	rat_scan scan;
	char query[128], scratch[4200];

	snprintf(query, sizeof(query), "SELECT %d AS secret", value);
	snprintf(scratch, sizeof(scratch), "%s/scratch", session.dir);
	opts.scratch_dir = scratch;
	if (rat_fs__mkdir_p(folder) != 0 || rat_store__open(&store, folder, NULL) != 0 ||
	    rat_table__write(&result, store, session.engine, query, &opts) != 0 ||
	    rat_table__plan(&scan, store, NULL) != 0)
		fail_msg("%s: %s", folder, rat_error_last()->message);
	if (sql && rat_table__scan_sql(&scan, store, sql) != 0)
		fail_msg("%s: %s", folder, rat_error_last()->message);
	if (!sql) /* remember one of B's data files, to try reading it directly */
		snprintf(b_file, sizeof(b_file), "%s/%s", folder,
			 strstr(scan.data.items[0].path, "data/"));
	rat_table__scan_free(&scan);
	rat_store__free(store);
}

static void refused(rat_engine *engine, const char *sql, const char *why)
{
	rat_result *result = NULL;
	int error = rat_engine_query(&result, engine, sql);

	if (!error) {
		/* an error may come while rows are produced */
		while ((error = rat_result_next(result)) == 1)
			;
		rat_result_free(result);
	}
	if (error >= 0)
		fail_msg("not refused: %s", sql);
	if (!strstr(rat_error_last()->message, why))
		fail_msg("%s: refused, but with: %s", sql, rat_error_last()->message);
}

static void a_session_reaches_only_its_own_tables(void **state)
{
	rat_buf a_sql = RAT_BUF_INIT;
	rat_strarray allowed = RAT_STRARRAY_INIT;
	rat_engine *a = NULL;
	rat_result *result = NULL;
	const char *text = NULL;
	char sql[8800], spill[4200];
	(void)state;

	make_table(a_dir, 1, &a_sql);
	make_table(b_dir, 2, NULL);
	assert_int_equal(rat_workspace__open_engine(&a, session.ws), 0);
	assert_int_equal(rat_engine__bind_view(a, "silver", "accounts", rat_buf_cstr(&a_sql)), 0);
	snprintf(spill, sizeof(spill), "%s/tmp", rat_workspace_home(session.ws));
	assert_int_equal(rat_strarray__push(&allowed, a_dir), 0);
	assert_int_equal(rat_strarray__push(&allowed, spill), 0);
	assert_int_equal(rat_engine__lock(a, &allowed, NULL), 0);

	/* A's table reads */
	assert_int_equal(rat_engine_query(&result, a, "SELECT secret FROM silver.accounts"), 0);
	assert_int_equal(rat_result_next(result), 1);
	assert_int_equal(rat_result_get_text(result, 0, &text, NULL), 0);
	assert_string_equal(text, "1");
	rat_result_free(result);

	/* B by name: not bound, so not there */
	refused(a, "SELECT * FROM silver.ledger", "Table with name ledger does not exist");
	/* B's data file, directly and through A's folder with .. */
	snprintf(sql, sizeof(sql), "SELECT * FROM read_parquet('%s')", b_file);
	refused(a, sql, "Permission Error");
	snprintf(sql, sizeof(sql), "SELECT * FROM read_parquet('%s/../b/%s')", a_dir,
		 strstr(b_file, "data/"));
	refused(a, sql, "Permission Error");
	snprintf(sql, sizeof(sql), "SELECT * FROM glob('%s/**')", b_dir);
	refused(a, sql, "Permission Error");
	/* a locked session writes no file, inside the allowed folders or not */
	snprintf(sql, sizeof(sql), "ATTACH '%s/other.db' AS other", b_dir);
	refused(a, sql, "ATTACH is refused: SQL in a workspace session writes no file");
	snprintf(sql, sizeof(sql), "COPY (SELECT secret FROM silver.accounts) TO '%s/leak.csv'", b_dir);
	refused(a, sql, "COPY is refused: SQL in a workspace session writes no file");
	refused(a, "SELECT * FROM read_text('/etc/passwd')", "Permission Error");
	refused(a, "INSTALL httpfs", "Permission Error");
	/* the lock cannot be lifted */
	refused(a, "SET enable_external_access = true", "the configuration has been locked");
	refused(a, "SET lock_configuration = false", "the configuration has been locked");
	snprintf(sql, sizeof(sql), "SET allowed_directories = ['%s']", b_dir);
	refused(a, sql, "the configuration has been locked");
	refused(a, "RESET allowed_directories", "the configuration has been locked");
	/* and nothing leaked into B's folder */
	snprintf(sql, sizeof(sql), "%s/leak.csv", b_dir);
	assert_false(rat_fs__exists(sql));

	/* a relative path is refused too, and an allowed folder must be absolute */
	refused(a, "SELECT * FROM read_parquet('relative/file.parquet')", "Permission Error");
	rat_engine_free(a);
	{
		rat_strarray relative = RAT_STRARRAY_INIT;
		rat_engine *b = NULL;
		assert_int_equal(rat_workspace__open_engine(&b, session.ws), 0);
		assert_int_equal(rat_strarray__push(&relative, "relative/dir"), 0);
		assert_int_equal(rat_engine__lock(b, &relative, NULL), RAT_EINVALID);
		rat_strarray_free(&relative);
		rat_engine_free(b);
	}
	rat_strarray_free(&allowed);
	rat_buf_free(&a_sql);
}

static int setup(void **state)
{
	*state = &session;
	test_session_open(&session, "engine_isolation");
	snprintf(a_dir, sizeof(a_dir), "%s/warehouse/a", session.dir);
	snprintf(b_dir, sizeof(b_dir), "%s/warehouse/b", session.dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_session_reaches_only_its_own_tables),
	};
	return cmocka_run_group_tests(tests, setup, test_session_teardown);
}
