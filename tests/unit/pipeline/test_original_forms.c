/*
 * tests/unit/pipeline/test_original_forms.c - the configuration forms of
 * workspaces written for the original Ratatouille (docs/migrating.md):
 * tests[].expect, freshness durations as mappings, pii_type, documentation
 * as {tags, rules}; each beside today's form, each bad value named with
 * file:line:col and its key.
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

/* A workspace with one pipeline silver.a: its SQL "SELECT 1" and the YAML given. */
static rat_workspace *workspace(const char *yaml)
{
	rat_workspace *ws = NULL;
	char folder[4200];

	snprintf(folder, sizeof(folder), "%s/ws", dir);
	rat_fs__remove_tree(folder);
	test_write(dir, "ws/workspace.yaml", "name: shop\n");
	test_write(dir, "ws/pipelines/silver/a.sql", "SELECT 1 AS id\n");
	test_write(dir, "ws/pipelines/silver/a.yaml", yaml);
	if (rat_workspace_open(&ws, folder) != 0)
		fail_msg("open: %s", rat_error_last()->message);
	return ws;
}

static rat_pipeline *load(rat_pipelines *all, const char *yaml, rat_workspace **ws)
{
	*ws = workspace(yaml);
	if (rat_pipeline__load_all(all, *ws) != 0)
		fail_msg("load: %s", rat_error_last()->message);
	return rat_pipeline__find(all, "silver.a");
}

static void done(rat_pipelines *all, rat_workspace *ws)
{
	rat_pipelines_free(all);
	rat_workspace_free(ws);
}

/* Loading fails with a message containing want. */
static void load_fails(const char *yaml, const char *want)
{
	test_pipelines_load_fails(workspace(yaml), want);
}

static void tests_take_expect(void **state)
{
	rat_workspace *ws;
	rat_pipelines all;
	rat_pipeline *p;
	(void)state;

	p = load(&all,
		 "tests:\n  - name: none_negative\n    sql: SELECT COUNT(*) FROM {{ this }} WHERE id < 0\n"
		 "    expect: 0\n    severity: warn\n  - name: rows\n    sql: SELECT * FROM {{ this }}\n",
		 &ws);
	assert_int_equal(p->test_count, 2);
	assert_string_equal(p->tests[0].expect, "0");
	assert_int_equal(p->tests[0].severity, RAT_SEVERITY_WARN);
	assert_null(p->tests[1].expect);
	done(&all, ws);
	load_fails("tests:\n  - name: t\n    sql: SELECT 1\n    expect: none\n",
		   "pipelines/silver/a.yaml:4:13: tests[0].expect: expected an integer, got a string "
		   "'none'");
	load_fails("tests:\n  - name: t\n    sql: SELECT 1\n    expect: [0]\n",
		   "pipelines/silver/a.yaml:4:14: tests[0].expect: expected an integer, got a list");
}

static void freshness_takes_mappings(void **state)
{
	rat_workspace *ws;
	rat_pipelines all;
	rat_pipeline *p;
	(void)state;

	p = load(&all, "freshness:\n  warn_after: {hours: 6}\n  error_after: {days: 1, minutes: 30}\n",
		 &ws);
	assert_int_equal(p->warn_after_s, 6 * 3600);
	assert_int_equal(p->error_after_s, 86400 + 1800);
	done(&all, ws);
	p = load(&all, "freshness:\n  warn_after: {weeks: 1}\n  error_after: 8d\n", &ws);
	assert_int_equal(p->warn_after_s, 7 * 86400);
	assert_int_equal(p->error_after_s, 8 * 86400);
	done(&all, ws);
	load_fails("freshness:\n  warn_after: {hour: 6}\n",
		   "pipelines/silver/a.yaml:2:16: freshness.warn_after.hour: unknown key");
	load_fails("freshness:\n  warn_after: {hours: 0}\n",
		   "pipelines/silver/a.yaml:2:16: freshness.warn_after: give a duration above zero and "
		   "at most 100 years (weeks, days, hours, minutes, seconds)");
	load_fails("freshness:\n  warn_after: {hours: '6'}\n",
		   "pipelines/silver/a.yaml:2:23: freshness.warn_after.hours: expected an integer, "
		   "got a string '6'");
	load_fails("freshness:\n  warn_after: {hours: 1.5}\n",
		   "pipelines/silver/a.yaml:2:23: freshness.warn_after.hours: expected an integer, "
		   "got a number '1.5'");
	load_fails("freshness:\n  warn_after: {days: 2}\n  error_after: {hours: 24}\n",
		   "freshness: warn_after is longer than error_after");
}

static void columns_take_pii_type(void **state)
{
	rat_workspace *ws;
	rat_pipelines all;
	rat_pipeline *p;
	(void)state;

	p = load(&all,
		 "columns:\n  - name: email\n    pii: true\n    pii_type: email\n"
		 "  - name: ip\n    pii_type: ip_address\n  - name: id\n    pii: false\n",
		 &ws);
	assert_string_equal(p->columns[0].pii_type, "email");
	assert_true(p->columns[1].pii && p->columns[1].pii_set);
	assert_string_equal(p->columns[1].pii_type, "ip_address");
	assert_null(p->columns[2].pii_type);
	assert_false(p->columns[2].pii);
	done(&all, ws);
	load_fails("columns:\n  - name: id\n    pii: false\n    pii_type: email\n",
		   "pipelines/silver/a.yaml:4:15: columns[0].pii_type: 'email' is a kind of personal "
		   "data, but the column says pii: false (drop one)");
}

static void documentation_takes_tags_and_rules(void **state)
{
	rat_workspace *ws;
	rat_pipelines all;
	rat_pipeline *p;
	(void)state;

	p = load(&all,
		 "documentation:\n  tags: [sales, daily]\n  rules:\n    - name: positive\n"
		 "      description: Quantities are above zero\n      sql: quantity > 0\n"
		 "    - name: eur\n      description: Amounts are in euros\n",
		 &ws);
	assert_null(p->documentation);
	assert_string_equal(test_joined(&p->doc_tags, ","), "sales,daily");
	assert_int_equal(p->doc_rule_count, 2);
	assert_string_equal(p->doc_rules[0].sql, "quantity > 0");
	assert_string_equal(p->doc_rules[1].description, "Amounts are in euros");
	assert_null(p->doc_rules[1].sql);
	done(&all, ws);
	p = load(&all, "documentation: Plain words.\n", &ws);
	assert_string_equal(p->documentation, "Plain words.");
	done(&all, ws);
	load_fails("documentation:\n  rules:\n    - name: r\n",
		   "pipelines/silver/a.yaml:3:7: documentation.rules[0]: a rule needs a description");
	load_fails("documentation:\n  tag: [x]\n",
		   "pipelines/silver/a.yaml:2:3: documentation.tag: unknown key");
}

static int setup(void **state)
{
	dir = test_scratch_home("pipeline_original_forms");
	*state = dir; /* test_scratch_teardown removes it */
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tests_take_expect),
		cmocka_unit_test(freshness_takes_mappings),
		cmocka_unit_test(columns_take_pii_type),
		cmocka_unit_test(documentation_takes_tags_and_rules),
	};
	return cmocka_run_group_tests(tests, setup, test_scratch_teardown);
}
