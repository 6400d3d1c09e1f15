/*
 * cli/cmd_maintenance.c - `rat retention apply` and `rat vacuum`.
 */
#include "cli/cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* "90s", "30m", "12h", "7d" or "0" -> milliseconds; -1 when malformed. */
static int64_t parse_age(const char *s)
{
	char *end;
	long long n = strtoll(s, &end, 10);

	if (end == s || n < 0)
		return -1;
	if (*end == '\0' || strcmp(end, "s") == 0)
		return (int64_t)n * 1000;
	if (strcmp(end, "m") == 0)
		return (int64_t)n * 60000;
	if (strcmp(end, "h") == 0)
		return (int64_t)n * 3600000;
	if (strcmp(end, "d") == 0)
		return (int64_t)n * 86400000;
	return -1;
}

static const char *const retention_verbs[] = { "apply", NULL };

/* "2024-03-01 00:00:00" (UTC, as the report gives it) -> "2024-03-01T00:00:00Z" */
static void iso_cutoff(char *out, size_t len, const char *cutoff)
{
	if (strlen(cutoff) == 19 && cutoff[10] == ' ')
		snprintf(out, len, "%.10sT%sZ", cutoff, cutoff + 11);
	else
		snprintf(out, len, "%s", cutoff);
}

static int retention_json(const rat_retention_report *report, const rat_workspace *ws, int dry)
{
	cli_json j;
	char cutoff[64];
	size_t i;

	cli_json_begin(&j, stdout);
	cli_json_object(&j, NULL);
	cli_json_bool(&j, "dry_run", dry);
	cli_json_text(&j, "branch", rat_workspace_branch(ws));
	cli_json_unset(&j, "commit", report->commit);
	cli_json_array(&j, "tables");
	for (i = 0; i < report->count; i++) {
		const rat_retention_item *t = &report->items[i];
		iso_cutoff(cutoff, sizeof(cutoff), t->cutoff);
		cli_json_object(&j, NULL);
		cli_json_text(&j, "table", t->table);
		cli_json_count(&j, "retention_days", t->retention_days);
		cli_json_unset(&j, "column", t->column);
		cli_json_unset(&j, "cutoff_at", cutoff);
		cli_json_int(&j, "rows_deleted", t->rows_deleted);
		cli_json_int(&j, "files_removed", t->files_removed);
		cli_json_int(&j, "files_added", t->files_added);
		cli_json_int(&j, "files_rewritten", t->files_rewritten);
		cli_json_int(&j, "rows_kept", t->rows_kept);
		cli_json_unset(&j, "kept_why", t->kept_why);
		cli_json_unset(&j, "note", t->note);
		cli_json_close(&j);
	}
	return cli_json_end(&j);
}

static void retention_text(const rat_retention_report *report, const rat_workspace *ws, int dry)
{
	size_t i;

	printf("%-28s %6s %-16s %-19s %10s %s\n", "TABLE", "DAYS", "BY", "CUTOFF (UTC)",
	       dry ? "WOULD GO" : "DELETED", "FILES");
	for (i = 0; i < report->count; i++) {
		const rat_retention_item *t = &report->items[i];
		if (t->note[0] && t->retention_days < 0) {
			printf("%-28s %6s %s\n", t->table, "-", t->note);
			continue;
		}
		if (t->note[0]) {
			printf("%-28s %6" PRId64 " %s\n", t->table, t->retention_days, t->note);
			continue;
		}
		printf("%-28s %6" PRId64 " %-16s %-19s %10" PRId64 " -%" PRId64, t->table,
		       t->retention_days, t->column[0] ? t->column : "load time", t->cutoff,
		       t->rows_deleted, t->files_removed);
		if (dry)
			printf(" (%" PRId64 " rewritten)\n", t->files_rewritten);
		else
			printf("/+%" PRId64 "\n", t->files_added);
	}
	for (i = 0; i < report->count; i++)
		if (report->items[i].rows_kept > 0)
			printf("%s: %" PRId64 " rows with %s before the cutoff stay: %s.\n",
			       report->items[i].table, report->items[i].rows_kept,
			       report->items[i].column, report->items[i].kept_why);
	if (dry)
		printf("Dry run: nothing changed.\n");
	else if (report->commit[0])
		printf("Committed to %s at %.12s.\n", rat_workspace_branch(ws), report->commit);
}

static int retention(const cli_args *a)
{
	const char *workspace = cli_get(a, CLI_OPT(WORKSPACE));
	rat_workspace *ws = NULL;
	rat_retention_report report;
	int dry = cli_has(a, CLI_OPT(DRY_RUN)), status = CLI_OK;

	if (a->count == 0)
		return cli_usage(a->cmd, "the subcommand is apply");
	if (strcmp(a->pos[0], "apply") != 0)
		return cli_unknown_verb(a->cmd, a->pos[0], retention_verbs);
	if (a->count > 1)
		return cli_usage(a->cmd, "apply takes no arguments");
	if (rat_workspace_open(&ws, workspace) != 0)
		return cli_fail_lib(NULL);
	if (rat_retention_apply(&report, ws, dry) != 0) {
		rat_workspace_free(ws);
		return cli_fail_lib(NULL);
	}
	if (cli_wants_json(a))
		status = retention_json(&report, ws, dry);
	else
		retention_text(&report, ws, dry);
	rat_retention_report_free(&report);
	rat_workspace_free(ws);
	return status;
}

static const cli_option older_than = { "older-than", 0, CLI_TEXT, "AGE",
				       "7d (default), 12h, 30m, 0 for everything", NULL, NULL, NULL };

static int vacuum_json(const rat_vacuum_report *report, const rat_vacuum_options *opts,
		       const rat_strarray *removed)
{
	cli_json j;

	cli_json_begin(&j, stdout);
	cli_json_object(&j, NULL);
	cli_json_bool(&j, "dry_run", opts->dry_run);
	cli_json_count(&j, "older_than_ms", opts->older_than_ms); /* null: the default */
	cli_json_int(&j, "tables", (int64_t)report->tables);
	cli_json_int(&j, "snapshots_expired", (int64_t)report->snapshots_expired);
	cli_json_int(&j, "files_deleted", (int64_t)report->files_deleted);
	cli_json_int(&j, "bytes_deleted", (int64_t)report->bytes_deleted);
	cli_json_strings(&j, "files", report->files, report->file_count);
	cli_json_strings(&j, "run_branches_removed", (const char *const *)removed->strings,
			 removed->count);
	return cli_json_end(&j);
}

static void vacuum_text(const rat_vacuum_report *report, const rat_vacuum_options *opts,
			bool verbose)
{
	size_t i;

	for (i = 0; verbose && i < report->file_count; i++)
		printf("%s %s\n", opts->dry_run ? "would delete" : "deleted", report->files[i]);
	printf("%s %zu files (%" PRIu64 " bytes) of %zu tables; %zu snapshots expired.\n",
	       opts->dry_run ? "Would delete" : "Deleted", report->files_deleted,
	       report->bytes_deleted, report->tables, report->snapshots_expired);
}

/* The run branches of old failed runs (rat_run_prune()): removed, into removed. */
static int prune_runs(const rat_workspace *ws, rat_strarray *removed)
{
	if (rat_run_prune(removed, ws) != 0)
		return cli_fail_lib(NULL);
	return CLI_OK;
}

static void pruned_text(const rat_strarray *removed, bool verbose)
{
	size_t i;

	for (i = 0; verbose && i < removed->count; i++)
		printf("removed branch %s\n", removed->strings[i]);
	if (removed->count)
		printf("Removed %zu branch%s of failed runs (older than runs.keep_failed_days).\n",
		       removed->count, removed->count == 1 ? "" : "es");
}

static int vacuum(const cli_args *a)
{
	rat_vacuum_options opts = RAT_VACUUM_OPTIONS_INIT;
	const char *workspace = cli_get(a, CLI_OPT(WORKSPACE)), *age = cli_get(a, &older_than);
	rat_workspace *ws = NULL;
	rat_vacuum_report report;
	rat_strarray removed = RAT_STRARRAY_INIT;
	int status = CLI_OK;

	opts.dry_run = cli_has(a, CLI_OPT(DRY_RUN));
	if (age && (opts.older_than_ms = parse_age(age)) < 0)
		return cli_usage(a->cmd, "--older-than wants an age like 7d, 12h or 0, got '%s'", age);
	if (a->count != 0)
		return cli_usage(a->cmd, "takes no arguments");
	if (rat_workspace_open(&ws, workspace) != 0)
		return cli_fail_lib(NULL);
	/* first the branches of old failed runs: what only they held is then vacuumed too */
	if ((!opts.dry_run && (status = prune_runs(ws, &removed)) != CLI_OK) ||
	    rat_vacuum(&report, ws, &opts) != 0) {
		rat_strarray_free(&removed);
		rat_workspace_free(ws);
		return status != CLI_OK ? status : cli_fail_lib(NULL);
	}
	if (cli_wants_json(a)) {
		status = vacuum_json(&report, &opts, &removed);
	} else {
		pruned_text(&removed, cli_has(a, CLI_OPT(VERBOSE)));
		vacuum_text(&report, &opts, cli_has(a, CLI_OPT(VERBOSE)));
	}
	rat_vacuum_report_free(&report);
	rat_strarray_free(&removed);
	rat_workspace_free(ws);
	return status;
}

static const cli_use retention_options[] = {
	{ CLI_OPT(WORKSPACE), NULL, NULL },
	{ CLI_OPT(DRY_RUN), "report what would go; change nothing", NULL },
	CLI_USE_FORMATS("console (default) or json"),
	{ NULL, NULL, NULL },
};

static const cli_use vacuum_options[] = {
	{ CLI_OPT(WORKSPACE), NULL, NULL },
	{ &older_than, NULL, NULL },
	{ CLI_OPT(DRY_RUN), "list what would go; delete nothing", NULL },
	{ CLI_OPT(VERBOSE), "list the files", NULL },
	CLI_USE_FORMATS("console (default) or json (which lists the files)"),
	{ NULL, NULL, NULL },
};

/* -n is --limit everywhere now, and -o --format. */
static const cli_alias retention_aliases[] = {
	{ "-n", CLI_OPT(DRY_RUN), NULL },
	{ NULL, NULL, NULL },
};

static const cli_alias vacuum_aliases[] = {
	{ "-n", CLI_OPT(DRY_RUN), NULL },
	{ "-o", &older_than, cli_console_formats }, /* -o json is the format */
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_retention = {
	"retention",
	"delete rows older than their layer's retention_days",
	retention,
	"Usage: rat retention apply [-w NAME|PATH] [--dry-run] [--json]\n"
	"\n"
	"Delete, in one commit on the workspace's branch, the rows loaded more than\n"
	"their layer's retention_days ago (workspace.yaml layers.<layer>.retention_days;\n"
	"null keeps forever): rows loaded since the cutoff stay, however old their\n"
	"dates. A table with _ingested_at also goes by it. A layer's retention_column\n"
	"makes it go by that date instead, recent loads included. Whole files go when\n"
	"all their rows do; others are rewritten without them. The previous state\n"
	"stays readable with --ref until rat vacuum. --dry-run reports exactly what\n"
	"would go: rows, files leaving (and of those, rewritten).\n",
	retention_options,
	retention_aliases,
	NULL,
};

const cli_command cli_cmd_vacuum = {
	"vacuum",
	"expire old snapshots and delete files nothing references",
	vacuum,
	"Usage: rat vacuum [-w NAME|PATH] [--older-than AGE] [--dry-run] [-v] [--json]\n"
	"\n"
	"Keep what any branch or tag (run and dev branches included) reads of the\n"
	"workspace's tables: each table's current snapshot and those younger than\n"
	"AGE. Expire the older snapshots, then delete every file under the\n"
	"workspace's storage that nothing kept references and that is older than\n"
	"AGE (younger ones may belong to a write in progress). Published product\n"
	"versions have files of their own and are never touched.\n",
	vacuum_options,
	vacuum_aliases,
	NULL,
};
