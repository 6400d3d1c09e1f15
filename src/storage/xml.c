/*
 * storage/xml.c - locate elements in S3's XML answers, decode and escape
 * entities (see xml.h for why there is no tree).
 */
#include "util/common.h"
#include "util/buf.h"
#include "storage/xml.h"

#include <stdlib.h>
#include <string.h>

/* The first needle (n bytes) in [from, end), or NULL (memmem is not portable C). */
static const char *find_bytes(const char *from, const char *end, const char *needle, size_t n)
{
	const char *p = from;

	while (p < end && (size_t)(end - p) >= n &&
	       (p = memchr(p, needle[0], (size_t)(end - p) - n + 1)) != NULL) {
		if (memcmp(p, needle, n) == 0)
			return p;
		p++;
	}
	return NULL;
}

bool rat_xml__find(const char *doc, const char *end, const char *name, const char **inner,
		   const char **inner_end, const char **after)
{
	size_t n = strlen(name);
	const char *p = doc, *gt, *close;

	while ((p = find_bytes(p, end, "<", 1)) != NULL) {
		const char *q = p + 1;
		p = q;
		if ((size_t)(end - q) <= n || memcmp(q, name, n) != 0)
			continue;
		q += n;
		if (*q != '>' && *q != '/' && *q != ' ' && *q != '\t' && *q != '\r' && *q != '\n')
			continue;
		if ((gt = find_bytes(q, end, ">", 1)) == NULL)
			return false;
		if (gt[-1] == '/') { /* <Name/> */
			*inner = *inner_end = gt + 1;
			*after = gt + 1;
			return true;
		}
		for (close = gt + 1;; close += 2) {
			if ((close = find_bytes(close, end, "</", 2)) == NULL)
				return false;
			if ((size_t)(end - close) >= n + 3 && memcmp(close + 2, name, n) == 0 &&
			    close[2 + n] == '>')
				break;
		}
		*inner = gt + 1;
		*inner_end = close;
		*after = close + n + 3;
		return true;
	}
	return false;
}

/* Append code point cp as UTF-8; false if it is not a valid character. */
static bool put_utf8(rat_buf *out, unsigned long cp, int *error)
{
	char b[4];
	size_t n;

	if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return false;
	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xC0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3F));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		n = 3;
	} else {
		b[0] = (char)(0xF0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		n = 4;
	}
	*error = rat_buf_put(out, b, n);
	return true;
}

/* Decode the entity at s (after '&', up to ';' at semi); false if unknown. */
static bool put_entity(rat_buf *out, const char *s, const char *semi, int *error)
{
	static const struct { const char *name; char c; } named[] = {
		{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' }, { "apos", '\'' },
	};
	size_t n = (size_t)(semi - s), i;
	unsigned long cp = 0;

	for (i = 0; i < RAT_ARRAY_SIZE(named); i++)
		if (strlen(named[i].name) == n && memcmp(s, named[i].name, n) == 0) {
			*error = rat_buf_putc(out, named[i].c);
			return true;
		}
	if (n < 2 || s[0] != '#')
		return false;
	bool hex = s[1] == 'x' || s[1] == 'X';
	const char *d = s + (hex ? 2 : 1);
	if (d == semi || semi - d > 8)
		return false;
	for (; d < semi; d++) {
		int v = *d >= '0' && *d <= '9' ? *d - '0'
			: hex && *d >= 'a' && *d <= 'f' ? *d - 'a' + 10
			: hex && *d >= 'A' && *d <= 'F' ? *d - 'A' + 10 : -1;
		if (v < 0)
			return false;
		cp = cp * (hex ? 16 : 10) + (unsigned long)v;
	}
	return put_utf8(out, cp, error);
}

char *rat_xml__decode(const char *s, size_t n)
{
	rat_buf out = RAT_BUF_INIT;
	const char *end = s + n, *semi, *cend;
	int error = rat_buf_put(&out, "", 0);

	while (!error && s < end) {
		if (*s == '&' && (semi = find_bytes(s, end, ";", 1)) != NULL && semi - s <= 12 &&
		    put_entity(&out, s + 1, semi, &error)) {
			s = semi + 1;
		} else if (end - s >= 9 && memcmp(s, "<![CDATA[", 9) == 0 &&
			   (cend = find_bytes(s + 9, end, "]]>", 3)) != NULL) {
			error = rat_buf_put(&out, s + 9, (size_t)(cend - s - 9));
			s = cend + 3;
		} else {
			error = rat_buf_putc(&out, *s++);
		}
	}
	if (error) {
		rat_buf_free(&out);
		return NULL;
	}
	return rat_buf_detach(&out);
}

int rat_xml__text(const char *doc, const char *end, const char *name, char **out)
{
	const char *inner, *inner_end, *after;

	*out = NULL;
	if (!rat_xml__find(doc, end, name, &inner, &inner_end, &after))
		return 0;
	*out = rat_xml__decode(inner, (size_t)(inner_end - inner));
	return *out ? 0 : RAT_ENOMEM;
}

int rat_xml__escape(rat_buf *out, const char *s)
{
	int error = 0;

	for (; *s && !error; s++) {
		switch (*s) {
		case '&': error = rat_buf_puts(out, "&amp;"); break;
		case '<': error = rat_buf_puts(out, "&lt;"); break;
		case '>': error = rat_buf_puts(out, "&gt;"); break;
		case '"': error = rat_buf_puts(out, "&quot;"); break;
		case '\'': error = rat_buf_puts(out, "&apos;"); break;
		default: error = rat_buf_putc(out, *s); break;
		}
	}
	return error;
}
