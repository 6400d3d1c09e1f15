/*
 * tests/unit/util/test_secrets_crypto.c - what the secret store rests on:
 * AES-256-GCM sealing (NIST's GCM test case 14 for AES-256, a round trip,
 * and refusals of another key, other associated data and a changed byte),
 * and the masking of secret values in error messages (whole values, cut
 * messages, prefixes) and in SQL (same length).
 */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>

#include "util/common.h"
#include "util/aead.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/mask.h"

static const unsigned char KEY[RAT_AEAD_KEY_BYTES] = "0123456789abcdef0123456789abcdef";

static void a_sealed_value_opens_with_its_key_and_aad_only(void **state)
{
	unsigned char other[RAT_AEAD_KEY_BYTES];
	rat_buf sealed = RAT_BUF_INIT, plain = RAT_BUF_INIT, again = RAT_BUF_INIT;
	(void)state;

	assert_int_equal(rat_aead__seal(&sealed, KEY, "shop\nAPI", "s3cr3t-value", 12), 0);
	assert_int_equal(sealed.len, RAT_AEAD_NONCE_BYTES + 12 + RAT_AEAD_TAG_BYTES);
	assert_null(memmem(sealed.ptr, sealed.len, "s3cr3t", 6));
	assert_int_equal(rat_aead__open(&plain, KEY, "shop\nAPI", sealed.ptr, sealed.len), 0);
	assert_string_equal(rat_buf_cstr(&plain), "s3cr3t-value");
	/* a fresh nonce each time: the same value seals differently */
	assert_int_equal(rat_aead__seal(&again, KEY, "shop\nAPI", "s3cr3t-value", 12), 0);
	assert_memory_not_equal(again.ptr, sealed.ptr, sealed.len);
	/* another workspace or name (the associated data), another key, a changed byte */
	assert_int_equal(rat_aead__open(&plain, KEY, "other\nAPI", sealed.ptr, sealed.len),
			 RAT_EINVALID);
	assert_non_null(strstr(rat_error_last()->message, "does not open with this key"));
	memcpy(other, KEY, sizeof(other));
	other[0] ^= 1;
	assert_int_equal(rat_aead__open(&plain, other, "shop\nAPI", sealed.ptr, sealed.len),
			 RAT_EINVALID);
	sealed.ptr[RAT_AEAD_NONCE_BYTES + 3] ^= 1;
	assert_int_equal(rat_aead__open(&plain, KEY, "shop\nAPI", sealed.ptr, sealed.len),
			 RAT_EINVALID);
	assert_int_equal(rat_aead__open(&plain, KEY, "shop\nAPI", sealed.ptr, 10), RAT_EINVALID);
	assert_string_equal(rat_buf_cstr(&plain), "s3cr3t-value"); /* left as it was */
	rat_buf_free(&sealed);
	rat_buf_free(&plain);
	rat_buf_free(&again);
}

/* NIST GCM spec, test case 14: AES-256, zero key, zero IV, one zero block. */
static void the_cipher_is_aes_256_gcm(void **state)
{
	static const unsigned char zero_key[RAT_AEAD_KEY_BYTES];
	unsigned char sealed[RAT_AEAD_NONCE_BYTES + 16 + RAT_AEAD_TAG_BYTES] = { 0 };
	size_t len = 0;
	rat_buf plain = RAT_BUF_INIT;
	(void)state;

	assert_int_equal(rat_hex__decode("cea7403d4d606b6e074ec5d3baf39d18"
					 "d0d1c8a799996bf0265b98b5d48ab919",
					 sealed + RAT_AEAD_NONCE_BYTES, 32, &len), 0);
	assert_int_equal(rat_aead__open(&plain, zero_key, "", sealed, sizeof(sealed)), 0);
	assert_int_equal(plain.len, 16);
	assert_memory_equal(plain.ptr, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	rat_buf_free(&plain);
}

static void messages_never_show_a_remembered_value(void **state)
{
	char sql[] = "SELECT 'pa55word-xyz' AS a, 'pa55word-xyz' AS b";
	char *big;
	size_t i;
	(void)state;

	assert_int_equal(rat_mask__add("abc"), RAT_EINVALID); /* too short to mask safely */
	assert_int_equal(rat_mask__add("pa55word-xyz"), 0);
	assert_int_equal(rat_mask__add("pa55word-xyz"), 0); /* once is enough */
	rat__ignore(rat_error__set(RAT_ERROR, RAT_ERRCLASS_ENGINE,
				   "could not convert 'pa55word-xyz' (pa55word-xyz)"));
	assert_string_equal(rat_error_last()->message, "could not convert '***' (***)");
	rat_error__prefix("step '%s'", "pa55word-xyz");
	assert_string_equal(rat_error_last()->message, "step '***': could not convert '***' (***)");
	rat_mask__same_length(sql);
	assert_string_equal(sql, "SELECT '************' AS a, '************' AS b");
	/* a message cut short in the middle of the value hides what is left of it */
	big = malloc(8192);
	assert_non_null(big);
	for (i = 0; i < 4090; i++)
		big[i] = '.';
	memcpy(big + 4090, "pa55word-xyz", 13);
	rat__ignore(rat_error__set(RAT_ERROR, RAT_ERRCLASS_ENGINE, "%s", big));
	/* 4090 dots, the value's first two bytes, then the mark of a cut */
	assert_int_equal(strlen(rat_error_last()->message), 4095);
	assert_string_equal(rat_error_last()->message + 4088, "..**...");
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_sealed_value_opens_with_its_key_and_aad_only),
		cmocka_unit_test(the_cipher_is_aes_256_gcm),
		cmocka_unit_test(messages_never_show_a_remembered_value),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
