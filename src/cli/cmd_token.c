/*
 * cli/cmd_token.c - `rat token create|list|revoke`: the tokens `rat serve`
 * takes (rat/token.h), made by the operator on the server's RAT_HOME. A
 * token is printed once, by create, on standard output alone, so that
 * `TOKEN=$(rat token create -w a)` keeps it and nothing else.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static const char *const verbs[] = { "create", "list", "revoke", NULL };

static const cli_option read_only = { "read-only", 0, CLI_FLAG, NULL,
				      "create: a token that may read, never write", NULL, NULL,
				      NULL };
static const cli_option note = { "note", 0, CLI_TEXT, "TEXT",
				 "create: what the token is for, shown by list", NULL, NULL, NULL };
static const cli_option all = { "all", 0, CLI_FLAG, NULL,
				"list: the tokens of every workspace of the RAT_HOME", NULL, NULL,
				NULL };

static int list(const rat_workspace *ws, bool every, bool json)
{
	static const char *const heads[] = { "ID", "WORKSPACE", "ACCESS", "CREATED", "REVOKED",
					     "NOTE" };
	rat_token_list tokens;
	cli_columns t;
	cli_json j;
	char created[32], revoked[32];
	size_t i;
	int status = CLI_OK;

	if (rat_token_list_get(&tokens, ws, every) != 0)
		return cli_fail_lib(NULL);
	if (json) {
		cli_json_begin(&j, stdout);
		cli_json_array(&j, NULL);
		for (i = 0; i < tokens.count; i++) {
			const rat_token_info *k = &tokens.items[i];
			cli_json_object(&j, NULL);
			cli_json_text(&j, "id", k->id);
			cli_json_text(&j, "workspace", k->workspace);
			cli_json_bool(&j, "read_only", k->read_only != 0);
			cli_json_text(&j, "note", k->note);
			cli_json_time(&j, "created", k->created_ms);
			cli_json_time(&j, "revoked", k->revoked_ms);
			cli_json_close(&j);
		}
		status = cli_json_end(&j);
	} else if (tokens.count == 0) {
		printf(every ? "No tokens\n" : "Workspace %s has no tokens\n",
		       rat_workspace_name(ws));
	} else if ((status = cli_columns_init(&t, 6, heads, "llllll")) == CLI_OK) {
		for (i = 0; status == CLI_OK && i < tokens.count; i++) {
			const rat_token_info *k = &tokens.items[i];
			const char *cells[6] = { k->id, k->workspace, k->read_only ? "read" : "write",
						 created, k->revoked_ms ? revoked : "-", k->note };
			cli_time(created, sizeof(created), k->created_ms);
			cli_time(revoked, sizeof(revoked), k->revoked_ms);
			status = cli_columns_row(&t, cells);
		}
		if (status == CLI_OK)
			cli_columns_print(&t, stdout);
		cli_columns_free(&t);
	}
	rat_token_list_free(&tokens);
	return status;
}

static int run(const cli_args *a)
{
	const char *verb = a->count ? a->pos[0] : "list";
	rat_workspace *ws = NULL;
	char token[RAT_TOKEN_MAX];
	int status = CLI_OK;

	if (!cli_listed(verbs, verb))
		return cli_unknown_verb(a->cmd, verb, verbs);
	if (strcmp(verb, "revoke") == 0 ? a->count != 2 : a->count > 1)
		return cli_usage(a->cmd, strcmp(verb, "revoke") == 0 ? "revoke wants one ID"
								       : "%s takes no argument", verb);
	if (strcmp(verb, "list") != 0 && cli_has(a, CLI_OPT(FORMAT)))
		return cli_usage(a->cmd, "--format goes with list");
	if (strcmp(verb, "create") != 0 && (cli_has(a, &read_only) || cli_has(a, &note)))
		return cli_usage(a->cmd, "--read-only and --note go with create");
	if (strcmp(verb, "list") != 0 && cli_has(a, &all))
		return cli_usage(a->cmd, "--all goes with list");
	if (rat_workspace_open(&ws, cli_get(a, CLI_OPT(WORKSPACE))) != 0)
		return cli_fail_lib(NULL);
	if (strcmp(verb, "create") == 0) {
		if (rat_token_create(token, ws, cli_has(a, &read_only), cli_get(a, &note)) != 0) {
			status = cli_fail_lib(NULL);
		} else {
			printf("%s\n", token);
			fprintf(stderr, "rat: a %s token for workspace %s; it is not shown again\n",
				cli_has(a, &read_only) ? "read-only" : "read-write",
				rat_workspace_name(ws));
			memset(token, 0, sizeof(token));
		}
	} else if (strcmp(verb, "list") == 0) {
		status = list(ws, cli_has(a, &all), cli_wants_json(a));
	} else if (rat_token_revoke(ws, a->pos[1]) != 0) {
		status = cli_fail_lib(NULL);
	} else {
		printf("Revoked token %s\n", a->pos[1]);
	}
	rat_workspace_free(ws);
	return status;
}

static const cli_use options[] = {
	{ CLI_OPT(WORKSPACE), "the workspace a new token acts for; whose RAT_HOME", NULL },
	{ &read_only, NULL, NULL },
	{ &note, NULL, NULL },
	{ &all, NULL, NULL },
	CLI_USE_FORMATS("list: console (default) or json"),
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_token = {
	"token",
	"the operator's tokens for rat serve: create, list, revoke",
	run,
	"Usage: rat token create [-w NAME|PATH] [--read-only] [--note TEXT]\n"
	"       rat token list [-w NAME|PATH] [--all] [--json]\n"
	"       rat token revoke ID [-w NAME|PATH]\n"
	"\n"
	"A token acts for one workspace when it calls `rat serve`: it may write\n"
	"the workspace's refs (unless --read-only) and read what the workspace\n"
	"may read. `create` prints it once, alone on standard output; only a\n"
	"SHA-256 of it is kept, in RAT_HOME/tokens.db (mode 0600). `list` shows\n"
	"ids, never tokens; `revoke ID` makes the next request with it fail.\n",
	options,
	NULL,
	NULL,
};
