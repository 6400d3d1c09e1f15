/*
 * table/avro_api.c - libavro loaded on first use (avro_api.h, util/dl.h),
 * by its soname, from the system's folders.
 */
#define RAT_AVRO_API_LOADER
#include "table/avro_api.h"
#include "util/dl.h"

rat_avro_api rat_avro__fn;

RAT_DL_LOADER(rat_avro__load, rat_avro__fn, "libavro.so.23", NULL, RAT_AVRO_FUNCTIONS)
