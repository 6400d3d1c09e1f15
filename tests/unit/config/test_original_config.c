/*
 * tests/unit/config/test_original_config.c - workspace.yaml as the original
 * Ratatouille's `rat init` writes it (docs/migrating.md): `defaults:`
 * (resource_profile, as resources.profile, which must agree), `quality:`
 * (fail_on_error, warn_threshold) and `freshness:` (default_warn_hours,
 * default_error_hours) read exactly, and each bad value refused with its
 * "file:line:col: key: message"; the original's profile files (resources.duckdb
 * applied, temp_directory and containers named as not applied).
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rat.h"
#include "util/common.h"
#include "config/config.h"

static char *dir;
static char ws_dir[4200], home[4200];

/* The original's `rat init` text, for a workspace named shop. */
#define ORIGINAL_INIT                                                              \
	"name: shop\nversion: \"1.0\"\ndescription: |\n  shop workspace.\n"           \
	"isolation:\n  nessie_branch: \"workspace/shop\"\n  s3_prefix: \"shop\"\n"    \
	"defaults:\n  resource_profile: tiny\n"                                       \
	"quality:\n  fail_on_error: false\n  warn_threshold: 0.01\n"                  \
	"freshness:\n  default_warn_hours: 12\n  default_error_hours: 24\n"

static int load(rat_workspace_config *c, const char *text)
{
	rat_env none = RAT_ENV_INIT;
	char path[4300];

	test_write(ws_dir, "workspace.yaml", text);
	snprintf(path, sizeof(path), "%s/workspace.yaml", ws_dir);
	return rat_config__load_workspace(c, path, "workspace.yaml", ws_dir, home, NULL, &none);
}

static void refused(const char *text, const char *want)
{
	rat_workspace_config c;

	if (load(&c, text) == 0) {
		rat_config__free_workspace(&c);
		fail_msg("loaded; expected: %s", want);
	}
	assert_string_equal(rat_error_last()->message, want);
}

static void the_original_init_text_is_read(void **state)
{
	rat_workspace_config c;
	(void)state;

	if (load(&c, ORIGINAL_INIT) != 0)
		fail_msg("load: %s", rat_error_last()->message);
	assert_string_equal(c.profile.name, "tiny");
	assert_int_equal(c.resources[RAT_RES_MAX_PARALLEL_PIPELINES], 1);
	assert_false(c.defaults.fail_on_error);
	assert_true(c.defaults.warn_threshold > 0.0099 && c.defaults.warn_threshold < 0.0101);
	assert_int_equal(c.defaults.freshness_warn_s, 12 * 3600);
	assert_int_equal(c.defaults.freshness_error_s, 24 * 3600);
	rat_config__free_workspace(&c);
	/* without the sections: today's behaviour */
	if (load(&c, "name: shop\n") != 0)
		fail_msg("load: %s", rat_error_last()->message);
	assert_string_equal(c.profile.name, "small");
	assert_true(c.defaults.fail_on_error);
	assert_true(c.defaults.warn_threshold == 0);
	assert_int_equal(c.defaults.freshness_warn_s, 0);
	rat_config__free_workspace(&c);
	/* both profiles given: they agree */
	if (load(&c, "name: shop\nresources: {profile: medium}\ndefaults: {resource_profile: "
		     "medium}\n") != 0)
		fail_msg("load: %s", rat_error_last()->message);
	assert_string_equal(c.profile.name, "medium");
	rat_config__free_workspace(&c);
}

static void bad_values_are_named(void **state)
{
	(void)state;
	refused("name: shop\nresources: {profile: medium}\ndefaults: {resource_profile: tiny}\n",
		"workspace.yaml:3:30: defaults.resource_profile: 'tiny' is not resources.profile "
		"'medium' (keep one)");
	refused("name: shop\ndefaults: {resource_profile: huge}\n",
		"workspace.yaml:2:30: defaults.resource_profile: unknown profile 'huge' (tiny, small, "
		"medium, large, or a file profiles/huge.yaml in the workspace or in RAT_HOME)");
	refused("name: shop\ndefaults: {materialized: table}\n",
		"workspace.yaml:2:12: defaults.materialized: unknown key (allowed: resource_profile)");
	refused("name: shop\nquality: {fail_on_error: maybe}\n",
		"workspace.yaml:2:26: quality.fail_on_error: 'maybe' is not true or false");
	refused("name: shop\nquality: {warn_threshold: 5}\n",
		"workspace.yaml:2:27: quality.warn_threshold: a share of the table's rows, above 0 "
		"and below 1 (0.01 is 1%)");
	refused("name: shop\nfreshness: {default_warn_hours: 48, default_error_hours: 24}\n",
		"workspace.yaml:2:13: freshness: default_warn_hours is longer than "
		"default_error_hours");
	refused("name: shop\nfreshness: {default_warn_hours: 0}\n",
		"workspace.yaml:2:33: freshness.default_warn_hours: must be between 1 and 878400, "
		"got 0");
}

/* The original's config/profiles/small.yaml, copied into the workspace's profiles/. */
#define ORIGINAL_PROFILE                                                                  \
	"# Ratatouille Resource Profile: SMALL\ndescription: \"Balanced profile\"\n"        \
	"resources:\n  max_memory_mb: 4096\n  duckdb_memory_mb: 8192\n"                     \
	"  chunk_size_rows: 50000\n  max_parallel_pipelines: 2\n"                          \
	"  duckdb:\n    threads: 3\n    memory_limit: \"6GB\"\n"                            \
	"    temp_directory: \"/tmp/duckdb\"\n    preserve_insertion_order: true\n"         \
	"  containers:\n    minio_memory: \"1G\"\n    nessie_memory: \"768M\"\n"

/* profiles/orig.yaml holding text, found as profile orig. */
static int find_profile(rat_profile *p, const char *text)
{
	char folder[4300];

	snprintf(folder, sizeof(folder), "%s/profiles", ws_dir);
	test_write(folder, "orig.yaml", text);
	return rat_config__profile_find(p, "orig", ws_dir, home);
}

static void profile_refused(const char *text, const char *want)
{
	rat_profile p;

	if (find_profile(&p, text) == 0)
		fail_msg("found; expected: %s", want);
	if (!strstr(rat_error_last()->message, want))
		fail_msg("got '%s', expected '%s'", rat_error_last()->message, want);
}

static void the_original_profile_files_are_read(void **state)
{
	rat_profile p;
	(void)state;

	if (find_profile(&p, ORIGINAL_PROFILE) != 0)
		fail_msg("profile: %s", rat_error_last()->message);
	assert_int_equal(p.values[RAT_RES_THREADS], 3);
	assert_int_equal(p.values[RAT_RES_DUCKDB_MEMORY_MB], 5722); /* 6e9 bytes */
	assert_int_equal(p.values[RAT_RES_MAX_MEMORY_MB], 4096);
	assert_string_equal(p.ignored,
			    "resources.duckdb.temp_directory (the engine spills to "
			    "$RAT_HOME/tmp/<workspace>/); resources.containers (rat runs no "
			    "containers)");
	if (find_profile(&p, "resources:\n  threads: 2\n  duckdb:\n    threads: 2\n    "
			     "memory_limit: 512MiB\n    preserve_insertion_order: false\n") != 0)
		fail_msg("profile: %s", rat_error_last()->message);
	assert_int_equal(p.values[RAT_RES_DUCKDB_MEMORY_MB], 512);
	assert_string_equal(p.ignored, "resources.duckdb.preserve_insertion_order: false (rat "
				       "keeps the rows of a query in order)");
	if (find_profile(&p, "resources:\n  max_memory_mb: 1024\n") != 0)
		fail_msg("profile: %s", rat_error_last()->message);
	assert_string_equal(p.ignored, "");
	profile_refused("resources:\n  threads: 2\n  duckdb: {threads: 4}\n",
			"orig.yaml:3:21: resources.duckdb.threads: 4 is not resources.threads 2 "
			"(keep one)");
	profile_refused("resources:\n  duckdb: {memory_limit: 8 gigs}\n",
			"orig.yaml:2:26: resources.duckdb.memory_limit: '8 gigs' is not a memory "
			"size like 8GB or 512MiB (at least 1 MiB, at most 16 TiB)");
	profile_refused("resources:\n  duckdb: {thread: 4}\n",
			"orig.yaml:2:12: resources.duckdb.thread: unknown key, did you mean 'threads'?");
	profile_refused("resources:\n  containers: 1G\n",
			"orig.yaml:2:15: resources.containers: expected a mapping, got");
}

static int setup(void **state)
{
	dir = test_tmpdir("config_original");
	snprintf(ws_dir, sizeof(ws_dir), "%s/ws", dir);
	snprintf(home, sizeof(home), "%s/home", dir);
	*state = dir; /* test_scratch_teardown removes it */
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_original_init_text_is_read),
		cmocka_unit_test(bad_values_are_named),
		cmocka_unit_test(the_original_profile_files_are_read),
	};
	return cmocka_run_group_tests(tests, setup, test_scratch_teardown);
}
