/*
 * storage/store.c - the object-store dispatcher: parses the root URL, picks
 * the backend (local folder or S3), checks every key before a backend sees
 * it, injects put failures for crash tests, and owns the shared list and
 * object helpers.
 */
#include "util/common.h"
#include "util/fs.h"
#include "storage/store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MULTIPART_THRESHOLD ((uint64_t)64 << 20)
#define MIN_PART_SIZE ((uint64_t)5 << 20)
#define DEFAULT_MAX_ATTEMPTS 5
#define DEFAULT_BACKOFF_MS 200
#define DEFAULT_STALL_SECONDS 60

static bool segment_is_bad(const char *seg, size_t len)
{
	return len == 0 || (len == 1 && seg[0] == '.') ||
	       (len == 2 && seg[0] == '.' && seg[1] == '.');
}

/* Check the segments of s; with partial_last the text after the last '/' may be anything. */
static int check_segments(const char *what, const char *s, bool partial_last)
{
	const char *seg = s, *slash;

	if (strlen(s) > RAT_STORE_KEY_MAX)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "%s is longer than %d bytes", what, RAT_STORE_KEY_MAX);
	if (s[0] == '/')
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "%s '%s' must be relative (no leading '/')", what, s);
	for (;;) {
		slash = strchr(seg, '/');
		if (!slash && partial_last)
			return 0;
		size_t len = slash ? (size_t)(slash - seg) : strlen(seg);
		if (segment_is_bad(seg, len))
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
					      "%s '%s' has an empty, '.' or '..' segment", what, s);
		if (len >= 9 && strncmp(seg, ".rat-tmp-", 9) == 0)
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
					      "%s '%s' uses the reserved name prefix '.rat-tmp-'",
					      what, s);
		if (!slash)
			return 0;
		seg = slash + 1;
	}
}

int rat_store__check_key(const char *key)
{
	if (!key || !key[0])
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "empty object key");
	return check_segments("object key", key, false);
}

int rat_store__check_prefix(const char *prefix)
{
	if (!prefix)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "NULL list prefix");
	if (!prefix[0])
		return 0;
	return check_segments("list prefix", prefix, true);
}

static int open_local(rat_store *store, const char *path)
{
	if (!path[0])
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "empty store path");
	if ((store->root = rat_fs__absolute(path)) == NULL)
		return RAT_ENOMEM;
	return rat_store__local_open(store);
}

/* "s3://bucket/some/prefix/" → bucket and prefix "some/prefix". */
static int open_s3(rat_store *store, const char *url, const rat_store_options *opts)
{
	const char *rest = url + 5, *slash = strchr(rest, '/');
	char *bucket = NULL, *prefix = NULL;
	size_t n;
	int error;

	bucket = slash ? rat__strndup(rest, (size_t)(slash - rest)) : rat__strdup(rest);
	prefix = rat__strdup(slash ? slash + 1 : "");
	if (!bucket || !prefix) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	n = strlen(prefix);
	while (n > 0 && prefix[n - 1] == '/')
		prefix[--n] = '\0';
	if (!bucket[0] || strspn(bucket, "abcdefghijklmnopqrstuvwxyz"
					  "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") != strlen(bucket)) {
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				       "%s: invalid bucket name '%s'", url, bucket);
		goto cleanup;
	}
	if (prefix[0] && (error = rat_store__check_key(prefix)) != 0) {
		rat_error__prefix("%s", url);
		goto cleanup;
	}
	store->root = prefix[0] ? rat__sprintf("s3://%s/%s", bucket, prefix)
				: rat__sprintf("s3://%s", bucket);
	if (!store->root) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	store->remote = true;
	error = rat_store__s3_open(store, bucket, prefix, opts);
cleanup:
	free(bucket);
	free(prefix);
	return error;
}

static int set_options(rat_store *store, const rat_store_options *opts)
{
	store->multipart_threshold = opts && opts->multipart_threshold
					     ? opts->multipart_threshold : DEFAULT_MULTIPART_THRESHOLD;
	store->max_attempts = opts && opts->max_attempts > 0 ? opts->max_attempts
							      : DEFAULT_MAX_ATTEMPTS;
	store->backoff_ms = opts && opts->backoff_ms > 0 ? opts->backoff_ms : DEFAULT_BACKOFF_MS;
	store->fail_after_puts = opts ? opts->fail_after_puts : 0;
	store->stall_seconds = DEFAULT_STALL_SECONDS;
	if (store->multipart_threshold < MIN_PART_SIZE)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "multipart_threshold %llu is below S3's minimum part size "
				      "of 5 MiB", (unsigned long long)store->multipart_threshold);
	if (opts && opts->cache_dir && opts->cache_dir[0] &&
	    (store->cache_dir = rat_fs__absolute(opts->cache_dir)) == NULL)
		return RAT_ENOMEM;
	return 0;
}

int rat_store__open(rat_store **out, const char *url, const rat_store_options *opts)
{
	rat_store *store = NULL;
	int error;

	*out = NULL;
	if (!url)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "NULL store URL");
	if ((store = rat__calloc(1, sizeof(*store))) == NULL)
		return RAT_ENOMEM;
	if ((error = set_options(store, opts)) != 0)
		goto cleanup;
	if (strncmp(url, "s3://", 5) == 0)
		error = open_s3(store, url, opts);
	else if (strncmp(url, "file://", 7) == 0)
		error = open_local(store, url + 7);
	else if (strstr(url, "://"))
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				       "unsupported store URL '%s' (s3://, file:// or a folder path)",
				       url);
	else
		error = open_local(store, url);
cleanup:
	if (error)
		rat_store__free(store);
	else
		*out = store;
	return error;
}

/* *out a copy of s (NULL stays NULL). */
static int copy_string(const char **out, const char *s)
{
	*out = NULL;
	if (s && (*out = rat__strdup(s)) == NULL)
		return RAT_ENOMEM;
	return 0;
}

int rat_store__options_copy(rat_store_options *out, const rat_store_options *in)
{
	int error;

	*out = *in;
	out->endpoint = out->access_key = out->secret_key = out->region = out->cache_dir = NULL;
	if ((error = copy_string(&out->endpoint, in->endpoint)) != 0 ||
	    (error = copy_string(&out->access_key, in->access_key)) != 0 ||
	    (error = copy_string(&out->secret_key, in->secret_key)) != 0 ||
	    (error = copy_string(&out->region, in->region)) != 0 ||
	    (error = copy_string(&out->cache_dir, in->cache_dir)) != 0)
		rat_store__options_free(out);
	return error;
}

void rat_store__options_free(rat_store_options *opts)
{
	if (opts->secret_key)
		memset((char *)opts->secret_key, 0, strlen(opts->secret_key));
	free((char *)opts->endpoint);
	free((char *)opts->access_key);
	free((char *)opts->secret_key);
	free((char *)opts->region);
	free((char *)opts->cache_dir);
	opts->endpoint = opts->access_key = opts->secret_key = opts->region = opts->cache_dir = NULL;
}

void rat_store__free(rat_store *store)
{
	if (!store)
		return;
	if (store->backend && store->backend->free)
		store->backend->free(store);
	free(store->root);
	free(store->cache_dir);
	free(store);
}

bool rat_store__is_remote(const rat_store *store)
{
	return store->remote;
}

char *rat_store__url(const rat_store *store, const char *key)
{
	if (!key || !key[0])
		return rat__strdup(store->root);
	return rat__sprintf("%s%s%s", store->root,
			    store->root[strlen(store->root) - 1] == '/' ? "" : "/", key);
}

void rat_store__set_list_page_size(rat_store *store, int page_size)
{
	store->list_page_size = page_size > 0 ? page_size : 0;
}

void rat_store__set_stall_timeout(rat_store *store, int seconds)
{
	store->stall_seconds = seconds > 0 ? seconds : DEFAULT_STALL_SECONDS;
}

int rat_store__get(rat_store *store, const char *key, rat_buf *out, uint64_t max)
{
	int error = rat_store__check_key(key);
	return error ? error : store->backend->get(store, key, out, max);
}

int rat_store__get_range(rat_store *store, const char *key, uint64_t offset, uint64_t length,
			 rat_buf *out)
{
	int error = rat_store__check_key(key);
	if (error)
		return error;
	if (offset > UINT64_MAX - length)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "%s: range offset %llu + length %llu overflows", key,
				      (unsigned long long)offset, (unsigned long long)length);
	if (length == 0)
		return rat_buf_put(out, "", 0);
	return store->backend->get_range(store, key, offset, length, out);
}

int rat_store__get_file(rat_store *store, const char *key, const char *local_path)
{
	int error = rat_store__check_key(key);
	return error ? error : store->backend->get_file(store, key, local_path);
}

int rat_store__local_path(rat_store *store, const char *key, char **out)
{
	int error;

	*out = NULL;
	if ((error = rat_store__check_key(key)) != 0)
		return error;
	return store->backend->local_path(store, key, out);
}

/* The fail_after_puts injection, checked before every kind of put. */
static int injected(rat_store *store, const char *key)
{
	char *url;

	if (store->fail_after_puts <= 0 || store->puts_done < (uint64_t)store->fail_after_puts)
		return 0;
	url = rat_store__url(store, key);
	rat_error__set(RAT_EIO, RAT_ERRCLASS_OS, "%s: injected failure after %d puts",
		       url ? url : key, store->fail_after_puts);
	free(url);
	return RAT_EIO;
}

static int put(rat_store *store, const char *key, const void *data, size_t len, bool only_new)
{
	int error;

	if ((error = rat_store__check_key(key)) != 0 || (error = injected(store, key)) != 0)
		return error;
	if (!data && len)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "%s: NULL data", key);
	if ((error = store->backend->put(store, key, data ? data : "", len, only_new)) == 0)
		store->puts_done++;
	return error;
}

int rat_store__put(rat_store *store, const char *key, const void *data, size_t len)
{
	return put(store, key, data, len, false);
}

int rat_store__put_new(rat_store *store, const char *key, const void *data, size_t len)
{
	return put(store, key, data, len, true);
}

static int put_file(rat_store *store, const char *key, const char *local_path, bool consume)
{
	int error;

	if ((error = rat_store__check_key(key)) != 0 || (error = injected(store, key)) != 0)
		return error;
	if ((error = store->backend->put_file(store, key, local_path, consume)) == 0)
		store->puts_done++;
	return error;
}

int rat_store__put_file(rat_store *store, const char *key, const char *local_path)
{
	return put_file(store, key, local_path, false);
}

int rat_store__put_file_consume(rat_store *store, const char *key, const char *local_path)
{
	return put_file(store, key, local_path, true);
}

int rat_store__head(rat_store *store, const char *key, rat_store_object *out)
{
	int error;

	memset(out, 0, sizeof(*out));
	if ((error = rat_store__check_key(key)) != 0)
		return error;
	return store->backend->head(store, key, out);
}

int rat_store__list(rat_store *store, const char *prefix, rat_store_list *out)
{
	int error;

	out->items = NULL;
	out->count = 0;
	if ((error = rat_store__check_prefix(prefix)) != 0)
		return error;
	if ((error = store->backend->list(store, prefix, out)) != 0) {
		rat_store__list_free(out);
		return error;
	}
	rat_store__list_sort(out);
	return 0;
}

int rat_store__delete(rat_store *store, const char *key)
{
	int error = rat_store__check_key(key);
	return error ? error : store->backend->del(store, key);
}

void rat_store__object_free(rat_store_object *object)
{
	if (!object)
		return;
	free(object->key);
	free(object->etag);
	object->key = object->etag = NULL;
}

void rat_store__list_free(rat_store_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->count; i++)
		rat_store__object_free(&list->items[i]);
	free(list->items);
	list->items = NULL;
	list->count = 0;
}

void rat_store__stats(const rat_store *store, rat_store_stats *out)
{
	*out = store->stats;
}

int rat_store__list_push(rat_store_list *list, const char *key, uint64_t size, const char *etag,
			 int64_t mtime_ms)
{
	rat_store_object *item;

	/* the capacity is 16, then doubles: full when count is 16, 32, 64... */
	if (list->count == 0 || (list->count >= 16 && (list->count & (list->count - 1)) == 0)) {
		size_t cap = list->count ? list->count * 2 : 16;
		void *p = rat__realloc(list->items, cap * sizeof(*list->items));
		if (!p)
			return RAT_ENOMEM;
		list->items = p;
	}
	item = &list->items[list->count];
	memset(item, 0, sizeof(*item));
	item->key = rat__strdup(key);
	item->etag = rat__strdup(etag ? etag : "");
	if (!item->key || !item->etag) {
		rat_store__object_free(item);
		return RAT_ENOMEM;
	}
	item->size = size;
	item->mtime_ms = mtime_ms;
	list->count++;
	return 0;
}

static int compare_objects(const void *a, const void *b)
{
	return strcmp(((const rat_store_object *)a)->key, ((const rat_store_object *)b)->key);
}

void rat_store__list_sort(rat_store_list *list)
{
	if (list->count > 1)
		qsort(list->items, list->count, sizeof(*list->items), compare_objects);
}
