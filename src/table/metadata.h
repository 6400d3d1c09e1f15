/*
 * table/metadata.h - Apache Iceberg table metadata (format v1 and v2): the
 * parsed view of a metadata JSON file.
 *
 * The JSON document is kept whole (`json`), so a writer that makes the next
 * version changes only what it means to and carries every field it does not
 * know (statistics, sort orders, other engines' properties) unchanged. The
 * parsed arrays are a read-only view for planning scans.
 */
#ifndef RAT_TABLE_METADATA_H
#define RAT_TABLE_METADATA_H

#include <jansson.h>

#include "util/common.h"

/* What librat writes as "engine-name" in the summary of each snapshot it commits. */
#define RAT_ENGINE_NAME "ratatouille"

/** A field of a schema: a column, or a member of a struct, list or map. */
typedef struct rat_table_field {
	int id;
	char *name;
	bool required;
	char *type;        /* primitive Iceberg type ("long", "decimal(9, 2)") or "struct"/"list"/"map" */
	json_t *type_json; /* the type as written (borrowed from the document) */
} rat_table_field;

typedef struct rat_table_schema {
	int schema_id;
	rat_table_field *fields; /* top-level columns, in order */
	size_t field_count;
	json_t *json; /* borrowed */
} rat_table_schema;

typedef struct rat_table_partition_field {
	int source_id;
	int field_id;
	char *name;
	char *transform; /* identity, year, month, day, hour, bucket[N], truncate[W], void */
} rat_table_partition_field;

typedef struct rat_table_spec {
	int spec_id;
	rat_table_partition_field *fields;
	size_t field_count;
} rat_table_spec;

typedef struct rat_table_snapshot {
	int64_t snapshot_id;
	int64_t parent_id;       /* -1: none */
	int64_t sequence_number; /* 0 in format v1 */
	int64_t timestamp_ms;
	char *manifest_list;     /* NULL for v1 tables that list manifests inline */
	char *operation;         /* summary.operation, "" if absent */
	int schema_id;           /* -1: not recorded */
	json_t *summary;         /* borrowed */
} rat_table_snapshot;

typedef struct rat_table_metadata {
	json_t *json; /* owned: the whole document */
	int format_version;
	char *table_uuid;
	char *location;
	int64_t last_sequence_number;
	int64_t last_updated_ms;
	int last_column_id;
	int current_schema_id;
	int default_spec_id;
	int last_partition_id;
	int64_t current_snapshot_id; /* -1: no snapshot yet */
	rat_table_schema *schemas;
	size_t schema_count;
	rat_table_spec *specs;
	size_t spec_count;
	rat_table_snapshot *snapshots; /* in the order of the file (commit order) */
	size_t snapshot_count;
} rat_table_metadata;

/**
 * Parse metadata JSON. `source` names the file in messages. On failure the
 * message says which field is missing or wrong ("<source>: snapshots[2]:
 * 'manifest-list' must be a string").
 */
RAT_MUST_USE int rat_table__metadata_parse(rat_table_metadata *out, const char *text, size_t len,
					   const char *source);
void rat_table__metadata_free(rat_table_metadata *meta);

struct rat_store;
/**
 * Read and parse the metadata file key of store (at most 256 MiB); messages
 * name it by its full path or URL. A file that is missing, too big or not
 * Iceberg metadata also sets the error detail RAT_DETAIL_METADATA_UNREADABLE
 * (what `rat run -f` may replace); a failed read (a refused file, an S3
 * outage) does not: the file may be fine.
 */
RAT_MUST_USE int rat_table__metadata_read(rat_table_metadata *out, struct rat_store *store,
					  const char *key);

const rat_table_schema *rat_table__schema(const rat_table_metadata *meta, int schema_id);
const rat_table_spec *rat_table__spec(const rat_table_metadata *meta, int spec_id);
/** NULL when no such snapshot (the message names the id and the table). */
const rat_table_snapshot *rat_table__snapshot(const rat_table_metadata *meta, int64_t snapshot_id);
/** The snapshot current as of a time: the last one committed at or before it. */
const rat_table_snapshot *rat_table__snapshot_at(const rat_table_metadata *meta,
						 int64_t timestamp_ms);
/** The schema to read a snapshot with: its own if recorded, else the current one. */
const rat_table_schema *rat_table__snapshot_schema(const rat_table_metadata *meta,
						  const rat_table_snapshot *snapshot);
/** A top-level field of a schema by id; NULL if absent. */
const rat_table_field *rat_table__field(const rat_table_schema *schema, int field_id);

#endif
