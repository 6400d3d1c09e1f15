/*
 * pipeline/template.c - renders pipeline templates and finds their ref()s
 * (the language is documented in docs/templating.md).
 *
 * Both entry points first parse everything the text may use: each macro
 * file of the workspace, then the text itself, into one program whose
 * macros are callable from anywhere. Rendering then runs the statements
 * (here) and evaluates their expressions (template_eval.c); the text of a
 * macro call is collected in a buffer of its own and becomes the call's
 * value. rat_template__refs() does not evaluate: it walks the tree, every
 * branch of every if and the bodies of the macros the text calls, so that
 * a pipeline's dependencies do not depend on how it happens to run.
 */
#include "util/common.h"
#include "template/internal.h"
#include "util/sql.h"

#include <stdlib.h>
#include <string.h>

/* ---- statements ---- */

static int emit_value(tpl_render *r, int line, const tpl_value *v)
{
	size_t at = r->out->len - r->base;
	int error;

	if (v->kind == TPL_STRING && v->u.s.watermark &&
	    rat_sql__ends_in_string(rat_buf_cstr(r->out) + r->base))
		error = rat_template__watermark(r->out, r, line, v->u.s.watermark, true);
	else
		error = rat_template__value_text(r->out, v);

	if ((error = rat_template__buf_error(r, line, r->out, error)) != 0)
		return error;
	return r->map ? rat_template__origins_of_value(r, at, line, v) : 0;
}

/* Text between tags: each of its lines comes from the source's. */
static int emit_text(tpl_render *r, const tpl_stmt *s)
{
	size_t at = r->out->len - r->base, i;
	int line = s->line;
	int error = rat_template__buf_error(r, s->line, r->out, rat_buf_put(r->out, s->text, s->len));

	if (error || !r->map)
		return error;
	error = rat_template__origin_add(r->map, at, r->path, r->source, line, NULL, 0);
	for (i = 0; !error && i + 1 < s->len; i++)
		if (s->text[i] == '\n')
			error = rat_template__origin_add(r->map, at + i + 1, r->path, r->source,
							 ++line, NULL, 0);
	return error;
}

/* The loop variables of item i of n: loop.index, loop.first and the rest. */
static int set_loop_vars(tpl_render *r, size_t i, size_t n)
{
	static const char *const names[] = { "loop.index",     "loop.index0", "loop.revindex",
					     "loop.revindex0", "loop.length", "loop.first",
					     "loop.last" };
	const int64_t ints[] = { (int64_t)i + 1, (int64_t)i, (int64_t)(n - i), (int64_t)(n - i - 1),
				 (int64_t)n };
	size_t k;
	int error = 0;

	for (k = 0; k < RAT_ARRAY_SIZE(names) && !error; k++) {
		tpl_value v = TPL_VALUE_INIT;
		if (k < RAT_ARRAY_SIZE(ints)) {
			v.kind = TPL_INT;
			v.u.i = ints[k];
		} else {
			v.kind = TPL_BOOL;
			v.u.b = k == 5 ? i == 0 : i + 1 == n;
		}
		error = rat_template__set_var(r, names[k], &v);
	}
	return error;
}

static int exec_for(tpl_render *r, const tpl_stmt *s)
{
	tpl_value list = TPL_VALUE_INIT;
	size_t i, outer = r->scope;
	int error;

	if ((error = rat_template__eval(&list, r, s->expr)) != 0)
		goto cleanup;
	if (list.kind != TPL_LIST) {
		error = rat_template__fail(r->path, s->line, "'for' needs a list, got %s",
					   rat_template__kind_name(list.kind));
		goto cleanup;
	}
	r->scope = r->nvars;
	for (i = 0; i < list.u.list.count && !error; i++) {
		rat_template__pop_vars(r, r->scope); /* each iteration starts afresh */
		if (!(error = rat_template__set_var(r, s->name, &list.u.list.items[i])) &&
		    !(error = set_loop_vars(r, i, list.u.list.count)))
			error = rat_template__exec(r, s->body);
	}
	rat_template__pop_vars(r, r->scope);
	r->scope = outer;
cleanup:
	rat_template__value_free(&list);
	return error;
}

static int exec_if(tpl_render *r, const tpl_stmt *s)
{
	const tpl_branch *b;
	int error = 0;

	for (b = s->branches; b; b = b->next) {
		tpl_value cond = TPL_VALUE_INIT;
		bool taken = true;
		if (b->cond) {
			if ((error = rat_template__eval(&cond, r, b->cond)) != 0)
				return error;
			taken = rat_template__value_truthy(&cond);
			rat_template__value_free(&cond);
		}
		if (taken)
			return rat_template__exec(r, b->body);
	}
	return error;
}

static int exec_one(tpl_render *r, const tpl_stmt *s)
{
	tpl_value v = TPL_VALUE_INIT;
	int error = 0;

	switch (s->kind) {
	case STMT_TEXT:
		error = emit_text(r, s);
		break;
	case STMT_OUTPUT:
		if (!(error = rat_template__eval(&v, r, s->expr)))
			error = emit_value(r, s->line, &v);
		break;
	case STMT_IF:
		error = exec_if(r, s);
		break;
	case STMT_FOR:
		error = exec_for(r, s);
		break;
	case STMT_SET:
		if (!(error = rat_template__eval(&v, r, s->expr)))
			error = rat_template__set_var(r, s->name, &v);
		break;
	case STMT_MACRO:
		break; /* defined when parsed */
	}
	rat_template__value_free(&v);
	return error;
}

int rat_template__exec(tpl_render *r, const tpl_stmt *body)
{
	int error = 0;

	for (; body && !error; body = body->next) {
		if ((error = rat_template__enter(r, body->line)) != 0)
			break;
		error = exec_one(r, body);
		r->depth--;
	}
	return error;
}

/* ---- the program ---- */

static const rat_template_context default_context = RAT_TEMPLATE_CONTEXT_INIT;

static const char *path_of(const char *path)
{
	return path ? path : "<template>";
}

/* Parse the macro files, then text, into prog. */
static int load(tpl_program *prog, const char *text, const rat_template_context *tc)
{
	tpl_stmt *ignored;
	size_t i;
	int error = 0;

	for (i = 0; tc->macros && i < tc->macro_count && !error; i++) {
		const rat_template_source *src = &tc->macros[i];
		/* only the macros count: the text around them renders nowhere */
		if (src->text)
			error = rat_template__parse(&ignored, prog, path_of(src->path), src->text);
	}
	if (!error)
		error = rat_template__parse(&prog->body, prog, path_of(tc->path), text ? text : "");
	return error;
}

int rat_template__render(rat_buf *out, const char *text, const rat_template_context *tc)
{
	tpl_program prog = { { NULL }, NULL, NULL };
	tpl_render r;
	size_t max = out->max ? out->max : RAT_BUF_DEFAULT_MAX;
	size_t saved_max = out->max;
	int error;

	if (!tc)
		tc = &default_context;
	memset(&r, 0, sizeof(r));
	r.tc = tc;
	r.prog = &prog;
	r.path = path_of(tc->path);
	r.source = text ? text : "";
	r.out = out;
	r.map = tc->map;
	r.base = out->len;
	if ((error = load(&prog, text, tc)) != 0)
		goto cleanup;
	/* the rendering may add at most TPL_MAX_TEXT bytes */
	if (max - out->len > TPL_MAX_TEXT)
		out->max = out->len + TPL_MAX_TEXT;
	error = rat_template__exec(&r, prog.body);
cleanup:
	out->max = saved_max;
	rat_template__pop_vars(&r, 0);
	free(r.vars);
	rat_template__arena_free(&prog.arena);
	return error;
}

/* ---- ref() search ---- */

typedef struct walker {
	const tpl_program *prog;
	rat_strarray *names;
	const char *path;
	int depth;
	int macro_depth;
} walker;

static int walk_stmts(walker *w, const tpl_stmt *s);
static int walk_expr(walker *w, const tpl_expr *e);

static int walk_macro(walker *w, tpl_macro *m, int line)
{
	const char *saved = w->path;
	const tpl_param *q;
	int error = 0;

	if (m->walked)
		return 0;
	if (w->macro_depth >= TPL_MAX_MACRO_DEPTH)
		return rat_template__too_deep(w->path, line, m->name);
	m->walked = true;
	w->macro_depth++;
	w->path = m->path;
	for (q = m->params; q && !error; q = q->next)
		if (q->def)
			error = walk_expr(w, q->def);
	if (!error)
		error = walk_stmts(w, m->body);
	w->path = saved;
	w->macro_depth--;
	return error;
}

static int walk_call(walker *w, const tpl_expr *e)
{
	const tpl_macro *m;
	const char *name;
	int error;

	if (!strcmp(e->name, "ref")) {
		if ((error = rat_template__ref_name(&name, w->path, e)) != 0)
			return error;
		return rat_strarray__contains(w->names, name) ? 0
							      : rat_strarray__push(w->names, name);
	}
	m = rat_template__find_macro(w->prog, e->name);
	/* the tree is the walk's own: marking a macro walked is safe */
	return m ? walk_macro(w, (tpl_macro *)m, e->line) : 0;
}

static int walk_expr(walker *w, const tpl_expr *e)
{
	const tpl_arg *a;
	int error = 0;

	if (!e)
		return 0;
	if (w->depth >= TPL_MAX_EVAL_DEPTH)
		return rat_template__fail(w->path, e->line,
					  "blocks, expressions and macro calls nested deeper than "
					  "%d levels",
					  TPL_MAX_EVAL_DEPTH);
	w->depth++;
	if (e->kind == EXPR_CALL)
		error = walk_call(w, e);
	if (!error)
		error = walk_expr(w, e->left);
	if (!error)
		error = walk_expr(w, e->right);
	for (a = e->args; a && !error; a = a->next)
		error = walk_expr(w, a->value);
	w->depth--;
	return error;
}

static int walk_stmts(walker *w, const tpl_stmt *s)
{
	const tpl_branch *b;
	int error = 0;

	if (w->depth >= TPL_MAX_EVAL_DEPTH)
		return rat_template__fail(w->path, s ? s->line : 1,
					  "blocks, expressions and macro calls nested deeper than "
					  "%d levels",
					  TPL_MAX_EVAL_DEPTH);
	w->depth++;
	for (; s && !error; s = s->next) {
		error = walk_expr(w, s->expr); /* OUTPUT, FOR, SET */
		for (b = s->branches; b && !error; b = b->next)
			if (!(error = walk_expr(w, b->cond)))
				error = walk_stmts(w, b->body);
		if (!error && s->kind == STMT_FOR)
			error = walk_stmts(w, s->body);
	}
	w->depth--;
	return error;
}

int rat_template__refs(rat_strarray *out, const char *text, const rat_template_context *tc)
{
	tpl_program prog = { { NULL }, NULL, NULL };
	rat_strarray names = RAT_STRARRAY_INIT;
	walker w;
	size_t i;
	int error;

	if (!tc)
		tc = &default_context;
	if ((error = load(&prog, text, tc)) != 0)
		goto cleanup;
	w.prog = &prog;
	w.names = &names;
	w.path = path_of(tc->path);
	w.depth = w.macro_depth = 0;
	if ((error = walk_stmts(&w, prog.body)) != 0)
		goto cleanup;
	for (i = 0; i < names.count && !error; i++) {
		error = rat_strarray__push_owned(out, names.strings[i]);
		names.strings[i] = NULL;
	}
cleanup:
	rat_strarray_free(&names);
	rat_template__arena_free(&prog.arena);
	return error;
}
