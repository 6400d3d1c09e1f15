/*
 * util/sha256.h - SHA-256 and HMAC-SHA256, computed by OpenSSL's libcrypto:
 * read-cache entry names, catalog commit hashes, pipeline fingerprints, and
 * (HMAC) signatures of the server's webhooks.
 *
 * No libcrypto type appears here, so callers need no OpenSSL headers. Every
 * function can fail (libcrypto allocates): they return 0 or a negative RAT_E*
 * code with the message set.
 */
#ifndef RAT_UTIL_SHA256_H
#define RAT_UTIL_SHA256_H

#include "util/common.h"

#define RAT_SHA256_SIZE 32 /* bytes of a digest or an HMAC-SHA256 */

/** An incremental digest: new, update any number of times, final once. */
typedef struct rat_sha256 rat_sha256;

/** Start a digest in *out (rat_sha256__free()). RAT_ENOMEM, or RAT_ERROR if libcrypto fails. */
RAT_MUST_USE int rat_sha256__new(rat_sha256 **out);
/** Add len bytes of data (data may be NULL when len is 0). */
RAT_MUST_USE int rat_sha256__update(rat_sha256 *sha, const void *data, size_t len);
/** The digest of everything added; sha can only be freed afterwards. */
RAT_MUST_USE int rat_sha256__final(rat_sha256 *sha, unsigned char digest[RAT_SHA256_SIZE]);
/** Release sha; NULL is fine. */
void rat_sha256__free(rat_sha256 *sha);

/** The digest of data as 64 lowercase hex digits and a NUL. */
RAT_MUST_USE int rat_sha256__hex(const void *data, size_t len, char hex[65]);

/** 32 bytes (a digest or an HMAC) as 64 lowercase hex digits and a NUL. */
void rat_sha256__format(const unsigned char bytes[RAT_SHA256_SIZE], char hex[65]);

/**
 * HMAC-SHA256 (RFC 2104) of data under key into mac. A key of any length
 * works (longer than 64 bytes is hashed first, as the RFC says); key and
 * data may be NULL when their length is 0.
 */
RAT_MUST_USE int rat_sha256__hmac(const void *key, size_t key_len, const void *data, size_t len,
				  unsigned char mac[RAT_SHA256_SIZE]);

#endif
