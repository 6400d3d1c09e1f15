/*
 * tests/unit/storage/test_local.c - the local-folder backend of the object
 * store: round trips, files given away move, put_new exclusivity, sorted recursive listing, refused
 * keys, range reads, deletion with pruning, counters, injected put failures.
 */
#include "helpers.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "storage/storage.h"

static char *scratch;

static rat_store *open_store(const char *sub, const rat_store_options *opts)
{
	char root[4200];
	rat_store *store = NULL;

	snprintf(root, sizeof(root), "%s/%s", scratch, sub);
	if (rat_store__open(&store, root, opts) != 0)
		fail_msg("open %s: %s", root, rat_error_last()->message);
	assert_false(rat_store__is_remote(store));
	return store;
}

static void put(rat_store *store, const char *key, const char *text)
{
	if (rat_store__put(store, key, text, strlen(text)) != 0)
		fail_msg("put %s: %s", key, rat_error_last()->message);
}

static void expect_content(rat_store *store, const char *key, const char *text)
{
	rat_buf buf = RAT_BUF_INIT;
	if (rat_store__get(store, key, &buf, 1 << 20) != 0)
		fail_msg("get %s: %s", key, rat_error_last()->message);
	assert_int_equal(buf.len, strlen(text));
	assert_memory_equal(buf.ptr, text, buf.len);
	rat_buf_free(&buf);
}

/* Files in a folder whose name starts with prefix (leftover temporaries). */
static int count_named(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += strncmp(e->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return n;
}

static void round_trip(void **state)
{
	rat_store *store = open_store("rt", NULL);
	rat_store_object obj;
	rat_store_stats stats;
	char *url, *path = NULL, copy[4200], *text;
	rat_buf buf = RAT_BUF_INIT;
	(void)state;

	put(store, "a/b/c.txt", "hello, store");
	expect_content(store, "a/b/c.txt", "hello, store");
	put(store, "a/b/c.txt", "replaced");
	expect_content(store, "a/b/c.txt", "replaced");
	put(store, "empty", "");
	expect_content(store, "empty", "");

	assert_int_equal(rat_store__head(store, "a/b/c.txt", &obj), 0);
	assert_string_equal(obj.key, "a/b/c.txt");
	assert_int_equal(obj.size, 8);
	assert_true(strncmp(obj.etag, "8-", 2) == 0);
	assert_true(obj.mtime_ms > 1600000000000LL);
	rat_store__object_free(&obj);

	url = rat_store__url(store, "a/b/c.txt");
	snprintf(copy, sizeof(copy), "%s/rt/a/b/c.txt", scratch);
	assert_string_equal(url, copy);
	free(url);
	assert_int_equal(rat_store__local_path(store, "a/b/c.txt", &path), 0);
	assert_string_equal(path, copy);
	free(path);

	snprintf(copy, sizeof(copy), "%s/copies/c.txt", scratch);
	assert_int_equal(rat_store__get_file(store, "a/b/c.txt", copy), 0);
	test_write(scratch, "src.bin", "from a file");
	snprintf(copy, sizeof(copy), "%s/src.bin", scratch);
	assert_int_equal(rat_store__put_file(store, "f/src.bin", copy), 0);
	expect_content(store, "f/src.bin", "from a file");
	snprintf(copy, sizeof(copy), "%s/copies/c.txt", scratch);
	assert_non_null(text = malloc(64));
	FILE *f = fopen(copy, "r");
	assert_non_null(f);
	assert_non_null(fgets(text, 64, f));
	fclose(f);
	assert_string_equal(text, "replaced");
	free(text);

	/* nothing temporary is left behind */
	snprintf(copy, sizeof(copy), "%s/rt/a/b", scratch);
	assert_int_equal(count_named(copy, ".rat-tmp-"), 0);

	/* a missing object names its path */
	assert_int_equal(rat_store__get(store, "a/nope", &buf, 100), RAT_ENOTFOUND);
	assert_non_null(strstr(rat_error_last()->message, "rt/a/nope"));
	assert_int_equal(rat_store__head(store, "a/nope", &obj), RAT_ENOTFOUND);
	assert_int_equal(rat_store__head(store, "a/b", &obj), RAT_ENOTFOUND); /* a folder */
	assert_int_equal(rat_store__local_path(store, "a/nope", &path), RAT_ENOTFOUND);
	assert_null(path);

	rat_store__stats(store, &stats);
	assert_int_equal(stats.puts, 4);
	assert_int_equal(stats.gets, 6); /* 4 reads + get_file + the failed one */
	assert_int_equal(stats.heads, 3);
	assert_int_equal(stats.bytes_out, strlen("hello, store") + 8 + 0 + 11);
	rat_buf_free(&buf);
	rat_store__free(store);
}

/* A file given away moves into place (same inode, source gone); a missing one is named. */
static void put_file_consume_moves(void **state)
{
	rat_store *store = open_store("mv", NULL);
	struct stat before, after;
	char src[4200], *path = NULL;
	(void)state;

	test_write(scratch, "given.bin", "given away");
	snprintf(src, sizeof(src), "%s/given.bin", scratch);
	assert_int_equal(stat(src, &before), 0);
	assert_int_equal(rat_store__put_file_consume(store, "d/given.bin", src), 0);
	expect_content(store, "d/given.bin", "given away");
	assert_int_equal(access(src, F_OK), -1);
	assert_int_equal(rat_store__local_path(store, "d/given.bin", &path), 0);
	assert_int_equal(stat(path, &after), 0);
	assert_true(after.st_ino == before.st_ino && after.st_dev == before.st_dev);
	free(path);
	assert_int_equal(rat_store__put_file_consume(store, "d/again.bin", src), RAT_ENOTFOUND);
	assert_non_null(strstr(rat_error_last()->message, "given.bin"));
	snprintf(src, sizeof(src), "%s/mv/d", scratch);
	assert_int_equal(count_named(src, ".rat-tmp-"), 0);
	rat_store__free(store);
}

static void put_new_is_exclusive(void **state)
{
	rat_store *store = open_store("new", NULL);
	char dir[4200];
	(void)state;

	assert_int_equal(rat_store__put_new(store, "v/1.json", "first", 5), 0);
	assert_int_equal(rat_store__put_new(store, "v/1.json", "second", 6), RAT_EEXISTS);
	assert_non_null(strstr(rat_error_last()->message, "already exists"));
	expect_content(store, "v/1.json", "first");
	assert_int_equal(rat_store__put_new(store, "v/2.json", "two", 3), 0);
	expect_content(store, "v/2.json", "two");
	snprintf(dir, sizeof(dir), "%s/new/v", scratch);
	assert_int_equal(count_named(dir, ".rat-tmp-"), 0);
	rat_store__free(store);
}

static void list_is_sorted_and_recursive(void **state)
{
	static const char *const keys[] = { "z.txt", "a/b/c/d.bin", "a/b.txt", "a/a.txt",
					    "ab.txt", "a/b/c.txt", "b/x y.txt", "a/é.txt" };
	static const char *const sorted[] = { "a/a.txt", "a/b.txt", "a/b/c.txt", "a/b/c/d.bin",
					      "a/é.txt", "ab.txt", "b/x y.txt", "z.txt" };
	rat_store *store = open_store("list", NULL), *absent = open_store("absent", NULL);
	rat_store_list list;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		put(store, keys[i], keys[i]);
	test_write(scratch, "list/a/.rat-tmp-99-1", "half written");

	assert_int_equal(rat_store__list(store, "", &list), 0);
	assert_int_equal(list.count, 8);
	for (i = 0; i < list.count; i++) {
		assert_string_equal(list.items[i].key, sorted[i]);
		assert_int_equal(list.items[i].size, strlen(sorted[i]));
		assert_non_null(list.items[i].etag);
	}
	rat_store__list_free(&list);

	assert_int_equal(rat_store__list(store, "a/b", &list), 0); /* a partial name */
	assert_int_equal(list.count, 3);
	assert_string_equal(list.items[0].key, "a/b.txt");
	assert_string_equal(list.items[2].key, "a/b/c/d.bin");
	rat_store__list_free(&list);

	assert_int_equal(rat_store__list(store, "a/b/", &list), 0);
	assert_int_equal(list.count, 2);
	rat_store__list_free(&list);

	assert_int_equal(rat_store__list(store, "nothing/", &list), 0);
	assert_int_equal(list.count, 0);
	rat_store__list_free(&list);

	assert_int_equal(rat_store__list(absent, "", &list), 0); /* no root folder yet */
	assert_int_equal(list.count, 0);
	assert_null(list.items);
	assert_int_equal(rat_store__list(store, "../", &list), RAT_EINVALID);
	rat_store__free(store);
	rat_store__free(absent);
}

static void bad_keys_are_refused(void **state)
{
	static const char *const bad[] = { "", "/abs", "a/../b", "..", ".", "./a", "a/.",
					   "a//b", "a/", ".rat-tmp-1", "x/.rat-tmp-2/y" };
	rat_store *store = open_store("bad", NULL);
	rat_store_object obj;
	rat_buf buf = RAT_BUF_INIT;
	char *path = NULL, big[1100];
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(rat_store__put(store, bad[i], "x", 1), RAT_EINVALID);
		assert_int_equal(rat_store__put_new(store, bad[i], "x", 1), RAT_EINVALID);
		assert_int_equal(rat_store__get(store, bad[i], &buf, 10), RAT_EINVALID);
		assert_int_equal(rat_store__get_range(store, bad[i], 0, 1, &buf), RAT_EINVALID);
		assert_int_equal(rat_store__head(store, bad[i], &obj), RAT_EINVALID);
		assert_int_equal(rat_store__delete(store, bad[i]), RAT_EINVALID);
		assert_int_equal(rat_store__local_path(store, bad[i], &path), RAT_EINVALID);
	}
	assert_non_null(strstr(rat_error_last()->message, "x/.rat-tmp-2/y"));
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(rat_store__put(store, big, "x", 1), RAT_EINVALID);
	/* nothing was written anywhere */
	char outside[4200];
	snprintf(outside, sizeof(outside), "%s/bad/b", scratch);
	assert_false(access(outside, F_OK) == 0);
	rat_buf_free(&buf);
	rat_store__free(store);
}

static void range_reads(void **state)
{
	rat_store *store = open_store("range", NULL);
	rat_buf buf = RAT_BUF_INIT;
	(void)state;

	put(store, "r.bin", "0123456789");
	assert_int_equal(rat_store__get_range(store, "r.bin", 2, 3, &buf), 0);
	assert_int_equal(buf.len, 3);
	assert_memory_equal(buf.ptr, "234", 3);
	assert_int_equal(rat_store__get_range(store, "r.bin", 9, 1, &buf), 0); /* appends */
	assert_string_equal(buf.ptr, "2349");
	assert_int_equal(rat_store__get_range(store, "r.bin", 0, 0, &buf), 0);
	assert_int_equal(buf.len, 4);
	assert_int_equal(rat_store__get_range(store, "r.bin", 8, 3, &buf), RAT_EINVALID);
	assert_non_null(strstr(rat_error_last()->message, "beyond the end"));
	assert_int_equal(buf.len, 4); /* unchanged on failure */
	assert_int_equal(rat_store__get_range(store, "r.bin", UINT64_MAX, 2, &buf), RAT_EINVALID);
	assert_int_equal(rat_store__get_range(store, "nope", 0, 1, &buf), RAT_ENOTFOUND);

	/* a whole get over its cap */
	rat_buf_clear(&buf);
	assert_int_equal(rat_store__get(store, "r.bin", &buf, 9), RAT_ETOOBIG);
	assert_int_equal(buf.len, 0);
	assert_int_equal(rat_store__get(store, "r.bin", &buf, 10), 0);
	rat_buf_free(&buf);
	rat_store__free(store);
}

static void delete_prunes_empty_folders(void **state)
{
	rat_store *store = open_store("del", NULL);
	rat_buf buf = RAT_BUF_INIT;
	char path[4200];
	(void)state;

	put(store, "x/y/z/1.bin", "1");
	put(store, "x/keep.bin", "k");
	assert_int_equal(rat_store__delete(store, "x/y/z/1.bin"), 0);
	assert_int_equal(rat_store__get(store, "x/y/z/1.bin", &buf, 10), RAT_ENOTFOUND);
	snprintf(path, sizeof(path), "%s/del/x/y", scratch);
	assert_false(access(path, F_OK) == 0); /* y/z pruned */
	snprintf(path, sizeof(path), "%s/del/x", scratch);
	assert_true(access(path, F_OK) == 0); /* x still holds keep.bin */
	assert_int_equal(rat_store__delete(store, "x/keep.bin"), 0);
	snprintf(path, sizeof(path), "%s/del", scratch);
	assert_true(access(path, F_OK) == 0); /* the root stays */
	assert_int_equal(rat_store__delete(store, "x/keep.bin"), 0); /* absent: fine */
	assert_int_equal(rat_store__delete(store, "never/was"), 0);
	rat_buf_free(&buf);
	rat_store__free(store);
}

static void stats_count_operations(void **state)
{
	rat_store *store = open_store("stats", NULL);
	rat_store_stats stats;
	rat_store_object obj;
	rat_store_list list;
	rat_buf buf = RAT_BUF_INIT;
	(void)state;

	rat_store__stats(store, &stats);
	assert_int_equal(stats.gets + stats.puts + stats.heads + stats.lists + stats.deletes, 0);
	put(store, "s1", "abc");
	put(store, "s2", "de");
	assert_int_equal(rat_store__get(store, "s1", &buf, 10), 0);
	assert_int_equal(rat_store__get_range(store, "s2", 1, 1, &buf), 0);
	assert_int_equal(rat_store__head(store, "s1", &obj), 0);
	rat_store__object_free(&obj);
	assert_int_equal(rat_store__list(store, "", &list), 0);
	rat_store__list_free(&list);
	assert_int_equal(rat_store__delete(store, "s1"), 0);
	rat_store__stats(store, &stats);
	assert_int_equal(stats.puts, 2);
	assert_int_equal(stats.part_puts, 0);
	assert_int_equal(stats.gets, 2);
	assert_int_equal(stats.heads, 1);
	assert_int_equal(stats.lists, 1);
	assert_int_equal(stats.deletes, 1);
	assert_int_equal(stats.bytes_out, 5);
	assert_int_equal(stats.bytes_in, 4);
	assert_int_equal(stats.retries, 0);
	assert_int_equal(stats.cache_hits, 0);
	rat_buf_free(&buf);
	rat_store__free(store);
}

static void fail_after_puts_injects(void **state)
{
	rat_store_options opts = RAT_STORE_OPTIONS_INIT;
	rat_store *store;
	rat_store_list list;
	char src[4200];
	(void)state;

	opts.fail_after_puts = 2;
	store = open_store("inject", &opts);
	put(store, "1", "one");
	assert_int_equal(rat_store__put_new(store, "2", "two", 3), 0);
	assert_int_equal(rat_store__put(store, "3", "three", 5), RAT_EIO);
	assert_non_null(strstr(rat_error_last()->message, "injected failure"));
	assert_int_equal(rat_store__put_new(store, "4", "four", 4), RAT_EIO);
	test_write(scratch, "inject-src", "data");
	snprintf(src, sizeof(src), "%s/inject-src", scratch);
	assert_int_equal(rat_store__put_file(store, "5", src), RAT_EIO);
	assert_int_equal(rat_store__list(store, "", &list), 0);
	assert_int_equal(list.count, 2); /* the failed puts wrote nothing */
	rat_store__list_free(&list);
	rat_store__free(store);
}

static void urls_and_roots(void **state)
{
	rat_store *store = NULL;
	rat_store_options opts = RAT_STORE_OPTIONS_INIT;
	char url[4200], *u;
	(void)state;

	snprintf(url, sizeof(url), "file://%s/by-url/", scratch);
	assert_int_equal(rat_store__open(&store, url, NULL), 0);
	u = rat_store__url(store, "k");
	snprintf(url, sizeof(url), "%s/by-url/k", scratch);
	assert_string_equal(u, url);
	free(u);
	rat_store__free(store);

	test_write(scratch, "a-file", "x");
	snprintf(url, sizeof(url), "%s/a-file", scratch);
	assert_int_equal(rat_store__open(&store, url, NULL), RAT_EINVALID);
	assert_null(store);
	assert_int_equal(rat_store__open(&store, "ftp://host/x", NULL), RAT_EINVALID);
	assert_int_equal(rat_store__open(&store, "", NULL), RAT_EINVALID);
	opts.multipart_threshold = 1024;
	assert_int_equal(rat_store__open(&store, scratch, &opts), RAT_EINVALID);
	assert_non_null(strstr(rat_error_last()->message, "5 MiB"));
	rat_store__free(NULL);
}

static int setup(void **state)
{
	(void)state;
	scratch = test_tmpdir("storage_local");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_rmtree(scratch);
	free(scratch);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(put_file_consume_moves),
		cmocka_unit_test(put_new_is_exclusive),
		cmocka_unit_test(list_is_sorted_and_recursive),
		cmocka_unit_test(bad_keys_are_refused),
		cmocka_unit_test(range_reads),
		cmocka_unit_test(delete_prunes_empty_folders),
		cmocka_unit_test(stats_count_operations),
		cmocka_unit_test(fail_after_puts_injects),
		cmocka_unit_test(urls_and_roots),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
