/*
 * cli/output.c - query results as a table, CSV (RFC 4180) or JSON.
 *
 * CSV and JSON stream row by row, so any result size works. The table
 * format needs column widths, so it holds at most --limit rows and says
 * when more were left out.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

/* Display width of UTF-8 text: one column per code point. */
static size_t display_width(const char *s)
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
	size_t pad = width - display_width(text);

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

static int write_table(FILE *out, rat_result *result, unsigned long max_rows, bool color)
{
	size_t ncols = rat_result_column_count(result), i, r, nrows = 0, cap = 0;
	size_t *widths = calloc(ncols ? ncols : 1, sizeof(size_t));
	char **cells = NULL;
	bool more = false;
	int step, status = CLI_OK;

	if (!widths)
		return cli_fail("query: out of memory");
	for (i = 0; i < ncols; i++) {
		widths[i] = display_width(rat_result_column_name(result, i));
		if (display_width(rat_result_column_type_name(result, i)) > widths[i])
			widths[i] = display_width(rat_result_column_type_name(result, i));
	}
	while ((step = rat_result_next(result)) == 1) {
		if (max_rows && nrows == max_rows) {
			more = true;
			break;
		}
		if ((nrows + 1) * ncols > cap) {
			size_t ncap = cap ? cap * 2 : (ncols ? ncols * 64 : 64);
			char **grown = realloc(cells, ncap * sizeof(char *));
			if (!grown) {
				status = cli_fail("query: out of memory");
				goto cleanup;
			}
			cells = grown;
			cap = ncap;
		}
		/* the row's slots start empty, so cleanup may free them all */
		for (i = 0; i < ncols; i++)
			cells[nrows * ncols + i] = NULL;
		nrows++;
		for (i = 0; i < ncols; i++) {
			const char *text;
			size_t len;
			char **slot = &cells[(nrows - 1) * ncols + i];
			if (rat_result_get_text(result, i, &text, &len) != 0) {
				status = cli_fail_lib(NULL);
				goto cleanup;
			}
			*slot = text ? table_cell(text, len) : strdup("NULL");
			if (!*slot) {
				status = cli_fail("query: out of memory");
				goto cleanup;
			}
			if (display_width(*slot) > widths[i])
				widths[i] = display_width(*slot);
		}
	}
	if (step < 0) {
		status = cli_fail_lib(NULL);
		goto cleanup;
	}
	if (ncols == 0)
		goto cleanup;
	rule(out, widths, ncols, "\xe2\x94\x8c", "\xe2\x94\xac", "\xe2\x94\x90"); /* ┌ ┬ ┐ */
	fputs("\xe2\x94\x82", out);
	for (i = 0; i < ncols; i++)
		cell(out, rat_result_column_name(result, i), widths[i], false, "\x1b[1m", color);
	fputs("\n\xe2\x94\x82", out);
	for (i = 0; i < ncols; i++)
		cell(out, rat_result_column_type_name(result, i), widths[i], false, "\x1b[2m", color);
	fputc('\n', out);
	rule(out, widths, ncols, "\xe2\x94\x9c", "\xe2\x94\xbc", "\xe2\x94\xa4"); /* ├ ┼ ┤ */
	for (r = 0; r < nrows; r++) {
		fputs("\xe2\x94\x82", out);
		for (i = 0; i < ncols; i++) {
			bool is_null = rat_result_column_type(result, i) == RAT_TYPE_NULL ||
				       strcmp(cells[r * ncols + i], "NULL") == 0;
			cell(out, cells[r * ncols + i], widths[i],
			     is_numeric(rat_result_column_type(result, i)), is_null ? "\x1b[2m" : NULL,
			     color);
		}
		fputc('\n', out);
	}
	rule(out, widths, ncols, "\xe2\x94\x94", "\xe2\x94\xb4", "\xe2\x94\x98"); /* └ ┴ ┘ */
	if (more)
		fprintf(out, "%zu rows shown; more not shown (--limit 0 shows all)\n", nrows);
	else
		fprintf(out, "%zu row%s\n", nrows, nrows == 1 ? "" : "s");
cleanup:
	for (r = 0; cells && r < nrows * ncols; r++)
		free(cells[r]);
	free(cells);
	free(widths);
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

static int write_csv(FILE *out, rat_result *result)
{
	size_t ncols = rat_result_column_count(result), i;
	int step;

	for (i = 0; i < ncols; i++) {
		const char *name = rat_result_column_name(result, i);
		if (i)
			fputc(',', out);
		csv_field(out, name, strlen(name));
	}
	fputs("\r\n", out);
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
		fputs("\r\n", out);
	}
	return step < 0 ? cli_fail_lib(NULL) : CLI_OK;
}

void cli_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
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

int cli_write_result(FILE *out, rat_result *result, cli_format format, unsigned long max_rows,
		     bool color)
{
	int status;

	switch (format) {
	case CLI_FORMAT_CSV: status = write_csv(out, result); break;
	case CLI_FORMAT_JSON: status = write_json(out, result); break;
	default: status = write_table(out, result, max_rows, color); break;
	}
	if (status == CLI_OK && (fflush(out) != 0 || ferror(out)))
		status = cli_fail("query: error writing the result");
	return status;
}
