/*
 * pipeline/config.c - a pipeline's configuration: `-- @key: value`
 * annotations in the SQL header (annotations.c), then the YAML file over
 * them.
 *
 * The YAML is read strictly (util/yaml.h):
 * unknown keys, wrong types and bad values are errors with file:line:col
 * and the key path. A key set in both places takes the YAML's value.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/yaml.h"
#include "config/config.h"
#include "pipeline/config.h"
#include "pipeline/pipeline.h"

#include <ctype.h>
#include <libfyaml.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const top_keys[] = { "name",      "description", "owner",
					"materialized", "unique_key", "partition_by",
					"on_schema_change", "columns", "freshness",
					"tests",     "triggers",    "documentation",
					"landing",   "command",     NULL };
static const char *const owner_keys[] = { "team", "email", "slack", NULL };
static const char *const column_keys[] = { "name", "type", "description", "tests", "pii",
					   "pii_type", "example", NULL };
static const char *const column_test_keys[] = { "not_null", "unique", "positive",
						"accepted_values", "min", "max", "severity",
						NULL };
static const char *const test_keys[] = { "name", "sql", "expect", "severity", NULL };
static const char *const freshness_keys[] = { "column", "warn_after", "error_after", NULL };

static const char *const check_names[] = { "not_null", "unique", "positive",
					   "accepted_values", "min", "max", NULL };

/* Values of the keys with a fixed set of choices, in the order of their enums. */
const char *const rat_pipeline__materializations[] = { "table", "view", "incremental", NULL };
const char *const rat_pipeline__schema_changes[] = { "fail", "append_new_columns", "ignore",
						     "sync_all_columns", NULL };
static const char *const severities[] = { "error", "warn", NULL };

/* The index of s among names (NULL-terminated), or -1. */
int rat_pipeline__choice(const char *s, const char *const *names)
{
	int i;

	for (i = 0; names[i]; i++)
		if (strcmp(names[i], s) == 0)
			return i;
	return -1;
}

/* "a, b, c" */
void rat_pipeline__choices_text(char *out, size_t len, const char *const *names)
{
	size_t used = 0;
	int i;

	out[0] = '\0';
	for (i = 0; names[i] && used < len; i++)
		used += (size_t)snprintf(out + used, len - used, "%s%s", i ? ", " : "", names[i]);
}

/*
 * A number as SQL reads it: [+-]digits[.digits][e[+-]digits]. Not strtod()'s
 * wider set (inf, nan, hex): a bound goes into a check's SQL as written.
 */
static bool decimal_number(const char *s)
{
	size_t digits = 0;

	if (*s == '+' || *s == '-')
		s++;
	for (; isdigit((unsigned char)*s); s++)
		digits++;
	if (*s == '.')
		for (s++; isdigit((unsigned char)*s); s++)
			digits++;
	if (!digits)
		return false;
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (!isdigit((unsigned char)*s))
			return false;
		while (isdigit((unsigned char)*s))
			s++;
	}
	return *s == '\0';
}

/* A relative '/'-separated path of at most 512 characters with no empty, "." or ".." segment. */
static bool valid_folder(const char *s)
{
	size_t n = strlen(s), i, seg = 0;

	if (n == 0 || n > 512 || s[0] == '/')
		return false;
	for (i = 0; i <= n; i++) {
		if (i == n || s[i] == '/') {
			size_t len = i - seg;
			if ((len == 0 && i != n) || (len == 1 && s[seg] == '.') ||
			    (len == 2 && s[seg] == '.' && s[seg + 1] == '.'))
				return false;
			seg = i + 1;
		} else if (!isalnum((unsigned char)s[i]) && !strchr("._-", s[i])) {
			return false;
		}
	}
	return true;
}

void rat_pipeline__trim_landing(char *s)
{
	size_t n = strlen(s);

	while (n > 1 && s[n - 1] == '/')
		s[--n] = '\0';
}

bool rat_pipeline__valid_landing(const char *s)
{
	const char *key;
	size_t i, n;

	if (!rat__str_has_prefix(s, "s3://"))
		return valid_folder(s);
	s += 5;
	if ((key = strchr(s, '/')) == NULL || (n = (size_t)(key - s)) < 3 || n > 63)
		return false; /* a bucket, then at least one folder: never a whole bucket */
	for (i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && !strchr(".-", s[i]))
			return false;
	return valid_folder(key + 1);
}

/* Column names (or, for partitions, transforms of columns too). */
int rat_pipeline__check_columns_list(const rat_strarray *list, const char **bad, bool partitions)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		if (partitions ? !rat_config__valid_partition(list->strings[i])
			       : !rat_config__valid_identifier(list->strings[i])) {
			*bad = list->strings[i];
			return -1;
		}
	return 0;
}

/* The YAML */

static int yaml_string(char **field, const rat_yaml *yaml, struct fy_node *map, const char *path,
		       const char *key)
{
	rat_yaml_field f;
	char *value = NULL;
	int error;

	if (!rat_yaml__field(&f, map, path, key))
		return 0;
	if ((error = rat_yaml__string(&value, yaml, &f)) != 0)
		return error;
	free(*field);
	*field = value;
	return 0;
}

static int yaml_owner(rat_pipeline *p, const rat_yaml *yaml, struct fy_node *root)
{
	rat_yaml_field f;
	char *team = NULL, *email = NULL, *slack = NULL;
	rat_buf text = RAT_BUF_INIT;
	int error;

	if (!rat_yaml__field(&f, root, "", "owner"))
		return 0;
	if (f.value && fy_node_get_type(f.value) != FYNT_MAPPING)
		return yaml_string(&p->owner, yaml, root, "", "owner");
	if ((error = rat_yaml__mapping(yaml, &f, owner_keys)) != 0 ||
	    (error = yaml_string(&team, yaml, f.value, f.path, "team")) != 0 ||
	    (error = yaml_string(&email, yaml, f.value, f.path, "email")) != 0 ||
	    (error = yaml_string(&slack, yaml, f.value, f.path, "slack")) != 0)
		goto cleanup;
	if (!team && !email && !slack) {
		error = rat_yaml__field_error(yaml, &f, "give at least one of team, email, slack");
		goto cleanup;
	}
	error = rat_buf_printf(&text, "%s%s%s%s%s%s%s", team ? team : "",
			       email ? (team ? " <" : "<") : "", email ? email : "",
			       email ? ">" : "", slack ? (team || email ? " (" : "(") : "",
			       slack ? slack : "", slack ? ")" : "");
	if (!error) {
		free(p->owner);
		p->owner = rat_buf_detach(&text);
	}
cleanup:
	free(team);
	free(email);
	free(slack);
	rat_buf_free(&text);
	return error;
}

/* A string field with a fixed set of choices: *out gets its index (unchanged when absent). */
static int yaml_choice(const rat_yaml *yaml, struct fy_node *map, const char *path,
		       const char *key, const char *const *names, int *out)
{
	rat_yaml_field f;
	char *value = NULL, list[128];
	int error, at;

	if (!rat_yaml__field(&f, map, path, key))
		return 0;
	if ((error = rat_yaml__string(&value, yaml, &f)) != 0)
		return error;
	if ((at = rat_pipeline__choice(value, names)) < 0) {
		rat_pipeline__choices_text(list, sizeof(list), names);
		error = rat_yaml__field_error(yaml, &f, "'%s' is not one of %s", value, list);
	} else {
		*out = at;
	}
	free(value);
	return error;
}

static int yaml_columns_list(rat_strarray *list, const rat_yaml *yaml, struct fy_node *map,
			     const char *path, const char *key, bool *set)
{
	rat_yaml_field f;
	const char *bad = NULL;
	int error;

	if (!rat_yaml__field(&f, map, path, key))
		return 0;
	rat_strarray_free(list);
	if ((error = rat_yaml__string_list(list, yaml, &f)) != 0)
		return error;
	if (rat_pipeline__check_columns_list(list, &bad, set != NULL) != 0)
		return rat_yaml__field_error(yaml, &f,
					     "invalid %s '%s' (a column: letters, digits and '_', "
					     "not starting with a digit%s)",
					     set ? "partition" : "column name", bad,
					     set ? "; or year|month|day|hour(column)" : "");
	if (set)
		*set = true;
	return 0;
}

/* A mapping form: one test key (with its argument) and an optional severity. */
static int column_test_mapping(rat_column_test *t, const rat_yaml *yaml, rat_yaml_field *item)
{
	rat_yaml_field f;
	size_t i, found = 0;
	int error;

	if ((error = rat_yaml__mapping(yaml, item, column_test_keys)) != 0)
		return error;
	for (i = 0; check_names[i]; i++) {
		if (!rat_yaml__field(&f, item->value, item->path, check_names[i]))
			continue;
		found++;
		t->check = (rat_column_check)i;
		if (t->check == RAT_CHECK_ACCEPTED_VALUES)
			error = rat_yaml__string_list(&t->values, yaml, &f);
		else if (t->check == RAT_CHECK_MIN || t->check == RAT_CHECK_MAX) {
			if ((error = rat_yaml__string(&t->bound, yaml, &f)) == 0 &&
			    !decimal_number(t->bound))
				error = rat_yaml__field_error(yaml, &f, "'%s' is not a number",
							      t->bound);
		} else if (f.value && !rat_yaml__is_null(f.value)) {
			char *v = NULL;
			if ((error = rat_yaml__string(&v, yaml, &f)) == 0 && strcmp(v, "true") != 0)
				error = rat_yaml__field_error(yaml, &f,
							      "write '%s' alone, or '%s: true'",
							      check_names[i], check_names[i]);
			free(v);
		}
		if (error)
			return error;
	}
	if (found != 1)
		return rat_yaml__field_error(yaml, item,
					     "give exactly one test (not_null, unique, positive, "
					     "accepted_values, min, max)");
	{
		int severity = (int)t->severity;
		error = yaml_choice(yaml, item->value, item->path, "severity", severities, &severity);
		t->severity = (rat_severity)severity;
	}
	return error;
}

static int yaml_column_tests(rat_column_config *c, const rat_yaml *yaml, rat_yaml_field *tests)
{
	size_t i, n;
	int error;

	if ((error = rat_yaml__sequence(&n, yaml, tests)) != 0)
		return error;
	if (n && (c->tests = rat__calloc(n, sizeof(*c->tests))) == NULL)
		return RAT_ENOMEM;
	for (i = 0; i < n; i++) {
		rat_column_test *t = &c->tests[c->test_count++];
		rat_yaml_field item;
		char *name = NULL;

		rat_yaml__item(&item, rat_yaml__at(tests->value, i), tests->path, i);
		if (item.value && fy_node_get_type(item.value) == FYNT_MAPPING) {
			error = column_test_mapping(t, yaml, &item);
		} else if ((error = rat_yaml__string(&name, yaml, &item)) == 0) {
			int at = rat_pipeline__choice(name, check_names);
			t->check = (rat_column_check)(at < 0 ? 0 : at);
			if (at < 0)
				error = rat_yaml__field_error(
					yaml, &item,
					"unknown test '%s' (not_null, unique, positive, "
					"accepted_values, min, max)",
					name);
			else if (t->check >= RAT_CHECK_ACCEPTED_VALUES)
				error = rat_yaml__field_error(yaml, &item,
							      "'%s' needs a value: '%s: ...'", name,
							      name);
		}
		free(name);
		if (error)
			return error;
	}
	return 0;
}

/* pii_type: the kind of personal data; it means pii: true, so pii: false beside it is an error. */
static int yaml_pii_type(rat_column_config *c, const rat_yaml *yaml, const rat_yaml_field *item)
{
	rat_yaml_field f;
	int error;

	if (!rat_yaml__field(&f, item->value, item->path, "pii_type"))
		return 0;
	if ((error = rat_yaml__string(&c->pii_type, yaml, &f)) != 0)
		return error;
	if (!*c->pii_type || strlen(c->pii_type) > 64)
		return rat_yaml__field_error(yaml, &f, "give a kind of personal data of 1 to 64 "
						      "characters (email, customer_id)");
	if (c->pii_set && !c->pii)
		return rat_yaml__field_error(yaml, &f,
					     "'%s' is a kind of personal data, but the column says "
					     "pii: false (drop one)",
					     c->pii_type);
	c->pii = c->pii_set = true;
	return 0;
}

static int yaml_column(rat_column_config *c, const rat_yaml *yaml, rat_yaml_field *item)
{
	rat_yaml_field f;
	int error;

	if ((error = rat_yaml__mapping(yaml, item, column_keys)) != 0)
		return error;
	if (!rat_yaml__field(&f, item->value, item->path, "name"))
		return rat_yaml__field_error(yaml, item, "a column needs a name");
	if ((error = rat_yaml__string(&c->name, yaml, &f)) != 0)
		return error;
	if (!rat_config__valid_identifier(c->name))
		return rat_yaml__field_error(yaml, &f, "invalid column name '%s'", c->name);
	if ((error = yaml_string(&c->type, yaml, item->value, item->path, "type")) != 0 ||
	    (error = yaml_string(&c->description, yaml, item->value, item->path, "description")) ||
	    (error = yaml_string(&c->example, yaml, item->value, item->path, "example")) != 0)
		return error;
	if (rat_yaml__field(&f, item->value, item->path, "pii")) {
		if ((error = rat_yaml__bool(&c->pii, yaml, &f)) != 0)
			return error;
		c->pii_set = true;
	}
	if ((error = yaml_pii_type(c, yaml, item)) != 0)
		return error;
	if (rat_yaml__field(&f, item->value, item->path, "tests"))
		return yaml_column_tests(c, yaml, &f);
	return 0;
}

static int yaml_columns(rat_pipeline *p, const rat_yaml *yaml, struct fy_node *root)
{
	rat_yaml_field f;
	size_t i, j, n;
	int error;

	if (!rat_yaml__field(&f, root, "", "columns"))
		return 0;
	if ((error = rat_yaml__sequence(&n, yaml, &f)) != 0)
		return error;
	if (n && (p->columns = rat__calloc(n, sizeof(*p->columns))) == NULL)
		return RAT_ENOMEM;
	for (i = 0; i < n; i++) {
		rat_yaml_field item;
		rat_yaml__item(&item, rat_yaml__at(f.value, i), f.path, i);
		p->column_count++;
		if ((error = yaml_column(&p->columns[i], yaml, &item)) != 0)
			return error;
		for (j = 0; j < i; j++)
			if (strcasecmp(p->columns[j].name, p->columns[i].name) == 0)
				return rat_yaml__field_error(yaml, &item,
							     "column '%s' is described twice",
							     p->columns[i].name);
	}
	return 0;
}

static int yaml_tests(rat_pipeline *p, const rat_yaml *yaml, struct fy_node *root)
{
	rat_yaml_field f, g;
	size_t i, n;
	int error;

	if (!rat_yaml__field(&f, root, "", "tests"))
		return 0;
	if ((error = rat_yaml__sequence(&n, yaml, &f)) != 0)
		return error;
	if (n && (p->tests = rat__calloc(n, sizeof(*p->tests))) == NULL)
		return RAT_ENOMEM;
	for (i = 0; i < n; i++) {
		rat_config_test *t = &p->tests[p->test_count++];
		rat_yaml_field item;
		rat_yaml__item(&item, rat_yaml__at(f.value, i), f.path, i);
		if ((error = rat_yaml__mapping(yaml, &item, test_keys)) != 0)
			return error;
		if (!rat_yaml__field(&g, item.value, item.path, "name") ||
		    (error = rat_yaml__string(&t->name, yaml, &g)) != 0)
			return error ? error : rat_yaml__field_error(yaml, &item, "a test needs a name");
		if (!rat_yaml__field(&g, item.value, item.path, "sql") ||
		    (error = rat_yaml__string(&t->sql, yaml, &g)) != 0)
			return error ? error
				     : rat_yaml__field_error(yaml, &item,
							     "a test needs its sql (rows it returns "
							     "are violations)");
		if ((error = rat_pipeline__yaml_expect(t, yaml, &item)) != 0)
			return error;
		{
			int severity = RAT_SEVERITY_ERROR;
			error = yaml_choice(yaml, item.value, item.path, "severity", severities,
					    &severity);
			t->severity = (rat_severity)severity;
		}
		if (error)
			return error;
	}
	return 0;
}

static int yaml_freshness(rat_pipeline *p, const rat_yaml *yaml, struct fy_node *root)
{
	static const char *const keys[] = { "warn_after", "error_after" };
	int64_t *out[] = { &p->warn_after_s, &p->error_after_s };
	rat_yaml_field f, g;
	size_t i;
	int error;

	if (!rat_yaml__field(&f, root, "", "freshness"))
		return 0;
	if ((error = rat_yaml__mapping(yaml, &f, freshness_keys)) != 0 ||
	    (error = yaml_string(&p->freshness_column, yaml, f.value, f.path, "column")) != 0)
		return error;
	if (p->freshness_column && !rat_config__valid_identifier(p->freshness_column))
		return rat_yaml__field_error(yaml, &f, "invalid column name '%s'",
					     p->freshness_column);
	for (i = 0; i < RAT_ARRAY_SIZE(keys); i++)
		if (rat_yaml__field(&g, f.value, f.path, keys[i]) &&
		    (error = rat_pipeline__yaml_duration(out[i], yaml, &g)) != 0)
			return error;
	if (p->warn_after_s && p->error_after_s && p->warn_after_s > p->error_after_s)
		return rat_yaml__field_error(yaml, &f, "warn_after is longer than error_after");
	if (!p->warn_after_s && !p->error_after_s)
		return rat_yaml__field_error(yaml, &f, "give warn_after, error_after or both");
	return 0;
}

static int yaml_landing_and_command(rat_pipeline *p, const rat_yaml *yaml, struct fy_node *root)
{
	rat_yaml_field f;
	const char *stem;
	int error;

	if (rat_yaml__field(&f, root, "", "landing")) {
		if ((error = yaml_string(&p->landing, yaml, root, "", "landing")) != 0)
			return error;
		if (!rat_pipeline__valid_landing(p->landing))
			return rat_yaml__field_error(yaml, &f,
						     "'%s' is neither a folder under landing/ "
						     "(relative, no '..') nor an S3 prefix "
						     "(s3://bucket/folder)",
						     p->landing);
		rat_pipeline__trim_landing(p->landing); /* its files are landing/sales/<name> */
	}
	if (rat_yaml__field(&f, root, "", "command")) {
		if (p->kind != RAT_PIPELINE_COMMAND)
			return rat_yaml__field_error(yaml, &f,
						     "a pipeline with a %s file cannot also have a "
						     "command",
						     p->kind == RAT_PIPELINE_SQL ? "SQL" : "script");
		return yaml_string(&p->command, yaml, root, "", "command");
	}
	/* the file to add is named after the pipeline's folder, not its name */
	stem = p->folder ? strrchr(p->folder, '/') : NULL;
	if (p->kind == RAT_PIPELINE_COMMAND)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				      "%s: no pipeline file beside it and no command: key (add "
				      "%s.sql, or command: to run)",
				      p->display, stem ? stem + 1 : "a .sql file");
	return 0;
}

static int yaml_name(rat_pipeline *p, const rat_yaml *yaml, struct fy_node *root)
{
	rat_yaml_field f;
	char *name = NULL;
	int error;

	if (!rat_yaml__field(&f, root, "", "name"))
		return 0;
	if ((error = rat_yaml__string(&name, yaml, &f)) == 0 && !rat_pipeline__is_own_name(p, name))
		error = rat_yaml__field_error(yaml, &f,
					      "'%s' does not match the pipeline's name '%s' (nor its "
					      "asset name '%s_%s')",
					      name, p->name, p->layer, p->name);
	free(name);
	return error;
}

static int apply_yaml(rat_pipeline *p, rat_yaml *yaml)
{
	struct fy_node *root = rat_yaml__root(yaml);
	int materialized = (int)p->materialized, schema_change = (int)p->on_schema_change;
	int error;

	if ((error = rat_yaml__check_mapping(yaml, root, "", top_keys)) != 0 ||
	    (error = yaml_name(p, yaml, root)) != 0 ||
	    (error = yaml_string(&p->description, yaml, root, "", "description")) != 0 ||
	    (error = yaml_owner(p, yaml, root)) != 0 ||
	    (error = yaml_choice(yaml, root, "", "materialized", rat_pipeline__materializations,
				 &materialized)) != 0 ||
	    (error = yaml_choice(yaml, root, "", "on_schema_change", rat_pipeline__schema_changes,
				 &schema_change)) != 0 ||
	    (error = yaml_columns_list(&p->unique_key, yaml, root, "", "unique_key", NULL)) != 0 ||
	    (error = yaml_columns_list(&p->partition_by, yaml, root, "", "partition_by",
				       &p->partition_by_set)) != 0 ||
	    (error = yaml_columns(p, yaml, root)) != 0 || (error = yaml_tests(p, yaml, root)) != 0 ||
	    (error = yaml_freshness(p, yaml, root)) != 0 ||
	    (error = rat_trigger__yaml(&p->triggers, &p->trigger_count, yaml, root)) != 0 ||
	    (error = rat_pipeline__yaml_documentation(p, yaml, root)) != 0)
		return error;
	p->materialized = (rat_materialization)materialized;
	p->on_schema_change = (rat_on_schema_change)schema_change;
	return yaml_landing_and_command(p, yaml, root);
}

/* What makes sense together, once both sources are in. */
static int check_combination(const rat_pipeline *p, const char *where)
{
	if (p->materialized == RAT_MATERIALIZE_VIEW && (p->landing || p->kind != RAT_PIPELINE_SQL))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				      "%s: materialized: view cannot ingest files (use table or "
				      "incremental)",
				      where);
	if (p->materialized == RAT_MATERIALIZE_VIEW && p->partition_by_set &&
	    p->partition_by.count)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				      "%s: a view has no partitions (drop partition_by)", where);
	if (p->unique_key.count && p->materialized != RAT_MATERIALIZE_INCREMENTAL)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				      "%s: unique_key applies to materialized: incremental only",
				      where);
	return 0;
}

int rat_pipeline__configure(rat_pipeline *p, const char *yaml_path, const char *yaml_display)
{
	rat_yaml *yaml = NULL;
	int error = 0;

	if (p->sql && (error = rat_pipeline__annotations(p->sql, p->display, rat_pipeline__annotation_cb, p)) != 0)
		return error;
	if (yaml_path) {
		if ((error = rat_yaml__load(&yaml, yaml_path, yaml_display)) != 0)
			return error;
		error = apply_yaml(p, yaml);
		rat_yaml__free(yaml);
		if (error)
			return error;
	} else if (p->kind == RAT_PIPELINE_COMMAND) {
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				      "%s: a command pipeline needs its YAML", p->display);
	}
	return check_combination(p, yaml_display ? yaml_display : p->display);
}
