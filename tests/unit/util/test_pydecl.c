/*
 * tests/unit/util/test_pydecl.c - a Python pipeline's decorator read from
 * its source (util/pydecl.h): every argument the original Ratatouille's
 * decorators take, over several lines and with comments; decorators in
 * strings and other decorators ignored; non-literal arguments, a second
 * pipeline and a decorator on no function refused naming the line.
 */
#include "helpers.h"

#include <string.h>

#include "util/common.h"
#include "util/pydecl.h"

static rat_pydecl scan_ok(const char *text)
{
	rat_pydecl d;

	if (rat_pydecl__scan(&d, text, "ingest.py") != 0)
		fail_msg("%s", rat_error_last()->message);
	return d;
}

static void refused(const char *text, const char *want)
{
	rat_pydecl d;

	assert_int_equal(rat_pydecl__scan(&d, text, "ingest.py"), RAT_EINVALID);
	if (!strstr(rat_error_last()->message, want))
		fail_msg("'%s' does not say '%s'", rat_error_last()->message, want);
	assert_false(d.found);
}

static void the_originals_decorator(void **state)
{
	rat_pydecl d = scan_ok(
		"\"\"\"Ingest sales.\n@bronze_pipeline(name='not_this')\n\"\"\"\n"
		"import pandas as pd\n"
		"from ratatouille.pipeline import bronze_pipeline\n\n"
		"@bronze_pipeline(\n"
		"    name=\"raw_sales\",  # the table\n"
		"    schedule='0 6 * * *',\n"
		"    description='Raw ' 'sales, \\'quoted\\'',\n"
		"    owner=\"data@example.com\",\n"
		"    tags={'team': 'sales', \"pii\": 'no'},\n"
		"    merge_keys=['txn_id'],\n"
		")\n"
		"def ingest_sales(context):\n"
		"    s = \"@pipeline(name='x')\"\n"
		"    return None\n");

	(void)state;
	assert_true(d.found);
	assert_int_equal(d.line, 7);
	assert_string_equal(d.decorator, "bronze_pipeline");
	assert_string_equal(d.layer, "bronze");
	assert_string_equal(d.function, "ingest_sales");
	assert_string_equal(d.name, "raw_sales");
	assert_string_equal(d.schedule, "0 6 * * *");
	assert_string_equal(d.description, "Raw sales, 'quoted'");
	assert_string_equal(d.owner, "data@example.com");
	assert_int_equal(d.tags.count, 2);
	assert_string_equal(d.tags.strings[0], "team=sales");
	assert_string_equal(d.unique_key.strings[0], "txn_id");
	rat_pydecl__free(&d);
}

static void other_forms(void **state)
{
	rat_pydecl d = scan_ok("@ratatouille.pipeline.pipeline('events', layer='silver', "
			       "depends_on=('bronze.raw',))\n@functools.cache\nasync def build(ctx): pass\n");

	(void)state;
	assert_string_equal(d.name, "events");
	assert_string_equal(d.layer, "silver");
	assert_string_equal(d.function, "build");
	assert_string_equal(d.depends_on.strings[0], "bronze.raw");
	rat_pydecl__free(&d);
	d = scan_ok("@gold_pipeline\ndef kpis(context):\n    pass\n");
	assert_true(d.found);
	assert_null(d.name);
	assert_string_equal(d.layer, "gold");
	assert_string_equal(d.function, "kpis");
	rat_pydecl__free(&d);
	/* a plain script, and someone else's decorator */
	d = scan_ok("import sys\n@app.pipeline(name=f'{x}')\ndef f(): pass\nprint('@pipeline')\n");
	assert_false(d.found);
	rat_pydecl__free(&d);
}

static void what_is_refused(void **state)
{
	(void)state;
	refused("\n@bronze_pipeline(name=f'raw_{day}')\ndef f(c): pass\n", "ingest.py:2: name:");
	refused("@bronze_pipeline(name=NAME)\ndef f(c): pass\n", "string literal");
	refused("@bronze_pipeline()\ndef f(c): pass\n\n@silver_pipeline()\ndef g(c): pass\n",
		"ingest.py:4: a second pipeline decorator");
	refused("@bronze_pipeline(name='x')\nx = 1\n", "not on a function");
	refused("@bronze_pipeline(layer='gold')\ndef f(c): pass\n", "layer");
	refused("@pipeline(name='x', retries=3)\ndef f(c): pass\n", "retries: unknown argument");
	refused("@pipeline(name='x'\ndef f(c): pass\n", "',' or ')' expected");
	refused("x = '''never closed\n", "never closed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_originals_decorator),
		cmocka_unit_test(other_forms),
		cmocka_unit_test(what_is_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
