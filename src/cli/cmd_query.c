/*
 * cli/cmd_query.c - `rat query SQL [-w W] [--ref REF] [--format table|csv|json]
 * [--output FILE] [--limit N]`, in a session bound to the workspace's tables
 * and locked down.
 *
 * With --output, the result goes to FILE.<pid>.tmp first and is renamed over
 * FILE only when the whole result was written: a failed query never leaves a
 * partial file behind.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static cli_format parse_format(const char *s)
{
	if (s && strcmp(s, "csv") == 0)
		return CLI_FORMAT_CSV;
	if (s && strcmp(s, "json") == 0)
		return CLI_FORMAT_JSON;
	return CLI_FORMAT_TABLE;
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

static int run(const cli_args *a)
{
	const char *workspace = cli_get(a, CLI_OPT(WORKSPACE)), *ref = cli_get(a, CLI_OPT(REF));
	cli_format format = parse_format(cli_get(a, CLI_OPT(FORMAT)));
	unsigned long max_rows = (unsigned long)cli_count(a, CLI_OPT(LIMIT), 1000);
	rat_workspace *ws = NULL;
	rat_engine *engine = NULL;
	rat_result *result = NULL;
	char *sql = NULL;
	int status = CLI_FAILURE;

	if (a->count != 1)
		return cli_usage(a->cmd, a->count == 0 ? "missing SQL"
						       : "too many arguments (quote the SQL)");
	if (strcmp(a->pos[0], "-") == 0) {
		if ((sql = cli_read_sql("-", "query")) == NULL)
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
	if (rat_engine_query(&result, engine, sql ? sql : a->pos[0]) != 0) {
		status = cli_fail_lib(NULL);
		goto cleanup;
	}
	status = write_output(result, cli_get(a, CLI_OPT(OUTPUT)), format, max_rows);
cleanup:
	rat_result_free(result);
	rat_engine_free(engine);
	rat_workspace_free(ws);
	free(sql);
	return status;
}

static const char *const formats[] = { "table", "csv", "json", NULL };

static const cli_use options[] = {
	{ CLI_OPT(WORKSPACE), NULL, NULL },
	{ CLI_OPT(REF), "read the workspace's tables as of REF (a branch, tag\n"
			"or commit) instead of its branch's head", NULL },
	{ CLI_OPT(FORMAT), "table (default), csv or json (an array of objects)", formats },
	{ CLI_OPT(JSON), NULL, NULL },
	{ CLI_OPT(OUTPUT), "write the result to FILE (replaced only on success)", NULL },
	{ CLI_OPT(LIMIT), "rows shown in table format (default 1000, 0 = all);\n"
			  "csv and json always hold every row", NULL },
	{ NULL, NULL, NULL },
};

/* Before -o was the format everywhere, it was query's output file. */
static const cli_alias aliases[] = {
	{ "-f", CLI_OPT(FORMAT), NULL },
	{ "-o", CLI_OPT(OUTPUT), formats },
	{ "--max-rows", CLI_OPT(LIMIT), NULL },
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_query = {
	"query",
	"run SQL in a workspace's engine and print the result",
	run,
	"Usage: rat query SQL [-w NAME|PATH] [-r REF] [-o table|csv|json] [--output FILE] [-n N]\n"
	"\n"
	"Run SQL (several statements are run in order; the last one's result is\n"
	"printed) in an engine session configured by the workspace's profile, where\n"
	"layer.table names the workspace's tables on its branch (or at --ref). The\n"
	"session reaches nothing else: no other folder or file, no ATTACH, no COPY\n"
	"out of it. SQL '-' reads the statements from standard input.\n",
	options,
	aliases,
	"Exit status: 0 success, 1 failure (the engine's message is printed), 2 usage.\n",
};
