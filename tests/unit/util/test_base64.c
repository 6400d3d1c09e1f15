/*
 * tests/unit/util/test_base64.c - standard base64 (util/base64.h): RFC
 * 4648's vectors both ways, padding optional when decoding, every byte
 * value round-tripped, and bad text refused.
 */
#include "helpers.h"

#include <string.h>

#include "util/base64.h"
#include "rat/errors.h"

static void rfc_vectors(void **state)
{
	static const char *const plain[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *const coded[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
	char out[16], back[16];
	size_t i, n;

	(void)state;
	for (i = 0; i < 7; i++) {
		rat_base64__encode(out, plain[i], strlen(plain[i]));
		assert_string_equal(out, coded[i]);
		TEST_OK(rat_base64__decode(coded[i], back, sizeof(back), &n));
		assert_int_equal(n, strlen(plain[i]));
		assert_memory_equal(back, plain[i], n);
	}
	TEST_OK(rat_base64__decode("Zm9vYg", back, sizeof(back), &n)); /* no padding */
	assert_int_equal(n, 4);
}

static void every_byte(void **state)
{
	unsigned char data[256], back[256];
	char text[RAT_BASE64_SIZE(256)];
	size_t i, n;

	(void)state;
	for (i = 0; i < 256; i++)
		data[i] = (unsigned char)i;
	for (i = 0; i <= 256; i += 17) {
		rat_base64__encode(text, data, i);
		assert_int_equal(strlen(text), (i + 2) / 3 * 4);
		TEST_OK(rat_base64__decode(text, back, sizeof(back), &n));
		assert_int_equal(n, i);
		assert_memory_equal(back, data, i);
	}
}

static void bad_text(void **state)
{
	char out[8];
	size_t n;

	(void)state;
	assert_int_equal(rat_base64__decode("Zm9v!", out, sizeof(out), &n), RAT_EINVALID);
	assert_int_equal(rat_base64__decode("Z", out, sizeof(out), &n), RAT_EINVALID);
	assert_int_equal(rat_base64__decode("Zm9vYmFyYmF6cXV4", out, sizeof(out), &n), RAT_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc_vectors),
		cmocka_unit_test(every_byte),
		cmocka_unit_test(bad_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
