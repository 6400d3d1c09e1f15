/*
 * tests/unit/run/test_record.c - run records (run/record.c): a new record
 * holds "" for every string and pending steps; rat_run__keep copies ("" for
 * NULL) and is safe from several threads; a saved record reads back field
 * for field; a corrupt, truncated or foreign file is refused naming it;
 * rat_run_list_get lists newest first within its limit, and rat_run_get
 * finds a run by a unique id prefix and says when a prefix is ambiguous.
 */
#include "helpers.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rat.h"
#include "util/common.h"
#include "run/run.h"

static char *dir;
static char home[4200];

static void a_new_record_is_empty_not_null(void **state)
{
	rat_run_record *rec = NULL;
	size_t i;
	(void)state;

	assert_int_equal(rat_run__record_new(&rec, 3), 0);
	assert_int_equal(rec->info.step_count, 3);
	assert_string_equal(rec->info.id, "");
	assert_string_equal(rec->info.workspace, "");
	assert_string_equal(rec->info.branch, "");
	assert_string_equal(rec->info.run_branch, "");
	assert_string_equal(rec->info.status, "");
	assert_string_equal(rec->info.error, "");
	assert_string_equal(rec->info.commit, "");
	assert_string_equal(rec->info.retention, "");
	assert_int_equal(rec->info.started_ms, 0);
	for (i = 0; i < 3; i++) {
		const rat_run_step *s = &rec->info.steps[i];
		assert_int_equal(s->status, RAT_STEP_PENDING);
		assert_string_equal(s->key, "");
		assert_string_equal(s->operation, "");
		assert_string_equal(s->error, "");
		assert_string_equal(s->warnings, "");
		assert_string_equal(s->sql, "");
		assert_int_equal(s->rows_out, 0);
	}
	rat_run_info_free(&rec->info);
	assert_int_equal(rat_run__record_new(&rec, 0), 0);
	assert_int_equal(rec->info.step_count, 0);
	assert_null(rec->info.steps);
	rat_run_info_free(&rec->info);
	rat_run_info_free(NULL);
}

typedef struct keeper {
	rat_run_record *rec;
	int thread;
	const char *kept[500];
} keeper;

static void *keep_many(void *arg)
{
	keeper *k = arg;
	char text[64];
	int i;

	for (i = 0; i < 500; i++) {
		snprintf(text, sizeof(text), "thread %d string %d", k->thread, i);
		k->kept[i] = rat_run__keep(k->rec, text);
	}
	return NULL;
}

static void keep_copies_from_any_thread(void **state)
{
	rat_run_record *rec = NULL;
	keeper keepers[4];
	pthread_t threads[4];
	char text[64];
	const char *kept;
	int t, i;
	(void)state;

	assert_int_equal(rat_run__record_new(&rec, 0), 0);
	assert_string_equal(rat_run__keep(rec, NULL), "");
	assert_string_equal(rat_run__keep(rec, ""), "");
	assert_int_equal(rec->pool.count, 0); /* nothing kept for either */
	snprintf(text, sizeof(text), "mine");
	kept = rat_run__keep(rec, text);
	assert_ptr_not_equal(kept, text);
	text[0] = 'X';
	assert_string_equal(kept, "mine");

	for (t = 0; t < 4; t++) {
		keepers[t].rec = rec;
		keepers[t].thread = t;
		assert_int_equal(pthread_create(&threads[t], NULL, keep_many, &keepers[t]), 0);
	}
	for (t = 0; t < 4; t++)
		assert_int_equal(pthread_join(threads[t], NULL), 0);
	assert_int_equal(rec->pool.count, 1 + 4 * 500);
	for (t = 0; t < 4; t++)
		for (i = 0; i < 500; i++) {
			snprintf(text, sizeof(text), "thread %d string %d", t, i);
			assert_string_equal(keepers[t].kept[i], text);
		}
	rat_run_info_free(&rec->info);
}

/* A record whose every field holds a value of its own. */
static rat_run_record *full_record(const char *id)
{
	rat_run_record *rec = NULL;
	size_t i;

	assert_int_equal(rat_run__record_new(&rec, 5), 0);
	rec->info.id = rat_run__keep(rec, id);
	rec->info.workspace = "shop";
	rec->info.branch = "workspace/shop";
	rec->info.run_branch = "run/x";
	rec->info.status = "failed";
	rec->info.error = "silver.a (pipelines/silver/a.sql): \"quoted\"\nand a new line";
	rec->info.commit = "abc123";
	rec->info.retention = "bronze.x: 3 rows before 2024-01-01";
	rec->info.started_ms = INT64_C(1709287200123);
	rec->info.finished_ms = INT64_C(1709287260456);
	rec->info.full_refresh = 1;
	for (i = 0; i < 5; i++) {
		rat_run_step *s = &rec->info.steps[i];
		int64_t base = (int64_t)i * 100;
		s->key = i == 0 ? "bronze.orders" : "gold.é_totals";
		s->status = (rat_step_status)i; /* every status once */
		s->operation = "merge";
		s->started_ms = base + 1;
		s->finished_ms = base + 2;
		s->rows_in = base + 3;
		s->rows_out = INT64_C(9007199254740993) + base; /* past a double's precision */
		s->files_added = base + 5;
		s->files_removed = base + 6;
		s->files_ingested = base + 7;
		s->write_passes = base + 8;
		s->checks_passed = base + 9;
		s->checks_failed = base + 10;
		s->checks_warned = base + 11;
		s->error = i == 4 ? "boom" : "";
		s->warnings = "max(amount): 1 violating rows\nmin(x): 2 violating rows";
		s->sql = "SELECT 'a''b' AS \"c\"\n";
	}
	return rec;
}

/* rec as RAT_HOME's record, as rat_run__record_save() keeps it without NESSIE_URI */
static void save(const rat_run_record *rec)
{
	json_t *doc = rat_run__record_json(&rec->info);

	assert_non_null(doc);
	assert_int_equal(rat_run__record_write(home, rec->info.workspace, rec->info.id, doc), 0);
	json_decref(doc);
}

static char *record_path(const char *id)
{
	return rat__sprintf("%s/runs/shop/%s.json", home, id);
}

static void a_saved_record_reads_back_field_for_field(void **state)
{
	rat_run_record *rec = full_record("20240301T100000.123Z-aabbcc"), *back = NULL;
	char *path = record_path("20240301T100000.123Z-aabbcc");
	size_t i;
	(void)state;

	save(rec);
	assert_int_equal(rat_run__record_load(&back, path), 0);
	assert_string_equal(back->info.id, rec->info.id);
	assert_string_equal(back->info.workspace, "shop");
	assert_string_equal(back->info.branch, "workspace/shop");
	assert_string_equal(back->info.run_branch, "run/x");
	assert_string_equal(back->info.status, "failed");
	assert_string_equal(back->info.error, rec->info.error);
	assert_string_equal(back->info.commit, "abc123");
	assert_string_equal(back->info.retention, rec->info.retention);
	assert_int_equal(back->info.started_ms, rec->info.started_ms);
	assert_int_equal(back->info.finished_ms, rec->info.finished_ms);
	assert_int_equal(back->info.full_refresh, 1);
	assert_int_equal(back->info.step_count, 5);
	for (i = 0; i < 5; i++) {
		const rat_run_step *a = &rec->info.steps[i], *b = &back->info.steps[i];
		assert_string_equal(b->key, a->key);
		assert_int_equal(b->status, a->status);
		assert_string_equal(b->operation, a->operation);
		assert_int_equal(b->started_ms, a->started_ms);
		assert_int_equal(b->finished_ms, a->finished_ms);
		assert_int_equal(b->rows_in, a->rows_in);
		assert_int_equal(b->rows_out, a->rows_out);
		assert_int_equal(b->files_added, a->files_added);
		assert_int_equal(b->files_removed, a->files_removed);
		assert_int_equal(b->files_ingested, a->files_ingested);
		assert_int_equal(b->write_passes, a->write_passes);
		assert_int_equal(b->checks_passed, a->checks_passed);
		assert_int_equal(b->checks_failed, a->checks_failed);
		assert_int_equal(b->checks_warned, a->checks_warned);
		assert_string_equal(b->error, a->error);
		assert_string_equal(b->warnings, a->warnings);
		assert_string_equal(b->sql, a->sql);
	}
	rat_run_info_free(&back->info);
	rat_run_info_free(&rec->info);
	free(path);
}

/* Loading a file holding text fails with exactly "<path>: not a run record (why)". */
static void not_a_record(const char *text, const char *why)
{
	rat_run_record *rec = NULL;
	char *path = record_path("bad"), want[8192];

	test_write(home, "runs/shop/bad.json", text);
	assert_int_equal(rat_run__record_load(&rec, path), RAT_EINVALID);
	assert_null(rec);
	snprintf(want, sizeof(want), "%s: not a run record (%s)", path, why);
	assert_string_equal(rat_error_last()->message, want);
	assert_int_equal(rat_error_last()->klass, RAT_ERRCLASS_PIPELINE);
	free(path);
}

static void a_broken_record_is_refused_naming_the_file(void **state)
{
	rat_run_record *rec = NULL;
	char *path = record_path("gone"), *text;
	(void)state;

	not_a_record("{\"id\": \"x\", \"steps\": [", "']' expected near end of file");
	not_a_record("", "'[' or '{' expected near end of file");
	not_a_record("[]", "no steps");
	not_a_record("{\"id\": \"x\"}", "no steps");
	not_a_record("{\"steps\": {}}", "no steps");
	assert_int_equal(rat_run__record_load(&rec, path), RAT_EINVALID);
	text = rat__sprintf("%s: not a run record (unable to open %s: No such file or directory)",
			    path, path);
	assert_string_equal(rat_error_last()->message, text);
	free(text);
	free(path);
	/* a record cut short on disk */
	rec = full_record("cut");
	save(rec);
	rat_run_info_free(&rec->info);
	path = record_path("cut");
	assert_int_equal(truncate(path, 200), 0);
	assert_int_equal(rat_run__record_load(&rec, path), RAT_EINVALID);
	assert_non_null(strstr(rat_error_last()->message, "cut.json: not a run record ("));
	free(path);
}

static void missing_fields_read_as_empty(void **state)
{
	rat_run_record *rec = NULL;
	char *path = record_path("sparse");
	(void)state;

	test_write(home, "runs/shop/sparse.json",
		   "{\"id\": \"sparse\", \"steps\": [{\"pipeline\": \"gold.x\", \"status\": "
		   "\"exploded\"}, 7, {\"status\": \"ok\", \"rows_out\": \"many\"}]}");
	assert_int_equal(rat_run__record_load(&rec, path), 0);
	assert_string_equal(rec->info.id, "sparse");
	assert_string_equal(rec->info.status, "");
	assert_string_equal(rec->info.commit, "");
	assert_int_equal(rec->info.full_refresh, 0);
	assert_int_equal(rec->info.step_count, 3);
	assert_string_equal(rec->info.steps[0].key, "gold.x");
	assert_int_equal(rec->info.steps[0].status, RAT_STEP_PENDING); /* unknown status */
	assert_string_equal(rec->info.steps[1].key, "");
	assert_int_equal(rec->info.steps[2].status, RAT_STEP_OK);
	assert_int_equal(rec->info.steps[2].rows_out, 0);
	rat_run_info_free(&rec->info);
	free(path);
}

/* Save an empty record of workspace shop under id. */
static void save_id(const char *id)
{
	rat_run_record *rec = NULL;

	assert_int_equal(rat_run__record_new(&rec, 1), 0);
	rec->info.id = id;
	rec->info.workspace = "shop";
	rec->info.status = "success";
	rec->info.steps[0].key = "gold.x";
	save(rec);
	rat_run_info_free(&rec->info);
}

static rat_workspace *shop(void)
{
	rat_workspace *ws = NULL;
	char path[4300];

	test_write(dir, "ws/workspace.yaml", "name: shop\n");
	snprintf(path, sizeof(path), "%s/ws", dir);
	if (rat_workspace_open(&ws, path) != 0)
		fail_msg("open: %s", rat_error_last()->message);
	assert_string_equal(rat_workspace_home(ws), home);
	return ws;
}

static void runs_are_listed_newest_first_and_found_by_prefix(void **state)
{
	rat_workspace *ws = shop();
	rat_run_list list;
	rat_run_info *run = NULL;
	char runs[4300];
	(void)state;

	snprintf(runs, sizeof(runs), "%s/runs", home);
	test_rmtree(runs);
	assert_int_equal(rat_run_list_get(&list, ws, 0), 0); /* no folder yet: none */
	assert_int_equal(list.count, 0);
	rat_run_list_free(&list);
	assert_int_equal(rat_run_get(&run, ws, "2024"), RAT_ENOTFOUND);
	assert_string_equal(rat_error_last()->message,
			    "no run '2024' in workspace shop (see rat runs)");

	save_id("20240301T100000.000Z-aaaaaa");
	save_id("20240301T100000.000Z-abbbbb");
	save_id("20240302T090000.000Z-cccccc");
	test_write(home, "runs/shop/notes.txt", "not a record\n");
	assert_int_equal(rat_run_list_get(&list, ws, 0), 0);
	assert_int_equal(list.count, 3);
	assert_string_equal(list.items[0]->id, "20240302T090000.000Z-cccccc");
	assert_string_equal(list.items[2]->id, "20240301T100000.000Z-aaaaaa");
	assert_string_equal(list.items[2]->steps[0].key, "gold.x");
	rat_run_list_free(&list);
	assert_int_equal(rat_run_list_get(&list, ws, 2), 0);
	assert_int_equal(list.count, 2);
	assert_string_equal(list.items[1]->id, "20240301T100000.000Z-abbbbb");
	rat_run_list_free(&list);

	assert_int_equal(rat_run_get(&run, ws, "20240302"), 0);
	assert_string_equal(run->id, "20240302T090000.000Z-cccccc");
	assert_string_equal(run->status, "success");
	rat_run_info_free(run);
	assert_int_equal(rat_run_get(&run, ws, "20240301T100000.000Z-ab"), 0);
	assert_string_equal(run->id, "20240301T100000.000Z-abbbbb");
	rat_run_info_free(run);
	assert_int_equal(rat_run_get(&run, ws, "20240301T100000.000Z-aaaaaa.json"), 0);
	rat_run_info_free(run);
	assert_int_equal(rat_run_get(&run, ws, "20240301"), RAT_EINVALID);
	assert_null(run);
	assert_string_equal(rat_error_last()->message,
			    "run id '20240301' is ambiguous: 2 runs start with it");
	assert_int_equal(rat_run_get(&run, ws, ""), RAT_ENOTFOUND);
	assert_int_equal(rat_run_get(&run, ws, "notes"), RAT_ENOTFOUND);

	/* one corrupt record fails the listing, naming it */
	test_write(home, "runs/shop/20240303T000000.000Z-dddddd.json", "{");
	assert_int_equal(rat_run_list_get(&list, ws, 0), RAT_EINVALID);
	assert_non_null(strstr(rat_error_last()->message,
			       "20240303T000000.000Z-dddddd.json: not a run record"));
	assert_int_equal(list.count, 0);
	test_rmtree(runs);
	rat_workspace_free(ws);
}

static int setup(void **state)
{
	dir = test_scratch_home("run_record");
	snprintf(home, sizeof(home), "%s/home", dir);
	*state = dir; /* test_scratch_teardown removes it */
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_new_record_is_empty_not_null),
		cmocka_unit_test(keep_copies_from_any_thread),
		cmocka_unit_test(a_saved_record_reads_back_field_for_field),
		cmocka_unit_test(a_broken_record_is_refused_naming_the_file),
		cmocka_unit_test(missing_fields_read_as_empty),
		cmocka_unit_test(runs_are_listed_newest_first_and_found_by_prefix),
	};
	return cmocka_run_group_tests(tests, setup, test_scratch_teardown);
}
