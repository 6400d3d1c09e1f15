/*
 * table/orphans.h - files under a table's location that no version of the
 * table references: what a failed or abandoned write leaves behind, and
 * what `rat vacuum` may delete.
 */
#ifndef RAT_TABLE_ORPHANS_H
#define RAT_TABLE_ORPHANS_H

#include "util/common.h"
#include "storage/storage.h"

/**
 * Keys of the table in store that are not referenced: not a metadata file,
 * not the version hint, and not reachable from any snapshot of the latest
 * metadata (manifest lists, manifests, data and delete files of every
 * status). Sorted. A table with no metadata yet has only orphans.
 */
RAT_MUST_USE int rat_table__orphans(rat_strarray *out, rat_store *store);

/**
 * Add to keys what one version of a table needs (metadata_key under the
 * store's root; relocate_from: the root its paths were written with, NULL:
 * its location): the metadata file, and for its current snapshot and every
 * snapshot at or after keep_after_ms the manifest list, manifests, data and
 * delete files and librat's state files. The ids of the snapshots left out
 * go to expired (each once). keys may hold duplicates.
 */
RAT_MUST_USE int rat_table__referenced(rat_strarray *keys, rat_strarray *expired, rat_store *store,
				       const char *metadata_key, const char *relocate_from,
				       int64_t keep_after_ms);

#endif
