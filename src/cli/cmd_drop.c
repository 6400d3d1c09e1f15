/*
 * cli/cmd_drop.c - `rat drop TABLE [-w W] [--dry-run]`: remove a table or
 * view from the workspace's branch, in one catalog commit. It asks nothing:
 * --dry-run says what it would do. The files stay for `rat vacuum`, and a
 * pipeline's table is built again by the next run.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

/*
 * Say which pipeline builds key, if one does. A workspace whose pipelines
 * do not load gets no note: the drop is done, and `rat run` will say why.
 */
static void note_pipeline(const rat_workspace *ws, const char *key)
{
	rat_pipeline_list list;
	size_t i;

	if (rat_pipeline_list_get(&list, ws) != 0) {
		rat_error_clear();
		return;
	}
	for (i = 0; i < list.count; i++)
		if (strcmp(list.items[i].key, key) == 0)
			printf("%s builds it again, from scratch, on the next `rat run`.\n",
			       list.items[i].path);
	rat_pipeline_list_free(&list);
}

static int run(const cli_args *a)
{
	rat_table_drop_options opts = RAT_TABLE_DROP_OPTIONS_INIT;
	rat_table_drop_result result;
	rat_workspace *ws = NULL;
	const char *table = NULL;
	int status;

	if ((status = cli_table_arg(a, &table)) != CLI_OK)
		return status;
	if (rat_workspace_open(&ws, cli_get(a, CLI_OPT(WORKSPACE))) != 0)
		return cli_fail_lib(NULL);
	opts.dry_run = cli_has(a, CLI_OPT(DRY_RUN));
	if (rat_table_drop(&result, ws, table, &opts) != 0) {
		status = cli_fail_lib(NULL);
	} else if (opts.dry_run) {
		printf("Would drop %s %s from %s; nothing written.\n", result.was_view ? "view" : "table",
		       table, result.branch);
	} else {
		printf("Dropped %s %s from %s (commit %.12s).\n", result.was_view ? "view" : "table",
		       table, result.branch, result.commit);
		printf("Older commits still read it (rat query --ref); its files stay until `rat "
		       "vacuum`.\n");
		note_pipeline(ws, table);
	}
	rat_workspace_free(ws);
	return status;
}

static const cli_use options[] = {
	{ CLI_OPT(WORKSPACE), NULL, NULL },
	{ CLI_OPT(DRY_RUN), "say what would be dropped; commit nothing", NULL },
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_drop = {
	"drop",
	"remove a table or view from the workspace's branch",
	run,
	"Usage: rat drop TABLE [-w NAME|PATH] [--dry-run]\n"
	"\n"
	"Remove TABLE (layer.table) from the workspace's branch, in one catalog commit.\n"
	"Nothing is asked. Older commits, tags and other branches still read it; its\n"
	"files stay until `rat vacuum` removes what no ref reads. A pipeline's table is\n"
	"built again, from scratch (its landing files too), by the next `rat run`.\n",
	options,
	NULL,
	NULL,
};
