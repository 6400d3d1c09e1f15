/*
 * cli/cmd_log.c - `rat log [REF] [-n N]`: the commits of a branch, newest first.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int is_table(const char *s)
{
	return strncmp(s, "bronze.", 7) == 0 || strncmp(s, "silver.", 7) == 0 ||
	       strncmp(s, "gold.", 5) == 0;
}

/* Did this commit change the table (compared with its first parent)? */
static int touches(rat_catalog *catalog, const rat_log_entry *e, const char *table)
{
	rat_diff_list diff;
	size_t i;
	int found = 0;

	if (!e->parent[0] || rat_diff_get(&diff, catalog, e->parent, e->hash) != 0)
		return 0;
	for (i = 0; i < diff.count; i++)
		found |= strcmp(diff.items[i].key, table) == 0;
	rat_diff_list_free(&diff);
	return found;
}

static int run(int argc, char **argv)
{
	static const struct option options[] = {
		{ "workspace", required_argument, NULL, 'w' },
		{ "limit", required_argument, NULL, 'n' },
		{ "ref", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *workspace = NULL, *ref = NULL, *table = NULL;
	rat_workspace *ws = NULL;
	rat_catalog *catalog = NULL;
	rat_log log;
	size_t limit = 0, i;
	char *end;
	int c, status;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "w:n:r:h", options, NULL)) != -1) {
		switch (c) {
		case 'w': workspace = optarg; break;
		case 'r': ref = optarg; break;
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
	/* the argument is a table (layer.table) or, for convenience, a ref */
	if (optind < argc) {
		if (is_table(argv[optind]))
			table = argv[optind];
		else if (!ref)
			ref = argv[optind];
	}
	if ((status = cli_open_catalog(workspace, &ws, &catalog)) != CLI_OK)
		return status;
	/* with a table, walk the whole history and keep the commits that changed it */
	if (rat_log_get(&log, catalog, ref ? ref : rat_workspace_branch(ws), table ? 0 : limit) != 0) {
		status = cli_fail_lib(NULL);
	} else {
		size_t shown = 0;
		for (i = 0; i < log.count && (!limit || shown < limit); i++) {
			const rat_log_entry *e = &log.items[i];
			if (table && !touches(catalog, e, table))
				continue;
			shown++;
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
	"Usage: rat log [TABLE] [--ref REF] [-n N]\n"
	"\n"
	"Commits reachable from REF (default: the workspace's branch), newest first:\n"
	"hash, time (UTC), author and message. With TABLE (layer.table), only the\n"
	"commits that changed it. (A REF given in TABLE's place is taken as --ref.)\n"
	"\n"
	"Options:\n"
	"  -w, --workspace NAME|PATH  the workspace\n"
	"  -r, --ref REF              a branch, tag or commit\n"
	"  -n, --limit N              at most N commits\n"
	"  -h, --help                 show this help\n",
};
