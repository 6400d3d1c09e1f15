/*
 * storage/s3_cache.c - S3 objects as local files: downloads written
 * atomically, and the read cache behind rat_store__local_path().
 *
 * A cache entry is "<cache_dir>/<sha256 of the URL>-<ETag>". Data files are
 * immutable (UUID names), so any entry for a URL is used as it is, without a
 * request; the ETag in the name tells versions apart should a key be
 * rewritten. Downloads land in a ".rat-tmp-" file of the same folder and are
 * renamed into place once complete, so readers never see half a file.
 */
#include "util/common.h"
#include "util/fs.h"
#include "storage/s3_internal.h"
#include "util/sha256.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ETAG_NAME_MAX 128

/* GET key into a new temporary file in dir; *tmp is its path, *etag the object's ETag. */
static int download_tmp(rat_store *store, const char *key, const char *dir, char **tmp,
			char **etag)
{
	static unsigned long counter;
	rat_s3_sink sink = { NULL, 0, -1, UINT64_MAX, 0, 0 };
	rat_s3_request req = { 0 };
	rat_s3_response resp = { 0 };
	int error;

	*tmp = NULL;
	*etag = NULL;
	if ((error = rat_fs__mkdir_p(dir)) != 0)
		return error;
	if ((*tmp = rat__sprintf("%s/.rat-tmp-%ld-%lu", dir, (long)getpid(),
				 __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED))) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((sink.fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0) {
		error = rat_error__os(RAT_EIO, "cannot create %s", *tmp);
		goto cleanup;
	}
	req.method = "GET";
	req.key = key;
	req.sink = &sink;
	req.counter = &store->stats.gets;
	if ((error = rat_s3__request(store, &req, &resp)) != 0)
		goto cleanup;
	if (fsync(sink.fd) < 0)
		error = rat_error__os(RAT_EIO, "writing %s", *tmp);
	*etag = resp.if_match ? resp.if_match : resp.etag;
	if (*etag == resp.if_match)
		resp.if_match = NULL;
	else
		resp.etag = NULL;
cleanup:
	if (sink.fd >= 0 && close(sink.fd) < 0 && !error)
		error = rat_error__os(RAT_EIO, "writing %s", *tmp);
	if (error && *tmp) {
		unlink(*tmp);
		free(*tmp);
		*tmp = NULL;
	}
	if (error) {
		free(*etag);
		*etag = NULL;
	}
	rat_s3__response_free(&resp);
	return error;
}

static int move_into_place(const char *tmp, const char *path)
{
	if (rename(tmp, path) == 0)
		return 0;
	int error = rat_error__os(RAT_EIO, "cannot rename into place %s", path);
	unlink(tmp);
	return error;
}

int rat_s3__download(rat_store *store, const char *key, const char *path, char **etag)
{
	char *abs = rat_fs__absolute(path), *dir = NULL, *tmp = NULL, *tag = NULL;
	int error;

	if (etag)
		*etag = NULL;
	if (!abs || (dir = rat_fs__dirname(abs)) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = download_tmp(store, key, dir, &tmp, &tag)) != 0 ||
	    (error = move_into_place(tmp, abs)) != 0)
		goto cleanup;
	if (etag) {
		*etag = tag;
		tag = NULL;
	}
cleanup:
	free(tag);
	free(tmp);
	free(dir);
	free(abs);
	return error;
}

/* An existing entry "<hex>-..." of the cache folder, or NULL. */
static int find_entry(const char *cache_dir, const char *hex, char **out)
{
	DIR *dir = opendir(cache_dir);
	struct dirent *entry;
	int error = 0;

	*out = NULL;
	if (!dir)
		return errno == ENOENT ? 0 : rat_error__os(RAT_EIO, "%s", cache_dir);
	while ((entry = readdir(dir)) != NULL) {
		if (strncmp(entry->d_name, hex, 64) == 0 && entry->d_name[64] == '-') {
			if ((*out = rat_fs__join(cache_dir, entry->d_name)) == NULL)
				error = RAT_ENOMEM;
			break;
		}
	}
	closedir(dir);
	return error;
}

/* The ETag as a file name part: letters, digits, '-', '_' and '.', at most 128. */
static void etag_name(const char *etag, char *out)
{
	size_t i;

	for (i = 0; etag && etag[i] && i < ETAG_NAME_MAX; i++) {
		char c = etag[i];
		bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			     (c >= '0' && c <= '9') || c == '-' || c == '_' || (c == '.' && i > 0);
		out[i] = plain ? c : '_';
	}
	if (i == 0)
		memcpy(out, "none", (i = 4));
	out[i] = '\0';
}

int rat_s3__local_path(rat_store *store, const char *key, char **out)
{
	char hex[65], name[ETAG_NAME_MAX + 1], *url = rat_store__url(store, key);
	char *entry = NULL, *tmp = NULL, *etag = NULL;
	int error;

	if (!url)
		return RAT_ENOMEM;
	if (!store->cache_dir) {
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				       "%s: a local path for an S3 object needs a cache_dir", url);
		goto cleanup;
	}
	if ((error = rat_sha256__hex(url, strlen(url), hex)) != 0 ||
	    (error = find_entry(store->cache_dir, hex, &entry)) != 0)
		goto cleanup;
	if (entry) {
		store->stats.cache_hits++;
		goto cleanup;
	}
	if ((error = download_tmp(store, key, store->cache_dir, &tmp, &etag)) != 0)
		goto cleanup;
	etag_name(etag, name);
	if ((entry = rat__sprintf("%s/%s-%s", store->cache_dir, hex, name)) == NULL) {
		unlink(tmp);
		error = RAT_ENOMEM;
		goto cleanup;
	}
	error = move_into_place(tmp, entry);
cleanup:
	if (error) {
		free(entry);
		entry = NULL;
	}
	*out = entry;
	free(etag);
	free(tmp);
	free(url);
	return error;
}
