/*
 * server/landing.c - a landing trigger's look at its folder or S3 prefix
 * (server.h): the files rat_landing_list_get() lists (subfolders too,
 * hidden files and links aside, as `rat run` ingests them) whose names
 * match the pattern, each with its size and modification time (and an S3
 * object's ETag). A file is new when the ledger has
 * not seen it with that size and time (rat_trigger_seen: the cursor is the
 * set of keys seen, never the clock); it counts only once two looks in a
 * row found it the same, so a file still being written waits for the next
 * look (a second after one that saw a file new or changing, else an
 * interval after the last).
 */
#include "server/server.h"

#include <stdlib.h>
#include <string.h>

typedef struct seen_file {
	char *name;  /* relative to the watched folder */
	char *value; /* "<size>:<mtime ns>[:<etag>]" */
} seen_file;

struct srv_landing {
	seen_file *files; /* the last look's */
	size_t count;
	int64_t next_ms;  /* when to look again, on the triggers' clock */
};

static void files_free(seen_file *f, size_t n)
{
	size_t i;

	for (i = 0; f && i < n; i++) {
		free(f[i].name);
		free(f[i].value);
	}
	free(f);
}

void srv_landing_free(srv_landing *l)
{
	if (!l)
		return;
	files_free(l->files, l->count);
	free(l);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const seen_file *)a)->name, ((const seen_file *)b)->name);
}

/* The value name had in the last look (its files sorted by name), or NULL. */
static const char *before(const srv_landing *l, const char *name)
{
	seen_file key = { (char *)name, NULL };
	const seen_file *at = l->count ? bsearch(&key, l->files, l->count, sizeof(key), by_name) : NULL;

	return at ? at->value : NULL;
}

#define CONFIRM_MS 1000 /* after a look that saw a file new or changing, the next one */

/* l's files from listing: each with "<size>:<mtime ns>", and ":<etag>" for an S3 object. */
static int from_listing(seen_file **out, const rat_landing_list *list)
{
	size_t i;

	if (!(*out = calloc(list->count + 1, sizeof(**out))))
		return -1;
	for (i = 0; i < list->count; i++) {
		const rat_landing_file *f = &list->items[i];
		char value[256];

		snprintf(value, sizeof(value), "%lld:%lld%s%.200s", (long long)f->size,
			 (long long)f->mtime_ns, f->etag[0] ? ":" : "", f->etag);
		if (!((*out)[i].name = strdup(f->name)) || !((*out)[i].value = strdup(value))) {
			files_free(*out, i + 1);
			return -1;
		}
	}
	return 0;
}

int srv_landing_look(srv_landing **state, srv_workspace *w, const rat_trigger_info *t,
		     int64_t now_ms, size_t *fresh)
{
	srv_landing *l = *state;
	rat_landing_list list = { NULL, 0 };
	seen_file *files = NULL;
	size_t i, count;

	*fresh = 0;
	if (!l && !(l = *state = calloc(1, sizeof(*l))))
		return -1;
	if (now_ms < l->next_ms)
		return 0;
	l->next_ms = now_ms + t->interval_ms;
	if (rat_landing_list_get(&list, w->ws, t->path, t->pattern[0] ? t->pattern : NULL) != 0)
		return -1;
	count = list.count;
	if (from_listing(&files, &list) != 0) {
		rat_landing_list_free(&list);
		return -1;
	}
	rat_landing_list_free(&list);
	for (i = 0; i < count; i++) {
		const char *was = before(l, files[i].name);
		int changed = 0;

		if (!was || strcmp(was, files[i].value) != 0) {
			/* new or still changing: the next look decides, a second from now (a file
			 * fires about a second after it stops changing, not an interval) */
			if (l->next_ms > now_ms + CONFIRM_MS)
				l->next_ms = now_ms + CONFIRM_MS;
			continue;
		}
		if (rat_trigger_seen(w->ws, t->id, files[i].name, files[i].value, now_ms,
				     &changed) != 0) {
			files_free(files, count);
			return -1;
		}
		*fresh += changed != 0;
	}
	files_free(l->files, l->count);
	l->files = files;
	l->count = count;
	return 0;
}
