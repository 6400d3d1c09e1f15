/*
 * util/mem.c - allocation wrappers, string arrays and string helpers.
 */
#include "util/common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *rat__malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		rat_error__oom();
	return p;
}

void *rat__calloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		rat_error__oom();
	return p;
}

void *rat__realloc(void *ptr, size_t n)
{
	void *p = realloc(ptr, n ? n : 1);
	if (!p)
		rat_error__oom();
	return p;
}

int rat__grow(void **array, size_t *capacity, size_t count, size_t size)
{
	size_t cap = *capacity;
	void *p;

	if (count < cap)
		return 0;
	cap = cap ? cap * 2 : 8;
	if (cap > SIZE_MAX / size)
		return rat_error__oom();
	p = rat__realloc(*array, cap * size);
	if (!p)
		return RAT_ENOMEM;
	*array = p;
	*capacity = cap;
	return 0;
}

char *rat__strndup(const char *s, size_t n)
{
	char *p = rat__malloc(n + 1);
	if (!p)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *rat__strdup(const char *s)
{
	return rat__strndup(s, strlen(s));
}

char *rat__sprintf(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "bad format '%s'", fmt);
		return NULL;
	}
	p = rat__malloc((size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void rat_free(void *ptr)
{
	free(ptr);
}

void rat_strarray_free(rat_strarray *array)
{
	size_t i;

	if (!array)
		return;
	for (i = 0; i < array->count; i++)
		free(array->strings[i]);
	free(array->strings);
	array->strings = NULL;
	array->count = 0;
}

int rat_strarray__push_owned(rat_strarray *array, char *s)
{
	char **p;

	if (!s)
		return RAT_ENOMEM;
	/* capacity is the next power of two at or above count (min 8) */
	if (array->count == 0 || (array->count >= 8 && (array->count & (array->count - 1)) == 0)) {
		size_t cap = array->count < 8 ? 8 : array->count * 2;
		p = rat__realloc(array->strings, cap * sizeof(char *));
		if (!p) {
			free(s);
			return RAT_ENOMEM;
		}
		array->strings = p;
	}
	array->strings[array->count++] = s;
	return 0;
}

int rat_strarray__push(rat_strarray *array, const char *s)
{
	char *copy = rat__strdup(s);
	return copy ? rat_strarray__push_owned(array, copy) : RAT_ENOMEM;
}

int rat__strcmp_ptr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

const char *rat_strarray__list(char *out, size_t len, const rat_strarray *array)
{
	size_t i, used = 0;

	if (len)
		out[0] = '\0';
	for (i = 0; i < array->count && used < len; i++) {
		int n = snprintf(out + used, len - used, "%s%s", i ? ", " : "", array->strings[i]);
		used += n > 0 ? (size_t)n : 0;
	}
	return out;
}

void rat_strarray__sort(rat_strarray *array)
{
	if (array->count > 1)
		qsort(array->strings, array->count, sizeof(char *), rat__strcmp_ptr);
}

void rat_strarray__hand_over(rat_strarray *out, rat_strarray *from)
{
	rat_strarray__sort(from);
	*out = *from;
	from->strings = NULL;
	from->count = 0;
}

bool rat_strarray__contains(const rat_strarray *array, const char *s)
{
	size_t i;

	for (i = 0; i < array->count; i++)
		if (strcmp(array->strings[i], s) == 0)
			return true;
	return false;
}

bool rat__str_has_prefix(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool rat__str_has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

const char *rat_strarray__keep(rat_strarray *pool, const char *s)
{
	if (!s || !*s || rat_strarray__push(pool, s) != 0)
		return "";
	return pool->strings[pool->count - 1];
}

void rat__wipe(void *p, size_t n)
{
	explicit_bzero(p, n);
}

void rat_strarray__free_wiped(rat_strarray *a)
{
	size_t i;

	for (i = 0; a && i < a->count; i++)
		rat__wipe(a->strings[i], strlen(a->strings[i]));
	rat_strarray_free(a);
}

bool rat__equal_ct(const void *a, const void *b, size_t n)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char diff = 0;
	size_t i;

	for (i = 0; i < n; i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}
