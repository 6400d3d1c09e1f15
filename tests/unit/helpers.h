/*
 * tests/unit/helpers.h - shared by the unit tests: scratch folders and files,
 * engine sessions, table reads and Avro file reads.
 */
#ifndef RAT_TEST_HELPERS_H
#define RAT_TEST_HELPERS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <avro.h>

/** Fail the test unless call returns 0, with the library's last message. */
#define TEST_OK(call)                                                                             \
	do {                                                                                      \
		int rc_ = (call);                                                                 \
		if (rc_ != 0)                                                                     \
			fail_msg("%s: %d: %s", #call, rc_, rat_error_last()->message);             \
	} while (0)

/** A fresh empty folder under the build tree; removed by test_rmtree(). */
char *test_tmpdir(const char *name);
/** Write text to dir/relpath, creating parent folders. */
void test_write(const char *dir, const char *relpath, const char *text);
/** A scratch folder with RAT_HOME at <it>/home and RAT_PROFILE unset. */
char *test_scratch_home(const char *name);
/** A scratch home with a tiny-profile workspace and an engine session on it. */
typedef struct test_session {
	char *dir;
	struct rat_workspace *ws;
	struct rat_engine *engine;
} test_session;

void test_session_open(test_session *s, const char *name);
void test_session_close(test_session *s);
struct rat_catalog;
/** test_session_open(), and the workspace's catalog (created) into *catalog. */
void test_session_open_catalog(test_session *s, const char *name, struct rat_catalog **catalog);
/** The catalog closed, then test_session_close(). */
void test_session_close_catalog(test_session *s, struct rat_catalog *catalog);
/** Loading ws's pipelines fails with a message holding want; ws is freed. */
void test_pipelines_load_fails(struct rat_workspace *ws, const char *want);
/** A cmocka group teardown removing and freeing the scratch folder its setup left in *state. */
int test_scratch_teardown(void **state);
/** A cmocka group teardown closing the test_session its setup left in *state. */
int test_session_teardown(void **state);

struct rat_engine;
/** The first value of sql's result in engine, as text ("NULL" for NULL), in a buffer the next call reuses. */
const char *test_value(struct rat_engine *engine, const char *sql);

struct rat_store;
/**
 * Read a table snapshot (-1: current; relocate: the old location prefix, or
 * NULL) and return the text of `SELECT <expr> FROM (<scan>) t` (free()).
 */
char *test_table_value(struct rat_engine *engine, struct rat_store *store, int64_t snapshot_id,
		       const char *relocate, const char *expr);

/** The value class of an Avro file's writer schema (free with avro_value_iface_decref). */
avro_value_iface_t *test_avro_class(avro_file_reader_t reader);
/** Read every record of an Avro file, close it, and return how many there were. */
int test_avro_count(avro_file_reader_t reader);

struct rat_strarray;
/** The strings of a joined by sep, in a buffer the next call reuses. */
const char *test_joined(const struct rat_strarray *a, const char *sep);

/** Remove a folder tree. */
void test_rmtree(const char *dir);

#endif
