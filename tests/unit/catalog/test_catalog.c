/*
 * tests/unit/catalog/test_catalog.c - the embedded catalog: branches, tags,
 * content-addressed commits against an expected head, log, diff, merges
 * (fast-forward, three-way, conflicts, dry run), four processes committing
 * concurrently, and processes killed mid-commit.
 */
#include "helpers.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "rat.h"
#include "util/common.h"
#include "catalog/catalog.h"

static char *dir;

#define OK(call) TEST_OK(call)

static rat_catalog *open_catalog(const char *name)
{
	char path[4200];
	rat_catalog *c = NULL;

	snprintf(path, sizeof(path), "%s/%s.db", dir, name);
	OK(rat_catalog__open_embedded(&c, path));
	return c;
}

static rat_table_state state(const char *location, int64_t snapshot)
{
	rat_table_state s = { (char *)location, snapshot, 0, 0, (char *)"content-1", false, false, NULL };
	return s;
}

/* Commit one PUT of key -> (location, snapshot); returns the new head in hash. */
static int put(rat_catalog *c, const char *branch, const char *expected, const char *key,
	       const char *location, int64_t snapshot, char hash[RAT_HASH_LEN + 1])
{
	rat_table_state s = state(location, snapshot);
	rat_catalog_op op = { RAT_OP_PUT, key, &s };
	rat_commit_request r = { branch, expected, &op, 1, "tester", "put", NULL, 0 };
	return rat_catalog__commit(c, &r, hash);
}

static size_t history_length(rat_catalog *c, const char *ref)
{
	rat_commits log;
	size_t n;

	OK(rat_catalog__log(c, ref, 0, &log));
	n = log.count;
	rat_catalog__commits_free(&log);
	return n;
}

static void branches_commits_and_log(void **state_)
{
	rat_catalog *c = open_catalog("basic");
	rat_table_state s1 = state("s3://lake/a/metadata/v1.metadata.json", 11);
	rat_table_state s2 = state("s3://lake/b/metadata/v1.metadata.json", 22);
	rat_catalog_op ops[] = { { RAT_OP_PUT, "silver.a", &s1 }, { RAT_OP_PUT, "gold.b", &s2 } };
	json_t *props = json_pack("{s:s}", "run", "r-1");
	rat_commit_request r = { "main", NULL, ops, 2, "alice", "two tables at once", props, 1000 };
	char root[RAT_HASH_LEN + 1], head[RAT_HASH_LEN + 1], hash[RAT_HASH_LEN + 1];
	rat_contents contents;
	rat_commits log;
	rat_refs refs;
	(void)state_;

	OK(rat_catalog__resolve(c, "main", root));
	OK(rat_catalog__commit(c, &r, head));
	OK(rat_catalog__contents(c, "main", &contents));
	assert_int_equal(contents.count, 2);
	assert_string_equal(contents.items[0].key, "gold.b"); /* sorted */
	assert_int_equal(contents.items[1].state.snapshot_id, 11);
	rat_catalog__contents_free(&contents);
	OK(rat_catalog__log(c, "main", 0, &log));
	assert_int_equal(log.count, 2);
	assert_string_equal(log.items[0].author, "alice");
	assert_string_equal(log.items[0].message, "two tables at once");
	assert_string_equal(log.items[0].parent, root);
	assert_string_equal(json_string_value(json_object_get(log.items[0].properties, "run")), "r-1");
	rat_catalog__commits_free(&log);

	/* the same content gives the same hash in another catalog */
	{
		rat_catalog *other = open_catalog("other");
		char again[RAT_HASH_LEN + 1];
		OK(rat_catalog__commit(other, &r, again));
		assert_string_equal(again, head);
		rat_catalog__free(other);
	}
	/* a stale head is refused, naming the branch and both hashes; nothing written */
	assert_int_equal(put(c, "main", root, "silver.c", "x", 1, hash), RAT_ECONFLICT);
	assert_non_null(strstr(rat_error_last()->message, "branch 'main'"));
	assert_non_null(strstr(rat_error_last()->message, root));
	assert_non_null(strstr(rat_error_last()->message, head));
	assert_int_equal(history_length(c, "main"), 2);

	/* branches and tags */
	OK(rat_catalog__create_ref(c, "workspace/analytics", RAT_REF_BRANCH, "main"));
	OK(rat_catalog__create_ref(c, "v1", RAT_REF_TAG, NULL));
	assert_int_equal(rat_catalog__create_ref(c, "v1", RAT_REF_TAG, NULL), RAT_EEXISTS);
	assert_int_equal(rat_catalog__create_ref(c, "bad..name", RAT_REF_BRANCH, NULL), RAT_EINVALID);
	assert_int_equal(put(c, "v1", NULL, "silver.c", "x", 1, hash), RAT_ENOTFOUND);
	assert_non_null(strstr(rat_error_last()->message, "is a tag"));
	OK(put(c, "workspace/analytics", NULL, "silver.c", "x", 1, hash));
	OK(rat_catalog__resolve(c, "v1", hash));
	assert_string_equal(hash, head);
	{
		char prefix[16];
		snprintf(prefix, sizeof(prefix), "%.10s", head);
		OK(rat_catalog__resolve(c, prefix, hash));
		assert_string_equal(hash, head);
	}
	assert_int_equal(rat_catalog__resolve(c, "nope", hash), RAT_ENOTFOUND);
	OK(rat_catalog__list_refs(c, &refs));
	assert_int_equal(refs.count, 3);
	rat_catalog__refs_free(&refs);
	assert_int_equal(rat_catalog__delete_ref(c, "main", NULL), RAT_EINVALID);
	OK(rat_catalog__delete_ref(c, "v1", NULL));
	assert_int_equal(rat_catalog__delete_ref(c, "v1", NULL), RAT_ENOTFOUND);
	json_decref(props);
	rat_catalog__free(c);
}

static void merges(void **state_)
{
	rat_catalog *c = open_catalog("merge");
	char h[RAT_HASH_LEN + 1], main_head[RAT_HASH_LEN + 1];
	rat_merge_result m;
	rat_contents contents;
	rat_diff diff;
	(void)state_;

	OK(put(c, "main", NULL, "bronze.sales", "loc-1", 1, h));
	OK(rat_catalog__create_ref(c, "dev/exp", RAT_REF_BRANCH, "main"));
	OK(put(c, "dev/exp", NULL, "silver.sales", "loc-2", 2, h));

	/* dry run: decides, changes nothing */
	OK(rat_catalog__merge(c, "dev/exp", "main", true, "bob", &m));
	assert_true(m.fast_forward);
	rat_catalog__merge_result_free(&m);
	OK(rat_catalog__contents(c, "main", &contents));
	assert_int_equal(contents.count, 1);
	rat_catalog__contents_free(&contents);

	/* fast-forward */
	OK(rat_catalog__merge(c, "dev/exp", "main", false, "bob", &m));
	assert_true(m.fast_forward);
	assert_int_equal(m.merged.count, 1);
	assert_string_equal(m.merged.strings[0], "silver.sales");
	rat_catalog__merge_result_free(&m);
	OK(rat_catalog__resolve(c, "main", main_head));
	OK(rat_catalog__resolve(c, "dev/exp", h));
	assert_string_equal(main_head, h);
	OK(rat_catalog__merge(c, "dev/exp", "main", false, "bob", &m));
	assert_true(m.up_to_date);
	rat_catalog__merge_result_free(&m);

	/* three-way with disjoint keys */
	OK(put(c, "main", NULL, "gold.kpis", "loc-3", 3, h));
	OK(put(c, "dev/exp", NULL, "gold.devices", "loc-4", 4, h));
	OK(rat_catalog__merge(c, "dev/exp", "main", false, "bob", &m));
	assert_false(m.fast_forward);
	assert_int_equal(m.merged.count, 1);
	rat_catalog__merge_result_free(&m);
	OK(rat_catalog__contents(c, "main", &contents));
	assert_int_equal(contents.count, 4);
	rat_catalog__contents_free(&contents);
	{
		rat_commits log;
		OK(rat_catalog__log(c, "main", 1, &log));
		assert_string_equal(log.items[0].message, "merge dev/exp into main");
		assert_true(log.items[0].merge_parent[0] != '\0');
		rat_catalog__commits_free(&log);
	}

	/* both sides change the same key differently: refused per key, nothing written */
	OK(put(c, "main", NULL, "bronze.sales", "loc-main", 10, h));
	OK(put(c, "dev/exp", NULL, "bronze.sales", "loc-dev", 11, h));
	OK(put(c, "dev/exp", NULL, "silver.other", "loc-5", 5, h));
	OK(rat_catalog__resolve(c, "main", main_head));
	assert_int_equal(rat_catalog__merge(c, "dev/exp", "main", false, "bob", &m), RAT_ECONFLICT);
	assert_int_equal(m.conflicts.count, 1);
	assert_string_equal(m.conflicts.strings[0], "bronze.sales");
	assert_non_null(strstr(rat_error_last()->message, "both changed bronze.sales"));
	rat_catalog__merge_result_free(&m);
	OK(rat_catalog__resolve(c, "main", h));
	assert_string_equal(h, main_head);

	/* diff between refs */
	OK(rat_catalog__diff(c, "main", "dev/exp", &diff));
	/* main has gold.kpis, which dev/exp never received: it shows as removed */
	assert_int_equal(diff.count, 3);
	assert_string_equal(diff.items[0].key, "bronze.sales");
	assert_int_equal(diff.items[0].kind, RAT_CHANGE_MODIFIED);
	assert_int_equal(diff.items[0].before.snapshot_id, 10);
	assert_int_equal(diff.items[0].after.snapshot_id, 11);
	assert_string_equal(diff.items[1].key, "gold.kpis");
	assert_int_equal(diff.items[1].kind, RAT_CHANGE_REMOVED);
	assert_string_equal(diff.items[2].key, "silver.other");
	assert_int_equal(diff.items[2].kind, RAT_CHANGE_ADDED);
	rat_catalog__diff_free(&diff);
	rat_catalog__free(c);
}

/* A child process: 200 commits, each against the head it read, retrying lost races. */
static int committer(int id, const char *path)
{
	rat_catalog *c = NULL;
	int i;

	if (rat_catalog__open_embedded(&c, path) != 0)
		return 1;
	for (i = 0; i < 200; i++) {
		char key[64], head[RAT_HASH_LEN + 1], hash[RAT_HASH_LEN + 1];
		int error;
		snprintf(key, sizeof(key), "silver.p%d_k%d", id, i);
		do {
			if (rat_catalog__resolve(c, "main", head) != 0)
				return 2;
			error = put(c, "main", head, key, "loc", i, hash);
		} while (error == RAT_ECONFLICT);
		if (error)
			return 3;
	}
	rat_catalog__free(c);
	return 0;
}

static void four_processes_commit_800_times(void **state_)
{
	char path[4200];
	pid_t pids[4];
	rat_catalog *c = open_catalog("concurrent");
	rat_contents contents;
	int i, status;
	(void)state_;

	snprintf(path, sizeof(path), "%s/concurrent.db", dir);
	for (i = 0; i < 4; i++) {
		if ((pids[i] = fork()) == 0)
			_exit(committer(i, path));
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	assert_int_equal(history_length(c, "main"), 801); /* and the root */
	OK(rat_catalog__contents(c, "main", &contents));
	assert_int_equal(contents.count, 800); /* no key lost */
	rat_catalog__contents_free(&contents);
	rat_catalog__free(c);
}

/* Commit forever, each commit touching 20 keys, until killed. */
static void commit_forever(const char *path)
{
	rat_catalog *c = NULL;
	int64_t n;

	if (rat_catalog__open_embedded(&c, path) != 0)
		_exit(1);
	for (n = 0;; n++) {
		rat_table_state s = state("loc", n);
		rat_catalog_op ops[20];
		char keys[20][32], hash[RAT_HASH_LEN + 1];
		for (int k = 0; k < 20; k++) {
			snprintf(keys[k], sizeof(keys[k]), "gold.t%d", k);
			ops[k].kind = RAT_OP_PUT;
			ops[k].key = keys[k];
			ops[k].state = &s;
		}
		rat_commit_request r = { "main", NULL, ops, 20, "killer", "loop", NULL, 0 };
		assert_int_equal(rat_catalog__commit(c, &r, hash), 0);
	}
}

static void killed_committers_leave_no_half_commit(void **state_)
{
	char path[4200];
	int trial;
	(void)state_;

	snprintf(path, sizeof(path), "%s/killed.db", dir);
	srand((unsigned)time(NULL));
	for (trial = 0; trial < 50; trial++) {
		pid_t pid = fork();
		struct timespec wait = { 0, (long)(1 + rand() % 40) * 1000000L };
		rat_catalog *c;
		rat_contents contents;
		rat_commits log;
		sqlite3 *db;
		sqlite3_stmt *st;
		size_t i;

		if (pid == 0)
			commit_forever(path);
		nanosleep(&wait, NULL);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);

		/* the database is sound */
		assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
		assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
		sqlite3_finalize(st);
		sqlite3_close(db);
		/* every commit on main is whole: all 20 keys at one snapshot, the tree present */
		c = open_catalog("killed");
		OK(rat_catalog__contents(c, "main", &contents));
		assert_true(contents.count == 0 || contents.count == 20);
		for (i = 1; i < contents.count; i++)
			assert_int_equal(contents.items[i].state.snapshot_id,
					 contents.items[0].state.snapshot_id);
		rat_catalog__contents_free(&contents);
		OK(rat_catalog__log(c, "main", 5, &log));
		for (i = 0; i < log.count; i++) {
			rat_contents at;
			OK(rat_catalog__contents(c, log.items[i].hash, &at));
			rat_catalog__contents_free(&at);
		}
		rat_catalog__commits_free(&log);
		rat_catalog__free(c);
	}
}

static int setup(void **state_)
{
	dir = test_scratch_home("catalog");
	*state_ = dir; /* test_scratch_teardown removes it */
	return 0;
}

/*
 * A namespace is a key without a dot: it round-trips with its properties,
 * stays out of the tables (contents) and is the only thing namespaces()
 * lists, and a diff and a merge carry it like any key.
 */
static void namespaces_are_keys_of_their_own(void **state_)
{
	rat_catalog *c = open_catalog("namespaces");
	rat_table_state ns = { (char *)"", -1, 0, 0, (char *)"ns-1", false, true,
			       (char *)"{\"owner\":\"bi\"}" };
	rat_table_state t = state("s3://lake/analytics/t/metadata/v1.metadata.json", 7);
	rat_catalog_op ops[] = { { RAT_OP_PUT, "analytics", &ns }, { RAT_OP_PUT, "analytics.t", &t } };
	rat_commit_request r = { "dev", NULL, ops, 2, "alice", "a namespace", NULL, 1000 };
	char hash[RAT_HASH_LEN + 1];
	rat_merge_result merged;
	rat_contents contents;
	rat_table_state got;
	rat_diff diff;
	(void)state_;

	OK(rat_catalog__create_ref(c, "dev", RAT_REF_BRANCH, "main"));
	OK(rat_catalog__commit(c, &r, hash));
	OK(rat_catalog__contents(c, "dev", &contents));
	assert_int_equal(contents.count, 1);
	assert_string_equal(contents.items[0].key, "analytics.t");
	rat_catalog__contents_free(&contents);
	OK(rat_catalog__namespaces(c, "dev", &contents));
	assert_int_equal(contents.count, 1);
	assert_string_equal(contents.items[0].key, "analytics");
	assert_true(contents.items[0].state.ns);
	assert_string_equal(contents.items[0].state.properties, "{\"owner\":\"bi\"}");
	rat_catalog__contents_free(&contents);
	OK(rat_catalog__entry(c, "dev", "analytics", &got));
	assert_true(got.ns && rat_catalog__state_equal(&got, &ns));
	ns.properties = (char *)"{\"owner\":\"ops\"}";
	assert_false(rat_catalog__state_equal(&got, &ns)); /* properties are part of the state */
	rat_table_state_clear(&got);
	OK(rat_catalog__diff(c, "main", "dev", &diff));
	assert_int_equal(diff.count, 2);
	assert_string_equal(diff.items[0].key, "analytics");
	assert_true(diff.items[0].after.ns);
	rat_catalog__diff_free(&diff);
	OK(rat_catalog__merge(c, "dev", "main", false, "alice", &merged));
	rat_catalog__merge_result_free(&merged);
	OK(rat_catalog__namespaces(c, "main", &contents));
	assert_int_equal(contents.count, 1);
	rat_catalog__contents_free(&contents);
	rat_catalog__free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(branches_commits_and_log),
		cmocka_unit_test(merges),
		cmocka_unit_test(namespaces_are_keys_of_their_own),
		cmocka_unit_test(four_processes_commit_800_times),
		cmocka_unit_test(killed_committers_leave_no_half_commit),
	};
	return cmocka_run_group_tests(tests, setup, test_scratch_teardown);
}
