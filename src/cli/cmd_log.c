/*
 * cli/cmd_log.c - `rat log [REF] [-n N]`: the commits of a branch, newest first.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

static int is_table(const char *s)
{
	return strncmp(s, "bronze.", 7) == 0 || strncmp(s, "silver.", 7) == 0 ||
	       strncmp(s, "gold.", 5) == 0;
}

/* Did this commit change the table (compared with its first parent)? */
static int touches(rat_catalog *catalog, const rat_log_entry *e, const char *table)
{
	rat_diff_list diff;
	size_t i;
	int found = 0;

	if (!e->parent[0] || rat_diff_get(&diff, catalog, e->parent, e->hash) != 0)
		return 0;
	for (i = 0; i < diff.count; i++)
		found |= strcmp(diff.items[i].key, table) == 0;
	rat_diff_list_free(&diff);
	return found;
}

static void print_entry(const rat_log_entry *e, cli_json *j)
{
	char when[32];

	if (j) {
		cli_json_object(j, NULL);
		cli_json_text(j, "hash", e->hash);
		cli_json_unset(j, "parent", e->parent);
		cli_json_unset(j, "merge_parent", e->merge_parent);
		cli_json_text(j, "author", e->author);
		cli_json_text(j, "message", e->message);
		cli_json_time(j, "committed", e->time_ms);
		cli_json_close(j);
		return;
	}
	cli_time(when, sizeof(when), e->time_ms);
	printf("%.12s  %s UTC  %-16s %s%s\n", e->hash, when, e->author, e->message,
	       e->merge_parent[0] ? " (merge)" : "");
}

/* The commits of log (with a table, only those that changed it), at most limit (0: all). */
static int print_log(rat_catalog *catalog, const rat_log *log, const char *table, size_t limit,
		     bool json)
{
	size_t i, shown = 0;
	cli_json j;

	cli_json_begin(&j, stdout);
	if (json)
		cli_json_array(&j, NULL);
	for (i = 0; i < log->count && (!limit || shown < limit); i++) {
		if (table && !touches(catalog, &log->items[i], table))
			continue;
		shown++;
		print_entry(&log->items[i], json ? &j : NULL);
	}
	return json ? cli_json_end(&j) : CLI_OK;
}

static int run(const cli_args *a)
{
	const char *ref = cli_get(a, CLI_OPT(REF)), *table = NULL;
	size_t limit = (size_t)cli_count(a, CLI_OPT(LIMIT), 0);
	rat_workspace *ws = NULL;
	rat_catalog *catalog = NULL;
	rat_log log;
	int status;

	if (a->count > 1)
		return cli_usage(a->cmd, "too many arguments");
	/* the argument is a table (layer.table) or, for convenience, a ref */
	if (a->count == 1) {
		if (is_table(a->pos[0]))
			table = a->pos[0];
		else if (!ref)
			ref = a->pos[0];
	}
	if ((status = cli_open_catalog(cli_get(a, CLI_OPT(WORKSPACE)), &ws, &catalog)) != CLI_OK)
		return status;
	/* with a table, walk the whole history and keep the commits that changed it */
	if (rat_log_get(&log, catalog, ref ? ref : rat_workspace_branch(ws), table ? 0 : limit) != 0) {
		status = cli_fail_lib(NULL);
	} else {
		status = print_log(catalog, &log, table, limit, cli_wants_json(a));
		rat_log_free(&log);
	}
	rat_catalog_free(catalog);
	rat_workspace_free(ws);
	return status;
}

static const cli_use options[] = {
	{ CLI_OPT(WORKSPACE), NULL, NULL },
	{ CLI_OPT(REF), NULL, NULL },
	{ CLI_OPT(LIMIT), "at most N commits", NULL },
	CLI_USE_FORMATS("console (default) or json"),
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_log = {
	"log",
	"show the commits of a branch",
	run,
	"Usage: rat log [TABLE] [--ref REF] [-n N] [--json]\n"
	"\n"
	"Commits reachable from REF (default: the workspace's branch), newest first:\n"
	"hash, time (UTC), author and message. With TABLE (layer.table), only the\n"
	"commits that changed it. (A REF given in TABLE's place is taken as --ref.)\n",
	options,
	NULL,
	NULL,
};
