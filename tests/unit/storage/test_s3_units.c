/*
 * tests/unit/storage/test_s3_units.c - the S3 backend's pieces that need no
 * server: S3's XML answers (namespaces, entities, CDATA, lookups by depth,
 * malformed, cut and hostile documents refused, error documents), key
 * encoding, s3:// URLs and settings, and errors of an unreachable endpoint (retried,
 * naming the object, never showing the secret key).
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/s3_internal.h"
#include "storage/xml.h"

#define SECRET "SECRET-never-print-me"

/* Parse text, which must be well-formed. */
static rat_xml *parse_ok(const char *text)
{
	rat_xml *doc = NULL;

	if (rat_xml__parse(&doc, text, strlen(text)) != 0)
		fail_msg("parse: %s", rat_error_last()->message);
	return doc;
}

/* Parse text, which must be refused with code and a message holding want. */
static void parse_refused(const char *text, size_t len, int code, const char *want)
{
	rat_xml *doc = (rat_xml *)"x";

	assert_int_equal(rat_xml__parse(&doc, text, len), code);
	assert_null(doc);
	if (!strstr(rat_error_last()->message, want))
		fail_msg("'%s' does not say '%s'", rat_error_last()->message, want);
}

static void xml_reads_a_namespaced_list_answer_by_depth(void **state)
{
	static const char page[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
		"<Name>lake</Name><Prefix>wh/</Prefix><KeyCount>3</KeyCount>"
		"<CommonPrefixes><Prefix>wh/sub/</Prefix></CommonPrefixes>"
		"<Contents><Key>wh/a &amp; b&lt;c&gt;&quot;&apos;&#233;&#x4E2D;</Key>"
		"<Size>12</Size><Owner><ID>x</ID></Owner></Contents>"
		"<IsTruncated>true</IsTruncated>"
		"<Contents><Key>wh/two</Key><Size>0</Size><Empty/></Contents>"
		"<Contents><Key>wh/<![CDATA[<three>&amp;]]></Key></Contents>"
		"<NextContinuationToken>t/=+</NextContinuationToken></ListBucketResult>";
	rat_xml *doc = parse_ok(page);
	const rat_xml_node *root = rat_xml__root(doc), *c;
	(void)state;

	assert_string_equal(rat_xml__name(root), "ListBucketResult");
	/* the top-level <Prefix>, not the one inside <CommonPrefixes> */
	assert_string_equal(rat_xml__child_text(root, "Prefix"), "wh/");
	c = rat_xml__child(root, "CommonPrefixes");
	assert_string_equal(rat_xml__child_text(c, "Prefix"), "wh/sub/");
	/* <KeyCount> is not <Key>, and the root has no <Key> of its own */
	assert_null(rat_xml__child_text(root, "Key"));
	c = rat_xml__child(root, "Contents");
	assert_string_equal(rat_xml__child_text(c, "Key"), "wh/a & b<c>\"'\xc3\xa9\xe4\xb8\xad");
	assert_string_equal(rat_xml__child_text(c, "Size"), "12");
	assert_null(rat_xml__child_text(c, "ID")); /* a grandchild is not a child */
	/* the next <Contents>, past <IsTruncated> */
	c = rat_xml__next(c);
	assert_string_equal(rat_xml__child_text(c, "Key"), "wh/two");
	assert_string_equal(rat_xml__child_text(c, "Empty"), "");
	assert_null(rat_xml__child_text(c, "ETag"));
	c = rat_xml__next(c);
	assert_string_equal(rat_xml__child_text(c, "Key"), "wh/<three>&amp;");
	assert_null(rat_xml__next(c));
	assert_string_equal(rat_xml__child_text(root, "IsTruncated"), "true");
	assert_string_equal(rat_xml__child_text(root, "NextContinuationToken"), "t/=+");
	assert_null(rat_xml__child(NULL, "Key"));
	rat_xml__free(doc);

	/* a prefixed namespace gives the same local names */
	doc = parse_ok("<s3:ListBucketResult xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
		       "<s3:Contents><s3:Key>k</s3:Key></s3:Contents></s3:ListBucketResult>");
	root = rat_xml__root(doc);
	assert_string_equal(rat_xml__name(root), "ListBucketResult");
	assert_string_equal(rat_xml__child_text(rat_xml__child(root, "Contents"), "Key"), "k");
	rat_xml__free(doc);
	rat_xml__free(NULL);
}

static void xml_decodes_entities_and_cdata_in_text(void **state)
{
	rat_xml *doc = parse_ok("<K>a&amp;b<![CDATA[ &amp; <x> ]]>&#x1F600;\r\n&#9;end</K>");
	(void)state;

	/* CDATA is taken as it stands; line ends become \n; a tab by reference stays */
	assert_string_equal(rat_xml__text(rat_xml__root(doc)),
			    "a&b &amp; <x> \xf0\x9f\x98\x80\n\tend");
	rat_xml__free(doc);
}

static void xml_refuses_malformed_and_cut_answers(void **state)
{
	static const char page[] = "<?xml version=\"1.0\"?><R xmlns=\"u\"><Contents><Key>a&amp;b"
				   "</Key><Size>1</Size></Contents></R>";
	size_t cut;
	(void)state;

	/* an answer cut anywhere is refused (the whole one is not) */
	for (cut = 0; cut < strlen(page); cut++)
		parse_refused(page, cut, RAT_EINVALID, "malformed XML at line 1");
	rat_xml__free(parse_ok(page));
	parse_refused("<A><B>x</A></B>", 15, RAT_EINVALID, "column 10: mismatched tag");
	parse_refused("<K>&bogus;</K>", 14, RAT_EINVALID, "undefined entity");
	parse_refused("<K>&#0;</K>", 11, RAT_EINVALID, "reference to invalid character number");
	parse_refused("<K>a & b</K>", 12, RAT_EINVALID, "not well-formed");
	parse_refused("<s3:K>x</s3:K>", 14, RAT_EINVALID, "unbound prefix");
	parse_refused("<K>a\0b</K>", 10, RAT_EINVALID, "not well-formed");
	parse_refused("<A/><B/>", 8, RAT_EINVALID, "junk after document element");
	parse_refused(NULL, 0, RAT_EINVALID, "no element found");
	parse_refused("<html>Service Unavailable", 25, RAT_EINVALID, "malformed XML");
}

static void xml_refuses_doctypes_and_billion_laughs(void **state)
{
	static const char laughs[] =
		"<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n"
		" <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
		" <!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">\n"
		" <!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
		" <!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
		" <!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">\n"
		" <!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">\n"
		" <!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">\n"
		" <!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">\n"
		" <!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">\n"
		"]>\n<Key>&lol9;</Key>";
	static const char external[] = "<!DOCTYPE K [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
				       "<K>&x;</K>";
	static const char dtd[] = "<!DOCTYPE K SYSTEM \"http://127.0.0.1:9/k.dtd\"><K>x</K>";
	(void)state;

	parse_refused(laughs, strlen(laughs), RAT_EINVALID, "DOCTYPE at line 2");
	parse_refused(external, strlen(external), RAT_EINVALID, "DOCTYPE");
	parse_refused(dtd, strlen(dtd), RAT_EINVALID, "DOCTYPE");
}

static void xml_caps_size_depth_and_elements(void **state)
{
	rat_buf text = RAT_BUF_INIT;
	int i;
	(void)state;

	/* refused on its length alone, before a byte is read */
	parse_refused("<K/>", RAT_XML_MAX_BYTES + 1, RAT_ETOOBIG, "over the cap");
	for (i = 0; i < RAT_XML_MAX_DEPTH + 1; i++)
		assert_int_equal(rat_buf_puts(&text, "<a>"), 0);
	parse_refused(text.ptr, text.len, RAT_EINVALID, "nested deeper than 32");
	rat_buf_clear(&text);
	assert_int_equal(rat_buf_puts(&text, "<a>"), 0);
	for (i = 0; i < RAT_XML_MAX_ELEMENTS; i++)
		assert_int_equal(rat_buf_puts(&text, "<b/>"), 0);
	assert_int_equal(rat_buf_puts(&text, "</a>"), 0);
	parse_refused(text.ptr, text.len, RAT_ETOOBIG, "more than 100000 elements");
	rat_buf_free(&text);
}

static void xml_error_answer_gives_code_and_message(void **state)
{
	rat_xml *doc = parse_ok("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey"
				"</Code><Message>The specified key does not exist.</Message>"
				"<Key>a&amp;b</Key><RequestId>1</RequestId></Error>");
	const char *code, *message;
	(void)state;

	assert_true(rat_xml__is_error(doc, &code, &message));
	assert_string_equal(code, "NoSuchKey");
	assert_string_equal(message, "The specified key does not exist.");
	rat_xml__free(doc);
	doc = parse_ok("<Error><Code>SlowDown</Code></Error>");
	assert_true(rat_xml__is_error(doc, &code, &message));
	assert_string_equal(code, "SlowDown");
	assert_null(message);
	rat_xml__free(doc);
	/* only a root <Error> is one */
	doc = parse_ok("<R><Error><Code>x</Code></Error></R>");
	assert_false(rat_xml__is_error(doc, &code, &message));
	assert_null(code);
	assert_null(message);
	rat_xml__free(doc);
	assert_false(rat_xml__is_error(NULL, &code, &message));
}

static void xml_escapes(void **state)
{
	static const char text[] = "\"etag\" <&> 'x' ]]> &amp;\r\n\t";
	rat_buf buf = RAT_BUF_INIT;
	rat_xml *doc;
	(void)state;

	assert_int_equal(rat_xml__escape(&buf, "\"etag\" <&> 'x'"), 0);
	assert_string_equal(buf.ptr, "&quot;etag&quot; &lt;&amp;&gt; &apos;x&apos;");
	/* escaped text parses back to itself */
	rat_buf_clear(&buf);
	assert_int_equal(rat_buf_puts(&buf, "<ETag>"), 0);
	assert_int_equal(rat_xml__escape(&buf, text), 0);
	assert_int_equal(rat_buf_puts(&buf, "</ETag>"), 0);
	doc = parse_ok(buf.ptr);
	assert_string_equal(rat_xml__text(rat_xml__root(doc)), text);
	rat_xml__free(doc);
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

/* The message after masking secret in text. */
static const char *masked(const char *text, const char *secret)
{
	static char msg[256];

	snprintf(msg, sizeof(msg), "%s", text);
	rat_s3__mask(msg, secret);
	return msg;
}

static void secrets_are_masked_whole_and_only_when_long_enough(void **state)
{
	(void)state;
	/* a one-character secret masks nothing, where it blanked every 'a' */
	assert_string_equal(masked("PUT s3://bkt/a/data.parquet failed: bad", "a"),
			    "PUT s3://bkt/a/data.parquet failed: bad");
	assert_string_equal(masked("abc abc", "abc"), "abc abc");
	/* a real one, wherever it stands whole */
	assert_string_equal(masked("key wJalrXUtnFEMI, again (wJalrXUtnFEMI)", "wJalrXUtnFEMI"),
			    "key *************, again (*************)");
	assert_string_equal(masked("wJalrXUtnFEMI", "wJalrXUtnFEMI"), "*************");
	/* inside a longer word it is another word */
	assert_string_equal(masked("xsecretx secret1 secret", "secret"), "xsecretx secret1 ******");
	assert_string_equal(masked("nothing here", NULL), "nothing here");
}

/* Through a store's errors: a one-character S3_SECRET_KEY leaves its letter in messages. */
static void a_short_secret_leaves_messages_whole(void **state)
{
	rat_store_options opts = RAT_STORE_OPTIONS_INIT;
	rat_store *store = NULL;
	(void)state;

	opts.endpoint = "http://127.0.0.1:9";
	opts.access_key = "AKIDTEST";
	opts.secret_key = "a";
	assert_int_equal(rat_store__open(&store, "s3://bkt/data", &opts), 0);
	assert_int_equal(rat_s3__fail(store, RAT_EIO, "GET s3://bkt/data/a.parquet: refused"), RAT_EIO);
	assert_string_equal(rat_error_last()->message, "GET s3://bkt/data/a.parquet: refused");
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

/* Parse body as the answer to what, which must fail with RAT_EIO saying want. */
static void answer_refused(rat_store *store, const char *body, const char *what,
			   const char *root, const char *want)
{
	rat_buf buf = RAT_BUF_INIT;
	rat_xml *doc = NULL;

	assert_int_equal(rat_buf_puts(&buf, body), 0);
	assert_int_equal(rat_s3__answer(store, &buf, "s3://bkt/k", what, root, &doc), RAT_EIO);
	assert_null(doc);
	if (!strstr(rat_error_last()->message, want))
		fail_msg("'%s' does not say '%s'", rat_error_last()->message, want);
	assert_null(strstr(rat_error_last()->message, SECRET));
	rat_buf_free(&buf);
}

static void s3_answers_need_their_root_and_report_errors(void **state)
{
	rat_store *store = open_s3("s3://bkt", "http://127.0.0.1:9", 1);
	rat_buf buf = RAT_BUF_INIT;
	rat_xml *doc = NULL;
	(void)state;

	/* a 200 answer to CompleteMultipartUpload that failed late */
	answer_refused(store, "<?xml version=\"1.0\"?>\n\n  <Error><Code>InternalError</Code>"
		       "<Message>We encountered an internal error. " SECRET "</Message></Error>",
		       "CompleteMultipartUpload", NULL, "s3://bkt/k: CompleteMultipartUpload: InternalError: We encountered an "
		       "internal error. *****");
	answer_refused(store, "<InitiateMultipartUploadResult><UploadId>x</UploadId>", "list",
		       "ListBucketResult", "s3://bkt/k: list answer: malformed XML at line 1");
	answer_refused(store, "", "list", "ListBucketResult", "no element found");
	answer_refused(store, "<ListAllMyBucketsResult/>", "list", "ListBucketResult",
		       "list answer is <ListAllMyBucketsResult>, not <ListBucketResult>");
	assert_int_equal(rat_buf_puts(&buf, "<InitiateMultipartUploadResult xmlns=\"http://s3."
				      "amazonaws.com/doc/2006-03-01/\"><UploadId>a&amp;b</UploadId>"
				      "</InitiateMultipartUploadResult>"), 0);
	assert_int_equal(rat_s3__answer(store, &buf, "s3://bkt/k", "CreateMultipartUpload",
					"InitiateMultipartUploadResult", &doc), 0);
	assert_string_equal(rat_xml__child_text(rat_xml__root(doc), "UploadId"), "a&b");
	rat_xml__free(doc);
	/* any root but <Error> when none is asked for (moto names its own) */
	rat_buf_clear(&buf);
	assert_int_equal(rat_buf_puts(&buf, "<CompleteMultipartUploadResponse/>"), 0);
	assert_int_equal(rat_s3__answer(store, &buf, "s3://bkt/k", "CompleteMultipartUpload", NULL,
					&doc), 0);
	rat_xml__free(doc);
	rat_buf_free(&buf);
	rat_store__free(store);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(xml_reads_a_namespaced_list_answer_by_depth),
		cmocka_unit_test(xml_decodes_entities_and_cdata_in_text),
		cmocka_unit_test(xml_refuses_malformed_and_cut_answers),
		cmocka_unit_test(xml_refuses_doctypes_and_billion_laughs),
		cmocka_unit_test(xml_caps_size_depth_and_elements),
		cmocka_unit_test(xml_error_answer_gives_code_and_message),
		cmocka_unit_test(xml_escapes),
		cmocka_unit_test(keys_are_uri_encoded),
		cmocka_unit_test(s3_urls_and_settings),
		cmocka_unit_test(unreachable_endpoint_is_retried_then_named),
		cmocka_unit_test(secrets_are_masked_whole_and_only_when_long_enough),
		cmocka_unit_test(a_short_secret_leaves_messages_whole),
		cmocka_unit_test(local_path_needs_a_cache),
		cmocka_unit_test(s3_answers_need_their_root_and_report_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
