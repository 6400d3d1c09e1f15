/*
 * cli/main.c - the `rat` command: global options and subcommand dispatch.
 * Every command's options are parsed here, through the one parser (args.c),
 * before the command runs.
 */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const cli_command *const commands[] = {
	&cli_cmd_init, &cli_cmd_workspace, &cli_cmd_query, &cli_cmd_shell, &cli_cmd_notebook, &cli_cmd_python, &cli_cmd_branch, &cli_cmd_tag,
	&cli_cmd_log,  &cli_cmd_diff,      &cli_cmd_merge, &cli_cmd_main, &cli_cmd_catalog, &cli_cmd_dev,    &cli_cmd_tables,
	&cli_cmd_describe, &cli_cmd_history, &cli_cmd_preview, &cli_cmd_list, &cli_cmd_run,
	&cli_cmd_runs, &cli_cmd_triggers, &cli_cmd_schedule, &cli_cmd_trigger, &cli_cmd_test, &cli_cmd_products, &cli_cmd_docs,
	&cli_cmd_retention, &cli_cmd_vacuum, &cli_cmd_write, &cli_cmd_drop, &cli_cmd_secret, &cli_cmd_token,
	&cli_cmd_serve,
};
#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

/* The options of `rat` itself, before a command. */
static const cli_option version = { "version", 'V', CLI_FLAG, NULL, "print rat's version",
				    NULL, NULL, NULL };
static const cli_use top_options[] = { { CLI_OPT(HELP), NULL, NULL }, { &version, NULL, NULL },
				       { NULL, NULL, NULL } };

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "rat - Ratatouille, a self-hostable data lakehouse\n\n"
		     "Usage: rat [--version] [--help] <command> [<args>]\n\n"
		     "Commands:\n");
	for (i = 0; i < COMMAND_COUNT; i++)
		fprintf(out, "  %-11s %s\n", commands[i]->name, commands[i]->summary);
	fprintf(out, "\nRun 'rat <command> --help' for a command's options.\n"
		     "Environment: WORKSPACE, RAT_WORKSPACES, RAT_HOME, RAT_PROFILE, "
		     "ICEBERG_WAREHOUSE, NO_COLOR.\n");
}

int cli_fail(const char *fmt, ...)
{
	va_list ap;

	fputs("rat: error: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return CLI_FAILURE;
}

int cli_fail_lib(const char *context)
{
	const char *message = rat_error_last()->message;

	if (context)
		return cli_fail("%s: %s", context, message[0] ? message : "unknown error");
	return cli_fail("%s", message[0] ? message : "unknown error");
}

int cli_usage(const cli_command *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "rat%s%s: ", cmd ? " " : "", cmd ? cmd->name : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'rat %s%s--help'.\n", cmd ? cmd->name : "", cmd ? " " : "");
	return CLI_USAGE;
}

void cli_note_no_catalog(const rat_workspace *ws)
{
	if (ws && !rat_workspace_catalog_exists(ws))
		fprintf(stderr,
			"rat: note: workspace '%s' has no state yet: no catalog at %s (RAT_HOME %s, "
			"%s; set RAT_HOME to use another)\n",
			rat_workspace_name(ws), rat_workspace_catalog_path(ws), rat_workspace_home(ws),
			rat_workspace_home_origin(ws));
}

int cli_open_catalog(const char *workspace, rat_workspace **ws, rat_catalog **catalog)
{
	*ws = NULL;
	*catalog = NULL;
	if (rat_workspace_open(ws, workspace) != 0)
		return cli_fail_lib(NULL);
	/* never creates one: a command that finds none says where it looked */
	if (rat_catalog_open_existing(catalog, *ws) != 0) {
		rat_workspace_free(*ws);
		*ws = NULL;
		return cli_fail_lib("catalog");
	}
	return CLI_OK;
}

int cli_report_merge(int error, const rat_merge_outcome *m, const char *source, const char *target,
		     int dry_run)
{
	size_t i;

	if (error == RAT_ECONFLICT && m->conflicts.count > 0) {
		fprintf(stderr, "rat: error: cannot merge %s into %s: both changed:\n", source, target);
		for (i = 0; i < m->conflicts.count; i++)
			fprintf(stderr, "  %s\n", m->conflicts.strings[i]);
		fprintf(stderr, "Nothing was written.\n");
		return CLI_FAILURE;
	}
	if (error)
		return cli_fail_lib("merge");
	if (m->up_to_date) {
		printf("%s already has everything of %s\n", target, source);
		return CLI_OK;
	}
	printf("%s %s into %s (%s)%s\n", dry_run ? "Would merge" : "Merged", source, target,
	       m->fast_forward ? "fast-forward" : "merge commit", dry_run ? "; nothing written" : "");
	for (i = 0; i < m->merged.count; i++)
		printf("  %s\n", m->merged.strings[i]);
	if (!dry_run)
		printf("%s is at %.12s\n", target, m->hash);
	return CLI_OK;
}

bool cli_color(FILE *stream)
{
	const char *no_color = getenv("NO_COLOR");
	return isatty(fileno(stream)) && !(no_color && *no_color);
}

static const cli_command *find(const char *name)
{
	size_t i;

	for (i = 0; i < COMMAND_COUNT; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

/* "unknown command 'rnu'; did you mean 'run'?", or an unknown option of rat's own. */
static int unknown(const char *word)
{
	const char *names[COMMAND_COUNT + 1], *near;
	size_t i;

	if (word[0] == '-' && word[1] == '-') {
		names[0] = CLI_OPT(HELP)->name;
		names[1] = version.name;
		names[2] = NULL;
		if ((near = cli_nearest(word + 2, names)) != NULL)
			return cli_usage(NULL, "unknown option '%s'; did you mean --%s?", word, near);
	}
	if (word[0] == '-')
		return cli_usage(NULL, "unknown option '%s'", word);
	for (i = 0; i < COMMAND_COUNT; i++)
		names[i] = commands[i]->name;
	names[COMMAND_COUNT] = NULL;
	if ((near = cli_nearest(word, names)) != NULL)
		return cli_usage(NULL, "unknown command '%s'; did you mean '%s'?", word, near);
	return cli_usage(NULL, "unknown command '%s'", word);
}

static int run(const cli_command *cmd, int argc, char **argv)
{
	cli_args args;
	int status;

	if (!cli_parse(&args, cmd, argc, argv, &status))
		return status;
	status = cmd->run(&args);
	cli_args_free(&args);
	return status;
}

int main(int argc, char **argv)
{
	const cli_command *cmd;

	if (argc < 2) {
		usage(stderr);
		return CLI_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("rat %s (DuckDB %s)\n", rat_version(), rat_engine_version());
		return CLI_OK;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return CLI_OK;
	}
	if (strcmp(argv[1], "__options") == 0) { /* hidden: for tests/cli/test_options.sh */
		cli_list_options(stdout, commands, COMMAND_COUNT, top_options);
		return CLI_OK;
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc < 3) {
			usage(stdout);
			return CLI_OK;
		}
		if ((cmd = find(argv[2])) == NULL)
			return unknown(argv[2]);
		return cli_help(cmd);
	}
	if ((cmd = find(argv[1])) == NULL)
		return unknown(argv[1]);
	return run(cmd, argc - 1, argv + 1);
}
