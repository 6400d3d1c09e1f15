/*
 * cli/cmd_maintenance.c - `rat retention apply` and `rat vacuum`.
 */
#include "cli/cli.h"

#include <getopt.h>
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

static int retention(int argc, char **argv)
{
	static const struct option options[] = {
		{ "workspace", required_argument, NULL, 'w' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *workspace = NULL;
	rat_workspace *ws = NULL;
	rat_retention_report report;
	int c, dry = 0;
	size_t i;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "w:nh", options, NULL)) != -1) {
		switch (c) {
		case 'w': workspace = optarg; break;
		case 'n': dry = 1; break;
		case 'h': return cli_help(&cli_cmd_retention);
		default: return cli_usage(&cli_cmd_retention, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1 || strcmp(argv[optind], "apply") != 0)
		return cli_usage(&cli_cmd_retention, "the subcommand is apply");
	if (rat_workspace_open(&ws, workspace) != 0)
		return cli_fail_lib(NULL);
	if (rat_retention_apply(&report, ws, dry) != 0) {
		rat_workspace_free(ws);
		return cli_fail_lib(NULL);
	}
	printf("%-28s %6s %-16s %-19s %10s %s\n", "TABLE", "DAYS", "BY", "CUTOFF (UTC)",
	       dry ? "WOULD GO" : "DELETED", "FILES");
	for (i = 0; i < report.count; i++) {
		const rat_retention_item *t = &report.items[i];
		if (t->note[0]) {
			printf("%-28s %6s %s\n", t->table,
			       t->retention_days < 0 ? "-" : "", t->note);
			continue;
		}
		printf("%-28s %6" PRId64 " %-16s %-19s %10" PRId64 " -%" PRId64 "/+%" PRId64 "\n",
		       t->table, t->retention_days, t->column, t->cutoff, t->rows_deleted,
		       t->files_removed, t->files_added);
	}
	if (dry)
		printf("Dry run: nothing changed.\n");
	else if (report.commit[0])
		printf("Committed to %s at %.12s.\n", rat_workspace_branch(ws), report.commit);
	rat_retention_report_free(&report);
	rat_workspace_free(ws);
	return CLI_OK;
}

static int vacuum(int argc, char **argv)
{
	static const struct option options[] = {
		{ "workspace", required_argument, NULL, 'w' },
		{ "older-than", required_argument, NULL, 'o' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	rat_vacuum_options opts = RAT_VACUUM_OPTIONS_INIT;
	const char *workspace = NULL;
	rat_workspace *ws = NULL;
	rat_vacuum_report report;
	int c, verbose = 0;
	size_t i;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "w:o:nvh", options, NULL)) != -1) {
		switch (c) {
		case 'w': workspace = optarg; break;
		case 'o':
			if ((opts.older_than_ms = parse_age(optarg)) < 0)
				return cli_usage(&cli_cmd_vacuum, "--older-than wants an age like 7d, "
								  "12h or 0, got '%s'", optarg);
			break;
		case 'n': opts.dry_run = 1; break;
		case 'v': verbose = 1; break;
		case 'h': return cli_help(&cli_cmd_vacuum);
		default: return cli_usage(&cli_cmd_vacuum, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind != argc)
		return cli_usage(&cli_cmd_vacuum, "takes no arguments");
	if (rat_workspace_open(&ws, workspace) != 0)
		return cli_fail_lib(NULL);
	if (rat_vacuum(&report, ws, &opts) != 0) {
		rat_workspace_free(ws);
		return cli_fail_lib(NULL);
	}
	for (i = 0; verbose && i < report.file_count; i++)
		printf("%s %s\n", opts.dry_run ? "would delete" : "deleted", report.files[i]);
	printf("%s %zu files (%" PRIu64 " bytes) of %zu tables; %zu snapshots expired.\n",
	       opts.dry_run ? "Would delete" : "Deleted", report.files_deleted,
	       report.bytes_deleted, report.tables, report.snapshots_expired);
	rat_vacuum_report_free(&report);
	rat_workspace_free(ws);
	return CLI_OK;
}

const cli_command cli_cmd_retention = {
	"retention",
	"delete rows older than their layer's retention_days",
	retention,
	"Usage: rat retention apply [-w NAME|PATH] [--dry-run]\n"
	"\n"
	"Delete, in one commit on the workspace's branch, the rows older than their\n"
	"layer's retention_days (workspace.yaml layers.<layer>.retention_days; null\n"
	"keeps forever). A table goes by its date partition column, else\n"
	"_ingested_at, else _ingested_date. Whole files go where the partitioning\n"
	"follows the date; others are rewritten without the old rows. The previous\n"
	"state stays readable with --ref until rat vacuum.\n"
	"\n"
	"Options:\n"
	"  -w, --workspace NAME|PATH  the workspace\n"
	"  -n, --dry-run              report what would go; change nothing\n"
	"  -h, --help                 show this help\n",
};

const cli_command cli_cmd_vacuum = {
	"vacuum",
	"expire old snapshots and delete files nothing references",
	vacuum,
	"Usage: rat vacuum [-w NAME|PATH] [--older-than AGE] [--dry-run] [-v]\n"
	"\n"
	"Keep what any branch or tag (run and dev branches included) reads of the\n"
	"workspace's tables: each table's current snapshot and those younger than\n"
	"AGE. Expire the older snapshots, then delete every file under the\n"
	"workspace's storage that nothing kept references and that is older than\n"
	"AGE (younger ones may belong to a write in progress). Published product\n"
	"versions have files of their own and are never touched.\n"
	"\n"
	"Options:\n"
	"  -w, --workspace NAME|PATH  the workspace\n"
	"  -o, --older-than AGE       7d (default), 12h, 30m, 0 for everything\n"
	"  -n, --dry-run              list what would go; delete nothing\n"
	"  -v, --verbose              list the files\n"
	"  -h, --help                 show this help\n",
};
