/*
 * pipeline/template_value.c - the values of template expressions: none,
 * booleans, integers, floats, strings and lists.
 *
 * A value owns its string or its items; copies are deep. Rendered as text
 * ({{ v }}), strings are inserted verbatim (this generates SQL, nothing is
 * quoted), none is empty, booleans read True/False and floats use the
 * shortest form that reads back the same, as Jinja prints them; a list
 * prints like Python's repr: ['a', 1, None].
 */
#include "util/common.h"
#include "template/internal.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rat_template__value_free(tpl_value *v)
{
	size_t i;

	if (v->kind == TPL_STRING) {
		free(v->u.s.ptr);
		free(v->u.s.watermark);
		rat_template__map_free(v->u.s.origins);
		free(v->u.s.origins);
	} else if (v->kind == TPL_LIST) {
		for (i = 0; i < v->u.list.count; i++)
			rat_template__value_free(&v->u.list.items[i]);
		free(v->u.list.items);
	}
	memset(v, 0, sizeof(*v));
}

int rat_template__value_string(tpl_value *out, const char *s, size_t len)
{
	char *copy = rat__strndup(s, len);

	if (!copy)
		return RAT_ENOMEM;
	out->kind = TPL_STRING;
	out->u.s.ptr = copy;
	out->u.s.len = len;
	out->u.s.origins = NULL;
	out->u.s.watermark = NULL;
	return 0;
}

int rat_template__value_take(tpl_value *out, rat_buf *buf)
{
	size_t len = buf->len;
	char *s = rat_buf_detach(buf);

	if (!s)
		return RAT_ENOMEM;
	out->kind = TPL_STRING;
	out->u.s.ptr = s;
	out->u.s.len = len;
	out->u.s.origins = NULL;
	out->u.s.watermark = NULL;
	return 0;
}

int rat_template__value_copy(tpl_value *out, const tpl_value *v)
{
	tpl_value copy = TPL_VALUE_INIT;
	int error = 0;
	size_t i;

	if (v->kind == TPL_STRING) {
		if ((error = rat_template__value_string(&copy, v->u.s.ptr, v->u.s.len)) == 0 &&
		    (error = rat_template__map_copy(&copy.u.s.origins, v->u.s.origins)) == 0 &&
		    (!v->u.s.watermark ||
		     (copy.u.s.watermark = rat__strdup(v->u.s.watermark)) != NULL ||
		     (error = RAT_ENOMEM) == 0))
			*out = copy;
		else
			rat_template__value_free(&copy);
		return error;
	}
	if (v->kind != TPL_LIST) {
		*out = *v;
		return 0;
	}
	copy.kind = TPL_LIST;
	copy.u.list.depth = v->u.list.depth;
	if (v->u.list.count &&
	    !(copy.u.list.items = rat__calloc(v->u.list.count, sizeof(tpl_value))))
		return RAT_ENOMEM;
	for (i = 0; !error && i < v->u.list.count; i++) {
		error = rat_template__value_copy(&copy.u.list.items[i], &v->u.list.items[i]);
		copy.u.list.count = i + 1;
	}
	if (error)
		rat_template__value_free(&copy);
	else
		*out = copy;
	return error;
}

/* The shortest of %.15g..%.17g that reads back the same, always with a '.'. */
static void format_float(char *buf, size_t size, double f)
{
	int precision;

	if (isnan(f)) {
		snprintf(buf, size, "nan");
		return;
	}
	if (isinf(f)) {
		snprintf(buf, size, "%sinf", f < 0 ? "-" : "");
		return;
	}
	for (precision = 15; precision <= 17; precision++) {
		snprintf(buf, size, "%.*g", precision, f);
		if (strtod(buf, NULL) == f)
			break;
	}
	if (!strpbrk(buf, ".e"))
		snprintf(buf + strlen(buf), size - strlen(buf), ".0");
}

/* A string as Python's repr writes it: quoted, with escapes. */
static int repr_string(rat_buf *buf, const char *s, size_t len)
{
	char quote = memchr(s, '\'', len) && !memchr(s, '"', len) ? '"' : '\'';
	int error = rat_buf_putc(buf, quote);
	size_t i;

	for (i = 0; !error && i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '\\' || c == (unsigned char)quote)
			error = rat_buf_printf(buf, "\\%c", c);
		else if (c == '\n' || c == '\r' || c == '\t')
			error = rat_buf_printf(buf, "\\%c",
					       c == '\n'   ? 'n'
					       : c == '\r' ? 'r'
							   : 't');
		else if (c < 0x20 || c == 0x7f)
			error = rat_buf_printf(buf, "\\x%02x", c);
		else
			error = rat_buf_putc(buf, (char)c);
	}
	return error ? error : rat_buf_putc(buf, quote);
}

static int repr(rat_buf *buf, const tpl_value *v)
{
	int error = 0;
	size_t i;

	switch (v->kind) {
	case TPL_NONE:
		return rat_buf_puts(buf, "None");
	case TPL_STRING:
		return repr_string(buf, v->u.s.ptr, v->u.s.len);
	case TPL_LIST:
		error = rat_buf_putc(buf, '[');
		for (i = 0; !error && i < v->u.list.count; i++) {
			if (i)
				error = rat_buf_puts(buf, ", ");
			if (!error)
				error = repr(buf, &v->u.list.items[i]);
		}
		return error ? error : rat_buf_putc(buf, ']');
	default:
		return rat_template__value_text(buf, v);
	}
}

int rat_template__value_text(rat_buf *buf, const tpl_value *v)
{
	char number[64];

	switch (v->kind) {
	case TPL_NONE:
		return 0;
	case TPL_BOOL:
		return rat_buf_puts(buf, v->u.b ? "True" : "False");
	case TPL_INT:
		return rat_buf_printf(buf, "%" PRId64, v->u.i);
	case TPL_FLOAT:
		format_float(number, sizeof(number), v->u.f);
		return rat_buf_puts(buf, number);
	case TPL_STRING:
		return rat_buf_put(buf, v->u.s.ptr, v->u.s.len);
	case TPL_LIST:
		return repr(buf, v);
	}
	return 0;
}

bool rat_template__value_truthy(const tpl_value *v)
{
	switch (v->kind) {
	case TPL_NONE:
		return false;
	case TPL_BOOL:
		return v->u.b;
	case TPL_INT:
		return v->u.i != 0;
	case TPL_FLOAT:
		return v->u.f != 0.0;
	case TPL_STRING:
		return v->u.s.len != 0;
	case TPL_LIST:
		return v->u.list.count != 0;
	}
	return false;
}

static bool is_number(const tpl_value *v)
{
	return v->kind == TPL_INT || v->kind == TPL_FLOAT;
}

bool rat_template__value_equal(const tpl_value *a, const tpl_value *b)
{
	size_t i;

	if (a->kind == TPL_INT && b->kind == TPL_INT)
		return a->u.i == b->u.i;
	if (is_number(a) && is_number(b))
		return (a->kind == TPL_INT ? (double)a->u.i : a->u.f) ==
		       (b->kind == TPL_INT ? (double)b->u.i : b->u.f);
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case TPL_BOOL:
		return a->u.b == b->u.b;
	case TPL_STRING:
		return a->u.s.len == b->u.s.len && !memcmp(a->u.s.ptr, b->u.s.ptr, a->u.s.len);
	case TPL_LIST:
		if (a->u.list.count != b->u.list.count)
			return false;
		for (i = 0; i < a->u.list.count; i++)
			if (!rat_template__value_equal(&a->u.list.items[i], &b->u.list.items[i]))
				return false;
		return true;
	default:
		return true; /* none */
	}
}

const char *rat_template__kind_name(tpl_kind kind)
{
	static const char *const names[] = {
		"none", "boolean", "integer", "float", "string", "list"
	};
	return (size_t)kind < RAT_ARRAY_SIZE(names) ? names[kind] : "value";
}
