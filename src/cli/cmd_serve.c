/*
 * cli/cmd_serve.c - `rat serve`: the catalog as a service (src/server/,
 * docs/serve.md). The folders of workspaces to serve come from
 * --workspaces (repeatable), else RAT_WORKSPACES, else ./workspaces.
 */
#include "cli/cli.h"
#include "server/server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const cli_option listen_opt = { "listen", 0, CLI_TEXT, "ADDR:PORT",
				       "where to listen (default 127.0.0.1:19120)", NULL, NULL,
				       NULL };
static const cli_option folders = { "workspaces", 0, CLI_TEXT, "DIR",
				    "a folder of workspaces to serve (repeatable; default: "
				    "RAT_WORKSPACES, else ./workspaces)",
				    NULL, NULL, NULL };

static int run(const cli_args *a)
{
	const char **dirs = calloc(a->hit_count + 2, sizeof(*dirs));
	rat_serve_options opts;
	size_t i, n = 0;
	int status;

	if (!dirs)
		return cli_fail("out of memory");
	if (a->count)
		return free(dirs), cli_usage(a->cmd, "serve takes no argument");
	for (i = 0; i < a->hit_count; i++)
		if (a->hits[i].option == &folders)
			dirs[n++] = a->hits[i].value;
	if (n == 0) {
		const char *env = getenv("RAT_WORKSPACES");
		dirs[n++] = env && *env ? env : "workspaces";
	}
	memset(&opts, 0, sizeof(opts));
	opts.listen = cli_get(a, &listen_opt);
	opts.workspaces = dirs;
	opts.log = stderr;
	opts.ready = stderr;
	status = rat_serve(&opts) == 0 ? CLI_OK : CLI_FAILURE;
	free(dirs);
	return status;
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
