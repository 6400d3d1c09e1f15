/*
 * tests/unit/workspace/test_workspace.c - the public workspace API: create,
 * open by name or path, the cache, listing, pipelines by layer, storage paths,
 * and branch resolution from a real Git work tree (W3, W5, W7); a folder's
 * name against name:, a malformed RAT_NOW, the state found from the
 * workspace's folder (reading creates none), the S3 defaults.
 */
#include "helpers.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rat.h"
#include "workspace/workspace.h"

static char *dir;
static char wsdirs[4096];

static rat_workspace *create(const char *name)
{
	rat_workspace *ws = NULL;
	if (rat_workspace_create(&ws, name, NULL) != 0)
		fail_msg("create %s: %s", name, rat_error_last()->message);
	return ws;
}

static void create_then_open_by_name_and_path(void **state)
{
	rat_workspace *ws = create("sales"), *again = NULL, *by_path = NULL;
	rat_resources res;
	rat_layer_settings layer;
	(void)state;

	assert_string_equal(rat_workspace_name(ws), "sales");
	assert_string_equal(rat_workspace_branch(ws), "workspace/sales");
	assert_string_equal(rat_workspace_s3_prefix(ws), "sales");
	assert_string_equal(rat_workspace_description(ws), "sales workspace");
	assert_string_equal(rat_workspace_version(ws), "1.0");
	rat_workspace_resources(ws, &res);
	assert_string_equal(res.profile, "small");
	assert_int_equal(res.max_memory_mb, 4096);
	assert_int_equal(res.duckdb_memory_mb, 8192);
	assert_int_equal(res.engine_memory_mb, 4096);
	assert_int_equal(res.chunk_size_rows, 50000);
	assert_int_equal(res.max_parallel_pipelines, 2);
	assert_int_equal(res.overridden, 0);
	rat_workspace_layer(ws, RAT_LAYER_BRONZE, &layer);
	assert_int_equal(layer.retention_days, 90);
	assert_int_equal(layer.partition_by_count, 1);
	assert_string_equal(layer.partition_by[0], "_ingested_date");
	rat_workspace_layer(ws, RAT_LAYER_SILVER, &layer);
	assert_int_equal(layer.retention_days, 365);
	rat_workspace_layer(ws, RAT_LAYER_GOLD, &layer);
	assert_int_equal(layer.retention_days, -1);

	assert_int_equal(rat_workspace_open(&again, "sales"), 0);
	assert_string_equal(rat_workspace_path(again), rat_workspace_path(ws));
	assert_int_equal(rat_workspace_open(&by_path, rat_workspace_path(ws)), 0);
	assert_string_equal(rat_workspace_name(by_path), "sales");
	rat_workspace_free(again);
	rat_workspace_free(by_path);

	/* a second create is refused */
	assert_int_equal(rat_workspace_create(&again, "sales", NULL), RAT_EEXISTS);
	assert_null(again);
	assert_non_null(strstr(rat_error_last()->message, "is not empty"));
	rat_workspace_free(ws);
}

static void invalid_names_are_refused(void **state)
{
	static const char *const bad[] = { "", "-x", "a b", "../up", "x/y", "é",
					   "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };
	size_t i;
	(void)state;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		rat_workspace *ws = NULL;
		assert_int_equal(rat_workspace_create(&ws, bad[i], NULL), RAT_EINVALID);
		assert_null(ws);
	}
}

static void missing_workspace_says_where_it_looked(void **state)
{
	rat_workspace *ws = NULL;
	(void)state;

	assert_int_equal(rat_workspace_open(&ws, "ghost"), RAT_ENOTFOUND);
	assert_non_null(strstr(rat_error_last()->message, "workspace 'ghost' not found"));
	assert_non_null(strstr(rat_error_last()->message, wsdirs));
	assert_int_equal(rat_error_last()->klass, RAT_ERRCLASS_WORKSPACE);
}

static void cache_returns_the_same_handle(void **state)
{
	const rat_workspace *a = NULL, *b = NULL, *c = NULL;
	rat_workspace *ws = create("cached");
	(void)state;

	assert_int_equal(rat_workspace_get(&a, "cached"), 0);
	assert_int_equal(rat_workspace_get(&b, rat_workspace_path(ws)), 0);
	assert_ptr_equal(a, b);
	setenv("WORKSPACE", "cached", 1);
	assert_int_equal(rat_workspace_get(&c, NULL), 0);
	assert_ptr_equal(a, c);
	unsetenv("WORKSPACE");
	rat_workspace_cache_clear();
	rat_workspace_free(ws);
}

static void list_finds_workspaces_in_every_folder(void **state)
{
	rat_strarray list = RAT_STRARRAY_INIT;
	rat_workspace *a = create("list-a"), *b = NULL;
	rat_workspace_create_options opts = RAT_WORKSPACE_CREATE_OPTIONS_INIT;
	char second[4096], path[4096], env[8300];
	size_t i;
	bool saw_a = false, saw_b = false;
	(void)state;

	snprintf(second, sizeof(second), "%s/more", dir);
	snprintf(path, sizeof(path), "%s/list-b", second);
	opts.path = path;
	assert_int_equal(rat_workspace_create(&b, "list-b", &opts), 0);
	snprintf(env, sizeof(env), "%s:%s", wsdirs, second);
	setenv("RAT_WORKSPACES", env, 1);
	assert_int_equal(rat_workspace_list(&list), 0);
	for (i = 0; i < list.count; i++) {
		saw_a |= strcmp(list.strings[i], rat_workspace_path(a)) == 0;
		saw_b |= strcmp(list.strings[i], rat_workspace_path(b)) == 0;
		if (i > 0)
			assert_true(strcmp(list.strings[i - 1], list.strings[i]) < 0);
	}
	assert_true(saw_a && saw_b);
	setenv("RAT_WORKSPACES", wsdirs, 1);
	rat_strarray_free(&list);
	rat_workspace_free(a);
	rat_workspace_free(b);
}


/* The gold pipelines ws lists, "a,b", or the message of the error listing them. */
static const char *gold_listed(rat_workspace *ws)
{
	static char text[1024];
	rat_strarray names = RAT_STRARRAY_INIT;

	if (rat_workspace_list_pipelines(&names, ws, RAT_LAYER_GOLD) != 0)
		return rat_error_last()->message;
	snprintf(text, sizeof(text), "%s", test_joined(&names, ","));
	rat_strarray_free(&names);
	return text;
}
static void pipelines_by_layer(void **state)
{
	rat_workspace *ws = create("pipes");
	rat_strarray names = RAT_STRARRAY_INIT;
	const char *root;
	(void)state;

	root = rat_workspace_path(ws);
	test_write(root, "pipelines/bronze/sales.sql", "SELECT 1");
	test_write(root, "pipelines/bronze/sales.yaml", "description: x");
	test_write(root, "pipelines/bronze/events.py", "print(1)");
	test_write(root, "pipelines/bronze/orders/pipeline.sql", "SELECT 1");
	test_write(root, "pipelines/bronze/orders/config.yaml", "description: x");
	test_write(root, "pipelines/bronze/notes/README.md", "not a pipeline");
	test_write(root, "pipelines/bronze/.hidden.sql", "SELECT 1");
	test_write(root, "pipelines/gold/kpis.sql", "SELECT 1");
	assert_int_equal(rat_workspace_list_pipelines(&names, ws, RAT_LAYER_BRONZE), 0);
	assert_int_equal(names.count, 3);
	assert_string_equal(names.strings[0], "events");
	assert_string_equal(names.strings[1], "orders");
	assert_string_equal(names.strings[2], "sales");
	rat_strarray_free(&names);
	assert_int_equal(rat_workspace_list_pipelines(&names, ws, RAT_LAYER_SILVER), 0);
	assert_int_equal(names.count, 0);
	assert_int_equal(rat_workspace_list_pipelines(&names, ws, RAT_LAYER_GOLD), 0);
	assert_int_equal(names.count, 1);
	rat_strarray_free(&names);
	/* a folder of documents and tests beside a flat pipeline: still one pipeline */
	test_write(root, "pipelines/gold/kpis/README.md", "# gold.kpis");
	test_write(root, "pipelines/gold/kpis/docs/lineage.md", "graph LR");
	test_write(root, "pipelines/gold/kpis/tests/unit/t.sql", "SELECT 1");
	assert_string_equal(gold_listed(ws), "kpis");
	/* both layouts: one pipeline when the flat files are the folder's, byte for byte */
	test_write(root, "pipelines/gold/kpis/pipeline.sql", "SELECT 1");
	assert_string_equal(gold_listed(ws), "kpis");
	test_write(root, "pipelines/gold/kpis.yaml", "description: x");
	assert_string_equal(gold_listed(ws),
			    "pipelines/gold/kpis.yaml and pipelines/gold/kpis/pipeline.sql both "
			    "define gold.kpis: keep one (a folder holding pipeline.sql is the folder "
			    "layout; beside a flat kpis.sql, kpis/ holds only README.md, docs/ and "
			    "tests/)");
	test_write(root, "pipelines/gold/kpis/config.yaml", "description: x");
	assert_string_equal(gold_listed(ws), "kpis");
	/* the original Ratatouille's pair: config.yaml has every key of kpis.yaml (and wins) */
	test_write(root, "pipelines/gold/kpis/config.yaml", "owner: {team: t}\ndescription: y\n");
	test_write(root, "pipelines/gold/kpis.yaml", "description: x\nowner: t@x.org\n");
	assert_string_equal(gold_listed(ws), "kpis");
	test_write(root, "pipelines/gold/kpis.yaml", "description: x\n\nmaterialized: view\n");
	assert_string_equal(gold_listed(ws),
			    "pipelines/gold/kpis.yaml:3:1: materialized: not in "
			    "pipelines/gold/kpis/config.yaml, which is used instead of this file "
			    "(move the key there, or delete pipelines/gold/kpis.yaml)");
	test_write(root, "pipelines/gold/kpis.yaml", "description: x\n");
	test_write(root, "pipelines/gold/kpis/pipeline.sql", "SELECT 2");
	assert_int_equal(rat_workspace_list_pipelines(&names, ws, RAT_LAYER_GOLD), RAT_EINVALID);
	assert_non_null(strstr(rat_error_last()->message,
			       "pipelines/gold/kpis.sql and pipelines/gold/kpis/pipeline.sql both "
			       "define gold.kpis: keep one"));
	/* two flat files of one name */
	test_write(root, "pipelines/silver/x.sql", "SELECT 1");
	test_write(root, "pipelines/silver/x.py", "print(1)");
	assert_int_equal(rat_workspace_list_pipelines(&names, ws, RAT_LAYER_SILVER), RAT_EINVALID);
	assert_non_null(strstr(rat_error_last()->message, "'x' is defined twice"));
	assert_int_equal(rat_workspace_list_pipelines(&names, ws, (rat_layer)7), RAT_EINVALID);
	rat_workspace_free(ws);
}

static void storage_paths(void **state)
{
	rat_workspace *ws = create("store");
	char *path = NULL, expected[8192];
	(void)state;

	assert_int_equal(rat_workspace_storage_path(&path, ws, "silver", "cleaned_sales"), 0);
	snprintf(expected, sizeof(expected), "%s/warehouse/store/silver/cleaned_sales/",
		 rat_workspace_home(ws));
	assert_string_equal(path, expected);
	rat_free(path);
	assert_int_equal(rat_workspace_storage_path(&path, ws, "gold", NULL), 0);
	snprintf(expected, sizeof(expected), "%s/warehouse/store/gold/", rat_workspace_home(ws));
	assert_string_equal(path, expected);
	rat_free(path);
	/* a namespace beyond the layers has its folder beside theirs */
	assert_int_equal(rat_workspace_storage_path(&path, ws, "platinum", "x"), 0);
	snprintf(expected, sizeof(expected), "%s/warehouse/store/platinum/x/", rat_workspace_home(ws));
	assert_string_equal(path, expected);
	rat_free(path);
	assert_int_equal(rat_workspace_storage_path(&path, ws, "..", "x"), RAT_EINVALID);
	assert_int_equal(rat_workspace_storage_path(&path, ws, "a/b", "x"), RAT_EINVALID);
	assert_int_equal(rat_workspace_storage_path(&path, ws, "products", "x"), RAT_EINVALID);
	assert_int_equal(rat_workspace_storage_path(&path, ws, "gold", "../other"), RAT_EINVALID);
	assert_int_equal(rat_workspace_storage_path(&path, ws, "gold", "a/b"), RAT_EINVALID);
	assert_null(path);
	snprintf(expected, sizeof(expected), "%s/tmp/store", rat_workspace_home(ws));
	assert_string_equal(rat_workspace_spill_dir(ws), expected);
	rat_workspace_free(ws);

	setenv("ICEBERG_WAREHOUSE", "s3://lake/wh/", 1);
	assert_int_equal(rat_workspace_open(&ws, "store"), 0);
	assert_int_equal(rat_workspace_storage_path(&path, ws, "bronze", "sales"), 0);
	assert_string_equal(path, "s3://lake/wh/store/bronze/sales/");
	rat_free(path);
	rat_workspace_free(ws);
	unsetenv("ICEBERG_WAREHOUSE");
}

static void git(const char *repo, const char *args)
{
	char cmd[8192];
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && git -c user.name=t -c user.email=t@example.com -c init.defaultBranch=main "
		 "%s >/dev/null 2>&1",
		 repo, args);
	if (system(cmd) != 0)
		fail_msg("git %s failed in %s", args, repo);
}

static const char *branch_of(const char *path, char *buf, size_t len)
{
	rat_workspace *ws = NULL;
	if (rat_workspace_open(&ws, path) != 0)
		fail_msg("open %s: %s", path, rat_error_last()->message);
	snprintf(buf, len, "%s", rat_workspace_branch(ws));
	rat_workspace_free(ws);
	return buf;
}

static void branch_follows_git(void **state)
{
	char repo[4096], ws[4096], buf[256];
	(void)state;

	snprintf(repo, sizeof(repo), "%s/repo", dir);
	snprintf(ws, sizeof(ws), "%s/teams/analytics", repo);
	test_write(ws, "workspace.yaml", "name: analytics\nisolation:\n  nessie_branch: \"git:feature/\"\n");
	git(repo, "init");
	git(repo, "checkout -b x");
	assert_string_equal(branch_of(ws, buf, sizeof(buf)), "feature/x");

	test_write(ws, "workspace.yaml", "name: analytics\nisolation:\n  nessie_branch: auto\n");
	assert_string_equal(branch_of(ws, buf, sizeof(buf)), "x");
	test_write(ws, "workspace.yaml", "name: analytics\nisolation:\n  nessie_branch: git\n");
	git(repo, "checkout -b team/data-eng");
	assert_string_equal(branch_of(ws, buf, sizeof(buf)), "team/data-eng");

	/* a detached HEAD falls back to workspace/<name> */
	git(repo, "add -A");
	git(repo, "commit -m one");
	git(repo, "checkout --detach");
	assert_string_equal(branch_of(ws, buf, sizeof(buf)), "workspace/analytics");

	/* a linked work tree (.git is a file) is followed too */
	git(repo, "checkout team/data-eng");
	git(repo, "worktree add -b wt-branch ../wt");
	snprintf(ws, sizeof(ws), "%s/wt/teams/analytics", dir);
	assert_string_equal(branch_of(ws, buf, sizeof(buf)), "wt-branch");

	/* outside any Git work tree: the fallback */
	snprintf(ws, sizeof(ws), "%s/nogit", dir);
	test_write(ws, "workspace.yaml", "name: nogit\nisolation:\n  nessie_branch: auto\n");
	setenv("GIT_CEILING_DIRECTORIES", dir, 1);
	assert_string_equal(branch_of(ws, buf, sizeof(buf)), "workspace/nogit");

	/* a literal is used as written */
	test_write(ws, "workspace.yaml", "name: nogit\nisolation:\n  nessie_branch: prod/main\n");
	assert_string_equal(branch_of(ws, buf, sizeof(buf)), "prod/main");
}

/* In a workspaces folder the folder names the workspace: another name: is refused, naming both. */
static void a_name_that_is_not_the_folders_is_refused(void **state)
{
	rat_workspace *ws = NULL;
	char path[4200];
	(void)state;

	test_write(wsdirs, "proj-x/workspace.yaml", "# x\nname: other\n");
	snprintf(path, sizeof(path), "%s/proj-x", wsdirs);
	assert_int_equal(rat_workspace_open(&ws, path), RAT_EINVALID);
	assert_non_null(strstr(rat_error_last()->message,
			       "workspace.yaml:2:7: name: 'other' is not the name of the workspace's "
			       "folder, 'proj-x' (in a workspaces folder, the folder's name is the "
			       "workspace's name: rename the folder to 'other', or write name: proj-x)"));
	assert_int_equal(rat_workspace_open(&ws, "proj-x"), RAT_EINVALID);
	assert_int_equal(rat_workspace_open(&ws, "other"), RAT_ENOTFOUND);
	/* a folder named workspaces/ is one where names are looked up, wherever it is */
	test_write(dir, "lake/workspaces/team/workspace.yaml", "name: squad\n");
	snprintf(path, sizeof(path), "%s/lake/workspaces/team", dir);
	assert_int_equal(rat_workspace_open(&ws, path), RAT_EINVALID);
	/* elsewhere a workspace reached by its path names itself */
	test_write(dir, "repos/billing-repo/workspace.yaml", "name: billing\n");
	snprintf(path, sizeof(path), "%s/repos/billing-repo", dir);
	assert_int_equal(rat_workspace_open(&ws, path), 0);
	assert_string_equal(rat_workspace_name(ws), "billing");
	rat_workspace_free(ws);
	test_rmtree(path);
	snprintf(path, sizeof(path), "%s/proj-x", wsdirs);
	test_rmtree(path);
}

/* A RAT_NOW rat cannot read stops the load: no silent fallback to the real clock. */
static void a_malformed_rat_now_refuses_to_load(void **state)
{
	rat_workspace *ws = create("clocked");
	rat_workspace *again = NULL;
	(void)state;

	setenv("RAT_NOW", "2024-13-01", 1);
	assert_int_equal(rat_workspace_open(&again, "clocked"), RAT_EINVALID);
	assert_int_equal(rat_error_last()->klass, RAT_ERRCLASS_CONFIG);
	assert_string_equal(rat_error_last()->message,
			    "RAT_NOW='2024-13-01' is not a time rat can read (accepted, in UTC: "
			    "2024-04-01, 2024-04-01 10:00:00 or 2024-04-01T10:00:00Z; unset it for the "
			    "real clock)");
	setenv("RAT_NOW", "2024-12-01 10:00:00", 1);
	assert_int_equal(rat_workspace_open(&again, "clocked"), 0);
	assert_int_equal(rat_workspace_now_ms(again), INT64_C(1733047200000));
	unsetenv("RAT_NOW");
	rat_workspace_free(again);
	rat_workspace_free(ws);
}

/*
 * Without RAT_HOME the state is found from the workspace's folder; reading
 * a workspace that has none creates nothing, and opening its catalog for
 * reading says where it looked.
 */
static void state_follows_the_workspace_and_reading_creates_none(void **state)
{
	rat_workspace *ws = NULL;
	rat_catalog *catalog = NULL;
	rat_engine *engine = NULL;
	rat_table_list tables;
	char path[4200], home[4200], *saved = strdup(getenv("RAT_HOME"));
	(void)state;

	unsetenv("RAT_HOME");
	test_write(dir, "fresh/workspaces/fresh/workspace.yaml", "name: fresh\n");
	snprintf(path, sizeof(path), "%s/fresh/workspaces/fresh", dir);
	snprintf(home, sizeof(home), "%s/fresh/.rat", dir);
	assert_int_equal(rat_workspace_open(&ws, path), 0);
	assert_string_equal(rat_workspace_home(ws), home);
	assert_string_equal(rat_workspace_home_origin(ws),
			    "beside the workspaces/ folder that holds the workspace");
	assert_int_equal(rat_workspace_catalog_exists(ws), 0);
	assert_int_equal(rat_table_list_get(&tables, ws, NULL, NULL), 0);
	assert_int_equal(tables.count, 0);
	rat_table_list_free(&tables);
	assert_int_equal(rat_engine_open(&engine, ws), 0);
	rat_engine_free(engine);
	assert_int_equal(rat_catalog_open_existing(&catalog, ws), RAT_ENOTFOUND);
	assert_non_null(strstr(rat_error_last()->message, "no catalog at "));
	assert_non_null(strstr(rat_error_last()->message, home));
	assert_int_equal(access(home, F_OK), -1); /* nothing was created */
	/* what writes creates it, where every later reader looks */
	assert_int_equal(rat_catalog_open(&catalog, ws), 0);
	rat_catalog_free(catalog);
	assert_int_equal(rat_workspace_catalog_exists(ws), 1);
	assert_int_equal(rat_catalog_open_existing(&catalog, ws), 0);
	rat_catalog_free(catalog);
	rat_workspace_free(ws);
	setenv("RAT_HOME", saved, 1);
	free(saved);
}

/* ICEBERG_WAREHOUSE=s3://... alone: the store is given the guide's MinIO and keys. */
static void an_s3_warehouse_alone_reaches_the_guides_minio(void **state)
{
	rat_workspace *ws = create("minio");
	rat_workspace *s3ws = NULL;
	rat_store_options opts;
	rat_s3_info info;
	(void)state;

	rat_workspace_s3(ws, &info); /* a local warehouse: no S3 */
	assert_string_equal(info.endpoint, "");
	setenv("ICEBERG_WAREHOUSE", "s3://lake/wh", 1);
	assert_int_equal(rat_workspace_open(&s3ws, "minio"), 0);
	rat_workspace__store_options(s3ws, &opts);
	assert_string_equal(opts.endpoint, "http://localhost:9000");
	assert_string_equal(opts.access_key, "ratatouille");
	assert_string_equal(opts.secret_key, "ratatouille123");
	rat_workspace_s3(s3ws, &info);
	assert_string_equal(info.endpoint, "http://localhost:9000");
	assert_string_equal(info.region, "us-east-1");
	assert_string_equal(info.access_key, "ratatouille");
	rat_workspace_free(s3ws);
	setenv("S3_ENDPOINT", "aws", 1);
	assert_int_equal(rat_workspace_open(&s3ws, "minio"), 0);
	rat_workspace__store_options(s3ws, &opts);
	assert_string_equal(opts.endpoint, "https://s3.us-east-1.amazonaws.com");
	assert_null(opts.access_key);
	rat_workspace_free(s3ws);
	unsetenv("S3_ENDPOINT");
	unsetenv("ICEBERG_WAREHOUSE");
	rat_workspace_free(ws);
}

static int setup(void **state)
{
	dir = test_scratch_home("workspace_api");
	snprintf(wsdirs, sizeof(wsdirs), "%s/workspaces", dir);
	setenv("RAT_WORKSPACES", wsdirs, 1);
	unsetenv("WORKSPACE");
	unsetenv("ICEBERG_WAREHOUSE");
	unsetenv("RAT_NOW");
	unsetenv("S3_ENDPOINT");
	unsetenv("S3_ACCESS_KEY");
	unsetenv("S3_SECRET_KEY");
	unsetenv("S3_REGION");
	*state = dir; /* test_scratch_teardown removes it */
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(create_then_open_by_name_and_path),
		cmocka_unit_test(invalid_names_are_refused),
		cmocka_unit_test(missing_workspace_says_where_it_looked),
		cmocka_unit_test(cache_returns_the_same_handle),
		cmocka_unit_test(list_finds_workspaces_in_every_folder),
		cmocka_unit_test(pipelines_by_layer),
		cmocka_unit_test(storage_paths),
		cmocka_unit_test(branch_follows_git),
		cmocka_unit_test(a_name_that_is_not_the_folders_is_refused),
		cmocka_unit_test(a_malformed_rat_now_refuses_to_load),
		cmocka_unit_test(state_follows_the_workspace_and_reading_creates_none),
		cmocka_unit_test(an_s3_warehouse_alone_reaches_the_guides_minio),
	};
	return cmocka_run_group_tests(tests, setup, test_scratch_teardown);
}
