/*
 * quality/files.c - the test files of a pipeline's tests/ folder (suite.h):
 * unit tests (the pipeline's SQL run on mock tables and compared with what
 * the test expects) and quality tests (SQL whose rows are rat_quality__violations).
 *
 * Unit tests run in a session of their own: the mocks are loaded, then the
 * session is locked down to the pipeline's tests/ folder and a scratch
 * folder, so a test reaches no table of any branch. Quality tests without
 * mocks read the tables of the workspace's branch.
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
#include "session/session.h"
#include "workspace/tables.h"
#include "template/template.h"
#include "quality/quality.h"
#include "quality/suite.h"
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

typedef struct mock_run {
	suite *s;
	const rat_pipeline *p;
	const spec *t;
	rat_engine *engine;
	char relation[160];
	char *tests_dir;
	rat_strarray loaded;  /* the mock tables */
	bool columns_missing; /* a column of @expect_columns is not in the result */
} mock_run;

static int relation_cb(void *ctx, const char *name, rat_buf *out)
{
	const mock_run *m = ctx;

	return rat_pipeline__ref_relation(out, &m->s->all, m->p, name);
}

/*
 * watermark(col): @watermarks' value, else the mocked table's highest, else
 * NULL; in a SQL string (template.h) the bare text.
 */
static int mock_watermark(void *ctx, const char *column, bool in_string, rat_buf *out)
{
	mock_run *m = ctx;
	rat_yaml_field f;
	char *text = NULL;
	int error;

	if (m->t->watermarks && rat_yaml__field(&f, rat_yaml__root(m->t->watermarks), "", column)) {
		if ((error = rat_yaml__string(&text, m->t->watermarks, &f)) == 0)
			error = in_string ? rat_buf_puts(out, text) : rat_sql__literal(out, text);
		free(text);
		return error;
	}
	if (!rat_strarray__contains(&m->loaded, m->p->key)) /* no mock of the table itself: a new table */
		return rat_buf_puts(out, in_string ? RAT_TEMPLATE_WATERMARK_NONE : "NULL");
	return rat_pipeline__watermark(out, m->engine, m->relation, column, in_string);
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
			error = rat_sql__path_literal(out, full);
		free(full);
	}
	if (!error)
		error = rat_buf_putc(out, ']');
cleanup:
	rat_strarray_free(&names);
	free(dir);
	return error;
}

/*
 * The files a test names in @mocks, as the original found them: mocks/x
 * under the tests folder; another path under tests/mocks/, else under the
 * tests folder. Every table of each file is loaded.
 */
static int load_mock_files(mock_run *m, rat_mocks *mocks)
{
	const char *tests = m->tests_dir;
	char *path = NULL, *display = NULL;
	size_t i;
	int error = 0;

	mocks->only = NULL;
	for (i = 0; !error && i < m->t->mock_files.count; i++) {
		const char *f = m->t->mock_files.strings[i];
		bool under_mocks = strncmp(f, "mocks/", 6) != 0;
		path = rat__sprintf("%s/%s%s", tests, under_mocks ? "mocks/" : "", f);
		if (path && under_mocks && !rat_fs__is_file(path)) {
			free(path);
			path = rat__sprintf("%s/%s", tests, f);
			under_mocks = false;
		}
		display = rat__sprintf("pipelines/%s/%s/tests/%s%s", m->p->layer, m->p->name,
				       under_mocks ? "mocks/" : "", f);
		if (!path || !display)
			error = RAT_ENOMEM;
		else if (!rat_fs__is_file(path))
			error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_PIPELINE,
					       "%s: @mocks: no file %s in pipelines/%s/%s/tests "
					       "(nor in its mocks/)", m->t->display, f, m->p->layer,
					       m->p->name);
		else
			error = rat_mocks__load_file(mocks, path, display);
		free(path);
		free(display);
	}
	return error;
}

/*
 * A session with the mocks loaded, locked to the scratch and spill folders;
 * the tests folder, which a user fills, is read through files pinned as
 * statements name them (session/stage.c), the mocks' first.
 */
static int mock_session(mock_run *m)
{
	rat_mocks mocks = { NULL, NULL, NULL, RAT_STRARRAY_INIT, 0, RAT_STRARRAY_INIT, NULL };
	rat_strarray allowed = RAT_STRARRAY_INIT;
	char *mocks_dir = rat__sprintf("%s/mocks", m->tests_dir), *display = NULL;
	int error;

	if (!mocks_dir || (display = rat__sprintf("%s/tests/mocks", m->p->folder)) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = rat_workspace__open_engine(&m->engine, m->s->ws)) != 0 ||
	    (error = rat_session__stage_folder(m->engine, m->s->ws, m->tests_dir, &allowed)) != 0)
		goto cleanup;
	mocks.engine = m->engine;
	mocks.scratch = m->s->scratch;
	mocks.ws = m->s->ws;
	mocks.only = m->t->has_mocks ? &m->t->mocks : NULL;
	if ((!m->t->mock_files.count || m->t->mocks.count) && /* files alone: only them */
	    (error = rat_mocks__load(&mocks, mocks_dir, display)) != 0)
		goto cleanup;
	if ((error = load_mock_files(m, &mocks)) != 0)
		goto cleanup;
	rat_strarray__hand_over(&m->loaded, &mocks.loaded);
	if ((error = rat_session__protect(m->engine)) != 0) /* the mocks stand for the layers */
		goto cleanup;
	if ((error = rat_strarray__push(&allowed, m->s->scratch)) == 0 &&
	    (error = rat_strarray__push(&allowed, rat_workspace_spill_dir(m->s->ws))) == 0)
		error = rat_engine__lock(m->engine, &allowed, NULL);
cleanup:
	rat_strarray_free(&mocks.loaded);
	rat_strarray_free(&mocks.sources);
	rat_strarray_free(&allowed);
	free(mocks_dir);
	free(display);
	return error;
}

/* "<key> on its mocks: " before the error, with the source line when the engine said where. */
static void name_on_mocks(const mock_run *m, int code, const rat_template_map *map,
			  const char *rendered)
{
	char *who = rat__sprintf("%s on its mocks", m->p->key);

	if (!who || !rat_template__place_error(code, map, rendered, who))
		rat_error__prefix("%s on its mocks", m->p->key);
	free(who);
}

/* The pipeline's SQL on the mocks, into the temp table __rat_result. */
static int run_on_mocks(mock_run *m)
{
	rat_template_context tc = RAT_TEMPLATE_CONTEXT_INIT;
	rat_template_map map = RAT_TEMPLATE_MAP_INIT;
	rat_buf sql = RAT_BUF_INIT, landing = RAT_BUF_INIT, rel = RAT_BUF_INIT;
	rat_buf rendered = RAT_BUF_INIT;
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
	tc.map = &map;
	if (!error && (error = rat_template__render(&rendered, m->p->sql, &tc)) == 0 &&
	    /* the engine's errors are told as positions in the pipeline's SQL, not the wrapper */
	    (error = rat_engine__set_user_sql(m->engine, rat_buf_cstr(&rendered))) == 0 &&
	    (error = rat_buf_printf(&sql, "CREATE OR REPLACE TEMP TABLE __rat_result AS %s",
				    rat_buf_cstr(&rendered))) == 0 &&
	    (error = rat_engine_exec(m->engine, rat_buf_cstr(&sql))) != 0)
		name_on_mocks(m, error, &map, rat_buf_cstr(&rendered));
cleanup:
	rat_template__map_free(&map);
	rat_buf_free(&rendered);
	rat_buf_free(&sql);
	rat_buf_free(&landing);
	rat_buf_free(&rel);
	return error;
}

static bool listed(const rat_strarray *list, const char *name)
{
	size_t i;

	for (i = 0; list && i < list->count; i++)
		if (strcasecmp(list->strings[i], name) == 0)
			return true;
	return false;
}

/*
 * "col1, col2" of the expected table, each cast to the result's type of that
 * column; only those of only (@expect_columns) when it is set (the expected
 * rows may leave some of them out, but not all).
 */
static int compare_columns(rat_engine *engine, const rat_strarray *only, rat_buf *expected_cols,
			   rat_buf *result_cols, rat_buf *message)
{
	rat_result *result = NULL;
	rat_buf listing = RAT_BUF_INIT;
	size_t i;
	int step = 0, error, n = 0;

	if ((error = rat_engine_query(&result, engine,
				      "SELECT e.column_name, r.column_type FROM (SELECT row_number() "
				      "OVER () AS i, column_name FROM (DESCRIBE __rat_expected)) e "
				      "LEFT JOIN (DESCRIBE __rat_result) r USING (column_name) "
				      "ORDER BY e.i")) != 0)
		return error;
	while (!error && (step = rat_result_next(result)) == 1) {
		const char *name = NULL, *type = NULL;
		if ((error = rat_result_get_text(result, 0, &name, NULL)) != 0 ||
		    (error = rat_result_get_text(result, 1, &type, NULL)) != 0)
			break;
		if (only && !listed(only, name))
			continue;
		if (!type) {
			error = rat_buf_printf(message, "%sthe result has no column %s",
					       message->len ? "; " : "", name);
			continue;
		}
		if ((error = rat_buf_printf(expected_cols, "%sCAST(", n ? ", " : "")) == 0 &&
		    (error = rat_sql__ident(expected_cols, name)) == 0 &&
		    (error = rat_buf_printf(expected_cols, " AS %s) AS ", type)) == 0 &&
		    (error = rat_sql__ident(expected_cols, name)) == 0 &&
		    (error = rat_buf_puts(result_cols, n++ ? ", " : "")) == 0)
			error = rat_sql__ident(result_cols, name);
	}
	for (i = 0; !error && only && i < only->count; i++)
		error = rat_buf_printf(&listing, "%s%s", i ? ", " : "", only->strings[i]);
	if (!error && step >= 0 && only && n == 0)
		error = rat_buf_printf(message, "%sthe expected rows have none of the columns of "
				       "@expect_columns (%s)", message->len ? "; " : "",
				       rat_buf_cstr(&listing));
	rat_result_free(result);
	rat_buf_free(&listing);
	return error ? error : step < 0 ? step : 0;
}

/* The rows of table a (columns acols) not in b (bcols), shown in o as "<label>: <row>". */
static int rows_only_in(mock_run *m, const char *a, const rat_buf *acols, const char *b,
			const rat_buf *bcols, const char *label, int64_t *count, outcome *o)
{
	rat_buf sql = RAT_BUF_INIT;
	rat_strarray rows = RAT_STRARRAY_INIT;
	size_t i;
	int error;

	if ((error = rat_buf_printf(&sql, "SELECT %s FROM %s EXCEPT ALL SELECT %s FROM %s",
				    rat_buf_cstr(acols), a, rat_buf_cstr(bcols), b)) == 0)
		error = rat_quality__violations(m->engine, rat_buf_cstr(&sql), count, &rows);
	for (i = 0; !error && i < rows.count; i++)
		error = rat_strarray__push_owned(&o->rows,
						 rat__sprintf("%s: %s", label, rows.strings[i]));
	rat_strarray_free(&rows);
	rat_buf_free(&sql);
	return error;
}

/* Expected rows (from @expect or the test's own SQL) against __rat_result, as multisets. */
static int compare_rows(mock_run *m, const char *expected_sql, outcome *o)
{
	rat_buf sql = RAT_BUF_INIT, ecols = RAT_BUF_INIT, rcols = RAT_BUF_INIT;
	rat_buf absent = RAT_BUF_INIT;
	int64_t missing = 0, extra = 0;
	int error;

	if ((error = rat_buf_printf(&sql, "CREATE OR REPLACE TEMP TABLE __rat_expected AS %s",
				    expected_sql)) != 0 ||
	    (error = rat_engine_exec(m->engine, rat_buf_cstr(&sql))) != 0 ||
	    (error = compare_columns(m->engine,
				     m->t->has_columns && !m->t->exact_columns ? &m->t->expect_columns
									      : NULL,
				     &ecols, &rcols, &absent)) != 0)
		goto cleanup;
	if (absent.len) { /* the rows cannot match: say which columns are missing */
		error = rat_buf_printf(&o->message, "%s%s", o->message.len ? "; " : "",
				       rat_buf_cstr(&absent));
		o->violations++;
		goto cleanup;
	}
	if ((error = rows_only_in(m, "__rat_expected", &ecols, "__rat_result", &rcols, "missing",
				  &missing, o)) != 0 ||
	    (error = rows_only_in(m, "__rat_result", &rcols, "__rat_expected", &ecols, "unexpected",
				  &extra, o)) != 0)
		goto cleanup;
	if (!error && (missing || extra)) {
		o->violations += missing + extra;
		error = rat_buf_printf(&o->message, "%s%lld expected rows missing, %lld unexpected",
				       o->message.len ? "; " : "", (long long)missing,
				       (long long)extra);
	}
cleanup:
	rat_buf_free(&sql);
	rat_buf_free(&ecols);
	rat_buf_free(&rcols);
	rat_buf_free(&absent);
	return error;
}

/* The result's columns, "a, b, c", and whether each of want is among them. */
static int result_columns(mock_run *m, rat_buf *got, const rat_strarray *want, rat_buf *absent)
{
	rat_result *result = NULL;
	rat_strarray names = RAT_STRARRAY_INIT;
	size_t i;
	int error;

	if ((error = rat_engine_query(&result, m->engine, "SELECT * FROM __rat_result LIMIT 0")) != 0)
		return error;
	for (i = 0; !error && i < rat_result_column_count(result); i++)
		if ((error = rat_buf_printf(got, "%s%s", i ? ", " : "",
					    rat_result_column_name(result, i))) == 0)
			error = rat_strarray__push(&names, rat_result_column_name(result, i));
	for (i = 0; !error && i < want->count; i++)
		if (!listed(&names, want->strings[i]))
			error = rat_buf_printf(absent, "%s%s", absent->len ? ", " : "",
					       want->strings[i]);
	rat_result_free(result);
	rat_strarray_free(&names);
	return error;
}

/*
 * @expect_columns: the result has these columns (others may follow: the
 * original's meaning); @expect_exact_columns: exactly these, in this order.
 */
static int check_columns(mock_run *m, outcome *o)
{
	rat_buf got = RAT_BUF_INIT, want = RAT_BUF_INIT, absent = RAT_BUF_INIT;
	const rat_strarray *cols = &m->t->expect_columns;
	const char *sep = o->message.len ? "; " : "";
	size_t i;
	int error = result_columns(m, &got, cols, &absent);

	for (i = 0; !error && i < cols->count; i++)
		error = rat_buf_printf(&want, "%s%s", i ? ", " : "", cols->strings[i]);
	if (error)
		goto cleanup;
	if (m->t->exact_columns && strcmp(rat_buf_cstr(&got), rat_buf_cstr(&want)) != 0) {
		error = rat_buf_printf(&o->message, "%scolumns [%s], expected exactly [%s]", sep,
				       rat_buf_cstr(&got), rat_buf_cstr(&want));
		o->violations++;
	} else if (!m->t->exact_columns && absent.len) {
		error = rat_buf_printf(&o->message, "%sthe result has no column %s (@expect_columns; "
				       "it has %s)", sep, rat_buf_cstr(&absent), rat_buf_cstr(&got));
		o->violations++;
		m->columns_missing = true;
	}
cleanup:
	rat_buf_free(&got);
	rat_buf_free(&want);
	rat_buf_free(&absent);
	return error;
}

static int check_count_and_columns(mock_run *m, outcome *o)
{
	int64_t n = 0;
	int error = 0;

	if (m->t->expect_count >= 0 &&
	    (error = rat_quality__query_int(m->engine, "SELECT count(*) FROM __rat_result", &n)) == 0 &&
	    n != m->t->expect_count) {
		error = rat_buf_printf(&o->message, "%s%lld rows, expected %lld",
				       o->message.len ? "; " : "", (long long)n,
				       (long long)m->t->expect_count);
		o->violations++;
	}
	if (!error && m->t->has_columns)
		error = check_columns(m, o);
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
	if (m->columns_missing) {
		/* a column of @expect_columns is missing: the rows cannot be compared on it */
	} else if (m->t->expect_json) {
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
		tc.ctx = m;
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

/* tests/unit/<file>.sql or tests/quality/<file>.sql */
static int run_file(suite *s, const rat_pipeline *p, const char *tests_dir, const char *sub,
		    const char *file)
{
	char *path = rat__sprintf("%s/%s/%s", tests_dir, sub, file), *name = NULL, *display = NULL;
	rat_buf text = RAT_BUF_INIT, sql = RAT_BUF_INIT;
	outcome o = { RAT_TEST_PASSED, 0, RAT_BUF_INIT, RAT_STRARRAY_INIT };
	mock_run m = { s, p, NULL, NULL, "", (char *)tests_dir, RAT_STRARRAY_INIT, false };
	spec t;
	bool unit = strcmp(sub, "unit") == 0;
	int64_t started = rat_quality__now_us();
	int error = 0;

	memset(&t, 0, sizeof(t));
	m.t = &t;
	name = rat__sprintf("%s/%.*s", sub, (int)(strlen(file) - 4), file);
	display = rat__sprintf("%s/tests/%s/%s", p->folder, sub, file);
	if (!path || !name || !display)
		goto oom;
	t.display = display;
	if (rat_fs__read_text(&text, path, display, (size_t)4 << 20) != 0 ||
	    rat_quality__read_spec(&t, rat_buf_cstr(&text)) != 0) {
		error = rat_quality__outcome_error(&o);
	} else if (unit) {
		if (unit_checks(&m, rat_buf_cstr(&text), &o) != 0)
			error = rat_quality__outcome_error(&o);
		else if (o.violations)
			o.status = RAT_TEST_FAILED;
	} else {
		rat_template_context tc = RAT_TEMPLATE_CONTEXT_INIT;
		rat_engine *engine = NULL;
		rat_buf rel = RAT_BUF_INIT;
		int e = rat_sql__relation(&rel, p->key);
		tc.path = display;
		tc.ref = relation_cb;
		tc.ctx = &m;
		tc.this_relation = t.has_mocks ? "__rat_result" : rat_buf_cstr(&rel);
		rat_pipeline__template_env(&tc, &s->all);
		tc.macros = s->all.macros;
		tc.macro_count = s->all.macro_count;
		if (!e && !t.has_mocks && !rat_quality__table_exists(s, p->key))
			error = rat_quality__skip_unbuilt(&o, s, p->key);
		else if (e || (t.has_mocks ? run_on_mocks(&m) : rat_quality__real_session(s)) != 0 ||
			 rat_template__render(&sql, rat_buf_cstr(&text), &tc) != 0 ||
			 rat_quality__count_violations((engine = t.has_mocks ? m.engine : s->real),
						       rat_buf_cstr(&sql), t.error_severity, &o) != 0)
			error = rat_quality__outcome_error(&o);
		rat_buf_free(&rel);
	}
	if (!error)
		error = rat_quality__add_result(s, p, name, unit ? "unit" : "quality", display,
						unit || t.error_severity, started, &o);
	goto cleanup;
oom:
	error = RAT_ENOMEM;
cleanup:
	rat_engine_free(m.engine);
	rat_strarray_free(&m.loaded);
	rat_quality__spec_free(&t);
	rat_quality__outcome_free(&o);
	rat_buf_free(&text);
	rat_buf_free(&sql);
	free(path);
	free(name);
	free(display);
	return error;
}

int rat_quality__run_folder(suite *s, const rat_pipeline *p, const char *tests_dir, const char *sub)
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
