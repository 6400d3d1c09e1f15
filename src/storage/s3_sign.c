/*
 * storage/s3_sign.c - AWS Signature Version 4 for one S3 request, computed
 * here (rat's own requests are signed by libcurl; this is for requests
 * others send: rat serve's remote signing, storage.h).
 *
 * The canonical request is the method, the path (each segment decoded, then
 * encoded with AWS's rules: unreserved characters and '/' kept), the query
 * (each name and value the same way, '/' encoded too, sorted), the signed
 * headers (host, every x-amz-*, content-md5, content-type and range that the
 * request has: names in lower case, values trimmed, inner runs of spaces
 * made one), their names, and the payload's hash (the request's
 * x-amz-content-sha256, else UNSIGNED-PAYLOAD, which S3 accepts).
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/hex.h"
#include "util/sha256.h"
#include "storage/storage.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct header {
	char *name;  /* lower case */
	char *value; /* trimmed, inner spaces collapsed */
} header;

/* s[0..n) percent-decoded, then encoded as SigV4 wants (keep_slash: '/' stays). */
static int aws_encode(rat_buf *out, const char *s, size_t n, bool keep_slash)
{
	size_t i;
	int error = 0;

	for (i = 0; !error && i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '%' && i + 2 < n && rat_hex__digit(s[i + 1]) >= 0 && rat_hex__digit(s[i + 2]) >= 0) {
			c = (unsigned char)(rat_hex__digit(s[i + 1]) * 16 + rat_hex__digit(s[i + 2]));
			i += 2;
		}
		if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
		    (c == '/' && keep_slash))
			error = rat_buf_putc(out, (char)c);
		else
			error = rat_buf_printf(out, "%%%02X", c);
	}
	return error;
}

static int by_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The canonical query string of query (after '?', without '#'), into out. */
static int canonical_query(rat_buf *out, const char *query)
{
	rat_strarray parts = { NULL, 0 };
	const char *p = query;
	size_t i;
	int error = 0;

	while (!error && p && *p) {
		size_t n = strcspn(p, "&"), k = strcspn(p, "=");
		rat_buf one = RAT_BUF_INIT;
		if (n > 0) {
			error = aws_encode(&one, p, k < n ? k : n, false);
			if (!error)
				error = rat_buf_putc(&one, '=');
			if (!error && k < n)
				error = aws_encode(&one, p + k + 1, n - k - 1, false);
			if (!error)
				error = rat_strarray__push(&parts, rat_buf_cstr(&one));
		}
		rat_buf_free(&one);
		p += n;
		if (*p == '&')
			p++;
	}
	if (parts.count > 1)
		qsort(parts.strings, parts.count, sizeof(*parts.strings), by_text);
	for (i = 0; !error && i < parts.count; i++)
		error = rat_buf_printf(out, "%s%s", i ? "&" : "", parts.strings[i]);
	rat_strarray_free(&parts);
	return error;
}

static bool signed_header(const char *name)
{
	return strcmp(name, "host") == 0 || strncmp(name, "x-amz-", 6) == 0 ||
	       strcmp(name, "content-md5") == 0 || strcmp(name, "content-type") == 0 ||
	       strcmp(name, "range") == 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const header *)a)->name, ((const header *)b)->name);
}

/* A header's value as SigV4 signs it: trimmed, runs of spaces made one. */
static char *clean_value(const char *v)
{
	char *out = malloc(strlen(v) + 1), *o = out;
	bool space = false;

	if (!out)
		return NULL;
	while (*v == ' ' || *v == '\t')
		v++;
	for (; *v; v++) {
		if (*v == ' ' || *v == '\t') {
			space = true;
			continue;
		}
		if (space && o > out)
			*o++ = ' ';
		space = false;
		*o++ = *v;
	}
	*o = '\0';
	return out;
}

static void hmac(const unsigned char *key, size_t key_len, const char *data,
		 unsigned char out[RAT_SHA256_SIZE], int *error)
{
	if (!*error)
		*error = rat_sha256__hmac(key, key_len, data, strlen(data), out);
}

/* The signature of string_to_sign with the signing key of secret, date8, region, "s3". */
static int signature(char hex[65], const char *secret, const char *date8, const char *region,
		     const char *string_to_sign)
{
	unsigned char k[RAT_SHA256_SIZE];
	char *first = rat__sprintf("AWS4%s", secret);
	int error = first ? 0 : rat_error__oom();

	if (!error)
		error = rat_sha256__hmac(first, strlen(first), date8, strlen(date8), k);
	hmac(k, sizeof(k), region, k, &error);
	hmac(k, sizeof(k), "s3", k, &error);
	hmac(k, sizeof(k), "aws4_request", k, &error);
	hmac(k, sizeof(k), string_to_sign, k, &error);
	if (!error)
		rat_sha256__format(k, hex);
	if (first)
		memset(first, 0, strlen(first));
	free(first);
	memset(k, 0, sizeof(k));
	return error;
}

/* Split url into host (with its port, as sent) and the path and query; NULL host: not a URL. */
static int split_url(const char *url, char **host, const char **path, const char **query)
{
	const char *p = strstr(url, "://"), *slash;

	*host = NULL;
	if (!p)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "'%s' is not a URL", url);
	p += 3;
	slash = p + strcspn(p, "/?#");
	if (slash == p)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "'%s' has no host", url);
	if ((*host = rat__strndup(p, (size_t)(slash - p))) == NULL)
		return RAT_ENOMEM;
	*path = *slash == '/' ? slash : "/";
	*query = strchr(slash, '?');
	*query = *query ? *query + 1 : "";
	return 0;
}

static void headers_free(header *h, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(h[i].name);
		free(h[i].value);
	}
	free(h);
}

/* The request's headers to sign, host first added, lower-cased and sorted. */
static int collect(header **out, size_t *count, const rat_s3_sign_request *r, const char *host,
		   const char *payload)
{
	header *h = rat__calloc(r->header_count + 3, sizeof(*h));
	bool has_host = false, has_payload = false;
	size_t i, j, n = 0;

	*out = h;
	*count = 0;
	if (!h)
		return RAT_ENOMEM;
	for (i = 0; i < r->header_count; i++) {
		char *name = rat__strdup(r->headers[2 * i]);
		if (!name)
			return RAT_ENOMEM;
		for (j = 0; name[j]; j++)
			name[j] = (char)tolower((unsigned char)name[j]);
		if (!signed_header(name) || strcmp(name, "x-amz-date") == 0) {
			free(name);
			continue;
		}
		has_host |= strcmp(name, "host") == 0;
		has_payload |= strcmp(name, "x-amz-content-sha256") == 0;
		h[n].name = name;
		h[n].value = clean_value(r->headers[2 * i + 1]);
		*count = ++n;
		if (!h[n - 1].value)
			return RAT_ENOMEM;
	}
	if (!has_host) {
		h[n].name = rat__strdup("host");
		h[n++].value = rat__strdup(host);
	}
	if (!has_payload) {
		h[n].name = rat__strdup("x-amz-content-sha256");
		h[n++].value = rat__strdup(payload);
	}
	h[n].name = rat__strdup("x-amz-date");
	h[n++].value = rat__strdup(r->amz_date);
	*count = n;
	for (i = 0; i < n; i++)
		if (!h[i].name || !h[i].value)
			return RAT_ENOMEM;
	qsort(h, n, sizeof(*h), by_name);
	for (i = 1; i < n; i++)
		if (strcmp(h[i].name, h[i - 1].name) == 0)
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
					      "the request has two %s headers", h[i].name);
	return 0;
}

/* What to send: the request's headers, the date, the payload hash, the signature. */
static int headers_out(rat_strarray *out, const rat_s3_sign_request *r, const header *h, size_t n,
		       const char *scope, const char *names, const char *sig)
{
	size_t i;
	int error = 0;

	for (i = 0; !error && i < r->header_count; i++) {
		if (strcasecmp(r->headers[2 * i], "authorization") == 0 ||
		    strcasecmp(r->headers[2 * i], "x-amz-date") == 0)
			continue;
		error = rat_strarray__push(out, r->headers[2 * i]);
		if (!error)
			error = rat_strarray__push(out, r->headers[2 * i + 1]);
	}
	for (i = 0; !error && i < n; i++) {
		bool given = false;
		size_t j;
		for (j = 0; j < r->header_count; j++)
			given |= strcasecmp(r->headers[2 * j], h[i].name) == 0;
		if (strcmp(h[i].name, "x-amz-date") == 0)
			given = false; /* the request's own (if any) was left out: this one */
		if (!given && strcmp(h[i].name, "host") != 0 &&
		    (error = rat_strarray__push(out, h[i].name)) == 0)
			error = rat_strarray__push(out, h[i].value);
	}
	if (!error)
		error = rat_strarray__push(out, "Authorization");
	if (!error) {
		char *auth = rat__sprintf("AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, "
					  "Signature=%s",
					  r->access_key, scope, names, sig);
		error = auth ? rat_strarray__push_owned(out, auth) : RAT_ENOMEM;
	}
	return error;
}

int rat_s3__sign(rat_strarray *out, const rat_s3_sign_request *r)
{
	rat_buf canon = RAT_BUF_INIT, to_sign = RAT_BUF_INIT, names = RAT_BUF_INIT;
	char date8[9], scope[160], hash[65], sig[65], *host = NULL;
	const char *path = "/", *query = "", *payload = "UNSIGNED-PAYLOAD";
	header *h = NULL;
	size_t i, n = 0;
	int error;

	out->strings = NULL;
	out->count = 0;
	if (strlen(r->amz_date) != 16 || r->amz_date[8] != 'T' || r->amz_date[15] != 'Z')
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "'%s' is not an x-amz-date (YYYYMMDDTHHMMSSZ)", r->amz_date);
	for (i = 0; i < r->header_count; i++)
		if (strcasecmp(r->headers[2 * i], "x-amz-content-sha256") == 0)
			payload = r->headers[2 * i + 1];
	memcpy(date8, r->amz_date, 8);
	date8[8] = '\0';
	snprintf(scope, sizeof(scope), "%s/%s/s3/aws4_request", date8, r->region);
	if ((error = split_url(r->url, &host, &path, &query)) != 0 ||
	    (error = collect(&h, &n, r, host, payload)) != 0)
		goto done;
	error = rat_buf_printf(&canon, "%s\n", r->method);
	if (!error)
		error = aws_encode(&canon, path, strcspn(path, "?#"), true);
	if (!error)
		error = rat_buf_putc(&canon, '\n');
	if (!error)
		error = canonical_query(&canon, query);
	if (!error)
		error = rat_buf_putc(&canon, '\n');
	for (i = 0; !error && i < n; i++) {
		error = rat_buf_printf(&canon, "%s:%s\n", h[i].name, h[i].value);
		if (!error)
			error = rat_buf_printf(&names, "%s%s", i ? ";" : "", h[i].name);
	}
	if (!error)
		error = rat_buf_printf(&canon, "\n%s\n%s", rat_buf_cstr(&names), payload);
	if (!error)
		error = rat_sha256__hex(canon.ptr, canon.len, hash);
	if (!error)
		error = rat_buf_printf(&to_sign, "AWS4-HMAC-SHA256\n%s\n%s\n%s", r->amz_date, scope,
				       hash);
	if (!error)
		error = signature(sig, r->secret_key, date8, r->region, rat_buf_cstr(&to_sign));
	if (!error)
		error = headers_out(out, r, h, n, scope, rat_buf_cstr(&names), sig);
done:
	if (error)
		rat_strarray_free(out);
	headers_free(h, n);
	free(host);
	rat_buf_free(&canon);
	rat_buf_free(&to_sign);
	rat_buf_free(&names);
	return error;
}
