/*
 * util/mem.h - allocation wrappers that record RAT_ENOMEM on failure, the
 * string array helpers, small string utilities, and secrets' memory (wiped,
 * compared in constant time).
 */
#ifndef RAT_UTIL_MEM_H
#define RAT_UTIL_MEM_H

#include "util/common.h"

void *rat__malloc(size_t n);
void *rat__calloc(size_t count, size_t size);
void *rat__realloc(void *ptr, size_t n);
/** Grow an array of count+1 elements of size bytes when needed (doubling). */
int rat__grow(void **array, size_t *capacity, size_t count, size_t size);
char *rat__strdup(const char *s);
char *rat__strndup(const char *s, size_t n);
/** Format into a newly allocated string; NULL (and RAT_ENOMEM) on failure. */
char *rat__sprintf(const char *fmt, ...) RAT_PRINTF(1, 2);

/** Append a copy of s. */
RAT_MUST_USE int rat_strarray__push(rat_strarray *array, const char *s);
/** Append s, taking ownership (freed on failure too). */
RAT_MUST_USE int rat_strarray__push_owned(rat_strarray *array, char *s);
void rat_strarray__sort(rat_strarray *array);
/** Sort from and move it into *out (which must be empty); from becomes empty. */
void rat_strarray__hand_over(rat_strarray *out, rat_strarray *from);
bool rat_strarray__contains(const rat_strarray *array, const char *s);
/* The strings joined by ", " into out (len bytes), cut short at len: for messages. */
const char *rat_strarray__list(char *out, size_t len, const rat_strarray *array);
/**
 * Keep a copy of s in pool and return it: for structs whose strings a pool
 * owns. NULL and "" give "" (nothing kept); out of memory gives "" too.
 */
const char *rat_strarray__keep(rat_strarray *pool, const char *s);

/** strcmp over pointers to strings, for qsort/bsearch of char * arrays. */
int rat__strcmp_ptr(const void *a, const void *b);
bool rat__str_has_prefix(const char *s, const char *prefix);
bool rat__str_has_suffix(const char *s, const char *suffix);

/** Zero n bytes at p (a secret), in a way the compiler does not drop. */
void rat__wipe(void *p, size_t n);
/** rat_strarray_free() of secrets: each string wiped first, no copy left in freed memory. */
void rat_strarray__free_wiped(rat_strarray *a);
/** Whether n bytes at a and b are equal, in a time that does not depend on where they differ. */
bool rat__equal_ct(const void *a, const void *b, size_t n);

#endif
