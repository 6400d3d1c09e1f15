/*
 * cli/cmd_dev.c - `rat dev start|list|diff|merge|drop NAME`: dev branches,
 * dev/<NAME> forked from the workspace's branch and merged back into it.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

int cli_print_diff(const rat_workspace *ws, rat_catalog *catalog, const char *from, const char *to);

static int act(const char *verb, const char *name, rat_workspace *ws, rat_catalog *catalog)
{
	char branch[256];
	rat_merge_outcome m;
	int status = CLI_OK, error;

	snprintf(branch, sizeof(branch), "dev/%s", name);
	if (strcmp(verb, "start") == 0) {
		if (rat_ref_create(catalog, branch, 0, rat_workspace_branch(ws)) != 0)
			return cli_fail_lib(NULL);
		printf("Started %s from %s\n", branch, rat_workspace_branch(ws));
	} else if (strcmp(verb, "diff") == 0) {
		status = cli_print_diff(ws, catalog, rat_workspace_branch(ws), branch);
	} else if (strcmp(verb, "merge") == 0) {
		error = rat_merge(&m, catalog, branch, rat_workspace_branch(ws), 0, rat_workspace_name(ws));
		status = cli_report_merge(error, &m, branch, rat_workspace_branch(ws), 0);
		rat_merge_outcome_free(&m);
	} else {
		if (rat_ref_delete(catalog, branch) != 0)
			return cli_fail_lib(NULL);
		printf("Dropped %s\n", branch);
	}
	return status;
}

static int run(int argc, char **argv)
{
	cli_args args = { 0 };
	const char *verb;
	rat_workspace *ws = NULL;
	rat_catalog *catalog = NULL;
	int pos, status;

	if (!cli_parse(&cli_cmd_dev, argc, argv, 0, &args, &status))
		return status;
	pos = args.first;
	if (pos == argc)
		return cli_usage(&cli_cmd_dev, "missing subcommand (start, list, diff, merge, drop)");
	verb = argv[pos++];
	if (strcmp(verb, "list") == 0) {
		if (pos != argc)
			return cli_usage(&cli_cmd_dev, "list takes no NAME");
	} else if (strcmp(verb, "start") && strcmp(verb, "diff") && strcmp(verb, "merge") &&
		   strcmp(verb, "drop")) {
		return cli_usage(&cli_cmd_dev, "unknown subcommand '%s' (start, list, diff, merge, drop)", verb);
	} else if (pos + 1 != argc) {
		return cli_usage(&cli_cmd_dev, "%s needs one NAME", verb);
	}
	if ((status = cli_open_catalog(args.workspace, &ws, &catalog)) != CLI_OK)
		return status;
	if (strcmp(verb, "list") == 0) {
		rat_ref_list refs;
		size_t i;
		if (rat_ref_list_get(&refs, catalog) != 0) {
			status = cli_fail_lib(NULL);
		} else {
			for (i = 0; i < refs.count; i++)
				if (!refs.items[i].is_tag && strncmp(refs.items[i].name, "dev/", 4) == 0)
					printf("%-40s %.12s\n", refs.items[i].name + 4, refs.items[i].hash);
			rat_ref_list_free(&refs);
		}
	} else {
		status = act(verb, argv[pos], ws, catalog);
	}
	rat_catalog_free(catalog);
	rat_workspace_free(ws);
	return status;
}

const cli_command cli_cmd_dev = {
	"dev",
	"work on a dev branch and merge it back",
	run,
	"Usage: rat dev start NAME    fork dev/NAME from the workspace's branch\n"
	"       rat dev list          the dev branches\n"
	"       rat dev diff NAME     tables dev/NAME changed\n"
	"       rat dev merge NAME    bring dev/NAME into the workspace's branch\n"
	"       rat dev drop NAME     delete dev/NAME\n"
	"\n"
	"Options:\n"
	"  -w, --workspace NAME|PATH  the workspace\n"
	"  -h, --help                 show this help\n",
};
