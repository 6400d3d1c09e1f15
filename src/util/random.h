/*
 * util/random.h - random identifiers: UUIDs (version 4) for file names and
 * table ids, and positive 63-bit ids for Iceberg snapshots.
 */
#ifndef RAT_UTIL_RANDOM_H
#define RAT_UTIL_RANDOM_H

#include "util/common.h"

/** Fill buf with len random bytes from the kernel. */
RAT_MUST_USE int rat_random__bytes(void *buf, size_t len);
/** A version 4 UUID in its 36-character text form into out[37]. */
RAT_MUST_USE int rat_random__uuid(char out[37]);
/** A random positive 63-bit integer (never 0). */
RAT_MUST_USE int rat_random__id(int64_t *out);

#endif
