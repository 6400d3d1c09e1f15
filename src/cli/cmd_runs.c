/*
 * cli/cmd_runs.c - `rat runs [show ID]`: the recorded runs of a workspace,
 * and one run's steps. Also the printer `rat run` ends with.
 */
#include "cli/cli.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>


static void json_step(cli_json *j, const rat_run_step *s)
{
	cli_json_object(j, NULL);
	cli_json_text(j, "pipeline", s->key);
	cli_json_text(j, "status", rat_step_status_name(s->status));
	cli_json_unset(j, "operation", s->operation);
	cli_json_time(j, "started", s->started_ms);
	cli_json_time(j, "finished", s->finished_ms);
	cli_json_int(j, "rows_in", s->rows_in);
	cli_json_int(j, "rows_out", s->rows_out);
	cli_json_int(j, "files_added", s->files_added);
	cli_json_int(j, "files_removed", s->files_removed);
	cli_json_int(j, "files_ingested", s->files_ingested);
	cli_json_int(j, "write_passes", s->write_passes);
	cli_json_int(j, "checks_passed", s->checks_passed);
	cli_json_int(j, "checks_failed", s->checks_failed);
	cli_json_int(j, "checks_warned", s->checks_warned);
	cli_json_unset(j, "error", s->error);
	cli_json_unset(j, "warnings", s->warnings);
	cli_json_unset(j, "sql", s->sql);
	cli_json_unset(j, "log", s->log);
	cli_json_close(j);
}

/* One run's record as a JSON object (an element when j is inside an array). */
static void json_run(cli_json *j, const rat_run_info *r)
{
	size_t i;

	cli_json_object(j, NULL);
	cli_json_text(j, "id", r->id);
	cli_json_text(j, "workspace", r->workspace);
	cli_json_text(j, "branch", r->branch);
	cli_json_unset(j, "run_branch", r->run_branch);
	cli_json_text(j, "status", r->status);
	cli_json_unset(j, "error", r->error);
	cli_json_unset(j, "commit", r->commit);
	cli_json_unset(j, "retention", r->retention);
	cli_json_unset(j, "record_error", r->record_error);
	cli_json_time(j, "started", r->started_ms);
	cli_json_time(j, "finished", r->finished_ms);
	cli_json_bool(j, "full_refresh", r->full_refresh);
	cli_json_unset(j, "trigger", r->trigger);
	cli_json_array(j, "steps");
	for (i = 0; i < r->step_count; i++)
		json_step(j, &r->steps[i]);
	cli_json_close(j);
	cli_json_close(j);
}

int cli_print_run_json(FILE *out, const rat_run_info *r)
{
	cli_json j;

	cli_json_begin(&j, out);
	json_run(&j, r);
	return cli_json_end(&j);
}

void cli_print_run(FILE *out, const rat_run_info *r, bool verbose)
{
	size_t i;

	fprintf(out, "Run %s on %s: %s", r->id, r->branch, r->status);
	if (r->finished_ms >= r->started_ms)
		fprintf(out, " in %.1fs", (double)(r->finished_ms - r->started_ms) / 1000.0);
	if (r->trigger && r->trigger[0])
		fprintf(out, " (trigger %s)", r->trigger);
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
			rat_step_status_name(s->status), s->operation[0] ? s->operation : "-", s->rows_in,
			s->rows_out, files, checks, secs);
		if (s->write_passes > 1)
			fprintf(out, "    note: the engine ran out of memory writing it as one query; "
				     "written in %" PRId64 " ranges of its unique key\n",
				s->write_passes);
		for (const char *w = s->warnings; *w; w += strcspn(w, "\n"), w += *w == '\n')
			fprintf(out, "    warning: %.*s\n", (int)strcspn(w, "\n"), w);
		for (const char *l = s->log; verbose && *l; l += strcspn(l, "\n"), l += *l == '\n')
			fprintf(out, "    log: %.*s\n", (int)strcspn(l, "\n"), l);
		if (verbose && s->error[0] && strcmp(s->error, r->error) != 0) /* else: below */
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
	int status = CLI_OK;

	if (rat_run_get(&run, ws, id) != 0)
		return cli_fail_lib(NULL);
	if (json) {
		status = cli_print_run_json(stdout, run);
	} else {
		cli_print_run(stdout, run, true);
		for (i = 0; i < run->step_count; i++)
			if (run->steps[i].sql[0])
				printf("\n-- %s\n%s\n", run->steps[i].key, run->steps[i].sql);
	}
	rat_run_info_free(run);
	return status;
}

static int list_json(const rat_run_list *runs)
{
	cli_json j;
	size_t i;

	cli_json_begin(&j, stdout);
	cli_json_array(&j, NULL); /* the records, newest first */
	for (i = 0; i < runs->count; i++)
		json_run(&j, runs->items[i]);
	return cli_json_end(&j);
}

/* One run's line: id, status, start, duration and the pipelines that succeeded. */
static int list_row(cli_columns *t, const rat_run_info *r)
{
	char started[32], secs[32], done[48];
	const char *cells[5] = { r->id, r->status, started, secs, done };
	size_t ok = 0, j;

	for (j = 0; j < r->step_count; j++)
		ok += r->steps[j].status == RAT_STEP_OK || r->steps[j].status == RAT_STEP_SKIPPED;
	cli_time(started, sizeof(started), r->started_ms);
	snprintf(secs, sizeof(secs), "%.1f", (double)(r->finished_ms - r->started_ms) / 1000.0);
	snprintf(done, sizeof(done), "%zu/%zu", ok, r->step_count);
	return cli_columns_row(t, cells);
}

static int list(rat_workspace *ws, long limit, bool json)
{
	static const char *const heads[] = { "RUN", "STATUS", "STARTED (UTC)", "SECONDS",
					     "PIPELINES" };
	rat_run_list runs;
	cli_columns t;
	size_t i;
	int status;

	if (rat_run_list_get(&runs, ws, limit > 0 ? (size_t)limit : 20) != 0)
		return cli_fail_lib(NULL);
	if (json) {
		status = list_json(&runs);
		rat_run_list_free(&runs);
		return status;
	}
	status = cli_columns_init(&t, 5, heads, "lllrl");
	for (i = 0; status == CLI_OK && i < runs.count; i++)
		status = list_row(&t, runs.items[i]);
	if (status == CLI_OK)
		cli_columns_print(&t, stdout);
	cli_columns_free(&t);
	rat_run_list_free(&runs);
	return status;
}

static int run(const cli_args *a)
{
	static const char *const verbs[] = { "show", NULL };
	bool json = cli_wants_json(a);
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

static const cli_use options[] = {
	{ CLI_OPT(WORKSPACE), NULL, NULL },
	{ CLI_OPT(LIMIT), "runs to list (default 20)", NULL },
	CLI_USE_FORMATS("console (default) or json (the records)"),
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
