/*
 * cli/cmd_run.c - `rat run [SELECTOR...]`: build pipelines, write-audit-publish.
 *
 * Progress goes to stderr: on a terminal one status line redrawn in place
 * above which each finished pipeline is printed; otherwise plain lines, one
 * when a pipeline starts and one when it ends. The summary (or, with
 * --json, the run's record) goes to stdout.
 */
#include "cli/cli.h"

#include <getopt.h>
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

static int run(int argc, char **argv)
{
	static const struct option options[] = {
		{ "workspace", required_argument, NULL, 'w' },
		{ "select", required_argument, NULL, 's' },
		{ "layer", required_argument, NULL, 'l' },
		{ "full-refresh", no_argument, NULL, 'f' },
		{ "dry-run", no_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "var", required_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	rat_run_options opts = RAT_RUN_OPTIONS_INIT;
	const char *workspace = NULL;
	const char **selectors = calloc((size_t)argc + 1, sizeof(char *));
	const char **vars = calloc((size_t)argc + 1, sizeof(char *));
	progress prog = { false };
	rat_workspace *ws = NULL;
	rat_run_info *info = NULL;
	bool json = false;
	int c, status = CLI_FAILURE, error;

	if (!selectors || !vars) {
		status = cli_fail("out of memory");
		goto cleanup;
	}
	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "w:s:l:fv:h", options, NULL)) != -1) {
		switch (c) {
		case 'w': workspace = optarg; break;
		case 's':
		case 'l': selectors[opts.selector_count++] = optarg; break;
		case 'f': opts.full_refresh = 1; break;
		case 'd': opts.dry_run = 1; break;
		case 'j': json = true; break;
		case 'v':
			if (!strchr(optarg, '=')) {
				status = cli_usage(&cli_cmd_run, "--var wants NAME=VALUE, got '%s'", optarg);
				goto cleanup;
			}
			vars[opts.var_count++] = optarg;
			break;
		case 'h': status = cli_help(&cli_cmd_run); goto cleanup;
		default:
			status = cli_usage(&cli_cmd_run, "unknown option '%s'", argv[optind - 1]);
			goto cleanup;
		}
	}
	while (optind < argc)
		selectors[opts.selector_count++] = argv[optind++];
	opts.selectors = selectors;
	opts.vars = vars;
	prog.live = !json && isatty(STDERR_FILENO) && !getenv("NO_COLOR");
	opts.progress = opts.dry_run ? NULL : on_progress;
	opts.progress_ctx = &prog;
	if (rat_workspace_open(&ws, workspace) != 0) {
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
		cli_print_run(stdout, info, true, true);
	else if (opts.dry_run && !error)
		print_dry_run(info);
	else
		cli_print_run(stdout, info, false, false);
	status = error ? cli_fail_lib(NULL) : CLI_OK;
cleanup:
	rat_run_info_free(info);
	rat_workspace_free(ws);
	free(selectors);
	free(vars);
	return status;
}

const cli_command cli_cmd_run = {
	"run",
	"build pipelines and publish them to the workspace's branch",
	run,
	"Usage: rat run [SELECTOR...] [-w NAME|PATH] [-l LAYER] [--full-refresh] [--dry-run]\n"
	"               [--var NAME=VALUE] [--json]\n"
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
	"  layer          a layer's pipelines    layer.name+   it and everything downstream\n"
	"\n"
	"Options:\n"
	"  -w, --workspace NAME|PATH  the workspace\n"
	"  -s, --select SELECTOR      a selector (as a positional argument)\n"
	"  -l, --layer LAYER          a layer's pipelines\n"
	"  -f, --full-refresh         rebuild incremental tables from scratch\n"
	"      --dry-run              compile the SQL and print the plan; write nothing\n"
	"  -v, --var NAME=VALUE       a value for var('NAME') in templates\n"
	"      --json                 print the run's record as JSON\n"
	"  -h, --help                 show this help\n"
	"\n"
	"Exit status: 0 when the run was published, 1 when it failed, 2 usage.\n",
};
