/*
 * cli/cmd_preview.c - `rat preview TABLE [-n N]`: the first rows of a table
 * at a ref, read in a bound, locked session.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

/*
 * layer.table (or namespace.table: a namespace name is at most 64 bytes),
 * with a table name the workspace accepts (an identifier of at most 128
 * characters): nothing else reaches the SQL.
 */
static bool valid_table(const rat_workspace *ws, const char *name)
{
	const char *dot = strchr(name, '.');
	char layer[65], *path = NULL;
	bool valid;

	if (!dot || (size_t)(dot - name) >= sizeof(layer))
		return false;
	memcpy(layer, name, (size_t)(dot - name));
	layer[dot - name] = '\0';
	valid = rat_workspace_storage_path(&path, ws, layer, dot + 1) == 0;
	rat_free(path);
	return valid;
}

static int run(const cli_args *a)
{
	long limit = cli_count(a, CLI_OPT(LIMIT), 10);
	cli_output how = { cli_parse_format(cli_get(a, CLI_OPT(FORMAT))), 0, cli_color(stdout),
			   cli_has(a, &cli_lf_option) };
	const char *table = NULL;
	char sql[512]; /* a valid name is at most 64 + 1 + 128 characters */
	rat_workspace *ws = NULL;
	rat_engine *engine = NULL;
	rat_result *result = NULL;
	int status;

	if ((status = cli_table_arg(a, &table)) != CLI_OK)
		return status;
	if (rat_workspace_open(&ws, cli_get(a, CLI_OPT(WORKSPACE))) != 0)
		return cli_fail_lib(NULL);
	if (!valid_table(ws, table)) {
		rat_workspace_free(ws);
		return cli_usage(a->cmd, "'%s' is not a table name (layer.table)", table);
	}
	snprintf(sql, sizeof(sql), "SELECT * FROM %.*s.\"%s\" LIMIT %ld",
		 (int)(strchr(table, '.') - table), table, strchr(table, '.') + 1, limit);
	cli_warn_memory(ws, false);
	if (rat_engine_open_at(&engine, ws, cli_get(a, CLI_OPT(REF))) != 0 ||
	    rat_engine_query(&result, engine, sql) != 0) {
		status = cli_fail_lib(NULL);
		cli_note_no_catalog(ws);
	} else
		status = cli_write_result(stdout, result, &how);
	rat_result_free(result);
	rat_engine_free(engine);
	rat_workspace_free(ws);
	return status;
}

static const cli_use options[] = {
	{ CLI_OPT(WORKSPACE), NULL, NULL },
	{ CLI_OPT(REF), NULL, NULL },
	{ CLI_OPT(LIMIT), "rows to show (default 10)", NULL },
	{ CLI_OPT(FORMAT), "table (default), csv or json, as rat query", cli_result_formats },
	{ CLI_OPT(JSON), NULL, NULL },
	{ &cli_lf_option, NULL, NULL },
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_preview = {
	"preview",
	"show the first rows of a table",
	run,
	"Usage: rat preview TABLE [-n N] [-w NAME|PATH] [--ref REF] [-o table|csv|json]\n"
	"\n"
	"The first N rows (default 10) of TABLE (layer.table) at REF (default: the\n"
	"workspace's branch).\n",
	options,
	NULL,
	NULL,
};
