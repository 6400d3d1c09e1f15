/*
 * tests/unit/maintenance/test_retention.c - which rows retention deletes
 * (maintenance/retention.c): a row's age counts from when it entered its
 * table, so rows loaded lately stay however old their dates; a table with
 * _ingested_at goes by both; a layer's retention_column goes by that date,
 * but a run's own rows stay after it and are reported; an unknown or
 * undated retention_column is a note and the table is kept; a dry run's
 * report is what applying then does; options of an unknown version are
 * refused.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rat.h"
#include "util/common.h"
#include "workspace/tables.h"
#include "workspace/workspace.h"

static char *dir;

/* The workspace `name` (its workspace.yaml: yaml) opened with RAT_NOW=now. */
static rat_workspace *open_at(const char *name, const char *yaml, const char *now)
{
	rat_workspace *ws = NULL;
	char path[4200], file[4300];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(file, sizeof(file), "name: %s\n%s", name, yaml);
	test_write(path, "workspace.yaml", file);
	setenv("RAT_NOW", now, 1);
	if (rat_workspace_open(&ws, path) != 0)
		fail_msg("open %s: %s", name, rat_error_last()->message);
	unsetenv("RAT_NOW");
	return ws;
}

/* Write sql into key on the workspace's branch (run: the rat.run-id it records, or NULL). */
static void write_at(rat_workspace *ws, const char *key, const char *sql, const char *run)
{
	const char *props[2] = { "rat.run-id", run };
	rat_write_options opts = RAT_WRITE_OPTIONS_INIT;
	rat_write_result result;
	rat_catalog *catalog = NULL;
	rat_engine *engine = NULL;

	opts.summary_properties = props;
	opts.summary_property_count = run ? 1 : 0;
	if (rat_workspace__create_catalog(&catalog, ws) != 0 ||
	    rat_workspace__open_engine(&engine, ws) != 0 ||
	    rat_workspace__write_table(&result, ws, catalog, engine, rat_workspace_branch(ws), key,
				       sql, &opts, "test") != 0)
		fail_msg("write %s: %s", key, rat_error_last()->message);
	rat_engine_free(engine);
	rat_catalog__free(catalog);
}

/* The report's item for key. */
static const rat_retention_item *item_of(const rat_retention_report *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->count; i++)
		if (strcmp(r->items[i].table, key) == 0)
			return &r->items[i];
	fail_msg("no %s in the report", key);
	return NULL;
}

/* Retention's item for key, dry or not, with run_id kept. */
static rat_retention_item retain(rat_workspace *ws, const char *key, int dry_run,
				 const char *run_id)
{
	rat_retention_options opts = RAT_RETENTION_OPTIONS_INIT;
	rat_retention_report report;
	rat_retention_item item;

	opts.dry_run = dry_run;
	opts.run_id = run_id;
	if (rat_retention_run(&report, ws, &opts) != 0)
		fail_msg("retention: %s", rat_error_last()->message);
	item = *item_of(&report, key);
	/* the strings are the report's: compare them before it goes */
	item.column = strdup(item.column);
	item.note = strdup(item.note);
	item.kept_why = strdup(item.kept_why);
	item.cutoff = strdup(item.cutoff);
	item.table = NULL;
	rat_retention_report_free(&report);
	return item;
}

static void item_free(rat_retention_item *item)
{
	free((char *)item->column);
	free((char *)item->note);
	free((char *)item->kept_why);
	free((char *)item->cutoff);
}

static const char silver_30[] = "layers:\n  silver:\n    retention_days: 30\n";

/* Rows dated 2020, loaded on 2026-01-01: kept 30 days after loading, then gone. */
static void a_backfill_stays_until_its_load_is_old(void **state)
{
	rat_workspace *ws = open_at("backfill", silver_30, "2026-01-01");
	rat_retention_item dry, done;
	(void)state;

	write_at(ws, "silver.sales", "SELECT * FROM (VALUES (1, DATE '2020-01-05'), "
				     "(2, DATE '2020-02-01')) t(id, _date)", NULL);
	rat_workspace_free(ws);
	ws = open_at("backfill", silver_30, "2026-01-25");
	dry = retain(ws, "silver.sales", 1, NULL);
	assert_string_equal(dry.column, ""); /* by load time alone */
	assert_int_equal(dry.rows_deleted, 0);
	assert_int_equal(dry.rows_kept, 0);
	item_free(&dry);
	rat_workspace_free(ws);

	ws = open_at("backfill", silver_30, "2026-02-05");
	dry = retain(ws, "silver.sales", 1, NULL);
	assert_string_equal(dry.cutoff, "2026-01-06 00:00:00");
	assert_int_equal(dry.rows_deleted, 2);
	assert_int_equal(dry.files_removed, 1);
	assert_int_equal(dry.files_rewritten, 0);
	done = retain(ws, "silver.sales", 0, NULL);
	assert_int_equal(done.rows_deleted, dry.rows_deleted);
	assert_int_equal(done.files_removed, dry.files_removed);
	assert_int_equal(done.files_added, 0);
	item_free(&dry);
	item_free(&done);
	done = retain(ws, "silver.sales", 1, NULL);
	assert_int_equal(done.rows_deleted, 0); /* nothing left */
	item_free(&done);
	rat_workspace_free(ws);
}

/* With _ingested_at, a row goes when both its stamp and its load are old. */
static void ingested_at_and_the_load_must_both_be_old(void **state)
{
	rat_workspace *ws = open_at("stamped", silver_30, "2026-01-01");
	rat_retention_item item;
	(void)state;

	write_at(ws, "silver.events", "SELECT * FROM (VALUES (1, TIMESTAMPTZ '2020-01-01 00:00:00+00'), "
				      "(2, TIMESTAMPTZ '2025-12-31 00:00:00+00')) t(id, _ingested_at)",
		 NULL);
	rat_workspace_free(ws);
	ws = open_at("stamped", silver_30, "2026-01-10");
	item = retain(ws, "silver.events", 1, NULL);
	assert_string_equal(item.column, "_ingested_at");
	assert_int_equal(item.rows_deleted, 0);
	assert_int_equal(item.rows_kept, 1);
	assert_string_equal(item.kept_why, "loaded in the last 30 days");
	item_free(&item);
	rat_workspace_free(ws);
	ws = open_at("stamped", silver_30, "2026-03-01");
	item = retain(ws, "silver.events", 0, NULL);
	assert_int_equal(item.rows_deleted, 2);
	item_free(&item);
	rat_workspace_free(ws);
}

static const char by_date[] = "layers:\n  silver:\n    retention_days: 30\n"
			      "    retention_column: sold_on\n";

/* By a business date, recent loads go too; but not the rows of the run asking. */
static void a_business_date_spares_only_the_runs_own_rows(void **state)
{
	rat_workspace *ws = open_at("dated", by_date, "2026-01-01");
	rat_retention_item item;
	(void)state;

	write_at(ws, "silver.sales", "SELECT * FROM (VALUES (1, DATE '2020-01-05'), "
				     "(2, DATE '2025-12-30')) t(id, sold_on)", "run-A");
	item = retain(ws, "silver.sales", 1, "run-A");
	assert_string_equal(item.column, "sold_on");
	assert_int_equal(item.rows_deleted, 0);
	assert_int_equal(item.rows_kept, 1);
	assert_string_equal(item.kept_why, "written by run run-A");
	item_free(&item);
	item = retain(ws, "silver.sales", 1, "run-B");
	assert_int_equal(item.rows_deleted, 1);
	assert_int_equal(item.files_rewritten, 1); /* both rows share the file */
	item_free(&item);
	item = retain(ws, "silver.sales", 0, NULL);
	assert_int_equal(item.rows_deleted, 1);
	assert_int_equal(item.files_removed, 1);
	assert_int_equal(item.files_added, 1);
	item_free(&item);
	rat_workspace_free(ws);
}

/* A retention_column the table lacks, or that is no date: a note, and the table kept. */
static void an_unusable_retention_column_is_a_note(void **state)
{
	rat_workspace *ws = open_at("noted", by_date, "2026-01-01");
	rat_retention_item item;
	(void)state;

	write_at(ws, "silver.plain", "SELECT 1 AS id, DATE '2020-01-01' AS _date", NULL);
	write_at(ws, "silver.texts", "SELECT 1 AS id, '2020-01-01' AS sold_on", NULL);
	rat_workspace_free(ws);
	ws = open_at("noted", by_date, "2027-01-01");
	item = retain(ws, "silver.plain", 0, NULL);
	assert_string_equal(item.note, "retention_column sold_on is not a column of silver.plain: kept");
	assert_int_equal(item.rows_deleted, 0);
	item_free(&item);
	item = retain(ws, "silver.texts", 0, NULL);
	assert_string_equal(item.note,
			    "retention_column sold_on is a string, not a date or timestamp: kept");
	item_free(&item);
	rat_workspace_free(ws);
}

static void options_of_an_unknown_version_are_refused(void **state)
{
	rat_workspace *ws = open_at("versions", silver_30, "2026-01-01");
	rat_retention_options opts = RAT_RETENTION_OPTIONS_INIT;
	rat_retention_report report;
	(void)state;

	opts.version = 0;
	assert_int_equal(rat_retention_run(&report, ws, &opts), RAT_EINVALID);
	assert_non_null(strstr(rat_error_last()->message, "rat_retention_options"));
	assert_int_equal(rat_retention_options_init(&opts, RAT_RETENTION_OPTIONS_VERSION), 0);
	assert_int_equal(opts.dry_run, 0);
	assert_null(opts.run_id);
	rat_workspace_free(ws);
}

static int setup(void **state)
{
	dir = test_scratch_home("maintenance_retention");
	unsetenv("RAT_WORKSPACES");
	unsetenv("ICEBERG_WAREHOUSE");
	unsetenv("RAT_NOW");
	*state = dir; /* test_scratch_teardown removes it */
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_backfill_stays_until_its_load_is_old),
		cmocka_unit_test(ingested_at_and_the_load_must_both_be_old),
		cmocka_unit_test(a_business_date_spares_only_the_runs_own_rows),
		cmocka_unit_test(an_unusable_retention_column_is_a_note),
		cmocka_unit_test(options_of_an_unknown_version_are_refused),
	};
	return cmocka_run_group_tests(tests, setup, test_scratch_teardown);
}
