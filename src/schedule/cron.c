/*
 * schedule/cron.c - cron expressions and their fire times in a time zone
 * (rat/schedule.h). A parsed expression is a bit set per field; the next
 * fire time is found by walking the zone's local days from the one before
 * `after`, each matching day's wall times resolved to the instants they
 * name (none in a jump, two in a repeated hour), the earliest instant after
 * `after` kept. A day with no change of offset within a day of it has its
 * instants in order, so the first one found there is its earliest.
 */
#include "rat/schedule.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schedule/tz.h"
#include "util/error.h"
#include "util/mem.h"

#define MAX_OFFSET (26 * 3600) /* wider than any offset a zone has had */
/* One Gregorian cycle of 400 years and a year: dates and weekdays come back as they were, so a
 * day that comes at all comes within it (Feb 29 on a given weekday can be 40 years away). */
#define SEARCH_DAYS (146097 + 366)

struct rat_schedule {
	char *cron;
	rat_tz *tz;
	uint64_t minutes;
	uint32_t hours, days;      /* days: bits 1..31 */
	uint32_t months, weekdays; /* months: bits 1..12; weekdays: 0..6, Sunday 0 */
	int day_star, weekday_star, hour_star;
};

static const struct {
	const char *name, *cron;
} presets[] = {
	{ "hourly", "0 * * * *" },      { "daily", "0 0 * * *" },       { "daily_6am", "0 6 * * *" },
	{ "daily_midnight", "0 0 * * *" }, { "weekly", "0 0 * * 0" },   { "monthly", "0 0 1 * *" },
	{ "every_15min", "*/15 * * * *" }, { "every_30min", "*/30 * * * *" },
	{ "@hourly", "0 * * * *" },     { "@daily", "0 0 * * *" },      { "@midnight", "0 0 * * *" },
	{ "@weekly", "0 0 * * 0" },     { "@monthly", "0 0 1 * *" },    { "@yearly", "0 0 1 1 *" },
	{ "@annually", "0 0 1 1 *" },
};

typedef struct field {
	const char *what;
	int lo, hi;
	const char *const *names; /* spelled values from lo, or NULL */
} field;

static const char *const month_names[] = { "jan", "feb", "mar", "apr", "may", "jun",
					   "jul", "aug", "sep", "oct", "nov", "dec", NULL };
static const char *const day_names[] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL };

static const field fields[5] = {
	{ "minute", 0, 59, NULL },       { "hour", 0, 23, NULL },
	{ "day of month", 1, 31, NULL }, { "month", 1, 12, month_names },
	{ "day of week", 0, 7, day_names },
};

static int bad(const char *cron, const field *f, const char *item, const char *why)
{
	return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG, "cron '%s': %s field '%s': %s", cron,
			      f->what, item, why);
}

/* A number or a name at *p; -1 when there is none. */
static int value(const field *f, const char **p)
{
	int v = 0, digits = 0, i;

	while (isdigit((unsigned char)**p) && digits < 3)
		v = v * 10 + (*(*p)++ - '0'), digits++;
	if (digits)
		return isdigit((unsigned char)**p) ? -1 : v;
	for (i = 0; f->names && f->names[i]; i++)
		if (strncasecmp(*p, f->names[i], 3) == 0 && !isalpha((unsigned char)(*p)[3])) {
			*p += 3;
			return f->lo + i;
		}
	return -1;
}

/* One comma-separated item of field f into *bits. */
static int item(const char *cron, const field *f, const char *text, uint64_t *bits)
{
	const char *p = text;
	int lo = f->lo, hi = f->hi, step = 1, v;

	if (*p == '?')
		return bad(cron, f, text, "'?' is Quartz's; use *");
	if (*p == '*') {
		p++;
	} else {
		if ((lo = value(f, &p)) < 0)
			return bad(cron, f, text, "not a number, a name, a range or *");
		hi = lo;
		if (*p == '-') {
			p++;
			if ((hi = value(f, &p)) < 0)
				return bad(cron, f, text, "a range needs an end");
		} else if (*p == '/') {
			hi = f->hi; /* a/n: from a to the end */
		}
	}
	if (*p == '/') {
		p++;
		if ((step = value(&fields[0], &p)) <= 0)
			return bad(cron, f, text, "a step is a number from 1");
	}
	if (*p)
		return bad(cron, f, text, "not a number, a name, a range or *");
	if (lo < f->lo || hi > f->hi) {
		char why[64];

		snprintf(why, sizeof(why), "out of %d-%d", f->lo, f->hi);
		return bad(cron, f, text, why);
	}
	if (lo > hi)
		return bad(cron, f, text, "a range goes up (write a list for one that wraps)");
	for (v = lo; v <= hi; v += step)
		*bits |= (uint64_t)1 << (f == &fields[4] && v == 7 ? 0 : v);
	return 0;
}

static int parse_field(const char *cron, const field *f, const char *text, uint64_t *bits)
{
	char *copy = rat__strdup(text), *save = NULL, *tok;
	int rc = 0;

	if (!copy)
		return RAT_ENOMEM;
	*bits = 0;
	if (text[0] == ',' || text[strlen(text) - 1] == ',' || strstr(text, ",,"))
		rc = bad(cron, f, text, "an empty item in the list");
	for (tok = strtok_r(copy, ",", &save); rc == 0 && tok; tok = strtok_r(NULL, ",", &save))
		rc = item(cron, f, tok, bits);
	free(copy);
	return rc;
}

/* Whether some month of s has one of its days (with dates only; weekdays always come). */
static int can_fire(const rat_schedule *s)
{
	int m, d;

	if (s->day_star || !s->weekday_star)
		return 1;
	for (m = 1; m <= 12; m++)
		for (d = 1; d <= rat_tz__month_days(2000, m); d++)
			if ((s->months >> m & 1) && (s->days >> d & 1))
				return 1;
	return 0;
}

static int parse_cron(rat_schedule *s, const char *cron)
{
	char *copy = rat__strdup(cron), *save = NULL, *tok, *parts[6];
	uint64_t bits[5];
	int n = 0, i, rc = 0;

	if (!copy)
		return RAT_ENOMEM;
	for (tok = strtok_r(copy, " \t", &save); tok && n < 6; tok = strtok_r(NULL, " \t", &save))
		parts[n++] = tok;
	if (n != 5)
		rc = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
				    "cron '%s': %s fields where five are needed (minute hour day-of-month "
				    "month day-of-week), or a preset such as daily or @hourly",
				    cron, n > 5 ? "more than five" : n == 0 ? "no" : "fewer than five");
	for (i = 0; rc == 0 && i < 5; i++)
		rc = parse_field(cron, &fields[i], parts[i], &bits[i]);
	if (rc == 0) {
		s->minutes = bits[0], s->hours = (uint32_t)bits[1], s->days = (uint32_t)bits[2];
		s->months = (uint32_t)bits[3], s->weekdays = (uint32_t)bits[4];
		s->hour_star = parts[1][0] == '*';
		s->day_star = parts[2][0] == '*';
		s->weekday_star = parts[4][0] == '*';
		if (!can_fire(s))
			rc = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
					    "cron '%s': no month of it has those days: it would never fire",
					    cron);
	}
	free(copy);
	return rc;
}

int rat_schedule_parse(rat_schedule **out, const char *cron, const char *timezone)
{
	rat_schedule *s;
	const char *text = cron;
	size_t i;
	int rc;

	*out = NULL;
	if (!cron)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "no cron expression");
	for (i = 0; i < sizeof(presets) / sizeof(presets[0]); i++)
		if (strcasecmp(cron, presets[i].name) == 0)
			text = presets[i].cron;
	if (cron[0] == '@' && text == cron)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
				      "cron '%s': not a preset (@hourly, @daily, @weekly, @monthly, @yearly)",
				      cron);
	if (!(s = rat__calloc(1, sizeof(*s))) || !(s->cron = rat__strdup(text))) {
		rat_schedule_free(s);
		return RAT_ENOMEM;
	}
	if ((rc = parse_cron(s, cron == text ? cron : text)) != 0 ||
	    (rc = rat_tz__load(&s->tz, timezone && *timezone ? timezone : "UTC", NULL)) != 0) {
		rat_schedule_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void rat_schedule_free(rat_schedule *s)
{
	if (!s)
		return;
	free(s->cron);
	rat_tz__free(s->tz);
	free(s);
}

const char *rat_schedule_cron(const rat_schedule *s)
{
	return s->cron;
}

const char *rat_schedule_timezone(const rat_schedule *s)
{
	return rat_tz__name(s->tz);
}

static int day_matches(const rat_schedule *s, int64_t day)
{
	int64_t y;
	int m, d, dom, dow;

	rat_tz__civil(day, &y, &m, &d);
	if (!(s->months >> m & 1))
		return 0;
	dom = (int)(s->days >> d & 1);
	dow = (int)(s->weekdays >> rat_tz__weekday(day) & 1);
	if (s->day_star || s->weekday_star)
		return dom && dow;
	return dom || dow; /* both restricted: either */
}

/*
 * The instants wall time w (local seconds) names into got[] (at most 4,
 * ascending): their count; 0 when it falls in a jump, *jump then the jump.
 */
static int resolve(const rat_tz *tz, int64_t w, int64_t got[4], int64_t *jump)
{
	int64_t start = w - MAX_OFFSET, at = 0;
	int32_t off = rat_tz__offset(tz, start), before, after;
	int n = 0, more;

	*jump = INT64_MAX;
	do {
		int64_t end, u = w - off;

		more = rat_tz__next_change(tz, start, w + MAX_OFFSET, &at, &before, &after);
		end = more ? at : w + MAX_OFFSET;
		if (u >= start && u < end && n < 4)
			got[n++] = u;
		if (more && before < after && at + before <= w && w < at + after)
			*jump = at;
		if (more)
			start = at, off = after;
	} while (more);
	return n;
}

/* The earliest fire instant of day after `after` (seconds, exclusive), or INT64_MAX. */
static int64_t day_fires(const rat_schedule *s, int64_t day, int64_t after, int ordered)
{
	int64_t best = INT64_MAX;
	int h, m;

	for (h = 0; h < 24; h++) {
		if (!(s->hours >> h & 1))
			continue;
		for (m = 0; m < 60; m++) {
			int64_t w = day * 86400 + h * 3600 + m * 60, got[4], jump;
			int n, i;

			if (!(s->minutes >> m & 1) || w + MAX_OFFSET <= after)
				continue;
			n = resolve(s->tz, w, got, &jump);
			if (n == 0 && !s->hour_star) /* a wall time the clocks jump over: at the jump */
				got[n++] = jump;
			if (n > 1 && !s->hour_star) /* a wall time that repeats: the first */
				n = 1;
			for (i = 0; i < n; i++)
				if (got[i] > after && got[i] < best)
					best = got[i];
			if (ordered && best != INT64_MAX) /* this day's instants go up: its first */
				return best;
		}
	}
	return best;
}

int rat_schedule_next(const rat_schedule *s, int64_t after_ms, int64_t *next_ms)
{
	int64_t after = after_ms >= 0 ? after_ms / 1000 : (after_ms - 999) / 1000; /* whole seconds */
	int64_t local = after + rat_tz__offset(s->tz, after), best = INT64_MAX, first, day, at;
	int32_t before, later;

	first = (local >= 0 ? local / 86400 : (local - 86399) / 86400) - 1;
	for (day = first; day < first + SEARCH_DAYS; day++) {
		int ordered;

		if (best != INT64_MAX && day * 86400 - MAX_OFFSET > best)
			break;
		if (!day_matches(s, day))
			continue;
		ordered = !rat_tz__next_change(s->tz, day * 86400 - 2 * MAX_OFFSET,
					       day * 86400 + 86400 + 2 * MAX_OFFSET, &at, &before, &later);
		at = day_fires(s, day, after, ordered);
		if (at < best)
			best = at;
	}
	if (best == INT64_MAX)
		return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_CONFIG,
				      "cron '%s' never fires after that time", s->cron);
	*next_ms = best * 1000;
	return 0;
}

void rat_schedule_local_time(const rat_schedule *s, int64_t ms, char *out, size_t len)
{
	int64_t t = ms >= 0 ? ms / 1000 : (ms - 999) / 1000, y, local, day, secs;
	int32_t off = rat_tz__offset(s->tz, t);
	int m, d;

	local = t + off;
	day = local >= 0 ? local / 86400 : (local - 86399) / 86400;
	secs = local - day * 86400;
	rat_tz__civil(day, &y, &m, &d);
	snprintf(out, len, "%04lld-%02d-%02dT%02d:%02d:%02d%c%02d:%02d", (long long)y, m, d,
		 (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60), off < 0 ? '-' : '+',
		 abs(off) / 3600, abs(off) / 60 % 60);
}
