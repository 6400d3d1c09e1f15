/*
 * cli/cmd_workspace.c - `rat workspace list` and `rat workspace show [-w W]`.
 */
#include "cli/cli.h"

#include <inttypes.h>
#include <string.h>

static void show_resources(const rat_workspace *ws)
{
	rat_resources r;

	rat_workspace_resources(ws, &r);
#define OVERRIDE(bit) ((r.overridden & (bit)) ? "  (override)" : "")
	printf("Profile:       %s (%s)\n", r.profile, r.profile_source);
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

static int show_pipelines(const rat_workspace *ws)
{
	int i;

	printf("Pipelines:\n");
	for (i = 0; i < RAT_LAYER_COUNT; i++) {
		rat_strarray names = RAT_STRARRAY_INIT;
		size_t j;
		if (rat_workspace_list_pipelines(&names, ws, (rat_layer)i) != 0)
			return cli_fail_lib(NULL);
		printf("  %-7s %s", rat_layer_name((rat_layer)i), names.count ? "" : "(none)");
		for (j = 0; j < names.count; j++)
			printf("%s%s", j ? ", " : "", names.strings[j]);
		printf("\n");
		rat_strarray_free(&names);
	}
	return CLI_OK;
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

static int show(const char *name)
{
	rat_workspace *ws = NULL;
	char *storage = NULL;
	int status;

	if (rat_workspace_open(&ws, name) != 0)
		return cli_fail_lib(NULL);
	if (rat_workspace_storage_path(&storage, ws, "bronze", NULL) != 0) {
		rat_workspace_free(ws);
		return cli_fail_lib(NULL);
	}
	/* the workspace's storage root: the bronze folder without "bronze/" */
	storage[strlen(storage) - strlen("bronze/")] = '\0';
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
	show_s3(ws);
	show_resources(ws);
	show_layers(ws);
	status = show_pipelines(ws);
	if (status == CLI_OK)
		show_products(ws);
	rat_free(storage);
	rat_workspace_free(ws);
	return status;
}

static int list(void)
{
	rat_strarray paths = RAT_STRARRAY_INIT;
	size_t i;
	int status = CLI_OK;

	if (rat_workspace_list(&paths) != 0)
		return cli_fail_lib(NULL);
	if (paths.count == 0)
		printf("No workspaces found (RAT_WORKSPACES folders are searched; create one with "
		       "`rat init NAME`).\n");
	else
		printf("%-24s %-32s %s\n", "NAME", "BRANCH", "PATH");
	for (i = 0; i < paths.count; i++) {
		rat_workspace *ws = NULL;
		if (rat_workspace_open(&ws, paths.strings[i]) != 0) {
			status = cli_fail_lib(paths.strings[i]);
			continue;
		}
		printf("%-24s %-32s %s\n", rat_workspace_name(ws), rat_workspace_branch(ws),
		       rat_workspace_path(ws));
		rat_workspace_free(ws);
	}
	rat_strarray_free(&paths);
	return status;
}

static int run(const cli_args *a)
{
	static const char *const verbs[] = { "list", "show", NULL };
	const char *workspace = cli_get(a, CLI_OPT(WORKSPACE));

	if (a->count == 0)
		return cli_usage(a->cmd, "missing subcommand (list, show)");
	if (a->count > 1)
		return cli_usage(a->cmd, "too many arguments");
	if (strcmp(a->pos[0], "list") == 0)
		return workspace ? cli_usage(a->cmd, "list takes no -w") : list();
	if (strcmp(a->pos[0], "show") == 0)
		return show(workspace);
	return cli_unknown_verb(a->cmd, a->pos[0], verbs);
}

static const cli_use options[] = {
	{ CLI_OPT(WORKSPACE), NULL, NULL },
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_workspace = {
	"workspace",
	"list workspaces, show one's settings",
	run,
	"Usage: rat workspace list\n"
	"       rat workspace show [-w NAME|PATH]\n"
	"\n"
	"list  the workspaces in the RAT_WORKSPACES folders (default ./workspaces)\n"
	"show  a workspace's resolved settings: branch, storage prefix and path,\n"
	"      RAT_HOME and how it was found, the S3 endpoint and access key in\n"
	"      effect (never the secret), profile with the effective limits after\n"
	"      overrides, layers, pipelines by layer, products and subscriptions\n",
	options,
	NULL,
	NULL,
};
