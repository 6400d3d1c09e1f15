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
static const cli_option no_triggers = { "no-triggers", 0, CLI_FLAG, NULL,
					"fire no trigger: serve the catalog only", NULL, NULL, NULL };
static const cli_option max_runs = { "max-runs", 0, CLI_COUNT, "N",
				     "runs at once, all workspaces together (default 2)", NULL, NULL,
				     NULL };
static const cli_option run_memory = { "run-memory", 0, CLI_COUNT, "MB",
				       "the memory of the runs running at once, each its\n"
				       "workspace's profile's (default: 3/4 of the machine's)",
				       NULL, NULL, NULL };
static const cli_option clock_opt = { "clock", 0, CLI_TEXT, "TIME[xSPEED]",
				      "the triggers' clock starts at TIME (ISO-8601 UTC) and\n"
				      "runs SPEED times faster: try schedules in seconds",
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

/* TIME[xSPEED]: an ISO-8601 UTC time, and a speed from above 0 to 100000. */
static bool clock_ok(const char *clock)
{
	char time[64], *x, *end;
	double speed;

	snprintf(time, sizeof(time), "%s", clock);
	if ((x = strchr(time, 'x')) != NULL) {
		*x = '\0';
		speed = strtod(x + 1, &end);
		if (*end || !(speed > 0 && speed <= 100000))
			return false;
	}
	return rat_time_parse(time) > 0;
}

static int run(const cli_args *a)
{
	const char **argv = calloc(2 * a->hit_count + 6, sizeof(*argv));
	const char *clock = cli_get(a, &clock_opt);
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
	if (cli_has(a, &no_triggers))
		argv[n++] = "--no-triggers";
	if (cli_get(a, &max_runs)) {
		argv[n++] = "--max-runs";
		argv[n++] = cli_get(a, &max_runs);
	}
	if (cli_get(a, &run_memory)) {
		argv[n++] = "--run-memory";
		argv[n++] = cli_get(a, &run_memory);
	}
	if (clock) {
		if (!clock_ok(clock)) {
			free(program);
			free(argv);
			return cli_usage(a->cmd, "--clock: '%s' is not TIME[xSPEED] (2026-03-29T00:00:00Zx60)",
					 clock);
		}
		argv[n++] = "--clock";
		argv[n++] = clock;
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
	{ &no_triggers, NULL, NULL },
	{ &max_runs, NULL, NULL },
	{ &run_memory, NULL, NULL },
	{ &clock_opt, NULL, NULL },
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_serve = {
	"serve",
	"the catalog as a service: an Iceberg REST catalog for other engines",
	run,
	"Usage: rat serve [--listen ADDR:PORT] [--workspaces DIR]... [--no-triggers]\n"
	"                 [--max-runs N] [--run-memory MB] [--clock TIME[xSPEED]]\n"
	"\n"
	"Serves the workspaces of each DIR (their catalogs, under their RAT_HOME)\n"
	"over HTTP: the Iceberg REST catalog under /iceberg, and /health. A request\n"
	"acts for the workspace of its token (`rat token create -w NAME`); without\n"
	"tokens, on a loopback address only, for the workspace its prefix names, or\n"
	"`default`. Off loopback, tokens are required. SIGTERM or Ctrl-C stops it,\n"
	"once the requests in flight are answered. See docs/serve.md.\n"
	"\n"
	"It fires the workspaces' triggers (rat triggers lists them;\n"
	"docs/orchestration.md): each run a `rat run` of its own, one at a time per\n"
	"workspace, at most N at once and within the memory given.\n",
	options,
	NULL,
	NULL,
};
