/*
 * tests/unit/table/test_write.c - Iceberg tables written here read back
 * through the same planner other engines' tables use: create, append, time
 * travel, overwrite, identity and temporal partitions (awkward string values:
 * 'NULL' beside NULL, '/', '..'), schema evolution
 * (add, widen; refusals), a rebuild over unreadable metadata, empty writes, a lost commit race, crashes at every
 * step, copy-on-write replacement and merge, and pruning.
 *
 * The same suite runs on a local folder and, with RAT_TEST_S3=moto or
 * s3rver, on that S3 server started here on 127.0.0.1 (see tests/CMakeLists.txt).
 */
#include "helpers.h"

#include "../../support/s3_test.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rat.h"
#include "util/common.h"
#include "util/fs.h"
#include "storage/storage.h"
#include "table/scan.h"
#include "table/orphans.h"
#include "table/write.h"

static char *dir;
static test_session session;
static rat_engine *engine;

static const char *s3_kind; /* NULL: a local folder */
static t_server s3;

/* The table `name` on the store under test; puts fail after fail_after_puts when > 0. */
static rat_store *open_table_with(const char *name, int fail_after_puts)
{
	rat_store_options opts = RAT_STORE_OPTIONS_INIT;
	char path[4096], cache[4200];
	rat_store *store = NULL;

	opts.fail_after_puts = fail_after_puts;
	if (s3_kind) {
		snprintf(path, sizeof(path), "s3://lake/workspace/%s", name);
		snprintf(cache, sizeof(cache), "%s/cache", dir);
		opts.endpoint = t_endpoint(&s3);
		opts.access_key = strcmp(s3_kind, "s3rver") == 0 ? "S3RVER" : "testing";
		opts.secret_key = T_SECRET;
		opts.cache_dir = cache;
	} else {
		snprintf(path, sizeof(path), "%s/tables/%s", dir, name);
		if (rat_fs__mkdir_p(path) != 0)
			fail_msg("%s: %s", path, rat_error_last()->message);
	}
	if (rat_store__open(&store, path, &opts) != 0)
		fail_msg("%s: %s", path, rat_error_last()->message);
	return store;
}

static rat_store *open_table(const char *name)
{
	return open_table_with(name, 0);
}

static rat_write_result write_rows(rat_store *store, const char *sql, rat_write_options *opts)
{
	rat_write_options defaults = RAT_WRITE_OPTIONS_INIT;
	rat_write_result result;
	char scratch[4096];

	snprintf(scratch, sizeof(scratch), "%s/scratch", dir);
	if (!opts)
		opts = &defaults;
	opts->scratch_dir = scratch;
	if (rat_table__write(&result, store, engine, sql, opts) != 0)
		fail_msg("write %s: %s", sql, rat_error_last()->message);
	return result;
}

static void expect(rat_store *store, int64_t snapshot_id, const char *expr, const char *want)
{
	char *got = test_table_value(engine, store, snapshot_id, NULL, expr);
	if (strcmp(got, want) != 0)
		fail_msg("%s at %lld: got %s, expected %s", expr, (long long)snapshot_id, got, want);
	free(got);
}

static void create_append_time_travel_overwrite(void **state)
{
	rat_store *store = open_table("sales");
	rat_write_options overwrite = RAT_WRITE_OPTIONS_INIT;
	rat_write_result first, second, third;
	(void)state;

	first = write_rows(store, "SELECT i AS id, 'item-' || i AS name, i * 1.5 AS price, "
				  "DATE '2024-01-01' + i::INTEGER AS sold_on FROM range(100) t(i)",
			   NULL);
	assert_int_equal(first.version, 1);
	assert_int_equal(first.added_rows, 100);
	expect(store, -1, "count(*) || ',' || sum(id) || ',' || max(name)", "100,4950,item-99");
	second = write_rows(store, "SELECT i AS id, 'more-' || i AS name, 2.0 AS price, "
				   "DATE '2025-01-01' AS sold_on FROM range(100, 150) t(i)",
			    NULL);
	assert_int_equal(second.version, 2);
	assert_int_equal(second.sequence_number, 2);
	expect(store, -1, "count(*)", "150");
	expect(store, first.snapshot_id, "count(*)", "100"); /* time travel */
	overwrite.mode = RAT_WRITE_OVERWRITE;
	third = write_rows(store, "SELECT 7 AS id, 'only' AS name, 1.0 AS price, DATE '2026-01-01' AS sold_on",
			   &overwrite);
	expect(store, -1, "count(*) || ',' || max(name)", "1,only");
	expect(store, second.snapshot_id, "count(*)", "150");
	expect(store, third.snapshot_id, "typeof(price) || ',' || typeof(sold_on)", "DECIMAL(21,1),DATE");
	rat_store__free(store);
}

static void time_travel_by_timestamp(void **state)
{
	rat_store *store = open_table("as_of");
	rat_write_options opts = RAT_WRITE_OPTIONS_INIT;
	rat_scan_options at = RAT_SCAN_OPTIONS_INIT;
	rat_write_result a, b;
	rat_scan scan;
	(void)state;

	opts.now_ms = 1700000000000;
	a = write_rows(store, "SELECT 1 AS x", &opts);
	opts.now_ms = 1700000060000;
	b = write_rows(store, "SELECT 2 AS x", &opts);
	at.as_of_ms = 1700000030000; /* between the two commits */
	assert_int_equal(rat_table__plan(&scan, store, &at), 0);
	assert_true(scan.snapshot->snapshot_id == a.snapshot_id);
	rat_table__scan_free(&scan);
	at.as_of_ms = 1700000060000; /* at the second */
	assert_int_equal(rat_table__plan(&scan, store, &at), 0);
	assert_true(scan.snapshot->snapshot_id == b.snapshot_id);
	rat_table__scan_free(&scan);
	at.as_of_ms = 1600000000000; /* before the table had a snapshot */
	assert_int_equal(rat_table__plan(&scan, store, &at), RAT_ENOTFOUND);
	assert_non_null(strstr(rat_error_last()->message, "no snapshot at or before"));
	rat_store__free(store);
}

static void partitions_identity_and_day(void **state)
{
	rat_store *store = open_table("events");
	rat_write_options opts = RAT_WRITE_OPTIONS_INIT;
	const char *parts[] = { "day(ts)", "device" };
	rat_scan scan;
	size_t i;
	(void)state;

	opts.partition_by = parts;
	opts.partition_count = 2;
	write_rows(store, "SELECT i AS id, TIMESTAMP '2024-03-01 10:00:00' + INTERVAL (i) HOUR AS ts, "
			  "['ios', 'android', NULL][1 + i % 3] AS device FROM range(72) t(i)",
		   &opts);
	assert_int_equal(rat_table__plan(&scan, store, NULL), 0);
	/* 72 hours from 10:00 touch 4 days; x 3 devices (one of them NULL) */
	assert_int_equal(scan.data.count, 12);
	for (i = 0; i < scan.data.count; i++) {
		json_t *day = json_object_get(scan.data.items[i].partition, "ts_day");
		json_t *device = json_object_get(scan.data.items[i].partition, "device");
		assert_true(json_is_integer(day));
		assert_true(json_integer_value(day) >= 19783 && json_integer_value(day) <= 19786);
		assert_true(json_is_string(device) || json_is_null(device));
		assert_non_null(strstr(scan.data.items[i].path, "/data/ts_day=2024-03-0"));
	}
	rat_table__scan_free(&scan);
	expect(store, -1, "count(*) || ',' || count(device) || ',' || min(ts)",
	       "72,48,2024-03-01 10:00:00");
	rat_store__free(store);
}

/*
 * Awkward values of a string identity partition (issue 15, item 12): the
 * string 'NULL' and a real NULL in one write (they share DuckDB's p=NULL
 * folder, where both files got the same name and the second could not be
 * moved), '', '/', '..', '%', '=', 'a/b', non-ASCII. Each is a partition: the
 * manifest records it exactly (NULL as a null, never the string), the rows
 * read back as written, every file stays in a p=... folder under data/, and
 * replacing the partition 'NULL' keeps the NULL one, and the reverse.
 */
static void string_partitions_null_and_awkward_values(void **state)
{
	rat_store *store = open_table("awkward");
	rat_write_options opts = RAT_WRITE_OPTIONS_INIT;
	const char *parts[] = { "p" };
	char location[4096];
	size_t i, nulls = 0, strings = 0;
	rat_write_result r;
	rat_scan scan;
	(void)state;

	if (s3_kind)
		snprintf(location, sizeof(location), "s3://lake/workspace/awkward/data/p=");
	else
		snprintf(location, sizeof(location), "%s/tables/awkward/data/p=", dir);
	opts.partition_by = parts;
	opts.partition_count = 1;
	r = write_rows(store, "SELECT id, p FROM (VALUES ('NULL'), (NULL), (''), ('/'), ('..'), ('%'), "
			      "('='), ('a/b'), ('é€'), ('null'), ('%2F')) v(p), range(2) r(id)",
		       &opts);
	assert_int_equal(r.added_files, 11);
	assert_int_equal(r.added_rows, 22);
	assert_int_equal(rat_table__plan(&scan, store, NULL), 0);
	for (i = 0; i < scan.data.count; i++) {
		const char *path = scan.data.items[i].path;
		json_t *p = json_object_get(scan.data.items[i].partition, "p");
		assert_non_null(p);
		nulls += json_is_null(p);
		strings += json_is_string(p) && strcmp(json_string_value(p), "NULL") == 0;
		if (strncmp(path, location, strlen(location)) != 0 ||
		    strchr(path + strlen(location), '/') != strrchr(path, '/'))
			fail_msg("a data file outside its partition folder: %s", path);
	}
	rat_table__scan_free(&scan);
	assert_int_equal(nulls, 1);   /* the NULL partition is a null in the manifest */
	assert_int_equal(strings, 1); /* the string 'NULL' is the string */
	expect(store, -1, "count(*) || '|' || count(*) FILTER (WHERE p IS NULL) || '|' || "
			  "count(*) FILTER (WHERE p = 'NULL') || '|' || string_agg(DISTINCT p, ',' ORDER BY p)",
	       "22|2|2|,%,%2F,..,/,=,NULL,a/b,null,é€");

	opts.mode = RAT_WRITE_REPLACE_PARTITIONS;
	r = write_rows(store, "SELECT 7 AS id, 'NULL' AS p", &opts);
	assert_int_equal(r.removed_files, 1);
	assert_int_equal(r.removed_rows, 2);
	r = write_rows(store, "SELECT 8 AS id, NULL::VARCHAR AS p", &opts);
	assert_int_equal(r.removed_files, 1);
	assert_int_equal(r.removed_rows, 2);
	expect(store, -1, "string_agg(id::VARCHAR, ',') FILTER (WHERE p IS NULL) || '|' || "
			  "string_agg(id::VARCHAR, ',') FILTER (WHERE p = 'NULL') || '|' || count(*)",
	       "8|7|20");
	rat_store__free(store);
}

/*
 * A full rebuild over metadata that cannot be read (issue 15, item 12):
 * refused, with the detail saying so, unless replace_unreadable; then a new
 * table in its place, whose history starts again, and the result says why.
 * Only a rebuild takes it: an append with replace_unreadable still fails.
 */
static void a_rebuild_replaces_unreadable_metadata(void **state)
{
	rat_store *store = open_table("unreadable");
	rat_write_options opts = RAT_WRITE_OPTIONS_INIT;
	rat_write_result r;
	char scratch[4096];
	rat_scan scan;
	(void)state;

	r = write_rows(store, "SELECT 1 AS a", NULL);
	write_rows(store, "SELECT 2 AS a", NULL);
	assert_int_equal(rat_store__put(store, "metadata/v2.metadata.json", "{\"format-version\": 2", 20), 0);
	snprintf(scratch, sizeof(scratch), "%s/scratch", dir);
	opts.scratch_dir = scratch;
	opts.mode = RAT_WRITE_OVERWRITE;
	opts.schema_change = RAT_SCHEMA_REPLACE;
	assert_int_equal(rat_table__write(&r, store, engine, "SELECT 3 AS a", &opts), RAT_EINVALID);
	assert_int_equal(rat_error__detail(), RAT_DETAIL_METADATA_UNREADABLE);
	if (!strstr(rat_error_last()->message, "/metadata/v2.metadata.json:1:20: not valid JSON"))
		fail_msg("%s", rat_error_last()->message);
	opts.replace_unreadable = true;
	opts.mode = RAT_WRITE_APPEND;
	assert_int_equal(rat_table__write(&r, store, engine, "SELECT 3 AS a", &opts), RAT_EINVALID);
	opts.mode = RAT_WRITE_OVERWRITE;
	r = write_rows(store, "SELECT 3 AS a", &opts);
	assert_non_null(strstr(r.unreadable, "/metadata/v2.metadata.json:1:20: not valid JSON"));
	assert_int_equal(r.version, 3); /* after the unreadable v2 */
	assert_int_equal(r.sequence_number, 1);
	expect(store, -1, "string_agg(a::VARCHAR, ',')", "3");
	assert_int_equal(rat_table__plan(&scan, store, NULL), 0);
	assert_int_equal(scan.meta.snapshot_count, 1); /* the history starts again */
	rat_table__scan_free(&scan);
	/* a table that reads is not replaced: its history goes on */
	r = write_rows(store, "SELECT 4 AS a", &opts);
	assert_string_equal(r.unreadable, "");
	assert_int_equal(r.sequence_number, 2);
	rat_store__free(store);
}

/* A read that failed (no S3 server answers) is not a broken file: -f must not replace it. */
static void a_failed_read_is_not_unreadable_metadata(void **state)
{
	rat_store_options opts = RAT_STORE_OPTIONS_INIT;
	rat_table_metadata meta;
	rat_store *store = NULL;
	int error;
	(void)state;

	opts.endpoint = "http://127.0.0.1:1"; /* nothing listens there */
	opts.access_key = "testing";
	opts.secret_key = T_SECRET;
	opts.max_attempts = 1;
	assert_int_equal(rat_store__open(&store, "s3://lake/nowhere", &opts), 0);
	error = rat_table__metadata_read(&meta, store, "metadata/v1.metadata.json");
	assert_int_not_equal(error, 0);
	assert_int_not_equal(rat_error__detail(), RAT_DETAIL_METADATA_UNREADABLE);
	rat_store__free(store);
}

/* DELETE drops whole files where all rows match, rewrites files where some do, keeps the rest. */
static void delete_drops_aligned_partitions_and_rewrites_the_others(void **state)
{
	rat_store *store = open_table("deleted");
	rat_write_options part = RAT_WRITE_OPTIONS_INIT, del = RAT_WRITE_OPTIONS_INIT;
	const char *parts[] = { "day" };
	rat_write_result before, r;
	(void)state;

	part.partition_by = parts;
	part.partition_count = 1;
	/* 4 days x 10 rows, one file a day */
	before = write_rows(store, "SELECT i AS id, DATE '2024-03-01' + (i // 10)::INTEGER AS day, "
				   "i % 10 AS n FROM range(40) t(i)", &part);
	del.mode = RAT_WRITE_DELETE;
	/* aligned with the partitions: two files leave, nothing is rewritten */
	r = write_rows(store, "day < DATE '2024-03-03'", &del);
	assert_int_equal(r.removed_files, 2);
	assert_int_equal(r.added_files, 0);
	assert_int_equal(r.removed_rows, 20);
	expect(store, -1, "count(*) || ',' || min(day)", "20,2024-03-03");
	/* across files: one file rewritten without its matching rows; NULL conditions keep rows */
	r = write_rows(store, "day = DATE '2024-03-04' AND n < 3", &del);
	assert_int_equal(r.removed_files, 1);
	assert_int_equal(r.added_files, 1);
	expect(store, -1, "count(*) || ',' || count(*) FILTER (WHERE day = DATE '2024-03-04')",
	       "17,7");
	/* nothing matches: nothing changes */
	r = write_rows(store, "n > 100", &del);
	assert_int_equal(r.metadata_key[0], '\0');
	/* the older snapshots still read what they had */
	expect(store, before.snapshot_id, "count(*)", "40");
	rat_store__free(store);
}

static void schema_evolves_by_adding_and_widening(void **state)
{
	rat_store *store = open_table("evolve");
	rat_write_options add = RAT_WRITE_OPTIONS_INIT;
	rat_write_result r;
	rat_scan scan;
	(void)state;

	write_rows(store, "SELECT 1::INTEGER AS n, 'a' AS s", NULL);
	/* a new column is refused unless asked for */
	{
		rat_write_options opts = RAT_WRITE_OPTIONS_INIT;
		rat_write_result ignored;
		char scratch[4096];
		snprintf(scratch, sizeof(scratch), "%s/scratch", dir);
		opts.scratch_dir = scratch;
		assert_int_equal(rat_table__write(&ignored, store, engine,
						  "SELECT 2 AS n, 'b' AS s, true AS flag", &opts),
				 RAT_EINVALID);
		assert_non_null(strstr(rat_error_last()->message, "has no column 'flag' (bool"));
		assert_int_equal(rat_table__write(&ignored, store, engine, "SELECT 'x' AS n", &opts),
				 RAT_EINVALID);
		assert_non_null(strstr(rat_error_last()->message, "column 'n' is int in the table but string"));
	}
	add.schema_change = RAT_SCHEMA_APPEND;
	r = write_rows(store, "SELECT 5000000000 AS n, 'b' AS s, true AS flag", &add);
	assert_int_equal(rat_table__plan(&scan, store, NULL), 0);
	assert_int_equal(scan.schema->field_count, 3);
	assert_string_equal(scan.schema->fields[0].type, "long"); /* widened */
	assert_int_equal(scan.schema->fields[0].id, 1);              /* same id */
	assert_string_equal(scan.schema->fields[2].name, "flag");
	rat_table__scan_free(&scan);
	expect(store, -1, "string_agg(n || ':' || coalesce(flag::VARCHAR, 'null'), ',' ORDER BY n)",
	       "1:null,5000000000:true");
	expect(store, r.snapshot_id, "typeof(n)", "BIGINT");
	/* the old snapshot reads with its own schema */
	(void)r;
	rat_store__free(store);
}

static void rename_keeps_the_field_id(void **state)
{
	rat_store *store = open_table("renamed");
	rat_write_result first;
	rat_scan scan;
	(void)state;

	first = write_rows(store, "SELECT 1 AS id, 'a' AS s", NULL);
	assert_int_equal(rat_table__rename_column(store, "S", "label"), 0);
	assert_int_equal(rat_table__rename_column(store, "nope", "x"), RAT_ENOTFOUND);
	assert_int_equal(rat_table__rename_column(store, "label", "ID"), RAT_EEXISTS);
	write_rows(store, "SELECT 2 AS id, 'b' AS label", NULL);
	assert_int_equal(rat_table__plan(&scan, store, NULL), 0);
	assert_string_equal(scan.schema->fields[1].name, "label");
	assert_int_equal(scan.schema->fields[1].id, 2);
	rat_table__scan_free(&scan);
	/* the old file's column reads under the new name */
	expect(store, -1, "string_agg(id || label, ',' ORDER BY id)", "1a,2b");
	/* and the old snapshot under its own */
	expect(store, first.snapshot_id, "max(s)", "a");
	rat_store__free(store);
}

static void empty_append_changes_nothing(void **state)
{
	rat_store *store = open_table("quiet");
	rat_write_result a, b;
	char *key = NULL;
	(void)state;

	a = write_rows(store, "SELECT 1 AS x", NULL);
	b = write_rows(store, "SELECT 1 AS x WHERE false", NULL);
	assert_int_equal(b.added_files, 0);
	assert_int_equal(rat_table__latest_metadata(store, &key), 0);
	assert_string_equal(key, "metadata/v1.metadata.json");
	free(key);
	expect(store, -1, "count(*)", "1");
	(void)a;
	rat_store__free(store);
}

/* Another writer commits the next version just before we do. */
static int commit_first(void *ctx)
{
	rat_store *store = ctx;
	rat_buf v1 = RAT_BUF_INIT;
	int error = rat_store__get(store, "metadata/v1.metadata.json", &v1, 1 << 20);
	if (!error)
		error = rat_store__put_new(store, "metadata/v2.metadata.json", v1.ptr, v1.len);
	rat_buf_free(&v1);
	return error;
}

static void a_lost_race_is_reported_and_changes_nothing(void **state)
{
	rat_store *store = open_table("race");
	rat_write_options opts = RAT_WRITE_OPTIONS_INIT;
	rat_write_result r;
	char scratch[4096], *key = NULL;
	(void)state;

	if (s3_kind && strcmp(s3_kind, "s3rver") == 0) {
		/* s3rver ignores If-None-Match on PUT: it cannot arbitrate a race */
		rat_store__free(store);
		skip();
	}
	write_rows(store, "SELECT 1 AS x", NULL);
	snprintf(scratch, sizeof(scratch), "%s/scratch", dir);
	opts.scratch_dir = scratch;
	opts.before_commit = commit_first;
	opts.before_commit_ctx = store;
	assert_int_equal(rat_table__write(&r, store, engine, "SELECT 2 AS x", &opts), RAT_EEXISTS);
	assert_non_null(strstr(rat_error_last()->message, "another writer committed version 2 first"));
	/* the winner is what readers see, even though the hint still says 1 */
	assert_int_equal(rat_table__latest_metadata(store, &key), 0);
	assert_string_equal(key, "metadata/v2.metadata.json");
	free(key);
	expect(store, -1, "count(*) || ',' || sum(x)", "1,1");
	/* a retry commits on top of the winner */
	opts.before_commit = NULL;
	assert_int_equal(rat_table__write(&r, store, engine, "SELECT 2 AS x", &opts), 0);
	assert_int_equal(r.version, 3);
	expect(store, -1, "count(*) || ',' || sum(x)", "2,3");
	/* an empty or garbled hint is ignored: the metadata folder is listed instead */
	assert_int_equal(rat_store__put(store, "metadata/version-hint.text", "", 0), 0);
	assert_int_equal(rat_table__latest_metadata(store, &key), 0);
	assert_string_equal(key, "metadata/v3.metadata.json");
	free(key);
	assert_int_equal(rat_store__put(store, "metadata/version-hint.text", "v?x", 3), 0);
	expect(store, -1, "count(*)", "2");
	rat_store__free(store);
}

static void replace_partitions_keeps_the_others(void **state)
{
	rat_store *store = open_table("by_day");
	rat_write_options opts = RAT_WRITE_OPTIONS_INIT;
	const char *parts[] = { "day" };
	rat_write_result first, r;
	(void)state;

	opts.partition_by = parts;
	opts.partition_count = 1;
	first = write_rows(store, "SELECT i AS id, DATE '2024-01-01' + (i % 3)::INTEGER AS day "
				  "FROM range(30) t(i)", &opts);
	opts.mode = RAT_WRITE_REPLACE_PARTITIONS;
	r = write_rows(store, "SELECT 100 + i AS id, DATE '2024-01-02' AS day FROM range(4) t(i)", &opts);
	assert_int_equal(r.removed_files, 1);
	assert_int_equal(r.removed_rows, 10);
	expect(store, -1, "count(*) || ',' || count(*) FILTER (WHERE day = DATE '2024-01-02')", "24,4");
	expect(store, first.snapshot_id, "count(*)", "30");
	rat_store__free(store);
}

/*
 * n appends of ids size i .. size (i + 1) - 1 ('v1'), one file each; *first (if
 * asked) the first file's key. Returns the last append's result.
 */
static rat_write_result append_blocks(rat_store *store, int n, int size, char **first)
{
	rat_write_result last;
	rat_scan scan;
	int i;

	memset(&last, 0, sizeof(last));
	for (i = 0; i < n; i++) {
		char sql[256];
		snprintf(sql, sizeof(sql), "SELECT i AS id, 'v1' AS version FROM range(%d, %d) t(i)",
			 i * size, (i + 1) * size);
		last = write_rows(store, sql, NULL);
		if (i == 0 && first) {
			assert_int_equal(rat_table__plan(&scan, store, NULL), 0);
			assert_int_equal(scan.data.count, 1);
			assert_int_equal(rat_table__key(&scan, scan.data.items[0].path, first), 0);
			rat_table__scan_free(&scan);
		}
	}
	return last;
}

/* Write options of a merge on the unique key id. */
static rat_write_options merge_on_id(void)
{
	static const char *key[] = { "id" };
	rat_write_options opts = RAT_WRITE_OPTIONS_INIT;

	opts.mode = RAT_WRITE_MERGE;
	opts.unique_key = key;
	opts.unique_key_count = 1;
	return opts;
}

static void merge_rewrites_only_files_holding_the_keys(void **state)
{
	rat_store *store = open_table("customers");
	rat_write_options opts = RAT_WRITE_OPTIONS_INIT;
	rat_write_result r;
	rat_scan scan;
	(void)state;

	append_blocks(store, 10, 100, NULL); /* ten files of 100 customers each */
	opts = merge_on_id();
	/* change 3 customers living in 2 files, add 2 new ones */
	r = write_rows(store, "SELECT * FROM (VALUES (5, 'v2'), (42, 'v2'), (250, 'v2'), "
			      "(5000, 'v2'), (5001, 'v2')) t(id, version)", &opts);
	assert_int_equal(r.removed_files, 2);
	assert_int_equal(r.removed_rows, 200);
	expect(store, -1, "count(*) || ',' || count(*) FILTER (WHERE version = 'v2') || ',' || count(DISTINCT id)",
	       "1002,5,1002");
	expect(store, -1, "string_agg(id::VARCHAR, ',' ORDER BY id) FILTER (WHERE version = 'v2')",
	       "5,42,250,5000,5001");
	assert_int_equal(rat_table__plan(&scan, store, NULL), 0);
	assert_int_equal(scan.data.count, 9); /* 8 untouched + 1 rewritten */
	rat_table__scan_free(&scan);
	/* a merge whose keys are all new touches no file */
	r = write_rows(store, "SELECT 9000 AS id, 'v3' AS version", &opts);
	assert_int_equal(r.removed_files, 0);
	expect(store, -1, "count(*)", "1003");
	/* the key must exist */
	{
		const char *bad[] = { "nope" };
		rat_write_result ignored;
		char scratch[4096];
		opts.unique_key = bad;
		snprintf(scratch, sizeof(scratch), "%s/scratch", dir);
		opts.scratch_dir = scratch;
		assert_int_equal(rat_table__write(&ignored, store, engine, "SELECT 1 AS id, 'x' AS version", &opts),
				 RAT_EINVALID);
		assert_non_null(strstr(rat_error_last()->message, "unique_key column 'nope'"));
	}
	rat_store__free(store);
}

/*
 * The merge reads the keys of only the files whose bounds can hold a new
 * key: with the file of ids 0-99 gone from the store, a merge of other ids
 * still succeeds. A NULL key must look everywhere, so then it needs it.
 */
static void merge_skips_files_whose_key_bounds_exclude_the_new_keys(void **state)
{
	rat_store *store = open_table("merge_bounds");
	rat_write_options opts = RAT_WRITE_OPTIONS_INIT;
	rat_write_result r, ignored;
	char *first = NULL, scratch[4096];
	(void)state;

	append_blocks(store, 5, 100, &first);
	assert_int_equal(rat_store__delete(store, first), 0);
	opts = merge_on_id();
	r = write_rows(store, "SELECT * FROM (VALUES (150, 'v2'), (420, 'v2'), (9000, 'v2')) "
			      "t(id, version)", &opts);
	assert_int_equal(r.removed_files, 2);
	assert_int_equal(r.removed_rows, 200);
	if (!s3_kind) { /* (S3 reads go through a cache that may still hold the file) */
		snprintf(scratch, sizeof(scratch), "%s/scratch", dir);
		opts.scratch_dir = scratch;
		assert_int_not_equal(rat_table__write(&ignored, store, engine,
						      "SELECT CAST(NULL AS BIGINT) AS id, 'v3' AS "
						      "version",
						      &opts),
				     0);
	}
	free(first);
	rat_store__free(store);
}

/*
 * A write the engine runs out of memory for (a window over every row, which
 * DuckDB cannot spill) is written again in ranges of its integer unique key:
 * every row lands once, in one commit. Without a unique key the engine's
 * error stands and nothing is committed.
 */
static void write_out_of_memory_is_split_by_key_range(void **state)
{
	rat_store *store = open_table("split"), *plain = open_table("split_plain");
	rat_write_options opts = RAT_WRITE_OPTIONS_INIT;
	const char *key[] = { "id" };
	/* list() states do not spill: at 64 MiB the whole result runs out of memory, while
	 * its min(id)/max(id) and a quarter of its keys fit */
	const char *sql = "SELECT i % 500000 AS id, (i % 500000) % 4 AS part, "
			  "list(repeat('x', 50) || i::VARCHAR) AS v FROM range(2000000) t(i) GROUP BY 1, 2";
	const char *parts[] = { "part" };
	char scratch[4096], *latest = NULL;
	rat_write_result r;
	(void)state;

	rat_result *now = NULL;
	const char *text = NULL;
	char restore[256];

	/* the session's settings, to put back after */
	assert_int_equal(rat_engine_query(&now, engine, "SELECT concat('SET memory_limit = ', chr(39), "
					  "current_setting('memory_limit'), chr(39), "
					  "'; SET threads = ', current_setting('threads'))"),
			 0);
	assert_int_equal(rat_result_next(now), 1);
	assert_int_equal(rat_result_get_text(now, 0, &text, NULL), 0);
	snprintf(restore, sizeof(restore), "%s", text);
	rat_result_free(now);
	assert_int_equal(rat_engine_exec(engine, "SET memory_limit = '64MiB'; SET threads = 1"), 0);
	snprintf(scratch, sizeof(scratch), "%s/scratch", dir);
	opts.scratch_dir = scratch;
	opts.partition_by = parts; /* each pass writes into every partition's folder */
	opts.partition_count = 1;
	assert_int_not_equal(rat_table__write(&r, plain, engine, sql, &opts), 0);
	assert_non_null(strstr(rat_error_last()->message, "Out of Memory Error"));
	assert_int_equal(rat_table__latest_metadata(plain, &latest), RAT_ENOTFOUND);
	opts.unique_key = key;
	opts.unique_key_count = 1;
	r = write_rows(store, sql, &opts);
	assert_int_equal(rat_engine_exec(engine, restore), 0);
	assert_true(r.write_passes > 1);
	assert_int_equal(r.added_rows, 500000);
	expect(store, -1,
	       "count(*) || ',' || count(DISTINCT id) || ',' || min(id) || ',' || max(id) || ',' || "
	       "sum(len(v)) || ',' || count(*) FILTER (WHERE list_contains(v, repeat('x', 50) || "
	       "(id + 1500000)::VARCHAR))",
	       "500000,500000,0,499999,2000000,500000");
	rat_store__free(store);
	rat_store__free(plain);
}

/* The scan SQL of the table's current snapshot. */
static char *scan_sql_of(rat_store *store)
{
	rat_buf sql = RAT_BUF_INIT;
	rat_scan scan;

	if (rat_table__plan(&scan, store, NULL) != 0 || rat_table__scan_sql(&scan, store, &sql) != 0)
		fail_msg("plan: %s", rat_error_last()->message);
	rat_table__scan_free(&scan);
	return rat_buf_detach(&sql);
}

/* How many files DuckDB reads for SELECT count(*) FROM (sql) WHERE condition. */
static int files_read(const char *sql, const char *condition)
{
	rat_buf query = RAT_BUF_INIT;
	rat_result *result = NULL;
	const char *plan = NULL, *at;
	int n = -1;

	assert_int_equal(rat_buf_printf(&query, "EXPLAIN ANALYZE SELECT count(*) FROM (%s) t WHERE %s", sql, condition), 0);
	if (rat_engine_query(&result, engine, rat_buf_cstr(&query)) != 0)
		fail_msg("explain: %s", rat_error_last()->message);
	assert_int_equal(rat_result_next(result), 1);
	assert_int_equal(rat_result_get_text(result, 1, &plan, NULL), 0);
	if ((at = strstr(plan, "Total Files Read:")) != NULL)
		n = atoi(at + strlen("Total Files Read:"));
	rat_result_free(result);
	rat_buf_free(&query);
	return n;
}

/*
 * A table librat wrote with identity partitions reads by its Hive folders,
 * so DuckDB skips the files a filter on the partition column rules out; a
 * temporal partition, or a second schema, keeps the field-id schema map.
 */
static void identity_partitions_read_by_folder_and_prune(void **state)
{
	rat_store *days = open_table("hive_days"), *hours = open_table("hive_hours");
	rat_write_options opts = RAT_WRITE_OPTIONS_INIT;
	const char *by_day[] = { "day" }, *by_hour[] = { "hour(ts)" };
	char *sql;
	(void)state;

	opts.partition_by = by_day;
	opts.partition_count = 1;
	write_rows(days, "SELECT i AS id, DATE '2024-01-01' + (i % 10)::INTEGER AS day FROM range(100) "
			 "t(i)", &opts);
	expect(days, -1, "count(*) FILTER (WHERE day = DATE '2024-01-03') || ',' || sum(id)", "10,4950");
	sql = scan_sql_of(days);
	if (!s3_kind) { /* (remote files read from the cache, whose paths are its own) */
		assert_non_null(strstr(sql, "hive_partitioning = true"));
		assert_int_equal(files_read(sql, "day = DATE '2024-01-03'"), 1);
	}
	assert_int_equal(files_read(sql, "id >= 0"), 10);
	free(sql);
	/* a new column: two schemas, read through the field-id map again */
	opts.schema_change = RAT_SCHEMA_APPEND;
	write_rows(days, "SELECT 100 AS id, DATE '2024-01-01' AS day, 'x' AS note", &opts);
	sql = scan_sql_of(days);
	assert_null(strstr(sql, "hive_partitioning"));
	free(sql);
	expect(days, -1, "count(*) FILTER (WHERE day = DATE '2024-01-01') || ',' || count(note)", "11,1");
	opts.schema_change = RAT_SCHEMA_KEEP;
	opts.partition_by = by_hour;
	write_rows(hours, "SELECT i AS id, TIMESTAMP '2024-01-01' + INTERVAL (i) HOUR AS ts FROM "
			  "range(5) t(i)", &opts);
	sql = scan_sql_of(hours);
	assert_null(strstr(sql, "hive_partitioning"));
	free(sql);
	rat_store__free(days);
	rat_store__free(hours);
}

/* The live data and delete files of the current snapshot. */
static void live_files(rat_store *store, size_t *data, size_t *deletes)
{
	rat_scan scan;

	if (rat_table__plan(&scan, store, NULL) != 0)
		fail_msg("plan: %s", rat_error_last()->message);
	*data = scan.data.count;
	*deletes = scan.deletes.count;
	rat_table__scan_free(&scan);
}

/*
 * A merge whose few keys are spread over every file writes one position
 * delete file per file instead of rewriting them (merge on read). Reads,
 * time travel, the next merge (a rewrite drops the file's deletes), a
 * delete and an overwrite all see through them.
 */
static void spread_merge_writes_position_deletes(void **state)
{
	rat_store *store = open_table("mor");
	rat_write_options opts = RAT_WRITE_OPTIONS_INIT;
	rat_write_result first, r;
	rat_buf sql = RAT_BUF_INIT;
	rat_scan scan;
	size_t data, deletes;
	char *local = NULL, *ids;
	(void)state;

	/* 4 files of 250,000 rows: a rewrite of them all is not cheap */
	first = append_blocks(store, 4, 250000, NULL);
	opts = merge_on_id();
	r = write_rows(store, "SELECT * FROM (VALUES (5, 'v2'), (250005, 'v2'), (500005, 'v2'), "
			      "(750005, 'v2'), (9000000, 'v2')) t(id, version)", &opts);
	assert_int_equal(r.removed_files, 0);
	assert_int_equal(r.added_rows, 5);
	live_files(store, &data, &deletes);
	assert_int_equal(data, 5);
	assert_int_equal(deletes, 4);
	expect(store, -1, "count(*) || ',' || count(DISTINCT id) || ',' || count(*) FILTER (WHERE "
			  "version = 'v2') || ',' || string_agg(version, '' ORDER BY version) FILTER "
			  "(WHERE id = 500005)",
	       "1000001,1000001,5,v2");
	expect(store, first.snapshot_id, "count(*) || ',' || count(*) FILTER (WHERE version = 'v2')",
	       "1000000,0");
	/* the delete files carry Iceberg's field ids, and their rows point at their data file */
	assert_int_equal(rat_table__plan(&scan, store, NULL), 0);
	{
		char *k = NULL;
		assert_int_equal(rat_table__key(&scan, scan.deletes.items[0].path, &k), 0);
		assert_int_equal(rat_store__local_path(store, k, &local), 0);
		free(k);
	}
	rat_buf_clear(&sql);
	assert_int_equal(rat_buf_printf(&sql, "(SELECT string_agg(name || ':' || field_id, ',' ORDER BY name) FROM "
			     "parquet_schema('%s') WHERE field_id IS NOT NULL) || '/' || "
			     "(SELECT count(*) || ',' || count(DISTINCT file_path) FROM read_parquet('%s'))",
		       local, local), 0);
	ids = test_table_value(engine, store, -1, NULL, rat_buf_cstr(&sql));
	assert_string_equal(ids, "file_path:2147483546,pos:2147483545/1,1");
	free(ids);
	free(local);
	rat_table__scan_free(&scan);
	/* 200 changes, in the first file and the new rows' one: rewriting them is cheap, and
	 * the first file's delete file goes with it */
	r = write_rows(store, "SELECT i AS id, 'v3' AS version FROM range(200) t(i)", &opts);
	assert_int_equal(r.removed_files, 2);
	live_files(store, &data, &deletes);
	assert_int_equal(deletes, 3);
	expect(store, -1, "count(*) || ',' || count(*) FILTER (WHERE version = 'v3') || ',' || "
			  "count(*) FILTER (WHERE version = 'v2')",
	       "1000001,200,4");
	/* a delete: the file of 750000-999999 goes whole (its delete file with it), the new
	 * rows' file is rewritten without 750005 and 9000000 */
	opts.mode = RAT_WRITE_DELETE;
	write_rows(store, "id >= 750000", &opts);
	live_files(store, &data, &deletes);
	assert_int_equal(deletes, 2);
	expect(store, -1, "count(*) || ',' || count(DISTINCT id) || ',' || max(id)",
	       "750000,750000,749999");
	/* an overwrite leaves no delete file */
	opts.mode = RAT_WRITE_OVERWRITE;
	write_rows(store, "SELECT 1 AS id, 'v4' AS version", &opts);
	live_files(store, &data, &deletes);
	assert_int_equal(data + deletes, 1);
	rat_buf_free(&sql);
	rat_store__free(store);
}

/*
 * A merge into another engine's table with equality delete files (Iceberg
 * Java, ../shared/fixtures) applies them: deleted rows are not matched or
 * carried over, and the rewrite of a file leaves the table as expected.
 */
static void merge_into_a_table_with_equality_deletes(void **state)
{
	rat_write_options opts = merge_on_id();
	rat_store_options so = RAT_STORE_OPTIONS_INIT;
	rat_store *store = NULL;
	rat_write_result r;
	char cmd[8800], root[4200];
	const char *shared = getenv("RAT_SHARED_DIR") ? getenv("RAT_SHARED_DIR") : "../shared";
	(void)state;

	if (s3_kind)
		skip(); /* the fixture is a local folder; the S3 runs cover the writer already */
	snprintf(root, sizeof(root), "%s/tables/eqdeletes", dir);
	snprintf(cmd, sizeof(cmd), "cp -R '%s/fixtures/iceberg/eqdeletes_partitioned' '%s'", shared,
		 root);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(rat_store__open(&store, root, &so), 0);
	/* live: 1 a, 4 d, 5 e (2, 3 and 6 deleted by equality deletes) */
	r = write_rows(store, "SELECT * FROM (VALUES (4, 'd', DATE '2026-04-04'), (6, 'f', DATE "
			      "'2026-06-06')) t(id, name, bir)",
		       &opts);
	assert_int_equal(r.removed_files, 1); /* name=d's file; 6 was deleted, so f's is kept */
	expect(store, -1, "string_agg(id || name || bir, ',' ORDER BY id)",
	       "1a2025-01-01,4d2026-04-04,5e2025-01-05,6f2026-06-06");
	rat_store__free(store);
}

static size_t planned_files(rat_store *store, const rat_scan_filter *filters, size_t n, size_t *pruned)
{
	rat_scan_options opts = RAT_SCAN_OPTIONS_INIT;
	rat_scan scan;
	size_t count;

	opts.filters = filters;
	opts.filter_count = n;
	if (rat_table__plan(&scan, store, &opts) != 0)
		fail_msg("plan: %s", rat_error_last()->message);
	count = scan.data.count;
	if (pruned)
		*pruned = scan.pruned;
	rat_table__scan_free(&scan);
	return count;
}

static void filters_prune_files_by_partition_and_bounds(void **state)
{
	rat_store *days = open_table("pruned_days"), *ids = open_table("pruned_ids");
	rat_write_options opts = RAT_WRITE_OPTIONS_INIT;
	const char *parts[] = { "day(ts)", "device" };
	size_t pruned = 0;
	int i;
	(void)state;

	opts.partition_by = parts;
	opts.partition_count = 2;
	write_rows(days, "SELECT i AS id, TIMESTAMP '2024-03-01 10:00:00' + INTERVAL (i) HOUR AS ts, "
			 "['ios', 'android', NULL][1 + i % 3] AS device FROM range(72) t(i)",
		   &opts);
	{
		rat_scan_filter one_day[] = { { "ts", "=", "2024-03-02 05:00:00" } };
		rat_scan_filter ios[] = { { "device", "=", "ios" } };
		rat_scan_filter both[] = { { "ts", ">=", "2024-03-04" }, { "DEVICE", "=", "android" } };
		rat_scan_filter before[] = { { "ts", "<", "2024-03-01 10:00:00" } };
		assert_int_equal(planned_files(days, NULL, 0, &pruned), 12);
		assert_int_equal(pruned, 0);
		assert_int_equal(planned_files(days, one_day, 1, &pruned), 3);
		assert_int_equal(pruned, 9);
		assert_int_equal(planned_files(days, ios, 1, NULL), 4); /* NULL partitions never match */
		assert_int_equal(planned_files(days, both, 2, NULL), 1);
		assert_int_equal(planned_files(days, before, 1, NULL), 0);
	}
	for (i = 0; i < 10; i++) {
		char sql[128];
		snprintf(sql, sizeof(sql), "SELECT i AS id FROM range(%d, %d) t(i)", i * 100, i * 100 + 100);
		write_rows(ids, sql, NULL);
	}
	{
		rat_scan_filter high[] = { { "id", ">=", "950" } };
		rat_scan_filter exact[] = { { "id", "=", "250" } };
		rat_scan_filter none[] = { { "id", "<", "0" } };
		rat_scan_filter range2[] = { { "id", ">", "199" }, { "id", "<=", "300" } };
		rat_scan_filter unknown[] = { { "nope", "=", "1" } };
		rat_scan_filter bad_op[] = { { "id", "!=", "1" } };
		rat_scan_filter bad_value[] = { { "id", "=", "x" } };
		rat_scan_options o = RAT_SCAN_OPTIONS_INIT;
		rat_scan scan;
		assert_int_equal(planned_files(ids, high, 1, NULL), 1);
		assert_int_equal(planned_files(ids, exact, 1, NULL), 1);
		assert_int_equal(planned_files(ids, none, 1, NULL), 0);
		assert_int_equal(planned_files(ids, range2, 2, NULL), 2);
		o.filter_count = 1;
		o.filters = unknown;
		assert_int_equal(rat_table__plan(&scan, ids, &o), RAT_EINVALID);
		assert_non_null(strstr(rat_error_last()->message, "unknown column 'nope'"));
		o.filters = bad_op;
		assert_int_equal(rat_table__plan(&scan, ids, &o), RAT_EINVALID);
		o.filters = bad_value;
		assert_int_equal(rat_table__plan(&scan, ids, &o), RAT_EINVALID);
	}
	rat_store__free(days);
	rat_store__free(ids);
}

static int abandon(void *ctx)
{
	(void)ctx;
	return rat_error__set(RAT_EIO, RAT_ERRCLASS_OS, "crash before the swap");
}

/*
 * A writer that fails after each put in turn (and once just before the
 * swap) leaves the table readable at its previous snapshot, and what it left
 * behind is reported as orphans; a write that gets through commits.
 */
static void failures_at_every_step_leave_the_previous_state(void **state)
{
	char scratch[4096];
	rat_store *good = open_table("crashy");
	rat_write_result first, r;
	const char *parts[] = { "day(d)" };
	int k, error = -1;
	(void)state;

	first = write_rows(good, "SELECT 1 AS id, DATE '2024-01-01' AS d", NULL);
	snprintf(scratch, sizeof(scratch), "%s/scratch", dir);
	for (k = 1; error != 0 && k < 20; k++) {
		rat_write_options opts = RAT_WRITE_OPTIONS_INIT;
		rat_store *flaky = open_table_with("crashy", k);
		rat_strarray orphans = RAT_STRARRAY_INIT;
		char *key = NULL;

		opts.scratch_dir = scratch;
		opts.partition_by = parts; /* ignored: the table exists */
		opts.partition_count = 1;
		error = rat_table__write(&r, flaky, engine,
					 "SELECT i + 10 AS id, DATE '2024-02-01' + i::INTEGER AS d FROM range(3) t(i)",
					 &opts);
		if (error && !strstr(rat_error_last()->message, "injected failure"))
			fail_msg("k=%d: %s", k, rat_error_last()->message);
		rat_store__free(flaky);
		assert_int_equal(rat_table__latest_metadata(good, &key), 0);
		if (error) {
			assert_string_equal(key, "metadata/v1.metadata.json");
			expect(good, -1, "count(*) || ',' || sum(id)", "1,1");
			assert_int_equal(rat_table__orphans(&orphans, good), 0);
			/* the first put that failed was a data file only when k = 1 */
			if (k > 1)
				assert_true(orphans.count >= 1);
		} else {
			assert_string_equal(key, "metadata/v2.metadata.json");
			expect(good, -1, "count(*) || ',' || sum(id)", "4,34");
		}
		free(key);
		rat_strarray_free(&orphans);
	}
	assert_int_equal(error, 0);
	assert_true(k > 4); /* data file(s), manifest, manifest list, metadata were each crashed */

	/* a crash just before the swap: everything written, nothing visible */
	{
		rat_write_options opts = RAT_WRITE_OPTIONS_INIT;
		rat_strarray before = RAT_STRARRAY_INIT, after = RAT_STRARRAY_INIT;
		opts.scratch_dir = scratch;
		opts.before_commit = abandon;
		assert_int_equal(rat_table__orphans(&before, good), 0);
		assert_int_equal(rat_table__write(&r, good, engine, "SELECT 99 AS id, DATE '2030-01-01' AS d",
						  &opts), RAT_EIO);
		expect(good, -1, "count(*)", "4");
		assert_int_equal(rat_table__orphans(&after, good), 0);
		/* its data file, manifest, manifest list and added-at state */
		assert_int_equal(after.count, before.count + 4);
		rat_strarray_free(&before);
		rat_strarray_free(&after);
	}
	expect(good, first.snapshot_id, "count(*)", "1");
	rat_store__free(good);
}

static int setup(void **state)
{
	(void)state;
	s3_kind = getenv("RAT_TEST_S3");
	test_session_open(&session, s3_kind ? s3_kind : "table_write");
	dir = session.dir;
	engine = session.engine;
	if (s3_kind)
		t_server_start(&s3, s3_kind, dir, s3_kind, "lake", "");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (s3_kind)
		t_server_stop(&s3);
	test_session_close(&session);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(create_append_time_travel_overwrite),
		cmocka_unit_test(time_travel_by_timestamp),
		cmocka_unit_test(partitions_identity_and_day),
		cmocka_unit_test(string_partitions_null_and_awkward_values),
		cmocka_unit_test(a_rebuild_replaces_unreadable_metadata),
		cmocka_unit_test(a_failed_read_is_not_unreadable_metadata),
		cmocka_unit_test(schema_evolves_by_adding_and_widening),
		cmocka_unit_test(rename_keeps_the_field_id),
		cmocka_unit_test(empty_append_changes_nothing),
		cmocka_unit_test(a_lost_race_is_reported_and_changes_nothing),
		cmocka_unit_test(failures_at_every_step_leave_the_previous_state),
		cmocka_unit_test(replace_partitions_keeps_the_others),
		cmocka_unit_test(merge_rewrites_only_files_holding_the_keys),
		cmocka_unit_test(merge_skips_files_whose_key_bounds_exclude_the_new_keys),
		cmocka_unit_test(write_out_of_memory_is_split_by_key_range),
		cmocka_unit_test(spread_merge_writes_position_deletes),
		cmocka_unit_test(merge_into_a_table_with_equality_deletes),
		cmocka_unit_test(delete_drops_aligned_partitions_and_rewrites_the_others),
		cmocka_unit_test(filters_prune_files_by_partition_and_bounds),
		cmocka_unit_test(identity_partitions_read_by_folder_and_prune),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
