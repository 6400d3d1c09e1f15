/*
 * examples/embed/embed.c - using librat from C through its public header only.
 *
 * Creates (or reopens) a workspace in the folder given on the command line,
 * opens an engine session with the workspace's resource profile, runs a query
 * and reads typed values from the result.
 *
 *     cc embed.c -lrat -o embed && ./embed /tmp/lakehouse
 */
#include <rat.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int fail(const char *what)
{
	fprintf(stderr, "embed: %s: %s\n", what, rat_error_last()->message);
	return 1;
}

int main(int argc, char **argv)
{
	rat_workspace_create_options opts = RAT_WORKSPACE_CREATE_OPTIONS_INIT;
	rat_workspace *ws = NULL;
	rat_engine *engine = NULL;
	rat_result *result = NULL;
	char path[4096], *storage = NULL;
	const char *greeting = NULL;
	int64_t answer = 0;
	double ratio = 0;
	int status = 1;

	if (argc != 2) {
		fprintf(stderr, "usage: embed FOLDER\n");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/example", argv[1]);
	opts.path = path;
	opts.description = "Embedding example";
	/* create the workspace on first run, reopen it afterwards */
	if (rat_workspace_create(&ws, "example", &opts) == RAT_EEXISTS &&
	    rat_workspace_open(&ws, path) != 0)
		return fail("open workspace");
	if (!ws)
		return fail("create workspace");
	printf("workspace %s on branch %s\n", rat_workspace_name(ws), rat_workspace_branch(ws));

	if (rat_workspace_storage_path(&storage, ws, "silver", "cleaned_sales") != 0) {
		fail("storage path");
		goto cleanup;
	}
	printf("silver.cleaned_sales lives at %s\n", storage);

	if (rat_engine_open(&engine, ws) != 0) {
		fail("open engine");
		goto cleanup;
	}
	if (rat_engine_query(&result, engine,
			     "SELECT 42 AS answer, 'hello' AS greeting, 3 / 4 AS ratio") != 0) {
		fail("query");
		goto cleanup;
	}
	if (rat_result_next(result) != 1 || rat_result_get_int64(result, 0, &answer) != 0 ||
	    rat_result_get_text(result, 1, &greeting, NULL) != 0 ||
	    rat_result_get_double(result, 2, &ratio) != 0) {
		fail("read row");
		goto cleanup;
	}
	printf("answer = %" PRId64 ", greeting = %s, ratio = %g\n", answer, greeting, ratio);
	if (answer != 42 || strcmp(greeting, "hello") != 0 || ratio != 0.75) {
		fprintf(stderr, "embed: unexpected values\n");
		goto cleanup;
	}
	if (rat_result_next(result) != 0) {
		fprintf(stderr, "embed: expected exactly one row\n");
		goto cleanup;
	}
	status = 0;
cleanup:
	rat_result_free(result);
	rat_engine_free(engine);
	rat_free(storage);
	rat_workspace_free(ws);
	return status;
}
