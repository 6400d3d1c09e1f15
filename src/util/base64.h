/*
 * util/base64.h - standard base64 (RFC 4648, with padding): the Standard
 * Webhooks signatures and their "whsec_" secrets.
 */
#ifndef RAT_UTIL_BASE64_H
#define RAT_UTIL_BASE64_H

#include "util/common.h"

/** Room for the base64 of n bytes, its NUL included. */
#define RAT_BASE64_SIZE(n) (((n) + 2) / 3 * 4 + 1)
/** data as base64 into out (RAT_BASE64_SIZE(len) bytes), NUL-terminated. */
void rat_base64__encode(char *out, const void *data, size_t len);
/**
 * Base64 text (padded or not) into out (at most cap bytes); *len the byte
 * count. RAT_EINVALID for a character outside the alphabet, a bad length,
 * or more than cap bytes.
 */
RAT_MUST_USE int rat_base64__decode(const char *text, void *out, size_t cap, size_t *len);

#endif
