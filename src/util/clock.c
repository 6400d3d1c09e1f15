/*
 * util/clock.c - the wall clock (clock.h), and times as ISO-8601 UTC text
 * (rat_time_format, rat_time_parse of rat/common.h).
 */
#include "util/common.h"
#include "util/clock.h"

#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

int64_t rat_clock__real_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

void rat_time_format(char *out, size_t len, int64_t ms)
{
	time_t secs = (time_t)(ms / 1000);
	struct tm tm;
	char text[24];

	gmtime_r(&secs, &tm);
	strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, len, "%s.%03dZ", text, (int)(ms % 1000));
}

int64_t rat_time_parse(const char *text)
{
	struct tm tm;
	const char *p;
	int64_t frac = 0, scale = 100;

	memset(&tm, 0, sizeof(tm));
	if (!text || (p = strptime(text, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return -1;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			frac += (*p - '0') * scale;
	return strcmp(p, "Z") == 0 ? (int64_t)timegm(&tm) * 1000 + frac : -1;
}
