/*
 * table/prune.c - skip data files a scan's filters exclude.
 *
 * Two sources of evidence, both from the manifests (no data file is read):
 * partition values (identity compares directly; year/month/day/hour compare
 * in the transform's unit, which is exact for "=" and safe for ranges) and
 * column bounds with null counts. Values compare as 64-bit integers for
 * int, long, date (days), time and timestamps (microseconds), as bytes for
 * strings. When evidence is missing or of another type, the file is kept:
 * pruning may only ever skip files that cannot match.
 */
#include "util/common.h"
#include "table/scan.h"
#include "table/write_stats.h"
#include "util/hex.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef enum op { EQ, LT, LE, GT, GE } op;

typedef struct value {
	bool is_text;
	int64_t n;
	const char *s;
	size_t len;
} value;

static int parse_op(const char *s, op *out)
{
	static const char *const names[] = { "=", "<", "<=", ">", ">=" };
	int i;

	for (i = 0; i < 5; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (op)i;
			return 0;
		}
	return -1;
}

static bool integral(const char *type)
{
	return strcmp(type, "int") == 0 || strcmp(type, "long") == 0 || strcmp(type, "date") == 0 ||
	       strcmp(type, "time") == 0 || strcmp(type, "timestamp") == 0 ||
	       strcmp(type, "timestamptz") == 0;
}

/* The filter's literal in the column's comparison domain. */
static bool literal(const char *type, const char *text, value *out)
{
	char *end;

	memset(out, 0, sizeof(*out));
	if (strcmp(type, "string") == 0) {
		out->is_text = true;
		out->s = text;
		out->len = strlen(text);
		return true;
	}
	if (strcmp(type, "date") == 0)
		return rat_table__parse_date(text, &out->n) == 0;
	if (strcmp(type, "timestamp") == 0 || strcmp(type, "timestamptz") == 0)
		return rat_table__parse_timestamp(text, &out->n) == 0;
	if (strcmp(type, "int") == 0 || strcmp(type, "long") == 0) {
		out->n = strtoll(text, &end, 10);
		return *end == '\0';
	}
	return false;
}

static int compare(const value *a, const value *b)
{
	if (a->is_text) {
		size_t n = a->len < b->len ? a->len : b->len;
		int c = memcmp(a->s, b->s, n);
		return c ? c : (a->len > b->len) - (a->len < b->len);
	}
	return (a->n > b->n) - (a->n < b->n);
}

/* Can some v in [lo, hi] satisfy `v op x`? */
static bool range_may_match(op o, const value *lo, const value *hi, const value *x)
{
	switch (o) {
	case EQ: return compare(x, lo) >= 0 && compare(x, hi) <= 0;
	case LT: return compare(lo, x) < 0;
	case LE: return compare(lo, x) <= 0;
	case GT: return compare(hi, x) > 0;
	default: return compare(hi, x) >= 0;
	}
}

/* A bound (lowercase hex of Iceberg's binary form) as a value; text bounds stay hex-decoded in buf. */
static bool bound(const char *type, const char *hex, char *buf, size_t buflen, value *out)
{
	size_t n = 0, i;

	memset(out, 0, sizeof(*out));
	if (rat_hex__decode(hex, buf, buflen, &n) != 0) {
		rat_error_clear(); /* a damaged bound is no evidence: keep the file */
		return false;
	}
	if (strcmp(type, "string") == 0) {
		out->is_text = true;
		out->s = buf;
		out->len = n;
		return true;
	}
	if (!integral(type) || (n != 4 && n != 8))
		return false;
	uint64_t u = 0;
	for (i = 0; i < n; i++)
		u |= (uint64_t)(unsigned char)buf[i] << (8 * i);
	out->n = n == 4 ? (int64_t)(int32_t)(uint32_t)u : (int64_t)u;
	return true;
}

static bool bounds_may_match(const rat_data_file *f, const rat_table_field *field, op o, const value *x)
{
	char id[16], lo_buf[256], hi_buf[256];
	json_t *nulls, *values;
	value lo, hi;

	snprintf(id, sizeof(id), "%d", field->id);
	nulls = json_object_get(f->null_counts, id);
	values = json_object_get(f->value_counts, id);
	if (json_is_integer(nulls) && json_is_integer(values) &&
	    json_integer_value(nulls) == json_integer_value(values) && json_integer_value(values) > 0)
		return false; /* only NULLs: no comparison is true */
	if (!json_is_string(json_object_get(f->lower_bounds, id)) ||
	    !json_is_string(json_object_get(f->upper_bounds, id)) ||
	    !bound(field->type, json_string_value(json_object_get(f->lower_bounds, id)), lo_buf,
		   sizeof(lo_buf), &lo) ||
	    !bound(field->type, json_string_value(json_object_get(f->upper_bounds, id)), hi_buf,
		   sizeof(hi_buf), &hi))
		return true;
	return range_may_match(o, &lo, &hi, x);
}

/* x in the transform's unit (years/months/days/hours since 1970). */
static bool transformed(const char *transform, const char *type, const value *x, int64_t *out)
{
	int64_t days, micros = x->n;

	if (x->is_text)
		return false;
	if (strcmp(type, "date") == 0)
		micros = x->n * 86400 * 1000000;
	if (strcmp(transform, "hour") == 0) {
		*out = micros >= 0 ? micros / 3600000000 : -((-micros + 3599999999) / 3600000000);
		return true;
	}
	days = micros >= 0 ? micros / 86400000000 : -((-micros + 86399999999) / 86400000000);
	if (strcmp(transform, "day") == 0) {
		*out = days;
		return true;
	}
	{
		/* civil year and month of `days` */
		int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
		unsigned doe = (unsigned)(z - era * 146097);
		unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
		unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
		unsigned mp = (5 * doy + 2) / 153, m = mp < 10 ? mp + 3 : mp - 9;
		int64_t y = (int64_t)yoe + era * 400 + (m <= 2);
		if (strcmp(transform, "year") == 0)
			*out = y - 1970;
		else if (strcmp(transform, "month") == 0)
			*out = (y - 1970) * 12 + (m - 1);
		else
			return false;
	}
	return true;
}

static bool partition_may_match(const rat_table_spec *spec, const rat_data_file *f,
				const rat_table_field *field, op o, const value *x)
{
	size_t i;

	for (i = 0; spec && i < spec->field_count; i++) {
		const rat_table_partition_field *pf = &spec->fields[i];
		json_t *p = json_object_get(f->partition, pf->name);
		value pv;
		if (pf->source_id != field->id || !p)
			continue;
		if (json_is_null(p))
			return false; /* the NULL partition matches no comparison */
		memset(&pv, 0, sizeof(pv));
		if (strcmp(pf->transform, "identity") == 0) {
			if (x->is_text && json_is_string(p)) {
				pv.is_text = true;
				pv.s = json_string_value(p);
				pv.len = strlen(pv.s);
			} else if (!x->is_text && json_is_integer(p)) {
				pv.n = json_integer_value(p);
			} else {
				continue;
			}
			if (!range_may_match(o, &pv, &pv, x))
				return false;
		} else if (json_is_integer(p)) {
			value tx;
			memset(&tx, 0, sizeof(tx));
			if (!transformed(pf->transform, field->type, x, &tx.n))
				continue;
			pv.n = json_integer_value(p);
			/* a partition covers a whole unit: ranges compare inclusively */
			if (!range_may_match(o == LT ? LE : o == GT ? GE : o, &pv, &pv, &tx))
				return false;
		}
	}
	return true;
}

static const rat_table_field *find_field(const rat_table_schema *schema, const char *name)
{
	size_t i;

	for (i = 0; i < schema->field_count; i++)
		if (strcasecmp(schema->fields[i].name, name) == 0)
			return &schema->fields[i];
	return NULL;
}

int rat_table__check_filters(const rat_table_schema *schema, const rat_scan_filter *filters,
			     size_t count)
{
	size_t i;
	op o;
	value x;

	for (i = 0; i < count; i++) {
		const rat_table_field *f = find_field(schema, filters[i].column);
		if (!f)
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
					      "filter on unknown column '%s'", filters[i].column);
		if (parse_op(filters[i].op, &o) != 0)
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
					      "filter on '%s': unknown operator '%s' (=, <, <=, >, >=)",
					      f->name, filters[i].op);
		if (!literal(f->type, filters[i].value, &x))
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
					      "filter on '%s' (%s): cannot use value '%s' (int, long, "
					      "date, timestamp and string columns can be filtered)",
					      f->name, f->type, filters[i].value);
	}
	return 0;
}

bool rat_table__file_may_match(const rat_table_metadata *meta, const rat_table_schema *schema,
			       const rat_data_file *file, const rat_scan_filter *filters, size_t count)
{
	const rat_table_spec *spec = rat_table__spec(meta, file->spec_id);
	size_t i;

	for (i = 0; i < count; i++) {
		const rat_table_field *field = find_field(schema, filters[i].column);
		value x;
		op o;
		if (!field || parse_op(filters[i].op, &o) != 0 ||
		    !literal(field->type, filters[i].value, &x))
			continue;
		if (!partition_may_match(spec, file, field, o, &x) ||
		    !bounds_may_match(file, field, o, &x))
			return false;
	}
	return true;
}
