/*
 * cli/cmd_branch.c - `rat branch [list|create|delete]` and `rat tag [list|create|delete]`.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <string.h>

static int list(rat_catalog *catalog, const rat_workspace *ws, int tags)
{
	rat_ref_list refs;
	size_t i;

	if (rat_ref_list_get(&refs, catalog) != 0)
		return cli_fail_lib(NULL);
	for (i = 0; i < refs.count; i++) {
		const rat_ref_info *r = &refs.items[i];
		if (r->is_tag != tags)
			continue;
		printf("%c %-40s %.12s\n", !tags && strcmp(r->name, rat_workspace_branch(ws)) == 0 ? '*' : ' ',
		       r->name, r->hash);
	}
	rat_ref_list_free(&refs);
	return CLI_OK;
}

static int run_refs(const cli_command *cmd, int tags, int argc, char **argv)
{
	static const struct option options[] = {
		{ "workspace", required_argument, NULL, 'w' },
		{ "from", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *workspace = NULL, *from = NULL, *verb = "list";
	rat_workspace *ws = NULL;
	rat_catalog *catalog = NULL;
	int c, status;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "w:f:h", options, NULL)) != -1) {
		switch (c) {
		case 'w': workspace = optarg; break;
		case 'f': from = optarg; break;
		case 'h': return cli_help(cmd);
		default: return cli_usage(cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		verb = argv[optind++];
	if (strcmp(verb, "list") != 0 && strcmp(verb, "create") != 0 && strcmp(verb, "delete") != 0)
		return cli_usage(cmd, "unknown subcommand '%s' (list, create, delete)", verb);
	if (strcmp(verb, "list") != 0 && optind + 1 != argc)
		return cli_usage(cmd, "%s needs one NAME", verb);
	if ((status = cli_open_catalog(workspace, &ws, &catalog)) != CLI_OK)
		return status;
	if (strcmp(verb, "list") == 0) {
		status = list(catalog, ws, tags);
	} else if (strcmp(verb, "create") == 0) {
		if (rat_ref_create(catalog, argv[optind], tags, from ? from : rat_workspace_branch(ws)) != 0)
			status = cli_fail_lib(NULL);
		else
			printf("Created %s %s from %s\n", tags ? "tag" : "branch", argv[optind],
			       from ? from : rat_workspace_branch(ws));
	} else if (rat_ref_delete(catalog, argv[optind]) != 0) {
		status = cli_fail_lib(NULL);
	} else {
		printf("Deleted %s %s\n", tags ? "tag" : "branch", argv[optind]);
	}
	rat_catalog_free(catalog);
	rat_workspace_free(ws);
	return status;
}

static int run_branch(int argc, char **argv) { return run_refs(&cli_cmd_branch, 0, argc, argv); }
static int run_tag(int argc, char **argv) { return run_refs(&cli_cmd_tag, 1, argc, argv); }

const cli_command cli_cmd_branch = {
	"branch",
	"list, create and delete catalog branches",
	run_branch,
	"Usage: rat branch [list]\n"
	"       rat branch create NAME [--from REF]\n"
	"       rat branch delete NAME\n"
	"\n"
	"Branches of the catalog; '*' marks the workspace's branch. A new branch\n"
	"starts at REF (a branch, tag or commit; default: the workspace's branch).\n"
	"\n"
	"Options:\n"
	"  -w, --workspace NAME|PATH  the workspace (whose RAT_HOME holds the catalog)\n"
	"  -f, --from REF             where a new branch starts\n"
	"  -h, --help                 show this help\n",
};

const cli_command cli_cmd_tag = {
	"tag",
	"list, create and delete catalog tags",
	run_tag,
	"Usage: rat tag [list]\n"
	"       rat tag create NAME [--from REF]\n"
	"       rat tag delete NAME\n"
	"\n"
	"Tags name a commit for good (a release, a month-end close). A new tag\n"
	"points at REF (default: the workspace's branch head).\n"
	"\n"
	"Options:\n"
	"  -w, --workspace NAME|PATH  the workspace\n"
	"  -f, --from REF             what the tag names\n"
	"  -h, --help                 show this help\n",
};
