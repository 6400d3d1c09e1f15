/*
 * table/avro.h - Avro object container files for Iceberg manifests and
 * manifest lists: a writer that keeps the schema JSON verbatim, and readers
 * of header metadata and of records held in memory.
 *
 * Design: Avro C 1.11 reads any container file, but when it writes one it
 * re-serialises the schema, dropping the attributes Iceberg relies on
 * ("field-id", "doc", "default"), and it cannot add header metadata
 * (Iceberg's "schema", "partition-spec", "format-version", "content", ...).
 * So the container is written here: the magic, the metadata map with the
 * schema JSON byte for byte, a random sync marker, and the block framing.
 * Avro C only encodes each record's bytes (avro_value_write) and reads files
 * back (avro_file_reader).
 *
 * Files are written with the "null" codec (uncompressed, as PyIceberg writes
 * them): "deflate" would need zlib on librat's link line, where it is not.
 * Any codec Avro C was built with (Spark writes deflate) can be read.
 *
 * Two Avro C 1.11 traps for code reading or filling values:
 * avro_file_reader_get_writer_schema() returns a new reference (release it
 * with avro_schema_decref()), and avro_value_set_branch() does not check the
 * branch number (an out-of-range one crashes).
 *
 * Internal API (double underscore): used by the manifest and manifest-list
 * code in src/table/.
 */
#ifndef RAT_TABLE_AVRO_H
#define RAT_TABLE_AVRO_H

#include "table/avro_api.h"
#include "util/common.h"

/* A block is written once it holds this many records or this many bytes. */
#define RAT_AVRO_BLOCK_RECORDS 1000
#define RAT_AVRO_BLOCK_BYTES ((size_t)1 << 20)

typedef struct rat_avro_writer rat_avro_writer;

/**
 * Start a container file in memory.
 *
 * schema_json is parsed by Avro C to encode records, and written unchanged as
 * the header's "avro.schema". meta_keys[i] / meta_values[i] (meta_count
 * pairs, both arrays may be NULL when meta_count is 0) are NUL-terminated
 * strings written after "avro.schema" and "avro.codec", in the order given.
 * Keys must be non-empty, distinct, and must not start with "avro."
 * (reserved by the Avro specification): RAT_EINVALID otherwise, and for a
 * schema Avro C refuses. Nothing given is retained: the writer copies what it
 * needs.
 *
 * On success *out is a writer to release with rat_avro__writer_free().
 */
RAT_MUST_USE int rat_avro__writer_new(rat_avro_writer **out, const char *schema_json,
				      const char *const *meta_keys, const char *const *meta_values,
				      size_t meta_count);

/**
 * A fresh value of the writer's schema for the caller to fill with the
 * avro_value_t API (avro_value_get_by_name, avro_value_set_long,
 * avro_value_set_branch for unions, avro_value_append for arrays,
 * avro_value_add for maps, ...), then pass to rat_avro__writer_append().
 *
 * The value is owned by the writer and valid until the next call of this
 * function or rat_avro__writer_free(). Every union starts with no branch
 * selected and must be given one; primitives start at 0, false or "".
 */
RAT_MUST_USE int rat_avro__writer_record(rat_avro_writer *w, avro_value_t **record);

/**
 * Append the value handed out by the last rat_avro__writer_record().
 *
 * A value that cannot be encoded (a union left without a branch) is refused
 * with RAT_EINVALID and a message naming the field ("avro: field
 * 'data_file.partition.x': union has no branch selected"); nothing of it is
 * written and the writer stays usable: fix the value and append again, or
 * start another. RAT_EINVALID also when there is no value to append (none
 * asked for, or already appended). RAT_ETOOBIG when the file would exceed
 * the 1 GiB buffer cap.
 */
RAT_MUST_USE int rat_avro__writer_append(rat_avro_writer *w);

/**
 * Finish the file: write the last block and hand over the whole file.
 * *data (free() it) holds *len bytes. The writer accepts nothing more
 * afterwards (RAT_EINVALID) but must still be released with
 * rat_avro__writer_free(). A file with no records is valid (header only).
 */
RAT_MUST_USE int rat_avro__writer_finish(rat_avro_writer *w, char **data, size_t *len);

/** Release a writer and everything it holds. NULL is accepted. */
void rat_avro__writer_free(rat_avro_writer *w);

/**
 * Look up key in the header metadata of the container file data[0..len).
 *
 * On success *value is a NUL-terminated copy of the value's bytes (free()
 * it), and *value_len, when value_len is not NULL, its length without the
 * terminator (metadata values are bytes; Iceberg's are UTF-8 JSON or text).
 * RAT_ENOTFOUND when the header has no such key; RAT_EINVALID when data is
 * not an Avro container file or its header is truncated or malformed, and
 * when key is NULL. Every length is checked against len: nothing is read
 * outside data[0..len).
 */
RAT_MUST_USE int rat_avro__read_metadata(const void *data, size_t len, const char *key,
					 char **value, size_t *value_len);

/**
 * Open Avro C's file reader over the container file data[0..len) in memory
 * (for instance a manifest fetched from object storage).
 *
 * data is borrowed: it must stay unchanged until the reader is closed with
 * avro_file_reader_close(), which also releases what this function opened.
 * The whole container is checked first (the header, a codec Avro C reads, a
 * schema it parses, each block's count, size and sync marker, nothing after
 * the last block), so a file that is not Avro or is damaged gives
 * RAT_EINVALID with a message saying why; Avro C's refusals are RAT_EINVALID
 * too, with its message.
 */
RAT_MUST_USE int rat_avro__reader_open(avro_file_reader_t *out, const void *data, size_t len);

#endif
