/*
 * bindings/python/src/values.c - the Python values a result's columns are
 * made of (result.c): decimals, dates, times, datetimes and strings built
 * from DuckDB's values, and the cache that makes equal ones one object
 * (values.h).
 */
#include "values.h"

#include <datetime.h>
#include <string.h>

static PyObject *decimal_type;

int rat_py_values_init(void)
{
	PyObject *m;

	PyDateTime_IMPORT;
	if (!PyDateTimeAPI || !(m = PyImport_ImportModule("decimal")))
		return -1;
	decimal_type = PyObject_GetAttrString(m, "Decimal");
	Py_DECREF(m);
	return decimal_type ? 0 : -1;
}

#define CACHE_FIRST_BITS 12
#define CACHE_MAX_BITS 18

/* A cache slot: a key and its value, side by side (one memory access). */
struct rat_py_slot {
	int64_t key;
	PyObject *obj;
};

void rat_py_cache_free(rat_py_cache *c)
{
	size_t i;

	if (c->slots)
		for (i = 0; i < ((size_t)1 << c->bits); i++)
			Py_XDECREF(c->slots[i].obj);
	PyMem_Free(c->slots);
	c->slots = NULL;
}

/* An empty cache of 2^bits slots (what it held dropped). */
static int cache_resize(rat_py_cache *c, int bits)
{
	rat_py_cache_free(c);
	c->bits = bits;
	if (!(c->slots = PyMem_Calloc((size_t)1 << bits, sizeof(*c->slots)))) {
		PyErr_NoMemory();
		return -1;
	}
	return 0;
}

int rat_py_cache_init(rat_py_cache *c)
{
	memset(c, 0, sizeof(*c));
	return cache_resize(c, CACHE_FIRST_BITS);
}

/* After a batch of n: a bigger cache when an eighth of its lookups missed (many distinct values). */
int rat_py_cache_tune(rat_py_cache *c, size_t n)
{
	int grow = c->slots && c->misses * 8 > n && c->bits < CACHE_MAX_BITS;

	c->misses = 0;
	return grow ? cache_resize(c, c->bits + 1 < CACHE_MAX_BITS ? c->bits + 2 : CACHE_MAX_BITS) : 0;
}

static size_t slot_of(const rat_py_cache *c, int64_t key)
{
	return (size_t)(((uint64_t)key * UINT64_C(0x9E3779B97F4A7C15)) >> (64 - c->bits));
}

/*
 * Bring into the CPU's cache the slot of keys[i + 16] and the object in the
 * slot of keys[i + 8] (whose slot came 8 values ago): lookups in a big cache
 * otherwise wait on memory twice each.
 */
void rat_py_cache_prefetch(const rat_py_cache *c, const int64_t *keys, size_t i, size_t n)
{
	if (!c->slots)
		return;
	if (i + 16 < n)
		__builtin_prefetch(&c->slots[slot_of(c, keys[i + 16])]);
	if (i + 8 < n) {
		PyObject *o = c->slots[slot_of(c, keys[i + 8])].obj;
		if (o)
			__builtin_prefetch(o);
	}
}

/* The cached object for key, or NULL (no exception) when there is none. */
PyObject *rat_py_cache_get(rat_py_cache *c, int64_t key, size_t *slot)
{
	*slot = 0;
	if (!c->slots)
		return NULL;
	*slot = slot_of(c, key);
	if (c->slots[*slot].obj && c->slots[*slot].key == key) {
		Py_INCREF(c->slots[*slot].obj);
		return c->slots[*slot].obj;
	}
	c->misses++;
	return NULL;
}

PyObject *rat_py_cache_put(rat_py_cache *c, size_t slot, int64_t key, PyObject *v)
{
	if (v && c->slots) {
		Py_XDECREF(c->slots[slot].obj);
		Py_INCREF(v);
		c->slots[slot].obj = v;
		c->slots[slot].key = key;
	}
	return v;
}

/* Decimal(unscaled * 10^-scale), through its exact text (written here: snprintf is slow). */
PyObject *rat_py_decimal(int64_t unscaled, int scale)
{
	char text[48], *end = text + sizeof(text), *p = end;
	uint64_t u = unscaled < 0 ? (uint64_t)0 - (uint64_t)unscaled : (uint64_t)unscaled;
	int n = 0;
	PyObject *s, *d;

	do { /* digits from the right, the point after `scale` of them, 0s up to it */
		*--p = (char)('0' + u % 10);
		u /= 10;
		if (++n == scale)
			*--p = '.';
	} while (u || n <= scale);
	if (unscaled < 0)
		*--p = '-';
	if (!(s = PyUnicode_FromStringAndSize(p, end - p)))
		return NULL;
	d = PyObject_CallOneArg(decimal_type, s);
	Py_DECREF(s);
	return d;
}

PyObject *rat_py_decimal_text(PyObject *text)
{
	return PyObject_CallOneArg(decimal_type, text);
}

/* Days since 1970-01-01 as a civil date (Howard Hinnant's algorithm). */
static void civil(int64_t days, int64_t *y, int *m, int *d)
{
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;

	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

PyObject *rat_py_date(int64_t days)
{
	int64_t y;
	int m, d;

	civil(days, &y, &m, &d);
	if (y < 1 || y > 9999) /* datetime.date's range; the engine's is wider (and has infinity) */
		return NULL;
	return PyDate_FromDate((int)y, m, d);
}

PyObject *rat_py_time(int64_t us)
{
	if (us < 0 || us >= INT64_C(86400000000)) /* 24:00:00 */
		return NULL;
	return PyTime_FromTime((int)(us / 3600000000), (int)(us / 60000000 % 60),
			       (int)(us / 1000000 % 60), (int)(us % 1000000));
}

/* A short string's hash for the cache (8 bytes at a time). */
uint64_t rat_py_string_hash(const char *p, size_t len)
{
	uint64_t h = len * UINT64_C(0x9E3779B97F4A7C15), w;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&w, p + i, 8);
		h = (h ^ w) * UINT64_C(0xFF51AFD7ED558CCD);
		h ^= h >> 29;
	}
	if (i < len) {
		w = 0;
		memcpy(&w, p + i, len - i);
		h = (h ^ w) * UINT64_C(0xC4CEB9FE1A85EC53);
	}
	return h ^ (h >> 32);
}

/* A str of the UTF-8 bytes, shared with the rows before that held the same short ASCII text. */
PyObject *rat_py_string(rat_py_cache *c, const char *p, size_t len, int64_t key)
{
	size_t slot;
	PyObject *v;

	if (len > 64)
		return PyUnicode_DecodeUTF8(p, (Py_ssize_t)len, "surrogateescape");
	if ((v = rat_py_cache_get(c, key, &slot)) != NULL) {
		if (PyUnicode_IS_ASCII(v) && (size_t)PyUnicode_GET_LENGTH(v) == len &&
		    memcmp(PyUnicode_1BYTE_DATA(v), p, len) == 0)
			return v;
		Py_DECREF(v); /* another text of that hash */
		c->misses++;
	}
	if (!(v = PyUnicode_DecodeUTF8(p, (Py_ssize_t)len, "surrogateescape")))
		return NULL;
	return PyUnicode_IS_ASCII(v) ? rat_py_cache_put(c, slot, key, v) : v;
}

/* A timestamp in microseconds as a datetime (UTC-aware for tz), or its text past datetime's range. */
PyObject *rat_py_datetime(int64_t us, bool tz)
{
	int64_t days = us >= 0 ? us / INT64_C(86400000000) : -((-us - 1) / INT64_C(86400000000)) - 1;
	int64_t in_day = us - days * INT64_C(86400000000), y;
	int m, d;

	civil(days, &y, &m, &d);
	if (us == INT64_MAX || us == -INT64_MAX)
		return PyUnicode_FromString(us > 0 ? "infinity" : "-infinity");
	if (y < 1 || y > 9999)
		return PyUnicode_FromFormat("%lld-%02d-%02d", (long long)y, m, d);
	return PyDateTimeAPI->DateTime_FromDateAndTime(
		(int)y, m, d, (int)(in_day / 3600000000), (int)(in_day / 60000000 % 60),
		(int)(in_day / 1000000 % 60), (int)(in_day % 1000000), tz ? PyDateTime_TimeZone_UTC : Py_None,
		PyDateTimeAPI->DateTimeType);
}

