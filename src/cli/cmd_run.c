/*
 * cli/cmd_run.c - `rat run [SELECTOR...]`: build pipelines, write-audit-publish.
 *
 * Progress goes to stderr: on a terminal one status line redrawn in place
 * above which each finished pipeline is printed; otherwise plain lines, one
 * when a pipeline starts and one when it ends. The summary (or, with
 * --json, the run's record) goes to stdout.
 */
#include "cli/cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct progress {
	bool live;
} progress;

static void status_line(const rat_run_info *run)
{
	size_t i, done = 0, shown = 0;

	for (i = 0; i < run->step_count; i++)
		done += run->steps[i].status >= RAT_STEP_OK;
	fprintf(stderr, "\r\033[K[%zu/%zu] ", done, run->step_count);
	for (i = 0; i < run->step_count; i++)
		if (run->steps[i].status == RAT_STEP_RUNNING)
			fprintf(stderr, "%s%s", shown++ ? ", " : "running ", run->steps[i].key);
	fflush(stderr);
}

static void on_progress(void *ctx, const rat_run_info *run, size_t at)
{
	const progress *p = ctx;
	const rat_run_step *s = &run->steps[at];
	double secs = (double)(s->finished_ms - s->started_ms) / 1000.0;

	if (p->live)
		fputs("\r\033[K", stderr);
	if (s->status == RAT_STEP_RUNNING && !p->live)
		fprintf(stderr, "start   %s\n", s->key);
	else if (s->status == RAT_STEP_OK)
		fprintf(stderr, "ok      %-28s %-10s %" PRId64 " rows in %.2fs\n", s->key, s->operation,
			s->rows_in, secs);
	else if (s->status == RAT_STEP_SKIPPED)
		fprintf(stderr, "skipped %-28s %s\n", s->key, s->operation);
	else if (s->status == RAT_STEP_FAILED)
		fprintf(stderr, "failed  %-28s %s\n", s->key, s->error);
	if (p->live)
		status_line(run);
}

static void print_dry_run(const rat_run_info *run)
{
	size_t i;

	printf("Dry run on %s: nothing written. Plan, in build order:\n", run->branch);
	for (i = 0; i < run->step_count; i++) {
		const rat_run_step *s = &run->steps[i];
		printf("%zu. %s: %s\n", i + 1, s->key,
		       s->status == RAT_STEP_FAILED ? "would fail" : s->operation);
	}
	for (i = 0; i < run->step_count; i++)
		if (run->steps[i].sql[0])
			printf("\n-- %s (%s)\n%s\n", run->steps[i].key, run->steps[i].operation,
			       run->steps[i].sql);
}

static const cli_option var = { "var", 0, CLI_TEXT, "NAME=VALUE",
				"a value for var('NAME') in templates", NULL, NULL, NULL };

/* The selectors (-s, -l, then the arguments) and --var values, in order. */
static int gather(const cli_args *a, rat_run_options *opts, const char **selectors,
		  const char **vars)
{
	size_t i;
	int j;

	for (i = 0; i < a->hit_count; i++) {
		const cli_hit *h = &a->hits[i];
		if (h->option == CLI_OPT(SELECT) || h->option == CLI_OPT(LAYER))
			selectors[opts->selector_count++] = h->value;
		if (h->option == &var && !strchr(h->value, '='))
			return cli_usage(a->cmd, "--var wants NAME=VALUE, got '%s'", h->value);
		if (h->option == &var)
			vars[opts->var_count++] = h->value;
	}
	for (j = 0; j < a->count; j++)
		selectors[opts->selector_count++] = a->pos[j];
	opts->selectors = selectors;
	opts->vars = vars;
	opts->full_refresh = cli_has(a, CLI_OPT(FULL_REFRESH));
	opts->dry_run = cli_has(a, CLI_OPT(DRY_RUN));
	return CLI_OK;
}

static int run(const cli_args *a)
{
	rat_run_options opts = RAT_RUN_OPTIONS_INIT;
	const char **selectors = calloc(a->hit_count + (size_t)a->count + 1, sizeof(char *));
	const char **vars = calloc(a->hit_count + 1, sizeof(char *));
	bool json = cli_wants_json(a);
	progress prog = { false };
	rat_workspace *ws = NULL;
	rat_run_info *info = NULL;
	int status = CLI_FAILURE, error;

	if (!selectors || !vars) {
		status = cli_fail("out of memory");
		goto cleanup;
	}
	if ((status = gather(a, &opts, selectors, vars)) != CLI_OK)
		goto cleanup;
	prog.live = !json && isatty(STDERR_FILENO) && !getenv("NO_COLOR");
	opts.progress = opts.dry_run ? NULL : on_progress;
	opts.progress_ctx = &prog;
	if (rat_workspace_open(&ws, cli_get(a, CLI_OPT(WORKSPACE))) != 0) {
		status = cli_fail_lib(NULL);
		goto cleanup;
	}
	error = rat_run(&info, ws, &opts);
	if (prog.live)
		fputs("\r\033[K", stderr);
	if (!info) {
		status = cli_fail_lib(NULL);
		goto cleanup;
	}
	if (json)
		status = cli_print_run_json(stdout, info);
	else if (opts.dry_run && !error)
		print_dry_run(info);
	else
		cli_print_run(stdout, info, false);
	status = error ? cli_fail_lib(NULL) : status;
cleanup:
	rat_run_info_free(info);
	rat_workspace_free(ws);
	free(selectors);
	free(vars);
	return status;
}

static const cli_use options[] = {
	{ CLI_OPT(WORKSPACE), NULL, NULL },
	{ CLI_OPT(SELECT), "a selector (as a positional argument)", NULL },
	{ CLI_OPT(LAYER), "a layer's pipelines", NULL },
	{ CLI_OPT(FULL_REFRESH), NULL, NULL },
	{ CLI_OPT(DRY_RUN), "compile the SQL and print the plan; write nothing", NULL },
	{ &var, NULL, NULL },
	CLI_USE_FORMATS("console (default: progress and a summary) or json\n"
			"(the run's record)"),
	{ NULL, NULL, NULL },
};

/* -v is --verbose everywhere now. */
static const cli_alias aliases[] = {
	{ "-v", &var, NULL },
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_run = {
	"run",
	"build pipelines and publish them to the workspace's branch",
	run,
	"Usage: rat run [SELECTOR...] [-w NAME|PATH] [-l LAYER] [-f] [--dry-run]\n"
	"               [--var NAME=VALUE] [-o console|json]\n"
	"\n"
	"Build the selected pipelines (all without a selector) in dependency order\n"
	"on a run branch, run/<id>, forked from the workspace's branch; run each\n"
	"one's error-severity checks; then publish everything to the workspace's\n"
	"branch in one commit. If anything fails, the workspace's branch is left\n"
	"as it was and the run branch is kept for inspection (rat query --ref).\n"
	"Every run is recorded: see rat runs.\n"
	"\n"
	"Selectors:\n"
	"  layer.name     that pipeline          +layer.name   it and everything upstream\n"
	"  layer          a layer's pipelines    layer.name+   it and everything downstream\n",
	options,
	aliases,
	"Exit status: 0 when the run was published, 1 when it failed, 2 usage.\n",
};
