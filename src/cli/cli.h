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
#define CLI_INTERRUPTED 130 /* stopped by Ctrl-C or SIGTERM (128 + SIGINT) */

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
extern const cli_command cli_cmd_main;
extern const cli_command cli_cmd_catalog;
extern const cli_command cli_cmd_token;
extern const cli_command cli_cmd_serve;
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
extern const cli_command cli_cmd_shell;
extern const cli_command cli_cmd_notebook;
extern const cli_command cli_cmd_python;
extern const cli_command cli_cmd_drop;
extern const cli_command cli_cmd_write;
extern const cli_command cli_cmd_secret;
extern const cli_command cli_cmd_triggers;
extern const cli_command cli_cmd_schedule;
extern const cli_command cli_cmd_trigger;

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
/** Whether option was given with this value (an option given several times: any of them). */
bool cli_has_value(const cli_args *args, const cli_option *option, const char *value);
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

/* `rat run` and `rat dev run` (cmd_run.c): the run's options from a, its selectors from
 * a->pos[skip] on; target: the branch (NULL: --branch, else the workspace's). */
extern const cli_option cli_opt_var;
int cli_run_on(const cli_args *a, int skip, const char *target);
/**
 * A run asked of rat serve (NESSIE_URI, cmd_trigger.c): trigger fired now, or the pipelines
 * selectors name; its id said, and with wait, the run followed until it ends (the exit
 * status rat run's).
 */
int cli_run_asked(const char *workspace, const char *trigger, const char *const *selectors,
		  size_t count, bool wait, bool json);
/**
 * The SQL text of path ("-": standard input), capped at 64 MiB (input.c);
 * NULL after printing why ("<command>: ..."). free() it.
 */
char *cli_read_sql(const char *path, const char *command);
/**
 * sql with the original Ratatouille's table syntax, {layer.table}, written
 * layer.table: outside quotes and comments only (shell_sql.c). NULL out of
 * memory; free() it.
 */
char *cli_expand_tables(const char *sql);

/** Open a workspace (-w value or NULL) and its catalog; prints the error. */
int cli_open_catalog(const char *workspace, rat_workspace **ws, rat_catalog **catalog);
/**
 * The tags (tags) or the branches whose name starts with prefix, shown
 * without it; current (NULL: none) marked '*'. As text, or JSON.
 */
int cli_list_refs(rat_catalog *catalog, int tags, const char *prefix, const char *current,
		  bool json, bool runs);
/** On stderr, when the workspace has no catalog yet: where it was looked for. */
void cli_note_no_catalog(const rat_workspace *ws);
/** Print a merge's outcome (and conflicts) and return the exit status. */
int cli_report_merge(int error, const rat_merge_outcome *m, const char *source, const char *target,
		     int dry_run);

/**
 * Warn on stderr, once per process, when the workspace's profile gives the
 * engine more memory than this machine has (run: or its parallel pipelines
 * together). Where a session or a run starts.
 */
void cli_warn_memory(const rat_workspace *ws, bool run);

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

/*
 * JSON output (json.c): every command's --format json, streamed. Members
 * take a key; elements of an array take NULL. docs/cli.md documents each
 * command's shape.
 */
#define CLI_JSON_DEPTH 16
typedef struct cli_json {
	FILE *out;
	int depth;
	size_t items[CLI_JSON_DEPTH]; /* members or elements written at each depth */
	char closing[CLI_JSON_DEPTH];
} cli_json;

/** A JSON string literal of s. */
void cli_json_string(FILE *out, const char *s);
void cli_json_begin(cli_json *j, FILE *out);
void cli_json_object(cli_json *j, const char *key);
void cli_json_array(cli_json *j, const char *key);
/** Close the innermost object or array. */
void cli_json_close(cli_json *j);
/** A string; NULL is null. */
void cli_json_text(cli_json *j, const char *key, const char *value);
/** A string, or null when NULL or "" (a setting left unset). */
void cli_json_unset(cli_json *j, const char *key, const char *value);
void cli_json_int(cli_json *j, const char *key, int64_t value);
/** A count, or null when negative (the library's "not known"). */
void cli_json_count(cli_json *j, const char *key, int64_t value);
void cli_json_double(cli_json *j, const char *key, double value);
void cli_json_bool(cli_json *j, const char *key, bool value);
void cli_json_null(cli_json *j, const char *key);
/** NAME_at (ISO-8601 UTC) and NAME_ms; both null when ms is 0 (no time). */
void cli_json_time(cli_json *j, const char *name, int64_t ms);
/** An array of strings. */
void cli_json_strings(cli_json *j, const char *key, const char *const *items, size_t count);
/** A list given as "a, f(b, c)" as an array: split at ", " outside parentheses. */
void cli_json_split(cli_json *j, const char *key, const char *list);
/** Lines of text ("a\nb", NULL or "" for none) as an array of strings. */
void cli_json_lines(cli_json *j, const char *key, const char *text);
/** Close what is open, end the line, flush; CLI_FAILURE (printed) on a write error. */
int cli_json_end(cli_json *j);
/** "2024-04-01 10:00:00" (UTC), or "-" for 0. */
void cli_time(char *out, size_t len, int64_t ms);
/** Whether the command line asks for JSON (--format json or --json). */
bool cli_wants_json(const cli_args *args);
/** console and json: the formats of the commands that print a report or a listing. */
extern const char *const cli_console_formats[];
/** The options entries of a command printing console or json: --format and --json. */
#define CLI_USE_FORMATS(help) { CLI_OPT(FORMAT), help, cli_console_formats }, \
	{ CLI_OPT(JSON), NULL, NULL }

/*
 * A listing in columns as wide as their widest cell (columns.c): the head
 * row, then each row's cells; align has one letter per column, 'l' or 'r'.
 */
#define CLI_COLUMNS_MAX 16
typedef struct cli_columns {
	size_t ncols, nrows, cap;
	const char *align;
	char **cells; /* row by row, copies */
} cli_columns;

int cli_columns_init(cli_columns *t, size_t ncols, const char *const *heads, const char *align);
int cli_columns_row(cli_columns *t, const char *const *cells);
void cli_columns_print(const cli_columns *t, FILE *out);
void cli_columns_free(cli_columns *t);
/** `rat tables`: the tables at ref (named in "No tables on REF"), as text or JSON. */
int cli_print_tables(const rat_table_list *list, const char *ref, bool json);
/** `rat describe`: one table or view, as text or JSON. */
int cli_print_describe(const rat_table_info *table, bool json);
/** A run's record: a summary with one line per step (verbose: and each step's error). */
void cli_print_run(FILE *out, const rat_run_info *run, bool verbose);
/** A run's record as JSON (docs/cli.md). */
int cli_print_run_json(FILE *out, const rat_run_info *run);

/* Output of query results (output.c). */
typedef enum cli_format { CLI_FORMAT_TABLE, CLI_FORMAT_CSV, CLI_FORMAT_JSON } cli_format;
/** How a result is written. */
typedef struct cli_output {
	cli_format format;
	unsigned long max_rows; /* table format: at most this many rows (0: all) */
	bool color;             /* table format: bold heads, dim types and NULLs */
	bool lf;                /* csv: lines end with LF rather than RFC 4180's CRLF */
} cli_output;
/** Display width of UTF-8 text: one column per code point. */
size_t cli_display_width(const char *s);
/** table, csv, json: the formats of a result. */
extern const char *const cli_result_formats[];
/** A result format's name (one of cli_result_formats; NULL: table). */
cli_format cli_parse_format(const char *name);
/** csv: --lf, for lines that end with LF. */
extern const cli_option cli_lf_option;
/**
 * Write a result; table format shows at most how->max_rows rows and says
 * how many more there were.
 */
int cli_write_result(FILE *out, rat_result *result, const cli_output *how);

#endif
