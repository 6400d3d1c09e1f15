/*
 * cli/cmd_merge.c - `rat merge SRC [--into DST] [--dry-run]`.
 */
#include "cli/cli.h"

static const cli_option into = { "into", 'i', CLI_TEXT, "DST",
				 "the branch to merge into (default: the workspace's branch)", NULL,
				 NULL, NULL };

static int run(const cli_args *a)
{
	const char *target = cli_get(a, &into);
	rat_workspace *ws = NULL;
	rat_catalog *catalog = NULL;
	rat_merge_outcome m;
	int dry_run = cli_has(a, CLI_OPT(DRY_RUN)), status, error;

	if (a->count != 1)
		return cli_usage(a->cmd, "wants one SRC");
	if ((status = cli_open_catalog(cli_get(a, CLI_OPT(WORKSPACE)), &ws, &catalog)) != CLI_OK)
		return status;
	if (!target)
		target = rat_workspace_branch(ws);
	error = rat_merge(&m, catalog, a->pos[0], target, dry_run, rat_workspace_name(ws));
	status = cli_report_merge(error, &m, a->pos[0], target, dry_run);
	rat_merge_outcome_free(&m);
	rat_catalog_free(catalog);
	rat_workspace_free(ws);
	return status;
}

static const cli_use options[] = {
	{ CLI_OPT(WORKSPACE), NULL, NULL },
	{ &into, NULL, NULL },
	{ CLI_OPT(DRY_RUN), "say what would happen, write nothing", NULL },
	{ NULL, NULL, NULL },
};

/* -n is --limit everywhere now. */
static const cli_alias aliases[] = {
	{ "-n", CLI_OPT(DRY_RUN), NULL },
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_merge = {
	"merge",
	"merge a branch into another",
	run,
	"Usage: rat merge SRC [--into DST] [--dry-run]\n"
	"\n"
	"Bring SRC's table changes into DST (default: the workspace's branch): a\n"
	"fast-forward when DST has not moved, else a merge commit. A table both\n"
	"sides changed is a conflict: it is listed and nothing is written.\n"
	"DST must be a branch the workspace owns; main is written only by the\n"
	"operator's `rat main merge SRC`.\n",
	options,
	aliases,
	NULL,
};
