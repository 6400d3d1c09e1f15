/*
 * table/manifest.h - reading Iceberg manifest lists and manifests (Avro).
 *
 * Values that the v2 spec lets a manifest entry inherit (snapshot id and
 * data sequence number of ADDED entries written as null) are filled in from
 * the manifest list here, so callers always see the effective values. Format
 * v1 files have no sequence numbers: they read as 0, which is what v1 means.
 */
#ifndef RAT_TABLE_MANIFEST_H
#define RAT_TABLE_MANIFEST_H

#include <jansson.h>

#include "util/common.h"

typedef enum rat_content {
	RAT_CONTENT_DATA = 0,
	RAT_CONTENT_POSITION_DELETES = 1,
	RAT_CONTENT_EQUALITY_DELETES = 2
} rat_content;

typedef enum rat_entry_status {
	RAT_ENTRY_EXISTING = 0,
	RAT_ENTRY_ADDED = 1,
	RAT_ENTRY_DELETED = 2
} rat_entry_status;

/** An entry of a manifest list. */
typedef struct rat_manifest_ref {
	char *path;
	int64_t length;
	int spec_id;
	int content; /* 0: data files, 1: delete files */
	int64_t sequence_number;
	int64_t min_sequence_number;
	int64_t added_snapshot_id;
	int added_files, existing_files, deleted_files;
	int64_t added_rows, existing_rows, deleted_rows;
} rat_manifest_ref;

typedef struct rat_manifest_list {
	rat_manifest_ref *items;
	size_t count;
} rat_manifest_list;

/** A data or delete file, as a manifest entry describes it. */
typedef struct rat_data_file {
	rat_entry_status status;
	int64_t snapshot_id;
	int64_t data_sequence_number;
	int64_t file_sequence_number;
	rat_content content;
	char *path;
	char *format; /* "PARQUET", ... */
	int spec_id;
	json_t *partition; /* object: partition field name -> value (JSON scalar or null) */
	int64_t record_count;
	int64_t file_size;
	int *equality_ids;
	size_t equality_count;
	json_t *lower_bounds; /* object: field id (as a string) -> the bound's bytes as lowercase hex */
	json_t *upper_bounds;
	json_t *null_counts;  /* object: field id -> count */
	json_t *value_counts; /* object: field id -> count */
} rat_data_file;

typedef struct rat_data_files {
	rat_data_file *items;
	size_t count;
	size_t capacity;
} rat_data_files;

/** Read a manifest list; `source` names it in messages. */
RAT_MUST_USE int rat_table__read_manifest_list(rat_manifest_list *out, const void *data, size_t len,
					       const char *source);
void rat_table__manifest_list_free(rat_manifest_list *list);

/** Read a manifest's entries, appending to out (every status included). */
RAT_MUST_USE int rat_table__read_manifest(rat_data_files *out, const void *data, size_t len,
					  const rat_manifest_ref *ref, const char *source);
void rat_table__data_files_free(rat_data_files *files);
/** "<spec id>:<partition tuple as canonical JSON>": equal for files in the same partition. */
char *rat_table__partition_id(const rat_data_file *file);
/** Free what one entry holds (the entry itself belongs to its array). */
void rat_table__data_file_clear(rat_data_file *file);
/** Append a copy of the struct (taking over what it holds). */
RAT_MUST_USE int rat_table__data_files_push(rat_data_files *files, const rat_data_file *file);

#endif
