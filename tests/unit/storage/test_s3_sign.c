/*
 * tests/unit/storage/test_s3_sign.c - SigV4 for others' requests (remote
 * signing, storage/s3_sign.c), checked against the worked example of AWS's
 * S3 documentation ("Signature Calculations for the Authorization Header:
 * Transferring Payload in a Single Chunk", Example: GET Object) and against
 * what changes the signature and what does not.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "storage/storage.h"

#define AK "AKIAIOSFODNN7EXAMPLE"
#define SK "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
#define EMPTY_SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

/* The value of header name in a signed list (name, value pairs); NULL when absent. */
static const char *value_of(const rat_strarray *h, const char *name)
{
	size_t i;

	for (i = 0; i + 1 < h->count; i += 2)
		if (strcmp(h->strings[i], name) == 0)
			return h->strings[i + 1];
	return NULL;
}

static char *sign(const char *method, const char *url, const char *const *headers, size_t n)
{
	rat_s3_sign_request r = { method, url, headers, n, "us-east-1", AK, SK, "20130524T000000Z" };
	rat_strarray out = { NULL, 0 };
	char *auth;

	if (rat_s3__sign(&out, &r) != 0)
		fail_msg("sign: %s", rat_error_last()->message);
	auth = strdup(value_of(&out, "Authorization"));
	assert_string_equal(value_of(&out, "x-amz-date"), "20130524T000000Z");
	rat_strarray_free(&out);
	return auth;
}

static void the_aws_get_object_example(void **state)
{
	const char *headers[] = { "Range", "bytes=0-9", "x-amz-content-sha256", EMPTY_SHA };
	char *auth = sign("GET", "https://examplebucket.s3.amazonaws.com/test.txt", headers, 2);

	(void)state;
	assert_string_equal(auth, "AWS4-HMAC-SHA256 Credential=" AK "/20130524/us-east-1/s3/aws4_request, "
				  "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
				  "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
	free(auth);
}

static void header_case_spaces_and_unsigned_headers_do_not_change_it(void **state)
{
	const char *a[] = { "range", "  bytes=0-9 ", "X-Amz-Content-Sha256", EMPTY_SHA,
			    "User-Agent", "some client/1.0", "Authorization", "old" };
	const char *b[] = { "Range", "bytes=0-9", "x-amz-content-sha256", EMPTY_SHA };
	char *x = sign("GET", "https://examplebucket.s3.amazonaws.com/test.txt", a, 4);
	char *y = sign("GET", "https://examplebucket.s3.amazonaws.com/test.txt", b, 2);

	(void)state;
	assert_string_equal(x, y);
	free(x);
	free(y);
}

static void method_path_query_and_payload_change_it(void **state)
{
	const char *h[] = { "x-amz-content-sha256", EMPTY_SHA };
	char *base = sign("GET", "http://127.0.0.1:9000/lake/a/b.parquet?versionId=1", h, 1);
	char *put = sign("PUT", "http://127.0.0.1:9000/lake/a/b.parquet?versionId=1", h, 1);
	char *other = sign("GET", "http://127.0.0.1:9000/lake/a/c.parquet?versionId=1", h, 1);
	char *query = sign("GET", "http://127.0.0.1:9000/lake/a/b.parquet?versionId=2", h, 1);
	char *unsigned_payload = sign("GET", "http://127.0.0.1:9000/lake/a/b.parquet?versionId=1", NULL, 0);
	/* an encoded path and query sign as the decoded ones encoded the AWS way */
	char *encoded = sign("GET", "http://127.0.0.1:9000/lake/a/%62.parquet?version%49d=1", h, 1);

	(void)state;
	assert_string_not_equal(base, put);
	assert_string_not_equal(base, other);
	assert_string_not_equal(base, query);
	assert_string_not_equal(base, unsigned_payload);
	assert_string_equal(base, encoded);
	free(base);
	free(put);
	free(other);
	free(query);
	free(unsigned_payload);
	free(encoded);
}

static void unsigned_payload_and_the_request_headers_are_returned(void **state)
{
	const char *h[] = { "Range", "bytes=0-9", "Authorization", "stale", "x-amz-date", "19700101T000000Z" };
	rat_s3_sign_request r = { "GET", "http://127.0.0.1:9000/lake/k", h, 3, "eu-west-1", AK, SK,
				  "20240102T030405Z" };
	rat_strarray out = { NULL, 0 };

	(void)state;
	assert_int_equal(rat_s3__sign(&out, &r), 0);
	assert_string_equal(value_of(&out, "Range"), "bytes=0-9");
	assert_string_equal(value_of(&out, "x-amz-content-sha256"), "UNSIGNED-PAYLOAD");
	assert_string_equal(value_of(&out, "x-amz-date"), "20240102T030405Z");
	assert_non_null(strstr(value_of(&out, "Authorization"), "/20240102/eu-west-1/s3/aws4_request"));
	assert_null(strstr(value_of(&out, "Authorization"), "stale"));
	rat_strarray_free(&out);
}

static void bad_requests_are_refused(void **state)
{
	rat_s3_sign_request r = { "GET", "no-scheme/path", NULL, 0, "us-east-1", AK, SK, "20240102T030405Z" };
	rat_strarray out = { NULL, 0 };
	const char *twice[] = { "Range", "bytes=0-1", "range", "bytes=2-3" };

	(void)state;
	assert_int_equal(rat_s3__sign(&out, &r), RAT_EINVALID);
	r.url = "http://h/k";
	r.amz_date = "yesterday";
	assert_int_equal(rat_s3__sign(&out, &r), RAT_EINVALID);
	r.amz_date = "20240102T030405Z";
	r.headers = twice;
	r.header_count = 2;
	assert_int_equal(rat_s3__sign(&out, &r), RAT_EINVALID);
	assert_int_equal(out.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_aws_get_object_example),
		cmocka_unit_test(header_case_spaces_and_unsigned_headers_do_not_change_it),
		cmocka_unit_test(method_path_query_and_payload_change_it),
		cmocka_unit_test(unsigned_payload_and_the_request_headers_are_returned),
		cmocka_unit_test(bad_requests_are_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
