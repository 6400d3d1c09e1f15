/*
 * tests/unit/engine/test_position.c - an engine error inside the session's
 * user SQL carries its byte offset there, whatever wrapper librat put
 * around it, and loses DuckDB's excerpt; one in the wrapper loses the
 * excerpt and has no position; one in a statement without the user's SQL,
 * or in a session that names none, is DuckDB's message untouched.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rat.h"
#include "util/common.h"
#include "engine/engine.h"

static rat_engine *engine;
static char *dir;

/* Run sql; it must fail. *offset receives the position, -1 for none. */
static const char *fails(const char *sql, long *offset)
{
	size_t at = 0;

	if (rat_engine_exec(engine, sql) == 0)
		fail_msg("ran: %s", sql);
	*offset = rat_error__position(&at) ? (long)at : -1;
	return rat_error_last()->message;
}

#define USER "SELECT n,\n  n + 1 AS m,\n  nope AS x\nFROM range(3) t(n)"

static void error_in_the_user_sql_is_a_position_there(void **state)
{
	long at;
	(void)state;
	assert_int_equal(rat_engine__set_user_sql(engine, USER), 0);
	/* as is, wrapped on its first line, and wrapped on lines of its own */
	assert_string_equal(fails(USER, &at),
			    "Binder Error: Referenced column \"nope\" not found in FROM clause!\n"
			    "Candidate bindings: \"n\"");
	assert_int_equal(at, (long)(strstr(USER, "nope") - USER));
	fails("SELECT * FROM (" USER "\n) LIMIT 0", &at);
	assert_int_equal(at, (long)(strstr(USER, "nope") - USER));
	assert_string_equal(fails("COPY (SELECT 1 AS a,\n* FROM (\n" USER ") AS q) TO '/dev/null'", &at),
			    "Binder Error: Referenced column \"nope\" not found in FROM clause!\n"
			    "Candidate bindings: \"n\"");
	assert_int_equal(at, (long)(strstr(USER, "nope") - USER));
	assert_int_equal(rat_engine__set_user_sql(engine, NULL), 0);
}

static void syntax_errors_and_long_lines_are_placed(void **state)
{
	const char *user = "SELECT 1 AS a, 2 AS b, 3 AS c, 4 AS d, 5 AS e, 6 AS f, 7 AS g, 8 AS h, "
			   "9 AS i, 10 AS j, 11 AS k, 12 AS l, 13 AS m, 14 AS n FROM range(1) "
			   "t(x) WHERE x > 0 ORDER BY x DESCC, x, x, x, x, x, x, x, x, x, x, x, "
			   "x, x, x, x";
	char wrapped[1024];
	long at;
	(void)state;
	assert_int_equal(rat_engine__set_user_sql(engine, user), 0);
	snprintf(wrapped, sizeof(wrapped), "SELECT * FROM (%s\n) LIMIT 0", user);
	/* DuckDB cuts the line to 80 columns around the error, with "..." */
	assert_string_equal(fails(wrapped, &at), "Parser Error: syntax error at or near \"DESCC\"");
	assert_int_equal(at, (long)(strstr(user, "DESCC") - user));
	assert_int_equal(rat_engine__set_user_sql(engine, NULL), 0);
}

static void error_in_the_wrapper_loses_the_excerpt(void **state)
{
	long at;
	(void)state;
	assert_int_equal(rat_engine__set_user_sql(engine, "SELECT 1 AS a"), 0);
	assert_string_equal(fails("SELECT zz FROM (SELECT 1 AS a\n)", &at),
			    "Binder Error: Referenced column \"zz\" not found in FROM clause!\n"
			    "Candidate bindings: \"a\"");
	assert_int_equal(at, -1);
	assert_int_equal(rat_engine__set_user_sql(engine, NULL), 0);
}

static void other_statements_keep_duckdb_message(void **state)
{
	long at;
	(void)state;
	/* no user SQL named */
	assert_string_equal(fails("SELECT\n  zz", &at),
			    "Binder Error: Referenced column \"zz\" was not found because the FROM "
			    "clause is missing\n\nLINE 2:   zz\n          ^");
	assert_int_equal(at, -1);
	/* a statement that does not hold it */
	assert_int_equal(rat_engine__set_user_sql(engine, "SELECT 1 AS a"), 0);
	assert_non_null(strstr(fails("SELECT\n  zz", &at), "\n\nLINE 2:   zz\n          ^"));
	assert_int_equal(at, -1);
	assert_int_equal(rat_engine__set_user_sql(engine, NULL), 0);
}

static int setup(void **state)
{
	rat_engine_config config = { 256, 1, NULL };
	char temp[4200];

	(void)state;
	dir = test_tmpdir("engine_position");
	snprintf(temp, sizeof(temp), "%s/spill", dir);
	config.temp_dir = temp;
	if (rat_engine__open(&engine, &config) != 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rat_engine_free(engine);
	test_rmtree(dir);
	free(dir);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(error_in_the_user_sql_is_a_position_there),
		cmocka_unit_test(syntax_errors_and_long_lines_are_placed),
		cmocka_unit_test(error_in_the_wrapper_loses_the_excerpt),
		cmocka_unit_test(other_statements_keep_duckdb_message),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
