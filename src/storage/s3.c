/*
 * storage/s3.c - the S3 backend: settings, and the reads, listing and
 * deletion that are one request each (uploads are in s3_upload.c, downloads
 * to files and the read cache in s3_cache.c).
 *
 * Requests are path-style (<endpoint>/<bucket>/<key>), signed with SigV4 by
 * libcurl. A store keeps one curl handle, so the connection is reused; a
 * store is used by one thread at a time.
 */
#include "util/common.h"
#include "util/buf.h"
#include "storage/s3_internal.h"
#include "storage/xml.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

char *rat_s3__full_key(const rat_store *store, const char *key)
{
	const rat_s3 *s3 = store->backend_data;

	if (!s3->prefix[0])
		return rat__strdup(key);
	return rat__sprintf("%s/%s", s3->prefix, key);
}

/* Read one object (or a range of it) into out. */
static int s3_read(rat_store *store, const char *key, rat_s3_request *req, rat_buf *out,
		   uint64_t max)
{
	rat_s3_sink sink = { out, out->len, -1, max, 0, 0 };
	rat_s3_response resp = { 0 };
	int error;

	req->method = "GET";
	req->key = key;
	req->sink = &sink;
	req->counter = &store->stats.gets;
	if ((error = rat_s3__request(store, req, &resp)) == 0)
		error = rat_buf_put(out, "", 0);
	if (error)
		out->len = sink.base;
	rat_s3__response_free(&resp);
	return error;
}

static int s3_get(rat_store *store, const char *key, rat_buf *out, uint64_t max)
{
	rat_s3_request req = { 0 };
	return s3_read(store, key, &req, out, max);
}

static int s3_get_range(rat_store *store, const char *key, uint64_t offset, uint64_t length,
			rat_buf *out)
{
	rat_s3_request req = { 0 };
	size_t base = out->len;
	char *url;
	int error;

	req.ranged = true;
	req.range_start = offset;
	req.range_len = length;
	if ((error = s3_read(store, key, &req, out, length)) != 0)
		return error;
	if (out->len - base == length)
		return 0;
	out->len = base;
	url = rat_store__url(store, key);
	error = rat_s3__fail(store, RAT_EINVALID,
			     "%s: range %llu-%llu is beyond the end of the object", url ? url : key,
			     (unsigned long long)offset, (unsigned long long)(offset + length - 1));
	free(url);
	return error;
}

static int s3_get_file(rat_store *store, const char *key, const char *local_path)
{
	return rat_s3__download(store, key, local_path, NULL);
}

static int s3_head(rat_store *store, const char *key, rat_store_object *out)
{
	rat_s3_request req = { 0 };
	rat_s3_response resp = { 0 };
	int error;

	req.method = "HEAD";
	req.key = key;
	req.counter = &store->stats.heads;
	if ((error = rat_s3__request(store, &req, &resp)) != 0)
		goto cleanup;
	out->key = rat__strdup(key);
	out->etag = rat__strdup(resp.etag ? resp.etag : "");
	out->size = resp.content_length;
	out->mtime_ms = resp.mtime_ms;
	if (!out->key || !out->etag) {
		rat_store__object_free(out);
		error = RAT_ENOMEM;
	}
cleanup:
	rat_s3__response_free(&resp);
	return error;
}

/* "2009-10-12T17:50:30.000Z" → milliseconds since the epoch (0 if unreadable). */
static int64_t parse_iso_time(const char *s)
{
	struct tm tm;
	int ms = 0;

	memset(&tm, 0, sizeof(tm));
	if (!s || sscanf(s, "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
			 &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6)
		return 0;
	const char *dot = strchr(s, '.');
	if (dot && sscanf(dot + 1, "%3d", &ms) != 1)
		ms = 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	return (int64_t)timegm(&tm) * 1000 + ms;
}

/* One <Contents> element of a list page. */
static int add_contents(rat_store *store, const rat_xml_node *contents, rat_store_list *out)
{
	const rat_s3 *s3 = store->backend_data;
	const char *key = rat_xml__child_text(contents, "Key");
	const char *size = rat_xml__child_text(contents, "Size");
	const char *etag = rat_xml__child_text(contents, "ETag");
	char *bare = NULL;
	size_t skip = s3->prefix[0] ? strlen(s3->prefix) + 1 : 0;
	int error = 0;

	if (!key || !size) {
		error = rat_s3__fail(store, RAT_EIO, "%s: list answer has an entry without %s",
				     store->root, key ? "Size" : "Key");
		goto cleanup;
	}
	/* keys outside the root (cannot happen with a correct server) are not ours */
	if (strlen(key) <= skip || (skip && (strncmp(key, s3->prefix, skip - 1) != 0 ||
					     key[skip - 1] != '/')))
		goto cleanup;
	if (etag && (bare = rat_s3__unquote(etag, strlen(etag))) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	error = rat_store__list_push(out, key + skip, strtoull(size, NULL, 10), bare,
				     parse_iso_time(rat_xml__child_text(contents, "LastModified")));
cleanup:
	free(bare);
	return error;
}

/* Parse a ListObjectsV2 page; *token receives NextContinuationToken when truncated. */
static int parse_page(rat_store *store, const rat_buf *body, rat_store_list *out, char **token)
{
	const rat_xml_node *page, *contents;
	const char *truncated, *next;
	rat_xml *doc = NULL;
	int error;

	*token = NULL;
	if ((error = rat_s3__answer(store, body, store->root, "list", "ListBucketResult", &doc)))
		return error;
	page = rat_xml__root(doc);
	for (contents = rat_xml__child(page, "Contents"); !error && contents;
	     contents = rat_xml__next(contents))
		error = add_contents(store, contents, out);
	truncated = rat_xml__child_text(page, "IsTruncated");
	if (!error && truncated && strcmp(truncated, "true") == 0) {
		next = rat_xml__child_text(page, "NextContinuationToken");
		if (!next || !next[0])
			error = rat_s3__fail(store, RAT_EIO, "%s: truncated list answer without "
					     "NextContinuationToken", store->root);
		else if ((*token = rat__strdup(next)) == NULL)
			error = RAT_ENOMEM;
	}
	rat_xml__free(doc);
	return error;
}

static int list_query(rat_store *store, const char *prefix, const char *token, rat_buf *q)
{
	int error = 0;

	rat_buf_clear(q);
	if (token) {
		error = rat_buf_puts(q, "continuation-token=");
		if (!error)
			error = rat_s3__encode(q, token, false);
		if (!error)
			error = rat_buf_putc(q, '&');
	}
	if (!error)
		error = rat_buf_puts(q, "list-type=2");
	if (!error && store->list_page_size)
		error = rat_buf_printf(q, "&max-keys=%d", store->list_page_size);
	if (!error)
		error = rat_buf_puts(q, "&prefix=");
	if (!error)
		error = rat_s3__encode(q, prefix, false);
	return error;
}

static int s3_list(rat_store *store, const char *prefix, rat_store_list *out)
{
	rat_buf query = RAT_BUF_INIT;
	rat_s3_response resp = { 0 };
	char *full = NULL, *token = NULL, *next = NULL;
	int error, pages = 0;

	if ((full = rat_s3__full_key(store, prefix)) == NULL)
		return RAT_ENOMEM;
	do {
		rat_s3_request req = { 0 };
		req.method = "GET";
		req.key = prefix;
		req.bucket = true;
		req.counter = &store->stats.lists;
		if ((error = list_query(store, full, token, &query)) != 0)
			break;
		req.query = rat_buf_cstr(&query);
		if ((error = rat_s3__request(store, &req, &resp)) != 0 ||
		    (error = parse_page(store, &resp.body, out, &next)) != 0)
			break;
		free(token);
		token = next;
		next = NULL;
		if (++pages > 1000000)
			error = rat_s3__fail(store, RAT_ETOOBIG, "%s: more than a million list pages",
					     store->root);
	} while (!error && token);
	rat_buf_free(&query);
	rat_s3__response_free(&resp);
	free(token);
	free(next);
	free(full);
	return error;
}

static int s3_del(rat_store *store, const char *key)
{
	rat_s3_request req = { 0 };
	rat_s3_response resp = { 0 };
	int error;

	req.method = "DELETE";
	req.key = key;
	req.counter = &store->stats.deletes;
	error = rat_s3__request(store, &req, &resp);
	if (error == RAT_ENOTFOUND && strstr(rat_buf_cstr(&resp.body), "NoSuchKey"))
		error = 0; /* S3 itself answers 204 for an absent key; some servers 404 */
	rat_s3__response_free(&resp);
	return error;
}

static int s3_put(rat_store *store, const char *key, const void *data, size_t len,
		  bool only_new)
{
	rat_s3_source src = { data, -1, 0, len, 0, 0, NULL };
	return rat_s3__upload(store, key, &src, only_new);
}

static int s3_put_file(rat_store *store, const char *key, const char *local_path, bool consume)
{
	(void)consume; /* an upload leaves the file where it is */
	rat_s3_source src = { NULL, -1, 0, 0, 0, 0, local_path };
	struct stat st;
	int error;

	if ((src.fd = open(local_path, O_RDONLY | O_CLOEXEC)) < 0)
		return rat_error__os(errno == ENOENT ? RAT_ENOTFOUND : RAT_EIO, "%s", local_path);
	if (fstat(src.fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				       "%s: not a regular file", local_path);
		goto cleanup;
	}
	src.len = (uint64_t)st.st_size;
	error = rat_s3__upload(store, key, &src, false);
cleanup:
	close(src.fd);
	return error;
}

static void s3_free(rat_store *store)
{
	rat_s3 *s3 = store->backend_data;

	if (!s3)
		return;
	if (s3->curl)
		curl_easy_cleanup(s3->curl);
	if (s3->secret_key)
		memset(s3->secret_key, 0, strlen(s3->secret_key));
	free(s3->endpoint);
	free(s3->bucket);
	free(s3->prefix);
	free(s3->sigv4);
	free(s3->access_key);
	free(s3->secret_key);
	free(s3);
	store->backend_data = NULL;
}

static const rat_store_backend s3_backend = {
	s3_get, s3_get_range, s3_get_file, rat_s3__local_path, s3_put,
	s3_put_file, s3_head, s3_list, s3_del, s3_free,
};

/* An option, else fallback (may be NULL). */
static const char *setting(const char *option, const char *fallback)
{
	return option && option[0] ? option : fallback;
}

static int set_endpoint(rat_store *store, rat_s3 *s3, const char *endpoint, const char *region)
{
	size_t n;

	if (!endpoint)
		s3->endpoint = rat__sprintf("https://s3.%s.amazonaws.com", region);
	else if (strncmp(endpoint, "http://", 7) && strncmp(endpoint, "https://", 8))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
				      "%s: S3 endpoint '%s' must start with http:// or https://",
				      store->root, endpoint);
	else if (strchr(endpoint, '@'))
		/* the text is not repeated: it may hold a password */
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
				      "%s: the S3 endpoint must not hold credentials (user@host); "
				      "use S3_ACCESS_KEY and S3_SECRET_KEY", store->root);
	else
		s3->endpoint = rat__strdup(endpoint);
	if (!s3->endpoint)
		return RAT_ENOMEM;
	n = strlen(s3->endpoint);
	while (n > 0 && s3->endpoint[n - 1] == '/')
		s3->endpoint[--n] = '\0';
	return 0;
}

int rat_store__s3_open(rat_store *store, const char *bucket, const char *prefix,
		       const rat_store_options *opts)
{
	const char *region = setting(opts ? opts->region : NULL, "us-east-1");
	const char *access = setting(opts ? opts->access_key : NULL, NULL);
	const char *secret = setting(opts ? opts->secret_key : NULL, NULL);
	rat_s3 *s3;
	int error;

	if ((error = rat_curl__start()) != 0)
		return error;
	if ((s3 = rat__calloc(1, sizeof(*s3))) == NULL)
		return RAT_ENOMEM;
	store->backend = &s3_backend;
	store->backend_data = s3;
	if ((error = set_endpoint(store, s3, setting(opts ? opts->endpoint : NULL, NULL), region)) != 0)
		return error;
	if ((access == NULL) != (secret == NULL))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
				      "%s: S3 needs both an access key and a secret key (%s is missing)",
				      store->root, access ? "S3_SECRET_KEY" : "S3_ACCESS_KEY");
	s3->bucket = rat__strdup(bucket);
	s3->prefix = rat__strdup(prefix);
	s3->sigv4 = rat__sprintf("aws:amz:%s:s3", region);
	s3->access_key = access ? rat__strdup(access) : NULL;
	s3->secret_key = secret ? rat__strdup(secret) : NULL;
	s3->curl = curl_easy_init();
	s3->seed = (unsigned int)time(NULL) ^ (unsigned int)getpid();
	if (!s3->bucket || !s3->prefix || !s3->sigv4 || (access && !s3->access_key) ||
	    (secret && !s3->secret_key))
		return RAT_ENOMEM;
	if (!s3->curl)
		return rat_error__set(RAT_ERROR, RAT_ERRCLASS_OS, "libcurl: cannot make a handle");
	return 0;
}
