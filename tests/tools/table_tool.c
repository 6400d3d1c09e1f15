/*
 * tests/tools/table_tool.c - a test driver for the table layer, so that shell
 * tests can write tables here and check them with other readers.
 *
 *   table_tool write DIR SQL [--location URL] [--partition EXPR]...
 *                            [--overwrite] [--add-columns]
 *   table_tool read DIR [--snapshot ID] [--order-by COL]   rows as a JSON array
 *   table_tool snapshots DIR                                 snapshot ids, oldest first
 *   table_tool rename DIR FROM TO                            rename a column
 *   table_tool commit WORKSPACE BRANCH TABLE SQL             write layer.table on a branch
 *
 * The engine comes from a throwaway workspace under $RAT_HOME.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rat.h"
#include "util/common.h"
#include "util/fs.h"
#include "engine/engine.h"
#include "storage/storage.h"
#include "table/scan.h"
#include "table/write.h"
#include "workspace/tables.h"

static int fail(const char *what)
{
	fprintf(stderr, "table_tool: %s: %s\n", what, rat_error_last()->message);
	return 1;
}

static int open_engine(rat_workspace **ws, rat_engine **engine, char *scratch, size_t len)
{
	const char *home = getenv("RAT_HOME");
	char dir[4096], yaml[4200];

	snprintf(dir, sizeof(dir), "%s/table-tool", home ? home : "/tmp");
	snprintf(yaml, sizeof(yaml), "%s/workspace.yaml", dir);
	snprintf(scratch, len, "%s/scratch", dir);
	if (rat_fs__mkdir_p(dir) != 0 || rat_fs__write_file_atomic(yaml, "name: tool\n", 11) != 0 ||
	    rat_workspace_open(ws, dir) != 0 || rat_workspace__open_engine(engine, *ws) != 0)
		return fail("engine");
	return 0;
}

static int do_write(rat_store *store, rat_engine *engine, const char *scratch, int argc, char **argv)
{
	rat_write_options opts = RAT_WRITE_OPTIONS_INIT;
	rat_write_result result;
	const char *parts[16];
	int i;

	opts.scratch_dir = scratch;
	opts.partition_by = parts;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--location") == 0 && i + 1 < argc)
			opts.location = argv[++i];
		else if (strcmp(argv[i], "--partition") == 0 && i + 1 < argc && opts.partition_count < 16)
			parts[opts.partition_count++] = argv[++i];
		else if (strcmp(argv[i], "--overwrite") == 0)
			opts.mode = RAT_WRITE_OVERWRITE;
		else if (strcmp(argv[i], "--add-columns") == 0)
			opts.schema_change = RAT_SCHEMA_APPEND;
		else
			return fprintf(stderr, "table_tool: unknown option %s\n", argv[i]), 2;
	}
	if (rat_table__write(&result, store, engine, argv[0], &opts) != 0)
		return fail("write");
	printf("{\"snapshot_id\": %lld, \"version\": %ld, \"added_rows\": %lld}\n",
	       (long long)result.snapshot_id, result.version, (long long)result.added_rows);
	return 0;
}

static int do_read(rat_store *store, rat_engine *engine, int argc, char **argv)
{
	rat_scan_options opts = RAT_SCAN_OPTIONS_INIT;
	rat_scan scan;
	rat_buf sql = RAT_BUF_INIT, query = RAT_BUF_INIT;
	rat_result *result = NULL;
	const char *order = NULL;
	size_t col, rows = 0;
	int i, status = 1;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--snapshot") == 0 && i + 1 < argc)
			opts.snapshot_id = strtoll(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--order-by") == 0 && i + 1 < argc)
			order = argv[++i];
	}
	if (rat_table__plan(&scan, store, &opts) != 0)
		return fail("plan");
	if (rat_table__scan_sql(&scan, store, &sql) != 0) {
		fail("scan");
		goto cleanup;
	}
	if (rat_buf_printf(&query, "SELECT * FROM (%s) t%s%s", rat_buf_cstr(&sql), order ? " ORDER BY " : "",
		       order ? order : "") != 0)
		abort();
	if (rat_engine_query(&result, engine, rat_buf_cstr(&query)) != 0) {
		fail("read");
		goto cleanup;
	}
	printf("[");
	while ((i = rat_result_next(result)) == 1) {
		printf(rows++ ? ",\n{" : "\n{");
		for (col = 0; col < rat_result_column_count(result); col++) {
			const char *json = NULL;
			rat_result_get_json(result, col, &json, NULL);
			printf("%s\"%s\":%s", col ? "," : "", rat_result_column_name(result, col), json);
		}
		printf("}");
	}
	printf("\n]\n");
	status = i < 0 ? fail("read") : 0;
cleanup:
	rat_result_free(result);
	rat_buf_free(&sql);
	rat_buf_free(&query);
	rat_table__scan_free(&scan);
	return status;
}

static int do_snapshots(rat_store *store)
{
	rat_scan scan;
	size_t i;

	if (rat_table__plan(&scan, store, NULL) != 0)
		return fail("plan");
	for (i = 0; i < scan.meta.snapshot_count; i++)
		printf("%lld\n", (long long)scan.meta.snapshots[i].snapshot_id);
	rat_table__scan_free(&scan);
	return 0;
}

int main(int argc, char **argv)
{
	rat_workspace *ws = NULL;
	rat_engine *engine = NULL;
	rat_store *store = NULL;
	char scratch[4200];
	int status;

	if (argc < 3) {
		fprintf(stderr, "usage: table_tool write|read|snapshots|rename|commit DIR ...\n");
		return 2;
	}
	if (strcmp(argv[1], "commit") == 0) {
		/* a table of a workspace, written on a catalog branch */
		rat_catalog *catalog = NULL;
		rat_write_result result;
		if (argc != 6)
			return 2;
		if (rat_workspace_open(&ws, argv[2]) != 0 || rat_workspace__open_engine(&engine, ws) != 0 ||
		    rat_workspace__open_catalog(&catalog, ws) != 0)
			return fail(argv[2]);
		status = rat_workspace__write_table(&result, ws, catalog, engine, argv[3], argv[4], argv[5],
						    NULL, "table_tool") ? fail("commit") : 0;
		rat_catalog__free(catalog);
		rat_engine_free(engine);
		rat_workspace_free(ws);
		return status;
	}
	if (rat_fs__mkdir_p(argv[2]) != 0 || rat_store__open(&store, argv[2], NULL) != 0)
		return fail(argv[2]);
	if ((status = open_engine(&ws, &engine, scratch, sizeof(scratch))) != 0)
		goto cleanup;
	if (strcmp(argv[1], "write") == 0 && argc >= 4)
		status = do_write(store, engine, scratch, argc - 3, argv + 3);
	else if (strcmp(argv[1], "read") == 0)
		status = do_read(store, engine, argc - 3, argv + 3);
	else if (strcmp(argv[1], "snapshots") == 0)
		status = do_snapshots(store);
	else if (strcmp(argv[1], "rename") == 0 && argc == 5)
		status = rat_table__rename_column(store, argv[3], argv[4]) ? fail("rename") : 0;
	else
		status = 2;
cleanup:
	rat_engine_free(engine);
	rat_workspace_free(ws);
	rat_store__free(store);
	return status;
}
