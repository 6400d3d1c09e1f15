/*
 * pipeline/docs.c - what `rat docs generate` and `rat docs check` share:
 * the model (pipelines in build order, tables of the workspace's branch),
 * the README's manual section, and the report.
 */
#include "util/common.h"
#include "util/buf.h"
#include "rat/docs.h"
#include "rat/table.h"
#include "rat/workspace.h"
#include "docs/docs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MANUAL_START "<!-- manual:start -->"
#define MANUAL_END "<!-- manual:end -->"

int rat_docs__load(rat_docs_model *m, const rat_workspace *ws)
{
	rat_strarray known = RAT_STRARRAY_INIT;
	int error;

	memset(m, 0, sizeof(*m));
	m->ws = ws;
	if ((error = rat_pipeline__load_all(&m->all, ws)) == 0 &&
	    (error = rat_pipeline__known_refs(&known, ws)) == 0)
		error = rat_pipeline__order(&m->order, &m->all, &known);
	rat_strarray_free(&known);
	if (error)
		rat_docs__model_free(m);
	return error;
}

int rat_docs__load_tables(rat_docs_model *m, const char *key)
{
	int error;

	rat_table_list_free(&m->tables);
	error = rat_table_list_get(&m->tables, m->ws, NULL, key);
	if (key && error && error != RAT_ENOTFOUND && error != RAT_ENOMEM) {
		/* that table cannot be read: the listing of all says so in its entry */
		rat_error_clear();
		error = rat_table_list_get(&m->tables, m->ws, NULL, NULL);
	}
	if (error == RAT_ENOTFOUND) { /* no branch or no such table yet: nothing built */
		rat_error_clear();
		return 0;
	}
	if (error)
		rat_error__prefix("reading the tables of %s", rat_workspace_branch(m->ws));
	return error;
}

void rat_docs__model_free(rat_docs_model *m)
{
	if (!m)
		return;
	rat_pipelines_free(&m->all);
	rat_table_list_free(&m->tables);
	free(m->order);
	m->order = NULL;
}

/* The entry of key in the listing, readable or not; NULL when it has none. */
static const rat_table_info *entry(const rat_docs_model *m, const char *key)
{
	size_t i;

	for (i = 0; i < m->tables.count; i++)
		if (strcmp(m->tables.items[i].key, key) == 0)
			return &m->tables.items[i];
	return NULL;
}

const rat_table_info *rat_docs__table(const rat_docs_model *m, const char *key)
{
	const rat_table_info *t = entry(m, key);

	return t && !t->error[0] ? t : NULL;
}

const char *rat_docs__unreadable(const rat_docs_model *m, const char *key)
{
	const rat_table_info *t = entry(m, key);

	return t && t->error[0] ? t->error : NULL;
}

const rat_column_config *rat_docs__column(const rat_pipeline *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->column_count; i++)
		if (strcasecmp(p->columns[i].name, name) == 0)
			return &p->columns[i];
	return NULL;
}

size_t rat_docs__split_column(const char *column, const char **type)
{
	const char *space = strchr(column, ' ');

	*type = space ? space + 1 : "";
	return space ? (size_t)(space - column) : strlen(column);
}

char *rat_docs__dir(const rat_docs_model *m, const rat_pipeline *p)
{
	return rat__sprintf("%s/%s", rat_workspace_path(m->ws), p->folder);
}

/* The markers of a manual section: rat's, then the original Ratatouille's. */
static const char *const markers[][2] = {
	{ MANUAL_START, MANUAL_END },
	{ "<!-- MANUAL CONTENT START -->", "<!-- MANUAL CONTENT END -->" },
};

int rat_docs__manual(char **manual, const char *readme, const char *display)
{
	const char *start = NULL, *end, *open = NULL, *close = NULL;
	size_t i;

	for (i = 0; readme && !start && i < RAT_ARRAY_SIZE(markers); i++) {
		open = markers[i][0];
		close = markers[i][1];
		start = strstr(readme, open);
	}
	if (!readme)
		*manual = rat__strdup("\n");
	else if (!start)
		*manual = rat__strdup(readme); /* written by hand: keep all of it */
	else if ((end = strstr(start + strlen(open), close)) == NULL)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				      "%s: %s has no %s after it (add it where the manual section "
				      "ends)", display, open, close);
	else
		*manual = rat__strndup(start + strlen(open), (size_t)(end - start) - strlen(open));
	return *manual ? 0 : RAT_ENOMEM;
}

int rat_docs__finding(rat_docs_report *r, const char *subject, const char *rule,
		      rat_docs_status status, const char *fmt, ...)
{
	rat_docs_finding *items, *f;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "bad format '%s'", fmt);
	items = rat__realloc(r->findings, (r->finding_count + 1) * sizeof(*items));
	if (!items)
		return RAT_ENOMEM;
	r->findings = items;
	f = &items[r->finding_count++]; /* counted at once, so that a half-made one is freed */
	f->subject = rat__strdup(subject);
	f->rule = rat__strdup(rule);
	f->status = status;
	if ((f->message = rat__malloc((size_t)n + 1)) != NULL) {
		va_start(ap, fmt);
		vsnprintf((char *)f->message, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	if (!f->subject || !f->rule || !f->message)
		return RAT_ENOMEM;
	if (status == RAT_DOCS_FAIL)
		r->fail_count++;
	else if (status == RAT_DOCS_WARN)
		r->warn_count++;
	else
		r->pass_count++;
	return 0;
}

void rat_docs_report_free(rat_docs_report *r)
{
	size_t i;

	if (!r)
		return;
	rat_strarray_free(&r->written);
	rat_strarray_free(&r->unchanged);
	for (i = 0; i < r->finding_count; i++) {
		free((char *)r->findings[i].subject);
		free((char *)r->findings[i].rule);
		free((char *)r->findings[i].message);
	}
	free(r->findings);
	memset(r, 0, sizeof(*r));
}
