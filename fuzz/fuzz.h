/*
 * fuzz/fuzz.h - shared by the fuzz targets: the libFuzzer entry point and
 * small helpers for cutting an input into parts and handing it to APIs that
 * only read files.
 *
 * Each fuzz/fuzz_<target>.c defines LLVMFuzzerTestOneInput(). The same file
 * is linked two ways: with libFuzzer (clang, -DRAT_FUZZ=ON, `make fuzz`), and
 * with replay_main.c into a plain program that the normal suite runs over the
 * committed corpus and crash reproducers (CTest fuzz.replay.<target>).
 */
#ifndef RAT_FUZZ_FUZZ_H
#define RAT_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>

/** Run one input; returns 0 (libFuzzer's contract). A crash is the finding. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Sanitizer settings of a target, handed to ASan and LSan at start-up by
 * fuzz_util.c (through __asan_default_options() and
 * __lsan_default_suppressions()): "" unless the target defines its own, for
 * a third-party library's known faults that librat cannot fix. Options in
 * ASAN_OPTIONS / LSAN_OPTIONS still apply on top.
 */
extern const char fuzz_asan_options[];
extern const char fuzz_lsan_suppressions[];

/*
 * For targets that read YAML: libfyaml 0.7.12 leaks the chunk buffer of
 * fy_atom_format_text() for a scalar with many '' escapes in a row (found by
 * fuzzing; later libfyaml releases free it). The suppression names that
 * function, so it needs full stacks: libfyaml has no frame pointers.
 */
#define FUZZ_LIBFYAML_ASAN_OPTIONS "fast_unwind_on_malloc=0"
#define FUZZ_LIBFYAML_SUPPRESSIONS "leak:fy_atom_format_text\n"

/** A NUL-terminated copy of data[0..size) (an embedded NUL ends the string). Aborts on OOM. */
char *fuzz_strndup(const uint8_t *data, size_t size);

/** A heap copy of exactly size bytes (free()), so that ASan sees a read past its end. Aborts on OOM. */
char *fuzz_memdup(const uint8_t *data, size_t size);

/**
 * Cut data at its first NUL byte: *head is the part before it, *tail the part
 * after it (both NUL-terminated copies, free()), of *tail_len bytes (NULs
 * included; tail_len may be NULL). Without a NUL, *tail is NULL.
 */
void fuzz_split(const uint8_t *data, size_t size, char **head, char **tail, size_t *tail_len);

/**
 * Write data[0..size) to the file `name` of fuzz_scratch_dir() (replacing
 * it) and return its path (free()). Aborts when the file cannot be written.
 */
char *fuzz_write_file(const char *name, const void *data, size_t size);

/** A private scratch folder for this process, created on first use, removed at exit. */
const char *fuzz_scratch_dir(void);

#endif
