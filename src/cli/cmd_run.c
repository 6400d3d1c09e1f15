/*
 * cli/cmd_run.c - `rat run [SELECTOR...]`: build pipelines, write-audit-publish.
 *
 * Progress goes to stderr. On a terminal: a status line redrawn in place
 * (pipelines done of all, time since the start, rows written so far, and
 * each running pipeline with its own time, ticking every quarter second
 * while a pipeline runs), above which each finished pipeline is printed with
 * its rows and time; colour on the status words unless NO_COLOR is set
 * (NO_COLOR takes the colour away, not the status line). Otherwise plain
 * lines, one when a pipeline starts and one when it ends. The summary (or,
 * with --json, the run's record) goes to stdout.
 */
#include "cli/cli.h"

#include <inttypes.h>
#include <signal.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

typedef struct progress {
	bool live;  /* a status line redrawn in place */
	bool color; /* colour on the status words */
	int64_t begun; /* monotonic ms at the start */
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;
	size_t total, done;
	int64_t rows;  /* rows written by the pipelines done */
	char **keys;   /* each step's pipeline */
	int64_t *since; /* when each running step started (monotonic ms); 0: not running */
} progress;

static int64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* "7s", "2m05s", "1h02m" */
static void duration(char *out, size_t len, int64_t ms)
{
	int64_t s = ms / 1000;

	if (s < 60)
		snprintf(out, len, "%" PRId64 "s", s);
	else if (s < 3600)
		snprintf(out, len, "%" PRId64 "m%02" PRId64 "s", s / 60, s % 60);
	else
		snprintf(out, len, "%" PRId64 "h%02" PRId64 "m", s / 3600, s / 60 % 60);
}

/* The terminal's width, for a status line that must not wrap. */
static size_t columns(void)
{
	struct winsize w;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 10)
		return w.ws_col;
	return 80;
}

/* "[1/3] 12s, 4521 rows written; running silver.sales (3s), gold.kpis (1s)" */
static void status_line(const progress *p)
{
	char line[2048], t[32];
	size_t i, used, shown = 0, width = columns() - 1;
	int64_t now = now_ms();

	if (width > sizeof(line) - 1)
		width = sizeof(line) - 1;
	duration(t, sizeof(t), now - p->begun);
	used = (size_t)snprintf(line, sizeof(line), "[%zu/%zu] %s, %" PRId64 " rows written",
				p->done, p->total, t, p->rows);
	for (i = 0; i < p->total && used < sizeof(line); i++) {
		if (!p->since[i])
			continue;
		duration(t, sizeof(t), now - p->since[i]);
		used += (size_t)snprintf(line + used, sizeof(line) - used, "%s%s (%s)",
					 shown++ ? ", " : "; running ", p->keys[i], t);
	}
	if (used > width) /* cut, with an ellipsis, rather than wrap */
		memcpy(line + width - 3, "...", 4);
	fprintf(stderr, "\r\033[K%s", line);
	fflush(stderr);
}

/* The arrays of each step, at the first report. */
static bool track(progress *p, const rat_run_info *run)
{
	size_t i;

	if (p->keys)
		return true;
	p->keys = calloc(run->step_count + 1, sizeof(char *));
	p->since = calloc(run->step_count + 1, sizeof(int64_t));
	if (!p->keys || !p->since)
		return false;
	p->total = run->step_count;
	for (i = 0; i < run->step_count; i++)
		if ((p->keys[i] = strdup(run->steps[i].key)) == NULL)
			return false;
	return true;
}

/* "ok", coloured when colour is on, padded to the width of the longest word. */
static void label(const progress *p, const char *word, const char *style)
{
	if (p->color)
		fprintf(stderr, "%s%s\033[0m%*s", style, word, (int)(8 - strlen(word)), "");
	else
		fprintf(stderr, "%-8s", word);
}

/* The line of a pipeline that started (without a status line) or ended. */
static void step_line(const progress *p, const rat_run_step *s)
{
	double secs = (double)(s->finished_ms - s->started_ms) / 1000.0;

	if (s->status == RAT_STEP_RUNNING && !p->live) {
		label(p, "start", "");
		fprintf(stderr, "%s\n", s->key);
	} else if (s->status == RAT_STEP_OK) {
		label(p, "ok", "\033[32m");
		fprintf(stderr, "%-28s %-10s %" PRId64 " rows in %.2fs\n", s->key, s->operation,
			s->rows_in, secs);
	} else if (s->status == RAT_STEP_SKIPPED) {
		label(p, "skipped", "\033[2m");
		fprintf(stderr, "%-28s %s\n", s->key, s->operation);
	} else if (s->status == RAT_STEP_FAILED) {
		label(p, "failed", "\033[31m");
		fprintf(stderr, "%s\n", s->key); /* the error follows the summary */
	} else if (s->status == RAT_STEP_CANCELLED) {
		label(p, "stopped", "\033[33m");
		fprintf(stderr, "%s\n", s->key);
	}
}

static void on_progress(void *ctx, const rat_run_info *run, size_t at)
{
	progress *p = ctx;
	const rat_run_step *s = &run->steps[at];
	size_t i;

	pthread_mutex_lock(&p->lock);
	if (!track(p, run))
		p->live = false; /* out of memory: plain lines, which need no state */
	if (p->live) {
		p->since[at] = s->status == RAT_STEP_RUNNING ? now_ms() : 0;
		p->rows += s->status == RAT_STEP_OK ? s->rows_in : 0;
		for (p->done = 0, i = 0; i < run->step_count; i++)
			p->done += run->steps[i].status >= RAT_STEP_OK;
		fputs("\r\033[K", stderr);
	}
	step_line(p, s);
	if (p->live)
		status_line(p);
	pthread_mutex_unlock(&p->lock);
}

/* The ticker: the status line again every quarter second, until stopped. */
static void *tick(void *arg)
{
	progress *p = arg;
	struct timespec until;

	pthread_mutex_lock(&p->lock);
	while (!p->stop) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 250000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		if (pthread_cond_timedwait(&p->wake, &p->lock, &until) != 0 && !p->stop &&
		    p->live && p->keys)
			status_line(p);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

static void progress_free(progress *p)
{
	size_t i;

	for (i = 0; p->keys && i < p->total; i++)
		free(p->keys[i]);
	free(p->keys);
	free(p->since);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->wake);
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
	if (run->retention[0])
		printf("Retention, on the tables as they are: %s\n", run->retention);
	for (i = 0; i < run->step_count; i++)
		if (run->steps[i].sql[0])
			printf("\n-- %s (%s)\n%s\n", run->steps[i].key, run->steps[i].operation,
			       run->steps[i].sql);
}

/* The summary, without the run's error, which is printed after it. */
static void print_summary(const rat_run_info *run)
{
	rat_run_info shown = *run;

	shown.error = "";
	cli_print_run(stdout, &shown, false);
}

/* Each failed pipeline's error, the run's own last: CLI_FAILURE. */
static int print_errors(const rat_run_info *run)
{
	size_t i;

	for (i = 0; i < run->step_count; i++)
		if (run->steps[i].status == RAT_STEP_FAILED && strcmp(run->steps[i].error, run->error))
			fprintf(stderr, "rat: error: %s\n", run->steps[i].error);
	return cli_fail_lib(NULL);
}

const cli_option cli_opt_var = { "var", 0, CLI_TEXT, "NAME=VALUE",
				 "a value for var('NAME') in templates", NULL, NULL, NULL };
#define var cli_opt_var
static const cli_option branch = { "branch", 0, CLI_TEXT, "BRANCH",
				   "build on and publish to BRANCH: the workspace's (the\n"
				   "default) or a dev branch (dev/NAME)", NULL, NULL, NULL };
static const cli_option reingest = { "reingest", 0, CLI_TEXT, "PATH",
				     "ingest a landing file (or folder) again: one that\n"
				     "changed since it was ingested (repeatable)",
				     NULL, NULL, NULL };

static const cli_option trigger = { "trigger", 0, CLI_TEXT, "ID",
				    "record the run as started by trigger ID (what rat\n"
				    "serve passes: PIPELINE:NAME@TICK_MS)", NULL, NULL, NULL };

static const cli_option run_id = { "run-id", 0, CLI_TEXT, "ID",
				   "the run's id, made when it was asked for (what rat\n"
				   "serve passes; refused when a run of it is recorded)",
				   NULL, NULL, NULL };

static const cli_option wait_opt = { "wait", 0, CLI_FLAG, NULL,
				     "ask rat serve (NESSIE_URI) to run, and follow the\n"
				     "run until it ends (rat trigger --help)", NULL, NULL, NULL };

/* Set by SIGINT or SIGTERM while a run is on: the run stops and publishes nothing. */
static volatile int interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1; /* SA_RESETHAND: a second one ends rat at once */
}

/* Catch SIGINT and SIGTERM (once each) for the run; old receives what was there. */
static void catch_signals(struct sigaction old[2])
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old[0]);
	sigaction(SIGTERM, &sa, &old[1]);
}

static void release_signals(const struct sigaction old[2])
{
	sigaction(SIGINT, &old[0], NULL);
	sigaction(SIGTERM, &old[1], NULL);
}

/* The selectors (-s, -l, then the arguments from skip on), --var and --reingest values,
 * in order. */
static int gather(const cli_args *a, int skip, rat_run_options *opts, const char **selectors,
		  const char **vars, const char **again)
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
		if (h->option == &reingest)
			again[opts->reingest_count++] = h->value;
		if (h->option == &trigger)
			opts->trigger = h->value;
		if (h->option == &run_id)
			opts->run_id = h->value;
	}
	opts->reingest = again;
	for (j = skip; j < a->count; j++)
		selectors[opts->selector_count++] = a->pos[j];
	opts->selectors = selectors;
	opts->vars = vars;
	opts->full_refresh = cli_has(a, CLI_OPT(FULL_REFRESH));
	opts->dry_run = cli_has(a, CLI_OPT(DRY_RUN));
	return CLI_OK;
}

/* Whether stderr can hold a status line redrawn in place. */
static bool live_terminal(void)
{
	const char *term = getenv("TERM");

	return isatty(STDERR_FILENO) && !(term && strcmp(term, "dumb") == 0);
}

/* rat_run with the progress shown (and the ticker running while it runs). */
static int run_with_progress(rat_run_info **info, const rat_workspace *ws,
			     rat_run_options *opts, bool json)
{
	struct sigaction old[2];
	progress prog;
	pthread_t ticker;
	bool ticking = false;
	int error;

	memset(&prog, 0, sizeof(prog));
	pthread_mutex_init(&prog.lock, NULL);
	pthread_cond_init(&prog.wake, NULL);
	prog.live = !json && live_terminal();
	prog.color = !json && cli_color(stderr);
	prog.begun = now_ms();
	opts->progress = opts->dry_run ? NULL : on_progress;
	opts->progress_ctx = &prog;
	opts->cancel = &interrupted;
	if (prog.live && opts->progress)
		ticking = pthread_create(&ticker, NULL, tick, &prog) == 0;
	interrupted = 0;
	catch_signals(old);
	error = rat_run(info, ws, opts);
	release_signals(old);
	pthread_mutex_lock(&prog.lock);
	prog.stop = true;
	pthread_cond_signal(&prog.wake);
	pthread_mutex_unlock(&prog.lock);
	if (ticking)
		pthread_join(ticker, NULL);
	if (prog.live && prog.keys)
		fputs("\r\033[K", stderr);
	progress_free(&prog);
	return error;
}

int cli_run_on(const cli_args *a, int skip, const char *target)
{
	rat_run_options opts = RAT_RUN_OPTIONS_INIT;
	const char **selectors = calloc(a->hit_count + (size_t)a->count + 1, sizeof(char *));
	const char **vars = calloc(a->hit_count + 1, sizeof(char *));
	const char **again = calloc(a->hit_count + 1, sizeof(char *));
	bool json = cli_wants_json(a);
	rat_workspace *ws = NULL;
	rat_run_info *info = NULL;
	int status = CLI_FAILURE, error;

	if (!selectors || !vars || !again) {
		status = cli_fail("out of memory");
		goto cleanup;
	}
	if ((status = gather(a, skip, &opts, selectors, vars, again)) != CLI_OK)
		goto cleanup;
	if (cli_has(a, &wait_opt)) { /* the server runs it */
		if (opts.var_count || opts.reingest_count || opts.full_refresh || opts.dry_run ||
		    opts.trigger || opts.run_id || target || cli_get(a, &branch))
			status = cli_usage(a->cmd, "--wait asks rat serve for a run of selectors only "
						   "(no -f, --dry-run, --var, --reingest, --branch)");
		else
			status = cli_run_asked(cli_get(a, CLI_OPT(WORKSPACE)), NULL, selectors,
					       opts.selector_count, true, json);
		goto cleanup;
	}
	opts.branch = target ? target : cli_get(a, &branch);
	if (rat_workspace_open(&ws, cli_get(a, CLI_OPT(WORKSPACE))) != 0) {
		status = cli_fail_lib(NULL);
		goto cleanup;
	}
	if (!opts.dry_run)
		cli_warn_memory(ws, true);
	error = run_with_progress(&info, ws, &opts, json);
	if (!info) {
		status = cli_fail_lib(NULL);
		goto cleanup;
	}
	if (json)
		status = cli_print_run_json(stdout, info);
	else if (opts.dry_run && !error)
		print_dry_run(info);
	else
		print_summary(info);
	status = error ? print_errors(info) : status;
	if (info->record_error[0])
		fprintf(stderr, "rat: warning: the run's record could not be written (%s): %s\n",
			error ? "it published nothing" : "its data was published", info->record_error);
	if (error == RAT_ECANCELED)
		status = CLI_INTERRUPTED;
cleanup:
	rat_run_info_free(info);
	rat_workspace_free(ws);
	free(selectors);
	free(vars);
	free(again);
	return status;
}

static int run(const cli_args *a)
{
	return cli_run_on(a, 0, NULL);
}

static const cli_use options[] = {
	{ CLI_OPT(WORKSPACE), NULL, NULL },
	{ &branch, NULL, NULL },
	{ CLI_OPT(SELECT), "a selector (as a positional argument)", NULL },
	{ CLI_OPT(LAYER), "a layer's pipelines", NULL },
	{ CLI_OPT(FULL_REFRESH), NULL, NULL },
	{ CLI_OPT(DRY_RUN), "compile the SQL and print the plan; write nothing", NULL },
	{ &var, NULL, NULL },
	{ &reingest, NULL, NULL },
	{ &trigger, NULL, NULL },
	{ &run_id, NULL, NULL },
	{ &wait_opt, NULL, NULL },
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
	"               [--var NAME=VALUE] [--reingest PATH] [--branch dev/NAME]\n"
	"               [--trigger ID] [--run-id ID] [-o console|json]\n"
	"       rat run --wait [SELECTOR...] [-w NAME|PATH]   (rat serve runs it)\n"
	"\n"
	"Build the selected pipelines (all without a selector) in dependency order\n"
	"on a run branch, run/<id>, forked from the workspace's branch; run each\n"
	"one's error-severity checks; then publish everything to the workspace's\n"
	"branch in one commit. If anything fails, the workspace's branch is left\n"
	"as it was and the run branch is kept for inspection (rat query --ref).\n"
	"Ctrl-C (or SIGTERM) stops the run: builds are interrupted, nothing is\n"
	"published, and the run is recorded as cancelled. Every run is recorded:\n"
	"see rat runs.\n"
	"\n"
	"Selectors:\n"
	"  layer.name     that pipeline          +layer.name   it and everything upstream\n"
	"  layer          a layer's pipelines    layer.name+   it and everything downstream\n"
	"A name without its layer (name, +name, name+) is the pipeline of that name\n"
	"when one layer has it.\n",
	options,
	aliases,
	"Exit status: 0 when the run was published, 1 when it failed, 2 usage,\n"
	"130 when it was cancelled.\n",
};
