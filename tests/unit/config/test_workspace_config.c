/*
 * tests/unit/config/test_workspace_config.c - workspace.yaml
 * (config/workspace_config.c): the defaults of an almost empty file, every
 * key of the workspaces guide read exactly, and each kind of mistake refused
 * with its exact "file:line:col: key: message" (unknown keys with a "did you
 * mean", wrong types, duplicates, bad values in every section); the profile
 * from resources.profile, from RAT_PROFILE in the environment given, or
 * small; the text `rat init` writes reads back as the defaults it states;
 * the name checks shared with the workspace code.
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

/* workspace.yaml holding text, loaded with env (NULL: an empty environment). */
static int load(rat_workspace_config *c, const char *text, const rat_env *env)
{
	rat_env none = RAT_ENV_INIT;
	char path[4300];

	test_write(ws_dir, "workspace.yaml", text);
	snprintf(path, sizeof(path), "%s/workspace.yaml", ws_dir);
	return rat_config__load_workspace(c, path, "workspace.yaml", ws_dir, home, NULL,
					  env ? env : &none);
}

static void loads(rat_workspace_config *c, const char *text, const rat_env *env)
{
	if (load(c, text, env) != 0)
		fail_msg("load: %s", rat_error_last()->message);
}

/* Loading text fails with exactly the message want, and leaves nothing allocated. */
static void refused(const char *text, const char *want)
{
	rat_workspace_config c;
	int error = load(&c, text, NULL);

	if (error == 0) {
		rat_config__free_workspace(&c);
		fail_msg("loaded; expected: %s", want);
	}
	assert_int_equal(error, RAT_EINVALID);
	assert_int_equal(rat_error_last()->klass, RAT_ERRCLASS_CONFIG);
	assert_string_equal(rat_error_last()->message, want);
	assert_null(c.name);
	assert_null(c.products);
}

static void a_name_alone_takes_every_default(void **state)
{
	rat_workspace_config c;
	static const int64_t small[RAT_RES_COUNT] = { 4096, 8192, 50000, 2, 2 };
	int i;
	(void)state;

	loads(&c, "name: sales\n", NULL);
	assert_string_equal(c.name, "sales");
	assert_string_equal(c.version, "");
	assert_string_equal(c.description, "");
	assert_null(c.branch_spec);
	assert_null(c.s3_prefix);
	assert_string_equal(c.profile.name, "small");
	assert_string_equal(c.profile.source, "built-in");
	for (i = 0; i < RAT_RES_COUNT; i++) {
		assert_int_equal(c.resources[i], small[i]);
		assert_int_equal(c.profile.values[i], small[i]);
	}
	assert_int_equal(c.overridden, 0);
	assert_int_equal(c.layers[RAT_LAYER_BRONZE].retention_days, 90);
	assert_int_equal(c.layers[RAT_LAYER_SILVER].retention_days, 365);
	assert_int_equal(c.layers[RAT_LAYER_GOLD].retention_days, -1);
	for (i = 0; i < RAT_LAYER_COUNT; i++)
		assert_int_equal(c.layers[i].partition_by.count, 0);
	assert_int_equal(c.product_count, 0);
	assert_int_equal(c.subscription_count, 0);
	rat_config__free_workspace(&c);
	assert_null(c.name);
}

static const char full_yaml[] =
	"name: sales\n"
	"version: 2.10\n"
	"description: |\n"
	"  Sales data\n"
	"  for the team\n"
	"isolation:\n"
	"  nessie_branch: team/sales\n"
	"  s3_prefix: lake/sales.v2\n"
	"resources:\n"
	"  profile: tiny\n"
	"  overrides:\n"
	"    max_memory_mb: 2048\n"
	"    threads: 3\n"
	"layers:\n"
	"  bronze:\n"
	"    retention_days: 30\n"
	"    partition_by: _ingested_date\n"
	"  silver:\n"
	"    retention_days: null\n"
	"    partition_by: [region, month(ts)]\n"
	"  gold:\n"
	"    retention_days: 3650\n"
	"products:\n"
	"  - name: orders\n"
	"    source: gold.orders\n"
	"    description: All orders\n"
	"    sla: {freshness_hours: 1.5}\n"
	"    access:\n"
	"      - {workspace: \"*\", level: read}\n"
	"      - {workspace: team-*, level: write}\n"
	"      - {workspace: ops, level: admin}\n"
	"  - name: refunds\n"
	"    source: silver.refunds\n"
	"subscriptions:\n"
	"  - product: finance/rates\n"
	"  - product: fx\n"
	"    alias: fx_rates\n"
	"    version_constraint: \"^1.2\"\n";

static void every_key_is_read(void **state)
{
	rat_workspace_config c;
	const rat_product_config *p;
	(void)state;

	loads(&c, full_yaml, NULL);
	assert_string_equal(c.version, "2.10"); /* a number read as written */
	assert_string_equal(c.description, "Sales data\nfor the team\n");
	assert_string_equal(c.branch_spec, "team/sales");
	assert_string_equal(c.s3_prefix, "lake/sales.v2");
	assert_string_equal(c.profile.name, "tiny");
	assert_int_equal(c.resources[RAT_RES_MAX_MEMORY_MB], 2048);
	assert_int_equal(c.resources[RAT_RES_DUCKDB_MEMORY_MB], 2048); /* tiny's */
	assert_int_equal(c.resources[RAT_RES_CHUNK_SIZE_ROWS], 10000);
	assert_int_equal(c.resources[RAT_RES_MAX_PARALLEL_PIPELINES], 1);
	assert_int_equal(c.resources[RAT_RES_THREADS], 3);
	assert_int_equal(c.profile.values[RAT_RES_MAX_MEMORY_MB], 1024); /* the profile as it is */
	assert_int_equal(c.overridden, (1u << RAT_RES_MAX_MEMORY_MB) | (1u << RAT_RES_THREADS));

	assert_int_equal(c.layers[RAT_LAYER_BRONZE].retention_days, 30);
	assert_int_equal(c.layers[RAT_LAYER_BRONZE].partition_by.count, 1);
	assert_string_equal(c.layers[RAT_LAYER_BRONZE].partition_by.strings[0], "_ingested_date");
	assert_int_equal(c.layers[RAT_LAYER_SILVER].retention_days, -1);
	assert_int_equal(c.layers[RAT_LAYER_SILVER].partition_by.count, 2);
	assert_string_equal(c.layers[RAT_LAYER_SILVER].partition_by.strings[1], "month(ts)");
	assert_int_equal(c.layers[RAT_LAYER_GOLD].retention_days, 3650);

	assert_int_equal(c.product_count, 2);
	p = &c.products[0];
	assert_string_equal(p->name, "orders");
	assert_string_equal(p->source, "gold.orders");
	assert_string_equal(p->description, "All orders");
	assert_true(p->sla_freshness_hours == 1.5);
	assert_int_equal(p->access_count, 3);
	assert_string_equal(p->access[0].workspace, "*");
	assert_string_equal(p->access[0].level, "read");
	assert_string_equal(p->access[1].workspace, "team-*");
	assert_string_equal(p->access[1].level, "write");
	assert_string_equal(p->access[2].workspace, "ops");
	assert_string_equal(p->access[2].level, "admin");
	p = &c.products[1];
	assert_string_equal(p->source, "silver.refunds");
	assert_true(p->sla_freshness_hours == 0);
	assert_int_equal(p->access_count, 0);

	assert_int_equal(c.subscription_count, 2);
	assert_string_equal(c.subscriptions[0].product, "finance/rates");
	assert_string_equal(c.subscriptions[0].alias, "rates"); /* the product's name */
	assert_string_equal(c.subscriptions[0].version_constraint, "latest");
	assert_string_equal(c.subscriptions[1].alias, "fx_rates");
	assert_string_equal(c.subscriptions[1].version_constraint, "^1.2");
	rat_config__free_workspace(&c);
}

static void an_unset_product_description_is_empty(void **state)
{
	rat_workspace_config c;
	bool empty;
	(void)state;

	/* include/rat/workspace.h: rat_product_config.description is "" when unset */
	loads(&c, "name: a\nproducts:\n  - {name: refunds, source: silver.refunds}\n", NULL);
	empty = c.products[0].description && c.products[0].description[0] == '\0';
	rat_config__free_workspace(&c);
	if (!empty)
		fail_msg("an unset product description is not \"\"");
}

static void empty_sections_take_their_defaults(void **state)
{
	rat_workspace_config c;
	(void)state;

	loads(&c, "name: a\nisolation:\nresources:\nlayers:\n  bronze:\nproducts: []\n"
		  "subscriptions:\n", NULL);
	assert_null(c.branch_spec);
	assert_string_equal(c.profile.name, "small");
	assert_int_equal(c.layers[RAT_LAYER_BRONZE].retention_days, 90);
	assert_int_equal(c.product_count, 0);
	assert_int_equal(c.subscription_count, 0);
	rat_config__free_workspace(&c);
	/* anchors and merge keys are expanded before validation */
	loads(&c, "name: a\nlayers:\n  bronze: &keep {retention_days: 7}\n  silver: *keep\n", NULL);
	assert_int_equal(c.layers[RAT_LAYER_SILVER].retention_days, 7);
	rat_config__free_workspace(&c);
}

static const char allowed_top[] =
	"(allowed: name, version, description, isolation, resources, layers, products, "
	"subscriptions, runs, env_vars, defaults, quality, freshness, alerts, triggers)";

static void unknown_keys_are_named_with_a_hint(void **state)
{
	char want[512];
	(void)state;

	snprintf(want, sizeof(want), "workspace.yaml:2:1: descripton: unknown key, did you mean "
		 "'description'? %s", allowed_top);
	refused("name: a\ndescripton: x\n", want);
	snprintf(want, sizeof(want), "workspace.yaml:2:1: owner: unknown key %s", allowed_top);
	refused("name: a\nowner: x\n", want);
	refused("name: a\nresources:\n  profile: small\n  overide:\n    threads: 2\n",
		"workspace.yaml:4:3: resources.overide: unknown key, did you mean 'overrides'? "
		"(allowed: profile, overrides)");
	refused("name: a\nresources:\n  overrides:\n    thread: 2\n",
		"workspace.yaml:4:5: resources.overrides.thread: unknown key, did you mean "
		"'threads'? (allowed: max_memory_mb, duckdb_memory_mb, chunk_size_rows, "
		"max_parallel_pipelines, threads)");
	refused("name: a\nlayers:\n  platinum: {}\n",
		"workspace.yaml:3:3: layers.platinum: unknown key (allowed: bronze, silver, gold)");
	refused("name: a\nlayers:\n  gold:\n    retention: 5\n",
		"workspace.yaml:4:5: layers.gold.retention: unknown key (allowed: retention_days, "
		"retention_column, partition_by)");
	refused("name: a\nproducts:\n  - name: x\n    source: gold.x\n    acess: []\n",
		"workspace.yaml:5:5: products[0].acess: unknown key, did you mean 'access'? "
		"(allowed: name, source, access, sla, description)");
	refused("name: a\nsubscriptions:\n  - product: x\n    alias_: y\n",
		"workspace.yaml:4:5: subscriptions[0].alias_: unknown key, did you mean 'alias'? "
		"(allowed: product, alias, version_constraint)");
}

static void wrong_types_and_duplicates_are_refused(void **state)
{
	(void)state;

	refused("name: a\nresources:\n  overrides:\n    threads: \"4\"\n",
		"workspace.yaml:4:14: resources.overrides.threads: expected an integer, got a "
		"string '4'");
	refused("name: a\nresources:\n  overrides:\n    threads: 1.5\n",
		"workspace.yaml:4:14: resources.overrides.threads: expected an integer, got a "
		"number '1.5'");
	refused("name: a\nresources:\n  overrides:\n    max_memory_mb: -512\n",
		"workspace.yaml:4:20: resources.overrides.max_memory_mb: must be between 1 and "
		"16777216, got -512");
	refused("name: a\nresources:\n  overrides:\n    max_parallel_pipelines: 257\n",
		"workspace.yaml:4:29: resources.overrides.max_parallel_pipelines: must be between "
		"1 and 256, got 257");
	refused("name: a\nresources:\n  overrides:\n    threads: 2\n    threads: 4\n",
		"workspace.yaml:5:5: resources.overrides.threads: duplicate key (first given on "
		"line 4)");
	refused("name: a\nname: b\n",
		"workspace.yaml:2:1: name: duplicate key (first given on line 1)");
	refused("name: a\nresources: 5\n",
		"workspace.yaml:2:12: resources: expected a mapping, got an integer");
	refused("name: a\nproducts: {name: x}\n",
		"workspace.yaml:2:12: products: expected a list, got a mapping");
	refused("name: [a]\n", "workspace.yaml:1:8: name: expected a string, got a list");
	refused("name: ~\n", "workspace.yaml:1:7: name: expected a string, got nothing (null)");
	refused("name: a\n---\nname: b\n",
		"workspace.yaml:2:1: (top level): a second YAML document starts here (the file "
		"must hold exactly one)");
	refused("- name: a\n",
		"workspace.yaml:1:3: (top level): expected a mapping of settings, got a list");
}

static void bad_values_are_refused_where_they_are(void **state)
{
	static const char rules[] =
		"(a branch name starts with a letter and holds letters, digits, '/', '.', '_', '-', "
		"without '..', '//' or a trailing '/' or '.'; or auto, git, git:<prefix>)";
	char want[1024];
	(void)state;

	refused("version: 1\n",
		"workspace.yaml:1:1: name: missing (every workspace.yaml names its workspace)");
	refused("name: -sales\n",
		"workspace.yaml:1:7: name: invalid workspace name '-sales' (letters, digits, '-' "
		"and '_', starting with a letter or digit, at most 64)");
	snprintf(want, sizeof(want),
		 "workspace.yaml:3:18: isolation.nessie_branch: invalid branch name 'a..b' %s", rules);
	refused("name: a\nisolation:\n  nessie_branch: a..b\n", want);
	snprintf(want, sizeof(want),
		 "workspace.yaml:3:18: isolation.nessie_branch: invalid branch prefix '-x/' %s",
		 rules);
	refused("name: a\nisolation:\n  nessie_branch: git:-x/\n", want);
	refused("name: a\nisolation:\n  s3_prefix: lake/../x\n",
		"workspace.yaml:3:14: isolation.s3_prefix: invalid prefix 'lake/../x' (segments of "
		"letters, digits, '.', '_', '-' separated by '/'; no leading or trailing '/', no "
		"'.' or '..')");
	refused("name: a\nlayers:\n  bronze:\n    retention_days: 0\n",
		"workspace.yaml:4:21: layers.bronze.retention_days: must be between 1 and 36600, "
		"got 0");
	refused("name: a\nlayers:\n  bronze:\n    partition_by: [ok, week(ts)]\n",
		"workspace.yaml:4:24: layers.bronze.partition_by[1]: invalid column name "
		"'week(ts)' (letters, digits and '_', not starting with a digit)");
	refused("name: a\nlayers:\n  gold:\n    partition_by: 1st\n",
		"workspace.yaml:4:19: layers.gold.partition_by: invalid column name '1st' "
		"(letters, digits and '_', not starting with a digit)");
}

static void bad_products_and_subscriptions_are_refused(void **state)
{
	(void)state;

	refused("name: a\nproducts:\n  - name: orders\n",
		"workspace.yaml:3:5: products[0]: missing key 'source' (layer.table)");
	refused("name: a\nproducts:\n  - source: gold.x\n",
		"workspace.yaml:3:5: products[0]: missing key 'name'");
	refused("name: a\nproducts:\n  - {name: o, source: platinum.o}\n",
		"workspace.yaml:3:23: products[0].source: invalid source 'platinum.o' "
		"(bronze.<table>, silver.<table> or gold.<table>)");
	refused("name: a\nproducts:\n  - {name: o, source: gold.o}\n  - {name: o, source: "
		"gold.p}\n",
		"workspace.yaml:4:6: products[1]: product 'o' is declared twice");
	refused("name: a\nproducts:\n  - {name: o, source: gold.o, sla: {freshness_hours: -1}}\n",
		"workspace.yaml:3:54: products[0].sla.freshness_hours: must be greater than 0, "
		"got -1");
	refused("name: a\nproducts:\n  - name: o\n    source: gold.o\n    access:\n"
		"      - {workspace: team*x, level: read}\n",
		"workspace.yaml:6:21: products[0].access[0].workspace: invalid workspace pattern "
		"'team*x' ('*', 'prefix*' or a workspace name)");
	refused("name: a\nproducts:\n  - name: o\n    source: gold.o\n    access:\n"
		"      - {workspace: ops, level: owner}\n",
		"workspace.yaml:6:33: products[0].access[0].level: unknown level 'owner' (read, "
		"write, admin)");
	refused("name: a\nproducts:\n  - name: o\n    source: gold.o\n    access:\n"
		"      - {workspace: ops}\n",
		"workspace.yaml:6:10: products[0].access[0]: missing key 'level' (read, write, "
		"admin)");
	refused("name: a\nsubscriptions:\n  - product: fin/fx/rates\n",
		"workspace.yaml:3:14: subscriptions[0].product: invalid product 'fin/fx/rates' "
		"(<product> or <workspace>/<product>)");
	refused("name: a\nsubscriptions:\n  - product: /rates\n",
		"workspace.yaml:3:14: subscriptions[0].product: invalid product '/rates' "
		"(<product> or <workspace>/<product>)");
	refused("name: a\nsubscriptions:\n  - product: fin/fx-rates\n",
		"workspace.yaml:3:5: subscriptions[0]: alias 'fx-rates' is not a SQL name "
		"(letters, digits and '_'): set 'alias' to name it under products.*");
	refused("name: a\nsubscriptions:\n  - {product: a/fx}\n  - {product: b/fx}\n",
		"workspace.yaml:4:6: subscriptions[1]: alias 'fx' is used by two subscriptions");
	refused("name: a\nsubscriptions:\n  - {product: fx, version_constraint: ''}\n",
		"workspace.yaml:3:39: subscriptions[0].version_constraint: empty constraint (use "
		"'latest' or a semver range)");
}

static void the_profile_comes_from_yaml_then_rat_profile_then_small(void **state)
{
	rat_workspace_config c;
	rat_strarray vars = RAT_STRARRAY_INIT;
	rat_env env = RAT_ENV_INIT;
	(void)state;

	assert_int_equal(rat_strarray__push(&vars, "RAT_PROFILE=medium"), 0);
	env.vars = vars;
	loads(&c, "name: a\n", &env);
	assert_string_equal(c.profile.name, "medium");
	assert_int_equal(c.resources[RAT_RES_THREADS], 4);
	rat_config__free_workspace(&c);
	/* the file's profile wins over the environment's */
	loads(&c, "name: a\nresources:\n  profile: large\n", &env);
	assert_string_equal(c.profile.name, "large");
	assert_int_equal(c.resources[RAT_RES_MAX_MEMORY_MB], 65536);
	rat_config__free_workspace(&c);
	/* overrides apply over the environment's profile too */
	loads(&c, "name: a\nresources:\n  overrides: {threads: 1}\n", &env);
	assert_string_equal(c.profile.name, "medium");
	assert_int_equal(c.resources[RAT_RES_THREADS], 1);
	assert_int_equal(c.resources[RAT_RES_MAX_MEMORY_MB], 16384);
	rat_config__free_workspace(&c);
	rat_config__env_free(&env);

	assert_int_equal(rat_strarray__push(&env.vars, "RAT_PROFILE=huge"), 0);
	assert_int_equal(load(&c, "name: a\n", &env), RAT_ENOTFOUND);
	assert_string_equal(rat_error_last()->message,
			    "RAT_PROFILE: unknown profile 'huge' (tiny, small, medium, large, or a "
			    "file profiles/huge.yaml in the workspace or in RAT_HOME)");
	rat_config__env_free(&env);
	assert_int_equal(rat_strarray__push(&env.vars, "RAT_PROFILE="), 0);
	loads(&c, "name: a\n", &env); /* empty: unset */
	assert_string_equal(c.profile.name, "small");
	rat_config__free_workspace(&c);
	rat_config__env_free(&env);
	refused("name: a\nresources:\n  profile: huge\n",
		"workspace.yaml:3:12: resources.profile: unknown profile 'huge' (tiny, small, "
		"medium, large, or a file profiles/huge.yaml in the workspace or in RAT_HOME)");
}

static void profile_files_in_the_workspace_win_over_home(void **state)
{
	rat_workspace_config c;
	char path[4300];
	(void)state;

	test_write(home, "profiles/ci.yaml", "extends: tiny\nresources:\n  threads: 7\n");
	loads(&c, "name: a\nresources:\n  profile: ci\n", NULL);
	assert_string_equal(c.profile.name, "ci");
	snprintf(path, sizeof(path), "%s/profiles/ci.yaml", home);
	assert_string_equal(c.profile.source, path);
	assert_int_equal(c.resources[RAT_RES_THREADS], 7);
	assert_int_equal(c.resources[RAT_RES_MAX_MEMORY_MB], 1024);
	rat_config__free_workspace(&c);

	test_write(ws_dir, "profiles/ci.yaml", "resources:\n  threads: 5\n");
	loads(&c, "name: a\nresources:\n  profile: ci\n", NULL);
	snprintf(path, sizeof(path), "%s/profiles/ci.yaml", ws_dir);
	assert_string_equal(c.profile.source, path);
	assert_int_equal(c.resources[RAT_RES_THREADS], 5);
	assert_int_equal(c.resources[RAT_RES_MAX_MEMORY_MB], 4096); /* extends small by default */
	rat_config__free_workspace(&c);
	test_rmtree(home);
	snprintf(path, sizeof(path), "%s/profiles", ws_dir);
	test_rmtree(path);
}

static void the_init_text_reads_back_as_its_defaults(void **state)
{
	rat_workspace_config c;
	char *text;
	(void)state;

	text = rat_config__default_yaml("sales", "Say \"hi\"\\\n\tthen go");
	assert_non_null(text);
	loads(&c, text, NULL);
	assert_string_equal(c.name, "sales");
	assert_string_equal(c.version, "1.0");
	assert_string_equal(c.description, "Say \"hi\"\\\n\tthen go");
	assert_string_equal(c.branch_spec, "workspace/sales");
	assert_string_equal(c.s3_prefix, "sales");
	assert_string_equal(c.profile.name, "small");
	assert_int_equal(c.overridden, 0);
	assert_int_equal(c.layers[RAT_LAYER_BRONZE].retention_days, 90);
	assert_string_equal(c.layers[RAT_LAYER_BRONZE].partition_by.strings[0], "_ingested_date");
	assert_int_equal(c.layers[RAT_LAYER_SILVER].retention_days, 365);
	assert_int_equal(c.layers[RAT_LAYER_GOLD].retention_days, -1);
	assert_int_equal(c.product_count, 0);
	assert_int_equal(c.subscription_count, 0);
	rat_config__free_workspace(&c);
	free(text);
}

static void names_identifiers_and_partitions_are_checked(void **state)
{
	static const char *const good_names[] = { "a", "9lives", "sales-eu_2", "A" };
	static const char *const bad_names[] = { "", "-a", "_a", "a b", "a/b", "a.b", "é" };
	static const char *const good_ids[] = { "a", "_x", "Col_9" };
	static const char *const bad_ids[] = { "", "9a", "a-b", "a b", "a.b" };
	static const char *const good_parts[] = { "ts", "year(ts)", "month(_d)", "day(x1)",
						  "hour(t)" };
	static const char *const bad_parts[] = { "week(ts)", "day()", "day(1x)", "day(ts",
						 "(ts)", "day(a)(b)", "bucket(4, id)" };
	char long_name[80];
	size_t i;
	(void)state;

	for (i = 0; i < RAT_ARRAY_SIZE(good_names); i++)
		assert_true(rat_config__valid_workspace_name(good_names[i]));
	for (i = 0; i < RAT_ARRAY_SIZE(bad_names); i++)
		if (rat_config__valid_workspace_name(bad_names[i]))
			fail_msg("'%s' accepted as a workspace name", bad_names[i]);
	memset(long_name, 'a', 64);
	long_name[64] = '\0';
	assert_true(rat_config__valid_workspace_name(long_name));
	long_name[64] = 'a';
	long_name[65] = '\0';
	assert_false(rat_config__valid_workspace_name(long_name));
	for (i = 0; i < RAT_ARRAY_SIZE(good_ids); i++)
		assert_true(rat_config__valid_identifier(good_ids[i]));
	for (i = 0; i < RAT_ARRAY_SIZE(bad_ids); i++)
		if (rat_config__valid_identifier(bad_ids[i]))
			fail_msg("'%s' accepted as an identifier", bad_ids[i]);
	for (i = 0; i < RAT_ARRAY_SIZE(good_parts); i++)
		if (!rat_config__valid_partition(good_parts[i]))
			fail_msg("'%s' refused as a partition", good_parts[i]);
	for (i = 0; i < RAT_ARRAY_SIZE(bad_parts); i++)
		if (rat_config__valid_partition(bad_parts[i]))
			fail_msg("'%s' accepted as a partition", bad_parts[i]);
}

static int setup(void **state)
{
	dir = test_tmpdir("config_workspace");
	snprintf(ws_dir, sizeof(ws_dir), "%s/ws", dir);
	snprintf(home, sizeof(home), "%s/home", dir);
	*state = dir; /* test_scratch_teardown removes it */
	return 0;
}

/* layers.<layer>.retention_column: a column name; and name: against the folder's name. */
static void retention_column_and_the_folders_name(void **state)
{
	rat_workspace_config c;
	rat_env none = RAT_ENV_INIT;
	char path[4300];
	(void)state;

	loads(&c, "name: a\nlayers:\n  silver:\n    retention_column: sold_on\n", NULL);
	assert_string_equal(c.layers[RAT_LAYER_SILVER].retention_column, "sold_on");
	assert_null(c.layers[RAT_LAYER_BRONZE].retention_column);
	rat_config__free_workspace(&c);
	refused("name: a\nlayers:\n  silver:\n    retention_column: 9lives\n",
		"workspace.yaml:4:23: layers.silver.retention_column: invalid column name '9lives' "
		"(letters, digits and '_', not starting with a digit)");
	refused("name: a\nlayers:\n  silver:\n    retention_column: [a]\n",
		"workspace.yaml:4:24: layers.silver.retention_column: expected a string, got a list");

	/* where the folder names the workspace, name: must be it; mistakes are reported first */
	test_write(ws_dir, "workspace.yaml", "name: sales\nresources: {profile: huge}\n");
	snprintf(path, sizeof(path), "%s/workspace.yaml", ws_dir);
	assert_int_equal(rat_config__load_workspace(&c, path, "workspace.yaml", ws_dir, home, "shop",
						    &none), RAT_EINVALID);
	assert_non_null(strstr(rat_error_last()->message, "resources.profile: unknown profile"));
	test_write(ws_dir, "workspace.yaml", "name: sales\n");
	assert_int_equal(rat_config__load_workspace(&c, path, "workspace.yaml", ws_dir, home, "shop",
						    &none), RAT_EINVALID);
	assert_string_equal(rat_error_last()->message,
			    "workspace.yaml:1:7: name: 'sales' is not the name of the workspace's "
			    "folder, 'shop' (in a workspaces folder, the folder's name is the "
			    "workspace's name: rename the folder to 'sales', or write name: shop)");
	assert_int_equal(rat_config__load_workspace(&c, path, "workspace.yaml", ws_dir, home, "sales",
						    &none), 0);
	rat_config__free_workspace(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_name_alone_takes_every_default),
		cmocka_unit_test(every_key_is_read),
		cmocka_unit_test(an_unset_product_description_is_empty),
		cmocka_unit_test(empty_sections_take_their_defaults),
		cmocka_unit_test(unknown_keys_are_named_with_a_hint),
		cmocka_unit_test(wrong_types_and_duplicates_are_refused),
		cmocka_unit_test(bad_values_are_refused_where_they_are),
		cmocka_unit_test(bad_products_and_subscriptions_are_refused),
		cmocka_unit_test(the_profile_comes_from_yaml_then_rat_profile_then_small),
		cmocka_unit_test(profile_files_in_the_workspace_win_over_home),
		cmocka_unit_test(the_init_text_reads_back_as_its_defaults),
		cmocka_unit_test(names_identifiers_and_partitions_are_checked),
		cmocka_unit_test(retention_column_and_the_folders_name),
	};
	return cmocka_run_group_tests(tests, setup, test_scratch_teardown);
}
