/*
 * bindings/python/src/rat_py.h - what the files of ratatouille._rat share:
 * the error mapping, the types each file defines and their set-up.
 */
#ifndef RAT_PY_H
#define RAT_PY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "rat.h"

/** Raise librat's last error (code) as the matching ratatouille error; NULL. */
PyObject *rat_py_raise(int code);
/** Raise the ratatouille error of code with message; NULL. */
PyObject *rat_py_raise_message(int code, const char *message);

/* _rat.c: a loaded workspace. */
typedef struct {
	PyObject_HEAD
	rat_workspace *ws;
} rat_py_workspace;
extern PyTypeObject rat_py_workspace_type;

/* buffer.c: memory a NumPy array is made over (np.frombuffer), grown without copying. */
typedef struct {
	PyObject_HEAD
	char *data;
	size_t len, cap;
	Py_ssize_t exports;
	int objects; /* it holds a reference per 8 bytes: dropped when it goes */
} rat_py_buffer;
extern PyTypeObject rat_py_buffer_type;

/** A new empty buffer, or NULL with MemoryError. */
rat_py_buffer *rat_py_buffer_new(void);
/** Room for n more bytes at data + len: a pointer to it, or NULL with MemoryError. */
char *rat_py_buffer_reserve(rat_py_buffer *b, size_t n);

/* arena.c: the arenas of a result's objects, while it is read (see the file). */
void rat_py_arenas_begin(void);
void rat_py_arenas_end(void);

/* engine.c: an engine session (rat_engine), used by one thread at a time. */
extern PyTypeObject rat_py_engine_type;

/* result.c: a result read whole into column arrays (see the function). */
PyObject *rat_py_read_result(rat_result *result);
/** Import what result.c builds values with (datetime, decimal, json, uuid): 0, or -1 with an exception. */
int rat_py_result_init(void);

/* rows.c: Python columns handed to rat_engine_register_rows(), or written as Parquet. */
PyObject *rat_py_register_rows(rat_engine *engine, PyObject *args);
PyObject *rat_py_write_parquet(PyObject *self, PyObject *args);

#endif
