/*
 * util/fs.c - file system helpers.
 */
#include "util/common.h"
#include "util/fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int rat_fs__read_file(rat_buf *out, const char *path, size_t max)
{
	char chunk[65536];
	ssize_t n;
	int fd, error = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return rat_error__os(errno == ENOENT ? RAT_ENOTFOUND : RAT_EIO, "%s", path);
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			error = rat_error__os(RAT_EIO, "%s", path);
			break;
		}
		if (out->len + (size_t)n > max) {
			error = rat_error__set(RAT_ETOOBIG, RAT_ERRCLASS_INVALID,
					       "%s: file is larger than %zu bytes", path, max);
			break;
		}
		if ((error = rat_buf_put(out, chunk, (size_t)n)) != 0)
			break;
	}
	close(fd);
	if (!error && !out->ptr)
		error = rat_buf_put(out, "", 0);
	return error;
}

int rat_fs__read_text(rat_buf *out, const char *path, const char *display, size_t max)
{
	size_t start = out->len, i, line = 1, col = 1;
	const char *text, *nul;
	int error;

	if ((error = rat_fs__read_file(out, path, max)) != 0)
		return error;
	text = out->ptr ? out->ptr + start : "";
	if ((nul = memchr(text, '\0', out->len - start)) == NULL)
		return 0;
	for (i = 0; text + i < nul; i++, col++)
		if (text[i] == '\n') {
			line++;
			col = 0;
		}
	return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
			      "%s:%zu:%zu: a NUL byte (SQL text holds none)", display, line, col);
}

int rat_fs__write_all(int fd, const void *buf, size_t len)
{
	const char *data = buf;

	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Write path through a temporary file created with mode, then renamed into place. */
static int write_atomic(const char *path, const void *data, size_t len, mode_t mode)
{
	char *tmp = rat__sprintf("%s.%ld.tmp", path, (long)getpid());
	int fd = -1, error = 0;

	if (!tmp)
		return RAT_ENOMEM;
	/* a fresh file, so that it has mode whatever a leftover one had */
	if (unlink(tmp) < 0 && errno != ENOENT) {
		error = rat_error__os(RAT_EIO, "%s", tmp);
		goto cleanup;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0) {
		error = rat_error__os(RAT_EIO, "%s", path);
		goto cleanup;
	}
	if (rat_fs__write_all(fd, data, len) < 0 || fsync(fd) < 0) {
		error = rat_error__os(RAT_EIO, "writing %s", path);
		goto cleanup;
	}
	if (close(fd) < 0) {
		fd = -1;
		error = rat_error__os(RAT_EIO, "writing %s", path);
		goto cleanup;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		error = rat_error__os(RAT_EIO, "renaming %s into place", path);
cleanup:
	if (fd >= 0)
		close(fd);
	if (error)
		unlink(tmp);
	free(tmp);
	return error;
}

int rat_fs__write_file_atomic(const char *path, const void *data, size_t len)
{
	return write_atomic(path, data, len, 0644);
}

int rat_fs__write_file_private(const char *path, const void *data, size_t len)
{
	return write_atomic(path, data, len, 0600);
}

int rat_fs__sync(const char *path, bool parent)
{
	char *dir = !parent ? NULL : strchr(path, '/') ? rat_fs__dirname(path) : rat__strdup(".");
	const char *at = parent ? dir : path;
	int fd, error = 0;

	if (parent && !dir)
		return RAT_ENOMEM;
	fd = open(at, O_RDONLY | (parent ? O_DIRECTORY : 0) | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		error = rat_error__os(RAT_EIO, "syncing %s", at);
	if (fd >= 0)
		close(fd);
	free(dir);
	return error;
}

int rat_fs__mkdir_p(const char *path)
{
	char *copy = rat__strdup(path);
	char *p;
	int error = 0;

	if (!copy)
		return RAT_ENOMEM;
	for (p = copy + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST) {
			error = rat_error__os(RAT_EIO, "cannot create folder %s", copy);
			break;
		}
		if (!rat_fs__is_dir(copy)) {
			error = rat_error__set(RAT_EEXISTS, RAT_ERRCLASS_OS,
					       "cannot create folder %s: a file is in the way", copy);
			break;
		}
		*p = saved;
		if (saved == '\0')
			break;
	}
	free(copy);
	return error;
}

bool rat_fs__is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool rat_fs__is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

bool rat_fs__exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

int rat_fs__list_dir(rat_strarray *out, const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *entry;
	int error = 0;

	if (!dir)
		return rat_error__os(errno == ENOENT ? RAT_ENOTFOUND : RAT_EIO, "%s", path);
	while ((entry = readdir(dir)) != NULL) {
		if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
			continue;
		if ((error = rat_strarray__push(out, entry->d_name)) != 0)
			break;
	}
	closedir(dir);
	rat_strarray__sort(out);
	return error;
}

char *rat_fs__join(const char *a, const char *b)
{
	size_t n = strlen(a);

	if (b[0] == '/' || n == 0)
		return rat__strdup(b);
	return rat__sprintf("%s%s%s", a, a[n - 1] == '/' ? "" : "/", b);
}

char *rat_fs__cwd(void)
{
	char *buf = getcwd(NULL, 0);
	char *copy;

	if (!buf) {
		rat_error__os(RAT_EIO, "cannot read the current folder");
		return NULL;
	}
	copy = rat__strdup(buf);
	free(buf);
	return copy;
}

/* Normalise an absolute path in place: collapse "//", drop ".", resolve "..". */
static void normalise(char *path)
{
	char *out = path, *in = path;

	while (*in) {
		while (*in == '/')
			in++;
		char *seg = in;
		while (*in && *in != '/')
			in++;
		size_t len = (size_t)(in - seg);
		if (len == 0 || (len == 1 && seg[0] == '.'))
			continue;
		if (len == 2 && seg[0] == '.' && seg[1] == '.') {
			while (out > path && *--out != '/')
				;
			continue;
		}
		*out++ = '/';
		memmove(out, seg, len);
		out += len;
	}
	if (out == path)
		*out++ = '/';
	*out = '\0';
}

char *rat_fs__absolute(const char *path)
{
	char *cwd, *joined;

	if (path[0] == '/') {
		joined = rat__strdup(path);
	} else {
		if ((cwd = rat_fs__cwd()) == NULL)
			return NULL;
		joined = rat_fs__join(cwd, path);
		free(cwd);
	}
	if (joined)
		normalise(joined);
	return joined;
}

char *rat_fs__basename(const char *path)
{
	size_t end = strlen(path), start;

	while (end > 1 && path[end - 1] == '/')
		end--;
	start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	return rat__strndup(path + start, end - start);
}

char *rat_fs__dirname(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash || slash == path)
		return rat__strdup("/");
	return rat__strndup(path, (size_t)(slash - path));
}

static int find_symlink(char **found, const char *path, int depth)
{
	rat_strarray entries = RAT_STRARRAY_INIT;
	struct stat st;
	size_t i;
	int error = 0;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : rat_error__os(RAT_EIO, "cannot inspect %s", path);
	if (S_ISLNK(st.st_mode))
		return (*found = rat__strdup(path)) ? 0 : RAT_ENOMEM;
	if (!S_ISDIR(st.st_mode))
		return 0;
	if (depth > 64)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_OS,
				      "%s: folders nested more than 64 levels deep", path);
	if ((error = rat_fs__list_dir(&entries, path)) != 0)
		return error;
	for (i = 0; !error && !*found && i < entries.count; i++) {
		char *child = rat_fs__join(path, entries.strings[i]);
		error = child ? find_symlink(found, child, depth + 1) : RAT_ENOMEM;
		free(child);
	}
	rat_strarray_free(&entries);
	return error;
}

int rat_fs__find_symlink(char **found, const char *path)
{
	*found = NULL;
	return find_symlink(found, path, 0);
}

int rat_fs__open_error(int dir, const char *name, const char *path)
{
	int saved = errno;
	struct stat st;

	if (saved == ENOENT)
		return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_OS, "%s: no such file or folder",
				      path);
	/* name is one component opened with O_NOFOLLOW: ELOOP says it was a link when opened,
	 * even if it is no longer one now (swapped back in between) */
	if (saved == ELOOP || ((saved == ENOTDIR || saved == EMLINK) &&
			       fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			       S_ISLNK(st.st_mode)))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_OS,
				      "%s is a symbolic link: links are not followed here (move or "
				      "copy the data in)",
				      path);
	if (saved == ENOTDIR)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_OS, "%s is not a folder", path);
	errno = saved;
	return rat_error__os(RAT_EIO, "%s", path);
}

/* The error of opening root/rel[0..len), whose last component is name in dir. */
static int open_below_error(int dir, const char *name, const char *root, const char *rel,
			    size_t len)
{
	int saved = errno, error;
	char *path = rat__sprintf("%s%s%.*s", root, len ? "/" : "", (int)len, rel);

	if (!path)
		return RAT_ENOMEM;
	errno = saved;
	error = rat_fs__open_error(dir, name, path);
	free(path);
	return error;
}

int rat_fs__open_below(int *fd, const char *root, const char *rel, int flags)
{
	int dir = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), next;
	const char *p = rel;

	*fd = -1;
	if (dir < 0)
		return open_below_error(AT_FDCWD, root, root, "", 0);
	while (*p) {
		size_t n = strcspn(p, "/");
		char name[NAME_MAX + 1];
		bool last = p[n] == '\0' || (p[n] == '/' && p[n + 1] == '\0');
		if (n == 0 || n > NAME_MAX || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.')) {
			close(dir);
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_OS,
					      "%s/%s: not a plain path below %s", root, rel, root);
		}
		memcpy(name, p, n);
		name[n] = '\0';
		next = openat(dir, name,
			      (last ? flags : O_RDONLY | O_DIRECTORY) | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			int error = open_below_error(dir, name, root, rel, (size_t)(p - rel) + n);
			close(dir);
			return error;
		}
		close(dir);
		dir = next;
		p += n + (p[n] == '/');
		if (last)
			break;
	}
	*fd = dir;
	return 0;
}

void rat_fs__remove_tree(const char *path)
{
	rat_strarray entries = RAT_STRARRAY_INIT;
	rat_error_saved saved;
	size_t i;
	struct stat st;

	if (lstat(path, &st) != 0)
		return;
	rat_error__save(&saved);
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		rat_error__restore(&saved);
		return;
	}
	if (rat_fs__list_dir(&entries, path) == 0) {
		for (i = 0; i < entries.count; i++) {
			char *child = rat_fs__join(path, entries.strings[i]);
			if (child)
				rat_fs__remove_tree(child);
			free(child);
		}
	}
	rat_strarray_free(&entries);
	rmdir(path);
	rat_error__restore(&saved);
}
