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

int rat_result_next(rat_result *r)
{
	size_t i;

	if (r->done)
		return 0;
	for (i = 0; i < r->column_count; i++)
		r->columns[i].text_mode = -1;
	if (r->positioned && r->row + 1 < r->chunk_rows) {
		r->row++;
		r->rows++;
		return 1;
	}
	r->positioned = false;
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
	r->rows++;
	return 1;
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
				      r->columns[col].name, r->rows, wanted);
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

int rat_result_get_int64(const rat_result *r, size_t col, int64_t *out)
{
	void *data;
	idx_t row = r->row;
	int error = check_cell(r, col);

	if (error)
		return error;
	if (rat_result_is_null(r, col))
		return type_error(r, col, "an integer");
	data = duckdb_vector_get_data(cell_vector(r, col));
	switch (duckdb_get_type_id(r->columns[col].logical)) {
	case DUCKDB_TYPE_BOOLEAN: *out = ((bool *)data)[row]; return 0;
	case DUCKDB_TYPE_TINYINT: *out = ((int8_t *)data)[row]; return 0;
	case DUCKDB_TYPE_SMALLINT: *out = ((int16_t *)data)[row]; return 0;
	case DUCKDB_TYPE_INTEGER: *out = ((int32_t *)data)[row]; return 0;
	case DUCKDB_TYPE_BIGINT: *out = ((int64_t *)data)[row]; return 0;
	case DUCKDB_TYPE_UTINYINT: *out = ((uint8_t *)data)[row]; return 0;
	case DUCKDB_TYPE_USMALLINT: *out = ((uint16_t *)data)[row]; return 0;
	case DUCKDB_TYPE_UINTEGER: *out = ((uint32_t *)data)[row]; return 0;
	case DUCKDB_TYPE_UBIGINT:
		if (((uint64_t *)data)[row] > INT64_MAX)
			return rat_error__set(RAT_ETYPE, RAT_ERRCLASS_ENGINE,
					      "column '%s': %" PRIu64 " does not fit in int64",
					      r->columns[col].name, ((uint64_t *)data)[row]);
		*out = (int64_t)((uint64_t *)data)[row];
		return 0;
	case DUCKDB_TYPE_DATE: *out = ((duckdb_date *)data)[row].days; return 0;
	case DUCKDB_TYPE_TIME: *out = ((duckdb_time *)data)[row].micros; return 0;
	case DUCKDB_TYPE_TIMESTAMP:
	case DUCKDB_TYPE_TIMESTAMP_TZ: *out = ((int64_t *)data)[row]; return 0;
	default: return type_error(r, col, "an integer");
	}
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

void rat_result_free(rat_result *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->column_count; i++) {
		free(r->columns[i].name);
		free(r->columns[i].type_name);
		rat_buf_free(&r->columns[i].text);
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
