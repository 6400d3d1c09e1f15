/*
 * pipeline/template_funcs.c - the built-in functions (ref, is_incremental,
 * watermark, var, env_var) and the filters (upper, lower, trim, default,
 * join, length, replace).
 *
 * The pipeline functions call back into the caller through the
 * rat_template_context; a callback's own message is kept and gets the
 * path:line of the call in front. Each function and filter declares how
 * many arguments it takes, checked before it runs.
 */
#include "util/common.h"
#include "template/internal.h"
#include "util/sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- arguments ---- */

/* "no arguments", "1 argument", "1 or 2 arguments", "at most 1 argument". */
static const char *arity(char *buf, size_t size, size_t min, size_t max)
{
	if (min == max && min == 0)
		return "no arguments";
	if (min == max)
		snprintf(buf, size, "%zu argument%s", min, min == 1 ? "" : "s");
	else if (min == 0)
		snprintf(buf, size, "at most %zu argument%s", max, max == 1 ? "" : "s");
	else
		snprintf(buf, size, "%zu or %zu arguments", min, max);
	return buf;
}

/* Evaluate e's arguments into args (at most 2, checked by the caller). */
static int eval_args(tpl_value *args, tpl_render *r, const tpl_expr *e)
{
	const tpl_arg *a;
	int error = 0;
	size_t i;

	for (i = 0, a = e->args; a && !error; a = a->next, i++)
		error = rat_template__eval(&args[i], r, a->value);
	return error;
}

static int need_string(const tpl_render *r, const tpl_expr *e, const tpl_value *v, const char *what)
{
	if (v->kind == TPL_STRING)
		return 0;
	return rat_template__fail(r->path, e->line, "%s() takes %s as a string, got %s", e->name,
				  what, rat_template__kind_name(v->kind));
}

/* A callback failed: put path:line before its message. */
static int callback_error(const tpl_render *r, int line, int error)
{
	if (!error)
		return 0;
	rat_error__prefix("%s:%d", r->path, line);
	return error < 0 ? error : RAT_ERROR;
}

/* ---- functions ---- */

int rat_template__ref_name(const char **name, const char *path, const tpl_expr *call)
{
	const tpl_expr *arg = call->args ? call->args->value : NULL;

	if (call->nargs != 1)
		return rat_template__fail(path, call->line, "ref() takes 1 argument, got %zu",
					  call->nargs);
	if (call->args->name)
		return rat_template__fail(path, call->line, "ref() takes no keyword arguments");
	if (arg->kind != EXPR_LITERAL || arg->literal.kind != TPL_STRING)
		return rat_template__fail(path, call->line,
					  "ref() takes a quoted table name, like "
					  "ref('silver.orders')");
	*name = arg->literal.u.s.ptr;
	return 0;
}

static int fn_ref(tpl_value *out, tpl_render *r, const tpl_expr *e, tpl_value *args)
{
	rat_buf text = RAT_BUF_INIT;
	const char *name;
	int error;

	(void)args;
	if ((error = rat_template__ref_name(&name, r->path, e)) != 0)
		return error;
	if (!r->tc->ref)
		return rat_template__value_string(out, name, strlen(name));
	text.max = TPL_MAX_TEXT;
	error = callback_error(r, e->line, r->tc->ref(r->tc->ctx, name, &text));
	if (!error)
		error = rat_template__value_take(out, &text);
	rat_buf_free(&text);
	return error;
}

static int fn_is_incremental(tpl_value *out, tpl_render *r, const tpl_expr *e, tpl_value *args)
{
	(void)e;
	(void)args;
	out->kind = TPL_BOOL;
	out->u.b = r->tc->is_incremental;
	return 0;
}

/* text with each ' doubled, for the inside of a SQL string literal */
static int double_quotes(rat_buf *out, const rat_buf *text)
{
	const char *s = rat_buf_cstr(text);
	int error = 0;
	size_t i;

	for (i = 0; i < text->len && !error; i++)
		error = s[i] == '\'' ? rat_buf_puts(out, "''") : rat_buf_putc(out, s[i]);
	return error;
}

int rat_template__watermark(rat_buf *out, tpl_render *r, int line, const char *column,
			    bool in_string)
{
	rat_buf text = RAT_BUF_INIT;
	int error;

	if (!r->tc->watermark)
		return rat_buf_puts(out, in_string ? RAT_TEMPLATE_WATERMARK_NONE : "NULL");
	text.max = TPL_MAX_TEXT;
	error = callback_error(r, line, r->tc->watermark(r->tc->ctx, column, in_string, &text));
	if (!error)
		error = in_string ? double_quotes(out, &text) : rat_buf_put(out, text.ptr, text.len);
	rat_buf_free(&text);
	return error;
}

/*
 * watermark(col): a typed literal, or (the original Ratatouille's form)
 * inside a SQL string literal of the template, '{{ watermark('col') }}',
 * the bare value with its quotes doubled. Whether the call stands in a
 * string is read from the text rendered so far; a typed literal kept in a
 * variable and printed inside a string later ({% set w = watermark('col') %}
 * ... '{{ w }}') is printed bare too (emit_value()).
 */
static int fn_watermark(tpl_value *out, tpl_render *r, const tpl_expr *e, tpl_value *args)
{
	rat_buf text = RAT_BUF_INIT;
	bool in_string;
	int error;

	if ((error = need_string(r, e, &args[0], "a column name")) != 0)
		return error;
	in_string = rat_sql__ends_in_string(rat_buf_cstr(r->out) + r->base);
	text.max = TPL_MAX_TEXT;
	if ((error = rat_template__watermark(&text, r, e->line, args[0].u.s.ptr, in_string)) == 0 &&
	    (error = rat_template__value_take(out, &text)) == 0 && !in_string &&
	    (out->u.s.watermark = rat__strdup(args[0].u.s.ptr)) == NULL)
		error = RAT_ENOMEM;
	rat_buf_free(&text);
	return error;
}

/* var() and env_var(): the looked-up text, else the default, else an error. */
static int lookup_or_default(tpl_value *out, const tpl_render *r, const tpl_expr *e,
			     tpl_value *args, const char *value, const char *what)
{
	if (value)
		return rat_template__value_string(out, value, strlen(value));
	if (e->nargs < 2)
		return rat_template__fail(r->path, e->line, "%s '%s' is not set and has no default",
					  what, args[0].u.s.ptr);
	*out = args[1];
	memset(&args[1], 0, sizeof(args[1]));
	return 0;
}

static int fn_var(tpl_value *out, tpl_render *r, const tpl_expr *e, tpl_value *args)
{
	const rat_template_context *tc = r->tc;
	int error = need_string(r, e, &args[0], "the variable's name");

	if (error)
		return error;
	return lookup_or_default(out, r, e, args,
				 tc->var ? tc->var(tc->ctx, args[0].u.s.ptr) : NULL, "var");
}

static int fn_env_var(tpl_value *out, tpl_render *r, const tpl_expr *e, tpl_value *args)
{
	const rat_template_context *tc = r->tc;
	const char *value = NULL;
	int error = need_string(r, e, &args[0], "the variable's name");

	if (error)
		return error;
	if (tc->env &&
	    (error = callback_error(r, e->line, tc->env(tc->env_ctx, args[0].u.s.ptr, &value))) != 0)
		return error;
	return lookup_or_default(out, r, e, args, value, "environment variable");
}

static int fn_secret(tpl_value *out, tpl_render *r, const tpl_expr *e, tpl_value *args)
{
	const rat_template_context *tc = r->tc;
	const char *value = NULL;
	int error = need_string(r, e, &args[0], "the secret's name");

	if (error)
		return error;
	if (!tc->secret)
		return rat_template__fail(r->path, e->line, "secret('%s'): no secrets here",
					  args[0].u.s.ptr);
	if ((error = callback_error(r, e->line, tc->secret(tc->env_ctx, args[0].u.s.ptr,
							    &value))) != 0)
		return error;
	return rat_template__value_string(out, value, strlen(value));
}

typedef int (*builtin_fn)(tpl_value *out, tpl_render *r, const tpl_expr *e, tpl_value *args);

static const struct builtin {
	const char *name;
	size_t min, max;
	builtin_fn fn;
} builtins[] = {
	{ "ref", 1, 1, fn_ref },
	{ "is_incremental", 0, 0, fn_is_incremental },
	{ "watermark", 1, 1, fn_watermark },
	{ "var", 1, 2, fn_var },
	{ "env_var", 1, 2, fn_env_var },
	{ "secret", 1, 1, fn_secret },
};

static const struct builtin *find_builtin(const char *name)
{
	size_t i;

	for (i = 0; i < RAT_ARRAY_SIZE(builtins); i++)
		if (!strcmp(builtins[i].name, name))
			return &builtins[i];
	return NULL;
}

bool rat_template__is_builtin(const char *name)
{
	return find_builtin(name) != NULL;
}

int rat_template__call_builtin(tpl_value *out, tpl_render *r, const tpl_expr *e)
{
	const struct builtin *b = find_builtin(e->name);
	tpl_value args[2] = { TPL_VALUE_INIT, TPL_VALUE_INIT };
	const tpl_arg *a;
	char buf[64];
	int error = 0;

	for (a = e->args; a; a = a->next)
		if (a->name)
			return rat_template__fail(r->path, e->line,
						  "%s() takes no keyword arguments", e->name);
	if (e->nargs < b->min || e->nargs > b->max)
		return rat_template__fail(r->path, e->line, "%s() takes %s, got %zu", e->name,
					  arity(buf, sizeof(buf), b->min, b->max), e->nargs);
	/* ref() reads its literal itself: nothing to evaluate */
	if (b->fn != fn_ref && (error = eval_args(args, r, e)) != 0)
		goto cleanup;
	error = b->fn(out, r, e, args);
cleanup:
	rat_template__value_free(&args[0]);
	rat_template__value_free(&args[1]);
	return error;
}

/* ---- filters ---- */

/* The text of v in buf, which the filter then works on. */
static int text_of(rat_buf *buf, const tpl_render *r, const tpl_expr *e, const tpl_value *v)
{
	int error;

	buf->max = TPL_MAX_TEXT;
	if ((error = rat_template__value_text(buf, v)) != 0)
		return rat_template__buf_error(r, e->line, buf, error);
	return 0;
}

static int filter_case(tpl_value *out, tpl_render *r, const tpl_expr *e, tpl_value *v,
		       tpl_value *args)
{
	rat_buf buf = RAT_BUF_INIT;
	bool upper = e->name[0] == 'u';
	int error = text_of(&buf, r, e, v);
	size_t i;

	(void)args;
	for (i = 0; !error && i < buf.len; i++) {
		char c = buf.ptr[i];
		if (upper && c >= 'a' && c <= 'z')
			buf.ptr[i] = (char)(c - 'a' + 'A');
		else if (!upper && c >= 'A' && c <= 'Z')
			buf.ptr[i] = (char)(c - 'A' + 'a');
	}
	if (!error)
		error = rat_template__value_take(out, &buf);
	rat_buf_free(&buf);
	return error;
}

static int filter_trim(tpl_value *out, tpl_render *r, const tpl_expr *e, tpl_value *v,
		       tpl_value *args)
{
	rat_buf buf = RAT_BUF_INIT;
	int error = text_of(&buf, r, e, v);
	size_t start = 0, end = buf.len;

	(void)args;
	while (start < end && strchr(" \t\n\r\v\f", buf.ptr[start]))
		start++;
	while (end > start && strchr(" \t\n\r\v\f", buf.ptr[end - 1]))
		end--;
	if (!error)
		error =
		    rat_template__value_string(out, buf.ptr ? buf.ptr + start : "", end - start);
	rat_buf_free(&buf);
	return error;
}

static int filter_default(tpl_value *out, tpl_render *r, const tpl_expr *e, tpl_value *v,
			  tpl_value *args)
{
	bool falsy_too = e->nargs == 2 && rat_template__value_truthy(&args[1]);
	tpl_value *from = v;

	(void)r;
	if (v->kind == TPL_NONE || (falsy_too && !rat_template__value_truthy(v)))
		from = &args[0];
	*out = *from;
	memset(from, 0, sizeof(*from));
	return 0;
}

static int filter_join(tpl_value *out, tpl_render *r, const tpl_expr *e, tpl_value *v,
		       tpl_value *args)
{
	rat_buf buf = RAT_BUF_INIT, sep = RAT_BUF_INIT;
	size_t i;
	int error = 0;

	if (v->kind != TPL_LIST)
		return rat_template__fail(r->path, e->line, "filter 'join' needs a list, got %s",
					  rat_template__kind_name(v->kind));
	if (e->nargs && (error = text_of(&sep, r, e, &args[0])) != 0)
		goto cleanup;
	buf.max = TPL_MAX_TEXT;
	for (i = 0; !error && i < v->u.list.count; i++) {
		if (i)
			error = rat_buf_put(&buf, rat_buf_cstr(&sep), sep.len);
		if (!error)
			error = rat_template__value_text(&buf, &v->u.list.items[i]);
	}
	error = rat_template__buf_error(r, e->line, &buf, error);
	if (!error)
		error = rat_template__value_take(out, &buf);
cleanup:
	rat_buf_free(&buf);
	rat_buf_free(&sep);
	return error;
}

static int filter_length(tpl_value *out, tpl_render *r, const tpl_expr *e, tpl_value *v,
			 tpl_value *args)
{
	size_t i, n = 0;

	(void)args;
	if (v->kind == TPL_LIST) {
		n = v->u.list.count;
	} else if (v->kind == TPL_STRING) {
		for (i = 0; i < v->u.s.len; i++) /* characters: UTF-8 lead bytes */
			n += ((unsigned char)v->u.s.ptr[i] & 0xc0) != 0x80;
	} else {
		return rat_template__fail(r->path, e->line,
					  "filter 'length' needs a string or a list, got %s",
					  rat_template__kind_name(v->kind));
	}
	out->kind = TPL_INT;
	out->u.i = (int64_t)n;
	return 0;
}

static int filter_replace(tpl_value *out, tpl_render *r, const tpl_expr *e, tpl_value *v,
			  tpl_value *args)
{
	rat_buf text = RAT_BUF_INIT, old = RAT_BUF_INIT, new = RAT_BUF_INIT, buf = RAT_BUF_INIT;
	const char *s, *hit, *end;
	int error;

	if ((error = text_of(&text, r, e, v)) != 0 ||
	    (error = text_of(&old, r, e, &args[0])) != 0 ||
	    (error = text_of(&new, r, e, &args[1])) != 0)
		goto cleanup;
	if (!old.len) {
		error = rat_template__fail(r->path, e->line,
					   "filter 'replace' cannot replace an empty string");
		goto cleanup;
	}
	buf.max = TPL_MAX_TEXT;
	s = rat_buf_cstr(&text);
	end = s + text.len;
	while (!error && (hit = memmem(s, (size_t)(end - s), old.ptr, old.len)) != NULL) {
		if (!(error = rat_buf_put(&buf, s, (size_t)(hit - s))))
			error = rat_buf_put(&buf, rat_buf_cstr(&new), new.len);
		s = hit + old.len;
	}
	if (!error)
		error = rat_buf_put(&buf, s, (size_t)(end - s));
	if (!(error = rat_template__buf_error(r, e->line, &buf, error)))
		error = rat_template__value_take(out, &buf);
cleanup:
	rat_buf_free(&text);
	rat_buf_free(&old);
	rat_buf_free(&new);
	rat_buf_free(&buf);
	return error;
}

typedef int (*filter_fn)(tpl_value *out, tpl_render *r, const tpl_expr *e, tpl_value *v,
			 tpl_value *args);

static const struct filter {
	const char *name;
	size_t min, max;
	filter_fn fn;
} filters[] = {
	{ "upper", 0, 0, filter_case },      { "lower", 0, 0, filter_case },
	{ "trim", 0, 0, filter_trim },       { "default", 1, 2, filter_default },
	{ "join", 0, 1, filter_join },       { "length", 0, 0, filter_length },
	{ "replace", 2, 2, filter_replace },
};

int rat_template__filter(tpl_value *out, tpl_render *r, const tpl_expr *e)
{
	tpl_value v = TPL_VALUE_INIT, args[2] = { TPL_VALUE_INIT, TPL_VALUE_INIT };
	const struct filter *f = NULL;
	char buf[64];
	size_t i;
	int error;

	for (i = 0; i < RAT_ARRAY_SIZE(filters) && !f; i++)
		if (!strcmp(filters[i].name, e->name))
			f = &filters[i];
	if (!f)
		return rat_template__fail(r->path, e->line, "unknown filter '%s'", e->name);
	if (e->nargs < f->min || e->nargs > f->max)
		return rat_template__fail(r->path, e->line, "filter '%s' takes %s, got %zu",
					  e->name, arity(buf, sizeof(buf), f->min, f->max),
					  e->nargs);
	/* default() stands in for a name that is not defined, as in Jinja */
	if (f->fn == filter_default && e->left->kind == EXPR_NAME)
		error = rat_template__eval_name(&v, r, e->left, true);
	else
		error = rat_template__eval(&v, r, e->left);
	if (error || (error = eval_args(args, r, e)) != 0)
		goto cleanup;
	error = f->fn(out, r, e, &v, args);
cleanup:
	rat_template__value_free(&v);
	rat_template__value_free(&args[0]);
	rat_template__value_free(&args[1]);
	return error;
}
