/*
 * util/clock.c - the wall clock, which RAT_NOW can set.
 *
 * RAT_NOW ("2024-03-01", "2024-03-01 10:00:00" or "2024-03-01T10:00:00Z",
 * UTC) fixes what librat takes for now: run times and ingestion times,
 * commit and snapshot times, retention cutoffs. It is for tests and for
 * backfills that must look as if they ran then; a malformed value is ignored.
 */
#include "util/common.h"
#include "util/clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

/* RAT_NOW as milliseconds since the epoch; -1 when unset or malformed. */
static int64_t fixed_now(void)
{
	const char *text = getenv("RAT_NOW");
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, s = 0, n = 0;
	char sep;

	if (!text || !*text)
		return -1;
	if (sscanf(text, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
		return -1;
	if (text[n] && (sscanf(text + n, "%c%2d:%2d:%2d", &sep, &h, &mi, &s) != 4 ||
			(sep != ' ' && sep != 'T')))
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (int64_t)timegm(&tm) * 1000;
}

int64_t rat_clock__real_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

int64_t rat_clock__now_ms(void)
{
	int64_t fixed = fixed_now();

	return fixed >= 0 ? fixed : rat_clock__real_ms();
}
