/*
 * cli/cmd_branch.c - `rat branch [list|create|delete]` and `rat tag [list|create|delete]`.
 */
#include "cli/cli.h"

#include <string.h>

/*
 * The tags (tags) or the branches whose name starts with prefix, shown
 * without it; `current` gets a '*' (NULL: no mark column); run branches
 * (run/<id>, kept by failed runs) only with runs. As text, or JSON.
 */
int cli_list_refs(rat_catalog *catalog, int tags, const char *prefix, const char *current,
		  bool json, bool runs)
{
	rat_ref_list refs;
	size_t i, skip = strlen(prefix), hidden = 0;
	cli_json j;

	if (rat_ref_list_get(&refs, catalog) != 0)
		return cli_fail_lib(NULL);
	cli_json_begin(&j, stdout);
	if (json)
		cli_json_array(&j, NULL);
	for (i = 0; i < refs.count; i++) {
		const rat_ref_info *r = &refs.items[i];
		bool here = current && strcmp(r->name, current) == 0;
		if (r->is_tag != tags || strncmp(r->name, prefix, skip) != 0)
			continue;
		if (!tags && !runs && strncmp(r->name, "run/", 4) == 0) {
			hidden++;
			continue;
		}
		if (!json) {
			printf("%s%-40s %.12s\n", !current ? "" : here ? "* " : "  ", r->name + skip,
			       r->hash);
			continue;
		}
		cli_json_object(&j, NULL);
		cli_json_text(&j, "name", r->name + skip);
		if (skip)
			cli_json_text(&j, "branch", r->name);
		cli_json_text(&j, "hash", r->hash);
		if (current)
			cli_json_bool(&j, "current", here);
		cli_json_close(&j);
	}
	rat_ref_list_free(&refs);
	if (!json && hidden)
		printf("(%zu run branch%s of failed runs not shown: rat branch --all)\n", hidden,
		       hidden == 1 ? "" : "es");
	return json ? cli_json_end(&j) : CLI_OK;
}

static const cli_option from = { "from", 0, CLI_TEXT, "REF", "where a new branch starts", NULL,
				 NULL, NULL };
static const cli_option all = { "all", 0, CLI_FLAG, NULL,
				"list run branches (run/<id>) too: failed runs keep theirs", NULL,
				NULL, NULL };
static const char *const verbs[] = { "list", "create", "delete", NULL };

static int run_refs(const cli_args *a, int tags)
{
	const char *workspace = cli_get(a, CLI_OPT(WORKSPACE)), *start = cli_get(a, &from);
	const char *verb = a->count ? a->pos[0] : "list", *name = a->count > 1 ? a->pos[1] : NULL;
	rat_workspace *ws = NULL;
	rat_catalog *catalog = NULL;
	int status;

	if (!cli_listed(verbs, verb))
		return cli_unknown_verb(a->cmd, verb, verbs);
	if (strcmp(verb, "list") != 0 && a->count != 2)
		return cli_usage(a->cmd, "%s needs one NAME", verb);
	if (strcmp(verb, "list") != 0 && cli_has(a, CLI_OPT(FORMAT)))
		return cli_usage(a->cmd, "--format goes with list");
	if ((status = cli_open_catalog(workspace, &ws, &catalog)) != CLI_OK)
		return status;
	start = start ? start : rat_workspace_branch(ws);
	if (strcmp(verb, "list") == 0) {
		status = cli_list_refs(catalog, tags, "", tags ? NULL : rat_workspace_branch(ws),
				       cli_wants_json(a), cli_has(a, &all));
	} else if (strcmp(verb, "create") == 0) {
		if (rat_ref_create(catalog, name, tags, start) != 0)
			status = cli_fail_lib(NULL);
		else
			printf("Created %s %s from %s\n", tags ? "tag" : "branch", name, start);
	} else if (rat_ref_delete(catalog, name) != 0) {
		status = cli_fail_lib(NULL);
	} else {
		printf("Deleted %s %s\n", tags ? "tag" : "branch", name);
	}
	rat_catalog_free(catalog);
	rat_workspace_free(ws);
	return status;
}

static int run_branch(const cli_args *a) { return run_refs(a, 0); }
static int run_tag(const cli_args *a) { return run_refs(a, 1); }

static const cli_use branch_options[] = {
	{ CLI_OPT(WORKSPACE), "the workspace (whose RAT_HOME holds the catalog)", NULL },
	{ &from, NULL, NULL },
	{ &all, NULL, NULL },
	CLI_USE_FORMATS("list: console (default) or json"),
	{ NULL, NULL, NULL },
};

static const cli_use tag_options[] = {
	{ CLI_OPT(WORKSPACE), NULL, NULL },
	{ &from, "what the tag names", NULL },
	CLI_USE_FORMATS("list: console (default) or json"),
	{ NULL, NULL, NULL },
};

/* -f is --full-refresh everywhere now. */
static const cli_alias aliases[] = {
	{ "-f", &from, NULL },
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_branch = {
	"branch",
	"list, create and delete catalog branches",
	run_branch,
	"Usage: rat branch [list] [--all] [--json]\n"
	"       rat branch create NAME [--from REF]\n"
	"       rat branch delete NAME\n"
	"\n"
	"Branches of the catalog; '*' marks the workspace's branch. A new branch\n"
	"starts at REF (a branch, tag or commit; default: the workspace's branch).\n",
	branch_options,
	aliases,
	NULL,
};

const cli_command cli_cmd_tag = {
	"tag",
	"list, create and delete catalog tags",
	run_tag,
	"Usage: rat tag [list] [--json]\n"
	"       rat tag create NAME [--from REF]\n"
	"       rat tag delete NAME\n"
	"\n"
	"Tags name a commit for good (a release, a month-end close). A new tag\n"
	"points at REF (default: the workspace's branch head).\n",
	tag_options,
	aliases,
	NULL,
};
