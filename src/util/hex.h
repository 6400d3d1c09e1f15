/*
 * util/hex.h - lowercase hexadecimal text of bytes, and back.
 */
#ifndef RAT_UTIL_HEX_H
#define RAT_UTIL_HEX_H

#include "util/common.h"

/** Bytes as lowercase hex, NUL-terminated (free()); NULL when out of memory. */
char *rat_hex__encode(const void *data, size_t len);
/**
 * Hex text (either case) into out (at most cap bytes); *len receives the
 * byte count. RAT_EINVALID for an odd length, a non-hex digit, or more than cap bytes.
 */
/* The value of hex digit c (either case); -1 when c is not one. */
int rat_hex__digit(char c);
RAT_MUST_USE int rat_hex__decode(const char *hex, void *out, size_t cap, size_t *len);

#endif
