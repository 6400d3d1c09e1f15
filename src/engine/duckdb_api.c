/*
 * engine/duckdb_api.c - libduckdb loaded on first use (duckdb_api.h,
 * util/dl.h): through librat's run path, the build's DuckDB or lib/ beside
 * an installed librat.
 */
#define RAT_DUCKDB_API_LOADER
#include "engine/duckdb_api.h"
#include "util/dl.h"

rat_duckdb_api rat_duckdb__fn;

RAT_DL_LOADER(rat_duckdb__load, rat_duckdb__fn, "libduckdb.so", RAT_DUCKDB_FUNCTIONS)
