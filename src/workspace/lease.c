/*
 * workspace/lease.c - leases that keep `rat vacuum` off the files of writes
 * in progress (lease.h).
 *
 * A lease file is created under a hidden name, locked, then renamed into
 * place, so that a lease vacuum can see is always locked while its holder
 * lives: one vacuum can lock is stale. Its text is "<ms>\n<root>\n<what>\n".
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/random.h"
#include "workspace/lease.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define LEASE_MAX_BYTES 8192 /* a lease names a root and a short label */

struct rat_lease {
	int fd;
	char *path;
};

static char *lease_dir(const rat_workspace *ws)
{
	return rat__sprintf("%s/leases", rat_workspace_home(ws));
}

static char *storage_root(const rat_workspace *ws)
{
	return rat__sprintf("%s/%s", rat_workspace_warehouse(ws), rat_workspace_s3_prefix(ws));
}

/* Write the lease's text to fd, locked, under tmp; then rename it to path. */
static int publish_lease(int fd, const char *tmp, const char *path, const char *text)
{
	if (flock(fd, LOCK_EX) != 0)
		return rat_error__os(RAT_EIO, "locking %s", tmp);
	if (rat_fs__write_all(fd, text, strlen(text)) != 0)
		return rat_error__os(RAT_EIO, "writing %s", tmp);
	if (rename(tmp, path) != 0)
		return rat_error__os(RAT_EIO, "renaming %s to %s", tmp, path);
	return 0;
}

int rat_lease__take(rat_lease **out, const rat_workspace *ws, const char *what)
{
	char *root = storage_root(ws);
	int error = root ? rat_lease__take_at(out, ws, root, what) : RAT_ENOMEM;

	free(root);
	return error;
}

int rat_lease__take_at(rat_lease **out, const rat_workspace *ws, const char *root, const char *what)
{
	char uuid[37];
	char *dir = lease_dir(ws), *tmp = NULL, *text = NULL;
	rat_lease *lease = NULL;
	int error = 0;

	*out = NULL;
	if (!dir || (lease = rat__calloc(1, sizeof(*lease))) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	lease->fd = -1;
	if ((error = rat_random__uuid(uuid)) != 0 || (error = rat_fs__mkdir_p(dir)) != 0)
		goto cleanup;
	tmp = rat__sprintf("%s/.%s.tmp", dir, uuid);
	lease->path = rat__sprintf("%s/%s.lease", dir, uuid);
	text = rat__sprintf("%" PRId64 "\n%s\n%s\n", rat_clock__real_ms(), root, what);
	if (!tmp || !lease->path || !text) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((lease->fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0) {
		error = rat_error__os(RAT_EIO, "creating the lease %s", tmp);
		goto cleanup;
	}
	if ((error = publish_lease(lease->fd, tmp, lease->path, text)) != 0) {
		rat__ignore(unlink(tmp)); /* cleanup: the error above is what matters */
		goto cleanup;
	}
	*out = lease;
	lease = NULL;
cleanup:
	if (error)
		rat_error__prefix("taking a lease for %s", what);
	rat_lease__release(lease);
	free(dir);
	free(tmp);
	free(text);
	return error;
}

int rat_lease__lock(rat_lease **out, const rat_workspace *ws, const char *name)
{
	char *dir = lease_dir(ws);
	rat_lease *lock = rat__calloc(1, sizeof(*lock));
	int error = 0;

	*out = NULL;
	if (lock)
		lock->fd = -1;
	if (!dir || !lock || (lock->path = rat__sprintf("%s/%s.lock", dir, name)) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = rat_fs__mkdir_p(dir)) != 0)
		goto cleanup;
	if ((lock->fd = open(lock->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0 ||
	    flock(lock->fd, LOCK_EX) != 0) {
		error = rat_error__os(RAT_EIO, "locking %s", lock->path);
		goto cleanup;
	}
	free(lock->path); /* the file stays: removing it would let a waiter lock an unlinked one */
	lock->path = NULL;
	*out = lock;
	lock = NULL;
cleanup:
	rat_lease__release(lock);
	free(dir);
	return error;
}

void rat_lease__release(rat_lease *lease)
{
	if (!lease)
		return;
	if (lease->fd >= 0) {
		/* removed before unlocking, so no one sees it unlocked and takes it for stale */
		if (lease->path)
			rat__ignore(unlink(lease->path)); /* gone already: nothing to release */
		close(lease->fd);
	}
	free(lease->path);
	free(lease);
}

/* Whether one storage root holds the other (or they are the same). */
static bool overlaps(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b), n = na < nb ? na : nb;

	return strncmp(a, b, n) == 0 && (na == nb || (na > nb ? a[n] : b[n]) == '/');
}

/* Read the lease at path: *ms is -1 when it is stale (removed) or not on root. */
static int read_lease(int64_t *ms, const char *path, const char *root)
{
	rat_buf text = RAT_BUF_INIT;
	char *end = NULL, *line = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC), error = 0;

	*ms = -1;
	if (fd < 0)
		return errno == ENOENT ? 0 : rat_error__os(RAT_EIO, "%s", path); /* released */
	if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
		rat__ignore(unlink(path)); /* stale: its holder ended; another vacuum may beat us */
		goto cleanup;
	}
	if (errno != EWOULDBLOCK) {
		error = rat_error__os(RAT_EIO, "checking the lease %s", path);
		goto cleanup;
	}
	if ((error = rat_fs__read_file(&text, path, LEASE_MAX_BYTES)) != 0) {
		if (error == RAT_ENOTFOUND) { /* released while we looked */
			rat_error_clear();
			error = 0;
		}
		goto cleanup;
	}
	*ms = strtoll(rat_buf_cstr(&text), &end, 10);
	line = end && *end == '\n' ? end + 1 : NULL;
	if (!line || *ms <= 0) {
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				       "%s: not a lease (a time, then a storage root)", path);
		goto cleanup;
	}
	if ((end = strchr(line, '\n')) != NULL)
		*end = '\0';
	if (!overlaps(line, root))
		*ms = -1;
cleanup:
	close(fd);
	rat_buf_free(&text);
	return error;
}

int rat_lease__oldest(int64_t *out, const rat_workspace *ws)
{
	char *root = storage_root(ws);
	int error;

	*out = -1;
	error = root ? rat_lease__oldest_at(out, ws, root) : RAT_ENOMEM;
	free(root);
	return error;
}

/*
 * The paths of the leases under RAT_HOME/leases (one being taken, not yet
 * locked and its files not written, is left out), into out.
 */
static int lease_paths(rat_strarray *out, const rat_workspace *ws)
{
	rat_strarray names = RAT_STRARRAY_INIT;
	char *dir = lease_dir(ws);
	size_t i;
	int error = 0;

	if (!dir)
		return RAT_ENOMEM;
	if (rat_fs__is_dir(dir) && (error = rat_fs__list_dir(&names, dir)) == 0) /* else none yet */
		for (i = 0; !error && i < names.count; i++) {
			const char *name = names.strings[i];
			char *path;
			if (name[0] == '.' || !rat__str_has_suffix(name, ".lease"))
				continue;
			path = rat__sprintf("%s/%s", dir, name);
			error = path ? rat_strarray__push(out, path) : RAT_ENOMEM;
			free(path);
		}
	rat_strarray_free(&names);
	free(dir);
	return error;
}

int rat_lease__oldest_at(int64_t *out, const rat_workspace *ws, const char *root)
{
	rat_strarray paths = RAT_STRARRAY_INIT;
	size_t i;
	int error = lease_paths(&paths, ws);

	*out = -1;
	for (i = 0; !error && i < paths.count; i++) {
		int64_t ms;
		if ((error = read_lease(&ms, paths.strings[i], root)) == 0 && ms > 0 &&
		    (*out < 0 || ms < *out))
			*out = ms;
	}
	rat_strarray_free(&paths);
	return error;
}

/* Whether the lease at path is held (its holder lives) for what. */
static bool held_for(const char *path, const char *what)
{
	rat_buf text = RAT_BUF_INIT;
	const char *line;
	bool held = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK &&
	    rat_fs__read_file(&text, path, LEASE_MAX_BYTES) == 0 && text.ptr &&
	    (line = strchr(text.ptr, '\n')) != NULL && (line = strchr(line + 1, '\n')) != NULL) {
		size_t n = strlen(what);
		held = strncmp(line + 1, what, n) == 0 && (line[1 + n] == '\n' || line[1 + n] == '\0');
	}
	rat_error_clear(); /* unreadable: released while we looked */
	close(fd);
	rat_buf_free(&text);
	return held;
}

int rat_lease__held(bool *out, const rat_workspace *ws, const char *what)
{
	rat_strarray paths = RAT_STRARRAY_INIT;
	size_t i;
	int error = lease_paths(&paths, ws);

	*out = false;
	for (i = 0; !error && !*out && i < paths.count; i++)
		*out = held_for(paths.strings[i], what);
	rat_strarray_free(&paths);
	return error;
}
