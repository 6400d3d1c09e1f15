/*
 * storage/storage.h - one object-store interface over a local folder and S3.
 *
 * A store is rooted at a URL: "s3://bucket/prefix" (S3 through libcurl with
 * SigV4, path-style, endpoint/keys/region from the options, which a
 * workspace fills from its environment) or an absolute folder path (also
 * "file:///path").
 * Keys are relative to the root, '/'-separated, never starting with '/',
 * never holding "." or ".." segments (refused with RAT_EINVALID).
 *
 * Errors name the bucket and key (or the path), never credentials.
 * Transient failures (5xx, timeouts, dropped connections) are retried with
 * exponential backoff; a 4xx is reported at once ("s3://bucket/key: 403
 * AccessDenied: <message>"); a missing object is RAT_ENOTFOUND.
 *
 * Internal API (double underscore): used by src/table/ and later subsystems.
 */
#ifndef RAT_STORAGE_STORAGE_H
#define RAT_STORAGE_STORAGE_H

#include "util/common.h"
#include "util/buf.h"

typedef struct rat_store rat_store;

typedef struct rat_store_options {
	/* S3 settings (a workspace's come from S3_ENDPOINT, S3_ACCESS_KEY,
	 * S3_SECRET_KEY and S3_REGION); NULL: AWS, anonymous, region "us-east-1". */
	const char *endpoint;
	const char *access_key;
	const char *secret_key;
	const char *region;
	/* Uploads larger than this go in parts of this size (default 64 MiB; S3's minimum is 5 MiB). */
	uint64_t multipart_threshold;
	/* Attempts for a transient failure, the first included (default 5). */
	int max_attempts;
	/* First backoff delay in milliseconds, doubled at each retry (default 200). */
	int backoff_ms;
	/* Folder of the read cache for remote data files (default: no cache). */
	const char *cache_dir;
	/* Testing only: when > 0, every put after this many successful ones fails
	 * with RAT_EIO ("injected failure"), so writers can be crashed at each step. */
	int fail_after_puts;
} rat_store_options;

#define RAT_STORE_OPTIONS_INIT { NULL, NULL, NULL, NULL, 0, 0, 0, NULL, 0 }

/** out as in, owning copies of its strings (free with rat_store__options_free()). */
RAT_MUST_USE int rat_store__options_copy(rat_store_options *out, const rat_store_options *in);
/** Free the strings of options from rat_store__options_copy() (the secret is wiped first). */
void rat_store__options_free(rat_store_options *opts);

/** Counters of requests made (remote) or operations done (local). */
typedef struct rat_store_stats {
	uint64_t gets;       /* GET requests, ranged ones included; cache hits are not requests */
	uint64_t puts;       /* objects written (a multipart upload counts once) */
	uint64_t part_puts;  /* parts uploaded */
	uint64_t heads;
	uint64_t lists;      /* list requests (pages) */
	uint64_t deletes;
	uint64_t retries;    /* attempts repeated after a transient failure */
	uint64_t cache_hits;
	uint64_t bytes_in;
	uint64_t bytes_out;
} rat_store_stats;

typedef struct rat_store_object {
	char *key;     /* relative to the store root */
	uint64_t size;
	char *etag;    /* quotes removed; local: "<size>-<mtime ns>" */
	int64_t mtime_ms;
} rat_store_object;

typedef struct rat_store_list {
	rat_store_object *items;
	size_t count;
} rat_store_list;

/** Open a store rooted at url. opts may be NULL. */
RAT_MUST_USE int rat_store__open(rat_store **out, const char *url, const rat_store_options *opts);
void rat_store__free(rat_store *store);

/** True for an S3 store. */
bool rat_store__is_remote(const rat_store *store);
/** The URL (s3://bucket/prefix/key) or absolute path of a key. Free with free(). */
char *rat_store__url(const rat_store *store, const char *key);

/** Read a whole object into out (refused with RAT_ETOOBIG beyond max bytes). */
RAT_MUST_USE int rat_store__get(rat_store *store, const char *key, rat_buf *out, uint64_t max);
/** Read length bytes at offset. */
RAT_MUST_USE int rat_store__get_range(rat_store *store, const char *key, uint64_t offset,
				      uint64_t length, rat_buf *out);
/** Stream an object into a local file (written atomically: tmp + rename). */
RAT_MUST_USE int rat_store__get_file(rat_store *store, const char *key, const char *local_path);
/**
 * A local path holding the object's bytes, for engines that read files:
 * local store: the file itself; S3: a file in the read cache, downloaded once
 * (cache entries are keyed by URL + ETag; data files are immutable, so a
 * cached entry is used without a request). Free *out with free().
 */
RAT_MUST_USE int rat_store__local_path(rat_store *store, const char *key, char **out);

/** Write an object; readers see all of it or none. */
RAT_MUST_USE int rat_store__put(rat_store *store, const char *key, const void *data, size_t len);
/** Upload a local file; in parts above the multipart threshold. */
RAT_MUST_USE int rat_store__put_file(rat_store *store, const char *key, const char *local_path);
/**
 * As rat_store__put_file(), for a file the caller gives away: a local store
 * moves it into place (no copy) when it is on the same file system. The
 * file may be gone afterwards, whatever the outcome.
 */
RAT_MUST_USE int rat_store__put_file_consume(rat_store *store, const char *key,
					     const char *local_path);
/**
 * Write an object only if no object has that key: RAT_EEXISTS otherwise.
 * Local: atomic (link). S3: a conditional PUT (If-None-Match: *).
 */
RAT_MUST_USE int rat_store__put_new(rat_store *store, const char *key, const void *data,
				    size_t len);

/** Size, ETag and time of an object; RAT_ENOTFOUND if absent. */
RAT_MUST_USE int rat_store__head(rat_store *store, const char *key, rat_store_object *out);
/** Every object under prefix ("" for all), sorted by key, across all pages. */
RAT_MUST_USE int rat_store__list(rat_store *store, const char *prefix, rat_store_list *out);
/** Delete an object; deleting an absent one succeeds. */
RAT_MUST_USE int rat_store__delete(rat_store *store, const char *key);

/* One S3 request to sign for someone else (s3_sign.c: AWS Signature Version 4). */
typedef struct rat_s3_sign_request {
	const char *method;             /* GET, PUT, ... */
	const char *url;                /* as it will be sent: scheme://host[:port]/path?query */
	const char *const *headers;     /* name, value, name, value, ... */
	size_t header_count;            /* pairs */
	const char *region, *access_key, *secret_key;
	const char *amz_date;           /* YYYYMMDDTHHMMSSZ (UTC) */
} rat_s3_sign_request;

/*
 * The headers to send the request with, signed: its own (but Authorization
 * and x-amz-date), then x-amz-date, x-amz-content-sha256 (UNSIGNED-PAYLOAD
 * when it had none) and Authorization, as name, value pairs into out.
 */
RAT_MUST_USE int rat_s3__sign(rat_strarray *out, const rat_s3_sign_request *request);

void rat_store__object_free(rat_store_object *object);
void rat_store__list_free(rat_store_list *list);
void rat_store__stats(const rat_store *store, rat_store_stats *out);

#endif
