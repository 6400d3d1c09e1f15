/*
 * storage/curl_api.c - libcurl loaded on first use (curl_api.h, util/dl.h),
 * by its soname, from the system's folders, and started once (curl_global_init).
 */
#define RAT_CURL_API_LOADER
#include "storage/curl_api.h"
#include "util/dl.h"

#include <pthread.h>

rat_curl_api rat_curl__fn;

RAT_DL_LOADER(rat_curl__load, rat_curl__fn, "libcurl.so.4", NULL, RAT_CURL_FUNCTIONS)

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_result;

static void init_curl(void)
{
	curl_init_result = rat_curl__fn.curl_global_init(CURL_GLOBAL_DEFAULT);
}

int rat_curl__start(void)
{
	int error;

	if ((error = rat_curl__load()) != 0)
		return error;
	pthread_once(&curl_once, init_curl);
	if (curl_init_result != CURLE_OK)
		return rat_error__set(RAT_ERROR, RAT_ERRCLASS_OS, "libcurl failed to start: %s",
				      rat_curl__fn.curl_easy_strerror(curl_init_result));
	return 0;
}
