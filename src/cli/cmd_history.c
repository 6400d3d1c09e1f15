/*
 * cli/cmd_history.c - `rat history TABLE`: a table's snapshots on a ref,
 * newest first, with the rows each added and removed.
 */
#include "cli/cli.h"

#include <inttypes.h>

static void count(char *out, size_t len, const char *sign, int64_t n)
{
	if (n < 0)
		snprintf(out, len, "?");
	else
		snprintf(out, len, "%s%" PRId64, n ? sign : "", n);
}

static void print_history(const rat_history *history)
{
	size_t i;

	printf("%-20s %-19s  %-10s %10s %10s %12s\n", "SNAPSHOT", "TIME (UTC)", "OPERATION",
	       "ADDED", "REMOVED", "TOTAL ROWS");
	for (i = 0; i < history->count; i++) {
		const rat_snapshot_info *s = &history->items[i];
		char at[32], added[24], removed[24], total[24];
		cli_time(at, sizeof(at), s->time_ms);
		count(added, sizeof(added), "+", s->added_rows);
		count(removed, sizeof(removed), "-", s->deleted_rows < 0 ? 0 : s->deleted_rows);
		count(total, sizeof(total), "", s->total_rows);
		printf("%-20" PRId64 " %-19s  %-10s %10s %10s %12s\n", s->snapshot_id, at,
		       s->operation[0] ? s->operation : "?", added, removed, total);
	}
}

/* The snapshots, newest first, as a JSON array. */
static int history_json(const rat_history *history)
{
	cli_json j;
	size_t i;

	cli_json_begin(&j, stdout);
	cli_json_array(&j, NULL);
	for (i = 0; i < history->count; i++) {
		const rat_snapshot_info *s = &history->items[i];
		cli_json_object(&j, NULL);
		cli_json_int(&j, "snapshot_id", s->snapshot_id);
		cli_json_count(&j, "parent_id", s->parent_id);
		cli_json_time(&j, "committed", s->time_ms);
		cli_json_unset(&j, "operation", s->operation);
		cli_json_count(&j, "added_rows", s->added_rows);
		cli_json_count(&j, "deleted_rows", s->deleted_rows);
		cli_json_count(&j, "total_rows", s->total_rows);
		cli_json_int(&j, "schema_id", s->schema_id);
		cli_json_close(&j);
	}
	return cli_json_end(&j);
}

static int run(const cli_args *a)
{
	const char *table = NULL;
	rat_workspace *ws = NULL;
	rat_history history;
	int status;

	if ((status = cli_table_arg(a, &table)) != CLI_OK)
		return status;
	if (rat_workspace_open(&ws, cli_get(a, CLI_OPT(WORKSPACE))) != 0)
		return cli_fail_lib(NULL);
	if (rat_table_history_get(&history, ws, cli_get(a, CLI_OPT(REF)), table) != 0) {
		status = cli_fail_lib(NULL);
	} else {
		if (cli_wants_json(a))
			status = history_json(&history);
		else
			print_history(&history);
		rat_history_free(&history);
	}
	rat_workspace_free(ws);
	return status;
}

static const cli_use options[] = {
	{ CLI_OPT(WORKSPACE), NULL, NULL },
	{ CLI_OPT(REF), NULL, NULL },
	CLI_USE_FORMATS("console (default) or json"),
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_history = {
	"history",
	"show a table's snapshots",
	run,
	"Usage: rat history TABLE [-w NAME|PATH] [--ref REF] [--json]\n"
	"\n"
	"The snapshots of TABLE (layer.table) on REF (default: the workspace's\n"
	"branch), newest first: time, operation, rows added and removed, total.\n",
	options,
	NULL,
	NULL,
};
