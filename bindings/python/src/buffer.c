/*
 * bindings/python/src/buffer.c - _rat.Buffer: bytes a result's column is
 * streamed into, then lent to NumPy (np.frombuffer, no copy) through the
 * buffer protocol. The memory is an anonymous mapping grown with mremap:
 * growing never copies and never holds two copies, and pages not yet
 * written cost nothing, so a column of n values peaks at n values. A
 * buffer of object references (an object column) is the base of the NumPy
 * array made over it, and drops the references it holds when it goes.
 */
#include "rat_py.h"

#include <sys/mman.h>
#include <unistd.h>

rat_py_buffer *rat_py_buffer_new(void)
{
	rat_py_buffer *b = PyObject_New(rat_py_buffer, &rat_py_buffer_type);

	if (!b)
		return NULL;
	b->data = NULL;
	b->len = b->cap = 0;
	b->exports = 0;
	b->objects = 0;
	return b;
}

char *rat_py_buffer_reserve(rat_py_buffer *b, size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), want, cap;
	void *p;

	if (b->len + n <= b->cap)
		return b->data + b->len;
	if (b->exports > 0) {
		PyErr_SetString(PyExc_BufferError, "a lent buffer cannot grow");
		return NULL;
	}
	want = b->len + n;
	cap = b->cap ? b->cap : 16 * page;
	while (cap < want) /* address space only: unwritten pages are never resident */
		cap *= 2;
	if (!b->data)
		p = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	else
		p = mremap(b->data, b->cap, cap, MREMAP_MAYMOVE);
	if (p == MAP_FAILED) {
		PyErr_NoMemory();
		return NULL;
	}
#ifdef MADV_HUGEPAGE
	if (cap >= ((size_t)2 << 20)) /* a fault per 2 MiB instead of per page (arena.c) */
		madvise(p, cap, MADV_HUGEPAGE);
#endif
	b->data = p;
	b->cap = cap;
	return b->data + b->len;
}

static void buffer_dealloc(rat_py_buffer *b)
{
	size_t i;

	if (b->objects) /* an object array's values (result.c): each a reference it holds */
		for (i = 0; i < b->len / sizeof(PyObject *); i++)
			Py_XDECREF(((PyObject **)b->data)[i]);
	if (b->data)
		munmap(b->data, b->cap);
	Py_TYPE(b)->tp_free((PyObject *)b);
}

static int buffer_get(rat_py_buffer *b, Py_buffer *view, int flags)
{
	static char empty[1];

	if (PyBuffer_FillInfo(view, (PyObject *)b, b->data ? b->data : empty, (Py_ssize_t)b->len, 0,
			      flags) < 0)
		return -1;
	b->exports++;
	return 0;
}

static void buffer_release(rat_py_buffer *b, Py_buffer *view)
{
	(void)view;
	b->exports--;
}

static Py_ssize_t buffer_length(rat_py_buffer *b)
{
	return (Py_ssize_t)b->len;
}

static PyBufferProcs buffer_procs = {
	(getbufferproc)buffer_get,
	(releasebufferproc)buffer_release,
};

static PySequenceMethods buffer_sequence = {
	.sq_length = (lenfunc)buffer_length,
};

PyTypeObject rat_py_buffer_type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "ratatouille._rat.Buffer",
	.tp_basicsize = sizeof(rat_py_buffer),
	.tp_dealloc = (destructor)buffer_dealloc,
	.tp_flags = Py_TPFLAGS_DEFAULT,
	.tp_doc = "A column's values, lent to NumPy (np.frombuffer).",
	.tp_as_buffer = &buffer_procs,
	.tp_as_sequence = &buffer_sequence,
};
