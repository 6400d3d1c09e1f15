/*
 * cli/cmd_merge.c - `rat merge SRC [--into DST] [--dry-run]`.
 */
#include "cli/cli.h"

#include <getopt.h>

static int run(int argc, char **argv)
{
	static const struct option options[] = {
		{ "workspace", required_argument, NULL, 'w' },
		{ "into", required_argument, NULL, 'i' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *workspace = NULL, *into = NULL;
	rat_workspace *ws = NULL;
	rat_catalog *catalog = NULL;
	rat_merge_outcome m;
	int c, dry_run = 0, status, error;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "w:i:nh", options, NULL)) != -1) {
		switch (c) {
		case 'w': workspace = optarg; break;
		case 'i': into = optarg; break;
		case 'n': dry_run = 1; break;
		case 'h': return cli_help(&cli_cmd_merge);
		default: return cli_usage(&cli_cmd_merge, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return cli_usage(&cli_cmd_merge, "wants one SRC");
	if ((status = cli_open_catalog(workspace, &ws, &catalog)) != CLI_OK)
		return status;
	if (!into)
		into = rat_workspace_branch(ws);
	error = rat_merge(&m, catalog, argv[optind], into, dry_run, rat_workspace_name(ws));
	status = cli_report_merge(error, &m, argv[optind], into, dry_run);
	rat_merge_outcome_free(&m);
	rat_catalog_free(catalog);
	rat_workspace_free(ws);
	return status;
}

const cli_command cli_cmd_merge = {
	"merge",
	"merge a branch into another",
	run,
	"Usage: rat merge SRC [--into DST] [--dry-run]\n"
	"\n"
	"Bring SRC's table changes into DST (default: the workspace's branch): a\n"
	"fast-forward when DST has not moved, else a merge commit. A table both\n"
	"sides changed is a conflict: it is listed and nothing is written.\n"
	"\n"
	"Options:\n"
	"  -w, --workspace NAME|PATH  the workspace\n"
	"  -i, --into DST             the branch to merge into\n"
	"  -n, --dry-run              say what would happen, write nothing\n"
	"  -h, --help                 show this help\n",
};
