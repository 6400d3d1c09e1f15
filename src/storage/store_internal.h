/*
 * storage/store_internal.h - what the store dispatcher (store.c) shares with
 * its backends (local.c, s3.c): the backend table, the store structure and
 * the key checks.
 *
 * Design: store.c validates keys, counts injected failures and turns the
 * header's calls into calls through a table of backend functions; a backend
 * sees only keys already checked and relative to the store root.
 */
#ifndef RAT_STORAGE_STORE_INTERNAL_H
#define RAT_STORAGE_STORE_INTERNAL_H

#include "storage/storage.h"

/* S3's limit on key length, applied to every backend. */
#define RAT_STORE_KEY_MAX 1024

typedef struct rat_store_backend {
	int (*get)(rat_store *store, const char *key, rat_buf *out, uint64_t max);
	int (*get_range)(rat_store *store, const char *key, uint64_t offset, uint64_t length,
			 rat_buf *out);
	int (*get_file)(rat_store *store, const char *key, const char *local_path);
	int (*local_path)(rat_store *store, const char *key, char **out);
	/* only_new: fail with RAT_EEXISTS if the key exists (atomically where possible) */
	int (*put)(rat_store *store, const char *key, const void *data, size_t len, bool only_new);
	/* consume: local_path is the caller's to give away (a local store may move it) */
	int (*put_file)(rat_store *store, const char *key, const char *local_path, bool consume);
	int (*head)(rat_store *store, const char *key, rat_store_object *out);
	/* every object whose key starts with prefix, in any order */
	int (*list)(rat_store *store, const char *prefix, rat_store_list *out);
	int (*del)(rat_store *store, const char *key);
	void (*free)(rat_store *store);
} rat_store_backend;

struct rat_store {
	const rat_store_backend *backend;
	bool remote;
	char *root;            /* local: absolute folder; S3: "s3://bucket" or "s3://bucket/prefix" */
	rat_store_stats stats;
	uint64_t multipart_threshold;
	int max_attempts;
	int backoff_ms;
	char *cache_dir;       /* NULL: no read cache */
	int fail_after_puts;
	uint64_t puts_done;    /* successful puts, for fail_after_puts */
	int list_page_size;    /* S3 max-keys; 0: the server's default (testing knob) */
	int stall_seconds;     /* a transfer this long without a byte is a timeout */
	void *backend_data;
};

/** Open the local backend on an absolute, normalised folder path (store fields set by the caller). */
RAT_MUST_USE int rat_store__local_open(rat_store *store);
/** Open the S3 backend for bucket/prefix (prefix "" or without slashes at either end). */
RAT_MUST_USE int rat_store__s3_open(rat_store *store, const char *bucket, const char *prefix,
				    const rat_store_options *opts);

/** RAT_EINVALID (with a message) unless key is a valid object key. */
RAT_MUST_USE int rat_store__check_key(const char *key);
/** RAT_EINVALID unless prefix is "" or a valid key start (its complete segments valid). */
RAT_MUST_USE int rat_store__check_prefix(const char *prefix);
/** Append an object to a list; key and etag are copied. */
RAT_MUST_USE int rat_store__list_push(rat_store_list *list, const char *key, uint64_t size,
				      const char *etag, int64_t mtime_ms);
/** Sort a list by key (byte order, as S3 does). */
void rat_store__list_sort(rat_store_list *list);

/**
 * Testing knob: the page size of S3 list requests (max-keys), so paging is
 * exercised without thousands of objects. 0 restores the server default.
 */
void rat_store__set_list_page_size(rat_store *store, int page_size);
/**
 * Testing knob: how long an S3 transfer may go without receiving or sending
 * a byte before it times out (and is retried). Default 60 s; <= 0 restores it.
 */
void rat_store__set_stall_timeout(rat_store *store, int seconds);

#endif
