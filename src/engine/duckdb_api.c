/*
 * engine/duckdb_api.c - libduckdb loaded on first use (duckdb_api.h).
 *
 * The library is looked for as the dynamic loader looks for a library
 * librat needs: librat's run path (the build's DuckDB, or lib/ beside an
 * installed librat), LD_LIBRARY_PATH, the system's folders. It is never
 * unloaded.
 */
#define RAT_DUCKDB_API_LOADER
#include "engine/duckdb_api.h"
#include "util/error.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define LIBRARY "libduckdb.so"

rat_duckdb_api rat_duckdb__fn;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static char failure[512]; /* "" once loaded */

static void load(void)
{
	void *lib = dlopen(LIBRARY, RTLD_NOW | RTLD_LOCAL);
	const char *why;

	if (!lib) {
		why = dlerror();
		snprintf(failure, sizeof(failure), "%s", why ? why : LIBRARY ": not found");
		return;
	}
	/* a function pointer from dlsym's object pointer, as POSIX has it */
#define RAT_DUCKDB_LOAD(name)                                                                  \
	if (!failure[0] && (*(void **)&rat_duckdb__fn.name = dlsym(lib, #name)) == NULL)        \
		snprintf(failure, sizeof(failure),                                               \
			 LIBRARY " has no function %s: it is older than the DuckDB rat was built "   \
			 "with",                                                                 \
			 #name);
	RAT_DUCKDB_FUNCTIONS(RAT_DUCKDB_LOAD)
#undef RAT_DUCKDB_LOAD
}

int rat_duckdb__load(void)
{
	pthread_once(&once, load);
	if (failure[0])
		return rat_error__set(RAT_EIO, RAT_ERRCLASS_ENGINE,
				      "cannot load the engine (DuckDB): %s", failure);
	return 0;
}
