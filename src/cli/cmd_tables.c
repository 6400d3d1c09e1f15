/*
 * cli/cmd_tables.c - `rat tables` (every table at a ref) and `rat describe
 * TABLE` (one table: location, snapshot, size, partitioning, schema).
 */
#include "cli/cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void human_size(char *out, size_t len, int64_t bytes)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	double v = (double)bytes;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	snprintf(out, len, u ? "%.1f %s" : "%.0f %s", v, units[u]);
}

static void when(char *out, size_t len, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (!ms) {
		snprintf(out, len, "-");
		return;
	}
	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%d %H:%M:%S", &tm);
}

static int run_tables(const cli_args *a)
{
	const char *ref = cli_get(a, CLI_OPT(REF));
	rat_workspace *ws = NULL;
	rat_table_list list;
	size_t i;
	int status = CLI_OK;

	if (a->count != 0)
		return cli_usage(a->cmd, "takes no arguments");
	if (rat_workspace_open(&ws, cli_get(a, CLI_OPT(WORKSPACE))) != 0)
		return cli_fail_lib(NULL);
	if (rat_table_list_get(&list, ws, ref, NULL) != 0) {
		status = cli_fail_lib(NULL);
	} else {
		if (list.count == 0) {
			printf("No tables on %s\n", ref ? ref : rat_workspace_branch(ws));
			cli_note_no_catalog(ws);
		} else
			printf("%-32s %12s %7s %10s  %s\n", "TABLE", "ROWS", "FILES", "SIZE", "UPDATED (UTC)");
		for (i = 0; i < list.count; i++) {
			char size[32], at[32];
			when(at, sizeof(at), list.items[i].updated_ms);
			if (strcmp(list.items[i].kind, "view") == 0) {
				printf("%-32s %12s %7s %10s  %s\n", list.items[i].key, "(view)", "-",
				       "-", at);
				continue;
			}
			human_size(size, sizeof(size), list.items[i].bytes);
			printf("%-32s %12" PRId64 " %7" PRId64 " %10s  %s\n", list.items[i].key,
			       list.items[i].rows, list.items[i].data_files, size, at);
		}
		rat_table_list_free(&list);
	}
	rat_workspace_free(ws);
	return status;
}

static int run_describe(const cli_args *a)
{
	const char *table = NULL;
	char size[32], at[32];
	rat_workspace *ws = NULL;
	rat_table_list list;
	int status;

	if ((status = cli_table_arg(a, &table)) != CLI_OK)
		return status;
	if (rat_workspace_open(&ws, cli_get(a, CLI_OPT(WORKSPACE))) != 0)
		return cli_fail_lib(NULL);
	if (rat_table_list_get(&list, ws, cli_get(a, CLI_OPT(REF)), table) != 0) {
		status = cli_fail_lib(NULL);
	} else {
		const rat_table_info *t = &list.items[0];
		size_t i;
		human_size(size, sizeof(size), t->bytes);
		when(at, sizeof(at), t->updated_ms);
		if (strcmp(t->kind, "view") == 0) {
			printf("View:          %s\n", t->key);
			printf("Location:      %s\n", t->location);
			printf("Metadata:      %s\n", t->metadata_location);
			printf("Updated:       %s UTC\n", at);
			printf("Columns:\n");
			for (i = 0; i < t->column_count; i++)
				printf("  %s\n", t->columns[i]);
			printf("SQL:\n%s\n", t->view_sql);
			rat_table_list_free(&list);
			rat_workspace_free(ws);
			return status;
		}
		printf("Table:         %s\n", t->key);
		printf("Location:      %s\n", t->location);
		printf("Metadata:      %s\n", t->metadata_location);
		printf("Snapshot:      %" PRId64 " (%s UTC)\n", t->snapshot_id, at);
		printf("Rows:          %" PRId64 "\n", t->rows);
		printf("Files:         %" PRId64 " (%s)\n", t->data_files, size);
		printf("Partitioning:  %s\n", t->partitioning[0] ? t->partitioning : "none");
		printf("Columns:\n");
		for (i = 0; i < t->column_count; i++)
			printf("  %s\n", t->columns[i]);
		rat_table_list_free(&list);
	}
	rat_workspace_free(ws);
	return status;
}

static const cli_use options[] = {
	{ CLI_OPT(WORKSPACE), NULL, NULL },
	{ CLI_OPT(REF), NULL, NULL },
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_tables = {
	"tables",
	"list the workspace's tables",
	run_tables,
	"Usage: rat tables [-w NAME|PATH] [--ref REF]\n"
	"\n"
	"The workspace's tables at REF (default: its branch): rows, data files, size,\n"
	"and when the current snapshot was made.\n",
	options,
	NULL,
	NULL,
};

const cli_command cli_cmd_describe = {
	"describe",
	"show a table's schema, size and partitioning",
	run_describe,
	"Usage: rat describe TABLE [-w NAME|PATH] [--ref REF]\n"
	"\n"
	"TABLE is layer.table. Shows its location, the metadata file and snapshot the\n"
	"ref records, rows, files, size, partitioning and columns.\n",
	options,
	NULL,
	NULL,
};
