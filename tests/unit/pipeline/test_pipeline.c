/*
 * tests/unit/pipeline/test_pipeline.c - finding and configuring pipelines:
 * both layouts, annotations under YAML, strict YAML errors with positions,
 * command pipelines; the DAG's order, unknown refs and cycles named with
 * their chain; selectors picking exactly their sets.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rat.h"
#include "util/common.h"
#include "util/fs.h"
#include "pipeline/pipeline.h"

static char *dir;

/* A fresh workspace folder holding the given files (path, text, path, text, ..., NULL). */
static rat_workspace *workspace(const char *first, ...)
{
	rat_workspace *ws = NULL;
	const char *path = first;
	char folder[4200];
	va_list ap;

	snprintf(folder, sizeof(folder), "%s/ws", dir);
	rat_fs__remove_tree(folder);
	test_write(dir, "ws/workspace.yaml",
		   "name: shop\nlayers:\n  bronze:\n    partition_by: [_ingested_date]\n");
	va_start(ap, first);
	while (path) {
		char rel[512];
		snprintf(rel, sizeof(rel), "ws/%s", path);
		test_write(dir, rel, va_arg(ap, const char *));
		path = va_arg(ap, const char *);
	}
	va_end(ap);
	if (rat_workspace_open(&ws, folder) != 0)
		fail_msg("open: %s", rat_error_last()->message);
	return ws;
}

static void load(rat_pipelines *all, rat_workspace *ws)
{
	if (rat_pipeline__load_all(all, ws) != 0)
		fail_msg("load: %s", rat_error_last()->message);
}

/* Loading fails with a message containing want (helpers.c). */
#define load_fails(ws, want) test_pipelines_load_fails((ws), (want))

static void both_layouts_and_annotations_under_yaml(void **state)
{
	rat_workspace *ws = workspace(
		"pipelines/bronze/sales.sql",
		"-- a plain comment\n-- @materialized: incremental\n-- @landing: sales/\n"
		"-- @partition_by: [_ingested_date, month(ts)]\nSELECT * FROM read_csv({{ landing_files }})\n",
		"pipelines/silver/orders/pipeline.sql",
		"-- @materialized: table\n-- @unique_key: [id, 'line']\n"
		"-- @owner: someone\nSELECT * FROM {{ ref('bronze.sales') }}\n",
		"pipelines/silver/orders/config.yaml",
		"materialized: incremental\nowner: {team: data, email: d@x.org}\n"
		"columns:\n  - name: id\n    tests: [not_null, {accepted_values: [a, b], "
		"severity: warn}]\ntests:\n  - name: t\n    sql: SELECT 1\n",
		"pipelines/gold/feed.yaml", "command: ./fetch.sh\n", NULL);
	rat_pipelines all;
	rat_pipeline *p;
	(void)state;

	load(&all, ws);
	assert_int_equal(all.count, 3);
	p = rat_pipeline__find(&all, "bronze.sales");
	assert_non_null(p);
	assert_int_equal(p->kind, RAT_PIPELINE_SQL);
	assert_int_equal(p->materialized, RAT_MATERIALIZE_INCREMENTAL);
	assert_string_equal(p->landing, "sales/");
	assert_true(p->partition_by_set);
	assert_string_equal(p->partition_by.strings[0], "_ingested_date");
	assert_string_equal(p->partition_by.strings[1], "month(ts)");
	p = rat_pipeline__find(&all, "silver.orders");
	assert_string_equal(p->display, "pipelines/silver/orders/pipeline.sql");
	assert_string_equal(p->config_display, "pipelines/silver/orders/config.yaml");
	assert_int_equal(p->materialized, RAT_MATERIALIZE_INCREMENTAL); /* YAML wins */
	assert_string_equal(p->owner, "data <d@x.org>");
	assert_int_equal(p->unique_key.count, 2);
	assert_string_equal(p->unique_key.strings[1], "line");
	assert_int_equal(p->columns[0].test_count, 2);
	assert_int_equal(p->columns[0].tests[1].check, RAT_CHECK_ACCEPTED_VALUES);
	assert_int_equal(p->columns[0].tests[1].severity, RAT_SEVERITY_WARN);
	assert_int_equal(p->columns[0].tests[1].values.count, 2);
	assert_int_equal(p->test_count, 1);
	assert_int_equal(p->deps.count, 1);
	assert_string_equal(p->deps.strings[0], "bronze.sales");
	p = rat_pipeline__find(&all, "gold.feed");
	assert_int_equal(p->kind, RAT_PIPELINE_COMMAND);
	assert_string_equal(p->command, "./fetch.sh");
	rat_pipelines_free(&all);
	rat_workspace_free(ws);
}

static void bad_configs_name_file_line_and_key(void **state)
{
	(void)state;
	load_fails(workspace("pipelines/silver/a.sql", "SELECT 1\n", "pipelines/silver/a.yaml",
			     "materialised: table\n", NULL),
		   "pipelines/silver/a.yaml:1:1: materialised: unknown key");
	load_fails(workspace("pipelines/silver/a.sql", "SELECT 1\n", "pipelines/silver/a.yaml",
			     "description: x\nmaterialized: snapshot\n", NULL),
		   "pipelines/silver/a.yaml:2:15: materialized: 'snapshot' is not one of table, "
		   "view, incremental");
	load_fails(workspace("pipelines/silver/a.sql", "SELECT 1\n", "pipelines/silver/a.yaml",
			     "columns:\n  - name: id\n    tests: [not_nul]\n", NULL),
		   "pipelines/silver/a.yaml:3:13: columns[0].tests[0]: unknown test 'not_nul'");
	load_fails(workspace("pipelines/silver/a.sql", "SELECT 1\n", "pipelines/silver/a.yaml",
			     "tests:\n  - name: t\n    sql: SELECT 1\n    severity: fatal\n", NULL),
		   "tests[0].severity: 'fatal' is not one of error, warn");
	load_fails(workspace("pipelines/silver/a.sql", "SELECT 1\n", "pipelines/silver/a.yaml",
			     "freshness: {warn_after: 2 days}\n", NULL),
		   "freshness.warn_after: '2 days' is not a duration like 30m, 12h or 2d");
	load_fails(workspace("pipelines/bronze/a.sql", "-- @landing: ../other\nSELECT 1\n", NULL),
		   "pipelines/bronze/a.sql:1: @landing: '../other' is neither a folder under landing/");
	load_fails(workspace("pipelines/bronze/a.sql", "-- @materialised: view\nSELECT 1\n", NULL),
		   "pipelines/bronze/a.sql:1: @materialised: unknown annotation");
	load_fails(workspace("pipelines/bronze/a.sql", "\n-- @unique_key: [1bad]\nSELECT 1\n", NULL),
		   "pipelines/bronze/a.sql:2: @unique_key: invalid column name '1bad'");
	load_fails(workspace("pipelines/gold/a.sql", "-- @partition_by: [week(ts)]\nSELECT 1\n", NULL),
		   "pipelines/gold/a.sql:1: @partition_by: invalid partition 'week(ts)' (a column: "
		   "letters, digits and '_', not starting with a digit; or year|month|day|hour(column))");
	load_fails(workspace("pipelines/gold/a.sql", "-- @unique_key: id\nSELECT 1\n", NULL),
		   "pipelines/gold/a.sql: unique_key applies to materialized: incremental only");
	load_fails(workspace("pipelines/gold/a.yaml", "description: no command\n", NULL),
		   "pipelines/gold/a.yaml: no pipeline file beside it and no command: key");
	load_fails(workspace("pipelines/gold/a.sql", "SELECT 1\n", "pipelines/gold/a.yaml",
			     "command: ./x.sh\n", NULL),
		   "a pipeline with a SQL file cannot also have a command");
	load_fails(workspace("pipelines/gold/a.sql", "SELECT 1\n", "pipelines/gold/a/pipeline.sql",
			     "SELECT 2\n", NULL),
		   "pipelines/gold/a.sql and pipelines/gold/a/pipeline.sql both define gold.a: "
		   "keep one");
	load_fails(workspace("pipelines/gold/a.sql", "SELECT {{ ref(x) }}\n", NULL),
		   "pipelines/gold/a.sql:1: ref() takes a quoted table name");
	load_fails(workspace("pipelines/gold/a.sql", "SELECT * FROM {{ ref('gold.a') }}\n", NULL),
		   "pipelines/gold/a.sql: gold.a refers to itself (use {{ this }}");
	load_fails(workspace("pipelines/gold/a.sql", "-- @materialized: view\n-- @landing: x\n"
			     "SELECT 1\n", NULL),
		   "materialized: view cannot ingest files");
}

/* on_schema_change takes dbt's four values, as an annotation or in the YAML (which wins). */
static void on_schema_change_takes_the_four_values(void **state)
{
	rat_workspace *ws = workspace(
		"pipelines/silver/a.sql", "-- @materialized: incremental\nSELECT 1 AS x\n",
		"pipelines/silver/b.sql",
		"-- @materialized: incremental\n-- @on_schema_change: append_new_columns\nSELECT 1 AS x\n",
		"pipelines/silver/c.sql",
		"-- @materialized: incremental\n-- @on_schema_change: ignore\nSELECT 1 AS x\n",
		"pipelines/silver/d.sql",
		"-- @materialized: incremental\n-- @on_schema_change: ignore\nSELECT 1 AS x\n",
		"pipelines/silver/d.yaml", "on_schema_change: sync_all_columns\n", NULL);
	rat_pipelines all;
	(void)state;

	load(&all, ws);
	assert_int_equal(rat_pipeline__find(&all, "silver.a")->on_schema_change, RAT_ON_SCHEMA_FAIL);
	assert_int_equal(rat_pipeline__find(&all, "silver.b")->on_schema_change,
			 RAT_ON_SCHEMA_APPEND_NEW);
	assert_int_equal(rat_pipeline__find(&all, "silver.c")->on_schema_change, RAT_ON_SCHEMA_IGNORE);
	assert_int_equal(rat_pipeline__find(&all, "silver.d")->on_schema_change,
			 RAT_ON_SCHEMA_SYNC_ALL);
	rat_pipelines_free(&all);
	rat_workspace_free(ws);
	load_fails(workspace("pipelines/silver/a.sql", "-- @on_schema_change: sync\nSELECT 1\n", NULL),
		   "pipelines/silver/a.sql:1: @on_schema_change: 'sync' is not one of fail, "
		   "append_new_columns, ignore, sync_all_columns");
}

static const char *const chain_files[] = {
	"pipelines/bronze/raw.sql", "SELECT 1 AS x\n",
	"pipelines/silver/a.sql", "SELECT * FROM {{ ref('bronze.raw') }}\n",
	"pipelines/silver/b.sql", "SELECT * FROM {{ ref('silver.a') }}\n",
	"pipelines/gold/c.sql", "SELECT * FROM {{ ref('silver.b') }} JOIN {{ ref('silver.a') }}\n",
	"pipelines/gold/d.sql", "SELECT * FROM {{ ref('bronze.raw') }}\n",
};

static rat_workspace *chain_workspace(void)
{
	return workspace(chain_files[0], chain_files[1], chain_files[2], chain_files[3],
			 chain_files[4], chain_files[5], chain_files[6], chain_files[7],
			 chain_files[8], chain_files[9], NULL);
}

/* The keys picked by selectors, in the pipelines' order, space-separated. */
static char *picked_by(const rat_pipelines *all, const char *const *selectors, size_t n)
{
	static char out[512];
	bool *picked = NULL;
	size_t i;

	out[0] = '\0';
	if (rat_pipeline__select(&picked, all, selectors, n) != 0)
		return strncpy(out, rat_error_last()->message, sizeof(out) - 1);
	for (i = 0; i < all->count; i++)
		if (picked[i])
			snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s",
				 out[0] ? " " : "", all->items[i].key);
	free(picked);
	return out;
}

static void the_dag_orders_and_selectors_pick_their_sets(void **state)
{
	rat_workspace *ws = chain_workspace();
	rat_pipelines all;
	size_t *order = NULL, i;
	char text[256] = "";
	(void)state;

	load(&all, ws);
	assert_int_equal(rat_pipeline__order(&order, &all, NULL), 0);
	for (i = 0; i < all.count; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s%s", i ? " " : "",
			 all.items[order[i]].key);
	assert_string_equal(text, "bronze.raw silver.a silver.b gold.c gold.d");
	free(order);
	{
		const char *one[] = { "silver.b" }, *up[] = { "+silver.b" }, *down[] = { "silver.a+" };
		const char *both[] = { "+gold.c+" }, *layer[] = { "gold" }, *two[] = { "gold.d",
										      "silver.a" };
		const char *bad[] = { "silver.zz" }, *badlayer[] = { "platinum" };
		const char *bare[] = { "b" }, *bareup[] = { "+b" }, *slash[] = { "silver/a+" };
		assert_string_equal(picked_by(&all, NULL, 0),
				    "bronze.raw silver.a silver.b gold.c gold.d");
		assert_string_equal(picked_by(&all, one, 1), "silver.b");
		assert_string_equal(picked_by(&all, up, 1), "bronze.raw silver.a silver.b");
		assert_string_equal(picked_by(&all, down, 1), "silver.a silver.b gold.c");
		assert_string_equal(picked_by(&all, both, 1), "bronze.raw silver.a silver.b gold.c");
		assert_string_equal(picked_by(&all, layer, 1), "gold.c gold.d");
		assert_string_equal(picked_by(&all, two, 2), "silver.a gold.d");
		assert_string_equal(picked_by(&all, bad, 1), "selector 'silver.zz': no pipeline silver.zz");
		assert_string_equal(picked_by(&all, badlayer, 1),
				    "'platinum' is neither a pipeline (layer.name, or a name one "
				    "layer has) nor a layer (bronze, silver, gold)");
		/* a name without its layer, when one layer has it; layer/name */
		assert_string_equal(picked_by(&all, bare, 1), "silver.b");
		assert_string_equal(picked_by(&all, bareup, 1), "bronze.raw silver.a silver.b");
		assert_string_equal(picked_by(&all, slash, 1), "silver.a silver.b gold.c");
	}
	rat_pipelines_free(&all);
	rat_workspace_free(ws);
}

static void unknown_refs_and_cycles_are_named(void **state)
{
	rat_workspace *ws = workspace(
		"pipelines/silver/a.sql", "SELECT 1\nUNION ALL\nSELECT * FROM {{ ref('silver.nope') }}\n",
		NULL);
	rat_pipelines all;
	size_t *order = NULL;
	rat_strarray known = RAT_STRARRAY_INIT;
	(void)state;

	load(&all, ws);
	assert_int_equal(rat_pipeline__order(&order, &all, NULL), RAT_EINVALID);
	assert_string_equal(rat_error_last()->message,
			    "pipelines/silver/a.sql:3: ref('silver.nope'): no such pipeline "
			    "(pipelines: silver.a)");
	/* known keys (subscribed products) are allowed */
	assert_int_equal(rat_strarray__push(&known, "silver.nope"), 0);
	assert_int_equal(rat_pipeline__order(&order, &all, &known), 0);
	free(order);
	rat_strarray_free(&known);
	rat_pipelines_free(&all);
	rat_workspace_free(ws);

	ws = workspace("pipelines/silver/a.sql", "SELECT * FROM {{ ref('silver.c') }}\n",
		       "pipelines/silver/b.sql", "SELECT * FROM {{ ref('silver.a') }}\n",
		       "pipelines/silver/c.sql", "SELECT * FROM {{ ref('silver.b') }}\n",
		       "pipelines/gold/x.sql", "SELECT * FROM {{ ref('silver.a') }}\n", NULL);
	load(&all, ws);
	assert_int_equal(rat_pipeline__order(&order, &all, NULL), RAT_EINVALID);
	assert_string_equal(rat_error_last()->message,
			    "pipelines/silver/a.sql: dependency cycle: silver.a -> silver.c -> "
			    "silver.b -> silver.a");
	rat_pipelines_free(&all);
	rat_workspace_free(ws);
}

/*
 * A pipeline whose name is not its file's (a Python pipeline named by its
 * decorator, later): the name makes the key, the file stays the file, and
 * its docs and tests folder is the file's.
 */
static void a_pipeline_named_apart_from_its_file(void **state)
{
	rat_workspace *ws = workspace("pipelines/bronze/ingest_sales.sql",
				      "-- @name: raw_sales\nSELECT 1 AS id\n",
				      "pipelines/bronze/ingest_sales.yaml", "name: bronze_raw_sales\n",
				      "pipelines/bronze/other.sql", "-- @name: other\nSELECT 1\n", NULL);
	rat_pipeline p;
	(void)state;

	memset(&p, 0, sizeof(p));
	assert_int_equal(rat_pipeline__load(&p, ws, "bronze", "ingest_sales", "raw_sales"), 0);
	assert_string_equal(p.name, "raw_sales");
	assert_string_equal(p.key, "bronze.raw_sales");
	assert_string_equal(p.display, "pipelines/bronze/ingest_sales.sql");
	assert_string_equal(p.config_display, "pipelines/bronze/ingest_sales.yaml");
	assert_string_equal(p.folder, "pipelines/bronze/ingest_sales");
	rat_pipeline__free(&p);
	memset(&p, 0, sizeof(p));
	assert_int_equal(rat_pipeline__load(&p, ws, "bronze", "other", "raw_sales"), RAT_EINVALID);
	assert_string_equal(rat_error_last()->message,
			    "pipelines/bronze/other.sql:1: @name: 'other' does not match the "
			    "pipeline's name 'raw_sales' (nor its asset name 'bronze_raw_sales')");
	rat_pipeline__free(&p);
	rat_workspace_free(ws);
}

/* Flat files beside a folder that agree with it: the folder's are used, and the rest told. */
static void flat_files_beside_their_folder_are_ignored_and_told(void **state)
{
	rat_workspace *ws = workspace(
		"pipelines/silver/sales.sql", "SELECT 1 AS id\n",
		"pipelines/silver/sales.yaml", "description: flat\n",
		"pipelines/silver/sales/pipeline.sql", "SELECT 1 AS id\n",
		"pipelines/silver/sales/config.yaml", "description: folder\nowner: o\n",
		"pipelines/silver/events.sql", "SELECT 2 AS id\n",
		"pipelines/silver/events/README.md", "# events\n",
		"pipelines/silver/events/tests/unit/t.sql", "-- @expect_count: 1\n", NULL);
	rat_pipelines all;
	rat_pipeline *p;
	(void)state;

	load(&all, ws);
	assert_int_equal(all.count, 2);
	p = rat_pipeline__find(&all, "silver.sales");
	assert_string_equal(p->display, "pipelines/silver/sales/pipeline.sql");
	assert_string_equal(p->description, "folder");
	assert_int_equal(p->warnings.count, 2);
	assert_string_equal(p->warnings.strings[0],
			    "pipelines/silver/sales.sql is ignored: "
			    "pipelines/silver/sales/pipeline.sql, the same, is used (delete one)");
	assert_string_equal(p->warnings.strings[1],
			    "pipelines/silver/sales.yaml is ignored: pipelines/silver/sales/"
			    "config.yaml is used (it has every key of it; where they differ, its "
			    "values win)");
	p = rat_pipeline__find(&all, "silver.events");
	assert_string_equal(p->display, "pipelines/silver/events.sql");
	assert_int_equal(p->warnings.count, 0);
	rat_pipelines_free(&all);
	rat_workspace_free(ws);
}

/* @name: / name: take the pipeline's name or the original Ratatouille's <layer>_<name>. */
static void the_original_asset_name_names_the_pipeline(void **state)
{
	rat_workspace *ws = workspace(
		"pipelines/silver/events.sql", "-- @name: silver_events\nSELECT 1 AS id\n",
		"pipelines/silver/events.yaml", "name: silver_events\n",
		"pipelines/gold/daily.sql", "-- @name: daily\nSELECT 1 AS id\n", NULL);
	rat_pipelines all;
	(void)state;

	load(&all, ws);
	assert_non_null(rat_pipeline__find(&all, "silver.events"));
	assert_non_null(rat_pipeline__find(&all, "gold.daily"));
	rat_pipelines_free(&all);
	rat_workspace_free(ws);
	load_fails(workspace("pipelines/silver/events.sql", "\n-- @name: gold_events\nSELECT 1\n",
			     NULL),
		   "pipelines/silver/events.sql:2: @name: 'gold_events' does not match the "
		   "pipeline's name 'events' (nor its asset name 'silver_events')");
	load_fails(workspace("pipelines/silver/events.sql", "SELECT 1\n",
			     "pipelines/silver/events.yaml", "name: silver_\n", NULL),
		   "pipelines/silver/events.yaml:1:7: name: 'silver_' does not match the "
		   "pipeline's name 'events' (nor its asset name 'silver_events')");
}

/* ref('sales') without a layer (the original Ratatouille's form): the one pipeline so named. */
static void a_ref_without_a_layer_names_the_one_pipeline_so_named(void **state)
{
	rat_workspace *ws = workspace(
		"pipelines/bronze/sales.sql", "SELECT 1 AS id\n",
		"pipelines/silver/sales.sql", "SELECT * FROM {{ ref('sales') }}\n",
		"pipelines/gold/total.sql",
		"SELECT * FROM {{ ref('orders') }}, {{ ref('silver.orders') }}\n",
		"pipelines/silver/orders.sql", "SELECT * FROM {{ ref(\"sales\") }}\n", NULL);
	rat_pipelines all;
	rat_pipeline *p;
	(void)state;

	load_fails(ws, "pipelines/silver/orders.sql:1: ref('sales'): more than one layer has a "
		       "pipeline 'sales' (bronze.sales, silver.sales): name one as layer.name");
	ws = workspace("pipelines/bronze/sales.sql", "SELECT 1 AS id\n",
		       "pipelines/silver/sales.sql", "SELECT * FROM {{ ref('sales') }}\n",
		       "pipelines/gold/total.sql",
		       "SELECT * FROM {{ ref('orders') }}, {{ ref('silver.orders') }}\n",
		       "pipelines/silver/orders.sql", "SELECT * FROM {{ ref('bronze.sales') }}\n",
		       NULL);
	load(&all, ws);
	p = rat_pipeline__find(&all, "silver.sales"); /* itself aside: bronze's */
	assert_int_equal(p->deps.count, 1);
	assert_string_equal(p->deps.strings[0], "bronze.sales");
	p = rat_pipeline__find(&all, "gold.total");
	assert_int_equal(p->deps.count, 1);
	assert_string_equal(p->deps.strings[0], "silver.orders");
	rat_pipelines_free(&all);
	rat_workspace_free(ws);
}

static void the_public_list_is_in_build_order(void **state)
{
	rat_workspace *ws = chain_workspace();
	rat_pipeline_list list;
	(void)state;

	assert_int_equal(rat_pipeline_list_get(&list, ws), 0);
	assert_int_equal(list.count, 5);
	assert_string_equal(list.items[3].key, "gold.c");
	assert_int_equal(list.items[3].dep_count, 2);
	assert_string_equal(list.items[3].deps[0], "silver.b");
	assert_string_equal(list.items[3].materialized, "table");
	assert_string_equal(list.items[0].partition_by, "_ingested_date"); /* the layer default */
	rat_pipeline_list_free(&list);
	rat_workspace_free(ws);
}

static int setup(void **state)
{
	dir = test_scratch_home("pipeline_config");
	*state = dir; /* test_scratch_teardown removes it */
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(both_layouts_and_annotations_under_yaml),
		cmocka_unit_test(bad_configs_name_file_line_and_key),
		cmocka_unit_test(on_schema_change_takes_the_four_values),
		cmocka_unit_test(the_dag_orders_and_selectors_pick_their_sets),
		cmocka_unit_test(unknown_refs_and_cycles_are_named),
		cmocka_unit_test(a_ref_without_a_layer_names_the_one_pipeline_so_named),
		cmocka_unit_test(the_original_asset_name_names_the_pipeline),
		cmocka_unit_test(flat_files_beside_their_folder_are_ignored_and_told),
		cmocka_unit_test(a_pipeline_named_apart_from_its_file),
		cmocka_unit_test(the_public_list_is_in_build_order),
	};
	return cmocka_run_group_tests(tests, setup, test_scratch_teardown);
}
