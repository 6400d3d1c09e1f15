/*
 * engine/format.c - values of DuckDB vectors as text and as JSON.
 *
 * The C API hands out results as columnar vectors; it has no call that turns
 * one entry into text. We spell every value the way DuckDB's own cast to
 * VARCHAR does (checked value by value against the engine in
 * tests/unit/engine/test_format.c), so `rat query` prints what a DuckDB user
 * expects, and we stream: no result is materialised to format it.
 *
 * JSON mode writes numbers and booleans bare, lists as arrays, structs and
 * maps as objects, a JSON-typed column verbatim, and everything else as a
 * JSON string of its text form.
 */
#include "engine/engine_internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 64

static int format_at(rat_buf *out, duckdb_vector vector, duckdb_logical_type type, idx_t row,
		     rat_format_mode mode, int depth, bool nested);

static bool is_valid(duckdb_vector vector, idx_t row)
{
	uint64_t *validity = duckdb_vector_get_validity(vector);
	return !validity || duckdb_validity_row_is_valid(validity, row);
}

static bool has_alias(duckdb_logical_type type, const char *alias)
{
	char *name = duckdb_logical_type_get_alias(type);
	bool match = name && strcmp(name, alias) == 0;
	duckdb_free(name);
	return match;
}

/* Scalars */

static int put_json_string(rat_buf *out, const char *s, size_t len)
{
	size_t i;
	int error = rat_buf_putc(out, '"');

	for (i = 0; !error && i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '"': error = rat_buf_puts(out, "\\\""); break;
		case '\\': error = rat_buf_puts(out, "\\\\"); break;
		case '\n': error = rat_buf_puts(out, "\\n"); break;
		case '\r': error = rat_buf_puts(out, "\\r"); break;
		case '\t': error = rat_buf_puts(out, "\\t"); break;
		default:
			error = c < 0x20 ? rat_buf_printf(out, "\\u%04x", c) : rat_buf_putc(out, (char)c);
		}
	}
	return error ? error : rat_buf_putc(out, '"');
}

/* DuckDB quotes a string inside a list, struct or map when it could be misread. */
static bool needs_quotes(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || isspace((unsigned char)s[0]) || isspace((unsigned char)s[len - 1]))
		return true;
	if (len == 4 && strncasecmp(s, "null", 4) == 0)
		return true;
	for (i = 0; i < len; i++)
		if (strchr("\"'(),:=[]{}", s[i]) && s[i] != '\0')
			return true;
	return false;
}

static int put_quoted(rat_buf *out, const char *s, size_t len)
{
	size_t i;
	int error = rat_buf_putc(out, '\'');

	for (i = 0; !error && i < len; i++)
		error = s[i] == '\'' ? rat_buf_puts(out, "\\'") : rat_buf_putc(out, s[i]);
	return error ? error : rat_buf_putc(out, '\'');
}

static int put_string(rat_buf *out, const char *s, size_t len, rat_format_mode mode, bool nested)
{
	if (mode == RAT_FORMAT_JSON)
		return put_json_string(out, s, len);
	if (nested && needs_quotes(s, len))
		return put_quoted(out, s, len);
	return rat_buf_put(out, s, len);
}

/* Shortest text that reads back as the same double, spelled as DuckDB does. */
static int put_double(rat_buf *out, double v, bool is_float, rat_format_mode mode)
{
	char text[64];
	int precision, exponent;

	if (isnan(v))
		return mode == RAT_FORMAT_JSON ? rat_buf_puts(out, "\"nan\"") : rat_buf_puts(out, "nan");
	if (isinf(v)) {
		const char *s = v < 0 ? "-inf" : "inf";
		return mode == RAT_FORMAT_JSON ? rat_buf_printf(out, "\"%s\"", s) : rat_buf_puts(out, s);
	}
	for (precision = 1; precision <= 17; precision++) {
		snprintf(text, sizeof(text), "%.*e", precision - 1, v);
		if (is_float ? (float)strtod(text, NULL) == (float)v : strtod(text, NULL) == v)
			break;
	}
	/* DuckDB: scientific below 1e-4 and from 1e16 up, else fixed with at least ".0" */
	exponent = atoi(strchr(text, 'e') + 1);
	if (exponent >= -4 && exponent < 16) {
		int decimals = precision - 1 - exponent;
		snprintf(text, sizeof(text), "%.*f", decimals > 0 ? decimals : 0, v);
		if (!strchr(text, '.')) {
			size_t n = strlen(text);
			snprintf(text + n, sizeof(text) - n, ".0");
		}
	} else {
		/* "%e" pads the mantissa with zeros we do not want: 1.000000e+20 */
		char mantissa[40], *e = strchr(text, 'e');
		snprintf(mantissa, sizeof(mantissa), "%.*s", (int)(e - text), text);
		if (strchr(mantissa, '.')) {
			size_t n = strlen(mantissa);
			while (mantissa[n - 1] == '0')
				mantissa[--n] = '\0';
			if (mantissa[n - 1] == '.')
				mantissa[--n] = '\0';
		}
		snprintf(text, sizeof(text), "%se%c%02d", mantissa, exponent < 0 ? '-' : '+',
			 exponent < 0 ? -exponent : exponent);
	}
	return rat_buf_puts(out, text);
}

static int put_int128(rat_buf *out, __int128 v)
{
	char digits[48];
	int n = 0;
	bool negative = v < 0;
	unsigned __int128 u = negative ? (unsigned __int128)(-(v + 1)) + 1 : (unsigned __int128)v;

	do {
		digits[n++] = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u);
	if (negative)
		digits[n++] = '-';
	while (n > 0) {
		int error = rat_buf_putc(out, digits[--n]);
		if (error)
			return error;
	}
	return 0;
}

static int put_uint128(rat_buf *out, unsigned __int128 u)
{
	char digits[48];
	int n = 0;

	do {
		digits[n++] = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u);
	while (n > 0) {
		int error = rat_buf_putc(out, digits[--n]);
		if (error)
			return error;
	}
	return 0;
}

static __int128 hugeint_value(duckdb_hugeint h)
{
	return (__int128)(((unsigned __int128)(uint64_t)h.upper << 64) | h.lower);
}

static int put_decimal(rat_buf *out, __int128 v, unsigned scale)
{
	rat_buf digits = RAT_BUF_INIT;
	bool negative = v < 0;
	size_t n;
	int error;

	if ((error = put_int128(&digits, negative ? -v : v)) != 0)
		goto cleanup;
	n = digits.len;
	if (negative && (error = rat_buf_putc(out, '-')) != 0)
		goto cleanup;
	if (scale == 0) {
		error = rat_buf_put(out, digits.ptr, n);
	} else if (n > scale) {
		if ((error = rat_buf_put(out, digits.ptr, n - scale)) == 0 &&
		    (error = rat_buf_putc(out, '.')) == 0)
			error = rat_buf_put(out, digits.ptr + n - scale, scale);
	} else {
		size_t i;
		error = rat_buf_puts(out, "0.");
		for (i = n; !error && i < scale; i++)
			error = rat_buf_putc(out, '0');
		if (!error)
			error = rat_buf_put(out, digits.ptr, n);
	}
cleanup:
	rat_buf_free(&digits);
	return error;
}

static int put_date(rat_buf *out, duckdb_date date)
{
	duckdb_date_struct d;

	if (!duckdb_is_finite_date(date))
		return rat_buf_puts(out, date.days < 0 ? "-infinity" : "infinity");
	d = duckdb_from_date(date);
	if (d.year <= 0)
		return rat_buf_printf(out, "%04d-%02d-%02d (BC)", 1 - d.year, d.month, d.day);
	return rat_buf_printf(out, "%04d-%02d-%02d", d.year, d.month, d.day);
}

/* ".fraction" with trailing zeros dropped; nothing for 0. */
static int put_fraction(rat_buf *out, int64_t fraction, int digits)
{
	char frac[24];
	int n;

	if (fraction == 0)
		return 0;
	n = snprintf(frac, sizeof(frac), "%0*" PRId64, digits, fraction);
	while (n > 0 && frac[n - 1] == '0')
		frac[--n] = '\0';
	return rat_buf_printf(out, ".%s", frac);
}

/* HH:MM:SS[.fraction] */
static int put_clock(rat_buf *out, int64_t hour, int min, int sec, int64_t fraction, int digits)
{
	int error = rat_buf_printf(out, "%02" PRId64 ":%02d:%02d", hour, min, sec);
	return error ? error : put_fraction(out, fraction, digits);
}

/* A timestamp given as seconds since the epoch plus a fraction of `digits` digits. */
static int put_timestamp(rat_buf *out, int64_t seconds, int64_t fraction, int digits,
			 const char *suffix)
{
	int64_t days = seconds / 86400, rest = seconds % 86400;
	duckdb_date date;
	int error;

	if (rest < 0) {
		rest += 86400;
		days--;
	}
	date.days = (int32_t)days;
	duckdb_date_struct d = duckdb_from_date(date);
	if ((error = rat_buf_printf(out, "%04d-%02d-%02d%s ", d.year <= 0 ? 1 - d.year : d.year,
				    d.month, d.day, d.year <= 0 ? " (BC)" : "")) != 0 ||
	    (error = put_clock(out, (int)(rest / 3600), (int)(rest / 60 % 60), (int)(rest % 60),
			       fraction, digits)) != 0)
		return error;
	return suffix ? rat_buf_puts(out, suffix) : 0;
}

static int put_timestamp_units(rat_buf *out, int64_t value, int64_t per_second, int digits,
			       const char *suffix)
{
	int64_t seconds = value / per_second, fraction = value % per_second;

	if (value == INT64_MAX || value == -INT64_MAX)
		return rat_buf_puts(out, value < 0 ? "-infinity" : "infinity");
	if (fraction < 0) {
		fraction += per_second;
		seconds--;
	}
	return put_timestamp(out, seconds, fraction, digits, suffix);
}

static int put_interval(rat_buf *out, duckdb_interval iv)
{
	int32_t years = iv.months / 12, months = iv.months % 12;
	int64_t micros = iv.micros;
	bool any = false;
	int error = 0;

	if (years) {
		error = rat_buf_printf(out, "%d year%s", years, years == 1 || years == -1 ? "" : "s");
		any = true;
	}
	if (!error && months) {
		error = rat_buf_printf(out, "%s%d month%s", any ? " " : "", months,
				       months == 1 || months == -1 ? "" : "s");
		any = true;
	}
	if (!error && iv.days) {
		error = rat_buf_printf(out, "%s%d day%s", any ? " " : "", iv.days,
				       iv.days == 1 || iv.days == -1 ? "" : "s");
		any = true;
	}
	if (!error && (micros || !any)) {
		if (any)
			error = rat_buf_putc(out, ' ');
		if (!error && micros < 0) {
			error = rat_buf_putc(out, '-');
			micros = -micros;
		}
		if (!error) {
			int64_t secs = micros / 1000000;
			error = put_clock(out, secs / 3600, (int)(secs / 60 % 60), (int)(secs % 60),
					  micros % 1000000, 6);
		}
	}
	return error;
}

static int put_uuid(rat_buf *out, duckdb_hugeint h)
{
	uint64_t hi = (uint64_t)h.upper ^ ((uint64_t)1 << 63), lo = h.lower;

	return rat_buf_printf(out, "%08" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%012" PRIx64,
			      hi >> 32, (hi >> 16) & 0xffff, hi & 0xffff, lo >> 48,
			      lo & (uint64_t)0xffffffffffff);
}

static int put_blob(rat_buf *out, const unsigned char *p, size_t len)
{
	size_t i;
	int error = 0;

	for (i = 0; !error && i < len; i++) {
		if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\' && p[i] != '\'' && p[i] != '"')
			error = rat_buf_putc(out, (char)p[i]);
		else
			error = rat_buf_printf(out, "\\x%02X", p[i]);
	}
	return error;
}

static int put_bits(rat_buf *out, const unsigned char *p, size_t len)
{
	size_t i;
	int bit, error = 0;

	if (len == 0)
		return 0;
	/* the first byte counts the padding bits of the second */
	for (i = 1; !error && i < len; i++)
		for (bit = 7; !error && bit >= 0; bit--)
			if (i > 1 || bit < 8 - p[0])
				error = rat_buf_putc(out, (p[i] >> bit) & 1 ? '1' : '0');
	return error;
}

/* Nested values */

static bool is_nested(duckdb_type id)
{
	return id == DUCKDB_TYPE_LIST || id == DUCKDB_TYPE_ARRAY || id == DUCKDB_TYPE_STRUCT ||
	       id == DUCKDB_TYPE_MAP || id == DUCKDB_TYPE_UNION;
}

static int format_child(rat_buf *out, duckdb_vector child, duckdb_logical_type type, idx_t row,
			rat_format_mode mode, int depth)
{
	duckdb_type id = duckdb_get_type_id(type);
	rat_buf text = RAT_BUF_INIT;
	int error;

	if (!is_valid(child, row))
		return rat_buf_puts(out, mode == RAT_FORMAT_JSON ? "null" : "NULL");
	if (mode == RAT_FORMAT_JSON || is_nested(id) || id == DUCKDB_TYPE_VARCHAR ||
	    id == DUCKDB_TYPE_ENUM)
		return format_at(out, child, type, row, mode, depth + 1, true);
	/* DuckDB quotes any scalar whose text could be misread inside a nested value */
	error = format_at(&text, child, type, row, mode, depth + 1, false);
	if (!error)
		error = put_string(out, rat_buf_cstr(&text), text.len, mode, true);
	rat_buf_free(&text);
	return error;
}

static int format_list(rat_buf *out, duckdb_vector child, duckdb_logical_type child_type,
		       idx_t offset, idx_t length, rat_format_mode mode, int depth)
{
	idx_t i;
	int error = rat_buf_putc(out, '[');

	for (i = 0; !error && i < length; i++) {
		if (i && (error = rat_buf_puts(out, mode == RAT_FORMAT_JSON ? "," : ", ")) != 0)
			break;
		error = format_child(out, child, child_type, offset + i, mode, depth);
	}
	return error ? error : rat_buf_putc(out, ']');
}

static int format_struct(rat_buf *out, duckdb_vector vector, duckdb_logical_type type, idx_t row,
			 rat_format_mode mode, int depth)
{
	idx_t i, n = duckdb_struct_type_child_count(type);
	bool unnamed = false;
	int error = 0;

	/* an unnamed struct (a row) has children named "" and prints as a tuple */
	if (n > 0 && mode == RAT_FORMAT_TEXT) {
		char *first = duckdb_struct_type_child_name(type, 0);
		unnamed = first && first[0] == '\0';
		duckdb_free(first);
	}
	error = rat_buf_putc(out, unnamed ? '(' : '{');
	for (i = 0; !error && i < n; i++) {
		duckdb_logical_type child_type = duckdb_struct_type_child_type(type, i);
		char *name = duckdb_struct_type_child_name(type, i);
		if (i)
			error = rat_buf_puts(out, mode == RAT_FORMAT_JSON ? "," : ", ");
		if (!error && !unnamed) {
			if (mode == RAT_FORMAT_JSON)
				error = put_json_string(out, name, strlen(name));
			else
				error = put_quoted(out, name, strlen(name));
			if (!error)
				error = rat_buf_puts(out, mode == RAT_FORMAT_JSON ? ":" : ": ");
		}
		if (!error)
			error = format_child(out, duckdb_struct_vector_get_child(vector, i), child_type,
					     row, mode, depth);
		duckdb_free(name);
		duckdb_destroy_logical_type(&child_type);
	}
	return error ? error : rat_buf_putc(out, unnamed ? ')' : '}');
}

static int format_map(rat_buf *out, duckdb_vector vector, duckdb_logical_type type,
		      duckdb_list_entry entry, rat_format_mode mode, int depth)
{
	duckdb_vector entries = duckdb_list_vector_get_child(vector);
	duckdb_vector keys = duckdb_struct_vector_get_child(entries, 0);
	duckdb_vector values = duckdb_struct_vector_get_child(entries, 1);
	duckdb_logical_type key_type = duckdb_map_type_key_type(type);
	duckdb_logical_type value_type = duckdb_map_type_value_type(type);
	rat_buf key = RAT_BUF_INIT;
	idx_t i;
	int error = rat_buf_putc(out, '{');

	for (i = 0; !error && i < entry.length; i++) {
		idx_t at = entry.offset + i;
		if (i)
			error = rat_buf_puts(out, mode == RAT_FORMAT_JSON ? "," : ", ");
		if (!error && mode == RAT_FORMAT_JSON) {
			/* JSON object keys are strings: the key's text form */
			rat_buf_clear(&key);
			error = format_at(&key, keys, key_type, at, RAT_FORMAT_TEXT, depth + 1, false);
			if (!error)
				error = put_json_string(out, rat_buf_cstr(&key), key.len);
			if (!error)
				error = rat_buf_putc(out, ':');
		} else if (!error) {
			error = format_child(out, keys, key_type, at, mode, depth);
			if (!error)
				error = rat_buf_putc(out, '=');
		}
		if (!error)
			error = format_child(out, values, value_type, at, mode, depth);
	}
	rat_buf_free(&key);
	duckdb_destroy_logical_type(&key_type);
	duckdb_destroy_logical_type(&value_type);
	return error ? error : rat_buf_putc(out, '}');
}

static int format_union(rat_buf *out, duckdb_vector vector, duckdb_logical_type type, idx_t row,
			rat_format_mode mode, int depth)
{
	/* child 0 holds the tag; member i is child i + 1 */
	uint8_t tag = ((uint8_t *)duckdb_vector_get_data(duckdb_struct_vector_get_child(vector, 0)))[row];
	duckdb_logical_type member = duckdb_union_type_member_type(type, tag);
	int error = format_child(out, duckdb_struct_vector_get_child(vector, (idx_t)tag + 1), member,
				 row, mode, depth - 1);
	duckdb_destroy_logical_type(&member);
	return error;
}

static int format_enum(rat_buf *out, duckdb_vector vector, duckdb_logical_type type, idx_t row,
		       rat_format_mode mode, bool nested)
{
	void *data = duckdb_vector_get_data(vector);
	idx_t index;
	char *text;
	int error;

	switch (duckdb_enum_internal_type(type)) {
	case DUCKDB_TYPE_UTINYINT: index = ((uint8_t *)data)[row]; break;
	case DUCKDB_TYPE_USMALLINT: index = ((uint16_t *)data)[row]; break;
	default: index = ((uint32_t *)data)[row]; break;
	}
	text = duckdb_enum_dictionary_value(type, index);
	error = put_string(out, text ? text : "", text ? strlen(text) : 0, mode, nested);
	duckdb_free(text);
	return error;
}

static int format_decimal(rat_buf *out, void *data, duckdb_logical_type type, idx_t row)
{
	unsigned scale = duckdb_decimal_scale(type);

	switch (duckdb_decimal_internal_type(type)) {
	case DUCKDB_TYPE_SMALLINT: return put_decimal(out, ((int16_t *)data)[row], scale);
	case DUCKDB_TYPE_INTEGER: return put_decimal(out, ((int32_t *)data)[row], scale);
	case DUCKDB_TYPE_BIGINT: return put_decimal(out, ((int64_t *)data)[row], scale);
	default: return put_decimal(out, hugeint_value(((duckdb_hugeint *)data)[row]), scale);
	}
}

/* Values whose text form is their JSON string form. */
static int as_json_string(rat_buf *out, duckdb_vector vector, duckdb_logical_type type, idx_t row,
			  int depth)
{
	rat_buf text = RAT_BUF_INIT;
	int error = format_at(&text, vector, type, row, RAT_FORMAT_TEXT, depth, false);
	if (!error)
		error = put_json_string(out, rat_buf_cstr(&text), text.len);
	rat_buf_free(&text);
	return error;
}

/*
 * The value at row, by its type. Long: one case per DuckDB type, each a
 * line or two that hands the value to its writer; the switch is the table
 * of what every type prints as, and reads best whole.
 */
static int format_at(rat_buf *out, duckdb_vector vector, duckdb_logical_type type, idx_t row,
		     rat_format_mode mode, int depth, bool nested)
{
	void *data = duckdb_vector_get_data(vector);
	duckdb_type id = duckdb_get_type_id(type);
	bool json = mode == RAT_FORMAT_JSON;

	if (depth > MAX_DEPTH)
		return rat_error__set(RAT_ETOOBIG, RAT_ERRCLASS_ENGINE,
				      "value nested deeper than %d levels", MAX_DEPTH);
	switch (id) {
	case DUCKDB_TYPE_BOOLEAN: return rat_buf_puts(out, ((bool *)data)[row] ? "true" : "false");
	case DUCKDB_TYPE_TINYINT: return rat_buf_printf(out, "%d", ((int8_t *)data)[row]);
	case DUCKDB_TYPE_SMALLINT: return rat_buf_printf(out, "%d", ((int16_t *)data)[row]);
	case DUCKDB_TYPE_INTEGER: return rat_buf_printf(out, "%" PRId32, ((int32_t *)data)[row]);
	case DUCKDB_TYPE_BIGINT: return rat_buf_printf(out, "%" PRId64, ((int64_t *)data)[row]);
	case DUCKDB_TYPE_UTINYINT: return rat_buf_printf(out, "%u", ((uint8_t *)data)[row]);
	case DUCKDB_TYPE_USMALLINT: return rat_buf_printf(out, "%u", ((uint16_t *)data)[row]);
	case DUCKDB_TYPE_UINTEGER: return rat_buf_printf(out, "%" PRIu32, ((uint32_t *)data)[row]);
	case DUCKDB_TYPE_UBIGINT: return rat_buf_printf(out, "%" PRIu64, ((uint64_t *)data)[row]);
	case DUCKDB_TYPE_HUGEINT: return put_int128(out, hugeint_value(((duckdb_hugeint *)data)[row]));
	case DUCKDB_TYPE_UHUGEINT: {
		duckdb_uhugeint u = ((duckdb_uhugeint *)data)[row];
		return put_uint128(out, ((unsigned __int128)u.upper << 64) | u.lower);
	}
	case DUCKDB_TYPE_FLOAT: return put_double(out, ((float *)data)[row], true, mode);
	case DUCKDB_TYPE_DOUBLE: return put_double(out, ((double *)data)[row], false, mode);
	case DUCKDB_TYPE_DECIMAL: return format_decimal(out, data, type, row);
	case DUCKDB_TYPE_VARCHAR: {
		duckdb_string_t *s = &((duckdb_string_t *)data)[row];
		if (json && has_alias(type, "JSON"))
			return rat_buf_put(out, duckdb_string_t_data(s), duckdb_string_t_length(*s));
		return put_string(out, duckdb_string_t_data(s), duckdb_string_t_length(*s), mode, nested);
	}
	case DUCKDB_TYPE_ENUM: return format_enum(out, vector, type, row, mode, nested);
	case DUCKDB_TYPE_LIST: {
		duckdb_list_entry entry = ((duckdb_list_entry *)data)[row];
		duckdb_logical_type child_type = duckdb_list_type_child_type(type);
		int error = format_list(out, duckdb_list_vector_get_child(vector), child_type,
					entry.offset, entry.length, mode, depth);
		duckdb_destroy_logical_type(&child_type);
		return error;
	}
	case DUCKDB_TYPE_ARRAY: {
		idx_t size = duckdb_array_type_array_size(type);
		duckdb_logical_type child_type = duckdb_array_type_child_type(type);
		int error = format_list(out, duckdb_array_vector_get_child(vector), child_type,
					row * size, size, mode, depth);
		duckdb_destroy_logical_type(&child_type);
		return error;
	}
	case DUCKDB_TYPE_STRUCT: return format_struct(out, vector, type, row, mode, depth);
	case DUCKDB_TYPE_MAP:
		return format_map(out, vector, type, ((duckdb_list_entry *)data)[row], mode, depth);
	case DUCKDB_TYPE_UNION: return format_union(out, vector, type, row, mode, depth);
	default: break;
	}
	if (json)
		return as_json_string(out, vector, type, row, depth);
	switch (id) {
	case DUCKDB_TYPE_BLOB: {
		duckdb_string_t *s = &((duckdb_string_t *)data)[row];
		return put_blob(out, (const unsigned char *)duckdb_string_t_data(s),
				duckdb_string_t_length(*s));
	}
	case DUCKDB_TYPE_BIT: {
		duckdb_string_t *s = &((duckdb_string_t *)data)[row];
		return put_bits(out, (const unsigned char *)duckdb_string_t_data(s),
				duckdb_string_t_length(*s));
	}
	case DUCKDB_TYPE_DATE: return put_date(out, ((duckdb_date *)data)[row]);
	case DUCKDB_TYPE_TIME: {
		duckdb_time_struct t = duckdb_from_time(((duckdb_time *)data)[row]);
		return put_clock(out, t.hour, t.min, t.sec, t.micros, 6);
	}
	case DUCKDB_TYPE_TIME_TZ: {
		duckdb_time_tz_struct t = duckdb_from_time_tz(((duckdb_time_tz *)data)[row]);
		int off = t.offset < 0 ? -t.offset : t.offset;
		int error = put_clock(out, t.time.hour, t.time.min, t.time.sec, t.time.micros, 6);
		if (!error)
			error = rat_buf_printf(out, "%c%02d", t.offset < 0 ? '-' : '+', off / 3600);
		if (!error && off % 3600)
			error = rat_buf_printf(out, ":%02d", off / 60 % 60);
		return error;
	}
	case DUCKDB_TYPE_TIMESTAMP:
		return put_timestamp_units(out, ((int64_t *)data)[row], 1000000, 6, NULL);
	case DUCKDB_TYPE_TIMESTAMP_TZ:
		return put_timestamp_units(out, ((int64_t *)data)[row], 1000000, 6, "+00");
	case DUCKDB_TYPE_TIMESTAMP_S:
		return put_timestamp_units(out, ((int64_t *)data)[row], 1, 0, NULL);
	case DUCKDB_TYPE_TIMESTAMP_MS:
		return put_timestamp_units(out, ((int64_t *)data)[row], 1000, 3, NULL);
	case DUCKDB_TYPE_TIMESTAMP_NS:
		return put_timestamp_units(out, ((int64_t *)data)[row], 1000000000, 9, NULL);
	case DUCKDB_TYPE_INTERVAL: return put_interval(out, ((duckdb_interval *)data)[row]);
	case DUCKDB_TYPE_UUID: return put_uuid(out, ((duckdb_hugeint *)data)[row]);
	default: {
		rat_buf name = RAT_BUF_INIT;
		int error = rat_engine__type_name(&name, type);
		if (!error)
			error = rat_error__set(RAT_ETYPE, RAT_ERRCLASS_ENGINE,
					       "cannot display a value of type %s; cast it to VARCHAR "
					       "in the query", rat_buf_cstr(&name));
		rat_buf_free(&name);
		return error;
	}
	}
}

int rat_engine__format(rat_buf *out, duckdb_vector vector, duckdb_logical_type type, idx_t row,
		       rat_format_mode mode)
{
	return format_at(out, vector, type, row, mode, 0, false);
}
