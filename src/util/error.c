/*
 * util/error.c - the thread-local last error.
 *
 * The message lives in a fixed per-thread buffer: setting an error never
 * allocates (so out-of-memory can be reported) and nothing is leaked at thread
 * exit. A message longer than the buffer is cut and ends in "...".
 */
#include "util/common.h"
#include "util/mask.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define MESSAGE_MAX 4096

static _Thread_local char tls_message[MESSAGE_MAX];
static _Thread_local rat_error tls_error = { NULL, RAT_ERRCLASS_NONE };
static _Thread_local int tls_detail; /* what failed, beyond the code (error.h); 0: nothing said */
static _Thread_local size_t tls_position; /* 1 + where the engine failed in the caller's SQL; 0: none */

static void mark_truncated(int n)
{
	if (n >= MESSAGE_MAX)
		memcpy(tls_message + MESSAGE_MAX - 4, "...", 4);
}

int rat_error__vset(int code, int klass, const char *fmt, va_list ap)
{
	int n = vsnprintf(tls_message, sizeof(tls_message), fmt, ap);
	if (n < 0)
		tls_message[0] = '\0';
	mark_truncated(n);
	rat_mask__message(tls_message, n >= MESSAGE_MAX); /* a secret's value is never told */
	tls_error.message = tls_message;
	tls_error.klass = klass;
	tls_detail = 0;
	tls_position = 0;
	return code;
}

void rat_error__set_detail(int detail)
{
	tls_detail = detail;
}

int rat_error__detail(void)
{
	return tls_detail;
}

void rat_error__set_position(size_t offset)
{
	tls_position = offset + 1;
}

bool rat_error__position(size_t *offset)
{
	if (tls_position)
		*offset = tls_position - 1;
	return tls_position != 0;
}

int rat_error__set(int code, int klass, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	rat_error__vset(code, klass, fmt, ap);
	va_end(ap);
	return code;
}

int rat_error__oom(void)
{
	return rat_error__set(RAT_ENOMEM, RAT_ERRCLASS_NOMEMORY, "out of memory");
}

int rat_error__os(int code, const char *fmt, ...)
{
	int saved = errno;
	char head[MESSAGE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(head, sizeof(head), fmt, ap);
	va_end(ap);
	return rat_error__set(code, RAT_ERRCLASS_OS, "%s: %s", head, strerror(saved));
}

/* The current message with text in front ("<text>: <message>") or after it ("<message><text>"). */
static void add_text(bool in_front, const char *fmt, va_list ap)
{
	char old[MESSAGE_MAX];
	char text[MESSAGE_MAX];
	int n;

	memcpy(old, tls_message, sizeof(old));
	vsnprintf(text, sizeof(text), fmt, ap);
	n = in_front ? snprintf(tls_message, sizeof(tls_message), "%s: %s", text, old)
		     : snprintf(tls_message, sizeof(tls_message), "%s%s", old, text);
	mark_truncated(n);
	rat_mask__message(tls_message, n >= MESSAGE_MAX);
	tls_error.message = tls_message;
}

void rat_error__prefix(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_text(true, fmt, ap);
	va_end(ap);
}

void rat_error__suffix(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_text(false, fmt, ap);
	va_end(ap);
}

void rat_error__ensure(int code)
{
	static const char *const names[] = { "generic failure", "out of memory", "not found",
					     "already exists", "invalid", "I/O", "SQL", "type",
					     "too big", "conflict", "cancelled", "access refused" };
	size_t i = code < 0 ? (size_t)-code - 1 : RAT_ARRAY_SIZE(names);

	if (tls_message[0])
		return;
	rat_error__set(code, RAT_ERRCLASS_NONE,
		       "failed (error %d: %s) without saying why: a bug in rat; please report it "
		       "with what was running",
		       code, i < RAT_ARRAY_SIZE(names) ? names[i] : "unknown");
}

const rat_error *rat_error_last(void)
{
	if (!tls_error.message)
		tls_error.message = tls_message;
	return &tls_error;
}

void rat_error_clear(void)
{
	tls_message[0] = '\0';
	tls_error.message = tls_message;
	tls_error.klass = RAT_ERRCLASS_NONE;
	tls_detail = 0;
	tls_position = 0;
}

void rat_error__save(rat_error_saved *saved)
{
	saved->klass = tls_error.klass;
	saved->detail = tls_detail;
	saved->position = tls_position;
	memcpy(saved->message, tls_message, sizeof(saved->message));
}

void rat_error__restore(const rat_error_saved *saved)
{
	memcpy(tls_message, saved->message, sizeof(tls_message));
	tls_error.message = tls_message;
	tls_error.klass = saved->klass;
	tls_detail = saved->detail;
	tls_position = saved->position;
}

int rat__options_check(unsigned int version, unsigned int current, const char *name)
{
	if (version == 0 || version > current)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "%s: version %u is not one this librat (%s) knows: 1 to %u "
				      "(start from the _INIT macro or the _init() function)",
				      name, version, rat_version(), current);
	return 0;
}

int rat__options_init(void *opts, const void *init, size_t size, unsigned int version,
		      unsigned int current, const char *name)
{
	int error;

	if (!opts)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "%s: NULL options", name);
	if ((error = rat__options_check(version, current, name)) != 0)
		return error;
	memcpy(opts, init, size);
	return 0;
}
