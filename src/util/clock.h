/*
 * util/clock.h - the wall clock.
 *
 * What librat records as "now" (run, commit and snapshot times, ingestion
 * stamps, retention cutoffs) is a workspace's setting, which RAT_NOW may
 * fix (config/env.c, rat_workspace_now_ms()); lower layers take it as a
 * parameter and fall back to this clock when given none.
 */
#ifndef RAT_UTIL_CLOCK_H
#define RAT_UTIL_CLOCK_H

#include "util/common.h"

/** The real time in milliseconds since 1970-01-01 UTC. */
int64_t rat_clock__real_ms(void);

#endif
