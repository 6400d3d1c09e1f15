/*
 * cli/cmd_tables.c - `rat tables` (every table at a ref) and `rat describe
 * TABLE` (one table: location, snapshot, size, partitioning, schema), as
 * text or JSON; the shell's .tables and .describe print the same.
 */
#include "cli/cli.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

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

/* One table (or view) as JSON: the shape of `rat describe --json` and of each of `rat tables --json`. */
static void table_json(cli_json *j, const rat_table_info *t)
{
	bool view = strcmp(t->kind, "view") == 0;
	size_t i;

	cli_json_object(j, NULL);
	cli_json_text(j, "table", t->key);
	cli_json_text(j, "kind", t->kind);
	cli_json_text(j, "location", t->location);
	cli_json_text(j, "metadata_location", t->metadata_location);
	cli_json_count(j, "snapshot_id", t->snapshot_id);
	cli_json_time(j, "updated", t->updated_ms);
	cli_json_count(j, "rows", view ? -1 : t->rows);
	cli_json_count(j, "data_files", view ? -1 : t->data_files);
	cli_json_count(j, "bytes", view ? -1 : t->bytes);
	if (t->error[0]) { /* unreadable: nothing is known of its partitioning or columns */
		cli_json_null(j, "partition_by");
		cli_json_null(j, "columns");
	} else {
		cli_json_split(j, "partition_by", t->partitioning);
		cli_json_array(j, "columns");
		for (i = 0; i < t->column_count; i++) {
			cli_json_object(j, NULL);
			cli_json_text(j, "name", t->column_names[i]);
			cli_json_text(j, "type", t->column_types[i]);
			cli_json_close(j);
		}
		cli_json_close(j);
	}
	cli_json_unset(j, "sql", t->view_sql);
	cli_json_unset(j, "error", t->error);
	cli_json_close(j);
}

/* Each table that could not be read, on stderr; CLI_FAILURE when there is one. */
static int print_unreadable(const rat_table_list *list)
{
	size_t i, n = 0;

	for (i = 0; i < list->count; i++)
		if (list->items[i].error[0]) {
			fprintf(stderr, "rat: error: %s\n", list->items[i].error);
			n++;
		}
	if (n)
		fprintf(stderr, "rat: %zu of %zu tables could not be read; the others are listed\n",
			n, list->count);
	return n ? CLI_FAILURE : CLI_OK;
}

int cli_print_tables(const rat_table_list *list, const char *ref, bool json)
{
	cli_json j;
	size_t i;

	if (json) {
		cli_json_begin(&j, stdout);
		cli_json_array(&j, NULL);
		for (i = 0; i < list->count; i++)
			table_json(&j, &list->items[i]);
		return cli_json_end(&j) != CLI_OK ? CLI_FAILURE : print_unreadable(list);
	}
	if (list->count == 0)
		printf("No tables on %s\n", ref);
	else
		printf("%-32s %12s %7s %10s  %s\n", "TABLE", "ROWS", "FILES", "SIZE", "UPDATED (UTC)");
	for (i = 0; i < list->count; i++) {
		const rat_table_info *t = &list->items[i];
		char size[32], at[32];
		cli_time(at, sizeof(at), t->updated_ms);
		if (t->error[0]) {
			printf("%-32s %12s %7s %10s  %s\n", t->key, "(unreadable)", "-", "-", "-");
			continue;
		}
		if (strcmp(t->kind, "view") == 0) {
			printf("%-32s %12s %7s %10s  %s\n", t->key, "(view)", "-", "-", at);
			continue;
		}
		human_size(size, sizeof(size), t->bytes);
		printf("%-32s %12" PRId64 " %7" PRId64 " %10s  %s\n", t->key, t->rows, t->data_files,
		       size, at);
	}
	fflush(stdout);
	return print_unreadable(list);
}

static void describe_view(const rat_table_info *t, const char *at)
{
	size_t i;

	printf("View:          %s\n", t->key);
	printf("Location:      %s\n", t->location);
	printf("Metadata:      %s\n", t->metadata_location);
	printf("Updated:       %s UTC\n", at);
	printf("Columns:\n");
	for (i = 0; i < t->column_count; i++)
		printf("  %s\n", t->columns[i]);
	printf("SQL:\n%s\n", t->view_sql);
}

int cli_print_describe(const rat_table_info *t, bool json)
{
	char size[32], at[32];
	size_t i;
	cli_json j;

	if (json) {
		cli_json_begin(&j, stdout);
		table_json(&j, t);
		return cli_json_end(&j);
	}
	cli_time(at, sizeof(at), t->updated_ms);
	if (strcmp(t->kind, "view") == 0) {
		describe_view(t, at);
		return CLI_OK;
	}
	human_size(size, sizeof(size), t->bytes);
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
	return CLI_OK;
}

static int run_tables(const cli_args *a)
{
	const char *ref = cli_get(a, CLI_OPT(REF));
	rat_workspace *ws = NULL;
	rat_table_list list;
	int status;

	if (a->count != 0)
		return cli_usage(a->cmd, "takes no arguments");
	if (rat_workspace_open(&ws, cli_get(a, CLI_OPT(WORKSPACE))) != 0)
		return cli_fail_lib(NULL);
	if (rat_table_list_get(&list, ws, ref, NULL) != 0) {
		status = cli_fail_lib(NULL);
	} else {
		status = cli_print_tables(&list, ref ? ref : rat_workspace_branch(ws),
					  cli_wants_json(a));
		if (list.count == 0 && !cli_wants_json(a))
			cli_note_no_catalog(ws);
		rat_table_list_free(&list);
	}
	rat_workspace_free(ws);
	return status;
}

static int run_describe(const cli_args *a)
{
	const char *table = NULL;
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
		status = cli_print_describe(&list.items[0], cli_wants_json(a));
		rat_table_list_free(&list);
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

const cli_command cli_cmd_tables = {
	"tables",
	"list the workspace's tables",
	run_tables,
	"Usage: rat tables [-w NAME|PATH] [--ref REF] [--json]\n"
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
	"Usage: rat describe TABLE [-w NAME|PATH] [--ref REF] [--json]\n"
	"\n"
	"TABLE is layer.table. Shows its location, the metadata file and snapshot the\n"
	"ref records, rows, files, size, partitioning and columns.\n",
	options,
	NULL,
	NULL,
};
