/*
 * util/dl.h - a library loaded on first use, its functions into a table
 * (dlopen, dlsym): what engine/duckdb_api.c and storage/curl_api.c make of
 * DuckDB and libcurl, so that a process loads them only once it needs them.
 *
 *   RAT_DL_LOADER(load_fn, api, "libx.so.1", dir, X_FUNCTIONS)
 *
 * defines int load_fn(void): the library loaded once per process (later
 * calls return what the first found), each function X_FUNCTIONS lists
 * looked up into api's field of its name; 0, or RAT_EIO naming the library
 * and what failed (not found, a function missing). The library is never
 * unloaded; rat_dl__open() says where it is looked for.
 */
#ifndef RAT_UTIL_DL_H
#define RAT_UTIL_DL_H

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>

#include "util/error.h"

/**
 * library opened: as the dynamic loader finds a library (LD_LIBRARY_PATH,
 * the caller's run path, the system's folders); else in the folder of the
 * object this code is in (lib/ of an installed librat); else in dir (NULL:
 * none). NULL, with why (len bytes) saying what the loader said, when none
 * has it; why is "" when one has. The explicit folders matter where the dynamic loader does not see
 * librat as the caller (ASan intercepts dlopen).
 */
void *rat_dl__open(const char *library, const char *dir, char *why, size_t len);

/**
 * The folder of the object this code is in (librat's lib/, or a program
 * linked with it statically) into out: 0, or -1 when the loader does not say.
 */
int rat_dl__self_dir(char *out, size_t len);

/* What a loader keeps of why it failed. */
#define RAT_DL_FAILURE_MAX 512

/* One function into the table (a function pointer from dlsym's object pointer, as POSIX has it). */
#define RAT_DL_SYM(name)                                                                       \
	if (!failure[0] && (*(void **)&table->name = dlsym(lib, #name)) == NULL)                \
		snprintf(failure, RAT_DL_FAILURE_MAX, "%s has no function %s", library, #name);

#define RAT_DL_LOADER(load_fn, api, library_name, dir, FUNCTIONS)                              \
	static pthread_once_t load_fn##_once = PTHREAD_ONCE_INIT;                                \
	static char load_fn##_failure[RAT_DL_FAILURE_MAX]; /* "" once loaded */                  \
	static void load_fn##_run(void)                                                          \
	{                                                                                        \
		static const char library[] = library_name;                                      \
		__typeof__(api) *table = &api;                                                   \
		char *failure = load_fn##_failure;                                               \
		void *lib = rat_dl__open(library, dir, failure, sizeof(load_fn##_failure));      \
		if (!lib)                                                                        \
			return;                                                                  \
		FUNCTIONS(RAT_DL_SYM)                                                            \
	}                                                                                        \
	int load_fn(void)                                                                        \
	{                                                                                        \
		pthread_once(&load_fn##_once, load_fn##_run);                                    \
		if (load_fn##_failure[0])                                                        \
			return rat_error__set(RAT_EIO, RAT_ERRCLASS_OS, "cannot load %s: %s",    \
					      library_name, load_fn##_failure);                  \
		return 0;                                                                        \
	}

#endif
