/*
 * tests/unit/storage/test_s3_units.c - the S3 backend's pieces that need no
 * server: XML element lookup and entity decoding, key encoding,
 * s3:// URLs and settings, and errors of an unreachable endpoint (retried,
 * naming the object, never showing the secret key).
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/s3_internal.h"
#include "storage/xml.h"

#define SECRET "SECRET-never-print-me"

static void xml_finds_elements_and_decodes(void **state)
{
	const char *doc = "<?xml version=\"1.0\"?><ListBucketResult xmlns=\"x\"><KeyCount>2"
			  "</KeyCount><Contents><Key>a &amp; b&lt;c&gt;&quot;&apos;&#233;&#x4E2D;"
			  "</Key><Size>12</Size></Contents><Contents><Key>two</Key><Empty/>"
			  "</Contents><Token><![CDATA[x<y]]></Token></ListBucketResult>";
	const char *end = doc + strlen(doc), *inner, *inner_end, *after;
	char *text = NULL;
	(void)state;

	assert_true(rat_xml__find(doc, end, "Contents", &inner, &inner_end, &after));
	assert_int_equal(rat_xml__text(inner, inner_end, "Key", &text), 0);
	assert_string_equal(text, "a & b<c>\"'\xc3\xa9\xe4\xb8\xad");
	free(text);
	assert_int_equal(rat_xml__text(inner, inner_end, "Size", &text), 0);
	assert_string_equal(text, "12");
	free(text);
	/* the second element, and an element absent from it */
	assert_true(rat_xml__find(after, end, "Contents", &inner, &inner_end, &after));
	assert_int_equal(rat_xml__text(inner, inner_end, "Key", &text), 0);
	assert_string_equal(text, "two");
	free(text);
	assert_int_equal(rat_xml__text(inner, inner_end, "Size", &text), 0);
	assert_null(text);
	assert_int_equal(rat_xml__text(inner, inner_end, "Empty", &text), 0);
	assert_string_equal(text, "");
	free(text);
	/* <KeyCount> is not <Key> */
	assert_int_equal(rat_xml__text(doc, end, "Key", &text), 0);
	assert_true(strncmp(text, "a & b", 5) == 0);
	free(text);
	assert_int_equal(rat_xml__text(doc, end, "Token", &text), 0);
	assert_string_equal(text, "x<y");
	free(text);
	assert_false(rat_xml__find(doc, end, "Missing", &inner, &inner_end, &after));
	assert_false(rat_xml__find("<A>open", "<A>open" + 7, "A", &inner, &inner_end, &after));

	/* unknown or broken entities stay as they are */
	text = rat_xml__decode("&bogus; &#0; &#xD800; & &amp", 29);
	assert_string_equal(text, "&bogus; &#0; &#xD800; & &amp");
	free(text);
}

static void xml_escapes(void **state)
{
	rat_buf buf = RAT_BUF_INIT;
	(void)state;

	assert_int_equal(rat_xml__escape(&buf, "\"etag\" <&> 'x'"), 0);
	assert_string_equal(buf.ptr, "&quot;etag&quot; &lt;&amp;&gt; &apos;x&apos;");
	rat_buf_free(&buf);
}

static void keys_are_uri_encoded(void **state)
{
	rat_buf buf = RAT_BUF_INIT;
	(void)state;

	assert_int_equal(rat_s3__encode(&buf, "a b/c+d=e&f?g#h%i~j_k-l.m/\xc3\xa9", true), 0);
	assert_string_equal(buf.ptr, "a%20b/c%2Bd%3De%26f%3Fg%23h%25i~j_k-l.m/%C3%A9");
	rat_buf_clear(&buf);
	assert_int_equal(rat_s3__encode(&buf, "a/b c", false), 0);
	assert_string_equal(buf.ptr, "a%2Fb%20c");
	rat_buf_free(&buf);
}

static rat_store *open_s3(const char *url, const char *endpoint, int attempts)
{
	rat_store_options opts = RAT_STORE_OPTIONS_INIT;
	rat_store *store = NULL;

	opts.endpoint = endpoint;
	opts.access_key = "AKIDTEST";
	opts.secret_key = SECRET;
	opts.max_attempts = attempts;
	opts.backoff_ms = 1;
	if (rat_store__open(&store, url, &opts) != 0)
		fail_msg("open %s: %s", url, rat_error_last()->message);
	return store;
}

static void s3_urls_and_settings(void **state)
{
	rat_store_options opts = RAT_STORE_OPTIONS_INIT;
	rat_store *store = open_s3("s3://bkt/some/prefix/", "http://127.0.0.1:9/", 1);
	char *url;
	(void)state;

	assert_true(rat_store__is_remote(store));
	url = rat_store__url(store, "d/x.parquet");
	assert_string_equal(url, "s3://bkt/some/prefix/d/x.parquet");
	free(url);
	url = rat_store__url(store, "");
	assert_string_equal(url, "s3://bkt/some/prefix");
	free(url);
	url = rat_s3__full_key(store, "d/x");
	assert_string_equal(url, "some/prefix/d/x");
	free(url);
	rat_store__free(store);

	store = open_s3("s3://bkt", "http://127.0.0.1:9", 1);
	url = rat_store__url(store, "k");
	assert_string_equal(url, "s3://bkt/k");
	free(url);
	rat_store__free(store);

	assert_int_equal(rat_store__open(&store, "s3://", NULL), RAT_EINVALID);
	assert_int_equal(rat_store__open(&store, "s3://b d/x", NULL), RAT_EINVALID);
	assert_int_equal(rat_store__open(&store, "s3://b/../x", NULL), RAT_EINVALID);
	opts.endpoint = "127.0.0.1:9000";
	assert_int_equal(rat_store__open(&store, "s3://b", &opts), RAT_EINVALID);
	assert_non_null(strstr(rat_error_last()->message, "http://"));
	opts.endpoint = "http://user:" SECRET "@127.0.0.1:9000";
	assert_int_equal(rat_store__open(&store, "s3://b", &opts), RAT_EINVALID);
	assert_null(strstr(rat_error_last()->message, SECRET));
	opts.endpoint = "http://127.0.0.1:9";
	opts.access_key = "AKID";
	unsetenv("S3_SECRET_KEY");
	assert_int_equal(rat_store__open(&store, "s3://b", &opts), RAT_EINVALID);
	assert_non_null(strstr(rat_error_last()->message, "S3_SECRET_KEY"));
	assert_null(store);
}

static void unreachable_endpoint_is_retried_then_named(void **state)
{
	/* port 9 (discard) is closed on 127.0.0.1: connections are refused */
	rat_store *store = open_s3("s3://bkt/pre", "http://127.0.0.1:9", 3);
	rat_store_stats stats;
	rat_buf buf = RAT_BUF_INIT;
	const char *msg;
	(void)state;

	assert_int_equal(rat_store__get(store, "d/x.bin", &buf, 100), RAT_EIO);
	msg = rat_error_last()->message;
	assert_non_null(strstr(msg, "s3://bkt/pre/d/x.bin"));
	assert_non_null(strstr(msg, "GET failed after 3 attempts"));
	assert_null(strstr(msg, SECRET));
	assert_int_equal(rat_store__put(store, "d/y.bin", "data", 4), RAT_EIO);
	assert_non_null(strstr(rat_error_last()->message, "PUT failed after 3 attempts"));
	assert_null(strstr(rat_error_last()->message, SECRET));
	rat_store__stats(store, &stats);
	assert_int_equal(stats.gets, 1);
	assert_int_equal(stats.puts, 1);
	assert_int_equal(stats.retries, 4);
	assert_int_equal(buf.len, 0);
	rat_buf_free(&buf);
	rat_store__free(store);
}

static void local_path_needs_a_cache(void **state)
{
	rat_store *store = open_s3("s3://bkt", "http://127.0.0.1:9", 1);
	char *path = (char *)"x";
	(void)state;

	assert_int_equal(rat_store__local_path(store, "k", &path), RAT_EINVALID);
	assert_null(path);
	assert_non_null(strstr(rat_error_last()->message, "cache_dir"));
	rat_store__free(store);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(xml_finds_elements_and_decodes),
		cmocka_unit_test(xml_escapes),
		cmocka_unit_test(keys_are_uri_encoded),
		cmocka_unit_test(s3_urls_and_settings),
		cmocka_unit_test(unreachable_endpoint_is_retried_then_named),
		cmocka_unit_test(local_path_needs_a_cache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
