/*
 * rat/schedule.h - when a schedule fires: cron expressions in an IANA time
 * zone, as pipelines' `triggers:` and the decorators' `schedule=` say them
 * (docs/orchestration.md).
 *
 * An expression is five fields, minute hour day-of-month month day-of-week,
 * each `*`, a number, a name (JAN..DEC, SUN..SAT), a range `a-b`, a step
 * `*\/n`, `a-b/n` or `a/n`, or a list of those; day-of-week 0 and 7 are
 * Sunday. When both day fields are restricted, a day matching either
 * fires (as cron has always done). Or one of the presets: `hourly`,
 * `daily`, `daily_6am`, `daily_midnight`, `weekly`, `monthly`,
 * `every_15min`, `every_30min` (the original Ratatouille's), `@hourly`,
 * `@daily` (`@midnight`), `@weekly`, `@monthly`, `@yearly` (`@annually`).
 *
 * Fire times are computed in the schedule's time zone, with its changes of
 * offset: a wall time that does not exist that day (clocks jump over it)
 * fires once, at the jump; a wall time that occurs twice (clocks go back)
 * fires once, the first time; and an expression whose hour field starts
 * with `*` follows real hours instead: each of its minutes fires once per
 * elapsed hour, skipped in a jump and twice in an hour that repeats.
 */
#ifndef RAT_SCHEDULE_H
#define RAT_SCHEDULE_H

#include "common.h"

RAT_BEGIN_DECL

typedef struct rat_schedule rat_schedule;

/**
 * Parse cron (an expression or a preset) in timezone (an IANA name; NULL
 * or "" is UTC), the zone read from the system's zone files. RAT_EINVALID
 * names the field and what is wrong with it, and refuses an expression that
 * can never fire (`0 0 30 2 *`); RAT_ENOTFOUND for an unknown zone. Free
 * *out with rat_schedule_free().
 */
RAT_EXTERN(int) RAT_CHECKED rat_schedule_parse(rat_schedule **out, const char *cron,
					       const char *timezone);
/**
 * The first fire time strictly after after_ms (ms since the epoch) into
 * *next_ms: always a whole minute. RAT_ENOTFOUND when it would be more
 * than nine years away (never, for a valid expression).
 */
RAT_EXTERN(int) RAT_CHECKED rat_schedule_next(const rat_schedule *s, int64_t after_ms,
					      int64_t *next_ms);
/** The five fields (a preset spelt out): owned by s. */
RAT_EXTERN(const char *) rat_schedule_cron(const rat_schedule *s);
/** The time zone's name ("UTC" when none was given): owned by s. */
RAT_EXTERN(const char *) rat_schedule_timezone(const rat_schedule *s);
/**
 * ms as the schedule's zone's wall time with its offset,
 * "2026-03-29T03:00:00+02:00", into out (len bytes; 26 hold it).
 */
RAT_EXTERN(void) rat_schedule_local_time(const rat_schedule *s, int64_t ms, char *out, size_t len);
/** Release a schedule (NULL-safe). */
RAT_EXTERN(void) rat_schedule_free(rat_schedule *s);

RAT_END_DECL

#endif
