/*
 * table/avro_read.c - reading Avro container files held in memory: header
 * metadata (which Avro C's file reader does not expose), and Avro C's file
 * reader opened over a buffer.
 *
 * The header is parsed with bounds checks on every length, so a truncated or
 * hostile file gives an error, never a read past the buffer.
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

/*
 * Find key in the header of data[0..len). With key NULL, only check the
 * header through its sync marker. RAT_ENOTFOUND (no message set) when the
 * key is absent.
 */
static int find_meta(const void *data, size_t len, const char *key,
		     const unsigned char **value, size_t *value_len)
{
	size_t key_len = key ? strlen(key) : 0;
	int64_t count, i;
	cursor c;
	int error;

	if (!data || len < 4 || memcmp(data, "Obj\x01", 4) != 0)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "avro: not an Avro container file (no 'Obj\\x01' magic)");
	c.p = (const unsigned char *)data + 4;
	c.end = (const unsigned char *)data + len;
	for (;;) {
		if ((error = read_map_block(&c, &count)) != 0)
			return error;
		if (count == 0)
			break;
		for (i = 0; i < count; i++) {
			const unsigned char *k, *v;
			size_t klen, vlen;

			if ((error = read_bytes(&c, &k, &klen)) != 0 ||
			    (error = read_bytes(&c, &v, &vlen)) != 0)
				return error;
			if (key && klen == key_len && memcmp(k, key, klen) == 0) {
				*value = v;
				*value_len = vlen;
				return 0;
			}
		}
	}
	if (c.end - c.p < 16)
		return malformed("no sync marker");
	return key ? RAT_ENOTFOUND : 0;
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
	if ((error = find_meta(data, len, NULL, NULL, NULL)) != 0)
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
