/*
 * server/cel.c - a CEL expression evaluated against variables (cel.h). Values
 * are JSON values (jansson, each result a new reference); an error says what
 * and where, and the filter that asked answers 400.
 */
#include "server/cel.h"
#include "rat.h"

#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct scope {
	const char *name;  /* a macro's variable (exists, all), or NULL */
	json_t *value;
	const struct scope *up;
	json_t *vars;
} scope;

typedef struct evaluation {
	char *err;
	size_t len;
} evaluation;

static json_t *eval(evaluation *ev, const cel_expr *e, const scope *sc);

static json_t *fail(evaluation *ev, const cel_expr *e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static json_t *fail(evaluation *ev, const cel_expr *e, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (ev->err[0])
		return NULL;
	n = snprintf(ev->err, ev->len, "filter, at character %zu: ", e->at + 1);
	va_start(ap, fmt);
	if (n > 0 && (size_t)n < ev->len)
		vsnprintf(ev->err + n, ev->len - (size_t)n, fmt, ap);
	va_end(ap);
	return NULL;
}

static const char *type_of(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "map";
	case JSON_ARRAY: return "list";
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "int";
	case JSON_REAL: return "double";
	case JSON_TRUE: case JSON_FALSE: return "bool";
	default: return "null";
	}
}

static json_t *lookup(const scope *sc, const char *name)
{
	for (; sc; sc = sc->up)
		if (sc->name && strcmp(sc->name, name) == 0)
			return sc->value;
		else if (!sc->name && sc->vars)
			return json_object_get(sc->vars, name);
	return NULL;
}

/* Compare a and b: <0, 0, >0; 2 when they do not compare (types apart). */
static int compare(const json_t *a, const json_t *b)
{
	if (json_is_number(a) && json_is_number(b)) {
		double x = json_number_value(a), y = json_number_value(b);
		return (x > y) - (x < y);
	}
	if (json_is_string(a) && json_is_string(b))
		return strcmp(json_string_value(a), json_string_value(b));
	if (json_is_boolean(a) && json_is_boolean(b))
		return json_is_true(a) - json_is_true(b);
	return json_equal((json_t *)a, (json_t *)b) ? 0 : 2;
}

static json_t *relation(evaluation *ev, const cel_expr *e, json_t *a, json_t *b)
{
	const char *op = e->op;
	int c;
	size_t i;

	if (strcmp(op, "in") == 0) {
		if (json_is_object(b))
			return json_is_string(a) ? json_boolean(json_object_get(b, json_string_value(a)))
						 : json_false();
		if (!json_is_array(b))
			return fail(ev, e, "'in' needs a list or a map, not a %s", type_of(b));
		for (i = 0; i < json_array_size(b); i++)
			if (compare(a, json_array_get(b, i)) == 0)
				return json_true();
		return json_false();
	}
	c = compare(a, b);
	if (strcmp(op, "==") == 0)
		return json_boolean(c == 0);
	if (strcmp(op, "!=") == 0)
		return json_boolean(c != 0);
	if (c == 2)
		return fail(ev, e, "'%s' does not compare a %s with a %s", op, type_of(a), type_of(b));
	return json_boolean(strcmp(op, "<") == 0 ? c < 0 : strcmp(op, "<=") == 0 ? c <= 0
			    : strcmp(op, ">") == 0  ? c > 0 : c >= 0);
}

static json_t *arithmetic(evaluation *ev, const cel_expr *e, json_t *a, json_t *b)
{
	char op = e->op[0];

	if (op == '+' && json_is_string(a) && json_is_string(b)) {
		char *s = NULL;
		json_t *out;
		if (asprintf(&s, "%s%s", json_string_value(a), json_string_value(b)) < 0)
			return fail(ev, e, "out of memory");
		out = json_string(s);
		free(s);
		return out;
	}
	if (op == '+' && json_is_array(a) && json_is_array(b)) {
		json_t *out = json_copy(a);
		json_array_extend(out, b);
		return out;
	}
	if (json_is_integer(a) && json_is_integer(b)) {
		json_int_t x = json_integer_value(a), y = json_integer_value(b);
		if ((op == '/' || op == '%') && y == 0)
			return fail(ev, e, "division by zero");
		return json_integer(op == '+' ? x + y : op == '-' ? x - y : op == '*' ? x * y
				    : op == '/' ? x / y : x % y);
	}
	if (json_is_number(a) && json_is_number(b) && op != '%') {
		double x = json_number_value(a), y = json_number_value(b);
		return json_real(op == '+' ? x + y : op == '-' ? x - y : op == '*' ? x * y : x / y);
	}
	return fail(ev, e, "'%c' does not take a %s and a %s", op, type_of(a), type_of(b));
}

/* && and ||, CEL's way: an error on one side is forgiven when the other decides. */
static json_t *logic(evaluation *ev, const cel_expr *e, const scope *sc)
{
	bool and = e->op[0] == '&';
	json_t *a = eval(ev, e->a, sc), *b;
	char saved[512];

	if (a && !json_is_boolean(a)) {
		json_decref(a);
		return fail(ev, e->a, "'%s' takes booleans", e->op);
	}
	if (a && json_is_true(a) != and)
		return a; /* decided: false && ..., true || ... */
	snprintf(saved, sizeof(saved), "%s", ev->err);
	ev->err[0] = '\0';
	b = eval(ev, e->b, sc);
	if (b && !json_is_boolean(b)) {
		json_decref(b);
		json_decref(a);
		return fail(ev, e->b, "'%s' takes booleans", e->op);
	}
	if (!b || json_is_true(b) != and) { /* b decides, or fails: a does not matter */
		json_decref(a);
		return b;
	}
	json_decref(b);
	if (!a) /* b did not decide: a's error stands */
		snprintf(ev->err, ev->len, "%s", saved);
	return a;
}

static json_t *size_of(evaluation *ev, const cel_expr *e, json_t *v)
{
	if (json_is_string(v)) {
		const unsigned char *s = (const unsigned char *)json_string_value(v);
		json_int_t n = 0;
		for (; *s; s++)
			n += (*s & 0xC0) != 0x80; /* code points */
		return json_integer(n);
	}
	if (json_is_array(v))
		return json_integer((json_int_t)json_array_size(v));
	if (json_is_object(v))
		return json_integer((json_int_t)json_object_size(v));
	return fail(ev, e, "size() of a %s", type_of(v));
}

/* A global function: size(x), timestamp(s), int(x), string(x); has() is a macro. */
static json_t *call(evaluation *ev, const cel_expr *e, const scope *sc)
{
	json_t *v, *out = NULL;

	if (strcmp(e->name, "has") == 0) {
		json_t *base;
		if (e->nargs != 1 || e->args[0]->kind != CEL_FIELD)
			return fail(ev, e, "has() takes one field: has(a.b)");
		if ((base = eval(ev, e->args[0]->a, sc)) == NULL)
			return NULL;
		out = json_boolean(json_is_object(base) &&
				   json_object_get(base, e->args[0]->name) != NULL);
		json_decref(base);
		return out;
	}
	if (e->nargs != 1)
		return fail(ev, e, "%s() takes one argument", e->name);
	if ((v = eval(ev, e->args[0], sc)) == NULL)
		return NULL;
	if (strcmp(e->name, "size") == 0)
		out = size_of(ev, e, v);
	else if (strcmp(e->name, "timestamp") == 0)
		out = json_is_integer(v) ? json_incref(v)
		      : json_is_string(v) && rat_time_parse(json_string_value(v)) >= 0
			      ? json_integer(rat_time_parse(json_string_value(v)))
			      : fail(ev, e, "timestamp() takes an ISO-8601 UTC instant");
	else if (strcmp(e->name, "int") == 0)
		out = json_is_number(v) ? json_integer((json_int_t)json_number_value(v))
		      : json_is_string(v) ? json_integer(strtoll(json_string_value(v), NULL, 10))
					  : fail(ev, e, "int() of a %s", type_of(v));
	else if (strcmp(e->name, "string") == 0)
		out = json_is_string(v) ? json_incref(v)
		      : json_is_integer(v) ? json_sprintf("%lld", (long long)json_integer_value(v))
					   : fail(ev, e, "string() of a %s", type_of(v));
	else
		out = fail(ev, e, "no function %s()", e->name);
	json_decref(v);
	return out;
}

/* list.exists(x, p), .all(x, p), .exists_one(x, p): p for each element as x. */
static json_t *macro(evaluation *ev, const cel_expr *e, json_t *list, const scope *sc)
{
	bool all = strcmp(e->name, "all") == 0, one = strcmp(e->name, "exists_one") == 0;
	size_t i, hits = 0;
	json_t *item;

	if (e->nargs != 2 || e->args[0]->kind != CEL_IDENT)
		return fail(ev, e, "%s() takes a variable and a predicate: %s(x, p)", e->name,
			    e->name);
	if (!json_is_array(list))
		return fail(ev, e, "%s() of a %s", e->name, type_of(list));
	json_array_foreach(list, i, item) {
		scope inner = { e->args[0]->name, item, sc, NULL };
		json_t *r = eval(ev, e->args[1], &inner);
		bool t = r && json_is_true(r);
		if (r && !json_is_boolean(r)) {
			json_decref(r);
			return fail(ev, e->args[1], "%s()'s predicate is not a boolean", e->name);
		}
		json_decref(r);
		if (!r)
			return NULL;
		hits += t;
		if (!one && t != all)
			return json_boolean(!all);
	}
	return json_boolean(one ? hits == 1 : all);
}

static json_t *method(evaluation *ev, const cel_expr *e, const scope *sc)
{
	json_t *self = eval(ev, e->a, sc), *arg = NULL, *out = NULL;
	const char *s, *t;

	if (!self)
		return NULL;
	if (strcmp(e->name, "exists") == 0 || strcmp(e->name, "all") == 0 ||
	    strcmp(e->name, "exists_one") == 0) {
		out = macro(ev, e, self, sc);
	} else if (strcmp(e->name, "size") == 0 && e->nargs == 0) {
		out = size_of(ev, e, self);
	} else if (e->nargs != 1 || (arg = eval(ev, e->args[0], sc)) == NULL) {
		out = arg ? NULL : e->nargs != 1 ? fail(ev, e, "%s() takes one argument", e->name)
						 : NULL;
	} else if (!json_is_string(self) || !json_is_string(arg)) {
		out = fail(ev, e, "%s() is a string's, with a string", e->name);
	} else {
		s = json_string_value(self);
		t = json_string_value(arg);
		if (strcmp(e->name, "startsWith") == 0)
			out = json_boolean(strncmp(s, t, strlen(t)) == 0);
		else if (strcmp(e->name, "endsWith") == 0)
			out = json_boolean(strlen(s) >= strlen(t) &&
					   strcmp(s + strlen(s) - strlen(t), t) == 0);
		else if (strcmp(e->name, "contains") == 0)
			out = json_boolean(strstr(s, t) != NULL);
		else if (strcmp(e->name, "matches") == 0) {
			regex_t re;
			if (regcomp(&re, t, REG_EXTENDED | REG_NOSUB) != 0)
				out = fail(ev, e, "matches(): not a regular expression: %s", t);
			else {
				out = json_boolean(regexec(&re, s, 0, NULL, 0) == 0);
				regfree(&re);
			}
		} else
			out = fail(ev, e, "no method %s()", e->name);
	}
	json_decref(arg);
	json_decref(self);
	return out;
}

static json_t *member(evaluation *ev, const cel_expr *e, const scope *sc)
{
	json_t *base = eval(ev, e->a, sc), *key = NULL, *out = NULL;

	if (!base)
		return NULL;
	if (e->kind == CEL_FIELD) {
		out = json_is_object(base) ? json_object_get(base, e->name) : NULL;
		out = out ? json_incref(out) : fail(ev, e, "no field '%s' in a %s", e->name,
						     type_of(base));
	} else if ((key = eval(ev, e->b, sc)) != NULL) {
		if (json_is_object(base) && json_is_string(key))
			out = json_object_get(base, json_string_value(key));
		else if (json_is_array(base) && json_is_integer(key) && json_integer_value(key) >= 0)
			out = json_array_get(base, (size_t)json_integer_value(key));
		out = out ? json_incref(out) : fail(ev, e, "no such index in a %s", type_of(base));
	}
	json_decref(key);
	json_decref(base);
	return out;
}

static json_t *eval(evaluation *ev, const cel_expr *e, const scope *sc)
{
	json_t *a, *b, *out;
	size_t i;

	switch (e->kind) {
	case CEL_LIT:
		return json_incref(e->lit);
	case CEL_IDENT:
		return (out = lookup(sc, e->name)) ? json_incref(out)
						   : fail(ev, e, "no variable '%s'", e->name);
	case CEL_FIELD: case CEL_INDEX:
		return member(ev, e, sc);
	case CEL_CALL:
		return call(ev, e, sc);
	case CEL_METHOD:
		return method(ev, e, sc);
	case CEL_LIST:
		out = json_array();
		for (i = 0; out && i < e->nargs; i++)
			if ((a = eval(ev, e->args[i], sc)) == NULL || json_array_append_new(out, a)) {
				json_decref(out);
				return NULL;
			}
		return out;
	case CEL_COND:
		if ((a = eval(ev, e->a, sc)) == NULL)
			return NULL;
		out = json_is_boolean(a) ? eval(ev, json_is_true(a) ? e->b : e->c, sc)
					 : fail(ev, e, "'?' takes a boolean");
		json_decref(a);
		return out;
	case CEL_UNARY:
		if ((a = eval(ev, e->a, sc)) == NULL)
			return NULL;
		out = e->op[0] == '!' ? (json_is_boolean(a) ? json_boolean(!json_is_true(a))
							     : fail(ev, e, "'!' takes a boolean"))
		      : json_is_integer(a) ? json_integer(-json_integer_value(a))
		      : json_is_real(a)    ? json_real(-json_real_value(a))
					   : fail(ev, e, "'-' takes a number");
		json_decref(a);
		return out;
	case CEL_BINARY:
		if (strcmp(e->op, "&&") == 0 || strcmp(e->op, "||") == 0)
			return logic(ev, e, sc);
		if ((a = eval(ev, e->a, sc)) == NULL)
			return NULL;
		if ((b = eval(ev, e->b, sc)) == NULL) {
			json_decref(a);
			return NULL;
		}
		out = strchr("+-*/%", e->op[0]) ? arithmetic(ev, e, a, b) : relation(ev, e, a, b);
		json_decref(a);
		json_decref(b);
		return out;
	}
	return fail(ev, e, "an expression rat cannot read");
}

int cel_eval_bool(const cel_expr *e, json_t *vars, char *err, size_t len)
{
	evaluation ev = { err, len };
	scope top = { NULL, NULL, NULL, vars };
	json_t *v;
	int out;

	err[0] = '\0';
	if ((v = eval(&ev, e, &top)) == NULL) {
		if (!err[0])
			snprintf(err, len, "filter: out of memory");
		return -1;
	}
	out = json_is_boolean(v) ? json_is_true(v) : -1;
	if (out < 0)
		snprintf(err, len, "filter: the expression is a %s, not a boolean", type_of(v));
	json_decref(v);
	return out;
}
