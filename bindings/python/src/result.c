/*
 * bindings/python/src/result.c - a query's result read into columns a
 * pandas DataFrame is made of (ratatouille/engine.py), a batch at a time
 * (rat_result_next_batch), with DuckDB working while the GIL is released.
 *
 * Each column becomes (name, kind, dtype, values, mask, its SQL type), kind one of:
 *   ("bool", values, mask)    BOOLEAN: bytes 0/1 and a NULL mask (BooleanArray)
 *   ("int", values, mask)     integers of up to 32 bits and BIGINT, at their width (IntegerArray)
 *   ("float", values, None)   FLOAT and DOUBLE, NULL as NaN
 *   ("timestamp", values, None), ("timestamptz", ...)  int64 nanoseconds, NULL as NaT
 *   ("object", array, None)   everything else, a NumPy array of one Python object per value:
 *       Decimal, datetime.date, datetime.time, str, bytes, int (HUGEINT,
 *       UBIGINT), uuid.UUID, lists/dicts (LIST, STRUCT, MAP, through their
 *       JSON), and str for what has no Python type (INTERVAL, ENUM...).
 * Numbers are copied from DuckDB's vectors without a Python object per
 * value. Decimals, dates and short ASCII strings repeat: one object per
 * distinct value is kept in a cache (they are immutable) and shared, as
 * Arrow's to_pandas(deduplicate_objects=True) does. A timestamp column whose values do
 * not fit in nanoseconds (before 1677 or after 2262) becomes datetime objects.
 */
#include "rat_py.h"
#include "values.h"

#define NPY_NO_DEPRECATED_API NPY_1_7_API_VERSION
#include <numpy/arrayobject.h>

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static PyObject *json_loads, *uuid_type;

int rat_py_result_init(void)
{
	PyObject *m;

	if (rat_py_values_init() < 0 || !(m = PyImport_ImportModule("json")))
		return -1;
	json_loads = PyObject_GetAttrString(m, "loads");
	Py_DECREF(m);
	if (!json_loads || !(m = PyImport_ImportModule("uuid")))
		return -1;
	uuid_type = PyObject_GetAttrString(m, "UUID");
	Py_DECREF(m);
	return uuid_type ? 0 : -1;
}

typedef enum column_kind {
	K_BOOL, K_INT, K_FLOAT, K_TIMESTAMP, K_DECIMAL, K_DATE, K_TIME, K_STRING, K_BYTES,
	K_JSON, K_BIGINT, K_UUID, K_TEXT, K_NONE
} column_kind;

typedef struct reader {
	column_kind kind;
	int width;            /* K_INT, K_FLOAT: bytes per value */
	int64_t ns_per_unit;  /* K_TIMESTAMP: nanoseconds in one of its units */
	bool tz;
	rat_py_buffer *values, *mask;
	rat_py_buffer *objects; /* object columns: a new reference per value, then a NumPy array */
	rat_py_cache cache;   /* K_DECIMAL, K_DATE, K_STRING: equal values shared (values.h) */
} reader;

/* Scratch for one batch. */
typedef struct batch {
	size_t cap;
	int64_t *i64;
	double *f64;
	uint8_t *u8, *valid;
	const char **strs;
	size_t *lens;
} batch;

static column_kind kind_of(rat_result *r, size_t col, reader *c)
{
	const char *name = rat_result_column_type_name(r, col);
	static const struct { const char *name; int width; } ints[] = {
		{ "TINYINT", 1 }, { "SMALLINT", 2 }, { "INTEGER", 4 }, { "BIGINT", 8 },
		{ "UTINYINT", -1 }, { "USMALLINT", -2 }, { "UINTEGER", -4 },
	};
	size_t i;

	c->ns_per_unit = 1000;
	switch (rat_result_column_type(r, col)) {
	case RAT_TYPE_BOOLEAN: return K_BOOL;
	case RAT_TYPE_INTEGER:
		for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
			if (strcmp(name, ints[i].name) == 0) {
				c->width = ints[i].width;
				return K_INT;
			}
		return K_BIGINT; /* UBIGINT: past int64 */
	case RAT_TYPE_HUGEINT: return K_BIGINT;
	case RAT_TYPE_FLOAT: c->width = strcmp(name, "FLOAT") == 0 ? 4 : 8; return K_FLOAT;
	case RAT_TYPE_DECIMAL: return K_DECIMAL;
	case RAT_TYPE_VARCHAR: return K_STRING;
	case RAT_TYPE_BLOB: return K_BYTES;
	case RAT_TYPE_DATE: return K_DATE;
	case RAT_TYPE_TIME: return K_TIME;
	case RAT_TYPE_TIMESTAMP_TZ: c->tz = true; return K_TIMESTAMP;
	case RAT_TYPE_TIMESTAMP:
		c->ns_per_unit = strcmp(name, "TIMESTAMP_NS") == 0   ? 1
				 : strcmp(name, "TIMESTAMP_MS") == 0 ? 1000000
				 : strcmp(name, "TIMESTAMP_S") == 0  ? 1000000000
								     : 1000;
		return K_TIMESTAMP;
	case RAT_TYPE_UUID: return K_UUID;
	case RAT_TYPE_LIST: case RAT_TYPE_STRUCT: case RAT_TYPE_MAP: return K_JSON;
	case RAT_TYPE_NULL: return K_NONE;
	default: return K_TEXT;
	}
}

static int reader_init(reader *c, rat_result *r, size_t col)
{
	memset(c, 0, sizeof(*c));
	c->kind = kind_of(r, col, c);
	switch (c->kind) {
	case K_BOOL: case K_INT:
		if (!(c->mask = rat_py_buffer_new()))
			return -1;
		/* fall through */
	case K_FLOAT: case K_TIMESTAMP:
		if (!(c->values = rat_py_buffer_new()))
			return -1;
		if (c->kind == K_TIMESTAMP && !(c->mask = rat_py_buffer_new()))
			return -1;
		return 0;
	case K_DECIMAL: case K_DATE: case K_STRING:
		if (rat_py_cache_init(&c->cache) < 0)
			return -1;
		/* fall through */
	default:
		return (c->objects = rat_py_buffer_new()) ? 0 : -1;
	}
}

/* Drop the references an object column holds (none once they went to its array). */
static void objects_free(reader *c)
{
	size_t i;

	if (!c->objects)
		return;
	for (i = 0; i < c->objects->len / sizeof(PyObject *); i++)
		Py_DECREF(((PyObject **)c->objects->data)[i]);
	c->objects->len = 0;
	Py_CLEAR(c->objects);
}

static void reader_free(reader *c)
{
	Py_XDECREF(c->values);
	Py_XDECREF(c->mask);
	objects_free(c);
	rat_py_cache_free(&c->cache);
}

static void batch_free(batch *b)
{
	PyMem_Free(b->i64);
	PyMem_Free(b->f64);
	PyMem_Free(b->u8);
	PyMem_Free(b->valid);
	PyMem_Free(b->strs);
	PyMem_Free(b->lens);
	memset(b, 0, sizeof(*b));
}

static int batch_reserve(batch *b, size_t n)
{
	if (n <= b->cap)
		return 0;
	batch_free(b);
	b->i64 = PyMem_Malloc(n * sizeof(int64_t));
	b->f64 = PyMem_Malloc(n * sizeof(double));
	b->u8 = PyMem_Malloc(n);
	b->valid = PyMem_Malloc(n);
	b->strs = PyMem_Malloc(n * sizeof(char *));
	b->lens = PyMem_Malloc(n * sizeof(size_t));
	b->cap = n;
	if (!b->i64 || !b->f64 || !b->u8 || !b->valid || !b->strs || !b->lens) {
		b->cap = 0;
		PyErr_NoMemory();
		return -1;
	}
	return 0;
}

/* n mask bytes (1: NULL) from b->valid. */
static int put_mask(reader *c, const batch *b, size_t n)
{
	char *m = rat_py_buffer_reserve(c->mask, n);
	size_t i;

	if (!m)
		return -1;
	for (i = 0; i < n; i++)
		m[i] = !b->valid[i];
	c->mask->len += n;
	return 0;
}

/* n integers of b->i64 at the column's width. Long: one loop per width, each two lines. */
static int put_ints(reader *c, const batch *b, size_t n)
{
	size_t i, w = (size_t)(c->width < 0 ? -c->width : c->width);
	char *p = rat_py_buffer_reserve(c->values, n * w);

	if (!p)
		return -1;
	switch (c->width) {
	case 1: for (i = 0; i < n; i++) ((int8_t *)p)[i] = (int8_t)b->i64[i]; break;
	case 2: for (i = 0; i < n; i++) ((int16_t *)p)[i] = (int16_t)b->i64[i]; break;
	case 4: for (i = 0; i < n; i++) ((int32_t *)p)[i] = (int32_t)b->i64[i]; break;
	case -1: for (i = 0; i < n; i++) ((uint8_t *)p)[i] = (uint8_t)b->i64[i]; break;
	case -2: for (i = 0; i < n; i++) ((uint16_t *)p)[i] = (uint16_t)b->i64[i]; break;
	case -4: for (i = 0; i < n; i++) ((uint32_t *)p)[i] = (uint32_t)b->i64[i]; break;
	default: memcpy(p, b->i64, n * sizeof(int64_t));
	}
	c->values->len += n * w;
	return put_mask(c, b, n);
}

static int put_floats(reader *c, const batch *b, size_t n)
{
	char *p = rat_py_buffer_reserve(c->values, n * (size_t)c->width);
	size_t i;

	if (!p)
		return -1;
	for (i = 0; i < n; i++) {
		double v = b->valid[i] ? b->f64[i] : NAN;
		if (c->width == 4)
			((float *)p)[i] = (float)v;
		else
			((double *)p)[i] = v;
	}
	c->values->len += n * (size_t)c->width;
	return 0;
}

static int put_raw(reader *c, const batch *b, size_t n)
{
	char *p = rat_py_buffer_reserve(c->values, n * sizeof(int64_t));

	if (!p)
		return -1;
	memcpy(p, b->i64, n * sizeof(int64_t));
	c->values->len += n * sizeof(int64_t);
	return put_mask(c, b, n);
}

static PyObject *none(void)
{
	Py_RETURN_NONE;
}

/* librat's error raised: -1. */
static int fail(int error)
{
	rat_py_raise(error);
	return -1;
}

/* Take v (a new reference; NULL: the error raised) as the column's next value. */
static int append(reader *c, PyObject *v)
{
	PyObject **slot;

	if (!v)
		return -1;
	if (!(slot = (PyObject **)rat_py_buffer_reserve(c->objects, sizeof(v)))) {
		Py_DECREF(v);
		return -1;
	}
	*slot = v;
	c->objects->len += sizeof(v);
	return 0;
}

static int append_none(reader *c)
{
	return append(c, none());
}

/* The value's text as a str (a type Python has nothing for, or out of its range). */
static PyObject *as_text(rat_result *r, size_t col, size_t row)
{
	const char *text;
	size_t len;
	int error;

	if ((error = rat_result_batch_row(r, row)) != 0 ||
	    (error = rat_result_get_text(r, col, &text, &len)) != 0)
		return rat_py_raise(error);
	return PyUnicode_DecodeUTF8(text, (Py_ssize_t)len, "surrogateescape");
}

/* A date, or its text past datetime.date's range (the engine's is wider, and has infinity). */
static PyObject *date_value(rat_result *r, size_t col, size_t row, int64_t days)
{
	PyObject *v = rat_py_date(days);

	return v || PyErr_Occurred() ? v : as_text(r, col, row);
}

/* A time, or its text for 24:00:00. */
static PyObject *time_value(rat_result *r, size_t col, size_t row, int64_t us)
{
	PyObject *v = rat_py_time(us);

	return v || PyErr_Occurred() ? v : as_text(r, col, row);
}

/* One value of an object column by its text or JSON: a Python value of the column's kind. */
static PyObject *text_value(reader *c, rat_result *r, size_t col, size_t row)
{
	const char *text;
	size_t len;
	PyObject *s, *v;
	int error;

	if ((error = rat_result_batch_row(r, row)) != 0 ||
	    (error = c->kind == K_JSON ? rat_result_get_json(r, col, &text, &len)
				       : rat_result_get_text(r, col, &text, &len)) != 0)
		return rat_py_raise(error);
	if (c->kind == K_BIGINT)
		return PyLong_FromString(text, NULL, 10);
	if (!(s = PyUnicode_DecodeUTF8(text, (Py_ssize_t)len, "surrogateescape")))
		return NULL;
	if (c->kind == K_TEXT)
		return s;
	v = c->kind == K_DECIMAL ? rat_py_decimal_text(s)
				 : PyObject_CallOneArg(c->kind == K_JSON ? json_loads : uuid_type, s);
	Py_DECREF(s);
	return v;
}

/* The batch's decimals: from their unscaled values when they fit in int64, else from their text. */
static int put_decimals(reader *c, rat_result *r, size_t col, batch *b, size_t n)
{
	size_t i, slot;
	int scale, error = rat_result_batch_decimal(r, col, b->i64, b->valid, &scale);

	if (error == RAT_ETYPE) { /* wider than 18 digits */
		rat_error_clear();
		for (i = 0; i < n; i++)
			if (append(c, b->valid[i] ? text_value(c, r, col, i) : none()) < 0)
				return -1;
		return 0;
	}
	if (error)
		return fail(error);
	for (i = 0; i < n; i++) {
		PyObject *v;
		rat_py_cache_prefetch(&c->cache, b->i64, i, n);
		if (!b->valid[i]) {
			if (append_none(c) < 0)
				return -1;
			continue;
		}
		if (!(v = rat_py_cache_get(&c->cache, b->i64[i], &slot)))
			v = rat_py_cache_put(&c->cache, slot, b->i64[i], rat_py_decimal(b->i64[i], scale));
		if (append(c, v) < 0)
			return -1;
	}
	return rat_py_cache_tune(&c->cache, n);
}

/* The batch's dates or times, from their days or microseconds. */
static int put_temporals(reader *c, rat_result *r, size_t col, batch *b, size_t n)
{
	size_t i, slot;
	int error = rat_result_batch_int64(r, col, b->i64, b->valid);

	if (error)
		return fail(error);
	for (i = 0; i < n; i++) {
		PyObject *v;
		if (c->kind == K_DATE)
			rat_py_cache_prefetch(&c->cache, b->i64, i, n);
		if (!b->valid[i]) {
			v = none();
		} else if (c->kind == K_TIME) {
			v = time_value(r, col, i, b->i64[i]);
		} else if (!(v = rat_py_cache_get(&c->cache, b->i64[i], &slot))) {
			v = rat_py_cache_put(&c->cache, slot, b->i64[i], date_value(r, col, i, b->i64[i]));
		}
		if (append(c, v) < 0)
			return -1;
	}
	return c->kind == K_DATE ? rat_py_cache_tune(&c->cache, n) : 0;
}

static int put_strings(reader *c, rat_result *r, size_t col, batch *b, size_t n)
{
	size_t i;
	int error = rat_result_batch_strings(r, col, b->strs, b->lens);

	if (error)
		return fail(error);
	if (c->kind == K_STRING) /* the keys first, to look ahead */
		for (i = 0; i < n; i++)
			b->i64[i] = b->strs[i] && b->lens[i] <= 64 ? (int64_t)rat_py_string_hash(b->strs[i], b->lens[i]) : 0;
	for (i = 0; i < n; i++) {
		PyObject *v;
		if (!b->strs[i]) {
			v = none();
		} else if (c->kind == K_BYTES) {
			v = PyBytes_FromStringAndSize(b->strs[i], (Py_ssize_t)b->lens[i]);
		} else {
			rat_py_cache_prefetch(&c->cache, b->i64, i, n);
			v = rat_py_string(&c->cache, b->strs[i], b->lens[i], b->i64[i]);
		}
		if (append(c, v) < 0)
			return -1;
	}
	return c->kind == K_STRING ? rat_py_cache_tune(&c->cache, n) : 0;
}

/* Every other object column: a value from each row's text or JSON. */
static int put_texts(reader *c, rat_result *r, size_t col, size_t n)
{
	size_t i;
	int error;

	for (i = 0; i < n; i++) {
		PyObject *v;
		if (c->kind == K_NONE) {
			v = none();
		} else if ((error = rat_result_batch_row(r, i)) != 0) {
			return fail(error);
		} else {
			v = rat_result_is_null(r, col) ? none() : text_value(c, r, col, i);
		}
		if (append(c, v) < 0)
			return -1;
	}
	return 0;
}

/* Column col of the current batch (n rows) into its reader. Long: the dispatch on kinds. */
static int read_batch(reader *c, rat_result *r, size_t col, batch *b, size_t n)
{
	int error = 0;

	switch (c->kind) {
	case K_BOOL:
		if ((error = rat_result_batch_bool(r, col, b->u8, b->valid)) != 0)
			break;
		{
			char *p = rat_py_buffer_reserve(c->values, n);
			if (!p)
				return -1;
			memcpy(p, b->u8, n);
			c->values->len += n;
		}
		return put_mask(c, b, n);
	case K_INT:
		if ((error = rat_result_batch_int64(r, col, b->i64, b->valid)) != 0)
			break;
		return put_ints(c, b, n);
	case K_FLOAT:
		if ((error = rat_result_batch_double(r, col, b->f64, b->valid)) != 0)
			break;
		return put_floats(c, b, n);
	case K_TIMESTAMP:
		if ((error = rat_result_batch_int64(r, col, b->i64, b->valid)) != 0)
			break;
		return put_raw(c, b, n);
	case K_DECIMAL: return put_decimals(c, r, col, b, n);
	case K_DATE: case K_TIME: return put_temporals(c, r, col, b, n);
	case K_STRING: case K_BYTES: return put_strings(c, r, col, b, n);
	default: return put_texts(c, r, col, n);
	}
	return fail(error);
}

/*
 * A timestamp column read whole: in place to nanoseconds with NaT for NULLs
 * when every value fits ("timestamp"), else a list of datetimes ("object").
 */
static int finish_timestamps(reader *c)
{
	int64_t *v = (int64_t *)c->values->data, k = c->ns_per_unit;
	const char *nulls = c->mask->data;
	size_t i, n = c->values->len / sizeof(int64_t);
	bool fits = true;

	for (i = 0; fits && i < n; i++)
		fits = nulls[i] || (v[i] > INT64_MIN / k + 1 && v[i] < INT64_MAX / k);
	if (fits) {
		for (i = 0; i < n; i++)
			v[i] = nulls[i] ? INT64_MIN : v[i] * k;
		return 0;
	}
	if (!(c->objects = rat_py_buffer_new()))
		return -1;
	for (i = 0; i < n; i++) {
		int64_t us = k == 1 ? v[i] / 1000 : v[i] * (k / 1000);
		if (append(c, nulls[i] ? none() : rat_py_datetime(us, c->tz)) < 0)
			return -1;
	}
	return 0;
}

/* NumPy's name for integers of width bytes (negative: unsigned). */
static const char *int_dtype(int width)
{
	switch (width) {
	case 1: return "int8";
	case 2: return "int16";
	case 4: return "int32";
	case -1: return "uint8";
	case -2: return "uint16";
	case -4: return "uint32";
	default: return "int64";
	}
}

/*
 * An object column's values as a NumPy array of objects over the buffer
 * that holds them (its base: the references go with it), no copy.
 */
static PyObject *object_array(reader *c)
{
	npy_intp n = (npy_intp)(c->objects->len / sizeof(PyObject *));
	PyObject *array;
	static char empty[sizeof(PyObject *)];

	if (!PyArray_API && _import_array() < 0)
		return NULL;
	array = PyArray_New(&PyArray_Type, 1, &n, NPY_OBJECT, NULL,
			    c->objects->data ? c->objects->data : empty, 0,
			    NPY_ARRAY_CARRAY, NULL);
	if (!array)
		return NULL;
	c->objects->objects = 1;
	if (PyArray_SetBaseObject((PyArrayObject *)array, (PyObject *)c->objects) < 0) {
		c->objects = NULL; /* stolen, even on failure */
		Py_DECREF(array);
		return NULL;
	}
	c->objects = NULL; /* the array's base now */
	return array;
}

/* The column as its tuple: (name, kind, dtype, values, mask, sql_type). */
static PyObject *column_tuple(reader *c, rat_result *r, size_t col)
{
	const char *name = rat_result_column_name(r, col), *kind = "object", *dtype = "object";
	PyObject *values = NULL, *mask = Py_None, *out;

	if (c->kind == K_TIMESTAMP && finish_timestamps(c) < 0)
		return NULL;
	if (c->kind == K_BOOL) {
		kind = "bool", dtype = "bool", mask = (PyObject *)c->mask;
	} else if (c->kind == K_INT) {
		kind = "int", dtype = int_dtype(c->width), mask = (PyObject *)c->mask;
	} else if (c->kind == K_FLOAT) {
		kind = "float", dtype = c->width == 4 ? "float32" : "float64";
	} else if (c->kind == K_TIMESTAMP && !c->objects) {
		kind = c->tz ? "timestamptz" : "timestamp", dtype = "datetime64[ns]";
	} else if (!(values = object_array(c))) {
		return NULL;
	}
	out = Py_BuildValue("(sssOOs)", name, kind, dtype, values ? values : (PyObject *)c->values,
			    mask, rat_result_column_type_name(r, col));
	Py_XDECREF(values);
	return out;
}

static int read_all(reader *cols, size_t ncols, rat_result *r, batch *b, Py_ssize_t *rows)
{
	size_t col;
	int n;

	for (;;) {
		Py_BEGIN_ALLOW_THREADS
		n = rat_result_next_batch(r);
		Py_END_ALLOW_THREADS
		if (n < 0)
			return fail(n);
		if (n == 0)
			return 0;
		if (batch_reserve(b, (size_t)n) < 0)
			return -1;
		for (col = 0; col < ncols; col++)
			if (read_batch(&cols[col], r, col, b, (size_t)n) < 0)
				return -1;
		*rows += n;
		if (PyErr_CheckSignals() < 0) /* Ctrl-C between two batches */
			return -1;
	}
}

/*
 * The whole result as (rows, [(name, kind, dtype, values, mask, sql_type), ...]); see
 * the top of this file for the kinds. NULL with an exception on failure.
 */
PyObject *rat_py_read_result(rat_result *r)
{
	size_t ncols = rat_result_column_count(r), col;
	reader *cols = PyMem_Calloc(ncols ? ncols : 1, sizeof(*cols));
	batch b = { 0, NULL, NULL, NULL, NULL, NULL, NULL };
	Py_ssize_t rows = 0;
	PyObject *list = NULL, *out = NULL;
	int n;

	if (!cols)
		return PyErr_NoMemory();
	for (col = 0; col < ncols; col++)
		if (reader_init(&cols[col], r, col) < 0)
			goto done;
	rat_py_arenas_begin();
	n = read_all(cols, ncols, r, &b, &rows);
	rat_py_arenas_end();
	if (n < 0 || !(list = PyList_New((Py_ssize_t)ncols)))
		goto done;
	for (col = 0; col < ncols; col++) {
		PyObject *t = column_tuple(&cols[col], r, col);
		if (!t)
			goto done;
		PyList_SET_ITEM(list, (Py_ssize_t)col, t);
	}
	out = Py_BuildValue("(nO)", rows, list);
done:
	Py_XDECREF(list);
	for (col = 0; col < ncols; col++)
		reader_free(&cols[col]);
	PyMem_Free(cols);
	batch_free(&b);
	return out;
}
