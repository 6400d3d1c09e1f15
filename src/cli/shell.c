/*
 * cli/shell.c - the lines of `rat shell`: SQL gathered until a statement
 * ends (shell_sql.c says where) and run, and the dot commands (.tables,
 * .describe, .format, .limit, .help, .quit).
 */
#include "cli/shell.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int append(cli_text *t, const char *s, size_t n)
{
	char *grown;
	size_t cap;

	if (t->len + n + 1 > t->max)
		return cli_fail("shell: a statement of more than %zu MiB", t->max >> 20);
	if (t->len + n + 1 > t->cap) {
		cap = t->cap ? t->cap : 4096;
		while (cap < t->len + n + 1)
			cap *= 2;
		if ((grown = realloc(t->data, cap)) == NULL)
			return cli_fail("shell: out of memory");
		t->data = grown;
		t->cap = cap;
	}
	memcpy(t->data + t->len, s, n);
	t->len += n;
	t->data[t->len] = '\0';
	return CLI_OK;
}

/* text without the spaces around it, as a new string. */
static char *trimmed(const char *text, size_t len)
{
	while (len && isspace((unsigned char)*text)) {
		text++;
		len--;
	}
	while (len && isspace((unsigned char)text[len - 1]))
		len--;
	return strndup(text, len);
}

static int tables(cli_shell *sh, const char *table)
{
	rat_table_list list;
	int status;

	if (rat_table_list_get(&list, sh->ws, sh->ref, table) != 0)
		return cli_fail_lib(NULL);
	if (table)
		status = cli_print_describe(&list.items[0], sh->how.format == CLI_FORMAT_JSON);
	else
		status = cli_print_tables(&list, sh->ref ? sh->ref : rat_workspace_branch(sh->ws),
					  sh->how.format == CLI_FORMAT_JSON);
	rat_table_list_free(&list);
	return status;
}

static int set_limit(cli_shell *sh, const char *value)
{
	char *end;
	long n;

	errno = 0;
	n = value ? strtol(value, &end, 10) : -1;
	if (!value || end == value || *end || n < 0 || errno)
		return cli_fail(".limit wants a count (0: all), got '%s'", value ? value : "");
	sh->how.max_rows = (unsigned long)n;
	return CLI_OK;
}

static int set_format(cli_shell *sh, const char *value)
{
	if (!cli_listed(cli_result_formats, value))
		return cli_fail(".format wants table, csv or json, got '%s'", value ? value : "");
	sh->how.format = cli_parse_format(value);
	return CLI_OK;
}

/* ".describe x", split at spaces into at most max words. */
static size_t words_of(char *line, char **words, size_t max)
{
	size_t n = 0;
	char *p = line;

	while (*p && n < max) {
		while (isspace((unsigned char)*p))
			*p++ = '\0';
		if (*p)
			words[n++] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
	}
	return n;
}

static int dot_command(cli_shell *sh, char *line)
{
	static const char *const names[] = { ".tables", ".describe", ".format", ".limit",
					     ".help", ".quit", ".exit", NULL };
	static const char *const with_argument[] = { ".describe", ".format", ".limit", NULL };
	char *w[3] = { NULL, NULL, NULL };
	size_t n = words_of(line, w, 3);
	const char *near;

	if (!cli_listed(names, w[0]) && (near = cli_nearest(w[0], names)) != NULL)
		return cli_fail("unknown command '%s'; did you mean '%s'?", w[0], near);
	if (!cli_listed(names, w[0]))
		return cli_fail("unknown command '%s' (.help lists the commands)", w[0]);
	if (n > (cli_listed(with_argument, w[0]) ? 2u : 1u))
		return cli_fail("%s: too many arguments (.help lists the commands)", w[0]);
	if (strcmp(w[0], ".help") == 0)
		printf("%s", CLI_SHELL_HELP);
	else if (strcmp(w[0], ".quit") == 0 || strcmp(w[0], ".exit") == 0)
		sh->quit = true;
	else if (strcmp(w[0], ".tables") == 0)
		return tables(sh, NULL);
	else if (strcmp(w[0], ".describe") == 0)
		return w[1] ? tables(sh, w[1]) : cli_fail(".describe wants a TABLE (layer.table)");
	else if (strcmp(w[0], ".format") == 0)
		return set_format(sh, w[1]);
	else
		return set_limit(sh, w[1]);
	return CLI_OK;
}

/* The statement pending[0, end): remembered, run if it holds code, then dropped. */
static int statement(cli_shell *sh, size_t end)
{
	char *sql = trimmed(sh->pending.data, end);
	bool code = sh->scan.code;
	int status = CLI_OK;

	memmove(sh->pending.data, sh->pending.data + end, sh->pending.len - end + 1);
	sh->pending.len -= end;
	cli_scan_reset(&sh->scan);
	if (!sql)
		return cli_fail("shell: out of memory");
	cli_shell_remember(sh, sql);
	if (code)
		status = cli_shell_execute(sh, sql);
	free(sql);
	return status;
}

/* A dot command: a line of its own, outside a statement. */
static int dot_line(cli_shell *sh, const char *line, size_t len)
{
	char *command = trimmed(line, len);
	int status;

	if (!command)
		return cli_fail("shell: out of memory");
	cli_shell_remember(sh, command);
	status = dot_command(sh, command);
	free(command);
	return status;
}

int cli_shell_line(cli_shell *sh, const char *line, size_t len)
{
	size_t end;
	int status = CLI_OK, step;

	if (!cli_scan_open(&sh->scan) && line[strspn(line, " \t\r\n")] == '.')
		return dot_line(sh, line, len);
	if (append(&sh->pending, line, len) != CLI_OK) {
		sh->pending.len = 0;
		cli_scan_reset(&sh->scan);
		return CLI_FAILURE;
	}
	while ((end = cli_scan_statement(&sh->scan, sh->pending.data, sh->scan.scanned,
					 sh->pending.len)) > 0) {
		step = statement(sh, end);
		status = status == CLI_OK ? step : status;
		if (status != CLI_OK && !sh->el)
			return status;
	}
	if (!cli_scan_open(&sh->scan)) { /* only spaces and comments: nothing under way */
		sh->pending.len = 0;
		cli_scan_reset(&sh->scan);
	}
	return status;
}
