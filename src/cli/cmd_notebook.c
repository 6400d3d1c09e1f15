/*
 * cli/cmd_notebook.c - `rat notebook [-w W] [-- JUPYTER ARGS]`: Debian's
 * Jupyter Notebook in the workspace's notebooks/ folder, with the workspace
 * selected ($WORKSPACE: get_workspace() in a notebook is it) and the
 * ratatouille package importable (PYTHONPATH, rat_python_package_dir).
 * It listens on 127.0.0.1 unless told otherwise, and replaces this process:
 * Ctrl-C stops it as Jupyter stops.
 *
 * `rat python [-w W] [SCRIPT|-] [-- ARGS]`: that Python with the same
 * environment, for scripts (and the README's tour).
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef RAT_PYTHON_DEFAULT
#define RAT_PYTHON_DEFAULT "/usr/bin/python3"
#endif

static char *printed(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *printed(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

/* PYTHONPATH with the package's folder first (RAT_PYTHONPATH, else librat's; what was there after). */
static int put_pythonpath(void)
{
	const char *was = getenv("PYTHONPATH"), *dir = getenv("RAT_PYTHONPATH");
	char *found = NULL, *value;
	int rc;

	if (!dir || !dir[0]) {
		if (rat_python_package_dir(&found) != 0) { /* installed with pip: Python finds it */
			rat_error_clear();
			return 0;
		}
		dir = found;
	}
	value = was && was[0] ? printed("%s:%s", dir, was) : printed("%s", dir);
	rat_free(found);
	if (!value)
		return -1;
	rc = setenv("PYTHONPATH", value, 1);
	free(value);
	return rc;
}

static bool has_option(const cli_args *a, const char *prefix)
{
	int i;

	for (i = 0; i < a->count; i++)
		if (strncmp(a->pos[i], prefix, strlen(prefix)) == 0)
			return true;
	return false;
}

/* python -m notebook --notebook-dir=FOLDER [--ip=127.0.0.1] ARGS..., NULL-terminated. */
static const char **jupyter_argv(const cli_args *a, const char *python, const char *dir_option)
{
	const char **argv = calloc((size_t)a->count + 8, sizeof(*argv));
	int i, n = 0;

	if (!argv)
		return NULL;
	argv[n++] = python;
	argv[n++] = "-m";
	argv[n++] = "notebook";
	argv[n++] = dir_option;
	if (!has_option(a, "--ip"))
		argv[n++] = "--ip=127.0.0.1";
	for (i = 0; i < a->count; i++)
		argv[n++] = a->pos[i];
	argv[n] = NULL;
	return argv;
}

/* RAT_PYTHON, else the build's. */
static const char *python_program(void)
{
	const char *python = getenv("RAT_PYTHON");

	return python && python[0] ? python : RAT_PYTHON_DEFAULT;
}

/* The workspace selected for what runs next: $WORKSPACE its folder, the package on PYTHONPATH. */
static int select_workspace(const rat_workspace *ws)
{
	if (setenv("WORKSPACE", rat_workspace_path(ws), 1) != 0 || put_pythonpath() != 0)
		return cli_fail("setting Python's environment: %s", strerror(errno));
	fflush(NULL);
	return CLI_OK;
}

static int run(const cli_args *a)
{
	const char *python = python_program();
	rat_workspace *ws = NULL;
	char *folder = NULL, *dir_option = NULL;
	const char **argv = NULL;
	int status;

	if (rat_workspace_open(&ws, cli_get(a, CLI_OPT(WORKSPACE))) != 0)
		return cli_fail_lib(NULL);
	if ((folder = printed("%s/notebooks", rat_workspace_path(ws))) == NULL ||
	    (dir_option = printed("--notebook-dir=%s", folder)) == NULL ||
	    (argv = jupyter_argv(a, python, dir_option)) == NULL) {
		status = cli_fail("out of memory");
	} else if (mkdir(folder, 0777) != 0 && errno != EEXIST) {
		status = cli_fail("%s: %s", folder, strerror(errno));
	} else {
		fprintf(stderr, "rat notebook: workspace %s (%s), notebooks in %s\n",
			rat_workspace_name(ws), rat_workspace_branch(ws), folder);
		if ((status = select_workspace(ws)) == CLI_OK) {
			execv(python, (char *const *)argv);
			status = cli_fail("cannot start %s: %s (RAT_PYTHON names the Python with "
					  "Debian's jupyter-notebook; scripts/deps.sh installs it)",
					  python, strerror(errno));
		}
	}
	free(argv);
	free(dir_option);
	free(folder);
	rat_workspace_free(ws);
	return status;
}

static int run_python(const cli_args *a)
{
	const char *python = python_program();
	rat_workspace *ws = NULL;
	const char **argv = calloc((size_t)a->count + 2, sizeof(*argv));
	int i, status;

	if (!argv)
		return cli_fail("out of memory");
	if (rat_workspace_open(&ws, cli_get(a, CLI_OPT(WORKSPACE))) != 0) {
		free(argv);
		return cli_fail_lib(NULL);
	}
	argv[0] = python;
	for (i = 0; i < a->count; i++)
		argv[i + 1] = a->pos[i];
	if ((status = select_workspace(ws)) == CLI_OK) {
		execv(python, (char *const *)argv);
		status = cli_fail("cannot start %s: %s (RAT_PYTHON names another Python)", python,
				  strerror(errno));
	}
	free(argv);
	rat_workspace_free(ws);
	return status;
}

static const cli_use options[] = {
	{ CLI_OPT(WORKSPACE), NULL, NULL },
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_notebook = {
	"notebook",
	"open Jupyter in a workspace's notebooks/ folder, the workspace selected",
	run,
	"Usage: rat notebook [-w NAME|PATH] [-- JUPYTER-OPTIONS...]\n"
	"\n"
	"Start Jupyter Notebook (Debian's, under RAT_PYTHON, default /usr/bin/python3)\n"
	"in the workspace's notebooks/ folder (made when missing), with the workspace\n"
	"selected: in a notebook, get_workspace() is this workspace, and the\n"
	"ratatouille package (docs/python.md) is importable. Jupyter listens on\n"
	"127.0.0.1 unless --ip says otherwise; what follows '--' goes to Jupyter\n"
	"(--no-browser, --port 8890, ...).\n",
	options,
	NULL,
	"Exit status: Jupyter's; 1 when the workspace does not open or Python does\n"
	"not start; 2 usage.\n",
};

const cli_command cli_cmd_python = {
	"python",
	"run Python with the ratatouille package and a workspace selected",
	run_python,
	"Usage: rat python [-w NAME|PATH] [SCRIPT | -] [-- PYTHON-ARGS...]\n"
	"\n"
	"Run the Python the ratatouille package is for (RAT_PYTHON, default\n"
	"/usr/bin/python3) with the package importable and the workspace selected:\n"
	"get_workspace() is this workspace (docs/python.md). '-' reads the script\n"
	"from standard input; what follows '--' goes to Python as it is\n"
	"(rat python -w W -- -c 'print(1)', rat python -w W job.py -- --day 3).\n",
	options,
	NULL,
	"Exit status: Python's; 1 when the workspace does not open or Python does\n"
	"not start; 2 usage.\n",
};
