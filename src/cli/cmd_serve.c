/*
 * cli/cmd_serve.c - `rat serve`: the catalog as a service (src/server/,
 * docs/serve.md). The folders of workspaces to serve come from
 * --workspaces (repeatable), else RAT_WORKSPACES, else ./workspaces.
 *
 * The server is its own program, rat-serve, installed beside rat: its
 * HTTP library (libmicrohttpd, with GnuTLS and the rest) costs every process
 * that loads it about 4 ms, which no other command should pay. This command
 * parses the command line as every command does, then becomes rat-serve
 * with it spelled out (`--listen ADDR:PORT --workspaces DIR...`).
 */
#include "cli/cli.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const cli_option listen_opt = { "listen", 0, CLI_TEXT, "ADDR:PORT",
				       "where to listen (default 127.0.0.1:19120)", NULL, NULL,
				       NULL };
static const cli_option folders = { "workspaces", 0, CLI_TEXT, "DIR",
				    "a folder of workspaces to serve (repeatable; default: "
				    "RAT_WORKSPACES, else ./workspaces)",
				    NULL, NULL, NULL };

/* The rat-serve beside this program (free()); NULL, said, when there is none. */
static char *server_program(void)
{
	char self[PATH_MAX], *slash, *path;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0) {
		cli_fail("cannot find this program's folder (/proc/self/exe): %s", strerror(errno));
		return NULL;
	}
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) != NULL)
		*slash = '\0';
	if ((path = malloc(strlen(self) + sizeof("/rat-serve"))) == NULL) {
		cli_fail("out of memory");
		return NULL;
	}
	sprintf(path, "%s/rat-serve", self);
	if (access(path, X_OK) != 0) {
		cli_fail("%s: %s (rat serve runs the rat-serve installed beside rat)", path,
			 strerror(errno));
		free(path);
		return NULL;
	}
	return path;
}

static int run(const cli_args *a)
{
	const char **argv = calloc(2 * a->hit_count + 6, sizeof(*argv));
	const char *listen = cli_get(a, &listen_opt);
	char *program = NULL;
	size_t i, n = 0, dirs = 0;

	if (!argv)
		return cli_fail("out of memory");
	if (a->count) {
		free(argv);
		return cli_usage(a->cmd, "serve takes no argument");
	}
	if ((program = server_program()) == NULL) {
		free(argv);
		return CLI_FAILURE;
	}
	argv[n++] = "rat-serve";
	if (listen) {
		argv[n++] = "--listen";
		argv[n++] = listen;
	}
	for (i = 0; i < a->hit_count; i++)
		if (a->hits[i].option == &folders) {
			argv[n++] = "--workspaces";
			argv[n++] = a->hits[i].value;
			dirs++;
		}
	if (dirs == 0) {
		const char *env = getenv("RAT_WORKSPACES");
		argv[n++] = "--workspaces";
		argv[n++] = env && *env ? env : "workspaces";
	}
	fflush(NULL);
	execv(program, (char *const *)argv);
	cli_fail("cannot run %s: %s", program, strerror(errno));
	free(program);
	free(argv);
	return CLI_FAILURE;
}

static const cli_use options[] = {
	{ &listen_opt, NULL, NULL },
	{ &folders, NULL, NULL },
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_serve = {
	"serve",
	"the catalog as a service: an Iceberg REST catalog for other engines",
	run,
	"Usage: rat serve [--listen ADDR:PORT] [--workspaces DIR]...\n"
	"\n"
	"Serves the workspaces of each DIR (their catalogs, under their RAT_HOME)\n"
	"over HTTP: the Iceberg REST catalog under /iceberg, and /health. A request\n"
	"acts for the workspace of its token (`rat token create -w NAME`); without\n"
	"tokens, on a loopback address only, for the workspace its prefix names, or\n"
	"`default`. Off loopback, tokens are required. SIGTERM or Ctrl-C stops it,\n"
	"once the requests in flight are answered. See docs/serve.md.\n",
	options,
	NULL,
	NULL,
};
