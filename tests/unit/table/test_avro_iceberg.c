/*
 * tests/unit/table/test_avro_iceberg.c - Avro container files that real
 * Iceberg writers made (Spark with deflate, PyIceberg with null): header
 * metadata reads as an independent byte scan sees it, and their records pass
 * through our writer unchanged, with the same schema bytes and metadata.
 *
 * The fixtures are /work/shared/fixtures/iceberg (RAT_ICEBERG_FIXTURES
 * elsewhere); the tests are skipped when they are not there.
 */
#include "helpers.h"

#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rat.h"
#include "util/common.h"
#include "table/avro.h"

/* The first needle in hay[0..len), or NULL (memmem is a GNU extension). */
static const char *find(const char *hay, size_t len, const void *needle, size_t nlen)
{
	size_t i;

	for (i = 0; nlen <= len && i <= len - nlen; i++)
		if (memcmp(hay + i, needle, nlen) == 0)
			return hay + i;
	return NULL;
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

static const char *fixtures(void)
{
	const char *dir = getenv("RAT_ICEBERG_FIXTURES");
	return dir ? dir : "/work/shared/fixtures/iceberg";
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long size;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	assert_non_null(data = malloc((size_t)size + 1));
	assert_int_equal(fread(data, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	*len = (size_t)size;
	return data;
}

/*
 * The value stored after key, found by a plain byte scan (the key as an Avro
 * string, then the value's length, then the value): a second reading,
 * independent of rat_avro__read_metadata. NULL when the key is not there.
 */
static char *scan_meta(const char *data, size_t len, const char *key)
{
	char pattern[64];
	size_t n = encode_string(pattern, key);
	const unsigned char *p = (const unsigned char *)find(data, len, pattern, n);
	uint64_t v = 0;
	unsigned shift = 0;

	if (!p)
		return NULL;
	for (p += n; *p & 0x80; p++, shift += 7)
		v |= (uint64_t)(*p & 0x7f) << shift;
	v |= (uint64_t)*p++ << shift;
	assert_true((const char *)p + (v >> 1) <= data + len);
	return strndup((const char *)p, v >> 1);
}

/* The Avro keys, a manifest's Iceberg keys, then those of other writers and manifest lists. */
static const char *const ICEBERG_KEYS[] = {
	"avro.schema", "avro.codec", "schema", "partition-spec", "partition-spec-id",
	"format-version", "content", "iceberg.schema", "snapshot-id", "parent-snapshot-id",
	"sequence-number",
};

/* Every key of ICEBERG_KEYS reads as the byte scan sees it, or is absent for both. */
static void check_meta_against_scan(const char *data, size_t len)
{
	size_t i;

	for (i = 0; i < RAT_ARRAY_SIZE(ICEBERG_KEYS); i++) {
		char *scanned = scan_meta(data, len, ICEBERG_KEYS[i]), *value = NULL;
		int rc = rat_avro__read_metadata(data, len, ICEBERG_KEYS[i], &value, NULL);

		assert_int_equal(rc, scanned ? 0 : RAT_ENOTFOUND);
		if (scanned)
			assert_string_equal(value, scanned);
		free(scanned);
		free(value);
	}
}

/* The first n keys of ICEBERG_KEYS are all there. */
static void expect_keys(const char *data, size_t len, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char *value = NULL;
		assert_int_equal(rat_avro__read_metadata(data, len, ICEBERG_KEYS[i], &value, NULL), 0);
		assert_true(value[0] != '\0');
		free(value);
	}
}

static void expect_meta(const char *table, const char *file, const char *key, const char *want)
{
	char path[1024], *data, *value = NULL;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s/metadata/%s", fixtures(), table, file);
	data = slurp(path, &len);
	assert_int_equal(rat_avro__read_metadata(data, len, key, &value, NULL), 0);
	assert_string_equal(value, want);
	free(value);
	free(data);
}

static void iceberg_manifests_give_their_metadata(void **state)
{
	char pattern[1024];
	glob_t g;
	size_t i, manifests = 0;
	(void)state;

	snprintf(pattern, sizeof(pattern), "%s/*/metadata/*.avro", fixtures());
	if (glob(pattern, 0, NULL, &g) != 0) {
		globfree(&g);
		skip();
	}
	for (i = 0; i < g.gl_pathc; i++) {
		const char *base = strrchr(g.gl_pathv[i], '/') + 1;
		avro_file_reader_t by_path = NULL, by_memory = NULL;
		size_t len;
		char *data = slurp(g.gl_pathv[i], &len);
		bool manifest = !rat__str_has_prefix(base, "snap-");

		check_meta_against_scan(data, len);
		/* avro.schema and avro.codec; a manifest also schema, partition-spec,
		 * partition-spec-id, format-version and content */
		expect_keys(data, len, manifest ? 7 : 2);
		manifests += manifest;
		assert_int_equal(avro_file_reader(g.gl_pathv[i], &by_path), 0);
		assert_int_equal(rat_avro__reader_open(&by_memory, data, len), 0);
		assert_int_equal(test_avro_count(by_memory), test_avro_count(by_path));
		free(data);
	}
	assert_true(manifests >= 10);
	globfree(&g);

	expect_meta("lineitem_v2", "179b4fb1-0366-4f7d-ad35-99ee8da0abf5-m0.avro",
		    "partition-spec", "[]");
	expect_meta("lineitem_v2", "179b4fb1-0366-4f7d-ad35-99ee8da0abf5-m0.avro",
		    "avro.codec", "deflate");
	expect_meta("eqdeletes_partitioned", "36f9b154-c2d2-411f-9f29-9d23d46d688b-m0.avro",
		    "partition-spec",
		    "[{\"name\":\"name\",\"transform\":\"identity\",\"source-id\":2,\"field-id\":1000}]");
	expect_meta("eqdeletes_partitioned", "36f9b154-c2d2-411f-9f29-9d23d46d688b-m0.avro",
		    "content", "deletes");
	expect_meta("pyiceberg_day_partitioned", "8574bca8-244f-4667-965a-03a41a3e4e0e-m0.avro",
		    "partition-spec",
		    "[{\"source-id\":1,\"field-id\":1000,\"transform\":\"day\",\"name\":\"_day\"}]");
	expect_meta("pyiceberg_day_partitioned", "8574bca8-244f-4667-965a-03a41a3e4e0e-m0.avro",
		    "format-version", "2");
}

/* Copy every record of a real manifest through the writer; returns the new file. */
static char *rewrite(const char *path, const char *data, size_t len, size_t *out_len)
{
	const char *keys[RAT_ARRAY_SIZE(ICEBERG_KEYS)];
	char *values[RAT_ARRAY_SIZE(ICEBERG_KEYS)], *schema = NULL, *out = NULL;
	avro_file_reader_t in = NULL;
	avro_value_iface_t *iface;
	avro_value_t src, *rec;
	rat_avro_writer *w = NULL;
	size_t i, n = 0;

	assert_int_equal(rat_avro__read_metadata(data, len, "avro.schema", &schema, NULL), 0);
	for (i = 2; i < RAT_ARRAY_SIZE(ICEBERG_KEYS); i++)
		if (rat_avro__read_metadata(data, len, ICEBERG_KEYS[i], &values[n], NULL) == 0)
			keys[n++] = ICEBERG_KEYS[i];
	assert_int_equal(rat_avro__writer_new(&w, schema, keys, (const char *const *)values, n),
			 0);
	assert_int_equal(avro_file_reader(path, &in), 0);
	iface = test_avro_class(in);
	assert_int_equal(avro_generic_value_new(iface, &src), 0);
	while (avro_file_reader_read_value(in, &src) == 0) {
		assert_int_equal(rat_avro__writer_record(w, &rec), 0);
		assert_int_equal(avro_value_copy(rec, &src), 0);
		assert_int_equal(rat_avro__writer_append(w), 0);
	}
	assert_int_equal(rat_avro__writer_finish(w, &out, out_len), 0);
	rat_avro__writer_free(w);
	avro_value_decref(&src);
	avro_value_iface_decref(iface);
	avro_file_reader_close(in);
	for (i = 0; i < n; i++)
		free(values[i]);
	free(schema);
	return out;
}

/* What a byte scan of theirs finds, ours gives, the codec aside (ours is "null"). */
static void expect_same_metadata(const char *theirs, size_t len, const char *ours, size_t our_len)
{
	size_t i;

	for (i = 0; i < RAT_ARRAY_SIZE(ICEBERG_KEYS); i++) {
		char *want = scan_meta(theirs, len, ICEBERG_KEYS[i]), *got = NULL;
		int rc = rat_avro__read_metadata(ours, our_len, ICEBERG_KEYS[i], &got, NULL);

		if (strcmp(ICEBERG_KEYS[i], "avro.codec") == 0)
			assert_string_equal(got, "null");
		else if (want)
			assert_string_equal(got, want);
		else
			assert_int_equal(rc, RAT_ENOTFOUND);
		free(want);
		free(got);
	}
}

/* Both readers give equal records, as many. */
static void expect_same_records(avro_file_reader_t a, avro_file_reader_t b)
{
	avro_value_iface_t *ia = test_avro_class(a);
	avro_value_iface_t *ib = test_avro_class(b);
	avro_value_t va, vb;
	int ra, rb, n = 0;

	assert_int_equal(avro_generic_value_new(ia, &va), 0);
	assert_int_equal(avro_generic_value_new(ib, &vb), 0);
	do {
		ra = avro_file_reader_read_value(a, &va);
		rb = avro_file_reader_read_value(b, &vb);
		assert_int_equal(ra == 0, rb == 0);
		if (ra == 0)
			assert_true(avro_value_equal(&va, &vb));
		n += ra == 0;
	} while (ra == 0);
	assert_true(n > 0);
	avro_value_decref(&va);
	avro_value_decref(&vb);
	avro_value_iface_decref(ia);
	avro_value_iface_decref(ib);
	avro_file_reader_close(a);
	avro_file_reader_close(b);
}

static void iceberg_manifests_round_trip_through_the_writer(void **state)
{
	static const char *const files[] = {
		"eqdeletes_partitioned/metadata/36f9b154-c2d2-411f-9f29-9d23d46d688b-m0.avro",
		"eqdeletes_partitioned/metadata/"
		"snap-3138177759849079112-1-ff275eec-b23b-435f-a6a5-1ab7ce1c8749.avro",
		"pyiceberg_day_partitioned/metadata/8574bca8-244f-4667-965a-03a41a3e4e0e-m0.avro",
		"spark_posdeletes_evolution/metadata/7c6f85be-3a33-4e3a-817d-7839fa44ff07-m1.avro",
	};
	char path[1024];
	size_t i;
	(void)state;

	for (i = 0; i < RAT_ARRAY_SIZE(files); i++) {
		avro_file_reader_t theirs = NULL, ours = NULL;
		size_t len, out_len;
		char *data, *out;

		snprintf(path, sizeof(path), "%s/%s", fixtures(), files[i]);
		if (access(path, R_OK) != 0)
			skip();
		data = slurp(path, &len);
		out = rewrite(path, data, len, &out_len);
		/* the same header metadata, schema bytes included, and the same records */
		expect_same_metadata(data, len, out, out_len);
		assert_int_equal(avro_file_reader(path, &theirs), 0);
		assert_int_equal(rat_avro__reader_open(&ours, out, out_len), 0);
		expect_same_records(theirs, ours);
		free(out);
		free(data);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(iceberg_manifests_give_their_metadata),
		cmocka_unit_test(iceberg_manifests_round_trip_through_the_writer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
