/*
 * util/sql.c - quoting for SQL text that librat writes.
 */
#include "util/common.h"
#include "util/sql.h"

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
