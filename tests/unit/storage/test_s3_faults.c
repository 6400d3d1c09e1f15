/*
 * tests/unit/storage/test_s3_faults.c - the S3 backend under faults: moto
 * behind tests/support/fault_proxy.py, which cuts bodies, drops connections
 * and answers 5xx on command, logs every request, and checks every SigV4
 * signature on its own (moto checks none).
 *
 * Interrupted downloads must resume and complete, 5xx and dropped
 * connections must be retried, 4xx must not be, a multipart upload that
 * cannot finish must be aborted, and no message may show the secret key.
 */
#include "helpers.h"

#include "../../support/s3_test.h"
#include "storage/store_internal.h"

#define BUCKET "ratbucket"
#define OBJ "/" BUCKET "/faults/"

static t_server moto, proxy;
static char *scratch, rules[4300], log_path[4300];

static rat_store *open_via_proxy(const char *bucket, rat_store_options *opts)
{
	char url[256];
	rat_store *store = NULL;

	snprintf(url, sizeof(url), "s3://%s/faults", bucket);
	opts->endpoint = t_endpoint(&proxy);
	opts->access_key = "testing";
	if (!opts->secret_key)
		opts->secret_key = T_SECRET;
	if (!opts->backoff_ms)
		opts->backoff_ms = 5;
	if (rat_store__open(&store, url, opts) != 0)
		fail_msg("open %s: %s", url, rat_error_last()->message);
	return store;
}

static rat_store *open_default(void)
{
	rat_store_options opts = RAT_STORE_OPTIONS_INIT;
	return open_via_proxy(BUCKET, &opts);
}

/* New fault rules (counts start again, even for the same rules) and an empty request log. */
static void set_rules(const char *text)
{
	static int generation;
	size_t size = strlen(text) + 32;
	char *numbered = malloc(size);

	assert_non_null(numbered);
	snprintf(numbered, size, "# %d\n%s", ++generation, text);
	t_spit(rules, numbered, strlen(numbered));
	t_spit(log_path, "", 0);
	free(numbered);
}

/* The request log, shown when a count is not what was expected. */
static void expect_log(const char *needle, int count)
{
	int n = t_log_count(log_path, needle);
	char *text;

	if (n == count)
		return;
	text = t_slurp(log_path, NULL);
	fail_msg("%d requests match '%s', not %d; the log:\n%s", n, needle, count, text);
}

static unsigned char *pattern(size_t len)
{
	unsigned char *data = malloc(len);
	assert_non_null(data);
	t_fill(data, 7, len);
	return data;
}

static void signatures_verify_independently(void **state)
{
	rat_store_options opts = RAT_STORE_OPTIONS_INIT;
	rat_store *store, *bad;
	rat_store_list list;
	rat_store_object obj;
	rat_buf buf = RAT_BUF_INIT;
	unsigned char *data = pattern(11u << 20);
	char *path = NULL, cache[4200];
	(void)state;

	set_rules("");
	snprintf(cache, sizeof(cache), "%s/cache", scratch);
	opts.multipart_threshold = 5u << 20;
	opts.cache_dir = cache;
	store = open_via_proxy(BUCKET, &opts);
	T_OK(rat_store__put(store, "sig/a b+c=d&e%f.bin", "1", 1));
	T_OK(rat_store__put(store, "sig/\xc3\xa9/~x y.bin", "22", 2));
	T_OK(rat_store__put(store, "sig/multi.bin", data, 11u << 20));
	T_OK(rat_store__put_new(store, "sig/new.json", "{}", 2));
	rat_store__set_list_page_size(store, 1); /* continuation tokens */
	T_OK(rat_store__list(store, "sig/", &list));
	assert_int_equal(list.count, 4);
	rat_store__list_free(&list);
	T_OK(rat_store__list(store, "sig/\xc3\xa9/~x ", &list));
	assert_int_equal(list.count, 1);
	rat_store__list_free(&list);
	T_OK(rat_store__head(store, "sig/a b+c=d&e%f.bin", &obj));
	rat_store__object_free(&obj);
	T_OK(rat_store__get_range(store, "sig/multi.bin", 5u << 20, 100, &buf));
	assert_memory_equal(buf.ptr, data + (5u << 20), 100);
	T_OK(rat_store__local_path(store, "sig/\xc3\xa9/~x y.bin", &path));
	T_OK(rat_store__delete(store, "sig/a b+c=d&e%f.bin"));
	expect_log(" badsig ", 0);
	assert_true(t_log_count(log_path, " pass ") >= 16);

	/* the check can fail: a wrong secret is refused by the proxy */
	rat_store_options wrong = RAT_STORE_OPTIONS_INIT;
	wrong.secret_key = "not-" T_SECRET;
	bad = open_via_proxy(BUCKET, &wrong);
	assert_int_equal(rat_store__get(bad, "sig/new.json", &buf, 100), RAT_EIO);
	t_error_has("403 SignatureDoesNotMatch");
	assert_null(strstr(rat_error_last()->message, "not-" T_SECRET));
	expect_log(" badsig ", 1); /* a 4xx: one attempt */
	rat_store__free(bad);
	free(path);
	free(data);
	rat_buf_free(&buf);
	rat_store__free(store);
}

static void interrupted_download_resumes(void **state)
{
	rat_store_options opts = RAT_STORE_OPTIONS_INIT;
	rat_store *store;
	rat_store_stats stats;
	rat_buf buf = RAT_BUF_INIT;
	size_t len = 3u << 20, got;
	unsigned char *data = pattern(len);
	char path[4200], cache[4200], *text, *cached = NULL;
	(void)state;

	snprintf(cache, sizeof(cache), "%s/cut-cache", scratch);
	opts.cache_dir = cache;
	store = open_via_proxy(BUCKET, &opts);
	T_OK(rat_store__put(store, "cut/big.bin", data, len));

	/* into memory: the second GET asks for the rest only */
	set_rules("cut GET " OBJ "cut/big.bin 1\n");
	T_OK(rat_store__get(store, "cut/big.bin", &buf, len));
	assert_int_equal(buf.len, len);
	assert_memory_equal(buf.ptr, data, len);
	rat_store__stats(store, &stats);
	assert_int_equal(stats.gets, 1);
	assert_int_equal(stats.retries, 1);
	expect_log("GET " OBJ "cut/big.bin 200 cut -", 1);
	expect_log("GET " OBJ "cut/big.bin 206 pass bytes=", 1);
	expect_log("bytes=0-", 0);

	/* into a file */
	set_rules("cut GET " OBJ "cut/big.bin 1\n");
	snprintf(path, sizeof(path), "%s/cut.bin", scratch);
	T_OK(rat_store__get_file(store, "cut/big.bin", path));
	expect_log(" cut -", 1);
	expect_log(" 206 pass bytes=", 1);
	assert_non_null(text = t_slurp(path, &got));
	assert_int_equal(got, len);
	assert_memory_equal(text, data, len);
	free(text);

	/* into the read cache */
	set_rules("cut GET " OBJ "cut/big.bin 1\n");
	T_OK(rat_store__local_path(store, "cut/big.bin", &cached));
	expect_log(" cut -", 1);
	expect_log(" 206 pass bytes=", 1);
	assert_non_null(text = t_slurp(cached, &got));
	assert_int_equal(got, len);
	assert_memory_equal(text, data, len);
	free(text);
	free(cached);

	/* a range, cut twice */
	set_rules("cut GET " OBJ "cut/big.bin 2\n");
	rat_buf_clear(&buf);
	T_OK(rat_store__get_range(store, "cut/big.bin", 1000, 2u << 20, &buf));
	assert_int_equal(buf.len, 2u << 20);
	assert_memory_equal(buf.ptr, data + 1000, 2u << 20);
	expect_log(" cut bytes=1000-", 1);
	expect_log("-2098151\n", 3); /* same end every time */
	rat_store__stats(store, &stats);
	assert_int_equal(stats.retries, 5);
	free(data);
	rat_buf_free(&buf);
	rat_store__free(store);
}

static void server_errors_are_retried(void **state)
{
	rat_store *store = open_default();
	rat_store_stats stats;
	rat_store_object obj;
	rat_buf buf = RAT_BUF_INIT;
	(void)state;

	set_rules("503 PUT " OBJ "retry/x.bin 1\n"
		  "500 GET " OBJ "retry/x.bin 2\n"
		  "drop HEAD " OBJ "retry/x.bin 1\n"
		  "503 GET /" BUCKET " 1\n"
		  "429 DELETE " OBJ "retry/x.bin 1\n");
	T_OK(rat_store__put(store, "retry/x.bin", "payload", 7));
	T_OK(rat_store__get(store, "retry/x.bin", &buf, 100));
	assert_string_equal(buf.ptr, "payload");
	T_OK(rat_store__head(store, "retry/x.bin", &obj));
	assert_int_equal(obj.size, 7);
	rat_store__object_free(&obj);
	rat_store_list list;
	T_OK(rat_store__list(store, "retry/", &list));
	assert_int_equal(list.count, 1);
	rat_store__list_free(&list);
	T_OK(rat_store__delete(store, "retry/x.bin"));
	expect_log("DELETE " OBJ "retry/x.bin 429 429", 1);
	expect_log("DELETE " OBJ "retry/x.bin 204 pass", 1);
	expect_log("PUT " OBJ "retry/x.bin 503 503", 1);
	expect_log("PUT " OBJ "retry/x.bin 200 pass", 1);
	expect_log("GET " OBJ "retry/x.bin 500 500", 2);
	expect_log("HEAD " OBJ "retry/x.bin 0 drop", 1);
	expect_log("GET /" BUCKET "?", 2);
	expect_log("HEAD " OBJ "retry/x.bin 200 pass", 1);
	rat_store__stats(store, &stats);
	/* 1 + 2 + 1 + 1 for the 5xx and the 429; the dropped HEAD came on a
	 * reused connection, which curl itself sends again once before
	 * reporting anything */
	assert_in_range(stats.retries, 5, 6);
	assert_int_equal(stats.puts, 1);
	assert_int_equal(stats.gets, 1);
	assert_int_equal(stats.heads, 1);
	assert_int_equal(stats.lists, 1);
	rat_buf_free(&buf);
	rat_store__free(store);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void stalled_download_times_out_and_resumes(void **state)
{
	rat_store *store = open_default();
	rat_store_stats stats;
	rat_buf buf = RAT_BUF_INIT;
	size_t len = 1u << 20;
	unsigned char *data = pattern(len);
	double start;
	(void)state;

	rat_store__set_stall_timeout(store, 1);
	T_OK(rat_store__put(store, "stall/x.bin", data, len));
	set_rules("stall GET " OBJ "stall/x.bin 1\n");
	start = now_s();
	T_OK(rat_store__get(store, "stall/x.bin", &buf, len));
	assert_true(now_s() - start < 4.5); /* gave up on the stalled answer, did not wait it out */
	assert_int_equal(buf.len, len);
	assert_memory_equal(buf.ptr, data, len);
	expect_log("GET " OBJ "stall/x.bin 200 stall -", 1);
	expect_log("GET " OBJ "stall/x.bin 206 pass bytes=", 1);
	rat_store__stats(store, &stats);
	assert_int_equal(stats.retries, 1);
	free(data);
	rat_buf_free(&buf);
	rat_store__free(store);
}

static void persistent_failure_gives_up(void **state)
{
	rat_store_options opts = RAT_STORE_OPTIONS_INIT;
	rat_store *store;
	rat_store_stats stats;
	rat_buf buf = RAT_BUF_INIT;
	(void)state;

	opts.max_attempts = 3;
	store = open_via_proxy(BUCKET, &opts);
	set_rules("503 GET " OBJ "down/x.bin 100\n");
	assert_int_equal(rat_store__get(store, "down/x.bin", &buf, 100), RAT_EIO);
	t_error_has("s3://" BUCKET "/faults/down/x.bin: GET failed after 3 attempts: "
		    "503 SlowDown: injected by fault_proxy");
	expect_log("GET " OBJ "down/x.bin", 3);
	rat_store__stats(store, &stats);
	assert_int_equal(stats.retries, 2);
	assert_int_equal(buf.len, 0);
	rat_buf_free(&buf);
	rat_store__free(store);
}

static void client_errors_are_not_retried(void **state)
{
	rat_store_options opts = RAT_STORE_OPTIONS_INIT;
	rat_store *store;
	rat_store_stats stats;
	rat_buf buf = RAT_BUF_INIT;
	(void)state;

	store = open_via_proxy("wrong-bucket", &opts);
	set_rules("");
	assert_int_equal(rat_store__get(store, "k/x.bin", &buf, 100), RAT_ENOTFOUND);
	t_error_has("s3://wrong-bucket/faults/k/x.bin: 404 NoSuchBucket: "
		    "The specified bucket does not exist");
	expect_log("GET /wrong-bucket/faults/k/x.bin 404 pass", 1);
	expect_log("\n", 1); /* exactly one request */
	assert_true(rat_store__put(store, "k/x.bin", "x", 1) != 0);
	t_error_has("s3://wrong-bucket/faults/k/x.bin: 404 NoSuchBucket");
	expect_log("\n", 2);
	rat_store__stats(store, &stats);
	assert_int_equal(stats.retries, 0);
	rat_buf_free(&buf);
	rat_store__free(store);
}

static void failed_multipart_upload_is_aborted(void **state)
{
	rat_store_options opts = RAT_STORE_OPTIONS_INIT;
	rat_store *store;
	rat_store_stats stats;
	rat_store_object obj;
	rat_buf buf = RAT_BUF_INIT;
	size_t len = 11u << 20;
	unsigned char *data = pattern(len);
	(void)state;

	opts.multipart_threshold = 5u << 20;
	opts.max_attempts = 2;
	store = open_via_proxy(BUCKET, &opts);

	/* one part fails once: retried, the upload completes */
	set_rules("503 PUT " OBJ "mp/a.bin 1\n");
	T_OK(rat_store__put(store, "mp/a.bin", data, len));
	rat_store__stats(store, &stats);
	assert_int_equal(stats.part_puts, 3);
	assert_int_equal(stats.retries, 1);
	T_OK(rat_store__get(store, "mp/a.bin", &buf, len));
	assert_int_equal(buf.len, len);
	assert_memory_equal(buf.ptr, data, len);

	/* the second part keeps failing: the upload is aborted */
	set_rules("pass PUT " OBJ "mp/b.bin 1\n503 PUT " OBJ "mp/b.bin 100\n");
	assert_int_equal(rat_store__put(store, "mp/b.bin", data, len), RAT_EIO);
	t_error_has("s3://" BUCKET "/faults/mp/b.bin: PUT failed after 2 attempts: 503 SlowDown");
	expect_log("POST " OBJ "mp/b.bin?uploads= 200", 1);
	expect_log("PUT " OBJ "mp/b.bin?partNumber=1&uploadId=", 1);
	expect_log("PUT " OBJ "mp/b.bin?partNumber=2&uploadId=", 2);
	expect_log("PUT " OBJ "mp/b.bin?partNumber=3", 0);
	expect_log("DELETE " OBJ "mp/b.bin?uploadId=", 1);
	expect_log(" 204 pass", 1);
	assert_int_equal(rat_store__head(store, "mp/b.bin", &obj), RAT_ENOTFOUND);
	free(data);
	rat_buf_free(&buf);
	rat_store__free(store);
}

static int setup(void **state)
{
	char port[32], extra[256];
	(void)state;

	scratch = test_tmpdir("s3_faults");
	t_server_start(&moto, "moto", scratch, "moto", BUCKET, "");
	snprintf(port, sizeof(port), "%d", moto.port);
	snprintf(extra, sizeof(extra), "--verify-sigv4 'testing:%s:us-east-1'", T_SECRET);
	t_server_start(&proxy, "proxy", scratch, "proxy", port, extra);
	snprintf(rules, sizeof(rules), "%s/rules", proxy.dir);
	snprintf(log_path, sizeof(log_path), "%s/log", proxy.dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	t_server_stop(&proxy);
	t_server_stop(&moto);
	test_rmtree(scratch);
	free(scratch);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(signatures_verify_independently),
		cmocka_unit_test(interrupted_download_resumes),
		cmocka_unit_test(server_errors_are_retried),
		cmocka_unit_test(stalled_download_times_out_and_resumes),
		cmocka_unit_test(persistent_failure_gives_up),
		cmocka_unit_test(client_errors_are_not_retried),
		cmocka_unit_test(failed_multipart_upload_is_aborted),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
