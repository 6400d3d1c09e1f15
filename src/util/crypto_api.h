/*
 * util/crypto_api.h - OpenSSL's libcrypto, loaded when the first digest,
 * HMAC or cipher is asked for (crypto_api.c), not when a program starts:
 * relocating libcrypto costs more than some commands take in all (`rat
 * tables` on a branch it listed before needs none of it).
 *
 * sha256.c and aead.c call the functions as usual: each name used is
 * defined here as the function of that name loaded from libcrypto, and
 * each of their entry points runs rat_crypto__load() first. A function is
 * added to RAT_CRYPTO_FUNCTIONS when they first call it. Secrets are wiped
 * and compared with util/mem.h's rat__wipe() and rat__equal_ct(), which
 * need no library.
 */
#ifndef RAT_UTIL_CRYPTO_API_H
#define RAT_UTIL_CRYPTO_API_H

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "util/common.h"

#define RAT_CRYPTO_FUNCTIONS(X) \
	X(ERR_clear_error) \
	X(ERR_error_string_n) \
	X(ERR_get_error) \
	X(EVP_CIPHER_CTX_ctrl) \
	X(EVP_CIPHER_CTX_free) \
	X(EVP_CIPHER_CTX_new) \
	X(EVP_DecryptFinal_ex) \
	X(EVP_DecryptInit_ex) \
	X(EVP_DecryptUpdate) \
	X(EVP_Digest) \
	X(EVP_DigestFinal_ex) \
	X(EVP_DigestInit_ex) \
	X(EVP_DigestUpdate) \
	X(EVP_EncryptFinal_ex) \
	X(EVP_EncryptInit_ex) \
	X(EVP_EncryptUpdate) \
	X(EVP_MD_CTX_free) \
	X(EVP_MD_CTX_new) \
	X(EVP_aes_256_gcm) \
	X(EVP_sha256) \
	X(HMAC)

typedef struct rat_crypto_api {
#define RAT_CRYPTO_FIELD(name) __typeof__(&name) name;
	RAT_CRYPTO_FUNCTIONS(RAT_CRYPTO_FIELD)
#undef RAT_CRYPTO_FIELD
} rat_crypto_api;

extern rat_crypto_api rat_crypto__fn;

/**
 * Load libcrypto and every function of RAT_CRYPTO_FUNCTIONS, once per
 * process (later calls return what the first found): 0, or RAT_EIO naming
 * the library and what failed.
 */
RAT_MUST_USE int rat_crypto__load(void);

#ifndef RAT_CRYPTO_API_LOADER
#define ERR_clear_error (rat_crypto__fn.ERR_clear_error)
#define ERR_error_string_n (rat_crypto__fn.ERR_error_string_n)
#define ERR_get_error (rat_crypto__fn.ERR_get_error)
#define EVP_CIPHER_CTX_ctrl (rat_crypto__fn.EVP_CIPHER_CTX_ctrl)
#define EVP_CIPHER_CTX_free (rat_crypto__fn.EVP_CIPHER_CTX_free)
#define EVP_CIPHER_CTX_new (rat_crypto__fn.EVP_CIPHER_CTX_new)
#define EVP_DecryptFinal_ex (rat_crypto__fn.EVP_DecryptFinal_ex)
#define EVP_DecryptInit_ex (rat_crypto__fn.EVP_DecryptInit_ex)
#define EVP_DecryptUpdate (rat_crypto__fn.EVP_DecryptUpdate)
#define EVP_Digest (rat_crypto__fn.EVP_Digest)
#define EVP_DigestFinal_ex (rat_crypto__fn.EVP_DigestFinal_ex)
#define EVP_DigestInit_ex (rat_crypto__fn.EVP_DigestInit_ex)
#define EVP_DigestUpdate (rat_crypto__fn.EVP_DigestUpdate)
#define EVP_EncryptFinal_ex (rat_crypto__fn.EVP_EncryptFinal_ex)
#define EVP_EncryptInit_ex (rat_crypto__fn.EVP_EncryptInit_ex)
#define EVP_EncryptUpdate (rat_crypto__fn.EVP_EncryptUpdate)
#define EVP_MD_CTX_free (rat_crypto__fn.EVP_MD_CTX_free)
#define EVP_MD_CTX_new (rat_crypto__fn.EVP_MD_CTX_new)
#define EVP_aes_256_gcm (rat_crypto__fn.EVP_aes_256_gcm)
#define EVP_sha256 (rat_crypto__fn.EVP_sha256)
#define HMAC (rat_crypto__fn.HMAC)
#endif

#endif
