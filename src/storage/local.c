/*
 * storage/local.c - the local-folder backend: a key is a file under the root.
 *
 * Writes go to a temporary file in the target's folder (".rat-tmp-<pid>-<n>",
 * a name keys may not use and listings skip), are fsynced, then renamed into
 * place, or linked for put_new so that creating an absent key is atomic.
 * Deleting prunes the folders it leaves empty, up to the root.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/fs.h"
#include "storage/store_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TMP_PREFIX ".rat-tmp-"
#define MAX_DEPTH 64
#define CHUNK 65536

static char *path_of(const rat_store *store, const char *key)
{
	return rat_fs__join(store->root, key);
}

static int open_object(const char *path, int *fd, struct stat *st)
{
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	if (*fd < 0)
		return rat_error__os(errno == ENOENT || errno == ENOTDIR ? RAT_ENOTFOUND : RAT_EIO,
				     "%s", path);
	if (fstat(*fd, st) < 0)
		st->st_mode = 0;
	if (!S_ISREG(st->st_mode)) {
		int error = S_ISDIR(st->st_mode)
				    ? rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_OS,
						     "%s: is a folder, not an object", path)
				    : rat_error__os(RAT_EIO, "%s", path);
		close(*fd);
		*fd = -1;
		return error;
	}
	return 0;
}

/* Read exactly len bytes at offset into out. */
static int read_at(int fd, const char *path, uint64_t offset, uint64_t len, rat_buf *out)
{
	char chunk[CHUNK];
	int error;

	while (len > 0) {
		size_t want = len < sizeof(chunk) ? (size_t)len : sizeof(chunk);
		ssize_t n = pread(fd, chunk, want, (off_t)offset);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return rat_error__os(RAT_EIO, "reading %s", path);
		if (n == 0)
			return rat_error__set(RAT_EIO, RAT_ERRCLASS_OS, "%s: shrank while read", path);
		if ((error = rat_buf_put(out, chunk, (size_t)n)) != 0)
			return error;
		offset += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return rat_buf_put(out, "", 0);
}

static int local_read(rat_store *store, const char *key, bool whole, uint64_t offset,
		      uint64_t length, uint64_t max, rat_buf *out)
{
	char *path = path_of(store, key);
	size_t start_len = out->len;
	struct stat st;
	int fd = -1, error;

	if (!path)
		return RAT_ENOMEM;
	store->stats.gets++;
	if ((error = open_object(path, &fd, &st)) != 0)
		goto cleanup;
	if (whole && (uint64_t)st.st_size > max) {
		error = rat_error__set(RAT_ETOOBIG, RAT_ERRCLASS_INVALID,
				       "%s: object of %lld bytes exceeds the %llu-byte limit", path,
				       (long long)st.st_size, (unsigned long long)max);
		goto cleanup;
	}
	if (whole)
		length = (uint64_t)st.st_size;
	else if (offset + length > (uint64_t)st.st_size) {
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				       "%s: range %llu-%llu is beyond the end of the object (%lld bytes)",
				       path, (unsigned long long)offset,
				       (unsigned long long)(offset + length - 1), (long long)st.st_size);
		goto cleanup;
	}
	error = read_at(fd, path, offset, length, out);
	if (!error)
		store->stats.bytes_in += length;
cleanup:
	if (error)
		out->len = start_len;
	if (fd >= 0)
		close(fd);
	free(path);
	return error;
}

static int local_get(rat_store *store, const char *key, rat_buf *out, uint64_t max)
{
	return local_read(store, key, true, 0, 0, max, out);
}

static int local_get_range(rat_store *store, const char *key, uint64_t offset, uint64_t length,
			   rat_buf *out)
{
	return local_read(store, key, false, offset, length, 0, out);
}

static int copy_fd(int from, int to, const char *from_path, const char *to_path, uint64_t *n)
{
	char chunk[CHUNK];
	ssize_t got;

	*n = 0;
	while ((got = read(from, chunk, sizeof(chunk))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return rat_error__os(RAT_EIO, "reading %s", from_path);
		if (rat_fs__write_all(to, chunk, (size_t)got) < 0)
			return rat_error__os(RAT_EIO, "writing %s", to_path);
		*n += (uint64_t)got;
	}
	return 0;
}

static void sync_folder(const char *path)
{
	rat__ignore(rat_fs__sync(path, true)); /* best effort: the file itself is synced */
}

/*
 * Write data (or, with data NULL, the content of src_fd) to a new temporary
 * file beside target, fsynced; *tmp receives its path (free it).
 */
static int fill_tmp(const char *target, const void *data, size_t len, int src_fd,
		    const char *src_path, char **tmp, uint64_t *written)
{
	static unsigned long counter;
	char *dir = rat_fs__dirname(target);
	int fd = -1, error = 0;

	*tmp = NULL;
	if (!dir)
		return RAT_ENOMEM;
	if ((error = rat_fs__mkdir_p(dir)) != 0)
		goto cleanup;
	*tmp = rat__sprintf("%s/" TMP_PREFIX "%ld-%lu", dir, (long)getpid(),
			    __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
	if (!*tmp) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0) {
		error = rat_error__os(RAT_EIO, "cannot create %s", *tmp);
		goto cleanup;
	}
	*written = len;
	if (data && rat_fs__write_all(fd, data, len) < 0) {
		error = rat_error__os(RAT_EIO, "writing %s", target);
		goto cleanup;
	}
	if (!data && (error = copy_fd(src_fd, fd, src_path, target, written)) != 0)
		goto cleanup;
	if (fsync(fd) < 0)
		error = rat_error__os(RAT_EIO, "writing %s", target);
cleanup:
	if (fd >= 0 && close(fd) < 0 && !error)
		error = rat_error__os(RAT_EIO, "writing %s", target);
	if (error && *tmp) {
		unlink(*tmp);
		free(*tmp);
		*tmp = NULL;
	}
	free(dir);
	return error;
}

/* Move tmp to path (or link it there when only_new); tmp is removed either way. */
static int install(const char *tmp, const char *path, bool only_new)
{
	int error = 0;

	if (only_new) {
		if (link(tmp, path) < 0)
			error = errno == EEXIST
					? rat_error__set(RAT_EEXISTS, RAT_ERRCLASS_OS,
							 "%s: object already exists", path)
					: rat_error__os(RAT_EIO, "cannot create %s", path);
		unlink(tmp);
	} else if (rename(tmp, path) < 0) {
		error = rat_error__os(errno == EISDIR ? RAT_EEXISTS : RAT_EIO,
				      "cannot rename into place %s", path);
		unlink(tmp);
	}
	if (!error)
		sync_folder(path);
	return error;
}

static int local_write(rat_store *store, const char *key, const void *data, size_t len,
		       const char *src_path, bool only_new)
{
	char *path = path_of(store, key), *tmp = NULL;
	uint64_t written = 0;
	int src = -1, error;

	if (!path)
		return RAT_ENOMEM;
	if (src_path && (src = open(src_path, O_RDONLY | O_CLOEXEC)) < 0) {
		error = rat_error__os(errno == ENOENT ? RAT_ENOTFOUND : RAT_EIO, "%s", src_path);
		goto cleanup;
	}
	if ((error = fill_tmp(path, data, len, src, src_path, &tmp, &written)) != 0)
		goto cleanup;
	if ((error = install(tmp, path, only_new)) != 0)
		goto cleanup;
	store->stats.puts++;
	store->stats.bytes_out += written;
cleanup:
	if (src >= 0)
		close(src);
	free(tmp);
	free(path);
	return error;
}

static int local_put(rat_store *store, const char *key, const void *data, size_t len,
		     bool only_new)
{
	return local_write(store, key, data, len, NULL, only_new);
}

/*
 * Move a file the caller gives away into place: a rename beside the target
 * (no copy: writing a table's files once, not twice), then fsync and the
 * usual rename into place. Another file system (EXDEV) copies instead.
 */
static int local_move(rat_store *store, const char *key, const char *local_path)
{
	static unsigned long counter;
	char *path = path_of(store, key), *dir = NULL, *tmp = NULL;
	struct stat st;
	int fd = -1, error = 0;

	if (!path)
		return RAT_ENOMEM;
	if ((dir = rat_fs__dirname(path)) == NULL ||
	    (tmp = rat__sprintf("%s/" TMP_PREFIX "%ld-m%lu", dir, (long)getpid(),
				__atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED))) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = rat_fs__mkdir_p(dir)) != 0)
		goto cleanup;
	if (rename(local_path, tmp) < 0) {
		error = errno == EXDEV ? local_write(store, key, NULL, 0, local_path, false)
				       : rat_error__os(errno == ENOENT ? RAT_ENOTFOUND : RAT_EIO,
						       "cannot move %s to %s", local_path, path);
		free(tmp);
		tmp = NULL;
		goto cleanup;
	}
	if ((fd = open(tmp, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) < 0 || fsync(fd) < 0) {
		error = rat_error__os(RAT_EIO, "writing %s", path);
		unlink(tmp);
		goto cleanup;
	}
	if ((error = install(tmp, path, false)) == 0) {
		store->stats.puts++;
		store->stats.bytes_out += (uint64_t)st.st_size;
	}
cleanup:
	if (fd >= 0)
		close(fd);
	free(tmp);
	free(dir);
	free(path);
	return error;
}

static int local_put_file(rat_store *store, const char *key, const char *local_path, bool consume)
{
	return consume ? local_move(store, key, local_path)
		       : local_write(store, key, NULL, 0, local_path, false);
}

static int local_get_file(rat_store *store, const char *key, const char *local_path)
{
	char *path = path_of(store, key), *tmp = NULL;
	uint64_t copied = 0;
	struct stat st;
	int fd = -1, error;

	if (!path)
		return RAT_ENOMEM;
	store->stats.gets++;
	if ((error = open_object(path, &fd, &st)) != 0)
		goto cleanup;
	if ((error = fill_tmp(local_path, NULL, 0, fd, path, &tmp, &copied)) != 0 ||
	    (error = install(tmp, local_path, false)) != 0)
		goto cleanup;
	store->stats.bytes_in += copied;
cleanup:
	if (fd >= 0)
		close(fd);
	free(tmp);
	free(path);
	return error;
}

static int local_path(rat_store *store, const char *key, char **out)
{
	char *path = path_of(store, key);

	if (!path)
		return RAT_ENOMEM;
	if (!rat_fs__is_file(path)) {
		int error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_OS, "%s: no such object", path);
		free(path);
		return error;
	}
	*out = path;
	return 0;
}

static int64_t mtime_ms_of(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000 + st->st_mtim.tv_nsec / 1000000;
}

static char *etag_of(const struct stat *st)
{
	return rat__sprintf("%lld-%lld", (long long)st->st_size,
			    (long long)st->st_mtim.tv_sec * 1000000000LL + st->st_mtim.tv_nsec);
}

static int local_head(rat_store *store, const char *key, rat_store_object *out)
{
	char *path = path_of(store, key);
	struct stat st;
	int rc, error = 0;

	if (!path)
		return RAT_ENOMEM;
	store->stats.heads++;
	if ((rc = stat(path, &st)) < 0 && errno != ENOENT && errno != ENOTDIR) {
		error = rat_error__os(RAT_EIO, "%s", path);
		goto cleanup;
	}
	if (rc < 0 || !S_ISREG(st.st_mode)) {
		error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_OS, "%s: no such object", path);
		goto cleanup;
	}
	out->key = rat__strdup(key);
	out->etag = etag_of(&st);
	out->size = (uint64_t)st.st_size;
	out->mtime_ms = mtime_ms_of(&st);
	if (!out->key || !out->etag) {
		rat_store__object_free(out);
		error = RAT_ENOMEM;
	}
cleanup:
	free(path);
	return error;
}

/* Whether the folder rel/ can hold keys starting with prefix. */
static bool folder_matters(const char *rel_slash, const char *prefix)
{
	return rat__str_has_prefix(rel_slash, prefix) || rat__str_has_prefix(prefix, rel_slash);
}

static int walk(rat_store *store, const char *rel, const char *prefix, rat_store_list *out,
		int depth);

static int visit(rat_store *store, const char *key, const char *prefix, rat_store_list *out,
		 int depth)
{
	char *path = path_of(store, key), *etag = NULL, *key_slash = NULL;
	struct stat st;
	int error = 0;

	if (!path)
		return RAT_ENOMEM;
	if (lstat(path, &st) < 0 || (S_ISLNK(st.st_mode) && stat(path, &st) < 0))
		goto cleanup; /* vanished or dangling: not an object */
	if (S_ISDIR(st.st_mode)) {
		struct stat link_st;
		if (lstat(path, &link_st) == 0 && S_ISLNK(link_st.st_mode))
			goto cleanup; /* never follow folder links: no loops */
		if ((key_slash = rat__sprintf("%s/", key)) == NULL) {
			error = RAT_ENOMEM;
			goto cleanup;
		}
		if (folder_matters(key_slash, prefix))
			error = walk(store, key, prefix, out, depth + 1);
	} else if (S_ISREG(st.st_mode) && rat__str_has_prefix(key, prefix)) {
		if ((etag = etag_of(&st)) == NULL)
			error = RAT_ENOMEM;
		else
			error = rat_store__list_push(out, key, (uint64_t)st.st_size, etag,
						     mtime_ms_of(&st));
	}
cleanup:
	free(key_slash);
	free(etag);
	free(path);
	return error;
}

static int walk(rat_store *store, const char *rel, const char *prefix, rat_store_list *out,
		int depth)
{
	rat_strarray names = RAT_STRARRAY_INIT;
	char *dir = rel[0] ? path_of(store, rel) : rat__strdup(store->root), *key = NULL;
	size_t i;
	int error;

	if (!dir)
		return RAT_ENOMEM;
	if (depth > MAX_DEPTH) {
		error = rat_error__set(RAT_ETOOBIG, RAT_ERRCLASS_OS,
				       "%s: folders nested deeper than %d levels", dir, MAX_DEPTH);
		goto cleanup;
	}
	if ((error = rat_fs__list_dir(&names, dir)) != 0) {
		if (error == RAT_ENOTFOUND) /* an absent root or a folder just pruned */
			error = 0;
		goto cleanup;
	}
	for (i = 0; i < names.count && !error; i++) {
		if (rat__str_has_prefix(names.strings[i], TMP_PREFIX))
			continue;
		key = rel[0] ? rat__sprintf("%s/%s", rel, names.strings[i])
			     : rat__strdup(names.strings[i]);
		error = key ? visit(store, key, prefix, out, depth) : RAT_ENOMEM;
		free(key);
	}
cleanup:
	rat_strarray_free(&names);
	free(dir);
	return error;
}

static int local_list(rat_store *store, const char *prefix, rat_store_list *out)
{
	store->stats.lists++;
	return walk(store, "", prefix, out, 0);
}

/* Remove the folders between path and the root that are now empty. */
static void prune(const rat_store *store, char *path)
{
	size_t root_len = strlen(store->root);
	char *slash;

	while ((slash = strrchr(path, '/')) != NULL && (size_t)(slash - path) > root_len) {
		*slash = '\0';
		if (rmdir(path) < 0)
			break;
	}
}

static int local_del(rat_store *store, const char *key)
{
	char *path = path_of(store, key);
	int error = 0;

	if (!path)
		return RAT_ENOMEM;
	store->stats.deletes++;
	if (unlink(path) < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			error = rat_error__os(RAT_EIO, "cannot delete %s", path);
	} else {
		sync_folder(path);
		prune(store, path);
	}
	free(path);
	return error;
}

static const rat_store_backend local_backend = {
	local_get, local_get_range, local_get_file, local_path, local_put,
	local_put_file, local_head, local_list, local_del, NULL,
};

int rat_store__local_open(rat_store *store)
{
	if (rat_fs__exists(store->root) && !rat_fs__is_dir(store->root))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "%s: store root is not a folder", store->root);
	store->backend = &local_backend;
	store->remote = false;
	return 0;
}
