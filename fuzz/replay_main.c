/*
 * fuzz/replay_main.c - run a fuzz target over saved inputs, without libFuzzer.
 *
 *   fuzz_replay_<target> PATH...
 *
 * Each PATH is a file, or a folder whose files (sorted, dot files skipped)
 * are each one input. Every input goes through the target's
 * LLVMFuzzerTestOneInput() once; a crash, a sanitizer report or a leak
 * fails the run as it would under libFuzzer. The normal suite runs this
 * over fuzz/corpus/<target>/ and fuzz/crashes/<target>/ (CTest
 * fuzz.replay.<target>), so every committed input stays a regression test.
 * A missing PATH, an unreadable file or no input at all is an error.
 */
#include "rat.h"
#include "util/common.h"
#include "util/buf.h"
#include "util/fs.h"
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The largest saved input replayed: 16 MiB (inputs are a few KB). */
#define MAX_INPUT ((size_t)16 << 20)

static int replay_file(const char *path)
{
	rat_buf data = RAT_BUF_INIT;
	int error = rat_fs__read_file(&data, path, MAX_INPUT);

	if (error) {
		fprintf(stderr, "replay: %s\n", rat_error_last()->message);
		return error;
	}
	fprintf(stderr, "replay: %s (%zu bytes)\n", path, data.len);
	LLVMFuzzerTestOneInput((const uint8_t *)(data.ptr ? data.ptr : ""), data.len);
	rat_buf_free(&data);
	return 0;
}

/* Replay path (a file, or each file of a folder); *count grows by the inputs run. */
static int replay_path(const char *path, size_t *count)
{
	rat_strarray entries = { 0 };
	size_t i;
	int error = 0;

	if (!rat_fs__is_dir(path)) {
		if ((error = replay_file(path)) == 0)
			(*count)++;
		return error;
	}
	if ((error = rat_fs__list_dir(&entries, path)) != 0) {
		fprintf(stderr, "replay: %s\n", rat_error_last()->message);
		return error;
	}
	for (i = 0; !error && i < entries.count; i++) {
		char *child;
		if (entries.strings[i][0] == '.')
			continue;
		if ((child = rat_fs__join(path, entries.strings[i])) == NULL)
			error = RAT_ENOMEM;
		else if (rat_fs__is_file(child) && (error = replay_file(child)) == 0)
			(*count)++;
		free(child);
	}
	rat_strarray_free(&entries);
	return error;
}

int main(int argc, char **argv)
{
	size_t count = 0;
	int i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE-OR-FOLDER...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++)
		if (replay_path(argv[i], &count) != 0)
			return 1;
	if (count == 0) {
		fprintf(stderr, "replay: no input found in the paths given\n");
		return 1;
	}
	fprintf(stderr, "replay: %zu inputs, no crash\n", count);
	return 0;
}
