/*
 * storage/curl_api.c - libcurl loaded on first use (curl_api.h, util/dl.h),
 * by its soname, from the system's folders.
 */
#define RAT_CURL_API_LOADER
#include "storage/curl_api.h"
#include "util/dl.h"

rat_curl_api rat_curl__fn;

RAT_DL_LOADER(rat_curl__load, rat_curl__fn, "libcurl.so.4", NULL, RAT_CURL_FUNCTIONS)
