/*
 * tests/unit/pipeline/test_watermark.c - what watermark('col') renders:
 * the column's highest value as a typed literal, and while the column holds
 * no value (an empty table, only NULLs) a literal below every value of its
 * type, so that `col > watermark` keeps every row rather than none.
 */
#include "helpers.h"

#include <stdio.h>
#include <string.h>

#include "rat.h"
#include "util/common.h"
#include "util/buf.h"
#include "pipeline/pipeline.h"

static test_session s;

/*
 * watermark('x') over a one-column table t of type, holding values (a
 * VALUES list or ""); bare: as inside a SQL string.
 */
static const char *render_as(const char *type, const char *values, bool bare, int *code)
{
	static char text[256];
	rat_buf out = RAT_BUF_INIT;
	char sql[512];

	snprintf(sql, sizeof(sql), "CREATE OR REPLACE TABLE t (x %s); %s%s", type,
		 values[0] ? "INSERT INTO t VALUES " : "", values);
	assert_int_equal(rat_engine_exec(s.engine, sql), 0);
	*code = rat_pipeline__watermark(&out, s.engine, "t", "x", bare);
	snprintf(text, sizeof(text), "%s", rat_buf_cstr(&out));
	rat_buf_free(&out);
	return text;
}

static const char *render(const char *type, const char *values, int *code)
{
	return render_as(type, values, false, code);
}

static void the_highest_value_as_a_typed_literal(void **state)
{
	int code;
	(void)state;

	assert_string_equal(render("INTEGER", "(1), (7), (NULL)", &code), "CAST('7' AS INTEGER)");
	assert_string_equal(render("TIMESTAMP", "('2024-03-01 10:00:00')", &code),
			    "CAST('2024-03-01 10:00:00' AS TIMESTAMP)");
	assert_string_equal(render("VARCHAR", "('b'), ('a')", &code), "CAST('b' AS VARCHAR)");
	assert_int_equal(code, 0);
}

/* With no value, the literal keeps every row of a filter `x > watermark`. */
static void no_value_yet_keeps_every_row(void **state)
{
	static const struct {
		const char *type, *literal, *probe;
	} cases[] = {
		{ "INTEGER", "CAST('-inf' AS DOUBLE)", "-2147483648" },
		{ "BIGINT", "CAST('-inf' AS DOUBLE)", "-9223372036854775808" },
		{ "DECIMAL(18,3)", "CAST('-inf' AS DOUBLE)", "-999999999999999.999" },
		{ "DOUBLE", "CAST('-inf' AS DOUBLE)", "-1e308" },
		{ "DATE", "CAST('-infinity' AS DATE)", "'0001-01-01'" },
		{ "TIMESTAMP", "CAST('-infinity' AS TIMESTAMP)", "'0001-01-01 00:00:00'" },
		{ "TIMESTAMP WITH TIME ZONE", "CAST('-infinity' AS TIMESTAMP WITH TIME ZONE)",
		  "'1970-01-01 00:00:00+00'" },
		{ "VARCHAR", "''", "' '" },
	};
	rat_result *result = NULL;
	char sql[512];
	size_t i;
	int code, keeps = 0;
	(void)state;

	for (i = 0; i < RAT_ARRAY_SIZE(cases); i++) {
		const char *empty = render(cases[i].type, "", &code);
		assert_int_equal(code, 0);
		assert_string_equal(empty, cases[i].literal);
		/* only NULLs: the same */
		assert_string_equal(render(cases[i].type, "(NULL)", &code), cases[i].literal);
		snprintf(sql, sizeof(sql), "SELECT CAST(%s AS %s) > %s", cases[i].probe,
			 cases[i].type, cases[i].literal);
		assert_int_equal(rat_engine_query(&result, s.engine, sql), 0);
		assert_int_equal(rat_result_next(result), 1);
		assert_int_equal(rat_result_get_bool(result, 0, &keeps), 0);
		if (!keeps)
			fail_msg("%s: %s does not keep %s", cases[i].type, cases[i].literal,
				 cases[i].probe);
		rat_result_free(result);
		result = NULL;
	}
}

static void a_type_with_no_lowest_value_is_an_error(void **state)
{
	int code;
	(void)state;

	render("BOOLEAN", "", &code);
	assert_int_equal(code, RAT_EINVALID);
	assert_string_equal(rat_error_last()->message,
			    "watermark('x'): the column holds no value yet, and a BOOLEAN has no "
			    "lowest value to stand for it (guard the filter with "
			    "{% if is_incremental() %})");
}

/* '{{ watermark('x') }}' (the original Ratatouille's form): the text, or its default. */
static void inside_a_string_the_bare_value_or_1970(void **state)
{
	int code;
	(void)state;

	assert_string_equal(render_as("TIMESTAMP", "('2024-03-01 10:00:00')", true, &code),
			    "2024-03-01 10:00:00");
	assert_string_equal(render_as("VARCHAR", "('it''s')", true, &code), "it's");
	assert_string_equal(render_as("TIMESTAMP", "", true, &code), "1970-01-01 00:00:00");
	assert_string_equal(render_as("BOOLEAN", "(NULL)", true, &code), "1970-01-01 00:00:00");
	assert_int_equal(code, 0);
}

static int setup(void **state)
{
	test_session_open(&s, "pipeline_watermark");
	*state = &s;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_highest_value_as_a_typed_literal),
		cmocka_unit_test(no_value_yet_keeps_every_row),
		cmocka_unit_test(a_type_with_no_lowest_value_is_an_error),
		cmocka_unit_test(inside_a_string_the_bare_value_or_1970),
	};
	return cmocka_run_group_tests(tests, setup, test_session_teardown);
}
