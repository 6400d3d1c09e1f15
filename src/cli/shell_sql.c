/*
 * cli/shell_sql.c - where a statement typed into `rat shell` ends: at a ';'
 * outside quotes ('...', "...", $tag$...$tag$) and comments (-- to the end
 * of the line, and block comments, which nest as in DuckDB). The scanner
 * keeps its state between calls, so a statement may span lines. It also
 * says whether a statement holds anything but spaces and comments, so that
 * a lone ';' or a comment line runs nothing.
 *
 * The same scanner finds the original Ratatouille's table syntax,
 * {layer.table}, in `rat query` and `rat shell` input: outside quotes and
 * comments only, so a brace in a string literal stays as written.
 */
#include "cli/shell.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

enum { NORMAL, SINGLE, DOUBLE, LINE_COMMENT, BLOCK_COMMENT, DOLLAR };

void cli_scan_reset(cli_scan *s)
{
	memset(s, 0, sizeof(*s));
}

/* At text[i] == '$': the length of a dollar-quote tag "$tag$" there, or 0. */
static size_t dollar_tag(const char *text, size_t i, size_t len)
{
	size_t j = i + 1;

	while (j < len && (isalnum((unsigned char)text[j]) || text[j] == '_'))
		j++;
	if (j >= len || text[j] != '$' || j - i + 1 > sizeof(((cli_scan *)0)->tag))
		return 0;
	if (j > i + 1 && isdigit((unsigned char)text[i + 1])) /* $1 is a parameter */
		return 0;
	return j - i + 1;
}

/* One character (or a pair) in NORMAL state at text[i]; how many it takes. */
static size_t scan_normal(cli_scan *s, const char *text, size_t i, size_t len)
{
	char c = text[i], next = i + 1 < len ? text[i + 1] : '\0';
	size_t tag;

	if (c == '-' && next == '-') {
		s->state = LINE_COMMENT;
		return 2;
	}
	if (c == '/' && next == '*') {
		s->state = BLOCK_COMMENT;
		s->depth = 1;
		return 2;
	}
	if (!isspace((unsigned char)c) && c != ';')
		s->code = true;
	if (c == '\'' || c == '"') {
		s->state = c == '\'' ? SINGLE : DOUBLE;
	} else if (c == '$' && (tag = dollar_tag(text, i, len)) > 0) {
		memcpy(s->tag, text + i, tag);
		s->tag_len = tag;
		s->state = DOLLAR;
		return tag;
	}
	return 1;
}

/* One character (or a pair) inside a quote or a comment; how many it takes. */
static size_t scan_inside(cli_scan *s, const char *text, size_t i, size_t len)
{
	char c = text[i], next = i + 1 < len ? text[i + 1] : '\0';

	switch (s->state) {
	case SINGLE:
	case DOUBLE: /* a doubled quote stays inside */
		if (c == (s->state == SINGLE ? '\'' : '"')) {
			if (next == c)
				return 2;
			s->state = NORMAL;
		}
		return 1;
	case LINE_COMMENT:
		if (c == '\n')
			s->state = NORMAL;
		return 1;
	case BLOCK_COMMENT:
		if ((c == '/' && next == '*') || (c == '*' && next == '/')) {
			s->depth += c == '/' ? 1 : -1;
			s->state = s->depth ? BLOCK_COMMENT : NORMAL;
			return 2;
		}
		return 1;
	default: /* DOLLAR */
		if (c == '$' && len - i >= s->tag_len && memcmp(text + i, s->tag, s->tag_len) == 0) {
			s->state = NORMAL;
			return s->tag_len;
		}
		return 1;
	}
}

size_t cli_scan_statement(cli_scan *s, const char *text, size_t from, size_t len)
{
	size_t i = from;

	while (i < len) {
		if (s->state == NORMAL && text[i] == ';')
			return i + 1;
		i += s->state == NORMAL ? scan_normal(s, text, i, len) : scan_inside(s, text, i, len);
	}
	s->scanned = len;
	return 0;
}

bool cli_scan_open(const cli_scan *s)
{
	return s->code || s->state != NORMAL;
}

/* At text[i] == '{': the length of "{layer.table}" there (word characters), or 0. */
static size_t table_brace(const char *text, size_t i, size_t len)
{
	size_t j, part = 0, dots = 0;

	for (j = i + 1; j < len; j++) {
		if (isalnum((unsigned char)text[j]) || text[j] == '_')
			part++;
		else if (text[j] == '.' && part && !dots) {
			dots++;
			part = 0;
		} else {
			break;
		}
	}
	return j < len && text[j] == '}' && dots == 1 && part ? j - i + 1 : 0;
}

char *cli_expand_tables(const char *sql)
{
	size_t len = strlen(sql), i = 0, o = 0, n;
	char *out = malloc(len + 1); /* the braces only go: never longer */
	cli_scan s;

	if (!out)
		return NULL;
	cli_scan_reset(&s);
	while (i < len) {
		if (s.state == NORMAL && sql[i] == '{' && (n = table_brace(sql, i, len)) > 0) {
			memcpy(out + o, sql + i + 1, n - 2);
			o += n - 2;
			i += n;
			continue;
		}
		n = s.state == NORMAL ? scan_normal(&s, sql, i, len) : scan_inside(&s, sql, i, len);
		memcpy(out + o, sql + i, n);
		o += n;
		i += n;
	}
	out[o] = '\0';
	return out;
}
