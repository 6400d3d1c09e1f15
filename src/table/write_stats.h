/*
 * table/write_stats.h - Iceberg bounds and partition values from DuckDB's text.
 */
#ifndef RAT_TABLE_WRITE_STATS_H
#define RAT_TABLE_WRITE_STATS_H

#include <jansson.h>

#include "util/common.h"

/** "YYYY-MM-DD" (a time may follow) into days since 1970-01-01. */
RAT_MUST_USE int rat_table__parse_date(const char *s, int64_t *days);
/** "YYYY-MM-DD HH:MM:SS[.ffffff][+00]" (UTC) into microseconds since the epoch. */
RAT_MUST_USE int rat_table__parse_timestamp(const char *s, int64_t *micros);
/**
 * The Iceberg single-value binary form of a bound, as a lowercase hex JSON
 * string; NULL when the type has no bound form here (or the text is not one).
 */
json_t *rat_table__bound(const char *iceberg_type, const char *text, bool upper);
/**
 * A partition value from the text DuckDB put in the folder name: identity
 * gives the typed value; year/month/day/hour of "2024", "2024-03",
 * "2024-03-05", "2024-03-05-13" give years/months/days/hours since 1970.
 */
RAT_MUST_USE int rat_table__transform_value(const char *transform, const char *source_type,
					    const char *text, json_t **out);

#endif
