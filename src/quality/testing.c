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

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_ROWS_SHOWN 5

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

typedef struct suite {
	const rat_workspace *ws;
	const rat_test_options *opts;
	rat_pipelines all;
	storage *st;
	size_t count;
	size_t counts[5];       /* by rat_test_status */
	bool stop;
	char *scratch;          /* spill/tests-<random> */
	rat_engine *real;       /* bound to the workspace's branch, locked; NULL until needed */
	rat_table_list tables;  /* what exists on the workspace's branch */
} suite;

/* What a test found, before it becomes a result. */
typedef struct outcome {
	rat_test_status status;
	int64_t violations;
	rat_buf message;
	rat_strarray rows;
} outcome;

static int64_t now_us(void)
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
static int add_result(suite *s, const rat_pipeline *p, const char *name, const char *kind,
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
	r->duration_us = now_us() - started;
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

static void outcome_error(outcome *o)
{
	o->status = RAT_TEST_ERROR;
	rat_buf_clear(&o->message);
	rat_buf_puts(&o->message, rat_error_last()->message);
	rat_error_clear();
}

static void outcome_free(outcome *o)
{
	rat_buf_free(&o->message);
	rat_strarray_free(&o->rows);
}

/* Engine helpers */

static int query_int(rat_engine *engine, const char *sql, int64_t *out)
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
static int violations(rat_engine *engine, const char *sql, int64_t *count, rat_strarray *rows)
{
	rat_buf q = RAT_BUF_INIT;
	rat_result *result = NULL;
	int step = 0, error;

	if ((error = rat_buf_printf(&q, "SELECT count(*) FROM (%s\n)", sql)) != 0 ||
	    (error = query_int(engine, rat_buf_cstr(&q), count)) != 0 || *count == 0)
		goto cleanup;
	rat_buf_clear(&q);
	if ((error = rat_buf_printf(&q, "SELECT CAST(to_json(t) AS VARCHAR) FROM (%s\n) t LIMIT %d",
				    sql, MAX_ROWS_SHOWN)) != 0 ||
	    (error = rat_engine_query(&result, engine, rat_buf_cstr(&q))) != 0)
		goto cleanup;
	while ((step = rat_result_next(result)) == 1) {
		const char *text = NULL;
		rat_result_get_text(result, 0, &text, NULL);
		if ((error = rat_strarray__push(rows, text ? text : "null")) != 0)
			break;
	}
	if (step < 0)
		error = step;
cleanup:
	rat_result_free(result);
	rat_buf_free(&q);
	return error;
}

/* A unit or quality test file: its annotations, and whether it holds SQL. */
typedef struct spec {
	const char *display;
	rat_strarray mocks;       /* @mocks */
	bool has_mocks;
	bool incremental;         /* @mode */
	rat_yaml *watermarks;     /* @watermarks: a flow mapping */
	int64_t expect_count;     /* -1: none */
	rat_strarray expect_columns;
	bool has_columns;
	char *expect_json;        /* @expect rows, as JSON */
	bool error_severity;      /* @severity */
	bool has_sql;             /* lines of code after the annotations */
} spec;

static int spec_error(const spec *t, int line, const char *key, const char *what)
{
	return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE, "%s:%d: @%s: %s", t->display,
			      line, key, what);
}

/* @expect: a YAML flow list of rows, as JSON. */
static int parse_expect(spec *t, int line, const char *value)
{
	rat_yaml *yaml = NULL;
	char where[600];
	int error;

	snprintf(where, sizeof(where), "%s:%d: @expect", t->display, line);
	{
		/* the YAML reader wants a mapping at the top: put the rows under a key */
		char *wrapped = rat__sprintf("rows: %s", value);
		error = wrapped ? rat_yaml__parse(&yaml, wrapped, strlen(wrapped), where) : RAT_ENOMEM;
		free(wrapped);
	}
	if (error)
		return error;
	{
		struct fy_node *rows = NULL;
		rat_yaml_field f;
		size_t n = 0;
		if (rat_yaml__field(&f, rat_yaml__root(yaml), "", "rows"))
			rows = f.value;
		if (!rows || (error = rat_yaml__sequence(&n, yaml, &f)) != 0 || n == 0)
			error = error ? error : spec_error(t, line, "expect",
							   "write rows as [{col: value, ...}, ...]");
		else
			error = rat_yaml__json(&t->expect_json, rows);
	}
	rat_yaml__free(yaml);
	return error;
}

static int spec_annotation(void *ctx, int line, const char *key, const char *value)
{
	spec *t = ctx;
	char *end;

	if (strcmp(key, "mocks") == 0) {
		t->has_mocks = true;
		return rat_pipeline__split_list(&t->mocks, value) == 0
			       ? 0 : spec_error(t, line, key, "write a list like [bronze.sales]");
	}
	if (strcmp(key, "mode") == 0) {
		if (strcmp(value, "incremental") != 0 && strcmp(value, "full_refresh") != 0)
			return spec_error(t, line, key, "is incremental or full_refresh");
		t->incremental = strcmp(value, "incremental") == 0;
		return 0;
	}
	if (strcmp(key, "watermarks") == 0) {
		char where[600];
		snprintf(where, sizeof(where), "%s:%d: @watermarks", t->display, line);
		rat_yaml__free(t->watermarks);
		t->watermarks = NULL;
		return rat_yaml__parse(&t->watermarks, value, strlen(value), where);
	}
	if (strcmp(key, "expect_count") == 0) {
		t->expect_count = strtoll(value, &end, 10);
		return *end || end == value || t->expect_count < 0
			       ? spec_error(t, line, key, "is a count of rows") : 0;
	}
	if (strcmp(key, "expect_columns") == 0) {
		t->has_columns = true;
		return rat_pipeline__split_list(&t->expect_columns, value) == 0
			       ? 0 : spec_error(t, line, key, "write a list like [id, amount]");
	}
	if (strcmp(key, "expect") == 0)
		return parse_expect(t, line, value);
	if (strcmp(key, "severity") == 0) {
		if (strcmp(value, "error") != 0 && strcmp(value, "warn") != 0)
			return spec_error(t, line, key, "is error or warn");
		t->error_severity = strcmp(value, "error") == 0;
		return 0;
	}
	if (strcmp(key, "description") == 0 || strcmp(key, "name") == 0)
		return 0;
	return spec_error(t, line, key,
			  "unknown annotation (mocks, mode, watermarks, expect, expect_count, "
			  "expect_columns, severity, description)");
}

static bool has_code(const char *text)
{
	const char *line = text;

	while (line && *line) {
		const char *s = line, *eol = strchr(line, '\n');
		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (*s && *s != '\n' && !(s[0] == '-' && s[1] == '-'))
			return true;
		line = eol ? eol + 1 : NULL;
	}
	return false;
}

static int read_spec(spec *t, const char *text)
{
	t->expect_count = -1;
	t->error_severity = true;
	t->has_sql = has_code(text);
	return rat_pipeline__annotations(text, t->display, spec_annotation, t);
}

static void spec_free(spec *t)
{
	rat_strarray_free(&t->mocks);
	rat_strarray_free(&t->expect_columns);
	rat_yaml__free(t->watermarks);
	free(t->expect_json);
}

/* Running a pipeline on mocks */

typedef struct mock_run {
	suite *s;
	const rat_pipeline *p;
	const spec *t;
	rat_engine *engine;
	char relation[160];
	char *tests_dir;
	rat_strarray loaded;  /* the mock tables */
} mock_run;

static int relation_cb(void *ctx, const char *name, rat_buf *out)
{
	(void)ctx;
	return rat_sql__relation(out, name);
}

/* watermark(col): @watermarks' value, else the mocked table's highest, else NULL. */
static int mock_watermark(void *ctx, const char *column, rat_buf *out)
{
	mock_run *m = ctx;
	rat_yaml_field f;
	char *text = NULL;
	int error;

	if (m->t->watermarks && rat_yaml__field(&f, rat_yaml__root(m->t->watermarks), "", column)) {
		if ((error = rat_yaml__string(&text, m->t->watermarks, &f)) == 0)
			error = rat_sql__literal(out, text);
		free(text);
		return error;
	}
	if (!rat_strarray__contains(&m->loaded, m->p->key))
		return rat_buf_puts(out, "NULL"); /* no mock of the table itself: a new table */
	return rat_pipeline__watermark(out, m->engine, m->relation, column);
}

/* {{ landing_files }} in a test: the files under tests/mocks/landing/. */
static int mock_landing(rat_buf *out, const char *tests_dir)
{
	rat_strarray names = RAT_STRARRAY_INIT;
	char *dir = rat__sprintf("%s/mocks/landing", tests_dir);
	size_t i, n = 0;
	int error = 0;

	if (!dir)
		return RAT_ENOMEM;
	if (rat_fs__is_dir(dir) && (error = rat_fs__list_dir(&names, dir)) != 0)
		goto cleanup;
	error = rat_buf_putc(out, '[');
	for (i = 0; !error && i < names.count; i++) {
		char *full;
		if (names.strings[i][0] == '.')
			continue;
		if ((full = rat_fs__join(dir, names.strings[i])) == NULL) {
			error = RAT_ENOMEM;
			break;
		}
		if ((error = rat_buf_puts(out, n++ ? ", " : "")) == 0)
			error = rat_sql__literal(out, full);
		free(full);
	}
	if (!error)
		error = rat_buf_putc(out, ']');
cleanup:
	rat_strarray_free(&names);
	free(dir);
	return error;
}

/* A session with the mocks loaded, locked to the tests folder and the scratch folder. */
static int mock_session(mock_run *m)
{
	rat_mocks mocks = { NULL, NULL, NULL, RAT_STRARRAY_INIT, 0 };
	rat_strarray allowed = RAT_STRARRAY_INIT;
	char *mocks_dir = rat__sprintf("%s/mocks", m->tests_dir), *display = NULL, *link = NULL;
	int error;

	if (!mocks_dir || (display = rat__sprintf("pipelines/%s/%s/tests/mocks", m->p->layer,
						  m->p->name)) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = rat_workspace__open_engine(&m->engine, m->s->ws)) != 0)
		goto cleanup;
	mocks.engine = m->engine;
	mocks.scratch = m->s->scratch;
	mocks.only = m->t->has_mocks ? &m->t->mocks : NULL;
	if ((error = rat_mocks__load(&mocks, mocks_dir, display)) != 0)
		goto cleanup;
	rat_strarray__hand_over(&m->loaded, &mocks.loaded);
	if ((error = rat_fs__find_symlink(&link, m->tests_dir)) == 0 && link)
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				       "%s is a symbolic link: a tests folder holds real files only",
				       link);
	if (!error && (error = rat_strarray__push(&allowed, m->tests_dir)) == 0 &&
	    (error = rat_strarray__push(&allowed, m->s->scratch)) == 0 &&
	    (error = rat_strarray__push(&allowed, rat_workspace_spill_dir(m->s->ws))) == 0)
		error = rat_engine__lock(m->engine, &allowed);
cleanup:
	rat_strarray_free(&mocks.loaded);
	rat_strarray_free(&allowed);
	free(mocks_dir);
	free(display);
	free(link);
	return error;
}

/* The pipeline's SQL on the mocks, into the temp table __rat_result. */
static int run_on_mocks(mock_run *m)
{
	rat_template_context tc = RAT_TEMPLATE_CONTEXT_INIT;
	rat_buf sql = RAT_BUF_INIT, landing = RAT_BUF_INIT, rel = RAT_BUF_INIT;
	int error;

	if (m->p->kind != RAT_PIPELINE_SQL)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				      "%s is not a SQL pipeline: unit tests need SQL to run on mocks",
				      m->p->display);
	if ((error = rat_sql__relation(&rel, m->p->key)) != 0 || (error = mock_session(m)) != 0)
		goto cleanup;
	snprintf(m->relation, sizeof(m->relation), "%s", rat_buf_cstr(&rel));
	tc.path = m->p->display;
	tc.ref = relation_cb;
	tc.this_relation = m->relation;
	tc.is_incremental = m->t->incremental;
	tc.watermark = mock_watermark;
	tc.run_started_at = "2024-01-01 00:00:00+00";
	rat_pipeline__template_env(&tc, &m->s->all);
	tc.macros = m->s->all.macros;
	tc.macro_count = m->s->all.macro_count;
	tc.ctx = m;
	if (m->p->landing && (error = mock_landing(&landing, m->tests_dir)) == 0)
		tc.landing_files = rat_buf_cstr(&landing);
	if (!error && (error = rat_buf_puts(&sql, "CREATE OR REPLACE TEMP TABLE __rat_result AS ")) == 0 &&
	    (error = rat_template__render(&sql, m->p->sql, &tc)) == 0 &&
	    (error = rat_engine_exec(m->engine, rat_buf_cstr(&sql))) != 0)
		rat_error__prefix("%s on its mocks", m->p->key);
cleanup:
	rat_buf_free(&sql);
	rat_buf_free(&landing);
	rat_buf_free(&rel);
	return error;
}

/* "col1, col2" of the expected table, each cast to the result's type of that column. */
static int compare_columns(rat_engine *engine, rat_buf *expected_cols, rat_buf *result_cols,
			   rat_buf *message)
{
	rat_result *result = NULL;
	rat_buf q = RAT_BUF_INIT;
	int step, error, n = 0;

	if ((error = rat_engine_query(&result, engine,
				      "SELECT e.column_name, r.column_type FROM (SELECT row_number() "
				      "OVER () AS i, column_name FROM (DESCRIBE __rat_expected)) e "
				      "LEFT JOIN (DESCRIBE __rat_result) r USING (column_name) "
				      "ORDER BY e.i")) != 0)
		return error;
	while ((step = rat_result_next(result)) == 1) {
		const char *name = NULL, *type = NULL;
		rat_result_get_text(result, 0, &name, NULL);
		rat_result_get_text(result, 1, &type, NULL);
		if (!type) {
			rat_buf_printf(message, "%sthe result has no column %s",
				       message->len ? "; " : "", name);
			continue;
		}
		rat_buf_printf(expected_cols, "%sCAST(", n ? ", " : "");
		rat_sql__ident(expected_cols, name);
		rat_buf_printf(expected_cols, " AS %s) AS ", type);
		rat_sql__ident(expected_cols, name);
		rat_buf_puts(result_cols, n++ ? ", " : "");
		rat_sql__ident(result_cols, name);
	}
	rat_result_free(result);
	rat_buf_free(&q);
	return step < 0 ? step : 0;
}

/* Expected rows (from @expect or the test's own SQL) against __rat_result, as multisets. */
static int compare_rows(mock_run *m, const char *expected_sql, outcome *o)
{
	rat_buf sql = RAT_BUF_INIT, ecols = RAT_BUF_INIT, rcols = RAT_BUF_INIT;
	rat_buf absent = RAT_BUF_INIT;
	int64_t missing = 0, extra = 0;
	rat_strarray rows = RAT_STRARRAY_INIT;
	size_t i;
	int error;

	if ((error = rat_buf_printf(&sql, "CREATE OR REPLACE TEMP TABLE __rat_expected AS %s",
				    expected_sql)) != 0 ||
	    (error = rat_engine_exec(m->engine, rat_buf_cstr(&sql))) != 0 ||
	    (error = compare_columns(m->engine, &ecols, &rcols, &absent)) != 0)
		goto cleanup;
	if (absent.len) { /* the rows cannot match: say which columns are missing */
		rat_buf_printf(&o->message, "%s%s", o->message.len ? "; " : "", rat_buf_cstr(&absent));
		o->violations++;
		goto cleanup;
	}
	rat_buf_clear(&sql);
	if ((error = rat_buf_printf(&sql, "SELECT %s FROM __rat_expected EXCEPT ALL SELECT %s FROM "
					  "__rat_result", rat_buf_cstr(&ecols),
				    rat_buf_cstr(&rcols))) != 0 ||
	    (error = violations(m->engine, rat_buf_cstr(&sql), &missing, &rows)) != 0)
		goto cleanup;
	for (i = 0; i < rows.count; i++)
		rat_strarray__push_owned(&o->rows, rat__sprintf("missing: %s", rows.strings[i]));
	rat_strarray_free(&rows);
	rat_buf_clear(&sql);
	if ((error = rat_buf_printf(&sql, "SELECT %s FROM __rat_result EXCEPT ALL SELECT %s FROM "
					  "__rat_expected", rat_buf_cstr(&rcols),
				    rat_buf_cstr(&ecols))) != 0 ||
	    (error = violations(m->engine, rat_buf_cstr(&sql), &extra, &rows)) != 0)
		goto cleanup;
	for (i = 0; i < rows.count; i++)
		rat_strarray__push_owned(&o->rows, rat__sprintf("unexpected: %s", rows.strings[i]));
	if (missing || extra) {
		o->violations += missing + extra;
		rat_buf_printf(&o->message, "%s%lld expected rows missing, %lld unexpected",
			       o->message.len ? "; " : "", (long long)missing, (long long)extra);
	}
cleanup:
	rat_strarray_free(&rows);
	rat_buf_free(&sql);
	rat_buf_free(&ecols);
	rat_buf_free(&rcols);
	rat_buf_free(&absent);
	return error;
}

static int check_count_and_columns(mock_run *m, outcome *o)
{
	rat_result *result = NULL;
	rat_buf got = RAT_BUF_INIT, want = RAT_BUF_INIT;
	int64_t n = 0;
	size_t i;
	int error = 0;

	if (m->t->expect_count >= 0 &&
	    (error = query_int(m->engine, "SELECT count(*) FROM __rat_result", &n)) == 0 &&
	    n != m->t->expect_count) {
		rat_buf_printf(&o->message, "%s%lld rows, expected %lld", o->message.len ? "; " : "",
			       (long long)n, (long long)m->t->expect_count);
		o->violations++;
	}
	if (!error && m->t->has_columns &&
	    (error = rat_engine_query(&result, m->engine, "SELECT * FROM __rat_result LIMIT 0")) == 0) {
		for (i = 0; i < rat_result_column_count(result); i++)
			rat_buf_printf(&got, "%s%s", i ? ", " : "", rat_result_column_name(result, i));
		for (i = 0; i < m->t->expect_columns.count; i++)
			rat_buf_printf(&want, "%s%s", i ? ", " : "", m->t->expect_columns.strings[i]);
		if (strcmp(rat_buf_cstr(&got), rat_buf_cstr(&want)) != 0) {
			rat_buf_printf(&o->message, "%scolumns [%s], expected [%s]",
				       o->message.len ? "; " : "", rat_buf_cstr(&got), rat_buf_cstr(&want));
			o->violations++;
		}
	}
	rat_result_free(result);
	rat_buf_free(&got);
	rat_buf_free(&want);
	return error;
}

static int unit_checks(mock_run *m, const char *text, outcome *o)
{
	rat_buf expected = RAT_BUF_INIT;
	int error;

	if (m->t->expect_count < 0 && !m->t->has_columns && !m->t->expect_json && !m->t->has_sql)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				      "%s: no expectation (@expect, @expect_count, @expect_columns, "
				      "or a SELECT of the expected rows)", m->t->display);
	if ((error = run_on_mocks(m)) != 0 || (error = check_count_and_columns(m, o)) != 0)
		return error;
	if (m->t->expect_json) {
		char *path = rat__sprintf("%s/expect-%p.json", m->s->scratch, (void *)m);
		if (!path)
			return RAT_ENOMEM;
		if ((error = rat_fs__write_file_atomic(path, m->t->expect_json,
						       strlen(m->t->expect_json))) == 0 &&
		    (error = rat_buf_puts(&expected, "SELECT * FROM read_json(")) == 0 &&
		    (error = rat_sql__literal(&expected, path)) == 0 &&
		    (error = rat_buf_puts(&expected, ", format = 'array')")) == 0)
			error = compare_rows(m, rat_buf_cstr(&expected), o);
		free(path);
	} else if (m->t->has_sql) {
		rat_template_context tc = RAT_TEMPLATE_CONTEXT_INIT;
		tc.path = m->t->display;
		tc.ref = relation_cb;
		rat_pipeline__template_env(&tc, &m->s->all);
		tc.this_relation = m->relation;
		tc.macros = m->s->all.macros;
		tc.macro_count = m->s->all.macro_count;
		if ((error = rat_template__render(&expected, text, &tc)) == 0)
			error = compare_rows(m, rat_buf_cstr(&expected), o);
	}
	rat_buf_free(&expected);
	return error;
}

/* The real tables */

/* The session on the workspace's branch, opened once. */
static int real_session(suite *s)
{
	if (s->real)
		return 0;
	return rat_engine_open(&s->real, s->ws);
}

static bool table_exists(const suite *s, const char *key)
{
	size_t i;

	for (i = 0; i < s->tables.count; i++)
		if (strcmp(s->tables.items[i].key, key) == 0)
			return true;
	return false;
}

/* Count and show the rows of a check's SQL; they are violations. */
static int count_violations(rat_engine *engine, const char *sql, bool error_severity, outcome *o)
{
	int error = violations(engine, sql, &o->violations, &o->rows);

	if (error)
		return error;
	if (o->violations) {
		o->status = error_severity ? RAT_TEST_FAILED : RAT_TEST_WARNED;
		rat_buf_printf(&o->message, "%lld violating rows", (long long)o->violations);
	}
	return 0;
}

/* tests/unit/<file>.sql or tests/quality/<file>.sql */
static int run_file(suite *s, const rat_pipeline *p, const char *tests_dir, const char *sub,
		    const char *file)
{
	char *path = rat__sprintf("%s/%s/%s", tests_dir, sub, file), *name = NULL, *display = NULL;
	rat_buf text = RAT_BUF_INIT, sql = RAT_BUF_INIT;
	outcome o = { RAT_TEST_PASSED, 0, RAT_BUF_INIT, RAT_STRARRAY_INIT };
	mock_run m = { s, p, NULL, NULL, "", (char *)tests_dir, RAT_STRARRAY_INIT };
	spec t;
	bool unit = strcmp(sub, "unit") == 0;
	int64_t started = now_us();
	int error = 0;

	memset(&t, 0, sizeof(t));
	m.t = &t;
	name = rat__sprintf("%s/%.*s", sub, (int)(strlen(file) - 4), file);
	display = rat__sprintf("pipelines/%s/%s/tests/%s/%s", p->layer, p->name, sub, file);
	if (!path || !name || !display)
		goto oom;
	t.display = display;
	if (rat_fs__read_file(&text, path, (size_t)4 << 20) != 0 ||
	    read_spec(&t, rat_buf_cstr(&text)) != 0) {
		outcome_error(&o);
	} else if (unit) {
		if (unit_checks(&m, rat_buf_cstr(&text), &o) != 0)
			outcome_error(&o);
		else if (o.violations)
			o.status = RAT_TEST_FAILED;
	} else {
		rat_template_context tc = RAT_TEMPLATE_CONTEXT_INIT;
		rat_engine *engine = NULL;
		rat_buf rel = RAT_BUF_INIT;
		int e = rat_sql__relation(&rel, p->key);
		tc.path = display;
		tc.ref = relation_cb;
		tc.this_relation = t.has_mocks ? "__rat_result" : rat_buf_cstr(&rel);
		rat_pipeline__template_env(&tc, &s->all);
		tc.macros = s->all.macros;
		tc.macro_count = s->all.macro_count;
		if (!e && !t.has_mocks && !table_exists(s, p->key)) {
			o.status = RAT_TEST_SKIPPED;
			rat_buf_printf(&o.message, "%s is not built on %s yet", p->key,
				       rat_workspace_branch(s->ws));
		} else if (e || (t.has_mocks ? run_on_mocks(&m) : real_session(s)) != 0 ||
			   rat_template__render(&sql, rat_buf_cstr(&text), &tc) != 0 ||
			   count_violations((engine = t.has_mocks ? m.engine : s->real),
					    rat_buf_cstr(&sql), t.error_severity, &o) != 0) {
			outcome_error(&o);
		}
		rat_buf_free(&rel);
	}
	error = add_result(s, p, name, unit ? "unit" : "quality", display,
			   unit || t.error_severity, started, &o);
	goto cleanup;
oom:
	error = RAT_ENOMEM;
cleanup:
	rat_engine_free(m.engine);
	rat_strarray_free(&m.loaded);
	spec_free(&t);
	outcome_free(&o);
	rat_buf_free(&text);
	rat_buf_free(&sql);
	free(path);
	free(name);
	free(display);
	return error;
}

static int run_folder(suite *s, const rat_pipeline *p, const char *tests_dir, const char *sub)
{
	rat_strarray files = RAT_STRARRAY_INIT;
	char *dir = rat__sprintf("%s/%s", tests_dir, sub);
	size_t i;
	int error = 0;

	if (!dir)
		return RAT_ENOMEM;
	if (rat_fs__is_dir(dir) && (error = rat_fs__list_dir(&files, dir)) == 0)
		for (i = 0; !error && !s->stop && i < files.count; i++)
			if (files.strings[i][0] != '.' && rat__str_has_suffix(files.strings[i], ".sql"))
				error = run_file(s, p, tests_dir, sub, files.strings[i]);
	rat_strarray_free(&files);
	free(dir);
	return error;
}

/* Column tests and tests[]: the checks `rat run` makes, over the table on the branch. */
static int run_config_checks(suite *s, const rat_pipeline *p)
{
	rat_checks checks = { NULL, 0 };
	rat_buf rel = RAT_BUF_INIT;
	const char *file = p->config_display ? p->config_display : p->display;
	bool built = table_exists(s, p->key);
	size_t i;
	int error;

	if ((error = rat_sql__relation(&rel, p->key)) != 0 ||
	    (error = rat_quality__checks(&checks, p, &s->all, rat_buf_cstr(&rel))) != 0)
		goto cleanup;
	for (i = 0; !error && !s->stop && i < checks.count; i++) {
		const rat_check *c = &checks.items[i];
		outcome o = { RAT_TEST_PASSED, 0, RAT_BUF_INIT, RAT_STRARRAY_INIT };
		int64_t started = now_us();
		if (!built) {
			o.status = RAT_TEST_SKIPPED;
			rat_buf_printf(&o.message, "%s is not built on %s yet", p->key,
				       rat_workspace_branch(s->ws));
		} else if (real_session(s) != 0 ||
			   count_violations(s->real, c->sql, c->severity == RAT_SEVERITY_ERROR,
					    &o) != 0) {
			outcome_error(&o);
		}
		error = add_result(s, p, c->name, strncmp(c->name, "tests[", 6) == 0 ? "config"
											 : "column",
				   file, c->severity == RAT_SEVERITY_ERROR, started, &o);
		outcome_free(&o);
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

/* How old the newest data is: by the freshness column, else by the last commit of the table. */
static int data_age_ms(suite *s, const rat_pipeline *p, const char *column, int64_t *age)
{
	rat_buf sql = RAT_BUF_INIT, col = RAT_BUF_INIT, rel = RAT_BUF_INIT;
	size_t i;
	int error;

	if (!column) {
		for (i = 0; i < s->tables.count; i++)
			if (strcmp(s->tables.items[i].key, p->key) == 0) {
				struct timespec ts;
				clock_gettime(CLOCK_REALTIME, &ts);
				*age = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 -
				       s->tables.items[i].updated_ms;
			}
		return 0;
	}
	if ((error = real_session(s)) == 0 && (error = rat_sql__ident(&col, column)) == 0 &&
	    (error = rat_sql__relation(&rel, p->key)) == 0 &&
	    (error = rat_buf_printf(&sql, "SELECT epoch_ms(CAST(now() AS TIMESTAMP)) - "
					  "epoch_ms(CAST(max(%s) AS TIMESTAMP)) FROM %s",
				    rat_buf_cstr(&col), rat_buf_cstr(&rel))) == 0)
		error = query_int(s->real, rat_buf_cstr(&sql), age);
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
	int64_t started = now_us(), age = 0;
	char limit[32];
	int error;

	if (!p->warn_after_s && !p->error_after_s)
		return 0;
	if (!table_exists(s, p->key)) {
		o.status = RAT_TEST_SKIPPED;
		rat_buf_printf(&o.message, "%s is not built on %s yet", p->key,
			       rat_workspace_branch(s->ws));
	} else if (data_age_ms(s, p, column, &age) != 0) {
		outcome_error(&o);
	} else if (p->error_after_s && age > p->error_after_s * 1000) {
		o.status = RAT_TEST_FAILED;
		duration_text(limit, sizeof(limit), p->error_after_s);
		rat_buf_printf(&o.message, "newest data is %.1fh old (error after %s)",
			       (double)age / 3600000.0, limit);
	} else if (p->warn_after_s && age > p->warn_after_s * 1000) {
		o.status = RAT_TEST_WARNED;
		duration_text(limit, sizeof(limit), p->warn_after_s);
		rat_buf_printf(&o.message, "newest data is %.1fh old (warn after %s)",
			       (double)age / 3600000.0, limit);
	}
	error = add_result(s, p, "freshness", "freshness",
			   p->config_display ? p->config_display : p->display,
			   p->error_after_s != 0, started, &o);
	outcome_free(&o);
	return error;
}

/* The suite */

/* The pipeline's tests/ folder (folder layout only); NULL when it has none. */
static char *tests_dir(const suite *s, const rat_pipeline *p)
{
	char *dir = rat__sprintf("%s/pipelines/%s/%s/tests", rat_workspace_path(s->ws), p->layer,
				 p->name);

	if (dir && !rat_fs__is_dir(dir)) {
		free(dir);
		return NULL;
	}
	return dir;
}

static bool selected(const suite *s, const rat_pipeline *p)
{
	const char *want = s->opts->pipeline;
	size_t n = strlen(p->layer);

	if (s->opts->layer && strcmp(s->opts->layer, p->layer) != 0)
		return false;
	if (!want)
		return true;
	return strncmp(want, p->layer, n) == 0 && (want[n] == '/' || want[n] == '.') &&
	       strcmp(want + n + 1, p->name) == 0;
}

static int test_pipeline(suite *s, const rat_pipeline *p)
{
	const char *kind = s->opts->kind;
	char *dir = tests_dir(s, p);
	int error = 0;

	if (dir && (!kind || strcmp(kind, "unit") == 0))
		error = run_folder(s, p, dir, "unit");
	if (!error && !s->stop && (!kind || strcmp(kind, "quality") == 0)) {
		if (dir)
			error = run_folder(s, p, dir, "quality");
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
	if (o->kind && strcmp(o->kind, "unit") != 0 && strcmp(o->kind, "quality") != 0)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				      "test type '%s' is unit or quality", o->kind);
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
	    (error = rat_pipeline__order(&order, &s.all, NULL)) != 0)
		goto cleanup;
	for (i = 0; i < s.all.count; i++)
		matched += selected(&s, &s.all.items[order[i]]);
	if (!matched && (s.opts->pipeline || s.opts->layer)) {
		error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_PIPELINE, "no pipeline %s%s",
				       s.opts->pipeline ? s.opts->pipeline : "in layer ",
				       s.opts->pipeline ? "" : s.opts->layer);
		goto cleanup;
	}
	for (i = 0; !error && !s.stop && i < s.all.count; i++)
		if (selected(&s, &s.all.items[order[i]]))
			error = test_pipeline(&s, &s.all.items[order[i]]);
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
