/*
 * engine/result.c - a query's result (rat/engine.h): streamed chunk by
 * chunk, its columns described once, each cell read as a typed value or as
 * text or JSON, exactly as DuckDB casts it (format.c). Text shows the
 * user's folders where a statement read staged ones (stage.c).
 */
#include "engine/engine_internal.h"
#include "rat/engine.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int rat_engine__describe_columns(rat_result *r)
{
	size_t i;

	r->column_count = (size_t)duckdb_column_count(&r->result);
	if ((r->columns = rat__calloc(r->column_count, sizeof(rat_result_column))) == NULL)
		return RAT_ENOMEM;
	for (i = 0; i < r->column_count; i++) {
		rat_result_column *c = &r->columns[i];
		rat_buf name = RAT_BUF_INIT;
		int error;

		c->logical = duckdb_column_logical_type(&r->result, i);
		c->type = rat_engine__type(c->logical);
		c->text_mode = -1;
		if ((error = rat_engine__type_name(&name, c->logical)) != 0) {
			rat_buf_free(&name);
			return error;
		}
		c->type_name = rat_buf_detach(&name);
		c->name = rat__strdup(duckdb_column_name(&r->result, i));
		if (!c->type_name || !c->name)
			return RAT_ENOMEM;
	}
	return 0;
}

size_t rat_result_column_count(const rat_result *r)
{
	return r->column_count;
}

const char *rat_result_column_name(const rat_result *r, size_t col)
{
	return col < r->column_count ? r->columns[col].name : NULL;
}

rat_type rat_result_column_type(const rat_result *r, size_t col)
{
	return col < r->column_count ? r->columns[col].type : RAT_TYPE_OTHER;
}

const char *rat_result_column_type_name(const rat_result *r, size_t col)
{
	return col < r->column_count ? r->columns[col].type_name : NULL;
}

uint64_t rat_result_row_index(const rat_result *r)
{
	return r->rows;
}

static void forget_texts(rat_result *r)
{
	size_t i;

	for (i = 0; i < r->column_count; i++)
		r->columns[i].text_mode = -1;
}

/* The next chunk with rows into r->chunk: 1, 0 at the end, or the engine's error. */
static int fetch_chunk(rat_result *r)
{
	r->positioned = false;
	r->batched = false;
	for (;;) {
		if (r->chunk)
			duckdb_destroy_data_chunk(&r->chunk);
		r->chunk = duckdb_fetch_chunk(r->result);
		if (!r->chunk) {
			r->done = true;
			return duckdb_result_error(&r->result) ? rat_engine__result_error(NULL, NULL, &r->result) : 0;
		}
		r->chunk_rows = duckdb_data_chunk_get_size(r->chunk);
		if (r->chunk_rows > 0)
			break;
	}
	r->row = 0;
	r->positioned = true;
	return 1;
}

int rat_result_next(rat_result *r)
{
	int got;

	if (r->done)
		return 0;
	forget_texts(r);
	if (r->positioned && !r->batched && r->row + 1 < r->chunk_rows) {
		r->row++;
		r->rows++;
		return 1;
	}
	if ((got = fetch_chunk(r)) == 1)
		r->rows++;
	return got;
}

int rat_result_next_batch(rat_result *r)
{
	int got;

	if (r->done)
		return 0;
	forget_texts(r);
	if ((got = fetch_chunk(r)) != 1)
		return got;
	r->batched = true;
	r->rows += r->chunk_rows;
	return (int)r->chunk_rows;
}

int rat_result_batch_row(rat_result *r, size_t row)
{
	if (!r->positioned || !r->batched || row >= r->chunk_rows)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "row %zu is not in the current batch (%s)", row,
				      r->positioned && r->batched ? "past its end"
								  : "call rat_result_next_batch() first");
	forget_texts(r);
	r->row = row;
	return 0;
}

/* The 1-based number, in the whole result, of row `row` of the current chunk. */
static uint64_t row_number(const rat_result *r, idx_t row)
{
	return r->batched ? r->rows - r->chunk_rows + row + 1 : r->rows;
}

static int check_cell(const rat_result *r, size_t col)
{
	if (col >= r->column_count)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "column %zu out of range (the result has %zu)", col,
				      r->column_count);
	if (!r->positioned)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "no current row: call rat_result_next() first");
	return 0;
}

static duckdb_vector cell_vector(const rat_result *r, size_t col)
{
	return duckdb_data_chunk_get_vector(r->chunk, col);
}

int rat_result_is_null(const rat_result *r, size_t col)
{
	uint64_t *validity;

	if (check_cell(r, col) != 0)
		return 1;
	if (r->columns[col].type == RAT_TYPE_NULL)
		return 1;
	validity = duckdb_vector_get_validity(cell_vector(r, col));
	return validity && !duckdb_validity_row_is_valid(validity, r->row);
}

static int type_error(const rat_result *r, size_t col, const char *wanted)
{
	if (rat_result_is_null(r, col))
		return rat_error__set(RAT_ETYPE, RAT_ERRCLASS_ENGINE,
				      "column '%s' is NULL in row %" PRIu64 " (read as %s)",
				      r->columns[col].name, row_number(r, r->row), wanted);
	return rat_error__set(RAT_ETYPE, RAT_ERRCLASS_ENGINE, "column '%s' is %s, not %s",
			      r->columns[col].name, r->columns[col].type_name, wanted);
}

int rat_result_get_bool(const rat_result *r, size_t col, int *out)
{
	int error = check_cell(r, col);

	if (error)
		return error;
	if (r->columns[col].type != RAT_TYPE_BOOLEAN || rat_result_is_null(r, col))
		return type_error(r, col, "a boolean");
	*out = ((bool *)duckdb_vector_get_data(cell_vector(r, col)))[r->row] ? 1 : 0;
	return 0;
}

/* Value `row` of a vector of the column's type as int64 (rat_result_batch_int64): 0, 1 for a type that is not, or RAT_ETYPE. */
static int int64_at(const rat_result *r, size_t col, const void *data, idx_t row, int64_t *out)
{
	switch (duckdb_get_type_id(r->columns[col].logical)) {
	case DUCKDB_TYPE_BOOLEAN: *out = ((const bool *)data)[row]; return 0;
	case DUCKDB_TYPE_TINYINT: *out = ((const int8_t *)data)[row]; return 0;
	case DUCKDB_TYPE_SMALLINT: *out = ((const int16_t *)data)[row]; return 0;
	case DUCKDB_TYPE_INTEGER: *out = ((const int32_t *)data)[row]; return 0;
	case DUCKDB_TYPE_BIGINT: *out = ((const int64_t *)data)[row]; return 0;
	case DUCKDB_TYPE_UTINYINT: *out = ((const uint8_t *)data)[row]; return 0;
	case DUCKDB_TYPE_USMALLINT: *out = ((const uint16_t *)data)[row]; return 0;
	case DUCKDB_TYPE_UINTEGER: *out = ((const uint32_t *)data)[row]; return 0;
	case DUCKDB_TYPE_UBIGINT:
		if (((const uint64_t *)data)[row] > INT64_MAX)
			return rat_error__set(RAT_ETYPE, RAT_ERRCLASS_ENGINE,
					      "column '%s': %" PRIu64 " in row %" PRIu64
					      " does not fit in int64",
					      r->columns[col].name, ((const uint64_t *)data)[row],
					      row_number(r, row));
		*out = (int64_t)((const uint64_t *)data)[row];
		return 0;
	case DUCKDB_TYPE_DATE: *out = ((const duckdb_date *)data)[row].days; return 0;
	case DUCKDB_TYPE_TIME: *out = ((const duckdb_time *)data)[row].micros; return 0;
	case DUCKDB_TYPE_TIMESTAMP:
	case DUCKDB_TYPE_TIMESTAMP_TZ:
	case DUCKDB_TYPE_TIMESTAMP_S:
	case DUCKDB_TYPE_TIMESTAMP_MS:
	case DUCKDB_TYPE_TIMESTAMP_NS: *out = ((const int64_t *)data)[row]; return 0;
	default: return 1;
	}
}

int rat_result_get_int64(const rat_result *r, size_t col, int64_t *out)
{
	int error = check_cell(r, col);

	if (error)
		return error;
	if (rat_result_is_null(r, col))
		return type_error(r, col, "an integer");
	error = int64_at(r, col, duckdb_vector_get_data(cell_vector(r, col)), r->row, out);
	return error == 1 ? type_error(r, col, "an integer") : error;
}

int rat_result_get_double(const rat_result *r, size_t col, double *out)
{
	duckdb_logical_type type;
	void *data;
	int64_t i;
	int error = check_cell(r, col);

	if (error)
		return error;
	if (rat_result_is_null(r, col))
		return type_error(r, col, "a number");
	type = r->columns[col].logical;
	data = duckdb_vector_get_data(cell_vector(r, col));
	switch (duckdb_get_type_id(type)) {
	case DUCKDB_TYPE_FLOAT: *out = ((float *)data)[r->row]; return 0;
	case DUCKDB_TYPE_DOUBLE: *out = ((double *)data)[r->row]; return 0;
	case DUCKDB_TYPE_HUGEINT: *out = duckdb_hugeint_to_double(((duckdb_hugeint *)data)[r->row]); return 0;
	case DUCKDB_TYPE_DECIMAL: {
		const char *text;
		/* through the exact text: the decimal's internal width varies */
		if ((error = rat_result_get_text((rat_result *)r, col, &text, NULL)) != 0)
			return error;
		*out = strtod(text, NULL);
		return 0;
	}
	default:
		if (r->columns[col].type == RAT_TYPE_INTEGER &&
		    duckdb_get_type_id(type) != DUCKDB_TYPE_UBIGINT &&
		    rat_result_get_int64(r, col, &i) == 0) {
			*out = (double)i;
			return 0;
		}
		if (duckdb_get_type_id(type) == DUCKDB_TYPE_UBIGINT) {
			*out = (double)((uint64_t *)data)[r->row];
			return 0;
		}
		return type_error(r, col, "a number");
	}
}

static int get_formatted(rat_result *r, size_t col, rat_format_mode mode, const char **out,
			 size_t *len)
{
	rat_result_column *c;
	int error = check_cell(r, col);

	if (error)
		return error;
	c = &r->columns[col];
	if (c->text_mode != (int)mode) {
		rat_buf_clear(&c->text);
		if (rat_result_is_null(r, col))
			error = mode == RAT_FORMAT_JSON ? rat_buf_puts(&c->text, "null") : 0;
		else
			error = rat_engine__format(&c->text, cell_vector(r, col), c->logical, r->row, mode);
		if (!error && r->engine->staged) /* a landing file's name as the user named it */
			error = rat_engine__unstage_text(r->engine, &c->text);
		if (!error && !c->text.ptr)
			error = rat_buf_put(&c->text, "", 0);
		if (error)
			return error;
		c->text_mode = (int)mode;
	}
	*out = c->text.ptr;
	if (len)
		*len = c->text.len;
	return 0;
}

int rat_result_get_text(rat_result *r, size_t col, const char **out, size_t *len)
{
	int error;

	*out = NULL;
	if (len)
		*len = 0;
	if ((error = check_cell(r, col)) != 0 || rat_result_is_null(r, col))
		return error;
	return get_formatted(r, col, RAT_FORMAT_TEXT, out, len);
}

int rat_result_get_json(rat_result *r, size_t col, const char **out, size_t *len)
{
	*out = NULL;
	return get_formatted(r, col, RAT_FORMAT_JSON, out, len);
}

/* --- a batch at a time ------------------------------------------------------------------- */

/* The current batch's column col, checked: its vector, or NULL with the error in *error. */
static duckdb_vector batch_vector(const rat_result *r, size_t col, int *error)
{
	*error = 0;
	if (col >= r->column_count)
		*error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
					"column %zu out of range (the result has %zu)", col,
					r->column_count);
	else if (!r->positioned || !r->batched)
		*error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
					"no current batch: call rat_result_next_batch() first");
	return *error ? NULL : cell_vector(r, col);
}

/* DuckDB's validity mask: bit i of 64-bit words (duckdb_validity_row_is_valid, inlined). */
static bool is_valid(const uint64_t *mask, idx_t i)
{
	return !mask || (mask[i >> 6] >> (i & 63)) & 1;
}

/* valid[i] for each row of the batch (valid NULL: not wanted); none for a NULL-typed column. */
static void batch_validity(const rat_result *r, size_t col, duckdb_vector v, uint8_t *valid)
{
	uint64_t *mask = duckdb_vector_get_validity(v);
	idx_t i;

	if (!valid)
		return;
	if (r->columns[col].type == RAT_TYPE_NULL)
		memset(valid, 0, r->chunk_rows);
	else if (!mask)
		memset(valid, 1, r->chunk_rows);
	else
		for (i = 0; i < r->chunk_rows; i++)
			valid[i] = is_valid(mask, i);
}

static int batch_type_error(const rat_result *r, size_t col, const char *wanted)
{
	return rat_error__set(RAT_ETYPE, RAT_ERRCLASS_ENGINE, "column '%s' is %s, not %s",
			      r->columns[col].name, r->columns[col].type_name, wanted);
}

int rat_result_batch_bool(const rat_result *r, size_t col, uint8_t *out, uint8_t *valid)
{
	int error;
	duckdb_vector v = batch_vector(r, col, &error);
	const bool *data;
	uint64_t *mask;
	idx_t i;

	if (!v)
		return error;
	if (r->columns[col].type != RAT_TYPE_BOOLEAN)
		return batch_type_error(r, col, "a boolean");
	data = duckdb_vector_get_data(v);
	mask = duckdb_vector_get_validity(v);
	for (i = 0; i < r->chunk_rows; i++)
		out[i] = is_valid(mask, i) && data[i] ? 1 : 0;
	batch_validity(r, col, v, valid);
	return 0;
}

/* Copy n values of type T widened to int64 (NULLs as 0). */
#define WIDEN(T)                                                                   \
	for (i = 0; i < n; i++)                                                    \
		out[i] = is_valid(mask, i) ? (int64_t)((const T *)data)[i] : 0;    \
	return 0

/* Each value of a vector of the column's type as int64: 0, 1 for a type that is not one, or RAT_ETYPE. */
static int int64_all(const rat_result *r, size_t col, const void *data, const uint64_t *mask,
		     idx_t n, int64_t *out)
{
	idx_t i;

	switch (duckdb_get_type_id(r->columns[col].logical)) {
	case DUCKDB_TYPE_BOOLEAN: WIDEN(bool);
	case DUCKDB_TYPE_TINYINT: WIDEN(int8_t);
	case DUCKDB_TYPE_SMALLINT: WIDEN(int16_t);
	case DUCKDB_TYPE_INTEGER: case DUCKDB_TYPE_DATE: WIDEN(int32_t);
	case DUCKDB_TYPE_UTINYINT: WIDEN(uint8_t);
	case DUCKDB_TYPE_USMALLINT: WIDEN(uint16_t);
	case DUCKDB_TYPE_UINTEGER: WIDEN(uint32_t);
	case DUCKDB_TYPE_BIGINT: case DUCKDB_TYPE_TIME: case DUCKDB_TYPE_TIMESTAMP:
	case DUCKDB_TYPE_TIMESTAMP_TZ: case DUCKDB_TYPE_TIMESTAMP_S: case DUCKDB_TYPE_TIMESTAMP_MS:
	case DUCKDB_TYPE_TIMESTAMP_NS: WIDEN(int64_t);
	default: /* UBIGINT, checked value by value; other types refused */
		for (i = 0; i < n; i++) {
			int error;
			out[i] = 0;
			if (is_valid(mask, i) && (error = int64_at(r, col, data, i, &out[i])) != 0)
				return error;
		}
		return 0;
	}
}
#undef WIDEN

int rat_result_batch_int64(const rat_result *r, size_t col, int64_t *out, uint8_t *valid)
{
	int error;
	duckdb_vector v = batch_vector(r, col, &error);

	if (!v)
		return error;
	if (r->columns[col].type == RAT_TYPE_NULL) {
		memset(out, 0, r->chunk_rows * sizeof(*out));
	} else if ((error = int64_all(r, col, duckdb_vector_get_data(v), duckdb_vector_get_validity(v),
				      r->chunk_rows, out)) != 0) {
		return error == 1 ? batch_type_error(r, col, "an integer") : error;
	}
	batch_validity(r, col, v, valid);
	return 0;
}

/* A DECIMAL vector's value i, unscaled, when it fits in int64: 0, else 1. */
static int decimal_at(duckdb_logical_type type, const void *data, idx_t i, int64_t *out)
{
	switch (duckdb_decimal_internal_type(type)) {
	case DUCKDB_TYPE_SMALLINT: *out = ((const int16_t *)data)[i]; return 0;
	case DUCKDB_TYPE_INTEGER: *out = ((const int32_t *)data)[i]; return 0;
	case DUCKDB_TYPE_BIGINT: *out = ((const int64_t *)data)[i]; return 0;
	default: return 1;
	}
}

static const double powers_of_ten[] = { 1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
					1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
					1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };

/*
 * A DECIMAL as the double nearest it, as rat_result_get_double() reads it
 * (through its text): dividing exact integers is rounded once, the same.
 */
static int decimal_double_at(const rat_result *r, size_t col, duckdb_vector v, idx_t i, double *out)
{
	duckdb_logical_type type = r->columns[col].logical;
	unsigned scale = duckdb_decimal_scale(type);
	int64_t unscaled;
	rat_buf text = RAT_BUF_INIT;
	int error;

	if (decimal_at(type, duckdb_vector_get_data(v), i, &unscaled) == 0 && scale <= 22 &&
	    unscaled <= (INT64_C(1) << 53) && unscaled >= -(INT64_C(1) << 53)) {
		*out = (double)unscaled / powers_of_ten[scale];
		return 0;
	}
	if ((error = rat_engine__format(&text, v, type, i, RAT_FORMAT_TEXT)) == 0)
		*out = strtod(rat_buf_cstr(&text), NULL);
	rat_buf_free(&text);
	return error;
}

int rat_result_batch_double(const rat_result *r, size_t col, double *out, uint8_t *valid)
{
	int error;
	duckdb_vector v = batch_vector(r, col, &error);
	duckdb_type id;
	const void *data;
	uint64_t *mask;
	idx_t i;
	int64_t n;

	if (!v)
		return error;
	id = duckdb_get_type_id(r->columns[col].logical);
	data = duckdb_vector_get_data(v);
	mask = duckdb_vector_get_validity(v);
	if (id == DUCKDB_TYPE_DOUBLE || id == DUCKDB_TYPE_FLOAT) { /* the common case, in one loop */
		for (i = 0; i < r->chunk_rows; i++)
			out[i] = !is_valid(mask, i) ? 0
				 : id == DUCKDB_TYPE_DOUBLE ? ((const double *)data)[i]
							    : ((const float *)data)[i];
		batch_validity(r, col, v, valid);
		return 0;
	}
	for (i = 0; i < r->chunk_rows; i++) {
		if (!is_valid(mask, i) || r->columns[col].type == RAT_TYPE_NULL) {
			out[i] = 0;
			continue;
		}
		switch (id) { /* FLOAT and DOUBLE: above */
		case DUCKDB_TYPE_HUGEINT: out[i] = duckdb_hugeint_to_double(((duckdb_hugeint *)data)[i]); break;
		case DUCKDB_TYPE_UBIGINT: out[i] = (double)((const uint64_t *)data)[i]; break;
		case DUCKDB_TYPE_DECIMAL:
			if ((error = decimal_double_at(r, col, v, i, &out[i])) != 0)
				return error;
			break;
		default:
			if (r->columns[col].type != RAT_TYPE_INTEGER || int64_at(r, col, data, i, &n) != 0)
				return batch_type_error(r, col, "a number");
			out[i] = (double)n;
		}
	}
	batch_validity(r, col, v, valid);
	return 0;
}

int rat_result_batch_decimal(const rat_result *r, size_t col, int64_t *out, uint8_t *valid,
			     int *scale)
{
	int error;
	duckdb_vector v = batch_vector(r, col, &error);
	duckdb_logical_type type;
	const void *data;
	uint64_t *mask;
	idx_t i;

	if (!v)
		return error;
	type = r->columns[col].logical;
	if (duckdb_get_type_id(type) != DUCKDB_TYPE_DECIMAL || duckdb_decimal_width(type) > 18)
		return batch_type_error(r, col, "a DECIMAL of at most 18 digits");
	*scale = (int)duckdb_decimal_scale(type);
	data = duckdb_vector_get_data(v);
	mask = duckdb_vector_get_validity(v);
	for (i = 0; i < r->chunk_rows; i++)
		if (!is_valid(mask, i) || decimal_at(type, data, i, &out[i]) != 0)
			out[i] = 0;
	batch_validity(r, col, v, valid);
	return 0;
}

/* Each value of a string vector copied into c->batch_text with the user's folders back (stage.c). */
static int unstaged_strings(rat_result *r, rat_result_column *c, duckdb_string_t *data,
			    uint64_t *mask, const char **out, size_t *len)
{
	rat_buf one = RAT_BUF_INIT;
	idx_t i;
	int error = 0;

	rat_buf_clear(&c->batch_text);
	for (i = 0; !error && i < r->chunk_rows; i++) {
		if (!is_valid(mask, i))
			continue;
		rat_buf_clear(&one);
		if ((error = rat_buf_put(&one, duckdb_string_t_data(&data[i]),
					 duckdb_string_t_length(data[i]))) == 0 &&
		    (error = rat_engine__unstage_text(r->engine, &one)) == 0) {
			len[i] = one.len;
			out[i] = (const char *)(uintptr_t)c->batch_text.len; /* an offset until the end */
			error = rat_buf_put(&c->batch_text, one.ptr ? one.ptr : "", one.len);
		}
	}
	rat_buf_free(&one);
	if (!error && !c->batch_text.ptr) /* every value empty: still pointers, not NULLs */
		error = rat_buf_put(&c->batch_text, "", 0);
	for (i = 0; !error && i < r->chunk_rows; i++)
		if (is_valid(mask, i))
			out[i] = c->batch_text.ptr + (uintptr_t)out[i];
	return error;
}

int rat_result_batch_strings(rat_result *r, size_t col, const char **out, size_t *len)
{
	int error;
	duckdb_vector v = batch_vector(r, col, &error);
	duckdb_string_t *data;
	uint64_t *mask;
	idx_t i;

	if (!v)
		return error;
	if (r->columns[col].type != RAT_TYPE_VARCHAR && r->columns[col].type != RAT_TYPE_BLOB)
		return batch_type_error(r, col, "VARCHAR or BLOB");
	data = duckdb_vector_get_data(v);
	mask = duckdb_vector_get_validity(v);
	for (i = 0; i < r->chunk_rows; i++) {
		out[i] = NULL;
		len[i] = 0;
	}
	if (r->engine->staged && r->columns[col].type == RAT_TYPE_VARCHAR)
		return unstaged_strings(r, &r->columns[col], data, mask, out, len);
	for (i = 0; i < r->chunk_rows; i++)
		if (is_valid(mask, i)) {
			out[i] = duckdb_string_t_data(&data[i]);
			len[i] = duckdb_string_t_length(data[i]);
		}
	return 0;
}

void rat_result_free(rat_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->column_count; i++) {
		free(r->columns[i].name);
		free(r->columns[i].type_name);
		rat_buf_free(&r->columns[i].text);
		rat_buf_free(&r->columns[i].batch_text);
		if (r->columns[i].logical)
			duckdb_destroy_logical_type(&r->columns[i].logical);
	}
	free(r->columns);
	if (r->chunk)
		duckdb_destroy_data_chunk(&r->chunk);
	if (r->has_result)
		duckdb_destroy_result(&r->result);
	free(r);
}
