/*
 * util/mask.c - values never to show (mask.h): a process-wide list behind
 * a mutex, since the errors that might hold a value are set on any thread.
 *
 * Process-wide rather than per workspace: masking a value of one
 * workspace in another's message loses nothing, and a message can only be
 * masked with what the process knows, wherever it was set.
 */
#include "util/common.h"
#include "util/mask.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static char *values[RAT_MASK_MAX_VALUES];
static size_t value_count;

int rat_mask__add(const char *value)
{
	size_t i;
	int error = 0;
	char *copy;

	if (strlen(value) < RAT_MASK_MIN_BYTES)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "a value to mask must have at least %d bytes",
				      RAT_MASK_MIN_BYTES);
	pthread_mutex_lock(&lock);
	for (i = 0; i < value_count && strcmp(values[i], value) != 0; i++)
		;
	if (i < value_count)
		; /* known already */
	else if (value_count == RAT_MASK_MAX_VALUES)
		error = RAT_ETOOBIG;
	else if ((copy = strdup(value)) == NULL) /* not rat__strdup: it sets an error */
		error = RAT_ENOMEM;
	else
		values[value_count++] = copy;
	pthread_mutex_unlock(&lock);
	/* errors are set outside the lock: setting one masks, which takes it */
	if (error == RAT_ETOOBIG)
		return rat_error__set(RAT_ETOOBIG, RAT_ERRCLASS_INVALID,
				      "more than %d secret values in one process",
				      RAT_MASK_MAX_VALUES);
	return error ? rat_error__oom() : 0;
}

/* Replace every occurrence of v in text by "***", or by as many '*' with same_length. */
static void mask_one(char *text, const char *v, bool same_length)
{
	size_t n = strlen(v);
	char *at = text;

	while ((at = strstr(at, v)) != NULL) {
		if (same_length) {
			memset(at, '*', n);
		} else {
			memcpy(at, "***", 3);
			memmove(at + 3, at + n, strlen(at + n) + 1);
		}
		at += same_length ? n : 3;
	}
}

/* A text cut short may end in the start of a value: mask that end. */
static void mask_cut_end(char *text, const char *v)
{
	size_t len = strlen(text), n = strlen(v), k;

	if (len >= 3 && strcmp(text + len - 3, "...") == 0)
		len -= 3; /* the mark of a message cut short (error.c) */
	for (k = n - 1; k >= 1; k--)
		if (k <= len && memcmp(text + len - k, v, k) == 0) {
			memset(text + len - k, '*', k);
			return;
		}
}

static void mask_all(char *text, bool truncated, bool same_length)
{
	size_t i;

	if (!text)
		return;
	pthread_mutex_lock(&lock);
	for (i = 0; i < value_count; i++) {
		mask_one(text, values[i], same_length);
		if (truncated)
			mask_cut_end(text, values[i]);
	}
	pthread_mutex_unlock(&lock);
}

void rat_mask__message(char *text, bool truncated)
{
	mask_all(text, truncated, false);
}

void rat_mask__same_length(char *text)
{
	mask_all(text, false, true);
}
