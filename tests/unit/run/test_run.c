/*
 * tests/unit/run/test_run.c - whole runs through rat_run() (run/run.c,
 * run/build.c) on scratch workspaces: a bronze -> silver -> gold chain
 * builds and publishes one commit, and its record is saved; an unchanged
 * second run skips every build (no new files, up to date) and publishes
 * nothing; a new landing file appends and rebuilds what reads it; a failing
 * check or a SQL error leaves the workspace branch as it was, keeps the run
 * branch and names the pipeline and file; a warn-severity check publishes
 * with a warning; a dry run writes nothing; selectors pick their steps;
 * full_refresh rebuilds; an incremental table merges by its key, with run
 * variables, under the run's author; retention after a run is recorded;
 * executables write their rows, or fail naming how;
 * progress is told as steps start and end; bad options are refused before
 * anything starts.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rat.h"
#include "util/common.h"

static char *dir;

/* A workspace folder name under the scratch folder, and its path. */
static char ws_dir[4200];

static void put(const char *rel, const char *text)
{
	test_write(ws_dir, rel, text);
}

/*
 * A fresh workspace `name` (tiny profile, two builds at a time) holding the
 * chain landing/orders -> bronze.orders -> silver.orders -> gold.totals
 * (checked: amount positive) and gold.biggest (a view).
 */
static rat_workspace *chain(const char *name)
{
	rat_workspace *ws = NULL;
	char yaml[256];

	snprintf(ws_dir, sizeof(ws_dir), "%s/%s", dir, name);
	snprintf(yaml, sizeof(yaml), "name: %s\nresources:\n  profile: tiny\n  overrides:\n"
		 "    max_parallel_pipelines: 2\n", name);
	put("workspace.yaml", yaml);
	put("landing/orders/a.csv", "id,amount\n1,10\n2,20\n");
	put("pipelines/bronze/orders.sql", "-- @materialized: incremental\n-- @landing: orders\n"
	    "SELECT * FROM read_csv({{ landing_files }}, header = true)\n");
	put("pipelines/silver/orders.sql", "SELECT id, amount FROM {{ ref('bronze.orders') }}\n"
	    "WHERE amount > 0\n");
	put("pipelines/gold/totals.sql", "SELECT count(*) AS orders, sum(amount) AS amount "
	    "FROM {{ ref('silver.orders') }}\n");
	put("pipelines/gold/totals.yaml", "columns:\n  - name: amount\n    tests: [positive]\n");
	put("pipelines/gold/biggest.sql", "-- @materialized: view\n"
	    "SELECT * FROM {{ ref('silver.orders') }} ORDER BY amount DESC LIMIT 1\n");
	if (rat_workspace_open(&ws, ws_dir) != 0)
		fail_msg("open %s: %s", name, rat_error_last()->message);
	return ws;
}

/* Run with opts (NULL: defaults), expecting the return code want; the record. */
static rat_run_info *run(rat_workspace *ws, const rat_run_options *opts, int want)
{
	rat_run_info *info = NULL;
	int error = rat_run(&info, ws, opts);

	if (error != want)
		fail_msg("rat_run gave %d (want %d): %s", error, want,
			 error ? rat_error_last()->message : "");
	if (!info)
		fail_msg("no record");
	return info;
}

static rat_run_info *run_selected(rat_workspace *ws, const char *selector, int dry, int want)
{
	rat_run_options opts = RAT_RUN_OPTIONS_INIT;

	opts.selectors = &selector;
	opts.selector_count = selector ? 1 : 0;
	opts.dry_run = dry;
	return run(ws, &opts, want);
}

/* The steps as "key:status:operation ..." (statuses as numbers). */
static const char *steps_of(const rat_run_info *info)
{
	static char out[1024];
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < info->step_count; i++)
		used += (size_t)snprintf(out + used, sizeof(out) - used, "%s%s:%d:%s", i ? " " : "",
					 info->steps[i].key, (int)info->steps[i].status,
					 info->steps[i].operation);
	return out;
}

/* The head of ref (NULL: the workspace's branch), and how many commits lead to it. */
static size_t head_of(rat_workspace *ws, const char *ref, char hash[65])
{
	rat_catalog *catalog = NULL;
	rat_log log;
	size_t n;

	assert_int_equal(rat_catalog_open(&catalog, ws), 0);
	assert_int_equal(rat_ref_resolve(catalog, ref ? ref : rat_workspace_branch(ws), hash), 0);
	assert_int_equal(rat_log_get(&log, catalog, hash, 0), 0);
	n = log.count;
	rat_log_free(&log);
	rat_catalog_free(catalog);
	return n;
}

/* How many run/ branches the catalog holds (the catalog, in RAT_HOME, serves every workspace). */
static size_t run_branches(rat_workspace *ws)
{
	rat_catalog *catalog = NULL;
	rat_ref_list refs;
	size_t i, n = 0;

	assert_int_equal(rat_catalog_open(&catalog, ws), 0);
	assert_int_equal(rat_ref_list_get(&refs, catalog), 0);
	for (i = 0; i < refs.count; i++)
		n += strncmp(refs.items[i].name, "run/", 4) == 0;
	rat_ref_list_free(&refs);
	rat_catalog_free(catalog);
	return n;
}

/* The rows of sql on ref (NULL: the workspace's branch) as CSV lines joined by ' '. */
static const char *rows_of(rat_workspace *ws, const char *ref, const char *sql)
{
	static char out[1024];
	rat_engine *engine = NULL;
	rat_result *result = NULL;
	size_t used = 0, c;
	int step;

	if (rat_engine_open_at(&engine, ws, ref) != 0 || rat_engine_query(&result, engine, sql) != 0)
		fail_msg("%s: %s", sql, rat_error_last()->message);
	out[0] = '\0';
	while ((step = rat_result_next(result)) == 1)
		for (c = 0; c < rat_result_column_count(result); c++) {
			const char *text = NULL;
			assert_int_equal(rat_result_get_text(result, c, &text, NULL), 0);
			used += (size_t)snprintf(out + used, sizeof(out) - used, "%s%s",
						 c ? "," : used ? " " : "", text ? text : "NULL");
		}
	assert_int_equal(step, 0);
	rat_result_free(result);
	rat_engine_free(engine);
	return out;
}

static void a_chain_builds_and_publishes_one_commit(void **state)
{
	rat_workspace *ws = chain("chain");
	rat_run_info *info, *again = NULL;
	char before[65], after[65];
	size_t commits = head_of(ws, NULL, before), branches = run_branches(ws);
	(void)state;

	info = run(ws, NULL, 0);
	assert_string_equal(info->status, "success");
	assert_string_equal(info->error, "");
	assert_string_equal(info->workspace, "chain");
	assert_string_equal(info->branch, "workspace/chain");
	assert_string_equal(info->run_branch, ""); /* deleted once published */
	assert_int_equal(info->full_refresh, 0);
	assert_true(info->finished_ms >= info->started_ms);
	assert_string_equal(steps_of(info), "bronze.orders:2:create silver.orders:2:create "
					    "gold.biggest:2:view gold.totals:2:create");
	assert_int_equal(info->steps[0].files_ingested, 1);
	assert_int_equal(info->steps[0].rows_out, 2);
	assert_int_equal(info->steps[0].files_added, 1);
	assert_int_equal(info->steps[1].rows_out, 2);
	assert_int_equal(info->steps[2].rows_out, 1);
	assert_int_equal(info->steps[3].rows_out, 1);
	assert_int_equal(info->steps[3].checks_passed, 1);
	assert_int_equal(info->steps[3].checks_failed, 0);
	assert_non_null(strstr(info->steps[1].sql, "FROM \"bronze\".\"orders\""));
	/* one commit, the run's, now the branch's head */
	assert_int_equal(head_of(ws, NULL, after), commits + 1);
	assert_string_equal(info->commit, after);
	assert_int_equal(run_branches(ws), branches);
	assert_string_equal(rows_of(ws, NULL, "SELECT orders, amount FROM gold.totals"), "2,30");
	assert_string_equal(rows_of(ws, NULL, "SELECT id FROM gold.biggest"), "2");
	assert_string_equal(rows_of(ws, NULL, "SELECT count(*) FROM bronze.orders WHERE "
				    "_ingested_date IS NOT NULL"), "2");
	/* the record is saved, and found by a prefix of its id */
	{
		char prefix[64];
		snprintf(prefix, sizeof(prefix), "%.*s", (int)strlen(info->id) - 1, info->id);
		assert_int_equal(rat_run_get(&again, ws, prefix), 0);
		assert_string_equal(again->id, info->id);
		assert_string_equal(again->commit, info->commit);
		assert_string_equal(steps_of(again), steps_of(info));
		rat_run_info_free(again);
	}
	rat_run_info_free(info);
	rat_workspace_free(ws);
}

static void unchanged_inputs_skip_and_new_files_append(void **state)
{
	rat_workspace *ws = chain("again");
	rat_run_info *info;
	char head[65], now[65];
	size_t commits;
	(void)state;

	rat_run_info_free(run(ws, NULL, 0));
	commits = head_of(ws, NULL, head);
	info = run(ws, NULL, 0);
	assert_string_equal(steps_of(info), "bronze.orders:3:no new files silver.orders:3:up to "
					    "date gold.biggest:3:up to date gold.totals:3:up to date");
	assert_string_equal(info->commit, head); /* nothing to publish */
	assert_int_equal(head_of(ws, NULL, now), commits);
	rat_run_info_free(info);

	/* a new landing file: bronze appends it alone; what reads bronze is rebuilt */
	put("landing/orders/b.csv", "id,amount\n3,-5\n4,40\n");
	info = run(ws, NULL, 0);
	assert_string_equal(steps_of(info), "bronze.orders:2:append silver.orders:2:overwrite "
					    "gold.biggest:3:up to date gold.totals:2:overwrite");
	assert_int_equal(info->steps[0].files_ingested, 1);
	assert_int_equal(info->steps[0].rows_in, 2);
	assert_int_equal(info->steps[0].rows_out, 4);
	assert_int_equal(head_of(ws, NULL, now), commits + 1);
	assert_string_equal(rows_of(ws, NULL, "SELECT orders, amount FROM gold.totals"), "3,70");
	assert_string_equal(rows_of(ws, NULL, "SELECT id FROM gold.biggest"), "4");
	rat_run_info_free(info);

	/* full_refresh: everything rebuilt, every landing file read again */
	{
		rat_run_options opts = RAT_RUN_OPTIONS_INIT;
		opts.full_refresh = 1;
		info = run(ws, &opts, 0);
	}
	assert_int_equal(info->full_refresh, 1);
	assert_string_equal(steps_of(info), "bronze.orders:2:overwrite silver.orders:2:overwrite "
					    "gold.biggest:2:view gold.totals:2:overwrite");
	assert_int_equal(info->steps[0].files_ingested, 2);
	assert_int_equal(info->steps[0].rows_out, 4);
	assert_string_equal(rows_of(ws, NULL, "SELECT orders, amount FROM gold.totals"), "3,70");
	rat_run_info_free(info);
	rat_workspace_free(ws);
}

static void a_failing_check_publishes_nothing(void **state)
{
	rat_workspace *ws = chain("checked");
	rat_run_info *info, *saved = NULL;
	char head[65], now[65], kept[128];
	size_t commits, branches;
	(void)state;

	rat_run_info_free(run(ws, NULL, 0));
	commits = head_of(ws, NULL, head);
	branches = run_branches(ws);
	put("pipelines/gold/totals.yaml", "columns:\n  - name: amount\n    tests: [positive, "
	    "{max: 20}]\n  - name: orders\n    tests: [{min: 5}]\n");
	put("landing/orders/b.csv", "id,amount\n3,30\n");
	info = run(ws, NULL, RAT_ERROR);
	assert_string_equal(rat_error_last()->message,
			    "gold.totals: checks failed in pipelines/gold/totals.yaml: max(amount) "
			    "(1 rows), min(orders) (1 rows)");
	assert_string_equal(info->status, "failed");
	assert_string_equal(info->error, rat_error_last()->message);
	assert_string_equal(info->commit, "");
	assert_int_equal(info->steps[3].status, RAT_STEP_FAILED);
	assert_string_equal(info->steps[3].error, info->error);
	assert_int_equal(info->steps[3].checks_passed, 1);
	assert_int_equal(info->steps[3].checks_failed, 2);
	/* the workspace branch is as it was; the run branch holds the run's tables */
	assert_int_equal(head_of(ws, NULL, now), commits);
	assert_string_equal(now, head);
	assert_string_equal(rows_of(ws, NULL, "SELECT orders, amount FROM gold.totals"), "2,30");
	snprintf(kept, sizeof(kept), "run/%s/%s", rat_workspace_name(ws), info->id);
	assert_string_equal(info->run_branch, kept);
	assert_int_equal(run_branches(ws), branches + 1);
	assert_string_equal(rows_of(ws, kept, "SELECT orders, amount FROM gold.totals"), "3,60");
	/* the failure is recorded */
	assert_int_equal(rat_run_get(&saved, ws, info->id), 0);
	assert_string_equal(saved->status, "failed");
	assert_string_equal(saved->error, info->error);
	assert_int_equal(saved->steps[3].status, RAT_STEP_FAILED);
	rat_run_info_free(saved);
	rat_run_info_free(info);

	/* warn-severity: reported, and published */
	put("pipelines/gold/totals.yaml", "columns:\n  - name: amount\n    tests: [positive, "
	    "{max: 20, severity: warn}]\n");
	info = run(ws, NULL, 0);
	assert_string_equal(info->steps[3].warnings, "max(amount): 1 violating rows");
	assert_int_equal(info->steps[3].checks_warned, 1);
	assert_int_equal(info->steps[3].checks_passed, 1);
	assert_string_equal(rows_of(ws, NULL, "SELECT orders, amount FROM gold.totals"), "3,60");
	rat_run_info_free(info);
	rat_workspace_free(ws);
}

static void a_sql_error_stops_what_depends_on_it(void **state)
{
	rat_workspace *ws = chain("broken");
	rat_run_info *info;
	char head[65], now[65];
	const char *msg;
	size_t branches = run_branches(ws);
	(void)state;

	head_of(ws, NULL, head);
	put("pipelines/silver/orders.sql",
	    "SELECT id, amount FROM {{ ref('bronze.orders') }} WHERE no_such_column > 0\n");
	info = run(ws, NULL, RAT_ESQL);
	msg = rat_error_last()->message;
	/* the pipeline, the template's file and line, DuckDB's message, the line itself */
	assert_string_equal(msg, "silver.orders: pipelines/silver/orders.sql:1: Binder Error: "
				 "Referenced column \"no_such_column\" not found in FROM clause!\n"
				 "Candidate bindings: \"amount\"\n"
				 "    line 1 | SELECT id, amount FROM {{ ref('bronze.orders') }} WHERE "
				 "no_such_column > 0\n"
				 "  compiled | SELECT id, amount FROM \"bronze\".\"orders\" WHERE "
				 "no_such_column > 0\n"
				 "           |                                                ^");
	assert_string_equal(info->error, msg);
	assert_string_equal(steps_of(info), "bronze.orders:2:create silver.orders:4: "
					    "gold.biggest:0: gold.totals:0:");
	assert_string_equal(info->steps[1].error, msg);
	head_of(ws, NULL, now);
	assert_string_equal(now, head);
	assert_int_equal(run_branches(ws), branches + 1);
	rat_run_info_free(info);
	rat_workspace_free(ws);
}

static void a_dry_run_writes_nothing(void **state)
{
	rat_workspace *ws = chain("dry");
	rat_run_list runs;
	rat_run_info *info;
	char head[65], now[65], want[8300];
	size_t commits = head_of(ws, NULL, head), branches = run_branches(ws);
	(void)state;

	info = run_selected(ws, NULL, 1, 0);
	assert_string_equal(info->status, "dry-run");
	assert_string_equal(info->run_branch, "");
	assert_string_equal(info->commit, "");
	assert_string_equal(steps_of(info), "bronze.orders:2:create silver.orders:2:create "
					    "gold.biggest:2:view gold.totals:2:create");
	snprintf(want, sizeof(want), "-- @materialized: incremental\n-- @landing: orders\n"
		 "SELECT * FROM read_csv(['%s/landing/orders/a.csv'], header "
		 "= true)\n", rat_workspace_path(ws));
	assert_string_equal(info->steps[0].sql, want);
	assert_int_equal(head_of(ws, NULL, now), commits);
	assert_int_equal(run_branches(ws), branches);
	assert_int_equal(rat_run_list_get(&runs, ws, 0), 0);
	assert_int_equal(runs.count, 0); /* not recorded either */
	rat_run_list_free(&runs);
	rat_run_info_free(info);
	rat_workspace_free(ws);
}

static void selectors_pick_their_steps(void **state)
{
	rat_workspace *ws = chain("picked");
	rat_run_info *info = NULL;
	const char *bad = "silver.nope";
	rat_run_options opts = RAT_RUN_OPTIONS_INIT;
	(void)state;

	info = run_selected(ws, "+gold.totals", 1, 0);
	assert_string_equal(steps_of(info), "bronze.orders:2:create silver.orders:2:create "
					    "gold.totals:2:create");
	rat_run_info_free(info);

	/* a real run of one pipeline builds it alone: bronze only */
	info = run_selected(ws, "bronze.orders", 0, 0);
	assert_string_equal(steps_of(info), "bronze.orders:2:create");
	assert_string_equal(rows_of(ws, NULL, "SELECT count(*) FROM bronze.orders"), "2");
	rat_run_info_free(info);

	/* a dry run binds what it compiles: what it reads is built, or planned in the run */
	info = run_selected(ws, "silver.orders+", 1, 0);
	assert_string_equal(steps_of(info), "silver.orders:2:create gold.biggest:2:view "
					    "gold.totals:2:create");
	rat_run_info_free(info);
	info = run_selected(ws, "silver.orders", 0, 0);
	rat_run_info_free(info);
	info = run_selected(ws, "gold", 1, 0);
	assert_string_equal(steps_of(info), "gold.biggest:2:view gold.totals:2:create");
	rat_run_info_free(info);

	opts.selectors = &bad;
	opts.selector_count = 1;
	info = NULL;
	assert_int_equal(rat_run(&info, ws, &opts), RAT_EINVALID);
	assert_null(info); /* the pipelines could not be picked: no run started */
	assert_string_equal(rat_error_last()->message, "selector 'silver.nope': no pipeline silver.nope");
	rat_workspace_free(ws);
}

/* Progress calls: how many, and the steps they named as "key:status" in order. */
typedef struct progress {
	int calls;
	char seen[512];
} progress;

static void on_progress(void *ctx, const rat_run_info *run, size_t step)
{
	progress *p = ctx;
	size_t n = strlen(p->seen);

	p->calls++;
	snprintf(p->seen + n, sizeof(p->seen) - n, "%s%s:%d", n ? " " : "", run->steps[step].key,
		 (int)run->steps[step].status);
}

static void executables_write_rows_or_fail_with_their_status(void **state)
{
	rat_workspace *ws = chain("exec");
	rat_run_options opts = RAT_RUN_OPTIONS_INIT;
	const char *one = "bronze.feed";
	progress seen = { 0, "" };
	rat_run_info *info;
	(void)state;

	put("pipelines/bronze/feed.sh",
	    "printf 'k,v,who\\na,1,%s\\n' \"$RAT_PIPELINE\" > \"$RAT_OUTPUT_DIR/part1.csv\"\n"
	    "printf '{\"k\": \"b\", \"v\": 2}\\n' > \"$RAT_OUTPUT_DIR/part2.ndjson\"\n");
	opts.selectors = &one;
	opts.selector_count = 1;
	opts.progress = on_progress;
	opts.progress_ctx = &seen;
	info = run(ws, &opts, 0);
	assert_string_equal(steps_of(info), "bronze.feed:2:create");
	assert_int_equal(info->steps[0].files_ingested, 2);
	assert_int_equal(seen.calls, 2); /* as the step starts, and as it ends */
	assert_string_equal(seen.seen, "bronze.feed:1 bronze.feed:2");
	assert_string_equal(rows_of(ws, NULL, "SELECT k, v, who, _ingested_date IS NOT NULL "
				    "FROM bronze.feed ORDER BY k"), "a,1,bronze.feed,true b,2,NULL,true");
	rat_run_info_free(info);

	/* nothing written: skipped */
	put("pipelines/bronze/feed.sh", "echo nothing to say\n");
	opts.progress = NULL;
	info = run(ws, &opts, 0);
	assert_string_equal(steps_of(info), "bronze.feed:3:no output");
	rat_run_info_free(info);

	/* a failure says how, with the end of its output */
	put("pipelines/bronze/feed.sh", "echo starting\necho boom >&2\nexit 3\n");
	info = run(ws, &opts, RAT_ERROR);
	assert_string_equal(info->error, "bronze.feed: pipelines/bronze/feed.sh exited with status "
					 "3; its last output:\nstarting\nboom\n");
	rat_run_info_free(info);
	put("pipelines/bronze/feed.sh", "kill -9 $$\n");
	info = run(ws, &opts, RAT_ERROR);
	assert_string_equal(info->error, "bronze.feed: pipelines/bronze/feed.sh was killed by "
					 "signal 9; its last output:\n(no output)");
	rat_run_info_free(info);
	rat_workspace_free(ws);
}

static void incremental_merges_by_key_with_vars_and_author(void **state)
{
	rat_workspace *ws = chain("merged");
	rat_run_options opts = RAT_RUN_OPTIONS_INIT;
	const char *vars[] = { "min_amount=15" };
	rat_catalog *catalog = NULL;
	rat_run_info *info;
	rat_log log;
	char message[256];
	(void)state;

	put("pipelines/silver/latest.sql",
	    "-- @materialized: incremental\n-- @unique_key: id\n"
	    "SELECT id, amount, _ingested_at FROM {{ ref('bronze.orders') }}\n"
	    "WHERE amount >= {{ var('min_amount') }}\n"
	    "{% if is_incremental() %}AND _ingested_at > {{ watermark('_ingested_at') }}{% endif %}\n");
	opts.author = "tester";
	opts.vars = vars;
	opts.var_count = 1;
	info = run(ws, &opts, 0);
	assert_string_equal(rows_of(ws, NULL, "SELECT id, amount FROM silver.latest"), "2,20");
	/* the run's one commit: its author, and the keys it changed */
	assert_int_equal(rat_catalog_open(&catalog, ws), 0);
	assert_int_equal(rat_log_get(&log, catalog, rat_workspace_branch(ws), 1), 0);
	assert_string_equal(log.items[0].author, "tester");
	snprintf(message, sizeof(message), "run %s: bronze.orders gold.biggest gold.totals "
		 "silver.latest silver.orders", info->id);
	assert_string_equal(log.items[0].message, message);
	rat_log_free(&log);
	rat_catalog_free(catalog);
	rat_run_info_free(info);

	put("landing/orders/b.csv", "id,amount\n2,25\n5,50\n7,7\n");
	info = run(ws, &opts, 0);
	assert_string_equal(info->steps[1].key, "silver.latest");
	assert_string_equal(info->steps[1].operation, "merge");
	assert_int_equal(info->steps[1].rows_out, 2);
	assert_string_equal(rows_of(ws, NULL, "SELECT id, amount FROM silver.latest ORDER BY id"),
			    "2,25 5,50");
	rat_run_info_free(info);
	rat_workspace_free(ws);
}

/* The workspace at ws_dir opened with RAT_NOW=now (captured when it opens). */
static rat_workspace *open_at(const char *now)
{
	rat_workspace *ws = NULL;

	setenv("RAT_NOW", now, 1);
	if (rat_workspace_open(&ws, ws_dir) != 0)
		fail_msg("open: %s", rat_error_last()->message);
	unsetenv("RAT_NOW");
	return ws;
}

static void retention_after_a_run_is_recorded(void **state)
{
	rat_workspace *ws = chain("retained");
	rat_run_info *info;
	char head[65];
	size_t commits;
	(void)state;

	rat_workspace_free(ws);
	ws = open_at("2020-01-01");
	info = run(ws, NULL, 0);
	assert_string_equal(info->retention, ""); /* nothing old yet */
	/* its time, then random */
	assert_int_equal(strncmp(info->id, "20200101T000000.000Z-", 21), 0);
	assert_int_equal(strlen(info->id), 27);
	rat_run_info_free(info);
	rat_workspace_free(ws);

	ws = open_at("2024-03-01");
	commits = head_of(ws, NULL, head);
	put("landing/orders/b.csv", "id,amount\n3,30\n");
	info = run(ws, NULL, 0);
	/* bronze keeps 90 days: the 2020 rows go, in a commit of their own */
	assert_string_equal(info->retention, "bronze.orders: 2 rows before 2023-12-02 00:00:00");
	assert_int_equal(head_of(ws, NULL, head), commits + 2);
	assert_string_equal(info->commit, head);
	assert_string_equal(rows_of(ws, NULL, "SELECT id FROM bronze.orders"), "3");
	assert_string_equal(rows_of(ws, NULL, "SELECT orders, amount FROM gold.totals"), "3,60");
	rat_run_info_free(info);
	rat_workspace_free(ws);
}

static void options_of_an_unknown_version_are_refused(void **state)
{
	rat_workspace *ws = chain("versions");
	rat_run_options opts = RAT_RUN_OPTIONS_INIT;
	rat_run_info *info = NULL;
	char want[512];
	size_t branches = run_branches(ws);
	(void)state;

	opts.version = RAT_RUN_OPTIONS_VERSION + 1;
	assert_int_equal(rat_run(&info, ws, &opts), RAT_EINVALID);
	assert_null(info);
	snprintf(want, sizeof(want), "rat_run_options: version %u is not one this librat (%s) "
		 "knows: 1 to %u (start from the _INIT macro or the _init() function)",
		 RAT_RUN_OPTIONS_VERSION + 1, rat_version(), RAT_RUN_OPTIONS_VERSION);
	assert_string_equal(rat_error_last()->message, want);
	assert_int_equal(run_branches(ws), branches);
	rat_workspace_free(ws);
}

static int setup(void **state)
{
	dir = test_scratch_home("run_runs");
	unsetenv("ICEBERG_WAREHOUSE"); /* the tables in the scratch home's warehouse */
	unsetenv("RAT_NOW");           /* the tests that want it set it */
	*state = dir; /* test_scratch_teardown removes it */
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_chain_builds_and_publishes_one_commit),
		cmocka_unit_test(unchanged_inputs_skip_and_new_files_append),
		cmocka_unit_test(a_failing_check_publishes_nothing),
		cmocka_unit_test(a_sql_error_stops_what_depends_on_it),
		cmocka_unit_test(a_dry_run_writes_nothing),
		cmocka_unit_test(selectors_pick_their_steps),
		cmocka_unit_test(executables_write_rows_or_fail_with_their_status),
		cmocka_unit_test(incremental_merges_by_key_with_vars_and_author),
		cmocka_unit_test(retention_after_a_run_is_recorded),
		cmocka_unit_test(options_of_an_unknown_version_are_refused),
	};
	return cmocka_run_group_tests(tests, setup, test_scratch_teardown);
}
