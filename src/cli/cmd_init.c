/*
 * cli/cmd_init.c - `rat init NAME [--path DIR] [--description TEXT]`.
 */
#include "cli/cli.h"

#include <getopt.h>

static int run(int argc, char **argv)
{
	static const struct option options[] = {
		{ "path", required_argument, NULL, 'p' },
		{ "description", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	rat_workspace_create_options opts = RAT_WORKSPACE_CREATE_OPTIONS_INIT;
	rat_workspace *ws = NULL;
	rat_resources res;
	int c;

	optind = 0;
	opterr = 0; /* we word the message ourselves */
	while ((c = getopt_long(argc, argv, "p:d:h", options, NULL)) != -1) {
		switch (c) {
		case 'p': opts.path = optarg; break;
		case 'd': opts.description = optarg; break;
		case 'h': return cli_help(&cli_cmd_init);
		default: return cli_usage(&cli_cmd_init, "unknown option \'%s\'", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return cli_usage(&cli_cmd_init, optind == argc ? "missing workspace NAME"
							       : "too many arguments");
	if (rat_workspace_create(&ws, argv[optind], &opts) != 0)
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

const cli_command cli_cmd_init = {
	"init",
	"create a workspace",
	run,
	"Usage: rat init NAME [--path DIR] [--description TEXT]\n"
	"\n"
	"Create a workspace folder with workspace.yaml and the layout\n"
	"pipelines/{bronze,silver,gold}/, schemas/, macros/, notebooks/.\n"
	"\n"
	"Options:\n"
	"  -p, --path DIR          create it here (default: <first RAT_WORKSPACES folder>/NAME)\n"
	"  -d, --description TEXT  description in workspace.yaml (default: \"NAME workspace\")\n"
	"  -h, --help              show this help\n"
	"\n"
	"A target that exists and is not an empty folder is refused; nothing is written.\n",
};
