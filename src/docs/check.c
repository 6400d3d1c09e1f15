/*
 * pipeline/docs_check.c - `rat docs check`: every rule of SPEC D2 for every
 * pipeline, one finding each, in build order.
 *
 * The README and the lineage pages are compared with what `rat docs
 * generate` would write now (the README with its current manual section),
 * so "up to date" means exactly "generating would not change it". The
 * column rules read the table's columns when the table is on the
 * workspace's branch (what users will query), else the configured ones.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/fs.h"
#include "rat/docs.h"
#include "rat/table.h"
#include "rat/workspace.h"
#include "docs/docs.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DOC_BYTES ((size_t)16 << 20)
#define MIN_DESCRIPTION_CHARS 50

typedef struct checker {
	rat_docs_report *out;
	const rat_docs_model *m;
	int strict;
} checker;

/* A rule's outcome: a failure of a lenient rule is a warning unless strict. */
static rat_docs_status failed(const checker *c, const char *rule)
{
	bool lenient = strcmp(rule, "freshness") == 0 || strcmp(rule, "pii") == 0;
	return lenient && !c->strict ? RAT_DOCS_WARN : RAT_DOCS_FAIL;
}

/* Compare a generated file with what generating would write now. */
static int compare_file(const checker *c, const char *subject, const char *rule,
			const char *display, const rat_buf *want, const rat_buf *have)
{
	const char *a = rat_buf_cstr(have), *b = rat_buf_cstr(want);

	if (have->len == want->len && memcmp(a, b, have->len) == 0)
		return rat_docs__finding(c->out, subject, rule, RAT_DOCS_PASS, "%s is up to date",
					 display);
	return rat_docs__finding(c->out, subject, rule, failed(c, rule),
				 "%s is out of date (run rat docs generate)", display);
}

/* Read a generated file; *found is false when it is missing. */
static int read_doc(rat_buf *text, bool *found, const char *path)
{
	int error = rat_fs__read_file(text, path, MAX_DOC_BYTES);

	*found = error == 0;
	if (error == RAT_ENOTFOUND) {
		rat_error_clear();
		return 0;
	}
	return error;
}

/* readme and lineage: the file is there and generating would not change it. */
static int generated_rule(const checker *c, const rat_pipeline *p, const char *rule,
			  const char *file)
{
	rat_buf have = RAT_BUF_INIT, want = RAT_BUF_INIT;
	char *dir = rat_docs__dir(c->m, p), *path = NULL, *display = NULL, *manual = NULL;
	bool found = false;
	int error;

	if (!dir || (path = rat_fs__join(dir, file)) == NULL ||
	    (display = rat__sprintf("%s/%s", p->folder, file)) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = read_doc(&have, &found, path)) != 0)
		goto cleanup;
	if (!found) {
		error = rat_docs__finding(c->out, p->key, rule, failed(c, rule),
					  "%s is missing (run rat docs generate)", display);
		goto cleanup;
	}
	if (strcmp(rule, "readme") != 0) {
		error = rat_docs__lineage(&want, c->m, p);
	} else if (rat_docs__manual(&manual, rat_buf_cstr(&have), display) != 0) {
		error = rat_docs__finding(c->out, p->key, rule, failed(c, rule), "%s",
					  rat_error_last()->message);
		rat_error_clear();
		goto cleanup;
	} else {
		error = rat_docs__readme(&want, c->m, p, manual);
	}
	if (!error)
		error = compare_file(c, p->key, rule, display, &want, &have);
cleanup:
	rat_buf_free(&have);
	rat_buf_free(&want);
	free(dir);
	free(path);
	free(display);
	free(manual);
	return error;
}

/* Characters (UTF-8 code points) of s. */
static size_t chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static int description_rule(const checker *c, const rat_pipeline *p)
{
	size_t n = p->description ? chars(p->description) : 0;

	if (!p->description || !*p->description)
		return rat_docs__finding(c->out, p->key, "description", failed(c, "description"),
					 "missing (set description: in the config, at least %d "
					 "chars)",
					 MIN_DESCRIPTION_CHARS);
	if (n < MIN_DESCRIPTION_CHARS)
		return rat_docs__finding(c->out, p->key, "description", failed(c, "description"),
					 "%zu chars, need %d", n, MIN_DESCRIPTION_CHARS);
	return rat_docs__finding(c->out, p->key, "description", RAT_DOCS_PASS, "%zu chars", n);
}

/*
 * An owner names a team or an email. A plain string counts as a team; a
 * mapping with only slack becomes "(#channel)" (pipeline/config.c) and
 * does not count.
 */
static int owner_rule(const checker *c, const rat_pipeline *p)
{
	const char *o = p->owner;

	if (!o || !*o)
		return rat_docs__finding(c->out, p->key, "owner", failed(c, "owner"),
					 "missing (set owner: {team, email})");
	if (o[0] == '(' && !strchr(o, '@'))
		return rat_docs__finding(c->out, p->key, "owner", failed(c, "owner"),
					 "'%s' has no team or email", o);
	return rat_docs__finding(c->out, p->key, "owner", RAT_DOCS_PASS, "%s", o);
}

/* The columns the column rules look at: the table's, else the config's. */
static int column_names(rat_strarray *out, const checker *c, const rat_pipeline *p)
{
	const rat_table_info *t = rat_docs__table(c->m, p->key);
	const char *type;
	size_t i;
	int error = 0;

	for (i = 0; !error && t && i < t->column_count; i++)
		error = rat_strarray__push_owned(out, rat__strndup(t->columns[i],
						 rat_docs__split_column(t->columns[i], &type)));
	for (i = 0; !error && !t && i < p->column_count; i++)
		error = rat_strarray__push(out, p->columns[i].name);
	return error;
}

/* pii and column_descriptions: every column marked / described. */
static int column_rule(const checker *c, const rat_pipeline *p, const rat_strarray *names,
		       const char *rule)
{
	bool pii = strcmp(rule, "pii") == 0;
	rat_buf missing = RAT_BUF_INIT;
	size_t i, n = 0;
	int error = 0;

	if (names->count == 0)
		return rat_docs__finding(c->out, p->key, rule, failed(c, rule),
					 "no columns: none in the config's columns: and %s table "
					 "on %s%s",
					 rat_docs__unreadable(c->m, p->key) ? "an unreadable" : "no",
					 rat_workspace_branch(c->m->ws),
					 rat_docs__unreadable(c->m, p->key) ? "" : " yet");
	for (i = 0; !error && i < names->count; i++) {
		const rat_column_config *col = rat_docs__column(p, names->strings[i]);
		const char *name = names->strings[i];
		if (!col || !(pii ? col->pii_set : col->description && *col->description))
			error = rat_buf_printf(&missing, "%s%s", n++ ? ", " : "", name);
	}
	if (!error && n && pii)
		error = rat_docs__finding(c->out, p->key, rule, failed(c, rule),
					  "not marked: %s (set pii: true or false)",
					  rat_buf_cstr(&missing));
	else if (!error && n)
		error = rat_docs__finding(c->out, p->key, rule, failed(c, rule),
					  "no description: %s (set description:)",
					  rat_buf_cstr(&missing));
	else if (!error)
		error = rat_docs__finding(c->out, p->key, rule, RAT_DOCS_PASS, "%zu column%s %s",
					  names->count, names->count == 1 ? "" : "s",
					  pii ? "marked" : "described");
	rat_buf_free(&missing);
	return error;
}

static int dictionary_rule(const checker *c, const rat_pipeline *p)
{
	char *display = rat__sprintf("%s/docs/data_dictionary.md", p->folder);
	char *path = display ? rat_fs__join(rat_workspace_path(c->m->ws), display) : NULL;
	int error;

	if (!path)
		error = RAT_ENOMEM;
	else if (rat_fs__is_file(path))
		error = rat_docs__finding(c->out, p->key, "data_dictionary", RAT_DOCS_PASS,
					  "%s is there", display);
	else
		error = rat_docs__finding(c->out, p->key, "data_dictionary",
					  failed(c, "data_dictionary"),
					  "%s is missing (run rat docs generate)", display);
	free(display);
	free(path);
	return error;
}

static int freshness_rule(const checker *c, const rat_pipeline *p)
{
	rat_buf text = RAT_BUF_INIT;
	int error;

	if (!p->warn_after_s && !p->error_after_s)
		return rat_docs__finding(c->out, p->key, "freshness", failed(c, "freshness"),
					 "not configured (set freshness: {column, warn_after, "
					 "error_after})");
	if ((error = rat_docs__freshness(&text, p)) == 0)
		error = rat_docs__finding(c->out, p->key, "freshness", RAT_DOCS_PASS, "%s",
					  rat_buf_cstr(&text));
	rat_buf_free(&text);
	return error;
}

static int check_one(const checker *c, const rat_pipeline *p)
{
	rat_strarray names = RAT_STRARRAY_INIT;
	int error;

	if ((error = generated_rule(c, p, "readme", "README.md")) == 0 &&
	    (error = description_rule(c, p)) == 0 && (error = owner_rule(c, p)) == 0 &&
	    (error = column_names(&names, c, p)) == 0 &&
	    (error = column_rule(c, p, &names, "pii")) == 0 &&
	    (error = dictionary_rule(c, p)) == 0 &&
	    (error = column_rule(c, p, &names, "column_descriptions")) == 0 &&
	    (error = freshness_rule(c, p)) == 0)
		error = generated_rule(c, p, "lineage", "docs/lineage.md");
	rat_strarray_free(&names);
	return error;
}

/* The workspace's lineage page: there, and what generating would write. */
static int workspace_rule(const checker *c)
{
	rat_buf have = RAT_BUF_INIT, want = RAT_BUF_INIT;
	char *path = rat__sprintf("%s/docs/lineage.md", rat_workspace_path(c->m->ws));
	bool found;
	int error;

	if (!path)
		return RAT_ENOMEM;
	if ((error = read_doc(&have, &found, path)) == 0 && !found)
		error = rat_docs__finding(c->out, "workspace", "lineage", failed(c, "lineage"),
					  "docs/lineage.md is missing (run rat docs generate)");
	else if (!error && (error = rat_docs__workspace_lineage(&want, c->m)) == 0)
		error = compare_file(c, "workspace", "lineage", "docs/lineage.md", &want, &have);
	rat_buf_free(&have);
	rat_buf_free(&want);
	free(path);
	return error;
}

int rat_docs_check(rat_docs_report *out, const rat_workspace *ws, int strict)
{
	rat_docs_model m;
	checker c = { out, &m, strict };
	size_t i;
	int error;

	memset(out, 0, sizeof(*out));
	if ((error = rat_docs__load(&m, ws)) != 0)
		return error;
	if ((error = rat_docs__load_tables(&m, NULL)) != 0)
		goto cleanup;
	for (i = 0; !error && i < m.all.count; i++) {
		out->pipeline_count++;
		error = check_one(&c, &m.all.items[m.order[i]]);
	}
	if (!error)
		error = workspace_rule(&c);
cleanup:
	if (error)
		rat_docs_report_free(out);
	rat_docs__model_free(&m);
	return error;
}
