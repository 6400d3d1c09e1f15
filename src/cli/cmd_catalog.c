/*
 * cli/cmd_catalog.c - `rat catalog backup FILE` and `rat catalog restore
 * FILE`: the operator's copy of the catalog of a RAT_HOME, and putting one
 * back (rat_catalog_backup(), rat_catalog_restore()).
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static int run(const cli_args *a)
{
	static const char *const verbs[] = { "backup", "restore", NULL };
	rat_workspace *ws = NULL;
	char kept[4096];
	int status = CLI_OK;

	if (a->count == 0)
		return cli_usage(a->cmd, "missing subcommand (backup, restore)");
	if (!cli_listed(verbs, a->pos[0]))
		return cli_unknown_verb(a->cmd, a->pos[0], verbs);
	if (a->count != 2)
		return cli_usage(a->cmd, "%s wants one FILE", a->pos[0]);
	if (rat_workspace_open(&ws, cli_get(a, CLI_OPT(WORKSPACE))) != 0)
		return cli_fail_lib(NULL);
	if (strcmp(a->pos[0], "backup") == 0) {
		if (rat_catalog_backup(ws, a->pos[1]) != 0)
			status = cli_fail_lib("catalog backup");
		else
			printf("Wrote a copy of %s to %s\n", rat_workspace_catalog_path(ws), a->pos[1]);
	} else if (rat_catalog_restore(ws, a->pos[1], kept, sizeof(kept)) != 0) {
		status = cli_fail_lib("catalog restore");
	} else {
		printf("Restored %s from %s\n", rat_workspace_catalog_path(ws), a->pos[1]);
		if (kept[0])
			printf("The catalog it replaced is kept in %s\n", kept);
	}
	rat_workspace_free(ws);
	return status;
}

static const cli_use options[] = {
	{ CLI_OPT(WORKSPACE), "whose RAT_HOME's catalog", NULL },
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_catalog = {
	"catalog",
	"the operator's commands: back up and restore the catalog",
	run,
	"Usage: rat catalog backup FILE [-w NAME|PATH]\n"
	"       rat catalog restore FILE [-w NAME|PATH]\n"
	"\n"
	"backup   copy the catalog of the workspace's RAT_HOME (refs, commits,\n"
	"         workspace identities, products) into FILE, a new file: a\n"
	"         consistent copy, taken while runs and servers go on using it\n"
	"restore  check FILE, keep the current catalog as a backup beside it\n"
	"         (catalog.db.before-restore-<time>), and replace the catalog with\n"
	"         FILE's; every process using it sees the old or the restored\n"
	"         catalog, never a mix\n"
	"\n"
	"The tables' files (the warehouse) are not in the catalog: back them up\n"
	"with the storage. -w only says whose RAT_HOME holds the catalog.\n",
	options,
	NULL,
	NULL,
};
