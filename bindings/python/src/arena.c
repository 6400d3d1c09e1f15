/*
 * bindings/python/src/arena.c - where the objects of a big result live while
 * it is read. CPython's small-object allocator takes its memory in arenas
 * (1 MiB mappings since 3.10), each a run of 256 page faults when first
 * written; a result of 10 M strings is 700 arenas, 180,000 faults, and on a
 * virtual machine a fault costs microseconds. While a result is read, the
 * arena allocator is swapped for one that carves arenas from chunks asked
 * for transparent huge pages (2 MiB a fault): each arena handed out is a
 * whole-page piece of its own mapping, so the interpreter's default
 * (munmap) frees it the same way after the swap is undone, and nothing of
 * this file outlives the read. Only called with the GIL held, as pymalloc
 * is; nested reads (another thread's, while this one waits for DuckDB)
 * share one installation.
 */
#include "rat_py.h"

#include <stdint.h>
#include <sys/mman.h>

#define HUGE_PAGE ((size_t)2 << 20)
#define CHUNK ((size_t)32 << 20)

static PyObjectArenaAllocator saved;
static int depth;
static char *next, *end; /* the part of the current chunk not handed out */

static void release_rest(void)
{
	if (next && next < end)
		munmap(next, (size_t)(end - next));
	next = end = NULL;
}

static void *arena_alloc(void *ctx, size_t size)
{
	(void)ctx;
	if (size == 0 || size > HUGE_PAGE || HUGE_PAGE % size) /* not a size that tiles a huge page */
		return saved.alloc(saved.ctx, size);
	if (!next || (size_t)(end - next) < size) {
		char *p = mmap(NULL, CHUNK + HUGE_PAGE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		uintptr_t start;

		if (p == MAP_FAILED)
			return saved.alloc(saved.ctx, size);
		release_rest();
		start = ((uintptr_t)p + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1);
		if ((char *)start > p) /* the unaligned head and tail given back */
			munmap(p, (size_t)((char *)start - p));
		if ((char *)start + CHUNK < p + CHUNK + HUGE_PAGE)
			munmap((char *)start + CHUNK, (size_t)(p + CHUNK + HUGE_PAGE - ((char *)start + CHUNK)));
#ifdef MADV_HUGEPAGE
		madvise((void *)start, CHUNK, MADV_HUGEPAGE);
#endif
		next = (char *)start;
		end = next + CHUNK;
	}
	next += size;
	return next - size;
}

static void arena_free(void *ctx, void *p, size_t size)
{
	(void)ctx;
	saved.free(saved.ctx, p, size);
}

void rat_py_arenas_begin(void)
{
	PyObjectArenaAllocator ours = { NULL, arena_alloc, arena_free };

	if (depth++ > 0)
		return;
	PyObject_GetArenaAllocator(&saved);
	PyObject_SetArenaAllocator(&ours);
}

void rat_py_arenas_end(void)
{
	if (--depth > 0)
		return;
	PyObject_SetArenaAllocator(&saved);
	release_rest();
}
