/*
 * tests/unit/table/test_tables_s3.c - the table suite on S3: moto_server and
 * s3rver, started here on 127.0.0.1. Tables are created, appended,
 * partitioned, evolved and overwritten under a workspace prefix; a table
 * written by Spark is uploaded with the aws CLI and read back; the aws CLI
 * then sees exactly the keys we wrote, all under the prefix; and reading
 * the same snapshot twice downloads each data file once.
 */
#include "helpers.h"

#include "../../support/s3_test.h"
#include "util/fs.h"
#include "table/scan.h"
#include "table/write.h"

#define BUCKET "lake"

static char *dir;
static test_session session;
static rat_engine *engine;

typedef struct server_kind {
	const char *name;
	const char *access_key;
	bool conditional_put; /* honours If-None-Match: * */
} server_kind;

static rat_store *open_cached(const t_server *srv, const server_kind *kind, const char *path,
			      const char *cache_name)
{
	rat_store_options opts = RAT_STORE_OPTIONS_INIT;
	char url[512], cache[4200];
	rat_store *store = NULL;

	snprintf(url, sizeof(url), "s3://" BUCKET "/%s", path);
	snprintf(cache, sizeof(cache), "%s/cache-%s-%s", dir, kind->name, cache_name);
	opts.endpoint = t_endpoint(srv);
	opts.access_key = kind->access_key;
	opts.secret_key = T_SECRET;
	opts.cache_dir = cache;
	T_OK(rat_store__open(&store, url, &opts));
	return store;
}

static rat_store *open_table(const t_server *srv, const server_kind *kind, const char *path)
{
	return open_cached(srv, kind, path, "main");
}

static rat_write_result write_rows(rat_store *store, const char *sql, rat_write_options *opts)
{
	rat_write_options defaults = RAT_WRITE_OPTIONS_INIT;
	rat_write_result result;
	char scratch[4200];

	snprintf(scratch, sizeof(scratch), "%s/scratch", dir);
	if (!opts)
		opts = &defaults;
	opts->scratch_dir = scratch;
	T_OK(rat_table__write(&result, store, engine, sql, opts));
	return result;
}

static void expect(rat_store *store, int64_t snapshot_id, const char *expr, const char *want)
{
	char *got = test_table_value(engine, store, snapshot_id, NULL, expr);
	if (strcmp(got, want) != 0)
		fail_msg("%s: got %s, expected %s", expr, got, want);
	free(got);
}

static void tables(const server_kind *kind)
{
	t_server srv;
	rat_store *sales, *events, *evolve, *spark;
	rat_write_options opts = RAT_WRITE_OPTIONS_INIT;
	rat_write_result first;
	rat_store_list ours = { NULL, 0 }, theirs = { NULL, 0 };
	const char *parts[] = { "day(ts)" };
	char cmd[8192], *count;
	size_t i, j, data_files;

	t_server_start(&srv, kind->name, dir, kind->name, BUCKET, "");
	sales = open_table(&srv, kind, "analytics/silver/sales");
	events = open_table(&srv, kind, "analytics/silver/events");
	evolve = open_table(&srv, kind, "analytics/gold/evolve");

	/* create, append, time travel, overwrite */
	first = write_rows(sales, "SELECT i AS id, 'item-' || i AS name FROM range(100) t(i)", NULL);
	write_rows(sales, "SELECT i AS id, 'more' AS name FROM range(100, 130) t(i)", NULL);
	expect(sales, -1, "count(*) || ',' || sum(id)", "130,8385");
	expect(sales, first.snapshot_id, "count(*)", "100");
	opts.mode = RAT_WRITE_OVERWRITE;
	write_rows(sales, "SELECT 1 AS id, 'only' AS name", &opts);
	expect(sales, -1, "count(*) || ',' || max(name)", "1,only");

	/* partitioned by day */
	opts.mode = RAT_WRITE_APPEND;
	opts.partition_by = parts;
	opts.partition_count = 1;
	write_rows(events, "SELECT i AS id, TIMESTAMP '2024-03-01 00:00:00' + INTERVAL (i) HOUR AS ts "
			   "FROM range(96) t(i)", &opts);
	expect(events, -1, "count(*) || ',' || count(DISTINCT ts::DATE)", "96,4");

	/* schema evolution */
	write_rows(evolve, "SELECT 1::INTEGER AS n", NULL);
	opts.partition_count = 0;
	opts.schema_change = RAT_SCHEMA_APPEND;
	write_rows(evolve, "SELECT 5000000000 AS n, 'new' AS label", &opts);
	expect(evolve, -1, "string_agg(n || ':' || coalesce(label, '-'), ',' ORDER BY n)",
	       "1:-,5000000000:new");

	/* a table written by Spark, uploaded by the aws CLI, read from S3 */
	snprintf(cmd, sizeof(cmd), "s3 cp --recursive --quiet '%s/fixtures/iceberg/lineitem_v2' "
		 "s3://" BUCKET "/analytics/bronze/lineitem",
		 getenv("RAT_SHARED_DIR") ? getenv("RAT_SHARED_DIR") : "../shared");
	assert_int_equal(t_aws(&srv, kind->access_key, T_SECRET, cmd), 0);
	spark = open_table(&srv, kind, "analytics/bronze/lineitem");
	count = test_table_value(engine, spark, -1, "lineitem_iceberg", "count(*)");
	assert_string_equal(count, "51793");
	free(count);

	/* reading the same snapshot twice downloads each data file once: a fresh
	 * store with an empty cache fetches the 4 data files on the first read and
	 * none on the second, where the cache answers */
	{
		rat_store *fresh = open_cached(&srv, kind, "analytics/silver/events", "fresh");
		rat_store_stats s0, s1, s2;
		rat_store__stats(fresh, &s0);
		free(test_table_value(engine, fresh, -1, NULL, "count(*)"));
		rat_store__stats(fresh, &s1);
		free(test_table_value(engine, fresh, -1, NULL, "count(*)"));
		rat_store__stats(fresh, &s2);
		data_files = 4;
		assert_int_equal(s1.cache_hits - s0.cache_hits, 0);
		assert_int_equal(s2.cache_hits - s1.cache_hits, data_files);
		assert_int_equal((s1.gets - s0.gets) - (s2.gets - s1.gets), data_files);
		rat_store__free(fresh);
	}

	/* the aws CLI sees exactly what we wrote (and uploaded), all under the prefix */
	T_OK(rat_store__list(sales, "", &ours));
	t_aws_list(&srv, kind->access_key, T_SECRET, BUCKET, dir, &theirs);
	for (i = 0; i < theirs.count; i++)
		if (strncmp(theirs.items[i].key, "analytics/", 10) != 0)
			fail_msg("%s: key outside the workspace prefix: %s", kind->name, theirs.items[i].key);
	for (i = 0; i < ours.count; i++) {
		char full[1024];
		bool found = false;
		snprintf(full, sizeof(full), "analytics/silver/sales/%s", ours.items[i].key);
		for (j = 0; j < theirs.count; j++)
			found |= strcmp(theirs.items[j].key, full) == 0 &&
				 theirs.items[j].size == ours.items[i].size;
		if (!found)
			fail_msg("%s: aws does not see %s", kind->name, full);
	}
	for (i = 0, j = 0; i < theirs.count; i++)
		j += strncmp(theirs.items[i].key, "analytics/silver/sales/", 23) == 0;
	assert_int_equal(j, ours.count);

	/* a lost commit race, where the server makes the create-if-absent atomic */
	if (kind->conditional_put) {
		rat_store *rival = open_table(&srv, kind, "analytics/silver/sales");
		rat_buf meta = RAT_BUF_INIT;
		char *latest = NULL;
		T_OK(rat_table__latest_metadata(rival, &latest));
		T_OK(rat_store__get(rival, latest, &meta, 1 << 20));
		assert_int_equal(rat_store__put_new(rival, latest, meta.ptr, meta.len), RAT_EEXISTS);
		free(latest);
		rat_buf_free(&meta);
		rat_store__free(rival);
	}
	rat_store__list_free(&ours);
	rat_store__list_free(&theirs);
	rat_store__free(sales);
	rat_store__free(events);
	rat_store__free(evolve);
	rat_store__free(spark);
	t_server_stop(&srv);
}

static void on_moto(void **state)
{
	static const server_kind moto = { "moto", "testing", true };
	(void)state;
	tables(&moto);
}

static void on_s3rver(void **state)
{
	static const server_kind s3rver = { "s3rver", "S3RVER", false };
	(void)state;
	tables(&s3rver);
}

static int setup(void **state)
{
	*state = &session;
	test_session_open(&session, "tables_s3");
	dir = session.dir;
	engine = session.engine;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(on_moto),
		cmocka_unit_test(on_s3rver),
	};
	return cmocka_run_group_tests(tests, setup, test_session_teardown);
}
