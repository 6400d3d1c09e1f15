/*
 * pipeline/template_lex.c - cuts template text into tokens; the arena and
 * the error helpers the other template files share.
 *
 * Text between tags becomes one TEXT token pointing into the source; a
 * {{ or {% tag becomes a BEGIN token, the tokens of what it holds and an
 * END token; a {# comment #} leaves nothing. Whitespace control happens
 * here: a '-' just inside a tag's opening ({%-, {{-, {#-) drops the
 * whitespace, newlines included, at the end of the text before it, and a
 * '-' just inside its closing (-%}, -}}, -#}) drops it at the start of the
 * text after it. Without a '-' the text is kept byte for byte.
 */
#include "util/common.h"
#include "template/internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE ((size_t)64 << 10)

struct tpl_chunk {
	tpl_chunk *next;
	size_t used;
	size_t size;
	max_align_t data[];
};

void *rat_template__alloc(tpl_arena *arena, size_t n)
{
	tpl_chunk *c = arena->head;
	size_t need = (n + 15) & ~(size_t)15;
	unsigned char *p;

	if (n > SIZE_MAX / 2) {
		rat_error__oom();
		return NULL;
	}
	if (!c || c->size - c->used < need) {
		size_t size = need > CHUNK_SIZE ? need : CHUNK_SIZE;
		if (!(c = rat__malloc(sizeof(*c) + size)))
			return NULL;
		c->next = arena->head;
		c->used = 0;
		c->size = size;
		arena->head = c;
	}
	p = (unsigned char *)c->data + c->used;
	c->used += need;
	memset(p, 0, n);
	return p;
}

char *rat_template__strndup(tpl_arena *arena, const char *s, size_t n)
{
	char *p = rat_template__alloc(arena, n + 1);
	if (p && n)
		memcpy(p, s, n);
	return p;
}

void rat_template__arena_free(tpl_arena *arena)
{
	while (arena->head) {
		tpl_chunk *next = arena->head->next;
		free(arena->head);
		arena->head = next;
	}
}

static int vfail(int code, const char *path, int line, const char *fmt, va_list ap)
{
	char message[1024];

	vsnprintf(message, sizeof(message), fmt, ap);
	return rat_error__set(code, RAT_ERRCLASS_PIPELINE, "%s:%d: %s", path, line, message);
}

int rat_template__fail(const char *path, int line, const char *fmt, ...)
{
	va_list ap;
	int code;

	va_start(ap, fmt);
	code = vfail(RAT_EINVALID, path, line, fmt, ap);
	va_end(ap);
	return code;
}

int rat_template__fail_code(int code, const char *path, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	code = vfail(code, path, line, fmt, ap);
	va_end(ap);
	return code;
}

/* ---- the lexer ---- */

typedef struct lexer {
	tpl_tokens *toks;
	tpl_arena *arena;
	const char *path;
	const char *text;
	size_t pos;
	int line;
	bool strip_next; /* the last tag ended with '-' */
} lexer;

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static int count_lines(const char *s, size_t n)
{
	int lines = 0;
	const char *end = s + n;

	while ((s = memchr(s, '\n', (size_t)(end - s))) != NULL) {
		lines++;
		s++;
	}
	return lines;
}

static tpl_token *push(lexer *lx, tpl_tok kind, int line, const char *src, size_t len)
{
	tpl_tokens *t = lx->toks;
	tpl_token *tok;

	if (rat__grow((void **)&t->items, &t->cap, t->count, sizeof(*t->items)) != 0)
		return NULL;
	tok = &t->items[t->count++];
	memset(tok, 0, sizeof(*tok));
	tok->kind = kind;
	tok->line = line;
	tok->src = src;
	tok->len = len;
	return tok;
}

/* The next '{{', '{%' or '{#' at or after s, or NULL. */
static const char *find_tag(const char *s)
{
	for (; (s = strchr(s, '{')) != NULL; s++)
		if (s[1] == '{' || s[1] == '%' || s[1] == '#')
			return s;
	return NULL;
}

/* The text from lx->pos to end, trimmed as the tags around it ask. */
static int lex_text(lexer *lx, size_t end, bool trim_end)
{
	const char *t = lx->text;
	size_t start = lx->pos, stop = end;
	int line = lx->line;

	if (lx->strip_next)
		while (start < stop && is_space(t[start]))
			start++;
	if (trim_end)
		while (stop > start && is_space(t[stop - 1]))
			stop--;
	line += count_lines(t + lx->pos, start - lx->pos);
	lx->line += count_lines(t + lx->pos, end - lx->pos);
	lx->pos = end;
	lx->strip_next = false;
	if (stop > start && !push(lx, TOK_TEXT, line, t + start, stop - start))
		return RAT_ENOMEM;
	return 0;
}

static int lex_comment(lexer *lx)
{
	const char *open = lx->text + lx->pos;
	const char *close = strstr(open + 2, "#}");

	if (!close)
		return rat_template__fail(lx->path, lx->line,
					  "unterminated comment: '{#' has no closing '#}'");
	lx->strip_next = close > open + 2 && close[-1] == '-';
	lx->line += count_lines(open, (size_t)(close - open));
	lx->pos = (size_t)(close + 2 - lx->text);
	return 0;
}

/* A quoted string; escapes \\ \' \" \n \t \r, any other backslash is kept. */
static int lex_string(lexer *lx)
{
	const char *s = lx->text + lx->pos, *p = s + 1;
	rat_buf buf = RAT_BUF_INIT;
	tpl_token *tok;
	int error = 0;

	buf.max = TPL_MAX_TEXT;
	for (; !error && *p && *p != *s; p++) {
		char c = *p;
		if (c == '\\' && p[1]) {
			const char *from = "nrt\\'\"", *to = "\n\r\t\\'\"";
			const char *hit = strchr(from, p[1]);
			if (hit) {
				c = to[hit - from];
				p++;
			}
		}
		error = rat_buf_putc(&buf, c);
	}
	if (error)
		goto cleanup;
	if (!*p) {
		error = rat_template__fail(lx->path, lx->line, "unterminated string");
		goto cleanup;
	}
	p++;
	if (!(tok = push(lx, TOK_STRING, lx->line, s, (size_t)(p - s))) ||
	    !(tok->str = rat_template__strndup(lx->arena, rat_buf_cstr(&buf), buf.len))) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	tok->str_len = buf.len;
	lx->line += count_lines(s, (size_t)(p - s));
	lx->pos = (size_t)(p - lx->text);
cleanup:
	rat_buf_free(&buf);
	return error;
}

static int lex_number(lexer *lx)
{
	const char *s = lx->text + lx->pos, *p = s;
	bool is_float = false;
	tpl_token *tok;
	int64_t v = 0;

	while (is_digit(*p))
		p++;
	if (*p == '.' && is_digit(p[1])) {
		is_float = true;
		for (p++; is_digit(*p); p++)
			;
	}
	if ((*p == 'e' || *p == 'E') &&
	    (is_digit(p[1]) || ((p[1] == '+' || p[1] == '-') && is_digit(p[2])))) {
		is_float = true;
		for (p += 2; is_digit(*p); p++)
			;
	}
	if (!(tok = push(lx, is_float ? TOK_FLOAT : TOK_INT, lx->line, s, (size_t)(p - s))))
		return RAT_ENOMEM;
	lx->pos = (size_t)(p - lx->text);
	if (is_float) {
		tok->f = strtod(s, NULL);
		return 0;
	}
	for (; s < p; s++) {
		if (v > (INT64_MAX - (*s - '0')) / 10)
			return rat_template__fail(lx->path, lx->line,
						  "integer %.*s is too large (at most %" PRId64 ")",
						  (int)(p - tok->src > 40 ? 40 : p - tok->src),
						  tok->src, INT64_MAX);
		v = v * 10 + (*s - '0');
	}
	tok->i = v;
	return 0;
}

static int lex_token(lexer *lx)
{
	static const char *const two[] = { "==", "!=", "<=", ">=", "//" };
	const char *s = lx->text + lx->pos;
	tpl_token *tok;
	size_t i, n = 0;

	if (is_alpha(*s)) {
		while (is_alpha(s[n]) || is_digit(s[n]))
			n++;
		if (!(tok = push(lx, TOK_NAME, lx->line, s, n)) ||
		    !(tok->str = rat_template__strndup(lx->arena, s, n)))
			return RAT_ENOMEM;
		lx->pos += n;
		return 0;
	}
	if (is_digit(*s))
		return lex_number(lx);
	if (*s == '\'' || *s == '"')
		return lex_string(lx);
	for (i = 0; i < RAT_ARRAY_SIZE(two) && !n; i++)
		if (!strncmp(s, two[i], 2))
			n = 2;
	if (!n && *s && strchr("()[],.|~+-*/<>=%", *s))
		n = 1;
	if (!n) {
		unsigned char c = (unsigned char)*s;
		if (c > 0x20 && c < 0x7f)
			return rat_template__fail(lx->path, lx->line, "unexpected character '%c'",
						  *s);
		return rat_template__fail(lx->path, lx->line, "unexpected byte 0x%02x", c);
	}
	if (!push(lx, TOK_OP, lx->line, s, n))
		return RAT_ENOMEM;
	lx->pos += n;
	return 0;
}

/* Whether the tag ends at s: sets *len to the closing's length. */
static bool tag_closes(const char *s, char closer, size_t *len)
{
	if (s[0] == '-' && s[1] == closer && s[2] == '}') {
		*len = 3;
		return true;
	}
	if (s[0] == closer && s[1] == '}') {
		*len = 2;
		return true;
	}
	return false;
}

/* A {{ ... }} or {% ... %} tag; lx->pos is at its '{'. */
static int lex_tag(lexer *lx)
{
	const char *open = lx->text + lx->pos;
	bool var = open[1] == '{';
	char closer = var ? '}' : '%', wrong = var ? '%' : '}';
	int line = lx->line, error = 0;
	size_t len;

	if (!push(lx, var ? TOK_VAR_BEGIN : TOK_BLOCK_BEGIN, line, open, 2))
		return RAT_ENOMEM;
	lx->pos += open[2] == '-' ? 3 : 2;
	while (!error) {
		const char *s = lx->text + lx->pos;
		if (is_space(*s)) {
			lx->line += *s == '\n';
			lx->pos++;
			continue;
		}
		if (!*s || (s[0] == '{' && (s[1] == '{' || s[1] == '%' || s[1] == '#')))
			return rat_template__fail(lx->path, line,
						  "unterminated '%.2s': no closing '%c}'", open,
						  closer);
		if (tag_closes(s, closer, &len)) {
			if (!push(lx, var ? TOK_VAR_END : TOK_BLOCK_END, lx->line, s, len))
				return RAT_ENOMEM;
			lx->strip_next = len == 3;
			lx->pos += len;
			return 0;
		}
		if (tag_closes(s, wrong, &len))
			return rat_template__fail(lx->path, lx->line,
						  "'%.*s' cannot close the '%.2s' opened on line "
						  "%d (close it with '%c}')",
						  (int)len, s, open, line, closer);
		error = lex_token(lx);
	}
	return error;
}

int rat_template__lex(tpl_tokens *out, tpl_arena *arena, const char *path, const char *text)
{
	lexer lx = { out, arena, path, text, 0, 1, false };
	int error = 0;

	for (;;) {
		const char *tag = find_tag(text + lx.pos);
		size_t end = tag ? (size_t)(tag - text) : strlen(text + lx.pos) + lx.pos;

		if ((error = lex_text(&lx, end, tag && tag[2] == '-')) != 0 || !tag)
			break;
		error = tag[1] == '#' ? lex_comment(&lx) : lex_tag(&lx);
		if (error)
			break;
	}
	if (!error && !push(&lx, TOK_EOF, lx.line, text + lx.pos, 0))
		error = RAT_ENOMEM;
	return error;
}
