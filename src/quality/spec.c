/*
 * quality/spec.c - the annotations of a test file (suite.h): what a unit
 * or quality test loads (@mocks: tables of tests/mocks/, or files, the
 * original Ratatouille's form), how it runs (@mode, @watermarks) and what
 * it expects (@expect, @expect_count, @expect_columns,
 * @expect_exact_columns, @severity).
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/yaml.h"
#include "pipeline/pipeline.h"
#include "quality/quality.h"
#include "quality/suite.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* A file of @mocks (the original's form: mocks/bronze_sales.yaml) rather than a table. */
static bool is_mock_file(const char *entry)
{
	return rat_mocks__is_mock_file(entry) || strchr(entry, '/') != NULL;
}

/*
 * @mocks: tables ([bronze.sales]) or files (mocks/bronze_sales.yaml), as a
 * list, comma-separated, or on several @mocks lines, which add up.
 */
static int parse_mocks(spec *t, int line, const char *value)
{
	rat_strarray items = RAT_STRARRAY_INIT;
	size_t i;
	int error = 0;

	t->has_mocks = true;
	if (rat_pipeline__split_list(&items, value) != 0) {
		rat_strarray_free(&items);
		return spec_error(t, line, "mocks",
				  "write a list like [bronze.sales] or mocks/bronze_sales.yaml");
	}
	for (i = 0; !error && i < items.count; i++) {
		const char *e = items.strings[i];
		if (!is_mock_file(e))
			error = rat_strarray__push(&t->mocks, e);
		else if (e[0] == '/' || strcmp(e, "..") == 0 || strncmp(e, "../", 3) == 0 ||
			 strstr(e, "/../") || rat__str_has_suffix(e, "/.."))
			error = spec_error(t, line, "mocks", "a mock file is a path inside the "
					   "tests folder (mocks/<file>), not outside it");
		else
			error = rat_strarray__push(&t->mock_files, e);
	}
	rat_strarray_free(&items);
	return error;
}

static int spec_annotation(void *ctx, int line, const char *key, const char *value)
{
	spec *t = ctx;
	char *end;

	if (strcmp(key, "mocks") == 0)
		return parse_mocks(t, line, value);
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
	if (strcmp(key, "expect_columns") == 0 || strcmp(key, "expect_exact_columns") == 0) {
		bool exact = strcmp(key, "expect_exact_columns") == 0;
		if (t->has_columns && t->exact_columns != exact)
			return spec_error(t, line, key, "give @expect_columns (these columns) or "
					  "@expect_exact_columns (exactly these, in order), not both");
		t->has_columns = true;
		t->exact_columns = exact;
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
			  "expect_columns, expect_exact_columns, severity, description)");
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

int rat_quality__read_spec(spec *t, const char *text)
{
	t->expect_count = -1;
	t->error_severity = true;
	t->has_sql = has_code(text);
	return rat_pipeline__annotations(text, t->display, spec_annotation, t);
}

void rat_quality__spec_free(spec *t)
{
	rat_strarray_free(&t->mocks);
	rat_strarray_free(&t->mock_files);
	rat_strarray_free(&t->expect_columns);
	rat_yaml__free(t->watermarks);
	free(t->expect_json);
}

