/*
 * tests/unit/schedule/test_tz.c - time zones read from the system's zone
 * files (schedule/tz.h), checked against the C library reading the same
 * files: the offset at many instants from 1900 to 2200 (past the files'
 * last transitions, where the footer's POSIX rule decides) in zones with
 * DST in either hemisphere, half-hour and negative DST, a skipped day and
 * a zone with two changes a year of two hours; every change of offset
 * found, and nothing between them; POSIX rules alone; names that are path
 * tricks or unknown zones refused.
 */
#include "helpers.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rat/errors.h"
#include "schedule/tz.h"

static const char *const zones[] = {
	"Europe/Paris",     "America/New_York", "Australia/Sydney", "Australia/Lord_Howe",
	"Pacific/Apia",     "America/Sao_Paulo", "Asia/Kolkata",    "Africa/Casablanca",
	"Europe/Dublin",    "Asia/Tehran",      "America/St_Johns", "Pacific/Chatham",
	"Antarctica/Troll", "UTC",              "America/Santiago", "Pacific/Kiritimati",
};

static long libc_offset(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	return tm.tm_gmtoff;
}

static void use_libc_zone(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static uint64_t next_random(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

static void offsets_match_the_c_library(void **state)
{
	uint64_t seed = 0x9e3779b97f4a7c15u;
	size_t z;

	(void)state;
	for (z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		rat_tz *tz;
		char libc[256];
		int i;

		TEST_OK(rat_tz__load(&tz, zones[z], NULL));
		snprintf(libc, sizeof(libc), ":%s", zones[z]);
		use_libc_zone(libc);
		for (i = 0; i < 20000; i++) {
			/* 1900 to 2200, and near today more densely */
			int64_t t = i % 2 ? -2208988800LL + (int64_t)(next_random(&seed) % 9467280000ULL)
					  : 1700000000LL + (int64_t)(next_random(&seed) % 1000000000ULL);

			if (rat_tz__offset(tz, t) != libc_offset(t))
				fail_msg("%s at %lld: %d, the C library says %ld", zones[z], (long long)t,
					 rat_tz__offset(tz, t), libc_offset(t));
		}
		rat_tz__free(tz);
	}
}

static void every_change_found_and_only_changes(void **state)
{
	static const struct {
		const char *zone;
		int64_t last_after; /* the last change found is after this (Apia stopped DST in 2021) */
	} some[] = { { "Europe/Paris", 2461449600LL }, { "Australia/Lord_Howe", 2461449600LL },
		     { "Pacific/Apia", 1609459200LL }, { "America/Santiago", 2461449600LL } };
	size_t z;

	(void)state;
	for (z = 0; z < sizeof(some) / sizeof(some[0]); z++) {
		rat_tz *tz;
		char libc[256];
		int64_t t = 946684800, end = 2524608000LL, at, hour; /* 2000 to 2050 */
		int32_t before, after;

		TEST_OK(rat_tz__load(&tz, some[z].zone, NULL));
		snprintf(libc, sizeof(libc), ":%s", some[z].zone);
		use_libc_zone(libc);
		while (rat_tz__next_change(tz, t, end, &at, &before, &after)) {
			assert_true(at > t);
			assert_int_not_equal(before, after);
			assert_int_equal(before, libc_offset(at - 1));
			assert_int_equal(after, libc_offset(at));
			for (hour = t + 1800; hour < at; hour += 1800) /* nothing changes in between */
				if (libc_offset(hour) != before)
					fail_msg("%s: a change before %lld missed at %lld", some[z].zone,
						 (long long)at, (long long)hour);
			t = at;
		}
		assert_true(t > some[z].last_after);
		rat_tz__free(tz);
	}
}

static void posix_rules_alone(void **state)
{
	static const char *const rules[] = {
		"CET-1CEST,M3.5.0,M10.5.0/3", "EST5EDT,M3.2.0,M11.1.0", "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0",
		"IST-1GMT0,M10.5.0,M3.5.0/1", "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1", "AEST-10AEDT,M10.1.0,M4.1.0/3",
		"XXX3YYY,J60/2,300/4",
	};
	uint64_t seed = 42;
	size_t r;

	(void)state;
	for (r = 0; r < sizeof(rules) / sizeof(rules[0]); r++) {
		rat_tz *tz;
		int i;

		TEST_OK(rat_tz__posix(&tz, rules[r]));
		use_libc_zone(rules[r]);
		for (i = 0; i < 20000; i++) {
			int64_t t = 946684800 + (int64_t)(next_random(&seed) % 2000000000ULL);

			if (rat_tz__offset(tz, t) != libc_offset(t))
				fail_msg("%s at %lld: %d, the C library says %ld", rules[r], (long long)t,
					 rat_tz__offset(tz, t), libc_offset(t));
		}
		rat_tz__free(tz);
	}
	/* DST all year (RFC 8536's example): the C library gives its first hours of a
	   year to standard time, counting the year in UTC; the rule says otherwise */
	{
		rat_tz *tz;
		int64_t t;

		TEST_OK(rat_tz__posix(&tz, "EST5EDT,0/0,J365/25"));
		for (t = 1262304000 - 86400; t < 1262304000 + 86400; t += 600)
			assert_int_equal(rat_tz__offset(tz, t), -4 * 3600);
		rat_tz__free(tz);
	}
}

static void names_refused(void **state)
{
	static const char *const bad[] = { "../../etc/passwd", "/etc/localtime", "Europe/../UTC",
					   "Europe//Paris", ".hidden", "CET-1CEST,M3.5.0,M10.5.0/3",
					   "Europe/Paris/", "", "Europe/Par is" };
	rat_tz *tz = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(rat_tz__load(&tz, bad[i], NULL), RAT_EINVALID);
		assert_null(tz);
		assert_non_null(strstr(rat_error_last()->message, "not a time zone name"));
	}
	assert_int_equal(rat_tz__load(&tz, "Mars/Olympus_Mons", NULL), RAT_ENOTFOUND);
	assert_non_null(strstr(rat_error_last()->message, "no time zone 'Mars/Olympus_Mons' in"));
	/* a file that is not a zone file */
	assert_int_equal(rat_tz__load(&tz, "zone.tab", NULL), RAT_EINVALID);
	assert_non_null(strstr(rat_error_last()->message, "not a time zone file"));
	assert_int_equal(rat_tz__posix(&tz, "CET-1CEST,M13.5.0,M10.5.0"), RAT_EINVALID);
	/* UTC needs no file */
	TEST_OK(rat_tz__load(&tz, "UTC", "/nonexistent"));
	assert_int_equal(rat_tz__offset(tz, 1700000000), 0);
	rat_tz__free(tz);
}

static void calendar(void **state)
{
	int64_t d, y;
	int m, day;

	(void)state;
	assert_int_equal(rat_tz__days(1970, 1, 1), 0);
	assert_int_equal(rat_tz__days(2000, 3, 1), 11017);
	assert_int_equal(rat_tz__weekday(0), 4);
	assert_int_equal(rat_tz__weekday(-1), 3);
	assert_int_equal(rat_tz__weekday(rat_tz__days(2026, 12, 7)), 1);
	for (d = -800000; d < 800000; d += 7) {
		rat_tz__civil(d, &y, &m, &day);
		assert_int_equal(rat_tz__days(y, m, day), d);
	}
	assert_int_equal(rat_tz__month_days(2100, 2), 28);
	assert_int_equal(rat_tz__month_days(2000, 2), 29);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(offsets_match_the_c_library),
		cmocka_unit_test(every_change_found_and_only_changes),
		cmocka_unit_test(posix_rules_alone),
		cmocka_unit_test(names_refused),
		cmocka_unit_test(calendar),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
