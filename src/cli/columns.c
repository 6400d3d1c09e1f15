/*
 * cli/columns.c - listings laid out in columns as wide as their widest
 * cell, so that a long value (a run id, a table name) widens its column
 * instead of pushing the rest of its row out of line.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

int cli_columns_init(cli_columns *t, size_t ncols, const char *const *heads, const char *align)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->align = align;
	return cli_columns_row(t, heads);
}

int cli_columns_row(cli_columns *t, const char *const *cells)
{
	size_t i;

	if ((t->nrows + 1) * t->ncols > t->cap) {
		size_t cap = t->cap ? t->cap * 2 : t->ncols * 32;
		char **grown = realloc(t->cells, cap * sizeof(char *));
		if (!grown)
			return cli_fail("out of memory");
		t->cells = grown;
		t->cap = cap;
	}
	for (i = 0; i < t->ncols; i++) {
		char *copy = strdup(cells[i] ? cells[i] : "");
		if (!copy) {
			while (i > 0)
				free(t->cells[t->nrows * t->ncols + --i]);
			return cli_fail("out of memory");
		}
		t->cells[t->nrows * t->ncols + i] = copy;
	}
	t->nrows++;
	return CLI_OK;
}

void cli_columns_print(const cli_columns *t, FILE *out)
{
	size_t widths[CLI_COLUMNS_MAX] = { 0 }, r, i;

	for (r = 0; r < t->nrows; r++)
		for (i = 0; i < t->ncols && i < CLI_COLUMNS_MAX; i++)
			if (cli_display_width(t->cells[r * t->ncols + i]) > widths[i])
				widths[i] = cli_display_width(t->cells[r * t->ncols + i]);
	for (r = 0; r < t->nrows; r++) {
		for (i = 0; i < t->ncols && i < CLI_COLUMNS_MAX; i++) {
			const char *cell = t->cells[r * t->ncols + i];
			int pad = (int)(widths[i] - cli_display_width(cell));
			bool last = i + 1 == t->ncols;
			if (t->align[i] == 'r')
				fprintf(out, "%*s%s", pad, "", cell);
			else
				fprintf(out, "%s%*s", cell, last ? 0 : pad, "");
			fputs(last ? "\n" : "  ", out);
		}
	}
}

void cli_columns_free(cli_columns *t)
{
	size_t i;

	for (i = 0; t->cells && i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}
