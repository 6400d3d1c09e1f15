/*
 * pipeline/vacuum.c - `rat vacuum` (rat/maintenance.h).
 *
 * What stays is what some branch or tag of the catalog (run and dev
 * branches included) still reads in the workspace's storage: for each table
 * state a ref's head records, its metadata file, and its current snapshot
 * and every snapshot newer than the cutoff with their manifest lists,
 * manifests, data files and librat's state files. Older snapshots are
 * expired: their files go unless a kept snapshot shares them. Everything
 * else under the workspace's storage prefix that is older than the cutoff
 * is deleted (files younger than it may belong to a write in progress).
 * The workspace's published products live under _products/<name>/,
 * outside its prefix: there, what the registry names stays, and the rest
 * (a failed publish's files) goes by the same rules of age and leases.
 *
 * Whatever the cutoff, a write in progress loses nothing: the store is
 * listed first, the live leases read next (workspace/lease.h: every file
 * written since the oldest one was taken stays), the refs last. A write
 * that started after the leases were read wrote nothing the listing holds;
 * one that ended before had its files referenced by a ref when the refs
 * are read.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/fs.h"
#include "rat/catalog.h"
#include "rat/maintenance.h"
#include "rat/workspace.h"
#include "storage/storage.h"
#include "table/orphans.h"
#include "product/product.h"
#include "workspace/lease.h"
#include "workspace/tables.h"
#include "workspace/workspace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_OLDER_THAN_MS ((int64_t)7 * 24 * 3600 * 1000)
/*
 * Files written up to this long before the oldest live lease was taken stay
 * too: a store's clock (an S3 server's) may run behind ours, and a local
 * file system stamps files with a coarse clock.
 */
#define LEASE_MARGIN_MS ((int64_t)60 * 1000)

typedef struct sweep {
	const rat_workspace *ws;
	char *root;              /* <warehouse>/<prefix>, no trailing slash */
	rat_store_options opts;  /* the workspace's S3 settings and read cache */
	rat_strarray referenced; /* keys under root */
	rat_strarray expired;    /* "<table>:<snapshot id>" */
	rat_strarray seen;       /* metadata locations done */
	int64_t keep_after_ms;   /* snapshots and files older than this may go */
	int64_t lease_ms;        /* the oldest live lease, -1 when none: newer files stay */
	size_t tables;
} sweep;

/* Add what one table state needs, when it lies in the workspace's storage. */
static int keep_state(sweep *sw, const rat_catalog_entry *c)
{
	const char *loc = c->state.metadata_location, *meta = strstr(loc, "/metadata/");
	size_t n = strlen(sw->root);
	rat_strarray keys = RAT_STRARRAY_INIT, expired = RAT_STRARRAY_INIT;
	rat_store *store = NULL;
	char *table_root = NULL, *rel = NULL;
	size_t i;
	int error = 0;

	if (!meta || strncmp(loc, sw->root, n) != 0 || loc[n] != '/' ||
	    rat_strarray__contains(&sw->seen, loc))
		return 0; /* another workspace's table, or a state seen on another ref */
	if ((error = rat_strarray__push(&sw->seen, loc)) != 0 ||
	    (table_root = rat__strndup(loc, (size_t)(meta - loc))) == NULL ||
	    (rel = rat__strdup(table_root + n + 1)) == NULL) {
		error = error ? error : RAT_ENOMEM;
		goto cleanup;
	}
	sw->tables++;
	if ((error = rat_store__open(&store, table_root, &sw->opts)) != 0)
		goto cleanup;
	if (c->state.view)
		error = rat_strarray__push(&keys, meta + 1);
	else
		error = rat_table__referenced(&keys, &expired, store, meta + 1, NULL,
					      sw->keep_after_ms);
	for (i = 0; !error && i < keys.count; i++)
		error = rat_strarray__push_owned(&sw->referenced,
						 rat__sprintf("%s/%s", rel, keys.strings[i]));
	for (i = 0; !error && i < expired.count; i++) {
		char *id = rat__sprintf("%s:%s", rel, expired.strings[i]);
		if (id && !rat_strarray__contains(&sw->expired, id))
			error = rat_strarray__push_owned(&sw->expired, id);
		else if (id)
			free(id);
		else
			error = RAT_ENOMEM;
	}
cleanup:
	if (error)
		rat_error__prefix("vacuum: %s", c->key);
	rat_strarray_free(&keys);
	rat_strarray_free(&expired);
	rat_store__free(store);
	free(table_root);
	free(rel);
	return error;
}

/* Every ref's head: what is referenced. */
static int collect(sweep *sw)
{
	rat_catalog *catalog = NULL;
	rat_refs refs = { NULL, 0 };
	size_t i, j;
	int error;

	/*
	 * The identity is checked on opening; then every ref is read, whoever owns
	 * it: a file another workspace's ref (main after a merge) reads is kept.
	 */
	if ((error = rat_workspace__open_catalog(&catalog, sw->ws)) != 0 ||
	    (error = rat_catalog__set_workspace(catalog, NULL)) != 0 ||
	    (error = rat_catalog__list_refs(catalog, &refs)) != 0)
		goto cleanup;
	for (i = 0; !error && i < refs.count; i++) {
		rat_contents contents = { NULL, 0 };
		if ((error = rat_catalog__contents(catalog, refs.items[i].hash, &contents)) != 0)
			break;
		for (j = 0; !error && j < contents.count; j++)
			error = keep_state(sw, &contents.items[j]);
		rat_catalog__contents_free(&contents);
	}
	rat_strarray__sort(&sw->referenced);
cleanup:
	rat_catalog__refs_free(&refs);
	rat_catalog__free(catalog);
	return error;
}

static bool referenced(const sweep *sw, const char *key)
{
	return sw->referenced.count > 0 &&
	       bsearch(&key, sw->referenced.strings, sw->referenced.count, sizeof(char *),
		       rat__strcmp_ptr) != NULL;
}

/* Whether the file o may go: referenced by nothing, older than the cutoff and every lease. */
static bool deletable(const sweep *sw, const rat_store_object *o)
{
	if (referenced(sw, o->key) || o->mtime_ms >= sw->keep_after_ms)
		return false;
	return sw->lease_ms < 0 || o->mtime_ms < sw->lease_ms - LEASE_MARGIN_MS;
}

/* Delete (or, dry, list) what of all may go. */
static int delete_unreferenced(sweep *sw, const rat_store_list *all, rat_vacuum_report *out,
			       rat_strarray *files, bool dry)
{
	rat_store *store = NULL;
	size_t i;
	int error;

	if ((error = rat_store__open(&store, sw->root, &sw->opts)) != 0)
		return error;
	for (i = 0; !error && i < all->count; i++) {
		const rat_store_object *o = &all->items[i];
		if (!deletable(sw, o))
			continue;
		if (!dry && (error = rat_store__delete(store, o->key)) != 0)
			break;
		out->files_deleted++;
		out->bytes_deleted += o->size;
		error = rat_strarray__push_owned(files, rat__sprintf("%s/%s", sw->root, o->key));
	}
	rat_store__free(store);
	return error;
}

/* Everything under the workspace's storage prefix (nothing when it was never written). */
static int list_all(sweep *sw, rat_store_list *all)
{
	rat_store *store = NULL;
	int error;

	if (sw->root[0] == '/' && !rat_fs__exists(sw->root))
		return 0;
	if ((error = rat_store__open(&store, sw->root, &sw->opts)) == 0)
		error = rat_store__list(store, "", all);
	rat_store__free(store);
	return error;
}

/* The store, then the leases, then the refs (the order matters: see the top), then delete. */
static int sweep_all(sweep *sw, rat_vacuum_report *out, rat_strarray *files, bool dry)
{
	rat_store_list all = { NULL, 0 };
	int error;

	if ((error = list_all(sw, &all)) == 0 &&
	    (error = rat_lease__oldest_at(&sw->lease_ms, sw->ws, sw->root)) == 0 &&
	    (error = collect(sw)) == 0)
		error = delete_unreferenced(sw, &all, out, files, dry);
	rat_store__list_free(&all);
	return error;
}

/* The same under the workspace's _products/ folder, against what the registry names. */
static int sweep_products(const sweep *tables, rat_vacuum_report *out, rat_strarray *files,
			  bool dry)
{
	rat_store_list all = { NULL, 0 };
	sweep sw;
	int error;

	memset(&sw, 0, sizeof(sw));
	sw.ws = tables->ws;
	sw.opts = tables->opts;
	sw.keep_after_ms = tables->keep_after_ms;
	if ((sw.root = rat_product__root(sw.ws)) == NULL)
		return RAT_ENOMEM;
	if ((error = list_all(&sw, &all)) == 0 &&
	    (error = rat_lease__oldest_at(&sw.lease_ms, sw.ws, sw.root)) == 0 &&
	    (error = rat_product__files(&sw.referenced, sw.ws, sw.root)) == 0)
		error = delete_unreferenced(&sw, &all, out, files, dry);
	if (error)
		rat_error__prefix("vacuum: %s", sw.root);
	rat_store__list_free(&all);
	rat_strarray_free(&sw.referenced);
	free(sw.root);
	return error;
}

int rat_vacuum_options_init(rat_vacuum_options *opts, unsigned int version)
{
	static const rat_vacuum_options init = RAT_VACUUM_OPTIONS_INIT;

	return rat__options_init(opts, &init, sizeof(init), version, RAT_VACUUM_OPTIONS_VERSION,
				 "rat_vacuum_options");
}

int rat_vacuum(rat_vacuum_report *out, const rat_workspace *ws, const rat_vacuum_options *o)
{
	rat_vacuum_options defaults = RAT_VACUUM_OPTIONS_INIT;
	const rat_vacuum_options *opts = o ? o : &defaults;
	rat_strarray *files = NULL;
	sweep sw;
	int error;

	memset(out, 0, sizeof(*out));
	if ((error = rat__options_check(opts->version, RAT_VACUUM_OPTIONS_VERSION,
					"rat_vacuum_options")) != 0 ||
	    /* what every ref references is the server's to know, and other machines' leases */
	    (error = rat_workspace__local_only(ws, "vacuum")) != 0)
		return error;
	memset(&sw, 0, sizeof(sw));
	sw.ws = ws;
	rat_workspace__store_options(ws, &sw.opts);
	sw.keep_after_ms = rat_workspace_now_ms(ws) -
			   (opts->older_than_ms >= 0 ? opts->older_than_ms : DEFAULT_OLDER_THAN_MS);
	if ((files = rat__calloc(1, sizeof(*files))) == NULL ||
	    (sw.root = rat__sprintf("%s/%s", rat_workspace_warehouse(ws),
				    rat_workspace_s3_prefix(ws))) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = sweep_all(&sw, out, files, opts->dry_run != 0)) == 0 &&
	    (error = sweep_products(&sw, out, files, opts->dry_run != 0)) == 0) {
		out->tables = sw.tables;
		out->snapshots_expired = sw.expired.count;
		rat_strarray__sort(files);
		out->files = (const char *const *)files->strings;
		out->file_count = files->count;
		files->strings = NULL; /* the report owns them now */
		files->count = 0;
	}
cleanup:
	if (files) {
		rat_strarray_free(files);
		free(files);
	}
	rat_strarray_free(&sw.referenced);
	rat_strarray_free(&sw.expired);
	rat_strarray_free(&sw.seen);
	free(sw.root);
	return error;
}

void rat_vacuum_report_free(rat_vacuum_report *report)
{
	size_t i;

	if (!report)
		return;
	for (i = 0; i < report->file_count; i++)
		free((char *)report->files[i]);
	free((void *)report->files);
	memset(report, 0, sizeof(*report));
}
