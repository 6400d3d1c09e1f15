/*
 * cli/cmd_main.c - `rat main merge SRC [--dry-run]`: the operator's command,
 * the only one that writes main. Workspaces' commands never do (their
 * catalogs refuse it); this one opens the catalog of the workspace's
 * RAT_HOME as the operator's (rat_catalog_open_operator()).
 */
#include "cli/cli.h"

#include <string.h>

static int run(const cli_args *a)
{
	static const char *const verbs[] = { "merge", NULL };
	int dry_run = cli_has(a, CLI_OPT(DRY_RUN)), status, error;
	rat_workspace *ws = NULL;
	rat_catalog *catalog = NULL;
	rat_merge_outcome m;

	if (a->count == 0)
		return cli_usage(a->cmd, "missing subcommand (merge)");
	if (!cli_listed(verbs, a->pos[0]))
		return cli_unknown_verb(a->cmd, a->pos[0], verbs);
	if (a->count != 2)
		return cli_usage(a->cmd, "merge wants one SRC");
	if (rat_workspace_open(&ws, cli_get(a, CLI_OPT(WORKSPACE))) != 0)
		return cli_fail_lib(NULL);
	if (rat_catalog_open_operator(&catalog, ws) != 0) {
		rat_workspace_free(ws);
		return cli_fail_lib("catalog");
	}
	error = rat_merge(&m, catalog, a->pos[1], "main", dry_run, "operator");
	status = cli_report_merge(error, &m, a->pos[1], "main", dry_run);
	rat_merge_outcome_free(&m);
	rat_catalog_free(catalog);
	rat_workspace_free(ws);
	return status;
}

static const cli_use options[] = {
	{ CLI_OPT(WORKSPACE), "whose RAT_HOME's catalog (the workspace acts as no one)", NULL },
	{ CLI_OPT(DRY_RUN), "say what would happen, write nothing", NULL },
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_main = {
	"main",
	"the operator's command: merge a branch into main",
	run,
	"Usage: rat main merge SRC [--dry-run] [-w NAME|PATH]\n"
	"\n"
	"Bring SRC's table changes into main, as `rat merge` does. Only this\n"
	"command writes main: a workspace's commands (merge --into main, branch,\n"
	"tag, runs) are refused it. SRC is a full ref name (workspace/NAME,\n"
	"dev/<workspace>/NAME). -w only says whose RAT_HOME holds the catalog.\n",
	options,
	NULL,
	NULL,
};
