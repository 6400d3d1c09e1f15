/*
 * pipeline/template_expr.c - parses the expressions of a template.
 *
 * Recursive descent with Jinja's precedence, loosest first:
 *
 *   or; and; not; == != < <= > >= in, not in; + -; ~; * / // %;
 *   unary -; filters (x | f(args)); literals, names, calls, ( ), [ ].
 *
 * So 'a' ~ 1 + 1 is ('a' ~ 1) + 1 and -x | f is (-x) | f, as in Jinja.
 * A dotted name (loop.index) is one name. Every level of nesting counts
 * against TPL_MAX_NESTING so that hostile input cannot exhaust the stack.
 */
#include "util/common.h"
#include "template/internal.h"

#include <stdio.h>
#include <string.h>

static int parse_unary(tpl_expr **out, tpl_parser *p, bool with_filter);

/* ---- tokens ---- */

/* How a token reads in a message: 'x', a string, '%}', the end of the file. */
static const char *describe(const tpl_token *t, char *buf, size_t size)
{
	switch (t->kind) {
	case TOK_EOF:
		return "the end of the file";
	case TOK_STRING:
		return "a string";
	case TOK_TEXT:
		return "text";
	default:
		snprintf(buf, size, "'%.*s'", (int)(t->len > 40 ? 40 : t->len), t->src);
		return buf;
	}
}

int rat_template__unexpected(const tpl_parser *p, const char *what)
{
	char buf[64];
	const tpl_token *t = tpl_peek(p);

	return rat_template__fail(p->path, t->line, "expected %s, found %s", what,
				  describe(t, buf, sizeof(buf)));
}

int rat_template__expect_op(tpl_parser *p, const char *op, const char *what)
{
	if (!tpl_is_op(tpl_peek(p), op))
		return rat_template__unexpected(p, what);
	tpl_next(p);
	return 0;
}

int rat_template__nest(tpl_parser *p, int line)
{
	if (++p->depth > TPL_MAX_NESTING)
		return rat_template__fail(p->path, line,
					  "blocks and expressions nested deeper than %d levels",
					  TPL_MAX_NESTING);
	return 0;
}

/* ---- expressions ---- */

static tpl_expr *new_expr(tpl_parser *p, tpl_expr_kind kind, int line)
{
	tpl_expr *e = rat_template__alloc(&p->prog->arena, sizeof(*e));
	if (e) {
		e->kind = kind;
		e->line = line;
	}
	return e;
}

static int new_binary(tpl_expr **out, tpl_parser *p, tpl_op op, int line, tpl_expr *right)
{
	tpl_expr *e = new_expr(p, EXPR_BINARY, line);
	if (!e)
		return RAT_ENOMEM;
	e->op = op;
	e->left = *out;
	e->right = right;
	*out = e;
	return 0;
}

/*
 * Arguments after '(' up to ')': expressions, and with keywords allowed
 * name=expr after them.
 */
static int parse_args(tpl_arg **out, size_t *count, tpl_parser *p, bool keywords)
{
	tpl_arg **tail = out;
	bool seen_keyword = false;
	int error = 0;

	while (!error && !tpl_is_op(tpl_peek(p), ")")) {
		tpl_arg *a = rat_template__alloc(&p->prog->arena, sizeof(*a));
		if (!a)
			return RAT_ENOMEM;
		if (keywords && tpl_peek(p)->kind == TOK_NAME &&
		    tpl_is_op(tpl_peek_at(p, 1), "=")) {
			a->name = tpl_next(p)->str;
			tpl_next(p);
			seen_keyword = true;
		} else if (seen_keyword) {
			return rat_template__fail(p->path, tpl_peek(p)->line,
						  "positional argument after a keyword argument");
		}
		if ((error = rat_template__parse_expr(&a->value, p)) != 0)
			break;
		*tail = a;
		tail = &a->next;
		(*count)++;
		if (!tpl_is_op(tpl_peek(p), ","))
			break;
		tpl_next(p);
	}
	return error ? error : rat_template__expect_op(p, ")", "',' or ')'");
}

/* A name, dotted (loop.index), or a call of one. */
static int parse_name(tpl_expr **out, tpl_parser *p)
{
	const tpl_token *t = tpl_next(p);
	const char *name = t->str;
	tpl_expr *e;

	while (tpl_is_op(tpl_peek(p), ".") && tpl_peek_at(p, 1)->kind == TOK_NAME) {
		const char *attr = tpl_peek_at(p, 1)->str;
		size_t n = strlen(name), m = strlen(attr);
		char *dotted = rat_template__alloc(&p->prog->arena, n + m + 2);
		if (!dotted)
			return RAT_ENOMEM;
		memcpy(dotted, name, n);
		dotted[n] = '.';
		memcpy(dotted + n + 1, attr, m);
		name = dotted;
		p->pos += 2;
	}
	if (!(e = new_expr(p, EXPR_NAME, t->line)))
		return RAT_ENOMEM;
	e->name = name;
	*out = e;
	if (!tpl_is_op(tpl_peek(p), "("))
		return 0;
	tpl_next(p);
	e->kind = EXPR_CALL;
	return parse_args(&e->args, &e->nargs, p, true);
}

static int parse_literal(tpl_expr **out, tpl_parser *p)
{
	const tpl_token *t = tpl_next(p);
	tpl_expr *e = new_expr(p, EXPR_LITERAL, t->line);

	if (!e)
		return RAT_ENOMEM;
	if (t->kind == TOK_STRING) {
		e->literal.kind = TPL_STRING;
		e->literal.u.s.ptr = (char *)t->str;
		e->literal.u.s.len = t->str_len;
	} else if (t->kind == TOK_INT) {
		e->literal.kind = TPL_INT;
		e->literal.u.i = t->i;
	} else if (t->kind == TOK_FLOAT) {
		e->literal.kind = TPL_FLOAT;
		e->literal.u.f = t->f;
	} else if (tpl_is_name(t, "true") || tpl_is_name(t, "True") || tpl_is_name(t, "false") ||
		   tpl_is_name(t, "False")) {
		e->literal.kind = TPL_BOOL;
		e->literal.u.b = t->str[0] == 't' || t->str[0] == 'T';
	}
	*out = e;
	return 0;
}

/* After '[': items up to ']'. */
static int parse_list(tpl_expr **out, tpl_parser *p)
{
	tpl_expr *list = new_expr(p, EXPR_LIST, tpl_next(p)->line);
	tpl_arg **tail;
	int error;

	if (!(*out = list))
		return RAT_ENOMEM;
	for (tail = &list->args; !tpl_is_op(tpl_peek(p), "]"); tail = &(*tail)->next) {
		if (!(*tail = rat_template__alloc(&p->prog->arena, sizeof(**tail))))
			return RAT_ENOMEM;
		if ((error = rat_template__parse_expr(&(*tail)->value, p)) != 0)
			return error;
		list->nargs++;
		if (!tpl_is_op(tpl_peek(p), ","))
			break;
		tpl_next(p);
	}
	return rat_template__expect_op(p, "]", "',' or ']'");
}

bool rat_template__is_constant(const tpl_token *t)
{
	static const char *const names[] = { "true", "True", "false", "False", "none", "None" };
	size_t i;

	for (i = 0; t->kind == TOK_NAME && i < RAT_ARRAY_SIZE(names); i++)
		if (!strcmp(t->str, names[i]))
			return true;
	return false;
}

static int parse_primary(tpl_expr **out, tpl_parser *p)
{
	const tpl_token *t = tpl_peek(p);
	int error;

	if (t->kind == TOK_STRING || t->kind == TOK_INT || t->kind == TOK_FLOAT ||
	    rat_template__is_constant(t))
		return parse_literal(out, p);
	if (t->kind == TOK_NAME)
		return parse_name(out, p);
	if (tpl_is_op(t, "(")) {
		tpl_next(p);
		if ((error = rat_template__parse_expr(out, p)) != 0)
			return error;
		return rat_template__expect_op(p, ")", "')'");
	}
	if (tpl_is_op(t, "["))
		return parse_list(out, p);
	return rat_template__unexpected(p, "an expression");
}

static int parse_filters(tpl_expr **out, tpl_parser *p)
{
	int error = 0;

	while (!error && tpl_is_op(tpl_peek(p), "|")) {
		tpl_expr *f;
		tpl_next(p);
		if (tpl_peek(p)->kind != TOK_NAME)
			return rat_template__unexpected(p, "a filter name after '|'");
		if (!(f = new_expr(p, EXPR_FILTER, tpl_peek(p)->line)))
			return RAT_ENOMEM;
		f->name = tpl_next(p)->str;
		f->left = *out;
		*out = f;
		if (tpl_is_op(tpl_peek(p), "(")) {
			tpl_next(p);
			error = parse_args(&f->args, &f->nargs, p, false);
		}
	}
	return error;
}

static int parse_unary(tpl_expr **out, tpl_parser *p, bool with_filter)
{
	const tpl_token *t = tpl_peek(p);
	int error;

	if ((error = rat_template__nest(p, t->line)) != 0)
		return error;
	if (tpl_is_op(t, "-")) {
		tpl_next(p);
		if (!(*out = new_expr(p, EXPR_NEG, t->line)))
			return RAT_ENOMEM;
		error = parse_unary(&(*out)->left, p, false);
	} else {
		error = parse_primary(out, p);
	}
	if (!error && with_filter)
		error = parse_filters(out, p);
	p->depth--;
	return error;
}

typedef int (*level_fn)(tpl_expr **out, tpl_parser *p);

/* A left-associative level: operand (op operand)*. */
static int parse_level(tpl_expr **out, tpl_parser *p, level_fn operand, const char *const *ops,
		       const tpl_op *codes, size_t n)
{
	int error = operand(out, p);
	size_t i;

	while (!error) {
		const tpl_token *t = tpl_peek(p);
		tpl_expr *right = NULL;
		for (i = 0; i < n && !tpl_is_op(t, ops[i]) && !tpl_is_name(t, ops[i]); i++)
			;
		if (i == n)
			break;
		tpl_next(p);
		if (!(error = operand(&right, p)))
			error = new_binary(out, p, codes[i], t->line, right);
	}
	return error;
}

static int parse_filtered(tpl_expr **out, tpl_parser *p)
{
	return parse_unary(out, p, true);
}

static int parse_mul(tpl_expr **out, tpl_parser *p)
{
	static const char *const ops[] = { "*", "/", "//", "%" };
	static const tpl_op codes[] = { OP_MUL, OP_DIV, OP_FLOORDIV, OP_MOD };
	return parse_level(out, p, parse_filtered, ops, codes, RAT_ARRAY_SIZE(ops));
}

static int parse_concat(tpl_expr **out, tpl_parser *p)
{
	static const char *const ops[] = { "~" };
	static const tpl_op codes[] = { OP_CONCAT };
	return parse_level(out, p, parse_mul, ops, codes, 1);
}

static int parse_add(tpl_expr **out, tpl_parser *p)
{
	static const char *const ops[] = { "+", "-" };
	static const tpl_op codes[] = { OP_ADD, OP_SUB };
	return parse_level(out, p, parse_concat, ops, codes, 2);
}

static int parse_compare(tpl_expr **out, tpl_parser *p)
{
	static const char *const ops[] = { "==", "!=", "<", "<=", ">", ">=", "in" };
	static const tpl_op codes[] = { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN };
	int error = parse_add(out, p);
	size_t i;

	while (!error) {
		const tpl_token *t = tpl_peek(p);
		tpl_expr *right = NULL;
		tpl_op op;
		if (tpl_is_name(t, "not") && tpl_is_name(tpl_peek_at(p, 1), "in")) {
			op = OP_NOT_IN;
			tpl_next(p);
		} else {
			for (i = 0; i < RAT_ARRAY_SIZE(ops) && !tpl_is_op(t, ops[i]) &&
				    !tpl_is_name(t, ops[i]);
			     i++)
				;
			if (i == RAT_ARRAY_SIZE(ops))
				break;
			op = codes[i];
		}
		tpl_next(p);
		if (!(error = parse_add(&right, p)))
			error = new_binary(out, p, op, t->line, right);
	}
	return error;
}

static int parse_not(tpl_expr **out, tpl_parser *p)
{
	const tpl_token *t = tpl_peek(p);
	int error;

	if (!tpl_is_name(t, "not"))
		return parse_compare(out, p);
	if ((error = rat_template__nest(p, t->line)) != 0)
		return error;
	tpl_next(p);
	if (!(*out = new_expr(p, EXPR_NOT, t->line)))
		return RAT_ENOMEM;
	error = parse_not(&(*out)->left, p);
	p->depth--;
	return error;
}

static int parse_and(tpl_expr **out, tpl_parser *p)
{
	static const char *const ops[] = { "and" };
	static const tpl_op codes[] = { OP_AND };
	return parse_level(out, p, parse_not, ops, codes, 1);
}

int rat_template__parse_expr(tpl_expr **out, tpl_parser *p)
{
	static const char *const ops[] = { "or" };
	static const tpl_op codes[] = { OP_OR };
	int error;

	if ((error = rat_template__nest(p, tpl_peek(p)->line)) != 0)
		return error;
	error = parse_level(out, p, parse_and, ops, codes, 1);
	p->depth--;
	return error;
}
