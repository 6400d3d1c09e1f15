/*
 * tests/tools/token_check.c - token_check WORKSPACE TOKEN: what
 * rat_token_check() says of TOKEN for the workspace (the check `rat serve`
 * makes on every request): "ok write", "ok read", or the error's message;
 * exit status 0 for a live token, 1 otherwise. For tests/cli/test_token.sh.
 */
#include "rat.h"

#include <stdio.h>

int main(int argc, char **argv)
{
	rat_workspace *ws = NULL;
	int read_only = 1, status;

	if (argc != 3) {
		fprintf(stderr, "usage: token_check WORKSPACE TOKEN\n");
		return 2;
	}
	if (rat_workspace_open(&ws, argv[1]) != 0) {
		fprintf(stderr, "%s\n", rat_error_last()->message);
		return 2;
	}
	status = rat_token_check(ws, argv[2], &read_only) == 0 ? 0 : 1;
	if (status == 0)
		printf("ok %s\n", read_only ? "read" : "write");
	else
		printf("%s\n", rat_error_last()->message);
	rat_workspace_free(ws);
	return status;
}
