/*
 * cli/cmd_write.c - `rat write TABLE (--sql QUERY | --file FILE) [--append]
 * [-w W]`: a query's rows as a workspace table, committed on its branch
 * with the table's checks (rat_engine_write_table: write-audit-publish).
 * The query runs in a session of the workspace, as `rat query` would run it.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cli_option sql_option = { "sql", 0, CLI_TEXT, "QUERY",
				       "the query whose rows become the table ('-': read it\n"
				       "from standard input)",
				       NULL, NULL, NULL };
static const cli_option file_option = { "file", 0, CLI_TEXT, "FILE",
					"read the query from FILE ('-': standard input)", NULL,
					NULL, NULL };
static const cli_option append_option = { "append", 0, CLI_FLAG, NULL,
					  "add the rows (default: they replace the table and\n"
					  "its schema)",
					  NULL, NULL, NULL };

static void report(const char *table, const rat_write_table_result *r)
{
	printf("Wrote %lld row%s to %s on %s (commit %.12s)", (long long)r->rows_written,
	       r->rows_written == 1 ? "" : "s", table, r->branch, r->commit);
	if (r->rows >= 0)
		printf("; it has %lld row%s", (long long)r->rows, r->rows == 1 ? "" : "s");
	printf(".\n");
	if (r->checks_passed || r->checks_warned)
		printf("Checks: %lld passed, %lld warned.\n", (long long)r->checks_passed,
		       (long long)r->checks_warned);
	if (r->warnings[0])
		printf("Warnings:\n  %s\n", r->warnings);
}

/* The query: --sql (or '-'), or --file; exactly one. NULL after a usage error (*status). */
static char *query_of(const cli_args *a, int *status)
{
	const char *sql = cli_get(a, &sql_option), *file = cli_get(a, &file_option);

	*status = CLI_FAILURE;
	if (!sql == !file) {
		*status = cli_usage(a->cmd, sql ? "give --sql or --file, not both"
						: "give the query: --sql QUERY or --file FILE");
		return NULL;
	}
	if (file || strcmp(sql, "-") == 0)
		return cli_read_sql(file ? file : "-", "write");
	return strdup(sql);
}

static int run(const cli_args *a)
{
	rat_write_table_options opts = RAT_WRITE_TABLE_OPTIONS_INIT;
	rat_write_table_result result;
	rat_workspace *ws = NULL;
	rat_engine *engine = NULL;
	const char *table = NULL;
	char *sql = NULL;
	int status;

	if ((status = cli_table_arg(a, &table)) != CLI_OK)
		return status;
	if ((sql = query_of(a, &status)) == NULL)
		return status;
	opts.mode = cli_has(a, &append_option) ? RAT_WRITE_TABLE_APPEND : RAT_WRITE_TABLE_OVERWRITE;
	if (rat_workspace_open(&ws, cli_get(a, CLI_OPT(WORKSPACE))) != 0 ||
	    rat_engine_open(&engine, ws) != 0 ||
	    rat_engine_write_table(&result, engine, ws, table, sql, &opts) != 0) {
		status = cli_fail_lib(NULL);
	} else {
		report(table, &result);
		status = CLI_OK;
	}
	rat_engine_free(engine);
	rat_workspace_free(ws);
	free(sql);
	return status;
}

static const cli_use options[] = {
	{ CLI_OPT(WORKSPACE), NULL, NULL },
	{ &sql_option, NULL, NULL },
	{ &file_option, NULL, NULL },
	{ &append_option, NULL, NULL },
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_write = {
	"write",
	"write a query's rows as a table of the workspace",
	run,
	"Usage: rat write TABLE --sql QUERY [--append] [-w NAME|PATH]\n"
	"       rat write TABLE --file FILE [--append] [-w NAME|PATH]\n"
	"\n"
	"Run QUERY in a session of the workspace (as `rat query` runs it) and write\n"
	"its rows as TABLE (layer.table) on the workspace's branch. By default they\n"
	"replace the table, and its schema; --append adds them (a pipeline's table\n"
	"follows its on_schema_change, and merges on its unique_key). The rows are\n"
	"written on a branch of their own first; when a pipeline builds TABLE, its\n"
	"error-severity checks run there, and only when they pass is the new version\n"
	"committed to the workspace's branch. The pipeline's next run rebuilds it.\n",
	options,
	NULL,
	"SQL in `rat query` cannot change a table (CREATE TABLE silver.x AS ... is\n"
	"refused): this is how a table is written by hand. `rat drop` removes one.\n",
};
