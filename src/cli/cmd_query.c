/*
 * cli/cmd_query.c - `rat query SQL [-w W] [--ref REF] [--format table|csv|json]
 * [--output FILE]`, in a session bound to the workspace's tables and locked down.
 *
 * With --output, the result goes to FILE.<pid>.tmp first and is renamed over
 * FILE only when the whole result was written: a failed query never leaves a
 * partial file behind.
 */
#include "cli/cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Read all of stdin (for `rat query -`), capped at 64 MiB. */
static char *read_stdin(void)
{
	size_t len = 0, cap = 4096, max = (size_t)64 << 20;
	char *buf = malloc(cap), *grown;
	size_t n;

	while (buf && (n = fread(buf + len, 1, cap - len - 1, stdin)) > 0) {
		len += n;
		if (len + 1 == cap) {
			if (cap >= max) {
				free(buf);
				cli_fail("query: SQL on standard input is larger than 64 MiB");
				return NULL;
			}
			if ((grown = realloc(buf, cap * 2)) == NULL) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = grown;
			cap *= 2;
		}
	}
	if (!buf) {
		cli_fail("query: out of memory reading standard input");
		return NULL;
	}
	buf[len] = '\0';
	return buf;
}

static int parse_format(cli_format *out, const char *s)
{
	if (strcmp(s, "table") == 0)
		*out = CLI_FORMAT_TABLE;
	else if (strcmp(s, "csv") == 0)
		*out = CLI_FORMAT_CSV;
	else if (strcmp(s, "json") == 0)
		*out = CLI_FORMAT_JSON;
	else
		return -1;
	return 0;
}

static int write_output(rat_result *result, const char *path, cli_format format,
			unsigned long max_rows)
{
	char tmp[4096];
	FILE *out;
	int status;

	if (!path)
		return cli_write_result(stdout, result, format, max_rows, cli_color(stdout));
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid()) >= sizeof(tmp))
		return cli_fail("query: output path too long: %s", path);
	if ((out = fopen(tmp, "w")) == NULL)
		return cli_fail("query: cannot write %s: %s", path, strerror(errno));
	status = cli_write_result(out, result, format, max_rows, false);
	if (fclose(out) != 0 && status == CLI_OK)
		status = cli_fail("query: writing %s: %s", path, strerror(errno));
	if (status == CLI_OK && rename(tmp, path) != 0)
		status = cli_fail("query: cannot move the result into %s: %s", path, strerror(errno));
	if (status != CLI_OK)
		unlink(tmp);
	return status;
}

static int run(int argc, char **argv)
{
	static const struct option options[] = {
		{ "workspace", required_argument, NULL, 'w' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "max-rows", required_argument, NULL, 'n' },
		{ "ref", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *workspace = NULL, *output = NULL, *ref = NULL;
	cli_format format = CLI_FORMAT_TABLE;
	unsigned long max_rows = 1000;
	rat_workspace *ws = NULL;
	rat_engine *engine = NULL;
	rat_result *result = NULL;
	char *sql = NULL, *end;
	int c, status = CLI_FAILURE;

	optind = 0;
	opterr = 0; /* we word the message ourselves */
	while ((c = getopt_long(argc, argv, "w:f:o:n:r:h", options, NULL)) != -1) {
		switch (c) {
		case 'w': workspace = optarg; break;
		case 'r': ref = optarg; break;
		case 'o': output = optarg; break;
		case 'f':
			if (parse_format(&format, optarg) != 0)
				return cli_usage(&cli_cmd_query, "unknown format '%s' (table, csv, json)",
						 optarg);
			break;
		case 'n':
			errno = 0;
			max_rows = strtoul(optarg, &end, 10);
			if (*end || errno || optarg[0] == '-')
				return cli_usage(&cli_cmd_query, "--max-rows wants a count, got '%s'",
						 optarg);
			break;
		case 'h': return cli_help(&cli_cmd_query);
		default: return cli_usage(&cli_cmd_query, "unknown option \'%s\'", argv[optind - 1]);
		}
	}
	if (optind + 1 != argc)
		return cli_usage(&cli_cmd_query, optind == argc ? "missing SQL" : "too many arguments "
										  "(quote the SQL)");
	if (strcmp(argv[optind], "-") == 0) {
		if ((sql = read_stdin()) == NULL)
			return CLI_FAILURE;
	}
	if (rat_workspace_open(&ws, workspace) != 0) {
		status = cli_fail_lib(NULL);
		goto cleanup;
	}
	if (rat_engine_open_at(&engine, ws, ref) != 0) {
		status = cli_fail_lib(NULL);
		goto cleanup;
	}
	if (rat_engine_query(&result, engine, sql ? sql : argv[optind]) != 0) {
		status = cli_fail_lib(NULL);
		goto cleanup;
	}
	status = write_output(result, output, format, max_rows);
cleanup:
	rat_result_free(result);
	rat_engine_free(engine);
	rat_workspace_free(ws);
	free(sql);
	return status;
}

const cli_command cli_cmd_query = {
	"query",
	"run SQL in a workspace's engine and print the result",
	run,
	"Usage: rat query SQL [-w NAME|PATH] [--ref REF] [--format table|csv|json] [--output FILE]\n"
	"\n"
	"Run SQL (several statements are run in order; the last one's result is\n"
	"printed) in an engine session configured by the workspace's profile, where\n"
	"layer.table names the workspace's tables on its branch (or at --ref). The\n"
	"session reaches nothing else: no other folder or file, no ATTACH, no COPY\n"
	"out of it. SQL '-' reads the statements from standard input.\n"
	"\n"
	"Options:\n"
	"  -w, --workspace NAME|PATH  the workspace (default: $WORKSPACE, else the one\n"
	"                             enclosing the current folder, else 'default')\n"
	"  -r, --ref REF              read the workspace's tables as of REF (a branch, tag\n"
	"                             or commit) instead of its branch's head\n"
	"  -f, --format FORMAT        table (default), csv or json (an array of objects)\n"
	"  -o, --output FILE          write the result to FILE (replaced only on success)\n"
	"  -n, --max-rows N           rows shown in table format (default 1000, 0 = all);\n"
	"                             csv and json always hold every row\n"
	"  -h, --help                 show this help\n"
	"\n"
	"Exit status: 0 success, 1 failure (the engine's message is printed), 2 usage.\n",
};
