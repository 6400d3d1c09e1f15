/*
 * util/random.c - random identifiers from getrandom(2).
 */
#include "util/common.h"
#include "util/random.h"

#include <errno.h>
#include <stdio.h>
#include <sys/random.h>

int rat_random__bytes(void *buf, size_t len)
{
	unsigned char *p = buf;

	while (len > 0) {
		ssize_t n = getrandom(p, len, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return rat_error__os(RAT_EIO, "cannot read random bytes");
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int rat_random__uuid(char out[37])
{
	unsigned char b[16];
	int error = rat_random__bytes(b, sizeof(b));

	if (error)
		return error;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
	snprintf(out, 37,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
		 b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
		 b[15]);
	return 0;
}

int rat_random__id(int64_t *out)
{
	uint64_t v = 0;
	int error;

	do {
		if ((error = rat_random__bytes(&v, sizeof(v))) != 0)
			return error;
		v &= INT64_MAX;
	} while (v == 0);
	*out = (int64_t)v;
	return 0;
}
