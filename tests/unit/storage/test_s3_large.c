/*
 * tests/unit/storage/test_s3_large.c - "a 1 GiB file uploads in parts":
 * put_file of a 1 GiB file to moto with the default 64 MiB threshold, then
 * size, part count, and checksums of ranged reads across part boundaries.
 *
 * The file is sparse (made in no time) with a distinct 64 KiB stamp across
 * every 16 MiB boundary, so parts sent out of order or shifted would show.
 * It and the object are deleted at the end.
 */
#include "helpers.h"

#include "../../support/s3_test.h"
#include "util/sha256.h"

#define BUCKET "ratbucket"
#define GIB ((uint64_t)1 << 30)
#define STAMP (64u << 10)
#define STEP ((uint64_t)16 << 20)

static t_server moto;
static char *scratch;

/* A sparse 1 GiB file with a stamp of t_pattern bytes across each 16 MiB boundary. */
static void make_file(const char *path)
{
	unsigned char *stamp = malloc(STAMP);
	uint64_t at;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)GIB), 0);
	for (at = STEP; at < GIB; at += STEP) {
		t_fill(stamp, at - STAMP / 2, STAMP);
		assert_int_equal(pwrite(fd, stamp, STAMP, (off_t)(at - STAMP / 2)), (ssize_t)STAMP);
	}
	t_fill(stamp, GIB - STAMP, STAMP); /* the very end too */
	assert_int_equal(pwrite(fd, stamp, STAMP, (off_t)(GIB - STAMP)), (ssize_t)STAMP);
	assert_int_equal(close(fd), 0);
	free(stamp);
}

/* SHA-256 of length bytes of the local file at offset. */
static void local_digest(const char *path, uint64_t offset, size_t length, char hex[65])
{
	unsigned char *data = malloc(length);
	int fd = open(path, O_RDONLY);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, data, length, (off_t)offset), (ssize_t)length);
	close(fd);
	assert_int_equal(rat_sha256__hex(data, length, hex), 0);
	free(data);
}

static void one_gib_uploads_in_parts(void **state)
{
	static const uint64_t boundaries[] = { (uint64_t)64 << 20, (uint64_t)512 << 20,
					       (uint64_t)960 << 20, GIB - (1u << 20) };
	rat_store_options opts = RAT_STORE_OPTIONS_INIT;
	rat_store *store = NULL;
	rat_store_stats stats;
	rat_store_object obj;
	rat_store_list list;
	rat_buf buf = RAT_BUF_INIT;
	char path[4200], want[65], got[65];
	size_t i;
	(void)state;

	snprintf(path, sizeof(path), "%s/one-gib.bin", scratch);
	make_file(path);
	opts.endpoint = t_endpoint(&moto);
	opts.access_key = "testing";
	opts.secret_key = T_SECRET;
	T_OK(rat_store__open(&store, "s3://" BUCKET "/large", &opts));
	T_OK(rat_store__put_file(store, "gib.bin", path));
	rat_store__stats(store, &stats);
	assert_int_equal(stats.puts, 1);
	assert_int_equal(stats.part_puts, 16); /* 1 GiB / 64 MiB */
	assert_int_equal(stats.bytes_out >= GIB, 1);

	T_OK(rat_store__head(store, "gib.bin", &obj));
	assert_int_equal(obj.size, GIB);
	assert_non_null(strstr(obj.etag, "-16"));
	rat_store__object_free(&obj);

	/* 2 MiB around part boundaries (and the end), checked by digest */
	for (i = 0; i < sizeof(boundaries) / sizeof(boundaries[0]); i++) {
		uint64_t offset = boundaries[i] - (1u << 20);
		rat_buf_clear(&buf);
		T_OK(rat_store__get_range(store, "gib.bin", offset, 2u << 20, &buf));
		assert_int_equal(buf.len, 2u << 20);
		assert_int_equal(rat_sha256__hex(buf.ptr, buf.len, got), 0);
		local_digest(path, offset, 2u << 20, want);
		assert_string_equal(got, want);
	}
	unsigned char expect[16];
	t_fill(expect, (uint64_t)512 << 20, 16);
	rat_buf_clear(&buf);
	T_OK(rat_store__get_range(store, "gib.bin", (uint64_t)512 << 20, 16, &buf));
	assert_memory_equal(buf.ptr, expect, 16); /* not zeros: the stamp is there */

	/* the aws CLI sees the same size */
	t_aws_list(&moto, "testing", T_SECRET, BUCKET, scratch, &list);
	assert_int_equal(list.count, 1);
	assert_string_equal(list.items[0].key, "large/gib.bin");
	assert_int_equal(list.items[0].size, GIB);
	rat_store__list_free(&list);

	T_OK(rat_store__delete(store, "gib.bin"));
	assert_int_equal(rat_store__head(store, "gib.bin", &obj), RAT_ENOTFOUND);
	assert_int_equal(unlink(path), 0);
	rat_buf_free(&buf);
	rat_store__free(store);
}

static int setup(void **state)
{
	(void)state;
	scratch = test_tmpdir("s3_large");
	t_server_start(&moto, "moto", scratch, "moto", BUCKET, "");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	t_server_stop(&moto);
	test_rmtree(scratch);
	free(scratch);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_gib_uploads_in_parts),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
