/*
 * tests/unit/config/test_env.c - the environment's part of the settings
 * (config/env.c): a captured environment is sorted by name and looked up
 * exactly (RAT is not RAT_HOME), an empty value counts as unset, RAT_NOW in
 * its three forms and malformed (an error naming it), RAT_HOME (given,
 * relative, found from the workspace's folder whatever the current one),
 * ICEBERG_WAREHOUSE (s3://, file://, relative), RAT_WORKSPACES as a colon
 * list, WORKSPACE and the S3 settings (the guide's MinIO by default, AWS
 * when asked).
 *
 * Every environment but the one of env_capture_sorts_by_name is built by
 * hand, so no test depends on the process environment.
 */
#include "helpers.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rat.h"
#include "util/common.h"
#include "config/config.h"

static char *dir;

/*
 * An environment holding the "NAME=value" entries given (NULL-terminated),
 * which the caller writes in the order env.c keeps: by name, a name before
 * the longer names it begins.
 */
static rat_env env_of(const char *first, ...)
{
	rat_env env = RAT_ENV_INIT;
	const char *entry;
	va_list ap;

	va_start(ap, first);
	for (entry = first; entry; entry = va_arg(ap, const char *))
		assert_int_equal(rat_strarray__push(&env.vars, entry), 0);
	va_end(ap);
	return env;
}

/* The name part of "NAME=value", for comparing in messages. */
static int name_cmp(const char *a, const char *b)
{
	size_t na = strcspn(a, "="), nb = strcspn(b, "=");
	int cmp = strncmp(a, b, na < nb ? na : nb);

	return cmp ? cmp : (na > nb) - (na < nb);
}

static void env_capture_sorts_by_name(void **state)
{
	rat_env env = RAT_ENV_INIT, copy = RAT_ENV_INIT;
	size_t i;
	(void)state;

	/* names chosen so that sorting whole "NAME=value" strings would order them differently */
	setenv("RAT_UNIT_ENV", "short", 1);
	setenv("RAT_UNIT_ENV1", "digit", 1);
	setenv("RAT_UNIT_ENV_LONG", "", 1);
	assert_int_equal(rat_config__env_capture(&env), 0);
	unsetenv("RAT_UNIT_ENV");
	unsetenv("RAT_UNIT_ENV1");
	unsetenv("RAT_UNIT_ENV_LONG");
	assert_true(env.vars.count >= 3);
	for (i = 1; i < env.vars.count; i++)
		if (name_cmp(env.vars.strings[i - 1], env.vars.strings[i]) > 0)
			fail_msg("not sorted: '%s' before '%s'", env.vars.strings[i - 1],
				 env.vars.strings[i]);
	/* the capture is a copy: later changes to the process do not reach it */
	assert_string_equal(rat_config__env_get(&env, "RAT_UNIT_ENV"), "short");
	assert_string_equal(rat_config__env_get(&env, "RAT_UNIT_ENV1"), "digit");
	assert_string_equal(rat_config__env_get(&env, "RAT_UNIT_ENV_LONG"), "");
	assert_int_equal(rat_config__env_copy(&copy, &env), 0);
	assert_int_equal(copy.vars.count, env.vars.count);
	rat_config__env_free(&env);
	assert_null(env.vars.strings);
	assert_string_equal(rat_config__env_get(&copy, "RAT_UNIT_ENV1"), "digit");
	rat_config__env_free(&copy);
}

static void env_get_matches_whole_names_only(void **state)
{
	rat_env env = env_of("A=1", "RAT=bare", "RATX=x", "RAT_HOME=/home/rat", "RAT_HOMES=many",
			     "ZED==starts with =", NULL);
	rat_env empty = RAT_ENV_INIT;
	(void)state;

	assert_string_equal(rat_config__env_get(&env, "RAT"), "bare");
	assert_string_equal(rat_config__env_get(&env, "RAT_HOME"), "/home/rat");
	assert_string_equal(rat_config__env_get(&env, "RAT_HOMES"), "many");
	assert_string_equal(rat_config__env_get(&env, "RATX"), "x");
	assert_string_equal(rat_config__env_get(&env, "A"), "1");
	assert_string_equal(rat_config__env_get(&env, "ZED"), "=starts with =");
	assert_null(rat_config__env_get(&env, "RA"));
	assert_null(rat_config__env_get(&env, "RAT_HOM"));
	assert_null(rat_config__env_get(&env, "RAT_HOME_"));
	assert_null(rat_config__env_get(&env, "B"));
	assert_null(rat_config__env_get(&env, "ZZZ"));
	assert_null(rat_config__env_get(&env, ""));
	assert_null(rat_config__env_get(&empty, "RAT_HOME"));
	rat_config__env_free(&env);
}

static void env_value_takes_empty_as_unset(void **state)
{
	rat_env env = env_of("RAT_PROFILE=", "WORKSPACE=sales", NULL);
	(void)state;

	assert_string_equal(rat_config__env_get(&env, "RAT_PROFILE"), "");
	assert_null(rat_config__env_value(&env, "RAT_PROFILE"));
	assert_string_equal(rat_config__env_value(&env, "WORKSPACE"), "sales");
	assert_null(rat_config__env_value(&env, "RAT_HOME"));
	assert_string_equal(rat_config__default_workspace(&env), "sales");
	rat_config__env_free(&env);
	env = env_of("WORKSPACE=", NULL);
	assert_null(rat_config__default_workspace(&env));
	rat_config__env_free(&env);
}

/* RAT_NOW=value as ms; -2 when refused (the message then checked by the caller). */
static int64_t now_of(const char *value)
{
	char entry[128];
	rat_env env;
	int64_t ms;
	int error;

	snprintf(entry, sizeof(entry), "RAT_NOW=%s", value);
	env = env_of(entry, NULL);
	error = rat_config__fixed_now(&ms, &env);
	rat_config__env_free(&env);
	if (error) {
		assert_int_equal(error, RAT_EINVALID);
		assert_int_equal(ms, -1);
		return -2;
	}
	return ms;
}

static void rat_now_reads_three_forms_in_utc(void **state)
{
	rat_env none = RAT_ENV_INIT;
	int64_t ms = 0;
	(void)state;

	assert_int_equal(now_of("2024-03-01"), INT64_C(1709251200000));
	assert_int_equal(now_of("2024-03-01 10:00:00"), INT64_C(1709287200000));
	assert_int_equal(now_of("2024-03-01T10:00:00Z"), INT64_C(1709287200000));
	assert_int_equal(now_of("2024-02-29T23:59:59Z"), INT64_C(1709251199000)); /* leap day */
	assert_int_equal(now_of("1970-01-01"), 0);
	assert_int_equal(rat_config__fixed_now(&ms, &none), 0);
	assert_int_equal(ms, -1); /* unset: the real clock */
	assert_int_equal(now_of(""), -1); /* empty is unset */
}

/* A malformed RAT_NOW is an error naming the variable, the value and the forms. */
static void rat_now_malformed_is_an_error(void **state)
{
	static const char *const bad[] = {
		"yesterday", "2024", "2024-03", "2024/03/01", "2024-03-01X10:00:00",
		"2024-03-01 10", "2024-03-01 10:00", "2024-03-01T", "2024-03-01 ", "now",
	};
	char want[512];
	size_t i;
	(void)state;

	for (i = 0; i < RAT_ARRAY_SIZE(bad); i++) {
		if (now_of(bad[i]) != -2)
			fail_msg("RAT_NOW='%s' was read, expected an error", bad[i]);
		snprintf(want, sizeof(want),
			 "RAT_NOW='%s' is not a time rat can read (accepted, in UTC: 2024-04-01, "
			 "2024-04-01 10:00:00 or 2024-04-01T10:00:00Z; unset it for the real clock)",
			 bad[i]);
		assert_string_equal(rat_error_last()->message, want);
		assert_int_equal(rat_error_last()->klass, RAT_ERRCLASS_CONFIG);
	}
}

static void rat_now_out_of_range_dates_are_malformed(void **state)
{
	static const char *const bad[] = { "2024-13-01", "2024-02-30", "2024-03-01 25:00:00",
					   "2024-00-10", "2023-02-29" };
	size_t i;
	(void)state;

	/* a 13th month is not a date: refused, not rolled over */
	for (i = 0; i < RAT_ARRAY_SIZE(bad); i++)
		if (now_of(bad[i]) != -2)
			fail_msg("RAT_NOW='%s' was read, expected an error", bad[i]);
}

static void home_is_rat_home_made_absolute(void **state)
{
	rat_env env = env_of("RAT_HOME=/srv/rat/./state/", NULL);
	char cwd[PATH_MAX], want[PATH_MAX + 32], *home;
	const char *origin = NULL;
	(void)state;

	home = rat_config__home(&env, "/lake/workspaces/sales", &origin);
	assert_string_equal(home, "/srv/rat/state");
	assert_string_equal(origin, "set by RAT_HOME");
	free(home);
	rat_config__env_free(&env);

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	env = env_of("RAT_HOME=rel/../home", NULL);
	home = rat_config__home(&env, "/lake/workspaces/sales", &origin);
	snprintf(want, sizeof(want), "%s/home", cwd);
	assert_string_equal(home, want);
	free(home);
	rat_config__env_free(&env);
}

/* With RAT_HOME empty (as if unset), the home of the workspace folder ws. */
static void home_of(const char *ws, const char *want, const char *want_origin)
{
	rat_env env = env_of("RAT_HOME=", NULL);
	const char *origin = NULL;
	char *home = rat_config__home(&env, ws, &origin);

	if (!home || strcmp(home, want) != 0)
		fail_msg("home of %s: %s, expected %s", ws, home ? home : "NULL", want);
	assert_string_equal(origin, want_origin);
	free(home);
	rat_config__env_free(&env);
}

/* The state is found from the workspace's folder: the same from every current folder. */
static void home_follows_the_workspace_not_the_current_folder(void **state)
{
	static const char beside[] = "beside the workspaces/ folder that holds the workspace";
	static const char parent[] = "in the workspace's parent folder";
	char cwd[PATH_MAX], root[PATH_MAX], ws[PATH_MAX + 128], want[PATH_MAX + 128];
	static const char *const from[] = { "tree/elsewhere/deep", "tree/workspaces",
					    "tree/workspaces/sales", "tree" };
	size_t i;
	(void)state;

	home_of("/lake/workspaces/sales", "/lake/.rat", beside);
	home_of("/lake/workspaces/sales/", "/lake/.rat", beside);
	home_of("/lake/workspaces/../other/workspaces/x", "/lake/other/.rat", beside);
	home_of("/home/tom/projects/analytics", "/home/tom/projects/.rat", parent);
	home_of("/workspaces/sales", "/.rat", beside);
	/* only the folder that holds the workspace counts, not one further up */
	home_of("/lake/workspaces/team/sales", "/lake/workspaces/team/.rat", parent);

	test_write(dir, "tree/workspaces/sales/workspace.yaml", "name: sales\n");
	test_write(dir, "tree/elsewhere/deep/.keep", "");
	test_write(dir, "tree/elsewhere/deep/workspaces/.keep", ""); /* a decoy where we stand */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(ws, sizeof(ws), "%s/tree", dir);
	if (!realpath(ws, root)) /* the scratch folder's path may go through a link */
		fail_msg("realpath %s", ws);
	snprintf(want, sizeof(want), "%s/.rat", root);
	for (i = 0; i < RAT_ARRAY_SIZE(from); i++) {
		snprintf(ws, sizeof(ws), "%s/%s", dir, from[i]);
		assert_int_equal(chdir(ws), 0);
		snprintf(ws, sizeof(ws), "%s/workspaces/sales", root);
		home_of(ws, want, beside);
		assert_int_equal(chdir(cwd), 0);
	}
	/* a relative folder is taken from the current one, then the rule applies */
	snprintf(ws, sizeof(ws), "%s/tree/elsewhere/deep", dir);
	assert_int_equal(chdir(ws), 0);
	home_of("../../workspaces/sales", want, beside);
	assert_int_equal(chdir(cwd), 0);
}

/* ICEBERG_WAREHOUSE=value (NULL: unset) gives want, with RAT_HOME /home/rat. */
static void warehouse_is(const char *value, const char *want)
{
	char entry[512], *wh;
	rat_env env = RAT_ENV_INIT;

	snprintf(entry, sizeof(entry), "ICEBERG_WAREHOUSE=%s", value ? value : "");
	if (value)
		env = env_of(entry, NULL);
	wh = rat_config__warehouse(&env, "/home/rat");
	if (!wh || strcmp(wh, want) != 0)
		fail_msg("ICEBERG_WAREHOUSE=%s gave %s, expected %s", value ? value : "(unset)",
			 wh ? wh : "NULL", want);
	free(wh);
	rat_config__env_free(&env);
}

static void warehouse_forms(void **state)
{
	char cwd[PATH_MAX], want[PATH_MAX + 32];
	(void)state;

	warehouse_is(NULL, "/home/rat/warehouse");
	warehouse_is("", "/home/rat/warehouse"); /* empty: the default */
	warehouse_is("s3://lake/wh/", "s3://lake/wh");
	warehouse_is("s3://lake", "s3://lake");
	warehouse_is("s3://lake/", "s3://lake");
	warehouse_is("file:///data/./wh/", "/data/wh");
	warehouse_is("/data/wh/../other", "/data/other");
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	snprintf(want, sizeof(want), "%s/rel/wh", cwd);
	warehouse_is("file://rel/wh", want);
	warehouse_is("rel/wh", want);
}

/* RAT_WORKSPACES=value as "a|b|c" (cwd written as "."). */
static char *folders_of(const char *value, char *out, size_t len)
{
	rat_strarray dirs = RAT_STRARRAY_INIT;
	char entry[512], cwd[PATH_MAX];
	rat_env env;
	size_t i, used = 0, n;

	assert_non_null(getcwd(cwd, sizeof(cwd)));
	n = strlen(cwd);
	snprintf(entry, sizeof(entry), "RAT_WORKSPACES=%s", value);
	env = value ? env_of(entry, NULL) : env_of(NULL);
	assert_int_equal(rat_config__workspace_dirs(&dirs, &env), 0);
	out[0] = '\0';
	for (i = 0; i < dirs.count; i++) {
		const char *d = dirs.strings[i];
		if (strncmp(d, cwd, n) == 0 && (d[n] == '/' || d[n] == '\0'))
			used += (size_t)snprintf(out + used, len - used, "%s.%s", i ? "|" : "", d + n);
		else
			used += (size_t)snprintf(out + used, len - used, "%s%s", i ? "|" : "", d);
	}
	rat_strarray_free(&dirs);
	rat_config__env_free(&env);
	return out;
}

static void workspace_dirs_split_on_colons(void **state)
{
	char text[2048];
	(void)state;

	assert_string_equal(folders_of(NULL, text, sizeof(text)), "./workspaces");
	assert_string_equal(folders_of("", text, sizeof(text)), "./workspaces");
	assert_string_equal(folders_of("/a:/b/../c", text, sizeof(text)), "/a|/c");
	assert_string_equal(folders_of("::/a::rel:", text, sizeof(text)), "/a|./rel");
	assert_string_equal(folders_of("/only", text, sizeof(text)), "/only");
	assert_string_equal(folders_of(":", text, sizeof(text)), "");
}

static void s3_settings_come_from_the_environment(void **state)
{
	rat_env env = env_of("S3_ACCESS_KEY=AKIA", "S3_ENDPOINT=http://minio:9000",
			     "S3_REGION=", "S3_SECRET_KEY=secret", NULL);
	rat_s3_settings s3;
	(void)state;

	rat_config__s3_settings(&s3, &env, true);
	assert_string_equal(s3.endpoint, "http://minio:9000");
	assert_null(s3.region); /* empty: the store's default */
	assert_string_equal(s3.access_key, "AKIA");
	assert_string_equal(s3.secret_key, "secret");
	assert_string_equal(s3.origin, "S3_ENDPOINT");
	rat_config__env_free(&env);
	/* an endpoint alone: no keys made up, requests unsigned */
	env = env_of("S3_ENDPOINT=http://minio:9000", NULL);
	rat_config__s3_settings(&s3, &env, true);
	assert_string_equal(s3.endpoint, "http://minio:9000");
	assert_null(s3.access_key);
	assert_null(s3.secret_key);
	rat_config__env_free(&env);
}

/* ICEBERG_WAREHOUSE=s3://... alone means the guide's local MinIO, signed with its keys. */
static void s3_settings_default_to_the_guides_minio(void **state)
{
	rat_env none = RAT_ENV_INIT, env;
	rat_s3_settings s3;
	(void)state;

	rat_config__s3_settings(&s3, &none, true);
	assert_string_equal(s3.endpoint, "http://localhost:9000");
	assert_string_equal(s3.access_key, "ratatouille");
	assert_string_equal(s3.secret_key, "ratatouille123");
	assert_null(s3.region);
	assert_string_equal(s3.origin, "default: S3_ENDPOINT, S3_ACCESS_KEY and S3_SECRET_KEY unset");
	/* empty values are unset */
	env = env_of("S3_ACCESS_KEY=", "S3_REGION=eu-west-1", "S3_SECRET_KEY=", NULL);
	rat_config__s3_settings(&s3, &env, true);
	assert_string_equal(s3.endpoint, "http://localhost:9000");
	assert_string_equal(s3.access_key, "ratatouille");
	assert_string_equal(s3.region, "eu-west-1");
	rat_config__env_free(&env);
	/* a local warehouse: no defaults (nothing reads S3) */
	rat_config__s3_settings(&s3, &none, false);
	assert_string_equal(s3.endpoint, "https://s3.us-east-1.amazonaws.com");
	assert_null(s3.access_key);
	assert_null(s3.secret_key);
}

/* Real AWS: S3_ENDPOINT=aws (or set but empty), or keys without an endpoint. */
static void s3_settings_reach_aws_when_asked(void **state)
{
	rat_env env = env_of("S3_ENDPOINT=aws", "S3_REGION=eu-west-3", NULL);
	rat_s3_settings s3;
	(void)state;

	rat_config__s3_settings(&s3, &env, true);
	assert_string_equal(s3.endpoint, "https://s3.eu-west-3.amazonaws.com");
	assert_null(s3.access_key); /* no guide keys sent to AWS */
	assert_null(s3.secret_key);
	assert_string_equal(s3.origin, "AWS: S3_ENDPOINT=aws");
	rat_config__env_free(&env);
	env = env_of("S3_ENDPOINT=AWS", NULL);
	rat_config__s3_settings(&s3, &env, true);
	assert_string_equal(s3.endpoint, "https://s3.us-east-1.amazonaws.com");
	rat_config__env_free(&env);
	env = env_of("S3_ENDPOINT=", NULL);
	rat_config__s3_settings(&s3, &env, true);
	assert_string_equal(s3.endpoint, "https://s3.us-east-1.amazonaws.com");
	assert_string_equal(s3.origin, "AWS: S3_ENDPOINT empty");
	assert_null(s3.access_key);
	rat_config__env_free(&env);
	env = env_of("S3_ACCESS_KEY=AKIA", "S3_SECRET_KEY=secret", NULL);
	rat_config__s3_settings(&s3, &env, true);
	assert_string_equal(s3.endpoint, "https://s3.us-east-1.amazonaws.com");
	assert_string_equal(s3.access_key, "AKIA");
	assert_string_equal(s3.origin, "AWS: S3_ENDPOINT unset");
	rat_config__env_free(&env);
}

static int setup(void **state)
{
	dir = test_tmpdir("config_env");
	*state = dir; /* test_scratch_teardown removes it */
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(env_capture_sorts_by_name),
		cmocka_unit_test(env_get_matches_whole_names_only),
		cmocka_unit_test(env_value_takes_empty_as_unset),
		cmocka_unit_test(rat_now_reads_three_forms_in_utc),
		cmocka_unit_test(rat_now_malformed_is_an_error),
		cmocka_unit_test(rat_now_out_of_range_dates_are_malformed),
		cmocka_unit_test(home_is_rat_home_made_absolute),
		cmocka_unit_test(home_follows_the_workspace_not_the_current_folder),
		cmocka_unit_test(warehouse_forms),
		cmocka_unit_test(workspace_dirs_split_on_colons),
		cmocka_unit_test(s3_settings_come_from_the_environment),
		cmocka_unit_test(s3_settings_default_to_the_guides_minio),
		cmocka_unit_test(s3_settings_reach_aws_when_asked),
	};
	return cmocka_run_group_tests(tests, setup, test_scratch_teardown);
}
