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

/* A side of a change: null when the table is absent there. */
static void side_json(cli_json *j, const char *key, const rat_table_version *v, int64_t rows,
		      bool present)
{
	if (!present) {
		cli_json_null(j, key);
		return;
	}
	cli_json_object(j, key);
	cli_json_count(j, "snapshot_id", v->snapshot_id);
	cli_json_int(j, "schema_id", v->schema_id);
	cli_json_count(j, "rows", rows);
	cli_json_close(j);
}

/*
 * What happened to e. A layer is always there: its key comes and goes with
 * the properties an Iceberg client gives it, which is a change of the layer.
 */
static rat_change_type change_of(const rat_diff_entry *e)
{
	int i;

	for (i = 0; e->is_namespace && i < RAT_LAYER_COUNT; i++)
		if (strcmp(e->key, rat_layer_name((rat_layer)i)) == 0)
			return RAT_CHANGE_TYPE_MODIFIED;
	return e->type;
}

static void entry_json(cli_json *j, const rat_diff_entry *e, const rat_table_list *before,
		       const rat_table_list *after)
{
	static const char *const changes[] = { "added", "removed", "modified" };
	bool view = is_view(before, e->key) || is_view(after, e->key);

	cli_json_object(j, NULL);
	cli_json_text(j, "table", e->key);
	cli_json_text(j, "change", changes[change_of(e)]);
	if (e->is_namespace) { /* its properties are the Iceberg clients' */
		cli_json_text(j, "kind", "namespace");
		cli_json_close(j);
		return;
	}
	cli_json_text(j, "kind", view ? "view" : "table");
	side_json(j, "before", &e->before, view ? -1 : rows_of(before, e->key),
		  e->type != RAT_CHANGE_TYPE_ADDED);
	side_json(j, "after", &e->after, view ? -1 : rows_of(after, e->key),
		  e->type != RAT_CHANGE_TYPE_REMOVED);
	cli_json_bool(j, "schema_changed", e->type == RAT_CHANGE_TYPE_MODIFIED &&
						   e->before.schema_id != e->after.schema_id);
	cli_json_close(j);
}

/* A count of rows as text: "?" when unknown (a table that could not be read there). */
static const char *rows_text(char *out, size_t len, int64_t rows)
{
	if (rows < 0)
		return "?";
	snprintf(out, len, "%" PRId64, rows);
	return out;
}

static void entry_text(const rat_diff_entry *e, const rat_table_list *before,
		       const rat_table_list *after)
{
	rat_change_type type = change_of(e);
	char sign = type == RAT_CHANGE_TYPE_ADDED ? '+' : type == RAT_CHANGE_TYPE_REMOVED ? '-' : '~';
	char a[24], b[24], delta[32] = "";
	int64_t was, now;

	if (e->is_namespace) {
		printf("%c %-32s namespace%s\n", sign, e->key,
		       sign == '~' ? " (its properties changed)" : "");
		return;
	}
	was = rows_of(before, e->key);
	now = rows_of(after, e->key);
	if (was >= 0 && now >= 0)
		snprintf(delta, sizeof(delta), " (%+" PRId64 ")", now - was);
	if (is_view(before, e->key) || is_view(after, e->key))
		printf("%c %-32s view%s\n", sign, e->key,
		       sign == '~' ? " (a new version of its SQL, or a table became one)" : "");
	else if (e->type == RAT_CHANGE_TYPE_ADDED)
		printf("+ %-32s snapshot %" PRId64 ", %s row%s\n", e->key, e->after.snapshot_id,
		       rows_text(a, sizeof(a), now), now == 1 ? "" : "s");
	else if (e->type == RAT_CHANGE_TYPE_REMOVED)
		printf("- %-32s snapshot %" PRId64 ", %s row%s\n", e->key, e->before.snapshot_id,
		       rows_text(a, sizeof(a), was), was == 1 ? "" : "s");
	else
		printf("~ %-32s snapshot %" PRId64 " -> %" PRId64 ", rows %s -> %s%s%s\n", e->key,
		       e->before.snapshot_id, e->after.snapshot_id, rows_text(a, sizeof(a), was),
		       rows_text(b, sizeof(b), now), delta,
		       e->before.schema_id != e->after.schema_id ? ", schema changed" : "");
}

/* Shared with `rat dev diff`. */
int cli_print_diff(const rat_workspace *ws, rat_catalog *catalog, const char *from, const char *to,
		   bool json);
int cli_print_diff(const rat_workspace *ws, rat_catalog *catalog, const char *from, const char *to,
		   bool json)
{
	rat_diff_list diff;
	rat_table_list before = { NULL, 0 }, after = { NULL, 0 };
	size_t i;
	cli_json j;
	int status = CLI_OK;

	if (rat_diff_get(&diff, catalog, from, to) != 0)
		return cli_fail_lib(NULL);
	/* row counts on both sides, for the deltas */
	if (diff.count > 0 &&
	    (rat_table_list_get(&before, ws, from, NULL) != 0 || rat_table_list_get(&after, ws, to, NULL) != 0)) {
		rat_diff_list_free(&diff);
		rat_table_list_free(&before);
		return cli_fail_lib(NULL);
	}
	cli_json_begin(&j, stdout);
	if (json)
		cli_json_array(&j, NULL);
	else if (diff.count == 0)
		printf("No table differs between %s and %s\n", from, to);
	for (i = 0; i < diff.count; i++)
		if (json)
			entry_json(&j, &diff.items[i], &before, &after);
		else
			entry_text(&diff.items[i], &before, &after);
	if (json)
		status = cli_json_end(&j);
	rat_diff_list_free(&diff);
	rat_table_list_free(&before);
	rat_table_list_free(&after);
	return status;
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
				a->count == 2 ? a->pos[1] : rat_workspace_branch(ws), cli_wants_json(a));
	rat_catalog_free(catalog);
	rat_workspace_free(ws);
	return status;
}

static const cli_use options[] = {
	{ CLI_OPT(WORKSPACE), NULL, NULL },
	CLI_USE_FORMATS("console (default) or json"),
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_diff = {
	"diff",
	"show the tables that differ between two refs",
	run,
	"Usage: rat diff A [B] [--json]\n"
	"\n"
	"Tables added (+), removed (-) or changed (~, with snapshot ids and row\n"
	"counts) going from A to B (refs or commits; B defaults to the workspace's\n"
	"branch); and the namespaces an Iceberg client made, dropped or gave\n"
	"properties (rat serve).\n",
	options,
	NULL,
	NULL,
};
