/*
 * bindings/python/src/_rat.c - ratatouille._rat, the CPython extension the
 * `ratatouille` package is built on (docs/python.md). It uses librat's public
 * API only (include/rat.h) and keeps no state of its own beyond the handles
 * its objects hold.
 *
 * Errors: every librat failure is raised as a subclass of ratatouille.Error
 * named for its code (NotFoundError for RAT_ENOTFOUND, ...), with librat's
 * message; the code is the exception's `code` attribute. Wrong arguments are
 * Python's TypeError and ValueError, never a crash.
 *
 * Workspace: a loaded workspace (rat_workspace_open / rat_workspace_create),
 * its settings as attributes, its pipelines by layer, its tables, storage
 * paths. The engine (engine.c, result.c, rows.c) and the buffers results
 * are lent to NumPy in (buffer.c) have files of their own.
 */
#include "rat_py.h"

#include <string.h>

/* --- errors ------------------------------------------------------------------------------ */

static PyObject *Error; /* ratatouille.Error */

static const struct {
	int code;
	const char *name;
	const char *doc;
} kinds[] = {
	{ RAT_ENOMEM, "OutOfMemoryError", "librat ran out of memory" },
	{ RAT_ENOTFOUND, "NotFoundError", "a named thing (workspace, table, ref) does not exist" },
	{ RAT_EEXISTS, "ExistsError", "the thing to create already exists" },
	{ RAT_EINVALID, "InvalidError", "invalid argument, configuration or input" },
	{ RAT_EIO, "IOFailure", "a file, the store or the catalog server failed" },
	{ RAT_ESQL, "SQLError", "the engine refused or failed a statement" },
	{ RAT_ETYPE, "TypeMismatchError", "a value cannot be read as that type" },
	{ RAT_ETOOBIG, "TooBigError", "input exceeds a size cap" },
	{ RAT_ECONFLICT, "ConflictError", "a concurrent change won: nothing was written" },
	{ RAT_ECANCELED, "CanceledError", "stopped on request: nothing was published" },
	{ RAT_EACCESS, "AccessError", "what belongs to another workspace: refused" },
};
#define KINDS (sizeof(kinds) / sizeof(kinds[0]))
static PyObject *kind_types[KINDS];

PyObject *rat_py_raise_message(int code, const char *message)
{
	PyObject *type = Error, *exc;
	size_t i;

	for (i = 0; i < KINDS; i++)
		if (kinds[i].code == code)
			type = kind_types[i];
	exc = PyObject_CallFunction(type, "s", message && message[0] ? message : "librat failed");
	if (exc) {
		PyObject *c = PyLong_FromLong(code);
		if (c) {
			PyObject_SetAttrString(exc, "code", c);
			Py_DECREF(c);
		}
		PyErr_SetObject(type, exc);
		Py_DECREF(exc);
	}
	return NULL;
}

PyObject *rat_py_raise(int code)
{
	rat_py_raise_message(code, rat_error_last()->message);
	rat_error_clear();
	return NULL;
}

/* --- Workspace --------------------------------------------------------------------------- */

typedef rat_py_workspace WorkspaceObject;
#define WorkspaceType rat_py_workspace_type

static void workspace_dealloc(WorkspaceObject *self)
{
	rat_workspace_free(self->ws);
	Py_TYPE(self)->tp_free((PyObject *)self);
}

static PyObject *wrap(rat_workspace *ws)
{
	WorkspaceObject *self = PyObject_New(WorkspaceObject, &WorkspaceType);

	if (!self) {
		rat_workspace_free(ws);
		return NULL;
	}
	self->ws = ws;
	return (PyObject *)self;
}

/* open(name_or_path=None): a workspace loaded by name or folder. */
static PyObject *workspace_open(PyObject *cls, PyObject *args)
{
	const char *name = NULL;
	rat_workspace *ws = NULL;
	int error;

	(void)cls;
	if (!PyArg_ParseTuple(args, "|z:open", &name))
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	error = rat_workspace_open(&ws, name);
	Py_END_ALLOW_THREADS
	return error ? rat_py_raise(error) : wrap(ws);
}

/* create(name, description=None, path=None): a new workspace folder, loaded. */
static PyObject *workspace_create(PyObject *cls, PyObject *args, PyObject *kwargs)
{
	static char *keywords[] = { "name", "description", "path", NULL };
	rat_workspace_create_options opts = RAT_WORKSPACE_CREATE_OPTIONS_INIT;
	const char *name;
	rat_workspace *ws = NULL;
	int error;

	(void)cls;
	if (!PyArg_ParseTupleAndKeywords(args, kwargs, "s|zz:create", keywords, &name,
					 &opts.description, &opts.path))
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	error = rat_workspace_create(&ws, name, &opts);
	Py_END_ALLOW_THREADS
	return error ? rat_py_raise(error) : wrap(ws);
}

static PyObject *text(const char *s)
{
	return PyUnicode_FromString(s ? s : "");
}

#define GETTER(attr, fn)                                                              \
	static PyObject *get_##attr(WorkspaceObject *self, void *closure)              \
	{                                                                             \
		(void)closure;                                                         \
		return text(fn(self->ws));                                             \
	}
GETTER(name, rat_workspace_name)
GETTER(path, rat_workspace_path)
GETTER(config_path, rat_workspace_config_path)
GETTER(description, rat_workspace_description)
GETTER(version, rat_workspace_version)
GETTER(branch, rat_workspace_branch)
GETTER(branch_spec, rat_workspace_branch_spec)
GETTER(s3_prefix, rat_workspace_s3_prefix)
GETTER(home, rat_workspace_home)
GETTER(warehouse, rat_workspace_warehouse)
#undef GETTER

static PyObject *get_catalog_server(WorkspaceObject *self, void *closure)
{
	const char *uri = rat_workspace_catalog_server(self->ws);

	(void)closure;
	if (!uri)
		Py_RETURN_NONE;
	return text(uri);
}

/* The effective resource limits, as a dict. */
static PyObject *get_resources(WorkspaceObject *self, void *closure)
{
	rat_resources r;

	(void)closure;
	rat_workspace_resources(self->ws, &r);
	return Py_BuildValue("{s:s, s:s, s:L, s:L, s:L, s:L, s:L, s:L}", "profile", r.profile,
			     "profile_source", r.profile_source, "max_memory_mb",
			     (long long)r.max_memory_mb, "duckdb_memory_mb",
			     (long long)r.duckdb_memory_mb, "engine_memory_mb",
			     (long long)r.engine_memory_mb, "chunk_size_rows",
			     (long long)r.chunk_size_rows, "max_parallel_pipelines",
			     (long long)r.max_parallel_pipelines, "threads", (long long)r.threads);
}

static PyObject *strings(const rat_strarray *a)
{
	PyObject *list = PyList_New((Py_ssize_t)a->count);
	size_t i;

	for (i = 0; list && i < a->count; i++) {
		PyObject *s = text(a->strings[i]);
		if (!s) {
			Py_DECREF(list);
			return NULL;
		}
		PyList_SET_ITEM(list, (Py_ssize_t)i, s);
	}
	return list;
}

/* pipelines(layer): the names of a layer's pipelines, sorted. */
static PyObject *workspace_pipelines(WorkspaceObject *self, PyObject *args)
{
	const char *name;
	rat_layer layer;
	rat_strarray out = RAT_STRARRAY_INIT;
	PyObject *list;
	int error;

	if (!PyArg_ParseTuple(args, "s:pipelines", &name))
		return NULL;
	if ((error = rat_layer_parse(&layer, name)) != 0 ||
	    (error = rat_workspace_list_pipelines(&out, self->ws, layer)) != 0)
		return rat_py_raise(error);
	list = strings(&out);
	rat_strarray_free(&out);
	return list;
}

/* storage_path(layer, table=None): where a layer's or a table's files live. */
static PyObject *workspace_storage_path(WorkspaceObject *self, PyObject *args)
{
	const char *layer, *table = NULL;
	char *path = NULL;
	PyObject *out;
	int error;

	if (!PyArg_ParseTuple(args, "s|z:storage_path", &layer, &table))
		return NULL;
	if ((error = rat_workspace_storage_path(&path, self->ws, layer, table)) != 0)
		return rat_py_raise(error);
	out = text(path);
	rat_free(path);
	return out;
}

/* tables(ref=None): [(key, kind, rows, error), ...] of the workspace's tables at ref, sorted. */
static PyObject *workspace_tables(WorkspaceObject *self, PyObject *args)
{
	const char *ref = NULL;
	rat_table_list list = { NULL, 0 };
	PyObject *out;
	size_t i;
	int error;

	if (!PyArg_ParseTuple(args, "|z:tables", &ref))
		return NULL;
	Py_BEGIN_ALLOW_THREADS
	error = rat_table_list_get(&list, self->ws, ref, NULL);
	Py_END_ALLOW_THREADS
	if (error)
		return rat_py_raise(error);
	out = PyList_New((Py_ssize_t)list.count);
	for (i = 0; out && i < list.count; i++) {
		const rat_table_info *t = &list.items[i];
		PyObject *item = Py_BuildValue("(ssLs)", t->key, t->kind, (long long)t->rows,
					       t->error ? t->error : "");
		if (!item) {
			Py_CLEAR(out);
			break;
		}
		PyList_SET_ITEM(out, (Py_ssize_t)i, item);
	}
	rat_table_list_free(&list);
	return out;
}

static PyMethodDef workspace_methods[] = {
	{ "open", (PyCFunction)(void (*)(void))workspace_open, METH_VARARGS | METH_CLASS,
	  "open(name_or_path=None): load a workspace by name (RAT_WORKSPACES) or folder; None: "
	  "$WORKSPACE, else the one enclosing the current folder, else 'default'" },
	{ "create", (PyCFunction)(void (*)(void))workspace_create,
	  METH_VARARGS | METH_KEYWORDS | METH_CLASS,
	  "create(name, description=None, path=None): a new workspace folder, loaded" },
	{ "pipelines", (PyCFunction)(void (*)(void))workspace_pipelines, METH_VARARGS,
	  "pipelines(layer): the names of a layer's pipelines, sorted" },
	{ "tables", (PyCFunction)(void (*)(void))workspace_tables, METH_VARARGS,
	  "tables(ref=None): [(key, kind, rows, error), ...] of its tables at ref, sorted" },
	{ "storage_path", (PyCFunction)(void (*)(void))workspace_storage_path, METH_VARARGS,
	  "storage_path(layer, table=None): the folder or s3:// prefix of a layer or a table" },
	{ NULL, NULL, 0, NULL },
};

static PyGetSetDef workspace_getset[] = {
	{ "name", (getter)get_name, NULL, "the workspace's name", NULL },
	{ "path", (getter)get_path, NULL, "its folder", NULL },
	{ "config_path", (getter)get_config_path, NULL, "its workspace.yaml", NULL },
	{ "description", (getter)get_description, NULL, "its description", NULL },
	{ "version", (getter)get_version, NULL, "its version", NULL },
	{ "branch", (getter)get_branch, NULL, "the catalog branch it works on", NULL },
	{ "branch_spec", (getter)get_branch_spec, NULL, "isolation.nessie_branch as written",
	  NULL },
	{ "s3_prefix", (getter)get_s3_prefix, NULL, "its storage prefix", NULL },
	{ "home", (getter)get_home, NULL, "its state folder (RAT_HOME)", NULL },
	{ "warehouse", (getter)get_warehouse, NULL, "the warehouse root", NULL },
	{ "catalog_server", (getter)get_catalog_server, NULL,
	  "the rat serve whose catalog it uses (NESSIE_URI), or None", NULL },
	{ "resources", (getter)get_resources, NULL, "the effective resource limits", NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

PyTypeObject rat_py_workspace_type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "ratatouille._rat.Workspace",
	.tp_basicsize = sizeof(WorkspaceObject),
	.tp_dealloc = (destructor)workspace_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
	.tp_doc = "A loaded workspace (librat's rat_workspace): open() or create() one.",
	.tp_methods = workspace_methods,
	.tp_getset = workspace_getset,
};

/* --- the module -------------------------------------------------------------------------- */

static PyObject *module_version(PyObject *self, PyObject *unused)
{
	(void)self;
	(void)unused;
	return text(rat_version());
}

static PyObject *module_clear_cache(PyObject *self, PyObject *unused)
{
	(void)self;
	(void)unused;
	rat_workspace_cache_clear();
	Py_RETURN_NONE;
}

static PyMethodDef module_methods[] = {
	{ "version", module_version, METH_NOARGS, "librat's version" },
	{ "clear_cache", module_clear_cache, METH_NOARGS, "forget librat's cached workspaces" },
	{ "write_parquet", rat_py_write_parquet, METH_VARARGS,
	  "write_parquet(path, [(name, type, kind, values, valid), ...], rows): a Parquet file" },
	{ NULL, NULL, 0, NULL },
};

static struct PyModuleDef module = {
	PyModuleDef_HEAD_INIT, "ratatouille._rat",
	"librat for Python: the core of the ratatouille package.", -1, module_methods,
	NULL, NULL, NULL, NULL,
};

static int add_errors(PyObject *m)
{
	size_t i;

	Error = PyErr_NewExceptionWithDoc("ratatouille.Error",
					  "A librat failure: .code is its RAT_E* code.", NULL, NULL);
	if (!Error || PyModule_AddObject(m, "Error", Error) != 0)
		return -1;
	Py_INCREF(Error);
	for (i = 0; i < KINDS; i++) {
		char name[64];
		snprintf(name, sizeof(name), "ratatouille.%s", kinds[i].name);
		kind_types[i] = PyErr_NewExceptionWithDoc(name, kinds[i].doc, Error, NULL);
		if (!kind_types[i] || PyModule_AddObject(m, kinds[i].name, kind_types[i]) != 0)
			return -1;
		Py_INCREF(kind_types[i]);
	}
	return 0;
}

PyMODINIT_FUNC PyInit__rat(void); /* the one name the module exports */
PyMODINIT_FUNC PyInit__rat(void)
{
	PyObject *m;

	if (PyType_Ready(&WorkspaceType) < 0 || PyType_Ready(&rat_py_engine_type) < 0 ||
	    PyType_Ready(&rat_py_buffer_type) < 0 || rat_py_result_init() < 0 ||
	    (m = PyModule_Create(&module)) == NULL)
		return NULL;
	if (PyModule_AddObjectRef(m, "Workspace", (PyObject *)&WorkspaceType) != 0 ||
	    PyModule_AddObjectRef(m, "Engine", (PyObject *)&rat_py_engine_type) != 0 ||
	    PyModule_AddObjectRef(m, "Buffer", (PyObject *)&rat_py_buffer_type) != 0 ||
	    add_errors(m) != 0) {
		Py_DECREF(m);
		return NULL;
	}
	return m;
}
