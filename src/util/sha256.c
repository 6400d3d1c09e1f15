/*
 * util/sha256.c - SHA-256 and HMAC-SHA256 through OpenSSL's libcrypto (the
 * EVP digest API and HMAC()), behind the small interface of sha256.h;
 * libcrypto is loaded by the first call (crypto_api.h).
 *
 * libcrypto keeps a per-thread queue of errors; a failure here takes its
 * reason off the queue and clears it, so that nothing is left behind for
 * libcurl (which reads the same queue for TLS errors) to misreport.
 */
#include "util/common.h"
#include "util/sha256.h"

#include <limits.h>
#include <stdlib.h>

#include "util/crypto_api.h"

struct rat_sha256 {
	EVP_MD_CTX *ctx;
};

/* Report a libcrypto failure of what, with its reason, and clear the error queue. */
static int crypto_error(const char *what)
{
	unsigned long code = ERR_get_error();
	char reason[256] = "no reason given";

	if (code)
		ERR_error_string_n(code, reason, sizeof(reason));
	ERR_clear_error();
	if (code && ERR_GET_REASON(code) == ERR_R_MALLOC_FAILURE)
		return rat_error__oom();
	return rat_error__set(RAT_ERROR, RAT_ERRCLASS_OS, "libcrypto: %s failed: %s", what, reason);
}

int rat_sha256__new(rat_sha256 **out)
{
	rat_sha256 *sha = rat__calloc(1, sizeof(*sha));
	int error = 0;

	*out = NULL;
	if (!sha)
		return RAT_ENOMEM;
	if ((error = rat_crypto__load()) != 0)
		goto cleanup;
	if ((sha->ctx = EVP_MD_CTX_new()) == NULL) {
		error = rat_error__oom();
		goto cleanup;
	}
	if (EVP_DigestInit_ex(sha->ctx, EVP_sha256(), NULL) != 1) {
		error = crypto_error("SHA-256 init");
		goto cleanup;
	}
	*out = sha;
	sha = NULL;
cleanup:
	rat_sha256__free(sha);
	return error;
}

int rat_sha256__update(rat_sha256 *sha, const void *data, size_t len)
{
	if (len && EVP_DigestUpdate(sha->ctx, data, len) != 1)
		return crypto_error("SHA-256 update");
	return 0;
}

int rat_sha256__final(rat_sha256 *sha, unsigned char digest[RAT_SHA256_SIZE])
{
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(sha->ctx, digest, &n) != 1)
		return crypto_error("SHA-256 final");
	return 0;
}

void rat_sha256__free(rat_sha256 *sha)
{
	if (!sha)
		return;
	if (sha->ctx) /* made: libcrypto is loaded */
		EVP_MD_CTX_free(sha->ctx);
	free(sha);
}

void rat_sha256__format(const unsigned char bytes[RAT_SHA256_SIZE], char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < RAT_SHA256_SIZE; i++) {
		hex[2 * i] = digits[bytes[i] >> 4];
		hex[2 * i + 1] = digits[bytes[i] & 15];
	}
	hex[2 * RAT_SHA256_SIZE] = '\0';
}

int rat_sha256__hex(const void *data, size_t len, char hex[65])
{
	unsigned char digest[RAT_SHA256_SIZE];
	unsigned int n = 0;
	int error;

	hex[0] = '\0';
	if ((error = rat_crypto__load()) != 0)
		return error;
	if (EVP_Digest(len ? data : "", len, digest, &n, EVP_sha256(), NULL) != 1)
		return crypto_error("SHA-256");
	rat_sha256__format(digest, hex);
	return 0;
}

int rat_sha256__hmac(const void *key, size_t key_len, const void *data, size_t len,
		     unsigned char mac[RAT_SHA256_SIZE])
{
	unsigned int n = 0;
	int error;

	if ((error = rat_crypto__load()) != 0)
		return error;
	if (key_len > INT_MAX)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "HMAC-SHA256 key of %zu bytes is too long", key_len);
	if (HMAC(EVP_sha256(), key_len ? key : "", (int)key_len,
		 len ? data : (const void *)"", len, mac, &n) == NULL)
		return crypto_error("HMAC-SHA256");
	return 0;
}
