/*
 * util/buf.c - growable byte buffer with a size cap.
 */
#include "util/common.h"
#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int reserve(rat_buf *buf, size_t extra)
{
	size_t max = buf->max ? buf->max : RAT_BUF_DEFAULT_MAX;
	size_t need, cap;
	char *p;

	if (extra > max || buf->len > max - extra)
		return rat_error__set(RAT_ETOOBIG, RAT_ERRCLASS_INVALID,
				      "data exceeds the %zu-byte limit of this buffer", max);
	need = buf->len + extra + 1;
	if (need <= buf->cap)
		return 0;
	cap = buf->cap ? buf->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = rat__realloc(buf->ptr, cap);
	if (!p)
		return RAT_ENOMEM;
	buf->ptr = p;
	buf->cap = cap;
	return 0;
}

int rat_buf_put(rat_buf *buf, const void *data, size_t len)
{
	int error = reserve(buf, len);
	if (error)
		return error;
	if (len)
		memcpy(buf->ptr + buf->len, data, len);
	buf->len += len;
	buf->ptr[buf->len] = '\0';
	return 0;
}

int rat_buf_puts(rat_buf *buf, const char *s)
{
	return rat_buf_put(buf, s, strlen(s));
}

int rat_buf_putc(rat_buf *buf, char c)
{
	return rat_buf_put(buf, &c, 1);
}

int rat_buf_printf(rat_buf *buf, const char *fmt, ...)
{
	va_list ap;
	int n, error;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "bad format '%s'", fmt);
	if ((error = reserve(buf, (size_t)n)) != 0)
		return error;
	va_start(ap, fmt);
	vsnprintf(buf->ptr + buf->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	buf->len += (size_t)n;
	return 0;
}

const char *rat_buf_cstr(const rat_buf *buf)
{
	return buf->ptr ? buf->ptr : "";
}

void rat_buf_clear(rat_buf *buf)
{
	buf->len = 0;
	if (buf->ptr)
		buf->ptr[0] = '\0';
}

char *rat_buf_detach(rat_buf *buf)
{
	char *p = buf->ptr;
	if (!p)
		p = rat__strdup("");
	buf->ptr = NULL;
	buf->len = buf->cap = 0;
	return p;
}

void rat_buf_free(rat_buf *buf)
{
	free(buf->ptr);
	buf->ptr = NULL;
	buf->len = buf->cap = 0;
}
