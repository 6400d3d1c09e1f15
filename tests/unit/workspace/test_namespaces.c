/*
 * tests/unit/workspace/test_namespaces.c - namespaces beyond the layers
 * (rat/table.h): names and properties checked, made on a branch and listed
 * after the layers, properties updated (what was missing said; a layer's
 * key dropped once it has none left), a table made only in a namespace its
 * head holds (the catalog commit checks it, not only the server), a
 * namespace dropped only while empty, a session reading namespace.table.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rat.h"
#include "util/common.h"
#include "catalog/catalog.h"
#include "workspace/tables.h"
#include "rat/table.h"

static test_session session;
static rat_catalog *catalog;

#define OK(call) TEST_OK(call)

/* Commit a new table key, its metadata a minimal one at its own location. */
static int create_table(const char *key)
{
	char *ns = strdup(key), *dot = strchr(ns, '.'), *location = NULL, *json, commit[65],
	     *locations[1] = { NULL };
	rat_table_change change = { key, NULL, NULL, NULL, 0 };
	int error;

	*dot = '\0';
	OK(rat_workspace_storage_path(&location, session.ws, ns, dot + 1));
	json = rat__sprintf("{\"format-version\":2,\"table-uuid\":\"9e0c5c1e-1b39-4a3e-8d1e-0c4f2a6b7d%02zx\","
			    "\"location\":\"%s\",\"current-schema-id\":0,\"default-spec-id\":0}",
			    strlen(key), location);
	change.metadata_json = json;
	error = rat_table_metadata_commit(commit, locations, catalog, session.ws, NULL, &change, 1,
					  "tester", NULL);
	rat_free(locations[0]);
	rat_free(location);
	free(json);
	free(ns);
	return error;
}

static void names_and_properties_are_checked(void **state)
{
	static const char *const bad[] = { "products", "MAIN", "1st", "a-b", "a.b", "", "_ok" };
	char commit[65], name[80], *big;
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int rc = rat_namespace_create(commit, catalog, session.ws, NULL, bad[i], NULL);
		if (strcmp(bad[i], "_ok") == 0) { /* '_' may lead, as in an identifier */
			assert_int_equal(rc, 0);
			OK(rat_namespace_drop(commit, catalog, session.ws, NULL, bad[i]));
		} else if (rc != RAT_EINVALID) {
			fail_msg("namespace '%s': %d", bad[i], rc);
		}
	}
	memset(name, 'n', 65);
	name[65] = '\0';
	assert_int_equal(rat_namespace_create(commit, catalog, session.ws, NULL, name, NULL), RAT_EINVALID);
	name[64] = '\0';
	OK(rat_namespace_create(commit, catalog, session.ws, NULL, name, NULL));
	OK(rat_namespace_drop(commit, catalog, session.ws, NULL, name));
	assert_int_equal(rat_namespace_create(commit, catalog, session.ws, NULL, "p", "{\"n\":1}"),
			 RAT_EINVALID);
	assert_int_equal(rat_namespace_create(commit, catalog, session.ws, NULL, "p", "[1]"), RAT_EINVALID);
	big = malloc(70 * 1024 + 16);
	memset(big, 'v', 70 * 1024 + 16);
	memcpy(big, "{\"k\":\"", 6);
	memcpy(big + 70 * 1024 + 13, "\"}", 3);
	assert_int_equal(rat_namespace_create(commit, catalog, session.ws, NULL, "p", big), RAT_EINVALID);
	assert_non_null(strstr(rat_error_last()->message, "the namespace's properties: longer than"));
	free(big);
	assert_int_equal(rat_namespace_create(commit, catalog, session.ws, NULL, "silver", NULL), RAT_EEXISTS);
	assert_int_equal(rat_namespace_drop(commit, catalog, session.ws, NULL, "silver"), RAT_EINVALID);
	assert_int_equal(rat_namespace_drop(commit, catalog, session.ws, NULL, "nowhere"), RAT_ENOTFOUND);
}

static void made_listed_updated(void **state)
{
	rat_namespace_list list;
	rat_table_state before, after;
	rat_strarray missing;
	const char *removals[] = { "owner", "nope" };
	char commit[65], *props = NULL;
	(void)state;

	OK(rat_namespace_create(commit, catalog, session.ws, NULL, "zeta", NULL));
	OK(rat_namespace_create(commit, catalog, session.ws, NULL, "analytics", "{\"owner\":\"bi\"}"));
	assert_int_equal(strlen(commit), 64);
	assert_int_equal(rat_namespace_create(commit, catalog, session.ws, NULL, "Analytics", NULL),
			 RAT_EEXISTS);
	OK(rat_namespace_list_get(&list, catalog, session.ws, NULL));
	assert_int_equal(list.count, 5);
	assert_string_equal(list.items[0].name, "bronze");
	assert_true(list.items[2].is_layer);
	assert_string_equal(list.items[3].name, "analytics");
	assert_string_equal(list.items[3].properties, "{\"owner\":\"bi\"}");
	assert_string_equal(list.items[4].name, "zeta");
	assert_false(list.items[4].is_layer);
	rat_namespace_list_free(&list);
	/* main does not have them: they are on the workspace's branch */
	assert_int_equal(rat_namespace_get(NULL, catalog, session.ws, "main", "analytics"), RAT_ENOTFOUND);

	OK(rat_catalog__entry(catalog, rat_workspace_branch(session.ws), "analytics", &before));
	OK(rat_namespace_update(commit, &missing, catalog, session.ws, NULL, "analytics", removals, 2,
				"{\"team\":\"data\"}"));
	OK(rat_catalog__entry(catalog, rat_workspace_branch(session.ws), "analytics", &after));
	assert_string_equal(after.content_id, before.content_id); /* the same namespace, changed */
	rat_table_state_clear(&before);
	rat_table_state_clear(&after);
	assert_int_equal(missing.count, 1);
	assert_string_equal(missing.strings[0], "nope");
	rat_strarray_free(&missing);
	OK(rat_namespace_get(&props, catalog, session.ws, NULL, "analytics"));
	assert_string_equal(props, "{\"team\":\"data\"}");
	rat_free(props);
	/* the same again changes nothing: no commit */
	OK(rat_namespace_update(commit, &missing, catalog, session.ws, NULL, "analytics", NULL, 0,
				"{\"team\":\"data\"}"));
	assert_string_equal(commit, "");
	assert_int_equal(rat_namespace_update(commit, &missing, catalog, session.ws, NULL, "analytics",
					      removals, 1, "{\"owner\":\"x\"}"),
			 RAT_EINVALID);
	assert_int_equal(rat_namespace_update(commit, &missing, catalog, session.ws, NULL, "nowhere",
					      NULL, 0, "{}"),
			 RAT_ENOTFOUND);
	/* a layer takes properties, and has no key once they are gone */
	OK(rat_namespace_update(commit, &missing, catalog, session.ws, NULL, "gold", NULL, 0,
				"{\"owner\":\"x\"}"));
	OK(rat_namespace_get(&props, catalog, session.ws, NULL, "gold"));
	assert_string_equal(props, "{\"owner\":\"x\"}");
	rat_free(props);
	OK(rat_namespace_update(commit, &missing, catalog, session.ws, NULL, "gold", removals, 1, NULL));
	OK(rat_namespace_list_get(&list, catalog, session.ws, NULL));
	assert_string_equal(list.items[2].properties, "{}");
	rat_namespace_list_free(&list);
	OK(rat_namespace_drop(commit, catalog, session.ws, NULL, "zeta"));
}

static void tables_need_their_namespace(void **state)
{
	rat_table_key_list keys;
	char commit[65];
	(void)state;

	assert_int_equal(create_table("nowhere.t"), RAT_ENOTFOUND);
	assert_non_null(strstr(rat_error_last()->message, "there is no namespace nowhere"));
	OK(rat_namespace_create(commit, catalog, session.ws, NULL, "sales", NULL));
	OK(create_table("sales.orders"));
	OK(create_table("sales.returns"));
	assert_int_equal(rat_namespace_drop(commit, catalog, session.ws, NULL, "sales"), RAT_ECONFLICT);
	assert_non_null(strstr(rat_error_last()->message, "sales.orders and 1 more"));
	OK(rat_table_keys_get(&keys, catalog, rat_workspace_branch(session.ws)));
	assert_int_equal(keys.count, 2); /* the namespace is no table */
	rat_table_key_list_free(&keys);
	/* dropped, the namespace takes no table: the commit checks it on its head */
	OK(rat_namespace_create(commit, catalog, session.ws, NULL, "gone", NULL));
	OK(rat_namespace_drop(commit, catalog, session.ws, NULL, "gone"));
	assert_int_equal(create_table("gone.t"), RAT_ENOTFOUND);
}

static void a_session_reads_namespace_tables(void **state)
{
	rat_write_result result;
	rat_engine *engine = NULL;
	char commit[65];
	(void)state;

	OK(rat_namespace_create(commit, catalog, session.ws, NULL, "mart", NULL));
	OK(rat_workspace__write_table(&result, session.ws, catalog, session.engine,
				      rat_workspace_branch(session.ws), "mart.kpis",
				      "SELECT i AS id FROM range(7) t(i)", NULL, "tester"));
	OK(rat_engine_open(&engine, session.ws));
	assert_string_equal(test_value(engine, "SELECT count(*) FROM mart.kpis"), "7");
	/* guarded as a layer is */
	assert_int_equal(rat_engine_exec(engine, "CREATE TABLE mart.x AS SELECT 1"), RAT_ESQL);
	assert_non_null(strstr(rat_error_last()->message, "mart"));
	assert_int_equal(rat_engine_exec(engine, "CREATE TABLE gold.x AS SELECT 1"), RAT_ESQL);
	assert_int_equal(rat_engine_exec(engine, "CREATE TABLE main.x AS SELECT 1"), 0);
	rat_engine_free(engine);
}

static int setup(void **state)
{
	(void)state;
	test_session_open_catalog(&session, "workspace_namespaces", &catalog);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_session_close_catalog(&session, catalog);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_and_properties_are_checked),
		cmocka_unit_test(made_listed_updated),
		cmocka_unit_test(tables_need_their_namespace),
		cmocka_unit_test(a_session_reads_namespace_tables),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
