/*
 * server/main.c - rat-serve, the program `rat serve` becomes (cli/cmd_serve.c
 * parses the user's command line; this takes it spelled out):
 *
 *   rat-serve [--listen ADDR:PORT] --workspaces DIR [--workspaces DIR]...
 *
 * Exits 0 after a clean stop (SIGTERM, SIGINT), 1 when it cannot serve, 2 on
 * a command line it does not take.
 */
#include "server/server.h"

#include <stdlib.h>
#include <string.h>

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
		} else {
			fprintf(stderr, "rat-serve: unknown argument '%s' (run it as `rat serve`)\n",
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
