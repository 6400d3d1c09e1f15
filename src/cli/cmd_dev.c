/*
 * cli/cmd_dev.c - `rat dev start|list|diff|merge|drop NAME`: dev branches,
 * dev/<workspace>/<NAME> forked from the workspace's branch and merged back
 * into it (the library reads dev/NAME as the workspace's dev/<workspace>/NAME).
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

int cli_print_diff(const rat_workspace *ws, rat_catalog *catalog, const char *from, const char *to,
		   bool json);

static int act(const char *verb, const char *name, rat_workspace *ws, rat_catalog *catalog,
	       bool json)
{
	char branch[256];
	rat_merge_outcome m;
	int status = CLI_OK, error;

	snprintf(branch, sizeof(branch), "dev/%s/%s", rat_workspace_name(ws), name);
	if (strcmp(verb, "start") == 0) {
		if (rat_ref_create(catalog, branch, 0, rat_workspace_branch(ws)) != 0)
			return cli_fail_lib(NULL);
		printf("Started %s from %s\n", branch, rat_workspace_branch(ws));
	} else if (strcmp(verb, "diff") == 0) {
		status = cli_print_diff(ws, catalog, rat_workspace_branch(ws), branch, json);
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

/* Only `rat dev run` takes the run's options (and --format only list, diff and run). */
static int check_run_options(const cli_args *a)
{
	size_t i;

	for (i = 0; strcmp(a->pos[0], "run") != 0 && i < a->hit_count; i++)
		if (a->hits[i].option != CLI_OPT(WORKSPACE) &&
		    a->hits[i].option != CLI_OPT(FORMAT) && a->hits[i].option != CLI_OPT(JSON))
			return cli_usage(a->cmd, "--%s goes with rat dev run",
					 a->hits[i].option->name);
	return CLI_OK;
}

static int run(const cli_args *a)
{
	static const char *const verbs[] = { "start", "list", "diff", "merge", "drop", "run", NULL };
	const char *verb;
	char branch[256];
	rat_workspace *ws = NULL;
	rat_catalog *catalog = NULL;
	int status;

	if (a->count == 0)
		return cli_usage(a->cmd, "missing subcommand (start, list, diff, merge, drop, run)");
	verb = a->pos[0];
	if (!cli_listed(verbs, verb))
		return cli_unknown_verb(a->cmd, verb, verbs);
	if ((status = check_run_options(a)) != CLI_OK)
		return status;
	if (strcmp(verb, "run") == 0) {
		if (a->count < 2)
			return cli_usage(a->cmd, "run needs a NAME (then its selectors)");
		snprintf(branch, sizeof(branch), "dev/%s", a->pos[1]);
		return cli_run_on(a, 2, branch);
	}
	if (strcmp(verb, "list") == 0 && a->count != 1)
		return cli_usage(a->cmd, "list takes no NAME");
	if (strcmp(verb, "list") != 0 && a->count != 2)
		return cli_usage(a->cmd, "%s needs one NAME", verb);
	if (cli_has(a, CLI_OPT(FORMAT)) && strcmp(verb, "list") != 0 && strcmp(verb, "diff") != 0)
		return cli_usage(a->cmd, "--format goes with list, diff and run");
	if ((status = cli_open_catalog(cli_get(a, CLI_OPT(WORKSPACE)), &ws, &catalog)) != CLI_OK)
		return status;
	if (strcmp(verb, "list") == 0) {
		snprintf(branch, sizeof(branch), "dev/%s/", rat_workspace_name(ws));
		status = cli_list_refs(catalog, 0, branch, NULL, cli_wants_json(a), true);
	} else {
		status = act(verb, a->pos[1], ws, catalog, cli_wants_json(a));
	}
	rat_catalog_free(catalog);
	rat_workspace_free(ws);
	return status;
}

static const cli_use options[] = {
	{ CLI_OPT(WORKSPACE), NULL, NULL },
	{ CLI_OPT(SELECT), "dev run: a selector (as a positional argument)", NULL },
	{ CLI_OPT(LAYER), "dev run: a layer's pipelines", NULL },
	{ CLI_OPT(FULL_REFRESH), "dev run: rebuild incremental tables in full", NULL },
	{ CLI_OPT(DRY_RUN), "dev run: compile and bind the SQL; write nothing", NULL },
	{ &cli_opt_var, "dev run: a value for var('NAME') in templates", NULL },
	CLI_USE_FORMATS("list, diff, run: console (default) or json"),
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_dev = {
	"dev",
	"work on a dev branch and merge it back",
	run,
	"Usage: rat dev start NAME    fork dev/<workspace>/NAME from the workspace's branch\n"
	"       rat dev list          the workspace's dev branches\n"
	"       rat dev diff NAME     tables dev/<workspace>/NAME changed\n"
	"       rat dev merge NAME    bring dev/<workspace>/NAME into the workspace's branch\n"
	"       rat dev drop NAME     delete dev/<workspace>/NAME\n"
	"       rat dev run NAME [SELECTOR...] [-f] [--dry-run] [--var N=V]\n"
	"                             build pipelines on dev/<workspace>/NAME and publish\n"
	"                             them there (rat run --branch dev/NAME)\n"
	"A workspace's dev/NAME is dev/<workspace>/NAME wherever a ref is read or written.\n",
	options,
	NULL,
	NULL,
};
