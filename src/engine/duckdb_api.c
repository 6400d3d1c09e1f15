/*
 * engine/duckdb_api.c - libduckdb loaded on first use (duckdb_api.h,
 * util/dl.h): through librat's run path, lib/ beside an installed librat,
 * or the folder of the DuckDB it was built with.
 */
#define RAT_DUCKDB_API_LOADER
#include "engine/duckdb_api.h"
#include "util/dl.h"

rat_duckdb_api rat_duckdb__fn;

/* the DuckDB rat was built with (CMakeLists.txt), where the loader does not look */
#ifndef RAT_DUCKDB_LIBDIR
#define RAT_DUCKDB_LIBDIR NULL
#endif

RAT_DL_LOADER(rat_duckdb__load, rat_duckdb__fn, "libduckdb.so", RAT_DUCKDB_LIBDIR,
	      RAT_DUCKDB_FUNCTIONS)
