/*
 * tests/support/s3_suite.h - the S3 backend suite, run unchanged against
 * every local S3 server (tests/unit/storage/test_s3_moto.c, test_s3_s3rver.c).
 *
 * The server is started on a free port for the run and always stopped (and
 * a watchdog stops it should the test die). Every store is rooted under
 * s3://ratbucket/suite; the last test asks the aws CLI, an independent
 * client, what the bucket holds: exactly our keys and sizes under suite/,
 * and the three objects it put outside that prefix itself.
 *
 * Every store uses the secret key T_SECRET (the servers check at most the
 * access key), and every error message is checked never to show it.
 */
#ifndef RAT_TEST_S3_SUITE_H
#define RAT_TEST_S3_SUITE_H

#include "s3_test.h"
#include "storage/store_internal.h"

#define BUCKET "ratbucket"

typedef struct t_suite {
	const char *kind;        /* moto, s3rver */
	const char *access_key;  /* what the server accepts */
	bool conditional_put;    /* honours If-None-Match: * on PUT */
	bool checks_access_key;  /* refuses an unknown access key */
	bool etag_counts_parts;  /* a multipart ETag ends in "-<parts>", as on AWS */
} t_suite;

static const t_suite *suite;
static t_server server;
static char *scratch;

static rat_store *s_open_with(const char *sub, rat_store_options *opts)
{
	char url[512];
	rat_store *store = NULL;

	snprintf(url, sizeof(url), "s3://" BUCKET "/suite/%s", sub);
	opts->endpoint = t_endpoint(&server);
	if (!opts->access_key)
		opts->access_key = suite->access_key;
	opts->secret_key = T_SECRET;
	opts->backoff_ms = 10;
	if (rat_store__open(&store, url, opts) != 0)
		fail_msg("open %s: %s", url, rat_error_last()->message);
	return store;
}

static rat_store *s_open(const char *sub)
{
	rat_store_options opts = RAT_STORE_OPTIONS_INIT;
	return s_open_with(sub, &opts);
}

static void s_put(rat_store *store, const char *key, const void *data, size_t len)
{
	if (rat_store__put(store, key, data, len) != 0)
		fail_msg("put %s: %s", key, rat_error_last()->message);
}

static void s_expect(rat_store *store, const char *key, const void *data, size_t len)
{
	rat_buf buf = RAT_BUF_INIT;

	if (rat_store__get(store, key, &buf, (uint64_t)len + 1) != 0)
		fail_msg("get %s: %s", key, rat_error_last()->message);
	assert_int_equal(buf.len, len);
	assert_memory_equal(buf.ptr, data, len);
	rat_buf_free(&buf);
}

static void round_trip(void **state)
{
	rat_store *store = s_open("rt");
	rat_store_object obj;
	rat_store_stats stats;
	rat_buf buf = RAT_BUF_INIT;
	char path[4200], *text;
	size_t len;
	(void)state;

	s_put(store, "a/b/c.txt", "hello, s3", 9);
	s_expect(store, "a/b/c.txt", "hello, s3", 9);
	s_put(store, "a/b/c.txt", "replaced!", 9);
	s_expect(store, "a/b/c.txt", "replaced!", 9);
	s_put(store, "empty", "", 0);
	s_expect(store, "empty", "", 0);

	T_OK(rat_store__head(store, "a/b/c.txt", &obj));
	assert_string_equal(obj.key, "a/b/c.txt");
	assert_int_equal(obj.size, 9);
	assert_int_equal(strlen(obj.etag), 32); /* an MD5, quotes removed */
	assert_true(obj.mtime_ms > 1600000000000LL);
	rat_store__object_free(&obj);
	T_OK(rat_store__head(store, "empty", &obj));
	assert_int_equal(obj.size, 0);
	rat_store__object_free(&obj);

	snprintf(path, sizeof(path), "%s/downloads/c.txt", scratch);
	T_OK(rat_store__get_file(store, "a/b/c.txt", path));
	assert_non_null(text = t_slurp(path, &len));
	assert_int_equal(len, 9);
	assert_memory_equal(text, "replaced!", 9);
	free(text);
	T_OK(rat_store__put_file(store, "from-file", path));
	s_expect(store, "from-file", "replaced!", 9);

	/* absent objects and caps */
	assert_int_equal(rat_store__get(store, "a/nope", &buf, 100), RAT_ENOTFOUND);
	t_error_has("s3://" BUCKET "/suite/rt/a/nope");
	t_error_has("NoSuchKey");
	assert_int_equal(rat_store__head(store, "a/nope", &obj), RAT_ENOTFOUND);
	t_error_has("s3://" BUCKET "/suite/rt/a/nope: 404");
	assert_int_equal(rat_store__get_file(store, "a/nope", path), RAT_ENOTFOUND);
	assert_int_equal(rat_store__get(store, "a/b/c.txt", &buf, 8), RAT_ETOOBIG);
	t_error_has("8-byte limit");
	assert_int_equal(buf.len, 0);
	assert_int_equal(rat_store__put_file(store, "x", "/nonexistent/file"), RAT_ENOTFOUND);

	rat_store__stats(store, &stats);
	assert_int_equal(stats.puts, 4);
	assert_int_equal(stats.part_puts, 0);
	assert_int_equal(stats.gets, 8);
	assert_int_equal(stats.heads, 3);
	assert_int_equal(stats.retries, 0);
	assert_int_equal(stats.bytes_out, 9 + 9 + 0 + 9);
	rat_buf_free(&buf);
	rat_store__free(store);
}

static const char *const odd_keys[] = {
	"plus+eq=amp&semi;.txt", "q?x#y%25z.txt", "quote\"apos'<lt>.txt", "sp ace/x y.txt",
	"tilde~under_score-dash.txt", "\xc3\xa9t\xc3\xa9/\xc3\xbc.txt",
};

static void odd_keys_round_trip(void **state)
{
	rat_store *store = s_open("odd");
	rat_store_list list;
	size_t i, n = sizeof(odd_keys) / sizeof(odd_keys[0]);
	(void)state;

	for (i = 0; i < n; i++)
		s_put(store, odd_keys[i], odd_keys[i], strlen(odd_keys[i]));
	for (i = 0; i < n; i++)
		s_expect(store, odd_keys[i], odd_keys[i], strlen(odd_keys[i]));
	T_OK(rat_store__list(store, "", &list));
	assert_int_equal(list.count, n);
	for (i = 0; i < n; i++) { /* odd_keys is in byte order */
		assert_string_equal(list.items[i].key, odd_keys[i]);
		assert_int_equal(list.items[i].size, strlen(odd_keys[i]));
	}
	rat_store__list_free(&list);
	T_OK(rat_store__list(store, "sp ace/", &list));
	assert_int_equal(list.count, 1);
	assert_string_equal(list.items[0].key, "sp ace/x y.txt");
	rat_store__list_free(&list);
	rat_store__free(store);
}

static void listing_follows_pages(void **state)
{
	static const char *const keys[] = { "a.bin", "d/1.bin", "d/2.bin", "d/sub/3.bin",
					     "da.bin", "e/4.bin", "z.bin" };
	rat_store *store = s_open("list");
	rat_store_list list;
	rat_store_stats stats;
	size_t i;
	(void)state;

	for (i = 0; i < 7; i++)
		s_put(store, keys[6 - i], "1234567", i + 1);
	rat_store__set_list_page_size(store, 2);
	T_OK(rat_store__list(store, "", &list));
	rat_store__stats(store, &stats);
	assert_int_equal(stats.lists, 4); /* 2 + 2 + 2 + 1 */
	assert_int_equal(list.count, 7);
	for (i = 0; i < 7; i++) {
		assert_string_equal(list.items[i].key, keys[i]);
		assert_int_equal(list.items[i].size, 7 - i);
		assert_true(list.items[i].etag[0] && list.items[i].etag[0] != '"');
		assert_true(list.items[i].mtime_ms > 1600000000000LL);
	}
	rat_store__list_free(&list);

	T_OK(rat_store__list(store, "d/", &list));
	assert_int_equal(list.count, 3);
	assert_string_equal(list.items[2].key, "d/sub/3.bin");
	rat_store__list_free(&list);
	T_OK(rat_store__list(store, "d", &list)); /* "da.bin" too */
	assert_int_equal(list.count, 4);
	rat_store__list_free(&list);
	T_OK(rat_store__list(store, "none/", &list));
	assert_int_equal(list.count, 0);
	rat_store__list_free(&list);
	rat_store__free(store);
}

static void put_new_is_conditional(void **state)
{
	rat_store *store = s_open("new");
	int second;
	(void)state;

	T_OK(rat_store__put_new(store, "v1.json", "first", 5));
	s_expect(store, "v1.json", "first", 5);
	second = rat_store__put_new(store, "v1.json", "second", 6);
	if (suite->conditional_put) {
		assert_int_equal(second, RAT_EEXISTS);
		t_error_has("s3://" BUCKET "/suite/new/v1.json: object already exists");
		s_expect(store, "v1.json", "first", 5);
	} else {
		/* this server ignores If-None-Match (docs/storage.md); should it
		 * start to honour it, this fails so the docs get updated */
		assert_int_equal(second, 0);
		s_expect(store, "v1.json", "second", 6);
	}
	T_OK(rat_store__put_new(store, "v2.json", "two", 3));
	rat_store__free(store);
}

static void delete_removes(void **state)
{
	rat_store *store = s_open("del");
	rat_store_object obj;
	rat_store_stats stats;
	(void)state;

	s_put(store, "gone.bin", "x", 1);
	T_OK(rat_store__delete(store, "gone.bin"));
	assert_int_equal(rat_store__head(store, "gone.bin", &obj), RAT_ENOTFOUND);
	T_OK(rat_store__delete(store, "gone.bin"));
	T_OK(rat_store__delete(store, "never/was.bin"));
	rat_store__stats(store, &stats);
	assert_int_equal(stats.deletes, 3);
	rat_store__free(store);
}

static void ranges(void **state)
{
	rat_store *store = s_open("range");
	unsigned char data[1000], want[1000];
	rat_buf buf = RAT_BUF_INIT;
	(void)state;

	t_fill(data, 0, sizeof(data));
	s_put(store, "r.bin", data, sizeof(data));
	T_OK(rat_store__get_range(store, "r.bin", 0, 10, &buf));
	T_OK(rat_store__get_range(store, "r.bin", 500, 77, &buf));
	T_OK(rat_store__get_range(store, "r.bin", 999, 1, &buf));
	memcpy(want, data, 10);
	memcpy(want + 10, data + 500, 77);
	want[87] = data[999];
	assert_int_equal(buf.len, 88);
	assert_memory_equal(buf.ptr, want, 88);
	assert_int_equal(rat_store__get_range(store, "r.bin", 990, 20, &buf), RAT_EINVALID);
	t_error_has("s3://" BUCKET "/suite/range/r.bin");
	assert_int_equal(rat_store__get_range(store, "r.bin", 1000, 1, &buf), RAT_EINVALID);
	t_error_has("s3://" BUCKET "/suite/range/r.bin");
	assert_int_equal(buf.len, 88);
	assert_int_equal(rat_store__get_range(store, "absent", 0, 1, &buf), RAT_ENOTFOUND);
	rat_buf_free(&buf);
	rat_store__free(store);
}

static void multipart_above_threshold(void **state)
{
	rat_store_options opts = RAT_STORE_OPTIONS_INIT;
	rat_store *store;
	rat_store_stats stats;
	rat_store_object obj;
	rat_buf buf = RAT_BUF_INIT;
	size_t len = 12u << 20, got;
	unsigned char *data = malloc(len);
	char path[4200], back[4200], *text;
	(void)state;

	opts.multipart_threshold = 5u << 20;
	store = s_open_with("multi", &opts);
	t_fill(data, 0, len);
	snprintf(path, sizeof(path), "%s/twelve.bin", scratch);
	t_spit(path, data, len);
	T_OK(rat_store__put_file(store, "big/twelve.bin", path));
	rat_store__stats(store, &stats);
	assert_int_equal(stats.puts, 1);
	assert_int_equal(stats.part_puts, 3); /* 5 + 5 + 2 MiB */
	assert_int_equal(stats.bytes_out >= len, 1);
	T_OK(rat_store__head(store, "big/twelve.bin", &obj));
	assert_int_equal(obj.size, len);
	if (suite->etag_counts_parts) /* S3's multipart ETag: "<md5 of the part md5s>-<parts>" */
		assert_non_null(strstr(obj.etag, "-3"));
	rat_store__object_free(&obj);
	T_OK(rat_store__get(store, "big/twelve.bin", &buf, len));
	assert_int_equal(buf.len, len);
	assert_memory_equal(buf.ptr, data, len);
	rat_buf_free(&buf);

	/* from memory too, and read back by an independent client */
	T_OK(rat_store__put(store, "big/mem.bin", data + 1, len - 1));
	rat_store__stats(store, &stats);
	assert_int_equal(stats.part_puts, 6);
	snprintf(back, sizeof(back), "%s/aws-mem.bin", scratch);
	t_aws_get(&server, suite->access_key, T_SECRET, BUCKET, "suite/multi/big/mem.bin", back);
	assert_non_null(text = t_slurp(back, &got));
	assert_int_equal(got, len - 1);
	assert_memory_equal(text, data + 1, len - 1);
	free(text);
	free(data);
	rat_store__free(store);
}

static void cache_downloads_once(void **state)
{
	rat_store_options opts = RAT_STORE_OPTIONS_INIT;
	rat_store *store, *again;
	rat_store_stats stats;
	char cache[4200], *p1 = NULL, *p2 = NULL, *p3 = NULL, *text;
	size_t len;
	(void)state;

	snprintf(cache, sizeof(cache), "%s/cache", scratch);
	opts.cache_dir = cache;
	store = s_open_with("cache", &opts);
	s_put(store, "data/0001-uuid.parquet", "PAR1 cached bytes PAR1", 22);
	T_OK(rat_store__local_path(store, "data/0001-uuid.parquet", &p1));
	T_OK(rat_store__local_path(store, "data/0001-uuid.parquet", &p2));
	assert_string_equal(p1, p2);
	assert_true(strncmp(p1, cache, strlen(cache)) == 0);
	assert_int_equal(strlen(strrchr(p1, '/') + 1), 64 + 1 + 32); /* <sha256>-<etag> */
	assert_non_null(text = t_slurp(p1, &len));
	assert_int_equal(len, 22);
	assert_memory_equal(text, "PAR1 cached bytes PAR1", 22);
	free(text);
	rat_store__stats(store, &stats);
	assert_int_equal(stats.gets, 1);
	assert_int_equal(stats.cache_hits, 1);

	/* another store on the same cache: no request at all */
	rat_store_options opts2 = RAT_STORE_OPTIONS_INIT;
	opts2.cache_dir = cache;
	again = s_open_with("cache", &opts2);
	T_OK(rat_store__local_path(again, "data/0001-uuid.parquet", &p3));
	assert_string_equal(p3, p1);
	rat_store__stats(again, &stats);
	assert_int_equal(stats.gets, 0);
	assert_int_equal(stats.cache_hits, 1);
	free(p3);
	assert_int_equal(rat_store__local_path(again, "data/absent", &p3), RAT_ENOTFOUND);
	assert_null(p3);
	free(p1);
	free(p2);
	rat_store__free(again);
	rat_store__free(store);
}

static void errors_name_the_object_never_the_secret(void **state)
{
	rat_store_options opts = RAT_STORE_OPTIONS_INIT;
	rat_store *store = NULL;
	rat_store_list list;
	rat_store_object obj;
	rat_buf buf = RAT_BUF_INIT;
	(void)state;

	opts.endpoint = t_endpoint(&server);
	opts.access_key = suite->access_key;
	opts.secret_key = T_SECRET;
	opts.max_attempts = 2;
	opts.backoff_ms = 1;
	T_OK(rat_store__open(&store, "s3://no-such-bucket/p", &opts));
	assert_int_equal(rat_store__get(store, "k.bin", &buf, 100), RAT_ENOTFOUND);
	t_error_has("s3://no-such-bucket/p/k.bin: 404 NoSuchBucket");
	assert_true(rat_store__put(store, "k.bin", "x", 1) != 0);
	t_error_has("s3://no-such-bucket/p/k.bin: 404 NoSuchBucket");
	assert_true(rat_store__list(store, "", &list) != 0);
	t_error_has("s3://no-such-bucket/p");
	assert_true(rat_store__head(store, "k.bin", &obj) != 0);
	t_error_has("s3://no-such-bucket/p/k.bin");
	rat_store__free(store);

	/* an access key the server does not know */
	opts.access_key = "WRONGKEY";
	T_OK(rat_store__open(&store, "s3://" BUCKET "/suite/rt", &opts));
	int rc = rat_store__get(store, "a/b/c.txt", &buf, 100);
	if (suite->checks_access_key) {
		assert_int_equal(rc, RAT_EIO);
		t_error_has("s3://" BUCKET "/suite/rt/a/b/c.txt: 403 InvalidAccessKeyId");
	} else {
		assert_int_equal(rc, 0);
	}
	rat_store__free(store);
	rat_buf_free(&buf);
}

static void injected_put_failures(void **state)
{
	rat_store_options opts = RAT_STORE_OPTIONS_INIT;
	rat_store *store;
	rat_store_object obj;
	(void)state;

	opts.fail_after_puts = 1;
	store = s_open_with("inject", &opts);
	s_put(store, "one", "1", 1);
	assert_int_equal(rat_store__put(store, "two", "2", 1), RAT_EIO);
	t_error_has("injected failure");
	assert_int_equal(rat_store__put_new(store, "three", "3", 1), RAT_EIO);
	assert_int_equal(rat_store__head(store, "two", &obj), RAT_ENOTFOUND);
	rat_store__free(store);
}

/* Last: the bucket as the aws CLI sees it is exactly what we wrote. */
static void aws_cli_sees_what_we_wrote(void **state)
{
	rat_store_options opts = RAT_STORE_OPTIONS_INIT;
	rat_store *store = s_open_with("", &opts);
	rat_store_list ours, theirs;
	size_t i, j = 0, outside = 0;
	(void)state;

	T_OK(rat_store__list(store, "", &ours));
	t_aws_list(&server, suite->access_key, T_SECRET, BUCKET, scratch, &theirs);
	assert_true(ours.count > 20);
	for (i = 0; i < theirs.count; i++) {
		const char *key = theirs.items[i].key;
		if (strncmp(key, "suite/", 6) != 0) {
			outside++;
			continue;
		}
		if (j >= ours.count || strcmp(key + 6, ours.items[j].key) != 0)
			fail_msg("aws lists %s; we list %s", key,
				 j < ours.count ? ours.items[j].key : "nothing more");
		assert_int_equal(theirs.items[i].size, ours.items[j].size);
		j++;
	}
	assert_int_equal(j, ours.count);
	assert_int_equal(outside, 3); /* the setup's markers, which our list left out */
	rat_store__list_free(&ours);
	rat_store__list_free(&theirs);
	rat_store__free(store);
}

static int suite_setup(void **state)
{
	char dir[4200], args[8192];
	(void)state;

	scratch = test_tmpdir(suite->kind);
	t_server_start(&server, suite->kind, scratch, "server", BUCKET, "");
	/* objects beside the store root, that no list of ours may show */
	snprintf(dir, sizeof(dir), "%s/markers", scratch);
	test_write(dir, "suite-sibling/x", "x");
	test_write(dir, "suitex", "y");
	test_write(dir, "outside/z", "z");
	snprintf(args, sizeof(args), "s3 cp --recursive --quiet '%s' s3://" BUCKET "/", dir);
	if (t_aws(&server, suite->access_key, T_SECRET, args) != 0)
		fail_msg("aws s3 cp of the markers failed");
	return 0;
}

static int suite_teardown(void **state)
{
	(void)state;
	t_server_stop(&server);
	test_rmtree(scratch);
	free(scratch);
	return 0;
}

static int t_run_suite(const t_suite *which)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(round_trip),
		cmocka_unit_test(odd_keys_round_trip),
		cmocka_unit_test(listing_follows_pages),
		cmocka_unit_test(put_new_is_conditional),
		cmocka_unit_test(delete_removes),
		cmocka_unit_test(ranges),
		cmocka_unit_test(multipart_above_threshold),
		cmocka_unit_test(cache_downloads_once),
		cmocka_unit_test(errors_name_the_object_never_the_secret),
		cmocka_unit_test(injected_put_failures),
		cmocka_unit_test(aws_cli_sees_what_we_wrote),
	};
	suite = which;
	return cmocka_run_group_tests_name(which->kind, tests, suite_setup, suite_teardown);
}

#endif
