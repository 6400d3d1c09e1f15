/*
 * util/aead.c - AES-256-GCM through libcrypto's EVP cipher API (aead.h),
 * libcrypto loaded on first use (crypto_api.h).
 *
 * A fresh random nonce per value: with 96-bit random nonces a key stays
 * safe for far more values than a secret store ever holds (NIST SP 800-38D
 * allows 2^32 per key).
 */
#include "util/common.h"
#include "util/aead.h"
#include "util/random.h"

#include <limits.h>
#include <string.h>

#include "util/crypto_api.h"

/* One AES-256-GCM pass: encrypt or decrypt in (n bytes) into out (n bytes), with tag. */
static int gcm(const unsigned char *key, const unsigned char *nonce, const char *aad,
	       const unsigned char *in, size_t n, unsigned char *out, unsigned char *tag,
	       bool encrypt)
{
	EVP_CIPHER_CTX *ctx;
	int len = 0, ok;

	if ((ok = rat_crypto__load()) != 0)
		return ok;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		return rat_error__oom();
	ok = (encrypt ? EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce)
		      : EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce)) == 1 &&
	     (encrypt ? EVP_EncryptUpdate(ctx, NULL, &len, (const unsigned char *)aad,
					  (int)strlen(aad))
		      : EVP_DecryptUpdate(ctx, NULL, &len, (const unsigned char *)aad,
					  (int)strlen(aad))) == 1 &&
	     (n == 0 || (encrypt ? EVP_EncryptUpdate(ctx, out, &len, in, (int)n)
				 : EVP_DecryptUpdate(ctx, out, &len, in, (int)n)) == 1);
	if (ok && encrypt)
		ok = EVP_EncryptFinal_ex(ctx, out + n, &len) == 1 &&
		     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, RAT_AEAD_TAG_BYTES, tag) == 1;
	else if (ok)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, RAT_AEAD_TAG_BYTES, tag) == 1 &&
		     EVP_DecryptFinal_ex(ctx, out + n, &len) == 1;
	EVP_CIPHER_CTX_free(ctx);
	ERR_clear_error(); /* nothing left for libcurl to misreport (sha256.c) */
	if (!ok)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      encrypt ? "libcrypto: AES-256-GCM encryption failed"
					      : "the value does not open with this key (another key, "
						"or the sealed text was changed)");
	return 0;
}

int rat_aead__seal(rat_buf *out, const unsigned char key[RAT_AEAD_KEY_BYTES], const char *aad,
		   const void *plain, size_t len)
{
	size_t total = RAT_AEAD_NONCE_BYTES + len + RAT_AEAD_TAG_BYTES;
	unsigned char *buf;
	int error;

	if (len > INT_MAX - 64)
		return rat_error__set(RAT_ETOOBIG, RAT_ERRCLASS_INVALID, "%zu bytes to seal", len);
	/* + one block: EVP_EncryptFinal_ex writes nothing for GCM, but may be given room */
	if ((buf = rat__calloc(1, total + 16)) == NULL)
		return RAT_ENOMEM;
	if ((error = rat_random__bytes(buf, RAT_AEAD_NONCE_BYTES)) == 0 &&
	    (error = gcm(key, buf, aad, plain, len, buf + RAT_AEAD_NONCE_BYTES,
			 buf + RAT_AEAD_NONCE_BYTES + len, true)) == 0)
		error = rat_buf_put(out, buf, total);
	rat__wipe(buf, total + 16);
	free(buf);
	return error;
}

int rat_aead__open(rat_buf *out, const unsigned char key[RAT_AEAD_KEY_BYTES], const char *aad,
		   const void *sealed, size_t len)
{
	const unsigned char *in = sealed;
	unsigned char tag[RAT_AEAD_TAG_BYTES], *plain;
	size_t n;
	int error;

	if (len < RAT_AEAD_NONCE_BYTES + RAT_AEAD_TAG_BYTES || len > INT_MAX - 64)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "a sealed value of %zu bytes (at least %d)", len,
				      RAT_AEAD_NONCE_BYTES + RAT_AEAD_TAG_BYTES);
	n = len - RAT_AEAD_NONCE_BYTES - RAT_AEAD_TAG_BYTES;
	memcpy(tag, in + len - RAT_AEAD_TAG_BYTES, sizeof(tag));
	if ((plain = rat__calloc(1, n + 16)) == NULL)
		return RAT_ENOMEM;
	if ((error = gcm(key, in, aad, in + RAT_AEAD_NONCE_BYTES, n, plain, tag, false)) == 0)
		error = rat_buf_put(out, plain, n);
	rat__wipe(plain, n + 16);
	free(plain);
	return error;
}
