/*
 * tests/unit/config/test_original_config.c - workspace.yaml as the original
 * Ratatouille's `rat init` writes it (docs/migrating.md): `defaults:`
 * (resource_profile, as resources.profile, which must agree), `quality:`
 * (fail_on_error, warn_threshold) and `freshness:` (default_warn_hours,
 * default_error_hours) read exactly, and each bad value refused with its
 * "file:line:col: key: message".
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
	};
	return cmocka_run_group_tests(tests, setup, test_scratch_teardown);
}
