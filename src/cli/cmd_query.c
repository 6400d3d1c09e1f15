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
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The file being written while --output writes it, so that Ctrl-C or
 * SIGTERM leaves no half-written file: the handler removes it (unlink() is
 * async-signal-safe), then the signal ends rat as it would have.
 */
static char partial[4096];

static void remove_partial(int sig)
{
	if (partial[0])
		unlink(partial);
	signal(sig, SIG_DFL);
	raise(sig);
}

static int write_output(rat_result *result, const char *path, cli_output how)
{
	struct sigaction sa, old_int, old_term;
	FILE *out;
	int status;

	if (!path) {
		how.color = cli_color(stdout);
		return cli_write_result(stdout, result, &how);
	}
	if ((size_t)snprintf(partial, sizeof(partial), "%s.%ld.tmp", path, (long)getpid()) >=
	    sizeof(partial))
		return cli_fail("query: output path too long: %s", path);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = remove_partial;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	if ((out = fopen(partial, "w")) == NULL) {
		status = cli_fail("query: cannot write %s: %s", path, strerror(errno));
		goto done;
	}
	status = cli_write_result(out, result, &how);
	if (fclose(out) != 0 && status == CLI_OK)
		status = cli_fail("query: writing %s: %s", path, strerror(errno));
	if (status == CLI_OK && rename(partial, path) != 0)
		status = cli_fail("query: cannot move the result into %s: %s", path, strerror(errno));
	if (status != CLI_OK)
		unlink(partial);
done:
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	partial[0] = '\0';
	return status;
}

static int run(const cli_args *a)
{
	const char *workspace = cli_get(a, CLI_OPT(WORKSPACE)), *ref = cli_get(a, CLI_OPT(REF));
	cli_output how = { cli_parse_format(cli_get(a, CLI_OPT(FORMAT))),
			   (unsigned long)cli_count(a, CLI_OPT(LIMIT), 1000), false,
			   cli_has(a, &cli_lf_option) };
	rat_workspace *ws = NULL;
	rat_engine *engine = NULL;
	rat_result *result = NULL;
	char *sql = NULL;
	int status = CLI_FAILURE;

	if (a->count != 1)
		return cli_usage(a->cmd, a->count == 0 ? "missing SQL"
						       : "too many arguments (quote the SQL)");
	sql = strcmp(a->pos[0], "-") == 0 ? cli_read_sql("-", "query") : strdup(a->pos[0]);
	if (!sql)
		return strcmp(a->pos[0], "-") == 0 ? CLI_FAILURE : cli_fail("out of memory");
	{ /* {layer.table}: the original Ratatouille's syntax */
		char *expanded = cli_expand_tables(sql);
		free(sql);
		if ((sql = expanded) == NULL)
			return cli_fail("out of memory");
	}
	if (rat_workspace_open(&ws, workspace) != 0) {
		status = cli_fail_lib(NULL);
		goto cleanup;
	}
	cli_warn_memory(ws, false);
	if (rat_engine_open_at(&engine, ws, ref) != 0) {
		status = cli_fail_lib(NULL);
		goto cleanup;
	}
	if (rat_engine_query(&result, engine, sql) != 0) {
		status = cli_fail_lib(NULL);
		cli_note_no_catalog(ws);
		goto cleanup;
	}
	status = write_output(result, cli_get(a, CLI_OPT(OUTPUT)), how);
cleanup:
	rat_result_free(result);
	rat_engine_free(engine);
	rat_workspace_free(ws);
	free(sql);
	return status;
}

static const cli_use options[] = {
	{ CLI_OPT(WORKSPACE), NULL, NULL },
	{ CLI_OPT(REF), "read the workspace's tables as of REF (a branch, tag\n"
			"or commit) instead of its branch's head", NULL },
	{ CLI_OPT(FORMAT), "table (default), csv or json (an array of objects)",
	  cli_result_formats },
	{ CLI_OPT(JSON), NULL, NULL },
	{ CLI_OPT(OUTPUT), "write the result to FILE (replaced only on success)", NULL },
	{ CLI_OPT(LIMIT), "rows shown in table format (default 1000, 0 = all);\n"
			  "csv and json always hold every row", NULL },
	{ &cli_lf_option, NULL, NULL },
	{ NULL, NULL, NULL },
};

/* Before -o was the format everywhere, it was query's output file. */
static const cli_alias aliases[] = {
	{ "-f", CLI_OPT(FORMAT), NULL },
	{ "-o", CLI_OPT(OUTPUT), cli_result_formats },
	{ "--max-rows", CLI_OPT(LIMIT), NULL },
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_query = {
	"query",
	"run SQL in a workspace's engine and print the result",
	run,
	"Usage: rat query SQL [-w NAME|PATH] [-r REF] [-o table|csv|json] [--output FILE] [-n N]\n"
	"                 [--lf]\n"
	"\n"
	"Run SQL (several statements are run in order; the last one's result is\n"
	"printed) in an engine session configured by the workspace's profile, where\n"
	"layer.table names the workspace's tables on its branch (or at --ref). The\n"
	"session reaches nothing else (no other folder or file) and writes no file:\n"
	"COPY, EXPORT DATABASE, ATTACH and PREPARE are refused (--output FILE writes\n"
	"the result). SQL '-' reads the statements from standard input. {layer.table}\n"
	"(the original Ratatouille's syntax) is layer.table, outside quotes.\n",
	options,
	aliases,
	"CSV follows RFC 4180: fields quoted when needed, and lines that end with\n"
	"CRLF (\\r\\n), as spreadsheets and CSV readers expect. Shell tools see the\n"
	"\\r as part of the last field: --lf ends lines with LF alone (a \\r inside a\n"
	"quoted value stays, which `tr -d '\\r'` would remove).\n"
	"\n"
	"Exit status: 0 success, 1 failure (the engine's message is printed), 2 usage.\n",
};
