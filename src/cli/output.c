/*
 * cli/output.c - query results as a table, CSV (RFC 4180: CRLF line ends,
 * or LF with --lf) or JSON.
 *
 * CSV and JSON stream row by row, so any result size works. The table
 * format needs column widths, so it holds at most --limit rows and says
 * when more were left out.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

size_t cli_display_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

#define CELL_MAX_WIDTH 80

/* A cell for the table: control characters escaped, cut at CELL_MAX_WIDTH. */
static char *table_cell(const char *text, size_t len)
{
	char *out = malloc(len * 4 + 8), *p = out;
	size_t i, width = 0;

	if (!out)
		return NULL;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		if ((c & 0xC0) != 0x80 && ++width > CELL_MAX_WIDTH) {
			memcpy(p, "\xe2\x80\xa6", 3); /* … */
			p += 3;
			break;
		}
		if (c == '\n') {
			memcpy(p, "\\n", 2);
			p += 2;
		} else if (c == '\t') {
			memcpy(p, "\\t", 2);
			p += 2;
		} else if (c < 0x20 || c == 0x7f) {
			p += sprintf(p, "\\x%02x", c);
		} else {
			*p++ = (char)c;
		}
	}
	*p = '\0';
	return out;
}

static bool is_numeric(rat_type type)
{
	return type == RAT_TYPE_INTEGER || type == RAT_TYPE_HUGEINT || type == RAT_TYPE_FLOAT ||
	       type == RAT_TYPE_DECIMAL;
}

static void rule(FILE *out, const size_t *widths, size_t n, const char *left, const char *mid,
		 const char *right)
{
	size_t i, j;

	fputs(left, out);
	for (i = 0; i < n; i++) {
		for (j = 0; j < widths[i] + 2; j++)
			fputs("\xe2\x94\x80", out); /* ─ */
		fputs(i + 1 < n ? mid : right, out);
	}
	fputc('\n', out);
}

static void cell(FILE *out, const char *text, size_t width, bool right, const char *style,
		 bool color)
{
	size_t pad = width - cli_display_width(text);

	fputs(" ", out);
	if (right)
		fprintf(out, "%*s", (int)pad, "");
	if (color && style)
		fputs(style, out);
	fputs(text, out);
	if (color && style)
		fputs("\x1b[0m", out);
	if (!right)
		fprintf(out, "%*s", (int)pad, "");
	fputs(" \xe2\x94\x82", out); /* │ */
}

/* The rows of a table result, as cells of text, and each column's width. */
typedef struct grid {
	size_t ncols, nrows, cap;
	size_t *widths;
	char **cells; /* nrows * ncols, row by row */
	bool more;    /* rows were left out (max_rows) */
} grid;

static void grid_free(grid *g)
{
	size_t r;

	for (r = 0; g->cells && r < g->nrows * g->ncols; r++)
		free(g->cells[r]);
	free(g->cells);
	free(g->widths);
}

/* Room for one more row, its slots empty (so that grid_free() may free them all). */
static int grid_add_row(grid *g)
{
	size_t i;

	if ((g->nrows + 1) * g->ncols > g->cap) {
		size_t ncap = g->cap ? g->cap * 2 : (g->ncols ? g->ncols * 64 : 64);
		char **grown = realloc(g->cells, ncap * sizeof(char *));
		if (!grown)
			return cli_fail("query: out of memory");
		g->cells = grown;
		g->cap = ncap;
	}
	for (i = 0; i < g->ncols; i++)
		g->cells[g->nrows * g->ncols + i] = NULL;
	g->nrows++;
	return CLI_OK;
}

/* Read at most max_rows rows (0: all) into g. */
static int grid_fill(grid *g, rat_result *result, unsigned long max_rows)
{
	size_t i;
	int step, status;

	for (i = 0; i < g->ncols; i++) {
		g->widths[i] = cli_display_width(rat_result_column_name(result, i));
		if (cli_display_width(rat_result_column_type_name(result, i)) > g->widths[i])
			g->widths[i] = cli_display_width(rat_result_column_type_name(result, i));
	}
	while ((step = rat_result_next(result)) == 1) {
		if (max_rows && g->nrows == max_rows) {
			g->more = true;
			return CLI_OK;
		}
		if ((status = grid_add_row(g)) != CLI_OK)
			return status;
		for (i = 0; i < g->ncols; i++) {
			char **slot = &g->cells[(g->nrows - 1) * g->ncols + i];
			const char *text;
			size_t len;
			if (rat_result_get_text(result, i, &text, &len) != 0)
				return cli_fail_lib(NULL);
			if ((*slot = text ? table_cell(text, len) : strdup("NULL")) == NULL)
				return cli_fail("query: out of memory");
			if (cli_display_width(*slot) > g->widths[i])
				g->widths[i] = cli_display_width(*slot);
		}
	}
	return step < 0 ? cli_fail_lib(NULL) : CLI_OK;
}

static void grid_print(FILE *out, const grid *g, rat_result *result, bool color)
{
	size_t i, r, ncols = g->ncols;

	rule(out, g->widths, ncols, "\xe2\x94\x8c", "\xe2\x94\xac", "\xe2\x94\x90"); /* ┌ ┬ ┐ */
	fputs("\xe2\x94\x82", out);
	for (i = 0; i < ncols; i++)
		cell(out, rat_result_column_name(result, i), g->widths[i], false, "\x1b[1m", color);
	fputs("\n\xe2\x94\x82", out);
	for (i = 0; i < ncols; i++)
		cell(out, rat_result_column_type_name(result, i), g->widths[i], false, "\x1b[2m",
		     color);
	fputc('\n', out);
	rule(out, g->widths, ncols, "\xe2\x94\x9c", "\xe2\x94\xbc", "\xe2\x94\xa4"); /* ├ ┼ ┤ */
	for (r = 0; r < g->nrows; r++) {
		fputs("\xe2\x94\x82", out);
		for (i = 0; i < ncols; i++) {
			const char *text = g->cells[r * ncols + i];
			bool is_null = rat_result_column_type(result, i) == RAT_TYPE_NULL ||
				       strcmp(text, "NULL") == 0;
			cell(out, text, g->widths[i], is_numeric(rat_result_column_type(result, i)),
			     is_null ? "\x1b[2m" : NULL, color);
		}
		fputc('\n', out);
	}
	rule(out, g->widths, ncols, "\xe2\x94\x94", "\xe2\x94\xb4", "\xe2\x94\x98"); /* └ ┴ ┘ */
	if (g->more)
		fprintf(out, "%zu rows shown; more not shown (--limit 0 shows all)\n", g->nrows);
	else
		fprintf(out, "%zu row%s\n", g->nrows, g->nrows == 1 ? "" : "s");
}

static int write_table(FILE *out, rat_result *result, unsigned long max_rows, bool color)
{
	grid g;
	int status;

	memset(&g, 0, sizeof(g));
	g.ncols = rat_result_column_count(result);
	if ((g.widths = calloc(g.ncols ? g.ncols : 1, sizeof(size_t))) == NULL)
		return cli_fail("query: out of memory");
	if ((status = grid_fill(&g, result, max_rows)) == CLI_OK && g.ncols > 0)
		grid_print(out, &g, result, color);
	grid_free(&g);
	return status;
}

/* One CSV field (RFC 4180). An empty string is "" so that it differs from NULL. */
static void csv_field(FILE *out, const char *text, size_t len)
{
	size_t i;
	bool quote = len == 0 || text[0] == ' ' || text[len - 1] == ' ';

	for (i = 0; !quote && i < len; i++)
		quote = text[i] == ',' || text[i] == '"' || text[i] == '\n' || text[i] == '\r';
	if (!quote) {
		fwrite(text, 1, len, out);
		return;
	}
	fputc('"', out);
	for (i = 0; i < len; i++) {
		if (text[i] == '"')
			fputc('"', out);
		fputc(text[i], out);
	}
	fputc('"', out);
}

static int write_csv(FILE *out, rat_result *result, bool lf)
{
	const char *eol = lf ? "\n" : "\r\n";
	size_t ncols = rat_result_column_count(result), i;
	int step;

	for (i = 0; i < ncols; i++) {
		const char *name = rat_result_column_name(result, i);
		if (i)
			fputc(',', out);
		csv_field(out, name, strlen(name));
	}
	fputs(eol, out);
	while ((step = rat_result_next(result)) == 1) {
		for (i = 0; i < ncols; i++) {
			const char *text;
			size_t len;
			if (rat_result_get_text(result, i, &text, &len) != 0)
				return cli_fail_lib(NULL);
			if (i)
				fputc(',', out);
			if (text)
				csv_field(out, text, len);
		}
		fputs(eol, out);
	}
	return step < 0 ? cli_fail_lib(NULL) : CLI_OK;
}

static int write_json(FILE *out, rat_result *result)
{
	size_t ncols = rat_result_column_count(result), i;
	uint64_t rows = 0;
	int step;

	fputc('[', out);
	while ((step = rat_result_next(result)) == 1) {
		fputs(rows++ ? ",\n{" : "\n{", out);
		for (i = 0; i < ncols; i++) {
			const char *json;
			size_t len;
			if (rat_result_get_json(result, i, &json, &len) != 0)
				return cli_fail_lib(NULL);
			if (i)
				fputc(',', out);
			cli_json_string(out, rat_result_column_name(result, i));
			fputc(':', out);
			fwrite(json, 1, len, out);
		}
		fputc('}', out);
	}
	if (step < 0)
		return cli_fail_lib(NULL);
	fputs(rows ? "\n]\n" : "]\n", out);
	return CLI_OK;
}

const char *const cli_result_formats[] = { "table", "csv", "json", NULL };

const cli_option cli_lf_option = { "lf", 0, CLI_FLAG, NULL,
				   "csv: end lines with LF instead of CRLF (RFC 4180)", NULL, NULL,
				   NULL };

cli_format cli_parse_format(const char *name)
{
	if (name && strcmp(name, "csv") == 0)
		return CLI_FORMAT_CSV;
	if (name && strcmp(name, "json") == 0)
		return CLI_FORMAT_JSON;
	return CLI_FORMAT_TABLE;
}

int cli_write_result(FILE *out, rat_result *result, const cli_output *how)
{
	int status;

	switch (how->format) {
	case CLI_FORMAT_CSV: status = write_csv(out, result, how->lf); break;
	case CLI_FORMAT_JSON: status = write_json(out, result); break;
	default: status = write_table(out, result, how->max_rows, how->color); break;
	}
	if (status == CLI_OK && (fflush(out) != 0 || ferror(out)))
		status = cli_fail("query: error writing the result");
	return status;
}
