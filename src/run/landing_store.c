/*
 * run/landing_store.c - landing files by listing: a folder under the
 * workspace's landing/, or an S3 prefix in the workspace's storage.
 *
 * An S3 landing (a pipeline's `landing: s3://bucket/prefix`) is read from a
 * folder of its own under landing/ (".s3/<bucket>/<prefix>", hidden from
 * the local landing folders): before a build lists its new files, the
 * objects it may read are brought there, each with the object's size and
 * its LastModified as the file's time. Brought are the objects the table
 * has not ingested, and those whose size or time differ from what the list
 * of ingested files recorded (so that landing.c can tell a changed object,
 * by its content when only the time moved). An object ingested and
 * unchanged, or gone from the bucket, leaves the folder: it holds what is
 * pending, not a copy of the bucket. From there on an S3 landing is a
 * local one: exactly once, changes, `--reingest`, the readers' checks.
 */
#include "util/common.h"
#include "util/fs.h"
#include "rat/schedule.h"
#include "rat/workspace.h"
#include "run/build.h"
#include "storage/storage.h"
#include "workspace/workspace.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_FILES 1000000

/* A store rooted at url, an S3 prefix that must be in ws's storage (<warehouse>/<s3_prefix>/). */
static int open_prefix(rat_store **out, const rat_workspace *ws, const char *url)
{
	rat_store_options opts;
	char *storage = rat__sprintf("%s/%s/", rat_workspace_warehouse(ws), rat_workspace_s3_prefix(ws));
	int error = 0;

	*out = NULL;
	if (!storage)
		return RAT_ENOMEM;
	if (strncmp(url, storage, strlen(storage)) != 0 || !url[strlen(storage)])
		error = rat_error__set(RAT_EACCESS, RAT_ERRCLASS_PIPELINE,
				       "landing %s is not in workspace '%s''s storage (%s...): a "
				       "workspace reads the landing prefixes under its own",
				       url, rat_workspace_name(ws), storage);
	free(storage);
	if (error)
		return error;
	rat_workspace__store_options(ws, &opts);
	return rat_store__open(out, url, &opts);
}

/* Whether an object's key (relative to the prefix) is a file a landing holds: not a folder
 * marker, no hidden segment, none a path could not hold. */
static bool landing_key(const char *key)
{
	const char *s;

	if (!key[0] || key[strlen(key) - 1] == '/')
		return false;
	for (s = key; s; s = strchr(s, '/') ? strchr(s, '/') + 1 : NULL)
		if (*s == '.' || *s == '/' || !*s) /* hidden, ".", "..", or an empty segment */
			return false;
	return strlen(key) < 1024;
}

static bool matches(const char *pattern, const char *name)
{
	const char *base = strrchr(name, '/');

	return !pattern || fnmatch(pattern, base ? base + 1 : name, 0) == 0;
}

/* ---- the listing a landing trigger looks at ---- */

static int add(rat_landing_list *out, size_t *cap, const char *name, int64_t size,
	       int64_t mtime_ns, const char *etag)
{
	rat_landing_file *f;

	int error;

	if (out->count >= MAX_FILES)
		return rat_error__set(RAT_ETOOBIG, RAT_ERRCLASS_PIPELINE,
				      "a landing of over %d files: split it into folders", MAX_FILES);
	if ((error = rat__grow((void **)&out->items, cap, out->count, sizeof(*f))) != 0)
		return error;
	f = &out->items[out->count];
	f->name = rat__strdup(name);
	f->etag = rat__strdup(etag);
	f->size = size;
	f->mtime_ns = mtime_ns;
	if (!f->name || !f->etag) {
		free((char *)f->name);
		free((char *)f->etag);
		return RAT_ENOMEM;
	}
	out->count++;
	return 0;
}

static int list_folder(rat_landing_list *out, const rat_workspace *ws, const char *path,
		       const char *pattern)
{
	rat_strarray names = RAT_STRARRAY_INIT;
	char *root = rat__sprintf("%s/landing/%s", rat_workspace_path(ws), path);
	size_t i, cap = 0;
	int error = 0;

	if (!root)
		return RAT_ENOMEM;
	if (rat_fs__is_dir(root) && (error = rat_run__list_files(&names, root, NULL, 0)) == 0)
		rat_strarray__sort(&names);
	for (i = 0; !error && i < names.count; i++) {
		char *full = rat__sprintf("%s/%s", root, names.strings[i]);
		struct stat st;

		if (!full)
			error = RAT_ENOMEM;
		else if (matches(pattern, names.strings[i]) && lstat(full, &st) == 0 && S_ISREG(st.st_mode))
			error = add(out, &cap, names.strings[i], (int64_t)st.st_size,
				    (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec, "");
		free(full);
	}
	rat_strarray_free(&names);
	free(root);
	return error;
}

static int list_prefix(rat_landing_list *out, const rat_workspace *ws, const char *url,
		       const char *pattern)
{
	rat_store *store = NULL;
	rat_store_list objects = { NULL, 0 };
	size_t i, cap = 0;
	int error;

	if ((error = open_prefix(&store, ws, url)) == 0 &&
	    (error = rat_store__list(store, "", &objects)) == 0)
		for (i = 0; !error && i < objects.count; i++) {
			const rat_store_object *o = &objects.items[i];
			if (landing_key(o->key) && matches(pattern, o->key))
				error = add(out, &cap, o->key, (int64_t)o->size,
					    o->mtime_ms * 1000000, o->etag ? o->etag : "");
		}
	rat_store__list_free(&objects);
	rat_store__free(store);
	return error;
}

int rat_landing_list_get(rat_landing_list *out, const rat_workspace *ws, const char *path,
			 const char *pattern)
{
	int error;

	if (!out)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "rat_landing_list_get: no out");
	memset(out, 0, sizeof(*out));
	if (!ws || !path || !path[0])
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "rat_landing_list_get: a workspace and a path are needed");
	error = rat__str_has_prefix(path, "s3://") ? list_prefix(out, ws, path, pattern)
						   : list_folder(out, ws, path, pattern);
	if (error)
		rat_landing_list_free(out);
	return error;
}

void rat_landing_list_free(rat_landing_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->count; i++) {
		free((char *)list->items[i].name);
		free((char *)list->items[i].etag);
	}
	free(list->items);
	memset(list, 0, sizeof(*list));
}

/* ---- an S3 landing brought into its folder before a build reads it ---- */

typedef struct named {
	const char *name;
	size_t index; /* in b->ingested */
} named;

static int named_cmp(const void *a, const void *b)
{
	return strcmp(((const named *)a)->name, ((const named *)b)->name);
}

/* The place of name in b->ingested (order: its names sorted), or -1. */
static ssize_t ingested_at(const named *order, size_t count, const char *name)
{
	named key = { name, 0 };
	const named *at = bsearch(&key, order, count, sizeof(named), named_cmp);

	return at ? (ssize_t)at->index : -1;
}

/* Whether the file at path already is the object o (its size and time). */
static bool same_file(const char *path, const rat_store_object *o)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISREG(st.st_mode) && (uint64_t)st.st_size == o->size &&
	       (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000 == o->mtime_ms;
}

/* Object o into root/<key>, with its time. */
static int bring(rat_store *store, const char *root, const rat_store_object *o)
{
	char *path = rat__sprintf("%s/%s", root, o->key), *slash;
	struct timespec times[2];
	int error = 0;

	if (!path)
		return RAT_ENOMEM;
	if (!same_file(path, o)) {
		slash = strrchr(path, '/');
		*slash = '\0';
		error = rat_fs__mkdir_p(path);
		*slash = '/';
		if (!error && (error = rat_store__get_file(store, o->key, path)) == 0) {
			times[0].tv_sec = times[1].tv_sec = o->mtime_ms / 1000;
			times[0].tv_nsec = times[1].tv_nsec = (o->mtime_ms % 1000) * 1000000;
			if (utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW) != 0)
				error = rat_error__os(RAT_EIO, "setting the time of %s", path);
		}
	}
	free(path);
	return error;
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const rat_store_object *)a)->key, ((const rat_store_object *)b)->key);
}

/* What the folder root holds that is not pending (objects, sorted by key: kept[i] false for
 * the i-th, or no such object): removed. */
static int drop_others(const char *root, const rat_store_list *objects, const bool *kept)
{
	rat_strarray local = RAT_STRARRAY_INIT;
	size_t i;
	int error = 0;

	if (!rat_fs__is_dir(root) || (error = rat_run__list_files(&local, root, NULL, 0)) != 0)
		return error;
	for (i = 0; !error && i < local.count; i++) {
		rat_store_object key = { local.strings[i], 0, NULL, 0 };
		const rat_store_object *at = objects->count ? bsearch(&key, objects->items, objects->count,
								      sizeof(key), by_key)
							    : NULL;
		char *path;
		if (at && kept[at - objects->items])
			continue;
		if ((path = rat__sprintf("%s/%s", root, local.strings[i])) == NULL)
			error = RAT_ENOMEM;
		else if (unlink(path) != 0)
			error = rat_error__os(RAT_EIO, "removing %s", path);
		free(path);
	}
	rat_strarray_free(&local);
	return error;
}

/*
 * The folder objects are brought into is landing/<landing> itself, with no symbolic link
 * on the way nor under it: what is written there stays there (a link would take the
 * downloads elsewhere), as what is read there is read there.
 */
static int no_link(const rat_workspace *ws, const char *landing, const char *root)
{
	char *landing_dir = rat__sprintf("%s/landing", rat_workspace_path(ws)), *found = NULL;
	int fd = -1, error;

	if (!landing_dir)
		return RAT_ENOMEM;
	if ((error = rat_fs__open_below(&fd, landing_dir, landing, O_RDONLY | O_DIRECTORY)) == 0 &&
	    (error = rat_fs__find_symlink(&found, root)) == 0 && found)
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				       "%s is a symbolic link: the folder S3 objects are brought into "
				       "holds none (remove it)",
				       found);
	if (fd >= 0)
		close(fd);
	free(found);
	free(landing_dir);
	return error;
}

/* Whether the object differs from what the list of ingested files recorded of it. */
static bool changed_since(const rat_landing_stat *was, const rat_store_object *o)
{
	return was->known && (was->size != (int64_t)o->size || was->mtime_ms != o->mtime_ms);
}

int rat_run__bring_landing(build *b)
{
	const rat_workspace *ws = b->ctx->ws;
	rat_store *store = NULL;
	rat_store_list objects = { NULL, 0 };
	char *root = rat__sprintf("%s/landing/%s", rat_workspace_path(ws), b->p->landing);
	named *order = rat__calloc(b->ingested.count + 1, sizeof(named));
	bool *kept = NULL;
	size_t i;
	int error;

	if (!root || !order) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	for (i = 0; i < b->ingested.count; i++) {
		order[i].name = b->ingested.strings[i];
		order[i].index = i;
	}
	qsort(order, b->ingested.count, sizeof(named), named_cmp);
	if ((error = open_prefix(&store, ws, b->p->landing_url)) != 0 ||
	    (error = rat_store__list(store, "", &objects)) != 0 ||
	    (error = rat_fs__mkdir_p(root)) != 0 || (error = no_link(ws, b->p->landing, root)) != 0)
		goto cleanup;
	if ((kept = rat__calloc(objects.count + 1, sizeof(bool))) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	for (i = 0; !error && i < objects.count; i++) { /* sorted by key (drop_others looks up) */
		const rat_store_object *o = &objects.items[i];
		ssize_t at = ingested_at(order, b->ingested.count, o->key);

		if (!landing_key(o->key))
			continue;
		if (at >= 0 && !changed_since(&b->ingested_stats[at], o))
			continue; /* ingested as it is: nothing to read again */
		kept[i] = true;
		error = bring(store, root, o);
	}
	if (!error)
		error = drop_others(root, &objects, kept);
cleanup:
	if (error)
		rat_error__prefix("landing %s", b->p->landing_url);
	rat_store__list_free(&objects);
	rat_store__free(store);
	free(kept);
	free(order);
	free(root);
	return error;
}
