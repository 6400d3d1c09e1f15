/*
 * tests/unit/table/test_added_at.c - when each data file's rows entered a
 * table (table/added_at.c, write_carry.c): appends record their commit's
 * time; a copy-on-write merge writes the rows it keeps apart from the new
 * ones, a file per day they entered, with that day's time, and the new rows
 * (with the kept rows of today) at the commit's; a delete's rewritten rows
 * keep their time; an overwrite starts over; a commit dated before the
 * table's newest time (RAT_NOW set back) takes the newest; the state is a
 * file vacuum keeps; a file the state does not name falls back to its
 * snapshot's time.
 */
#include "helpers.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rat.h"
#include "util/common.h"
#include "util/fs.h"
#include "storage/storage.h"
#include "table/added_at.h"
#include "table/orphans.h"
#include "table/scan.h"
#include "table/write.h"

#define DAY INT64_C(86400000)
#define T0 INT64_C(1704067200000) /* 2024-01-01 00:00:00 UTC */

static char *dir;
static test_session session;

static rat_store *open_table(const char *name)
{
	char path[4096];
	rat_store *store = NULL;

	snprintf(path, sizeof(path), "%s/tables/%s", dir, name);
	if (rat_fs__mkdir_p(path) != 0 || rat_store__open(&store, path, NULL) != 0)
		fail_msg("%s: %s", path, rat_error_last()->message);
	return store;
}

/* Write sql at now_ms with mode (merges on id). */
static rat_write_result write_at(rat_store *store, const char *sql, rat_write_mode mode,
				 int64_t now_ms)
{
	static const char *key[] = { "id" };
	rat_write_options opts = RAT_WRITE_OPTIONS_INIT;
	rat_write_result result;
	char scratch[4096];

	snprintf(scratch, sizeof(scratch), "%s/scratch", dir);
	opts.scratch_dir = scratch;
	opts.mode = mode;
	opts.unique_key = key;
	opts.unique_key_count = 1;
	opts.now_ms = now_ms;
	if (rat_table__write(&result, store, session.engine, sql, &opts) != 0)
		fail_msg("write %s: %s", sql, rat_error_last()->message);
	return result;
}

/*
 * The current snapshot's files as "time:ids" each (the time in days after
 * T0, the ids sorted), sorted: what entered when.
 */
static const char *ages(rat_store *store)
{
	static char out[4096];
	rat_strarray lines = RAT_STRARRAY_INIT;
	rat_added_at state;
	rat_scan scan;
	size_t i;

	if (rat_table__plan(&scan, store, NULL) != 0 ||
	    rat_table__added_at_read(&state, store, &scan.meta, scan.meta.current_snapshot_id) != 0)
		fail_msg("plan: %s", rat_error_last()->message);
	assert_true(state.found);
	for (i = 0; i < scan.data.count; i++) {
		const rat_data_file *f = &scan.data.items[i];
		char sql[4096], line[4400], *key = NULL, *local = NULL;
		const char *ids = NULL;
		rat_result *result = NULL;
		int64_t ms = rat_table__added_at_of(&state, &scan.meta, f);
		assert_non_null(json_object_get(state.files, f->path)); /* every live file named */
		assert_int_equal(rat_table__key(&scan, f->path, &key), 0);
		assert_int_equal(rat_store__local_path(store, key, &local), 0);
		snprintf(sql, sizeof(sql),
			 "SELECT string_agg(id::VARCHAR, ' ' ORDER BY id) FROM read_parquet('%s')",
			 local);
		assert_int_equal(rat_engine_query(&result, session.engine, sql), 0);
		assert_int_equal(rat_result_next(result), 1);
		assert_int_equal(rat_result_get_text(result, 0, &ids, NULL), 0);
		snprintf(line, sizeof(line), "%.2f:%s", (double)(ms - T0) / DAY, ids);
		assert_int_equal(rat_strarray__push(&lines, line), 0);
		rat_result_free(result);
		free(key);
		free(local);
	}
	rat_strarray__sort(&lines);
	snprintf(out, sizeof(out), "%s", test_joined(&lines, " | "));
	rat_strarray_free(&lines);
	rat_table__added_at_free(&state);
	rat_table__scan_free(&scan);
	return out;
}

static void appends_record_their_commit_time(void **state)
{
	rat_store *store = open_table("appends");
	(void)state;

	write_at(store, "SELECT 1 AS id, 'a' AS v UNION ALL SELECT 2, 'a'", RAT_WRITE_APPEND, T0);
	write_at(store, "SELECT 3 AS id, 'b' AS v", RAT_WRITE_APPEND, T0 + 3 * DAY);
	assert_string_equal(ages(store), "0.00:1 2 | 3.00:3");
	rat_store__free(store);
}

/* Rows a merge keeps stay as old as they are, a file per day; its new rows are new. */
static void a_merge_keeps_the_time_of_the_rows_it_carries(void **state)
{
	rat_store *store = open_table("merged");
	(void)state;

	write_at(store, "SELECT 1 AS id, 'a' AS v UNION ALL SELECT 2, 'a'", RAT_WRITE_APPEND, T0);
	write_at(store, "SELECT 3 AS id, 'b' AS v UNION ALL SELECT 4, 'b'", RAT_WRITE_APPEND,
		 T0 + DAY / 2); /* the same day, later */
	write_at(store, "SELECT 5 AS id, 'c' AS v UNION ALL SELECT 6, 'c'", RAT_WRITE_APPEND,
		 T0 + 10 * DAY);
	/* 1, 3 and 5 change, 7 is new: every file is rewritten */
	write_at(store, "SELECT * FROM (VALUES (1, 'x'), (3, 'x'), (5, 'x'), (7, 'x')) t(id, v)",
		 RAT_WRITE_MERGE, T0 + 20 * DAY);
	/* day 0's kept rows share a file, with the later time of that day: never too early */
	assert_string_equal(ages(store), "0.50:2 4 | 10.00:6 | 20.00:1 3 5 7");
	/* the next merge, the same day: the kept rows of today go with the new rows */
	write_at(store, "SELECT 7 AS id, 'y' AS v", RAT_WRITE_MERGE, T0 + 20 * DAY + 1000);
	assert_string_equal(ages(store), "0.50:2 4 | 10.00:6 | 20.00:1 3 5 7");
	{
		char *v = test_table_value(session.engine, store, -1, NULL,
					   "string_agg(id || v, ',' ORDER BY id)");
		assert_string_equal(v, "1x,2a,3x,4b,5x,6c,7y");
		free(v);
	}
	rat_store__free(store);
}

/* A delete rewrites a file's other rows with the file's time; what it removes whole goes. */
static void a_delete_keeps_the_time_of_the_rows_it_keeps(void **state)
{
	rat_store *store = open_table("deleted");
	rat_write_result r;
	(void)state;

	write_at(store, "SELECT 1 AS id, 'a' AS v UNION ALL SELECT 2, 'a'", RAT_WRITE_APPEND, T0);
	write_at(store, "SELECT 3 AS id, 'b' AS v", RAT_WRITE_APPEND, T0 + 2 * DAY);
	r = write_at(store, "id IN (1, 3)", RAT_WRITE_DELETE, T0 + 5 * DAY);
	assert_int_equal(r.deleted_rows, 2);
	assert_int_equal(r.removed_files, 2);
	assert_string_equal(ages(store), "0.00:2");
	rat_store__free(store);
}

/* An overwrite replaces every row: all new. A clock set back never dates rows before the newest. */
static void overwrites_start_over_and_time_never_goes_back(void **state)
{
	rat_store *store = open_table("clock");
	(void)state;

	write_at(store, "SELECT 1 AS id, 'a' AS v", RAT_WRITE_APPEND, T0 + 30 * DAY);
	write_at(store, "SELECT 2 AS id, 'b' AS v", RAT_WRITE_APPEND, T0); /* RAT_NOW set back */
	assert_string_equal(ages(store), "30.00:1 | 30.00:2");
	write_at(store, "SELECT 9 AS id, 'z' AS v", RAT_WRITE_OVERWRITE, T0 + 40 * DAY);
	assert_string_equal(ages(store), "40.00:9");
	rat_store__free(store);
}

/* The state is a file of its own, which vacuum keeps; without one, a file's snapshot dates it. */
static void the_state_is_kept_and_a_file_without_one_is_dated_by_its_snapshot(void **state)
{
	rat_store *store = open_table("kept");
	rat_strarray keys = RAT_STRARRAY_INIT, expired = RAT_STRARRAY_INIT;
	rat_added_at empty = RAT_ADDED_AT_INIT;
	rat_scan scan;
	const char *key;
	size_t i;
	bool named = false;
	(void)state;

	write_at(store, "SELECT 1 AS id, 'a' AS v", RAT_WRITE_APPEND, T0 + 7 * DAY);
	assert_int_equal(rat_table__plan(&scan, store, NULL), 0);
	key = json_string_value(json_object_get(scan.snapshot->summary, RAT_ADDED_AT_KEY));
	assert_non_null(key);
	assert_true(rat__str_has_prefix(key, "metadata/rat-added-at-"));
	assert_int_equal(rat_table__referenced(&keys, &expired, store, scan.metadata_key, NULL,
					       INT64_MAX), 0);
	for (i = 0; i < keys.count; i++)
		named |= strcmp(keys.strings[i], key) == 0;
	assert_true(named);
	/* no state: the snapshot that added the file gives its time */
	assert_int_equal(rat_table__added_at_of(&empty, &scan.meta, &scan.data.items[0]),
			 T0 + 7 * DAY);
	rat_strarray_free(&keys);
	rat_strarray_free(&expired);
	rat_table__scan_free(&scan);
	rat_store__free(store);
}

static int setup(void **state)
{
	(void)state;
	test_session_open(&session, "table_added_at");
	dir = session.dir;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_session_close(&session);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(appends_record_their_commit_time),
		cmocka_unit_test(a_merge_keeps_the_time_of_the_rows_it_carries),
		cmocka_unit_test(a_delete_keeps_the_time_of_the_rows_it_keeps),
		cmocka_unit_test(overwrites_start_over_and_time_never_goes_back),
		cmocka_unit_test(the_state_is_kept_and_a_file_without_one_is_dated_by_its_snapshot),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
