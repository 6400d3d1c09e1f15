/*
 * engine/position.c - where in a caller's SQL the engine failed.
 *
 * DuckDB's C API gives an error's position only inside its message, as an
 * excerpt at the end: "<message>\n\nLINE 3: <the line, or 80 columns of it
 * around the error, cut ends shown as ...>\n<spaces>^", counted in the
 * statement it ran. When librat runs a user's SQL inside its own
 * (SELECT * FROM (...) LIMIT 0, COPY (...) TO, CREATE VIEW ... AS), that
 * excerpt quotes librat's wrapper and counts lines from its start.
 *
 * A session told which SQL is the user's (rat_engine__set_user_sql) turns
 * the excerpt into a byte offset into that SQL, wherever a wrapper put it,
 * gives it to the error (rat_error__set_position) and drops the excerpt
 * from the message: the caller shows its own, from the user's file. An
 * excerpt that points into the wrapper around the user's SQL is dropped
 * too; one of a statement that does not hold the user's SQL (a check, a
 * query librat wrote) is kept as DuckDB wrote it. The excerpt is trusted
 * only when the line it quotes is where it says in the statement.
 *
 * Like the error kinds (engine.c), this is the engine's own reading of
 * DuckDB's text; nothing above the engine reads it.
 */
#include "engine/engine_internal.h"

#include <stdlib.h>
#include <string.h>

/* What the excerpt at the end of a message says. */
typedef struct excerpt {
	size_t start;     /* where it begins in the message (its blank line) */
	long line;        /* LINE n */
	const char *text; /* the quoted text, "..." marks included */
	size_t len;
	size_t caret; /* columns from the start of text to the '^' */
} excerpt;

/* Parse "\n\nLINE n: text\n   ^" ending message; false when it does not end so. */
static bool parse_excerpt(excerpt *x, const char *message)
{
	const char *p = NULL, *s, *nl;
	size_t prefix, spaces = 0;

	for (s = message; (s = strstr(s, "\nLINE ")) != NULL; s++)
		p = s;
	if (!p)
		return false;
	x->start = (size_t)(p - message) - (p > message && p[-1] == '\n');
	s = p + 6;
	for (x->line = 0; *s >= '0' && *s <= '9' && x->line < 100000000; s++)
		x->line = x->line * 10 + (*s - '0');
	if (x->line == 0 || s[0] != ':' || s[1] != ' ')
		return false;
	prefix = (size_t)(s + 2 - (p + 1)); /* "LINE n: " */
	x->text = s + 2;
	if ((nl = strchr(x->text, '\n')) == NULL)
		return false;
	x->len = (size_t)(nl - x->text);
	for (s = nl + 1; *s == ' '; s++)
		spaces++;
	if (s[0] != '^' || s[1] != '\0' || spaces < prefix)
		return false;
	x->caret = spaces - prefix;
	return true;
}

/* Where line n (1-based, counting '\n' and '\r' as DuckDB does) of sql starts and ends. */
static bool find_line(const char *sql, long n, size_t *start, size_t *end)
{
	size_t i = 0;
	long line = 1;

	for (; line < n && sql[i]; i++)
		if (sql[i] == '\n' || sql[i] == '\r')
			if (++line == n)
				*start = i + 1;
	if (line != n)
		return false;
	if (n == 1)
		*start = 0;
	for (i = *start; sql[i] && sql[i] != '\n' && sql[i] != '\r'; i++)
		;
	*end = i;
	return true;
}

/* The bytes of the first cols characters of s[0..len) (one column a character). */
static size_t columns_to_bytes(const char *s, size_t len, size_t cols)
{
	size_t i = 0;

	while (cols > 0 && i < len) {
		i++;
		while (i < len && ((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		cols--;
	}
	return i;
}

/* Where in line[0..n) the excerpt's text is, trying its "..." marks as cut or as text. */
static bool place(const excerpt *x, const char *line, size_t n, size_t *offset)
{
	int cut;

	for (cut = 0; cut < 4; cut++) {
		bool cut_begin = cut & 1, cut_end = cut & 2;
		const char *t = x->text + (cut_begin ? 3 : 0);
		size_t len = x->len, at;
		const char *hit;

		if ((cut_begin || cut_end) && x->len < 3u * ((size_t)cut_begin + cut_end))
			continue;
		if ((cut_begin && memcmp(x->text, "...", 3) != 0) ||
		    (cut_end && memcmp(x->text + x->len - 3, "...", 3) != 0))
			continue;
		len -= 3u * ((size_t)cut_begin + cut_end);
		hit = len <= n ? memmem(line, n, t, len) : NULL;
		if (!hit || (!cut_begin && hit != line))
			continue;
		at = (size_t)(hit - line);
		if (!cut_end && at + len != n)
			continue;
		if (x->caret < (cut_begin ? 3u : 0u))
			continue;
		*offset = at + columns_to_bytes(t, len, x->caret - (cut_begin ? 3u : 0u));
		return true;
	}
	return false;
}

void rat_engine__locate(rat_engine_position *out, const rat_engine *engine, const char *sql,
			const char *message)
{
	excerpt x;
	size_t start = 0, end = 0, at, ulen;
	const char *occ, *user;
	rat_buf staged = RAT_BUF_INIT;
	rat_engine_edits edits = { NULL, 0, 0 };
	bool holds = false, changed = false;

	out->keep = strlen(message);
	out->found = false;
	if (!engine || !engine->user_sql || !sql || !parse_excerpt(&x, message) ||
	    !find_line(sql, x.line, &start, &end) || !place(&x, sql + start, end - start, &at))
		return;
	at += start;
	/* the statement ran with the user's literals pointing at staged folders (stage.c) */
	user = engine->user_sql;
	if (rat_engine__rewrite(engine, user, false, &staged, &changed, &edits) == 0 &&
	    changed)
		user = rat_buf_cstr(&staged);
	ulen = strlen(user);
	for (occ = sql; ulen && (occ = strstr(occ, user)) != NULL; occ++) {
		holds = true;
		if (at >= (size_t)(occ - sql) && at < (size_t)(occ - sql) + ulen) {
			out->found = true;
			out->offset = rat_engine__edits_unmap(&edits, at - (size_t)(occ - sql));
			break;
		}
	}
	if (holds) /* the user's SQL, or librat's wrapper around it: the caller shows its own */
		out->keep = x.start;
	rat_engine__edits_free(&edits);
	rat_buf_free(&staged);
}

/* The line of text holding offset: its number (from 1, '\n' and '\r' counted) and bounds. */
static long line_of(const char *text, size_t offset, size_t *start, size_t *end)
{
	size_t i;
	long line = 1;

	*start = 0;
	for (i = 0; i < offset && text[i]; i++)
		if (text[i] == '\n' || text[i] == '\r') {
			line++;
			*start = i + 1;
		}
	for (*end = *start; text[*end] && text[*end] != '\n' && text[*end] != '\r'; (*end)++)
		;
	return line;
}

/* The characters (not bytes) of text[0..n). */
static size_t columns_of(const char *text, size_t n)
{
	size_t i, cols = 0;

	for (i = 0; i < n; i++)
		cols += ((unsigned char)text[i] & 0xC0) != 0x80;
	return cols;
}

/* message[0..n), its staged folders unstaged, into out. */
static int unstage_start(const rat_engine *engine, const char *message, size_t n, rat_buf *out)
{
	char *kept = rat__strndup(message, n);
	int error = kept ? rat_engine__unstage_message(engine, kept, out) : RAT_ENOMEM;

	free(kept);
	return error;
}

int rat_engine__restage_excerpt(const rat_engine *engine, const char *sql, const char *message,
				rat_buf *out)
{
	const char *text = engine->stage_original;
	excerpt x;
	size_t start = 0, end = 0, at, from, to, cut, before;
	bool cut_end;
	int error;

	if (!text || !parse_excerpt(&x, message))
		return rat_engine__unstage_message(engine, message, out);
	if (!sql || !find_line(sql, x.line, &start, &end) ||
	    !place(&x, sql + start, end - start, &at)) {
		/* a later statement of several: its excerpt, which may cut a staged path, is dropped */
		return unstage_start(engine, message, x.start, out);
	}
	at = rat_engine__edits_unmap(engine->stage_edits, start + at);
	x.line = line_of(text, at, &from, &to);
	/* about 40 characters either side of the error on a long line, as DuckDB shows it */
	for (cut = at - from > 40 ? at - 40 : from; cut > from && ((unsigned char)text[cut] & 0xC0) == 0x80;)
		cut--;
	cut_end = to - cut > 90 && to > at + 40;
	if (cut_end)
		for (to = at + 40; ((unsigned char)text[to] & 0xC0) == 0x80;)
			to++;
	if ((error = unstage_start(engine, message, x.start, out)) != 0)
		return error;
	before = out->len + 2;
	if ((error = rat_buf_printf(out, "\n\nLINE %ld: %s", x.line, cut > from ? "..." : "")) != 0)
		return error;
	before = out->len - before; /* "LINE n: ..." */
	if ((error = rat_buf_put(out, text + cut, to - cut)) != 0 ||
	    (error = rat_buf_puts(out, cut_end ? "...\n" : "\n")) != 0)
		return error;
	return rat_buf_printf(out, "%*s^", (int)(before + columns_of(text + cut, at - cut)), "");
}

int rat_engine__set_user_sql(rat_engine *engine, const char *sql)
{
	char *copy = NULL;

	if (sql && (copy = rat__strdup(sql)) == NULL)
		return RAT_ENOMEM;
	free(engine->user_sql);
	engine->user_sql = copy;
	return 0;
}
