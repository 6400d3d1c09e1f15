/*
 * util/base64.c - standard base64 (util/base64.h).
 */
#include "util/base64.h"

#include <string.h>

#include "util/error.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void rat_base64__encode(char *out, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i + 2 < len; i += 3, p += 3) {
		*out++ = alphabet[p[0] >> 2];
		*out++ = alphabet[(p[0] & 3) << 4 | p[1] >> 4];
		*out++ = alphabet[(p[1] & 15) << 2 | p[2] >> 6];
		*out++ = alphabet[p[2] & 63];
	}
	if (len - i == 1) {
		*out++ = alphabet[p[0] >> 2];
		*out++ = alphabet[(p[0] & 3) << 4];
		*out++ = '=';
		*out++ = '=';
	} else if (len - i == 2) {
		*out++ = alphabet[p[0] >> 2];
		*out++ = alphabet[(p[0] & 3) << 4 | p[1] >> 4];
		*out++ = alphabet[(p[1] & 15) << 2];
		*out++ = '=';
	}
	*out = '\0';
}

int rat_base64__decode(const char *text, void *out, size_t cap, size_t *len)
{
	unsigned char *o = out;
	size_t n = strlen(text), i, bits = 0;
	unsigned int acc = 0;

	*len = 0;
	while (n > 0 && text[n - 1] == '=')
		n--;
	if (n % 4 == 1)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "not base64: a bad length");
	for (i = 0; i < n; i++) {
		const char *at = text[i] ? strchr(alphabet, text[i]) : NULL;

		if (!at)
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
					      "not base64: '%c' at %zu", text[i], i);
		acc = acc << 6 | (unsigned int)(at - alphabet);
		if ((bits += 6) >= 8) {
			if (*len == cap)
				return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
						      "base64 of more than %zu bytes", cap);
			bits -= 8;
			o[(*len)++] = (unsigned char)(acc >> bits);
		}
	}
	return 0;
}
