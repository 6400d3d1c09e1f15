/*
 * fuzz/fuzz_util.c - helpers shared by the fuzz targets (see fuzz.h).
 *
 * A helper that cannot do its job aborts: a target must never pass an input
 * through silently because the harness failed, and libFuzzer reports an
 * abort like any other crash.
 */
#include "rat.h"
#include "util/common.h"
#include "util/fs.h"
#include "fuzz.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *scratch;

/* The defaults; a target's own definitions win over these weak ones. */
__attribute__((weak)) const char fuzz_asan_options[] = "";
__attribute__((weak)) const char fuzz_lsan_suppressions[] = "";

/* Called by ASan and LSan before main() when the program is built with them. */
const char *__asan_default_options(void);
const char *__lsan_default_suppressions(void);

const char *__asan_default_options(void)
{
	return fuzz_asan_options;
}

const char *__lsan_default_suppressions(void)
{
	return fuzz_lsan_suppressions;
}

static void *must(void *p)
{
	if (!p) {
		fprintf(stderr, "fuzz: out of memory in the harness\n");
		abort();
	}
	return p;
}

char *fuzz_strndup(const uint8_t *data, size_t size)
{
	char *s = must(malloc(size + 1));

	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

char *fuzz_memdup(const uint8_t *data, size_t size)
{
	char *copy = must(malloc(size ? size : 1));

	if (size)
		memcpy(copy, data, size);
	return copy;
}

void fuzz_split(const uint8_t *data, size_t size, char **head, char **tail, size_t *tail_len)
{
	const uint8_t *nul = size ? memchr(data, '\0', size) : NULL;
	size_t n = nul ? (size_t)(nul - data) : size;

	*head = fuzz_strndup(data, n);
	*tail = nul ? fuzz_strndup(nul + 1, size - n - 1) : NULL;
	if (tail_len)
		*tail_len = nul ? size - n - 1 : 0;
}

static void remove_scratch(void)
{
	if (scratch)
		rat_fs__remove_tree(scratch);
	free(scratch);
	scratch = NULL;
}

const char *fuzz_scratch_dir(void)
{
	const char *tmp = getenv("TMPDIR");
	char *path;

	if (scratch)
		return scratch;
	path = must(rat__sprintf("%s/rat-fuzz-XXXXXX", tmp && *tmp ? tmp : "/tmp"));
	if (!mkdtemp(path)) {
		perror(path);
		abort();
	}
	scratch = path;
	atexit(remove_scratch);
	return scratch;
}

char *fuzz_write_file(const char *name, const void *data, size_t size)
{
	char *path = must(rat_fs__join(fuzz_scratch_dir(), name));
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	if (fd < 0 || rat_fs__write_all(fd, data, size) != 0 || close(fd) != 0) {
		perror(path);
		abort();
	}
	return path;
}
