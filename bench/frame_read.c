/*
 * bench/frame_read.c - the C side of measure 7 (bench/README.md): a query's
 * whole result produced in C through librat's public API, as a C program
 * would keep it: every column copied batch by batch into arrays of its own
 * (integers, dates and timestamps as int64, decimals unscaled, doubles,
 * strings into one arena), NULLs as a byte per value. The arrays grow as the
 * Python side's buffers do (bindings/python/src/buffer.c), so the two pay
 * the same for their memory.
 *
 *   frame_read WORKSPACE SQL
 *       prints "rows=N seconds=S" (the query and the reading, not the opening)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/mman.h>

#include "rat.h"

typedef struct column {
	char *data;        /* values, 8 bytes each; strings: offsets */
	char *valid;
	char *arena;       /* strings' bytes */
	size_t len, arena_len, data_cap, valid_cap, arena_cap;
} column;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *grow(void *p, size_t *cap, size_t need, size_t item)
{
	size_t old = *cap;

	if (need <= *cap)
		return p;
	while (*cap < need)
		*cap = *cap ? *cap * 2 : 65536;
	/* as the Python side's buffers: a mapping grown in place or moved, never copied */
	p = p ? mremap(p, old * item, *cap * item, MREMAP_MAYMOVE)
	      : mmap(NULL, *cap * item, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "frame_read: out of memory\n");
		exit(1);
	}
#ifdef MADV_HUGEPAGE
	if (*cap * item >= ((size_t)2 << 20)) /* faulted 2 MiB at a time, as the Python side's are */
		madvise(p, *cap * item, MADV_HUGEPAGE);
#endif
	return p;
}

/* Column col of the current batch (n rows) appended to c. */
static int read_column(column *c, rat_result *r, size_t col, size_t n)
{
	static const char *strs[4096];
	static size_t lens[4096];
	size_t i;
	int scale, error;
	int64_t *out;
	uint8_t *valid;

	c->data = grow(c->data, &c->data_cap, c->len + n, 8);
	c->valid = grow(c->valid, &c->valid_cap, c->len + n, 1);
	out = (int64_t *)c->data + c->len;
	valid = (uint8_t *)c->valid + c->len;
	switch (rat_result_column_type(r, col)) {
	case RAT_TYPE_FLOAT: error = rat_result_batch_double(r, col, (double *)out, valid); break;
	case RAT_TYPE_DECIMAL: error = rat_result_batch_decimal(r, col, out, valid, &scale); break;
	case RAT_TYPE_VARCHAR:
		if ((error = rat_result_batch_strings(r, col, strs, lens)) != 0)
			break;
		for (i = 0; i < n; i++) {
			valid[i] = strs[i] != NULL;
			out[i] = (int64_t)c->arena_len;
			c->arena = grow(c->arena, &c->arena_cap, c->arena_len + lens[i], 1);
			memcpy(c->arena + c->arena_len, strs[i] ? strs[i] : "", lens[i]);
			c->arena_len += lens[i];
		}
		break;
	default: error = rat_result_batch_int64(r, col, out, valid);
	}
	c->len += n;
	return error;
}

int main(int argc, char **argv)
{
	rat_workspace *ws = NULL;
	rat_engine *engine = NULL;
	rat_result *r = NULL;
	column *cols;
	size_t ncols, col, rows = 0;
	double start;
	int n;

	if (argc != 3) {
		fprintf(stderr, "usage: frame_read WORKSPACE SQL\n");
		return 2;
	}
	if (rat_workspace_open(&ws, argv[1]) != 0 || rat_engine_open(&engine, ws) != 0)
		goto failed;
	start = now_s();
	if (rat_engine_query(&r, engine, argv[2]) != 0)
		goto failed;
	ncols = rat_result_column_count(r);
	if (!(cols = calloc(ncols, sizeof(*cols))))
		return 1;
	while ((n = rat_result_next_batch(r)) > 0) {
		if (n > 4096) {
			fprintf(stderr, "frame_read: a batch of %d rows\n", n);
			return 1;
		}
		for (col = 0; col < ncols; col++)
			if (read_column(&cols[col], r, col, (size_t)n) != 0)
				goto failed;
		rows += (size_t)n;
	}
	if (n < 0)
		goto failed;
	printf("rows=%zu seconds=%.3f\n", rows, now_s() - start);
	rat_result_free(r);
	rat_engine_free(engine);
	rat_workspace_free(ws);
	return 0;
failed:
	fprintf(stderr, "frame_read: %s\n", rat_error_last()->message);
	return 1;
}
