/*
 * cli/cli.h - what the subcommands of `rat` share. The CLI uses only the
 * public API (include/rat.h).
 *
 * Exit codes: 0 success, 1 failure, 2 usage error.
 */
#ifndef RAT_CLI_H
#define RAT_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "rat.h"

#define CLI_OK 0
#define CLI_FAILURE 1
#define CLI_USAGE 2

typedef struct cli_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
	const char *help; /* full help text */
} cli_command;

extern const cli_command cli_cmd_init;
extern const cli_command cli_cmd_workspace;
extern const cli_command cli_cmd_query;
extern const cli_command cli_cmd_branch;
extern const cli_command cli_cmd_tag;
extern const cli_command cli_cmd_log;
extern const cli_command cli_cmd_diff;
extern const cli_command cli_cmd_merge;
extern const cli_command cli_cmd_dev;
extern const cli_command cli_cmd_tables;
extern const cli_command cli_cmd_describe;
extern const cli_command cli_cmd_history;
extern const cli_command cli_cmd_preview;
extern const cli_command cli_cmd_list;
extern const cli_command cli_cmd_run;
extern const cli_command cli_cmd_runs;
extern const cli_command cli_cmd_docs;
extern const cli_command cli_cmd_test;
extern const cli_command cli_cmd_products;
extern const cli_command cli_cmd_retention;
extern const cli_command cli_cmd_vacuum;

/* The shared options; a field a command does not take keeps its initial value. */
typedef struct cli_args {
	const char *workspace; /* -w, --workspace NAME|PATH */
	const char *ref;       /* -r, --ref REF (CLI_WANTS_REF) */
	long limit;            /* -n, --limit N, a count (CLI_WANTS_LIMIT) */
	int first;             /* the index in argv of the first positional argument */
} cli_args;

#define CLI_WANTS_REF (1u << 0)
#define CLI_WANTS_LIMIT (1u << 1)

/*
 * Parse -w, --help and the options in wants into args. False when the
 * command is over: *status is then the exit status (0 after --help, 2 after
 * a usage error, already printed).
 */
bool cli_parse(const cli_command *cmd, int argc, char **argv, unsigned wants, cli_args *args,
	       int *status);
/* cli_parse with --ref for the table commands, then one TABLE (table not NULL) or none. */
bool cli_table_args(const cli_command *cmd, int argc, char **argv, unsigned wants,
		    cli_args *args, const char **table, int *status);

/** Open a workspace (-w value or NULL) and its catalog; prints the error. */
int cli_open_catalog(const char *workspace, rat_workspace **ws, rat_catalog **catalog);
/** Print a merge's outcome (and conflicts) and return the exit status. */
int cli_report_merge(int error, const rat_merge_outcome *m, const char *source, const char *target,
		     int dry_run);

/** Print "rat: error: <message>" to stderr and return CLI_FAILURE. */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/** Print the library's last error with context and return CLI_FAILURE. */
int cli_fail_lib(const char *context);
/** Print a usage error and a pointer to --help; return CLI_USAGE. */
int cli_usage(const cli_command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/** Print the command's help on stdout; return CLI_OK. */
int cli_help(const cli_command *cmd);
/** True when stdout is a terminal and NO_COLOR is unset. */
bool cli_color(FILE *stream);

/** A JSON string literal of s. */
void cli_json_string(FILE *out, const char *s);
/** A run's record: a summary with one line per step, or (json) the record as JSON. */
void cli_print_run(FILE *out, const rat_run_info *run, bool json, bool verbose);

/* Output of query results (output.c). */
typedef enum cli_format { CLI_FORMAT_TABLE, CLI_FORMAT_CSV, CLI_FORMAT_JSON } cli_format;
/**
 * Write a result in a format; table format shows at most max_rows rows
 * (0: all) and says how many more there were.
 */
int cli_write_result(FILE *out, rat_result *result, cli_format format, unsigned long max_rows,
		     bool color);

#endif
