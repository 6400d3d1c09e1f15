/*
 * server/catalogs.c - open catalogs kept between requests, per workspace.
 *
 * Opening a workspace's catalog claims its identity and reads its state:
 * done once per handle, not per request; and the last handle's close is
 * what checkpoints SQLite's log, which no request should pay for. A handle
 * serves one request at a time. `rat catalog restore` writes into the
 * catalog file in place, under SQLite's locks, so kept handles read what it
 * restored (test_serve checks it); a file replaced by another one (moved
 * in by hand) has a new inode, and the handles on the old one are dropped,
 * never used.
 */
#include "server/server.h"

#include <stdlib.h>
#include <sys/stat.h>

/* The catalog file's identity now; 0 when it cannot be read. */
static ino_t inode_of(const srv_workspace *w)
{
	struct stat sb;

	return stat(rat_workspace_catalog_path(w->ws), &sb) == 0 ? sb.st_ino : 0;
}

int srv_catalog_take(srv_workspace *w, rat_catalog **out, ino_t *inode)
{
	ino_t now = inode_of(w);
	rat_catalog *stale[SRV_POOL_MAX];
	size_t i, n = 0;
	int error;

	*out = NULL;
	*inode = now;
	pthread_mutex_lock(&w->lock);
	while (!*out && w->pooled) {
		srv_pooled *p = &w->pool[--w->pooled];
		if (p->inode == now && now != 0)
			*out = p->catalog;
		else
			stale[n++] = p->catalog;
	}
	pthread_mutex_unlock(&w->lock);
	for (i = 0; i < n; i++)
		rat_catalog_free(stale[i]);
	if (*out)
		return 0;
	error = rat_catalog_open(out, w->ws);
	return error;
}

void srv_catalog_give(srv_workspace *w, rat_catalog *catalog, ino_t inode)
{
	if (!catalog)
		return;
	pthread_mutex_lock(&w->lock);
	if (w->pooled < SRV_POOL_MAX && inode != 0) {
		w->pool[w->pooled].catalog = catalog;
		w->pool[w->pooled].inode = inode;
		w->pooled++;
		catalog = NULL;
	}
	pthread_mutex_unlock(&w->lock);
	rat_catalog_free(catalog);
}

void srv_catalog_drain(srv_workspace *w)
{
	while (w->pooled)
		rat_catalog_free(w->pool[--w->pooled].catalog);
}
