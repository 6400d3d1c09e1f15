/*
 * table/avro_read.c - reading Avro container files held in memory: header
 * metadata (which Avro C's file reader does not expose), and Avro C's file
 * reader opened over a buffer.
 *
 * The header is parsed with bounds checks on every length, so a truncated or
 * hostile file gives an error, never a read past the buffer. Before Avro C's
 * reader sees a file, the whole container is checked (header, codec, schema,
 * every block's framing and sync marker): Avro C 1.11 trusts those.
 */
#include "util/common.h"
#include "table/avro.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct cursor {
	const unsigned char *p;
	const unsigned char *end;
} cursor;

static int malformed(const char *what)
{
	return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
			      "avro: malformed container header: %s", what);
}

/* An Avro long: at most 10 bytes of 7 bits, zig-zag decoded. */
static int read_long(cursor *c, int64_t *out)
{
	uint64_t n = 0;
	unsigned shift = 0;

	for (;;) {
		unsigned char b;

		if (c->p >= c->end)
			return malformed("truncated");
		if (shift > 63)
			return malformed("a number is longer than 10 bytes");
		b = *c->p++;
		n |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			break;
		shift += 7;
	}
	*out = (n & 1) ? (int64_t)~(n >> 1) : (int64_t)(n >> 1);
	return 0;
}

static int read_bytes(cursor *c, const unsigned char **data, size_t *len)
{
	int64_t n;
	int error = read_long(c, &n);

	if (error)
		return error;
	if (n < 0 || (uint64_t)n > (uint64_t)(c->end - c->p))
		return malformed("a key or value is longer than the file");
	*data = c->p;
	*len = (size_t)n;
	c->p += n;
	return 0;
}

/* The metadata map's next block: its entry count (0 at the end). */
static int read_map_block(cursor *c, int64_t *count)
{
	int64_t size;
	int error = read_long(c, count);

	if (error)
		return error;
	if (*count == INT64_MIN)
		return malformed("bad metadata block count");
	if (*count < 0) { /* a negative count is followed by the block's byte size */
		*count = -*count;
		if ((error = read_long(c, &size)) != 0)
			return error;
	}
	return 0;
}

/* Called for each metadata entry; a nonzero return stops the walk and is returned. */
typedef int (*entry_fn)(void *ctx, const unsigned char *key, size_t key_len,
			const unsigned char *value, size_t value_len);

/*
 * Walk the header of data[0..len): the magic, then each metadata entry
 * through fn. On success c is left at the sync marker (16 bytes are there).
 */
static int walk_header(cursor *c, const void *data, size_t len, entry_fn fn, void *ctx)
{
	int64_t count, i;
	int error;

	if (!data || len < 4 || memcmp(data, "Obj\x01", 4) != 0)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "avro: not an Avro container file (no 'Obj\\x01' magic)");
	c->p = (const unsigned char *)data + 4;
	c->end = (const unsigned char *)data + len;
	for (;;) {
		if ((error = read_map_block(c, &count)) != 0)
			return error;
		if (count == 0)
			break;
		for (i = 0; i < count; i++) {
			const unsigned char *k, *v;
			size_t klen, vlen;

			if ((error = read_bytes(c, &k, &klen)) != 0 ||
			    (error = read_bytes(c, &v, &vlen)) != 0 ||
			    (error = fn(ctx, k, klen, v, vlen)) != 0)
				return error;
		}
	}
	if (c->end - c->p < 16)
		return malformed("no sync marker");
	return 0;
}

typedef struct lookup {
	const char *key;
	const unsigned char *value;
	size_t value_len;
} lookup;

static int match_key(void *ctx, const unsigned char *key, size_t key_len,
		     const unsigned char *value, size_t value_len)
{
	lookup *l = ctx;

	if (key_len != strlen(l->key) || memcmp(key, l->key, key_len) != 0)
		return 0;
	l->value = value;
	l->value_len = value_len;
	return 1;
}

/* Find key in the header of data[0..len). RAT_ENOTFOUND (no message set) when it is absent. */
static int find_meta(const void *data, size_t len, const char *key,
		     const unsigned char **value, size_t *value_len)
{
	lookup l = { key, NULL, 0 };
	cursor c;
	int error = walk_header(&c, data, len, match_key, &l);

	if (error < 0)
		return error;
	if (error == 0)
		return RAT_ENOTFOUND;
	*value = l.value;
	*value_len = l.value_len;
	return 0;
}

/* The codecs Avro C 1.11 reads. */
static const char *const codecs[] = { "null", "deflate", "snappy", "lzma" };

/* What Avro C's header reader needs, or it fails (and leaks): a known codec, a schema it parses. */
static int check_entry(void *ctx, const unsigned char *key, size_t key_len,
		       const unsigned char *value, size_t value_len)
{
	unsigned *seen = ctx;
	avro_schema_t schema;
	size_t i;

	if (key_len == 10 && memcmp(key, "avro.codec", 10) == 0) {
		for (i = 0; i < RAT_ARRAY_SIZE(codecs); i++)
			if (value_len == strlen(codecs[i]) && memcmp(value, codecs[i], value_len) == 0)
				break;
		if (i == RAT_ARRAY_SIZE(codecs))
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
					      "avro: unsupported codec '%.*s' (null, deflate, snappy, lzma)",
					      (int)(value_len > 32 ? 32 : value_len), (const char *)value);
		*seen |= 1;
	} else if (key_len == 11 && memcmp(key, "avro.schema", 11) == 0) {
		if (avro_schema_from_json_length((const char *)value, value_len, &schema) != 0)
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
					      "avro: the header's schema: %s", avro_strerror());
		avro_schema_decref(schema);
		*seen |= 2;
	}
	return 0;
}

/*
 * Check a whole container file before Avro C reads it: the header (as
 * above), then every block: a record count and a byte size that fit in the
 * file, the data, and the header's sync marker, up to the file's last byte.
 * Avro C trusts a block's size (it allocates it before reading) and leaks
 * what it built when the header turns out bad, so nothing else reaches it.
 */
static int check_container(const void *data, size_t len)
{
	const unsigned char *sync;
	unsigned seen = 0;
	int64_t count = 0, size = 0;
	cursor c;
	int error;

	if ((error = walk_header(&c, data, len, check_entry, &seen)) != 0)
		return error;
	if (!(seen & 1))
		return malformed("no avro.codec");
	if (!(seen & 2))
		return malformed("no avro.schema");
	sync = c.p;
	c.p += 16;
	while (c.p < c.end) {
		size_t at = (size_t)(c.p - (const unsigned char *)data);
		if (read_long(&c, &count) != 0 || read_long(&c, &size) != 0 || count < 0 || size < 0 ||
		    (uint64_t)size > (uint64_t)(c.end - c.p))
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
					      "avro: malformed block at byte %zu of %zu (a record count "
					      "and a byte size that fit in the file)", at, len);
		c.p += size;
		if (c.end - c.p < 16 || memcmp(c.p, sync, 16) != 0)
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
					      "avro: the block ending at byte %zu is not followed by "
					      "the file's sync marker",
					      (size_t)(c.p - (const unsigned char *)data));
		c.p += 16;
	}
	return 0;
}

int rat_avro__read_metadata(const void *data, size_t len, const char *key,
			    char **value, size_t *value_len)
{
	const unsigned char *v = NULL;
	size_t vlen = 0;
	int error;

	*value = NULL;
	if (value_len)
		*value_len = 0;
	if (!key)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "avro: no metadata key");
	error = find_meta(data, len, key, &v, &vlen);
	if (error == RAT_ENOTFOUND)
		return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_INVALID,
				      "avro: no '%s' in the header metadata", key);
	if (error)
		return error;
	if (!(*value = rat__strndup((const char *)v, vlen)))
		return RAT_ENOMEM;
	if (value_len)
		*value_len = vlen;
	return 0;
}

int rat_avro__reader_open(avro_file_reader_t *out, const void *data, size_t len)
{
	FILE *fp = NULL;
	int error;

	*out = NULL;
	if ((error = rat_avro__load()) != 0 || (error = check_container(data, len)) != 0)
		return error;
	/* read-only stream: fmemopen does not write through a "r" stream */
	if (!(fp = fmemopen((void *)data, len, "r")))
		return rat_error__os(RAT_EIO, "avro: opening a %zu-byte buffer as a stream", len);
	if (avro_file_reader_fp(fp, "(memory)", 1, out) != 0) {
		/* Avro C closes fp itself when it fails after taking it, so do not. */
		*out = NULL;
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "avro: %s",
				      avro_strerror());
	}
	return 0;
}
