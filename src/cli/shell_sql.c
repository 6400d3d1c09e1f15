/*
 * cli/shell_sql.c - where a statement typed into `rat shell` ends: at a ';'
 * outside quotes ('...', "...", $tag$...$tag$) and comments (-- to the end
 * of the line, and block comments, which nest as in DuckDB). The scanner
 * keeps its state between calls, so a statement may span lines. It also
 * says whether a statement holds anything but spaces and comments, so that
 * a lone ';' or a comment line runs nothing.
 */
#include "cli/shell.h"

#include <ctype.h>
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
