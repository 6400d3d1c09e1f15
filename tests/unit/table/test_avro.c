/*
 * tests/unit/table/test_avro.c - the Avro container writer keeps the schema
 * JSON verbatim and the header metadata exact, its files read back value for
 * value through Avro C (from a file and from memory), blocks close by count
 * and by size, bad records are refused without spoiling the file, and broken
 * headers are refused without reading past the buffer. Real Iceberg files
 * are in test_avro_iceberg.c.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rat.h"
#include "util/common.h"
#include "table/avro.h"

#define RECORDS 2500 /* three blocks of at most RAT_AVRO_BLOCK_RECORDS */

/*
 * A manifest-list-like schema, written with ' for " to stay readable:
 * field-id/doc/default attributes, nested records, unions with null, arrays,
 * an Iceberg map (array of key/value records, "logicalType":"map"), an Avro
 * map, longs, ints, strings, bytes and booleans.
 */
static const char SCHEMA[] =
	"{'type':'record','name':'manifest_file','fields':["
	"{'name':'manifest_path','type':'string','doc':'Location URI','field-id':500},"
	"{'name':'manifest_length','type':'long','field-id':501},"
	"{'name':'partition_spec_id','type':'int','field-id':502},"
	"{'name':'added_snapshot_id','type':['null','long'],'default':null,'field-id':503},"
	"{'name':'partitions','type':['null',{'type':'array','element-id':508,'items':"
	"{'type':'record','name':'r508','fields':["
	"{'name':'contains_null','type':'boolean','field-id':509},"
	"{'name':'contains_nan','type':['null','boolean'],'default':null,'field-id':518},"
	"{'name':'lower_bound','type':['null','bytes'],'default':null,'field-id':510}]}}],"
	"'default':null,'field-id':507},"
	"{'name':'data','type':{'type':'record','name':'r2','fields':["
	"{'name':'partition','type':{'type':'record','name':'r102','fields':["
	"{'name':'day','type':['null','int'],'default':null,'field-id':1000}]},'field-id':102},"
	"{'name':'column_sizes','type':['null',{'type':'array','logicalType':'map','items':"
	"{'type':'record','name':'k117_v118','fields':["
	"{'name':'key','type':'int','field-id':117},"
	"{'name':'value','type':'long','field-id':118}]}}],'default':null,'field-id':108}]},"
	"'field-id':2},"
	"{'name':'properties','type':{'type':'map','values':'string'},'field-id':600}]}";

static const char *const META_KEYS[] = { "schema", "partition-spec", "partition-spec-id",
					 "format-version", "content" };
static const char *const META_VALUES[] = {
	"{\"type\":\"struct\",\"schema-id\":0,\"fields\":[{\"id\":1,\"name\":\"day\"}]}",
	"[{\"name\":\"day\",\"transform\":\"day\",\"source-id\":1,\"field-id\":1000}]", "0", "2",
	"data"
};

static char *schema_json(void)
{
	char *s = strdup(SCHEMA), *p;
	for (p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	return s;
}

static avro_value_t get(avro_value_t *record, const char *name)
{
	avro_value_t v;
	assert_int_equal(avro_value_get_by_name(record, name, &v, NULL), 0);
	return v;
}

static avro_value_t set_branch(avro_value_t *unio, int which)
{
	avro_value_t b;
	assert_int_equal(avro_value_set_branch(unio, which, &b), 0);
	return b;
}

/* The branch a union holds: its discriminant, the value in *b. */
static int branch(avro_value_t *unio, avro_value_t *b)
{
	int d = -1;
	assert_int_equal(avro_value_get_discriminant(unio, &d), 0);
	assert_int_equal(avro_value_get_current_branch(unio, b), 0);
	return d;
}

static int64_t length_of(int i)
{
	return (int64_t)i * 4294967311LL * (i % 2 ? -1 : 1);
}

static void fill_partitions(avro_value_t *rec, int i)
{
	avro_value_t u = get(rec, "partitions"), arr, el, f, b;
	int j;

	if (i % 4 == 3) {
		set_branch(&u, 0);
		return;
	}
	arr = set_branch(&u, 1);
	for (j = 0; j < i % 3; j++) {
		unsigned char bound[4] = { 0, (unsigned char)j, (unsigned char)i, 0xff };
		assert_int_equal(avro_value_append(&arr, &el, NULL), 0);
		f = get(&el, "contains_null");
		avro_value_set_boolean(&f, (i + j) % 2);
		f = get(&el, "contains_nan");
		b = set_branch(&f, j == 0 ? 0 : 1);
		if (j)
			avro_value_set_boolean(&b, true);
		f = get(&el, "lower_bound");
		b = set_branch(&f, 1);
		avro_value_set_bytes(&b, bound, sizeof(bound));
	}
}

static void fill_data(avro_value_t *rec, int i)
{
	avro_value_t data = get(rec, "data"), part = get(&data, "partition");
	avro_value_t day = get(&part, "day"), sizes = get(&data, "column_sizes"), arr, kv, f;
	avro_value_t b = set_branch(&day, i % 6 == 0 ? 0 : 1);
	int j;

	if (i % 6)
		avro_value_set_int(&b, 20454 + i);
	arr = set_branch(&sizes, 1);
	for (j = 0; j < i % 3; j++) {
		assert_int_equal(avro_value_append(&arr, &kv, NULL), 0);
		f = get(&kv, "key");
		avro_value_set_int(&f, j + 1);
		f = get(&kv, "value");
		avro_value_set_long(&f, (int64_t)i * 10 + j);
	}
}

static void fill(avro_value_t *rec, int i)
{
	avro_value_t f, b, props, v;
	char text[64];
	int j;

	snprintf(text, sizeof(text), "s3://b/w/metadata/m-%d.avro", i);
	f = get(rec, "manifest_path");
	assert_int_equal(avro_value_set_string(&f, text), 0);
	f = get(rec, "manifest_length");
	avro_value_set_long(&f, length_of(i));
	f = get(rec, "partition_spec_id");
	avro_value_set_int(&f, i % 7 - 3);
	f = get(rec, "added_snapshot_id");
	b = set_branch(&f, i % 5 == 0 ? 0 : 1);
	if (i % 5)
		avro_value_set_long(&b, INT64_MAX - i);
	fill_partitions(rec, i);
	fill_data(rec, i);
	props = get(rec, "properties");
	for (j = 0; j < i % 3; j++) {
		char key[16];
		snprintf(key, sizeof(key), "k%d", j);
		snprintf(text, sizeof(text), "v%d-%d", i, j);
		assert_int_equal(avro_value_add(&props, key, &v, NULL, NULL), 0);
		avro_value_set_string(&v, text);
	}
}

static void check_partitions(avro_value_t *rec, int i)
{
	avro_value_t u = get(rec, "partitions"), arr, el, f, b;
	size_t n = 0, size;
	const void *bytes;
	int flag;
	int j;

	assert_int_equal(branch(&u, &arr), i % 4 == 3 ? 0 : 1);
	if (i % 4 == 3)
		return;
	assert_int_equal(avro_value_get_size(&arr, &n), 0);
	assert_int_equal(n, (size_t)(i % 3));
	for (j = 0; j < i % 3; j++) {
		unsigned char bound[4] = { 0, (unsigned char)j, (unsigned char)i, 0xff };
		assert_int_equal(avro_value_get_by_index(&arr, (size_t)j, &el, NULL), 0);
		f = get(&el, "contains_null");
		avro_value_get_boolean(&f, &flag);
		assert_int_equal(flag, (i + j) % 2);
		f = get(&el, "contains_nan");
		assert_int_equal(branch(&f, &b), j == 0 ? 0 : 1);
		if (j)
			assert_true(avro_value_get_boolean(&b, &flag) == 0 && flag);
		f = get(&el, "lower_bound");
		assert_int_equal(branch(&f, &b), 1);
		assert_int_equal(avro_value_get_bytes(&b, &bytes, &size), 0);
		assert_int_equal(size, sizeof(bound));
		assert_memory_equal(bytes, bound, sizeof(bound));
	}
}

static void check_data(avro_value_t *rec, int i)
{
	avro_value_t data = get(rec, "data"), part = get(&data, "partition");
	avro_value_t day = get(&part, "day"), sizes = get(&data, "column_sizes"), arr, kv, f, b;
	int32_t n32;
	int64_t n64;
	size_t n = 0;
	int j;

	assert_int_equal(branch(&day, &b), i % 6 == 0 ? 0 : 1);
	if (i % 6)
		assert_true(avro_value_get_int(&b, &n32) == 0 && n32 == 20454 + i);
	assert_int_equal(branch(&sizes, &arr), 1);
	assert_int_equal(avro_value_get_size(&arr, &n), 0);
	assert_int_equal(n, (size_t)(i % 3));
	for (j = 0; j < i % 3; j++) {
		assert_int_equal(avro_value_get_by_index(&arr, (size_t)j, &kv, NULL), 0);
		f = get(&kv, "key");
		assert_true(avro_value_get_int(&f, &n32) == 0 && n32 == j + 1);
		f = get(&kv, "value");
		assert_true(avro_value_get_long(&f, &n64) == 0 && n64 == (int64_t)i * 10 + j);
	}
}

static void check(avro_value_t *rec, int i)
{
	avro_value_t f, b, props, v;
	char text[64];
	const char *s;
	size_t size, n = 0;
	int32_t n32;
	int64_t n64;
	int j;

	snprintf(text, sizeof(text), "s3://b/w/metadata/m-%d.avro", i);
	f = get(rec, "manifest_path");
	assert_int_equal(avro_value_get_string(&f, &s, &size), 0);
	assert_string_equal(s, text);
	f = get(rec, "manifest_length");
	assert_true(avro_value_get_long(&f, &n64) == 0 && n64 == length_of(i));
	f = get(rec, "partition_spec_id");
	assert_true(avro_value_get_int(&f, &n32) == 0 && n32 == i % 7 - 3);
	f = get(rec, "added_snapshot_id");
	assert_int_equal(branch(&f, &b), i % 5 == 0 ? 0 : 1);
	if (i % 5)
		assert_true(avro_value_get_long(&b, &n64) == 0 && n64 == INT64_MAX - i);
	check_partitions(rec, i);
	check_data(rec, i);
	props = get(rec, "properties");
	assert_int_equal(avro_value_get_size(&props, &n), 0);
	assert_int_equal(n, (size_t)(i % 3));
	for (j = 0; j < i % 3; j++) {
		char key[16];
		snprintf(key, sizeof(key), "k%d", j);
		snprintf(text, sizeof(text), "v%d-%d", i, j);
		v = get(&props, key);
		assert_int_equal(avro_value_get_string(&v, &s, &size), 0);
		assert_string_equal(s, text);
	}
}

static void write_records(const char *schema, int count, char **data, size_t *len)
{
	rat_avro_writer *w = NULL;
	avro_value_t *rec;
	int i;

	assert_int_equal(rat_avro__writer_new(&w, schema, META_KEYS, META_VALUES,
					      RAT_ARRAY_SIZE(META_KEYS)), 0);
	for (i = 0; i < count; i++) {
		assert_int_equal(rat_avro__writer_record(w, &rec), 0);
		fill(rec, i);
		assert_int_equal(rat_avro__writer_append(w), 0);
	}
	assert_int_equal(rat_avro__writer_finish(w, data, len), 0);
	rat_avro__writer_free(w);
}

/* Avro C's reader on a scratch file holding data (removed at once: the reader keeps it open). */
static avro_file_reader_t open_as_file(const char *data, size_t len)
{
	char *dir = test_tmpdir("avro"), path[4200];
	avro_file_reader_t reader = NULL;
	FILE *f;

	snprintf(path, sizeof(path), "%s/file.avro", dir);
	assert_non_null(f = fopen(path, "wb"));
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(avro_file_reader(path, &reader), 0);
	test_rmtree(dir);
	free(dir);
	return reader;
}

/* Every record of an open reader through check(); returns how many. */
static int check_all(avro_file_reader_t reader)
{
	avro_value_iface_t *iface = test_avro_class(reader);
	avro_value_t rec;
	int n = 0;

	assert_int_equal(avro_generic_value_new(iface, &rec), 0);
	while (avro_file_reader_read_value(reader, &rec) == 0)
		check(&rec, n++);
	avro_value_decref(&rec);
	avro_value_iface_decref(iface);
	avro_file_reader_close(reader);
	return n;
}

/* The first needle in hay[0..len), or NULL (memmem is a GNU extension). */
static const char *find(const char *hay, size_t len, const void *needle, size_t nlen)
{
	size_t i;

	for (i = 0; nlen <= len && i <= len - nlen; i++)
		if (memcmp(hay + i, needle, nlen) == 0)
			return hay + i;
	return NULL;
}

/* Occurrences of needle in hay[0..len). */
static size_t count_of(const char *hay, size_t len, const void *needle, size_t nlen)
{
	size_t n = 0;
	const char *p = hay, *end = hay + len;

	while ((p = find(p, (size_t)(end - p), needle, nlen)) != NULL) {
		n++;
		p += nlen;
	}
	return n;
}

/* Records of 400 KiB: a block closes once it passes RAT_AVRO_BLOCK_BYTES (3 records). */
static void large_records_close_blocks_by_size(void **state)
{
	char *schema = schema_json(), *data = NULL, *big = malloc(400 * 1024 + 1);
	rat_avro_writer *w = NULL;
	avro_value_t *rec, path;
	size_t len = 0;
	int i;
	(void)state;

	memset(big, 'x', 400 * 1024);
	big[400 * 1024] = '\0';
	assert_int_equal(rat_avro__writer_new(&w, schema, NULL, NULL, 0), 0);
	for (i = 0; i < 10; i++) {
		assert_int_equal(rat_avro__writer_record(w, &rec), 0);
		fill(rec, i);
		path = get(rec, "manifest_path");
		assert_int_equal(avro_value_set_string(&path, big), 0);
		assert_int_equal(rat_avro__writer_append(w), 0);
	}
	assert_int_equal(rat_avro__writer_finish(w, &data, &len), 0);
	rat_avro__writer_free(w);
	assert_int_equal(count_of(data, len, data + len - 16, 16), 1 + 4); /* 3 + 3 + 3 + 1 */
	assert_int_equal(test_avro_count(open_as_file(data, len)), 10);
	free(big);
	free(data);
	free(schema);
}

/* The bytes of an Avro string (its length zig-zag encoded, then the text) into out. */
static size_t encode_string(char *out, const char *s)
{
	size_t n = strlen(s), len = 0;
	uint64_t v = (uint64_t)n << 1;

	for (; v >= 0x80; v >>= 7)
		out[len++] = (char)(v | 0x80);
	out[len++] = (char)v;
	memcpy(out + len, s, n);
	return len + n;
}

static void several_blocks_read_back_through_avro_c(void **state)
{
	char *schema = schema_json(), *data = NULL;
	avro_file_reader_t reader = NULL;
	size_t len = 0;
	(void)state;

	write_records(schema, RECORDS, &data, &len);
	/* a block ends with the sync marker, which also closes the header */
	assert_int_equal(count_of(data, len, data + len - 16, 16),
			 1 + (RECORDS + RAT_AVRO_BLOCK_RECORDS - 1) / RAT_AVRO_BLOCK_RECORDS);

	assert_int_equal(check_all(open_as_file(data, len)), RECORDS);
	assert_int_equal(rat_avro__reader_open(&reader, data, len), 0);
	assert_int_equal(check_all(reader), RECORDS);
	free(data);
	free(schema);
}

static void header_keeps_the_schema_verbatim_and_the_metadata_exact(void **state)
{
	char *schema = schema_json(), *data = NULL, *value = NULL, entry[256];
	size_t len = 0, vlen = 0, i, n;
	(void)state;

	write_records(schema, 3, &data, &len);
	assert_memory_equal(data, "Obj\x01", 4);
	assert_int_equal(rat_avro__read_metadata(data, len, "avro.schema", &value, &vlen), 0);
	assert_string_equal(value, schema);
	assert_int_equal(vlen, strlen(schema));
	assert_non_null(strstr(value, "\"field-id\":1000"));
	assert_int_equal(count_of(data, len, schema, strlen(schema)), 1);
	free(value);
	assert_int_equal(rat_avro__read_metadata(data, len, "avro.codec", &value, NULL), 0);
	assert_string_equal(value, "null");
	free(value);
	for (i = 0; i < RAT_ARRAY_SIZE(META_KEYS); i++) {
		assert_int_equal(rat_avro__read_metadata(data, len, META_KEYS[i], &value, NULL), 0);
		assert_string_equal(value, META_VALUES[i]);
		free(value);
		/* and the raw bytes: the key, then the value, as Avro strings */
		n = encode_string(entry, META_KEYS[i]);
		n += encode_string(entry + n, META_VALUES[i]);
		assert_int_equal(count_of(data, len, entry, n), 1);
	}
	assert_int_equal(rat_avro__read_metadata(data, len, "sequence-number", &value, NULL),
			 RAT_ENOTFOUND);
	assert_null(value);
	assert_non_null(strstr(rat_error_last()->message, "sequence-number"));
	free(data);
	free(schema);
}

static void an_empty_file_is_a_header(void **state)
{
	char *schema = schema_json(), *data = NULL, *value = NULL, *again = NULL;
	avro_file_reader_t reader = NULL;
	rat_avro_writer *w = NULL;
	size_t len = 0, again_len = 0;
	(void)state;

	assert_int_equal(rat_avro__writer_new(&w, schema, NULL, NULL, 0), 0);
	assert_int_equal(rat_avro__writer_finish(w, &data, &len), 0);
	assert_int_equal(rat_avro__writer_finish(w, &again, &again_len), RAT_EINVALID);
	assert_null(again);
	rat_avro__writer_free(w);
	assert_int_equal(rat_avro__read_metadata(data, len, "avro.schema", &value, NULL), 0);
	assert_string_equal(value, schema);
	/* magic, map, sync: nothing after the sync marker */
	assert_int_equal(count_of(data, len, data + len - 16, 16), 1);
	assert_int_equal(rat_avro__reader_open(&reader, data, len), 0);
	assert_int_equal(test_avro_count(reader), 0);
	free(value);
	free(data);
	free(schema);
}

static void unset_unions_are_refused_and_the_file_stays_whole(void **state)
{
	char *schema = schema_json(), *data = NULL;
	rat_avro_writer *w = NULL;
	avro_value_t *rec, f, b, el;
	size_t len = 0;
	(void)state;

	assert_int_equal(rat_avro__writer_new(&w, schema, NULL, NULL, 0), 0);
	assert_int_equal(rat_avro__writer_append(w), RAT_EINVALID); /* nothing asked for */
	assert_int_equal(rat_avro__writer_record(w, &rec), 0);
	fill(rec, 0);
	assert_int_equal(rat_avro__writer_append(w), 0);
	assert_int_equal(rat_avro__writer_append(w), RAT_EINVALID); /* already appended */

	/* a fresh record: no union carries over a branch from the previous one */
	assert_int_equal(rat_avro__writer_record(w, &rec), 0);
	assert_int_equal(rat_avro__writer_append(w), RAT_EINVALID);
	assert_string_equal(rat_error_last()->message,
			    "avro: field 'added_snapshot_id': union has no branch selected");
	fill(rec, 1);
	assert_int_equal(rat_avro__writer_append(w), 0);

	/* a nested one is named by its path */
	assert_int_equal(rat_avro__writer_record(w, &rec), 0);
	f = get(rec, "added_snapshot_id");
	set_branch(&f, 0);
	f = get(rec, "partitions");
	set_branch(&f, 0);
	assert_int_equal(rat_avro__writer_append(w), RAT_EINVALID);
	assert_string_equal(rat_error_last()->message,
			    "avro: field 'data.partition.day': union has no branch selected");
	fill_data(rec, 1);
	f = get(rec, "partitions");
	b = set_branch(&f, 1);
	assert_int_equal(avro_value_append(&b, &el, NULL), 0);
	assert_int_equal(rat_avro__writer_append(w), RAT_EINVALID);
	assert_string_equal(rat_error_last()->message,
			    "avro: field 'partitions[0].contains_nan': union has no branch selected");

	/* a string where a long is required: Avro C's setter refuses it, so the
	 * value keeps its type (a branch number out of range is not checked by
	 * Avro C 1.11 and crashes: callers must pass valid ones) */
	f = get(rec, "manifest_length");
	assert_int_not_equal(avro_value_set_string(&f, "12"), 0);
	f = get(rec, "added_snapshot_id");
	b = set_branch(&f, 1);
	assert_int_not_equal(avro_value_set_string(&b, "12"), 0);
	assert_int_not_equal(avro_value_set_int(&b, 12), 0);

	/* what was appended is whole: records 0 and 1, read back exactly */
	assert_int_equal(rat_avro__writer_finish(w, &data, &len), 0);
	assert_int_equal(rat_avro__writer_record(w, &rec), RAT_EINVALID);
	assert_int_equal(rat_avro__writer_append(w), RAT_EINVALID);
	rat_avro__writer_free(w);
	assert_int_equal(check_all(open_as_file(data, len)), 2);
	free(data);
	free(schema);
}

static void bad_schemas_and_metadata_are_refused(void **state)
{
	static const char *const reserved[] = { "avro.codec" }, *const twice[] = { "a", "a" };
	static const char *const empty[] = { "" }, *const values[] = { "1", "2" };
	static const char *const no_value[] = { NULL };
	char *schema = schema_json();
	rat_avro_writer *w = NULL;
	(void)state;

	assert_int_equal(rat_avro__writer_new(&w, "{\"type\":\"recrd\"}", NULL, NULL, 0),
			 RAT_EINVALID);
	assert_null(w);
	assert_true(rat__str_has_prefix(rat_error_last()->message, "avro: schema: "));
	assert_int_equal(rat_avro__writer_new(&w, schema, reserved, values, 1), RAT_EINVALID);
	assert_string_equal(rat_error_last()->message,
			    "avro: header metadata key 'avro.codec' is reserved (avro.*)");
	assert_int_equal(rat_avro__writer_new(&w, schema, twice, values, 2), RAT_EINVALID);
	assert_string_equal(rat_error_last()->message,
			    "avro: header metadata key 'a' given twice");
	assert_int_equal(rat_avro__writer_new(&w, schema, empty, values, 1), RAT_EINVALID);
	assert_int_equal(rat_avro__writer_new(&w, schema, values, no_value, 1), RAT_EINVALID);
	assert_string_equal(rat_error_last()->message,
			    "avro: header metadata 0 has no key or no value");
	assert_null(w);
	free(schema);
}

/* The header's end: just after the first sync marker (which ends the file too). */
static size_t header_length(const char *data, size_t len)
{
	const char *sync = find(data, len, data + len - 16, 16);
	return (size_t)(sync - data) + 16;
}

static void truncated_and_foreign_headers_are_refused(void **state)
{
	static const char hostile[] = "Obj\x01\x02\xfe\xff\xff\xff\x0f" "abc";
	char *schema = schema_json(), *data = NULL, *value = NULL, *copy;
	avro_file_reader_t reader = NULL;
	size_t len = 0, n, end;
	int rc;
	(void)state;

	write_records(schema, 1, &data, &len);
	end = header_length(data, len);
	for (n = 0; n < end; n++) {
		copy = malloc(n ? n : 1); /* exactly n bytes: ASan sees any overread */
		memcpy(copy, data, n);
		rc = rat_avro__read_metadata(copy, n, "content", &value, NULL);
		assert_true(rc == RAT_EINVALID || (rc == 0 && strcmp(value, "data") == 0));
		free(value);
		value = NULL;
		assert_int_equal(rat_avro__reader_open(&reader, copy, n), RAT_EINVALID);
		assert_null(reader);
		free(copy);
	}
	assert_int_equal(rat_avro__read_metadata(NULL, 0, "schema", &value, NULL), RAT_EINVALID);
	assert_int_equal(rat_avro__read_metadata(data, len, NULL, &value, NULL), RAT_EINVALID);
	assert_int_equal(rat_avro__read_metadata("PAR1xxxx", 8, "schema", &value, NULL),
			 RAT_EINVALID);
	assert_string_equal(rat_error_last()->message,
			    "avro: not an Avro container file (no 'Obj\\x01' magic)");
	assert_int_equal(rat_avro__read_metadata(hostile, sizeof(hostile) - 1, "x", &value, NULL),
			 RAT_EINVALID);
	assert_non_null(strstr(rat_error_last()->message, "longer than the file"));
	free(data);
	free(schema);
}

/* data[0..len) with bytes replaced at offset at, as a new buffer of exactly len bytes. */
static char *patched(const char *data, size_t len, size_t at, const void *bytes, size_t n)
{
	char *copy = malloc(len);

	assert_true(at + n <= len);
	memcpy(copy, data, len);
	memcpy(copy + at, bytes, n);
	return copy;
}

static void refused(const char *data, size_t len, const char *message)
{
	avro_file_reader_t reader = NULL;

	assert_int_equal(rat_avro__reader_open(&reader, data, len), RAT_EINVALID);
	assert_null(reader);
	if (!strstr(rat_error_last()->message, message))
		fail_msg("'%s' does not say '%s'", rat_error_last()->message, message);
}

/* Avro C trusts a block's size and leaks on a bad header: none reaches it (found by fuzzing). */
static void damaged_containers_are_refused_before_avro_c_reads_them(void **state)
{
	static const char negative[] = "\x02\x01", oversized[] = "\x02\x80\x80\x80\x80\x80\x80\x01";
	char *schema = schema_json(), *data = NULL, *copy, flipped;
	avro_file_reader_t reader = NULL;
	size_t len = 0, end, n, at;
	(void)state;

	write_records(schema, 3, &data, &len);
	end = header_length(data, len);
	/* every cut inside the block */
	for (n = end + 1; n < len; n++) {
		copy = malloc(n); /* exactly n bytes: ASan sees any overread */
		memcpy(copy, data, n);
		refused(copy, n, "avro: ");
		free(copy);
	}
	/* a negative or oversized block, a bad sync marker, bytes after the last block */
	copy = malloc(end + sizeof(oversized) - 1 + 16);
	memcpy(copy, data, end);
	memcpy(copy + end, negative, 2);
	memcpy(copy + end + 2, data + end - 16, 16);
	refused(copy, end + 2 + 16, "malformed block at byte");
	memcpy(copy + end, oversized, sizeof(oversized) - 1);
	memcpy(copy + end + sizeof(oversized) - 1, data + end - 16, 16);
	refused(copy, end + sizeof(oversized) - 1 + 16, "malformed block at byte");
	free(copy);
	flipped = (char)(data[len - 1] ^ 1);
	copy = patched(data, len, len - 1, &flipped, 1);
	refused(copy, len, "not followed by the file's sync marker");
	free(copy);
	copy = malloc(len + 1);
	memcpy(copy, data, len);
	copy[len] = '\x02';
	refused(copy, len + 1, "malformed block at byte");
	free(copy);
	/* a codec Avro C does not read; a schema it does not parse */
	at = (size_t)(find(data, len, "\x08null", 5) - data);
	copy = patched(data, len, at, "\x08zstd", 5);
	refused(copy, len, "avro: unsupported codec 'zstd'");
	free(copy);
	at = (size_t)(find(data, len, "{", 1) - data);
	copy = patched(data, len, at, "?", 1);
	refused(copy, len, "avro: the header's schema: ");
	free(copy);
	/* the file itself is whole */
	assert_int_equal(rat_avro__reader_open(&reader, data, len), 0);
	assert_int_equal(check_all(reader), 3);
	free(data);
	free(schema);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(several_blocks_read_back_through_avro_c),
		cmocka_unit_test(large_records_close_blocks_by_size),
		cmocka_unit_test(header_keeps_the_schema_verbatim_and_the_metadata_exact),
		cmocka_unit_test(an_empty_file_is_a_header),
		cmocka_unit_test(unset_unions_are_refused_and_the_file_stays_whole),
		cmocka_unit_test(bad_schemas_and_metadata_are_refused),
		cmocka_unit_test(truncated_and_foreign_headers_are_refused),
		cmocka_unit_test(damaged_containers_are_refused_before_avro_c_reads_them),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
