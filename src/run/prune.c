/*
 * run/prune.c - run branches that outlived their use (rat_run_prune() of
 * rat/pipeline.h).
 *
 * A failed run keeps its branch, run/<id>, for inspection (rat query --ref)
 * for runs.keep_failed_days (workspace.yaml, default 7); then the next run
 * of the workspace, or `rat vacuum`, removes it and says so in the run's
 * record. A run saves its record as "running" when it starts: one still
 * "running" a day (or keep_failed_days, if longer) after it started, whose
 * lease (workspace/lease.c) no live process holds, ended with its process
 * (killed, crashed); its branch goes the same way and its record says what
 * happened. One whose lease is held is still running, however long. Only this workspace's records are read, so a
 * run branch is only ever removed by the workspace that made it.
 *
 * Records themselves are kept runs.retention_days (default 30) after their
 * run ended, then removed; a record whose branch is kept stays with it.
 * With NESSIE_URI the records are the server's, and the server's own runs
 * prune them. (The server prunes its ledger on its clock.)
 */
#include "util/common.h"
#include "util/buf.h"
#include "rat/catalog.h"
#include "rat/pipeline.h"
#include "rat/workspace.h"
#include "catalog/catalog.h"
#include "run/run.h"
#include "workspace/lease.h"
#include "workspace/workspace.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


#define DAY_MS ((int64_t)86400 * 1000)

/* The record as it is with its branch gone, saved again. */
static int forget_branch(const rat_workspace *ws, rat_run_info *info, bool crashed)
{
	rat_run_record *rec = (rat_run_record *)info; /* the info is the record's first member */

	rec->info.run_branch = "";
	if (crashed) {
		rec->info.status = "failed";
		rec->info.error = rat_run__keep(rec, "the run's process ended before the run did "
						     "(killed or crashed); nothing was published");
	}
	return rat_run__record_save(rec, ws);
}

/* Whether info's branch is due for removal at now, and whether its run crashed. */
static bool due(const rat_run_info *info, int64_t now, int64_t keep_ms, bool *crashed)
{
	*crashed = strcmp(info->status, "running") == 0;
	if (!info->run_branch[0])
		return false;
	if (*crashed)
		return info->started_ms + (keep_ms > DAY_MS ? keep_ms : DAY_MS) < now;
	return (strcmp(info->status, "failed") == 0 || strcmp(info->status, "cancelled") == 0) &&
	       info->finished_ms + keep_ms < now;
}

/* The records of runs that ended runs.retention_days ago, their branch gone, removed. */
static int prune_records(const rat_workspace *ws, const rat_run_list *runs, int64_t now)
{
	int64_t keep_ms = rat_workspace_run_retention_days(ws) * DAY_MS;
	char *dir;
	size_t i;
	int error = 0;

	if (rat_workspace_catalog_server(ws)) /* the server's records: its runs prune them */
		return 0;
	if (!(dir = rat_run__records_dir(rat_workspace_home(ws), rat_workspace_name(ws))))
		return RAT_ENOMEM;
	for (i = 0; !error && i < runs->count; i++) {
		const rat_run_info *info = runs->items[i];
		char path[4096];

		if (!strcmp(info->status, "running") || info->run_branch[0] || !info->finished_ms ||
		    info->finished_ms + keep_ms >= now)
			continue;
		snprintf(path, sizeof(path), "%s/%s.json", dir, info->id);
		if (unlink(path) != 0 && errno != ENOENT)
			error = rat_error__os(RAT_EIO, "cannot remove %s", path);
	}
	free(dir);
	return error;
}

int rat_run__prune(rat_strarray *removed, rat_catalog *catalog, const rat_workspace *ws)
{
	rat_run_list runs = { NULL, 0 };
	int64_t now = rat_workspace_now_ms(ws);
	int64_t keep_ms = rat_workspace__keep_failed_days(ws) * DAY_MS;
	size_t i;
	int error;

	if ((error = rat_run_list_get(&runs, ws, 0)) != 0)
		return error;
	for (i = 0; !error && i < runs.count; i++) {
		rat_run_info *info = runs.items[i];
		bool crashed, alive = false;
		if (!due(info, now, keep_ms, &crashed))
			continue;
		/* "running" for long, and still running (its lease is held): a long backfill */
		if (crashed && (error = rat_lease__held(&alive, ws, info->run_branch)) != 0)
			break;
		if (alive)
			continue;
		error = rat_catalog__delete_ref(catalog, info->run_branch, NULL);
		if (error == RAT_ENOTFOUND) { /* removed by hand meanwhile */
			rat_error_clear();
			error = 0;
		}
		if (!error && removed)
			error = rat_strarray__push(removed, info->run_branch);
		if (!error)
			error = forget_branch(ws, info, crashed);
	}
	if (!error) /* the same list: a branch just removed leaves its record to this */
		error = prune_records(ws, &runs, now);
	rat_run_list_free(&runs);
	return error;
}

int rat_run_prune(rat_strarray *removed, const rat_workspace *ws)
{
	rat_catalog *catalog = NULL;
	int error;

	memset(removed, 0, sizeof(*removed));
	if ((error = rat_workspace__open_catalog(&catalog, ws)) == 0)
		error = rat_run__prune(removed, catalog, ws);
	rat_catalog__free(catalog);
	if (error)
		rat_strarray_free(removed);
	return error;
}
