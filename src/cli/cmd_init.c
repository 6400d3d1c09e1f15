/*
 * cli/cmd_init.c - `rat init NAME [--path DIR] [--description TEXT]`.
 */
#include "cli/cli.h"

static const cli_option path = { "path", 0, CLI_TEXT, "DIR",
				 "create it here (default: <first RAT_WORKSPACES folder>/NAME)", NULL,
				 NULL, NULL };
static const cli_option description = { "description", 'd', CLI_TEXT, "TEXT",
					"description in workspace.yaml (default: \"NAME workspace\")",
					NULL, NULL, NULL };

static int run(const cli_args *a)
{
	rat_workspace_create_options opts = RAT_WORKSPACE_CREATE_OPTIONS_INIT;
	rat_workspace *ws = NULL;
	rat_resources res;

	opts.path = cli_get(a, &path);
	opts.description = cli_get(a, &description);
	if (a->count != 1)
		return cli_usage(a->cmd, a->count == 0 ? "missing workspace NAME" : "too many arguments");
	if (rat_workspace_create(&ws, a->pos[0], &opts) != 0)
		return cli_fail_lib("init");
	rat_workspace_resources(ws, &res);
	printf("Created workspace '%s' in %s\n"
	       "  branch:   %s\n"
	       "  prefix:   %s\n"
	       "  profile:  %s\n"
	       "Add pipelines under %s/pipelines/{bronze,silver,gold}/ and try:\n"
	       "  rat workspace show -w %s\n"
	       "  rat query \"SELECT 42\" -w %s\n",
	       rat_workspace_name(ws), rat_workspace_path(ws), rat_workspace_branch(ws),
	       rat_workspace_s3_prefix(ws), res.profile, rat_workspace_path(ws), rat_workspace_name(ws),
	       rat_workspace_name(ws));
	rat_workspace_free(ws);
	return CLI_OK;
}

static const cli_use options[] = {
	{ &path, NULL, NULL },
	{ &description, NULL, NULL },
	{ NULL, NULL, NULL },
};

/* -p is --pipeline everywhere now. */
static const cli_alias aliases[] = {
	{ "-p", &path, NULL },
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_init = {
	"init",
	"create a workspace",
	run,
	"Usage: rat init NAME [--path DIR] [--description TEXT]\n"
	"\n"
	"Create a workspace folder with workspace.yaml and the layout\n"
	"pipelines/{bronze,silver,gold}/, schemas/, macros/, notebooks/.\n",
	options,
	aliases,
	"A target that exists and is not an empty folder is refused; nothing is written.\n",
};
