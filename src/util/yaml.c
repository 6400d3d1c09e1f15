/*
 * util/yaml.c - strict YAML configuration loading over libfyaml (reading
 * the loaded document: yaml_read.c).
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

/*
 * Aliases that expand past this many nodes are refused before libfyaml
 * expands them: a few hundred bytes of nested aliases (an "alias bomb")
 * otherwise grow to gigabytes. No configuration needs a tenth of it.
 */
#define MAX_EXPANDED_NODES 100000

/* The expanded size of each node seen, so that an alias repeated costs one look-up. */
typedef struct expansion {
	struct fy_node **nodes;
	size_t *sizes;
	size_t cap, count;
	struct fy_node *where;   /* the first key whose value went past the cap */
} expansion;

static size_t *memo_find(const expansion *e, struct fy_node *node)
{
	size_t i;

	for (i = (size_t)(((uintptr_t)node >> 4) % e->cap); e->nodes[i]; i = (i + 1) % e->cap)
		if (e->nodes[i] == node)
			return &e->sizes[i];
	return NULL;
}

static void memo_put(expansion *e, struct fy_node *node, size_t size)
{
	size_t i = (size_t)(((uintptr_t)node >> 4) % e->cap);

	if (e->count * 2 >= e->cap) /* full enough: stop remembering (the walk stays bounded) */
		return;
	while (e->nodes[i])
		i = (i + 1) % e->cap;
	e->nodes[i] = node;
	e->sizes[i] = size;
	e->count++;
}

/* The number of nodes node stands for once its aliases are expanded, capped past the limit. */
static size_t expanded_size(expansion *e, struct fy_node *node, int depth)
{
	struct fy_node_pair *pair;
	void *iter = NULL;
	size_t size = 1, *known;

	if (!node)
		return 0;
	if (depth > 128)
		return MAX_EXPANDED_NODES + 1;
	if ((known = memo_find(e, node)) != NULL)
		return *known;
	if (fy_node_is_alias(node)) {
		size = expanded_size(e, fy_node_resolve_alias(node), depth + 1);
	} else if (fy_node_get_type(node) == FYNT_SEQUENCE) {
		struct fy_node *item;
		while (size <= MAX_EXPANDED_NODES &&
		       (item = fy_node_sequence_iterate(node, &iter)) != NULL)
			size += expanded_size(e, item, depth + 1);
	} else if (fy_node_get_type(node) == FYNT_MAPPING) {
		while (size <= MAX_EXPANDED_NODES &&
		       (pair = fy_node_mapping_iterate(node, &iter)) != NULL) {
			size += expanded_size(e, fy_node_pair_key(pair), depth + 1) +
				expanded_size(e, fy_node_pair_value(pair), depth + 1);
			if (size > MAX_EXPANDED_NODES && !e->where)
				e->where = fy_node_pair_key(pair);
		}
	}
	if (size > MAX_EXPANDED_NODES)
		size = MAX_EXPANDED_NODES + 1;
	memo_put(e, node, size);
	return size;
}

static int where_error(const rat_yaml *yaml, struct fy_node *key)
{
	size_t len = 0;
	const char *name = fy_node_get_type(key) == FYNT_SCALAR ? fy_node_get_scalar(key, &len)
								 : NULL;
	char path[128];

	snprintf(path, sizeof(path), "%.*s", name ? (int)len : 0, name ? name : "");
	return rat_yaml__error(yaml, key, path, "its aliases would expand the document past %d "
				"nodes: refused (an alias bomb?)", MAX_EXPANDED_NODES);
}

/* Refuse a document whose aliases would expand past MAX_EXPANDED_NODES. */
static int check_expansion(const rat_yaml *yaml, struct fy_node *root, size_t text_len)
{
	expansion e;
	size_t size;
	int error = 0;

	memset(&e, 0, sizeof(e));
	e.cap = 2 * text_len + 64; /* a document has fewer nodes than bytes */
	e.nodes = rat__calloc(e.cap, sizeof(*e.nodes));
	e.sizes = rat__calloc(e.cap, sizeof(*e.sizes));
	if (!e.nodes || !e.sizes)
		error = RAT_ENOMEM;
	else if ((size = expanded_size(&e, root, 0)) > MAX_EXPANDED_NODES)
		error = where_error(yaml, e.where ? e.where : root);
	free(e.nodes);
	free(e.sizes);
	return error;
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

/* yaml->parser over yaml->text, its diagnostics captured into captured (*diag: free it). */
static int make_parser(rat_yaml *yaml, size_t len, struct fy_diag **diag, rat_buf *captured)
{
	struct fy_diag_cfg dcfg;
	struct fy_parse_cfg cfg;

	fy_diag_cfg_default(&dcfg);
	dcfg.fp = NULL;
	dcfg.output_fn = capture_diag;
	dcfg.user = captured;
	dcfg.colorize = false;
	dcfg.show_source = false;
	if ((*diag = fy_diag_create(&dcfg)) == NULL)
		return rat_error__oom();
	memset(&cfg, 0, sizeof(cfg));
	cfg.flags = FYPCF_QUIET | FYPCF_DEFAULT_VERSION_1_2 | FYPCF_ALLOW_DUPLICATE_KEYS |
		    FYPCF_JSON_NONE;
	cfg.diag = *diag;
	if ((yaml->parser = fy_parser_create(&cfg)) == NULL ||
	    fy_parser_set_string(yaml->parser, yaml->text, len) != 0)
		return rat_error__oom();
	return 0;
}

/* A configuration file holds one document; a second would be ignored. */
static int refuse_second_document(rat_yaml *yaml)
{
	struct fy_document *second = fy_parse_load_document(yaml->parser);
	const struct fy_mark *mark;
	int error;

	if (!second)
		return 0;
	mark = fy_document_state_start_mark(fy_document_get_document_state(second));
	error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
			       "%s:%d:%d: (top level): a second YAML document starts here "
			       "(the file must hold exactly one)",
			       yaml->display, mark ? mark->line + 1 : 1, mark ? mark->column + 1 : 1);
	fy_parse_document_destroy(yaml->parser, second);
	return error;
}

/* The loaded document is one mapping, without duplicate keys, its aliases resolved. */
static int check_document(rat_yaml *yaml, struct fy_diag *diag, const rat_buf *captured)
{
	struct fy_node *root;
	size_t said;
	int error;

	if (fy_diag_got_error(diag))
		return syntax_error(yaml->display, yaml->text, rat_buf_cstr(captured));
	root = yaml->doc ? fy_document_root(yaml->doc) : NULL;
	if (root && ((error = check_expansion(yaml, root, strlen(yaml->text))) != 0 ||
		     (error = check_duplicates(yaml, root, "", 0)) != 0))
		return error;
	/* then expand anchors, aliases and merge keys; a failure that libfyaml
	 * diagnosed (an undefined alias) is reported as its diagnostic says */
	said = captured->len;
	if (yaml->doc && fy_document_resolve(yaml->doc) != 0)
		return captured->len > said
			       ? syntax_error(yaml->display, yaml->text, rat_buf_cstr(captured) + said)
			       : rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
						"%s: cannot resolve the YAML anchors and aliases",
						yaml->display);
	root = yaml->doc ? fy_document_root(yaml->doc) : NULL;
	if (!root || rat_yaml__is_null(root))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
				      "%s:1:1: (top level): the file is empty (expected a mapping of "
				      "settings)", yaml->display);
	if (fy_node_get_type(root) != FYNT_MAPPING)
		return rat_yaml__error(yaml, root, "(top level)",
				       "expected a mapping of settings, got %s", rat_yaml__kind(root));
	return 0;
}

int rat_yaml__parse(rat_yaml **out, const char *text, size_t len, const char *display)
{
	rat_yaml *yaml = NULL;
	struct fy_diag *diag = NULL;
	rat_buf captured = RAT_BUF_INIT;
	int error = 0;

	*out = NULL;
	if ((yaml = rat__calloc(1, sizeof(*yaml))) == NULL ||
	    (yaml->display = rat__strdup(display)) == NULL ||
	    (yaml->text = rat__strndup(text, len)) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = check_text(display, yaml->text, len)) != 0 ||
	    (error = make_parser(yaml, len, &diag, &captured)) != 0)
		goto cleanup;
	yaml->doc = fy_parse_load_document(yaml->parser);
	if ((yaml->doc && !fy_diag_got_error(diag) && (error = refuse_second_document(yaml)) != 0) ||
	    (error = check_document(yaml, diag, &captured)) != 0)
		goto cleanup;
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

