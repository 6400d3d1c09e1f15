/*
 * util/aead.h - authenticated encryption (AES-256-GCM through libcrypto)
 * behind an interface with no OpenSSL type: what the secret store seals its
 * values with.
 *
 * A sealed value is nonce (12 random bytes) | ciphertext | tag (16 bytes).
 * The associated data is authenticated, not stored: opening with other
 * associated data (a value copied to another workspace or name) fails.
 */
#ifndef RAT_UTIL_AEAD_H
#define RAT_UTIL_AEAD_H

#include "util/common.h"
#include "util/buf.h"

#define RAT_AEAD_KEY_BYTES 32
#define RAT_AEAD_NONCE_BYTES 12
#define RAT_AEAD_TAG_BYTES 16

/** Append the sealed form of plain (len bytes) to out, under key and aad. */
RAT_MUST_USE int rat_aead__seal(rat_buf *out, const unsigned char key[RAT_AEAD_KEY_BYTES],
				const char *aad, const void *plain, size_t len);
/**
 * Append the plain text of sealed (len bytes) to out. RAT_EINVALID when it
 * was not sealed with key and aad, or was changed since (the message says
 * so; out is left as it was).
 */
RAT_MUST_USE int rat_aead__open(rat_buf *out, const unsigned char key[RAT_AEAD_KEY_BYTES],
				const char *aad, const void *sealed, size_t len);

#endif
