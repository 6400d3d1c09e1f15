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

/*
 * Options. Every command parses its command line through one parser
 * (args.c), driven by tables: cli_options holds the meanings the commands
 * share, each with one long name, at most one short letter and one help
 * line; a command lists the meanings it takes (cli_use) and declares its own
 * options in the same form. A short letter or a long name means one thing
 * across the whole CLI (tests/cli/test_options.sh checks it from the tables,
 * through `rat __options`). Old spellings a command still accepts are its
 * aliases: they work, with a warning that names the new spelling.
 */
typedef enum cli_kind {
	CLI_FLAG,  /* takes no value */
	CLI_TEXT,  /* takes a value */
	CLI_COUNT, /* takes a count: 0, 1, 2, ... */
} cli_kind;

typedef struct cli_option {
	const char *name; /* --name */
	char letter;      /* -x, or 0 for none */
	cli_kind kind;
	const char *value; /* the value's name in help ("N", "FILE"); NULL for a flag */
	const char *help;  /* the help line; '\n' continues it on the next line */
	const char *noun;  /* for "unknown NOUN 'x'" (choices); NULL: the name */
	/* an option that stands for another one with a fixed value: --json = --format json */
	const struct cli_option *sets;
	const char *to;
} cli_option;

/* The meanings the commands share, indexed by CLI_<NAME>. */
enum {
	CLI_HELP, CLI_WORKSPACE, CLI_REF, CLI_LIMIT, CLI_FORMAT, CLI_JSON, CLI_OUTPUT,
	CLI_DRY_RUN, CLI_VERBOSE, CLI_FAIL_FAST, CLI_FULL_REFRESH, CLI_PIPELINE, CLI_LAYER,
	CLI_TYPE, CLI_SELECT, CLI_OPTION_COUNT
};
extern const cli_option cli_options[CLI_OPTION_COUNT];
#define CLI_OPT(id) (&cli_options[CLI_##id])

/* An option a command takes. */
typedef struct cli_use {
	const cli_option *option; /* NULL ends a list */
	const char *help;         /* this command's help line, or NULL for the option's own */
	const char *const *choices; /* the values it accepts (NULL-terminated), or NULL: any */
} cli_use;

/* An old spelling a command still accepts, with a warning on stderr. */
typedef struct cli_alias {
	const char *spelling;   /* "-f", "--max-rows"; NULL ends a list */
	const cli_option *now;  /* the option it is now */
	/*
	 * NULL, or values (NULL-terminated) for which the spelling keeps the
	 * meaning it has now: `rat query -o csv` is a format, `-o out.csv` the old
	 * --output.
	 */
	const char *const *unless;
} cli_alias;

/* One option given on the command line, and its value (NULL for a flag). */
typedef struct cli_hit {
	const cli_option *option;
	const char *value;
} cli_hit;

struct cli_command;

/* A parsed command line. Values point into argv or at static strings. */
typedef struct cli_args {
	const struct cli_command *cmd;
	char **pos; /* the positional arguments, in order */
	int count;
	cli_hit *hits; /* every option given, in order */
	size_t hit_count;
} cli_args;

typedef struct cli_command {
	const char *name;
	const char *summary;
	int (*run)(const cli_args *args); /* given its parsed command line */
	const char *usage;        /* the help before the options: usage lines, description */
	const cli_use *options;   /* the options it takes besides --help */
	const cli_alias *aliases; /* old spellings, or NULL */
	const char *notes;        /* the help after the options, or NULL */
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
extern const cli_command cli_cmd_drop;
extern const cli_command cli_cmd_write;

/*
 * Parse argv (argv[0] is the command's name) against cmd's options; main.c
 * does it for every command, then calls cmd->run with the result. Options
 * and positional arguments may come in any order; "--" ends the options.
 * Spellings: --name VALUE, --name=VALUE, a unique prefix of --name, -x VALUE,
 * -xVALUE, and flags clustered (-vx). False when the command is over:
 * *status is then the exit status (0 after --help, 2 after a usage error,
 * already printed). On true, free args with cli_args_free.
 */
bool cli_parse(cli_args *args, const cli_command *cmd, int argc, char **argv, int *status);
void cli_args_free(cli_args *args);
/** The last value given for option, or NULL. */
const char *cli_get(const cli_args *args, const cli_option *option);
/** Whether option was given. */
bool cli_has(const cli_args *args, const cli_option *option);
/** The count given for a CLI_COUNT option, or fallback. */
long cli_count(const cli_args *args, const cli_option *option, long fallback);

/** The one TABLE (layer.table) argument of a command: CLI_OK, or a usage error's status. */
int cli_table_arg(const cli_args *args, const char **table);
/** Whether the NULL-terminated list (NULL: empty) holds s (NULL: never). */
bool cli_listed(const char *const *list, const char *s);

/* Suggestions (suggest.c). */
/*
 * The entry of names (NULL-terminated) nearest to word by edit distance
 * (with transpositions), if it is close enough to be a likely typo; else NULL.
 */
const char *cli_nearest(const char *word, const char *const *names);
/** names (NULL-terminated) as "a, b, c" in out, cut to fit len. */
void cli_join(char *out, size_t len, const char *const *names);
/** A usage error for an unknown subcommand: the list of verbs and the nearest one. */
int cli_unknown_verb(const cli_command *cmd, const char *verb, const char *const *verbs);
/* Help (help.c). */
/** List every command's options and old spellings, one per line (`rat __options`). */
void cli_list_options(FILE *out, const cli_command *const *cmds, size_t count,
		      const cli_use *top);

/**
 * The SQL text of path ("-": standard input), capped at 64 MiB (input.c);
 * NULL after printing why ("<command>: ..."). free() it.
 */
char *cli_read_sql(const char *path, const char *command);

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
/** Print the command's help on stdout, its options from its table; return CLI_OK. */
int cli_help(const cli_command *cmd);
/** True when stdout is a terminal and NO_COLOR is unset. */
bool cli_color(FILE *stream);

/** A JSON string literal of s. */
void cli_json_string(FILE *out, const char *s);
/** A run's record: a summary with one line per step, or (json) the record as JSON. */
void cli_print_run(FILE *out, const rat_run_info *run, bool json, bool verbose);
/** The formats of a run's record, for --format: console and json. */
extern const char *const cli_run_formats[];

/* Output of query results (output.c). */
typedef enum cli_format { CLI_FORMAT_TABLE, CLI_FORMAT_CSV, CLI_FORMAT_JSON } cli_format;
/**
 * Write a result in a format; table format shows at most max_rows rows
 * (0: all) and says how many more there were.
 */
int cli_write_result(FILE *out, rat_result *result, cli_format format, unsigned long max_rows,
		     bool color);

#endif
