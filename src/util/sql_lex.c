/*
 * util/sql_lex.c - SQL text as tokens (DuckDB's dialect, PostgreSQL's
 * lexical rules), for finding where each statement of a text starts and
 * ends, and reading a statement's first words (util/sql.h).
 *
 * It knows what can hide a ';' or a word: '...' strings ('' inside), E'...'
 * strings (backslash escapes), "..." identifiers ("" inside), $tag$...$tag$
 * strings, -- comments and nested block comments. It parses nothing: DuckDB
 * does, and callers check that it counts the statements as DuckDB does.
 */
#include "util/common.h"
#include "util/sql.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static bool word_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '$' || (unsigned char)c >= 0x80;
}

static bool word_start(char c)
{
	return isalpha((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80;
}

/* Past whitespace and comments (an unterminated comment runs to the end). */
static size_t skip_blank(const char *s, size_t i)
{
	for (;;) {
		while (s[i] && isspace((unsigned char)s[i]))
			i++;
		if (s[i] == '-' && s[i + 1] == '-') {
			while (s[i] && s[i] != '\n')
				i++;
		} else if (s[i] == '/' && s[i + 1] == '*') {
			int depth = 0;
			do {
				if (s[i] == '/' && s[i + 1] == '*')
					depth++, i += 2;
				else if (s[i] == '*' && s[i + 1] == '/')
					depth--, i += 2;
				else
					i++;
			} while (s[i] && depth > 0);
		} else {
			return i;
		}
	}
}

/*
 * The end of a quoted run opened at s[i] by quote ('' or "" inside;
 * backslashes with escapes); *closed: whether a quote ends it (else the text does).
 */
static size_t quoted_run(const char *s, size_t i, char quote, bool escapes, bool *closed)
{
	*closed = false;
	for (i++; s[i]; i++) {
		if (escapes && s[i] == '\\' && s[i + 1])
			i++;
		else if (s[i] == quote && s[i + 1] == quote)
			i++;
		else if (s[i] == quote)
			return *closed = true, i + 1;
	}
	return i;
}

static size_t quoted_end(const char *s, size_t i, char quote, bool escapes)
{
	bool closed;

	return quoted_run(s, i, quote, escapes, &closed);
}

/* A dollar-quoted string at s[i] ($$...$$ or $tag$...$tag$): its end, or 0 when it is not one. */
static size_t dollar_end(const char *s, size_t i)
{
	size_t tag = i + 1;
	const char *close;

	while (s[tag] && s[tag] != '$' && (isalnum((unsigned char)s[tag]) || s[tag] == '_'))
		tag++;
	if (s[tag] != '$' || isdigit((unsigned char)s[i + 1]))
		return 0;
	tag = tag + 1 - i; /* "$tag$" */
	for (close = s + i + tag; (close = strchr(close, '$')) != NULL; close++)
		if (strncmp(close, s + i, tag) == 0)
			return (size_t)(close - s) + tag;
	return strlen(s);
}

bool rat_sql__ends_in_string(const char *s)
{
	rat_sql_token t = { RAT_SQL_TOKEN_END, 0, 0 }, next;
	size_t pos = 0, i;
	bool closed;

	while ((next = rat_sql__token(s, pos)).kind != RAT_SQL_TOKEN_END) {
		t = next;
		pos = t.start + t.len;
	}
	if (t.kind != RAT_SQL_TOKEN_STRING || s[pos] || s[t.start] == '$')
		return false;
	for (i = t.start; s[i] != '\''; i++) /* past an E, X or B prefix */
		;
	quoted_run(s, i, '\'', i == t.start + 1 && (s[t.start] == 'e' || s[t.start] == 'E'), &closed);
	return !closed;
}

rat_sql_token rat_sql__token(const char *s, size_t pos)
{
	rat_sql_token t = { RAT_SQL_TOKEN_END, skip_blank(s, pos), 0 };
	size_t i = t.start, end;

	if (!s[i])
		return t;
	if (word_start(s[i])) {
		for (end = i; word_char(s[end]); end++)
			;
		if (s[end] == '\'') { /* E'..', X'..', B'..': one string */
			t.kind = RAT_SQL_TOKEN_STRING;
			end = quoted_end(s, end, '\'', end - i == 1 && (s[i] == 'e' || s[i] == 'E'));
		} else {
			t.kind = RAT_SQL_TOKEN_WORD;
		}
	} else if (s[i] == '"') {
		t.kind = RAT_SQL_TOKEN_QUOTED;
		end = quoted_end(s, i, '"', false);
	} else if (s[i] == '\'') {
		t.kind = RAT_SQL_TOKEN_STRING;
		end = quoted_end(s, i, '\'', false);
	} else if (s[i] == '$' && (end = dollar_end(s, i)) != 0) {
		t.kind = RAT_SQL_TOKEN_STRING;
	} else {
		t.kind = s[i] == ';' ? RAT_SQL_TOKEN_SEMICOLON : RAT_SQL_TOKEN_OTHER;
		end = i + 1;
	}
	t.len = end - i;
	return t;
}

int rat_sql__split(rat_sql_spans *out, const char *sql)
{
	rat_sql_token t;
	size_t pos = 0, start = 0, last_end = 0, cap = 0;
	bool open = false;

	memset(out, 0, sizeof(*out));
	do {
		t = rat_sql__token(sql, pos);
		if (t.kind != RAT_SQL_TOKEN_SEMICOLON && t.kind != RAT_SQL_TOKEN_END) {
			if (!open)
				start = t.start;
			open = true;
			last_end = t.start + t.len;
		} else if (open) {
			if (out->count == cap) {
				size_t n = cap ? cap * 2 : 8;
				rat_sql_span *grown = realloc(out->items, n * sizeof(*grown));
				if (!grown) {
					rat_sql__spans_free(out);
					return rat_error__oom();
				}
				out->items = grown;
				cap = n;
			}
			out->items[out->count].start = start;
			out->items[out->count++].end = last_end;
			open = false;
		}
		pos = t.start + t.len;
	} while (t.kind != RAT_SQL_TOKEN_END);
	return 0;
}

void rat_sql__spans_free(rat_sql_spans *spans)
{
	free(spans->items);
	memset(spans, 0, sizeof(*spans));
}
