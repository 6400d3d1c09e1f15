/*
 * workspace/listing.c - what a listing of tables learnt from each metadata
 * file, kept between listings (tables.h: rat_workspace__listing_*).
 *
 * Describing a table reads its metadata file, its manifest list and its
 * manifests: three files or more per table, 0.6 ms each at a thousand
 * tables. A metadata file is never rewritten (each commit writes a new one,
 * under a new name), so what it says of its table holds as long as the file
 * is there: the description is kept under the file's path, in one JSON file
 * under the workspace's cache folder (<RAT_HOME>/cache/<workspace>/tables.json),
 * and a listing reads only the tables it has not seen. A local file is
 * checked still to be the one described (its size and modification time), so
 * a file rewritten or removed by hand is read again; on S3 the path is
 * trusted (its objects are written once). The cache is only ever derived:
 * one that cannot be read is started again, one that cannot be written is
 * skipped, and two listings writing it at once leave one of the two whole
 * (a rename).
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"
#include "workspace/tables.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CACHE_VERSION 1
/* Entries kept at most: those a listing used, then older ones, up to this. */
#define CACHE_MAX_ENTRIES 20000
#define CACHE_MAX_BYTES ((size_t)64 << 20)

struct rat_listing {
	char *path;     /* the cache file; NULL: none (no cache folder) */
	json_t *old;    /* entries read from the file */
	json_t *used;   /* entries this listing used or made */
	bool changed;   /* something new to write */
};

int rat_workspace__listing_open(rat_listing **out, const rat_workspace *ws)
{
	rat_listing *l = rat__calloc(1, sizeof(*l));
	rat_buf buf = RAT_BUF_INIT;
	json_t *doc;

	*out = NULL;
	if (!l)
		return RAT_ENOMEM;
	l->path = rat__sprintf("%s/tables.json", rat_workspace__cache_dir(ws));
	l->used = json_object();
	if (!l->path || !l->used) {
		rat_workspace__listing_free(l);
		return RAT_ENOMEM;
	}
	/* a cache that is missing, unreadable or of another version is started again */
	if (rat_fs__read_file(&buf, l->path, CACHE_MAX_BYTES) == 0 &&
	    (doc = json_loadb(buf.ptr ? buf.ptr : "", buf.len, 0, NULL)) != NULL) {
		if (json_integer_value(json_object_get(doc, "version")) == CACHE_VERSION &&
		    json_is_object(json_object_get(doc, "tables")))
			l->old = json_incref(json_object_get(doc, "tables"));
		json_decref(doc);
	}
	rat_error_clear();
	rat_buf_free(&buf);
	*out = l;
	return 0;
}

/* The file's size and modification time (ns) as "size:mtime"; "" for a remote path. */
static void stamp(char out[64], const char *file)
{
	struct stat st;

	out[0] = '\0';
	if (strncmp(file, "s3://", 5) == 0)
		return;
	if (stat(file, &st) != 0)
		snprintf(out, 64, "missing");
	else
		snprintf(out, 64, "%lld:%lld.%09ld", (long long)st.st_size,
			 (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
}

json_t *rat_workspace__listing_get(rat_listing *l, const char *file)
{
	json_t *entry = json_object_get(l->used, file);
	const char *was;
	char now[64];

	if (entry)
		return entry;
	if (!l->old || (entry = json_object_get(l->old, file)) == NULL)
		return NULL;
	stamp(now, file);
	was = json_string_value(json_object_get(entry, "stamp"));
	if (strcmp(now, "missing") == 0 || !was || strcmp(now, was) != 0)
		return NULL; /* rewritten, or gone: read again */
	if (json_object_set(l->used, file, entry) != 0)
		return NULL;
	return entry;
}

void rat_workspace__listing_put(rat_listing *l, const char *file, json_t *entry)
{
	char now[64];

	stamp(now, file);
	if (!entry || strcmp(now, "missing") == 0 ||
	    json_object_set_new(entry, "stamp", json_string(now)) != 0 ||
	    json_object_set(l->used, file, entry) != 0) {
		json_decref(entry);
		return;
	}
	json_decref(entry);
	l->changed = true;
}

void rat_workspace__listing_save(rat_listing *l)
{
	json_t *doc, *tables;
	const char *file;
	json_t *entry;
	char *text, *folder, *slash;

	if (!l || !l->changed)
		return;
	if ((tables = json_copy(l->used)) == NULL)
		return;
	json_object_foreach(l->old, file, entry) {
		if (json_object_size(tables) >= CACHE_MAX_ENTRIES)
			break;
		if (!json_object_get(tables, file))
			json_object_set(tables, file, entry);
	}
	doc = json_pack("{s:i, s:o}", "version", CACHE_VERSION, "tables", tables);
	text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	folder = rat__strdup(l->path);
	if (text && folder && (slash = strrchr(folder, '/')) != NULL) {
		*slash = '\0';
		/* best effort: a listing that cannot keep what it read is no slower than before */
		if (rat_fs__mkdir_p(folder) != 0 ||
		    rat_fs__write_file_atomic(l->path, text, strlen(text)) != 0)
			rat_error_clear();
	}
	free(folder);
	free(text);
	json_decref(doc);
}

void rat_workspace__listing_free(rat_listing *l)
{
	if (!l)
		return;
	free(l->path);
	json_decref(l->old);
	json_decref(l->used);
	free(l);
}
