/*
 * table/manifest_write.h - writing Iceberg v2 manifests and manifest lists.
 */
#ifndef RAT_TABLE_MANIFEST_WRITE_H
#define RAT_TABLE_MANIFEST_WRITE_H

#include "util/common.h"
#include "table/manifest.h"
#include "table/metadata.h"

typedef struct rat_manifest_writer rat_manifest_writer;

/** A manifest of data or delete files of one partition spec, for the table's current schema. */
RAT_MUST_USE int rat_table__manifest_writer_new(rat_manifest_writer **out,
						const rat_table_metadata *meta,
						const rat_table_spec *spec, rat_content content);
/**
 * Add an entry. ADDED entries leave their sequence numbers to be inherited
 * from the manifest list (the spec's rule); EXISTING and DELETED entries keep
 * the ones they carry.
 */
RAT_MUST_USE int rat_table__manifest_add(rat_manifest_writer *w, const rat_data_file *file);
/**
 * Finish: the manifest's bytes (free()) and its manifest-list entry, with
 * counts filled in; the caller sets ref->path, length, sequence numbers and
 * added_snapshot_id.
 */
RAT_MUST_USE int rat_table__manifest_finish(rat_manifest_writer *w, char **data, size_t *len,
					    rat_manifest_ref *ref);
void rat_table__manifest_writer_free(rat_manifest_writer *w);

/** A manifest list for a snapshot. */
RAT_MUST_USE int rat_table__manifest_list_write(const rat_manifest_ref *refs, size_t count,
						int64_t snapshot_id, int64_t parent_id,
						int64_t sequence_number, char **data, size_t *len);

#endif
