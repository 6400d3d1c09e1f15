/*
 * pipeline/docs_rules.c - a pipeline's business rules (docs/business_rules.md):
 * the config's documentation, the filters of its SQL, its column tests in
 * words, its tests[] and its freshness.
 *
 * The filters are the top-level WHERE conditions of the SQL rendered for a
 * full build (ref() as layer.name, is_incremental() false, watermarks
 * NULL, run variables and environment variables at their defaults), found
 * by a small scanner that knows comments, quotes and parentheses: a
 * documented heuristic, not a SQL parser.
 */
#include "util/common.h"
#include "util/buf.h"
#include "docs/docs.h"
#include "template/template.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_SQL_BYTES ((size_t)4 << 20)

/* SQL with its comments replaced by a space; quoted text kept as it is. */
static int strip_comments(rat_buf *out, const char *sql)
{
	const char *c = sql;
	int error = 0;

	while (!error && *c) {
		if (c[0] == '-' && c[1] == '-') {
			while (*c && *c != '\n')
				c++;
			error = rat_buf_putc(out, ' ');
		} else if (c[0] == '/' && c[1] == '*') {
			const char *end = strstr(c + 2, "*/");
			c = end ? end + 2 : c + strlen(c);
			error = rat_buf_putc(out, ' ');
		} else if (*c == '\'' || *c == '"') {
			const char *start = c;
			char q = *c++;
			while (*c && (*c != q || c[1] == q))
				c += *c == q ? 2 : 1; /* '' and "" escape the quote */
			c += *c != '\0';
			error = rat_buf_put(out, start, (size_t)(c - start));
		} else {
			error = rat_buf_putc(out, *c++);
		}
	}
	return error;
}

static bool word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* True when the keyword at s (a whole word) ends a WHERE clause. */
static bool ends_where(const char *s, size_t n)
{
	static const char *const words[] = { "group",  "having", "qualify",   "window",
					     "order",  "limit",  "offset",    "union",
					     "intersect", "except", "fetch",  "returning" };
	size_t i;

	for (i = 0; i < RAT_ARRAY_SIZE(words); i++)
		if (strlen(words[i]) == n && strncasecmp(s, words[i], n) == 0)
			return true;
	return false;
}

static int push_condition(rat_strarray *out, const char *from, const char *to)
{
	rat_buf text = RAT_BUF_INIT;
	bool space = false;
	int error = 0;

	for (; !error && from < to; from++) {
		if (isspace((unsigned char)*from)) {
			space = text.len > 0;
			continue;
		}
		if (space)
			error = rat_buf_putc(&text, ' ');
		if (!error)
			error = rat_buf_putc(&text, *from);
		space = false;
	}
	if (!error && text.len)
		error = rat_strarray__push(out, rat_buf_cstr(&text));
	rat_buf_free(&text);
	return error;
}

int rat_docs__where(rat_strarray *out, const char *sql)
{
	rat_buf text = RAT_BUF_INIT;
	const char *c, *start = NULL;
	int depth = 0, error;

	if ((error = strip_comments(&text, sql)) != 0)
		goto cleanup;
	for (c = rat_buf_cstr(&text); !error && *c;) {
		size_t n = 0;
		if (*c == '\'' || *c == '"') {
			char q = *c++;
			while (*c && (*c != q || c[1] == q))
				c += *c == q ? 2 : 1;
			c += *c != '\0';
			continue;
		}
		if (*c == '(' || *c == ')') {
			depth += *c++ == '(' ? 1 : -1;
			continue;
		}
		if (depth == 0 && start && *c == ';') {
			error = push_condition(out, start, c);
			start = NULL;
		}
		if (!word_char(*c) || (c > rat_buf_cstr(&text) && word_char(c[-1]))) {
			c++;
			continue;
		}
		while (word_char(c[n]))
			n++;
		if (depth == 0 && start && ends_where(c, n)) {
			error = push_condition(out, start, c);
			start = NULL;
		}
		if (depth == 0 && !start && n == 5 && strncasecmp(c, "where", 5) == 0)
			start = c + n;
		c += n;
	}
	if (!error && start)
		error = push_condition(out, start, c);
cleanup:
	rat_buf_free(&text);
	return error;
}

/* ref('layer.name') renders as layer.name: the documents name tables as keys. */
/* The documented pipeline and all the pipelines: what a bare ref(name) needs. */
typedef struct doc_refs {
	const rat_pipelines *all;
	const rat_pipeline *p;
} doc_refs;

/* ref(name) as the key it names. */
static int ref_key(void *ctx, const char *name, rat_buf *out)
{
	const doc_refs *r = ctx;
	const char *key = name;

	/* discovery refused an ambiguous bare name already: this finds the one */
	rat__ignore(rat_pipeline__resolve_ref(&key, r->all, r->p, name));
	return rat_buf_puts(out, key);
}

static const char *no_value(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
	return NULL; /* the default of var(): the same on every machine */
}

static int no_env(void *ctx, const char *name, const char **value)
{
	(void)ctx;
	(void)name;
	*value = NULL; /* the default of env_var(): the same on every machine */
	return 0;
}

static int masked_secret(void *ctx, const char *name, const char **value)
{
	(void)ctx;
	(void)name;
	*value = "***"; /* the documents never hold a secret, nor need one */
	return 0;
}

/* The filters of p's SQL, rendered for a full build; *note says when it would not render. */
static int filters(rat_strarray *out, char **note, const rat_docs_model *m, const rat_pipeline *p)
{
	rat_template_context tc = RAT_TEMPLATE_CONTEXT_INIT;
	rat_buf sql = RAT_BUF_INIT, landing = RAT_BUF_INIT;
	doc_refs refs = { &m->all, p };
	int error;

	*note = NULL;
	tc.path = p->display;
	tc.ref = ref_key;
	tc.ctx = &refs;
	tc.this_relation = p->key;
	tc.var = no_value;
	tc.env = no_env;
	tc.secret = masked_secret;
	tc.run_started_at = "<run_started_at>";
	tc.macros = m->all.macros;
	tc.macro_count = m->all.macro_count;
	if ((error = rat_buf_printf(&landing, "['landing/%s']", p->landing ? p->landing : "")) != 0)
		goto cleanup;
	tc.landing_files = rat_buf_cstr(&landing);
	sql.max = MAX_SQL_BYTES;
	if (rat_template__render(&sql, p->sql, &tc) != 0) {
		/* e.g. var() without a default: read the template as written */
		if ((*note = rat__sprintf("%s", rat_error_last()->message)) == NULL) {
			error = RAT_ENOMEM;
			goto cleanup;
		}
		rat_error_clear();
		rat_buf_clear(&sql);
		error = rat_buf_puts(&sql, p->sql);
	}
	if (!error)
		error = rat_docs__where(out, rat_buf_cstr(&sql));
cleanup:
	rat_buf_free(&sql);
	rat_buf_free(&landing);
	return error;
}

static int filters_section(rat_buf *out, const rat_docs_model *m, const rat_pipeline *p)
{
	rat_strarray found = RAT_STRARRAY_INIT;
	char *note = NULL;
	size_t i;
	int error = rat_buf_puts(out, "\n## Filters\n\n");

	if (!error && !p->sql)
		return rat_buf_printf(out, "A %s pipeline: no SQL to read filters from.\n",
				      p->kind == RAT_PIPELINE_COMMAND ? "command" : "script");
	if (!error)
		error = filters(&found, &note, m, p);
	if (!error && found.count)
		error = rat_buf_puts(out, "The rows the pipeline keeps (the top-level WHERE of its "
					  "SQL, as a full build renders it):\n\n");
	for (i = 0; !error && i < found.count; i++)
		error = rat_buf_printf(out, "- `%s`\n", found.strings[i]);
	if (!error && found.count == 0)
		error = rat_buf_puts(out, "None: the SQL has no top-level WHERE.\n");
	if (!error && note)
		error = rat_buf_printf(out, "\nRead from the template as written: it does not "
					    "render without run values (%s).\n",
				       note);
	rat_strarray_free(&found);
	free(note);
	return error;
}

static int column_rules(rat_buf *out, const rat_pipeline *p)
{
	size_t i, j, n = 0;
	int error = rat_buf_puts(out, "\n## Column rules\n\n");

	for (i = 0; !error && i < p->column_count; i++)
		for (j = 0; !error && j < p->columns[i].test_count; j++, n++)
			if ((error = rat_buf_puts(out, "- ")) == 0 &&
			    (error = rat_docs__test_words(out, p->columns[i].name,
							  &p->columns[i].tests[j])) == 0)
				error = rat_buf_putc(out, '\n');
	if (!error && n == 0)
		error = rat_buf_puts(out, "None: no column has tests.\n");
	return error;
}

static int config_tests(rat_buf *out, const rat_pipeline *p)
{
	size_t i;
	int error = rat_buf_puts(out, "\n## Tests\n\n");

	if (!error && p->test_count == 0)
		return rat_buf_puts(out, "None in `tests:`.\n");
	if (!error)
		error = rat_buf_puts(out, "Every row a test's query returns is a violation; with "
					  "`expect`, the query returns one value, which must equal "
					  "it.\n");
	for (i = 0; !error && i < p->test_count; i++) {
		const rat_config_test *t = &p->tests[i];
		error = rat_buf_printf(out, "\n### %s (%s%s%s)\n\n```sql\n%s%s```\n", t->name,
				       t->severity == RAT_SEVERITY_WARN ? "warn" : "error",
				       t->expect ? ", expect " : "", t->expect ? t->expect : "",
				       t->sql, rat__str_has_suffix(t->sql, "\n") ? "" : "\n");
	}
	return error;
}

static int freshness_section(rat_buf *out, const rat_pipeline *p)
{
	const char *column = rat_docs__freshness_column(p);
	int error = rat_buf_puts(out, "\n## Freshness\n\n");

	if (!error && !p->warn_after_s && !p->error_after_s)
		return rat_buf_puts(out, "Not configured: add `freshness:` to the config.\n");
	if (!error && column)
		error = rat_buf_printf(out, "The age of the data is that of its newest `%s`.\n",
				       column);
	else if (!error)
		error = rat_buf_puts(out, "The age of the data is that of the last commit.\n");
	if (!error && p->warn_after_s && (error = rat_buf_puts(out, "Older than ")) == 0 &&
	    (error = rat_docs__duration(out, p->warn_after_s)) == 0)
		error = rat_buf_puts(out, " is a warning.\n");
	if (!error && p->error_after_s && (error = rat_buf_puts(out, "Older than ")) == 0 &&
	    (error = rat_docs__duration(out, p->error_after_s)) == 0)
		error = rat_buf_puts(out, " is an error.\n");
	return error;
}

int rat_docs__tags(rat_buf *out, const rat_pipeline *p)
{
	size_t i;
	int error = 0;

	for (i = 0; !error && i < p->doc_tags.count; i++)
		error = rat_buf_printf(out, "%s`%s`%s", i ? ", " : "Tags: ", p->doc_tags.strings[i],
				       i + 1 == p->doc_tags.count ? "\n" : "");
	return error;
}

/* documentation: {tags, rules}: the tags on a line, each rule a section. */
static int documented_rules(rat_buf *out, const rat_pipeline *p)
{
	size_t i;
	int error = rat_docs__tags(out, p);

	for (i = 0; !error && i < p->doc_rule_count; i++) {
		const rat_doc_rule *r = &p->doc_rules[i];
		error = rat_buf_printf(out, "\n### %s\n\n%s%s", r->name, r->description,
				       rat__str_has_suffix(r->description, "\n") ? "" : "\n");
		if (!error && r->sql)
			error = rat_buf_printf(out, "\n```sql\n%s%s```\n", r->sql,
					       rat__str_has_suffix(r->sql, "\n") ? "" : "\n");
	}
	return error;
}

int rat_docs__business_rules(rat_buf *out, const rat_docs_model *m, const rat_pipeline *p)
{
	int error;

	error = rat_buf_printf(out, GENERATED "# Business rules: %s\n\n## Documentation\n\n",
			       p->key);
	if (!error && p->documentation)
		error = rat_buf_printf(out, "%s%s", p->documentation,
				       rat__str_has_suffix(p->documentation, "\n") ? "" : "\n");
	else if (!error && (p->doc_tags.count || p->doc_rule_count))
		error = documented_rules(out, p);
	else if (!error)
		error = rat_buf_puts(out, "None written: add `documentation:` to the config.\n");
	if (!error)
		error = filters_section(out, m, p);
	if (!error)
		error = column_rules(out, p);
	if (!error)
		error = config_tests(out, p);
	if (!error)
		error = freshness_section(out, p);
	return error;
}
