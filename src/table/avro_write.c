/*
 * table/avro_write.c - an Avro object container writer that keeps the schema
 * JSON verbatim and adds header metadata (see avro.h for why).
 *
 * The file grows in one capped buffer: the header is written at once; each
 * appended record is checked (every union has a branch), encoded by Avro C
 * into a scratch buffer, then copied into the current block, so a record
 * that fails leaves nothing behind. A full block goes out as
 * count, byte size, data, sync marker.
 */
#include "util/common.h"
#include "util/buf.h"
#include "table/avro.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define SYNC_SIZE 16

struct rat_avro_writer {
	avro_schema_t schema;
	avro_value_iface_t *iface;
	avro_value_t record;
	bool have_value;  /* record holds a value (to release) */
	bool have_record; /* that value waits to be appended */
	bool finished;
	avro_writer_t encoder; /* Avro C memory writer over scratch */
	char *scratch;
	size_t scratch_cap;
	rat_buf block; /* encoded records of the current block */
	size_t block_count;
	unsigned char sync[SYNC_SIZE];
	rat_buf out; /* the file so far */
};

/* An Avro long: zig-zag, then 7 bits a byte, low bits first. */
static int put_long(rat_buf *buf, int64_t value)
{
	uint64_t n = value < 0 ? ~((uint64_t)value << 1) : (uint64_t)value << 1;
	unsigned char bytes[10];
	size_t len = 0;

	while (n >= 0x80) {
		bytes[len++] = (unsigned char)(n | 0x80);
		n >>= 7;
	}
	bytes[len++] = (unsigned char)n;
	return rat_buf_put(buf, bytes, len);
}

/* Avro bytes and string: the length as a long, then the bytes. */
static int put_bytes(rat_buf *buf, const void *data, size_t len)
{
	int error = put_long(buf, (int64_t)len);
	return error ? error : rat_buf_put(buf, data, len);
}

static int random_sync(unsigned char *sync)
{
	size_t got = 0;

	while (got < SYNC_SIZE) {
		ssize_t n = getrandom(sync + got, SYNC_SIZE - got, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return rat_error__os(RAT_EIO, "avro: getrandom for the sync marker");
		got += (size_t)n;
	}
	return 0;
}

static int check_meta(const char *const *keys, const char *const *values, size_t count)
{
	size_t i, j;

	for (i = 0; i < count; i++) {
		if (!keys || !values || !keys[i] || !values[i] || !keys[i][0])
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
					      "avro: header metadata %zu has no key or no value", i);
		if (rat__str_has_prefix(keys[i], "avro."))
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
					      "avro: header metadata key '%s' is reserved (avro.*)",
					      keys[i]);
		for (j = 0; j < i; j++)
			if (strcmp(keys[i], keys[j]) == 0)
				return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
						      "avro: header metadata key '%s' given twice",
						      keys[i]);
	}
	return 0;
}

static int put_meta(rat_buf *buf, const char *key, const char *value)
{
	int error = put_bytes(buf, key, strlen(key));
	return error ? error : put_bytes(buf, value, strlen(value));
}

/* magic, the metadata map in one block, the sync marker */
static int put_header(rat_avro_writer *w, const char *schema_json, const char *const *keys,
		      const char *const *values, size_t count)
{
	int error;
	size_t i;

	if ((error = rat_buf_put(&w->out, "Obj\x01", 4)) != 0 ||
	    (error = put_long(&w->out, (int64_t)count + 2)) != 0 ||
	    (error = put_meta(&w->out, "avro.schema", schema_json)) != 0 ||
	    (error = put_meta(&w->out, "avro.codec", "null")) != 0)
		return error;
	for (i = 0; i < count; i++)
		if ((error = put_meta(&w->out, keys[i], values[i])) != 0)
			return error;
	if ((error = put_long(&w->out, 0)) != 0)
		return error;
	return rat_buf_put(&w->out, w->sync, SYNC_SIZE);
}

static int parse_schema(rat_avro_writer *w, const char *schema_json)
{
	if (avro_schema_from_json_length(schema_json, strlen(schema_json), &w->schema) != 0) {
		w->schema = NULL;
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "avro: schema: %s",
				      avro_strerror());
	}
	w->iface = avro_generic_class_from_schema(w->schema);
	if (!w->iface)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "avro: schema: no value class: %s", avro_strerror());
	return 0;
}

int rat_avro__writer_new(rat_avro_writer **out, const char *schema_json,
			 const char *const *meta_keys, const char *const *meta_values,
			 size_t meta_count)
{
	rat_avro_writer *w = NULL;
	int error;

	*out = NULL;
	if ((error = rat_avro__load()) != 0)
		return error;
	if (!schema_json)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "avro: no schema");
	if ((error = check_meta(meta_keys, meta_values, meta_count)) != 0)
		return error;
	if (!(w = rat__calloc(1, sizeof(*w))))
		return RAT_ENOMEM;
	if ((error = parse_schema(w, schema_json)) != 0 || (error = random_sync(w->sync)) != 0)
		goto cleanup;
	if ((error = put_header(w, schema_json, meta_keys, meta_values, meta_count)) != 0) {
		rat_error__prefix("avro: header");
		goto cleanup;
	}
	*out = w;
	w = NULL;
cleanup:
	rat_avro__writer_free(w);
	return error;
}

int rat_avro__writer_record(rat_avro_writer *w, avro_value_t **record)
{
	*record = NULL;
	if (w->finished)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "avro: the file is already finished");
	if (w->have_value)
		avro_value_decref(&w->record);
	w->have_value = w->have_record = false;
	/* a new value rather than avro_value_reset(), which keeps union branches */
	if (avro_generic_value_new(w->iface, &w->record) != 0)
		return rat_error__set(RAT_ENOMEM, RAT_ERRCLASS_NOMEMORY,
				      "avro: new record value: %s", avro_strerror());
	w->have_value = w->have_record = true;
	*record = &w->record;
	return 0;
}

/* Append a path step: ".name", "[index]" or "['key']". */
static void path_push(rat_buf *path, const char *name, size_t index, bool is_key)
{
	/* the path only decorates a message: a failure here leaves it shorter */
	if (is_key)
		rat__ignore(rat_buf_printf(path, "['%s']", name));
	else if (name)
		rat__ignore(rat_buf_printf(path, "%s%s", path->len ? "." : "", name));
	else
		rat__ignore(rat_buf_printf(path, "[%zu]", index));
}

static void path_pop(rat_buf *path, size_t len)
{
	if (path->ptr && len <= path->len) {
		path->len = len;
		path->ptr[len] = '\0';
	}
}

static int check_value(avro_value_t *value, rat_buf *path);

/* records, arrays and maps: check each child under its path step */
static int check_children(avro_value_t *value, avro_type_t type, rat_buf *path)
{
	size_t count = 0, i, mark = path->len;
	int error = 0;

	if (avro_value_get_size(value, &count) != 0)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "avro: field '%s': %s",
				      rat_buf_cstr(path), avro_strerror());
	for (i = 0; i < count && !error; i++) {
		avro_value_t child;
		const char *name = NULL;

		if (avro_value_get_by_index(value, i, &child, &name) != 0)
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
					      "avro: field '%s': %s", rat_buf_cstr(path),
					      avro_strerror());
		path_push(path, type == AVRO_ARRAY ? NULL : name, i, type == AVRO_MAP);
		error = check_value(&child, path);
		path_pop(path, mark);
	}
	return error;
}

/* Avro C encodes any value of its class except a union with no branch. */
static int check_value(avro_value_t *value, rat_buf *path)
{
	avro_type_t type = avro_value_get_type(value);
	avro_value_t branch;
	int discriminant = -1;

	if (type == AVRO_RECORD || type == AVRO_ARRAY || type == AVRO_MAP)
		return check_children(value, type, path);
	if (type != AVRO_UNION)
		return 0;
	if (avro_value_get_discriminant(value, &discriminant) != 0 || discriminant < 0 ||
	    avro_value_get_current_branch(value, &branch) != 0)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "avro: field '%s': union has no branch selected",
				      path->len ? rat_buf_cstr(path) : "(record)");
	return check_value(&branch, path);
}

/* Encode the record into scratch: *size bytes. */
static int encode(rat_avro_writer *w, size_t *size)
{
	if (avro_value_sizeof(&w->record, size) != 0)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "avro: record: %s",
				      avro_strerror());
	if (*size > w->scratch_cap) {
		char *p = rat__realloc(w->scratch, *size);
		if (!p)
			return RAT_ENOMEM;
		w->scratch = p;
		w->scratch_cap = *size;
	}
	if (!w->encoder && !(w->encoder = avro_writer_memory(w->scratch, (int64_t)*size)))
		return rat_error__set(RAT_ENOMEM, RAT_ERRCLASS_NOMEMORY,
				      "avro: memory writer: %s", avro_strerror());
	avro_writer_memory_set_dest(w->encoder, w->scratch, (int64_t)*size);
	if (avro_value_write(w->encoder, &w->record) != 0 ||
	    avro_writer_tell(w->encoder) != (int64_t)*size)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "avro: encoding the record: %s", avro_strerror());
	return 0;
}

/* Write the current block (if it holds records): count, size, data, sync. */
static int flush_block(rat_avro_writer *w)
{
	size_t mark = w->out.len;
	int error;

	if (w->block_count == 0)
		return 0;
	if ((error = put_long(&w->out, (int64_t)w->block_count)) != 0 ||
	    (error = put_long(&w->out, (int64_t)w->block.len)) != 0 ||
	    (error = rat_buf_put(&w->out, w->block.ptr, w->block.len)) != 0 ||
	    (error = rat_buf_put(&w->out, w->sync, SYNC_SIZE)) != 0) {
		w->out.len = mark; /* keep the file whole: drop the partial block */
		rat_error__prefix("avro: writing a block of %zu records", w->block_count);
		return error;
	}
	rat_buf_clear(&w->block);
	w->block_count = 0;
	return 0;
}

int rat_avro__writer_append(rat_avro_writer *w)
{
	rat_buf path = RAT_BUF_INIT;
	size_t size = 0;
	int error;

	if (w->finished || !w->have_record)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "avro: no record to append (%s)",
				      w->finished ? "the file is finished"
						  : "call rat_avro__writer_record first");
	error = check_value(&w->record, &path);
	rat_buf_free(&path);
	if (error || (error = encode(w, &size)) != 0)
		return error;
	if ((error = rat_buf_put(&w->block, w->scratch, size)) != 0) {
		rat_error__prefix("avro: record %zu of the block", w->block_count);
		return error;
	}
	w->block_count++;
	w->have_record = false;
	if (w->block_count >= RAT_AVRO_BLOCK_RECORDS || w->block.len >= RAT_AVRO_BLOCK_BYTES)
		return flush_block(w);
	return 0;
}

int rat_avro__writer_finish(rat_avro_writer *w, char **data, size_t *len)
{
	int error;

	*data = NULL;
	*len = 0;
	if (w->finished)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "avro: the file is already finished");
	if ((error = flush_block(w)) != 0)
		return error;
	w->finished = true;
	*len = w->out.len;
	*data = rat_buf_detach(&w->out);
	return 0;
}

void rat_avro__writer_free(rat_avro_writer *w)
{
	if (!w)
		return;
	if (w->have_value)
		avro_value_decref(&w->record);
	if (w->iface)
		avro_value_iface_decref(w->iface);
	if (w->schema)
		avro_schema_decref(w->schema);
	if (w->encoder)
		avro_writer_free(w->encoder);
	free(w->scratch);
	rat_buf_free(&w->block);
	rat_buf_free(&w->out);
	free(w);
}
