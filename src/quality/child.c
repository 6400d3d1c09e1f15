/*
 * quality/child.c - a program rat test runs to read a mock (xlsx2csv for a
 * workbook, Python for a generator), bounded: its output capped by
 * RLIMIT_FSIZE, its CPU time by RLIMIT_CPU, killed past its timeout, with
 * only the environment it is given, in the folder it is given. A failure
 * names the mock file and says what the program said last.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/proc.h"
#include "quality/quality.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* In the child, between fork and exec: only async-signal-safe calls. */
static void child(const rat_quality_child *c, int out, int err)
{
	struct rlimit fsize = { c->max_output, c->max_output };
	struct rlimit cpu = { (rlim_t)(c->timeout_ms / 1000), (rlim_t)(c->timeout_ms / 1000) };
	int in = open("/dev/null", O_RDONLY);

	if (in < 0 || dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0 || chdir(c->dir) != 0 ||
	    setrlimit(RLIMIT_FSIZE, &fsize) != 0 || setrlimit(RLIMIT_CPU, &cpu) != 0)
		_exit(126);
	execve(c->prog, c->argv, c->envp);
	_exit(127);
}

/*
 * What the program said on stderr: its first line (its own message), or a
 * Python traceback's last (the exception), with the scratch copy's path
 * (hidden) read as display.
 */
static char *reason(const rat_quality_child *c)
{
	rat_buf text = RAT_BUF_INIT;
	char *line = NULL, *at, *nl;

	if (rat_fs__read_file(&text, c->err_path, (size_t)1 << 20) == 0 && text.len) {
		char *end = text.ptr + text.len;
		while (end > text.ptr && (end[-1] == '\n' || end[-1] == '\r'))
			*--end = '\0';
		line = text.ptr;
		if (strncmp(line, "Traceback", 9) == 0 && (nl = strrchr(line, '\n')) != NULL)
			line = nl + 1;
		else if ((nl = strchr(line, '\n')) != NULL)
			*nl = '\0';
		if (c->hidden && (at = strstr(line, c->hidden)) != NULL)
			line = rat__sprintf("%.*s%s%s", (int)(at - line), line, c->display,
					    at + strlen(c->hidden));
		else
			line = rat__strdup(line);
	}
	rat_error_clear(); /* no stderr: the exit status says enough */
	rat_buf_free(&text);
	return line;
}

static int failed(const rat_quality_child *c, int status)
{
	char *why = reason(c);
	int error;

	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGXCPU)
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				       "%s: %s used more than %d s of CPU (killed)", c->display, c->what,
				       c->timeout_ms / 1000);
	else
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				       "%s: %s %s (%s %d)%s%s", c->display, c->what, c->failing,
				       WIFSIGNALED(status) ? "signal" : "exit status",
				       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
				       why ? ": " : "", why ? why : "");
	free(why);
	return error;
}

int rat_quality__run_child(const rat_quality_child *c)
{
	int out, err, status = 0;
	pid_t pid;

	out = open(c->out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	err = open(c->err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	pid = out < 0 || err < 0 ? -1 : fork();
	if (pid == 0)
		child(c, out, err);
	if (out >= 0)
		close(out);
	if (err >= 0)
		close(err);
	if (pid < 0)
		return rat_error__set(RAT_EIO, RAT_ERRCLASS_OS, "%s: cannot run %s", c->display,
				      c->what);
	if (!rat_proc__wait(pid, &status, c->timeout_ms))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				      "%s: %s did not finish in %d s (killed)", c->display, c->what,
				      c->timeout_ms / 1000);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return failed(c, status);
	return 0;
}
