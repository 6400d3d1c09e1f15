/*
 * tests/unit/helpers.c - what the unit tests share (see helpers.h).
 */
#include "helpers.h"

#include "rat.h"
#include "workspace/tables.h"
#include "util/common.h"
#include "engine/engine.h"
#include "pipeline/pipeline.h"
#include "storage/storage.h"
#include "table/scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *test_tmpdir(const char *name)
{
	const char *base = getenv("RAT_BUILD_DIR");
	char *dir = malloc(4096), cmd[8192];

	snprintf(dir, 4096, "%s/test-tmp/%s.%ld", base ? base : "/tmp", name, (long)getpid());
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", dir, dir);
	assert_int_equal(system(cmd), 0);
	return dir;
}

void test_write(const char *dir, const char *relpath, const char *text)
{
	char path[4096], cmd[8192];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, relpath);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

void test_rmtree(const char *dir)
{
	char cmd[8192];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

const char *test_joined(const rat_strarray *a, const char *sep)
{
	static char out[8192];
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < a->count && used < sizeof(out); i++)
		used += (size_t)snprintf(out + used, sizeof(out) - used, "%s%s", i ? sep : "",
					 a->strings[i]);
	return out;
}

char *test_scratch_home(const char *name)
{
	char *dir = test_tmpdir(name), home[4200];

	snprintf(home, sizeof(home), "%s/home", dir);
	setenv("RAT_HOME", home, 1);
	unsetenv("RAT_PROFILE");
	return dir;
}

void test_session_open(test_session *s, const char *name)
{
	char path[4200];

	s->dir = test_scratch_home(name);
	test_write(s->dir, "ws/workspace.yaml", "name: test\nresources:\n  profile: tiny\n");
	snprintf(path, sizeof(path), "%s/ws", s->dir);
	if (rat_workspace_open(&s->ws, path) != 0 || rat_workspace__open_engine(&s->engine, s->ws) != 0)
		fail_msg("session %s: %s", name, rat_error_last()->message);
}

void test_session_close(test_session *s)
{
	rat_engine_free(s->engine);
	rat_workspace_free(s->ws);
	test_rmtree(s->dir);
	free(s->dir);
	memset(s, 0, sizeof(*s));
}

void test_session_open_catalog(test_session *s, const char *name, struct rat_catalog **catalog)
{
	test_session_open(s, name);
	if (rat_workspace__create_catalog(catalog, s->ws) != 0)
		fail_msg("catalog: %s", rat_error_last()->message);
}

void test_session_close_catalog(test_session *s, struct rat_catalog *catalog)
{
	rat_catalog__free(catalog);
	test_session_close(s);
}

void test_pipelines_load_fails(struct rat_workspace *ws, const char *want)
{
	rat_pipelines all;

	if (rat_pipeline__load_all(&all, ws) == 0)
		fail_msg("loading succeeded; expected: %s", want);
	if (!strstr(rat_error_last()->message, want))
		fail_msg("got '%s', expected '%s'", rat_error_last()->message, want);
	rat_workspace_free(ws);
}

int test_scratch_teardown(void **state)
{
	test_rmtree(*state);
	free(*state);
	*state = NULL;
	return 0;
}

int test_session_teardown(void **state)
{
	test_session_close(*state);
	return 0;
}

const char *test_value(rat_engine *engine, const char *sql)
{
	static char text[1024];
	rat_result *result = NULL;
	const char *v = NULL;

	if (rat_engine_query(&result, engine, sql) != 0)
		fail_msg("%s: %s", sql, rat_error_last()->message);
	assert_int_equal(rat_result_next(result), 1);
	assert_int_equal(rat_result_get_text(result, 0, &v, NULL), 0);
	snprintf(text, sizeof(text), "%s", v ? v : "NULL");
	rat_result_free(result);
	return text;
}

char *test_table_value(rat_engine *engine, rat_store *store, int64_t snapshot_id,
		       const char *relocate, const char *expr)
{
	rat_scan_options opts = RAT_SCAN_OPTIONS_INIT;
	rat_scan scan;
	rat_buf sql = RAT_BUF_INIT, query = RAT_BUF_INIT;
	rat_result *result = NULL;
	const char *text = NULL;
	char *copy;

	opts.snapshot_id = snapshot_id;
	opts.relocate_from = relocate;
	if (rat_table__plan(&scan, store, &opts) != 0 || rat_table__scan_sql(&scan, store, &sql) != 0)
		fail_msg("plan: %s", rat_error_last()->message);
	assert_int_equal(rat_buf_printf(&query, "SELECT %s FROM (%s) t", expr, rat_buf_cstr(&sql)), 0);
	if (rat_engine_query(&result, engine, rat_buf_cstr(&query)) != 0)
		fail_msg("%s: %s", expr, rat_error_last()->message);
	assert_int_equal(rat_result_next(result), 1);
	assert_int_equal(rat_result_get_text(result, 0, &text, NULL), 0);
	copy = strdup(text ? text : "NULL");
	rat_result_free(result);
	rat_buf_free(&sql);
	rat_buf_free(&query);
	rat_table__scan_free(&scan);
	return copy;
}

/* Avro C 1.11 hands the writer schema over as a new reference. */
avro_value_iface_t *test_avro_class(avro_file_reader_t reader)
{
	avro_schema_t schema = avro_file_reader_get_writer_schema(reader);
	avro_value_iface_t *iface = avro_generic_class_from_schema(schema);

	assert_non_null(iface);
	avro_schema_decref(schema);
	return iface;
}

int test_avro_count(avro_file_reader_t reader)
{
	avro_value_iface_t *iface = test_avro_class(reader);
	avro_value_t rec;
	int n = 0;

	assert_int_equal(avro_generic_value_new(iface, &rec), 0);
	while (avro_file_reader_read_value(reader, &rec) == 0)
		n++;
	avro_value_decref(&rec);
	avro_value_iface_decref(iface);
	avro_file_reader_close(reader);
	return n;
}
