/*
 * util/common.h - included first by every library source file: the public
 * API, the internal helpers every file uses, and small portable macros.
 */
#ifndef RAT_UTIL_COMMON_H
#define RAT_UTIL_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rat.h"

#define RAT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define RAT_PRINTF(f, a) __attribute__((format(printf, f, a)))

#include "util/error.h"
#include "util/mem.h"

#endif
