/*
 * table/added_at.h - when the rows of each data file entered the table:
 * librat's "added-at" state, carried from snapshot to snapshot.
 *
 * Retention by load time needs, for every live data file, when its rows
 * first entered the table. The snapshot that added a file says so only
 * until the file is rewritten (a copy-on-write merge or delete writes the
 * rows it keeps into new files) or the snapshot expires (rat vacuum). So
 * each commit librat makes writes the state anew: a JSON file under
 * metadata/, named by the snapshot summary's RAT_ADDED_AT_KEY,
 *
 *     {"format": 1, "files": {"<data file path>": <ms since the epoch>, ...}}
 *
 * holding every live data file's time: a file of new rows gets the commit's
 * time (never below the newest time the table holds, whatever RAT_NOW
 * says); a file of rows carried from replaced files gets the earliest time
 * of those files (the writer keeps rows of different times in different
 * files, so that is exact); files that leave the table leave the state.
 * A file the state does not name (written by another engine, or before
 * librat kept this state) takes the time of the snapshot that added it, or,
 * when that snapshot expired, of the oldest snapshot left: a later time
 * than the truth, so retention keeps such rows longer, never shorter.
 */
#ifndef RAT_TABLE_ADDED_AT_H
#define RAT_TABLE_ADDED_AT_H

#include <jansson.h>

#include "util/common.h"
#include "storage/storage.h"
#include "table/manifest.h"
#include "table/metadata.h"

/* The snapshot summary key naming the state file (under the table root). */
#define RAT_ADDED_AT_KEY "rat.added-at"

typedef struct rat_added_at {
	json_t *files;  /* object: data file path -> ms; owned */
	bool found;     /* read from a snapshot's state (else empty: nothing recorded yet) */
	int64_t newest; /* the latest time it holds; 0 when empty */
} rat_added_at;

#define RAT_ADDED_AT_INIT { NULL, false, 0 }

/**
 * The state of the snapshot snapshot_id of meta, or of its nearest ancestor
 * that has one; empty (found false) when none has. store is rooted at the
 * table.
 */
RAT_MUST_USE int rat_table__added_at_read(rat_added_at *out, rat_store *store,
					  const rat_table_metadata *meta, int64_t snapshot_id);
void rat_table__added_at_free(rat_added_at *state);
/** A live data file's time: the state's, else derived from its snapshot (above). */
int64_t rat_table__added_at_of(const rat_added_at *state, const rat_table_metadata *meta,
			       const rat_data_file *file);
/** Record path's time (replacing any). */
RAT_MUST_USE int rat_table__added_at_set(rat_added_at *state, const char *path, int64_t ms);
/** Forget path (a file that left the table). */
void rat_table__added_at_remove(rat_added_at *state, const char *path);
/** Write the state under metadata/ of store; *key (free()) names it for the summary. */
RAT_MUST_USE int rat_table__added_at_write(const rat_added_at *state, rat_store *store,
					   char **key);

#endif
