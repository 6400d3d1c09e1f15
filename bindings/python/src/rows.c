/*
 * bindings/python/src/rows.c - columns from Python made a temporary table
 * of a session (rat_engine_register_rows), what Engine.write_parquet()
 * writes from, or a Parquet file (rat_rows_write_parquet), what a Python
 * pipeline's context.write() hands to `rat run`. ratatouille/engine.py turns a DataFrame's columns into
 *   (name, sql_type, kind, values, valid)
 * with kind "bool" (values: bytes-like of uint8), "int64" (int64), "double"
 * (float64), "text" or "json" (a sequence of str, bytes or None), and valid a
 * bytes-like of uint8 (1: a value) or None. Numbers are read in place
 * through the buffer protocol: nothing is copied before the engine's own
 * copy.
 */
#include "rat_py.h"

#include <string.h>

typedef struct column_in {
	rat_column c;
	Py_buffer values, valid;   /* held while the engine copies */
	PyObject *texts;           /* "text": a tuple of the values, held */
	const char **ptrs;
	size_t *lens;
	uint8_t *text_valid;
} column_in;

static void column_in_free(column_in *in)
{
	if (in->values.obj)
		PyBuffer_Release(&in->values);
	if (in->valid.obj)
		PyBuffer_Release(&in->valid);
	Py_XDECREF(in->texts);
	PyMem_Free(in->ptrs);
	PyMem_Free(in->lens);
	PyMem_Free(in->text_valid);
}

static int bad(const char *column, const char *what)
{
	PyErr_Format(PyExc_ValueError, "column '%s': %s", column, what);
	return -1;
}

/* A text column's values as pointers and lengths; None is NULL. */
static int texts_in(column_in *in, PyObject *values, Py_ssize_t rows)
{
	Py_ssize_t i, len;
	char *bytes;

	if (!(in->texts = PySequence_Tuple(values)))
		return -1;
	if (PyTuple_GET_SIZE(in->texts) != rows)
		return bad(in->c.name, "not one value per row");
	in->ptrs = PyMem_Calloc((size_t)(rows ? rows : 1), sizeof(*in->ptrs));
	in->lens = PyMem_Calloc((size_t)(rows ? rows : 1), sizeof(*in->lens));
	in->text_valid = PyMem_Calloc((size_t)(rows ? rows : 1), 1);
	if (!in->ptrs || !in->lens || !in->text_valid) {
		PyErr_NoMemory();
		return -1;
	}
	for (i = 0; i < rows; i++) {
		PyObject *v = PyTuple_GET_ITEM(in->texts, i);
		if (v == Py_None) {
			in->ptrs[i] = "";
			continue;
		}
		if (PyUnicode_Check(v)) {
			if (!(in->ptrs[i] = PyUnicode_AsUTF8AndSize(v, &len)))
				return -1;
		} else if (PyBytes_Check(v)) {
			if (PyBytes_AsStringAndSize(v, &bytes, &len) < 0)
				return -1;
			in->ptrs[i] = bytes;
		} else {
			PyErr_Format(PyExc_TypeError, "column '%s', row %zd: a %s is not text",
				     in->c.name, i + 1, Py_TYPE(v)->tp_name);
			return -1;
		}
		in->lens[i] = (size_t)len;
		in->text_valid[i] = 1;
	}
	in->c.values = in->ptrs;
	in->c.lengths = in->lens;
	in->c.valid = in->text_valid;
	return 0;
}

/* One (name, sql_type, kind, values, valid) into in. */
static int column_from(column_in *in, PyObject *spec, Py_ssize_t rows)
{
	static const struct { const char *name; int kind; Py_ssize_t size; } kinds[] = {
		{ "bool", RAT_COLUMN_BOOL, 1 }, { "int64", RAT_COLUMN_INT64, 8 },
		{ "double", RAT_COLUMN_DOUBLE, 8 }, { "text", RAT_COLUMN_TEXT, 0 },
		{ "json", RAT_COLUMN_JSON, 0 },
	};
	const char *kind;
	PyObject *values, *valid;
	size_t k;

	if (!PyArg_ParseTuple(spec, "sssOO:column", &in->c.name, &in->c.type, &kind, &values, &valid))
		return -1;
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]) && strcmp(kinds[k].name, kind) != 0; k++)
		;
	if (k == sizeof(kinds) / sizeof(kinds[0]))
		return bad(in->c.name, "kind is bool, int64, double, text or json");
	in->c.kind = kinds[k].kind;
	if (in->c.kind == RAT_COLUMN_TEXT || in->c.kind == RAT_COLUMN_JSON)
		return texts_in(in, values, rows);
	if (PyObject_GetBuffer(values, &in->values, PyBUF_C_CONTIGUOUS) < 0)
		return -1;
	if (in->values.len != rows * kinds[k].size)
		return bad(in->c.name, "its values are not one per row at their size");
	in->c.values = in->values.buf;
	if (valid != Py_None) {
		if (PyObject_GetBuffer(valid, &in->valid, PyBUF_C_CONTIGUOUS) < 0)
			return -1;
		if (in->valid.len != rows)
			return bad(in->c.name, "valid is not one byte per row");
		in->c.valid = in->valid.buf;
	}
	return 0;
}

/*
 * The rows of specs (a list of column tuples) handed to rat_engine_register_rows()
 * (engine not NULL: as the temporary table name) or rat_rows_write_parquet()
 * (engine NULL: into the file name).
 */
static PyObject *hand_rows(rat_engine *engine, const char *name, PyObject *specs, Py_ssize_t rows)
{
	PyObject *out = NULL;
	Py_ssize_t n, i;
	column_in *ins = NULL;
	rat_column *cols = NULL;
	int error;

	if (rows < 0)
		return PyErr_Format(PyExc_ValueError, "rows is %zd", rows);
	if ((n = PyList_GET_SIZE(specs)) == 0)
		return PyErr_Format(PyExc_ValueError, "rows '%s' need a column", name);
	/* held whole while the GIL is released: another thread may change the list */
	if (!(specs = PyList_AsTuple(specs)))
		return NULL;
	ins = PyMem_Calloc((size_t)n, sizeof(*ins));
	cols = PyMem_Calloc((size_t)n, sizeof(*cols));
	if (!ins || !cols) {
		PyErr_NoMemory();
		goto done;
	}
	for (i = 0; i < n; i++) {
		if (column_from(&ins[i], PyTuple_GET_ITEM(specs, i), rows) < 0)
			goto done;
		cols[i] = ins[i].c;
	}
	Py_BEGIN_ALLOW_THREADS
	error = engine ? rat_engine_register_rows(engine, name, cols, (size_t)n, (size_t)rows)
		       : rat_rows_write_parquet(name, cols, (size_t)n, (size_t)rows, 0);
	Py_END_ALLOW_THREADS
	if (error)
		rat_py_raise(error);
	else
		out = Py_NewRef(Py_None);
done:
	for (i = 0; ins && i < n; i++)
		column_in_free(&ins[i]);
	PyMem_Free(ins);
	PyMem_Free(cols);
	Py_DECREF(specs);
	return out;
}

/* register(name, columns, rows) */
PyObject *rat_py_register_rows(rat_engine *engine, PyObject *args)
{
	const char *name;
	PyObject *specs;
	Py_ssize_t rows;

	if (!PyArg_ParseTuple(args, "sO!n:register", &name, &PyList_Type, &specs, &rows))
		return NULL;
	return hand_rows(engine, name, specs, rows);
}

/* write_parquet(path, columns, rows): the rows as a Parquet file (rat_rows_write_parquet). */
PyObject *rat_py_write_parquet(PyObject *self, PyObject *args)
{
	const char *path;
	PyObject *specs;
	Py_ssize_t rows;

	(void)self;
	if (!PyArg_ParseTuple(args, "sO!n:write_parquet", &path, &PyList_Type, &specs, &rows))
		return NULL;
	return hand_rows(NULL, path, specs, rows);
}
