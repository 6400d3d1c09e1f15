/*
 * rat/common.h - shared definitions of the librat public API: export macro,
 * version, memory release and the string array type.
 *
 * Every public header compiles on its own as C99 (-std=c99 -pedantic).
 */
#ifndef RAT_COMMON_H
#define RAT_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define RAT_BEGIN_DECL extern "C" {
#define RAT_END_DECL }
#else
#define RAT_BEGIN_DECL
#define RAT_END_DECL
#endif

#if defined(__GNUC__) || defined(__clang__)
#define RAT_EXTERN(type) extern __attribute__((visibility("default"))) type
#else
#define RAT_EXTERN(type) extern type
#endif

/*
 * On functions whose int result is an error code. Inside librat it makes
 * the compiler insist that the result is looked at; a program using the
 * library is left to choose.
 */
#if defined(RAT_BUILDING_LIBRARY) && (defined(__GNUC__) || defined(__clang__))
#define RAT_CHECKED __attribute__((warn_unused_result))
#else
#define RAT_CHECKED
#endif

RAT_BEGIN_DECL

#define RAT_VERSION_MAJOR 0
#define RAT_VERSION_MINOR 1
#define RAT_VERSION_PATCH 0

/** The library's version, "MAJOR.MINOR.PATCH". Static storage. */
RAT_EXTERN(const char *) rat_version(void);

/** The version of the embedded DuckDB engine, e.g. "v1.4.4". Static storage. */
RAT_EXTERN(const char *) rat_engine_version(void);

/**
 * Release memory that a librat function returned and documented as
 * "free with rat_free()". NULL is accepted.
 */
RAT_EXTERN(void) rat_free(void *ptr);

/**
 * ms (milliseconds since the epoch) as an ISO-8601 UTC instant with
 * milliseconds, "2024-03-05T10:00:00.250Z", into out (len bytes; 25 hold it).
 */
RAT_EXTERN(void) rat_time_format(char *out, size_t len, int64_t ms);
/**
 * An ISO-8601 UTC instant, "2024-03-05T10:00:00Z" with or without a
 * fraction of a second, as milliseconds since the epoch; -1 when text is not
 * one.
 */
RAT_EXTERN(int64_t) rat_time_parse(const char *text);

/** A list of strings owned by the array; release with rat_strarray_free(). */
typedef struct rat_strarray {
	char **strings;
	size_t count;
} rat_strarray;

#define RAT_STRARRAY_INIT { NULL, 0 }

/** Free every string and the list itself, then reset to empty. NULL is accepted. */
RAT_EXTERN(void) rat_strarray_free(rat_strarray *array);

RAT_END_DECL

#endif
