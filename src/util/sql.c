/*
 * util/sql.c - quoting for SQL text that librat writes.
 */
#include "util/common.h"
#include "util/sql.h"

#include <stdlib.h>
#include <string.h>

static int quoted(rat_buf *sql, const char *s, char q)
{
	int error = rat_buf_putc(sql, q);

	for (; !error && *s; s++) {
		if (*s == q)
			error = rat_buf_putc(sql, q); /* a quote inside is doubled */
		if (!error)
			error = rat_buf_putc(sql, *s);
	}
	return error ? error : rat_buf_putc(sql, q);
}

int rat_sql__literal(rat_buf *sql, const char *s)
{
	return quoted(sql, s, '\'');
}

int rat_sql__path_literal(rat_buf *sql, const char *path)
{
	rat_buf escaped = RAT_BUF_INIT;
	const char *p;
	int error = 0;

	for (p = path; !error && *p; p++)
		error = strchr("*?[", *p) ? rat_buf_printf(&escaped, "[%c]", *p)
					  : rat_buf_putc(&escaped, *p);
	if (!error)
		error = rat_sql__literal(sql, rat_buf_cstr(&escaped));
	rat_buf_free(&escaped);
	return error;
}

int rat_sql__ident(rat_buf *sql, const char *s)
{
	return quoted(sql, s, '"');
}

int rat_sql__relation(rat_buf *sql, const char *key)
{
	const char *dot = strchr(key, '.');
	char schema[64];
	int error;

	if (!dot || dot == key || (size_t)(dot - key) >= sizeof(schema) || !dot[1])
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "'%s' is not a table name: write layer.table, like silver.orders",
				      key);
	memcpy(schema, key, (size_t)(dot - key));
	schema[dot - key] = '\0';
	if ((error = rat_sql__ident(sql, schema)) == 0 && (error = rat_buf_putc(sql, '.')) == 0)
		error = rat_sql__ident(sql, dot + 1);
	return error;
}

static bool word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

int rat_sql__words(rat_strarray *out, const char *sql)
{
	rat_strarray words = RAT_STRARRAY_INIT;
	size_t i, kept = 0;
	int error = 0;

	while (!error && *sql) {
		const char *start;
		char *word;
		size_t n;

		if (!word_char(*sql)) {
			sql++;
			continue;
		}
		for (start = sql; word_char(*sql); sql++)
			;
		n = (size_t)(sql - start);
		if ((word = rat__strndup(start, n)) == NULL) {
			error = RAT_ENOMEM;
			break;
		}
		for (i = 0; i < n; i++)
			if (word[i] >= 'A' && word[i] <= 'Z')
				word[i] = (char)(word[i] - 'A' + 'a');
		error = rat_strarray__push_owned(&words, word);
	}
	if (error) {
		rat_strarray_free(&words);
		return error;
	}
	rat_strarray__sort(&words);
	for (i = 0; i < words.count; i++) {
		if (kept && strcmp(words.strings[kept - 1], words.strings[i]) == 0)
			free(words.strings[i]);
		else
			words.strings[kept++] = words.strings[i];
	}
	words.count = kept;
	*out = words;
	return 0;
}
