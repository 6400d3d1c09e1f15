/*
 * util/common.h - included first by every library source file: the error
 * codes, the internal helpers every file uses, and small portable macros.
 *
 * It brings only rat/common.h and rat/errors.h of the public API: a file
 * includes the public header of each noun it uses (rat/workspace.h,
 * rat/engine.h, ...), so its includes show what it depends on.
 */
#ifndef RAT_UTIL_COMMON_H
#define RAT_UTIL_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rat/common.h"
#include "rat/errors.h"

#define RAT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define RAT_PRINTF(f, a) __attribute__((format(printf, f, a)))
/*
 * On internal functions that return an error code: the caller must look at
 * it. Where a failure truly does not matter (best-effort cleanup), say so
 * with rat__ignore() and a comment on why.
 */
#define RAT_MUST_USE __attribute__((warn_unused_result))

/* Deliberately drop an error code (a cast to void does not silence gcc). */
static inline void rat__ignore(int error) { (void)error; }

#include "util/error.h"
#include "util/mem.h"

#endif
