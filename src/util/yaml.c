/*
 * util/yaml.c - strict YAML configuration reading over libfyaml.
 *
 * libfyaml reports syntax errors through a diagnostic callback as text
 * ("<input>:L:C: error: message"); we capture that text and turn it into our
 * own message, naming the key nearest the error so that even a syntax error
 * points at a key. Duplicate keys are let through by the parser and reported
 * here, so that the message can name the full key path.
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

struct rat_yaml {
	struct fy_parser *parser;
	struct fy_document *doc;
	char *display;
	char *text; /* the source, for naming keys near syntax errors */
};

static void capture_diag(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	rat_buf *out = user;
	(void)diag;
	if (out->len < 16384) /* the diagnostic only words a message: keep what fits */
		rat__ignore(rat_buf_put(out, buf, len));
}

/* The key named on line `line` (1-based) of text, or the nearest one above it. */
static void key_near(char *out, size_t outlen, const char *text, int line)
{
	const char *starts[4096];
	int n = 0, i;
	const char *p = text;

	out[0] = '\0';
	while (*p && n < (int)RAT_ARRAY_SIZE(starts) && n < line) {
		starts[n++] = p;
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	for (i = n - 1; i >= 0; i--) {
		const char *s = starts[i], *k;
		while (*s == ' ' || *s == '-')
			s++;
		k = s;
		while (isalnum((unsigned char)*s) || *s == '_' || *s == '-' || *s == '.')
			s++;
		if (s > k && *s == ':') {
			snprintf(out, outlen, "%.*s", (int)(s - k), k);
			return;
		}
	}
}

/* Turn libfyaml's diagnostic text into "display:L:C: key: YAML syntax error: msg". */
static int syntax_error(const char *display, const char *text, const char *diag)
{
	const char *err = strstr(diag, ": error: ");
	const char *p, *msg_end;
	int line = 0, col = 0;
	char key[128];

	if (!err)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
				      "%s: not valid YAML", display);
	/* walk back over ":L:C" before ": error: " */
	p = err;
	while (p > diag && isdigit((unsigned char)p[-1]))
		p--;
	col = atoi(p);
	if (p > diag && p[-1] == ':') {
		p--;
		while (p > diag && isdigit((unsigned char)p[-1]))
			p--;
		line = atoi(p);
	}
	err += strlen(": error: ");
	msg_end = strchr(err, '\n');
	if (!msg_end)
		msg_end = err + strlen(err);
	key_near(key, sizeof(key), text, line);
	return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
			      "%s:%d:%d: %s: YAML syntax error: %.*s", display, line, col,
			      key[0] ? key : "(top level)", (int)(msg_end - err), err);
}

/*
 * Report the first duplicate key anywhere in the tree, by full key path.
 * (libfyaml's own check names neither the key nor, after alias resolution,
 * the line, so we let duplicates through the parser and find them here.)
 */
static int check_duplicates(const rat_yaml *yaml, struct fy_node *node, const char *path,
			    int depth)
{
	struct fy_node_pair *pair;
	void *iter = NULL;
	char child[256];
	size_t index = 0;
	int error;

	if (!node || depth > 64)
		return 0;
	if (fy_node_get_type(node) == FYNT_SEQUENCE) {
		struct fy_node *item;
		while ((item = fy_node_sequence_iterate(node, &iter)) != NULL) {
			snprintf(child, sizeof(child), "%s[%zu]", path, index++);
			if ((error = check_duplicates(yaml, item, child, depth + 1)) != 0)
				return error;
		}
		return 0;
	}
	if (fy_node_get_type(node) != FYNT_MAPPING)
		return 0;
	while ((pair = fy_node_mapping_iterate(node, &iter)) != NULL) {
		struct fy_node *key = fy_node_pair_key(pair);
		struct fy_node_pair *earlier;
		void *iter2 = NULL;
		const char *name = key ? fy_node_get_scalar(key, &index) : NULL;

		if (!name)
			continue;
		snprintf(child, sizeof(child), "%s%s%.*s", path, path[0] ? "." : "", (int)index, name);
		while ((earlier = fy_node_mapping_iterate(node, &iter2)) != pair) {
			size_t elen;
			const char *ename = fy_node_pair_key(earlier)
						    ? fy_node_get_scalar(fy_node_pair_key(earlier), &elen)
						    : NULL;
			if (ename && elen == index && memcmp(ename, name, elen) == 0) {
				int line, col;
				rat_yaml__position(yaml, fy_node_pair_key(earlier), &line, &col);
				return rat_yaml__error(yaml, key, child,
						       "duplicate key (first given on line %d)", line);
			}
		}
		if ((error = check_duplicates(yaml, fy_node_pair_value(pair), child, depth + 1)) != 0)
			return error;
	}
	return 0;
}

/* The offset of the first NUL or byte that is not valid UTF-8 in s[0..len); len if none. */
static size_t text_prefix(const unsigned char *s, size_t len)
{
	size_t i = 0, n, j;
	uint32_t cp;

	while (i < len) {
		if (s[i] == 0)
			return i;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if (s[i] >= 0xc2 && s[i] <= 0xdf)
			n = 1, cp = s[i] & 0x1f;
		else if (s[i] >= 0xe0 && s[i] <= 0xef)
			n = 2, cp = s[i] & 0x0f;
		else if (s[i] >= 0xf0 && s[i] <= 0xf4)
			n = 3, cp = s[i] & 0x07;
		else
			return i;
		if (len - i <= n)
			return i;
		for (j = 1; j <= n; j++) {
			if ((s[i + j] & 0xc0) != 0x80)
				return i;
			cp = cp << 6 | (s[i + j] & 0x3f);
		}
		/* overlong forms, surrogates, past U+10FFFF */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff) ||
		    cp > 0x10ffff)
			return i;
		i += n + 1;
	}
	return len;
}

/*
 * Configuration files are UTF-8 text, and libfyaml 0.7 must not see anything
 * else (both found by fuzzing): a directive line ("%...") holding a byte that
 * is not UTF-8 makes its scanner loop forever, and a NUL byte (which YAML
 * never allows) after some syntax errors makes fy_parser_destroy() crash.
 */
static int check_text(const char *display, const char *text, size_t len)
{
	size_t bad = text_prefix((const unsigned char *)text, len), i;
	int line = 1, col = 1;
	char key[128];

	if (bad == len)
		return 0;
	for (i = 0; i < bad; i++, col++)
		if (text[i] == '\n')
			line++, col = 0;
	key_near(key, sizeof(key), text, line);
	if (text[bad] == '\0')
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
				      "%s:%d:%d: %s: a NUL byte (YAML text holds none)", display, line,
				      col, key[0] ? key : "(top level)");
	return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
			      "%s:%d:%d: %s: not valid UTF-8 (byte 0x%02x); configuration files are UTF-8",
			      display, line, col, key[0] ? key : "(top level)",
			      (unsigned char)text[bad]);
}

int rat_yaml__parse(rat_yaml **out, const char *text, size_t len, const char *display)
{
	rat_yaml *yaml = NULL;
	struct fy_diag_cfg dcfg;
	struct fy_diag *diag = NULL;
	struct fy_parse_cfg cfg;
	rat_buf captured = RAT_BUF_INIT;
	struct fy_node *root;
	int error = 0;

	*out = NULL;
	if ((yaml = rat__calloc(1, sizeof(*yaml))) == NULL ||
	    (yaml->display = rat__strdup(display)) == NULL ||
	    (yaml->text = rat__strndup(text, len)) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = check_text(display, yaml->text, len)) != 0)
		goto cleanup;
	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = capture_diag;
	dcfg.user = &captured;
	dcfg.colorize = false;
	dcfg.show_source = false;
	if ((diag = fy_diag_create(&dcfg)) == NULL) {
		error = rat_error__oom();
		goto cleanup;
	}
	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_1_2 | FYPCF_ALLOW_DUPLICATE_KEYS |
		    FYPCF_JSON_NONE;
	cfg.diag = diag;
	if ((yaml->parser = fy_parser_create(&cfg)) == NULL ||
	    fy_parser_set_string(yaml->parser, yaml->text, len) != 0) {
		error = rat_error__oom();
		goto cleanup;
	}
	yaml->doc = fy_parse_load_document(yaml->parser);
	if (yaml->doc && !captured.len) {
		/* a configuration file holds one document; a second would be ignored */
		struct fy_document *second = fy_parse_load_document(yaml->parser);
		if (second) {
			const struct fy_mark *mark =
				fy_document_state_start_mark(fy_document_get_document_state(second));
			error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
					       "%s:%d:%d: (top level): a second YAML document starts here "
					       "(the file must hold exactly one)",
					       display, mark ? mark->line + 1 : 1, mark ? mark->column + 1 : 1);
			fy_parse_document_destroy(yaml->parser, second);
			goto cleanup;
		}
	}
	if (captured.len && strstr(rat_buf_cstr(&captured), ": error: ")) {
		error = syntax_error(display, yaml->text, rat_buf_cstr(&captured));
		goto cleanup;
	}
	root = yaml->doc ? fy_document_root(yaml->doc) : NULL;
	if (root && (error = check_duplicates(yaml, root, "", 0)) != 0)
		goto cleanup;
	/* then expand anchors, aliases and merge keys */
	if (yaml->doc && fy_document_resolve(yaml->doc) != 0) {
		error = captured.len && strstr(rat_buf_cstr(&captured), ": error: ")
				? syntax_error(display, yaml->text, rat_buf_cstr(&captured))
				: rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
						 "%s: cannot resolve the YAML anchors and aliases",
						 display);
		goto cleanup;
	}
	root = yaml->doc ? fy_document_root(yaml->doc) : NULL;
	if (!root || rat_yaml__is_null(root)) {
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
				       "%s:1:1: (top level): the file is empty (expected a mapping of settings)",
				       display);
		goto cleanup;
	}
	if (fy_node_get_type(root) != FYNT_MAPPING) {
		error = rat_yaml__error(yaml, root, "(top level)",
					"expected a mapping of settings, got %s", rat_yaml__kind(root));
		goto cleanup;
	}
	*out = yaml;
	yaml = NULL;
cleanup:
	rat_buf_free(&captured);
	if (diag)
		fy_diag_destroy(diag);
	rat_yaml__free(yaml);
	return error;
}

int rat_yaml__load(rat_yaml **out, const char *path, const char *display)
{
	rat_buf text = RAT_BUF_INIT;
	int error;

	*out = NULL;
	error = rat_fs__read_file(&text, path, RAT_YAML_MAX_BYTES);
	if (!error)
		error = rat_yaml__parse(out, rat_buf_cstr(&text), text.len, display);
	rat_buf_free(&text);
	return error;
}

void rat_yaml__free(rat_yaml *yaml)
{
	if (!yaml)
		return;
	if (yaml->doc)
		fy_parse_document_destroy(yaml->parser, yaml->doc);
	if (yaml->parser)
		fy_parser_destroy(yaml->parser);
	free(yaml->display);
	free(yaml->text);
	free(yaml);
}

const char *rat_yaml__display(const rat_yaml *yaml)
{
	return yaml->display;
}

struct fy_node *rat_yaml__root(rat_yaml *yaml)
{
	return fy_document_root(yaml->doc);
}

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
	return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG, "%s:%d:%d: %s: %s", yaml->display,
			      line, col, path[0] ? path : "(top level)", message);
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
