/*
 * cli/shell.h - what the files of `rat shell` share: the session's state
 * (cmd_shell.c: the terminal, the loop, Ctrl-C), its lines and dot commands
 * (shell.c), and where a statement ends (shell_sql.c).
 */
#ifndef RAT_CLI_SHELL_H
#define RAT_CLI_SHELL_H

#include <histedit.h>
#include <pthread.h>

#include "cli/cli.h"

/* Where a statement ends: the scanner's state, kept from line to line. */
typedef struct cli_scan {
	int state;        /* outside anything, in a quote, in a comment */
	int depth;        /* of nested block comments */
	char tag[64];     /* the $tag$ of a dollar quote */
	size_t tag_len;
	size_t scanned;   /* how far the text was scanned */
	bool code;        /* the statement holds more than spaces and comments */
} cli_scan;

void cli_scan_reset(cli_scan *s);
/*
 * Scan text[from, len) on from where the last call stopped: the offset just
 * past the ';' that ends the statement, or 0 when it goes on.
 */
size_t cli_scan_statement(cli_scan *s, const char *text, size_t from, size_t len);
/** A statement is under way: code was typed, or a quote or comment is open. */
bool cli_scan_open(const cli_scan *s);

/* Text that grows up to a cap. */
typedef struct cli_text {
	char *data;
	size_t len, cap, max;
} cli_text;

typedef struct cli_shell {
	rat_workspace *ws;
	rat_engine *engine;
	const char *ref;      /* --ref, or NULL: the workspace's branch */
	cli_output how;       /* .format, .limit */
	cli_scan scan;
	cli_text pending;     /* the statement typed so far */
	char *line;           /* a script's line (getline) */
	size_t line_cap;
	EditLine *el;         /* on a terminal: line editing, else NULL */
	History *hist;
	char history_path[4096];
	bool history_warned;
	char prompt[256], more_prompt[256];
	pthread_mutex_t lock; /* running, between the loop and the watcher */
	pthread_t watcher;
	bool watching, running, quit;
	long run_signals;     /* the Ctrl-Cs counted when the running statement started */
	bool failed;          /* a script's line was over the cap */
} cli_shell;

#define CLI_SHELL_HELP                                                               \
	"  .tables              the workspace's tables (at --ref)\n"                 \
	"  .describe TABLE      a table's location, size, partitioning and columns\n" \
	"  .format FORMAT       how results print: table, csv or json\n"             \
	"  .limit N             rows a table shows (0: all)\n"                        \
	"  .help                this list\n"                                          \
	"  .quit, .exit         leave (as Ctrl-D does)\n"

/**
 * One line typed (or read from a script), its newline included: a dot
 * command, or SQL added to the statement under way; each statement it ends
 * runs. CLI_OK, or the status of the first that failed (already printed).
 */
int cli_shell_line(cli_shell *sh, const char *line, size_t len);
/** Run one statement and print its result; CLI_OK or CLI_FAILURE (printed). */
int cli_shell_execute(cli_shell *sh, const char *sql);
/** Add an entry to the history and save it (on a terminal). */
void cli_shell_remember(cli_shell *sh, const char *entry);

#endif
