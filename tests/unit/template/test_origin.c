/*
 * tests/unit/template/test_origin.c - a rendering's map says which file and
 * line each rendered byte came from: text between tags by its own lines
 * (after {% for %} loops and whitespace control), {{ expr }} by its tag, a
 * macro's text by the macro file's lines with the outermost call, and
 * rat_template__describe() shows the source line, the compiled one and a
 * caret.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rat.h"
#include "util/common.h"
#include "util/buf.h"
#include "template/template.h"

#define PATH "pipelines/silver/x.sql"
#define MACROS "macros/m.sql"

static const rat_template_source macro_files[] = {
	{ MACROS, "{% macro inner(c) %}\n"
		  "coalesce({{ c }}, 0)\n"
		  "{%- endmacro %}\n"
		  "{% macro outer(c) %}\n"
		  "  {{ inner(c) }}\n"
		  "  + bonus\n"
		  "{%- endmacro %}\n" },
};

static const char *var_of(void *ctx, const char *name)
{
	(void)ctx;
	return !strcmp(name, "two_lines") ? "a\nb" : NULL;
}

typedef struct rendering {
	rat_buf out;
	rat_template_map map;
} rendering;

static void render(rendering *r, const char *text)
{
	rat_template_context tc = RAT_TEMPLATE_CONTEXT_INIT;

	memset(r, 0, sizeof(*r));
	tc.path = PATH;
	tc.macros = macro_files;
	tc.macro_count = RAT_ARRAY_SIZE(macro_files);
	tc.var = var_of;
	tc.map = &r->map;
	if (rat_template__render(&r->out, text, &tc) != 0)
		fail_msg("%s", rat_error_last()->message);
}

static void done(rendering *r)
{
	rat_buf_free(&r->out);
	rat_template__map_free(&r->map);
}

/* "path:line" or "path:line<call_path:call_line" of the first occurrence of needle. */
static const char *origin_of(const rendering *r, const char *needle)
{
	static char text[256];
	const char *hit = strstr(rat_buf_cstr(&r->out), needle);
	const rat_template_origin *o;

	if (!hit)
		fail_msg("'%s' not in: %s", needle, rat_buf_cstr(&r->out));
	o = rat_template__origin(&r->map, (size_t)(hit - rat_buf_cstr(&r->out)));
	if (!o)
		return "unknown";
	if (o->call_path)
		snprintf(text, sizeof(text), "%s:%d<%s:%d", o->path, o->line, o->call_path,
			 o->call_line);
	else
		snprintf(text, sizeof(text), "%s:%d", o->path, o->line);
	return text;
}

static void text_and_loops_map_to_their_lines(void **state)
{
	rendering r;
	(void)state;
	render(&r, "-- one\n"
		   "SELECT n,\n"
		   "{% for c in ['a', 'b'] %}\n"
		   "  n AS col_{{ c }},\n"
		   "{% endfor %}\n"
		   "{%- if true -%}\n"
		   "  {{ var('two_lines') }} AS v\n"
		   "{%- endif %}\n"
		   "FROM t\n"
		   "ORDER BY n DESCC\n");
	assert_string_equal(origin_of(&r, "SELECT"), PATH ":2");
	assert_string_equal(origin_of(&r, "n AS col_a"), PATH ":4");
	assert_string_equal(origin_of(&r, "col_b"), PATH ":4");
	assert_string_equal(origin_of(&r, "a\nb"), PATH ":7");
	assert_string_equal(origin_of(&r, "b AS v"), PATH ":7");
	assert_string_equal(origin_of(&r, "FROM"), PATH ":9");
	assert_string_equal(origin_of(&r, "DESCC"), PATH ":10");
	done(&r);
}

static void macro_text_maps_to_the_macro_and_its_call(void **state)
{
	rendering r;
	(void)state;
	render(&r, "SELECT\n"
		   "  {{ inner('x') }} AS a,\n"
		   "  {{ outer('y') }} AS b,\n"
		   "  {{ inner('z') | upper }} AS c\n");
	assert_string_equal(origin_of(&r, "coalesce(x"), MACROS ":2<" PATH ":2");
	assert_string_equal(origin_of(&r, " AS a"), PATH ":2");
	/* a macro calling a macro: the inner file line, the outermost call */
	assert_string_equal(origin_of(&r, "coalesce(y"), MACROS ":2<" PATH ":3");
	assert_string_equal(origin_of(&r, "bonus"), MACROS ":6<" PATH ":3");
	assert_string_equal(origin_of(&r, " AS b"), PATH ":3");
	/* a filter made new text: the call's line */
	assert_string_equal(origin_of(&r, "COALESCE(Z"), PATH ":4");
	done(&r);
}

static void describe_shows_the_source_and_the_compiled_line(void **state)
{
	rat_buf where = RAT_BUF_INIT, excerpt = RAT_BUF_INIT;
	rendering r;
	const char *out;
	(void)state;
	render(&r, "SELECT n,\n"
		   "\tn + {{ 1 }} AS m, nope\n"
		   "FROM t ORDER BY n DESCC\n"
		   "-- {{ outer('q') }}\n");
	out = rat_buf_cstr(&r.out);
	assert_int_equal(rat_template__describe(&where, &excerpt, &r.map, out,
						(size_t)(strstr(out, "nope") - out)),
			 0);
	assert_string_equal(rat_buf_cstr(&where), PATH ":2");
	assert_string_equal(rat_buf_cstr(&excerpt), "    line 2 | \tn + {{ 1 }} AS m, nope\n"
						     "  compiled | \tn + 1 AS m, nope\n"
						     "           | \t            ^");
	rat_buf_clear(&where);
	rat_buf_clear(&excerpt);
	assert_int_equal(rat_template__describe(&where, &excerpt, &r.map, out,
						(size_t)(strstr(out, "DESCC") - out)),
			 0);
	assert_string_equal(rat_buf_cstr(&where), PATH ":3");
	assert_string_equal(rat_buf_cstr(&excerpt), "  line 3 | FROM t ORDER BY n DESCC\n"
						     "         |                   ^");
	rat_buf_clear(&where);
	rat_buf_clear(&excerpt);
	assert_int_equal(rat_template__describe(&where, &excerpt, &r.map, out,
						(size_t)(strstr(out, "bonus") - out)),
			 0);
	assert_string_equal(rat_buf_cstr(&where), MACROS ":6 (called from " PATH ":4)");
	/* the macro's lines start lines of their own: shown as they are */
	assert_string_equal(rat_buf_cstr(&excerpt), "  line 6 |   + bonus\n"
						     "         |     ^");
	assert_int_equal(rat_template__describe(&where, &excerpt, &r.map, out, strlen(out) + 1),
			 RAT_ENOTFOUND);
	rat_buf_free(&where);
	rat_buf_free(&excerpt);
	done(&r);
}

static void long_lines_are_cut_around_the_caret(void **state)
{
	rat_buf where = RAT_BUF_INIT, excerpt = RAT_BUF_INIT, text = RAT_BUF_INIT;
	rendering r;
	const char *out, *hit;
	char expected[512];
	int i;
	(void)state;
	assert_int_equal(rat_buf_puts(&text, "SELECT "), 0);
	for (i = 0; i < 30; i++)
		assert_int_equal(rat_buf_printf(&text, "c%02d, ", i), 0);
	assert_int_equal(rat_buf_puts(&text, "nope"), 0);
	for (i = 30; i < 60; i++)
		assert_int_equal(rat_buf_printf(&text, ", c%02d", i), 0);
	render(&r, rat_buf_cstr(&text));
	out = rat_buf_cstr(&r.out);
	hit = strstr(out, "nope");
	assert_int_equal(rat_template__describe(&where, &excerpt, &r.map, out, (size_t)(hit - out)),
			 0);
	/* 50 bytes before the caret, 100 in all, "..." at each cut end; the caret under nope */
	snprintf(expected, sizeof(expected),
		 "  line 1 | ...c20, c21, c22, c23, c24, c25, c26, c27, c28, c29, nope, c30, c31, "
		 "c32, c33, c34, c35, c36, c37, c38,...\n         | %*s^", 53, "");
	assert_string_equal(rat_buf_cstr(&excerpt), expected);
	rat_buf_free(&where);
	rat_buf_free(&excerpt);
	rat_buf_free(&text);
	done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(text_and_loops_map_to_their_lines),
		cmocka_unit_test(macro_text_maps_to_the_macro_and_its_call),
		cmocka_unit_test(describe_shows_the_source_and_the_compiled_line),
		cmocka_unit_test(long_lines_are_cut_around_the_caret),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
