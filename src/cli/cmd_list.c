/*
 * cli/cmd_list.c - `rat list`: the workspace's pipelines in the order a run
 * builds them, with what each is, reads and writes.
 */
#include "cli/cli.h"

#include <string.h>

static void print_list(const rat_pipeline_list *list)
{
	size_t i, j;

	printf("%-28s %-8s %-12s %-5s %s\n", "PIPELINE", "KIND", "MATERIALIZED", "TESTS",
	       "DEPENDS ON");
	for (i = 0; i < list->count; i++) {
		const rat_pipeline_info *p = &list->items[i];
		printf("%-28s %-8s %-12s %5zu ", p->key, p->kind, p->materialized, p->test_count);
		for (j = 0; j < p->dep_count; j++)
			printf("%s%s", j ? ", " : "", p->deps[j]);
		if (p->landing[0])
			printf("%s%s%s", p->dep_count ? ", " : "",
			       strncmp(p->landing, "s3://", 5) ? "landing/" : "", p->landing);
		if (!p->dep_count && !p->landing[0])
			printf("-");
		printf("\n");
	}
	printf("%zu pipeline%s\n", list->count, list->count == 1 ? "" : "s");
}

/* What loading the pipelines noticed but accepted, on stderr: "rat: warning: ..." a line. */
static void print_warnings(const rat_pipeline_list *list)
{
	const char *w;
	size_t i, n;

	for (i = 0; i < list->count; i++)
		for (w = list->items[i].warnings; *w; w += n + (w[n] == '\n')) {
			n = strcspn(w, "\n");
			fprintf(stderr, "rat: warning: %.*s\n", (int)n, w);
		}
}

/* The pipelines in build order, as a JSON array. */
static int list_json(const rat_pipeline_list *list)
{
	cli_json j;
	size_t i;

	cli_json_begin(&j, stdout);
	cli_json_array(&j, NULL);
	for (i = 0; i < list->count; i++) {
		const rat_pipeline_info *p = &list->items[i];
		cli_json_object(&j, NULL);
		cli_json_text(&j, "pipeline", p->key);
		cli_json_text(&j, "layer", p->layer);
		cli_json_text(&j, "name", p->name);
		cli_json_text(&j, "kind", p->kind);
		cli_json_text(&j, "materialized", p->materialized);
		cli_json_text(&j, "path", p->path);
		cli_json_unset(&j, "description", p->description);
		cli_json_unset(&j, "owner", p->owner);
		cli_json_split(&j, "unique_key", p->unique_key);
		cli_json_split(&j, "partition_by", p->partition_by);
		cli_json_unset(&j, "landing", p->landing);
		cli_json_strings(&j, "depends_on", p->deps, p->dep_count);
		cli_json_int(&j, "tests", (int64_t)p->test_count);
		cli_json_lines(&j, "warnings", p->warnings);
		cli_json_close(&j);
	}
	return cli_json_end(&j);
}

static int run(const cli_args *a)
{
	rat_workspace *ws = NULL;
	rat_pipeline_list list;
	int status = CLI_OK;

	if (a->count != 0)
		return cli_usage(a->cmd, "takes no arguments");
	if (rat_workspace_open(&ws, cli_get(a, CLI_OPT(WORKSPACE))) != 0)
		return cli_fail_lib(NULL);
	if (rat_pipeline_list_get(&list, ws) != 0) {
		status = cli_fail_lib(NULL);
	} else {
		print_warnings(&list);
		if (cli_wants_json(a))
			status = list_json(&list);
		else
			print_list(&list);
		rat_pipeline_list_free(&list);
	}
	rat_workspace_free(ws);
	return status;
}

static const cli_use options[] = {
	{ CLI_OPT(WORKSPACE), NULL, NULL },
	CLI_USE_FORMATS("console (default) or json"),
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_list = {
	"list",
	"list the workspace's pipelines in build order",
	run,
	"Usage: rat list [-w NAME|PATH] [--json]\n"
	"\n"
	"The pipelines under pipelines/<layer>/, in the order `rat run` builds\n"
	"them: kind (sql, python, shell, command), materialization, number of\n"
	"tests, and what each reads (ref()s and its landing folder). Every file\n"
	"is loaded and checked: a bad config, an unknown ref() or a cycle is an\n"
	"error naming the file and line.\n",
	options,
	NULL,
	NULL,
};
