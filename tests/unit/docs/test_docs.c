/*
 * tests/unit/pipeline/test_docs.c - `rat docs` (SPEC D1, D2): generating
 * twice writes the same bytes and leaves unchanged files alone; the manual
 * section of a README survives; a flat pipeline's files stay where they
 * are, its documents going into the folder of its name beside them; the lineage is the DAG's edges in build order, with
 * landing folders and subscribed products as sources; each check rule
 * fails on a fixture built to break it; WHERE conditions are found at the
 * top level only.
 */
#include "helpers.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rat.h"
#include "util/common.h"
#include "util/fs.h"
#include "docs/docs.h"

static char *dir;

/* A fresh workspace folder "ws" holding files[] (path, text pairs, NULL-terminated). */
static rat_workspace *workspace(const char *const *files)
{
	rat_workspace *ws = NULL;
	char folder[4200], rel[512];
	size_t i;

	snprintf(folder, sizeof(folder), "%s/ws", dir);
	rat_fs__remove_tree(folder);
	test_write(dir, "ws/workspace.yaml",
		   "name: shop\nlayers:\n  bronze:\n    partition_by: [_ingested_date]\n");
	for (i = 0; files[i]; i += 2) {
		snprintf(rel, sizeof(rel), "ws/%s", files[i]);
		test_write(dir, rel, files[i + 1]);
	}
	if (rat_workspace_open(&ws, folder) != 0)
		fail_msg("open: %s", rat_error_last()->message);
	return ws;
}

/* The text of a workspace file (free()), NULL when it does not exist. */
static char *slurp(const char *rel)
{
	rat_buf text = RAT_BUF_INIT;
	char path[4200];

	snprintf(path, sizeof(path), "%s/ws/%s", dir, rel);
	if (rat_fs__read_file(&text, path, 1 << 24) != 0) {
		rat_buf_free(&text);
		return NULL;
	}
	return rat_buf_detach(&text);
}

static void put(const char *rel, const char *text)
{
	char path[512];

	snprintf(path, sizeof(path), "ws/%s", rel);
	test_write(dir, path, text);
}

static void drop(const char *rel)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/ws/%s", dir, rel);
	remove(path);
}

static bool exists(const char *rel)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/ws/%s", dir, rel);
	return rat_fs__exists(path);
}

static void generate(rat_docs_report *r, rat_workspace *ws, const char *only)
{
	if (rat_docs_generate(r, ws, only) != 0)
		fail_msg("generate: %s", rat_error_last()->message);
}

static void generate_all(rat_workspace *ws)
{
	rat_docs_report r;

	generate(&r, ws, NULL);
	rat_docs_report_free(&r);
}

static void contains(const char *text, const char *want)
{
	if (!text || !strstr(text, want))
		fail_msg("expected '%s' in:\n%s", want, text ? text : "(no file)");
}

/* The workspace file rel holds each of the texts that follow (NULL-terminated). */
static void has(const char *rel, ...)
{
	char *text = slurp(rel);
	const char *want;
	va_list ap;

	va_start(ap, rel);
	while ((want = va_arg(ap, const char *)) != NULL)
		contains(text, want);
	va_end(ap);
	free(text);
}

static const char *const shop[] = {
	"pipelines/bronze/orders.sql",
	"-- @landing: orders/\n-- @owner: data\nSELECT * FROM read_csv({{ landing_files }})\n",
	"pipelines/bronze/orders.yaml", "# kept byte for byte\ndescription:   raw orders\n",
	"pipelines/silver/orders/pipeline.sql",
	"-- a comment with WHERE in it\nSELECT id, amount FROM {{ ref('bronze.orders') }}\n"
	"WHERE amount > 0 AND note <> 'WHERE x' -- trailing\nQUALIFY row_number() OVER "
	"(PARTITION BY id ORDER BY id) = 1\n",
	"pipelines/silver/orders/config.yaml",
	"description: Orders with a positive amount, one row per order id\nowner: {team: data}\n"
	"columns:\n  - name: amount\n    description: What was paid\n    pii: false\n"
	"    tests: [positive, {accepted_values: [1, 2], severity: warn}]\n",
	"pipelines/silver/refunds.py", "print('hi')\n",
	"pipelines/gold/totals.sql",
	"SELECT * FROM {{ ref('silver.orders') }} JOIN {{ ref('silver.refunds') }} USING (id)\n",
	"pipelines/gold/feed.yaml", "command: ./fetch.sh\n",
	NULL,
};

static const char *const generated[] = {
	"docs/lineage.md",
	"pipelines/bronze/orders/README.md",
	"pipelines/bronze/orders/docs/data_dictionary.md",
	"pipelines/bronze/orders/docs/business_rules.md",
	"pipelines/bronze/orders/docs/lineage.md",
	"pipelines/silver/orders/README.md",
	"pipelines/silver/orders/docs/business_rules.md",
	"pipelines/silver/refunds/docs/lineage.md",
	"pipelines/gold/totals/README.md",
	"pipelines/gold/feed/README.md",
};

static void generating_twice_writes_the_same_bytes(void **state)
{
	rat_workspace *ws = workspace(shop);
	rat_docs_report r;
	char *first[RAT_ARRAY_SIZE(generated)];
	size_t i, written;
	(void)state;

	generate(&r, ws, NULL);
	assert_int_equal(r.pipeline_count, 5);
	written = r.written.count;
	assert_int_equal(written, 5 * 4 + 1);
	assert_int_equal(r.unchanged.count, 0);
	rat_docs_report_free(&r);
	for (i = 0; i < RAT_ARRAY_SIZE(generated); i++)
		assert_non_null(first[i] = slurp(generated[i]));
	generate(&r, ws, NULL);
	assert_int_equal(r.written.count, 0); /* nothing rewritten */
	assert_int_equal(r.unchanged.count, written);
	rat_docs_report_free(&r);
	for (i = 0; i < RAT_ARRAY_SIZE(generated); i++) {
		char *again = slurp(generated[i]);
		assert_string_equal(again, first[i]);
		free(again);
		free(first[i]);
	}
	rat_workspace_free(ws);
}

static void the_documents_say_what_the_config_says(void **state)
{
	rat_workspace *ws = workspace(shop);
	(void)state;

	generate_all(ws);
	has("pipelines/silver/orders/README.md",
	    "# silver.orders\n\nOrders with a positive amount, one row per order id\n",
	    "| owner | data |", "## Upstream\n\n- `bronze.orders`\n",
	    "## Downstream\n\n- `gold.totals`\n",
	    "| amount | - | What was paid | no | positive, accepted_values (1, 2) (warn) |",
	    "<!-- manual:start -->\n<!-- manual:end -->\n", NULL);
	has("pipelines/silver/orders/docs/business_rules.md",
	    "- `amount > 0 AND note <> 'WHERE x'`\n", "- `amount` must be positive\n",
	    "- `amount` must be one of 1, 2 (a warning, not an error)\n", NULL);
	has("pipelines/bronze/orders/README.md", "| landing folder | landing/orders/ |",
	    "| partitioned by | _ingested_date (the layer's default", NULL);
	has("pipelines/bronze/orders/docs/data_dictionary.md",
	    "Not built on `workspace/shop` yet", "No columns documented", NULL);
	has("pipelines/gold/feed/README.md", "| kind | command `./fetch.sh` (feed.yaml) |",
	    NULL);
	rat_workspace_free(ws);
}

static void the_manual_section_survives(void **state)
{
	rat_workspace *ws = workspace(shop);
	rat_docs_report r;
	char *text, *edited;
	const char *notes = "\nAsk Ana before changing the amount rule.\n\n| a | b |\n";
	(void)state;

	generate_all(ws);
	text = slurp("pipelines/silver/orders/README.md");
	edited = rat__sprintf("%.*s<!-- manual:start -->%s<!-- manual:end -->\nstale tail\n",
			      (int)(strstr(text, "<!-- manual:start -->") - text), text, notes);
	put("pipelines/silver/orders/README.md", edited);
	put("pipelines/silver/orders/config.yaml", "description: changed\n");
	generate_all(ws);
	free(text);
	text = slurp("pipelines/silver/orders/README.md");
	contains(text, "# silver.orders\n\nchanged\n");
	contains(text, "<!-- manual:start -->\nAsk Ana before changing the amount rule.\n\n"
		       "| a | b |\n<!-- manual:end -->\n");
	assert_null(strstr(text, "stale tail"));
	free(text);
	/* a hand-written README without markers is kept whole as the manual section */
	put("pipelines/gold/totals/README.md", "My own words.\n");
	generate(&r, ws, "gold/totals");
	rat_docs_report_free(&r);
	has("pipelines/gold/totals/README.md",
	    "<!-- manual:start -->My own words.\n<!-- manual:end -->\n", NULL);
	/* a start marker without an end is refused: nothing of the author's is lost */
	put("pipelines/gold/totals/README.md", "x <!-- manual:start --> notes\n");
	assert_int_equal(rat_docs_generate(&r, ws, "gold.totals"), RAT_EINVALID);
	contains(rat_error_last()->message, "pipelines/gold/totals/README.md: "
					    "<!-- manual:start --> has no <!-- manual:end -->");
	rat_docs_report_free(&r);
	text = slurp("pipelines/gold/totals/README.md");
	assert_string_equal(text, "x <!-- manual:start --> notes\n");
	free(text);
	free(edited);
	rat_workspace_free(ws);
}

/* The original Ratatouille's markers mark the manual section too (issue 16, item 13). */
static void the_original_markers_mark_the_manual_section(void **state)
{
	rat_workspace *ws = workspace(shop);
	rat_docs_report r;
	char *text;
	(void)state;

	put("pipelines/gold/totals/README.md",
	    "# gold_totals\n\nGenerated by the original.\n\n<!-- MANUAL CONTENT START -->\n"
	    "## Notes by Tom\nCall #data-oncall.\n<!-- MANUAL CONTENT END -->\nold footer\n");
	generate(&r, ws, "gold/totals");
	rat_docs_report_free(&r);
	text = slurp("pipelines/gold/totals/README.md");
	contains(text, "<!-- manual:start -->\n## Notes by Tom\nCall #data-oncall.\n"
		       "<!-- manual:end -->\n");
	assert_null(strstr(text, "Generated by the original."));
	assert_null(strstr(text, "old footer"));
	assert_null(strstr(text, "MANUAL CONTENT"));
	free(text);
	/* a start marker without its end is refused, naming the original's markers */
	put("pipelines/gold/totals/README.md", "x <!-- MANUAL CONTENT START --> notes\n");
	assert_int_equal(rat_docs_generate(&r, ws, "gold.totals"), RAT_EINVALID);
	contains(rat_error_last()->message, "pipelines/gold/totals/README.md: <!-- MANUAL CONTENT "
					    "START --> has no <!-- MANUAL CONTENT END -->");
	rat_docs_report_free(&r);
	rat_workspace_free(ws);
}

/* The bytes of every file of the workspace but the documents, in a string (free()). */
static char *pipeline_files(void)
{
	rat_buf all = RAT_BUF_INIT;
	size_t i;

	for (i = 0; shop[i]; i += 2) {
		char *text = slurp(shop[i]);
		if (rat_buf_printf(&all, "%s=%s\n", shop[i], text ? text : "(gone)") != 0)
			fail_msg("out of memory");
		free(text);
	}
	return rat_buf_detach(&all);
}

static void flat_pipelines_stay_where_they_are(void **state)
{
	rat_workspace *ws = workspace(shop);
	rat_docs_report r;
	rat_strarray names = RAT_STRARRAY_INIT;
	char *before = pipeline_files(), *after;
	(void)state;

	generate(&r, ws, NULL);
	assert_int_equal(r.pipeline_count, 5);
	rat_docs_report_free(&r);
	after = pipeline_files();
	assert_string_equal(after, before); /* no file moved, renamed or changed */
	assert_false(exists("pipelines/bronze/orders/pipeline.sql"));
	assert_false(exists("pipelines/bronze/orders/config.yaml"));
	has("pipelines/bronze/orders/README.md", "raw orders", /* the YAML beside still configures it */
	    "| kind | sql (orders.sql, orders.yaml) |", NULL);
	has("pipelines/silver/refunds/README.md", "| kind | python (refunds.py) |", NULL);
	/* the folders beside hold documents only: each flat pipeline is still one */
	assert_int_equal(rat_workspace_list_pipelines(&names, ws, RAT_LAYER_BRONZE), 0);
	assert_string_equal(test_joined(&names, ","), "orders");
	rat_strarray_free(&names);
	assert_int_equal(rat_workspace_list_pipelines(&names, ws, RAT_LAYER_GOLD), 0);
	assert_string_equal(test_joined(&names, ","), "feed,totals");
	rat_strarray_free(&names);
	free(before);
	free(after);
	rat_workspace_free(ws);
}

static void a_folder_beside_a_flat_pipeline_keeps_its_files(void **state)
{
	rat_workspace *ws = workspace(shop);
	rat_docs_report r;
	char *text;
	(void)state;

	put("pipelines/gold/feed/notes.txt", "mine\n");
	put("pipelines/gold/feed/tests/unit/one.sql", "-- a test\nSELECT 1\n");
	generate(&r, ws, NULL);
	rat_docs_report_free(&r);
	text = slurp("pipelines/gold/feed/notes.txt");
	assert_string_equal(text, "mine\n");
	free(text);
	assert_true(exists("pipelines/gold/feed/tests/unit/one.sql"));
	has("pipelines/gold/feed/README.md", "| kind | command `./fetch.sh` (feed.yaml) |", NULL);
	rat_workspace_free(ws);
}

static void the_lineage_is_the_dag(void **state)
{
	rat_workspace *ws = workspace(shop);
	char *text;
	(void)state;

	generate_all(ws);
	has("docs/lineage.md",
	    "```mermaid\ngraph LR\n  subgraph landing\n    landing_orders[\"landing/orders\"]\n"
	    "  end\n  subgraph bronze\n    bronze_orders[\"bronze.orders\"]\n  end\n",
	    "  end\n  landing_orders --> bronze_orders\n  bronze_orders --> silver_orders\n"
	    "  silver_orders --> gold_totals\n  silver_refunds --> gold_totals\n```\n",
	    NULL);
	has("pipelines/silver/refunds/docs/lineage.md",
	    "graph LR\n  silver_refunds[\"silver.refunds\"]\n  gold_totals[\"gold.totals\"]\n"
	    "  silver_refunds --> gold_totals\n",
	    "class silver_refunds focus\n",
	    "## Upstream\n\nNone.\n\n## Downstream (impact)\n\n- `gold.totals`\n", NULL);
	text = slurp("pipelines/gold/totals/docs/lineage.md");
	contains(text, "## Upstream\n\n- `bronze.orders`\n- `silver.orders`\n- `silver.refunds`\n"
		       "- `landing/orders`\n");
	assert_null(strstr(text, "gold_feed"));
	free(text);
	rat_workspace_free(ws);
}

static void subscribed_products_are_sources(void **state)
{
	static const char *const files[] = {
		"workspace.yaml",
		"name: shop\nsubscriptions:\n  - product: other/beans\n    alias: beans\n",
		"pipelines/silver/b.sql", "SELECT * FROM {{ ref('products.beans') }}\n",
		NULL,
	};
	rat_workspace *ws = workspace(files);
	(void)state;

	generate_all(ws);
	has("docs/lineage.md", "  subgraph products\n    products_beans[\"products.beans\"]\n",
	    "  products_beans --> silver_b\n```\n", NULL);
	has("pipelines/silver/b/docs/lineage.md", "## Upstream\n\n- `products.beans`\n", NULL);
	rat_workspace_free(ws);
}

/* The status of rule for subject in a check report (-1 when absent). */
static int status_of(const rat_docs_report *r, const char *subject, const char *rule)
{
	size_t i;

	for (i = 0; i < r->finding_count; i++)
		if (strcmp(r->findings[i].subject, subject) == 0 &&
		    strcmp(r->findings[i].rule, rule) == 0)
			return (int)r->findings[i].status;
	return -1;
}

static const char *message_of(const rat_docs_report *r, const char *subject, const char *rule)
{
	size_t i;

	for (i = 0; i < r->finding_count; i++)
		if (strcmp(r->findings[i].subject, subject) == 0 &&
		    strcmp(r->findings[i].rule, rule) == 0)
			return r->findings[i].message;
	return "";
}

static const char *const documented[] = {
	"pipelines/silver/good/pipeline.sql", "SELECT 1 AS id\n",
	"pipelines/silver/good/config.yaml",
	"description: A pipeline documented well enough to pass every rule of the check\n"
	"owner: {email: a@b.c}\nfreshness: {warn_after: 1d}\n"
	"columns:\n  - name: id\n    description: The id\n    pii: false\n",
	NULL,
};

static void check_rules_pass_and_fail(void **state)
{
	rat_workspace *ws = workspace(documented);
	rat_docs_report r;
	char *readme;
	(void)state;

	generate_all(ws);
	assert_int_equal(rat_docs_check(&r, ws, 1), 0);
	assert_int_equal(r.pipeline_count, 1);
	assert_int_equal(r.fail_count + r.warn_count, 0);
	assert_int_equal(r.pass_count, 9); /* 8 rules and the workspace's lineage */
	rat_docs_report_free(&r);

	/* break every rule at once */
	readme = slurp("pipelines/silver/good/README.md");
	put("pipelines/silver/good/config.yaml",
	    "description: Too short\nowner: {slack: '#data'}\ncolumns:\n  - name: id\n");
	put("pipelines/silver/good/pipeline.sql",
	    "SELECT 1 AS id FROM {{ ref('silver.other') }}\n");
	put("pipelines/silver/other.sql", "SELECT 2 AS id\n");
	put("pipelines/silver/good/README.md", readme);
	drop("pipelines/silver/good/docs/data_dictionary.md");
	assert_int_equal(rat_docs_check(&r, ws, 0), 0);
	assert_int_equal(status_of(&r, "silver.good", "readme"), RAT_DOCS_FAIL);
	assert_string_equal(message_of(&r, "silver.good", "readme"),
			    "pipelines/silver/good/README.md is out of date "
			    "(run rat docs generate)");
	assert_int_equal(status_of(&r, "silver.good", "description"), RAT_DOCS_FAIL);
	assert_string_equal(message_of(&r, "silver.good", "description"), "9 chars, need 50");
	assert_int_equal(status_of(&r, "silver.good", "owner"), RAT_DOCS_FAIL);
	assert_string_equal(message_of(&r, "silver.good", "owner"),
			    "'(#data)' has no team or email");
	assert_int_equal(status_of(&r, "silver.good", "pii"), RAT_DOCS_WARN);
	assert_int_equal(status_of(&r, "silver.good", "data_dictionary"), RAT_DOCS_FAIL);
	assert_int_equal(status_of(&r, "silver.good", "column_descriptions"), RAT_DOCS_FAIL);
	assert_string_equal(message_of(&r, "silver.good", "column_descriptions"),
			    "no description: id (set description:)");
	assert_int_equal(status_of(&r, "silver.good", "freshness"), RAT_DOCS_WARN);
	assert_int_equal(status_of(&r, "silver.good", "lineage"), RAT_DOCS_FAIL);
	assert_int_equal(status_of(&r, "workspace", "lineage"), RAT_DOCS_FAIL);
	assert_int_equal(status_of(&r, "silver.other", "readme"), RAT_DOCS_FAIL);
	assert_int_equal(r.pipeline_count, 2);
	rat_docs_report_free(&r);
	/* strict: the warnings are failures */
	assert_int_equal(rat_docs_check(&r, ws, 1), 0);
	assert_int_equal(status_of(&r, "silver.good", "pii"), RAT_DOCS_FAIL);
	assert_int_equal(status_of(&r, "silver.good", "freshness"), RAT_DOCS_FAIL);
	assert_int_equal(r.warn_count, 0);
	rat_docs_report_free(&r);
	free(readme);
	rat_workspace_free(ws);
}

static void one_pipeline_or_an_unknown_one(void **state)
{
	rat_workspace *ws = workspace(shop);
	rat_docs_report r;
	(void)state;

	generate(&r, ws, "bronze/orders");
	assert_int_equal(r.pipeline_count, 1);
	assert_int_equal(r.written.count, 4); /* only its documents */
	rat_docs_report_free(&r);
	assert_false(exists("docs/lineage.md"));
	assert_true(exists("pipelines/silver/refunds.py"));
	assert_int_equal(rat_docs_generate(&r, ws, "silver.nope"), RAT_ENOTFOUND);
	contains(rat_error_last()->message, "no pipeline silver.nope");
	rat_docs_report_free(&r);
	rat_workspace_free(ws);
}

static void where_finds_the_top_level_conditions(void **state)
{
	static const struct {
		const char *sql, *want;
	} cases[] = {
		{ "SELECT * FROM t WHERE a > 1 GROUP BY a", "a > 1" },
		{ "select * from t\nwhere  a = 'x where'\n  and b\t< 2;",
		  "a = 'x where' and b < 2" },
		{ "SELECT * FROM (SELECT * FROM u WHERE hidden) s WHERE shown ORDER BY 1",
		  "shown" },
		{ "WITH c AS (SELECT 1 WHERE no) SELECT * FROM c", "" },
		{ "SELECT 1 WHERE a /* WHERE b */ -- LIMIT\n AND c LIMIT 3", "a AND c" },
		{ "SELECT somewhere FROM t", "" },
		{ "SELECT * FROM a WHERE x UNION ALL SELECT * FROM b WHERE y", "x|y" },
		{ "SELECT * FROM t WHERE f(x) IN (SELECT y FROM u ORDER BY y) QUALIFY z", "f(x) IN "
		  "(SELECT y FROM u ORDER BY y)" },
		{ "SELECT \"where\" FROM t WHERE \"order\" = 1 HAVING q", "\"order\" = 1" },
	};
	size_t i, j;
	(void)state;

	for (i = 0; i < RAT_ARRAY_SIZE(cases); i++) {
		rat_strarray found = RAT_STRARRAY_INIT;
		rat_buf joined = RAT_BUF_INIT;
		assert_int_equal(rat_docs__where(&found, cases[i].sql), 0);
		for (j = 0; j < found.count; j++)
			assert_int_equal(rat_buf_printf(&joined, "%s%s", j ? "|" : "", found.strings[j]), 0);
		if (strcmp(rat_buf_cstr(&joined), cases[i].want) != 0)
			fail_msg("%s: got '%s', want '%s'", cases[i].sql, rat_buf_cstr(&joined),
				 cases[i].want);
		rat_buf_free(&joined);
		rat_strarray_free(&found);
	}
}

static int setup(void **state)
{
	dir = test_scratch_home("pipeline_docs");
	*state = dir; /* test_scratch_teardown removes it */
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(generating_twice_writes_the_same_bytes),
		cmocka_unit_test(the_documents_say_what_the_config_says),
		cmocka_unit_test(the_manual_section_survives),
		cmocka_unit_test(the_original_markers_mark_the_manual_section),
		cmocka_unit_test(flat_pipelines_stay_where_they_are),
		cmocka_unit_test(a_folder_beside_a_flat_pipeline_keeps_its_files),
		cmocka_unit_test(the_lineage_is_the_dag),
		cmocka_unit_test(subscribed_products_are_sources),
		cmocka_unit_test(check_rules_pass_and_fail),
		cmocka_unit_test(one_pipeline_or_an_unknown_one),
		cmocka_unit_test(where_finds_the_top_level_conditions),
	};
	return cmocka_run_group_tests(tests, setup, test_scratch_teardown);
}
