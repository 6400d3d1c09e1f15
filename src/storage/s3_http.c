/*
 * storage/s3_http.c - one S3 request over libcurl: SigV4 signing, retries
 * with exponential backoff, resumed downloads, and failure messages.
 *
 * Design: an attempt streams the request body from an rat_s3_source and a
 * 2xx response body into an rat_s3_sink; anything else (error documents,
 * small XML answers) lands in a capped buffer. A transient failure (a
 * dropped or refused connection, a timeout, 5xx, 429, S3's RequestTimeout)
 * is retried after backoff_ms * 2^(attempt-1) (halved at random, capped at
 * 30 s). A transfer during which nothing moves for stall_seconds (60) is a
 * timeout too. A GET cut in the middle asks for the rest with a Range from the
 * bytes already kept, pinned to the first answer's ETag with If-Match; a
 * server that answers the whole object again restarts the sink.
 *
 * Credentials only ever reach curl (CURLOPT_USERNAME/PASSWORD); messages are
 * built by rat_s3__fail(), which blanks the secret should a server echo it.
 */
#include "util/common.h"
#include "util/fs.h"
#include "util/buf.h"
#include "storage/s3_internal.h"
#include "storage/xml.h"

#include <errno.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define MAX_BACKOFF_MS 30000
#define CONNECT_TIMEOUT_MS 10000L

typedef struct attempt {
	rat_store *store;
	rat_s3_request *req;
	rat_s3_response *resp;
	bool resumed;           /* this attempt asks for the rest of a cut body */
	bool body_started;
	int error;              /* a failure of ours, not the network's */
	bool stalled;           /* aborted: nothing moved for stall_seconds */
	curl_off_t moved;       /* bytes sent + received at the last progress call */
	int64_t moved_at_ms;    /* when that count last changed */
} attempt;

/*
 * Masking is a net for a server that echoes the secret, not a guarantee:
 * it can only recognise the secret's own text. A secret of a few
 * characters (a test's "x") would blank every such letter of every message
 * and say nothing anyone could not guess, so under RAT_S3_MASK_MIN
 * characters nothing is masked. A longer one is masked where it stands
 * whole, between characters that are neither letters nor digits (or the
 * message's ends): the secret inside a longer word is another word.
 */
void rat_s3__mask(char *msg, const char *secret)
{
	size_t n = secret ? strlen(secret) : 0;
	char *at = msg, *hit;

	if (n < RAT_S3_MASK_MIN)
		return;
	while ((hit = strstr(at, secret)) != NULL) {
		bool before = hit > msg && isalnum((unsigned char)hit[-1]);
		bool after = isalnum((unsigned char)hit[n]);
		if (!before && !after)
			memset(hit, '*', n);
		at = hit + (before || after ? 1 : n);
	}
}

int rat_s3__fail(const rat_store *store, int code, const char *fmt, ...)
{
	const rat_s3 *s3 = store->backend_data;
	char msg[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (s3)
		rat_s3__mask(msg, s3->secret_key);
	return rat_error__set(code, code == RAT_EINVALID ? RAT_ERRCLASS_INVALID : RAT_ERRCLASS_OS,
			      "%s", msg);
}

char *rat_s3__unquote(const char *etag, size_t len)
{
	while (len > 0 && (etag[len - 1] == ' ' || etag[len - 1] == '\t'))
		len--;
	if (len >= 2 && etag[0] == '"' && etag[len - 1] == '"')
		return rat__strndup(etag + 1, len - 2);
	return rat__strndup(etag, len);
}

/* "Name: value\r\n" → value (trimmed) when the header is name. */
static bool header_value(const char *line, size_t len, const char *name, const char **value,
			 size_t *value_len)
{
	size_t n = strlen(name);
	const char *v, *end = line + len;

	if (len <= n || strncasecmp(line, name, n) != 0 || line[n] != ':')
		return false;
	for (v = line + n + 1; v < end && (*v == ' ' || *v == '\t'); v++)
		;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	*value = v;
	*value_len = (size_t)(end - v);
	return true;
}

static void reset_headers(rat_s3_response *resp)
{
	free(resp->etag);
	resp->etag = NULL;
	resp->has_length = false;
	resp->content_length = 0;
	resp->mtime_ms = 0;
}

static size_t on_header(char *line, size_t size, size_t count, void *userdata)
{
	attempt *a = userdata;
	rat_s3_response *resp = a->resp;
	size_t len = size * count, vlen;
	const char *v;
	char text[128];

	if (len > 5 && memcmp(line, "HTTP/", 5) == 0) {
		const char *sp = memchr(line, ' ', len);
		resp->status = sp ? strtol(sp + 1, NULL, 10) : 0;
		reset_headers(resp);
	} else if (header_value(line, len, "etag", &v, &vlen)) {
		free(resp->etag);
		if ((resp->etag = rat_s3__unquote(v, vlen)) == NULL) {
			a->error = RAT_ENOMEM;
			return 0;
		}
	} else if (header_value(line, len, "content-length", &v, &vlen) && vlen < sizeof(text)) {
		memcpy(text, v, vlen);
		text[vlen] = '\0';
		resp->content_length = strtoull(text, NULL, 10);
		resp->has_length = true;
	} else if (header_value(line, len, "last-modified", &v, &vlen) && vlen < sizeof(text)) {
		memcpy(text, v, vlen);
		text[vlen] = '\0';
		time_t t = curl_getdate(text, NULL);
		resp->mtime_ms = t == -1 ? 0 : (int64_t)t * 1000;
	}
	return len;
}

/* Drop what the sink kept: the server sent the whole body again. */
static int sink_restart(attempt *a)
{
	rat_s3_sink *sink = a->req->sink;

	sink->got = 0;
	if (sink->buf) {
		sink->buf->len = sink->base;
		return 0;
	}
	if (ftruncate(sink->fd, 0) < 0 || lseek(sink->fd, 0, SEEK_SET) < 0)
		return rat_error__os(RAT_EIO, "%s: restarting the download", a->req->key);
	return 0;
}

/* Fail an attempt with "<s3:// URL of the object>: <message>". */
static int attempt_fail(attempt *a, int code, const char *fmt, ...) RAT_PRINTF(3, 4);
static int attempt_fail(attempt *a, int code, const char *fmt, ...)
{
	char *url = rat_store__url(a->store, a->req->key), what[512];
	va_list ap;
	int error;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	error = rat_s3__fail(a->store, code, "%s: %s", url ? url : a->req->key, what);
	free(url);
	return error;
}

static int sink_write(attempt *a, const char *data, size_t len)
{
	rat_s3_sink *sink = a->req->sink;
	int error;

	if (len > sink->max || sink->got > sink->max - len)
		return attempt_fail(a, RAT_ETOOBIG, "object exceeds the %llu-byte limit",
				    (unsigned long long)sink->max);
	if (sink->buf && (error = rat_buf_put(sink->buf, data, len)) != 0)
		return error;
	if (!sink->buf && rat_fs__write_all(sink->fd, data, len) < 0)
		return rat_error__os(RAT_EIO, "writing the download of %s", a->req->key);
	sink->got += len;
	a->store->stats.bytes_in += len;
	return 0;
}

/* The first body bytes of a 2xx answer: check it is the part asked for. */
static int body_start(attempt *a)
{
	long status = a->resp->status;
	rat_s3_request *req = a->req;
	int error = 0;

	a->body_started = true;
	if (status != 206 && (req->ranged || a->resumed)) {
		if (req->ranged || status != 200)
			return attempt_fail(a, RAT_EIO, "the server ignored the Range header (%ld)",
					    status);
		error = sink_restart(a); /* resumed, but the whole object came */
	}
	if (a->resp->has_length)
		req->sink->expected = req->sink->got + a->resp->content_length;
	return error;
}

static size_t on_body(char *data, size_t size, size_t count, void *userdata)
{
	attempt *a = userdata;
	size_t len = size * count;
	long status = a->resp->status;
	rat_buf *body = &a->resp->body;

	if (status >= 200 && status < 300 && a->req->sink) {
		if ((!a->body_started && (a->error = body_start(a)) != 0) ||
		    (a->error = sink_write(a, data, len)) != 0)
			return 0;
		return len;
	}
	if (status >= 200 && status < 300) {
		if ((a->error = rat_buf_put(body, data, len)) != 0) {
			if (a->error == RAT_ETOOBIG)
				a->error = attempt_fail(a, RAT_ETOOBIG, "answer exceeds %zu bytes",
							body->max);
			return 0;
		}
		return len;
	}
	/* an error document: keep its start, drop the rest */
	if (body->len < RAT_S3_ERROR_MAX)
		rat__ignore(rat_buf_put(body, data, len < RAT_S3_ERROR_MAX - body->len
						   ? len : RAT_S3_ERROR_MAX - body->len));
	return len;
}

static size_t on_read(char *out, size_t size, size_t count, void *userdata)
{
	rat_s3_source *src = userdata;
	size_t want = size * count;
	uint64_t left = src->len - src->sent;
	ssize_t n;

	if (want > left)
		want = (size_t)left;
	if (want == 0)
		return 0;
	if (src->data) {
		memcpy(out, src->data + src->sent, want);
		n = (ssize_t)want;
	} else {
		while ((n = pread(src->fd, out, want, (off_t)(src->offset + src->sent))) < 0 &&
		       errno == EINTR)
			;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			src->error = rat_error__os(RAT_EIO, "reading %s", src->path);
			return CURL_READFUNC_ABORT;
		}
	}
	src->sent += (uint64_t)n;
	return (size_t)n;
}

static int on_seek(void *userdata, curl_off_t offset, int origin)
{
	rat_s3_source *src = userdata;

	if (origin != SEEK_SET || offset < 0 || (uint64_t)offset > src->len)
		return CURL_SEEKFUNC_CANTSEEK;
	src->sent = (uint64_t)offset;
	return CURL_SEEKFUNC_OK;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* How long an attempt may go without moving a byte. */
static int stall_seconds(const attempt *a)
{
	return a->req->stall_seconds > 0 ? a->req->stall_seconds : a->store->stall_seconds;
}

/* Abort a transfer that sent and received nothing for stall_seconds (retried as a timeout). */
static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	attempt *a = userdata;
	int64_t now = now_ms();

	if (dlnow + ulnow != a->moved || a->moved_at_ms == 0) {
		a->moved = dlnow + ulnow;
		a->moved_at_ms = now;
		return 0;
	}
	if (now - a->moved_at_ms < (int64_t)stall_seconds(a) * 1000)
		return 0;
	a->stalled = true;
	return 1;
}

static char *build_url(const rat_s3 *s3, const rat_s3_request *req)
{
	rat_buf url = RAT_BUF_INIT;
	int error = rat_buf_printf(&url, "%s/", s3->endpoint);

	if (!error)
		error = rat_s3__encode(&url, s3->bucket, false);
	if (!error && !req->bucket) {
		error = rat_buf_putc(&url, '/');
		if (!error && s3->prefix[0] && (error = rat_s3__encode(&url, s3->prefix, true)) == 0)
			error = rat_buf_putc(&url, '/');
		if (!error)
			error = rat_s3__encode(&url, req->key, true);
	}
	if (!error && req->query)
		error = rat_buf_printf(&url, "?%s", req->query);
	if (error) {
		rat_buf_free(&url);
		return NULL;
	}
	return rat_buf_detach(&url);
}

static int add_header(struct curl_slist **list, const char *fmt, ...) RAT_PRINTF(2, 3);
static int add_header(struct curl_slist **list, const char *fmt, ...)
{
	char line[512];
	struct curl_slist *next;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if ((next = curl_slist_append(*list, line)) == NULL)
		return rat_error__oom();
	*list = next;
	return 0;
}

static int build_headers(const attempt *a, struct curl_slist **list)
{
	const rat_s3_request *req = a->req;
	uint64_t got = req->sink ? req->sink->got : 0;
	int error;

	/* the payload is not hashed: S3 and the test servers take this value */
	if ((error = add_header(list, "x-amz-content-sha256: UNSIGNED-PAYLOAD")) != 0 ||
	    (error = add_header(list, "Expect:")) != 0)
		return error;
	if (req->ranged)
		error = add_header(list, "Range: bytes=%llu-%llu",
				   (unsigned long long)(req->range_start + got),
				   (unsigned long long)(req->range_start + req->range_len - 1));
	else if (a->resumed)
		error = add_header(list, "Range: bytes=%llu-", (unsigned long long)got);
	if (!error && a->resumed && a->resp->if_match && strlen(a->resp->if_match) < 400)
		error = add_header(list, "If-Match: \"%s\"", a->resp->if_match);
	if (!error && req->only_new)
		error = add_header(list, "If-None-Match: *");
	if (!error && req->content_type)
		error = add_header(list, "Content-Type: %s", req->content_type);
	return error;
}

static void set_method(CURL *curl, rat_s3_request *req)
{
	if (strcmp(req->method, "HEAD") == 0) {
		curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
	} else if (strcmp(req->method, "PUT") == 0) {
		curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE,
				 (curl_off_t)(req->body ? req->body->len : 0));
	} else if (strcmp(req->method, "POST") == 0) {
		curl_easy_setopt(curl, CURLOPT_POST, 1L);
		curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)(req->body ? req->body->len : 0));
	} else if (strcmp(req->method, "GET") != 0) {
		curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, req->method);
	}
	if (req->body) {
		req->body->sent = 0;
		curl_easy_setopt(curl, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(curl, CURLOPT_READDATA, req->body);
		curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, on_seek);
		curl_easy_setopt(curl, CURLOPT_SEEKDATA, req->body);
	} else if (strcmp(req->method, "POST") == 0) {
		curl_easy_setopt(curl, CURLOPT_POSTFIELDS, "");
	}
}

/* One attempt; *code is curl's verdict, the return value an error of ours. */
static int perform(attempt *a, CURLcode *code)
{
	rat_s3 *s3 = a->store->backend_data;
	CURL *curl = s3->curl;
	struct curl_slist *headers = NULL;
	char *url = build_url(s3, a->req);
	int error;

	if (!url)
		return RAT_ENOMEM;
	if ((error = build_headers(a, &headers)) != 0)
		goto cleanup;
	curl_easy_reset(curl);
	s3->curl_error[0] = '\0';
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, s3->curl_error);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(curl, CURLOPT_XFERINFODATA, a);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(curl, CURLOPT_HEADERDATA, a);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, a);
	if (s3->access_key) {
		curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, s3->sigv4);
		curl_easy_setopt(curl, CURLOPT_USERNAME, s3->access_key);
		curl_easy_setopt(curl, CURLOPT_PASSWORD, s3->secret_key);
	}
	set_method(curl, a->req);
	*code = curl_easy_perform(curl);
	if (*code == CURLE_ABORTED_BY_CALLBACK && a->stalled) {
		*code = CURLE_OPERATION_TIMEDOUT;
		snprintf(s3->curl_error, sizeof(s3->curl_error),
			 "transfer stalled: nothing sent or received for %d s", stall_seconds(a));
	}
	/* curl keeps pointers to the list and the URL: forget them before freeing */
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
	if (a->error)
		error = a->error;
	else if (a->req->body && a->req->body->error)
		error = a->req->body->error;
cleanup:
	curl_slist_free_all(headers);
	free(url);
	return error;
}

/*
 * S3's <Error> document in an answer's body: *doc (rat_xml__free()) and its
 * code and message, all NULL when the body is none (empty, cut at
 * RAT_S3_ERROR_MAX, or not XML: a proxy's page). Only RAT_ENOMEM fails.
 */
static int error_document(const rat_s3_response *resp, rat_xml **doc, const char **code,
			  const char **message)
{
	int error = rat_xml__parse(doc, resp->body.ptr, resp->body.len);

	rat_xml__is_error(*doc, code, message);
	return error == RAT_ENOMEM ? error : 0;
}

int rat_s3__answer(const rat_store *store, const rat_buf *body, const char *where,
		   const char *what, const char *root, rat_xml **doc)
{
	const char *code, *message;
	int error;

	if ((error = rat_xml__parse(doc, body->ptr, body->len)) != 0)
		return error == RAT_ENOMEM ? error
		       : rat_s3__fail(store, RAT_EIO, "%s: %s answer: %s", where, what,
				      rat_error_last()->message);
	if (rat_xml__is_error(*doc, &code, &message))
		error = rat_s3__fail(store, RAT_EIO, "%s: %s: %s: %s", where, what,
				     code ? code : "Error", message ? message : "");
	else if (root && strcmp(rat_xml__name(rat_xml__root(*doc)), root) != 0)
		error = rat_s3__fail(store, RAT_EIO, "%s: %s answer is <%s>, not <%s>", where, what,
				     rat_xml__name(rat_xml__root(*doc)), root);
	if (error) {
		rat_xml__free(*doc);
		*doc = NULL;
	}
	return error;
}

/* S3's 400 RequestTimeout: the client was too slow to send; worth another go. */
static bool is_request_timeout(const rat_s3_response *resp)
{
	rat_xml *doc = NULL;
	const char *code, *message;
	bool timeout = error_document(resp, &doc, &code, &message) == 0 && code &&
		       strcmp(code, "RequestTimeout") == 0;

	rat_xml__free(doc);
	return timeout;
}

static bool is_transient(CURLcode code, const rat_s3_response *resp)
{
	switch (code) {
	case CURLE_OK:
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_GOT_NOTHING:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
	case CURLE_SSL_CONNECT_ERROR:
		return true;
	default:
		return false;
	}
	if (resp->status >= 500 || resp->status == 429 || resp->status == 408)
		return true;
	return resp->status == 400 && is_request_timeout(resp);
}

static const char *reason(long status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 412: return "Precondition Failed";
	case 416: return "Range Not Satisfiable";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "HTTP error";
	}
}

static int status_error(rat_store *store, const rat_s3_request *req, const rat_s3_response *resp,
			const char *url, const char *lead)
{
	rat_xml *doc = NULL;
	const char *code_text, *message;
	int code = resp->status == 404 ? RAT_ENOTFOUND
		   : resp->status == 416 ? RAT_EINVALID : RAT_EIO;

	if (error_document(resp, &doc, &code_text, &message) != 0) {
		code = RAT_ENOMEM;
		goto cleanup;
	}
	if (req->only_new && resp->status == 412) {
		code = rat_s3__fail(store, RAT_EEXISTS, "%s: object already exists (412 %s)", url,
				    code_text ? code_text : "PreconditionFailed");
		goto cleanup;
	}
	code = rat_s3__fail(store, code, "%s: %s%ld %s%s%s", url, lead, resp->status,
			    code_text ? code_text : reason(resp->status),
			    message && message[0] ? ": " : "", message ? message : "");
cleanup:
	rat_xml__free(doc);
	return code;
}

static int report(rat_store *store, const rat_s3_request *req, const rat_s3_response *resp,
		  CURLcode code, int attempts)
{
	const rat_s3 *s3 = store->backend_data;
	char *url = rat_store__url(store, req->key);
	char lead[64] = "";
	int error;

	if (!url)
		return RAT_ENOMEM;
	if (attempts > 1)
		snprintf(lead, sizeof(lead), "%s failed after %d attempts: ", req->method, attempts);
	else if (code != CURLE_OK)
		snprintf(lead, sizeof(lead), "%s failed: ", req->method);
	if (code == CURLE_OK)
		error = status_error(store, req, resp, url, lead);
	else
		error = rat_s3__fail(store, RAT_EIO, "%s: %s%s (%s)", url, lead,
				     s3->curl_error[0] ? s3->curl_error : curl_easy_strerror(code),
				     s3->endpoint);
	free(url);
	return error;
}

static void backoff(rat_store *store, int attempt_no)
{
	rat_s3 *s3 = store->backend_data;
	long delay = store->backoff_ms;
	struct timespec ts;
	int i;

	for (i = 1; i < attempt_no && delay < MAX_BACKOFF_MS; i++)
		delay *= 2;
	if (delay > MAX_BACKOFF_MS)
		delay = MAX_BACKOFF_MS;
	delay = delay / 2 + (long)(rand_r(&s3->seed) % (unsigned long)(delay / 2 + 1));
	ts.tv_sec = delay / 1000;
	ts.tv_nsec = (delay % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void reset_response(rat_s3_response *resp)
{
	resp->status = 0;
	reset_headers(resp);
	rat_buf_clear(&resp->body);
	resp->body.max = RAT_S3_XML_MAX;
}

int rat_s3__request(rat_store *store, rat_s3_request *req, rat_s3_response *resp)
{
	CURLcode code = CURLE_OK;
	int attempt_no, error;

	if (req->counter)
		(*req->counter)++;
	for (attempt_no = 1;; attempt_no++) {
		attempt a = { store, req, resp, false, false, 0, false, 0, 0 };
		a.resumed = req->sink && req->sink->got > 0;
		reset_response(resp);
		if ((error = perform(&a, &code)) != 0)
			return error;
		bool answered = resp->status >= 200 && resp->status < 300;
		if (answered && req->sink && req->sink->expected &&
		    req->sink->got == req->sink->expected)
			code = CURLE_OK; /* all there: the connection failed after the last byte */
		if (answered && !resp->if_match && resp->etag &&
		    (resp->if_match = rat__strdup(resp->etag)) == NULL)
			return RAT_ENOMEM;
		if (answered && code == CURLE_OK) {
			store->stats.bytes_out += req->body ? req->body->len : 0;
			return 0;
		}
		if (!is_transient(code, resp) || attempt_no >= store->max_attempts)
			return report(store, req, resp, code, attempt_no);
		store->stats.retries++;
		backoff(store, attempt_no);
	}
}

void rat_s3__response_free(rat_s3_response *resp)
{
	reset_headers(resp);
	rat_buf_free(&resp->body);
	free(resp->if_match);
	resp->if_match = NULL;
}

int rat_s3__encode(rat_buf *out, const char *s, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	int error = 0;

	for (; *s && !error; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && keep_slash)) {
			error = rat_buf_putc(out, (char)c);
		} else {
			char esc[3] = { '%', hex[c >> 4], hex[c & 15] };
			error = rat_buf_put(out, esc, 3);
		}
	}
	return error;
}
