/*
 * bindings/python/src/values.h - the Python values result.c builds, and the
 * cache that shares equal ones (values.c).
 */
#ifndef RAT_PY_VALUES_H
#define RAT_PY_VALUES_H

#include "rat_py.h"

#include <stdbool.h>
#include <stdint.h>

/** Import datetime's C API and decimal.Decimal: 0, or -1 with an exception. */
int rat_py_values_init(void);

/*
 * A column's cache of immutable values by key (decimals by their unscaled
 * value, dates by their day, short strings by their hash): equal values
 * become one shared object, as Arrow's to_pandas(deduplicate_objects) does.
 * Direct-mapped, 2^12 slots to start, grown up to 2^18 while many lookups
 * miss.
 */
struct rat_py_slot;
typedef struct rat_py_cache {
	struct rat_py_slot *slots; /* NULL: none made */
	int bits;
	size_t misses;             /* in the current batch */
} rat_py_cache;

int rat_py_cache_init(rat_py_cache *c);
void rat_py_cache_free(rat_py_cache *c);
/** After a batch of n values: grown when many lookups missed. 0, or -1 with MemoryError. */
int rat_py_cache_tune(rat_py_cache *c, size_t n);
/** Bring the slots of keys a few places after i into the CPU's cache. */
void rat_py_cache_prefetch(const rat_py_cache *c, const int64_t *keys, size_t i, size_t n);
/** The value cached for key (a new reference), or NULL (no exception); *slot for rat_py_cache_put. */
PyObject *rat_py_cache_get(rat_py_cache *c, int64_t key, size_t *slot);
/** Keep v (if not NULL) as key's value in slot; returns v. */
PyObject *rat_py_cache_put(rat_py_cache *c, size_t slot, int64_t key, PyObject *v);

/** Decimal(unscaled × 10^-scale); Decimal(text). */
PyObject *rat_py_decimal(int64_t unscaled, int scale);
PyObject *rat_py_decimal_text(PyObject *text);
/** datetime.date of days since 1970-01-01; NULL without an exception when past its range. */
PyObject *rat_py_date(int64_t days);
/** datetime.time of microseconds since midnight; NULL without an exception past 23:59:59.999999. */
PyObject *rat_py_time(int64_t us);
/** A datetime (UTC-aware for tz) of microseconds since the epoch, or its text past datetime's range. */
PyObject *rat_py_datetime(int64_t us, bool tz);
/** The hash a short string is cached by. */
uint64_t rat_py_string_hash(const char *p, size_t len);
/** A str of UTF-8 bytes, the one cached for the same short ASCII text when there is one. */
PyObject *rat_py_string(rat_py_cache *c, const char *p, size_t len, int64_t key);

#endif
