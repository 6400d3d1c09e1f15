/*
 * bindings/python/src/engine.c - _rat.Engine: an engine session of a
 * workspace (rat_engine_open_at), locked down as `rat query`'s is. Queries
 * come back as columns (result.c), with their parameters bound; rows from
 * Python become a temporary table (rows.c) and a table is written with
 * rat_engine_write_table(). DuckDB works with the GIL released.
 *
 * A session is used by one thread at a time: a second thread calling while
 * one works gets an error, not a crash; so does a closed engine.
 */
#include "rat_py.h"

#include <string.h>

typedef struct {
	PyObject_HEAD
	rat_engine *engine;
	PyObject *workspace; /* the rat_py_workspace it is a session of */
	int busy;
} engine_object;

static void engine_dealloc(engine_object *self)
{
	rat_engine_free(self->engine);
	Py_XDECREF(self->workspace);
	Py_TYPE(self)->tp_free((PyObject *)self);
}

/* Engine(workspace, ref=None): a session on the workspace's branch, or as of ref. */
static PyObject *engine_new(PyTypeObject *type, PyObject *args, PyObject *kwargs)
{
	static char *keywords[] = { "workspace", "ref", NULL };
	PyObject *ws;
	const char *ref = NULL;
	engine_object *self;
	rat_engine *engine = NULL;
	int error;

	if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!|z:Engine", keywords,
					 &rat_py_workspace_type, &ws, &ref))
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	error = rat_engine_open_at(&engine, ((rat_py_workspace *)ws)->ws, ref);
	Py_END_ALLOW_THREADS
	if (error)
		return rat_py_raise(error);
	if (!(self = (engine_object *)type->tp_alloc(type, 0))) {
		rat_engine_free(engine);
		return NULL;
	}
	self->engine = engine;
	Py_INCREF(ws);
	self->workspace = ws;
	return (PyObject *)self;
}

/* Take the session for this call: 0, or -1 with an error when it is closed or busy. */
static int take(engine_object *self)
{
	if (!self->engine) {
		rat_py_raise_message(RAT_EINVALID, "the engine is closed");
		return -1;
	}
	if (self->busy) {
		rat_py_raise_message(RAT_EINVALID,
				     "the engine is busy with another call (a session serves one "
				     "thread at a time: open one engine per thread)");
		return -1;
	}
	self->busy = 1;
	return 0;
}

static void give_back(engine_object *self)
{
	self->busy = 0;
}

/* One Python value as a parameter; its text stays alive in keep. */
static int to_param(rat_param *p, PyObject *v, PyObject *keep, Py_ssize_t i)
{
	Py_ssize_t len;
	char *bytes;

	memset(p, 0, sizeof(*p));
	if (v == Py_None) {
		p->kind = RAT_PARAM_NULL;
	} else if (PyBool_Check(v)) {
		p->kind = RAT_PARAM_BOOL;
		p->int_value = v == Py_True;
	} else if (PyLong_Check(v)) {
		int overflow;
		p->int_value = PyLong_AsLongLongAndOverflow(v, &overflow);
		if (p->int_value == -1 && PyErr_Occurred())
			return -1;
		p->kind = RAT_PARAM_INT64;
		if (overflow) { /* past int64: as its digits, cast where it goes (HUGEINT, DECIMAL) */
			PyObject *s = PyObject_Str(v);
			if (!s || PyList_Append(keep, s) < 0) {
				Py_XDECREF(s);
				return -1;
			}
			Py_DECREF(s);
			v = s;
			goto text;
		}
	} else if (PyFloat_Check(v)) {
		p->kind = RAT_PARAM_DOUBLE;
		p->double_value = PyFloat_AS_DOUBLE(v);
	} else if (PyUnicode_Check(v)) {
text:
		if (!(p->text = PyUnicode_AsUTF8AndSize(v, &len)))
			return -1;
		p->kind = RAT_PARAM_TEXT;
		p->text_len = (size_t)len;
	} else if (PyBytes_Check(v)) {
		if (PyBytes_AsStringAndSize(v, &bytes, &len) < 0)
			return -1;
		p->kind = RAT_PARAM_BLOB;
		p->text = bytes;
		p->text_len = (size_t)len;
	} else {
		PyErr_Format(PyExc_TypeError,
			     "parameter %zd: a %s is no SQL value (None, bool, int, float, str or bytes)",
			     i + 1, Py_TYPE(v)->tp_name);
		return -1;
	}
	return 0;
}

/* params (a sequence, or a dict for $names) as rat_params; *out freed by the caller. */
static int to_params(rat_param **out, size_t *count, PyObject *params, PyObject *keep)
{
	PyObject *items, *key, *value;
	Py_ssize_t n, i = 0, pos = 0;

	*out = NULL;
	*count = 0;
	if (params == Py_None)
		return 0;
	if (PyDict_Check(params)) {
		if (!(params = PyDict_Copy(params)) || PyList_Append(keep, params) < 0) {
			Py_XDECREF(params);
			return -1;
		}
		Py_DECREF(params); /* kept alive by keep */
		n = PyDict_Size(params);
		if (!(*out = PyMem_Calloc((size_t)(n ? n : 1), sizeof(rat_param)))) {
			PyErr_NoMemory();
			return -1;
		}
		while (PyDict_Next(params, &pos, &key, &value)) {
			if (!PyUnicode_Check(key)) {
				PyErr_SetString(PyExc_TypeError, "named parameters are str keys ($name)");
				return -1;
			}
			if (to_param(&(*out)[i], value, keep, i) < 0 ||
			    !((*out)[i].name = PyUnicode_AsUTF8(key)))
				return -1;
			i++;
		}
		*count = (size_t)n;
		return 0;
	}
	if (PyUnicode_Check(params) || PyBytes_Check(params)) {
		PyErr_SetString(PyExc_TypeError,
				"params is a sequence (for ?) or a dict (for $name), not a str");
		return -1;
	}
	/* a tuple of its own: the values live as long as the call, whatever others do to params */
	if (!(items = PySequence_Tuple(params)))
		return -1;
	if (PyList_Append(keep, items) < 0) {
		Py_DECREF(items);
		return -1;
	}
	Py_DECREF(items);
	n = PyTuple_GET_SIZE(items);
	if (!(*out = PyMem_Calloc((size_t)(n ? n : 1), sizeof(rat_param)))) {
		PyErr_NoMemory();
		return -1;
	}
	for (i = 0; i < n; i++)
		if (to_param(&(*out)[i], PyTuple_GET_ITEM(items, i), keep, i) < 0)
			return -1;
	*count = (size_t)n;
	return 0;
}

/* query(sql, params=None) -> (rows, columns): see result.c. */
static PyObject *engine_query(engine_object *self, PyObject *args, PyObject *kwargs)
{
	static char *keywords[] = { "sql", "params", NULL };
	const char *sql;
	PyObject *params = Py_None, *keep, *out = NULL;
	rat_param *bound = NULL;
	size_t count = 0;
	rat_result *result = NULL;
	int error;

	if (!PyArg_ParseTupleAndKeywords(args, kwargs, "s|O:query", keywords, &sql, &params) ||
	    !(keep = PyList_New(0)))
		return NULL;
	if (to_params(&bound, &count, params, keep) == 0 && take(self) == 0) {
		Py_BEGIN_ALLOW_THREADS
		error = rat_engine_query_params(&result, self->engine, sql, bound, count);
		Py_END_ALLOW_THREADS
		out = error ? rat_py_raise(error) : rat_py_read_result(result);
		rat_result_free(result);
		give_back(self);
	}
	PyMem_Free(bound);
	Py_DECREF(keep);
	return out;
}

/* execute(sql): run statements, results discarded. */
static PyObject *engine_execute(engine_object *self, PyObject *args)
{
	const char *sql;
	int error;

	if (!PyArg_ParseTuple(args, "s:execute", &sql) || take(self) < 0)
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	error = rat_engine_exec(self->engine, sql);
	Py_END_ALLOW_THREADS
	give_back(self);
	if (error)
		return rat_py_raise(error);
	Py_RETURN_NONE;
}

/* register(name, columns, rows): see rows.c. */
static PyObject *engine_register(engine_object *self, PyObject *args)
{
	PyObject *out;

	if (take(self) < 0)
		return NULL;
	out = rat_py_register_rows(self->engine, args);
	give_back(self);
	return out;
}

/* write_table(table, sql, mode="overwrite", branch=None, author=None) -> dict */
static PyObject *engine_write_table(engine_object *self, PyObject *args, PyObject *kwargs)
{
	static char *keywords[] = { "table", "sql", "mode", "branch", "author", NULL };
	rat_write_table_options opts = RAT_WRITE_TABLE_OPTIONS_INIT;
	rat_write_table_result r;
	const char *table, *sql, *mode = "overwrite";
	int error;

	if (!PyArg_ParseTupleAndKeywords(args, kwargs, "ss|szz:write_table", keywords, &table, &sql,
					 &mode, &opts.branch, &opts.author))
		return NULL;
	if (strcmp(mode, "overwrite") != 0 && strcmp(mode, "append") != 0)
		return PyErr_Format(PyExc_ValueError, "mode is 'overwrite' or 'append', not '%s'", mode);
	opts.mode = mode[0] == 'a' ? RAT_WRITE_TABLE_APPEND : RAT_WRITE_TABLE_OVERWRITE;
	if (take(self) < 0)
		return NULL;
	memset(&r, 0, sizeof(r));
	Py_BEGIN_ALLOW_THREADS
	error = rat_engine_write_table(&r, self->engine, ((rat_py_workspace *)self->workspace)->ws,
				       table, sql, &opts);
	Py_END_ALLOW_THREADS
	give_back(self);
	if (error)
		return rat_py_raise(error);
	return Py_BuildValue("{s:s, s:s, s:L, s:L, s:L, s:L, s:L, s:s}", "branch", r.branch,
			     "commit", r.commit, "snapshot_id", (long long)r.snapshot_id,
			     "rows_written", (long long)r.rows_written, "rows", (long long)r.rows,
			     "checks_passed", (long long)r.checks_passed, "checks_warned",
			     (long long)r.checks_warned, "warnings", r.warnings);
}

/* interrupt(): stop the statement running in another thread. */
static PyObject *engine_interrupt(engine_object *self, PyObject *unused)
{
	(void)unused;
	rat_engine_interrupt(self->engine);
	Py_RETURN_NONE;
}

/* close(): free the session; later calls raise. Closing twice is allowed. */
static PyObject *engine_close(engine_object *self, PyObject *unused)
{
	(void)unused;
	if (self->busy)
		return rat_py_raise_message(RAT_EINVALID, "the engine is busy: close it when the call returns");
	rat_engine_free(self->engine);
	self->engine = NULL;
	Py_RETURN_NONE;
}

static PyObject *get_closed(engine_object *self, void *closure)
{
	(void)closure;
	return PyBool_FromLong(self->engine == NULL);
}

static PyMethodDef engine_methods[] = {
	{ "query", (PyCFunction)(void (*)(void))engine_query, METH_VARARGS | METH_KEYWORDS,
	  "query(sql, params=None) -> (rows, [(name, kind, dtype, values, mask, sql_type), ...])" },
	{ "execute", (PyCFunction)engine_execute, METH_VARARGS,
	  "execute(sql): run the statements, their results discarded" },
	{ "register", (PyCFunction)engine_register, METH_VARARGS,
	  "register(name, [(name, type, kind, values, valid), ...], rows): a temporary table" },
	{ "write_table", (PyCFunction)(void (*)(void))engine_write_table,
	  METH_VARARGS | METH_KEYWORDS,
	  "write_table(table, sql, mode='overwrite', branch=None, author=None) -> dict" },
	{ "interrupt", (PyCFunction)engine_interrupt, METH_NOARGS,
	  "interrupt(): stop the statement another thread runs" },
	{ "close", (PyCFunction)engine_close, METH_NOARGS, "close(): free the session" },
	{ NULL, NULL, 0, NULL },
};

static PyGetSetDef engine_getset[] = {
	{ "closed", (getter)get_closed, NULL, "whether close() was called", NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

PyTypeObject rat_py_engine_type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "ratatouille._rat.Engine",
	.tp_basicsize = sizeof(engine_object),
	.tp_dealloc = (destructor)engine_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "Engine(workspace, ref=None): an engine session of a workspace.",
	.tp_methods = engine_methods,
	.tp_getset = engine_getset,
	.tp_new = engine_new,
};
