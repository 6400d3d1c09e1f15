/*
 * tests/unit/api/test_options.c - the public options structs are versioned:
 * each _init() gives its _INIT macro's defaults, and every function taking
 * options refuses a version it does not know (0, or newer than the
 * library's), naming the struct, before doing anything.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "rat.h"

static void assert_refused(int error, const char *name)
{
	assert_int_equal(error, RAT_EINVALID);
	assert_non_null(strstr(rat_error_last()->message, name));
	assert_non_null(strstr(rat_error_last()->message, "version"));
}

static void init_functions_give_the_init_macros(void **state)
{
	/* static: padding is zero, as in the library's own copies */
	static const rat_run_options run_init = RAT_RUN_OPTIONS_INIT;
	static const rat_test_options test_init = RAT_TEST_OPTIONS_INIT;
	static const rat_vacuum_options vacuum_init = RAT_VACUUM_OPTIONS_INIT;
	static const rat_publish_options publish_init = RAT_PUBLISH_OPTIONS_INIT;
	static const rat_workspace_create_options create_init = RAT_WORKSPACE_CREATE_OPTIONS_INIT;
	static const rat_retention_options retention_init = RAT_RETENTION_OPTIONS_INIT;
	rat_retention_options retention;
	static const rat_table_drop_options drop_init = RAT_TABLE_DROP_OPTIONS_INIT;
	static const rat_write_table_options write_init = RAT_WRITE_TABLE_OPTIONS_INIT;
	rat_table_drop_options drop;
	rat_write_table_options write;
	rat_run_options run;
	rat_test_options test;
	rat_vacuum_options vacuum;
	rat_publish_options publish;
	rat_workspace_create_options create;
	(void)state;

	memset(&run, 0xab, sizeof(run));
	assert_int_equal(rat_run_options_init(&run, RAT_RUN_OPTIONS_VERSION), 0);
	assert_memory_equal(&run, &run_init, sizeof(run));
	memset(&test, 0xab, sizeof(test));
	assert_int_equal(rat_test_options_init(&test, RAT_TEST_OPTIONS_VERSION), 0);
	assert_memory_equal(&test, &test_init, sizeof(test));
	memset(&vacuum, 0xab, sizeof(vacuum));
	assert_int_equal(rat_vacuum_options_init(&vacuum, RAT_VACUUM_OPTIONS_VERSION), 0);
	assert_memory_equal(&vacuum, &vacuum_init, sizeof(vacuum));
	assert_int_equal(vacuum.older_than_ms, -1);
	memset(&publish, 0xab, sizeof(publish));
	assert_int_equal(rat_publish_options_init(&publish, RAT_PUBLISH_OPTIONS_VERSION), 0);
	assert_memory_equal(&publish, &publish_init, sizeof(publish));
	memset(&create, 0xab, sizeof(create));
	assert_int_equal(rat_workspace_create_options_init(&create,
							   RAT_WORKSPACE_CREATE_OPTIONS_VERSION), 0);
	assert_memory_equal(&create, &create_init, sizeof(create));
	memset(&retention, 0xab, sizeof(retention));
	assert_int_equal(rat_retention_options_init(&retention, RAT_RETENTION_OPTIONS_VERSION), 0);
	assert_memory_equal(&retention, &retention_init, sizeof(retention));
	memset(&drop, 0xab, sizeof(drop));
	assert_int_equal(rat_table_drop_options_init(&drop, RAT_TABLE_DROP_OPTIONS_VERSION), 0);
	assert_memory_equal(&drop, &drop_init, sizeof(drop));
	memset(&write, 0xab, sizeof(write));
	assert_int_equal(rat_write_table_options_init(&write, RAT_WRITE_TABLE_OPTIONS_VERSION), 0);
	assert_memory_equal(&write, &write_init, sizeof(write));
	assert_int_equal(write.mode, RAT_WRITE_TABLE_OVERWRITE);
	assert_int_equal(run.version, RAT_RUN_OPTIONS_VERSION);
	assert_int_equal(create.version, RAT_WORKSPACE_CREATE_OPTIONS_VERSION);
}

/* A caller built for an older rat_run_options has no room for what later versions added. */
static void older_run_options_stay_in_their_size(void **state)
{
	static const struct {
		unsigned int version;
		size_t end; /* where that version's struct ends */
	} versions[] = { { 1, offsetof(rat_run_options, cancel) },
			 { 2, offsetof(rat_run_options, trigger) } };
	rat_run_options run;
	size_t i, v;
	(void)state;

	for (v = 0; v < 2; v++) {
		const unsigned char *tail = (const unsigned char *)&run + versions[v].end;

		memset(&run, 0xab, sizeof(run));
		assert_int_equal(rat_run_options_init(&run, versions[v].version), 0);
		assert_int_equal(run.version, versions[v].version);
		assert_null(run.selectors);
		for (i = 0; i < sizeof(run) - versions[v].end; i++)
			assert_int_equal(tail[i], 0xab);
	}
	assert_int_equal(RAT_RUN_OPTIONS_VERSION, 3);
}

static void init_functions_refuse_unknown_versions(void **state)
{
	rat_run_options run;
	rat_test_options test;
	rat_vacuum_options vacuum;
	rat_publish_options publish;
	rat_workspace_create_options create;
	rat_table_drop_options drop;
	rat_write_table_options write;
	(void)state;

	assert_refused(rat_table_drop_options_init(&drop, 2), "rat_table_drop_options");
	assert_refused(rat_write_table_options_init(&write, 0), "rat_write_table_options");
	assert_refused(rat_run_options_init(&run, 0), "rat_run_options");
	assert_refused(rat_run_options_init(&run, RAT_RUN_OPTIONS_VERSION + 1), "rat_run_options");
	assert_refused(rat_test_options_init(&test, 99), "rat_test_options");
	assert_refused(rat_vacuum_options_init(&vacuum, 0), "rat_vacuum_options");
	assert_refused(rat_publish_options_init(&publish, 7), "rat_publish_options");
	assert_refused(rat_workspace_create_options_init(&create, 0),
		       "rat_workspace_create_options");
	{
		rat_retention_options retention;
		assert_refused(rat_retention_options_init(&retention, 2), "rat_retention_options");
	}
	assert_int_equal(rat_run_options_init(NULL, RAT_RUN_OPTIONS_VERSION), RAT_EINVALID);
	assert_non_null(strstr(rat_error_last()->message, "rat_run_options"));
}

/* Each function refuses options of an unknown version before doing anything. */
static void functions_refuse_options_of_unknown_versions(void **state)
{
	char *home = test_scratch_home("options");
	char *target = NULL;
	rat_workspace *ws = NULL;
	rat_workspace_create_options create = RAT_WORKSPACE_CREATE_OPTIONS_INIT;
	rat_run_options run = RAT_RUN_OPTIONS_INIT;
	rat_test_options test = RAT_TEST_OPTIONS_INIT;
	rat_vacuum_options vacuum = RAT_VACUUM_OPTIONS_INIT;
	rat_publish_options publish = RAT_PUBLISH_OPTIONS_INIT;
	rat_table_drop_options drop = RAT_TABLE_DROP_OPTIONS_INIT;
	rat_table_drop_result dropped;
	rat_run_info *info = NULL;
	rat_test_report report;
	rat_vacuum_report swept;
	char version[64];
	(void)state;

	assert_true(asprintf(&target, "%s/ws", home) > 0);
	create.path = target;
	create.version = 0;
	assert_refused(rat_workspace_create(&ws, "ws", &create), "rat_workspace_create_options");
	assert_null(ws);
	assert_int_equal(access(target, F_OK), -1); /* nothing was created */
	create.version = RAT_WORKSPACE_CREATE_OPTIONS_VERSION;
	assert_int_equal(rat_workspace_create(&ws, "ws", &create), 0);

	run.version = RAT_RUN_OPTIONS_VERSION + 1;
	assert_refused(rat_run(&info, ws, &run), "rat_run_options");
	assert_null(info);
	test.version = 0;
	assert_refused(rat_test_run(&report, ws, &test), "rat_test_options");
	vacuum.version = 2;
	assert_refused(rat_vacuum(&swept, ws, &vacuum), "rat_vacuum_options");
	publish.version = 0;
	assert_refused(rat_product_publish(version, ws, NULL, &publish), "rat_publish_options");
	{
		rat_retention_options retention = RAT_RETENTION_OPTIONS_INIT;
		rat_retention_report retained;
		retention.version = 0;
		assert_refused(rat_retention_run(&retained, ws, &retention), "rat_retention_options");
	}
	drop.version = 0;
	assert_refused(rat_table_drop(&dropped, ws, "silver.x", &drop), "rat_table_drop_options");

	rat_workspace_free(ws);
	test_rmtree(home);
	free(target);
	free(home);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_functions_give_the_init_macros),
		cmocka_unit_test(init_functions_refuse_unknown_versions),
		cmocka_unit_test(older_run_options_stay_in_their_size),
		cmocka_unit_test(functions_refuse_options_of_unknown_versions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
