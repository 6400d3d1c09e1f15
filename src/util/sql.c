/*
 * util/sql.c - quoting for SQL text that librat writes.
 */
#include "util/common.h"
#include "util/sql.h"

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
