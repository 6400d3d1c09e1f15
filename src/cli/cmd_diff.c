/*
 * cli/cmd_diff.c - `rat diff A [B]`: the tables that differ between two refs.
 */
#include "cli/cli.h"

#include <inttypes.h>
#include <string.h>

/* Rows of key in a table list; -1 when absent. */
static int64_t rows_of(const rat_table_list *list, const char *key)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		if (strcmp(list->items[i].key, key) == 0)
			return list->items[i].rows;
	return -1;
}

static bool is_view(const rat_table_list *list, const char *key)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		if (strcmp(list->items[i].key, key) == 0)
			return strcmp(list->items[i].kind, "view") == 0;
	return false;
}

/* Shared with `rat dev diff`. */
int cli_print_diff(const rat_workspace *ws, rat_catalog *catalog, const char *from, const char *to);
int cli_print_diff(const rat_workspace *ws, rat_catalog *catalog, const char *from, const char *to)
{
	rat_diff_list diff;
	rat_table_list before = { NULL, 0 }, after = { NULL, 0 };
	size_t i;

	if (rat_diff_get(&diff, catalog, from, to) != 0)
		return cli_fail_lib(NULL);
	/* row counts on both sides, for the deltas */
	if (diff.count > 0 &&
	    (rat_table_list_get(&before, ws, from, NULL) != 0 || rat_table_list_get(&after, ws, to, NULL) != 0)) {
		rat_diff_list_free(&diff);
		rat_table_list_free(&before);
		return cli_fail_lib(NULL);
	}
	if (diff.count == 0)
		printf("No table differs between %s and %s\n", from, to);
	for (i = 0; i < diff.count; i++) {
		const rat_diff_entry *e = &diff.items[i];
		int64_t was = rows_of(&before, e->key), now = rows_of(&after, e->key);
		char sign = e->type == RAT_CHANGE_TYPE_ADDED ? '+'
			    : e->type == RAT_CHANGE_TYPE_REMOVED ? '-' : '~';
		if (is_view(&before, e->key) || is_view(&after, e->key))
			printf("%c %-32s view%s\n", sign, e->key,
			       sign == '~' ? " (a new version of its SQL, or a table became one)" : "");
		else if (e->type == RAT_CHANGE_TYPE_ADDED)
			printf("+ %-32s snapshot %" PRId64 ", %" PRId64 " row%s\n", e->key,
			       e->after.snapshot_id, now, now == 1 ? "" : "s");
		else if (e->type == RAT_CHANGE_TYPE_REMOVED)
			printf("- %-32s snapshot %" PRId64 ", %" PRId64 " row%s\n", e->key,
			       e->before.snapshot_id, was, was == 1 ? "" : "s");
		else
			printf("~ %-32s snapshot %" PRId64 " -> %" PRId64 ", rows %" PRId64 " -> %" PRId64
			       " (%+" PRId64 ")%s\n",
			       e->key, e->before.snapshot_id, e->after.snapshot_id, was, now, now - was,
			       e->before.schema_id != e->after.schema_id ? ", schema changed" : "");
	}
	rat_diff_list_free(&diff);
	rat_table_list_free(&before);
	rat_table_list_free(&after);
	return CLI_OK;
}

static int run(const cli_args *a)
{
	rat_workspace *ws = NULL;
	rat_catalog *catalog = NULL;
	int status;

	if (a->count == 0 || a->count > 2)
		return cli_usage(a->cmd, "wants A [B]");
	if ((status = cli_open_catalog(cli_get(a, CLI_OPT(WORKSPACE)), &ws, &catalog)) != CLI_OK)
		return status;
	status = cli_print_diff(ws, catalog, a->pos[0],
				a->count == 2 ? a->pos[1] : rat_workspace_branch(ws));
	rat_catalog_free(catalog);
	rat_workspace_free(ws);
	return status;
}

static const cli_use options[] = {
	{ CLI_OPT(WORKSPACE), NULL, NULL },
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_diff = {
	"diff",
	"show the tables that differ between two refs",
	run,
	"Usage: rat diff A [B]\n"
	"\n"
	"Tables added (+), removed (-) or changed (~, with snapshot ids and row\n"
	"counts) going from\n"
	"A to B (refs or commits; B defaults to the workspace's branch).\n",
	options,
	NULL,
	NULL,
};
