/*
 * util/clock.h - the wall clock, for times recorded in metadata and commits.
 */
#ifndef RAT_UTIL_CLOCK_H
#define RAT_UTIL_CLOCK_H

#include "util/common.h"

/** Milliseconds since 1970-01-01 UTC: RAT_NOW when set (see clock.c), else the real time. */
int64_t rat_clock__now_ms(void);
/** The real time, whatever RAT_NOW says: for durations and progress. */
int64_t rat_clock__real_ms(void);

#endif
