/*
 * util/error.h - setting the thread-local last error (see rat/errors.h).
 *
 * Set the message where the failure happens, with the values that explain it;
 * callers that know more add context in front with rat_error__prefix(),
 * never replacing what is there.
 */
#ifndef RAT_UTIL_ERROR_H
#define RAT_UTIL_ERROR_H

#include "util/common.h"

/** Set the last error; returns code so that `return rat_error__set(...)` reads well. */
int rat_error__set(int code, int klass, const char *fmt, ...) RAT_PRINTF(3, 4);
int rat_error__vset(int code, int klass, const char *fmt, va_list ap);
/** Record an out-of-memory failure; returns RAT_ENOMEM. */
int rat_error__oom(void);
/** Record errno's text after a message: "<message>: <strerror>". Returns code. */
int rat_error__os(int code, const char *fmt, ...) RAT_PRINTF(2, 3);
/** Put context in front of the current message: "<context>: <message>". */
void rat_error__prefix(const char *fmt, ...) RAT_PRINTF(1, 2);
/** Add text after the current message (a hint: what to do about it); keeps the rest. */
void rat_error__suffix(const char *fmt, ...) RAT_PRINTF(1, 2);

/*
 * code was returned with no message set (a path that forgot to say why, or
 * one that cleared a message it should have kept): give it one that names
 * the code, so that no failure reaches a user as an empty string. Nothing
 * when a message is set.
 */
void rat_error__ensure(int code);

/*
 * Versioned options structs (public headers): a caller sets version to the
 * RAT_<X>_OPTIONS_VERSION it was built with, so that a newer library can
 * tell an older layout. Both return RAT_EINVALID naming the struct when the
 * version is 0 or newer than this library's.
 */
/** Check a caller's options version against current. */
int rat__options_check(unsigned int version, unsigned int current, const char *name);
/** Fill opts (size bytes) from init after checking version. */
int rat__options_init(void *opts, const void *init, size_t size, unsigned int version,
		      unsigned int current, const char *name);

/*
 * A detail of the current error, for code that must act on what failed
 * (never on the message's text): a subsystem sets it right after the
 * error; setting a new error resets it to 0, a prefix keeps it.
 */
typedef enum rat_error_detail {
	RAT_DETAIL_NONE = 0,
	RAT_DETAIL_ENGINE_CATALOG,      /* the engine met a name it does not know */
	RAT_DETAIL_ENGINE_BINDER,       /* the engine could not bind a column or expression */
	RAT_DETAIL_ENGINE_OUT_OF_MEMORY, /* the engine ran out of its memory limit */
	RAT_DETAIL_METADATA_UNREADABLE   /* a table's metadata file is missing, too big or not
					    Iceberg metadata (not an I/O failure: table/metadata.h) */
} rat_error_detail;

void rat_error__set_detail(int detail);
/** The current error's detail (a rat_error_detail); RAT_DETAIL_NONE when none was said. */
int rat_error__detail(void);

/*
 * Where in the SQL a caller asked about the engine failed: a byte offset
 * into the text the caller named (engine.h: rat_engine__set_user_sql), so
 * that the caller can point at the file and line it came from. Like the
 * detail, a new error resets it and a prefix keeps it.
 */
void rat_error__set_position(size_t offset);
/** Whether the current error has a position; *offset receives it. */
bool rat_error__position(size_t *offset);

/** A copy of the last error, for cleanup code that must not replace it. */
typedef struct rat_error_saved {
	int klass;
	int detail;
	size_t position; /* 1 + the position; 0: none */
	char message[4096];
} rat_error_saved;

void rat_error__save(rat_error_saved *saved);
void rat_error__restore(const rat_error_saved *saved);

#endif
