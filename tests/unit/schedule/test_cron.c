/*
 * tests/unit/schedule/test_cron.c - cron expressions and their fire times
 * (rat/schedule.h): the syntax and its errors; presets; fire times around
 * clocks jumping forward and going back (a fixed wall time fires once, at
 * the jump or the first time; an hour field of `*` follows real hours);
 * days of month or of week; Feb 29. Against a brute-force reference, minute
 * by minute with the C library's local time, for random expressions in
 * zones with changes of offset.
 */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rat/common.h"
#include "rat/errors.h"
#include "rat/schedule.h"

static int64_t at(const char *iso)
{
	int64_t ms = rat_time_parse(iso);

	if (ms < 0)
		fail_msg("bad time %s", iso);
	return ms;
}

/* The n fire times after `after`, as ISO UTC, joined by spaces. */
static void fires(const char *cron, const char *zone, const char *after, int n, const char *want)
{
	rat_schedule *s;
	char got[2048] = "", one[32];
	int64_t t = at(after);
	int i;

	if (rat_schedule_parse(&s, cron, zone) != 0)
		fail_msg("%s: %s", cron, rat_error_last()->message);
	for (i = 0; i < n; i++) {
		TEST_OK(rat_schedule_next(s, t, &t));
		rat_time_format(one, sizeof(one), t);
		one[19] = '\0'; /* no milliseconds: fire times are whole minutes */
		if (i)
			strcat(got, " ");
		strcat(got, one);
	}
	if (strcmp(got, want))
		fail_msg("%s in %s after %s:\n got  %s\n want %s", cron, zone, after, got, want);
	rat_schedule_free(s);
}

static void refused(const char *cron, const char *zone, int code, const char *want)
{
	rat_schedule *s = (rat_schedule *)1;

	assert_int_equal(rat_schedule_parse(&s, cron, zone), code);
	assert_null(s);
	if (!strstr(rat_error_last()->message, want))
		fail_msg("'%s' does not say '%s'", rat_error_last()->message, want);
}

static void syntax(void **state)
{
	(void)state;
	fires("*/15 * * * *", NULL, "2026-01-05T10:07:30Z", 3,
	      "2026-01-05T10:15:00 2026-01-05T10:30:00 2026-01-05T10:45:00");
	fires("5,10-12 3 * * *", "", "2026-01-05T03:10:00Z", 3,
	      "2026-01-05T03:11:00 2026-01-05T03:12:00 2026-01-06T03:05:00");
	fires("0 9 * JAN-feb,Dec mon-FRI", "UTC", "2026-02-27T10:00:00Z", 2,
	      "2026-12-01T09:00:00 2026-12-02T09:00:00");
	fires("0 0 * * 7", "UTC", "2026-12-07T00:00:00Z", 1, "2026-12-13T00:00:00");
	fires("0 0 * * 5-7", "UTC", "2026-12-07T00:00:00Z", 3,
	      "2026-12-11T00:00:00 2026-12-12T00:00:00 2026-12-13T00:00:00");
	fires("30 4/6 * * *", "UTC", "2026-12-07T00:00:00Z", 4,
	      "2026-12-07T04:30:00 2026-12-07T10:30:00 2026-12-07T16:30:00 2026-12-07T22:30:00");
	fires("0 12 1-31/10 * *", "UTC", "2026-01-01T12:00:00Z", 3,
	      "2026-01-11T12:00:00 2026-01-21T12:00:00 2026-01-31T12:00:00");
	/* both day fields restricted: either (the 13th, or a Friday) */
	fires("0 0 13 * 5", "UTC", "2026-02-01T00:00:00Z", 4,
	      "2026-02-06T00:00:00 2026-02-13T00:00:00 2026-02-20T00:00:00 2026-02-27T00:00:00");
	/* a day field that starts with * counts as unrestricted: every other day, Mondays only */
	fires("0 0 */2 * 1", "UTC", "2026-02-01T00:00:00Z", 2, "2026-02-09T00:00:00 2026-02-23T00:00:00");
	fires("0 0 29 2 *", "UTC", "2026-03-01T00:00:00Z", 2, "2028-02-29T00:00:00 2032-02-29T00:00:00");
	fires("0 0 29 2 *", "UTC", "2097-01-01T00:00:00Z", 1, "2104-02-29T00:00:00");
	fires("59 23 31 12 *", "UTC", "2026-12-31T23:59:00Z", 1, "2027-12-31T23:59:00");
	/* milliseconds: strictly after */
	fires("* * * * *", "UTC", "2026-01-05T10:07:00.001Z", 1, "2026-01-05T10:08:00");
	fires("* * * * *", "UTC", "1970-01-01T00:00:59.999Z", 1, "1970-01-01T00:01:00");
}

static void presets(void **state)
{
	static const char *const pairs[][2] = {
		{ "hourly", "0 * * * *" },       { "daily", "0 0 * * *" },       { "daily_6am", "0 6 * * *" },
		{ "daily_midnight", "0 0 * * *" }, { "weekly", "0 0 * * 0" },     { "monthly", "0 0 1 * *" },
		{ "every_15min", "*/15 * * * *" }, { "every_30min", "*/30 * * * *" }, { "@hourly", "0 * * * *" },
		{ "@daily", "0 0 * * *" },       { "@weekly", "0 0 * * 0" },     { "@monthly", "0 0 1 * *" },
		{ "@yearly", "0 0 1 1 *" },      { "@annually", "0 0 1 1 *" },   { "@midnight", "0 0 * * *" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		rat_schedule *s;

		TEST_OK(rat_schedule_parse(&s, pairs[i][0], "Europe/Paris"));
		assert_string_equal(rat_schedule_cron(s), pairs[i][1]);
		assert_string_equal(rat_schedule_timezone(s), "Europe/Paris");
		rat_schedule_free(s);
	}
	fires("daily_6am", "Europe/Paris", "2026-07-01T00:00:00Z", 1, "2026-07-01T04:00:00");
}

static void errors(void **state)
{
	(void)state;
	refused("* * * *", NULL, RAT_EINVALID, "fewer than five");
	refused("* * * * * *", NULL, RAT_EINVALID, "more than five");
	refused("", NULL, RAT_EINVALID, "no fields");
	refused("60 * * * *", NULL, RAT_EINVALID, "minute field '60': out of 0-59");
	refused("0 24 * * *", NULL, RAT_EINVALID, "hour field '24': out of 0-23");
	refused("0 0 0 * *", NULL, RAT_EINVALID, "day of month field '0': out of 1-31");
	refused("0 0 * 13 *", NULL, RAT_EINVALID, "month field '13'");
	refused("0 0 * * 8", NULL, RAT_EINVALID, "day of week field '8'");
	refused("0 0 * * MONDAY", NULL, RAT_EINVALID, "day of week field 'MONDAY'");
	refused("0 22-2 * * *", NULL, RAT_EINVALID, "a range goes up");
	refused("*/0 * * * *", NULL, RAT_EINVALID, "a step is a number from 1");
	refused("1,,2 * * * *", NULL, RAT_EINVALID, "an empty item");
	refused("0 0 ? * MON", NULL, RAT_EINVALID, "Quartz");
	refused("0 0 30 2 *", NULL, RAT_EINVALID, "never fire");
	refused("0 0 31 4,6,9,11 *", NULL, RAT_EINVALID, "never fire");
	refused("@reboot", NULL, RAT_EINVALID, "not a preset");
	refused("daily", "Europe/Nowhere", RAT_ENOTFOUND, "no time zone 'Europe/Nowhere'");
	refused("daily", "../../etc/passwd", RAT_EINVALID, "not a time zone name");
	refused(NULL, NULL, RAT_EINVALID, "no cron expression");
}

/* Europe/Paris, 2026: clocks go from 02:00 to 03:00 on March 29 (01:00 UTC) and
   from 03:00 back to 02:00 on October 25 (01:00 UTC). */
static void clocks_jump_forward(void **state)
{
	(void)state;
	/* a fixed time the clocks jump over fires once, at the jump */
	fires("30 2 * * *", "Europe/Paris", "2026-03-28T12:00:00Z", 2,
	      "2026-03-29T01:00:00 2026-03-30T00:30:00");
	fires("*/20 2 * * *", "Europe/Paris", "2026-03-29T00:00:00Z", 2,
	      "2026-03-29T01:00:00 2026-03-30T00:00:00");
	/* hour field *: real hours; the wall times that do not exist are skipped */
	fires("30 * * * *", "Europe/Paris", "2026-03-29T00:00:00Z", 3,
	      "2026-03-29T00:30:00 2026-03-29T01:30:00 2026-03-29T02:30:00");
	fires("* * * * *", "Europe/Paris", "2026-03-29T00:58:00Z", 3,
	      "2026-03-29T00:59:00 2026-03-29T01:00:00 2026-03-29T01:01:00");
	/* Lord Howe moves its clocks half an hour: 02:00 to 02:30 on October 4, 2026 */
	fires("15 2 * * *", "Australia/Lord_Howe", "2026-10-03T12:00:00Z", 2,
	      "2026-10-03T15:30:00 2026-10-04T15:15:00");
	/* Samoa skipped December 30, 2011: its noon, a wall time that never came, fired at the jump */
	fires("0 12 * * *", "Pacific/Apia", "2011-12-29T00:00:00Z", 3,
	      "2011-12-29T22:00:00 2011-12-30T10:00:00 2011-12-30T22:00:00");
}

static void clocks_go_back(void **state)
{
	(void)state;
	/* a fixed time that occurs twice fires once: the first */
	fires("30 2 * * *", "Europe/Paris", "2026-10-24T12:00:00Z", 2,
	      "2026-10-25T00:30:00 2026-10-26T01:30:00");
	fires("0,30 2 * * *", "Europe/Paris", "2026-10-25T00:00:00Z", 3,
	      "2026-10-25T00:30:00 2026-10-26T01:00:00 2026-10-26T01:30:00");
	/* hour field *: every real hour, the repeated one included */
	fires("30 * * * *", "Europe/Paris", "2026-10-25T00:00:00Z", 3,
	      "2026-10-25T00:30:00 2026-10-25T01:30:00 2026-10-25T02:30:00");
	/* New York, November 1, 2026: 02:00 EDT back to 01:00 EST (06:00 UTC) */
	fires("0 1 * * *", "America/New_York", "2026-10-31T12:00:00Z", 2,
	      "2026-11-01T05:00:00 2026-11-02T06:00:00");
	fires("0 0 * * *", "Europe/Paris", "2026-10-24T12:00:00Z", 2,
	      "2026-10-24T22:00:00 2026-10-25T23:00:00");
}

static void local_time(void **state)
{
	rat_schedule *s;
	char text[32];

	(void)state;
	TEST_OK(rat_schedule_parse(&s, "30 2 * * *", "Europe/Paris"));
	rat_schedule_local_time(s, at("2026-03-29T01:00:00Z"), text, sizeof(text));
	assert_string_equal(text, "2026-03-29T03:00:00+02:00");
	rat_schedule_local_time(s, at("2026-01-01T00:00:00Z"), text, sizeof(text));
	assert_string_equal(text, "2026-01-01T01:00:00+01:00");
	rat_schedule_free(s);
	TEST_OK(rat_schedule_parse(&s, "daily", "America/St_Johns"));
	rat_schedule_local_time(s, at("2026-01-01T00:00:00Z"), text, sizeof(text));
	assert_string_equal(text, "2025-12-31T20:30:00-03:30");
	rat_schedule_free(s);
}

/* ---- against a reference: every real minute, its local time from the C library ---- */

static uint64_t next_random(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

static int in_list(const char *list, int v, int min)
{
	char copy[64], *save = NULL, *tok;

	snprintf(copy, sizeof(copy), "%s", list);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int lo, hi, step = 1;
		char *slash = strchr(tok, '/');

		if (slash)
			step = atoi(slash + 1);
		if (tok[0] == '*')
			lo = min, hi = 99;
		else if (sscanf(tok, "%d-%d", &lo, &hi) != 2)
			hi = lo = atoi(tok);
		if (slash && !strchr(tok, '-') && tok[0] != '*')
			hi = 99;
		if (v >= lo && v <= hi && (v - lo) % step == 0)
			return 1;
	}
	return 0;
}

static void against_the_reference(void **state)
{
	static const char *const zones[] = { "Europe/Paris", "America/New_York", "Australia/Lord_Howe",
					     "America/Santiago", "UTC" };
	static const char *const minutes[] = { "*", "*/7", "0", "15,45", "30", "5-10", "0-59/20" };
	static const char *const days[] = { "*", "1", "15", "1-7", "*/3" };
	static const char *const weekdays[] = { "*", "0", "1-5", "6", "*/2" };
	static const char *const months[] = { "*", "3", "10,11", "*/4" };
	static const char *const hours[] = { "6", "0-5", "*/5", "12,18", "9-17/4" };
	uint64_t seed = 7;
	int i;

	(void)state;
	for (i = 0; i < 200; i++) {
		const char *zone = zones[next_random(&seed) % 5];
		char cron[128], libc[64];
		const char *mi = minutes[next_random(&seed) % 7], *dm = days[next_random(&seed) % 5];
		const char *mo = months[next_random(&seed) % 4], *dw = weekdays[next_random(&seed) % 5];
		const char *hr = strcmp(zone, "UTC") ? "*" : hours[next_random(&seed) % 5];
		int64_t after = 1735689600 + (int64_t)(next_random(&seed) % (3 * 365 * 86400)), t, next;
		rat_schedule *s;

		/* an hour field of * (or UTC, which never changes): fire times follow real
		   minutes, so the reference is exact */
		snprintf(cron, sizeof(cron), "%s %s %s %s %s", mi, hr, dm, mo, dw);
		snprintf(libc, sizeof(libc), ":%s", zone);
		setenv("TZ", libc, 1);
		tzset();
		TEST_OK(rat_schedule_parse(&s, cron, zone));
		TEST_OK(rat_schedule_next(s, after * 1000, &next));
		for (t = after - after % 60 + 60;;) {
			time_t tt = (time_t)t;
			struct tm tm;
			int dom, dow;

			localtime_r(&tt, &tm);
			dom = in_list(dm, tm.tm_mday, 1);
			dow = in_list(dw, tm.tm_wday, 0) || (tm.tm_wday == 0 && in_list(dw, 7, 0) && dw[0] != '*');
			if (!in_list(mo, tm.tm_mon + 1, 1) || !(dm[0] == '*' || dw[0] == '*' ? dom && dow : dom || dow)) {
				t += t % 900 ? 60 : 900; /* days start on a quarter hour in these zones */
				continue;
			}
			if (in_list(mi, tm.tm_min, 0) && in_list(hr, tm.tm_hour, 0))
				break;
			t += 60;
		}
		if (next != t * 1000)
			fail_msg("%s in %s after %lld: %lld, the reference says %lld", cron, zone,
				 (long long)after, (long long)(next / 1000), (long long)t);
		rat_schedule_free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(syntax),
		cmocka_unit_test(presets),
		cmocka_unit_test(errors),
		cmocka_unit_test(clocks_jump_forward),
		cmocka_unit_test(clocks_go_back),
		cmocka_unit_test(local_time),
		cmocka_unit_test(against_the_reference),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
