/*
 * tests/unit/table/test_schema_change.c - what a write may change in an
 * existing table's schema (table/write_schema.c, rat_schema_change):
 * - a rebuild (RAT_SCHEMA_REPLACE) takes the query's columns, in its order:
 *   a column whose type cannot widen becomes a new field with a new id,
 *   the others keep theirs, and older snapshots read with their own schema;
 *   the partitioning follows partition_by, as a new spec;
 * - appends and merges follow dbt's on_schema_change: fail (names every
 *   new, missing and retyped column, then the caller's hint), ignore,
 *   append_new_columns, sync_all_columns; a type that cannot widen is refused
 *   in each, and widening happens in each.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rat.h"
#include "util/common.h"
#include "util/fs.h"
#include "storage/storage.h"
#include "table/scan.h"
#include "table/write.h"

static test_session session;

static rat_store *open_table(const char *name)
{
	rat_store_options opts = RAT_STORE_OPTIONS_INIT;
	char path[4096];
	rat_store *store = NULL;

	snprintf(path, sizeof(path), "%s/tables/%s", session.dir, name);
	if (rat_fs__mkdir_p(path) != 0 || rat_store__open(&store, path, &opts) != 0)
		fail_msg("%s: %s", path, rat_error_last()->message);
	return store;
}

/* Write sql with mode and schema_change; the error code (0: done). */
static int try_write(rat_write_result *r, rat_store *store, const char *sql, rat_write_mode mode,
		     rat_schema_change change)
{
	rat_write_options opts = RAT_WRITE_OPTIONS_INIT;
	char scratch[4096];

	snprintf(scratch, sizeof(scratch), "%s/scratch", session.dir);
	opts.scratch_dir = scratch;
	opts.mode = mode;
	opts.schema_change = change;
	opts.schema_hint = "HINT";
	return rat_table__write(r, store, session.engine, sql, &opts);
}

static rat_write_result write_ok(rat_store *store, const char *sql, rat_write_mode mode,
				 rat_schema_change change)
{
	rat_write_result r;

	if (try_write(&r, store, sql, mode, change) != 0)
		fail_msg("write %s: %s", sql, rat_error_last()->message);
	return r;
}

static void expect(rat_store *store, int64_t snapshot_id, const char *expr, const char *want)
{
	char *got = test_table_value(session.engine, store, snapshot_id, NULL, expr);
	if (strcmp(got, want) != 0)
		fail_msg("%s at %lld: got %s, expected %s", expr, (long long)snapshot_id, got, want);
	free(got);
}

/*
 * "name:type:id, ..." of the current schema, in a buffer the next call
 * reuses. (A write numbers every query column from the table's last id + 1
 * before it matches them, so the ids a write adds leave gaps.)
 */
static const char *schema_of(rat_store *store)
{
	static char text[1024];
	rat_scan scan;
	size_t i, n = 0;

	if (rat_table__plan(&scan, store, NULL) != 0)
		fail_msg("plan: %s", rat_error_last()->message);
	text[0] = '\0';
	for (i = 0; i < scan.schema->field_count && n < sizeof(text); i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s:%s:%d", i ? ", " : "",
				      scan.schema->fields[i].name, scan.schema->fields[i].type,
				      scan.schema->fields[i].id);
	rat_table__scan_free(&scan);
	return text;
}

/* The table's partition spec: "default <id>: transform(source-id) ..." */
static const char *spec_of(rat_store *store)
{
	static char text[512];
	const rat_table_spec *spec;
	rat_scan scan;
	size_t i, n;

	if (rat_table__plan(&scan, store, NULL) != 0)
		fail_msg("plan: %s", rat_error_last()->message);
	spec = rat_table__spec(&scan.meta, scan.meta.default_spec_id);
	n = (size_t)snprintf(text, sizeof(text), "spec %d:", scan.meta.default_spec_id);
	for (i = 0; spec && i < spec->field_count && n < sizeof(text); i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, " %s(%d)=%d", spec->fields[i].transform,
				      spec->fields[i].source_id, spec->fields[i].field_id);
	rat_table__scan_free(&scan);
	return text;
}

static void expect_refused(rat_store *store, const char *sql, rat_write_mode mode,
			   rat_schema_change change, const char *message)
{
	rat_write_result r;
	char *before = NULL, *after = NULL;

	assert_int_equal(rat_table__latest_metadata(store, &before), 0);
	assert_int_equal(try_write(&r, store, sql, mode, change), RAT_EINVALID);
	if (strcmp(rat_error_last()->message, message) != 0)
		fail_msg("message: %s\nexpected: %s", rat_error_last()->message, message);
	assert_int_equal(rat_table__latest_metadata(store, &after), 0);
	assert_string_equal(after, before); /* nothing committed */
	free(before);
	free(after);
}

/* The failure of the first hour: a column's type changes, and a rebuild takes it. */
static void a_rebuild_replaces_a_type_with_a_new_field(void **state)
{
	rat_store *store = open_table("retyped");
	rat_write_result first, second;
	(void)state;

	first = write_ok(store, "SELECT '1' AS x, 10 AS keep, 'gone' AS old", RAT_WRITE_OVERWRITE,
			 RAT_SCHEMA_REPLACE);
	assert_string_equal(schema_of(store), "x:string:1, keep:int:2, old:string:3");
	/* an append cannot change a type, whatever on_schema_change says */
	expect_refused(store, "SELECT 1 AS x, 10 AS keep, 'gone' AS old", RAT_WRITE_APPEND,
		       RAT_SCHEMA_SYNC,
		       "column 'x' is string in the table but int in the query: a column's type "
		       "changes in place only from int to long, float to double or to a wider "
		       "decimal; HINT");
	second = write_ok(store, "SELECT 5000000000 AS keep, 2 AS x, DATE '2024-01-01' AS d",
			  RAT_WRITE_OVERWRITE, RAT_SCHEMA_REPLACE);
	/* the query's order; keep widened under its id; x and d new ids; old gone */
	assert_string_equal(schema_of(store), "keep:long:2, x:int:5, d:date:6");
	expect(store, -1, "x || ',' || typeof(x) || ',' || keep || ',' || d", "2,INTEGER,5000000000,2024-01-01");
	/* the older snapshot reads with its own schema */
	expect(store, first.snapshot_id, "x || ',' || typeof(x) || ',' || old", "1,VARCHAR,gone");
	expect(store, second.snapshot_id, "count(*)", "1");
	/* the same query again changes no schema */
	write_ok(store, "SELECT 7 AS keep, 3 AS x, DATE '2024-01-02' AS d", RAT_WRITE_OVERWRITE,
		 RAT_SCHEMA_REPLACE);
	assert_string_equal(schema_of(store), "keep:long:2, x:int:5, d:date:6");
	rat_store__free(store);
}

static rat_write_result write_partitioned(rat_store *store, const char *sql, const char *by)
{
	rat_write_options opts = RAT_WRITE_OPTIONS_INIT;
	const char *parts[] = { by };
	rat_write_result r;
	char scratch[4096];

	snprintf(scratch, sizeof(scratch), "%s/scratch", session.dir);
	opts.scratch_dir = scratch;
	opts.mode = RAT_WRITE_OVERWRITE;
	opts.schema_change = RAT_SCHEMA_REPLACE;
	opts.partition_by = parts;
	opts.partition_count = by ? 1 : 0;
	if (rat_table__write(&r, store, session.engine, sql, &opts) != 0)
		fail_msg("write %s: %s", sql, rat_error_last()->message);
	return r;
}

/* A rebuild's partitioning follows partition_by, even when its column changed type. */
static void a_rebuild_takes_the_new_partitioning(void **state)
{
	rat_store *store = open_table("respec");
	rat_write_result first;
	(void)state;

	first = write_partitioned(store, "SELECT 1 AS id, DATE '2024-03-01' AS day", "day");
	assert_string_equal(spec_of(store), "spec 0: identity(2)=1000");
	/* the same partitioning: the same spec */
	write_partitioned(store, "SELECT 2 AS id, DATE '2024-03-02' AS day", "day");
	assert_string_equal(spec_of(store), "spec 0: identity(2)=1000");
	/* day is now a string: a new field, so a new spec on it */
	write_partitioned(store, "SELECT 3 AS id, '2024-03-03' AS day", "day");
	assert_string_equal(schema_of(store), "id:int:1, day:string:4");
	assert_string_equal(spec_of(store), "spec 1: identity(4)=1001");
	expect(store, -1, "id || ',' || day", "3,2024-03-03");
	/* no partitioning at all */
	write_partitioned(store, "SELECT 4 AS id, '2024-03-04' AS day", NULL);
	assert_string_equal(spec_of(store), "spec 2:");
	expect(store, -1, "id || ',' || day", "4,2024-03-04");
	/* the first snapshot still reads, with its date partition */
	expect(store, first.snapshot_id, "id || ',' || typeof(day)", "1,DATE");
	rat_store__free(store);
}

/* fail (dbt's default) names every difference, then the caller's hint. */
static void fail_names_every_difference(void **state)
{
	rat_store *store = open_table("strict");
	(void)state;

	write_ok(store, "SELECT 1 AS id, 'a' AS name, 2::INTEGER AS n", RAT_WRITE_OVERWRITE,
		 RAT_SCHEMA_REPLACE);
	expect_refused(store, "SELECT 2 AS id, 3.5::DOUBLE AS name, true AS flag, [1] AS tags",
		       RAT_WRITE_APPEND, RAT_SCHEMA_FAIL,
		       "the query's columns differ from the table's: new column 'flag' (boolean), "
		       "'tags' (list); missing column 'n'; column 'name' is string in the table "
		       "but double in the query; HINT");
	expect_refused(store, "SELECT 2 AS id, 'b' AS name", RAT_WRITE_APPEND, RAT_SCHEMA_FAIL,
		       "the query's columns differ from the table's: missing column 'n'; HINT");
	/* widening is no difference: int -> long in place, under the same id */
	write_ok(store, "SELECT 2 AS id, 'b' AS name, 5000000000 AS n", RAT_WRITE_APPEND,
		 RAT_SCHEMA_FAIL);
	assert_string_equal(schema_of(store), "id:int:1, name:string:2, n:long:3");
	expect(store, -1, "sum(n)", "5000000002");
	rat_store__free(store);
}

/* ignore: new columns are not written, missing ones are NULL; the schema stays. */
static void ignore_writes_the_table_columns_only(void **state)
{
	rat_store *store = open_table("ignoring");
	(void)state;

	write_ok(store, "SELECT 1 AS id, 'a' AS name, 1.5::DOUBLE AS price", RAT_WRITE_OVERWRITE,
		 RAT_SCHEMA_REPLACE);
	/* (a long fits a double column: cast, as DuckDB casts it) */
	write_ok(store, "SELECT 2 AS id, 'extra' AS note, 3 AS price", RAT_WRITE_APPEND,
		 RAT_SCHEMA_IGNORE);
	assert_string_equal(schema_of(store), "id:int:1, name:string:2, price:double:3");
	expect(store, -1, "string_agg(id || ':' || coalesce(name, 'NULL') || ':' || price, ',' ORDER BY id)",
	       "1:a:1.5,2:NULL:3.0");
	expect_refused(store, "SELECT 'x' AS id", RAT_WRITE_APPEND, RAT_SCHEMA_IGNORE,
		       "column 'id' is int in the table but string in the query: a column's type "
		       "changes in place only from int to long, float to double or to a wider "
		       "decimal; HINT");
	rat_store__free(store);
}

/* append_new_columns adds; sync_all_columns adds and drops (older snapshots keep them). */
static void append_and_sync_change_the_columns(void **state)
{
	rat_store *store = open_table("syncing");
	rat_write_result before_sync;
	(void)state;

	write_ok(store, "SELECT 1 AS id, 'a' AS name", RAT_WRITE_OVERWRITE, RAT_SCHEMA_REPLACE);
	before_sync = write_ok(store, "SELECT 2 AS id, true AS flag", RAT_WRITE_APPEND,
			       RAT_SCHEMA_APPEND);
	assert_string_equal(schema_of(store), "id:int:1, name:string:2, flag:boolean:4");
	expect(store, -1, "string_agg(id || ':' || coalesce(name, '-') || ':' || coalesce(flag::VARCHAR, '-'), "
			  "',' ORDER BY id)",
	       "1:a:-,2:-:true");
	write_ok(store, "SELECT 3 AS id, false AS flag, 9 AS score", RAT_WRITE_APPEND, RAT_SCHEMA_SYNC);
	assert_string_equal(schema_of(store), "id:int:1, flag:boolean:4, score:int:7");
	expect(store, -1, "string_agg(id || ':' || coalesce(score::VARCHAR, '-'), ',' ORDER BY id)",
	       "1:-,2:-,3:9");
	expect(store, before_sync.snapshot_id, "string_agg(coalesce(name, '-'), ',' ORDER BY id)", "a,-");
	rat_store__free(store);
}

/* sync_all_columns cannot drop the column the table is partitioned by. */
static void sync_keeps_the_partition_column(void **state)
{
	rat_store *store = open_table("sync_parts");
	(void)state;

	write_partitioned(store, "SELECT 1 AS id, DATE '2024-03-01' AS day", "day");
	expect_refused(store, "SELECT 2 AS id", RAT_WRITE_APPEND, RAT_SCHEMA_SYNC,
		       "the table is partitioned by column 'day', which the query no longer has");
	/* and replacing the schema asks for an overwrite */
	expect_refused(store, "SELECT 2 AS id", RAT_WRITE_APPEND, RAT_SCHEMA_REPLACE,
		       "a write replaces the schema only when it overwrites");
	rat_store__free(store);
}

static int setup(void **state)
{
	(void)state;
	test_session_open(&session, "table_schema_change");
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
		cmocka_unit_test(a_rebuild_replaces_a_type_with_a_new_field),
		cmocka_unit_test(a_rebuild_takes_the_new_partitioning),
		cmocka_unit_test(fail_names_every_difference),
		cmocka_unit_test(ignore_writes_the_table_columns_only),
		cmocka_unit_test(append_and_sync_change_the_columns),
		cmocka_unit_test(sync_keeps_the_partition_column),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
