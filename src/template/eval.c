/*
 * pipeline/template_eval.c - evaluates expressions: names and variables,
 * list literals, operators and macro calls (the built-in functions and
 * filters are in template_funcs.c).
 *
 * Variables live on one stack in the renderer. A scope (a loop iteration)
 * is a mark on it; a macro call starts a frame that hides its caller's
 * variables, so a macro sees its parameters, what it sets itself and the
 * built-in names (this, run_started_at, landing_files), nothing else.
 * Operators follow Jinja: and/or give one of their operands, / always
 * gives a float, + adds numbers and joins two strings or two lists, ~
 * joins any two values as text. Integer overflow and division by zero are
 * errors, never undefined behaviour.
 */
#include "util/common.h"
#include "template/internal.h"

#include <stdlib.h>
#include <string.h>

static const char *const op_names[] = { "or",     "and", "==", "!=", "<", "<=", ">",  ">=", "in",
					"not in", "+",   "-",  "~",  "*", "/",  "//", "%" };

int rat_template__enter(tpl_render *r, int line)
{
	if (++r->steps > TPL_MAX_STEPS)
		return rat_template__fail(r->path, line,
					  "rendering takes more than %d steps: does a loop or a "
					  "macro run away?",
					  TPL_MAX_STEPS);
	if (r->depth >= TPL_MAX_EVAL_DEPTH)
		return rat_template__fail(r->path, line,
					  "blocks, expressions and macro calls nested deeper than "
					  "%d levels",
					  TPL_MAX_EVAL_DEPTH);
	r->depth++;
	return 0;
}

int rat_template__buf_error(const tpl_render *r, int line, const rat_buf *buf, int error)
{
	if (error != RAT_ETOOBIG)
		return error;
	return rat_template__fail_code(RAT_ETOOBIG, r->path, line,
				       "the rendered text exceeds the limit of %zu bytes",
				       buf->max ? buf->max : RAT_BUF_DEFAULT_MAX);
}

/* ---- variables ---- */

int rat_template__set_var(tpl_render *r, const char *name, tpl_value *v)
{
	size_t i;

	for (i = r->nvars; i > r->scope; i--) {
		if (!strcmp(r->vars[i - 1].name, name)) {
			rat_template__value_free(&r->vars[i - 1].value);
			r->vars[i - 1].value = *v;
			memset(v, 0, sizeof(*v));
			return 0;
		}
	}
	if (rat__grow((void **)&r->vars, &r->vars_cap, r->nvars, sizeof(*r->vars)) != 0) {
		rat_template__value_free(v);
		return RAT_ENOMEM;
	}
	r->vars[r->nvars].name = name;
	r->vars[r->nvars].value = *v;
	r->nvars++;
	memset(v, 0, sizeof(*v));
	return 0;
}

const tpl_value *rat_template__get_var(const tpl_render *r, const char *name)
{
	size_t i;

	for (i = r->nvars; i > r->frame; i--)
		if (!strcmp(r->vars[i - 1].name, name))
			return &r->vars[i - 1].value;
	return NULL;
}

void rat_template__pop_vars(tpl_render *r, size_t mark)
{
	while (r->nvars > mark)
		rat_template__value_free(&r->vars[--r->nvars].value);
}

/* ---- names ---- */

static int builtin_name(tpl_value *out, const tpl_render *r, const tpl_expr *e, bool lenient)
{
	static const char *const why[] = {
		"'this' is not available here: no relation is being written",
		"'run_started_at' is not available here: no run is in progress",
		"'landing_files' is only available to bronze pipelines that ingest landing files",
	};
	const char *names[] = { "this", "run_started_at", "landing_files" };
	const char *values[] = { r->tc->this_relation, r->tc->run_started_at,
				 r->tc->landing_files };
	size_t i;

	for (i = 0; i < RAT_ARRAY_SIZE(names); i++) {
		if (strcmp(e->name, names[i]))
			continue;
		if (values[i])
			return rat_template__value_string(out, values[i], strlen(values[i]));
		return lenient ? 0 : rat_template__fail(r->path, e->line, "%s", why[i]);
	}
	return lenient ? 0 : rat_template__fail(r->path, e->line, "unknown variable '%s'", e->name);
}

int rat_template__eval_name(tpl_value *out, tpl_render *r, const tpl_expr *e, bool lenient)
{
	const tpl_value *v = rat_template__get_var(r, e->name);

	if (v)
		return rat_template__value_copy(out, v);
	return builtin_name(out, r, e, lenient);
}

/* ---- lists ---- */

static int eval_list(tpl_value *out, tpl_render *r, const tpl_expr *e)
{
	tpl_value list = TPL_VALUE_INIT;
	const tpl_arg *a;
	int error = 0;

	list.kind = TPL_LIST;
	list.u.list.depth = 1;
	if (e->nargs && !(list.u.list.items = rat__calloc(e->nargs, sizeof(tpl_value))))
		return RAT_ENOMEM;
	for (a = e->args; a && !error; a = a->next) {
		tpl_value *item = &list.u.list.items[list.u.list.count++];
		if ((error = rat_template__eval(item, r, a->value)) != 0)
			break;
		if (item->kind == TPL_LIST && item->u.list.depth >= list.u.list.depth)
			list.u.list.depth = item->u.list.depth + 1;
	}
	if (!error && list.u.list.depth > TPL_MAX_NESTING)
		error = rat_template__fail(r->path, e->line, "lists nested deeper than %d levels",
					   TPL_MAX_NESTING);
	if (error)
		rat_template__value_free(&list);
	else
		*out = list;
	return error;
}

/* ---- operators ---- */

static bool is_number(const tpl_value *v)
{
	return v->kind == TPL_INT || v->kind == TPL_FLOAT;
}

static double as_double(const tpl_value *v)
{
	return v->kind == TPL_INT ? (double)v->u.i : v->u.f;
}

static int type_error(const tpl_render *r, const tpl_expr *e, const char *need, const tpl_value *a,
		      const tpl_value *b)
{
	return rat_template__fail(r->path, e->line, "'%s' needs %s, got %s and %s", op_names[e->op],
				  need, rat_template__kind_name(a->kind),
				  rat_template__kind_name(b->kind));
}

static int int_op(tpl_value *out, const tpl_render *r, const tpl_expr *e, int64_t a, int64_t b)
{
	int64_t v = 0, rem;
	bool overflow = false;

	if ((e->op == OP_FLOORDIV || e->op == OP_MOD) && b == 0)
		return rat_template__fail(r->path, e->line, "division by zero");
	if (e->op == OP_ADD)
		overflow = __builtin_add_overflow(a, b, &v);
	else if (e->op == OP_SUB)
		overflow = __builtin_sub_overflow(a, b, &v);
	else if (e->op == OP_MUL)
		overflow = __builtin_mul_overflow(a, b, &v);
	else if (a == INT64_MIN && b == -1)
		overflow = e->op == OP_FLOORDIV; /* and the remainder is 0 */
	else {
		/* Python's: the quotient rounds down, the remainder takes b's sign */
		v = a / b;
		rem = a % b;
		if (rem != 0 && ((rem < 0) != (b < 0))) {
			v--;
			rem += b;
		}
		if (e->op == OP_MOD)
			v = rem;
	}
	if (overflow)
		return rat_template__fail(r->path, e->line, "integer overflow in '%s'",
					  op_names[e->op]);
	out->kind = TPL_INT;
	out->u.i = v;
	return 0;
}

/* + of two strings or two lists: the two joined. */
static int join_two(tpl_value *out, const tpl_render *r, const tpl_expr *e, const tpl_value *a,
		    const tpl_value *b)
{
	tpl_value list = TPL_VALUE_INIT;
	rat_buf buf = RAT_BUF_INIT;
	size_t i, n;
	int error = 0;

	if (a->kind == TPL_STRING) {
		buf.max = TPL_MAX_TEXT;
		if ((error = rat_buf_put(&buf, a->u.s.ptr, a->u.s.len)) != 0 ||
		    (error = rat_buf_put(&buf, b->u.s.ptr, b->u.s.len)) != 0)
			error = rat_template__buf_error(r, e->line, &buf, error);
		if (!error)
			error = rat_template__value_take(out, &buf);
		rat_buf_free(&buf);
		return error;
	}
	n = a->u.list.count + b->u.list.count;
	list.kind = TPL_LIST;
	list.u.list.depth = a->u.list.depth > b->u.list.depth ? a->u.list.depth : b->u.list.depth;
	if (n && !(list.u.list.items = rat__calloc(n, sizeof(tpl_value))))
		return RAT_ENOMEM;
	for (i = 0; i < n && !error; i++, list.u.list.count = i)
		error = rat_template__value_copy(&list.u.list.items[i],
						 i < a->u.list.count
						     ? &a->u.list.items[i]
						     : &b->u.list.items[i - a->u.list.count]);
	if (error)
		rat_template__value_free(&list);
	else
		*out = list;
	return error;
}

static int arithmetic(tpl_value *out, const tpl_render *r, const tpl_expr *e, const tpl_value *a,
		      const tpl_value *b)
{
	double x, y;

	if (e->op == OP_ADD && a->kind == b->kind && (a->kind == TPL_STRING || a->kind == TPL_LIST))
		return join_two(out, r, e, a, b);
	if (!is_number(a) || !is_number(b))
		return type_error(r, e, "numbers", a, b);
	if (a->kind == TPL_INT && b->kind == TPL_INT && e->op != OP_DIV)
		return int_op(out, r, e, a->u.i, b->u.i);
	if (e->op == OP_FLOORDIV || e->op == OP_MOD)
		return type_error(r, e, "integers", a, b);
	x = as_double(a);
	y = as_double(b);
	if (e->op == OP_DIV && y == 0.0)
		return rat_template__fail(r->path, e->line, "division by zero");
	out->kind = TPL_FLOAT;
	out->u.f = e->op == OP_ADD   ? x + y
		   : e->op == OP_SUB ? x - y
		   : e->op == OP_MUL ? x * y
				     : x / y;
	return 0;
}

static int concat(tpl_value *out, const tpl_render *r, const tpl_expr *e, const tpl_value *a,
		  const tpl_value *b)
{
	rat_buf buf = RAT_BUF_INIT;
	int error;

	buf.max = TPL_MAX_TEXT;
	if ((error = rat_template__value_text(&buf, a)) != 0 ||
	    (error = rat_template__value_text(&buf, b)) != 0)
		error = rat_template__buf_error(r, e->line, &buf, error);
	if (!error)
		error = rat_template__value_take(out, &buf);
	rat_buf_free(&buf);
	return error;
}

static int contains(bool *out, const tpl_render *r, const tpl_expr *e, const tpl_value *item,
		    const tpl_value *in)
{
	size_t i;

	*out = false;
	if (in->kind == TPL_LIST) {
		for (i = 0; i < in->u.list.count && !*out; i++)
			*out = rat_template__value_equal(item, &in->u.list.items[i]);
		return 0;
	}
	if (in->kind != TPL_STRING)
		return rat_template__fail(r->path, e->line,
					  "'%s' needs a list or a string on the right, got %s",
					  op_names[e->op], rat_template__kind_name(in->kind));
	if (item->kind != TPL_STRING)
		return type_error(r, e, "two strings or a list on the right", item, in);
	*out = item->u.s.len == 0 ||
	       memmem(in->u.s.ptr, in->u.s.len, item->u.s.ptr, item->u.s.len) != NULL;
	return 0;
}

static int compare(tpl_value *out, const tpl_render *r, const tpl_expr *e, const tpl_value *a,
		   const tpl_value *b)
{
	int cmp = 0, error = 0;
	bool v = false;

	if (e->op == OP_EQ || e->op == OP_NE) {
		v = rat_template__value_equal(a, b) == (e->op == OP_EQ);
	} else if (e->op == OP_IN || e->op == OP_NOT_IN) {
		error = contains(&v, r, e, a, b);
		v = v == (e->op == OP_IN);
	} else {
		if (a->kind == TPL_INT && b->kind == TPL_INT) {
			cmp = (a->u.i > b->u.i) - (a->u.i < b->u.i);
		} else if (is_number(a) && is_number(b)) {
			cmp = (as_double(a) > as_double(b)) - (as_double(a) < as_double(b));
		} else if (a->kind == TPL_STRING && b->kind == TPL_STRING) {
			size_t n = a->u.s.len < b->u.s.len ? a->u.s.len : b->u.s.len;
			cmp = memcmp(a->u.s.ptr, b->u.s.ptr, n);
			if (!cmp)
				cmp = (a->u.s.len > b->u.s.len) - (a->u.s.len < b->u.s.len);
		} else {
			return type_error(r, e, "two numbers or two strings", a, b);
		}
		v = e->op == OP_LT   ? cmp < 0
		    : e->op == OP_LE ? cmp <= 0
		    : e->op == OP_GT ? cmp > 0
				     : cmp >= 0;
	}
	out->kind = TPL_BOOL;
	out->u.b = v;
	return error;
}

static int eval_binary(tpl_value *out, tpl_render *r, const tpl_expr *e)
{
	tpl_value a = TPL_VALUE_INIT, b = TPL_VALUE_INIT;
	int error;

	if ((error = rat_template__eval(&a, r, e->left)) != 0)
		goto cleanup;
	if (e->op == OP_AND || e->op == OP_OR) {
		/* the left operand decides, or the right one is the value */
		if (rat_template__value_truthy(&a) == (e->op == OP_OR)) {
			*out = a;
			memset(&a, 0, sizeof(a));
		} else {
			error = rat_template__eval(out, r, e->right);
		}
		goto cleanup;
	}
	if ((error = rat_template__eval(&b, r, e->right)) != 0)
		goto cleanup;
	if (e->op == OP_CONCAT)
		error = concat(out, r, e, &a, &b);
	else if (e->op >= OP_ADD)
		error = arithmetic(out, r, e, &a, &b);
	else
		error = compare(out, r, e, &a, &b);
cleanup:
	rat_template__value_free(&a);
	rat_template__value_free(&b);
	return error;
}

static int eval_unary(tpl_value *out, tpl_render *r, const tpl_expr *e)
{
	tpl_value v = TPL_VALUE_INIT;
	int error;

	if ((error = rat_template__eval(&v, r, e->left)) != 0)
		return error;
	if (e->kind == EXPR_NOT) {
		out->kind = TPL_BOOL;
		out->u.b = !rat_template__value_truthy(&v);
	} else if (v.kind == TPL_INT && v.u.i != INT64_MIN) {
		out->kind = TPL_INT;
		out->u.i = -v.u.i;
	} else if (v.kind == TPL_FLOAT) {
		out->kind = TPL_FLOAT;
		out->u.f = -v.u.f;
	} else if (v.kind == TPL_INT) {
		error = rat_template__fail(r->path, e->line, "integer overflow in '-'");
	} else {
		error = rat_template__fail(r->path, e->line, "'-' needs a number, got %s",
					   rat_template__kind_name(v.kind));
	}
	rat_template__value_free(&v);
	return error;
}

/* ---- macro calls ---- */

int rat_template__too_deep(const char *path, int line, const char *macro)
{
	return rat_template__fail(path, line,
				  "macro calls nested deeper than %d levels (does '%s' call itself "
				  "without end?)",
				  TPL_MAX_MACRO_DEPTH, macro);
}

static int bind_args(tpl_value *vals, bool *given, tpl_render *r, const tpl_expr *e,
		     const tpl_macro *m)
{
	const tpl_param *q;
	const tpl_arg *a;
	size_t i, positional = 0;
	int error = 0;

	for (a = e->args; a && !error; a = a->next) {
		if (a->name) {
			for (i = 0, q = m->params; q && strcmp(q->name, a->name); q = q->next)
				i++;
			if (!q)
				return rat_template__fail(r->path, e->line,
							  "macro '%s' has no parameter '%s'",
							  m->name, a->name);
		} else if ((i = positional++) >= m->nparams) {
			return rat_template__fail(r->path, e->line,
						  "macro '%s' takes at most %zu argument%s, "
						  "got %zu",
						  m->name, m->nparams, m->nparams == 1 ? "" : "s",
						  e->nargs);
		}
		if (given[i])
			return rat_template__fail(r->path, e->line,
						  "macro '%s' got two values for '%s'", m->name,
						  a->name ? a->name : "?");
		given[i] = true;
		error = rat_template__eval(&vals[i], r, a->value);
	}
	for (i = 0, q = m->params; q && !error; q = q->next, i++)
		if (!given[i] && !q->def)
			return rat_template__fail(r->path, e->line,
						  "macro '%s' needs a value for '%s'", m->name,
						  q->name);
	return error;
}

/* Run m's body in a frame of its own holding vals (taken), into text. */
static int run_macro(tpl_render *r, const tpl_macro *m, tpl_value *vals, const bool *given,
		     rat_buf *text)
{
	tpl_render saved = *r;
	const tpl_param *q;
	size_t i;
	int error = 0;

	r->frame = r->scope = r->nvars;
	r->path = m->path;
	r->source = m->source;
	r->out = text;
	r->base = 0;
	r->macro_depth++;
	for (i = 0, q = m->params; q && !error; q = q->next, i++) {
		if (!given[i])
			error = rat_template__eval(&vals[i], r, q->def);
		if (!error)
			error = rat_template__set_var(r, q->name, &vals[i]);
	}
	if (!error)
		error = rat_template__exec(r, m->body);
	rat_template__pop_vars(r, r->frame);
	r->frame = saved.frame;
	r->scope = saved.scope;
	r->path = saved.path;
	r->source = saved.source;
	r->out = saved.out;
	r->base = saved.base;
	r->macro_depth = saved.macro_depth;
	return error;
}

static int call_macro(tpl_value *out, tpl_render *r, const tpl_expr *e, const tpl_macro *m)
{
	tpl_value *vals = NULL;
	bool *given = NULL;
	rat_buf text = RAT_BUF_INIT;
	rat_template_map *outer = r->map, *origins = NULL;
	size_t i;
	int error = 0;

	if (r->macro_depth >= TPL_MAX_MACRO_DEPTH)
		return rat_template__too_deep(r->path, e->line, m->name);
	if (!(vals = rat__calloc(m->nparams, sizeof(*vals))) ||
	    !(given = rat__calloc(m->nparams, sizeof(*given)))) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	text.max = TPL_MAX_TEXT;
	if ((error = bind_args(vals, given, r, e, m)) != 0)
		goto cleanup;
	/* the text's origins go with the value, to where it is printed */
	if (outer && !(origins = rat__calloc(1, sizeof(*origins)))) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	r->map = origins;
	error = run_macro(r, m, vals, given, &text);
	r->map = outer;
	if (error || (error = rat_template__value_take(out, &text)) != 0)
		goto cleanup;
	out->u.s.origins = origins;
	origins = NULL;
cleanup:
	rat_template__map_free(origins);
	free(origins);
	for (i = 0; vals && i < m->nparams; i++)
		rat_template__value_free(&vals[i]);
	free(vals);
	free(given);
	rat_buf_free(&text);
	return error;
}

static int eval_call(tpl_value *out, tpl_render *r, const tpl_expr *e)
{
	const tpl_macro *m;

	if (rat_template__is_builtin(e->name))
		return rat_template__call_builtin(out, r, e);
	if ((m = rat_template__find_macro(r->prog, e->name)) != NULL)
		return call_macro(out, r, e, m);
	return rat_template__fail(r->path, e->line, "unknown function '%s'", e->name);
}

int rat_template__eval(tpl_value *out, tpl_render *r, const tpl_expr *e)
{
	int error = rat_template__enter(r, e->line);

	if (error)
		return error;
	switch (e->kind) {
	case EXPR_LITERAL:
		error = rat_template__value_copy(out, &e->literal);
		break;
	case EXPR_LIST:
		error = eval_list(out, r, e);
		break;
	case EXPR_NAME:
		error = rat_template__eval_name(out, r, e, false);
		break;
	case EXPR_NOT:
	case EXPR_NEG:
		error = eval_unary(out, r, e);
		break;
	case EXPR_BINARY:
		error = eval_binary(out, r, e);
		break;
	case EXPR_CALL:
		error = eval_call(out, r, e);
		break;
	case EXPR_FILTER:
		error = rat_template__filter(out, r, e);
		break;
	}
	r->depth--;
	return error;
}
