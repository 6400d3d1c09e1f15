/*
 * server/cel_parse.c - a CEL expression's text into its tree (cel.h), by
 * recursive descent with CEL's precedence: ?: then || then && then the
 * relations (< <= > >= == != in) then + - then * / % then ! and unary -
 * then member access, indexing and calls. The text is at most 4096 bytes
 * and nests at most 64 deep.
 */
#include "server/cel.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_MAX 4096
#define DEPTH_MAX 64

typedef struct parser {
	const char *s;
	size_t pos, depth;
	char *err;
	size_t len;
	bool failed;
} parser;

static cel_expr *fail(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static cel_expr *fail(parser *p, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (p->failed)
		return NULL;
	p->failed = true;
	n = snprintf(p->err, p->len, "filter, at character %zu: ", p->pos + 1);
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < p->len)
		vsnprintf(p->err + n, p->len - (size_t)n, fmt, ap);
	va_end(ap);
	return NULL;
}

static void skip(parser *p)
{
	while (isspace((unsigned char)p->s[p->pos]))
		p->pos++;
}

/* Whether the text continues with tok (then consumed); words must end there. */
static bool eat(parser *p, const char *tok)
{
	size_t n = strlen(tok);

	skip(p);
	if (strncmp(p->s + p->pos, tok, n) != 0)
		return false;
	if (isalpha((unsigned char)tok[0]) &&
	    (isalnum((unsigned char)p->s[p->pos + n]) || p->s[p->pos + n] == '_'))
		return false;
	p->pos += n;
	return true;
}

static cel_expr *node(parser *p, cel_kind kind)
{
	cel_expr *e = calloc(1, sizeof(*e));

	if (!e)
		return fail(p, "out of memory");
	e->kind = kind;
	e->at = p->pos;
	return e;
}

void cel_free(cel_expr *e)
{
	size_t i;

	if (!e)
		return;
	json_decref(e->lit);
	free(e->name);
	cel_free(e->a);
	cel_free(e->b);
	cel_free(e->c);
	for (i = 0; i < e->nargs; i++)
		cel_free(e->args[i]);
	free(e->args);
	free(e);
}

static cel_expr *expr(parser *p);

/* Comma-separated expressions up to close, into e->args. */
static bool arguments(parser *p, cel_expr *e, const char *close)
{
	if (eat(p, close))
		return true;
	do {
		cel_expr **grown = realloc(e->args, (e->nargs + 1) * sizeof(*grown));
		if (!grown) {
			fail(p, "out of memory");
			return false;
		}
		e->args = grown;
		if ((e->args[e->nargs] = expr(p)) == NULL)
			return false;
		e->nargs++;
	} while (eat(p, ","));
	if (!eat(p, close)) {
		fail(p, "'%s' expected", close);
		return false;
	}
	return true;
}

/* A quoted string ('...' or "..."), with \\ \' \" \n \t escapes. */
static cel_expr *string(parser *p)
{
	char quote = p->s[p->pos++], buf[TEXT_MAX + 1];
	size_t n = 0;
	cel_expr *e;

	while (p->s[p->pos] && p->s[p->pos] != quote) {
		char c = p->s[p->pos++];
		if (c == '\\') {
			c = p->s[p->pos++];
			c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
			if (!c)
				return fail(p, "the string does not end");
		}
		buf[n++] = c;
	}
	if (p->s[p->pos] != quote)
		return fail(p, "the string does not end");
	p->pos++;
	buf[n] = '\0';
	if ((e = node(p, CEL_LIT)) != NULL && (e->lit = json_stringn(buf, n)) == NULL) {
		cel_free(e);
		return fail(p, "the string is not UTF-8");
	}
	return e;
}

static cel_expr *number(parser *p)
{
	const char *start = p->s + p->pos;
	char *end;
	cel_expr *e = node(p, CEL_LIT);
	long long i;

	if (!e)
		return NULL;
	errno = 0;
	i = strtoll(start, &end, 10);
	if (*end == '.' || *end == 'e' || *end == 'E')
		e->lit = json_real(strtod(start, &end));
	else if (errno == 0)
		e->lit = json_integer(i);
	if (!e->lit) {
		cel_free(e);
		return fail(p, "not a number");
	}
	p->pos += (size_t)(end - start);
	return e;
}

/* A name: a variable, a global function's call, true, false or null. */
static cel_expr *name(parser *p)
{
	size_t start = p->pos;
	cel_expr *e;

	while (isalnum((unsigned char)p->s[p->pos]) || p->s[p->pos] == '_')
		p->pos++;
	if ((e = node(p, CEL_IDENT)) == NULL)
		return NULL;
	e->at = start;
	if ((e->name = strndup(p->s + start, p->pos - start)) == NULL) {
		cel_free(e);
		return fail(p, "out of memory");
	}
	if (strcmp(e->name, "true") == 0 || strcmp(e->name, "false") == 0 ||
	    strcmp(e->name, "null") == 0) {
		e->kind = CEL_LIT;
		e->lit = e->name[0] == 'n' ? json_null() : json_boolean(e->name[0] == 't');
	} else if (eat(p, "(")) {
		e->kind = CEL_CALL;
		if (!arguments(p, e, ")")) {
			cel_free(e);
			return NULL;
		}
	}
	return e;
}

static cel_expr *primary(parser *p)
{
	cel_expr *e;
	char c;

	skip(p);
	c = p->s[p->pos];
	if (c == '(') {
		p->pos++;
		e = expr(p);
		if (e && !eat(p, ")")) {
			cel_free(e);
			return fail(p, "')' expected");
		}
		return e;
	}
	if (c == '[') {
		p->pos++;
		if ((e = node(p, CEL_LIST)) != NULL && !arguments(p, e, "]")) {
			cel_free(e);
			return NULL;
		}
		return e;
	}
	if (c == '\'' || c == '"')
		return string(p);
	if (isdigit((unsigned char)c))
		return number(p);
	if (isalpha((unsigned char)c) || c == '_')
		return name(p);
	if (!c)
		return fail(p, "the expression ends too soon");
	return fail(p, "unexpected '%c'", c);
}

/* Field access, indexing and method calls after a primary. */
static cel_expr *member(parser *p)
{
	cel_expr *e = primary(p), *m;

	while (e) {
		if (eat(p, ".")) {
			skip(p);
			if (!isalpha((unsigned char)p->s[p->pos]) && p->s[p->pos] != '_') {
				cel_free(e);
				return fail(p, "a field name expected after '.'");
			}
			if ((m = name(p)) == NULL || m->kind == CEL_LIT) {
				cel_free(m);
				cel_free(e);
				return fail(p, "a field name expected after '.'");
			}
			m->kind = m->kind == CEL_CALL ? CEL_METHOD : CEL_FIELD;
			m->a = e;
			e = m;
		} else if (eat(p, "[")) {
			if ((m = node(p, CEL_INDEX)) == NULL) {
				cel_free(e);
				return NULL;
			}
			m->a = e;
			e = m;
			if ((m->b = expr(p)) == NULL || !eat(p, "]")) {
				cel_free(e);
				return fail(p, "']' expected");
			}
		} else {
			break;
		}
	}
	return e;
}

static cel_expr *unary(parser *p)
{
	cel_expr *e;

	if (++p->depth > DEPTH_MAX)
		return fail(p, "nested more than %d deep", DEPTH_MAX);
	if (eat(p, "!") || eat(p, "-")) {
		if ((e = node(p, CEL_UNARY)) != NULL) {
			e->op[0] = p->s[p->pos - 1];
			if ((e->a = unary(p)) == NULL) {
				cel_free(e);
				e = NULL;
			}
		}
	} else {
		e = member(p);
	}
	p->depth--;
	return e;
}

/* One level of left-associative binary operators (ops, longest first), over next. */
static cel_expr *binary(parser *p, const char *const *ops, cel_expr *(*next)(parser *))
{
	cel_expr *e = next(p), *b;
	size_t i;

	while (e) {
		for (i = 0; ops[i] && !eat(p, ops[i]); i++)
			;
		if (!ops[i])
			break;
		if ((b = node(p, CEL_BINARY)) == NULL) {
			cel_free(e);
			return NULL;
		}
		snprintf(b->op, sizeof(b->op), "%s", ops[i]);
		b->a = e;
		e = b;
		if ((b->b = next(p)) == NULL) {
			cel_free(e);
			return NULL;
		}
	}
	return e;
}

static cel_expr *product(parser *p)
{
	static const char *const ops[] = { "*", "/", "%", NULL };
	return binary(p, ops, unary);
}

static cel_expr *sum(parser *p)
{
	static const char *const ops[] = { "+", "-", NULL };
	return binary(p, ops, product);
}

static cel_expr *relation(parser *p)
{
	static const char *const ops[] = { "==", "!=", "<=", ">=", "<", ">", "in", NULL };
	return binary(p, ops, sum);
}

static cel_expr *conjunction(parser *p)
{
	static const char *const ops[] = { "&&", NULL };
	return binary(p, ops, relation);
}

static cel_expr *disjunction(parser *p)
{
	static const char *const ops[] = { "||", NULL };
	return binary(p, ops, conjunction);
}

static cel_expr *expr(parser *p)
{
	cel_expr *e, *c;

	if (++p->depth > DEPTH_MAX)
		return fail(p, "nested more than %d deep", DEPTH_MAX);
	e = disjunction(p);
	if (e && eat(p, "?")) {
		if ((c = node(p, CEL_COND)) == NULL) {
			cel_free(e);
			return NULL;
		}
		c->a = e;
		e = c;
		if ((c->b = expr(p)) == NULL || !eat(p, ":") || (c->c = expr(p)) == NULL) {
			cel_free(e);
			return fail(p, "'?' needs 'then : else'");
		}
	}
	p->depth--;
	return e;
}

cel_expr *cel_parse(const char *text, char *err, size_t len)
{
	parser p = { text, 0, 0, err, len, false };
	cel_expr *e;

	if (strlen(text) > TEXT_MAX)
		return fail(&p, "longer than %d characters", TEXT_MAX);
	e = expr(&p);
	skip(&p);
	if (e && p.s[p.pos]) {
		cel_free(e);
		return fail(&p, "unexpected '%c'", p.s[p.pos]);
	}
	return e;
}
