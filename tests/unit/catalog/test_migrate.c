/*
 * tests/unit/catalog/test_migrate.c - the catalog file's schema version: a
 * catalog written by rat before versions were recorded (each tree the whole
 * key map; tests/fixtures/catalog/v1-catalog.db, made by that code with
 * runs, a dev branch, a tag, a three-way merge and a view) opens after the
 * migration with every ref and every commit's contents as they were; a
 * migration that fails leaves the file as it was; a newer file is refused;
 * a catalog's commits write leaves of what changed, not the whole map.
 */
#include "helpers.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rat.h"
#include "util/common.h"
#include "catalog/catalog.h"

static char *dir;

#define OK(call) TEST_OK(call)

/* A copy of the version 1 fixture at dir/name.db; its path. */
static char *copy_fixture(const char *name)
{
	const char *src = getenv("RAT_SOURCE_DIR");
	char from[4096], *to = NULL, cmd[8400];

	assert_non_null(src);
	snprintf(from, sizeof(from), "%s/tests/fixtures/catalog/v1-catalog.db", src);
	assert_true(asprintf(&to, "%s/%s.db", dir, name) > 0);
	snprintf(cmd, sizeof(cmd), "cp '%s' '%s'", from, to);
	assert_int_equal(system(cmd), 0);
	return to;
}

/* Run sql on the file with sqlite3 directly; each row's columns joined by '|', rows by '\n'. */
static char *sql_text(const char *path, const char *sql)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	size_t len = 0, cap = 1 << 16;
	char *out = calloc(1, cap);
	int i;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (i = 0; i < sqlite3_column_count(st); i++) {
			const char *v = (const char *)sqlite3_column_text(st, i);
			size_t n = strlen(v ? v : "") + 2;
			while (len + n + 1 > cap)
				out = realloc(out, cap *= 2);
			len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? "|" : "", v ? v : "");
		}
		out[len++] = '\n';
		out[len] = '\0';
	}
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

/* What sql_text() gives for sql is want. */
static void expect_sql(const char *path, const char *sql, const char *want)
{
	char *got = sql_text(path, sql);

	assert_string_equal(got, want);
	free(got);
}

/* The contents as the version 1 tree body wrote them: canonical JSON key -> state. */
static char *contents_json(rat_catalog *c, const char *ref)
{
	rat_contents contents;
	json_t *map = json_object();
	char *text;
	size_t i;

	OK(rat_catalog__contents(c, ref, &contents));
	for (i = 0; i < contents.count; i++) {
		json_t *s = json_pack("{s:s, s:I, s:i, s:i, s:s}", "metadata-location",
				      contents.items[i].state.metadata_location, "snapshot-id",
				      (json_int_t)contents.items[i].state.snapshot_id, "schema-id",
				      contents.items[i].state.schema_id, "spec-id",
				      contents.items[i].state.spec_id, "content-id",
				      contents.items[i].state.content_id);
		if (contents.items[i].state.view)
			json_object_set_new(s, "type", json_string("ICEBERG_VIEW"));
		json_object_set_new(map, contents.items[i].key, s);
	}
	text = json_dumps(map, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(map);
	rat_catalog__contents_free(&contents);
	return text;
}

static void a_version_1_catalog_opens_with_every_ref_and_commit_intact(void **state)
{
	char *path = copy_fixture("v1"), *refs, *commits, *line, *next, *after, *check;
	rat_catalog *c = NULL;
	size_t n = 0;
	(void)state;

	/* before: what the version 1 file holds, read directly */
	refs = sql_text(path, "SELECT name, kind, hash, owner FROM refs ORDER BY name");
	commits = sql_text(path, "SELECT c.hash, t.body FROM commits c JOIN trees t ON t.hash = c.tree "
				 "ORDER BY c.hash");
	expect_sql(path, "PRAGMA user_version", "0\n");
	assert_non_null(strstr(refs, "dev/shop/exp2|0|"));
	assert_non_null(strstr(refs, "v2|1|"));
	assert_non_null(strstr(commits, "\"type\":\"ICEBERG_VIEW\"")); /* a view's state */

	OK(rat_catalog__open_embedded(&c, path));
	/* every commit (so every ref) has the contents its version 1 tree held */
	for (line = commits; *line; line = next) {
		char hash[RAT_HASH_LEN + 1], *got;
		next = strchr(line, '\n');
		*next++ = '\0';
		snprintf(hash, sizeof(hash), "%.*s", RAT_HASH_LEN, line);
		got = contents_json(c, hash);
		assert_string_equal(got, line + RAT_HASH_LEN + 1);
		free(got);
		n++;
	}
	assert_int_equal(n, 14);
	rat_catalog__free(c);

	after = sql_text(path, "SELECT name, kind, hash, owner FROM refs ORDER BY name");
	assert_string_equal(after, refs); /* every ref, pointing where it did */
	expect_sql(path, "PRAGMA user_version", "4\n");
	/* version 4's index of commits by request id is there, and used */
	expect_sql(path, "SELECT count(*) FROM sqlite_master WHERE name = 'commits_request'", "1\n");
	check = sql_text(path, "PRAGMA integrity_check");
	assert_string_equal(check, "ok\n");
	/* no tree of the old form is left, and every commit's tree is there */
	expect_sql(path, "SELECT count(*) FROM trees WHERE body NOT LIKE 'rat-tree 2%'", "0\n");
	expect_sql(path, "SELECT count(*) FROM commits WHERE tree NOT IN "
		   "(SELECT hash FROM trees)", "0\n");

	/* the migrated catalog takes commits, merges, and opens again without migrating */
	OK(rat_catalog__open_embedded(&c, path));
	{
		rat_table_state s = { (char *)"file:///x/metadata/1.metadata.json", 1, 0, 0,
				      (char *)"content-x", false, false, NULL };
		rat_catalog_op op = { RAT_OP_PUT, "gold.x", &s };
		rat_commit_request r = { "workspace/shop", NULL, &op, 1, "tester", "put", NULL, 0 };
		rat_merge_result m;
		char hash[RAT_HASH_LEN + 1];
		OK(rat_catalog__commit(c, &r, hash));
		OK(rat_catalog__merge(c, "dev/shop/exp2", "workspace/shop", true, "tester", &m));
		rat_catalog__merge_result_free(&m);
	}
	rat_catalog__free(c);
	free(refs);
	free(commits);
	free(after);
	free(check);
	free(path);
}

static void a_failed_migration_leaves_the_file_as_it_was(void **state)
{
	char *path = copy_fixture("damaged"), *before, *after;
	rat_catalog *c = NULL;
	sqlite3 *db = NULL;
	(void)state;

	/* one tree that is not JSON: the migration stops there, and nothing of it stays */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE trees SET body = '{not json' WHERE hash = "
					  "(SELECT max(hash) FROM trees)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	before = sql_text(path, "SELECT hash, body FROM trees ORDER BY hash");
	assert_int_equal(rat_catalog__open_embedded(&c, path), RAT_EIO);
	assert_non_null(strstr(rat_error_last()->message, "migrating to schema version 2"));
	assert_non_null(strstr(rat_error_last()->message, "is damaged"));
	after = sql_text(path, "SELECT hash, body FROM trees ORDER BY hash");
	assert_string_equal(after, before);
	expect_sql(path, "PRAGMA user_version", "0\n");
	free(before);
	free(after);
	free(path);
}

static void a_newer_catalog_is_refused(void **state)
{
	char path[4200];
	rat_catalog *c = NULL;
	sqlite3 *db = NULL;
	(void)state;

	snprintf(path, sizeof(path), "%s/newer.db", dir);
	OK(rat_catalog__open_embedded(&c, path));
	rat_catalog__free(c);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 5", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(rat_catalog__open_embedded(&c, path), RAT_EINVALID);
	assert_non_null(strstr(rat_error_last()->message,
			       "has schema version 5; this rat reads versions up to 4"));
}

/* A commit writes the leaf of the bucket it changes and a root, whatever the number of keys. */
static void a_commit_writes_what_changed(void **state)
{
	char path[4200], hash[RAT_HASH_LEN + 1], key[32], *before, *after;
	rat_catalog *c = NULL;
	rat_catalog_op *ops = calloc(500, sizeof(*ops));
	rat_table_state s = { (char *)"file:///x/metadata/1.metadata.json", 1, 0, 0,
			      (char *)"content-x", false, false, NULL };
	char (*keys)[32] = calloc(500, 32);
	int i;
	(void)state;

	snprintf(path, sizeof(path), "%s/many.db", dir);
	OK(rat_catalog__open_embedded(&c, path));
	for (i = 0; i < 500; i++) {
		snprintf(keys[i], 32, "bronze.t%03d", i);
		ops[i].kind = RAT_OP_PUT;
		ops[i].key = keys[i];
		ops[i].state = &s;
	}
	{
		rat_commit_request r = { "main", NULL, ops, 500, "tester", "500 tables", NULL, 0 };
		OK(rat_catalog__commit(c, &r, hash));
	}
	before = sql_text(path, "SELECT count(*), sum(length(body)) FROM leaves");
	snprintf(key, sizeof(key), "bronze.t250");
	s.snapshot_id = 2;
	{
		rat_catalog_op op = { RAT_OP_PUT, key, &s };
		rat_commit_request r = { "main", NULL, &op, 1, "tester", "one table", NULL, 0 };
		OK(rat_catalog__commit(c, &r, hash));
	}
	after = sql_text(path, "SELECT count(*), sum(length(body)) FROM leaves");
	/* one leaf more, of a few keys: not a copy of the map */
	{
		long n0, b0, n1, b1;
		assert_int_equal(sscanf(before, "%ld|%ld", &n0, &b0), 2);
		assert_int_equal(sscanf(after, "%ld|%ld", &n1, &b1), 2);
		assert_int_equal(n1, n0 + 1);
		assert_true(b1 - b0 < b0 / 20);
	}
	{
		rat_contents contents;
		OK(rat_catalog__contents(c, "main", &contents));
		assert_int_equal(contents.count, 500);
		assert_string_equal(contents.items[250].key, "bronze.t250");
		assert_int_equal(contents.items[250].state.snapshot_id, 2);
		assert_int_equal(contents.items[249].state.snapshot_id, 1);
		rat_catalog__contents_free(&contents);
	}
	/* deleting every key of a bucket drops it; deleting all leaves the empty map */
	for (i = 0; i < 500; i++)
		ops[i].kind = RAT_OP_DELETE;
	{
		rat_commit_request r = { "main", NULL, ops, 500, "tester", "none", NULL, 0 };
		rat_contents contents;
		OK(rat_catalog__commit(c, &r, hash));
		OK(rat_catalog__contents(c, "main", &contents));
		assert_int_equal(contents.count, 0);
		rat_catalog__contents_free(&contents);
	}
	rat_catalog__free(c);
	free(before);
	free(after);
	free(ops);
	free(keys);
}

static int setup(void **state_)
{
	dir = test_scratch_home("migrate");
	*state_ = dir;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_version_1_catalog_opens_with_every_ref_and_commit_intact),
		cmocka_unit_test(a_failed_migration_leaves_the_file_as_it_was),
		cmocka_unit_test(a_newer_catalog_is_refused),
		cmocka_unit_test(a_commit_writes_what_changed),
	};
	return cmocka_run_group_tests(tests, setup, test_scratch_teardown);
}
