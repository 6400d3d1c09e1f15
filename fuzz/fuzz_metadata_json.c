/*
 * fuzz/fuzz_metadata_json.c - Iceberg table metadata JSON
 * (table/metadata.c): format v1 and v2 documents, schemas, partition specs,
 * snapshots, and the look-ups a scan makes on what was parsed.
 *
 * Input: the metadata file's bytes, given with their length (not
 * NUL-terminated, as a file read from object storage is).
 */
#include "rat.h"
#include "util/common.h"
#include "table/metadata.h"
#include "fuzz.h"

#include <stdlib.h>

/* What planning a scan asks of parsed metadata: every snapshot, its schema, time travel. */
static void look_up(const rat_table_metadata *meta)
{
	const rat_table_schema *schema;
	size_t i, j;

	for (i = 0; i < meta->snapshot_count; i++) {
		const rat_table_snapshot *s = rat_table__snapshot(meta, meta->snapshots[i].snapshot_id);
		if (s != &meta->snapshots[i] && (!s || s->snapshot_id != meta->snapshots[i].snapshot_id))
			abort(); /* the look-up must find a snapshot of that id */
		rat_table__snapshot_at(meta, s->timestamp_ms);
		if ((schema = rat_table__snapshot_schema(meta, s)) != NULL)
			for (j = 0; j < schema->field_count; j++)
				rat_table__field(schema, schema->fields[j].id);
	}
	rat_table__snapshot_at(meta, INT64_MAX);
	rat_table__snapshot_at(meta, INT64_MIN);
	rat_table__spec(meta, meta->default_spec_id);
	if ((schema = rat_table__schema(meta, meta->current_schema_id)) == NULL)
		abort(); /* the parser promises the current schema exists */
	for (j = 0; j < schema->field_count; j++)
		if (!rat_table__field(schema, schema->fields[j].id))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rat_table_metadata meta;
	/* not NUL-terminated, as a file read from object storage is not */
	char *text = fuzz_memdup(data, size);

	if (rat_table__metadata_parse(&meta, text, size, "v1.metadata.json") == 0) {
		look_up(&meta);
		rat_table__metadata_free(&meta);
	}
	free(text);
	return 0;
}
