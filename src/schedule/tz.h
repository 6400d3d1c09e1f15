/*
 * schedule/tz.h - IANA time zones, read from the system's compiled zone
 * files (TZif, RFC 8536, under /usr/share/zoneinfo: Debian's tzdata) with
 * the POSIX TZ rule of their footer for times past the last transition.
 * Times are seconds since the epoch (UTC); offsets are seconds east of UTC.
 * No process-wide state: TZ and localtime() are never touched, so a
 * server's threads can each hold zones.
 */
#ifndef RAT_SCHEDULE_TZ_H
#define RAT_SCHEDULE_TZ_H

#include <stdint.h>

#include "util/common.h"

typedef struct rat_tz rat_tz;

/** Where zone files are read from unless a caller says otherwise. */
#define RAT_TZ_DIR "/usr/share/zoneinfo"

/**
 * Load zone name ("Europe/Paris", "UTC") from dir (NULL: RAT_TZ_DIR). "UTC",
 * "Etc/UTC" and "Z" need no file. RAT_EINVALID for a name that is not one
 * (a path trick, a POSIX string) or a file that is not a zone file;
 * RAT_ENOTFOUND, naming the folder, when there is no such zone.
 */
RAT_MUST_USE int rat_tz__load(rat_tz **out, const char *name, const char *dir);
/** A zone from a POSIX TZ string alone ("CET-1CEST,M3.5.0,M10.5.0/3"); for tests. */
RAT_MUST_USE int rat_tz__posix(rat_tz **out, const char *rule);
void rat_tz__free(rat_tz *tz);
const char *rat_tz__name(const rat_tz *tz);

/** The offset in effect at t. */
int32_t rat_tz__offset(const rat_tz *tz, int64_t t);
/**
 * The first change of offset strictly after t and before limit: 1 with *at,
 * *before and *after set, 0 when there is none in (t, limit).
 */
int rat_tz__next_change(const rat_tz *tz, int64_t t, int64_t limit, int64_t *at, int32_t *before,
			int32_t *after);

/** Days since 1970-01-01 of a civil date (proleptic Gregorian; month 1..12). */
int64_t rat_tz__days(int64_t year, int month, int day);
/** The civil date of a day number. */
void rat_tz__civil(int64_t days, int64_t *year, int *month, int *day);
/** 0 (Sunday) to 6 of a day number. */
int rat_tz__weekday(int64_t days);
/** Days in a month of a year. */
int rat_tz__month_days(int64_t year, int month);

#endif
