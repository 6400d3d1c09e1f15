/*
 * workspace/lease.h - leases that keep `rat vacuum` off the files of writes
 * in progress.
 *
 * A writer (a run, a table write, `rat write`) takes a lease before its
 * first file reaches the workspace's storage and releases it once what it
 * wrote is referenced by a ref of the catalog (or abandoned). A lease is a
 * file under RAT_HOME/leases/ naming the storage root and the time it was
 * taken (the real clock), locked with flock(2) for as long as the holder
 * lives: a crashed holder's lease is unlocked, so vacuum knows it is stale
 * and removes it. Vacuum keeps every file of the root written since the
 * oldest live lease was taken (docs/maintenance.md).
 */
#ifndef RAT_WORKSPACE_LEASE_H
#define RAT_WORKSPACE_LEASE_H

#include "util/common.h"
#include "rat/workspace.h"

typedef struct rat_lease rat_lease;

/**
 * Take a lease on ws's storage (its warehouse and prefix) for what (e.g.
 * "run 1a2b", kept in the file for whoever looks). *out is the lease: give
 * it to rat_lease__release(). RAT_EIO when RAT_HOME/leases cannot be written.
 */
RAT_MUST_USE int rat_lease__take(rat_lease **out, const rat_workspace *ws, const char *what);
/** As rat_lease__take(), on the storage root `root` (a folder or s3:// prefix). */
RAT_MUST_USE int rat_lease__take_at(rat_lease **out, const rat_workspace *ws, const char *root,
				    const char *what);
/**
 * Wait for, then hold, the lock of name (letters, digits, '-', '_', '.')
 * under RAT_HOME/leases/: one holder at a time across the processes sharing
 * RAT_HOME (publishing one product). Release it with rat_lease__release().
 */
RAT_MUST_USE int rat_lease__lock(rat_lease **out, const rat_workspace *ws, const char *name);
/** Release a lease or a lock (NULL is fine): its file is removed and unlocked. */
void rat_lease__release(rat_lease *lease);
/**
 * The time (real clock, ms since the epoch) the oldest live lease on ws's
 * storage was taken, or -1 when there is none. A lease on a root that holds
 * ws's, or that ws's holds, counts. Stale leases (their holder ended without
 * releasing them) are removed on the way.
 */
RAT_MUST_USE int rat_lease__oldest(int64_t *out, const rat_workspace *ws);
/**
 * *out: whether a live lease (its holder still runs) was taken for what
 * (rat_lease__take()'s what), on any storage root: a run still running,
 * whatever its record says.
 */
RAT_MUST_USE int rat_lease__held(bool *out, const rat_workspace *ws, const char *what);
/** As rat_lease__oldest(), for the storage root `root`. */
RAT_MUST_USE int rat_lease__oldest_at(int64_t *out, const rat_workspace *ws, const char *root);

#endif
