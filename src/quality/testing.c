/*
 * pipeline/testing.c - `rat test` (rat/test.h): runs each selected
 * pipeline's unit tests (the pipeline's SQL on mock tables, compared with
 * what the test expects), its quality tests, its column tests and tests[]
 * (the checks of `rat run`, from pipeline/checks.c) and its freshness.
 *
 * Unit tests run in a session of their own: the mocks are loaded, then the
 * session is locked down to the pipeline's tests/ folder and a scratch
 * folder, so a test reaches no table of any branch. Quality tests without
 * mocks, column tests, tests[] and freshness read the tables of the
 * workspace's branch in one locked session.
 *
 * A row is shown as JSON (to_json of the row); at most 5 per test.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/random.h"
#include "util/sql.h"
#include "util/yaml.h"
#include "rat/engine.h"
#include "rat/table.h"
#include "rat/test.h"
#include "rat/workspace.h"
#include "engine/engine.h"
#include "workspace/tables.h"
#include "template/template.h"
#include "quality/quality.h"
#include "quality/suite.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The report's storage: the strings, each result's rows, then the results. */
typedef struct storage {
	rat_strarray pool;
	const char *(*slots)[MAX_ROWS_SHOWN];
	size_t cap;
	rat_test_result items[];
} storage;

static storage *storage_of(rat_test_result *items)
{
	return (storage *)((char *)items - offsetof(storage, items));
}

int64_t rat_quality__now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static const char *keep(suite *s, const char *text)
{
	return rat_strarray__keep(&s->st->pool, text);
}

static int grow(suite *s)
{
	storage *st;
	const char *(*slots)[MAX_ROWS_SHOWN];
	size_t cap = s->st->cap * 2;

	if (s->count < s->st->cap)
		return 0;
	if ((st = rat__realloc(s->st, sizeof(*st) + cap * sizeof(rat_test_result))) == NULL)
		return RAT_ENOMEM;
	s->st = st;
	if ((slots = rat__realloc(st->slots, cap * sizeof(*slots))) == NULL)
		return RAT_ENOMEM;
	st->slots = slots;
	st->cap = cap;
	return 0;
}

/* Record a result (and tell the caller's progress callback). */
int rat_quality__add_result(suite *s, const rat_pipeline *p, const char *name, const char *kind,
		      const char *file, bool error_severity, int64_t started, outcome *o)
{
	rat_test_result *r;
	size_t i;
	int error;

	if ((error = grow(s)) != 0)
		return error;
	r = &s->st->items[s->count];
	memset(r, 0, sizeof(*r));
	r->pipeline = keep(s, p->key);
	r->name = keep(s, name);
	r->kind = kind;
	r->file = keep(s, file);
	r->status = o->status;
	r->error_severity = error_severity;
	r->duration_us = rat_quality__now_us() - started;
	r->violations = o->violations;
	r->message = keep(s, rat_buf_cstr(&o->message));
	for (i = 0; i < o->rows.count && i < MAX_ROWS_SHOWN; i++)
		s->st->slots[s->count][i] = keep(s, o->rows.strings[i]);
	r->row_count = i;
	r->rows = s->st->slots[s->count];
	s->count++;
	s->counts[o->status]++;
	if (s->opts->fail_fast && (o->status == RAT_TEST_FAILED || o->status == RAT_TEST_ERROR))
		s->stop = true;
	if (s->opts->progress)
		s->opts->progress(s->opts->progress_ctx, r);
	return 0;
}

int rat_quality__outcome_error(outcome *o)
{
	int error;

	o->status = RAT_TEST_ERROR;
	rat_buf_clear(&o->message);
	error = rat_buf_puts(&o->message, rat_error_last()->message);
	if (!error)
		rat_error_clear(); /* the message is the test's now */
	return error;
}

int rat_quality__skip_unbuilt(outcome *o, const suite *s, const char *key)
{
	o->status = RAT_TEST_SKIPPED;
	return rat_buf_printf(&o->message, "%s is not built on %s yet", key,
			      rat_workspace_branch(s->ws));
}

void rat_quality__outcome_free(outcome *o)
{
	rat_buf_free(&o->message);
	rat_strarray_free(&o->rows);
}

/* Engine helpers */

int rat_quality__query_int(rat_engine *engine, const char *sql, int64_t *out)
{
	rat_result *result = NULL;
	int error;

	*out = 0;
	if ((error = rat_engine_query(&result, engine, sql)) == 0 &&
	    (error = rat_result_next(result)) == 1)
		error = rat_result_is_null(result, 0) ? 0 : rat_result_get_int64(result, 0, out);
	rat_result_free(result);
	return error < 0 ? error : 0;
}

/* Rows of `sql` (at most MAX_ROWS_SHOWN) as JSON objects, and how many there are in all. */
int rat_quality__violations(rat_engine *engine, const char *sql, int64_t *count, rat_strarray *rows)
{
	rat_buf q = RAT_BUF_INIT;
	rat_result *result = NULL;
	int step = 0, error;

	if ((error = rat_buf_printf(&q, "SELECT count(*) FROM (%s\n)", sql)) != 0 ||
	    (error = rat_quality__query_int(engine, rat_buf_cstr(&q), count)) != 0 || *count == 0)
		goto cleanup;
	rat_buf_clear(&q);
	if ((error = rat_buf_printf(&q, "SELECT CAST(to_json(t) AS VARCHAR) FROM (%s\n) t LIMIT %d",
				    sql, MAX_ROWS_SHOWN)) != 0 ||
	    (error = rat_engine_query(&result, engine, rat_buf_cstr(&q))) != 0)
		goto cleanup;
	while ((step = rat_result_next(result)) == 1) {
		const char *text = NULL;
		if ((error = rat_result_get_text(result, 0, &text, NULL)) != 0 ||
		    (error = rat_strarray__push(rows, text ? text : "null")) != 0)
			break;
	}
	if (step < 0)
		error = step;
cleanup:
	rat_result_free(result);
	rat_buf_free(&q);
	return error;
}

/* Running a pipeline on mocks */

/* The real tables */

/* The session on the workspace's branch, opened once. */
int rat_quality__real_session(suite *s)
{
	if (s->real)
		return 0;
	return rat_engine_open(&s->real, s->ws);
}

bool rat_quality__table_exists(const suite *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->tables.count; i++)
		if (strcmp(s->tables.items[i].key, key) == 0)
			return true;
	return false;
}

/* Count and show the rows of a check's SQL; they are violations. */
int rat_quality__count_violations(rat_engine *engine, const char *sql, bool error_severity, outcome *o)
{
	int error = rat_quality__violations(engine, sql, &o->violations, &o->rows);

	if (error)
		return error;
	if (o->violations) {
		o->status = error_severity ? RAT_TEST_FAILED : RAT_TEST_WARNED;
		error = rat_buf_printf(&o->message, "%lld violating rows", (long long)o->violations);
	}
	return error;
}

/* A tests[] entry with expect: its one value, not the one expected, is one violation. */
static int expect_outcome(rat_engine *engine, const rat_check *c, outcome *o)
{
	bool met;
	int error = rat_quality__expect(engine, c, &met, &o->message);

	if (!error && !met) {
		o->violations = 1;
		o->status = c->severity == RAT_SEVERITY_ERROR ? RAT_TEST_FAILED : RAT_TEST_WARNED;
	}
	return error;
}

/* An error check whose violating rows are within quality.warn_threshold only warns. */
static int share_outcome(rat_engine *engine, const rat_checks *checks, const rat_check *c,
			 outcome *o)
{
	bool within = false;
	int error;

	if (o->status != RAT_TEST_FAILED)
		return 0;
	if ((error = rat_quality__within_share(engine, checks, c, o->violations, &within)) != 0 ||
	    !within)
		return error;
	o->status = RAT_TEST_WARNED;
	return rat_buf_puts(&o->message, ", within quality.warn_threshold");
}

/* Column tests and tests[]: the checks `rat run` makes, over the table on the branch. */
static int run_config_checks(suite *s, const rat_pipeline *p)
{
	rat_checks checks = { 0 };
	rat_buf rel = RAT_BUF_INIT;
	const char *file = p->config_display ? p->config_display : p->display;
	bool built = rat_quality__table_exists(s, p->key);
	size_t i;
	int error;

	if ((error = rat_sql__relation(&rel, p->key)) != 0 ||
	    (error = rat_quality__checks(&checks, p, &s->all, rat_buf_cstr(&rel))) != 0)
		goto cleanup;
	for (i = 0; !error && !s->stop && i < checks.count; i++) {
		const rat_check *c = &checks.items[i];
		outcome o = { RAT_TEST_PASSED, 0, RAT_BUF_INIT, RAT_STRARRAY_INIT };
		int64_t started = rat_quality__now_us();
		if (!built)
			error = rat_quality__skip_unbuilt(&o, s, p->key);
		else if (rat_quality__real_session(s) != 0 ||
			 (c->expect ? expect_outcome(s->real, c, &o)
				    : rat_quality__count_violations(s->real, c->sql,
								    c->severity == RAT_SEVERITY_ERROR,
								    &o)) != 0 ||
			 share_outcome(s->real, &checks, c, &o) != 0)
			error = rat_quality__outcome_error(&o);
		if (!error)
			error = rat_quality__add_result(s, p, c->name, strncmp(c->name, "tests[", 6) == 0 ? "config"
											 : "column",
				   file, c->severity == RAT_SEVERITY_ERROR, started, &o);
		rat_quality__outcome_free(&o);
	}
cleanup:
	rat_quality__checks_free(&checks);
	rat_buf_free(&rel);
	return error;
}

static void duration_text(char *out, size_t len, int64_t secs)
{
	if (secs % 86400 == 0)
		snprintf(out, len, "%lldd", (long long)(secs / 86400));
	else if (secs % 3600 == 0)
		snprintf(out, len, "%lldh", (long long)(secs / 3600));
	else
		snprintf(out, len, "%lldm", (long long)(secs / 60));
}

/* How old the newest data is at the workspace's "now" (RAT_NOW, else the clock): by the
 * freshness column, else by the last commit of the table. */
static int data_age_ms(suite *s, const rat_pipeline *p, const char *column, int64_t *age)
{
	rat_buf sql = RAT_BUF_INIT, col = RAT_BUF_INIT, rel = RAT_BUF_INIT;
	int64_t now_ms = rat_workspace_now_ms(s->ws);
	size_t i;
	int error;

	if (!column) {
		for (i = 0; i < s->tables.count; i++)
			if (strcmp(s->tables.items[i].key, p->key) == 0 && s->tables.items[i].error[0]) {
				return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE, "%s",
						      s->tables.items[i].error);
			} else if (strcmp(s->tables.items[i].key, p->key) == 0) {
				*age = now_ms - s->tables.items[i].updated_ms;
			}
		return 0;
	}
	if ((error = rat_quality__real_session(s)) == 0 && (error = rat_sql__ident(&col, column)) == 0 &&
	    (error = rat_sql__relation(&rel, p->key)) == 0 &&
	    (error = rat_buf_printf(&sql, "SELECT %" PRId64 " - "
					  "epoch_ms(CAST(max(%s) AS TIMESTAMP)) FROM %s",
				    now_ms, rat_buf_cstr(&col), rat_buf_cstr(&rel))) == 0)
		error = rat_quality__query_int(s->real, rat_buf_cstr(&sql), age);
	rat_buf_free(&sql);
	rat_buf_free(&col);
	rat_buf_free(&rel);
	return error;
}

static int run_freshness(suite *s, const rat_pipeline *p)
{
	outcome o = { RAT_TEST_PASSED, 0, RAT_BUF_INIT, RAT_STRARRAY_INIT };
	const char *column = p->freshness_column ? p->freshness_column
			     : strcmp(p->layer, "bronze") == 0 ? "_ingested_at" : NULL;
	int64_t started = rat_quality__now_us(), age = 0;
	char limit[32];
	int error = 0;

	if (!p->warn_after_s && !p->error_after_s)
		return 0;
	if (!rat_quality__table_exists(s, p->key)) {
		error = rat_quality__skip_unbuilt(&o, s, p->key);
	} else if (data_age_ms(s, p, column, &age) != 0) {
		error = rat_quality__outcome_error(&o);
	} else if (p->error_after_s && age > p->error_after_s * 1000) {
		o.status = RAT_TEST_FAILED;
		duration_text(limit, sizeof(limit), p->error_after_s);
		error = rat_buf_printf(&o.message, "newest data is %.1fh old (error after %s)",
				       (double)age / 3600000.0, limit);
	} else if (p->warn_after_s && age > p->warn_after_s * 1000) {
		o.status = RAT_TEST_WARNED;
		duration_text(limit, sizeof(limit), p->warn_after_s);
		error = rat_buf_printf(&o.message, "newest data is %.1fh old (warn after %s)",
				       (double)age / 3600000.0, limit);
	}
	if (!error)
		error = rat_quality__add_result(s, p, "freshness", "freshness",
			   p->config_display ? p->config_display : p->display,
			   p->error_after_s != 0, started, &o);
	rat_quality__outcome_free(&o);
	return error;
}

/* The suite */

/* The pipeline's tests/ folder (folder layout only); NULL when it has none. */
char *rat_quality__tests_dir(const suite *s, const rat_pipeline *p)
{
	char *dir = rat__sprintf("%s/%s/tests", rat_workspace_path(s->ws), p->folder);

	if (dir && !rat_fs__is_dir(dir)) {
		free(dir);
		return NULL;
	}
	return dir;
}

static bool selected(const suite *s, const rat_pipeline *p)
{
	if (s->opts->layer && strcmp(s->opts->layer, p->layer) != 0)
		return false;
	return !s->only || s->only == p;
}

/* A selection (pipeline, layer, kind) that ran no test is an error, not "0 tests". */
static int nothing_selected(const suite *s)
{
	const rat_test_options *o = s->opts;
	const char *kind = !o->kind ? "" : strcmp(o->kind, "unit") == 0 ? "unit "
				   : strcmp(o->kind, "freshness") == 0 ? "freshness " : "quality ";

	if (o->pipeline)
		return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_PIPELINE, "no %stest in %s", kind,
				      o->pipeline);
	if (o->layer)
		return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_PIPELINE,
				      "no %stest in the %s layer", kind, o->layer);
	return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_PIPELINE, "no %stest in %s", kind,
			      rat_workspace_name(s->ws));
}

static int test_pipeline(suite *s, const rat_pipeline *p)
{
	const char *kind = s->opts->kind;
	char *dir = rat_quality__tests_dir(s, p);
	int error = 0;

	if (kind && strcmp(kind, "freshness") == 0) { /* what rat serve looks at for its alerts */
		free(dir);
		return run_freshness(s, p);
	}
	if (dir && (!kind || strcmp(kind, "unit") == 0))
		error = rat_quality__run_folder(s, p, dir, "unit");
	if (!error && !s->stop && (!kind || strcmp(kind, "quality") == 0)) {
		if (dir)
			error = rat_quality__run_folder(s, p, dir, "quality");
		if (!error && !s->stop)
			error = run_config_checks(s, p);
		if (!error && !s->stop)
			error = run_freshness(s, p);
	}
	free(dir);
	return error;
}

int rat_test_options_init(rat_test_options *opts, unsigned int version)
{
	static const rat_test_options init = RAT_TEST_OPTIONS_INIT;

	return rat__options_init(opts, &init, sizeof(init), version, RAT_TEST_OPTIONS_VERSION,
				 "rat_test_options");
}

static int check_options(const rat_test_options *o)
{
	rat_layer layer;
	int error;

	if ((error = rat__options_check(o->version, RAT_TEST_OPTIONS_VERSION,
					"rat_test_options")) != 0)
		return error;
	if (o->kind && strcmp(o->kind, "unit") != 0 && strcmp(o->kind, "quality") != 0 &&
	    strcmp(o->kind, "freshness") != 0)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				      "test type '%s' is unit, quality or freshness", o->kind);
	if (o->layer && rat_layer_parse(&layer, o->layer) != 0)
		return RAT_EINVALID;
	return 0;
}

static int start_suite(suite *s)
{
	unsigned char bytes[6];
	char hex[13];
	size_t i;
	int error;

	if ((s->st = rat__calloc(1, sizeof(*s->st) + 16 * sizeof(rat_test_result))) == NULL ||
	    (s->st->slots = rat__calloc(16, sizeof(*s->st->slots))) == NULL)
		return RAT_ENOMEM;
	s->st->cap = 16;
	if ((error = rat_random__bytes(bytes, sizeof(bytes))) != 0)
		return error;
	for (i = 0; i < sizeof(bytes); i++)
		snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
	if ((s->scratch = rat__sprintf("%s/tests-%s", rat_workspace_spill_dir(s->ws), hex)) == NULL)
		return RAT_ENOMEM;
	if ((error = rat_fs__mkdir_p(s->scratch)) != 0 ||
	    (error = rat_pipeline__load_all(&s->all, s->ws)) != 0)
		return error;
	return rat_table_list_get(&s->tables, s->ws, NULL, NULL);
}

int rat_test_run(rat_test_report *out, const rat_workspace *ws, const rat_test_options *opts_in)
{
	rat_test_options defaults = RAT_TEST_OPTIONS_INIT;
	suite s;
	size_t *order = NULL, i, matched = 0;
	int error;

	memset(out, 0, sizeof(*out));
	memset(&s, 0, sizeof(s));
	s.ws = ws;
	s.opts = opts_in ? opts_in : &defaults;
	if ((error = check_options(s.opts)) != 0 || (error = start_suite(&s)) != 0 ||
	    (error = rat_pipeline__order(&order, &s.all, NULL)) != 0 ||
	    (s.opts->pipeline && (error = rat_pipeline__find_named(&s.only, &s.all, s.opts->layer,
								  s.opts->pipeline)) != 0))
		goto cleanup;
	for (i = 0; i < s.all.count; i++)
		matched += selected(&s, &s.all.items[order[i]]);
	if (!matched && s.opts->layer) {
		error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_PIPELINE,
				       "no pipeline in layer %s", s.opts->layer);
		goto cleanup;
	}
	for (i = 0; !error && !s.stop && i < s.all.count; i++)
		if (selected(&s, &s.all.items[order[i]]))
			error = test_pipeline(&s, &s.all.items[order[i]]);
	if (!error && s.count == 0 && (s.opts->pipeline || s.opts->layer || s.opts->kind))
		error = nothing_selected(&s);
cleanup:
	if (s.st) {
		for (i = 0; i < s.count; i++) /* the slots moved as the report grew */
			s.st->items[i].rows = s.st->slots[i];
		out->items = s.st->items;
		out->count = s.count;
		out->passed = s.counts[RAT_TEST_PASSED];
		out->failed = s.counts[RAT_TEST_FAILED];
		out->warned = s.counts[RAT_TEST_WARNED];
		out->errored = s.counts[RAT_TEST_ERROR];
		out->skipped = s.counts[RAT_TEST_SKIPPED];
		out->stopped = s.stop;
	}
	if (error)
		rat_test_report_free(out);
	rat_engine_free(s.real);
	rat_table_list_free(&s.tables);
	rat_pipelines_free(&s.all);
	if (s.scratch)
		rat_fs__remove_tree(s.scratch);
	free(s.scratch);
	free(order);
	return error;
}

void rat_test_report_free(rat_test_report *report)
{
	storage *st;

	if (!report || !report->items)
		return;
	st = storage_of(report->items);
	rat_strarray_free(&st->pool);
	free(st->slots);
	free(st);
	memset(report, 0, sizeof(*report));
}
