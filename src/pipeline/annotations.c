/*
 * pipeline/annotations.c - `-- @key: value` annotations (config.h): the
 * comment lines at the top of a pipeline's SQL (before its first line of
 * code), each setting one key of its configuration; the YAML, read after,
 * wins where both set a key (config.c).
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/yaml.h"
#include "config/config.h"
#include "pipeline/config.h"
#include "pipeline/config.h"
#include "pipeline/pipeline.h"
#include <ctype.h>
#include <errno.h>
#include <libfyaml.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* What an annotation may set. */
static const char *const annotation_keys[] = { "name", "description", "owner", "materialized",
					       "unique_key", "partition_by", "on_schema_change",
					       "landing", NULL };

int rat_pipeline__split_list(rat_strarray *out, const char *value)
{
	const char *p = value, *end = value + strlen(value);
	int error = 0;

	rat_strarray_free(out);
	if (*p == '[') {
		if (end == p + 1 || end[-1] != ']')
			return -1;
		p++;
		end--;
	}
	while (!error && p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		const char *stop = comma ? comma : end, *a = p, *b = stop;
		while (a < b && isspace((unsigned char)*a))
			a++;
		while (b > a && isspace((unsigned char)b[-1]))
			b--;
		if ((b - a >= 2) && (*a == '\'' || *a == '"') && b[-1] == *a) {
			a++;
			b--;
		}
		if (a == b)
			return -1;
		error = rat_strarray__push_owned(out, rat__strndup(a, (size_t)(b - a)));
		p = comma ? comma + 1 : end;
	}
	return error;
}

static int annotation_error(const rat_pipeline *p, int line, const char *key, const char *fmt,
			    ...) RAT_PRINTF(4, 5);

static int annotation_error(const rat_pipeline *p, int line, const char *key, const char *fmt,
			    ...)
{
	char message[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE, "%s:%d: @%s: %s", p->display,
			      line, key, message);
}

static int set_string(char **field, const char *value)
{
	char *copy = rat__strdup(value);

	if (!copy)
		return RAT_ENOMEM;
	free(*field);
	*field = copy;
	return 0;
}

bool rat_pipeline__is_own_name(const rat_pipeline *p, const char *value)
{
	size_t n = strlen(p->layer);

	if (strcmp(value, p->name) == 0)
		return true;
	return strncmp(value, p->layer, n) == 0 && value[n] == '_' &&
	       strcmp(value + n + 1, p->name) == 0;
}

static int apply_annotation(rat_pipeline *p, int line, const char *key, const char *value)
{
	const char *bad = NULL;
	size_t i;

	for (i = 0; annotation_keys[i] && strcmp(annotation_keys[i], key) != 0; i++)
		;
	if (!annotation_keys[i])
		return annotation_error(p, line, key,
					"unknown annotation (name, description, owner, "
					"materialized, unique_key, partition_by, "
					"on_schema_change, landing; the rest goes in the YAML)");
	if (!*value)
		return annotation_error(p, line, key, "a value is needed");
	if (strcmp(key, "name") == 0) {
		if (!rat_pipeline__is_own_name(p, value))
			return annotation_error(p, line, key,
						"'%s' does not match the pipeline's name '%s' (nor "
						"its asset name '%s_%s')",
						value, p->name, p->layer, p->name);
		return 0;
	}
	if (strcmp(key, "description") == 0)
		return set_string(&p->description, value);
	if (strcmp(key, "owner") == 0)
		return set_string(&p->owner, value);
	if (strcmp(key, "landing") == 0) {
		if (!rat_pipeline__valid_landing(value))
			return annotation_error(p, line, key,
						"'%s' is neither a folder under landing/ "
						"(relative, no '..') nor an S3 prefix "
						"(s3://bucket/folder)", value);
		return set_string(&p->landing, value);
	}
	if (strcmp(key, "materialized") == 0 || strcmp(key, "on_schema_change") == 0) {
		const char *const *names = key[0] == 'm' ? rat_pipeline__materializations : rat_pipeline__schema_changes;
		int at = rat_pipeline__choice(value, names);
		char list[128];
		if (at < 0) {
			rat_pipeline__choices_text(list, sizeof(list), names);
			return annotation_error(p, line, key, "'%s' is not one of %s", value, list);
		}
		if (names == rat_pipeline__materializations)
			p->materialized = (rat_materialization)at;
		else
			p->on_schema_change = (rat_on_schema_change)at;
		return 0;
	}
	/* unique_key, partition_by */
	{
		rat_strarray *list = strcmp(key, "unique_key") == 0 ? &p->unique_key
								     : &p->partition_by;
		if (rat_pipeline__split_list(list, value) != 0)
			return annotation_error(p, line, key, "'%s' is not a list like [a, b]",
						value);
		if (rat_pipeline__check_columns_list(list, &bad, list == &p->partition_by) != 0)
			return annotation_error(p, line, key,
						"invalid %s '%s' (a column: letters, digits and '_', "
						"not starting with a digit%s)",
						list == &p->partition_by ? "partition" : "column name",
						bad, list == &p->partition_by
							     ? "; or year|month|day|hour(column)" : "");
		if (list == &p->partition_by)
			p->partition_by_set = true;
	}
	return 0;
}

int rat_pipeline__annotations(const char *text, const char *display,
			      int (*fn)(void *ctx, int line, const char *key, const char *value),
			      void *ctx)
{
	const char *line = text;
	int number = 1, error = 0;

	while (!error && line && *line) {
		const char *eol = strchr(line, '\n'), *s = line, *colon, *end;
		char key[64], *value;
		end = eol ? eol : line + strlen(line);
		while (s < end && isspace((unsigned char)*s))
			s++;
		if (s == end)
			goto next; /* blank line */
		if (end - s < 2 || s[0] != '-' || s[1] != '-')
			break; /* code starts: the header is over */
		s += 2;
		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		if (s == end || *s != '@')
			goto next; /* a plain comment */
		s++;
		colon = memchr(s, ':', (size_t)(end - s));
		if (!colon || colon == s || (size_t)(colon - s) >= sizeof(key))
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
					      "%s:%d: an annotation is written '-- @key: value'",
					      display, number);
		memcpy(key, s, (size_t)(colon - s));
		key[colon - s] = '\0';
		for (s = colon + 1; s < end && isspace((unsigned char)*s); s++)
			;
		while (end > s && isspace((unsigned char)end[-1]))
			end--;
		if ((value = rat__strndup(s, (size_t)(end - s))) == NULL)
			return RAT_ENOMEM;
		error = fn(ctx, number, key, value);
		free(value);
next:
		line = eol ? eol + 1 : NULL;
		number++;
	}
	return error;
}

int rat_pipeline__annotation_cb(void *ctx, int line, const char *key, const char *value)
{
	return apply_annotation(ctx, line, key, value);
}
