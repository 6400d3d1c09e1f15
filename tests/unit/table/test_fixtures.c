/*
 * tests/unit/table/test_fixtures.c - tables written by Spark, the Iceberg
 * Java library and PyIceberg (../shared/fixtures/iceberg/) read with exactly
 * the answers of their EXPECTED.json, for every snapshot: metadata, the live
 * data and delete files with their sequence numbers and partitions, row
 * counts, column aggregates, full rows where listed, and extra queries.
 */
#include "helpers.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rat.h"
#include "util/common.h"
#include "storage/storage.h"
#include "table/scan.h"

static test_session session;
static rat_engine *engine;
static char fixtures[4096];
static int failures;

#define CHECK(cond, ...)                                                                          \
	do {                                                                                      \
		if (!(cond)) {                                                                    \
			print_error(__VA_ARGS__);                                                 \
			print_error("\n");                                                        \
			failures++;                                                               \
		}                                                                                 \
	} while (0)

/* Run sql and return the first value of the first row as JSON text (caller frees). */
static char *scalar_json(const char *sql)
{
	rat_result *result = NULL;
	const char *json = NULL;
	char *copy = NULL;

	if (rat_engine_query(&result, engine, sql) != 0) {
		print_error("query failed: %s\n  %s\n", rat_error_last()->message, sql);
		failures++;
		return NULL;
	}
	if (rat_result_next(result) == 1 && rat_result_get_json(result, 0, &json, NULL) == 0)
		copy = strdup(json);
	rat_result_free(result);
	return copy;
}

/* Does our JSON value equal the expected one? Numbers compare numerically, strings exactly. */
static bool same(const char *ours, json_t *expected)
{
	json_error_t err;
	json_t *mine = ours ? json_loads(ours, JSON_DECODE_ANY, &err) : NULL;
	bool equal;

	if (!mine)
		return false;
	if (json_is_number(expected) && json_is_number(mine))
		equal = fabs(json_number_value(mine) - json_number_value(expected)) <=
			1e-9 * fmax(1.0, fabs(json_number_value(expected)));
	else if (json_is_string(expected) && !json_is_string(mine))
		/* decimals come back as exact JSON numbers: compare the text as printed */
		equal = strcmp(ours, json_string_value(expected)) == 0;
	else
		equal = json_equal(mine, expected);
	json_decref(mine);
	return equal;
}

static void check_files(const char *name, const rat_scan *scan, const rat_data_files *files,
			json_t *expected)
{
	size_t i, j;

	CHECK(files->count == json_array_size(expected), "%s: %zu live files, expected %zu", name,
	      files->count, json_array_size(expected));
	for (i = 0; i < json_array_size(expected); i++) {
		json_t *e = json_array_get(expected, i);
		const char *path = json_string_value(json_object_get(e, "path"));
		bool found = false;
		for (j = 0; j < files->count; j++) {
			const rat_data_file *f = &files->items[j];
			char *key = NULL;
			if (rat_table__key(scan, f->path, &key) != 0 || strcmp(key, path) != 0) {
				free(key);
				continue;
			}
			free(key);
			found = true;
			CHECK(f->data_sequence_number ==
				      json_integer_value(json_object_get(e, "data_sequence_number")),
			      "%s: %s: sequence number %lld", name, path,
			      (long long)f->data_sequence_number);
			CHECK(f->record_count == json_integer_value(json_object_get(e, "record_count")),
			      "%s: %s: record count %lld", name, path, (long long)f->record_count);
			CHECK(json_equal(f->partition, json_object_get(e, "partition")),
			      "%s: %s: partition differs", name, path);
		}
		CHECK(found, "%s: live file %s missing from the plan", name, path);
	}
}

static void check_columns(const char *name, const char *sql, json_t *columns)
{
	static const struct { const char *key, *expr; } aggregates[] = {
		{ "count", "count(%s)" },    { "sum", "sum(%s)" },
		{ "min", "min(%s)" },        { "max", "max(%s)" },
		{ "count_true", "count_if(%s)" },
		{ "min_epoch_us", "epoch_us(min(%s))" },
		{ "max_epoch_us", "epoch_us(max(%s))" },
		{ "min_iso", "strftime(min(%s), '%%Y-%%m-%%dT%%H:%%M:%%S.%%f+00:00')" },
		{ "max_iso", "strftime(max(%s), '%%Y-%%m-%%dT%%H:%%M:%%S.%%f+00:00')" },
	};
	const char *column;
	json_t *checks;
	size_t i;

	json_object_foreach(columns, column, checks) {
		for (i = 0; i < sizeof(aggregates) / sizeof(aggregates[0]); i++) {
			json_t *want = json_object_get(checks, aggregates[i].key);
			char ident[256], expr[512], query[1 << 16];
			char *got;
			if (!want)
				continue;
			snprintf(ident, sizeof(ident), "\"%s\"", column);
			snprintf(expr, sizeof(expr), aggregates[i].expr, ident);
			snprintf(query, sizeof(query), "SELECT %s FROM (%s)", expr, sql);
			got = scalar_json(query);
			CHECK(same(got, want), "%s: %s(%s) = %s, expected %s", name, aggregates[i].key,
			      column, got ? got : "(error)", json_dumps(want, JSON_ENCODE_ANY));
			free(got);
		}
	}
}

static void check_rows(const char *name, const char *sql, const char *order_by, json_t *rows)
{
	char query[1 << 16];
	rat_result *result = NULL;
	size_t row = 0, col;

	snprintf(query, sizeof(query), "SELECT * FROM (%s) ORDER BY \"%s\"", sql, order_by);
	if (rat_engine_query(&result, engine, query) != 0) {
		CHECK(false, "%s: %s", name, rat_error_last()->message);
		return;
	}
	while (rat_result_next(result) == 1) {
		json_t *want = json_array_get(rows, row);
		for (col = 0; want && col < rat_result_column_count(result); col++) {
			const char *json = NULL, *cname = rat_result_column_name(result, col);
			rat_result_get_json(result, col, &json, NULL);
			CHECK(same(json, json_object_get(want, cname)), "%s: row %zu column %s is %s",
			      name, row, cname, json);
		}
		row++;
	}
	CHECK(row == json_array_size(rows), "%s: %zu rows, expected %zu", name, row,
	      json_array_size(rows));
	rat_result_free(result);
}

static void check_snapshot(const char *fixture, rat_store *store, json_t *expected_all, json_t *e)
{
	rat_scan_options opts = RAT_SCAN_OPTIONS_INIT;
	rat_scan scan;
	rat_buf sql = RAT_BUF_INIT;
	char name[256], query[1 << 16], *count;
	const char *key;
	json_t *value;

	opts.snapshot_id = json_integer_value(json_object_get(e, "snapshot_id"));
	opts.relocate_from = json_string_value(json_object_get(expected_all, "path_prefix"));
	snprintf(name, sizeof(name), "%s@%lld", fixture, (long long)opts.snapshot_id);
	if (rat_table__plan(&scan, store, &opts) != 0) {
		CHECK(false, "%s: plan: %s", name, rat_error_last()->message);
		return;
	}
	CHECK(scan.schema->schema_id == json_integer_value(json_object_get(e, "read_schema_id")),
	      "%s: read with schema %d", name, scan.schema->schema_id);
	check_files(name, &scan, &scan.data, json_object_get(e, "live_data_files"));
	check_files(name, &scan, &scan.deletes, json_object_get(e, "live_delete_files"));
	if (rat_table__scan_sql(&scan, store, &sql) != 0) {
		CHECK(false, "%s: sql: %s", name, rat_error_last()->message);
		goto cleanup;
	}
	snprintf(query, sizeof(query), "SELECT count(*) FROM (%s)", rat_buf_cstr(&sql));
	count = scalar_json(query);
	CHECK(same(count, json_object_get(e, "row_count")), "%s: %s rows, expected %lld", name,
	      count ? count : "(error)", (long long)json_integer_value(json_object_get(e, "row_count")));
	free(count);
	check_columns(name, rat_buf_cstr(&sql), json_object_get(e, "columns"));
	json_object_foreach(e, key, value) {
		if (rat__str_has_prefix(key, "rows_ordered_by_"))
			check_rows(name, rat_buf_cstr(&sql), key + strlen("rows_ordered_by_"), value);
	}
	json_t *extra = json_object_get(e, "extra_queries");
	for (size_t i = 0; i < json_array_size(extra); i++) {
		const char *template = json_string_value(json_object_get(json_array_get(extra, i),
									 "sql_over_table_T"));
		const char *at = strstr(template, "{T}");
		char *got;
		snprintf(query, sizeof(query), "%.*s(%s) AS t%s", (int)(at - template), template,
			 rat_buf_cstr(&sql), at + 3);
		got = scalar_json(query);
		CHECK(same(got, json_object_get(json_array_get(extra, i), "result")),
		      "%s: extra query gave %s", name, got);
		free(got);
	}
cleanup:
	rat_buf_free(&sql);
	rat_table__scan_free(&scan);
}

static void check_fixture(const char *fixture)
{
	char path[8192];
	json_error_t err;
	json_t *expected;
	rat_store *store = NULL;
	size_t i;

	snprintf(path, sizeof(path), "%s/%s/EXPECTED.json", fixtures, fixture);
	expected = json_load_file(path, 0, &err);
	if (!expected)
		fail_msg("%s: %s", path, err.text);
	snprintf(path, sizeof(path), "%s/%s", fixtures, fixture);
	if (rat_store__open(&store, path, NULL) != 0)
		fail_msg("%s: %s", path, rat_error_last()->message);

	/* the latest metadata file, and its current snapshot */
	{
		char *key = NULL;
		rat_scan scan;
		rat_scan_options opts = RAT_SCAN_OPTIONS_INIT;
		assert_int_equal(rat_table__latest_metadata(store, &key), 0);
		CHECK(strcmp(key, json_string_value(json_object_get(expected, "latest_metadata_file"))) == 0,
		      "%s: latest metadata %s", fixture, key);
		free(key);
		opts.relocate_from = json_string_value(json_object_get(expected, "path_prefix"));
		assert_int_equal(rat_table__plan(&scan, store, &opts), 0);
		CHECK(scan.snapshot && scan.snapshot->snapshot_id ==
			json_integer_value(json_object_get(expected, "current_snapshot_id")),
		      "%s: current snapshot", fixture);
		CHECK(scan.meta.current_schema_id ==
			      json_integer_value(json_object_get(expected, "current_schema_id")),
		      "%s: current schema", fixture);
		CHECK(strcmp(scan.meta.table_uuid,
			     json_string_value(json_object_get(expected, "table_uuid"))) == 0,
		      "%s: table uuid", fixture);
		json_t *order = json_object_get(expected, "snapshot_ids_in_commit_order");
		CHECK(scan.meta.snapshot_count == json_array_size(order), "%s: snapshot count", fixture);
		for (i = 0; i < json_array_size(order) && i < scan.meta.snapshot_count; i++)
			CHECK(scan.meta.snapshots[i].snapshot_id ==
				      json_integer_value(json_array_get(order, i)),
			      "%s: snapshot %zu out of order", fixture, i);
		rat_table__scan_free(&scan);
	}
	/* every metadata version makes the right snapshot and schema current */
	json_t *versions = json_object_get(expected, "metadata_versions");
	for (i = 0; i < json_array_size(versions); i++) {
		json_t *v = json_array_get(versions, i);
		rat_scan_options opts = RAT_SCAN_OPTIONS_INIT;
		rat_scan scan;
		json_t *current = json_object_get(v, "current_snapshot_id");
		opts.metadata_key = json_string_value(json_object_get(v, "file"));
		opts.relocate_from = json_string_value(json_object_get(expected, "path_prefix"));
		if (rat_table__plan(&scan, store, &opts) != 0) {
			CHECK(false, "%s: %s: %s", fixture, opts.metadata_key, rat_error_last()->message);
			continue;
		}
		CHECK(json_is_null(current) || json_integer_value(current) < 0 ? scan.snapshot == NULL
					    : (scan.snapshot && scan.snapshot->snapshot_id ==
									 json_integer_value(current)),
		      "%s: %s: current snapshot", fixture, opts.metadata_key);
		CHECK(scan.meta.current_schema_id ==
			      json_integer_value(json_object_get(v, "current_schema_id")),
		      "%s: %s: current schema", fixture, opts.metadata_key);
		rat_table__scan_free(&scan);
	}
	json_t *snapshots = json_object_get(expected, "expected");
	for (i = 0; i < json_array_size(snapshots); i++)
		check_snapshot(fixture, store, expected, json_array_get(snapshots, i));
	rat_store__free(store);
	json_decref(expected);
}

static void lineitem_v2(void **state) { (void)state; failures = 0; check_fixture("lineitem_v2"); assert_int_equal(failures, 0); }
static void spark_posdeletes_evolution(void **state) { (void)state; failures = 0; check_fixture("spark_posdeletes_evolution"); assert_int_equal(failures, 0); }
static void eqdeletes_partitioned(void **state) { (void)state; failures = 0; check_fixture("eqdeletes_partitioned"); assert_int_equal(failures, 0); }
static void pyiceberg_day_partitioned(void **state) { (void)state; failures = 0; check_fixture("pyiceberg_day_partitioned"); assert_int_equal(failures, 0); }

static int setup(void **state)
{
	const char *shared = getenv("RAT_SHARED_DIR");

	snprintf(fixtures, sizeof(fixtures), "%s/fixtures/iceberg", shared ? shared : "../shared");
	*state = &session;
	test_session_open(&session, "table_fixtures");
	engine = session.engine;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lineitem_v2),
		cmocka_unit_test(spark_posdeletes_evolution),
		cmocka_unit_test(eqdeletes_partitioned),
		cmocka_unit_test(pyiceberg_day_partitioned),
	};
	return cmocka_run_group_tests(tests, setup, test_session_teardown);
}
