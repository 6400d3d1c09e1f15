/*
 * run/landing.c - landing files that changed after they were ingested, and
 * ingesting them again on request (`rat run --reingest PATH`).
 *
 * The list of ingested files (ingest.c) records each file's size, mtime and
 * SHA-256 as it was ingested. A later build of the table compares: a file
 * of another size, or of another mtime and content, is a warning on the
 * step and is not read again, unless the run names it (or a folder above
 * it) with --reingest, which makes it a new file for this build. A file
 * listed by an older librat, without those, cannot be compared until it is
 * recorded again. The SHA-256 is computed only for new files, and for a
 * listed one whose mtime moved with its size unchanged.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/sha256.h"
#include "rat/workspace.h"
#include "run/build.h"
#include "run/run.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int rat_run__open_landing(int *fd, const rat_workspace *ws, const char *path)
{
	char *root = rat_fs__join(rat_workspace_path(ws), "landing");
	size_t n = root ? strlen(root) : 0;
	int error;

	*fd = -1;
	if (!root)
		return RAT_ENOMEM;
	if (strncmp(path, root, n) != 0 || path[n] != '/')
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				       "%s: not in the workspace's landing folder (%s)", path, root);
	else
		error = rat_fs__open_below(fd, root, path + n + 1, O_RDONLY | O_NONBLOCK);
	free(root);
	return error;
}

/* The SHA-256 of the content of the open file fd (path), read in chunks. */
static int hash_fd(int fd, const char *path, char hex[65])
{
	unsigned char digest[RAT_SHA256_SIZE], chunk[1 << 16];
	rat_sha256 *sha = NULL;
	ssize_t n;
	int error;

	if ((error = rat_sha256__new(&sha)) != 0)
		return error;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			error = rat_error__os(RAT_EIO, "reading %s", path);
			goto cleanup;
		}
		if ((error = rat_sha256__update(sha, chunk, (size_t)n)) != 0)
			goto cleanup;
	}
	if ((error = rat_sha256__final(sha, digest)) == 0)
		rat_sha256__format(digest, hex);
cleanup:
	rat_sha256__free(sha);
	return error;
}

int rat_run__landing_stat(rat_landing_stat *out, const rat_workspace *ws, const char *path,
			  bool hash)
{
	struct stat st;
	int fd, error;

	memset(out, 0, sizeof(*out));
	if ((error = rat_run__open_landing(&fd, ws, path)) != 0)
		return error;
	if (fstat(fd, &st) != 0) {
		error = rat_error__os(RAT_EIO, "%s", path);
	} else {
		out->size = (int64_t)st.st_size;
		out->mtime_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
		out->known = true;
		error = hash ? hash_fd(fd, path, out->sha256) : 0;
	}
	close(fd);
	return error;
}

/* ---- --reingest ---- */

/* path (absolute, or relative to the workspace) as "landing/..." relative to the workspace. */
static int reingest_path(char **out, const rat_workspace *ws, const char *path)
{
	const char *root = rat_workspace_path(ws);
	char *abs = path[0] == '/' ? rat_fs__absolute(path) : NULL, *joined = NULL;
	size_t n = strlen(root);
	int error = 0;

	*out = NULL;
	if (!abs && (joined = rat_fs__join(root, path)) != NULL)
		abs = rat_fs__absolute(joined);
	if (!abs) {
		error = RAT_ENOMEM;
	} else if (strncmp(abs, root, n) != 0 || abs[n] != '/' ||
		   (strcmp(abs + n + 1, "landing") != 0 &&
		    !rat__str_has_prefix(abs + n + 1, "landing/"))) {
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				       "--reingest %s: not in the workspace's landing/ folder (%s/landing)",
				       path, root);
	} else if (!rat_fs__exists(abs)) {
		error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_PIPELINE,
				       "--reingest %s: no such file or folder (%s)", path, abs);
	} else if ((*out = rat__strdup(abs + n + 1)) == NULL) {
		error = RAT_ENOMEM;
	}
	free(abs);
	free(joined);
	return error;
}

/* Whether "landing/..." path a is b or inside it. */
static bool within(const char *a, const char *b)
{
	size_t n = strlen(b);
	return strncmp(a, b, n) == 0 && (a[n] == '\0' || a[n] == '/');
}

/* Whether a pipeline reads rel ("landing/..."): *read; the folders they read go to folders. */
static int read_by_any(bool *read, rat_buf *folders, const rat_pipelines *all, const char *rel)
{
	size_t j;
	int error = 0;

	*read = false;
	for (j = 0; !*read && !error && j < all->count; j++) {
		char *folder;
		if (!all->items[j].landing)
			continue;
		if ((folder = rat__sprintf("landing/%s", all->items[j].landing)) == NULL)
			return RAT_ENOMEM;
		*read = within(rel, folder) || within(folder, rel);
		error = rat_buf_printf(folders, "%s%s", folders->len ? ", " : "", folder);
		free(folder);
	}
	return error;
}

int rat_run__check_reingest(const rat_workspace *ws, const rat_pipelines *all,
			    const rat_run_options *opts)
{
	rat_buf folders = RAT_BUF_INIT;
	size_t i;
	int error = 0;

	for (i = 0; !error && i < opts->reingest_count; i++) {
		char *rel = NULL;
		bool read = false;
		rat_buf_clear(&folders);
		if ((error = reingest_path(&rel, ws, opts->reingest[i])) == 0 &&
		    (error = read_by_any(&read, &folders, all, rel)) == 0 && !read)
			error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
					       "--reingest %s: no pipeline ingests %s (they ingest: %s)",
					       opts->reingest[i], rel,
					       folders.len ? rat_buf_cstr(&folders) : "nothing");
		free(rel);
	}
	rat_buf_free(&folders);
	return error;
}

/* Whether the run asks to ingest "landing/..." rel again. */
static int asked_again(bool *yes, const build *b, const char *rel)
{
	const rat_run_options *opts = b->ctx->opts;
	size_t i;
	int error = 0;

	*yes = false;
	for (i = 0; !*yes && !error && i < opts->reingest_count; i++) {
		char *asked = NULL;
		if ((error = reingest_path(&asked, b->ctx->ws, opts->reingest[i])) == 0)
			*yes = within(rel, asked);
		free(asked);
	}
	return error;
}

/* Drop entry i of the ingested list: the file is new again. */
static void forget(build *b, size_t i)
{
	size_t rest = b->ingested.count - i - 1;

	free(b->ingested.strings[i]);
	memmove(&b->ingested.strings[i], &b->ingested.strings[i + 1], rest * sizeof(char *));
	memmove(&b->ingested_stats[i], &b->ingested_stats[i + 1], rest * sizeof(*b->ingested_stats));
	b->ingested.count--;
}

/* How the file at path differs from was: "" when it does not (or is gone). */
static int compare(char *how, size_t size, const rat_landing_stat *was, const rat_workspace *ws,
		   const char *path)
{
	rat_landing_stat now;
	int error = rat_run__landing_stat(&now, ws, path, false);

	how[0] = '\0';
	if (error == RAT_ENOTFOUND) /* removed: nothing left to read */
		return 0;
	if (error)
		return error;
	if (now.size != was->size)
		snprintf(how, size, "%lld -> %lld bytes", (long long)was->size, (long long)now.size);
	else if (now.mtime_ms != was->mtime_ms &&
		 (error = rat_run__landing_stat(&now, ws, path, true)) == 0 &&
		 strcmp(now.sha256, was->sha256) != 0)
		snprintf(how, size, "same size, other content");
	return error;
}

/* Entry i of the ingested list: forgotten when asked again (*dropped), else compared. */
static int check_one(build *b, size_t i, bool *dropped)
{
	char *rel = rat__sprintf("landing/%s/%s", b->p->landing, b->ingested.strings[i]);
	char *abs = rel ? rat_fs__join(rat_workspace_path(b->ctx->ws), rel) : NULL;
	char how[64];
	int error;

	*dropped = false;
	if (!abs)
		error = RAT_ENOMEM;
	else if ((error = asked_again(dropped, b, rel)) == 0 && *dropped)
		forget(b, i);
	else if (!error && b->ingested_stats[i].known &&
		 (error = compare(how, sizeof(how), &b->ingested_stats[i], b->ctx->ws, abs)) == 0 &&
		 how[0])
		error = rat_buf_printf(&b->warnings,
				       "%s%s changed after it was ingested (%s) and is not read "
				       "again: rat run --reingest %s reads it again",
				       b->warnings.len ? "\n" : "", rel, how, rel);
	free(rel);
	free(abs);
	return error;
}

int rat_run__landing_changes(build *b)
{
	size_t i = 0;
	bool dropped;
	int error = 0;

	while (!error && i < b->ingested.count)
		if ((error = check_one(b, i, &dropped)) == 0 && !dropped)
			i++;
	return error;
}
