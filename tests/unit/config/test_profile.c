/*
 * tests/unit/config/test_profile.c - resource profiles (config/profile.c):
 * the four built-ins with the guide's values, profile files looked up in
 * the workspace then in RAT_HOME, `extends` (a built-in, another file, the
 * built-in a file replaces, a cycle), the errors of a bad file or an unknown
 * name; and rat_config__read_resources' caps.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rat.h"
#include "util/common.h"
#include "util/yaml.h"
#include "config/config.h"

static char *dir;
static char ws_dir[4200], home[4200];

static void find(rat_profile *p, const char *name)
{
	if (rat_config__profile_find(p, name, ws_dir, home) != 0)
		fail_msg("profile %s: %s", name, rat_error_last()->message);
}

static void values_are(const rat_profile *p, int64_t mem, int64_t duck, int64_t chunk,
		       int64_t parallel, int64_t threads)
{
	assert_int_equal(p->values[RAT_RES_MAX_MEMORY_MB], mem);
	assert_int_equal(p->values[RAT_RES_DUCKDB_MEMORY_MB], duck);
	assert_int_equal(p->values[RAT_RES_CHUNK_SIZE_ROWS], chunk);
	assert_int_equal(p->values[RAT_RES_MAX_PARALLEL_PIPELINES], parallel);
	assert_int_equal(p->values[RAT_RES_THREADS], threads);
}

/* Remove the profiles/ folders of both places. */
static void no_profile_files(void)
{
	char path[4300];

	snprintf(path, sizeof(path), "%s/profiles", ws_dir);
	test_rmtree(path);
	snprintf(path, sizeof(path), "%s/profiles", home);
	test_rmtree(path);
}

static void builtins_have_the_guides_values(void **state)
{
	rat_profile p;
	(void)state;

	find(&p, "tiny");
	assert_string_equal(p.name, "tiny");
	assert_string_equal(p.source, "built-in");
	values_are(&p, 1024, 2048, 10000, 1, 1);
	find(&p, "small");
	values_are(&p, 4096, 8192, 50000, 2, 2);
	find(&p, "medium");
	values_are(&p, 16384, 32768, 200000, 4, 4);
	find(&p, "large");
	values_are(&p, 65536, 98304, 500000, 8, 8);
	assert_string_equal(rat_config__resource_name(RAT_RES_CHUNK_SIZE_ROWS), "chunk_size_rows");
	assert_null(rat_config__resource_name(RAT_RES_COUNT));
	/* with neither folder given, the built-ins still answer */
	assert_int_equal(rat_config__profile_find(&p, "medium", NULL, NULL), 0);
	assert_string_equal(p.name, "medium");
}

static void unknown_and_invalid_names_are_refused(void **state)
{
	rat_profile p;
	(void)state;

	assert_int_equal(rat_config__profile_find(&p, "huge", ws_dir, home), RAT_ENOTFOUND);
	assert_string_equal(rat_error_last()->message,
			    "unknown profile 'huge' (tiny, small, medium, large, or a file "
			    "profiles/huge.yaml in the workspace or in RAT_HOME)");
	assert_int_equal(rat_config__profile_find(&p, "../etc/x", ws_dir, home), RAT_EINVALID);
	assert_string_equal(rat_error_last()->message,
			    "invalid profile name '../etc/x' (letters, digits, '-', '_')");
	assert_int_equal(rat_config__profile_find(&p, "", ws_dir, home), RAT_EINVALID);
}

static void files_are_found_in_the_workspace_then_home(void **state)
{
	rat_profile p;
	char path[4300];
	(void)state;

	test_write(home, "profiles/ci.yaml",
		   "extends: tiny\ndescription: CI runners\nresources:\n  max_memory_mb: 1536\n"
		   "  duckdb_memory_mb: 1536\n");
	find(&p, "ci");
	assert_string_equal(p.name, "ci");
	snprintf(path, sizeof(path), "%s/profiles/ci.yaml", home);
	assert_string_equal(p.source, path);
	values_are(&p, 1536, 1536, 10000, 1, 1);

	/* the workspace's file wins, and extends small unless told otherwise */
	test_write(ws_dir, "profiles/ci.yaml", "resources:\n  threads: 3\n");
	find(&p, "ci");
	snprintf(path, sizeof(path), "%s/profiles/ci.yaml", ws_dir);
	assert_string_equal(p.source, path);
	values_are(&p, 4096, 8192, 50000, 2, 3);

	/* a workspace file may extend the one in RAT_HOME */
	test_write(ws_dir, "profiles/ci2.yaml", "extends: ci\nresources: {threads: 5}\n");
	test_rmtree(path);
	find(&p, "ci2");
	assert_string_equal(p.name, "ci2");
	values_are(&p, 1536, 1536, 10000, 1, 5);
	no_profile_files();
}

static void a_file_named_like_a_builtin_replaces_it(void **state)
{
	rat_profile p;
	(void)state;

	test_write(home, "profiles/tiny.yaml", "extends: tiny\nresources: {threads: 2}\n");
	find(&p, "tiny");
	assert_string_not_equal(p.source, "built-in");
	values_are(&p, 1024, 2048, 10000, 1, 2); /* the built-in tiny, one key changed */
	test_write(home, "profiles/tiny.yaml", "resources: {threads: 2}\n");
	find(&p, "tiny");
	values_are(&p, 4096, 8192, 50000, 2, 2); /* without extends: small's */
	no_profile_files();
}

/* The workspace's profile file bad.yaml holding text is refused with code and "<path>:" want. */
static void bad_file(const char *text, int code, const char *want)
{
	rat_profile p;
	char path[4300], full[8192];

	snprintf(path, sizeof(path), "%s/profiles/bad.yaml", ws_dir);
	test_write(ws_dir, "profiles/bad.yaml", text);
	assert_int_equal(rat_config__profile_find(&p, "bad", ws_dir, home), code);
	snprintf(full, sizeof(full), "%s:%s", path, want);
	assert_string_equal(rat_error_last()->message, full);
}

static void bad_profile_files_name_file_line_and_key(void **state)
{
	(void)state;

	bad_file("extends: tiny\nresource: {threads: 2}\n", RAT_EINVALID,
		 "2:1: resource: unknown key, did you mean 'resources'? (allowed: extends, "
		 "description, resources)");
	bad_file("resources:\n  threads: 2000\n", RAT_EINVALID,
		 "2:12: resources.threads: must be between 1 and 1024, got 2000");
	bad_file("resources:\n  workers: 2\n", RAT_EINVALID,
		 "2:3: resources.workers: unknown key (allowed: max_memory_mb, duckdb_memory_mb, "
		 "chunk_size_rows, max_parallel_pipelines, threads, duckdb, containers)");
	bad_file("extends: nope\n", RAT_ENOTFOUND,
		 "1:10: extends: unknown profile 'nope' (tiny, small, medium, large, or a file "
		 "profiles/nope.yaml in the workspace or in RAT_HOME)");
	bad_file("description: [a]\n", RAT_EINVALID,
		 "1:15: description: expected a string, got a list");
	no_profile_files();
}

static void an_extends_cycle_is_refused(void **state)
{
	rat_profile p;
	const char *msg;
	(void)state;

	test_write(ws_dir, "profiles/a.yaml", "extends: b\n");
	test_write(ws_dir, "profiles/b.yaml", "extends: a\n");
	assert_int_equal(rat_config__profile_find(&p, "a", ws_dir, home), RAT_EINVALID);
	msg = rat_error_last()->message;
	/* the innermost cause reaches the caller, past the chain's positions */
	if (!strstr(msg, "'extends' chain is too deep (a cycle?)"))
		fail_msg("the cycle is not named: %s", msg);
	no_profile_files();
}

/* The resource keys of YAML text's root mapping read over values; the bits set returned. */
static int read_resources(int64_t *values, unsigned int *set, const char *text)
{
	rat_yaml *yaml = NULL;
	int error;

	*set = 0;
	assert_int_equal(rat_yaml__parse(&yaml, text, strlen(text), "r.yaml"), 0);
	error = rat_config__read_resources(values, set, yaml, rat_yaml__root(yaml), "overrides");
	rat_yaml__free(yaml);
	return error;
}

static void resources_are_read_within_their_caps(void **state)
{
	int64_t values[RAT_RES_COUNT] = { 1, 2, 3, 4, 5 };
	unsigned int set;
	(void)state;

	assert_int_equal(read_resources(values, &set,
					"max_memory_mb: 16777216\nthreads: 1024\n"
					"chunk_size_rows: 100000000\nmax_parallel_pipelines: 256\n"),
			 0);
	assert_int_equal(values[RAT_RES_MAX_MEMORY_MB], 16777216);
	assert_int_equal(values[RAT_RES_DUCKDB_MEMORY_MB], 2); /* absent: untouched */
	assert_int_equal(values[RAT_RES_CHUNK_SIZE_ROWS], 100000000);
	assert_int_equal(values[RAT_RES_MAX_PARALLEL_PIPELINES], 256);
	assert_int_equal(values[RAT_RES_THREADS], 1024);
	assert_int_equal(set, 0x1du); /* every key but duckdb_memory_mb */

	assert_int_equal(read_resources(values, &set, "duckdb_memory_mb: 16777217\n"), RAT_EINVALID);
	assert_string_equal(rat_error_last()->message,
			    "r.yaml:1:19: overrides.duckdb_memory_mb: must be between 1 and "
			    "16777216, got 16777217");
	assert_int_equal(read_resources(values, &set, "chunk_size_rows: 100000001\n"), RAT_EINVALID);
	assert_int_equal(read_resources(values, &set, "threads: 0\n"), RAT_EINVALID);
	assert_string_equal(rat_error_last()->message,
			    "r.yaml:1:10: overrides.threads: must be between 1 and 1024, got 0");
	assert_int_equal(read_resources(values, &set, "threads: 99999999999999999999\n"),
			 RAT_EINVALID);
	assert_string_equal(rat_error_last()->message,
			    "r.yaml:1:10: overrides.threads: expected an integer, got a number "
			    "'99999999999999999999'");
	assert_int_equal(values[RAT_RES_THREADS], 1024); /* a refused value changes nothing */
	/* NULL set is allowed */
	{
		rat_yaml *yaml = NULL;
		const char *text = "threads: 7\n";
		assert_int_equal(rat_yaml__parse(&yaml, text, strlen(text), "r.yaml"), 0);
		assert_int_equal(rat_config__read_resources(values, NULL, yaml, rat_yaml__root(yaml), ""),
				 0);
		assert_int_equal(values[RAT_RES_THREADS], 7);
		rat_yaml__free(yaml);
	}
}

static int setup(void **state)
{
	dir = test_tmpdir("config_profile");
	snprintf(ws_dir, sizeof(ws_dir), "%s/ws", dir);
	snprintf(home, sizeof(home), "%s/home", dir);
	*state = dir; /* test_scratch_teardown removes it */
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(builtins_have_the_guides_values),
		cmocka_unit_test(unknown_and_invalid_names_are_refused),
		cmocka_unit_test(files_are_found_in_the_workspace_then_home),
		cmocka_unit_test(a_file_named_like_a_builtin_replaces_it),
		cmocka_unit_test(bad_profile_files_name_file_line_and_key),
		cmocka_unit_test(an_extends_cycle_is_refused),
		cmocka_unit_test(resources_are_read_within_their_caps),
	};
	return cmocka_run_group_tests(tests, setup, test_scratch_teardown);
}
