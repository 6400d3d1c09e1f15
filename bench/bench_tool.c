/*
 * bench/bench_tool.c - what `make bench` needs from librat's internals, which
 * the rat command does not expose. Linked with rat_internal, as the test
 * drivers are (tests/tools/table_tool.c).
 *
 *   bench_tool reset-branch HOME BRANCH FROM
 *       Point BRANCH of the catalog in HOME at FROM (a tag, branch or hash):
 *       delete it and create it again. `rat branch delete` + `rat branch
 *       create` cannot do this for a workspace's own branch, which rat forks
 *       again from main as soon as the workspace is opened.
 *
 *   bench_tool plan WORKSPACE KEY COLUMN OP VALUE
 *       Plan a scan of table KEY on the workspace's branch with the filter
 *       COLUMN OP VALUE, as the library's planner (src/table/prune.c) would:
 *       prints "files=N kept=K pruned=P ms=T".
 *
 *   bench_tool tables WORKSPACE COUNT
 *       Write COUNT small tables (bronze.t0000, ...; 10 rows each) on the
 *       workspace's branch, each a real Iceberg write and one catalog commit:
 *       prints "tables=N seconds=S per_second=R".
 *
 *   bench_tool commits WORKSPACE COUNT
 *       On a branch forked from the workspace's (bench/commits), make COUNT
 *       catalog commits, each changing one key (a probe entry, so no table is
 *       harmed), then delete that branch: prints "commits=N keys=K seconds=S
 *       per_second=R db_growth_bytes=B".
 *
 *   bench_tool pauses SECONDS
 *       How long this machine stops running a busy program: threads that only
 *       read the clock, first one, then one per CPU, SECONDS each; prints
 *       "one_busy_max_ms=A one_busy_over_10ms=N all_busy_max_ms=B
 *       all_busy_over_10ms=M cpus=C". A virtual machine whose host caps its
 *       CPU time pauses as a whole once all its CPUs are busy: every latency
 *       measured under such a load (measure 6) has those pauses in its tail.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rat.h"
#include "util/common.h"
#include "catalog/catalog.h"
#include "engine/engine.h"
#include "table/scan.h"
#include "workspace/tables.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int fail(const char *what)
{
	fprintf(stderr, "bench_tool: %s: %s\n", what, rat_error_last()->message);
	return 1;
}

/* The catalog's bytes on disk: the database and its write-ahead log. */
static long long catalog_bytes(const char *home)
{
	static const char *const suffixes[] = { "", "-wal" };
	char path[4096];
	long long total = 0;
	struct stat st;
	size_t i;

	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/catalog.db%s", home, suffixes[i]);
		if (stat(path, &st) == 0)
			total += (long long)st.st_size;
	}
	return total;
}

static int reset_branch(const char *home, const char *branch, const char *from)
{
	rat_catalog *catalog = NULL;
	char hash[RAT_HASH_LEN + 1];
	int status = 1;

	if (rat_workspace__open_home_catalog(&catalog, home) != 0)
		return fail(home);
	if (rat_catalog__resolve(catalog, from, hash) != 0) {
		fail(from);
		goto cleanup;
	}
	if (rat_catalog__resolve(catalog, branch, hash) == 0 &&
	    rat_catalog__delete_ref(catalog, branch, NULL) != 0) {
		fail("delete");
		goto cleanup;
	}
	rat_error_clear();
	if (rat_catalog__create_ref(catalog, branch, RAT_REF_BRANCH, from) != 0) {
		fail("create");
		goto cleanup;
	}
	status = 0;
cleanup:
	rat_catalog__free(catalog);
	return status;
}

static int plan(const char *workspace, const char *key, const char *column, const char *op,
		const char *value)
{
	rat_workspace *ws = NULL;
	rat_catalog *catalog = NULL;
	rat_contents contents = { NULL, 0 };
	const rat_catalog_entry *entry;
	rat_store *store = NULL;
	rat_scan_options opts = RAT_SCAN_OPTIONS_INIT;
	rat_scan_filter filter;
	rat_scan scan;
	char *root = NULL;
	const char *meta;
	double t;
	int status = 1;

	if (rat_workspace_open(&ws, workspace) != 0 || rat_workspace__create_catalog(&catalog, ws) != 0 ||
	    rat_catalog__contents(catalog, rat_workspace_branch(ws), &contents) != 0) {
		fail(workspace);
		goto cleanup;
	}
	if ((entry = rat_catalog__find(&contents, key)) == NULL || entry->state.view ||
	    (meta = strstr(entry->state.metadata_location, "/metadata/")) == NULL) {
		fprintf(stderr, "bench_tool: no table %s\n", key);
		goto cleanup;
	}
	if (rat_workspace__table_store(&store, ws, key) != 0) {
		fail(key);
		goto cleanup;
	}
	/* as the library plans a catalog entry: its recorded metadata file, paths relocated */
	root = strndup(entry->state.metadata_location, (size_t)(meta - entry->state.metadata_location));
	filter.column = column;
	filter.op = op;
	filter.value = value;
	opts.metadata_key = meta + 1;
	opts.relocate_from = root;
	opts.filters = &filter;
	opts.filter_count = 1;
	t = now_s();
	if (rat_table__plan(&scan, store, &opts) != 0) {
		fail("plan");
		goto cleanup;
	}
	t = now_s() - t;
	printf("files=%zu kept=%zu pruned=%zu ms=%.1f\n", scan.data.count + scan.pruned,
	       scan.data.count, scan.pruned, t * 1000);
	rat_table__scan_free(&scan);
	status = 0;
cleanup:
	free(root);
	rat_store__free(store);
	rat_catalog__contents_free(&contents);
	rat_catalog__free(catalog);
	rat_workspace_free(ws);
	return status;
}

static int tables(const char *workspace, long count)
{
	rat_workspace *ws = NULL;
	rat_catalog *catalog = NULL;
	rat_engine *engine = NULL;
	rat_write_result result;
	char key[64], sql[160];
	double t;
	long i;
	int status = 1;

	if (rat_workspace_open(&ws, workspace) != 0 || rat_workspace__open_engine(&engine, ws) != 0 ||
	    rat_workspace__create_catalog(&catalog, ws) != 0) {
		fail(workspace);
		goto cleanup;
	}
	t = now_s();
	for (i = 0; i < count; i++) {
		snprintf(key, sizeof(key), "bronze.t%04ld", i);
		snprintf(sql, sizeof(sql),
			 "SELECT range AS id, 'row ' || range AS label, %ld AS t FROM range(10)", i);
		if (rat_workspace__write_table(&result, ws, catalog, engine, rat_workspace_branch(ws), key,
					       sql, NULL, "bench") != 0) {
			fail(key);
			goto cleanup;
		}
	}
	t = now_s() - t;
	printf("tables=%ld seconds=%.3f per_second=%.1f\n", count, t, (double)count / t);
	status = 0;
cleanup:
	rat_catalog__free(catalog);
	rat_engine_free(engine);
	rat_workspace_free(ws);
	return status;
}

static int commits(const char *workspace, long count)
{
	static const char branch[] = "bench/commits";
	rat_workspace *ws = NULL;
	rat_catalog *catalog = NULL;
	rat_contents contents = { NULL, 0 };
	rat_table_state state;
	rat_catalog_op op;
	rat_commit_request req;
	char hash[RAT_HASH_LEN + 1], location[256];
	long long before;
	double t;
	long i;
	int status = 1;

	if (rat_workspace_open(&ws, workspace) != 0 || rat_workspace__create_catalog(&catalog, ws) != 0) {
		fail(workspace);
		goto cleanup;
	}
	if (rat_catalog__resolve(catalog, branch, hash) == 0 &&
	    rat_catalog__delete_ref(catalog, branch, NULL) != 0) {
		fail(branch);
		goto cleanup;
	}
	rat_error_clear();
	if (rat_catalog__create_ref(catalog, branch, RAT_REF_BRANCH, rat_workspace_branch(ws)) != 0 ||
	    rat_catalog__contents(catalog, branch, &contents) != 0) {
		fail(branch);
		goto cleanup;
	}
	before = catalog_bytes(rat_workspace_home(ws));
	memset(&state, 0, sizeof(state));
	state.metadata_location = location;
	state.content_id = (char *)"00000000-0000-4000-8000-00000000beef";
	memset(&op, 0, sizeof(op));
	op.kind = RAT_OP_PUT;
	op.key = "gold.commit_probe";
	op.state = &state;
	memset(&req, 0, sizeof(req));
	req.branch = branch;
	req.ops = &op;
	req.op_count = 1;
	req.author = "bench";
	req.message = "bench commit";
	t = now_s();
	for (i = 0; i < count; i++) {
		snprintf(location, sizeof(location), "file:///bench/probe/metadata/%05ld.metadata.json", i);
		state.snapshot_id = i;
		if (rat_catalog__commit(catalog, &req, hash) != 0) {
			fail("commit");
			goto cleanup;
		}
	}
	t = now_s() - t;
	printf("commits=%ld keys=%zu seconds=%.3f per_second=%.1f db_growth_bytes=%lld\n", count,
	       contents.count + 1, t, (double)count / t,
	       catalog_bytes(rat_workspace_home(ws)) - before);
	if (rat_catalog__delete_ref(catalog, branch, NULL) != 0) {
		fail("delete");
		goto cleanup;
	}
	status = 0;
cleanup:
	rat_catalog__contents_free(&contents);
	rat_catalog__free(catalog);
	rat_workspace_free(ws);
	return status;
}

typedef struct pause_probe {
	double seconds;
	double max_ms;
	long over_10ms;
} pause_probe;

/* Read the clock for probe->seconds; the longest gap between two reads, and those over 10 ms. */
static void *probe_pauses(void *arg)
{
	pause_probe *p = arg;
	double start = now_s(), last = start, t, gap;

	while ((t = now_s()) - start < p->seconds) {
		gap = (t - last) * 1000;
		if (gap > p->max_ms)
			p->max_ms = gap;
		if (gap > 10)
			p->over_10ms++;
		last = t;
	}
	return NULL;
}

/* probes threads at once; the worst of them into *out. */
static int run_probes(long threads, double seconds, pause_probe *out)
{
	pthread_t ids[256];
	pause_probe probes[256];
	long i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < threads; i++) {
		probes[i] = (pause_probe){ seconds, 0, 0 };
		if (pthread_create(&ids[i], NULL, probe_pauses, &probes[i]) != 0)
			return -1;
	}
	for (i = 0; i < threads; i++) {
		pthread_join(ids[i], NULL);
		if (probes[i].max_ms > out->max_ms)
			out->max_ms = probes[i].max_ms;
		out->over_10ms += probes[i].over_10ms;
	}
	return 0;
}

static int pauses(double seconds)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	pause_probe one, all;

	if (cpus < 1)
		cpus = 1;
	if (cpus > 256)
		cpus = 256;
	if (seconds <= 0 || run_probes(1, seconds, &one) != 0 || run_probes(cpus, seconds, &all) != 0) {
		fprintf(stderr, "bench_tool: pauses: cannot run the probes\n");
		return 1;
	}
	printf("one_busy_max_ms=%.1f one_busy_over_10ms=%ld all_busy_max_ms=%.1f "
	       "all_busy_over_10ms=%ld cpus=%ld\n",
	       one.max_ms, one.over_10ms, all.max_ms, all.over_10ms, cpus);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "reset-branch") == 0)
		return reset_branch(argv[2], argv[3], argv[4]);
	if (argc == 7 && strcmp(argv[1], "plan") == 0)
		return plan(argv[2], argv[3], argv[4], argv[5], argv[6]);
	if (argc == 4 && strcmp(argv[1], "tables") == 0)
		return tables(argv[2], strtol(argv[3], NULL, 10));
	if (argc == 4 && strcmp(argv[1], "commits") == 0)
		return commits(argv[2], strtol(argv[3], NULL, 10));
	if (argc == 3 && strcmp(argv[1], "pauses") == 0)
		return pauses(strtod(argv[2], NULL));
	fprintf(stderr, "usage: bench_tool reset-branch HOME BRANCH FROM\n"
			"       bench_tool plan WORKSPACE KEY COLUMN OP VALUE\n"
			"       bench_tool tables WORKSPACE COUNT\n"
			"       bench_tool commits WORKSPACE COUNT\n"
			"       bench_tool pauses SECONDS\n");
	return 2;
}
