/*
 * schedule/tz.c - IANA time zones from TZif files and POSIX TZ rules
 * (schedule/tz.h). A zone is its list of changes of offset (transitions
 * whose offset does not change are dropped: a new abbreviation moves no
 * clock) and, past the last one, the footer's rule, whose changes are
 * computed per year.
 */
#include "schedule/tz.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/mem.h"

#define TZ_FILE_MAX ((size_t)1 << 20)

typedef struct rule_date {
	char kind;    /* 'J' (1..365, no Feb 29), 'N' (0..365), 'M' (month.week.day) */
	int n, m, w, d;
	int32_t time; /* seconds after local midnight, may be negative or past a day */
} rule_date;

struct rat_tz {
	char *name;
	size_t n;            /* changes of offset */
	int64_t *at;         /* their times, ascending */
	int32_t *off;        /* the offset from each */
	int32_t first;       /* the offset before the first */
	int has_rule, has_dst;
	int32_t std_off, dst_off;
	rule_date start, end;
};

int64_t rat_tz__days(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void rat_tz__civil(int64_t z, int64_t *year, int *month, int *day)
{
	int64_t era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*month = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = yoe + era * 400 + (*month <= 2);
}

int rat_tz__weekday(int64_t days)
{
	return (int)(((days + 4) % 7 + 7) % 7); /* 1970-01-01 was a Thursday */
}

static int leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int rat_tz__month_days(int64_t y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* ---- POSIX TZ strings ------------------------------------------------- */

static int parse_name(const char **s)
{
	const char *p = *s;

	if (*p == '<') {
		while (*p && *p != '>')
			p++;
		if (*p != '>' || p - *s < 4)
			return -1;
		*s = p + 1;
		return 0;
	}
	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
		p++;
	if (p - *s < 3)
		return -1;
	*s = p;
	return 0;
}

/* [+-]hh[:mm[:ss]], hours up to max: seconds, or INT32_MIN when it is not one. */
static int32_t parse_hms(const char **s, int max)
{
	const char *p = *s;
	int sign = 1, part = 0;
	int32_t total = 0;

	if (*p == '+' || *p == '-')
		sign = *p++ == '-' ? -1 : 1;
	for (; part < 3; part++) {
		int32_t v = 0, digits = 0;

		if (part > 0) {
			if (*p != ':')
				break;
			p++;
		}
		while (*p >= '0' && *p <= '9' && digits < 3)
			v = v * 10 + (*p++ - '0'), digits++;
		if (digits == 0 || (part == 0 ? v > max : v > 59))
			return INT32_MIN;
		total += v * (part == 0 ? 3600 : part == 1 ? 60 : 1);
	}
	*s = p;
	return sign * total;
}

static int parse_date(const char **s, rule_date *r)
{
	const char *p = *s;
	char *end;
	long a, b, c;

	if (*p == 'M') {
		a = strtol(p + 1, &end, 10);
		if (*end != '.' || a < 1 || a > 12)
			return -1;
		b = strtol(end + 1, &end, 10);
		if (*end != '.' || b < 1 || b > 5)
			return -1;
		c = strtol(end + 1, &end, 10);
		if (c < 0 || c > 6)
			return -1;
		r->kind = 'M', r->m = (int)a, r->w = (int)b, r->d = (int)c;
	} else {
		int julian = *p == 'J';

		if (!(p[julian] >= '0' && p[julian] <= '9'))
			return -1;
		a = strtol(p + julian, &end, 10);
		if (julian ? a < 1 || a > 365 : a < 0 || a > 365)
			return -1;
		r->kind = julian ? 'J' : 'N', r->n = (int)a;
	}
	p = end;
	r->time = 2 * 3600;
	if (*p == '/') {
		p++;
		if ((r->time = parse_hms(&p, 167)) == INT32_MIN)
			return -1;
	}
	*s = p;
	return 0;
}

/* The rule in text (a TZif footer's), into tz; -1 when it is not one. */
static int parse_rule(rat_tz *tz, const char *text)
{
	const char *p = text;
	int32_t v;

	if (parse_name(&p) < 0 || (v = parse_hms(&p, 24)) == INT32_MIN)
		return -1;
	tz->std_off = tz->dst_off = -v; /* POSIX counts west of Greenwich */
	tz->has_rule = 1;
	if (*p == '\0')
		return 0;
	if (parse_name(&p) < 0)
		return -1;
	tz->has_dst = 1;
	tz->dst_off = tz->std_off + 3600;
	if (*p && *p != ',') {
		if ((v = parse_hms(&p, 24)) == INT32_MIN)
			return -1;
		tz->dst_off = -v;
	}
	if (*p == '\0')
		p = ",M3.2.0,M11.1.0"; /* no rule said: the US one, as C libraries do */
	if (*p++ != ',' || parse_date(&p, &tz->start) < 0 || *p++ != ',' ||
	    parse_date(&p, &tz->end) < 0 || *p != '\0')
		return -1;
	return 0;
}

/* The UTC time of a rule's change in year, local time counted in off. */
static int64_t rule_time(const rule_date *r, int64_t year, int32_t off)
{
	int64_t day;

	if (r->kind == 'J')
		day = rat_tz__days(year, 1, 1) + r->n - 1 + (leap(year) && r->n >= 60);
	else if (r->kind == 'N')
		day = rat_tz__days(year, 1, 1) + r->n;
	else {
		int64_t first = rat_tz__days(year, r->m, 1);
		int64_t d = first + (r->d - rat_tz__weekday(first) + 7) % 7 + (int64_t)(r->w - 1) * 7;

		while (d >= first + rat_tz__month_days(year, r->m))
			d -= 7;
		day = d;
	}
	return day * 86400 + r->time - off;
}

static int64_t year_of(int64_t t)
{
	int64_t y;
	int m, d;

	rat_tz__civil(t >= 0 ? t / 86400 : (t - 86399) / 86400, &y, &m, &d);
	return y;
}

static int32_t rule_offset(const rat_tz *tz, int64_t t)
{
	int64_t y, start, end;

	if (!tz->has_dst || tz->std_off == tz->dst_off)
		return tz->std_off;
	y = year_of(t + tz->std_off);
	start = rule_time(&tz->start, y, tz->std_off);
	end = rule_time(&tz->end, y, tz->dst_off);
	if (start < end)
		return t >= start && t < end ? tz->dst_off : tz->std_off;
	return t >= end && t < start ? tz->std_off : tz->dst_off;
}

/* ---- TZif files -------------------------------------------------------- */

static int64_t be(const unsigned char *p, int bytes)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < bytes; i++)
		v = v << 8 | p[i];
	if (bytes == 4)
		return (int32_t)(uint32_t)v;
	return (int64_t)v;
}

typedef struct counts {
	size_t isut, isstd, leap, time, type, chars;
} counts;

static size_t read_counts(counts *c, const unsigned char *p, int tbytes)
{
	c->isut = (size_t)be(p + 20, 4), c->isstd = (size_t)be(p + 24, 4);
	c->leap = (size_t)be(p + 28, 4), c->time = (size_t)be(p + 32, 4);
	c->type = (size_t)be(p + 36, 4), c->chars = (size_t)be(p + 40, 4);
	if (c->time > 100000 || c->type == 0 || c->type > 256 || c->chars > 65536 || c->leap > 10000 ||
	    c->isut > 256 || c->isstd > 256)
		return 0;
	return c->time * ((size_t)tbytes + 1) + c->type * 6 + c->chars +
	       c->leap * ((size_t)tbytes + 4) + c->isstd + c->isut;
}

static int bad_file(const char *path)
{
	return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG, "%s: not a time zone file (TZif)", path);
}

/* The data block at p (version 2+'s, 8-byte times) into tz's changes. */
static int read_block(rat_tz *tz, const unsigned char *p, const counts *c, int tbytes)
{
	const unsigned char *types = p + c->time * (size_t)tbytes, *info = types + c->time;
	int32_t prev;
	size_t i;

	tz->at = rat__calloc(c->time + 1, sizeof(*tz->at));
	tz->off = rat__calloc(c->time + 1, sizeof(*tz->off));
	if (!tz->at || !tz->off)
		return RAT_ENOMEM;
	prev = tz->first = (int32_t)be(info, 4);
	for (i = 0; i < c->time; i++) {
		size_t type = types[i];
		int32_t off;

		if (type >= c->type)
			return -1;
		off = (int32_t)be(info + type * 6, 4);
		if (off == prev)
			continue;
		if (tz->n > 0 && be(p + i * (size_t)tbytes, tbytes) <= tz->at[tz->n - 1])
			return -1;
		tz->at[tz->n] = be(p + i * (size_t)tbytes, tbytes);
		tz->off[tz->n++] = prev = off;
	}
	return 0;
}

static int read_tzif(rat_tz *tz, const unsigned char *p, size_t len, const char *path)
{
	counts c;
	size_t size;
	int rc;

	if (len < 44 || memcmp(p, "TZif", 4) != 0 || !(size = read_counts(&c, p, 4)) ||
	    len < 44 + size)
		return bad_file(path);
	if (p[4] >= '2') { /* skip version 1's block to the 64-bit one */
		p += 44 + size, len -= 44 + size;
		if (len < 44 || memcmp(p, "TZif", 4) != 0 || !(size = read_counts(&c, p, 8)) ||
		    len < 44 + size)
			return bad_file(path);
		if ((rc = read_block(tz, p + 44, &c, 8)) != 0)
			return rc == RAT_ENOMEM ? rc : bad_file(path);
		p += 44 + size, len -= 44 + size;
		if (len >= 2 && p[0] == '\n' && p[1] != '\n') {
			const unsigned char *nl = memchr(p + 1, '\n', len - 1);
			char *rule;

			if (!nl || !(rule = rat__strndup((const char *)p + 1, (size_t)(nl - p - 1))))
				return nl ? RAT_ENOMEM : bad_file(path);
			rc = parse_rule(tz, rule);
			free(rule);
			if (rc < 0)
				return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
						      "%s: its rule for later years cannot be read", path);
		}
		return 0;
	}
	if ((rc = read_block(tz, p + 44, &c, 4)) != 0)
		return rc == RAT_ENOMEM ? rc : bad_file(path);
	return 0;
}

static int valid_name(const char *name)
{
	const char *p = name;
	size_t len = strlen(name);

	if (len == 0 || len > 200 || name[0] == '/')
		return 0;
	for (; *p; p++) {
		if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		      *p == '/' || *p == '_' || *p == '-' || *p == '+' || *p == '.'))
			return 0;
		if ((p == name || p[-1] == '/') && (*p == '.' || *p == '/'))
			return 0; /* no "..", no hidden file, no empty component */
	}
	return p[-1] != '/';
}

void rat_tz__free(rat_tz *tz)
{
	if (!tz)
		return;
	free(tz->name);
	free(tz->at);
	free(tz->off);
	free(tz);
}

int rat_tz__load(rat_tz **out, const char *name, const char *dir)
{
	rat_tz *tz;
	rat_buf file = RAT_BUF_INIT;
	char *path = NULL;
	int rc;

	*out = NULL;
	if (!name || !valid_name(name))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
				      "'%s' is not a time zone name (an IANA name, such as Europe/Paris or UTC)",
				      name ? name : "");
	if (!(tz = rat__calloc(1, sizeof(*tz))) || !(tz->name = rat__strdup(name))) {
		rat_tz__free(tz);
		return RAT_ENOMEM;
	}
	if (!strcmp(name, "UTC") || !strcmp(name, "Etc/UTC") || !strcmp(name, "Z")) {
		*out = tz;
		return 0;
	}
	if (!(path = rat_fs__join(dir ? dir : RAT_TZ_DIR, name))) {
		rat_tz__free(tz);
		return RAT_ENOMEM;
	}
	rc = rat_fs__read_file(&file, path, TZ_FILE_MAX);
	if (rc == RAT_ENOTFOUND || (rc == 0 && file.len == 0))
		rc = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_CONFIG,
				    "no time zone '%s' in %s (Debian's tzdata package has them)", name,
				    dir ? dir : RAT_TZ_DIR);
	else if (rc == 0)
		rc = read_tzif(tz, (const unsigned char *)file.ptr, file.len, path);
	rat_buf_free(&file);
	free(path);
	if (rc != 0) {
		rat_tz__free(tz);
		return rc;
	}
	*out = tz;
	return 0;
}

int rat_tz__posix(rat_tz **out, const char *rule)
{
	rat_tz *tz = rat__calloc(1, sizeof(*tz));

	*out = NULL;
	if (!tz || !(tz->name = rat__strdup(rule))) {
		rat_tz__free(tz);
		return RAT_ENOMEM;
	}
	if (parse_rule(tz, rule) < 0) {
		rat_tz__free(tz);
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG, "'%s' is not a POSIX TZ rule",
				      rule);
	}
	*out = tz;
	return 0;
}

const char *rat_tz__name(const rat_tz *tz)
{
	return tz->name;
}

int32_t rat_tz__offset(const rat_tz *tz, int64_t t)
{
	size_t lo = 0, hi = tz->n;

	if (tz->n == 0 || t < tz->at[0])
		return tz->n == 0 && tz->has_rule ? rule_offset(tz, t) : tz->first;
	if (tz->has_rule && t >= tz->at[tz->n - 1])
		return rule_offset(tz, t);
	while (hi - lo > 1) { /* the last change at or before t */
		size_t mid = lo + (hi - lo) / 2;

		if (tz->at[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return tz->off[lo];
}

/* The rule's first change after t (and after the table's last), before limit. */
static int rule_change(const rat_tz *tz, int64_t t, int64_t limit, int64_t *at)
{
	int64_t y, best = INT64_MAX;

	if (!tz->has_dst || tz->std_off == tz->dst_off)
		return 0;
	if (tz->n > 0 && t < tz->at[tz->n - 1])
		t = tz->at[tz->n - 1];
	for (y = year_of(t) - 1; y <= year_of(t) + 1; y++) {
		int64_t a = rule_time(&tz->start, y, tz->std_off), b = rule_time(&tz->end, y, tz->dst_off);

		if (a > t && a < best)
			best = a;
		if (b > t && b < best)
			best = b;
	}
	if (best == INT64_MAX) /* the next year's first change */
		best = rule_time(&tz->start, year_of(t) + 2, tz->std_off);
	if (best >= limit)
		return 0;
	*at = best;
	return 1;
}

int rat_tz__next_change(const rat_tz *tz, int64_t t, int64_t limit, int64_t *at, int32_t *before,
			int32_t *after)
{
	size_t lo = 0, hi = tz->n;

	while (lo < hi) { /* the first change after t */
		size_t mid = lo + (hi - lo) / 2;

		if (tz->at[mid] <= t)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < tz->n) {
		if (tz->at[lo] >= limit)
			return 0;
		*at = tz->at[lo];
	} else if (!tz->has_rule || !rule_change(tz, t, limit, at)) {
		return 0;
	}
	*before = rat_tz__offset(tz, *at - 1);
	*after = rat_tz__offset(tz, *at);
	if (*before == *after) /* the rule agrees with the table's last change: look on */
		return rat_tz__next_change(tz, *at, limit, at, before, after);
	return 1;
}
