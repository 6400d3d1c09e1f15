/*
 * cli/cmd_secret.c - `rat secret set|list|rm -w NAME [KEY]`: a workspace's
 * secrets (rat/secret.h). A value never comes from the command line, where
 * `ps` and the shell's history would show it: `set` reads it from standard
 * input (a pipe or a file; one trailing newline dropped), or asks for it
 * without echo at a terminal. Nothing prints a value: `list` shows names
 * and dates.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static const char *const verbs[] = { "set", "list", "rm", NULL };

/* At a terminal: prompt on stderr and read one line with echo off. */
static void prompt(char *buf, size_t cap, size_t *len, const char *name)
{
	struct termios was, quiet;
	bool echo_off = tcgetattr(STDIN_FILENO, &was) == 0;

	fprintf(stderr, "Value of secret %s (not shown): ", name);
	fflush(stderr);
	if (echo_off) {
		quiet = was;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		echo_off = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
	}
	if (!fgets(buf, (int)cap, stdin))
		buf[0] = '\0';
	if (echo_off)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &was);
	fputc('\n', stderr);
	*len = strlen(buf);
}

/* The value from standard input, one trailing newline (LF or CRLF) dropped. */
static int read_value(char *buf, size_t cap, size_t *len, const char *name)
{
	size_t n = 0, got;

	if (isatty(STDIN_FILENO))
		prompt(buf, cap, &n, name);
	else
		while (n < cap && (got = fread(buf + n, 1, cap - n, stdin)) > 0)
			n += got;
	if (ferror(stdin))
		return cli_fail("secret %s: cannot read the value from standard input", name);
	if (n == cap)
		return cli_fail("secret %s: the value is longer than %d bytes", name,
				RAT_SECRET_MAX_BYTES);
	if (n && buf[n - 1] == '\n')
		n--;
	if (n && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	*len = n;
	return CLI_OK;
}

static int set(const rat_workspace *ws, const char *name)
{
	char *buf = malloc(RAT_SECRET_MAX_BYTES + 2);
	size_t len = 0;
	int status;

	if (!buf)
		return cli_fail("out of memory");
	if ((status = read_value(buf, RAT_SECRET_MAX_BYTES + 1, &len, name)) == CLI_OK) {
		if (rat_secret_set(ws, name, buf, len) != 0)
			status = cli_fail_lib(NULL);
		else
			printf("Set secret %s of workspace %s\n", name, rat_workspace_name(ws));
	}
	memset(buf, 0, RAT_SECRET_MAX_BYTES + 2);
	free(buf);
	return status;
}

static int list(const rat_workspace *ws, bool json)
{
	static const char *const heads[] = { "NAME", "CREATED", "UPDATED" };
	rat_secret_list secrets;
	cli_columns t;
	cli_json j;
	char created[32], updated[32];
	size_t i;
	int status = CLI_OK;

	if (rat_secret_list_get(&secrets, ws) != 0)
		return cli_fail_lib(NULL);
	if (json) {
		cli_json_begin(&j, stdout);
		cli_json_array(&j, NULL);
		for (i = 0; i < secrets.count; i++) {
			cli_json_object(&j, NULL);
			cli_json_text(&j, "name", secrets.items[i].name);
			cli_json_time(&j, "created", secrets.items[i].created_ms);
			cli_json_time(&j, "updated", secrets.items[i].updated_ms);
			cli_json_close(&j);
		}
		status = cli_json_end(&j);
	} else if (secrets.count == 0) {
		printf("Workspace %s has no secrets\n", rat_workspace_name(ws));
	} else if ((status = cli_columns_init(&t, 3, heads, "lll")) == CLI_OK) {
		for (i = 0; status == CLI_OK && i < secrets.count; i++) {
			const char *cells[3] = { secrets.items[i].name, created, updated };
			cli_time(created, sizeof(created), secrets.items[i].created_ms);
			cli_time(updated, sizeof(updated), secrets.items[i].updated_ms);
			status = cli_columns_row(&t, cells);
		}
		if (status == CLI_OK)
			cli_columns_print(&t, stdout);
		cli_columns_free(&t);
	}
	rat_secret_list_free(&secrets);
	return status;
}

static int run(const cli_args *a)
{
	const char *verb = a->count ? a->pos[0] : "list", *name = a->count > 1 ? a->pos[1] : NULL;
	rat_workspace *ws = NULL;
	int status = CLI_OK;

	if (!cli_listed(verbs, verb))
		return cli_unknown_verb(a->cmd, verb, verbs);
	if (strcmp(verb, "list") == 0 ? a->count > 1 : a->count != 2)
		return cli_usage(a->cmd, strcmp(verb, "list") == 0 ? "list takes no KEY"
				 : a->count > 2 ? "%s takes one KEY; the value comes from "
						  "standard input, never the command line"
						: "%s needs a KEY", verb);
	if (strcmp(verb, "list") != 0 && cli_has(a, CLI_OPT(FORMAT)))
		return cli_usage(a->cmd, "--format goes with list");
	if (rat_workspace_open(&ws, cli_get(a, CLI_OPT(WORKSPACE))) != 0)
		return cli_fail_lib(NULL);
	if (strcmp(verb, "set") == 0)
		status = set(ws, name);
	else if (strcmp(verb, "list") == 0)
		status = list(ws, cli_wants_json(a));
	else if (rat_secret_remove(ws, name) != 0)
		status = cli_fail_lib(NULL);
	else
		printf("Removed secret %s of workspace %s\n", name, rat_workspace_name(ws));
	rat_workspace_free(ws);
	return status;
}

static const cli_use options[] = {
	{ CLI_OPT(WORKSPACE), NULL, NULL },
	CLI_USE_FORMATS("list: console (default) or json"),
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_secret = {
	"secret",
	"set, list and remove the workspace's secrets",
	run,
	"Usage: rat secret set KEY [-w NAME|PATH] < FILE\n"
	"       rat secret list [-w NAME|PATH] [--json]\n"
	"       rat secret rm KEY [-w NAME|PATH]\n"
	"\n"
	"A secret is a value a pipeline needs (an API token, a password): templates\n"
	"read it as {{ secret('KEY') }}, executable pipelines get it as the\n"
	"environment variable KEY, and every message and shown SQL masks it.\n"
	"`set` reads the value from standard input (one trailing newline dropped),\n"
	"or asks for it without echo at a terminal; never from the command line.\n"
	"Secrets are kept sealed under RAT_HOME/secrets/, with a key kept apart\n"
	"(RAT_SECRETS_KEY_FILE, else ~/.config/rat/secrets.key): docs/security.md.\n"
	"`list` shows names and dates, never values.\n",
	options,
	NULL,
	NULL,
};
