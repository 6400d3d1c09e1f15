/*
 * server/landing.c - a landing trigger's look at its folder (server.h): the
 * files under landing/<path> (its subfolders too, hidden files and links
 * aside, as `rat run` ingests them) whose names match the pattern, each
 * with its size and modification time. A file is new when the ledger has
 * not seen it with that size and time (rat_trigger_seen: the cursor is the
 * set of keys seen, never the clock); it counts only once two looks in a
 * row found it the same, so a file still being written waits for the next
 * look (a second after one that saw a file new or changing, else an
 * interval after the last).
 */
#include "server/server.h"

#include <dirent.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_DEPTH 32
#define MAX_FILES 100000

typedef struct seen_file {
	char *name;  /* relative to the watched folder */
	char *value; /* "<size>:<mtime ns>" */
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

typedef struct walk {
	const char *pattern;
	seen_file *files;
	size_t count, cap;
	bool failed;
} walk;

static void add(walk *wk, const char *rel, const struct stat *st)
{
	char value[64];

	if (wk->count == wk->cap) {
		seen_file *grown;

		if (wk->cap >= MAX_FILES || !(grown = realloc(wk->files, (wk->cap = wk->cap ? 2 * wk->cap : 64) *
									   sizeof(*grown)))) {
			wk->failed = true;
			return;
		}
		wk->files = grown;
	}
	snprintf(value, sizeof(value), "%lld:%lld%09ld", (long long)st->st_size,
		 (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
	wk->files[wk->count].name = strdup(rel);
	wk->files[wk->count].value = strdup(value);
	if (!wk->files[wk->count].name || !wk->files[wk->count].value)
		wk->failed = true;
	wk->count++;
}

static void walk_dir(walk *wk, const char *root, const char *sub, int depth)
{
	char path[4096];
	DIR *d;
	struct dirent *e;

	snprintf(path, sizeof(path), "%s%s%s", root, sub[0] ? "/" : "", sub);
	if (depth > MAX_DEPTH || !(d = opendir(path)))
		return;
	while (!wk->failed && (e = readdir(d)) != NULL) {
		char rel[4096], full[8192];
		struct stat st;
		const char *base = e->d_name;

		if (base[0] == '.') /* ".", "..", and hidden files (editors' swap files) */
			continue;
		snprintf(rel, sizeof(rel), "%s%s%s", sub, sub[0] ? "/" : "", base);
		snprintf(full, sizeof(full), "%s/%s", root, rel);
		if (lstat(full, &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode))
			walk_dir(wk, root, rel, depth + 1);
		else if (S_ISREG(st.st_mode) && fnmatch(wk->pattern, base, 0) == 0)
			add(wk, rel, &st);
	}
	closedir(d);
}

/* The value name had in the last look, or NULL. */
static const char *before(const srv_landing *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->count; i++)
		if (!strcmp(l->files[i].name, name))
			return l->files[i].value;
	return NULL;
}

#define CONFIRM_MS 1000 /* after a look that saw a file new or changing, the next one */

int srv_landing_look(srv_landing **state, srv_workspace *w, const rat_trigger_info *t,
		     int64_t now_ms, size_t *fresh)
{
	srv_landing *l = *state;
	walk wk = { t->pattern[0] ? t->pattern : "*", NULL, 0, 0, false };
	char root[4096];
	size_t i;

	*fresh = 0;
	if (!l && !(l = *state = calloc(1, sizeof(*l))))
		return -1;
	if (now_ms < l->next_ms)
		return 0;
	l->next_ms = now_ms + t->interval_ms;
	snprintf(root, sizeof(root), "%s/landing/%s", rat_workspace_path(w->ws), t->path);
	walk_dir(&wk, root, "", 0);
	if (wk.failed) {
		files_free(wk.files, wk.count);
		return -1;
	}
	for (i = 0; i < wk.count; i++) {
		const char *was = before(l, wk.files[i].name);
		int changed = 0;

		if (!was || strcmp(was, wk.files[i].value) != 0) {
			/* new or still changing: the next look decides, a second from now (a file
			 * fires about a second after it stops changing, not an interval) */
			if (l->next_ms > now_ms + CONFIRM_MS)
				l->next_ms = now_ms + CONFIRM_MS;
			continue;
		}
		if (rat_trigger_seen(w->ws, t->id, wk.files[i].name, wk.files[i].value, now_ms,
				     &changed) != 0) {
			files_free(wk.files, wk.count);
			return -1;
		}
		*fresh += changed != 0;
	}
	files_free(l->files, l->count);
	l->files = wk.files;
	l->count = wk.count;
	return 0;
}
