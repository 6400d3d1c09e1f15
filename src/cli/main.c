/*
 * cli/main.c - the `rat` command: global options and subcommand dispatch.
 */
#include "cli/cli.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const cli_command *const commands[] = { &cli_cmd_init, &cli_cmd_workspace, &cli_cmd_query };

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "rat - Ratatouille, a self-hostable data lakehouse\n\n"
		     "Usage: rat [--version] [--help] <command> [<args>]\n\n"
		     "Commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
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

int cli_help(const cli_command *cmd)
{
	fputs(cmd->help, stdout);
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

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
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
	if (strcmp(argv[1], "help") == 0) {
		if (argc < 3) {
			usage(stdout);
			return CLI_OK;
		}
		if ((cmd = find(argv[2])) == NULL)
			return cli_usage(NULL, "unknown command '%s'", argv[2]);
		return cli_help(cmd);
	}
	if ((cmd = find(argv[1])) == NULL)
		return cli_usage(NULL, "unknown command '%s'", argv[1]);
	return cmd->run(argc - 1, argv + 1);
}
