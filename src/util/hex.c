/*
 * util/hex.c - hexadecimal text of bytes (Iceberg bounds are kept as hex in JSON).
 */
#include "util/common.h"
#include "util/hex.h"

#include <stdlib.h>
#include <string.h>

char *rat_hex__encode(const void *data, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	const unsigned char *p = data;
	char *out = rat__malloc(len * 2 + 1);
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i < len; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * len] = '\0';
	return out;
}

int rat_hex__digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int rat_hex__decode(const char *hex, void *out, size_t cap, size_t *len)
{
	unsigned char *p = out;
	size_t n = strlen(hex), i;

	if (n % 2 || n / 2 > cap)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "hex value of %zu digits does not fit %zu bytes", n, cap);
	for (i = 0; i < n / 2; i++) {
		int hi = rat_hex__digit(hex[2 * i]), lo = rat_hex__digit(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
					      "'%c%c' is not a hex byte", hex[2 * i], hex[2 * i + 1]);
		p[i] = (unsigned char)(hi << 4 | lo);
	}
	*len = n / 2;
	return 0;
}
