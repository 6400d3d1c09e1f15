/*
 * tests/unit/util/test_util.c - buffers keep their size cap, paths
 * normalise, symbolic links are found at any depth, the last error is per
 * thread and keeps context, YAML positions, the words of SQL text and
 * where its statements start and end, a child past its deadline is killed.
 */
#include "helpers.h"

#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "rat.h"
#include "util/common.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/proc.h"
#include "util/sql.h"
#include "util/yaml.h"

static void buffer_refuses_to_grow_past_its_cap(void **state)
{
	rat_buf buf = RAT_BUF_INIT;
	(void)state;

	buf.max = 10;
	assert_int_equal(rat_buf_puts(&buf, "0123456789"), 0);
	assert_int_equal(rat_buf_putc(&buf, 'x'), RAT_ETOOBIG);
	assert_int_equal(buf.len, 10);
	assert_string_equal(rat_buf_cstr(&buf), "0123456789");
	assert_int_equal(rat_buf_printf(&buf, "%d", 1), RAT_ETOOBIG);
	rat_buf_clear(&buf);
	assert_int_equal(rat_buf_printf(&buf, "%s-%d", "ab", 12), 0);
	assert_string_equal(rat_buf_cstr(&buf), "ab-12");
	rat_buf_free(&buf);
}

static void paths_normalise(void **state)
{
	static const char *const cases[][2] = {
		{ "/a/b/../c", "/a/c" }, { "/a/./b//c/", "/a/b/c" }, { "/../..", "/" },
		{ "/", "/" },           { "/a/b/..", "/a" },         { "/x/y/../../z", "/z" },
	};
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *p = rat_fs__absolute(cases[i][0]);
		assert_string_equal(p, cases[i][1]);
		free(p);
	}
	char *b = rat_fs__basename("/a/b/c/");
	assert_string_equal(b, "c");
	free(b);
	char *d = rat_fs__dirname("/a/b");
	assert_string_equal(d, "/a");
	free(d);
}

/* What opening root/rel below root says: 0, or the error's message. */
static const char *open_below(const char *root, const char *rel)
{
	int fd = -1;

	if (rat_fs__open_below(&fd, root, rel, O_RDONLY) != 0)
		return rat_error_last()->message;
	close(fd);
	return "";
}

static void open_below_follows_no_link(void **state)
{
	char *dir = test_tmpdir("open_below"), root[4200], path[4200], target[4200], want[4400];
	(void)state;

	snprintf(root, sizeof(root), "%s/landing", dir);
	test_write(root, "a/b/file.csv", "x\n1\n");
	test_write(dir, "other/secret.csv", "x\n2\n");
	assert_string_equal(open_below(root, "a/b/file.csv"), "");
	assert_string_equal(open_below(root, "a/b/"), "");
	assert_string_equal(open_below(root, ""), "");
	/* the file a link, a folder on the way a link, the root itself a link */
	snprintf(path, sizeof(path), "%s/a/b/link.csv", root);
	snprintf(target, sizeof(target), "%s/other/secret.csv", dir);
	assert_int_equal(symlink(target, path), 0);
	snprintf(want, sizeof(want), "%s/a/b/link.csv is a symbolic link: links are not followed here",
		 root);
	assert_non_null(strstr(open_below(root, "a/b/link.csv"), want));
	snprintf(path, sizeof(path), "%s/a/c", root);
	snprintf(target, sizeof(target), "%s/other", dir);
	assert_int_equal(symlink(target, path), 0);
	snprintf(want, sizeof(want), "%s/a/c is a symbolic link", root);
	assert_non_null(strstr(open_below(root, "a/c/secret.csv"), want));
	snprintf(path, sizeof(path), "%s/alias", dir);
	assert_int_equal(symlink(root, path), 0);
	assert_non_null(strstr(open_below(path, "a/b/file.csv"), "is a symbolic link"));
	/* no way up, no way through a file, nothing there */
	assert_non_null(strstr(open_below(root, "a/../../other/secret.csv"), "not a plain path"));
	assert_non_null(strstr(open_below(root, "a/b/file.csv/x"), "is not a folder"));
	assert_non_null(strstr(open_below(root, "a/none.csv"), "no such file or folder"));
	{
		int fd = -1;
		assert_int_equal(rat_fs__open_below(&fd, root, "a/none.csv", O_RDONLY), RAT_ENOTFOUND);
		assert_int_equal(fd, -1);
	}
	test_rmtree(dir);
	free(dir);
}

static void symlinks_are_found_at_any_depth(void **state)
{
	char *dir = test_tmpdir("symlinks"), *found = (char *)"x", path[4200], target[4200];
	(void)state;

	snprintf(path, sizeof(path), "%s/missing", dir);
	assert_int_equal(rat_fs__find_symlink(&found, path), 0);
	assert_null(found);
	test_write(dir, "a/b/c/file.csv", "x\n1\n");
	test_write(dir, "a/other.csv", "x\n2\n");
	assert_int_equal(rat_fs__find_symlink(&found, dir), 0);
	assert_null(found);
	/* deep inside */
	snprintf(path, sizeof(path), "%s/a/b/c/link.csv", dir);
	snprintf(target, sizeof(target), "%s/a/other.csv", dir);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(rat_fs__find_symlink(&found, dir), 0);
	assert_non_null(found);
	assert_string_equal(found, path);
	free(found);
	/* a dangling link is found too, and so is the folder itself being one */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(symlink("/nonexistent/target", path), 0);
	assert_int_equal(rat_fs__find_symlink(&found, dir), 0);
	assert_string_equal(found, path);
	free(found);
	snprintf(target, sizeof(target), "%s/a", dir);
	snprintf(path, sizeof(path), "%s/alias", dir);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(rat_fs__find_symlink(&found, path), 0);
	assert_string_equal(found, path);
	free(found);
	test_rmtree(dir);
	free(dir);
}

static void *set_error_in_thread(void *arg)
{
	(void)arg;
	rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG, "from the other thread");
	return NULL;
}

static void errors_are_per_thread_and_keep_context(void **state)
{
	pthread_t thread;
	(void)state;

	rat_error_clear();
	assert_string_equal(rat_error_last()->message, "");
	assert_int_equal(rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_WORKSPACE, "thing %d", 7),
			 RAT_ENOTFOUND);
	pthread_create(&thread, NULL, set_error_in_thread, NULL);
	pthread_join(thread, NULL);
	assert_string_equal(rat_error_last()->message, "thing 7");
	rat_error__prefix("loading %s", "x");
	assert_string_equal(rat_error_last()->message, "loading x: thing 7");
	assert_int_equal(rat_error_last()->klass, RAT_ERRCLASS_WORKSPACE);
	/* a code returned without a message still reaches the user as words */
	rat_error__ensure(RAT_EIO);
	assert_string_equal(rat_error_last()->message, "loading x: thing 7");
	rat_error_clear();
	rat_error__ensure(RAT_ECONFLICT);
	assert_non_null(strstr(rat_error_last()->message, "error -10: conflict"));
	rat_error_clear();
	rat_error__ensure(-99);
	assert_non_null(strstr(rat_error_last()->message, "error -99: unknown"));
	rat_error_clear();
}

static void yaml_errors_point_at_the_key(void **state)
{
	static const char *const allowed[] = { "name", "resources", NULL };
	static const char text[] = "name: x\n"
				   "resources:\n"
				   "  profile: small\n"
				   "resourcez: 1\n";
	rat_yaml *yaml = NULL;
	(void)state;

	assert_int_equal(rat_yaml__parse(&yaml, text, strlen(text), "ws.yaml"), 0);
	assert_int_equal(rat_yaml__check_mapping(yaml, rat_yaml__root(yaml), "", allowed),
			 RAT_EINVALID);
	assert_string_equal(rat_error_last()->message,
			    "ws.yaml:4:1: resourcez: unknown key, did you mean 'resources'? "
			    "(allowed: name, resources)");
	rat_yaml__free(yaml);

	static const char dup[] = "name: x\nresources: {}\nname: y\n";
	assert_int_equal(rat_yaml__parse(&yaml, dup, strlen(dup), "ws.yaml"), RAT_EINVALID);
	assert_string_equal(rat_error_last()->message,
			    "ws.yaml:3:1: name: duplicate key (first given on line 1)");
	static const char nested[] = "name: x\nlist:\n  - a: 1\n    b: 2\n    a: 3\n";
	assert_int_equal(rat_yaml__parse(&yaml, nested, strlen(nested), "ws.yaml"), RAT_EINVALID);
	assert_string_equal(rat_error_last()->message,
			    "ws.yaml:5:5: list[0].a: duplicate key (first given on line 3)");

	/* anchors, aliases and merge keys are expanded */
	static const char anchors[] = "base: &b\n  profile: tiny\nname: x\nresources: *b\n";
	assert_int_equal(rat_yaml__parse(&yaml, anchors, strlen(anchors), "ws.yaml"), 0);
	rat_yaml_field section, field;
	assert_true(rat_yaml__field(&section, rat_yaml__root(yaml), "", "resources"));
	assert_true(rat_yaml__field(&field, section.value, section.path, "profile"));
	assert_string_equal(field.path, "resources.profile");
	rat_yaml__free(yaml);
	static const char dangling[] = "name: x\nresources: *nope\n";
	assert_int_equal(rat_yaml__parse(&yaml, dangling, strlen(dangling), "ws.yaml"), RAT_EINVALID);
	assert_null(yaml);

	static const char broken[] = "name: x\nresources: [1, 2\n";
	assert_int_equal(rat_yaml__parse(&yaml, broken, strlen(broken), "ws.yaml"), RAT_EINVALID);
	assert_null(yaml);
	assert_non_null(strstr(rat_error_last()->message, "ws.yaml:3:1: resources: YAML syntax error"));
}

static void yaml_that_is_not_utf8_text_is_refused_where_it_breaks(void **state)
{
	/* "%" then a byte that is not UTF-8 made libfyaml 0.7 loop forever (found by fuzzing) */
	static const char directive[] = "%\xfb";
	static const char value[] = "name: x\ndescription: caf\xc3\xa9 au lait\nversion: \xe9t\xe9\n";
	static const char *const bad[] = { "name: \xc0\xaf\n", "name: \xed\xa0\x80\n",
					   "name: \xf4\x90\x80\x80\n", "name: x\xe2\x82" };
	rat_yaml *yaml = NULL;
	size_t i;
	(void)state;

	assert_int_equal(rat_yaml__parse(&yaml, directive, strlen(directive), "ws.yaml"), RAT_EINVALID);
	assert_null(yaml);
	assert_string_equal(rat_error_last()->message,
			    "ws.yaml:1:2: (top level): not valid UTF-8 (byte 0xfb); configuration "
			    "files are UTF-8");
	assert_int_equal(rat_yaml__parse(&yaml, value, strlen(value), "ws.yaml"), RAT_EINVALID);
	assert_string_equal(rat_error_last()->message,
			    "ws.yaml:3:10: version: not valid UTF-8 (byte 0xe9); configuration "
			    "files are UTF-8");
	/* overlong, a surrogate, past U+10FFFF, cut short */
	for (i = 0; i < RAT_ARRAY_SIZE(bad); i++) {
		assert_int_equal(rat_yaml__parse(&yaml, bad[i], strlen(bad[i]), "ws.yaml"), RAT_EINVALID);
		assert_non_null(strstr(rat_error_last()->message, "not valid UTF-8"));
	}
	/* a NUL after a syntax error crashed libfyaml 0.7 when the parser was freed (fuzzing) */
	static const char nul[] = "? a:\t\0";
	assert_int_equal(rat_yaml__parse(&yaml, nul, sizeof(nul) - 1, "ws.yaml"), RAT_EINVALID);
	assert_null(yaml);
	assert_string_equal(rat_error_last()->message,
			    "ws.yaml:1:6: (top level): a NUL byte (YAML text holds none)");
	/* every length of UTF-8 is read */
	static const char good[] = "name: x\ndescription: \x24 \xc2\xa2 \xe2\x82\xac \xf0\x90\x8d\x88\n";
	assert_int_equal(rat_yaml__parse(&yaml, good, strlen(good), "ws.yaml"), 0);
	rat_yaml__free(yaml);
}

static void sql_words_are_lowercased_sorted_and_unique(void **state)
{
	rat_strarray words = RAT_STRARRAY_INIT;
	static const char *const want[] = { "_x9", "a", "from", "gold", "items", "my", "n",
					    "orders", "select", "silver", "t", "where", "and" };
	size_t i;
	(void)state;

	assert_int_equal(rat_sql__words(&words, "SELECT n FROM \"Gold\".Items, silver.orders t\n"
						"-- my orders\nWHERE a='it''s' AND _x9"),
			 0);
	/* "it's" gives "it" and "s": quoted text counts too (a superset is the point) */
	assert_int_equal(words.count, sizeof(want) / sizeof(want[0]) + 2);
	for (i = 0; i < words.count; i++)
		assert_true(i == 0 || strcmp(words.strings[i - 1], words.strings[i]) < 0);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_true(rat_strarray__contains(&words, want[i]));
	assert_true(rat_strarray__contains(&words, "it"));
	rat_strarray_free(&words);
	assert_int_equal(rat_sql__words(&words, " ;() "), 0);
	assert_int_equal(words.count, 0);
	rat_strarray_free(&words);
}

/* Statements split at top-level semicolons only: not in strings, names or comments. */
static void sql_path_literals_name_one_file(void **state)
{
	rat_buf sql = RAT_BUF_INIT;
	(void)state;

	assert_int_equal(rat_sql__path_literal(&sql, "/l/s*.csv"), 0);
	assert_int_equal(rat_buf_puts(&sql, " "), 0);
	assert_int_equal(rat_sql__path_literal(&sql, "/l/a[1]?.csv"), 0);
	assert_int_equal(rat_buf_puts(&sql, " "), 0);
	assert_int_equal(rat_sql__path_literal(&sql, "/l/it's.csv"), 0);
	assert_string_equal(rat_buf_cstr(&sql), "'/l/s[*].csv' '/l/a[[]1][?].csv' '/l/it''s.csv'");
	rat_buf_free(&sql);
}

static void sql_splits_at_top_level_semicolons(void **state)
{
	static const char *const cases[][2] = {
		{ "SELECT 1; SELECT 2", "[SELECT 1][SELECT 2]" },
		{ "  SELECT ';' ;; -- x;y\n SELECT \"a;b\" ; ", "[SELECT ';'][SELECT \"a;b\"]" },
		{ "SELECT 'it''s;'; SELECT E'\\';'", "[SELECT 'it''s;'][SELECT E'\\';']" },
		{ "SELECT $$a;b$$; SELECT $t$ $$; $t$", "[SELECT $$a;b$$][SELECT $t$ $$; $t$]" },
		{ "SELECT /* a /* b; */ c; */ 1; SELECT $1", "[SELECT /* a /* b; */ c; */ 1][SELECT $1]" },
		{ "-- only a comment;\n", "" },
		{ "SELECT 'open; SELECT 2", "[SELECT 'open; SELECT 2]" },
	};
	size_t i, k;
	(void)state;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rat_sql_spans spans;
		char got[256] = "";
		size_t n = 0;
		assert_int_equal(rat_sql__split(&spans, cases[i][0]), 0);
		for (k = 0; k < spans.count; k++)
			n += (size_t)snprintf(got + n, sizeof(got) - n, "[%.*s]",
					      (int)(spans.items[k].end - spans.items[k].start),
					      cases[i][0] + spans.items[k].start);
		rat_sql__spans_free(&spans);
		if (strcmp(got, cases[i][1]) != 0)
			fail_msg("%s: got %s, expected %s", cases[i][0], got, cases[i][1]);
	}
}

static void sql_knows_when_it_ends_inside_a_string(void **state)
{
	static const struct {
		const char *sql;
		bool open;
	} cases[] = {
		{ "WHERE t > '", true },
		{ "WHERE t > 'it''s ", true },
		{ "WHERE t > 'x''", true },
		{ "WHERE t > E'\\'", true },
		{ "WHERE t > ''", false },
		{ "WHERE t > 'x' ", false },
		{ "WHERE t > ", false },
		{ "-- a note: '", false },
		{ "/* ' */ WHERE t > ", false },
		{ "SELECT \"it's\" FROM t WHERE x > ", false },
		{ "SELECT $$ '", false },
		{ "", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (rat_sql__ends_in_string(cases[i].sql) != cases[i].open)
			fail_msg("%s: expected %s", cases[i].sql, cases[i].open ? "open" : "closed");
}

static pid_t start(const char *prog, char *const argv[])
{
	pid_t pid = fork();

	if (pid == 0) {
		execv(prog, argv);
		_exit(127);
	}
	assert_true(pid > 0);
	return pid;
}

/* A child that ends is waited for; one past the deadline is killed and reaped. */
static void a_child_past_its_deadline_is_killed(void **state)
{
	char *const sleep_long[] = { (char *)"sleep", (char *)"30", NULL };
	char *const exit_3[] = { (char *)"sh", (char *)"-c", (char *)"exit 3", NULL };
	struct timespec t0, t1;
	int status = -1;
	pid_t pid;
	(void)state;

	assert_true(rat_proc__wait(start("/bin/sh", exit_3), &status, 10000));
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 3);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid = start("/bin/sleep", sleep_long);
	assert_false(rat_proc__wait(pid, &status, 200));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_true(t1.tv_sec - t0.tv_sec < 10); /* killed at the deadline, not after 30 s */
	assert_int_equal(waitpid(pid, &status, WNOHANG), -1); /* reaped: no zombie left */

	/* no deadline: waits for the end */
	assert_true(rat_proc__wait(start("/bin/sh", exit_3), &status, 0));
	assert_int_equal(WEXITSTATUS(status), 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(buffer_refuses_to_grow_past_its_cap),
		cmocka_unit_test(paths_normalise),
		cmocka_unit_test(symlinks_are_found_at_any_depth),
		cmocka_unit_test(open_below_follows_no_link),
		cmocka_unit_test(errors_are_per_thread_and_keep_context),
		cmocka_unit_test(yaml_errors_point_at_the_key),
		cmocka_unit_test(yaml_that_is_not_utf8_text_is_refused_where_it_breaks),
		cmocka_unit_test(sql_words_are_lowercased_sorted_and_unique),
		cmocka_unit_test(sql_path_literals_name_one_file),
		cmocka_unit_test(sql_splits_at_top_level_semicolons),
		cmocka_unit_test(sql_knows_when_it_ends_inside_a_string),
		cmocka_unit_test(a_child_past_its_deadline_is_killed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
