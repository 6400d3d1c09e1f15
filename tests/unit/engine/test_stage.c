/*
 * tests/unit/engine/test_stage.c - a session's statements read a user's
 * folder only through a stager (engine/stage.c): each literal or quoted
 * name under the folder is handed to the stager and runs pointing at the
 * staged folder; a path spelled with ".." or not under the folder is left
 * alone; text results, messages (DuckDB's excerpt quoted from the
 * statement as given, its caret where the error is) and the text columns
 * of what librat writes show the user's folder; an error's position in
 * the user's SQL is counted in the SQL as given.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rat.h"
#include "util/common.h"
#include "util/buf.h"
#include "util/fs.h"
#include "engine/engine.h"
#include "engine/engine_internal.h"

static rat_engine *engine;
static char *dir, *from, *to;
static rat_strarray asked = RAT_STRARRAY_INIT;

/* The stager: records what it was asked for; the staged folder holds copies written by the test. */
static int record(void *payload, const char *rel)
{
	(void)payload;
	return rat_strarray__push(&asked, rel);
}

static char *query_text(const char *sql)
{
	rat_result *r = NULL;
	const char *text = NULL;
	char *copy;

	TEST_OK(rat_engine_query(&r, engine, sql));
	assert_int_equal(rat_result_next(r), 1);
	TEST_OK(rat_result_get_text(r, 0, &text, NULL));
	copy = strdup(text);
	rat_result_free(r);
	return copy;
}

static void literals_under_the_folder_are_staged(void **state)
{
	char sql[2048], *text;
	(void)state;
	rat_strarray_free(&asked);
	snprintf(sql, sizeof(sql),
		 "SELECT count(*) FROM read_csv(['%s/sales/a.csv', '%s/sales/*.csv'], filename = true) "
		 "WHERE filename <> '%s-other/x.csv'",
		 from, from, from);
	text = query_text(sql);
	assert_string_equal(text, "5"); /* a.csv, then a.csv and b.csv */
	free(text);
	assert_int_equal(asked.count, 2);
	assert_string_equal(asked.strings[0], "sales/a.csv");
	assert_string_equal(asked.strings[1], "sales/*.csv");
	/* the filename column, and any text naming the staged folder, shows the user's */
	rat_strarray_free(&asked);
	snprintf(sql, sizeof(sql), "SELECT min(filename) FROM read_csv('%s/sales/a.csv', filename = true)",
		 from);
	text = query_text(sql);
	snprintf(sql, sizeof(sql), "%s/sales/a.csv", from);
	assert_string_equal(text, sql);
	free(text);
	/* a quoted name too (FROM "file.csv"), and the folder itself */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM \"%s/sales/a.csv\"", from);
	text = query_text(sql);
	assert_string_equal(text, "2");
	free(text);
	snprintf(sql, sizeof(sql), "SELECT '%s' || '/x'", from);
	text = query_text(sql);
	assert_string_equal(asked.strings[asked.count - 1], "");
	free(text);
}

static void other_spellings_are_left_alone(void **state)
{
	char sql[1024];
	(void)state;
	rat_strarray_free(&asked);
	/* ".." is not staged: the path runs as written (and a locked session refuses it) */
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM read_csv('%s/../x/sales/a.csv')", from);
	assert_int_not_equal(rat_engine_exec(engine, sql), 0);
	snprintf(sql, sizeof(sql), "SELECT '%sx/a.csv', E'%s/a.csv'", from, from);
	TEST_OK(rat_engine_exec(engine, sql));
	assert_int_equal(asked.count, 0);
}

/* The excerpt at the end of message: its text after "LINE n: ", and what its caret points at. */
static char caret_points_at(const char *message, const char **quoted)
{
	const char *line = strstr(message, "\nLINE "), *text, *nl, *caret;

	assert_non_null(line);
	text = strstr(line, ": ") + 2;
	nl = strchr(text, '\n');
	assert_non_null(nl);
	caret = strchr(nl, '^');
	assert_non_null(caret);
	*quoted = text;
	return line[1 + (caret - nl - 1)];
}

static void messages_quote_the_statement_as_given(void **state)
{
	char sql[2048], want[4096];
	const char *message, *quoted;
	(void)state;
	/* the caret on the error, before the path and after it, on a line DuckDB cuts or not */
	snprintf(sql, sizeof(sql), "SELECT nope FROM read_csv('%s/sales/a.csv')", from);
	assert_int_not_equal(rat_engine_exec(engine, sql), 0);
	message = rat_error_last()->message;
	assert_null(strstr(message, to));
	assert_int_equal(caret_points_at(message, &quoted), 'n');
	assert_memory_equal(quoted, "SELECT nope FROM", 16);
	snprintf(sql, sizeof(sql), "SELECT 1 FROM read_csv('%s/sales/a.csv') WHERE nope = 2", from);
	assert_int_not_equal(rat_engine_exec(engine, sql), 0);
	message = rat_error_last()->message;
	assert_null(strstr(message, to));
	assert_int_equal(caret_points_at(message, &quoted), 'n');
	assert_non_null(strstr(quoted, "nope = 2"));
	/* a file that is not there is named as the user named it */
	snprintf(sql, sizeof(sql), "SELECT * FROM read_csv('%s/sales/none.csv')", from);
	assert_int_not_equal(rat_engine_exec(engine, sql), 0);
	snprintf(want, sizeof(want), "\"%s/sales/none.csv\"", from);
	assert_non_null(strstr(rat_error_last()->message, want));
	assert_null(strstr(rat_error_last()->message, to));
}

static void positions_count_in_the_user_sql(void **state)
{
	char user[1024], wrapped[1200];
	size_t at = 0;
	(void)state;
	snprintf(user, sizeof(user), "SELECT *\nFROM read_csv('%s/sales/a.csv') WHERE nope = 1", from);
	snprintf(wrapped, sizeof(wrapped), "SELECT * FROM (%s\n) LIMIT 0", user);
	TEST_OK(rat_engine__set_user_sql(engine, user));
	assert_int_not_equal(rat_engine_exec(engine, wrapped), 0);
	assert_true(rat_error__position(&at));
	assert_int_equal(at, (size_t)(strstr(user, "nope") - user));
	TEST_OK(rat_engine__set_user_sql(engine, NULL));
}

static void written_text_columns_are_unstaged(void **state)
{
	char sql[1024], *out = NULL, *text;
	(void)state;
	snprintf(sql, sizeof(sql),
		 "SELECT id, filename AS f FROM read_csv('%s/sales/a.csv', filename = true)", from);
	TEST_OK(rat_engine__unstaged_select(engine, sql, &out));
	assert_non_null(out);
	assert_non_null(strstr(out, "REPLACE (replace(\"f\", "));
	assert_null(strstr(out, "replace(\"id\""));
	/* its rows, as DuckDB gives them to the writer, name the user's folder */
	{
		char *min = rat__sprintf("SELECT min(f) FROM (%s)", out);
		assert_non_null(min);
		text = query_text(min);
		free(min);
	}
	snprintf(sql, sizeof(sql), "%s/sales/a.csv", from);
	assert_string_equal(text, sql);
	free(text);
	free(out);
	/* no text column: nothing to wrap */
	TEST_OK(rat_engine__unstaged_select(engine, "SELECT 1 AS n", &out));
	assert_null(out);
}

static void edits_map_back(void **state)
{
	rat_engine_edits edits = { NULL, 0, 0 };
	rat_engine_edit items[2] = { { 10, 5, 20 }, { 40, 5, 8 } };
	(void)state;
	edits.items = items;
	edits.count = 2;
	assert_int_equal(rat_engine__edits_unmap(&edits, 3), 3);
	assert_int_equal(rat_engine__edits_unmap(&edits, 12), 10);  /* inside the first literal */
	assert_int_equal(rat_engine__edits_unmap(&edits, 30), 15);  /* between */
	assert_int_equal(rat_engine__edits_unmap(&edits, 56), 40);  /* inside the second: 55..63 */
	assert_int_equal(rat_engine__edits_unmap(&edits, 70), 52);  /* after both: +15, +3 */
	assert_int_equal(rat_engine__edits_unmap(NULL, 7), 7);
}

static int setup(void **state)
{
	rat_engine_config config = { 256, 1, NULL };
	rat_engine_stager stager = { NULL, NULL, record, NULL, NULL };
	(void)state;
	dir = test_tmpdir("engine_stage");
	from = rat__sprintf("%s/landing", dir);
	to = rat__sprintf("%s/staged-here", dir);
	test_write(to, "sales/a.csv", "id\n1\n2\n");
	test_write(to, "sales/b.csv", "id\n3\n");
	if (rat_engine__open(&engine, &config) != 0)
		return -1;
	stager.from = from;
	stager.to = to;
	return rat_engine__add_stager(engine, &stager);
}

static int teardown(void **state)
{
	(void)state;
	rat_engine_free(engine);
	rat_strarray_free(&asked);
	rat_fs__remove_tree(dir);
	free(dir);
	free(from);
	free(to);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(literals_under_the_folder_are_staged),
		cmocka_unit_test(other_spellings_are_left_alone),
		cmocka_unit_test(messages_quote_the_statement_as_given),
		cmocka_unit_test(positions_count_in_the_user_sql),
		cmocka_unit_test(written_text_columns_are_unstaged),
		cmocka_unit_test(edits_map_back),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
