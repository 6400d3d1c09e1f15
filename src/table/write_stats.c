/*
 * table/write_stats.c - Iceberg statistics and partition values from the
 * text DuckDB reports for each file it wrote (COPY ... RETURN_STATS).
 *
 * Bounds use Iceberg's single-value binary form: int and date as 4 bytes
 * little-endian, long, time, timestamp and timestamptz as 8 bytes, boolean
 * as one byte, strings as UTF-8 (a lower bound is cut to 16 bytes; an upper
 * bound longer than that is left out rather than made wrong). Types DuckDB
 * gives no min/max for (floating point, decimals) simply have no bounds:
 * bounds are optional, a missing one only means less pruning.
 */
#include "util/common.h"
#include "table/write_stats.h"
#include "util/hex.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Days from 1970-01-01 to a civil date (proleptic Gregorian). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

int rat_table__parse_date(const char *s, int64_t *days)
{
	int y, m, d, n = 0;

	if (sscanf(s, "%d-%d-%d%n", &y, &m, &d, &n) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
		return RAT_EINVALID;
	*days = days_from_civil(y, (unsigned)m, (unsigned)d);
	return s[n] == '\0' || s[n] == ' ' || s[n] == 'T' ? 0 : RAT_EINVALID;
}

/* "HH:MM:SS[.ffffff]" into microseconds. */
static int parse_clock(const char *s, int64_t *micros)
{
	int h, mi, sec, n = 0;
	int64_t frac = 0, scale = 100000;

	if (sscanf(s, "%d:%d:%d%n", &h, &mi, &sec, &n) != 3)
		return RAT_EINVALID;
	s += n;
	if (*s == '.')
		for (s++; isdigit((unsigned char)*s); s++, scale /= 10)
			frac += (*s - '0') * scale;
	*micros = ((int64_t)h * 3600 + mi * 60 + sec) * 1000000 + frac;
	return 0;
}

int rat_table__parse_timestamp(const char *s, int64_t *micros)
{
	int64_t days, clock = 0;
	const char *t = strpbrk(s, " T");

	if (rat_table__parse_date(s, &days) != 0)
		return RAT_EINVALID;
	if (t && parse_clock(t + 1, &clock) != 0)
		return RAT_EINVALID;
	*micros = days * 86400 * 1000000 + clock; /* the engine runs in UTC: "+00" adds nothing */
	return 0;
}

/* A JSON string of bytes as hex. */
static json_t *hex_json(const void *data, size_t len)
{
	char *hex = rat_hex__encode(data, len);
	json_t *out = hex ? json_string(hex) : NULL;

	free(hex);
	return out;
}

/* v as `bytes` bytes little-endian, in hex. */
static json_t *hex_le(uint64_t v, int bytes)
{
	unsigned char b[8];
	int i;

	for (i = 0; i < bytes; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	return hex_json(b, (size_t)bytes);
}

json_t *rat_table__bound(const char *iceberg_type, const char *text, bool upper)
{
	int64_t v;
	char *end;

	if (!iceberg_type || !text)
		return NULL;
	if (strcmp(iceberg_type, "int") == 0 || strcmp(iceberg_type, "long") == 0) {
		v = strtoll(text, &end, 10);
		return *end ? NULL : hex_le((uint64_t)v, iceberg_type[0] == 'i' ? 4 : 8);
	}
	if (strcmp(iceberg_type, "date") == 0)
		return rat_table__parse_date(text, &v) == 0 ? hex_le((uint64_t)v, 4) : NULL;
	if (strcmp(iceberg_type, "time") == 0)
		return parse_clock(text, &v) == 0 ? hex_le((uint64_t)v, 8) : NULL;
	if (strcmp(iceberg_type, "timestamp") == 0 || strcmp(iceberg_type, "timestamptz") == 0)
		return rat_table__parse_timestamp(text, &v) == 0 ? hex_le((uint64_t)v, 8) : NULL;
	if (strcmp(iceberg_type, "boolean") == 0)
		return hex_le(strcmp(text, "true") == 0, 1);
	if (strcmp(iceberg_type, "string") == 0) {
		size_t n = strlen(text);
		if (n <= 16)
			return hex_json(text, n);
		if (upper)
			return NULL;
		while (n > 16 || (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80))
			n--; /* cut at 16 bytes, on a character boundary */
		return hex_json(text, n);
	}
	return NULL;
}

int rat_table__transform_value(const char *transform, const char *source_type, const char *text,
			       json_t **out)
{
	int64_t v = 0;
	int y = 0, m = 0, d = 0, h = 0;

	*out = NULL;
	if (strcmp(transform, "identity") == 0) {
		if (strcmp(source_type, "string") == 0)
			*out = json_string(text);
		else if (strcmp(source_type, "boolean") == 0)
			*out = json_boolean(strcmp(text, "true") == 0);
		else if (strcmp(source_type, "date") == 0 && rat_table__parse_date(text, &v) == 0)
			*out = json_integer(v);
		else if (strcmp(source_type, "int") == 0 || strcmp(source_type, "long") == 0)
			*out = json_integer(strtoll(text, NULL, 10));
	} else if (strcmp(transform, "year") == 0 && sscanf(text, "%d", &y) == 1) {
		*out = json_integer(y - 1970);
	} else if (strcmp(transform, "month") == 0 && sscanf(text, "%d-%d", &y, &m) == 2) {
		*out = json_integer((int64_t)(y - 1970) * 12 + (m - 1));
	} else if (strcmp(transform, "day") == 0 && rat_table__parse_date(text, &v) == 0) {
		*out = json_integer(v);
	} else if (strcmp(transform, "hour") == 0 && sscanf(text, "%d-%d-%d-%d", &y, &m, &d, &h) == 4) {
		*out = json_integer(days_from_civil(y, (unsigned)m, (unsigned)d) * 24 + h);
	}
	if (!*out)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "cannot read partition value '%s' for %s of a %s column", text,
				      transform, source_type);
	return 0;
}
