/*
 * pipeline/template_parse.c - builds the syntax tree of a template: its
 * statements (the expressions are parsed in template_expr.c).
 *
 * Statements: text, {{ expr }}, if/elif/else/endif, for/endfor, set, and
 * macro/endmacro at the top level of a file only, where the macro is
 * registered in the program for anyone to call. A body is parsed up to a
 * tag that closes its block; a block that is never closed is reported at
 * the line of its opening tag, a closing tag that does not match at its
 * own line, naming the block that is still open.
 */
#include "util/common.h"
#include "template/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The block a body sits in: what may close it and where it opened. */
typedef struct opener {
	const char *kind; /* "if", "for" or "macro" */
	int line;
} opener;

static int parse_body(tpl_stmt **out, tpl_parser *p, const opener *open);

/* ---- statements ---- */

static int expect_end(tpl_parser *p, tpl_tok kind)
{
	if (tpl_peek(p)->kind != kind)
		return rat_template__unexpected(p, kind == TOK_BLOCK_END ? "'%}'" : "'}}'");
	tpl_next(p);
	return 0;
}

static tpl_stmt *new_stmt(tpl_parser *p, tpl_stmt_kind kind, int line)
{
	tpl_stmt *s = rat_template__alloc(&p->prog->arena, sizeof(*s));
	if (s) {
		s->kind = kind;
		s->line = line;
	}
	return s;
}

/* Consume '{% <name> %}', a block's closing tag. */
static int parse_closing(tpl_parser *p)
{
	tpl_next(p);
	tpl_next(p);
	return expect_end(p, TOK_BLOCK_END);
}

static int parse_branch(tpl_branch **out, tpl_parser *p, const opener *open, bool with_cond)
{
	tpl_branch *b = rat_template__alloc(&p->prog->arena, sizeof(*b));
	int error = 0;

	if (!b)
		return RAT_ENOMEM;
	if (with_cond)
		error = rat_template__parse_expr(&b->cond, p);
	if (!error)
		error = expect_end(p, TOK_BLOCK_END);
	if (!error)
		error = parse_body(&b->body, p, open);
	*out = b;
	return error;
}

/* After '{% if': the branches up to '{% endif %}'. */
static int parse_if(tpl_stmt *s, tpl_parser *p)
{
	opener open = { "if", s->line };
	tpl_branch **tail = &s->branches;
	int else_line = 0, error;

	if ((error = parse_branch(tail, p, &open, true)) != 0)
		return error;
	for (;;) {
		const tpl_token *kw = tpl_peek_at(p, 1);
		tail = &(*tail)->next;
		if (tpl_is_name(kw, "endif"))
			return parse_closing(p);
		if (else_line)
			return rat_template__fail(p->path, kw->line,
						  "'%s' after the 'else' on line %d (in the "
						  "'if' on line %d)",
						  kw->str, else_line, s->line);
		if (tpl_is_name(kw, "else"))
			else_line = kw->line;
		p->pos += 2;
		if ((error = parse_branch(tail, p, &open, !else_line)) != 0)
			return error;
	}
}

/* After '{% for': 'x in expr %}' and the body up to '{% endfor %}'. */
static int parse_for(tpl_stmt *s, tpl_parser *p)
{
	opener open = { "for", s->line };
	char buf[64];
	int error;

	if (tpl_peek(p)->kind != TOK_NAME || rat_template__is_constant(tpl_peek(p)))
		return rat_template__unexpected(p, "a variable name after 'for'");
	s->name = tpl_next(p)->str;
	if (!tpl_is_name(tpl_peek(p), "in")) {
		snprintf(buf, sizeof(buf), "'in' after 'for %.40s'", s->name);
		return rat_template__unexpected(p, buf);
	}
	tpl_next(p);
	if ((error = rat_template__parse_expr(&s->expr, p)) != 0 ||
	    (error = expect_end(p, TOK_BLOCK_END)) != 0 ||
	    (error = parse_body(&s->body, p, &open)) != 0)
		return error;
	return parse_closing(p);
}

/* After '{% set': 'x = expr %}'. */
static int parse_set(tpl_stmt *s, tpl_parser *p)
{
	char buf[64];
	int error;

	if (tpl_peek(p)->kind != TOK_NAME || rat_template__is_constant(tpl_peek(p)))
		return rat_template__unexpected(p, "a variable name after 'set'");
	s->name = tpl_next(p)->str;
	snprintf(buf, sizeof(buf), "'=' after 'set %.40s'", s->name);
	if ((error = rat_template__expect_op(p, "=", buf)) != 0 ||
	    (error = rat_template__parse_expr(&s->expr, p)) != 0)
		return error;
	return expect_end(p, TOK_BLOCK_END);
}

static int parse_param(tpl_macro *m, tpl_parser *p, tpl_param ***tail, bool *seen_default)
{
	tpl_param *q, *other;
	int error = 0;

	if (tpl_peek(p)->kind != TOK_NAME)
		return rat_template__unexpected(p, "a parameter name");
	if (!(q = rat_template__alloc(&p->prog->arena, sizeof(*q))))
		return RAT_ENOMEM;
	q->name = tpl_peek(p)->str;
	for (other = m->params; other; other = other->next)
		if (!strcmp(other->name, q->name))
			return rat_template__fail(p->path, tpl_peek(p)->line,
						  "macro '%s' has two parameters named '%s'",
						  m->name, q->name);
	tpl_next(p);
	if (tpl_is_op(tpl_peek(p), "=")) {
		tpl_next(p);
		error = rat_template__parse_expr(&q->def, p);
		*seen_default = true;
	} else if (*seen_default) {
		return rat_template__fail(p->path, tpl_peek(p)->line,
					  "parameter '%s' of macro '%s' needs a default: it "
					  "follows one with a default",
					  q->name, m->name);
	}
	**tail = q;
	*tail = &q->next;
	m->nparams++;
	return error;
}

static int register_macro(tpl_parser *p, tpl_macro *m)
{
	tpl_macro **tail;

	if (rat_template__is_builtin(m->name))
		return rat_template__fail(m->path, m->line,
					  "macro '%s' has the name of a built-in function",
					  m->name);
	for (tail = &p->prog->macros; *tail; tail = &(*tail)->next)
		if (!strcmp((*tail)->name, m->name))
			return rat_template__fail(m->path, m->line,
						  "macro '%s' is already defined at %s:%d", m->name,
						  (*tail)->path, (*tail)->line);
	*tail = m;
	return 0;
}

/* After '{% macro': 'name(params) %}' and the body up to '{% endmacro %}'. */
static int parse_macro(tpl_stmt *s, tpl_parser *p, const opener *outer)
{
	opener open = { "macro", s->line };
	tpl_macro *m = rat_template__alloc(&p->prog->arena, sizeof(*m));
	tpl_param **tail;
	bool seen_default = false;
	int error = 0;

	if (!m)
		return RAT_ENOMEM;
	if (outer)
		return rat_template__fail(p->path, s->line,
					  "macros are defined at the top level of a file, not "
					  "inside the '%s' on line %d",
					  outer->kind, outer->line);
	if (tpl_peek(p)->kind != TOK_NAME)
		return rat_template__unexpected(p, "a macro name after 'macro'");
	m->name = tpl_next(p)->str;
	m->path = p->path;
	m->source = p->text;
	m->line = s->line;
	s->macro = m;
	if ((error = rat_template__expect_op(p, "(", "'(' after the macro's name")) != 0)
		return error;
	for (tail = &m->params; !error && !tpl_is_op(tpl_peek(p), ")");) {
		error = parse_param(m, p, &tail, &seen_default);
		if (error || !tpl_is_op(tpl_peek(p), ","))
			break;
		tpl_next(p);
	}
	if (error || (error = rat_template__expect_op(p, ")", "',' or ')'")) != 0 ||
	    (error = expect_end(p, TOK_BLOCK_END)) != 0 ||
	    (error = parse_body(&m->body, p, &open)) != 0 || (error = parse_closing(p)) != 0)
		return error;
	return register_macro(p, m);
}

/* What closes the block `open` and which opening a closing tag belongs to. */
static const char *opening_of(const char *keyword)
{
	static const char *const pairs[][2] = { { "elif", "if" },
						{ "else", "if" },
						{ "endif", "if" },
						{ "endfor", "for" },
						{ "endmacro", "macro" } };
	size_t i;

	for (i = 0; i < RAT_ARRAY_SIZE(pairs); i++)
		if (!strcmp(keyword, pairs[i][0]))
			return pairs[i][1];
	return NULL;
}

static int mismatched(tpl_parser *p, const tpl_token *kw, const char *opening, const opener *open)
{
	if (!open)
		return rat_template__fail(p->path, kw->line, "'%s' without a matching '%s'",
					  kw->str, opening);
	return rat_template__fail(p->path, kw->line,
				  "'%s' where 'end%s' was expected (the '%s' on line %d is "
				  "still open)",
				  kw->str, open->kind, open->kind, open->line);
}

/* A '{% ... %}' tag that is not a closing of the block being parsed. */
static int parse_tag(tpl_stmt **out, tpl_parser *p, const opener *open)
{
	const tpl_token *kw = tpl_peek_at(p, 1);
	const char *opening;
	tpl_stmt *s;
	int error;

	if (kw->kind != TOK_NAME) {
		tpl_next(p);
		return rat_template__unexpected(p, "a tag name after '{%'");
	}
	if ((opening = opening_of(kw->str)) != NULL)
		return mismatched(p, kw, opening, open);
	if (!tpl_is_name(kw, "if") && !tpl_is_name(kw, "for") && !tpl_is_name(kw, "set") &&
	    !tpl_is_name(kw, "macro"))
		return rat_template__fail(p->path, kw->line, "unknown tag '%s'", kw->str);
	if (!(s = new_stmt(p, STMT_IF, kw->line)))
		return RAT_ENOMEM;
	p->pos += 2;
	if ((error = rat_template__nest(p, kw->line)) != 0)
		return error;
	if (tpl_is_name(kw, "if")) {
		error = parse_if(s, p);
	} else if (tpl_is_name(kw, "for")) {
		s->kind = STMT_FOR;
		error = parse_for(s, p);
	} else if (tpl_is_name(kw, "set")) {
		s->kind = STMT_SET;
		error = parse_set(s, p);
	} else {
		s->kind = STMT_MACRO;
		error = parse_macro(s, p, open);
	}
	p->depth--;
	*out = s;
	return error;
}

static bool closes(const opener *open, const tpl_token *kw)
{
	if (!open || kw->kind != TOK_NAME)
		return false;
	if (!strcmp(open->kind, "if"))
		return tpl_is_name(kw, "elif") || tpl_is_name(kw, "else") ||
		       tpl_is_name(kw, "endif");
	return !strncmp(kw->str, "end", 3) && !strcmp(kw->str + 3, open->kind);
}

static int parse_output(tpl_stmt **out, tpl_parser *p)
{
	tpl_stmt *s = new_stmt(p, STMT_OUTPUT, tpl_next(p)->line);
	int error;

	if (!s)
		return RAT_ENOMEM;
	if ((error = rat_template__parse_expr(&s->expr, p)) != 0)
		return error;
	*out = s;
	return expect_end(p, TOK_VAR_END);
}

/* Statements up to the end of the file or a tag that closes open (not consumed). */
static int parse_body(tpl_stmt **out, tpl_parser *p, const opener *open)
{
	tpl_stmt **tail = out;
	int error = 0;

	while (!error) {
		const tpl_token *t = tpl_peek(p);
		tpl_stmt *s = NULL;
		if (t->kind == TOK_EOF) {
			if (open)
				return rat_template__fail(p->path, open->line,
							  "'%s' is never closed: no 'end%s' "
							  "before the end of the file",
							  open->kind, open->kind);
			return 0;
		}
		if (t->kind == TOK_BLOCK_BEGIN && closes(open, tpl_peek_at(p, 1)))
			return 0;
		if (t->kind == TOK_TEXT) {
			if (!(s = new_stmt(p, STMT_TEXT, t->line)))
				return RAT_ENOMEM;
			s->text = t->src;
			s->len = t->len;
			tpl_next(p);
		} else if (t->kind == TOK_VAR_BEGIN) {
			error = parse_output(&s, p);
		} else {
			error = parse_tag(&s, p, open);
		}
		if (s) {
			*tail = s;
			tail = &s->next;
		}
	}
	return error;
}

int rat_template__parse(tpl_stmt **out, tpl_program *prog, const char *path, const char *text)
{
	tpl_tokens toks = { NULL, 0, 0 };
	tpl_parser p = { prog, path, text, NULL, 0, 0 };
	int error;

	*out = NULL;
	if ((error = rat_template__lex(&toks, &prog->arena, path, text)) != 0)
		goto cleanup;
	p.toks = toks.items;
	error = parse_body(out, &p, NULL);
cleanup:
	free(toks.items);
	return error;
}

const tpl_macro *rat_template__find_macro(const tpl_program *prog, const char *name)
{
	const tpl_macro *m;

	for (m = prog->macros; m; m = m->next)
		if (!strcmp(m->name, name))
			return m;
	return NULL;
}
