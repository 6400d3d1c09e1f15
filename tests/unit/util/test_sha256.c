/*
 * tests/unit/util/test_sha256.c - SHA-256 against the FIPS 180-4 / NIST
 * example vectors (one-shot and incremental, split at every byte of an
 * input), and HMAC-SHA256 against the RFC 4231 test cases.
 */
#include "helpers.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "util/common.h"
#include "util/sha256.h"

/* NIST's examples (FIPS 180-4 appendix, and the CAVP "long message" one). */
static const char *const ABC_448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
static const char *const ABC_896 =
	"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqr"
	"lmnopqrsmnopqrstnopqrstu";

static void check_hex(const void *data, size_t len, const char *want)
{
	char hex[65];

	assert_int_equal(rat_sha256__hex(data, len, hex), 0);
	assert_string_equal(hex, want);
}

static void sha256_matches_the_nist_vectors(void **state)
{
	char *million = malloc(1000000);
	(void)state;

	check_hex("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_hex(NULL, 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check_hex("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	check_hex(ABC_448, strlen(ABC_448),
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	check_hex(ABC_896, strlen(ABC_896),
		  "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
	assert_non_null(million);
	memset(million, 'a', 1000000);
	check_hex(million, 1000000,
		  "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(million);
}

/* The digest of data fed as [0, cut) then [cut, len), in hex. */
static void digest_in_two(const unsigned char *data, size_t len, size_t cut, char hex[65])
{
	unsigned char digest[RAT_SHA256_SIZE];
	rat_sha256 *sha = NULL;

	assert_int_equal(rat_sha256__new(&sha), 0);
	assert_int_equal(rat_sha256__update(sha, data, cut), 0);
	assert_int_equal(rat_sha256__update(sha, NULL, 0), 0);
	assert_int_equal(rat_sha256__update(sha, data + cut, len - cut), 0);
	assert_int_equal(rat_sha256__final(sha, digest), 0);
	rat_sha256__free(sha);
	rat_sha256__format(digest, hex);
}

static void incremental_updates_give_the_same_digest_wherever_cut(void **state)
{
	/* 200 bytes: over three 64-byte blocks, so cuts fall inside, at and across them */
	static const char want[] = "44cae5223d431caed4a9e32271d6abf17c3f2f4abac45fcdb48a99fcc6072a09";
	unsigned char data[200], digest[RAT_SHA256_SIZE];
	rat_sha256 *sha = NULL;
	char hex[65];
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 31 + 7);
	check_hex(data, sizeof(data), want);
	for (i = 0; i <= sizeof(data); i++) {
		digest_in_two(data, sizeof(data), i, hex);
		assert_string_equal(hex, want);
	}
	/* a byte at a time */
	assert_int_equal(rat_sha256__new(&sha), 0);
	for (i = 0; i < sizeof(data); i++)
		assert_int_equal(rat_sha256__update(sha, data + i, 1), 0);
	assert_int_equal(rat_sha256__final(sha, digest), 0);
	rat_sha256__free(sha);
	rat_sha256__format(digest, hex);
	assert_string_equal(hex, want);
	/* nothing added: the empty digest */
	digest_in_two(data, 0, 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	rat_sha256__free(NULL);
}

static void check_hmac(const void *key, size_t key_len, const void *data, size_t len,
		       const char *want)
{
	unsigned char mac[RAT_SHA256_SIZE];
	char hex[65];

	assert_int_equal(rat_sha256__hmac(key, key_len, data, len, mac), 0);
	rat_sha256__format(mac, hex);
	/* test case 5 gives only the first 128 bits */
	assert_memory_equal(hex, want, strlen(want));
}

static void hmac_matches_rfc_4231(void **state)
{
	static const char tc7[] = "This is a test using a larger than block-size key and a larger "
				  "than block-size data. The key needs to be hashed before being "
				  "used by the HMAC algorithm.";
	unsigned char key[131], data[50];
	size_t i;
	(void)state;

	memset(key, 0x0b, 20);
	check_hmac(key, 20, "Hi There", 8,
		   "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
	check_hmac("Jefe", 4, "what do ya want for nothing?", 28,
		   "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	memset(key, 0xaa, 20);
	memset(data, 0xdd, 50);
	check_hmac(key, 20, data, 50,
		   "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
	for (i = 0; i < 25; i++)
		key[i] = (unsigned char)(i + 1);
	memset(data, 0xcd, 50);
	check_hmac(key, 25, data, 50,
		   "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
	memset(key, 0x0c, 20);
	check_hmac(key, 20, "Test With Truncation", 20, "a3b6167473100ee06e0c796c2955552b");
	memset(key, 0xaa, 131);
	check_hmac(key, 131, "Test Using Larger Than Block-Size Key - Hash Key First", 54,
		   "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
	check_hmac(key, 131, tc7, strlen(tc7),
		   "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
	/* an empty key and empty data are allowed */
	check_hmac(NULL, 0, NULL, 0,
		   "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

static void hmac_refuses_a_key_libcrypto_cannot_take(void **state)
{
	unsigned char mac[RAT_SHA256_SIZE];
	(void)state;

	/* refused before the key is read: libcrypto takes an int length */
	assert_int_equal(rat_sha256__hmac("k", (size_t)INT_MAX + 1, "x", 1, mac), RAT_EINVALID);
	assert_non_null(strstr(rat_error_last()->message, "2147483648 bytes"));
	assert_int_equal(rat_error_last()->klass, RAT_ERRCLASS_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sha256_matches_the_nist_vectors),
		cmocka_unit_test(incremental_updates_give_the_same_digest_wherever_cut),
		cmocka_unit_test(hmac_matches_rfc_4231),
		cmocka_unit_test(hmac_refuses_a_key_libcrypto_cannot_take),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
