/*
 * fuzz/fuzz_avro_manifest.c - Avro container files as Iceberg stores its
 * manifests and manifest lists (table/avro_read.c, table/manifest_read.c):
 * the header reader, Avro C's reader opened over memory, and the decoding
 * of manifest-list entries and manifest entries by field name.
 *
 * Input: the file's bytes. Each input is read every way the table code
 * reads such a file: its header metadata (the keys Iceberg writes), as a
 * manifest list, and as a manifest whose entries inherit from a manifest
 * list entry; then each data file's partition id is made, as scans do.
 */
#include "rat.h"
#include "util/common.h"
#include "table/avro.h"
#include "table/manifest.h"
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

/*
 * A damaged record can state any length for a string or an array (a negative
 * one too), and Avro C 1.11 asks malloc for it before reading, then returns
 * ENOMEM when malloc says no. Under ASan such a request is a report unless
 * the allocator may return NULL as malloc does; with this, what the
 * sanitizers report is what would go wrong without them. (run.sh also lifts
 * libFuzzer's malloc limit for this target.)
 */
const char fuzz_asan_options[] = "allocator_may_return_null=1";

/*
 * Avro C 1.11 leaks what it built when avro_file_reader_fp() fails after the
 * header, e.g. on a deflate block that does not inflate. librat checks all
 * it can first (avro_read.c), but inflating needs zlib, which librat does
 * not link; so leaks of memory Avro C allocated itself are not reported.
 * Leaks of anything librat allocates (its own memory, JSON) still are.
 */
const char fuzz_lsan_suppressions[] = "leak:libavro.so\n";

static const char *const meta_keys[] = { "avro.schema", "avro.codec", "schema", "schema-id",
					 "partition-spec", "partition-spec-id", "format-version",
					 "content" };

static void read_as_manifest(const char *data, size_t size)
{
	rat_manifest_ref ref;
	rat_data_files files = { 0 };
	size_t i;

	memset(&ref, 0, sizeof(ref));
	ref.path = "metadata/fuzz-m0.avro";
	ref.length = (int64_t)size;
	ref.sequence_number = 7;
	ref.min_sequence_number = 3;
	ref.added_snapshot_id = 42;
	rat__ignore(rat_table__read_manifest(&files, data, size, &ref, "fuzz-m0.avro"));
	for (i = 0; i < files.count; i++)
		free(rat_table__partition_id(&files.items[i]));
	rat_table__data_files_free(&files);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rat_manifest_list list;
	char *file = fuzz_memdup(data, size);
	size_t i;

	for (i = 0; i < RAT_ARRAY_SIZE(meta_keys); i++) {
		char *value = NULL;
		size_t len = 0;
		if (rat_avro__read_metadata(file, size, meta_keys[i], &value, &len) == 0 &&
		    (!value || strlen(value) > len))
			abort(); /* a value found is a NUL-terminated copy of len bytes */
		free(value);
	}
	if (rat_table__read_manifest_list(&list, file, size, "snap-fuzz.avro") == 0)
		rat_table__manifest_list_free(&list);
	read_as_manifest(file, size);
	free(file);
	return 0;
}
