/*
 * tests/unit/engine/test_profile.c - the engine applies the workspace's
 * resource profile: memory_limit, threads and the spill folder are read back
 * from DuckDB itself.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rat.h"

static char *dir;

/* Open workspace ws_dir and return current_setting(name) as text (caller frees). */
static char *setting(const char *ws_dir, const char *name)
{
	rat_workspace *ws = NULL;
	rat_engine *engine = NULL;
	rat_result *result = NULL;
	const char *text = NULL;
	char sql[256], *copy;

	snprintf(sql, sizeof(sql), "SELECT current_setting('%s')", name);
	assert_int_equal(rat_workspace_open(&ws, ws_dir), 0);
	assert_int_equal(rat_engine_open(&engine, ws), 0);
	assert_int_equal(rat_engine_query(&result, engine, sql), 0);
	assert_int_equal(rat_result_next(result), 1);
	assert_int_equal(rat_result_get_text(result, 0, &text, NULL), 0);
	copy = strdup(text);
	rat_result_free(result);
	rat_engine_free(engine);
	rat_workspace_free(ws);
	return copy;
}

static void assert_setting(const char *ws_dir, const char *name, const char *expected)
{
	char *value = setting(ws_dir, name);
	if (strcmp(value, expected) != 0)
		fail_msg("%s: %s is '%s', expected '%s'", ws_dir, name, value, expected);
	free(value);
}

static void tiny_profile_is_applied(void **state)
{
	char ws[4096];
	(void)state;
	snprintf(ws, sizeof(ws), "%s/tiny", dir);
	test_write(ws, "workspace.yaml", "name: tiny\nresources:\n  profile: tiny\n");
	/* tiny: duckdb_memory_mb 2048 capped by max_memory_mb 1024 */
	assert_setting(ws, "memory_limit", "1.0 GiB");
	assert_setting(ws, "threads", "1");
}

static void small_profile_is_the_default(void **state)
{
	char ws[4096];
	(void)state;
	snprintf(ws, sizeof(ws), "%s/plain", dir);
	test_write(ws, "workspace.yaml", "name: plain\n");
	assert_setting(ws, "memory_limit", "4.0 GiB");
	assert_setting(ws, "threads", "2");
}

static void rat_profile_picks_the_default(void **state)
{
	char ws[4096];
	(void)state;
	snprintf(ws, sizeof(ws), "%s/envprofile", dir);
	test_write(ws, "workspace.yaml", "name: envprofile\n");
	setenv("RAT_PROFILE", "tiny", 1);
	assert_setting(ws, "threads", "1");
	unsetenv("RAT_PROFILE");
}

static void workspace_overrides_win(void **state)
{
	char ws[4096];
	(void)state;
	snprintf(ws, sizeof(ws), "%s/override", dir);
	test_write(ws, "workspace.yaml",
		   "name: override\n"
		   "resources:\n"
		   "  profile: tiny\n"
		   "  overrides:\n"
		   "    max_memory_mb: 3072\n"
		   "    duckdb_memory_mb: 2560\n"
		   "    threads: 3\n");
	assert_setting(ws, "memory_limit", "2.5 GiB");
	assert_setting(ws, "threads", "3");
}

static void custom_profile_file_is_applied(void **state)
{
	char ws[4096];
	(void)state;
	snprintf(ws, sizeof(ws), "%s/custom", dir);
	test_write(ws, "workspace.yaml", "name: custom\nresources:\n  profile: ci\n");
	test_write(ws, "profiles/ci.yaml",
		   "extends: tiny\ndescription: CI runners\nresources:\n  max_memory_mb: 1536\n"
		   "  duckdb_memory_mb: 1536\n");
	assert_setting(ws, "memory_limit", "1.5 GiB");
	assert_setting(ws, "threads", "1"); /* from tiny */
}

static void spill_folder_is_under_rat_home(void **state)
{
	char ws[4096], expected[4096], home[4096];
	(void)state;
	snprintf(ws, sizeof(ws), "%s/spill", dir);
	test_write(ws, "workspace.yaml", "name: spill\n");
	/* no state folder yet: a session creates none, so it does not spill */
	snprintf(home, sizeof(home), "%s/home", dir);
	test_rmtree(home);
	assert_setting(ws, "temp_directory", "");
	assert_int_equal(access(home, F_OK), -1);
	test_write(home, ".keep", "");
	snprintf(expected, sizeof(expected), "%s/home/tmp/spill", dir);
	assert_setting(ws, "temp_directory", expected);
}

static int setup(void **state)
{
	dir = test_scratch_home("engine_profile");
	*state = dir; /* test_scratch_teardown removes it */
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(tiny_profile_is_applied),
		cmocka_unit_test(small_profile_is_the_default),
		cmocka_unit_test(rat_profile_picks_the_default),
		cmocka_unit_test(workspace_overrides_win),
		cmocka_unit_test(custom_profile_file_is_applied),
		cmocka_unit_test(spill_folder_is_under_rat_home),
	};
	return cmocka_run_group_tests(tests, setup, test_scratch_teardown);
}
