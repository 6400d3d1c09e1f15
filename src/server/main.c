/*
 * server/main.c - rat-serve, the program `rat serve` becomes (cli/cmd_serve.c
 * parses the user's command line; this takes it spelled out):
 *
 *   rat-serve [--listen ADDR:PORT] --workspaces DIR [--workspaces DIR]...
 *             [--no-triggers] [--max-runs N] [--run-memory MB] [--clock TIME[xSPEED]]
 *
 * Exits 0 after a clean stop (SIGTERM, SIGINT), 1 when it cannot serve, 2 on
 * a command line it does not take.
 */
#include "server/server.h"

#include <stdlib.h>
#include <string.h>

/* --clock TIME[xSPEED]: an ISO-8601 UTC time, and how much faster than real time. */
static int parse_clock(const char *text, rat_serve_options *opts)
{
	char time[64], *x;
	char *end;

	snprintf(time, sizeof(time), "%s", text);
	opts->clock_speed = 1;
	if ((x = strchr(time, 'x')) != NULL) {
		*x = '\0';
		opts->clock_speed = strtod(x + 1, &end);
		if (*end || !(opts->clock_speed > 0 && opts->clock_speed <= 100000))
			return -1;
	}
	return (opts->clock_start_ms = rat_time_parse(time)) > 0 ? 0 : -1;
}

/* A whole number from 1 to max, or -1. */
static long long number(const char *text, long long max)
{
	char *end;
	long long n = strtoll(text, &end, 10);

	return *end || n < 1 || n > max ? -1 : n;
}

int main(int argc, char **argv)
{
	const char **dirs = calloc((size_t)argc + 1, sizeof(*dirs));
	rat_serve_options opts;
	size_t n = 0;
	int i, status;

	if (!dirs)
		return 1;
	memset(&opts, 0, sizeof(opts));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
			opts.listen = argv[++i];
		} else if (strcmp(argv[i], "--workspaces") == 0 && i + 1 < argc) {
			dirs[n++] = argv[++i];
		} else if (strcmp(argv[i], "--no-triggers") == 0) {
			opts.no_triggers = true;
		} else if (strcmp(argv[i], "--max-runs") == 0 && i + 1 < argc &&
			   (opts.max_runs = (int)number(argv[i + 1], 1000)) > 0) {
			i++;
		} else if (strcmp(argv[i], "--run-memory") == 0 && i + 1 < argc &&
			   (opts.run_memory_mb = number(argv[i + 1], (long long)1 << 40)) > 0) {
			i++;
		} else if (strcmp(argv[i], "--clock") == 0 && i + 1 < argc &&
			   parse_clock(argv[i + 1], &opts) == 0) {
			i++;
		} else {
			fprintf(stderr, "rat-serve: bad argument '%s' (run it as `rat serve`: rat serve "
					"--help)\n",
				argv[i]);
			free(dirs);
			return 2;
		}
	}
	opts.workspaces = dirs;
	opts.log = stderr;
	opts.ready = stderr;
	status = rat_serve(&opts) == 0 ? 0 : 1;
	free(dirs);
	return status;
}
