/*
 * cli/cmd_shell.c - `rat shell [-w W] [--ref REF]`: SQL typed at a prompt,
 * in the same locked session `rat query` opens, results written by
 * output.c.
 *
 * On a terminal: line editing and history (libedit; the history is kept in
 * $RAT_HOME/shell_history), a statement may span lines and ends at a ';'
 * outside quotes and comments (shell_sql.c), with a continuation prompt;
 * Ctrl-C cancels the input typed so far, or stops the running statement
 * (rat_engine_interrupt, from a thread the signal wakes); Ctrl-D leaves. An
 * error is printed and the shell goes on. Standard input that is not a
 * terminal is a script: the same statements and dot commands, no prompt,
 * no history, and the first error ends it with status 1.
 */
#include "cli/cli.h"
#include "cli/shell.h"

#include <errno.h>
#include <fcntl.h>
#include <histedit.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATEMENT_MAX ((size_t)64 << 20)
#define HISTORY_FILE_MAX ((off_t)16 << 20)
#define HISTORY_ENTRIES 1000

/* Ctrl-C: the signal handler writes a byte here; the watcher thread reads it. */
static int wake_fds[2] = { -1, -1 };
static volatile sig_atomic_t interrupted;
/* Every Ctrl-C, counted (by the handler alone): a wake-up the watcher reads
 * late, once the next statement started, must not stop that statement. */
static volatile sig_atomic_t signals;

static void on_interrupt(int signo)
{
	int saved = errno;
	char byte = 1;

	(void)signo;
	interrupted = 1;
	signals = signals + 1;
	if (write(wake_fds[1], &byte, 1) < 0) {
		/* the pipe is full: a wake-up is pending already */
	}
	errno = saved;
}

/* The watcher: a Ctrl-C pressed while a statement runs stops it. */
static void *watch(void *arg)
{
	cli_shell *sh = arg;
	char byte;

	while (read(wake_fds[0], &byte, 1) == 1) {
		pthread_mutex_lock(&sh->lock);
		if (sh->running && (long)signals != sh->run_signals)
			rat_engine_interrupt(sh->engine);
		pthread_mutex_unlock(&sh->lock);
	}
	return NULL;
}

static void set_running(cli_shell *sh, bool running)
{
	pthread_mutex_lock(&sh->lock);
	sh->running = running;
	sh->run_signals = (long)signals; /* a Ctrl-C from before (at the prompt) is spent */
	pthread_mutex_unlock(&sh->lock);
}

int cli_shell_execute(cli_shell *sh, const char *sql)
{
	rat_result *result = NULL;
	char *expanded = cli_expand_tables(sql); /* {layer.table}: the original's syntax */
	int status;

	if (!expanded)
		return cli_fail("out of memory");
	set_running(sh, true);
	if (rat_engine_query(&result, sh->engine, expanded) != 0)
		status = cli_fail_lib(NULL);
	else
		status = cli_write_result(stdout, result, &sh->how);
	rat_result_free(result);
	free(expanded);
	set_running(sh, false);
	fflush(stdout);
	return status;
}

static char *prompt(EditLine *el)
{
	cli_shell *sh = NULL;

	el_get(el, EL_CLIENTDATA, &sh);
	return cli_scan_open(&sh->scan) ? sh->more_prompt : sh->prompt;
}

/* The history file, loaded when it exists; the file is created private (it holds SQL). */
static void load_history(cli_shell *sh)
{
	HistEvent ev;
	struct stat st;
	int fd;

	history(sh->hist, &ev, H_SETSIZE, HISTORY_ENTRIES);
	history(sh->hist, &ev, H_SETUNIQUE, 1);
	if (snprintf(sh->history_path, sizeof(sh->history_path), "%s/shell_history",
		     rat_workspace_home(sh->ws)) >= (int)sizeof(sh->history_path))
		return;
	if (stat(sh->history_path, &st) == 0 && st.st_size > HISTORY_FILE_MAX) {
		fprintf(stderr, "rat: warning: %s is larger than 16 MiB: not loaded\n",
			sh->history_path);
	} else if ((fd = open(sh->history_path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) >= 0) {
		close(fd);
		history(sh->hist, &ev, H_LOAD, sh->history_path);
	}
}

void cli_shell_remember(cli_shell *sh, const char *entry)
{
	HistEvent ev;

	if (!sh->hist || !*entry)
		return;
	history(sh->hist, &ev, H_ENTER, entry);
	if (history(sh->hist, &ev, H_SAVE, sh->history_path) < 0 && !sh->history_warned) {
		fprintf(stderr, "rat: warning: cannot save the history in %s\n", sh->history_path);
		sh->history_warned = true;
	}
}

/* Line editing, history and Ctrl-C, on a terminal. */
static int start_terminal(cli_shell *sh)
{
	struct sigaction sa;
	sigset_t block, was;

	if ((sh->hist = history_init()) == NULL ||
	    (sh->el = el_init("rat", stdin, stdout, stderr)) == NULL)
		return cli_fail("shell: cannot start line editing");
	load_history(sh);
	el_set(sh->el, EL_EDITOR, "emacs");
	el_set(sh->el, EL_SIGNAL, 1);
	el_set(sh->el, EL_CLIENTDATA, sh);
	el_set(sh->el, EL_PROMPT, prompt);
	el_set(sh->el, EL_HIST, history, sh->hist);
	el_source(sh->el, NULL); /* ~/.editrc, as other libedit programs read it */
	if (pipe(wake_fds) != 0 || fcntl(wake_fds[1], F_SETFL, O_NONBLOCK) != 0)
		return cli_fail("shell: %s", strerror(errno));
	/* the watcher never takes Ctrl-C itself: it must interrupt el_gets() in this thread */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	pthread_sigmask(SIG_BLOCK, &block, &was);
	sh->watching = pthread_create(&sh->watcher, NULL, watch, sh) == 0;
	pthread_sigmask(SIG_SETMASK, &was, NULL);
	if (!sh->watching)
		return cli_fail("shell: cannot start the interrupt watcher");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_interrupt;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL); /* no SA_RESTART: el_gets() returns on Ctrl-C */
	return CLI_OK;
}

static void stop_terminal(cli_shell *sh)
{
	signal(SIGINT, SIG_DFL);
	if (wake_fds[1] >= 0)
		close(wake_fds[1]); /* the watcher reads the end and returns */
	if (sh->watching)
		pthread_join(sh->watcher, NULL);
	if (wake_fds[0] >= 0)
		close(wake_fds[0]);
	wake_fds[0] = wake_fds[1] = -1;
	if (sh->el)
		el_end(sh->el);
	if (sh->hist)
		history_end(sh->hist);
}

/*
 * A script's next line, its newline included, into sh->line: its length, 0
 * at the end of the input, or -1 (printed) for a line over the cap.
 */
static ssize_t script_line(cli_shell *sh)
{
	size_t n = 0;
	char *grown;
	int c;

	while ((c = getc(stdin)) != EOF) {
		if (n + 2 > sh->line_cap) {
			size_t cap = sh->line_cap ? sh->line_cap * 2 : 4096;
			if (cap > STATEMENT_MAX + 2 || (grown = realloc(sh->line, cap)) == NULL) {
				cli_fail("shell: a line of more than %zu MiB, or out of memory",
					 STATEMENT_MAX >> 20);
				return -1;
			}
			sh->line = grown;
			sh->line_cap = cap;
		}
		sh->line[n++] = (char)c;
		if (c == '\n')
			break;
	}
	if (n)
		sh->line[n] = '\0';
	return (ssize_t)n;
}

/*
 * The next line, its newline included, in *line (len bytes); false at the
 * end of the input (or a script's line over the cap: sh->failed). *cancelled:
 * Ctrl-C came instead.
 */
static bool next_line(cli_shell *sh, const char **line, size_t *len, bool *cancelled)
{
	ssize_t n;
	int count = 0;

	*cancelled = false;
	if (!sh->el) {
		n = script_line(sh);
		sh->failed = n < 0;
		*line = sh->line;
		*len = n > 0 ? (size_t)n : 0;
		return n > 0;
	}
	for (;;) {
		interrupted = 0;
		*line = el_gets(sh->el, &count);
		if (*line && count > 0) {
			*len = (size_t)count;
			return true;
		}
		if (!(count < 0 && errno == EINTR))
			return false; /* Ctrl-D, or the terminal went away */
		if (interrupted) {
			*cancelled = true;
			return true;
		}
	}
}

/* Ctrl-C at the prompt: what was typed goes, the shell stays. */
static void cancel_input(cli_shell *sh)
{
	fputs("^C\n", stdout);
	fflush(stdout);
	el_reset(sh->el);
	sh->pending.len = 0;
	cli_scan_reset(&sh->scan);
}

static int run_lines(cli_shell *sh)
{
	const char *line;
	size_t len;
	bool cancelled;
	int status;

	while (!sh->quit && next_line(sh, &line, &len, &cancelled)) {
		if (cancelled) {
			cancel_input(sh);
			continue;
		}
		status = cli_shell_line(sh, line, len);
		if (status != CLI_OK && !sh->el)
			return status; /* a script stops at its first error */
	}
	if (sh->el && !sh->quit)
		fputc('\n', stdout); /* after Ctrl-D, the terminal's next prompt on a line of its own */
	if (sh->failed)
		return CLI_FAILURE;
	if (sh->el || !cli_scan_open(&sh->scan))
		return CLI_OK;
	/* a script's last statement needs no ';', but must end */
	if ((status = cli_shell_line(sh, "\n;\n", 3)) != CLI_OK)
		return status;
	if (cli_scan_open(&sh->scan))
		return cli_fail("shell: the script ends inside a quote or a comment");
	return CLI_OK;
}

static int shell_session(cli_shell *sh, const cli_args *a)
{
	const char *ref = cli_get(a, CLI_OPT(REF));
	int status;

	if (rat_workspace_open(&sh->ws, cli_get(a, CLI_OPT(WORKSPACE))) != 0)
		return cli_fail_lib(NULL);
	cli_warn_memory(sh->ws, false);
	if (rat_engine_open_at(&sh->engine, sh->ws, ref) != 0)
		return cli_fail_lib(NULL);
	sh->ref = ref;
	snprintf(sh->prompt, sizeof(sh->prompt), "%s%s%s> ", rat_workspace_name(sh->ws),
		 ref ? "@" : "", ref ? ref : "");
	snprintf(sh->more_prompt, sizeof(sh->more_prompt), "%*s> ",
		 (int)(strlen(sh->prompt) - 2), "...");
	if (isatty(STDIN_FILENO) && (status = start_terminal(sh)) != CLI_OK)
		return status;
	if (sh->el)
		printf("rat shell on %s (%s). Statements end with ';'. .help for help, Ctrl-D to leave.\n",
		       ref ? ref : rat_workspace_branch(sh->ws), rat_workspace_name(sh->ws));
	return run_lines(sh);
}

static int run(const cli_args *a)
{
	cli_shell sh;
	int status;

	if (a->count != 0)
		return cli_usage(a->cmd, "takes no arguments (type the SQL at the prompt)");
	memset(&sh, 0, sizeof(sh));
	pthread_mutex_init(&sh.lock, NULL);
	cli_scan_reset(&sh.scan);
	sh.how.format = cli_parse_format(cli_get(a, CLI_OPT(FORMAT)));
	sh.how.max_rows = (unsigned long)cli_count(a, CLI_OPT(LIMIT), 1000);
	sh.how.color = cli_color(stdout);
	sh.how.lf = cli_has(a, &cli_lf_option);
	sh.pending.max = STATEMENT_MAX;
	status = shell_session(&sh, a);
	stop_terminal(&sh);
	free(sh.pending.data);
	free(sh.line);
	rat_engine_free(sh.engine);
	rat_workspace_free(sh.ws);
	pthread_mutex_destroy(&sh.lock);
	return status;
}

static const cli_use options[] = {
	{ CLI_OPT(WORKSPACE), NULL, NULL },
	{ CLI_OPT(REF), "read the workspace's tables as of REF (a branch, tag\n"
			"or commit) instead of its branch's head", NULL },
	{ CLI_OPT(FORMAT), "table (default), csv or json; .format changes it", cli_result_formats },
	{ CLI_OPT(JSON), NULL, NULL },
	{ CLI_OPT(LIMIT), "rows a table shows (default 1000, 0 = all); .limit changes it",
	  NULL },
	{ &cli_lf_option, NULL, NULL },
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_shell = {
	"shell",
	"type SQL in a workspace's engine, with line editing and history",
	run,
	"Usage: rat shell [-w NAME|PATH] [-r REF] [-o table|csv|json] [-n N] [--lf]\n"
	"\n"
	"An interactive session on the workspace's tables, as `rat query` opens it\n"
	"(on its branch, or at --ref; locked to the workspace's folders). A statement\n"
	"ends at ';' outside quotes and comments and may span lines. Line editing\n"
	"and history (kept in $RAT_HOME/shell_history) come from libedit (~/.editrc).\n"
	"Ctrl-C cancels what is typed, or stops the running statement; Ctrl-D leaves.\n"
	"\n"
	"Dot commands, on a line of their own:\n" CLI_SHELL_HELP
	"\n"
	"When standard input is not a terminal, it is a script: its statements and\n"
	"dot commands run in order, without prompts, and the first error stops it.\n",
	options,
	NULL,
	"Exit status: 0; 1 when a script's statement failed (or the workspace did\n"
	"not open); 2 usage.\n",
};
