/*
 * pipeline/checks.c - a pipeline's checks as SQL: its column tests
 * (not_null, unique, positive, accepted_values, min, max) and its tests[].
 *
 * Every check is a query whose rows are violations, so a run (which fails
 * on an error-severity violation before publishing), a table write
 * (rat_engine_write_table) and `rat test` count and show them the same way;
 * but a tests[] entry with expect: is a query of one value, compared with
 * it (rat_quality__expect(), which both use too).
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/sql.h"
#include "quality/quality.h"
#include "template/template.h"
#include "workspace/workspace.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* A check's ref(): the pipeline checked and all the pipelines, for a bare name. */
typedef struct check_refs {
	const rat_pipelines *all;
	const rat_pipeline *p;
} check_refs;

static int ref_relation(void *ctx, const char *name, rat_buf *out)
{
	const check_refs *r = ctx;

	return rat_pipeline__ref_relation(out, r->all, r->p, name);
}

/* The WHERE condition that makes a row violate a column test. */
static int violation(rat_buf *sql, const char *col, const rat_column_test *t)
{
	size_t i;
	int error = 0;

	switch (t->check) {
	case RAT_CHECK_NOT_NULL:
		return rat_buf_printf(sql, "%s IS NULL", col);
	case RAT_CHECK_POSITIVE:
		return rat_buf_printf(sql, "%s <= 0", col);
	case RAT_CHECK_MIN:
		return rat_buf_printf(sql, "%s < %s", col, t->bound);
	case RAT_CHECK_MAX:
		return rat_buf_printf(sql, "%s > %s", col, t->bound);
	case RAT_CHECK_ACCEPTED_VALUES:
		error = rat_buf_printf(sql, "%s IS NOT NULL AND CAST(%s AS VARCHAR) NOT IN (", col,
				       col);
		for (i = 0; !error && i < t->values.count; i++)
			if ((error = rat_buf_puts(sql, i ? ", " : "")) == 0)
				error = rat_sql__literal(sql, t->values.strings[i]);
		return error ? error : rat_buf_putc(sql, ')');
	case RAT_CHECK_UNIQUE:
		break;
	}
	return 0;
}

static const char *const check_names[] = { "not_null", "unique", "positive",
					   "accepted_values", "min", "max" };

static int column_check(rat_check *c, const rat_column_config *column,
			const rat_column_test *t, const char *relation)
{
	rat_buf col = RAT_BUF_INIT, sql = RAT_BUF_INIT;
	int error;

	if ((error = rat_sql__ident(&col, column->name)) != 0)
		goto cleanup;
	if (t->check == RAT_CHECK_UNIQUE)
		error = rat_buf_printf(&sql,
				       "SELECT %s, count(*) AS occurrences FROM %s WHERE %s IS NOT "
				       "NULL GROUP BY %s HAVING count(*) > 1",
				       rat_buf_cstr(&col), relation, rat_buf_cstr(&col),
				       rat_buf_cstr(&col));
	else if ((error = rat_buf_printf(&sql, "SELECT * FROM %s WHERE ", relation)) == 0)
		error = violation(&sql, rat_buf_cstr(&col), t);
	if (error)
		goto cleanup;
	c->severity = t->severity;
	c->of_rows = t->check != RAT_CHECK_UNIQUE;
	c->name = rat__sprintf("%s(%s)", check_names[t->check], column->name);
	c->sql = rat_buf_detach(&sql);
	if (!c->name || !c->sql)
		error = RAT_ENOMEM;
cleanup:
	rat_buf_free(&col);
	rat_buf_free(&sql);
	return error;
}

static int config_check(rat_check *c, const rat_pipeline *p, const rat_config_test *t,
			const rat_pipelines *all, const char *relation)
{
	rat_template_context tc = RAT_TEMPLATE_CONTEXT_INIT;
	check_refs refs = { all, p };
	rat_buf sql = RAT_BUF_INIT;
	int error;

	tc.path = p->config_display ? p->config_display : p->display;
	tc.ref = ref_relation;
	tc.ctx = &refs;
	tc.this_relation = relation;
	rat_pipeline__template_env(&tc, all);
	tc.macros = all->macros;
	tc.macro_count = all->macro_count;
	if ((error = rat_template__render(&sql, t->sql, &tc)) != 0) {
		rat_error__prefix("%s: tests[%s]", p->key, t->name);
		rat_buf_free(&sql);
		return error;
	}
	c->severity = t->severity;
	c->name = rat__sprintf("tests[%s]", t->name);
	c->sql = rat_buf_detach(&sql);
	if (t->expect && (c->expect = rat__strdup(t->expect)) == NULL)
		return RAT_ENOMEM;
	return c->name && c->sql ? 0 : RAT_ENOMEM;
}

/* workspace.yaml's quality: fail_on_error: false makes every check warn; warn_threshold kept. */
static void apply_workspace_quality(rat_checks *checks, const rat_workspace_defaults *d)
{
	size_t i;

	checks->warn_share = d->warn_threshold;
	if (!d->fail_on_error)
		for (i = 0; i < checks->count; i++)
			checks->items[i].severity = RAT_SEVERITY_WARN;
}

int rat_quality__within_share(rat_engine *engine, const rat_checks *checks, const rat_check *c,
			      int64_t n, bool *within)
{
	rat_buf q = RAT_BUF_INIT;
	int64_t rows = 0;
	int error;

	*within = false;
	if (!c->of_rows || checks->warn_share <= 0 || c->severity != RAT_SEVERITY_ERROR || n <= 0)
		return 0;
	if ((error = rat_buf_printf(&q, "SELECT * FROM %s", checks->relation)) == 0 &&
	    (error = rat_quality__count_rows(engine, rat_buf_cstr(&q), &rows)) == 0)
		*within = rows > 0 && (double)n <= checks->warn_share * (double)rows;
	rat_buf_free(&q);
	return error;
}

int rat_quality__checks(rat_checks *out, const rat_pipeline *p, const rat_pipelines *all,
		    const char *relation)
{
	size_t i, j, n = p->test_count;
	int error = 0;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < p->column_count; i++)
		n += p->columns[i].test_count;
	if (n == 0)
		return 0;
	if ((out->items = rat__calloc(n, sizeof(*out->items))) == NULL)
		return RAT_ENOMEM;
	for (i = 0; !error && i < p->column_count; i++)
		for (j = 0; !error && j < p->columns[i].test_count; j++)
			error = column_check(&out->items[out->count++], &p->columns[i],
					     &p->columns[i].tests[j], relation);
	for (i = 0; !error && i < p->test_count; i++)
		error = config_check(&out->items[out->count++], p, &p->tests[i], all, relation);
	if (!error && (out->relation = rat__strdup(relation)) == NULL)
		error = RAT_ENOMEM;
	if (!error && all && all->ws)
		apply_workspace_quality(out, rat_workspace__defaults(all->ws));
	if (error)
		rat_quality__checks_free(out);
	return error;
}

void rat_quality__checks_free(rat_checks *checks)
{
	size_t i;

	if (!checks)
		return;
	for (i = 0; i < checks->count; i++) {
		free(checks->items[i].name);
		free(checks->items[i].sql);
		free(checks->items[i].expect);
	}
	free(checks->items);
	free(checks->relation);
	memset(checks, 0, sizeof(*checks));
}

int rat_quality__count_rows(rat_engine *engine, const char *sql, int64_t *n)
{
	rat_result *result = NULL;
	rat_buf q = RAT_BUF_INIT;
	int error;

	*n = 0;
	if ((error = rat_buf_printf(&q, "SELECT count(*) FROM (%s\n)", sql)) == 0 &&
	    (error = rat_engine_query(&result, engine, rat_buf_cstr(&q))) == 0 &&
	    (error = rat_result_next(result)) == 1)
		error = rat_result_get_int64(result, 0, n);
	rat_result_free(result);
	rat_buf_free(&q);
	return error;
}

/* A value as text equals the expected integer: as an integer, else as a number (0.0, 1e3). */
static bool same_number(const char *got, const char *expect)
{
	char *end;
	long long n;
	double d;

	errno = 0;
	n = strtoll(got, &end, 10);
	if (end != got && *end == '\0' && !errno)
		return n == strtoll(expect, NULL, 10);
	d = strtod(got, &end);
	return end != got && *end == '\0' && d == strtod(expect, NULL);
}

/* The one value of a query as text ("NULL" for a null); another shape is RAT_EINVALID. */
static int one_value(rat_engine *engine, const rat_check *c, rat_buf *found)
{
	rat_result *result = NULL;
	rat_buf q = RAT_BUF_INIT;
	const char *text = NULL;
	size_t columns = 0;
	int step = 0, error;

	if ((error = rat_buf_printf(&q, "SELECT * FROM (%s\n) LIMIT 2", c->sql)) == 0 &&
	    (error = rat_engine_query(&result, engine, rat_buf_cstr(&q))) == 0 &&
	    (columns = rat_result_column_count(result)) == 1 &&
	    (step = rat_result_next(result)) == 1) {
		if (rat_result_is_null(result, 0))
			error = rat_buf_puts(found, "NULL");
		else if ((error = rat_result_get_text(result, 0, &text, NULL)) == 0)
			error = rat_buf_puts(found, text ? text : "NULL");
		if (!error && (step = rat_result_next(result)) >= 0)
			step = step == 1 ? 2 : 1; /* 2: a second row */
	}
	if (!error && step < 0)
		error = step;
	else if (!error && (columns != 1 || step != 1))
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				       "expect: %s needs the query to return one value (one row of one "
				       "column); it returned %s",
				       c->expect,
				       columns != 1 ? (columns > 1 ? "several columns" : "no column")
				       : step == 0 ? "no row" : "several rows");
	rat_result_free(result);
	rat_buf_free(&q);
	return error;
}

int rat_quality__expect(rat_engine *engine, const rat_check *c, bool *met, rat_buf *found)
{
	int error;

	*met = false;
	rat_buf_clear(found);
	if ((error = one_value(engine, c, found)) != 0)
		return error;
	*met = same_number(rat_buf_cstr(found), c->expect);
	if (*met) {
		rat_buf_clear(found);
	} else {
		char *text = rat_buf_detach(found);
		if (!text)
			return RAT_ENOMEM;
		error = rat_buf_printf(found, "returned %s, expected %s", text, c->expect);
		free(text);
	}
	return error;
}

/* *n: the violations of c: its rows, or with expect:, 1 when its value is not the one expected. */
static int check_violations(rat_engine *engine, const rat_check *c, int64_t *n, rat_buf *what)
{
	bool met;
	int error;

	if (!c->expect) {
		if ((error = rat_quality__count_rows(engine, c->sql, n)) == 0)
			error = rat_buf_printf(what, "%lld violating rows", (long long)*n);
		return error;
	}
	error = rat_quality__expect(engine, c, &met, what);
	*n = met ? 0 : 1;
	return error;
}

int rat_quality__run_checks(rat_check_outcome *out, rat_engine *engine, const rat_pipeline *p,
			    const rat_pipelines *all, const char *relation)
{
	rat_checks checks;
	rat_buf what = RAT_BUF_INIT;
	bool within = false;
	size_t i;
	int error;

	if ((error = rat_quality__checks(&checks, p, all, relation)) != 0)
		return error;
	for (i = 0; !error && i < checks.count; i++) {
		const rat_check *c = &checks.items[i];
		int64_t n = 0;
		rat_buf_clear(&what);
		if ((error = check_violations(engine, c, &n, &what)) != 0) {
			rat_error__prefix("check %s", c->name);
			break;
		}
		if (n && (error = rat_quality__within_share(engine, &checks, c, n, &within)) != 0) {
			rat_error__prefix("check %s", c->name);
			break;
		}
		if (within && (error = rat_buf_puts(&what, ", within quality.warn_threshold")) != 0)
			break;
		if (n == 0)
			out->passed++;
		else if ((c->severity == RAT_SEVERITY_WARN || within) && ++out->warned)
			error = rat_buf_printf(&out->warnings, "%s%s: %s",
					       out->warnings.len ? "\n" : "", c->name,
					       rat_buf_cstr(&what));
		else if (++out->failed)
			error = c->expect ? rat_buf_printf(&out->failures, "%s%s (%s)",
							   out->failures.len ? ", " : "", c->name,
							   rat_buf_cstr(&what))
					  : rat_buf_printf(&out->failures, "%s%s (%lld rows)",
							   out->failures.len ? ", " : "", c->name,
							   (long long)n);
	}
	rat_buf_free(&what);
	rat_quality__checks_free(&checks);
	return error;
}

void rat_quality__check_outcome_free(rat_check_outcome *out)
{
	rat_buf_free(&out->warnings);
	rat_buf_free(&out->failures);
}

int rat_quality__checks_failed(const rat_pipeline *p, const rat_check_outcome *out)
{
	return rat_error__set(RAT_ERROR, RAT_ERRCLASS_PIPELINE, "%s: checks failed in %s: %s", p->key,
			      p->config_display ? p->config_display : p->display,
			      rat_buf_cstr(&out->failures));
}
