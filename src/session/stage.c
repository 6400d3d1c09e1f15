/*
 * session/stage.c - a folder a user fills (landing/, a tests folder), read
 * by a locked session through files pinned when a statement names them
 * (the engine's stager, engine.h: rat_engine_stager).
 *
 * DuckDB follows symbolic links and checks a path only as written: a file
 * checked when the session opened and swapped for a link to another
 * workspace's data while a query reads it would be read through the link.
 * So the folder is never an allowed folder. Each file a statement names in
 * it (a file, a folder's files, a glob's matches) is opened here following
 * no link on the way (rat_fs__open_below), must be a regular file with a
 * single name (a hard link is a second name for a file that may be another
 * workspace's), and stays open for the session. The statement reads it as
 * <stage>/<rel>: a symbolic link, in a folder of the session's own under
 * RAT_HOME/stage/<workspace>/ that only librat writes (the only one of them
 * it may read), to /proc/self/fd/<n>, the open file itself. What the name
 * led to when it was checked is what is read, whatever happens to the name
 * after. The next statement that names it looks again: a file replaced
 * since is pinned anew, one removed is unstaged.
 */
#include "util/common.h"
#include "util/fs.h"
#include "util/random.h"
#include "util/hex.h"
#include "rat/workspace.h"
#include "engine/engine.h"
#include "session/session.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define STAGE_MAX_DEPTH 32

typedef struct pinned {
	char *rel;     /* the file's path under the user's folder */
	int fd;        /* the file, open */
	dev_t dev;
	ino_t ino;
	unsigned seen; /* the walk that saw it last */
} pinned;

typedef struct stage {
	char *from;      /* the user's folder */
	char *to;        /* the private folder the session reads */
	bool made;       /* to exists */
	pinned *items;   /* sorted by rel */
	size_t count, cap;
	int *retired;    /* files pinned again or removed since: open until the end */
	size_t retired_count, retired_cap;
	size_t limit;    /* files one session may hold open */
	unsigned walk;
	int lock;        /* <to>/.rat-lock, locked while the session lives; -1 before */
} stage;

static void stage_free(void *payload)
{
	stage *st = payload;
	size_t i;

	if (!st)
		return;
	for (i = 0; i < st->count; i++) {
		close(st->items[i].fd);
		free(st->items[i].rel);
	}
	for (i = 0; i < st->retired_count; i++)
		close(st->retired[i]);
	if (st->made)
		rat_fs__remove_tree(st->to);
	if (st->lock >= 0)
		close(st->lock); /* after the folder went: no one takes it for stale before */
	free(st->items);
	free(st->retired);
	free(st->from);
	free(st->to);
	free(st);
}

/*
 * Remove the stage folders beside st->to of sessions that ended without
 * removing theirs (killed, crashed): their lock file is not locked. A
 * folder without one is being made, and is left alone.
 */
static void remove_stale(const char *parent)
{
	rat_strarray entries = RAT_STRARRAY_INIT;
	size_t i;

	if (rat_fs__list_dir(&entries, parent) != 0) {
		rat_error_clear(); /* best effort: they are only disk space */
		return;
	}
	for (i = 0; i < entries.count; i++) {
		char *path = rat__sprintf("%s/%s", parent, entries.strings[i]);
		char *lock = path ? rat__sprintf("%s/.rat-lock", path) : NULL;
		int fd = lock ? open(lock, O_RDONLY | O_NOFOLLOW | O_CLOEXEC) : -1;
		if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
			rat_fs__remove_tree(path);
		if (fd >= 0)
			close(fd);
		free(lock);
		free(path);
	}
	rat_strarray_free(&entries);
}

/* How many files the session may hold open: the process's limit raised to its maximum. */
static size_t open_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 512;
	if (rl.rlim_cur < rl.rlim_max) {
		rlim_t was = rl.rlim_cur;
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			rl.rlim_cur = was;
	}
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1000000)
		return 1000000;
	/* DuckDB, the catalog and the tables' files need some too */
	return rl.rlim_cur > 1024 ? (size_t)rl.rlim_cur - 512 : (size_t)rl.rlim_cur / 2;
}

static int make_folder(stage *st)
{
	char *parent;
	int error;

	if (st->made)
		return 0;
	if ((parent = rat_fs__dirname(st->to)) == NULL)
		return RAT_ENOMEM;
	remove_stale(parent);
	error = rat_fs__mkdir_p(parent);
	free(parent);
	if (error)
		return error;
	if (mkdir(st->to, 0700) != 0)
		return rat_error__os(RAT_EIO, "creating %s", st->to);
	st->made = true;
	{
		char *lock = rat__sprintf("%s/.rat-lock", st->to);
		if (!lock)
			return RAT_ENOMEM;
		st->lock = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		free(lock);
		if (st->lock < 0 || flock(st->lock, LOCK_EX) != 0)
			return rat_error__os(RAT_EIO, "locking %s", st->to);
	}
	st->limit = open_limit();
	return 0;
}

/* The index of rel in st->items, or where it would go (*found false). */
static size_t find(const stage *st, const char *rel, bool *found)
{
	size_t lo = 0, hi = st->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(st->items[mid].rel, rel);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static int retire(stage *st, int fd)
{
	int error = rat__grow((void **)&st->retired, &st->retired_cap, st->retired_count + 1,
			      sizeof(*st->retired));
	if (error) {
		close(fd);
		return error;
	}
	st->retired[st->retired_count++] = fd;
	return 0;
}

/* to/rel as a link to the open file fd: made (with its folders) when new, else replaced. */
static int link_to(stage *st, const char *rel, int fd, bool replace)
{
	char target[64], *path = rat__sprintf("%s/%s", st->to, rel), *tmp = NULL, *dir = NULL;
	int error = 0;

	snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
	if (!path || (tmp = rat__sprintf("%s/.rat-link", st->to)) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	/* one inode made per file, the fewest calls: folders only when missing */
	if (!replace && symlink(target, path) == 0)
		goto cleanup;
	if (!replace && errno == ENOENT) {
		if ((dir = rat_fs__dirname(path)) == NULL) {
			error = RAT_ENOMEM;
			goto cleanup;
		}
		if ((error = rat_fs__mkdir_p(dir)) != 0 || symlink(target, path) == 0)
			goto cleanup;
	}
	unlink(tmp);
	if (symlink(target, tmp) != 0 || rename(tmp, path) != 0)
		error = rat_error__os(RAT_EIO, "staging %s/%s as %s", st->from, rel, path);
cleanup:
	free(path);
	free(tmp);
	free(dir);
	return error;
}

/* Keep the open file fd (just opened as from/rel) for the session's reads of to/rel. */
static int pin(stage *st, const char *rel, int fd)
{
	struct stat s;
	bool found;
	size_t at;
	int error;

	if (fstat(fd, &s) != 0)
		error = rat_error__os(RAT_EIO, "%s/%s", st->from, rel);
	else if (!S_ISREG(s.st_mode))
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
				       "%s/%s is not a regular file", st->from, rel);
	else if (s.st_nlink > 1)
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
				       "%s/%s has %ju names (hard links): a file here must have no "
				       "other name, which could be another workspace's file (copy it "
				       "in instead of linking it)",
				       st->from, rel, (uintmax_t)s.st_nlink);
	else
		error = 0;
	if (error) {
		close(fd);
		return error;
	}
	at = find(st, rel, &found);
	if (found && st->items[at].dev == s.st_dev && st->items[at].ino == s.st_ino) {
		close(fd); /* the same file: what the session pinned already */
		st->items[at].seen = st->walk;
		return 0;
	}
	if (!found && st->count >= st->limit) {
		close(fd);
		return rat_error__set(RAT_ETOOBIG, RAT_ERRCLASS_WORKSPACE,
				      "%s: a session reads at most %zu files of this folder (the "
				      "limit of open files); name fewer at once",
				      st->from, st->limit);
	}
	if ((error = link_to(st, rel, fd, found)) != 0) {
		close(fd);
		return error;
	}
	if (found) {
		int old = st->items[at].fd;
		st->items[at].fd = fd;
		st->items[at].dev = s.st_dev;
		st->items[at].ino = s.st_ino;
		st->items[at].seen = st->walk;
		return retire(st, old); /* a result of an earlier statement may still read it */
	}
	if ((error = rat__grow((void **)&st->items, &st->cap, st->count + 1, sizeof(*st->items))) !=
	    0) {
		close(fd);
		return error;
	}
	memmove(&st->items[at + 1], &st->items[at], (st->count - at) * sizeof(*st->items));
	st->items[at] = (pinned){ rat__strdup(rel), fd, s.st_dev, s.st_ino, st->walk };
	st->count++;
	return st->items[at].rel ? 0 : RAT_ENOMEM;
}

/* Item at is gone from the user's folder: its name leads nowhere for the next statement. */
static int unstage(stage *st, size_t at)
{
	char *path = rat__sprintf("%s/%s", st->to, st->items[at].rel);
	int fd = st->items[at].fd;

	if (!path)
		return RAT_ENOMEM;
	unlink(path);
	free(path);
	free(st->items[at].rel);
	memmove(&st->items[at], &st->items[at + 1], (st->count - at - 1) * sizeof(*st->items));
	st->count--;
	return retire(st, fd);
}

/* Whether rel, under a walked folder, is one pattern asks for (every file without one). */
static bool wanted(const char *pattern, const char *rel)
{
	return !pattern || fnmatch(pattern, rel, 0) == 0;
}

static int walk(stage *st, int dir, const char *rel, const char *pattern, int depth);

/* Entry name of the folder dir (rel under the user's folder): pinned, or walked into. */
static int walk_entry(stage *st, int dir, const char *rel, const char *name, const char *pattern,
		      int depth)
{
	char *child = *rel ? rat__sprintf("%s/%s", rel, name) : rat__strdup(name), *path = NULL;
	struct stat s;
	int fd = -1, error = 0;

	if (!child || (path = rat__sprintf("%s/%s", st->from, child)) == NULL) {
		error = RAT_ENOMEM;
	} else if (fstatat(dir, name, &s, AT_SYMLINK_NOFOLLOW) != 0) {
		error = errno == ENOENT ? 0 : rat_error__os(RAT_EIO, "%s", path);
	} else if (S_ISDIR(s.st_mode)) {
		if ((fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) < 0)
			error = errno == ENOENT ? 0 : rat_fs__open_error(dir, name, path);
		else
			error = walk(st, fd, child, pattern, depth + 1);
		if (fd >= 0)
			close(fd);
	} else if (S_ISLNK(s.st_mode)) {
		/* a link on the way is refused, whether it names a file or a folder */
		errno = ELOOP;
		error = rat_fs__open_error(dir, name, path);
	} else if (wanted(pattern, child)) {
		/* a device, a pipe: refused when asked for (pin) */
		if ((fd = openat(dir, name, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC)) < 0)
			error = errno == ENOENT ? 0 : rat_fs__open_error(dir, name, path);
		else
			error = pin(st, child, fd);
	}
	free(child);
	free(path);
	return error;
}

/* The files of the open folder dir (rel under the user's folder) that pattern asks for, pinned. */
static int walk(stage *st, int dir, const char *rel, const char *pattern, int depth)
{
	rat_strarray names = RAT_STRARRAY_INIT;
	struct dirent *e;
	DIR *d = NULL;
	size_t i;
	int copy, error = 0;

	if (depth > STAGE_MAX_DEPTH)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
				      "%s/%s: folders nested more than %d levels deep", st->from, rel,
				      STAGE_MAX_DEPTH);
	if ((copy = dup(dir)) < 0 || (d = fdopendir(copy)) == NULL) {
		if (copy >= 0)
			close(copy);
		return rat_error__os(RAT_EIO, "reading %s/%s", st->from, rel);
	}
	while (!error && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			error = rat_strarray__push(&names, e->d_name);
	closedir(d);
	for (i = 0; !error && i < names.count; i++)
		error = walk_entry(st, dir, rel, names.strings[i], pattern, depth);
	rat_strarray_free(&names);
	return error;
}

/* Unstage what the walk of folder rel (for pattern) did not see: removed since it was pinned. */
static int prune(stage *st, const char *rel, const char *pattern)
{
	size_t n = strlen(rel), i = 0;
	int error = 0;

	while (!error && i < st->count) {
		const pinned *p = &st->items[i];
		bool under = n == 0 || (strncmp(p->rel, rel, n) == 0 && p->rel[n] == '/');
		if (under && p->seen != st->walk && wanted(pattern, p->rel))
			error = unstage(st, i);
		else
			i++;
	}
	return error;
}

/* Stage folder rel (under the user's folder; "" for all of it): the files pattern asks for. */
static int stage_folder(stage *st, const char *rel, const char *pattern)
{
	int dir, error = rat_fs__open_below(&dir, st->from, rel, O_RDONLY | O_DIRECTORY);

	st->walk++;
	if (error == RAT_ENOTFOUND) { /* nothing there to read: DuckDB says so */
		rat_error_clear();
		return prune(st, rel, pattern);
	}
	if (error)
		return error;
	error = walk(st, dir, rel, pattern, 0);
	close(dir);
	return error ? error : prune(st, rel, pattern);
}

/* Stage the file or folder rel names (a path, no glob). */
static int stage_path(stage *st, const char *rel)
{
	bool found;
	size_t at;
	int fd, error = rat_fs__open_below(&fd, st->from, rel, O_RDONLY | O_NONBLOCK);
	struct stat s;

	if (error == RAT_ENOTFOUND) {
		rat_error_clear();
		at = find(st, rel, &found);
		return found ? unstage(st, at) : 0;
	}
	if (error)
		return error;
	if (fstat(fd, &s) == 0 && S_ISDIR(s.st_mode)) {
		close(fd);
		return stage_folder(st, rel, NULL);
	}
	st->walk++;
	return pin(st, rel, fd);
}

/*
 * *out: rel as a plain path when its only glob syntax is one-character
 * classes ("s[*].csv", as librat writes a file's name: util/sql.c), else
 * NULL (a glob).
 */
static int unescape(char **out, const char *rel)
{
	rat_buf plain = RAT_BUF_INIT;
	const char *p = rel;
	int error = 0;

	*out = NULL;
	while (!error && *p) {
		if (*p == '*' || *p == '?' || (*p == '[' && (p[1] == '\0' || p[2] != ']'))) {
			rat_buf_free(&plain);
			return 0;
		}
		error = rat_buf_putc(&plain, *p == '[' ? p[1] : *p);
		p += *p == '[' ? 3 : 1;
	}
	if (!error && (*out = rat_buf_detach(&plain)) == NULL)
		*out = rat__strdup("");
	rat_buf_free(&plain);
	return error ? error : *out ? 0 : RAT_ENOMEM;
}

/*
 * A glob as a pattern for fnmatch() without FNM_PATHNAME, where '*'
 * crosses '/': "**" and "**\/" become "*", so that the files it stages
 * are at least those DuckDB's glob will match.
 */
static int relaxed(char **out, const char *glob)
{
	rat_buf pattern = RAT_BUF_INIT;
	const char *p = glob;
	int error = 0;

	while (!error && *p) {
		if (p[0] == '*' && p[1] == '*') {
			error = rat_buf_putc(&pattern, '*');
			p += 2 + (p[2] == '/');
		} else {
			error = rat_buf_putc(&pattern, *p++);
		}
	}
	*out = error ? NULL : rat_buf_detach(&pattern);
	rat_buf_free(&pattern);
	return error ? error : *out ? 0 : RAT_ENOMEM;
}

/* The stager's stage(): what rel names under the user's folder, pinned. */
static int stage_rel(void *payload, const char *rel)
{
	stage *st = payload;
	char *path = NULL, *folder = NULL, *pattern = NULL;
	size_t n = strlen(rel), glob;
	int error;

	while (n > 0 && rel[n - 1] == '/')
		n--;
	if ((error = make_folder(st)) != 0 || (folder = rat__strndup(rel, n)) == NULL ||
	    (error = unescape(&path, folder)) != 0)
		goto cleanup;
	if (path) {
		error = stage_path(st, path);
		goto cleanup;
	}
	/* a glob: the files it may match, under the folder before its first wildcard */
	glob = strcspn(folder, "*?[");
	while (glob > 0 && folder[glob - 1] != '/')
		glob--;
	if ((error = relaxed(&pattern, folder)) != 0)
		goto cleanup;
	folder[glob > 0 ? glob - 1 : 0] = '\0';
	error = stage_folder(st, folder, pattern);
cleanup:
	free(path);
	free(folder);
	free(pattern);
	return error;
}

int rat_session__stage_folder(rat_engine *engine, const rat_workspace *ws, const char *from,
			      rat_strarray *allowed)
{
	rat_engine_stager stager = { from, NULL, stage_rel, stage_free, NULL };
	unsigned char bytes[8];
	char *hex = NULL;
	stage *st = rat__calloc(1, sizeof(*st));
	int error;

	if (!st)
		return RAT_ENOMEM;
	st->lock = -1;
	if ((error = rat_random__bytes(bytes, sizeof(bytes))) != 0) {
		free(st);
		return error;
	}
	hex = rat_hex__encode(bytes, sizeof(bytes));
	st->from = rat__strdup(from);
	st->to = hex ? rat__sprintf("%s/stage/%s/%s", rat_workspace_home(ws),
				    rat_workspace_name(ws), hex)
		     : NULL;
	free(hex);
	if (!st->from || !st->to || (error = rat_strarray__push(allowed, st->to)) != 0) {
		stage_free(st);
		return error ? error : RAT_ENOMEM;
	}
	stager.to = st->to;
	stager.payload = st;
	return rat_engine__add_stager(engine, &stager);
}
