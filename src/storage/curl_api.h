/*
 * storage/curl_api.h - libcurl, loaded when the first S3 store or server client opens
 * (curl_api.c), not when a program starts: libcurl and what it needs
 * (TLS, Kerberos, LDAP, ...) are a good part of what starting rat costs, and
 * a workspace on a local disk never needs them.
 *
 * The S3 files call curl_x() as usual: each name used is defined here as
 * the function of that name loaded from libcurl (curl_easy_setopt without
 * the type checks curl's header adds under GCC). A function is added to
 * RAT_CURL_FUNCTIONS when the code first calls it. rat_curl__start() runs
 * where an S3 store opens (s3.c) and where a client of `rat serve` opens
 * (remote/http.c); nothing else runs before one is open.
 */
#ifndef RAT_STORAGE_CURL_API_H
#define RAT_STORAGE_CURL_API_H

#include <curl/curl.h>

#include "util/common.h"

#define RAT_CURL_FUNCTIONS(X) \
	X(curl_easy_cleanup) \
	X(curl_easy_getinfo) \
	X(curl_easy_init) \
	X(curl_easy_perform) \
	X(curl_easy_reset) \
	X(curl_easy_setopt) \
	X(curl_easy_strerror) \
	X(curl_getdate) \
	X(curl_global_init) \
	X(curl_slist_append) \
	X(curl_slist_free_all)

typedef struct rat_curl_api {
#define RAT_CURL_FIELD(name) __typeof__(&name) name;
	RAT_CURL_FUNCTIONS(RAT_CURL_FIELD)
#undef RAT_CURL_FIELD
} rat_curl_api;

extern rat_curl_api rat_curl__fn;

/**
 * Load libcurl and every function of RAT_CURL_FUNCTIONS, once per process
 * (later calls return what the first found): 0, or RAT_EIO naming the
 * library and what failed.
 */
RAT_MUST_USE int rat_curl__load(void);
/** rat_curl__load(), then curl_global_init() once per process: what every user of libcurl calls first. */
RAT_MUST_USE int rat_curl__start(void);

#ifndef RAT_CURL_API_LOADER
#undef curl_easy_cleanup
#define curl_easy_cleanup (rat_curl__fn.curl_easy_cleanup)
#undef curl_easy_getinfo
#define curl_easy_getinfo (rat_curl__fn.curl_easy_getinfo)
#undef curl_easy_init
#define curl_easy_init (rat_curl__fn.curl_easy_init)
#undef curl_easy_perform
#define curl_easy_perform (rat_curl__fn.curl_easy_perform)
#undef curl_easy_reset
#define curl_easy_reset (rat_curl__fn.curl_easy_reset)
#undef curl_easy_setopt
#define curl_easy_setopt (rat_curl__fn.curl_easy_setopt)
#undef curl_easy_strerror
#define curl_easy_strerror (rat_curl__fn.curl_easy_strerror)
#undef curl_getdate
#define curl_getdate (rat_curl__fn.curl_getdate)
#undef curl_global_init
#define curl_global_init (rat_curl__fn.curl_global_init)
#undef curl_slist_append
#define curl_slist_append (rat_curl__fn.curl_slist_append)
#undef curl_slist_free_all
#define curl_slist_free_all (rat_curl__fn.curl_slist_free_all)
#endif

#endif
