/*
 * util/sha256.h - SHA-256 (FIPS 180-4): read-cache entry names, catalog commit hashes
 * after the URL they hold.
 */
#ifndef RAT_UTIL_SHA256_H
#define RAT_UTIL_SHA256_H

#include "util/common.h"

/** The digest of data as 64 lowercase hex digits and a NUL in hex. */
void rat_sha256__hex(const void *data, size_t len, char hex[65]);

#endif
