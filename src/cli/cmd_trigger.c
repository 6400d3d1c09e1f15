/*
 * cli/cmd_trigger.c - runs asked of `rat serve` (NESSIE_URI): `rat trigger
 * ID` fires a trigger there now, `rat run --wait [SELECTOR...]` asks it to
 * run pipelines; with --wait, rat follows the run until it ends and exits
 * as `rat run` would. Ctrl-C stops the waiting, not the run.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define POLL_MS 500
#define GONE_LOOKS 3 /* a run the server says nothing of this many times running was dropped */

static bool ended(const char *status)
{
	return !strcmp(status, "success") || !strcmp(status, "failed") || !strcmp(status, "cancelled");
}

/* Follow run id until it ends: its record printed as rat run does, the exit status rat run's. */
static int follow(const rat_workspace *ws, const char *id, bool json)
{
	struct timespec pause = { 0, POLL_MS * 1000000L };
	char status[32] = "", said[32] = "";
	rat_run_info *run = NULL;
	int gone = 0, code;

	while (!ended(status)) {
		nanosleep(&pause, NULL);
		if ((code = rat_run_asked_status(status, ws, id)) == RAT_ENOTFOUND && ++gone < GONE_LOOKS)
			continue;
		if (code == RAT_ENOTFOUND)
			return cli_fail("rat serve dropped run %s before it started (a trigger whose last "
					"run still ran, with overlap: skip: rat triggers ticks says)", id);
		if (code != 0)
			return cli_fail_lib(id);
		gone = 0;
		if (!json && strcmp(status, said) != 0 && !ended(status))
			fprintf(stderr, "run %s: %s\n", id, status);
		snprintf(said, sizeof(said), "%s", status);
	}
	if (rat_run_get(&run, ws, id) != 0)
		return cli_fail_lib(id);
	if (json)
		cli_print_run_json(stdout, run);
	else
		printf("run %s: %s%s%s\n", id, run->status, run->error[0] ? ": " : "", run->error);
	code = !strcmp(run->status, "success") ? CLI_OK
	       : !strcmp(run->status, "cancelled") ? CLI_INTERRUPTED : CLI_FAILURE;
	rat_run_info_free(run);
	return code;
}

int cli_run_asked(const char *workspace, const char *trigger, const char *const *selectors,
		  size_t count, bool wait, bool json)
{
	char id[RAT_RUN_ID_MAX];
	rat_workspace *ws = NULL;
	int status;

	if (rat_workspace_open(&ws, workspace) != 0)
		return cli_fail_lib(NULL);
	if (rat_run_ask(id, ws, trigger, selectors, count) != 0) {
		status = cli_fail_lib(trigger);
	} else if (wait) {
		if (!json)
			fprintf(stderr, "run %s: queued on %s\n", id, rat_workspace_name(ws));
		status = follow(ws, id, json);
	} else {
		if (json)
			printf("{\"run_id\": \"%s\", \"status\": \"queued\"}\n", id);
		else
			printf("run %s: queued (rat runs show %s)\n", id, id);
		status = CLI_OK;
	}
	rat_workspace_free(ws);
	return status;
}

static const cli_option wait_opt = { "wait", 0, CLI_FLAG, NULL,
				     "follow the run until it ends; exit as rat run does",
				     NULL, NULL, NULL };

static int run(const cli_args *a)
{
	if (a->count != 1)
		return cli_usage(a->cmd, "takes one trigger id (rat triggers lists them)");
	return cli_run_asked(cli_get(a, CLI_OPT(WORKSPACE)), a->pos[0], NULL, 0, cli_has(a, &wait_opt),
			     cli_wants_json(a));
}

static const cli_use options[] = {
	{ CLI_OPT(WORKSPACE), NULL, NULL },
	{ &wait_opt, NULL, NULL },
	CLI_USE_FORMATS("console (default) or json (the run's record, with --wait)"),
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_trigger = {
	"trigger",
	"fire a trigger on rat serve now (NESSIE_URI), and with --wait follow its run",
	run,
	"Usage: rat trigger ID [-w NAME|PATH] [--wait] [-o console|json]\n"
	"\n"
	"Ask the rat serve of NESSIE_URI to fire trigger ID of the workspace now\n"
	"(its id as rat triggers shows it: bronze.sales:schedule,\n"
	"workspace:nightly), as its schedule or its webhook would: the run waits\n"
	"in the server's queue with the others, recorded with the trigger. Without\n"
	"--wait, rat says the run's id and returns; with it, rat follows the run\n"
	"and exits as rat run does (Ctrl-C stops the waiting, not the run).\n"
	"`rat run --wait` asks the server for a run of pipelines the same way.\n",
	options,
	NULL,
	"Exit status: 0 when the run was asked for (with --wait: published), 1 when\n"
	"it was refused or failed, 2 usage, 130 when it was cancelled.\n",
};
