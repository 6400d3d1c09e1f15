/*
 * cli/cmd_log.c - `rat log [REF] [-n N]`: the commits of a branch, newest first.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <time.h>

static int run(int argc, char **argv)
{
	static const struct option options[] = {
		{ "workspace", required_argument, NULL, 'w' },
		{ "limit", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *workspace = NULL;
	rat_workspace *ws = NULL;
	rat_catalog *catalog = NULL;
	rat_log log;
	size_t limit = 0, i;
	char *end;
	int c, status;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "w:n:h", options, NULL)) != -1) {
		switch (c) {
		case 'w': workspace = optarg; break;
		case 'n':
			limit = strtoul(optarg, &end, 10);
			if (*end || optarg[0] == '-')
				return cli_usage(&cli_cmd_log, "--limit wants a count, got '%s'", optarg);
			break;
		case 'h': return cli_help(&cli_cmd_log);
		default: return cli_usage(&cli_cmd_log, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind + 1 < argc)
		return cli_usage(&cli_cmd_log, "too many arguments");
	if ((status = cli_open_catalog(workspace, &ws, &catalog)) != CLI_OK)
		return status;
	if (rat_log_get(&log, catalog, optind < argc ? argv[optind] : rat_workspace_branch(ws), limit) != 0) {
		status = cli_fail_lib(NULL);
	} else {
		for (i = 0; i < log.count; i++) {
			const rat_log_entry *e = &log.items[i];
			time_t t = (time_t)(e->time_ms / 1000);
			struct tm tm;
			char when[32];
			gmtime_r(&t, &tm);
			strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
			printf("%.12s  %s UTC  %-16s %s%s\n", e->hash, when, e->author, e->message,
			       e->merge_parent[0] ? " (merge)" : "");
		}
		rat_log_free(&log);
	}
	rat_catalog_free(catalog);
	rat_workspace_free(ws);
	return status;
}

const cli_command cli_cmd_log = {
	"log",
	"show the commits of a branch",
	run,
	"Usage: rat log [REF] [-n N]\n"
	"\n"
	"Commits reachable from REF (default: the workspace's branch), newest first:\n"
	"hash, time (UTC), author and message.\n"
	"\n"
	"Options:\n"
	"  -w, --workspace NAME|PATH  the workspace\n"
	"  -n, --limit N              at most N commits\n"
	"  -h, --help                 show this help\n",
};
