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
int rat_table__orphans(rat_strarray *out, rat_store *store);

#endif
