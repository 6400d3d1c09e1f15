/*
 * tests/unit/pipeline/test_template.c - the template language renders as
 * docs/templating.md says, every error names path:line, hostile input hits
 * a limit instead of the stack, and rat_template__refs() finds every ref()
 * a pipeline may make, in every branch and through macros.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rat.h"
#include "util/common.h"
#include "util/buf.h"
#include "template/template.h"

#define PATH "pipelines/silver/orders.sql"

/* ---- the caller's side: callbacks a run would give ---- */

static int fake_ref(void *ctx, const char *name, rat_buf *out)
{
	(void)ctx;
	if (!strcmp(name, "silver.x"))
		return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_PIPELINE,
				      "no pipeline or table '%s'", name);
	return rat_buf_printf(out, "lake.%s", name);
}

static int fake_watermark(void *ctx, const char *column, bool in_string, rat_buf *out)
{
	(void)ctx;
	if (!strcmp(column, "nope"))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				      "no column '%s' in the last run", column);
	if (!strcmp(column, "note"))
		return rat_buf_puts(out, in_string ? "it's" : "'it''s'");
	return rat_buf_puts(out, in_string ? "2024-03-01 10:00:00" : "'2024-03-01 10:00:00'");
}

static const char *fake_var(void *ctx, const char *name)
{
	(void)ctx;
	return !strcmp(name, "days") ? "7" : NULL;
}

static int fake_env(void *ctx, const char *name, const char **value)
{
	(void)ctx;
	*value = NULL;
	if (!strcmp(name, "S3_SECRET_KEY"))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE, "'%s' is refused", name);
	*value = !strcmp(name, "RAT_ENV") ? "prod" : NULL;
	return 0;
}

static rat_template_context context(void)
{
	rat_template_context tc = RAT_TEMPLATE_CONTEXT_INIT;
	tc.path = PATH;
	return tc;
}

static void assert_renders_with(const rat_template_context *tc, const char *text,
				const char *expected)
{
	rat_buf out = RAT_BUF_INIT;
	int error = rat_template__render(&out, text, tc);

	if (error)
		fail_msg("render failed (%d): %s", error, rat_error_last()->message);
	assert_string_equal(rat_buf_cstr(&out), expected);
	rat_buf_free(&out);
}

static void assert_renders(const char *text, const char *expected)
{
	rat_template_context tc = context();
	assert_renders_with(&tc, text, expected);
}

static void assert_fails_with(const rat_template_context *tc, const char *text, int code,
			      const char *message)
{
	rat_buf out = RAT_BUF_INIT;

	rat_error_clear();
	assert_int_equal(rat_template__render(&out, text, tc), code);
	assert_string_equal(rat_error_last()->message, message);
	assert_int_equal(rat_error_last()->klass, RAT_ERRCLASS_PIPELINE);
	rat_buf_free(&out);
}

static void assert_fails(const char *text, const char *message)
{
	rat_template_context tc = context();
	assert_fails_with(&tc, text, RAT_EINVALID, message);
}

/* rat_template__refs() of text, joined with ',' (free()). */
static char *refs_of(const rat_template_context *tc, const char *text)
{
	rat_strarray names = RAT_STRARRAY_INIT;
	rat_buf joined = RAT_BUF_INIT;
	size_t i;

	if (rat_template__refs(&names, text, tc) != 0)
		fail_msg("refs failed: %s", rat_error_last()->message);
	for (i = 0; i < names.count; i++)
		assert_int_equal(rat_buf_printf(&joined, "%s%s", i ? "," : "", names.strings[i]), 0);
	rat_strarray_free(&names);
	return rat_buf_detach(&joined);
}

static void assert_refs_fail(const rat_template_context *tc, const char *text, const char *message)
{
	rat_strarray names = RAT_STRARRAY_INIT;

	assert_int_equal(rat_template__refs(&names, text, tc), RAT_EINVALID);
	assert_string_equal(rat_error_last()->message, message);
	assert_int_equal(names.count, 0);
	rat_strarray_free(&names);
}

/* ---- output ---- */

static void text_without_tags_is_kept_byte_for_byte(void **state)
{
	(void)state;
	assert_renders("", "");
	assert_renders("SELECT 1\n  FROM t;\n\n", "SELECT 1\n  FROM t;\n\n");
	assert_renders("a { b } {x} %} #}", "a { b } {x} %} #}");
	/* no trim_blocks: the newline after a block tag stays */
	assert_renders("a\n{% if true %}\nb\n{% endif %}\nc", "a\n\nb\n\nc");
}

static void values_render_like_jinja_without_quotes(void **state)
{
	(void)state;
	assert_renders("{{ 'it is SQL' }}|{{ 42 }}|{{ -7 }}", "it is SQL|42|-7");
	assert_renders("{{ 2.5 }} {{ 4 / 2 }} {{ 0.1 + 0.2 }} {{ 1e20 }} {{ 1.5e-3 }}",
		       "2.5 2.0 0.30000000000000004 1e+20 0.0015");
	assert_renders("[{{ true }}|{{ False }}|{{ none }}|{{ None }}]", "[True|False||]");
	assert_renders("{{ ['a', 1, 2.5, none, true, [\"it's\"], 'x\\\\y'] }}",
		       "['a', 1, 2.5, None, True, [\"it's\"], 'x\\\\y']");
	assert_renders("{{ [] }}{{ [1,] }}", "[][1]");
}

static void string_escapes_are_decoded(void **state)
{
	(void)state;
	assert_renders("{{ 'it\\'s' }}|{{ \"say \\\"hi\\\"\" }}|{{ \"it's\" }}",
		       "it's|say \"hi\"|it's");
	assert_renders("{{ 'a\\tb\\nc\\\\d\\re' }}", "a\tb\nc\\d\re");
	/* any other backslash is kept, as regular expressions want */
	assert_renders("{{ '\\d+\\.\\w' }}", "\\d+\\.\\w");
	assert_renders("{{ 'two\nlines' }} {{ 1 }}", "two\nlines 1");
}

/* ---- the pipeline functions ---- */

static void ref_calls_the_callback(void **state)
{
	rat_template_context tc = context();
	(void)state;

	tc.ref = fake_ref;
	assert_renders_with(&tc, "SELECT * FROM {{ ref('bronze.sales') }} JOIN {{ ref(\"p.a\") }}",
			    "SELECT * FROM lake.bronze.sales JOIN lake.p.a");
	assert_renders_with(&tc, "{{ ref('bronze.sales') | upper }}", "LAKE.BRONZE.SALES");
	/* the caller's message, after path:line; its code is kept */
	assert_fails_with(&tc, "SELECT *\nFROM {{ ref('silver.x') }}", RAT_ENOTFOUND,
			  PATH ":2: no pipeline or table 'silver.x'");
}

static void ref_without_a_callback_renders_its_argument(void **state)
{
	(void)state;
	assert_renders("SELECT * FROM {{ ref('bronze.sales') }}", "SELECT * FROM bronze.sales");
}

static void ref_takes_one_quoted_name(void **state)
{
	rat_template_context tc = context();
	(void)state;

	assert_fails("{% set t = 'a' %}\n{{ ref(t) }}",
		     PATH ":2: ref() takes a quoted table name, like ref('silver.orders')");
	assert_fails("{{ ref('a' ~ 'b') }}",
		     PATH ":1: ref() takes a quoted table name, like ref('silver.orders')");
	assert_fails("{{ ref('a', 'b') }}", PATH ":1: ref() takes 1 argument, got 2");
	assert_fails("{{ ref() }}", PATH ":1: ref() takes 1 argument, got 0");
	assert_fails("{{ ref(name='a') }}", PATH ":1: ref() takes no keyword arguments");
	assert_refs_fail(&tc, "a\n\n{% if false %}{{ ref(x) }}{% endif %}",
			 PATH ":3: ref() takes a quoted table name, like ref('silver.orders')");
	assert_refs_fail(&tc, "{{ ref('a', 'b') }}", PATH ":1: ref() takes 1 argument, got 2");
}

static void this_renders_the_relation_written(void **state)
{
	rat_template_context tc = context();
	(void)state;

	tc.this_relation = "lake.silver.orders";
	assert_renders_with(&tc, "DELETE FROM {{ this }}", "DELETE FROM lake.silver.orders");
	assert_fails("SELECT 1\n{{ this }}",
		     PATH ":2: 'this' is not available here: no relation is being written");
}

static void is_incremental_picks_the_branch(void **state)
{
	static const char text[] = "{% if is_incremental() %}inc{% elif var('full', '') %}full"
				   "{% else %}rebuild{% endif %}";
	rat_template_context tc = context();
	(void)state;

	assert_renders_with(&tc, text, "rebuild");
	tc.is_incremental = true;
	assert_renders_with(&tc, text, "inc");
	tc.is_incremental = false;
	assert_renders_with(&tc, "{% if not is_incremental() %}no{% endif %}", "no");
	assert_renders_with(&tc, "{% if 0 %}a{% elif 1 %}b{% elif 2 %}c{% else %}d{% endif %}",
			    "b");
	assert_renders_with(&tc, "{{ is_incremental() }}", "False");
	assert_fails("{{ is_incremental(1) }}",
		     PATH ":1: is_incremental() takes no arguments, got 1");
}

static void watermark_calls_the_callback_or_renders_null(void **state)
{
	static const char text[] = "SELECT * FROM {{ ref('bronze.sales') }}\n"
				   "{% if is_incremental() %} WHERE _ingested_at > "
				   "{{ watermark('_ingested_at') }} {% endif %}";
	rat_template_context tc = context();
	(void)state;

	tc.is_incremental = true;
	assert_renders_with(&tc, text, "SELECT * FROM bronze.sales\n WHERE _ingested_at > NULL ");
	tc.watermark = fake_watermark;
	assert_renders_with(&tc, text,
			    "SELECT * FROM bronze.sales\n"
			    " WHERE _ingested_at > '2024-03-01 10:00:00' ");
	assert_fails_with(&tc, "\n\n{{ watermark('nope') }}", RAT_EINVALID,
			  PATH ":3: no column 'nope' in the last run");
	assert_fails("{{ watermark(1) }}",
		     PATH ":1: watermark() takes a column name as a string, got integer");
	assert_fails("{{ watermark() }}", PATH ":1: watermark() takes 1 argument, got 0");
}

/* The original Ratatouille's form: '{{ watermark('col') }}' inside a SQL string. */
static void watermark_inside_a_string_renders_the_bare_value(void **state)
{
	static const char text[] = "SELECT 1 -- it's {{ watermark('t') }}\n"
				   "WHERE t > '{{ watermark(\"t\") }}' AND n = '{{ watermark('note') }}'\n"
				   "AND \"a'b\" > {{ watermark('t') }} AND x = 'it''s {{ watermark('t') }}'";
	rat_template_context tc = context();
	(void)state;

	assert_renders_with(&tc, "WHERE t > '{{ watermark('t') }}' AND u > {{ watermark('t') }}",
			    "WHERE t > '1970-01-01 00:00:00' AND u > NULL");
	tc.watermark = fake_watermark;
	assert_renders_with(&tc, text,
			    "SELECT 1 -- it's '2024-03-01 10:00:00'\n"
			    "WHERE t > '2024-03-01 10:00:00' AND n = 'it''s'\n"
			    "AND \"a'b\" > '2024-03-01 10:00:00' AND x = 'it''s 2024-03-01 10:00:00'");
	/* kept in a variable, then printed inside a string or outside one */
	assert_renders_with(&tc,
			    "{% set w = watermark('t') %}{% set n = watermark('note') %}"
			    "WHERE t > '{{ w }}' AND u > {{ w }} AND n = '{{ n }}'",
			    "WHERE t > '2024-03-01 10:00:00' AND u > '2024-03-01 10:00:00' "
			    "AND n = 'it''s'");
	/* what is made from it is plain text: the typed literal */
	assert_renders_with(&tc, "{% set w = watermark('t') ~ '' %}'{{ w }}'",
			    "''2024-03-01 10:00:00''");
	tc.watermark = NULL;
	assert_renders_with(&tc, "{% set w = watermark('t') %}'{{ w }}' {{ w }}",
			    "'1970-01-01 00:00:00' NULL");
}

static void var_uses_the_value_or_the_default(void **state)
{
	rat_template_context tc = context();
	(void)state;

	tc.var = fake_var;
	assert_renders_with(&tc, "{{ var('days') }}|{{ var('days', 30) }}|{{ var('other', 30) }}",
			    "7|7|30");
	assert_renders_with(&tc, "{{ var('other', none) }}|{{ var('other', [1]) }}", "|[1]");
	assert_fails_with(&tc, "x\n{{ var('other') }}", RAT_EINVALID,
			  PATH ":2: var 'other' is not set and has no default");
	/* no callback: no variable is set */
	assert_renders("{{ var('days', 'd') }}", "d");
	assert_fails("{{ var('days') }}", PATH ":1: var 'days' is not set and has no default");
	assert_fails("{{ var() }}", PATH ":1: var() takes 1 or 2 arguments, got 0");
	assert_fails("{{ var('a', 1, 2) }}", PATH ":1: var() takes 1 or 2 arguments, got 3");
	assert_fails("{{ var(name='days') }}", PATH ":1: var() takes no keyword arguments");
	assert_fails("{{ env_var(1) }}",
		     PATH ":1: env_var() takes the variable's name as a string, got integer");
	assert_fails("{{ var(1) }}",
		     PATH ":1: var() takes the variable's name as a string, got integer");
}

static void env_var_reads_the_callback_and_never_the_environment(void **state)
{
	rat_template_context tc = context();
	(void)state;

	tc.env = fake_env;
	assert_renders_with(&tc, "{{ env_var('RAT_ENV') }}|{{ env_var('HOME', 'none') }}",
			    "prod|none");
	assert_fails_with(&tc, "{{ env_var('HOME') }}", RAT_EINVALID,
			  PATH ":1: environment variable 'HOME' is not set and has no default");
	/* a name the callback refuses fails at its line, even with a default */
	assert_fails_with(&tc, "\n{{ env_var('S3_SECRET_KEY', 'x') }}", RAT_EINVALID,
			  PATH ":2: 'S3_SECRET_KEY' is refused");
	/* no callback: nothing is set; the process environment is never read */
	setenv("RAT_TEMPLATE_TEST_ENV", "from-env", 1);
	assert_renders("{{ env_var('RAT_TEMPLATE_TEST_ENV', 'dflt') }}", "dflt");
	assert_fails("\n{{ env_var('RAT_TEMPLATE_TEST_ENV') }}",
		     PATH ":2: environment variable 'RAT_TEMPLATE_TEST_ENV' is not set and has "
			  "no default");
	assert_fails("{{ env_var('A', 'b', 'c') }}",
		     PATH ":1: env_var() takes 1 or 2 arguments, got 3");
	unsetenv("RAT_TEMPLATE_TEST_ENV");
}

static void run_started_at_and_landing_files_are_inserted_verbatim(void **state)
{
	rat_template_context tc = context();
	(void)state;

	tc.run_started_at = "2026-11-23 10:00:00+00";
	tc.landing_files = "['/abs/a.csv', '/abs/b.csv']";
	assert_renders_with(&tc,
			    "SELECT *, TIMESTAMPTZ '{{ run_started_at }}' AS _ingested_at\n"
			    "FROM read_csv({{ landing_files }}, header = true)",
			    "SELECT *, TIMESTAMPTZ '2026-11-23 10:00:00+00' AS _ingested_at\n"
			    "FROM read_csv(['/abs/a.csv', '/abs/b.csv'], header = true)");
	assert_renders_with(&tc, "{{ landing_files | length }}", "28");
	assert_fails("SELECT {{ run_started_at }}",
		     PATH ":1: 'run_started_at' is not available here: no run is in progress");
	assert_fails("SELECT *\nFROM read_csv({{ landing_files }})",
		     PATH ":2: 'landing_files' is only available to bronze pipelines that ingest "
			  "landing files");
}

/* ---- statements ---- */

static void set_defines_variables(void **state)
{
	(void)state;
	assert_renders("{% set cols = ['a', 'b'] %}{% set n = cols | length %}"
		       "SELECT {{ cols | join(', ') }} -- {{ n }}",
		       "SELECT a, b -- 2");
	assert_renders("{% set x = 1 %}{% set x = x + 1 %}{{ x }}", "2");
	/* an if is no scope; a loop is */
	assert_renders("{% if true %}{% set y = 'in' %}{% endif %}{{ y }}", "in");
	assert_renders("{% set z = 'out' %}{% for i in [1] %}{% set z = 'in' %}{{ z }}{% endfor %}"
		       "{{ z }}",
		       "inout");
	assert_fails("{% set = 1 %}", PATH ":1: expected a variable name after 'set', found '='");
	assert_fails("{% set x 1 %}", PATH ":1: expected '=' after 'set x', found '1'");
}

static void for_loops_over_lists(void **state)
{
	(void)state;
	assert_renders("{% for c in ['a', 'b', 'c'] %}{{ loop.index }}{{ c }}"
		       "{% if not loop.last %},{% endif %}{% endfor %}",
		       "1a,2b,3c");
	assert_renders("{% for c in [10, 20] %}{{ loop.index0 }}{{ loop.first }}{{ loop.revindex }}"
		       "{{ loop.length }};{% endfor %}",
		       "0True22;1False12;");
	assert_renders("{% for x in [] %}never{% endfor %}done", "done");
	assert_renders("{% for row in [[1, 2], [3]] %}{% for v in row %}{{ v }}{% endfor %}|"
		       "{% endfor %}",
		       "12|3|");
	/* loop variables go away with the loop */
	assert_fails("{% for x in [1] %}{% endfor %}\n{{ loop.index }}",
		     PATH ":2: unknown variable 'loop.index'");
	assert_fails("\n{% for x in 'abc' %}{% endfor %}",
		     PATH ":2: 'for' needs a list, got string");
	assert_fails("{% for 1 in [1] %}{% endfor %}",
		     PATH ":1: expected a variable name after 'for', found '1'");
	assert_fails("{% for x of [1] %}{% endfor %}",
		     PATH ":1: expected 'in' after 'for x', found 'of'");
}

static void if_nests_inside_for(void **state)
{
	(void)state;
	assert_renders("SELECT\n{% for c in ['id', 'amount', 'note'] %}"
		       "{% if c == 'amount' %}  {{ c }} * 100 AS {{ c }}"
		       "{% elif c in ['note'] %}  trim({{ c }}) AS {{ c }}"
		       "{% else %}  {{ c }}{% endif %}{% if not loop.last %},\n{% endif %}"
		       "{% endfor %}\nFROM t",
		       "SELECT\n  id,\n  amount * 100 AS amount,\n  trim(note) AS note\nFROM t");
}

static void comments_render_nothing(void **state)
{
	(void)state;
	assert_renders("a{# a comment {{ not_parsed( }} #}b", "ab");
	assert_renders("a{# two\nlines #}\n{{ 1 }}", "a\n1");
	/* lines are still counted across comments */
	assert_fails("{# one\ntwo\n#}{{ nope }}", PATH ":3: unknown variable 'nope'");
}

static void whitespace_control_trims_around_tags(void **state)
{
	(void)state;
	assert_renders("a  \n {%- if true -%} \n b \n {%- endif -%}\n  c", "abc");
	assert_renders("x \n\t{{- 1 -}}\n y", "x1y");
	assert_renders("x  {{- 1 }}  y", "x1  y");
	assert_renders("x  {{ 1 -}}  y", "x  1y");
	assert_renders("a \n{#- gone -#}\n b", "ab");
	assert_renders("{% for i in [1, 2, 3] -%}\n  {{ i }}\n{%- endfor %}", "123");
	/* '-' is whitespace control only right at the tag's edge */
	assert_renders("{{ 3 - 1 }}|{{ 3 -1 }}", "2|2");
}

/* ---- expressions ---- */

static void filters_transform_values(void **state)
{
	(void)state;
	assert_renders("{{ 'Orders' | upper }}|{{ 'Orders' | lower }}|{{ '  x y \n' | trim }}",
		       "ORDERS|orders|x y");
	assert_renders("{{ 12 | upper }}|{{ none | default('d') }}|"
		       "{{ undefined_name | default(1) }}",
		       "12|d|1");
	assert_renders("{{ '' | default('d') }}|{{ '' | default('d', true) }}|"
		       "{{ 'v' | default('d', true) }}",
		       "|d|v");
	assert_renders("{{ this | default('no target') }}", "no target");
	assert_renders("{{ ['a', 1, none] | join(', ') }}|{{ ['a', 'b'] | join }}", "a, 1, |ab");
	assert_renders("{{ [1, 2, 3] | length }}|{{ 'héllo' | length }}|{{ '' | length }}",
		       "3|5|0");
	assert_renders("{{ 'a.b.c' | replace('.', '__') }}|{{ 'aaa' | replace('aa', 'b') }}",
		       "a__b__c|ba");
	assert_renders("{{ ' A ' | trim | lower | replace('a', 'z') | upper }}", "Z");
	/* a filter binds tighter than ~ */
	assert_renders("{{ 'a' ~ 'b' | upper }}|{{ ('a' ~ 'b') | upper }}", "aB|AB");
}

static void filter_errors_name_the_filter(void **state)
{
	(void)state;
	assert_fails("x\n{{ 'a' | uper }}", PATH ":2: unknown filter 'uper'");
	assert_fails("{{ 'a' | replace('a') }}",
		     PATH ":1: filter 'replace' takes 2 arguments, got 1");
	assert_fails("{{ 'a' | upper(1) }}", PATH ":1: filter 'upper' takes no arguments, got 1");
	assert_fails("{{ [] | join(',', 1) }}",
		     PATH ":1: filter 'join' takes at most 1 argument, got 2");
	assert_fails("{{ 'a' | default }}",
		     PATH ":1: filter 'default' takes 1 or 2 arguments, got 0");
	assert_fails("{{ 'a,b' | join(',') }}", PATH ":1: filter 'join' needs a list, got string");
	assert_fails("{{ 5 | length }}",
		     PATH ":1: filter 'length' needs a string or a list, got integer");
	assert_fails("{{ 'a' | replace('', 'x') }}",
		     PATH ":1: filter 'replace' cannot replace an empty string");
	assert_fails("{{ 'a' | 1 }}", PATH ":1: expected a filter name after '|', found '1'");
}

static void operators_compute_and_concatenate(void **state)
{
	(void)state;
	assert_renders("{{ 1 + 2 * 3 }}|{{ (1 + 2) * 3 }}|{{ 10 - 4 - 3 }}|{{ -(2 + 1) }}",
		       "7|9|3|-3");
	assert_renders("{{ 7 / 2 }}|{{ 7 // 2 }}|{{ -7 // 2 }}|"
		       "{{ 7 % 3 }}|{{ -7 % 3 }}|{{ 7 % -3 }}",
		       "3.5|3|-4|1|2|-2");
	assert_renders("{{ 1 + 2.5 }}|{{ 2 * 1.5 }}|{{ 'ab' + 'cd' }}|{{ [1] + ['x'] }}",
		       "3.5|3.0|abcd|[1, 'x']");
	assert_renders("{{ 'v' ~ 1 ~ none ~ true ~ 2.5 ~ [1] }}", "v1True2.5[1]");
	/* ~ binds tighter than + and -, looser than * and / */
	assert_renders("{{ 'n' ~ (1 + 1) }}|{{ 'n' ~ 2 * 3 }}", "n2|n6");
}

static void comparisons_and_logic(void **state)
{
	(void)state;
	assert_renders("{{ 1 < 2 }}{{ 2 <= 1 }}{{ 'a' < 'b' }}{{ 'b' >= 'ab' }}{{ 1.5 > 1 }}",
		       "TrueFalseTrueTrueTrue");
	assert_renders("{{ 1 == 1.0 }}{{ 'a' != 'a' }}{{ [1, 'a'] == [1, 'a'] }}{{ 1 == '1' }}"
		       "{{ none == none }}",
		       "TrueFalseTrueFalseTrue");
	assert_renders("{{ 'ell' in 'hello' }}{{ 3 in [1, 2] }}{{ 3 not in [1, 2] }}"
		       "{{ 'x' not in 'abc' }}",
		       "TrueFalseTrueTrue");
	assert_renders("{{ '' or 'fallback' }}|{{ 'a' and 'b' }}|{{ 0 and 1 }}|{{ not 0 }}|"
		       "{{ not not 'x' }}",
		       "fallback|b|0|True|True");
	assert_renders("{{ 1 < 2 and 2 < 3 or false }}|{{ not 1 == 2 }}", "True|True");
	/* and/or do not evaluate what they do not need */
	assert_renders("{{ false and nope() }}{{ true or nope }}", "FalseTrue");
	/* truthiness as in Jinja */
	assert_renders("{% for v in [0, 0.0, '', [], none, false, 1, 'x', [0], true] %}"
		       "{% if v %}T{% else %}F{% endif %}{% endfor %}",
		       "FFFFFFTTTT");
}

static void type_errors_name_the_operator(void **state)
{
	(void)state;
	assert_fails("{{ 'a' - 1 }}", PATH ":1: '-' needs numbers, got string and integer");
	assert_fails("{{ 1 + 'a' }}", PATH ":1: '+' needs numbers, got integer and string");
	assert_fails("{{ 1.5 // 1 }}", PATH ":1: '//' needs integers, got float and integer");
	assert_fails("{{ 'a' < 1 }}",
		     PATH ":1: '<' needs two numbers or two strings, got string and integer");
	assert_fails("{{ 1 in 5 }}",
		     PATH ":1: 'in' needs a list or a string on the right, got integer");
	assert_fails("{{ 1 in 'abc' }}", PATH
		     ":1: 'in' needs two strings or a list on the right, got integer and string");
	assert_fails("{{ -'a' }}", PATH ":1: '-' needs a number, got string");
	assert_fails("{{ 'n' ~ 1 + 1 }}", PATH ":1: '+' needs numbers, got string and integer");
}

static void division_by_zero_and_overflow_are_errors(void **state)
{
	(void)state;
	assert_fails("a\n{{ 1 / 0 }}", PATH ":2: division by zero");
	assert_fails("{{ 1.5 / 0.0 }}", PATH ":1: division by zero");
	assert_fails("{{ 1 // 0 }}", PATH ":1: division by zero");
	assert_fails("{{ 5 % 0 }}", PATH ":1: division by zero");
	assert_fails("{{ 9223372036854775807 + 1 }}", PATH ":1: integer overflow in '+'");
	assert_fails("{{ 4611686018427387904 * 2 }}", PATH ":1: integer overflow in '*'");
	assert_fails("{{ -9223372036854775807 - 2 }}", PATH ":1: integer overflow in '-'");
	assert_fails("{{ 99999999999999999999 }}",
		     PATH ":1: integer 99999999999999999999 is too large (at most "
			  "9223372036854775807)");
	assert_renders("{{ -9223372036854775807 - 1 }}", "-9223372036854775808");
	assert_fails("{% set m = -9223372036854775807 - 1 %}{{ m // -1 }}",
		     PATH ":1: integer overflow in '//'");
	assert_fails("{% set m = -9223372036854775807 - 1 %}{{ -m }}",
		     PATH ":1: integer overflow in '-'");
}

/* ---- macros ---- */

static rat_template_context with_macros(const rat_template_source *files, size_t n)
{
	rat_template_context tc = context();
	tc.macros = files;
	tc.macro_count = n;
	return tc;
}

static void macros_come_from_macro_files(void **state)
{
	static const rat_template_source files[] = {
		{ "macros/money.sql",
		  "Text outside macros is ignored {{ nope }}\n"
		  "{% macro cents(col, scale=100) %}({{ col }} * {{ scale }})::BIGINT"
		  "{% endmacro %}\n"
		  "{% macro greet(who='world', punct='!') -%}\n"
		  "  hello {{ who }}{{ punct }}\n"
		  "{%- endmacro %}\n" },
		{ "macros/src.sql",
		  "{% macro src(t) %}{{ ref('bronze.sales') }} /* {{ t | upper }} */"
		  "{% endmacro %}" },
	};
	rat_template_context tc = with_macros(files, RAT_ARRAY_SIZE(files));
	char *refs;
	(void)state;

	assert_renders_with(&tc, "SELECT {{ cents('amount') }}, {{ cents('fee', 1000) }}",
			    "SELECT (amount * 100)::BIGINT, (fee * 1000)::BIGINT");
	assert_renders_with(&tc,
			    "{{ greet() }}|{{ greet('you') }}|{{ greet(punct='?') }}|"
			    "{{ greet('a', punct='.') }}",
			    "hello world!|hello you!|hello world?|hello a.");
	/* a macro's value is a string that filters and operators take */
	assert_renders_with(&tc, "{{ greet() | upper }}|{{ greet() | length }}|{{ 'x' ~ greet() }}",
			    "HELLO WORLD!|12|xhello world!");
	tc.ref = fake_ref;
	assert_renders_with(&tc, "FROM {{ src('s') }}", "FROM lake.bronze.sales /* S */");
	refs = refs_of(&tc, "SELECT * FROM {{ src('s') }}");
	assert_string_equal(refs, "bronze.sales");
	free(refs);
}

static void macros_defined_in_the_text(void **state)
{
	(void)state;
	assert_renders("{% macro col(n, alias=none) %}{{ n }}"
		       "{% if alias %} AS {{ alias }}{% endif %}{% endmacro %}"
		       "SELECT {{ col('a') }}, {{ col('b', 'c') }}",
		       "SELECT a, b AS c");
	/* a macro may call itself, or another, defined later */
	assert_renders("{% macro count(n) %}{{ n }}{% if n > 1 %},{{ count(n - 1) }}{% endif %}"
		       "{% endmacro %}{{ count(3) }}{{ later() }}"
		       "{% macro later() %}!{% endmacro %}",
		       "3,2,1!");
	/* a macro sees its parameters, not its caller's variables */
	assert_fails("{% macro m() %}\n{{ secret }}{% endmacro %}{% set secret = 1 %}{{ m() }}",
		     PATH ":2: unknown variable 'secret'");
	/* but the built-in names */
	assert_renders("{% macro t() %}{{ this | default('-') }}{% endmacro %}{{ t() }}", "-");
}

static void an_error_inside_a_macro_names_the_macro_file(void **state)
{
	static const rat_template_source files[] = {
		{ "macros/util.sql", "{% macro ok() %}1{% endmacro %}\n"
				     "{% macro broken(x) %}\n"
				     "  {{ x }}\n"
				     "  {{ reff('bronze.a') }}\n"
				     "{% endmacro %}\n" },
	};
	rat_template_context tc = with_macros(files, 1);
	(void)state;

	assert_fails_with(&tc, "SELECT\n{{ broken(1) }}", RAT_EINVALID,
			  "macros/util.sql:4: unknown function 'reff'");
	/* the arguments are the caller's */
	assert_fails_with(&tc, "SELECT\n{{ ok(1) }}", RAT_EINVALID,
			  PATH ":2: macro 'ok' takes at most 0 arguments, got 1");
	assert_fails_with(&tc, "{{ broken(nope) }}", RAT_EINVALID,
			  PATH ":1: unknown variable 'nope'");
}

static void macro_calls_check_their_arguments(void **state)
{
	static const char defs[] = "{% macro m(a, b='x') %}{{ a }}{{ b }}{% endmacro %}";
	char text[256];
	(void)state;

	snprintf(text, sizeof(text), "%s{{ m(1, 2, 3) }}", defs);
	assert_fails(text, PATH ":1: macro 'm' takes at most 2 arguments, got 3");
	snprintf(text, sizeof(text), "%s{{ m(1, c=2) }}", defs);
	assert_fails(text, PATH ":1: macro 'm' has no parameter 'c'");
	snprintf(text, sizeof(text), "%s{{ m(1, a=2) }}", defs);
	assert_fails(text, PATH ":1: macro 'm' got two values for 'a'");
	snprintf(text, sizeof(text), "%s{{ m(b=2) }}", defs);
	assert_fails(text, PATH ":1: macro 'm' needs a value for 'a'");
	snprintf(text, sizeof(text), "%s{{ m(a=1, 2) }}", defs);
	assert_fails(text, PATH ":1: positional argument after a keyword argument");
	snprintf(text, sizeof(text), "%s{{ m(b=1, a=2) }}", defs);
	assert_renders(text, "21");
}

static void macro_definitions_are_checked(void **state)
{
	static const rat_template_source files[] = {
		{ "macros/a.sql", "\n{% macro fmt(x) %}{{ x }}{% endmacro %}" },
		{ "macros/b.sql", "{% macro other() %}{% endmacro %}\n\n"
				  "{% macro fmt(y) %}{{ y }}{% endmacro %}" },
	};
	rat_template_context tc = with_macros(files, 2);
	(void)state;

	assert_fails_with(&tc, "SELECT 1", RAT_EINVALID,
			  "macros/b.sql:3: macro 'fmt' is already defined at macros/a.sql:2");
	tc.macro_count = 1;
	assert_fails_with(&tc, "\n{% macro fmt() %}{% endmacro %}", RAT_EINVALID,
			  PATH ":2: macro 'fmt' is already defined at macros/a.sql:2");
	assert_fails("{% macro ref(x) %}{% endmacro %}",
		     PATH ":1: macro 'ref' has the name of a built-in function");
	assert_fails("{% macro m(a, a) %}{% endmacro %}",
		     PATH ":1: macro 'm' has two parameters named 'a'");
	assert_fails("{% macro m(a=1, b) %}{% endmacro %}",
		     PATH ":1: parameter 'b' of macro 'm' needs a default: it follows one with a "
			  "default");
	assert_fails("{% if true %}\n{% macro m() %}{% endmacro %}{% endif %}",
		     PATH ":2: macros are defined at the top level of a file, not inside the 'if' "
			  "on line 1");
	assert_fails("{% macro m() %}\n{% macro n() %}{% endmacro %}{% endmacro %}",
		     PATH ":2: macros are defined at the top level of a file, not inside the "
			  "'macro' on line 1");
	assert_fails("{% macro m(1) %}{% endmacro %}",
		     PATH ":1: expected a parameter name, found '1'");
	assert_fails("{% macro m(a b) %}{% endmacro %}", PATH ":1: expected ',' or ')', found 'b'");
	assert_fails("{% macro (x) %}{% endmacro %}",
		     PATH ":1: expected a macro name after 'macro', found '('");
	assert_fails("{% macro m %}{% endmacro %}",
		     PATH ":1: expected '(' after the macro's name, found '%}'");
	assert_fails("{% macro m() %}\nx", PATH ":1: 'macro' is never closed: no 'endmacro' before "
						"the end of the file");
}

static void macro_recursion_is_capped(void **state)
{
	static const rat_template_source files[] = {
		{ "macros/rec.sql", "-- forever\n{% macro m(n) %}{{ m(n + 1) }}{% endmacro %}" },
		{ "macros/deep.sql",
		  "{% macro d(n) %}{% if 1 %}{% if 1 %}{% if 1 %}{% if 1 %}{% if 1 %}{% if 1 %}"
		  "{% if 1 %}{% if 1 %}{% if 1 %}{% if 1 %}{% if 1 %}{% if 1 %}{% if 1 %}"
		  "{% if 1 %}{% if 1 %}{% if 1 %}{% if 1 %}{% if 1 %}{% if 1 %}{% if 1 %}"
		  "{{ d(n + 1) }}{% endif %}{% endif %}{% endif %}{% endif %}{% endif %}{% endif %}"
		  "{% endif %}{% endif %}{% endif %}{% endif %}{% endif %}{% endif %}{% endif %}"
		  "{% endif %}{% endif %}{% endif %}{% endif %}{% endif %}{% endif %}{% endif %}"
		  "{% endmacro %}" },
	};
	rat_template_context tc = with_macros(files, RAT_ARRAY_SIZE(files));
	rat_strarray names = RAT_STRARRAY_INIT;
	(void)state;

	assert_fails_with(&tc, "SELECT {{ m(0) }}", RAT_EINVALID,
			  "macros/rec.sql:2: macro calls nested deeper than 64 levels (does 'm' "
			  "call itself without end?)");
	assert_fails_with(&tc, "{{ d(0) }}", RAT_EINVALID,
			  "macros/deep.sql:1: blocks, expressions and macro calls nested deeper "
			  "than 1000 levels");
	/* the ref() search does not loop on it either */
	assert_int_equal(rat_template__refs(&names, "{{ m(0) }}{{ ref('a') }}", &tc), 0);
	assert_int_equal(names.count, 1);
	rat_strarray_free(&names);
}

/* A chain of n macros m0 -> m1 -> ..., one a line, each in `ifs` nested ifs. */
static void macro_chain(rat_buf *text, int n, int ifs)
{
	int i, k;

	for (i = 0; i < n; i++) {
		assert_int_equal(rat_buf_printf(text, "{%% macro m%d() %%}", i), 0);
		for (k = 0; k < ifs; k++)
			assert_int_equal(rat_buf_puts(text, "{% if 1 %}"), 0);
		assert_int_equal(rat_buf_printf(text, "{{ m%d() }}", i + 1), 0);
		for (k = 0; k < ifs; k++)
			assert_int_equal(rat_buf_puts(text, "{% endif %}"), 0);
		assert_int_equal(rat_buf_puts(text, "{% endmacro %}\n"), 0);
	}
	assert_int_equal(rat_buf_printf(text, "{%% macro m%d() %%}end{%% endmacro %%}\n", n), 0);
}

static void long_macro_chains_are_capped_in_refs_too(void **state)
{
	rat_buf chain = RAT_BUF_INIT;
	rat_template_source files[1] = { { "macros/chain.sql", NULL } };
	rat_template_context tc = with_macros(files, 1);
	char *refs;
	(void)state;

	macro_chain(&chain, 40, 0);
	files[0].text = rat_buf_cstr(&chain);
	assert_renders_with(&tc, "{{ m0() }}", "end");
	refs = refs_of(&tc, "{{ m0() }}{{ ref('a') }}");
	assert_string_equal(refs, "a");
	free(refs);
	/* m63, on line 64, calls m64: the 65th call */
	rat_buf_clear(&chain);
	macro_chain(&chain, 70, 0);
	files[0].text = rat_buf_cstr(&chain);
	assert_fails_with(&tc, "{{ m0() }}", RAT_EINVALID,
			  "macros/chain.sql:64: macro calls nested deeper than 64 levels (does "
			  "'m64' call itself without end?)");
	assert_refs_fail(&tc, "{{ m0() }}",
			 "macros/chain.sql:64: macro calls nested deeper than 64 levels (does "
			 "'m64' call itself without end?)");
	/* nested blocks in each: the depth of the walk is capped first */
	rat_buf_clear(&chain);
	macro_chain(&chain, 60, 20);
	files[0].text = rat_buf_cstr(&chain);
	assert_refs_fail(&tc, "{{ m0() }}",
			 "macros/chain.sql:46: blocks, expressions and macro calls nested deeper "
			 "than 1000 levels");
	rat_buf_free(&chain);
}

static void runaway_rendering_is_stopped(void **state)
{
	/* 2^40 calls that render nothing: only the step limit stops them */
	static const char text[] = "{% macro m(n) %}{% if n < 40 %}{{ m(n + 1) }}{{ m(n + 1) }}"
				   "{% endif %}{% endmacro %}{{ m(0) }}";
	rat_template_context tc = context();
	rat_buf out = RAT_BUF_INIT, doubling = RAT_BUF_INIT;
	int i;
	(void)state;

	assert_fails(text, PATH ":1: rendering takes more than 20000000 steps: does a loop or a "
				"macro run away?");
	/* output is capped by the buffer's own limit */
	out.max = 100;
	assert_int_equal(rat_template__render(&out,
					      "{% for i in [1,2,3,4,5,6,7,8,9,10,11] %}"
					      "0123456789{% endfor %}",
					      &tc),
			 RAT_ETOOBIG);
	assert_string_equal(rat_error_last()->message,
			    PATH ":1: the rendered text exceeds the limit of 100 bytes");
	assert_int_equal(out.max, 100);
	rat_buf_free(&out);
	/* and so is a string that doubles itself */
	assert_int_equal(rat_buf_puts(&doubling, "{% set s = 'xxxxxxxxxxxxxxxx' %}"), 0);
	for (i = 0; i < 30; i++)
		assert_int_equal(rat_buf_puts(&doubling, "{% set s = s ~ s %}"), 0);
	assert_fails_with(&tc, rat_buf_cstr(&doubling), RAT_ETOOBIG,
			  PATH ":1: the rendered text exceeds the limit of 67108864 bytes");
	rat_buf_free(&doubling);
}

static void deep_nesting_is_capped(void **state)
{
	rat_buf text = RAT_BUF_INIT;
	int i;
	(void)state;

	assert_int_equal(rat_buf_puts(&text, "{{ "), 0);
	for (i = 0; i < 200; i++)
		assert_int_equal(rat_buf_putc(&text, '('), 0);
	assert_int_equal(rat_buf_putc(&text, '1'), 0);
	for (i = 0; i < 200; i++)
		assert_int_equal(rat_buf_putc(&text, ')'), 0);
	assert_int_equal(rat_buf_puts(&text, " }}"), 0);
	assert_fails(rat_buf_cstr(&text),
		     PATH ":1: blocks and expressions nested deeper than 100 levels");
	rat_buf_clear(&text);
	/* the 99th if is the 99th level, its condition the 100th and 101st */
	for (i = 0; i < 150; i++)
		assert_int_equal(rat_buf_puts(&text, "{% if true %}\n"), 0);
	assert_fails(rat_buf_cstr(&text),
		     PATH ":99: blocks and expressions nested deeper than 100 levels");
	rat_buf_clear(&text);
	assert_int_equal(rat_buf_puts(&text, "{{ "), 0);
	for (i = 0; i < 200; i++)
		assert_int_equal(rat_buf_puts(&text, "not "), 0);
	assert_int_equal(rat_buf_puts(&text, "1 }}"), 0);
	assert_fails(rat_buf_cstr(&text),
		     PATH ":1: blocks and expressions nested deeper than 100 levels");
	rat_buf_clear(&text);
	assert_int_equal(rat_buf_puts(&text, "{% set l = 1 %}"), 0);
	for (i = 0; i < 120; i++)
		assert_int_equal(rat_buf_puts(&text, "{% set l = [l] %}"), 0);
	assert_fails(rat_buf_cstr(&text), PATH ":1: lists nested deeper than 100 levels");
	rat_buf_free(&text);
}

static void long_input_renders(void **state)
{
	rat_buf text = RAT_BUF_INIT, expected = RAT_BUF_INIT, out = RAT_BUF_INIT;
	rat_template_context tc = context();
	int i;
	(void)state;

	assert_int_equal(rat_buf_puts(&text, "{% set t = 'orders' %}"), 0);
	for (i = 0; i < 40000; i++) {
		assert_int_equal(rat_buf_printf(&text, "SELECT {{ %d + 1 }} FROM {{ t }}; -- %s\n", i,
			       "padding padding padding"), 0);
		assert_int_equal(rat_buf_printf(&expected, "SELECT %d FROM orders; -- %s\n", i + 1,
			       "padding padding padding"), 0);
	}
	assert_int_equal(rat_buf_puts(&text, "{{ nope }}"), 0);
	assert_true(text.len > (size_t)2 << 20);
	assert_fails(rat_buf_cstr(&text), PATH ":40001: unknown variable 'nope'");
	text.len -= strlen("{{ nope }}");
	text.ptr[text.len] = '\0';
	assert_int_equal(rat_template__render(&out, rat_buf_cstr(&text), &tc), 0);
	assert_int_equal(out.len, expected.len);
	assert_string_equal(rat_buf_cstr(&out), rat_buf_cstr(&expected));
	rat_buf_free(&text);
	rat_buf_free(&expected);
	rat_buf_free(&out);
}

/* ---- syntax errors ---- */

static void unknown_functions_and_variables(void **state)
{
	(void)state;
	assert_fails("SELECT *\nFROM x\nJOIN {{ reff('silver.orders') }}",
		     PATH ":3: unknown function 'reff'");
	assert_fails("{{ colums }}", PATH ":1: unknown variable 'colums'");
	assert_fails("{{ loop.index() }}", PATH ":1: unknown function 'loop.index'");
	assert_fails("{{ this() }}", PATH ":1: unknown function 'this'");
}

static void unterminated_tags_name_where_they_open(void **state)
{
	(void)state;
	assert_fails("SELECT\n{{ a\nFROM t", PATH ":2: unterminated '{{': no closing '}}'");
	assert_fails("SELECT\n\n{% if x\nFROM t", PATH ":3: unterminated '{%': no closing '%}'");
	assert_fails("a\n{# note\n\nb", PATH ":2: unterminated comment: '{#' has no closing '#}'");
	/* a tag opened inside another one */
	assert_fails("{{ a \n{{ b }}", PATH ":1: unterminated '{{': no closing '}}'");
	assert_fails("{{ a %}", PATH ":1: '%}' cannot close the '{{' opened on line 1 (close it "
				     "with '}}')");
	assert_fails("{% if a }}{% endif %}",
		     PATH ":1: '}}' cannot close the '{%' opened on line 1 (close it with '%}')");
	assert_fails("\n{{ 'abc }}", PATH ":2: unterminated string");
	assert_fails("{{ a @ b }}", PATH ":1: unexpected character '@'");
	assert_fails("{{ a \x01 }}", PATH ":1: unexpected byte 0x01");
}

static void closing_tags_must_match(void **state)
{
	(void)state;
	assert_fails("a\n{% endif %}", PATH ":2: 'endif' without a matching 'if'");
	assert_fails("{% endfor %}", PATH ":1: 'endfor' without a matching 'for'");
	assert_fails("{% else %}", PATH ":1: 'else' without a matching 'if'");
	assert_fails("{% endmacro %}", PATH ":1: 'endmacro' without a matching 'macro'");
	assert_fails("{% if x %}\n{% endfor %}",
		     PATH ":2: 'endfor' where 'endif' was expected (the 'if' on line 1 is still "
			  "open)");
	assert_fails("{% for x in [] %}\n\n{% elif y %}{% endfor %}",
		     PATH ":3: 'elif' where 'endfor' was expected (the 'for' on line 1 is still "
			  "open)");
	assert_fails("{% if x %}{% endif y %}", PATH ":1: expected '%}', found 'y'");
}

static void missing_end_tags_name_the_opening_line(void **state)
{
	(void)state;
	assert_fails("SELECT\n{% if is_incremental() %}\nWHERE x\n",
		     PATH ":2: 'if' is never closed: no 'endif' before the end of the file");
	assert_fails("{% if a %}\n{% for x in [] %}\n{% endif %}",
		     PATH ":3: 'endif' where 'endfor' was expected (the 'for' on line 2 is still "
			  "open)");
	assert_fails("{% if a %}{% else %}\n\n{% for x in [] %}",
		     PATH ":3: 'for' is never closed: no 'endfor' before the end of the file");
}

static void elif_and_else_come_in_order(void **state)
{
	(void)state;
	assert_fails("{% if a %}1{% else %}2\n{% elif b %}3{% endif %}",
		     PATH ":2: 'elif' after the 'else' on line 1 (in the 'if' on line 1)");
	assert_fails("{% if a %}\n{% else %}\n{% else %}{% endif %}",
		     PATH ":3: 'else' after the 'else' on line 2 (in the 'if' on line 1)");
	assert_fails("{% if %}{% endif %}", PATH ":1: expected an expression, found '%}'");
	assert_fails("{% if a %}{% else b %}{% endif %}", PATH ":1: expected '%}', found 'b'");
}

static void malformed_tags_and_expressions(void **state)
{
	(void)state;
	assert_fails("{% include 'x.sql' %}", PATH ":1: unknown tag 'include'");
	assert_fails("{% %}", PATH ":1: expected a tag name after '{%', found '%}'");
	assert_fails("{{ }}", PATH ":1: expected an expression, found '}}'");
	assert_fails("{{ a b }}", PATH ":1: expected '}}', found 'b'");
	assert_fails("{{ (1 + 2 }}", PATH ":1: expected ')', found '}}'");
	assert_fails("{{ [1, 2 }}", PATH ":1: expected ',' or ']', found '}}'");
	assert_fails("{{ f(1 2) }}", PATH ":1: expected ',' or ')', found '2'");
	assert_fails("{{ 1 +\n\n }}", PATH ":3: expected an expression, found '}}'");
	assert_fails("{{ 'a' ~ }}", PATH ":1: expected an expression, found '}}'");
}

/* ---- the ref() search ---- */

static void refs_finds_every_ref_once_in_order(void **state)
{
	static const rat_template_source files[] = {
		{ "macros/helpers.sql",
		  "{% macro helper() %}{{ ref('silver.e') }}{{ inner() }}{% endmacro %}\n"
		  "{% macro inner(x=ref('gold.g')) %}{{ ref('bronze.b') }}{{ ref('gold.f') }}"
		  "{{ inner() }}{% endmacro %}\n"
		  "{% macro unused() %}{{ ref('gold.never') }}{% endmacro %}" },
	};
	rat_template_context tc = with_macros(files, 1);
	char *refs;
	(void)state;

	refs = refs_of(&tc, "SELECT * FROM {{ ref('bronze.a') }}\n"
			    "{% if is_incremental() %} JOIN {{ ref('bronze.b') }}"
			    "{% elif var('x') == ref('bronze.h') %}"
			    "{% else %} JOIN {{ ref('bronze.c') }}{% endif %}\n"
			    "{% for t in [ref('bronze.i')] %}{{ ref('bronze.d') }}"
			    "{{ ref('bronze.a') }}{% endfor %}\n"
			    "{% set s = ref('bronze.j') | upper %}"
			    "{{ helper() }}{{ helper() }}{{ local() }}"
			    "{% macro local() %}{{ ref('silver.k') }}{% endmacro %}"
			    "{% macro local_unused() %}{{ ref('silver.never') }}{% endmacro %}");
	assert_string_equal(refs, "bronze.a,bronze.b,bronze.h,bronze.c,bronze.i,bronze.d,"
				  "bronze.j,silver.e,gold.g,gold.f,silver.k");
	free(refs);
	refs = refs_of(&tc, "SELECT 1");
	assert_string_equal(refs, "");
	free(refs);
	/* refs() neither evaluates nor needs what rendering needs */
	refs = refs_of(&tc, "{% if nope() %}{{ ref('a') }}{% endif %}{{ this }}");
	assert_string_equal(refs, "a");
	free(refs);
}

static void refs_reports_errors_with_path_and_line(void **state)
{
	static const rat_template_source files[] = {
		{ "macros/src.sql", "\n{% macro src(t) %}\n{{ ref(t) }}{% endmacro %}" },
	};
	rat_template_context tc = with_macros(files, 1);
	rat_strarray names = RAT_STRARRAY_INIT;
	(void)state;

	assert_refs_fail(&tc, "{{ src('x') }}",
			 "macros/src.sql:3: ref() takes a quoted table name, like "
			 "ref('silver.orders')");
	/* a macro that is never called is not searched */
	assert_int_equal(rat_template__refs(&names, "{{ ref('a') }}", &tc), 0);
	assert_int_equal(names.count, 1);
	assert_string_equal(names.strings[0], "a");
	rat_strarray_free(&names);
	assert_refs_fail(&tc, "\n{% if x %}",
			 PATH ":2: 'if' is never closed: no 'endif' before "
			      "the end of the file");
	assert_refs_fail(&tc, "{{ ref(name='a') }}", PATH ":1: ref() takes no keyword arguments");
}

/* The examples of docs/templating.md, as written there. */
static void documented_examples_render_as_shown(void **state)
{
	static const rat_template_source files[] = {
		{ "macros/money.sql",
		  "{% macro cents(col, scale=100) -%}\n"
		  "  ({{ col }} * {{ scale }})::BIGINT\n"
		  "{%- endmacro %}\n"
		  "\n"
		  "{% macro dedupe(relation, key='id') -%}\n"
		  "  (SELECT * FROM {{ relation }} QUALIFY row_number() OVER (PARTITION BY "
		  "{{ key }}) = 1)\n"
		  "{%- endmacro %}\n" },
	};
	rat_template_context tc = with_macros(files, 1);
	char *refs;
	(void)state;

	assert_renders_with(&tc,
			    "SELECT\n"
			    "{%- for c in ['id', 'amount'] %}\n"
			    "  {{ c }}{% if not loop.last %},{% endif %}\n"
			    "{%- endfor %}\n"
			    "FROM t",
			    "SELECT\n  id,\n  amount\nFROM t");
	assert_renders_with(&tc,
			    "SELECT {{ cents('amount') }} AS amount_cents, "
			    "{{ cents('fee', scale=1000) }} AS fee_milli\n"
			    "FROM {{ dedupe(ref('bronze.sales'), key='order_id') }}",
			    "SELECT (amount * 100)::BIGINT AS amount_cents, "
			    "(fee * 1000)::BIGINT AS fee_milli\n"
			    "FROM (SELECT * FROM bronze.sales QUALIFY row_number() "
			    "OVER (PARTITION BY order_id) = 1)");
	refs = refs_of(&tc, "FROM {{ dedupe(ref('bronze.sales'), key='order_id') }}");
	assert_string_equal(refs, "bronze.sales");
	free(refs);
	assert_renders_with(&tc, "{{ '{{' }}|{{ ' A ' | trim | lower }}|{{ 'day_' ~ 1 }}",
			    "{{|a|day_1");
	assert_fails_with(&tc,
			  "{% macro src(name) %}{{ ref('bronze.' ~ name) }}{% endmacro %}\n"
			  "{{ src('x') }}",
			  RAT_EINVALID,
			  PATH ":1: ref() takes a quoted table name, like ref('silver.orders')");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_without_tags_is_kept_byte_for_byte),
		cmocka_unit_test(values_render_like_jinja_without_quotes),
		cmocka_unit_test(string_escapes_are_decoded),
		cmocka_unit_test(ref_calls_the_callback),
		cmocka_unit_test(ref_without_a_callback_renders_its_argument),
		cmocka_unit_test(ref_takes_one_quoted_name),
		cmocka_unit_test(this_renders_the_relation_written),
		cmocka_unit_test(is_incremental_picks_the_branch),
		cmocka_unit_test(watermark_calls_the_callback_or_renders_null),
		cmocka_unit_test(watermark_inside_a_string_renders_the_bare_value),
		cmocka_unit_test(var_uses_the_value_or_the_default),
		cmocka_unit_test(env_var_reads_the_callback_and_never_the_environment),
		cmocka_unit_test(run_started_at_and_landing_files_are_inserted_verbatim),
		cmocka_unit_test(set_defines_variables),
		cmocka_unit_test(for_loops_over_lists),
		cmocka_unit_test(if_nests_inside_for),
		cmocka_unit_test(comments_render_nothing),
		cmocka_unit_test(whitespace_control_trims_around_tags),
		cmocka_unit_test(filters_transform_values),
		cmocka_unit_test(filter_errors_name_the_filter),
		cmocka_unit_test(operators_compute_and_concatenate),
		cmocka_unit_test(comparisons_and_logic),
		cmocka_unit_test(type_errors_name_the_operator),
		cmocka_unit_test(division_by_zero_and_overflow_are_errors),
		cmocka_unit_test(macros_come_from_macro_files),
		cmocka_unit_test(macros_defined_in_the_text),
		cmocka_unit_test(an_error_inside_a_macro_names_the_macro_file),
		cmocka_unit_test(macro_calls_check_their_arguments),
		cmocka_unit_test(macro_definitions_are_checked),
		cmocka_unit_test(macro_recursion_is_capped),
		cmocka_unit_test(long_macro_chains_are_capped_in_refs_too),
		cmocka_unit_test(runaway_rendering_is_stopped),
		cmocka_unit_test(deep_nesting_is_capped),
		cmocka_unit_test(long_input_renders),
		cmocka_unit_test(unknown_functions_and_variables),
		cmocka_unit_test(unterminated_tags_name_where_they_open),
		cmocka_unit_test(closing_tags_must_match),
		cmocka_unit_test(missing_end_tags_name_the_opening_line),
		cmocka_unit_test(elif_and_else_come_in_order),
		cmocka_unit_test(malformed_tags_and_expressions),
		cmocka_unit_test(refs_finds_every_ref_once_in_order),
		cmocka_unit_test(refs_reports_errors_with_path_and_line),
		cmocka_unit_test(documented_examples_render_as_shown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
