/*
 * workspace/s3sign.c - remote signing (rat/workspace.h:
 * rat_workspace_s3_sign): a request another program makes on the
 * workspace's S3 storage, signed with the workspace's keys, which never leave
 * the process. Only requests on the workspace's own part of the bucket are
 * signed: an object under <warehouse>/<storage prefix>/, or a listing of a
 * prefix under it; a read-only caller gets GET and HEAD only.
 */
#include "util/common.h"
#include "util/error.h"
#include "util/hex.h"
#include "rat/workspace.h"
#include "storage/storage.h"
#include "workspace/tables.h"
#include "workspace/workspace.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* s[0..n) percent-decoded; NULL on a bad escape or a NUL byte. */
static char *decoded(const char *s, size_t n)
{
	char *out = malloc(n + 1), *o = out;
	size_t i;

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		if (s[i] != '%') {
			*o++ = s[i];
			continue;
		}
		if (i + 2 >= n || rat_hex__digit(s[i + 1]) < 0 || rat_hex__digit(s[i + 2]) < 0 ||
		    (s[i + 1] == '0' && s[i + 2] == '0')) {
			free(out);
			return NULL;
		}
		*o++ = (char)(rat_hex__digit(s[i + 1]) * 16 + rat_hex__digit(s[i + 2]));
		i += 2;
	}
	*o = '\0';
	return out;
}

/* Whether key lies under root (which ends with '/'), with no "." or ".." part. */
static bool under(const char *key, const char *root)
{
	const char *p;
	size_t n = strlen(root);

	if (strncmp(key, root, n) != 0)
		return false;
	for (p = key; *p;) {
		size_t len = strcspn(p, "/");
		if ((len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += len;
		if (*p == '/')
			p++;
	}
	return true;
}

/* A query parameter's decoded value (free()); NULL when absent. present: whether it is there. */
static char *query_param(const char *query, const char *name, bool *present)
{
	size_t len = strlen(name);
	const char *p = query;

	*present = false;
	while (p && *p) {
		size_t n = strcspn(p, "&");
		if (strncmp(p, name, len) == 0 && (p[len] == '=' || p[len] == '&' || p[len] == '\0')) {
			*present = true;
			return p[len] == '=' ? decoded(p + len + 1, n - len - 1) : NULL;
		}
		p += n;
		if (*p == '&')
			p++;
	}
	return NULL;
}

/*
 * The bucket and the object key (decoded) url names on endpoint: path-style
 * (endpoint/bucket/key) or virtual-hosted (scheme://bucket.host/key).
 */
static int locate(char **key, const char **query, const char *url, const char *endpoint,
		  const char *bucket)
{
	size_t n = strlen(endpoint), b = strlen(bucket);
	const char *scheme_end = strstr(endpoint, "://"), *rest = NULL;

	*key = NULL;
	while (n > 0 && endpoint[n - 1] == '/')
		n--;
	if (strncmp(url, endpoint, n) == 0 && url[n] == '/' && strncmp(url + n + 1, bucket, b) == 0 &&
	    (url[n + 1 + b] == '/' || url[n + 1 + b] == '?' || url[n + 1 + b] == '\0')) {
		rest = url + n + 1 + b; /* path-style */
	} else if (scheme_end) {
		size_t s = (size_t)(scheme_end - endpoint) + 3;
		if (strncmp(url, endpoint, s) == 0 && strncmp(url + s, bucket, b) == 0 &&
		    url[s + b] == '.' && strncmp(url + s + b + 1, endpoint + s, n - s) == 0)
			rest = url + s + b + 1 + (n - s); /* virtual-hosted */
	}
	if (!rest || (*rest && *rest != '/' && *rest != '?'))
		return rat_error__set(RAT_EACCESS, RAT_ERRCLASS_WORKSPACE,
				      "%s is not on the workspace's bucket %s at %.*s", url, bucket,
				      (int)n, endpoint);
	if (*rest == '/')
		rest++;
	*query = strchr(rest, '?');
	if ((*key = decoded(rest, *query ? (size_t)(*query - rest) : strlen(rest))) == NULL)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
				      "%s has a bad percent-escape", url);
	*query = *query ? *query + 1 : "";
	return 0;
}

/* Whether the request (on key, with query) stays in root; RAT_EACCESS naming why not. */
static int check_scope(const char *method, const char *key, const char *query, const char *root,
		       int read_only)
{
	bool is_read = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0, present;
	char *prefix;
	int error = 0;

	if (read_only && !is_read)
		return rat_error__set(RAT_EACCESS, RAT_ERRCLASS_WORKSPACE,
				      "the token is read-only: %s is not signed", method);
	free(query_param(query, "delete", &present));
	if (present)
		return rat_error__set(RAT_EACCESS, RAT_ERRCLASS_WORKSPACE,
				      "a multi-object delete is not signed (its keys are in its "
				      "body); delete objects one by one");
	if (*key) {
		if (!under(key, root))
			error = rat_error__set(RAT_EACCESS, RAT_ERRCLASS_WORKSPACE,
					       "%s is outside the workspace's storage %s", key, root);
		return error;
	}
	/* the bucket itself: a listing of a prefix under root, nothing else */
	prefix = query_param(query, "prefix", &present);
	if (strcmp(method, "GET") != 0 || !prefix || !under(prefix, root))
		error = rat_error__set(RAT_EACCESS, RAT_ERRCLASS_WORKSPACE,
				       "only a listing under the workspace's storage %s is signed on "
				       "the bucket",
				       root);
	free(prefix);
	return error;
}

int rat_workspace_s3_sign(rat_strarray *out, const rat_workspace *ws, const char *method,
			  const char *url, const char *const *headers, size_t header_count,
			  int read_only)
{
	const char *warehouse = rat_workspace_warehouse(ws), *bucket_end, *query = "";
	rat_store_options opts;
	rat_s3_sign_request r;
	char *bucket = NULL, *root = NULL, *key = NULL, date[20];
	struct tm tm;
	time_t now;
	int error;

	out->strings = NULL;
	out->count = 0;
	if (strncmp(warehouse, "s3://", 5) != 0)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
				      "workspace %s's warehouse %s is not on S3: nothing to sign",
				      rat_workspace_name(ws), warehouse);
	rat_workspace__store_options(ws, &opts);
	if (!opts.access_key || !opts.secret_key || !opts.endpoint)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
				      "workspace %s has no S3 keys to sign with",
				      rat_workspace_name(ws));
	bucket_end = warehouse + 5 + strcspn(warehouse + 5, "/");
	bucket = rat__strndup(warehouse + 5, (size_t)(bucket_end - warehouse - 5));
	root = rat__sprintf("%s%s%s/", *bucket_end ? bucket_end + 1 : "", *bucket_end ? "/" : "",
			    rat_workspace_s3_prefix(ws));
	if (!bucket || !root) {
		error = RAT_ENOMEM;
		goto done;
	}
	if ((error = locate(&key, &query, url, opts.endpoint, bucket)) != 0 ||
	    (error = check_scope(method, key, query, root, read_only)) != 0)
		goto done;
	now = time(NULL); /* S3 checks the date against its clock: never RAT_NOW's */
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%Y%m%dT%H%M%SZ", &tm);
	memset(&r, 0, sizeof(r));
	r.method = method;
	r.url = url;
	r.headers = headers;
	r.header_count = header_count;
	r.region = opts.region ? opts.region : "us-east-1";
	r.access_key = opts.access_key;
	r.secret_key = opts.secret_key;
	r.amz_date = date;
	error = rat_s3__sign(out, &r);
done:
	free(bucket);
	free(root);
	free(key);
	return error;
}
