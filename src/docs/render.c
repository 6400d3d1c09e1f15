/*
 * pipeline/docs_render.c - a pipeline's README.md and data dictionary, and
 * the Markdown pieces every generated document uses.
 *
 * The README's generated part comes from the configuration and the DAG
 * only, never from the catalog, so `rat docs check` can tell whether it is
 * up to date whatever has been run since. The data dictionary also shows
 * the table's actual columns, and so changes when the table does.
 */
#include "util/common.h"
#include "util/buf.h"
#include "rat/table.h"
#include "rat/workspace.h"
#include "docs/docs.h"

#include <inttypes.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define NO_DESCRIPTION "No description yet: set `description:` in the config."

static const char *const kind_names[] = { "sql", "python", "shell", "command" };
static const char *const materializations[] = { "table", "view", "incremental" };

int rat_docs__cell(rat_buf *out, const char *text)
{
	const char *c;
	int error = 0;

	if (!text || !*text)
		return rat_buf_putc(out, '-');
	for (c = text; !error && *c; c++) {
		if (*c == '|')
			error = rat_buf_puts(out, "\\|");
		else if (*c == '\n' || *c == '\r' || *c == '\t')
			error = rat_buf_putc(out, ' ');
		else
			error = rat_buf_putc(out, *c);
	}
	return error;
}

/* Text with every run of white space made one space, trimmed. */
static int collapsed(rat_buf *out, const char *text)
{
	bool space = false, any = false;
	const char *c;
	int error = 0;

	for (c = text; !error && *c; c++) {
		if (strchr(" \t\r\n", *c)) {
			space = any;
			continue;
		}
		if (space)
			error = rat_buf_putc(out, ' ');
		if (!error)
			error = rat_buf_putc(out, *c);
		space = false;
		any = true;
	}
	return error;
}

int rat_docs__duration(rat_buf *out, int64_t s)
{
	if (s % 86400 == 0)
		return rat_buf_printf(out, "%" PRId64 "d", s / 86400);
	if (s % 3600 == 0)
		return rat_buf_printf(out, "%" PRId64 "h", s / 3600);
	if (s % 60 == 0)
		return rat_buf_printf(out, "%" PRId64 "m", s / 60);
	return rat_buf_printf(out, "%" PRId64 "s", s);
}

const char *rat_docs__freshness_column(const rat_pipeline *p)
{
	if (!p->freshness_column && strcmp(p->layer, "bronze") == 0)
		return "_ingested_at";
	return p->freshness_column;
}

int rat_docs__freshness(rat_buf *out, const rat_pipeline *p)
{
	int error = 0;

	if (p->warn_after_s && (error = rat_buf_puts(out, "warn after ")) == 0)
		error = rat_docs__duration(out, p->warn_after_s);
	if (!error && p->error_after_s &&
	    (error = rat_buf_puts(out, p->warn_after_s ? ", error after " : "error after ")) == 0)
		error = rat_docs__duration(out, p->error_after_s);
	return error;
}

int rat_docs__test_words(rat_buf *out, const char *column, const rat_column_test *t)
{
	size_t i;
	int error = rat_buf_printf(out, "`%s` must ", column);

	switch (t->check) {
	case RAT_CHECK_NOT_NULL: error = error ? error : rat_buf_puts(out, "not be null"); break;
	case RAT_CHECK_UNIQUE:
		error = error ? error : rat_buf_puts(out, "be unique (no two rows share a value)");
		break;
	case RAT_CHECK_POSITIVE: error = error ? error : rat_buf_puts(out, "be positive"); break;
	case RAT_CHECK_MIN:
		error = error ? error : rat_buf_printf(out, "be at least %s", t->bound);
		break;
	case RAT_CHECK_MAX:
		error = error ? error : rat_buf_printf(out, "be at most %s", t->bound);
		break;
	case RAT_CHECK_ACCEPTED_VALUES:
		error = error ? error : rat_buf_puts(out, "be one of ");
		for (i = 0; !error && i < t->values.count; i++)
			error = rat_buf_printf(out, "%s%s", i ? ", " : "", t->values.strings[i]);
		break;
	}
	if (!error && t->severity == RAT_SEVERITY_WARN)
		error = rat_buf_puts(out, " (a warning, not an error)");
	return error;
}

/* A column's tests, short: "not_null, accepted_values (a, b), max 20 (warn)". */
static int tests_short(rat_buf *out, const rat_column_config *c)
{
	static const char *const names[] = { "not_null", "unique", "positive", "accepted_values",
					      "min", "max" };
	size_t i, j;
	int error = 0;

	if (c->test_count == 0)
		return rat_buf_putc(out, '-');
	for (i = 0; !error && i < c->test_count; i++) {
		const rat_column_test *t = &c->tests[i];
		error = rat_buf_printf(out, "%s%s", i ? ", " : "", names[t->check]);
		if (!error && t->bound)
			error = rat_buf_printf(out, " %s", t->bound);
		for (j = 0; !error && j < t->values.count; j++)
			error = rat_buf_printf(out, "%s%s", j ? ", " : " (", t->values.strings[j]);
		if (!error && t->values.count)
			error = rat_buf_putc(out, ')');
		if (!error && t->severity == RAT_SEVERITY_WARN)
			error = rat_buf_puts(out, " (warn)");
	}
	return error;
}

/* "yes", "yes (email)" with a pii_type, "no", "not marked" (into buf, which it may use). */
static const char *pii_text(const rat_column_config *c, char *buf, size_t len)
{
	if (!c || !c->pii_set)
		return "not marked";
	if (c->pii && c->pii_type) {
		snprintf(buf, len, "yes (%s)", c->pii_type);
		return buf;
	}
	return c->pii ? "yes" : "no";
}

/* items joined by ", " */
static int join(rat_buf *out, const char *const *items, size_t count)
{
	size_t i;
	int error = 0;

	for (i = 0; !error && i < count; i++)
		error = rat_buf_printf(out, "%s%s", i ? ", " : "", items[i]);
	return error;
}

int rat_docs__row(rat_buf *out, const char *const *cells, size_t count)
{
	size_t i;
	int error = 0;

	for (i = 0; !error && i < count; i++)
		if ((error = rat_buf_puts(out, "| ")) == 0 &&
		    (error = rat_docs__cell(out, cells[i])) == 0)
			error = rat_buf_putc(out, ' ');
	return error ? error : rat_buf_puts(out, "|\n");
}

int rat_docs__partitioning(rat_buf *out, const rat_docs_model *m, const rat_pipeline *p)
{
	rat_layer_settings settings;
	rat_layer layer;
	int error;

	if (p->partition_by_set || p->materialized == RAT_MATERIALIZE_VIEW)
		return join(out, (const char *const *)p->partition_by.strings,
			    p->partition_by.count);
	if (rat_layer_parse(&layer, p->layer) != 0)
		return 0;
	rat_workspace_layer(m->ws, layer, &settings);
	error = join(out, settings.partition_by, settings.partition_by_count);
	if (!error && settings.partition_by_count)
		error = rat_buf_puts(out, " (the layer's default, where the query has it)");
	return error;
}

/* One "| name | value |" row of the settings table; clears value. */
static int setting(rat_buf *out, const char *name, rat_buf *value)
{
	const char *cells[2];
	int error;

	cells[0] = name;
	cells[1] = rat_buf_cstr(value);
	error = rat_docs__row(out, cells, 2);
	rat_buf_clear(value);
	return error;
}

static int freshness_setting(rat_buf *v, const rat_pipeline *p)
{
	const char *column = rat_docs__freshness_column(p);
	int error;

	if (!p->warn_after_s && !p->error_after_s)
		return rat_buf_puts(v, "not configured");
	if ((error = rat_docs__freshness(v, p)) != 0)
		return error;
	return column ? rat_buf_printf(v, " (newest %s)", column)
		      : rat_buf_puts(v, " (since the last commit)");
}

static int settings_table(rat_buf *out, const rat_docs_model *m, const rat_pipeline *p)
{
	rat_buf v = RAT_BUF_INIT;
	const char *file = strrchr(p->display, '/');
	const char *config = p->config_display ? strrchr(p->config_display, '/') : NULL;
	int error = rat_buf_puts(out, "| setting | value |\n| --- | --- |\n");

	if (!error && (error = rat_buf_puts(&v, p->owner ? p->owner : "")) == 0)
		error = setting(out, "owner", &v);
	if (!error && !p->source_path) /* a command: its YAML is its file */
		error = rat_buf_printf(&v, "command `%s` (%s)", p->command ? p->command : "",
				       file ? file + 1 : p->display);
	else if (!error)
		error = rat_buf_printf(&v, "%s (%s%s%s)", kind_names[p->kind],
				       file ? file + 1 : p->display, config ? ", " : "",
				       config ? config + 1 : "");
	if (!error)
		error = setting(out, "kind", &v);
	if (!error && (error = rat_buf_puts(&v, materializations[p->materialized])) == 0)
		error = setting(out, "materialized", &v);
	if (!error && (error = join(&v, (const char *const *)p->unique_key.strings,
				    p->unique_key.count)) == 0)
		error = setting(out, "unique key", &v);
	if (!error && (error = rat_docs__partitioning(&v, m, p)) == 0)
		error = setting(out, "partitioned by", &v);
	if (!error && p->landing)
		error = rat_buf_printf(&v, "landing/%s", p->landing);
	if (!error)
		error = setting(out, "landing folder", &v);
	if (!error && (error = freshness_setting(&v, p)) == 0)
		error = setting(out, "freshness", &v);
	rat_buf_free(&v);
	return error;
}

/* Upstream: what p reads; downstream: the pipelines that ref() it, in build order. */
static int neighbours(rat_buf *out, const rat_docs_model *m, const rat_pipeline *p)
{
	size_t i, n = 0;
	int error = rat_buf_puts(out, "## Upstream\n\n");

	for (i = 0; !error && i < p->deps.count; i++)
		error = rat_buf_printf(out, "- `%s`\n", p->deps.strings[i]);
	if (!error && p->landing)
		error = rat_buf_printf(out, "- `landing/%s`\n", p->landing);
	if (!error && !p->deps.count && !p->landing)
		error = rat_buf_puts(out, "None.\n");
	if (!error)
		error = rat_buf_puts(out, "\n## Downstream\n\n");
	for (i = 0; !error && i < m->all.count; i++) {
		const rat_pipeline *q = &m->all.items[m->order[i]];
		if (!rat_strarray__contains(&q->deps, p->key))
			continue;
		error = rat_buf_printf(out, "- `%s`\n", q->key);
		n++;
	}
	if (!error && n == 0)
		error = rat_buf_puts(out, "None: no pipeline reads this table.\n");
	return error;
}

static int columns_table(rat_buf *out, const rat_pipeline *p)
{
	rat_buf tests = RAT_BUF_INIT;
	const char *cells[5];
	char pii[160];
	size_t i;
	int error = rat_buf_puts(out, "\n## Columns\n\n");

	if (!error && p->column_count == 0)
		return rat_buf_puts(out, "None documented: add `columns:` to the config.\n");
	if (!error)
		error = rat_buf_puts(out, "| column | type | description | pii | tests |\n"
					  "| --- | --- | --- | --- | --- |\n");
	for (i = 0; !error && i < p->column_count; i++) {
		const rat_column_config *c = &p->columns[i];
		rat_buf_clear(&tests);
		if ((error = tests_short(&tests, c)) != 0)
			break;
		cells[0] = c->name;
		cells[1] = c->type;
		cells[2] = c->description;
		cells[3] = pii_text(c, pii, sizeof(pii));
		cells[4] = rat_buf_cstr(&tests);
		error = rat_docs__row(out, cells, 5);
	}
	rat_buf_free(&tests);
	return error;
}

static int tests_list(rat_buf *out, const rat_pipeline *p)
{
	size_t i;
	int error = rat_buf_puts(out, "\n## Tests\n\n");

	for (i = 0; !error && i < p->test_count; i++) {
		const rat_config_test *t = &p->tests[i];
		const char *severity = t->severity == RAT_SEVERITY_WARN ? "warn" : "error";
		if ((error = rat_buf_printf(out, "- `%s` (%s%s%s): `", t->name, severity,
					    t->expect ? ", expect " : "",
					    t->expect ? t->expect : "")) == 0 &&
		    (error = collapsed(out, t->sql)) == 0)
			error = rat_buf_puts(out, "`\n");
	}
	if (!error && p->test_count == 0)
		error = rat_buf_puts(out, "None in `tests:`.\n");
	return error;
}

int rat_docs__readme(rat_buf *out, const rat_docs_model *m, const rat_pipeline *p,
		     const char *manual)
{
	int error;

	error = rat_buf_printf(out, "<!-- Generated by `rat docs generate`: edit only between "
				    "the manual markers below; the rest is rewritten. -->\n"
				    "# %s\n\n%s\n\n",
			       p->key, p->description ? p->description : NO_DESCRIPTION);
	if (!error)
		error = settings_table(out, m, p);
	if (!error && (error = rat_buf_putc(out, '\n')) == 0)
		error = neighbours(out, m, p);
	if (!error)
		error = columns_table(out, p);
	if (!error)
		error = tests_list(out, p);
	if (!error && p->documentation)
		error = rat_buf_printf(out, "\n## Documentation\n\n%s%s", p->documentation,
				       rat__str_has_suffix(p->documentation, "\n") ? "" : "\n");
	else if (!error && (p->doc_tags.count || p->doc_rule_count))
		if ((error = rat_buf_puts(out, "\n## Documentation\n\n")) == 0 &&
		    (error = rat_docs__tags(out, p)) == 0)
			error = rat_buf_printf(out, "%zu business rule%s (see the business rules).\n",
					       p->doc_rule_count, p->doc_rule_count == 1 ? "" : "s");
	if (!error)
		error = rat_buf_printf(out, "\n## More\n\n"
					    "- [Data dictionary](docs/data_dictionary.md)\n"
					    "- [Business rules](docs/business_rules.md)\n"
					    "- [Lineage](docs/lineage.md)\n\n## Notes\n\n"
					    "<!-- Write between the markers: rat docs generate "
					    "keeps it. -->\n"
					    "<!-- manual:start -->%s<!-- manual:end -->\n",
				       manual);
	return error;
}

/* One row of the data dictionary: a column of the table and/or of the config. */
static int dictionary_row(rat_buf *out, const char *name, const char *table_type,
			  const rat_column_config *c, const char *note)
{
	rat_buf type = RAT_BUF_INIT;
	const char *cells[6];
	char pii[160];
	int error = 0;

	if (table_type && c && c->type && strcasecmp(c->type, table_type) != 0)
		error = rat_buf_printf(&type, "%s (documented as %s)", table_type, c->type);
	else if (table_type || (c && c->type))
		error = rat_buf_puts(&type, table_type ? table_type : c->type);
	cells[0] = name;
	cells[1] = rat_buf_cstr(&type);
	cells[2] = c ? c->description : NULL;
	cells[3] = pii_text(c, pii, sizeof(pii));
	cells[4] = c ? c->example : NULL;
	cells[5] = note;
	if (!error)
		error = rat_docs__row(out, cells, 6);
	rat_buf_free(&type);
	return error;
}

static bool in_table(const rat_table_info *t, const char *name)
{
	const char *type;
	size_t i, len;

	for (i = 0; t && i < t->column_count; i++) {
		len = rat_docs__split_column(t->columns[i], &type);
		if (strlen(name) == len && strncasecmp(t->columns[i], name, len) == 0)
			return true;
	}
	return false;
}

static int dictionary_rows(rat_buf *out, const rat_pipeline *p, const rat_table_info *t)
{
	size_t i, undocumented = 0, missing = 0;
	const char *type;
	int error = 0;

	for (i = 0; !error && t && i < t->column_count; i++) {
		size_t len = rat_docs__split_column(t->columns[i], &type);
		char *name = rat__strndup(t->columns[i], len);
		const rat_column_config *c = name ? rat_docs__column(p, name) : NULL;

		if (!name)
			return RAT_ENOMEM;
		undocumented += c == NULL;
		error = dictionary_row(out, name, type, c, c ? "" : "undocumented");
		free(name);
	}
	for (i = 0; !error && i < p->column_count; i++) {
		if (in_table(t, p->columns[i].name))
			continue;
		missing += t != NULL;
		error = dictionary_row(out, p->columns[i].name, NULL, &p->columns[i],
				       t ? "documented, not in the table" : "");
	}
	if (!error && (undocumented || missing))
		error = rat_buf_printf(out, "\n%zu column%s of the table undocumented; "
					    "%zu documented column%s not in the table.\n",
				       undocumented, undocumented == 1 ? "" : "s", missing,
				       missing == 1 ? "" : "s");
	return error;
}

int rat_docs__data_dictionary(rat_buf *out, const rat_docs_model *m, const rat_pipeline *p)
{
	const rat_table_info *t = rat_docs__table(m, p->key);
	const char *branch = rat_workspace_branch(m->ws);
	int error;

	error = rat_buf_printf(out, GENERATED "# Data dictionary: %s\n\n%s%s", p->key,
			       p->description ? p->description : "", p->description ? "\n\n" : "");
	if (!error && t)
		error = rat_buf_printf(out, "The %s on `%s` has %zu column%s; the types are the "
					    "%s's.\n\n",
				       t->kind, branch, t->column_count,
				       t->column_count == 1 ? "" : "s", t->kind);
	else if (!error && rat_docs__unreadable(m, p->key))
		error = rat_buf_printf(out, "The table on `%s` could not be read (%s): the columns "
					    "as configured.\n\n",
				       branch, rat_docs__unreadable(m, p->key));
	else if (!error)
		error = rat_buf_printf(out, "Not built on `%s` yet: the columns as configured.\n\n",
				       branch);
	if (!error && !t && p->column_count == 0)
		return rat_buf_puts(out, "No columns documented: add `columns:` to the config.\n");
	if (!error)
		error = rat_buf_puts(out, "| column | type | description | pii | example | note |\n"
					  "| --- | --- | --- | --- | --- | --- |\n");
	return error ? error : dictionary_rows(out, p, t);
}
