/*
 * workspace/listing.c - what a listing of tables learnt from each metadata
 * file, kept between listings (tables.h: rat_workspace__listing_*).
 *
 * Describing a table reads its metadata file, its manifest list and its
 * manifests: three files or more per table, 0.6 ms each at a thousand
 * tables. A metadata file is never rewritten (each commit writes a new one,
 * under a new name), so what it says of its table holds as long as the file
 * is there: the description is kept under the file's path, in one file under
 * the workspace's cache folder (<RAT_HOME>/cache/<workspace>/tables.tsv),
 * and a listing reads only the tables it has not seen. A local file is
 * checked still to be the one described (its size and modification time), so
 * a file rewritten or removed by hand is read again; on S3 the path is
 * trusted (its objects are written once).
 *
 * The file is a line "rat-listing 1", then a line per metadata file: its
 * path, its stamp, then the description's fields, separated by tabs, with
 * '\\', tab, newline and carriage return escaped (\\, \t, \n, \r). It is read
 * whole and indexed, and a line is split only when asked for: a listing of a
 * thousand tables reads it in a millisecond or two. The cache is only ever
 * derived: one that cannot be read is started again, one that cannot be
 * written is skipped, and two listings writing it at once leave one of the
 * two whole (a rename).
 *
 * Which tables a commit holds is kept the same way, for the last commit
 * listed (contents.tsv beside it: a line "rat-contents 1<tab><commit>", then
 * a line per table or view: key, metadata location, snapshot, schema and
 * spec ids, content id, and 1 for a view). A commit never changes, so a
 * listing of the same commit again reads that file instead of the catalog's
 * key map.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/fs.h"
#include "workspace/tables.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define HEADER "rat-listing 1\n"
/* Lines kept at most: those a listing used, then older ones, up to this. */
#define CACHE_MAX_ENTRIES 20000
#define CACHE_MAX_BYTES ((size_t)64 << 20)

typedef struct line {
	char *text;  /* "path\tstamp\t...", no newline: into the file read, or owned */
	size_t path_len;
	bool owned;
	bool used;   /* this listing used or made it */
} line;

struct rat_listing {
	char *path;      /* the cache file */
	rat_buf file;    /* the file as read, its lines cut at their newlines */
	line *lines;
	size_t count, capacity;
	size_t *slots;   /* open addressing over lines by path: index + 1, 0 empty */
	size_t slot_count;
	bool changed;    /* something new to write */
};

static uint64_t hash_of(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037u;

	while (n--)
		h = (h ^ (unsigned char)*s++) * 1099511628211u;
	return h;
}

/* The line of path, or NULL. */
static line *find(rat_listing *l, const char *path, size_t n)
{
	size_t i;

	if (!l->slot_count)
		return NULL;
	for (i = hash_of(path, n) % l->slot_count; l->slots[i]; i = (i + 1) % l->slot_count) {
		line *x = &l->lines[l->slots[i] - 1];
		if (x->path_len == n && memcmp(x->text, path, n) == 0)
			return x;
	}
	return NULL;
}

/* Index lines[index] (the table has room: it is grown first). */
static void index_line(rat_listing *l, size_t index)
{
	size_t i = hash_of(l->lines[index].text, l->lines[index].path_len) % l->slot_count;

	while (l->slots[i])
		i = (i + 1) % l->slot_count;
	l->slots[i] = index + 1;
}

/* Room for one more line, the index kept at most half full. */
static int grow(rat_listing *l)
{
	size_t i;

	if (rat__grow((void **)&l->lines, &l->capacity, l->count, sizeof(*l->lines)) != 0)
		return RAT_ENOMEM;
	if ((l->count + 1) * 2 <= l->slot_count)
		return 0;
	free(l->slots);
	l->slot_count = l->slot_count ? l->slot_count * 2 : 1024;
	while ((l->count + 1) * 2 > l->slot_count)
		l->slot_count *= 2;
	if ((l->slots = rat__calloc(l->slot_count, sizeof(*l->slots))) == NULL) {
		l->slot_count = 0;
		return RAT_ENOMEM;
	}
	for (i = 0; i < l->count; i++)
		index_line(l, i);
	return 0;
}

/* The file's lines, indexed; nothing when it is not a cache of this version. */
static void read_lines(rat_listing *l)
{
	char *p, *end, *nl, *tab;

	if (rat_fs__read_file(&l->file, l->path, CACHE_MAX_BYTES) != 0 || !l->file.ptr ||
	    l->file.len < strlen(HEADER) || memcmp(l->file.ptr, HEADER, strlen(HEADER)) != 0)
		return;
	p = l->file.ptr + strlen(HEADER);
	end = l->file.ptr + l->file.len;
	for (; p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL; p = nl + 1) {
		*nl = '\0';
		if ((tab = strchr(p, '\t')) == NULL || find(l, p, (size_t)(tab - p)))
			continue; /* damaged, or twice: skipped */
		if (grow(l) != 0)
			return;
		l->lines[l->count] = (line){ p, (size_t)(tab - p), false, false };
		index_line(l, l->count++);
	}
}

int rat_workspace__listing_open(rat_listing **out, const rat_workspace *ws)
{
	rat_listing *l = rat__calloc(1, sizeof(*l));

	*out = NULL;
	if (!l || (l->path = rat__sprintf("%s/tables.tsv", rat_workspace__cache_dir(ws))) == NULL) {
		free(l);
		return RAT_ENOMEM;
	}
	l->file = (rat_buf)RAT_BUF_INIT;
	l->file.max = CACHE_MAX_BYTES;
	read_lines(l);
	rat_error_clear(); /* a missing or unreadable cache is started again */
	*out = l;
	return 0;
}

/* The file's size and modification time as "size:sec.nsec"; "-" for a remote path. */
static void stamp(char out[64], const char *file)
{
	struct stat st;

	if (strncmp(file, "s3://", 5) == 0)
		snprintf(out, 64, "-");
	else if (stat(file, &st) != 0)
		out[0] = '\0'; /* gone */
	else
		snprintf(out, 64, "%lld:%lld.%09ld", (long long)st.st_size,
			 (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
}

const char *rat_workspace__listing_get(rat_listing *l, const char *file)
{
	size_t n = strlen(file), s;
	line *x = find(l, file, n);
	char now[64];

	if (!x)
		return NULL;
	if (!x->used) {
		stamp(now, file);
		s = strlen(now);
		if (!now[0] || strncmp(x->text + n + 1, now, s) != 0 || x->text[n + 1 + s] != '\t')
			return NULL; /* rewritten, or gone: read again */
		x->used = true;
	}
	/* past the path and the stamp */
	return strchr(x->text + n + 1, '\t') + 1;
}

void rat_workspace__listing_put(rat_listing *l, const char *file, const char *fields)
{
	size_t n = strlen(file);
	line *x = find(l, file, n);
	char now[64], *text;

	stamp(now, file);
	if (!now[0] || !fields || (text = rat__sprintf("%s\t%s\t%s", file, now, fields)) == NULL)
		return;
	if (x) { /* an old line of a file that changed since */
		if (x->owned)
			free(x->text);
		*x = (line){ text, n, true, true };
	} else if (grow(l) == 0) {
		l->lines[l->count] = (line){ text, n, true, true };
		index_line(l, l->count++);
	} else {
		free(text);
		return;
	}
	l->changed = true;
}

/* out as the cache file path, its folder made (best effort: a listing that cannot keep what
 * it read is no slower than before). */
static void write_cache(const char *path, const rat_buf *out)
{
	char *folder = rat__strdup(path), *slash;

	if (folder && (slash = strrchr(folder, '/')) != NULL) {
		*slash = '\0';
		if (rat_fs__mkdir_p(folder) != 0 ||
		    rat_fs__write_file_atomic(path, out->ptr, out->len) != 0)
			rat_error_clear();
	}
	free(folder);
}

void rat_workspace__listing_save(rat_listing *l)
{
	rat_buf out = RAT_BUF_INIT;
	size_t i, kept = 0;
	int pass, error;

	if (!l || !l->changed)
		return;
	error = rat_buf_puts(&out, HEADER);
	/* the lines this listing used first, then older ones while there is room */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; !error && i < l->count && kept < CACHE_MAX_ENTRIES; i++)
			if (l->lines[i].used == (pass == 0) && (error = rat_buf_puts(&out, l->lines[i].text)) == 0 &&
			    (error = rat_buf_putc(&out, '\n')) == 0)
				kept++;
	if (!error)
		write_cache(l->path, &out);
	rat_buf_free(&out);
}

void rat_workspace__listing_free(rat_listing *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->count; i++)
		if (l->lines[i].owned)
			free(l->lines[i].text);
	free(l->lines);
	free(l->slots);
	rat_buf_free(&l->file);
	free(l->path);
	free(l);
}

int rat_workspace__listing_escape(rat_buf *out, const char *s)
{
	int error = 0;

	for (; !error && *s; s++) {
		switch (*s) {
		case '\\': error = rat_buf_puts(out, "\\\\"); break;
		case '\t': error = rat_buf_puts(out, "\\t"); break;
		case '\n': error = rat_buf_puts(out, "\\n"); break;
		case '\r': error = rat_buf_puts(out, "\\r"); break;
		default: error = rat_buf_putc(out, *s);
		}
	}
	return error;
}

char *rat_workspace__listing_field(const char **p)
{
	const char *s = *p;
	rat_buf out = RAT_BUF_INIT;
	int error = 0;

	for (; !error && *s && *s != '\t'; s++) {
		if (*s != '\\') {
			error = rat_buf_putc(&out, *s);
			continue;
		}
		if (!*++s)
			break; /* a lone '\\' at the end: dropped */
		error = rat_buf_putc(&out, *s == 't' ? '\t' : *s == 'n' ? '\n' : *s == 'r' ? '\r' : *s);
	}
	*p = *s == '\t' ? s + 1 : s;
	if (error || (!out.ptr && rat_buf_puts(&out, "") != 0)) {
		rat_buf_free(&out);
		return NULL;
	}
	return rat_buf_detach(&out);
}

#define CONTENTS_HEADER "rat-contents 1\t"

static char *contents_path(const rat_workspace *ws)
{
	return rat__sprintf("%s/contents.tsv", rat_workspace__cache_dir(ws));
}

/* One line of contents.tsv into e; RAT_EINVALID when it is not one. */
static int contents_line(rat_catalog_entry *e, const char *p)
{
	char *f[7] = { NULL };
	size_t i;
	int error = 0;

	memset(e, 0, sizeof(*e));
	for (i = 0; i < 7 && !error; i++)
		if ((f[i] = rat_workspace__listing_field(&p)) == NULL)
			error = RAT_ENOMEM;
	if (!error && (!f[0][0] || !f[1][0] || !f[5][0] || *p))
		error = RAT_EINVALID;
	if (!error) {
		e->key = f[0];
		e->state.metadata_location = f[1];
		e->state.snapshot_id = strtoll(f[2], NULL, 10);
		e->state.schema_id = atoi(f[3]);
		e->state.spec_id = atoi(f[4]);
		e->state.content_id = f[5];
		e->state.view = strcmp(f[6], "1") == 0;
		f[0] = f[1] = f[5] = NULL;
	}
	for (i = 0; i < 7; i++)
		free(f[i]);
	return error;
}

int rat_workspace__listing_contents(rat_contents *out, const rat_workspace *ws, const char *commit)
{
	rat_buf file = RAT_BUF_INIT;
	char *path = contents_path(ws), *p, *nl, *end;
	size_t capacity = 0, head = strlen(CONTENTS_HEADER);
	int error = RAT_ENOTFOUND;

	memset(out, 0, sizeof(*out));
	file.max = CACHE_MAX_BYTES;
	if (!path || rat_fs__read_file(&file, path, CACHE_MAX_BYTES) != 0 || !file.ptr ||
	    file.len < head || memcmp(file.ptr, CONTENTS_HEADER, head) != 0 ||
	    (nl = memchr(file.ptr, '\n', file.len)) == NULL ||
	    (size_t)(nl - file.ptr) != head + strlen(commit) ||
	    memcmp(file.ptr + head, commit, strlen(commit)) != 0)
		goto done;
	error = 0;
	end = file.ptr + file.len;
	for (p = nl + 1; !error && p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL;
	     p = nl + 1) {
		*nl = '\0';
		if ((error = rat__grow((void **)&out->items, &capacity, out->count,
				       sizeof(*out->items))) == 0 &&
		    (error = contents_line(&out->items[out->count], p)) == 0 &&
		    ++out->count > 1 &&
		    strcmp(out->items[out->count - 2].key, out->items[out->count - 1].key) >= 0)
			error = RAT_EINVALID; /* sorted by key, as the catalog gives them */
	}
	if (!error && p != end)
		error = RAT_EINVALID; /* cut short */
done:
	if (error)
		rat_catalog__contents_free(out);
	if (error && error != RAT_ENOMEM)
		error = RAT_ENOTFOUND; /* a cache that is not one: read the catalog */
	rat_error_clear();
	rat_buf_free(&file);
	free(path);
	return error;
}

void rat_workspace__listing_keep_contents(const rat_workspace *ws, const char *commit,
					  const rat_contents *contents)
{
	rat_buf out = RAT_BUF_INIT;
	char *path = contents_path(ws);
	const rat_catalog_entry *e;
	size_t i;
	int error = path ? rat_buf_printf(&out, "%s%s\n", CONTENTS_HEADER, commit) : RAT_ENOMEM;

	for (i = 0; !error && i < contents->count; i++) {
		e = &contents->items[i];
		if (e->state.ns)
			continue;
		if ((error = rat_workspace__listing_escape(&out, e->key)) != 0 ||
		    (error = rat_buf_putc(&out, '\t')) != 0 ||
		    (error = rat_workspace__listing_escape(&out, e->state.metadata_location)) != 0 ||
		    (error = rat_buf_printf(&out, "\t%lld\t%d\t%d\t", (long long)e->state.snapshot_id,
					    e->state.schema_id, e->state.spec_id)) != 0 ||
		    (error = rat_workspace__listing_escape(&out, e->state.content_id)) != 0)
			break;
		error = rat_buf_puts(&out, e->state.view ? "\t1\n" : "\t0\n");
	}
	if (!error)
		write_cache(path, &out);
	rat_error_clear(); /* best effort, as the listing */
	rat_buf_free(&out);
	free(path);
}
