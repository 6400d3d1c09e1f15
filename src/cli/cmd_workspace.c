/*
 * cli/cmd_workspace.c - `rat workspace list` and `rat workspace show [-w W]`,
 * as text or JSON; `rat workspace move` (the catalog records where and as a
 * workspace is now); and the warnings, where a session or a run starts, that a
 * profile gives the engine more memory than the machine has, and what of its
 * file (the original Ratatouille's form) is not applied.
 */
#include "cli/cli.h"

#include <inttypes.h>
#include <string.h>

/* "64 GiB", "23.5 GiB" */
static void gib(char *out, size_t len, int64_t mb)
{
	if (mb % 1024 == 0)
		snprintf(out, len, "%" PRId64 " GiB", mb / 1024);
	else
		snprintf(out, len, "%.1f GiB", (double)mb / 1024.0);
}

/*
 * The engine's memory against the machine's: each session gets
 * engine_memory_mb, and a run has up to max_parallel_pipelines sessions.
 */
void cli_warn_memory(const rat_workspace *ws, bool run)
{
	static bool warned;
	rat_resources r;
	int64_t machine = 0, sessions;
	char engine[32], have[32], all[32];

	if (warned)
		return;
	warned = true;
	rat_workspace_resources(ws, &r);
	if (*r.profile_ignored)
		fprintf(stderr, "rat: warning: profile %s (%s): not applied: %s\n", r.profile,
			r.profile_source, r.profile_ignored);
	if (rat_engine_machine_memory_mb(&machine) != 0)
		return;
	sessions = run && r.max_parallel_pipelines > 1 ? r.max_parallel_pipelines : 1;
	gib(engine, sizeof(engine), r.engine_memory_mb);
	gib(have, sizeof(have), machine);
	gib(all, sizeof(all), r.engine_memory_mb * sessions);
	if (r.engine_memory_mb > machine)
		fprintf(stderr, "rat: warning: profile %s gives the engine %s (%s %" PRId64
				"); this machine has %s\n",
			r.profile, engine,
			r.engine_memory_mb < r.duckdb_memory_mb ? "max_memory_mb" : "duckdb_memory_mb",
			r.engine_memory_mb, have);
	else if (r.engine_memory_mb * sessions > machine)
		fprintf(stderr, "rat: warning: profile %s runs up to %" PRId64 " pipelines at once "
				"with %s each (%s); this machine has %s\n",
			r.profile, sessions, engine, all, have);
}

static void show_resources(const rat_workspace *ws)
{
	rat_resources r;
	int64_t machine;
	char have[32];

	rat_workspace_resources(ws, &r);
#define OVERRIDE(bit) ((r.overridden & (bit)) ? "  (override)" : "")
	printf("Profile:       %s (%s)\n", r.profile, r.profile_source);
	if (*r.profile_ignored)
		printf("  not applied: %s\n", r.profile_ignored);
	printf("  max_memory_mb           %-8" PRId64 "%s\n", r.max_memory_mb,
	       OVERRIDE(RAT_RESOURCE_MAX_MEMORY_MB));
	printf("  duckdb_memory_mb        %-8" PRId64 "%s\n", r.duckdb_memory_mb,
	       OVERRIDE(RAT_RESOURCE_DUCKDB_MEMORY_MB));
	printf("  chunk_size_rows         %-8" PRId64 "%s\n", r.chunk_size_rows,
	       OVERRIDE(RAT_RESOURCE_CHUNK_SIZE_ROWS));
	printf("  max_parallel_pipelines  %-8" PRId64 "%s\n", r.max_parallel_pipelines,
	       OVERRIDE(RAT_RESOURCE_MAX_PARALLEL_PIPELINES));
	printf("  threads                 %-8" PRId64 "%s\n", r.threads,
	       OVERRIDE(RAT_RESOURCE_THREADS));
#undef OVERRIDE
	printf("  engine memory_limit     %" PRId64 " MiB%s\n", r.engine_memory_mb,
	       r.engine_memory_mb < r.duckdb_memory_mb ? " (duckdb_memory_mb capped by max_memory_mb)"
						       : "");
	if (rat_engine_machine_memory_mb(&machine) == 0) {
		gib(have, sizeof(have), machine);
		printf("  machine memory          %s%s\n", have,
		       r.engine_memory_mb > machine ? " (less than the engine's memory_limit)" : "");
	}
}

/* Where an S3 warehouse is reached, and how (never the secret key). */
static void show_s3(const rat_workspace *ws)
{
	rat_s3_info s3;

	rat_workspace_s3(ws, &s3);
	if (!s3.endpoint[0])
		return;
	printf("S3 endpoint:   %s (%s)\n", s3.endpoint, s3.origin);
	printf("S3 region:     %s\n", s3.region);
	if (s3.access_key[0])
		printf("S3 access key: %s (requests signed)\n", s3.access_key);
	else
		printf("S3 access key: none (requests not signed: public buckets only)\n");
}

static void show_layers(const rat_workspace *ws)
{
	int i;

	printf("Layers:\n");
	for (i = 0; i < RAT_LAYER_COUNT; i++) {
		rat_layer_settings layer;
		size_t j;
		rat_workspace_layer(ws, (rat_layer)i, &layer);
		printf("  %-7s retention ", rat_layer_name((rat_layer)i));
		if (layer.retention_days < 0)
			printf("forever");
		else
			printf("%" PRId64 " days", layer.retention_days);
		if (layer.retention_days >= 0)
			printf(" by %s", layer.retention_column[0] ? layer.retention_column
								   : "load time");
		if (layer.partition_by_count) {
			printf(", partition_by [");
			for (j = 0; j < layer.partition_by_count; j++)
				printf("%s%s", j ? ", " : "", layer.partition_by[j]);
			printf("]");
		}
		printf("\n");
	}
}

static void show_pipelines(const rat_strarray *pipelines)
{
	int i;

	printf("Pipelines:\n");
	for (i = 0; i < RAT_LAYER_COUNT; i++) {
		size_t j;
		printf("  %-7s %s", rat_layer_name((rat_layer)i), pipelines[i].count ? "" : "(none)");
		for (j = 0; j < pipelines[i].count; j++)
			printf("%s%s", j ? ", " : "", pipelines[i].strings[j]);
		printf("\n");
	}
}

static void show_products(const rat_workspace *ws)
{
	size_t i, j, n = rat_workspace_product_count(ws);

	printf("Products:%s\n", n ? "" : "      (none)");
	for (i = 0; i < n; i++) {
		const rat_product_config *p = rat_workspace_product(ws, i);
		printf("  %s <- %s", p->name, p->source);
		if (p->sla_freshness_hours > 0)
			printf(", fresh within %g h", p->sla_freshness_hours);
		printf(", access:");
		for (j = 0; j < p->access_count; j++)
			printf(" %s=%s", p->access[j].workspace, p->access[j].level);
		printf("%s\n", p->access_count ? "" : " owner only");
	}
	n = rat_workspace_subscription_count(ws);
	printf("Subscriptions:%s\n", n ? "" : " (none)");
	for (i = 0; i < n; i++) {
		const rat_subscription_config *s = rat_workspace_subscription(ws, i);
		printf("  products.%s <- %s %s\n", s->alias, s->product, s->version_constraint);
	}
}

static void json_resources(cli_json *j, const rat_workspace *ws)
{
	static const struct {
		const char *key;
		unsigned int bit;
	} keys[] = {
		{ "max_memory_mb", RAT_RESOURCE_MAX_MEMORY_MB },
		{ "duckdb_memory_mb", RAT_RESOURCE_DUCKDB_MEMORY_MB },
		{ "chunk_size_rows", RAT_RESOURCE_CHUNK_SIZE_ROWS },
		{ "max_parallel_pipelines", RAT_RESOURCE_MAX_PARALLEL_PIPELINES },
		{ "threads", RAT_RESOURCE_THREADS },
	};
	rat_resources r;
	int64_t machine = 0;
	size_t i;

	rat_workspace_resources(ws, &r);
	cli_json_object(j, "resources");
	cli_json_text(j, "profile", r.profile);
	cli_json_text(j, "profile_source", r.profile_source);
	cli_json_text(j, "profile_ignored", r.profile_ignored);
	cli_json_int(j, "max_memory_mb", r.max_memory_mb);
	cli_json_int(j, "duckdb_memory_mb", r.duckdb_memory_mb);
	cli_json_int(j, "chunk_size_rows", r.chunk_size_rows);
	cli_json_int(j, "max_parallel_pipelines", r.max_parallel_pipelines);
	cli_json_int(j, "threads", r.threads);
	cli_json_int(j, "engine_memory_mb", r.engine_memory_mb);
	if (rat_engine_machine_memory_mb(&machine) == 0)
		cli_json_int(j, "machine_memory_mb", machine);
	else
		cli_json_null(j, "machine_memory_mb");
	cli_json_array(j, "overridden");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (r.overridden & keys[i].bit)
			cli_json_text(j, NULL, keys[i].key);
	cli_json_close(j);
	cli_json_close(j);
}

static void json_layers(cli_json *j, const rat_workspace *ws, const rat_strarray *pipelines)
{
	int i;

	cli_json_array(j, "layers");
	for (i = 0; i < RAT_LAYER_COUNT; i++) {
		rat_layer_settings layer;
		rat_workspace_layer(ws, (rat_layer)i, &layer);
		cli_json_object(j, NULL);
		cli_json_text(j, "layer", rat_layer_name((rat_layer)i));
		cli_json_count(j, "retention_days", layer.retention_days);
		cli_json_strings(j, "partition_by", layer.partition_by, layer.partition_by_count);
		cli_json_strings(j, "pipelines", (const char *const *)pipelines[i].strings,
				 pipelines[i].count);
		cli_json_close(j);
	}
	cli_json_close(j);
}

static void json_product(cli_json *j, const rat_product_config *p)
{
	size_t i;

	cli_json_object(j, NULL);
	cli_json_text(j, "name", p->name);
	cli_json_text(j, "source", p->source);
	cli_json_unset(j, "description", p->description);
	if (p->sla_freshness_hours > 0)
		cli_json_double(j, "sla_freshness_hours", p->sla_freshness_hours);
	else
		cli_json_null(j, "sla_freshness_hours");
	cli_json_array(j, "access");
	for (i = 0; i < p->access_count; i++) {
		cli_json_object(j, NULL);
		cli_json_text(j, "workspace", p->access[i].workspace);
		cli_json_text(j, "level", p->access[i].level);
		cli_json_close(j);
	}
	cli_json_close(j);
	cli_json_close(j);
}

static void json_products(cli_json *j, const rat_workspace *ws)
{
	size_t i, n = rat_workspace_product_count(ws);

	cli_json_array(j, "products");
	for (i = 0; i < n; i++)
		json_product(j, rat_workspace_product(ws, i));
	cli_json_close(j);
	cli_json_array(j, "subscriptions");
	for (i = 0, n = rat_workspace_subscription_count(ws); i < n; i++) {
		const rat_subscription_config *s = rat_workspace_subscription(ws, i);
		cli_json_object(j, NULL);
		cli_json_text(j, "alias", s->alias);
		cli_json_text(j, "product", s->product);
		cli_json_text(j, "version_constraint", s->version_constraint);
		cli_json_close(j);
	}
	cli_json_close(j);
}

static int show_json(const rat_workspace *ws, const char *storage, const rat_strarray *pipelines)
{
	cli_json j;

	cli_json_begin(&j, stdout);
	cli_json_object(&j, NULL);
	cli_json_text(&j, "name", rat_workspace_name(ws));
	cli_json_unset(&j, "description", rat_workspace_description(ws));
	cli_json_text(&j, "path", rat_workspace_path(ws));
	cli_json_text(&j, "config_path", rat_workspace_config_path(ws));
	cli_json_text(&j, "branch", rat_workspace_branch(ws));
	cli_json_unset(&j, "nessie_branch", rat_workspace_branch_spec(ws));
	cli_json_text(&j, "s3_prefix", rat_workspace_s3_prefix(ws));
	cli_json_text(&j, "storage_path", storage);
	cli_json_text(&j, "rat_home", rat_workspace_home(ws));
	cli_json_text(&j, "catalog", rat_workspace_catalog_server(ws) ? rat_workspace_catalog_server(ws)
								  : rat_workspace_catalog_path(ws));
	cli_json_text(&j, "warehouse", rat_workspace_warehouse(ws));
	json_resources(&j, ws);
	json_layers(&j, ws, pipelines);
	json_products(&j, ws);
	return cli_json_end(&j);
}

static void show_text(const rat_workspace *ws, const char *storage,
		      const rat_strarray *pipelines)
{
	printf("Workspace:     %s\n", rat_workspace_name(ws));
	if (rat_workspace_description(ws)[0])
		printf("Description:   %s\n", rat_workspace_description(ws));
	printf("Path:          %s\n", rat_workspace_path(ws));
	printf("Branch:        %s", rat_workspace_branch(ws));
	if (rat_workspace_branch_spec(ws)[0] &&
	    strcmp(rat_workspace_branch_spec(ws), rat_workspace_branch(ws)) != 0)
		printf("  (nessie_branch: %s)", rat_workspace_branch_spec(ws));
	printf("\nS3 prefix:     %s\n", rat_workspace_s3_prefix(ws));
	printf("Storage path:  %s\n", storage);
	printf("RAT_HOME:      %s (%s)\n", rat_workspace_home(ws), rat_workspace_home_origin(ws));
	if (rat_workspace_catalog_server(ws))
		printf("Catalog:       rat serve at %s (NESSIE_URI)\n", rat_workspace_catalog_server(ws));
	else
		printf("Catalog:       %s%s\n", rat_workspace_catalog_path(ws),
		       rat_workspace_catalog_exists(ws) ? "" : " (not made yet: the first run makes it)");
	show_s3(ws);
	show_resources(ws);
	show_layers(ws);
	show_pipelines(pipelines);
	show_products(ws);
}

/* Each layer's pipelines, into pipelines[RAT_LAYER_COUNT]. */
static int load_pipelines(rat_strarray *pipelines, const rat_workspace *ws)
{
	int i;

	for (i = 0; i < RAT_LAYER_COUNT; i++)
		if (rat_workspace_list_pipelines(&pipelines[i], ws, (rat_layer)i) != 0)
			return cli_fail_lib(NULL);
	return CLI_OK;
}

static int show(const char *name, bool json)
{
	rat_strarray pipelines[RAT_LAYER_COUNT] = { RAT_STRARRAY_INIT, RAT_STRARRAY_INIT,
						    RAT_STRARRAY_INIT };
	rat_workspace *ws = NULL;
	char *storage = NULL;
	int status, i;

	if (rat_workspace_open(&ws, name) != 0)
		return cli_fail_lib(NULL);
	if (rat_workspace_storage_path(&storage, ws, "bronze", NULL) != 0) {
		rat_workspace_free(ws);
		return cli_fail_lib(NULL);
	}
	/* the workspace's storage root: the bronze folder without "bronze/" */
	storage[strlen(storage) - strlen("bronze/")] = '\0';
	if ((status = load_pipelines(pipelines, ws)) == CLI_OK && json)
		status = show_json(ws, storage, pipelines);
	else if (status == CLI_OK)
		show_text(ws, storage, pipelines);
	for (i = 0; i < RAT_LAYER_COUNT; i++)
		rat_strarray_free(&pipelines[i]);
	rat_free(storage);
	rat_workspace_free(ws);
	return status;
}

/* Every workspace found: name, branch, path; one that does not load is an error. */
static int list_into(cli_columns *t, cli_json *j, const rat_strarray *paths)
{
	size_t i;
	int status = CLI_OK;

	for (i = 0; i < paths->count; i++) {
		rat_workspace *ws = NULL;
		const char *cells[3];
		if (rat_workspace_open(&ws, paths->strings[i]) != 0) {
			status = cli_fail_lib(paths->strings[i]);
			continue;
		}
		cells[0] = rat_workspace_name(ws);
		cells[1] = rat_workspace_branch(ws);
		cells[2] = rat_workspace_path(ws);
		if (j) {
			cli_json_object(j, NULL);
			cli_json_text(j, "name", cells[0]);
			cli_json_text(j, "branch", cells[1]);
			cli_json_text(j, "path", cells[2]);
			cli_json_close(j);
		} else if (cli_columns_row(t, cells) != CLI_OK) {
			status = CLI_FAILURE;
		}
		rat_workspace_free(ws);
	}
	return status;
}

static int list(bool json)
{
	static const char *const heads[] = { "NAME", "BRANCH", "PATH" };
	rat_strarray paths = RAT_STRARRAY_INIT;
	cli_columns t;
	cli_json j;
	int status;

	if (rat_workspace_list(&paths) != 0)
		return cli_fail_lib(NULL);
	cli_json_begin(&j, stdout);
	if (json)
		cli_json_array(&j, NULL);
	status = cli_columns_init(&t, 3, heads, "lll");
	if (status == CLI_OK)
		status = list_into(&t, json ? &j : NULL, &paths);
	if (json && cli_json_end(&j) != CLI_OK)
		status = CLI_FAILURE;
	else if (!json && paths.count == 0)
		printf("No workspaces found (RAT_WORKSPACES folders are searched; create one with "
		       "`rat init NAME`).\n");
	else if (!json)
		cli_columns_print(&t, stdout);
	cli_columns_free(&t);
	rat_strarray_free(&paths);
	return status;
}

/* `rat workspace move`: the catalog records the workspace where and as it is now. */
static int move(const char *workspace)
{
	rat_workspace *ws = NULL;
	int status = CLI_OK;

	if (rat_workspace_open(&ws, workspace) != 0)
		return cli_fail_lib(NULL);
	if (rat_workspace_move(ws) != 0)
		status = cli_fail_lib("workspace move");
	else
		printf("Recorded workspace '%s': folder %s, branch %s, storage prefix %s\n",
		       rat_workspace_name(ws), rat_workspace_path(ws), rat_workspace_branch(ws),
		       rat_workspace_s3_prefix(ws));
	rat_workspace_free(ws);
	return status;
}

static int run(const cli_args *a)
{
	static const char *const verbs[] = { "list", "show", "move", NULL };
	const char *workspace = cli_get(a, CLI_OPT(WORKSPACE));

	if (a->count == 0)
		return cli_usage(a->cmd, "missing subcommand (list, show, move)");
	if (a->count > 1)
		return cli_usage(a->cmd, "too many arguments");
	if (strcmp(a->pos[0], "list") == 0)
		return workspace ? cli_usage(a->cmd, "list takes no -w") : list(cli_wants_json(a));
	if (strcmp(a->pos[0], "show") == 0)
		return show(workspace, cli_wants_json(a));
	if (strcmp(a->pos[0], "move") == 0)
		return cli_wants_json(a) ? cli_usage(a->cmd, "move takes no --format") : move(workspace);
	return cli_unknown_verb(a->cmd, a->pos[0], verbs);
}

static const cli_use options[] = {
	{ CLI_OPT(WORKSPACE), NULL, NULL },
	CLI_USE_FORMATS("console (default) or json"),
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_workspace = {
	"workspace",
	"list workspaces, show one's settings, record a moved one",
	run,
	"Usage: rat workspace list [--json]\n"
	"       rat workspace show [-w NAME|PATH] [--json]\n"
	"       rat workspace move [-w NAME|PATH]\n"
	"\n"
	"list  the workspaces in the RAT_WORKSPACES folders (default ./workspaces)\n"
	"show  a workspace's resolved settings: branch, storage prefix and path,\n"
	"      RAT_HOME and how it was found, the S3 endpoint and access key in\n"
	"      effect (never the secret), profile with the effective limits after\n"
	"      overrides, layers, pipelines by layer, products and subscriptions\n"
	"move  record in the catalog the workspace's folder, storage prefix and\n"
	"      branch as they are now (after moving its folder or editing its\n"
	"      isolation settings); refused if another workspace claims one of them\n",
	options,
	NULL,
	NULL,
};
