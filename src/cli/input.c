/*
 * cli/input.c - SQL read from standard input or a file (`rat query -`,
 * `rat write --sql -`, `rat write --file FILE`), capped at 64 MiB; a NUL
 * byte is refused, as in a pipeline's SQL.
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define SQL_CAP ((size_t)64 << 20)

/* buf, or NULL (printed, with its line and column) when it holds a NUL byte, which would end it early. */
static char *refuse_nul(char *buf, size_t len, const char *what)
{
	const char *nul = memchr(buf, '\0', len);
	size_t line = 1, col = 1;
	const char *p;

	if (!nul)
		return buf;
	for (p = buf; p < nul; p++, col++)
		if (*p == '\n') {
			line++;
			col = 0;
		}
	cli_fail("%s:%zu:%zu: a NUL byte (SQL text holds none)", what, line, col);
	free(buf);
	return NULL;
}

/* All of in, as text; NULL (printed, naming what) when over the cap or out of memory. */
static char *read_all(FILE *in, const char *what)
{
	size_t len = 0, cap = 4096, n;
	char *buf = malloc(cap), *grown;

	while (buf && (n = fread(buf + len, 1, cap - len - 1, in)) > 0) {
		len += n;
		if (len + 1 < cap)
			continue;
		if (cap >= SQL_CAP) {
			free(buf);
			cli_fail("%s is larger than 64 MiB", what);
			return NULL;
		}
		if ((grown = realloc(buf, cap * 2)) == NULL) {
			free(buf);
			buf = NULL;
			break;
		}
		buf = grown;
		cap *= 2;
	}
	if (!buf) {
		cli_fail("%s: out of memory", what);
		return NULL;
	}
	if (ferror(in)) {
		cli_fail("%s: %s", what, strerror(errno));
		free(buf);
		return NULL;
	}
	buf[len] = '\0';
	return refuse_nul(buf, len, what);
}

char *cli_read_sql(const char *path, const char *command)
{
	char what[4200];
	FILE *in;
	char *sql;

	if (strcmp(path, "-") == 0) {
		snprintf(what, sizeof(what), "%s: SQL on standard input", command);
		return read_all(stdin, what);
	}
	snprintf(what, sizeof(what), "%s: %s", command, path);
	if ((in = fopen(path, "r")) == NULL) {
		cli_fail("%s: cannot read %s: %s", command, path, strerror(errno));
		return NULL;
	}
	sql = read_all(in, what);
	fclose(in);
	return sql;
}
