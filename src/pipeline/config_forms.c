/*
 * pipeline/config_forms.c - the YAML forms a pipeline's configuration takes
 * beside the plain ones of config.c, among them those of workspaces written
 * for the original Ratatouille (docs/migrating.md): durations as "12h" or
 * as a mapping {days: 1, hours: 6}, `documentation:` as text or as
 * {tags, rules}, and `tests[].expect`.
 */
#include "util/common.h"
#include "util/yaml.h"
#include "pipeline/config.h"
#include "pipeline/pipeline.h"

#include <errno.h>
#include <libfyaml.h>
#include <stdlib.h>
#include <string.h>

/* The longest duration taken: 100 years, in seconds. */
#define MAX_DURATION_S (100LL * 366 * 86400)

/* "90s", "30m", "12h", "2d" (or bare seconds) -> seconds; -1 when malformed. */
static int64_t parse_duration(const char *s)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (end == s || errno || n <= 0 || n > MAX_DURATION_S)
		return -1;
	if (*end == '\0' || strcmp(end, "s") == 0)
		return n;
	if (strcmp(end, "m") == 0)
		return n * 60;
	if (strcmp(end, "h") == 0)
		return n * 3600;
	if (strcmp(end, "d") == 0)
		return n * 86400;
	return -1;
}

/* {weeks: 1, days: 2, hours: 6, minutes: 30, seconds: 10}: the sum, each a whole number. */
static int duration_mapping(int64_t *out, const rat_yaml *yaml, const rat_yaml_field *f)
{
	static const char *const units[] = { "weeks", "days", "hours", "minutes", "seconds", NULL };
	static const int64_t unit_s[] = { 7 * 86400, 86400, 3600, 60, 1 };
	rat_yaml_field g;
	int64_t total = 0, n;
	size_t i;
	int error;

	if ((error = rat_yaml__mapping(yaml, f, units)) != 0)
		return error;
	for (i = 0; units[i]; i++) {
		if (!rat_yaml__field(&g, f->value, f->path, units[i]))
			continue;
		if ((error = rat_yaml__int(&n, yaml, &g, 0, MAX_DURATION_S / unit_s[i])) != 0)
			return error;
		total += n * unit_s[i];
	}
	if (total <= 0 || total > MAX_DURATION_S)
		return rat_yaml__field_error(yaml, f,
					     "give a duration above zero and at most 100 years "
					     "(weeks, days, hours, minutes, seconds)");
	*out = total;
	return 0;
}

int rat_pipeline__yaml_duration(int64_t *out, const rat_yaml *yaml, const rat_yaml_field *f)
{
	char *v = NULL;
	int error;

	if (f->value && fy_node_get_type(f->value) == FYNT_MAPPING)
		return duration_mapping(out, yaml, f);
	if ((error = rat_yaml__string(&v, yaml, f)) == 0 && (*out = parse_duration(v)) < 0)
		error = rat_yaml__field_error(yaml, f,
					      "'%s' is not a duration like 30m, 12h or 2d "
					      "(or {hours: 12})",
					      v);
	free(v);
	return error;
}

/* A required string key of a mapping item. */
static int required_string(char **out, const rat_yaml *yaml, const rat_yaml_field *item,
			   const char *key, const char *what)
{
	rat_yaml_field f;

	if (!rat_yaml__field(&f, item->value, item->path, key))
		return rat_yaml__field_error(yaml, item, "%s needs a %s", what, key);
	return rat_yaml__string(out, yaml, &f);
}

static int doc_rules(rat_pipeline *p, const rat_yaml *yaml, const rat_yaml_field *f)
{
	static const char *const rule_keys[] = { "name", "description", "sql", NULL };
	rat_yaml_field item, g;
	size_t i, n;
	int error;

	if ((error = rat_yaml__sequence(&n, yaml, f)) != 0)
		return error;
	if (n && (p->doc_rules = rat__calloc(n, sizeof(*p->doc_rules))) == NULL)
		return RAT_ENOMEM;
	for (i = 0; i < n; i++) {
		rat_doc_rule *r = &p->doc_rules[p->doc_rule_count++];
		rat_yaml__item(&item, rat_yaml__at(f->value, i), f->path, i);
		if ((error = rat_yaml__mapping(yaml, &item, rule_keys)) != 0 ||
		    (error = required_string(&r->name, yaml, &item, "name", "a rule")) != 0 ||
		    (error = required_string(&r->description, yaml, &item, "description",
					     "a rule")) != 0)
			return error;
		if (rat_yaml__field(&g, item.value, item.path, "sql") &&
		    (error = rat_yaml__string(&r->sql, yaml, &g)) != 0)
			return error;
	}
	return 0;
}

int rat_pipeline__yaml_documentation(rat_pipeline *p, const rat_yaml *yaml, struct fy_node *root)
{
	static const char *const keys[] = { "tags", "rules", NULL };
	rat_yaml_field f, g;
	int error;

	if (!rat_yaml__field(&f, root, "", "documentation"))
		return 0;
	if (!f.value || fy_node_get_type(f.value) != FYNT_MAPPING) {
		free(p->documentation);
		p->documentation = NULL;
		return rat_yaml__string(&p->documentation, yaml, &f);
	}
	if ((error = rat_yaml__mapping(yaml, &f, keys)) != 0)
		return error;
	if (rat_yaml__field(&g, f.value, f.path, "tags") &&
	    (error = rat_yaml__string_list(&p->doc_tags, yaml, &g)) != 0)
		return error;
	if (rat_yaml__field(&g, f.value, f.path, "rules"))
		return doc_rules(p, yaml, &g);
	return 0;
}

int rat_pipeline__yaml_expect(rat_config_test *t, const rat_yaml *yaml, const rat_yaml_field *item)
{
	rat_yaml_field f;
	int64_t n;
	int error;

	if (!rat_yaml__field(&f, item->value, item->path, "expect"))
		return 0;
	if ((error = rat_yaml__int(&n, yaml, &f, INT64_MIN, INT64_MAX)) != 0)
		return error;
	t->expect = rat__sprintf("%lld", (long long)n);
	return t->expect ? 0 : RAT_ENOMEM;
}
