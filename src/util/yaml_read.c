/*
 * util/yaml_read.c - reading a loaded YAML document strictly (yaml.h):
 * positions and the "file:line:col: key: message" errors, typed scalars
 * (integers must be plain scalars; "8192" in quotes is a string), and
 * mappings whose unknown keys are errors with a "did you mean".
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/yaml.h"
#include <ctype.h>
#include <errno.h>
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct fy_mark *node_mark(struct fy_node *node, int depth)
{
	struct fy_token *token;
	void *iter = NULL;

	if (!node || depth > 64)
		return NULL;
	switch (fy_node_get_type(node)) {
	case FYNT_SCALAR:
		token = fy_node_get_scalar_token(node);
		return token ? fy_token_start_mark(token) : NULL;
	case FYNT_MAPPING: {
		struct fy_node_pair *pair = fy_node_mapping_iterate(node, &iter);
		return pair ? node_mark(fy_node_pair_key(pair), depth + 1) : NULL;
	}
	case FYNT_SEQUENCE:
		return node_mark(fy_node_sequence_iterate(node, &iter), depth + 1);
	}
	return NULL;
}

void rat_yaml__position(const rat_yaml *yaml, struct fy_node *node, int *line, int *col)
{
	const struct fy_mark *mark = node_mark(node, 0);
	(void)yaml;
	*line = mark ? mark->line + 1 : 1;
	*col = mark ? mark->column + 1 : 1;
	/* libfyaml marks a quoted scalar after its opening quote; point at the quote */
	if (mark && node && fy_node_get_type(node) == FYNT_SCALAR && *col > 1 &&
	    (fy_node_get_style(node) == FYNS_SINGLE_QUOTED ||
	     fy_node_get_style(node) == FYNS_DOUBLE_QUOTED))
		(*col)--;
}

static int verror(const rat_yaml *yaml, struct fy_node *node, const char *path, const char *fmt,
		  va_list ap)
{
	char message[2048];
	int line, col;

	vsnprintf(message, sizeof(message), fmt, ap);
	rat_yaml__position(yaml, node, &line, &col);
	return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG, "%s:%d:%d: %s: %s",
			      rat_yaml__display(yaml), line, col, path[0] ? path : "(top level)",
			      message);
}

int rat_yaml__error(const rat_yaml *yaml, struct fy_node *node, const char *path, const char *fmt,
		    ...)
{
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = verror(yaml, node, path, fmt, ap);
	va_end(ap);
	return error;
}

int rat_yaml__field_error(const rat_yaml *yaml, const rat_yaml_field *field, const char *fmt, ...)
{
	struct fy_node *at = field->value && node_mark(field->value, 0) ? field->value : field->key;
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = verror(yaml, at, field->path, fmt, ap);
	va_end(ap);
	return error;
}

static const char *scalar(struct fy_node *node, size_t *len)
{
	const char *s = fy_node_get_scalar(node, len);
	if (!s) {
		s = "";
		*len = 0;
	}
	return s;
}

static bool is_plain(struct fy_node *node)
{
	return fy_node_get_type(node) == FYNT_SCALAR && fy_node_get_style(node) == FYNS_PLAIN;
}

bool rat_yaml__is_null(struct fy_node *node)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	size_t len, i;
	const char *s;

	if (!node)
		return true;
	if (!is_plain(node))
		return false;
	s = scalar(node, &len);
	for (i = 0; i < RAT_ARRAY_SIZE(nulls); i++)
		if (len == strlen(nulls[i]) && memcmp(s, nulls[i], len) == 0)
			return true;
	return false;
}

/* Copy a plain scalar that starts like a number ([+-]digit) into text. */
static bool numeric_text(struct fy_node *node, char *text, size_t size)
{
	const char *s;
	size_t len;

	if (!is_plain(node))
		return false;
	s = scalar(node, &len);
	if (len == 0 || len >= size)
		return false;
	memcpy(text, s, len);
	text[len] = '\0';
	return isdigit((unsigned char)text[text[0] == '-' || text[0] == '+' ? 1 : 0]);
}

/* Parse a whole plain scalar as a base-10 integer. */
static bool parse_int(struct fy_node *node, int64_t *out)
{
	char text[32], *end;
	long long v;

	if (!numeric_text(node, text, sizeof(text)))
		return false;
	errno = 0;
	v = strtoll(text, &end, 10);
	if (*end != '\0' || errno == ERANGE)
		return false;
	*out = v;
	return true;
}

static bool parse_number(struct fy_node *node, double *out)
{
	char text[64], *end;

	if (!numeric_text(node, text, sizeof(text)))
		return false;
	*out = strtod(text, &end);
	return *end == '\0';
}

const char *rat_yaml__kind(struct fy_node *node)
{
	int64_t i;
	double d;
	size_t len;
	const char *s;

	if (rat_yaml__is_null(node))
		return "nothing (null)";
	switch (fy_node_get_type(node)) {
	case FYNT_MAPPING:
		return "a mapping";
	case FYNT_SEQUENCE:
		return "a list";
	case FYNT_SCALAR:
		break;
	}
	if (parse_int(node, &i))
		return "an integer";
	if (parse_number(node, &d))
		return "a number";
	if (is_plain(node)) {
		s = scalar(node, &len);
		if ((len == 4 && strncmp(s, "true", 4) == 0) || (len == 5 && strncmp(s, "false", 5) == 0))
			return "a boolean";
	}
	return "a string";
}

/* Edit distance, for "did you mean" hints on unknown keys. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t row[64];

	if (la >= RAT_ARRAY_SIZE(row) || lb >= RAT_ARRAY_SIZE(row))
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			if (up + 1 < best)
				best = up + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

static int unknown_key(const rat_yaml *yaml, struct fy_node *key, const char *path,
		       const char *name, const char *const *allowed)
{
	char list[512] = "", full[256];
	const char *hint = NULL;
	size_t best = 3, i, used = 0;

	for (i = 0; allowed[i]; i++) {
		size_t d = distance(name, allowed[i]);
		if (d < best && d <= strlen(allowed[i]) / 2) {
			best = d;
			hint = allowed[i];
		}
		used += (size_t)snprintf(list + used, used < sizeof(list) ? sizeof(list) - used : 0,
					 "%s%s", i ? ", " : "", allowed[i]);
	}
	snprintf(full, sizeof(full), "%s%s%s", path, path[0] ? "." : "", name);
	if (hint)
		return rat_yaml__error(yaml, key, full, "unknown key, did you mean '%s'? (allowed: %s)",
				       hint, list);
	return rat_yaml__error(yaml, key, full, "unknown key (allowed: %s)", list);
}

int rat_yaml__check_mapping(const rat_yaml *yaml, struct fy_node *node, const char *path,
			    const char *const *allowed)
{
	struct fy_node_pair *pair;
	void *iter = NULL;

	if (fy_node_get_type(node) != FYNT_MAPPING)
		return rat_yaml__error(yaml, node, path, "expected a mapping, got %s",
				       rat_yaml__kind(node));
	while ((pair = fy_node_mapping_iterate(node, &iter)) != NULL) {
		struct fy_node *key = fy_node_pair_key(pair);
		const char *name;
		size_t len, i;

		if (!key || fy_node_get_type(key) != FYNT_SCALAR)
			return rat_yaml__error(yaml, key ? key : node, path,
					       "keys must be plain names, got %s",
					       key ? rat_yaml__kind(key) : "nothing");
		name = scalar(key, &len);
		for (i = 0; allowed[i]; i++)
			if (strlen(allowed[i]) == len && memcmp(allowed[i], name, len) == 0)
				break;
		if (!allowed[i]) {
			char copy[128];
			snprintf(copy, sizeof(copy), "%.*s", (int)len, name);
			return unknown_key(yaml, key, path, copy, allowed);
		}
	}
	return 0;
}

bool rat_yaml__field(rat_yaml_field *field, struct fy_node *mapping, const char *path,
		     const char *key)
{
	struct fy_node_pair *pair;
	void *iter = NULL;
	size_t klen = strlen(key);

	if (!mapping || fy_node_get_type(mapping) != FYNT_MAPPING)
		return false;
	while ((pair = fy_node_mapping_iterate(mapping, &iter)) != NULL) {
		size_t len;
		const char *name = scalar(fy_node_pair_key(pair), &len);
		if (len == klen && memcmp(name, key, len) == 0) {
			field->key = fy_node_pair_key(pair);
			field->value = fy_node_pair_value(pair);
			snprintf(field->path, sizeof(field->path), "%s%s%s", path, path[0] ? "." : "",
				 key);
			return true;
		}
	}
	return false;
}

void rat_yaml__item(rat_yaml_field *field, struct fy_node *item, const char *path, size_t index)
{
	char suffix[32];
	size_t n;

	field->key = item;
	field->value = item;
	snprintf(suffix, sizeof(suffix), "[%zu]", index);
	n = strnlen(path, sizeof(field->path) - sizeof(suffix));
	memcpy(field->path, path, n);
	memcpy(field->path + n, suffix, strlen(suffix) + 1);
}

int rat_yaml__string(char **out, const rat_yaml *yaml, const rat_yaml_field *field)
{
	const char *s;
	size_t len;

	*out = NULL;
	if (rat_yaml__is_null(field->value) || fy_node_get_type(field->value) != FYNT_SCALAR)
		return rat_yaml__field_error(yaml, field, "expected a string, got %s",
					     rat_yaml__kind(field->value));
	s = scalar(field->value, &len);
	if (memchr(s, '\0', len))
		return rat_yaml__field_error(yaml, field, "text holds a NUL character");
	*out = rat__strndup(s, len);
	return *out ? 0 : RAT_ENOMEM;
}

int rat_yaml__int(int64_t *out, const rat_yaml *yaml, const rat_yaml_field *field, int64_t min,
		  int64_t max)
{
	int64_t v;
	size_t len;
	const char *s;

	if (!field->value || !parse_int(field->value, &v)) {
		if (field->value && fy_node_get_type(field->value) == FYNT_SCALAR &&
		    !rat_yaml__is_null(field->value)) {
			s = scalar(field->value, &len);
			return rat_yaml__field_error(yaml, field, "expected an integer, got %s '%.*s'",
						     rat_yaml__kind(field->value), (int)len, s);
		}
		return rat_yaml__field_error(yaml, field, "expected an integer, got %s",
					     rat_yaml__kind(field->value));
	}
	if (v < min || v > max) {
		if (max == INT64_MAX && min == 1)
			return rat_yaml__field_error(yaml, field,
						     "must be a positive integer, got %lld",
						     (long long)v);
		if (max == INT64_MAX)
			return rat_yaml__field_error(yaml, field, "must be at least %lld, got %lld",
						     (long long)min, (long long)v);
		return rat_yaml__field_error(yaml, field, "must be between %lld and %lld, got %lld",
					     (long long)min, (long long)max, (long long)v);
	}
	*out = v;
	return 0;
}

int rat_yaml__positive_number(double *out, const rat_yaml *yaml, const rat_yaml_field *field)
{
	double v;

	if (!field->value || !parse_number(field->value, &v))
		return rat_yaml__field_error(yaml, field, "expected a number, got %s",
					     rat_yaml__kind(field->value));
	if (!(v > 0))
		return rat_yaml__field_error(yaml, field, "must be greater than 0, got %g", v);
	*out = v;
	return 0;
}

int rat_yaml__bool(bool *out, const rat_yaml *yaml, const rat_yaml_field *field)
{
	char *v = NULL;
	int error;

	if ((error = rat_yaml__string(&v, yaml, field)) != 0)
		return error;
	if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0)
		*out = strcmp(v, "true") == 0;
	else
		error = rat_yaml__field_error(yaml, field, "'%s' is not true or false", v);
	free(v);
	return error;
}

int rat_yaml__string_list(rat_strarray *out, const rat_yaml *yaml, const rat_yaml_field *field)
{
	size_t count, i;
	int error;

	if (field->value && fy_node_get_type(field->value) == FYNT_SCALAR &&
	    !rat_yaml__is_null(field->value)) {
		char *s;
		if ((error = rat_yaml__string(&s, yaml, field)) != 0)
			return error;
		return rat_strarray__push_owned(out, s);
	}
	if ((error = rat_yaml__sequence(&count, yaml, field)) != 0)
		return error;
	for (i = 0; i < count; i++) {
		rat_yaml_field item;
		char *s;
		rat_yaml__item(&item, rat_yaml__at(field->value, i), field->path, i);
		if ((error = rat_yaml__string(&s, yaml, &item)) != 0 ||
		    (error = rat_strarray__push_owned(out, s)) != 0)
			return error;
	}
	return 0;
}

int rat_yaml__mapping(const rat_yaml *yaml, const rat_yaml_field *field,
		      const char *const *allowed)
{
	if (rat_yaml__is_null(field->value))
		return 0; /* an empty section: every key takes its default */
	return rat_yaml__check_mapping(yaml, field->value, field->path, allowed);
}

int rat_yaml__sequence(size_t *count, const rat_yaml *yaml, const rat_yaml_field *field)
{
	*count = 0;
	if (rat_yaml__is_null(field->value))
		return 0;
	if (fy_node_get_type(field->value) != FYNT_SEQUENCE)
		return rat_yaml__field_error(yaml, field, "expected a list, got %s",
					     rat_yaml__kind(field->value));
	*count = (size_t)fy_node_sequence_item_count(field->value);
	return 0;
}

struct fy_node *rat_yaml__at(struct fy_node *sequence, size_t i)
{
	return fy_node_sequence_get_by_index(sequence, (int)i);
}

int rat_yaml__json(char **out, struct fy_node *node)
{
	*out = node ? fy_emit_node_to_string(node, FYECF_MODE_JSON_ONELINE) : rat__strdup("null");
	return *out ? 0 : rat_error__oom();
}
