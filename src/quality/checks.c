/*
 * pipeline/checks.c - a pipeline's checks as SQL: its column tests
 * (not_null, unique, positive, accepted_values, min, max) and its tests[].
 *
 * Every check is a query whose rows are violations, so a run (which fails
 * on an error-severity violation before publishing), a table write
 * (rat_engine_write_table) and `rat test` count and show them the same way.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/sql.h"
#include "quality/quality.h"
#include "template/template.h"

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
	return c->name && c->sql ? 0 : RAT_ENOMEM;
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
	}
	free(checks->items);
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

int rat_quality__run_checks(rat_check_outcome *out, rat_engine *engine, const rat_pipeline *p,
			    const rat_pipelines *all, const char *relation)
{
	rat_checks checks;
	size_t i;
	int error;

	if ((error = rat_quality__checks(&checks, p, all, relation)) != 0)
		return error;
	for (i = 0; !error && i < checks.count; i++) {
		const rat_check *c = &checks.items[i];
		int64_t n = 0;
		if ((error = rat_quality__count_rows(engine, c->sql, &n)) != 0) {
			rat_error__prefix("check %s", c->name);
			break;
		}
		if (n == 0)
			out->passed++;
		else if (c->severity == RAT_SEVERITY_WARN && ++out->warned)
			error = rat_buf_printf(&out->warnings, "%s%s: %lld violating rows",
					       out->warnings.len ? "\n" : "", c->name, (long long)n);
		else if (++out->failed)
			error = rat_buf_printf(&out->failures, "%s%s (%lld rows)",
					       out->failures.len ? ", " : "", c->name, (long long)n);
	}
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
