/*
 * util/buf.h - a growable byte buffer with a size cap.
 *
 * Everything fed by files, the network or the engine goes through a buffer
 * whose growth is bounded (`max`), so input cannot grow memory without limit.
 * The content is always NUL-terminated once anything was written.
 */
#ifndef RAT_UTIL_BUF_H
#define RAT_UTIL_BUF_H

#include "util/common.h"

typedef struct rat_buf {
	char *ptr;
	size_t len;
	size_t cap;
	size_t max; /* 0: RAT_BUF_DEFAULT_MAX */
} rat_buf;

#define RAT_BUF_DEFAULT_MAX ((size_t)1 << 30)
#define RAT_BUF_INIT { NULL, 0, 0, 0 }

/* Each fails (RAT_ENOMEM, or RAT_ETOOBIG past the cap) leaving buf as it was. */
RAT_MUST_USE int rat_buf_put(rat_buf *buf, const void *data, size_t len);
RAT_MUST_USE int rat_buf_puts(rat_buf *buf, const char *s);
RAT_MUST_USE int rat_buf_putc(rat_buf *buf, char c);
RAT_MUST_USE int rat_buf_printf(rat_buf *buf, const char *fmt, ...) RAT_PRINTF(2, 3);
/** The text so far, "" when empty. Owned by buf. */
const char *rat_buf_cstr(const rat_buf *buf);
/** Keep the allocation, drop the content. */
void rat_buf_clear(rat_buf *buf);
/** Hand the content to the caller (free with free()); buf becomes empty. */
char *rat_buf_detach(rat_buf *buf);
void rat_buf_free(rat_buf *buf);

#endif
