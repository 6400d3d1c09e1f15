/*
 * cli/args.c - the options the subcommands share (-w, --ref, --limit,
 * --help), parsed in one place so that they mean and fail the same way
 * everywhere.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

bool cli_parse(const cli_command *cmd, int argc, char **argv, unsigned wants, cli_args *args,
	       int *status)
{
	struct option options[5];
	char shorts[16] = "w:h";
	size_t n = 0;
	char *end;
	int c;

	memset(options, 0, sizeof(options));
	options[n++] = (struct option){ "workspace", required_argument, NULL, 'w' };
	options[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	if (wants & CLI_WANTS_REF) {
		options[n++] = (struct option){ "ref", required_argument, NULL, 'r' };
		strcat(shorts, "r:");
	}
	if (wants & CLI_WANTS_LIMIT) {
		options[n++] = (struct option){ "limit", required_argument, NULL, 'n' };
		strcat(shorts, "n:");
	}
	*status = CLI_OK;
	optind = 0;
	opterr = 0; /* we word the messages ourselves */
	while ((c = getopt_long(argc, argv, shorts, options, NULL)) != -1) {
		switch (c) {
		case 'w': args->workspace = optarg; break;
		case 'r': args->ref = optarg; break;
		case 'n':
			args->limit = strtol(optarg, &end, 10);
			if (end == optarg || *end || args->limit < 0) {
				*status = cli_usage(cmd, "--limit wants a count, got '%s'", optarg);
				return false;
			}
			break;
		case 'h': cli_help(cmd); return false;
		default: *status = cli_usage(cmd, "unknown option '%s'", argv[optind - 1]); return false;
		}
	}
	args->first = optind;
	return true;
}

bool cli_table_args(const cli_command *cmd, int argc, char **argv, unsigned wants,
		    cli_args *args, const char **table, int *status)
{
	if (!cli_parse(cmd, argc, argv, CLI_WANTS_REF | wants, args, status))
		return false;
	if (argc - args->first != (table ? 1 : 0)) {
		*status = cli_usage(cmd, table ? "wants one TABLE (layer.table)" : "takes no arguments");
		return false;
	}
	if (table)
		*table = argv[args->first];
	return true;
}
