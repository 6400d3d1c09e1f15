/*
 * cli/cmd_runs.c - `rat runs [show ID]`: the recorded runs of a workspace,
 * and one run's steps. Also the printer `rat run` ends with.
 */
#include "cli/cli.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

static const char *const status_names[] = { "pending", "running", "ok", "skipped", "failed" };

static void print_time(FILE *out, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char at[32];

	gmtime_r(&t, &tm);
	strftime(at, sizeof(at), "%Y-%m-%d %H:%M:%S", &tm);
	fputs(at, out);
}

/* `"name": "value"`, after a comma unless first. */
static void json_text(FILE *out, const char *name, const char *value, bool first)
{
	fprintf(out, "%s\"%s\": ", first ? "" : ", ", name);
	cli_json_string(out, value);
}

static void json_step(FILE *out, const rat_run_step *s)
{
	fputc('{', out);
	json_text(out, "pipeline", s->key, true);
	json_text(out, "status", status_names[s->status], false);
	json_text(out, "operation", s->operation, false);
	fprintf(out,
		", \"started_ms\": %" PRId64 ", \"finished_ms\": %" PRId64 ", \"rows_in\": %" PRId64
		", \"rows_out\": %" PRId64 ", \"files_added\": %" PRId64
		", \"files_removed\": %" PRId64 ", \"files_ingested\": %" PRId64
		", \"write_passes\": %" PRId64 ", \"checks_passed\": %" PRId64
		", \"checks_failed\": %" PRId64 ", \"checks_warned\": %" PRId64,
		s->started_ms, s->finished_ms, s->rows_in, s->rows_out, s->files_added,
		s->files_removed, s->files_ingested, s->write_passes, s->checks_passed,
		s->checks_failed, s->checks_warned);
	json_text(out, "error", s->error, false);
	json_text(out, "warnings", s->warnings, false);
	json_text(out, "sql", s->sql, false);
	fputc('}', out);
}

static void json_run(FILE *out, const rat_run_info *r)
{
	size_t i;

	fputc('{', out);
	json_text(out, "id", r->id, true);
	json_text(out, "workspace", r->workspace, false);
	json_text(out, "branch", r->branch, false);
	json_text(out, "run_branch", r->run_branch, false);
	json_text(out, "status", r->status, false);
	json_text(out, "error", r->error, false);
	json_text(out, "commit", r->commit, false);
	json_text(out, "retention", r->retention, false);
	fprintf(out, ", \"started_ms\": %" PRId64 ", \"finished_ms\": %" PRId64
		     ", \"full_refresh\": %s, \"steps\": [",
		r->started_ms, r->finished_ms, r->full_refresh ? "true" : "false");
	for (i = 0; i < r->step_count; i++) {
		fputs(i ? ",\n  " : "\n  ", out);
		json_step(out, &r->steps[i]);
	}
	fputs(r->step_count ? "\n]}\n" : "]}\n", out);
}

void cli_print_run(FILE *out, const rat_run_info *r, bool json, bool verbose)
{
	size_t i;

	if (json) {
		json_run(out, r);
		return;
	}
	fprintf(out, "Run %s on %s: %s", r->id, r->branch, r->status);
	if (r->finished_ms >= r->started_ms)
		fprintf(out, " in %.1fs", (double)(r->finished_ms - r->started_ms) / 1000.0);
	fputc('\n', out);
	fprintf(out, "  %-28s %-8s %-13s %10s %10s %7s %6s %8s\n", "PIPELINE", "STATUS", "OPERATION",
		"ROWS IN", "ROWS OUT", "FILES", "CHECKS", "SECONDS");
	for (i = 0; i < r->step_count; i++) {
		const rat_run_step *s = &r->steps[i];
		char files[32] = "-", checks[32] = "-", secs[32] = "-";
		if (s->files_added || s->files_removed)
			snprintf(files, sizeof(files), "+%" PRId64 "/-%" PRId64, s->files_added,
				 s->files_removed);
		if (s->checks_passed + s->checks_failed + s->checks_warned)
			snprintf(checks, sizeof(checks), "%" PRId64 "/%" PRId64, s->checks_passed,
				 s->checks_passed + s->checks_failed + s->checks_warned);
		if (s->finished_ms)
			snprintf(secs, sizeof(secs), "%.2f",
				 (double)(s->finished_ms - s->started_ms) / 1000.0);
		fprintf(out, "  %-28s %-8s %-13s %10" PRId64 " %10" PRId64 " %7s %6s %8s\n", s->key,
			status_names[s->status], s->operation[0] ? s->operation : "-", s->rows_in,
			s->rows_out, files, checks, secs);
		if (s->write_passes > 1)
			fprintf(out, "    note: the engine ran out of memory writing it as one query; "
				     "written in %" PRId64 " ranges of its unique key\n",
				s->write_passes);
		for (const char *w = s->warnings; *w; w += strcspn(w, "\n"), w += *w == '\n')
			fprintf(out, "    warning: %.*s\n", (int)strcspn(w, "\n"), w);
		if (verbose && s->error[0])
			fprintf(out, "    error: %s\n", s->error);
	}
	if (r->error[0])
		fprintf(out, "Error: %s\n", r->error);
	if (r->retention[0])
		fprintf(out, "Retention: %s\n", r->retention);
	if (r->run_branch[0])
		fprintf(out, "The run's tables are kept on %s.\n", r->run_branch);
	else if (r->commit[0])
		fprintf(out, "Published to %s at %.12s.\n", r->branch, r->commit);
}

static int show(rat_workspace *ws, const char *id, bool json)
{
	rat_run_info *run = NULL;
	size_t i;

	if (rat_run_get(&run, ws, id) != 0)
		return cli_fail_lib(NULL);
	cli_print_run(stdout, run, json, true);
	if (!json)
		for (i = 0; i < run->step_count; i++)
			if (run->steps[i].sql[0])
				printf("\n-- %s\n%s\n", run->steps[i].key, run->steps[i].sql);
	rat_run_info_free(run);
	return CLI_OK;
}

static int list(rat_workspace *ws, long limit, bool json)
{
	rat_run_list runs;
	size_t i, j;

	if (rat_run_list_get(&runs, ws, limit > 0 ? (size_t)limit : 20) != 0)
		return cli_fail_lib(NULL);
	if (json) { /* an array of the records, newest first */
		for (i = 0; i < runs.count; i++) {
			fputs(i ? "," : "[", stdout);
			cli_print_run(stdout, runs.items[i], true, true);
		}
		fputs(runs.count ? "]\n" : "[]\n", stdout);
		rat_run_list_free(&runs);
		return CLI_OK;
	}
	printf("%-24s %-8s %-19s  %8s  %s\n", "RUN", "STATUS", "STARTED (UTC)", "SECONDS",
	       "PIPELINES");
	for (i = 0; i < runs.count; i++) {
		const rat_run_info *r = runs.items[i];
		size_t ok = 0;
		for (j = 0; j < r->step_count; j++)
			ok += r->steps[j].status == RAT_STEP_OK || r->steps[j].status == RAT_STEP_SKIPPED;
		printf("%-24s %-8s ", r->id, r->status);
		print_time(stdout, r->started_ms);
		printf("  %8.1f  %zu/%zu\n", (double)(r->finished_ms - r->started_ms) / 1000.0, ok,
		       r->step_count);
	}
	rat_run_list_free(&runs);
	return CLI_OK;
}

static int run(const cli_args *a)
{
	static const char *const verbs[] = { "show", NULL };
	const char *format = cli_get(a, CLI_OPT(FORMAT));
	bool json = format && strcmp(format, "json") == 0;
	rat_workspace *ws = NULL;
	int status;

	if (a->count > 0 && strcmp(a->pos[0], "show") != 0)
		return cli_unknown_verb(a->cmd, a->pos[0], verbs);
	if (a->count > 0 && a->count != 2)
		return cli_usage(a->cmd, "show wants one run ID");
	if (rat_workspace_open(&ws, cli_get(a, CLI_OPT(WORKSPACE))) != 0)
		return cli_fail_lib(NULL);
	status = a->count ? show(ws, a->pos[1], json)
			  : list(ws, cli_count(a, CLI_OPT(LIMIT), 0), json);
	rat_workspace_free(ws);
	return status;
}

const char *const cli_run_formats[] = { "console", "json", NULL };

static const cli_use options[] = {
	{ CLI_OPT(WORKSPACE), NULL, NULL },
	{ CLI_OPT(LIMIT), "runs to list (default 20)", NULL },
	{ CLI_OPT(FORMAT), "console (default) or json (the records)", cli_run_formats },
	{ CLI_OPT(JSON), NULL, NULL },
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_runs = {
	"runs",
	"list recorded runs, or show one",
	run,
	"Usage: rat runs [-w NAME|PATH] [-n N] [--json]\n"
	"       rat runs show ID [--json] [-w NAME|PATH]\n"
	"\n"
	"Every `rat run` is recorded. The list shows the newest N runs (default\n"
	"20): id, status, start time, duration and pipelines that succeeded.\n"
	"`show` prints one run's pipelines (status, operation, rows in and out,\n"
	"files added/removed, checks passed, duration, errors) and the SQL each\n"
	"ran; ID may be a unique prefix. With --json, the records as JSON (the list:\n"
	"an array of them, newest first).\n",
	options,
	NULL,
	NULL,
};
