/*
 * engine/stage.c - folders a user fills (landing/, a tests folder), read
 * by a locked session only through what a stager staged (engine.h:
 * rat_engine_stager).
 *
 * DuckDB follows symbolic links and checks a path only as written, so a
 * folder a user can change while a statement runs is never an allowed
 * folder: a file checked and then swapped for a link would be read through
 * the link. Instead, before a statement runs, every string literal (or
 * quoted name: FROM "file.csv") whose value is under a stager's folder is
 * staged (the stager pins what it names, session/stage.c) and rewritten to
 * the staged folder, which the lock allows. A path spelled another way
 * ('..', a path built by concatenation from pieces that are not under the
 * folder) is not rewritten and the lock refuses it.
 *
 * The rewrite is undone wherever the user sees text: messages (with the
 * caret of DuckDB's excerpt moved along), text results, a query's text
 * columns before librat writes them into a table (a `filename` column
 * keeps the landing file's own path), and error positions (position.c maps
 * them back through the edits).
 */
#include "engine/engine_internal.h"

#include <stdlib.h>
#include <string.h>

void rat_engine__stagers_free(rat_engine *engine)
{
	size_t i;

	for (i = 0; i < engine->stager_count; i++) {
		rat_engine_stager *s = &engine->stagers[i];
		if (s->free)
			s->free(s->payload);
		free((char *)s->from);
		free((char *)s->to);
	}
	free(engine->stagers);
	engine->stagers = NULL;
	engine->stager_count = 0;
}

int rat_engine__add_stager(rat_engine *engine, const rat_engine_stager *stager)
{
	rat_engine_stager *grown = NULL;
	char *from = rat__strdup(stager->from), *to = rat__strdup(stager->to);

	if (from && to)
		grown = rat__realloc(engine->stagers, (engine->stager_count + 1) * sizeof(*grown));
	if (!grown) {
		free(from);
		free(to);
		if (stager->free)
			stager->free(stager->payload);
		return RAT_ENOMEM;
	}
	engine->stagers = grown;
	grown[engine->stager_count] = *stager;
	grown[engine->stager_count].from = from;
	grown[engine->stager_count].to = to;
	engine->stager_count++;
	return 0;
}

/* The value of the quoted token text[0..len) ('...' or "...", the quote doubled inside). */
static int unquote(rat_buf *out, const char *text, size_t len)
{
	char quote = text[0];
	size_t i;
	int error = 0;

	for (i = 1; !error && i + 1 < len; i++) {
		if (text[i] == quote && text[i + 1] == quote)
			i++;
		error = rat_buf_putc(out, text[i]);
	}
	return error;
}

/* Whether rel (under a stager's folder) is a plain path: no "." or ".." or empty component. */
static bool plain(const char *rel)
{
	const char *p = rel;

	while (*p) {
		size_t n = strcspn(p, "/");
		if ((n == 0 && p[n] == '/') || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += n + (p[n] == '/');
	}
	return true;
}

/* The stager whose folder value names, and the part after it, or NULL. */
static rat_engine_stager *stager_of(const rat_engine *engine, const char *value, const char **rel)
{
	size_t i;

	for (i = 0; i < engine->stager_count; i++) {
		rat_engine_stager *s = &engine->stagers[i];
		size_t n = strlen(s->from);
		if (strncmp(value, s->from, n) != 0 || (value[n] != '\0' && value[n] != '/'))
			continue;
		*rel = value + n + (value[n] == '/');
		return plain(*rel) ? s : NULL;
	}
	return NULL;
}

static int add_edit(rat_engine_edits *edits, size_t at, size_t old_len, size_t new_len)
{
	int error;

	if (!edits)
		return 0;
	if ((error = rat__grow((void **)&edits->items, &edits->cap, edits->count + 1,
			       sizeof(*edits->items))) != 0)
		return error;
	edits->items[edits->count++] = (rat_engine_edit){ at, old_len, new_len };
	return 0;
}

/* The token text[t] pointed at its staged folder into out (staging it first when stage). */
static int rewrite_token(const rat_engine *engine, const char *text, rat_sql_token t, bool stage,
			 rat_buf *out, bool *rewritten)
{
	rat_buf value = RAT_BUF_INIT, staged = RAT_BUF_INIT;
	rat_engine_stager *s;
	const char *rel = NULL;
	int error;

	*rewritten = false;
	if ((error = unquote(&value, text + t.start, t.len)) != 0 || !value.ptr ||
	    (s = stager_of(engine, rat_buf_cstr(&value), &rel)) == NULL)
		goto cleanup;
	if (stage && (error = s->stage(s->payload, rel)) != 0)
		goto cleanup;
	if ((error = rat_buf_printf(&staged, "%s%s%s", s->to, *rel || rel[-1] == '/' ? "/" : "",
				    rel)) != 0)
		goto cleanup;
	error = text[t.start] == '"' ? rat_sql__ident(out, rat_buf_cstr(&staged))
				     : rat_sql__literal(out, rat_buf_cstr(&staged));
	*rewritten = !error;
cleanup:
	rat_buf_free(&value);
	rat_buf_free(&staged);
	return error;
}

int rat_engine__rewrite(const rat_engine *engine, const char *text, bool stage, rat_buf *out,
			bool *changed, rat_engine_edits *edits)
{
	size_t pos = 0, copied = 0, i;
	bool any = false;
	int error = 0;

	*changed = false;
	for (i = 0; i < engine->stager_count && !any; i++)
		any = strstr(text, engine->stagers[i].from) != NULL;
	if (!any)
		return 0;
	for (;;) {
		rat_sql_token t = rat_sql__token(text, pos);
		bool rewritten = false;
		size_t before;
		if (t.kind == RAT_SQL_TOKEN_END)
			break;
		pos = t.start + t.len;
		if ((t.kind != RAT_SQL_TOKEN_STRING || text[t.start] != '\'') &&
		    t.kind != RAT_SQL_TOKEN_QUOTED)
			continue;
		if ((error = rat_buf_put(out, text + copied, t.start - copied)) != 0)
			return error;
		before = out->len;
		if ((error = rewrite_token(engine, text, t, stage, out, &rewritten)) != 0)
			return error;
		if (!rewritten && (error = rat_buf_put(out, text + t.start, t.len)) != 0)
			return error;
		if (rewritten && (error = add_edit(edits, t.start, t.len, out->len - before)) != 0)
			return error;
		*changed = *changed || rewritten;
		copied = pos;
	}
	return rat_buf_puts(out, text + copied);
}

int rat_engine__stage_sql(rat_engine *engine, const char *sql, char **out,
			  rat_engine_edits *edits)
{
	rat_buf text = RAT_BUF_INIT;
	bool changed = false;
	int error;

	*out = NULL;
	if ((error = rat_engine__rewrite(engine, sql, true, &text, &changed, edits)) == 0 &&
	    changed) {
		*out = rat_buf_detach(&text);
		engine->staged = true;
	}
	rat_buf_free(&text);
	return error;
}

size_t rat_engine__edits_unmap(const rat_engine_edits *edits, size_t offset)
{
	size_t i;
	long shift = 0;

	for (i = 0; edits && i < edits->count; i++) {
		const rat_engine_edit *e = &edits->items[i];
		size_t at = (size_t)((long)e->at + shift); /* where it begins in the rewritten text */
		if (offset < at)
			break;
		if (offset < at + e->new_len)
			return e->at; /* inside the literal: at its start */
		shift += (long)e->new_len - (long)e->old_len;
	}
	return (size_t)((long)offset - shift);
}

void rat_engine__edits_free(rat_engine_edits *edits)
{
	free(edits->items);
	edits->items = NULL;
	edits->count = edits->cap = 0;
}

/* Append text[0..len) to out with every staged folder replaced; *moved gets how far text[0..caret) grew. */
static int unstage_span(const rat_engine *engine, rat_buf *out, const char *text, size_t len,
			size_t caret, long *moved)
{
	size_t i = 0, k;
	int error = 0;

	while (!error && i < len) {
		const rat_engine_stager *hit = NULL;
		for (k = 0; k < engine->stager_count && !hit; k++) {
			size_t n = strlen(engine->stagers[k].to);
			if (n <= len - i && memcmp(text + i, engine->stagers[k].to, n) == 0 &&
			    (i + n == len || text[i + n] == '/' || text[i + n] == '\'' ||
			     text[i + n] == '"'))
				hit = &engine->stagers[k];
		}
		if (!hit) {
			error = rat_buf_putc(out, text[i++]);
			continue;
		}
		if (moved && i < caret)
			*moved += (long)strlen(hit->from) - (long)strlen(hit->to);
		error = rat_buf_puts(out, hit->from);
		i += strlen(hit->to);
	}
	return error;
}

int rat_engine__unstage_text(const rat_engine *engine, rat_buf *text)
{
	rat_buf out = RAT_BUF_INIT;
	size_t k;
	bool any = false;
	int error;

	for (k = 0; engine->staged && k < engine->stager_count && !any; k++)
		any = text->ptr && strstr(rat_buf_cstr(text), engine->stagers[k].to) != NULL;
	if (!any)
		return 0;
	if ((error = unstage_span(engine, &out, text->ptr, text->len, 0, NULL)) == 0) {
		rat_buf_free(text);
		*text = out;
		return 0;
	}
	rat_buf_free(&out);
	return error;
}

int rat_engine__unstage_message(const rat_engine *engine, const char *message, rat_buf *out)
{
	const char *line = NULL, *s, *nl = NULL;
	size_t spaces = 0;
	long moved = 0;
	rat_buf scratch = RAT_BUF_INIT;
	int error;

	for (s = message; (s = strstr(s, "\nLINE ")) != NULL; s++)
		line = s;
	/* DuckDB's excerpt ends the message: "\nLINE n: text\n<spaces>^" */
	if (line && (nl = strchr(line + 1, '\n')) != NULL)
		spaces = strspn(nl + 1, " ");
	if (!nl || strcmp(nl + 1 + spaces, "^") != 0)
		return unstage_span(engine, out, message, strlen(message), 0, NULL);
	/* the caret moves as much as the excerpt's text before it grew */
	if ((error = unstage_span(engine, out, message, (size_t)(nl + 1 - message), 0, NULL)) == 0 &&
	    (error = unstage_span(engine, &scratch, line + 1, (size_t)(nl - line - 1), spaces,
				  &moved)) == 0)
		error = rat_buf_printf(out, "%*s^", (int)((long)spaces + moved > 0 ? (long)spaces + moved
									      : 0),
				       "");
	rat_buf_free(&scratch);
	return error;
}

/* The text columns of select_sql, each as "name". */
static int text_columns(rat_strarray *out, rat_engine *engine, const char *select_sql)
{
	duckdb_prepared_statement stmt = NULL;
	idx_t i, n;
	int error;

	if ((error = rat_engine__prepare(&stmt, engine, select_sql)) != 0)
		return error;
	n = duckdb_prepared_statement_column_count(stmt);
	for (i = 0; !error && i < n; i++) {
		const char *name;
		if (duckdb_prepared_statement_column_type(stmt, i) != DUCKDB_TYPE_VARCHAR)
			continue;
		name = duckdb_prepared_statement_column_name(stmt, i); /* DuckDB's copy, to free */
		error = name ? rat_strarray__push(out, name) : RAT_ENOMEM;
		duckdb_free((void *)name);
	}
	duckdb_destroy_prepare(&stmt);
	return error;
}

/* replace(column, '<to>', '<from>') for each stager, nested (every folder is absolute). */
static int unstage_column(rat_buf *sql, const rat_engine *engine, const char *column, size_t k)
{
	int error;

	if (k == 0)
		return rat_sql__ident(sql, column);
	if ((error = rat_buf_puts(sql, "replace(")) != 0 ||
	    (error = unstage_column(sql, engine, column, k - 1)) != 0 ||
	    (error = rat_buf_puts(sql, ", ")) != 0 ||
	    (error = rat_sql__literal(sql, engine->stagers[k - 1].to)) != 0 ||
	    (error = rat_buf_puts(sql, ", '/' || ")) != 0 ||
	    /* the user's folder in two pieces, which the rewrite of this SQL leaves alone */
	    (error = rat_sql__literal(sql, engine->stagers[k - 1].from + 1)) != 0)
		return error;
	return rat_buf_putc(sql, ')');
}

int rat_engine__unstaged_select(rat_engine *engine, const char *select_sql, char **out)
{
	rat_strarray columns = RAT_STRARRAY_INIT;
	rat_buf sql = RAT_BUF_INIT;
	size_t i;
	int error = 0;

	*out = NULL;
	for (i = 0; !engine->staged && i < engine->stager_count; i++)
		if (strstr(select_sql, engine->stagers[i].from))
			break;
	if ((!engine->staged && i == engine->stager_count) ||
	    (error = text_columns(&columns, engine, select_sql)) != 0 || !engine->staged ||
	    columns.count == 0)
		goto cleanup;
	error = rat_buf_puts(&sql, "SELECT * REPLACE (");
	for (i = 0; !error && i < columns.count; i++) {
		if ((error = rat_buf_puts(&sql, i ? ", " : "")) != 0 ||
		    (error = unstage_column(&sql, engine, columns.strings[i],
					    engine->stager_count)) != 0 ||
		    (error = rat_buf_puts(&sql, " AS ")) != 0)
			break;
		error = rat_sql__ident(&sql, columns.strings[i]);
	}
	if (!error && (error = rat_buf_printf(&sql, ") FROM (%s\n)", select_sql)) == 0)
		*out = rat_buf_detach(&sql);
cleanup:
	rat_strarray_free(&columns);
	rat_buf_free(&sql);
	return error;
}
