/*
 * remote/http.c - JSON over HTTP to `rat serve` (remote.h).
 *
 * One libcurl handle per client, used by one request at a time (a lock:
 * a run's threads share their catalog). An attempt that gets no answer (the
 * server is down, restarting, or the connection broke) or a 5xx answer is
 * tried again after 100 ms, 200 ms, 400 ms, 800 ms (each halved at random),
 * then the last failure is said. An attempt gets 5 s to connect and 120 s in
 * all; one that connected and then timed out is not tried again (a server
 * that hangs is said once, not five times). A write carries one
 * Idempotency-Key over all its attempts: the server answers a retry of a
 * request it already carried out with that request's first answer instead
 * of doing it twice.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/random.h"
#include "storage/curl_api.h"
#include "remote/remote.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ATTEMPTS 5
#define BACKOFF_MS 100
#define CONNECT_TIMEOUT_MS 5000L
#define REQUEST_TIMEOUT_MS 120000L
#define BODY_MAX (64u << 20)

struct rat_remote {
	char *uri;   /* NESSIE_URI as given */
	char *root;  /* the server's root: uri without "/api/v2" */
	char *auth;  /* "Authorization: Bearer ..." or NULL */
	CURL *curl;
	pthread_mutex_t lock;
};

static int bad_uri(const char *uri, const char *why)
{
	return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
			      "NESSIE_URI='%.200s': %s (the server's Nessie API, as `rat serve` "
			      "prints it: http://HOST:PORT/api/v2)",
			      uri, why);
}

int rat_remote__open(rat_remote **out, const char *uri, const char *token)
{
	size_t n = strlen(uri);
	rat_remote *r;
	int error;

	*out = NULL;
	while (n && uri[n - 1] == '/')
		n--;
	if (!rat__str_has_prefix(uri, "http://") && !rat__str_has_prefix(uri, "https://"))
		return bad_uri(uri, "not an http:// or https:// address");
	if (n < 7 || strncmp(uri + n - 7, "/api/v2", 7) != 0)
		return bad_uri(uri, "it does not end in /api/v2 (rat speaks Nessie's API v2 only)");
	if (token && strpbrk(token, "\r\n"))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
				      "RAT_TOKEN holds a line break: it is not a token");
	if ((error = rat_curl__start()) != 0)
		return error;
	if ((r = rat__calloc(1, sizeof(*r))) == NULL)
		return RAT_ENOMEM;
	pthread_mutex_init(&r->lock, NULL);
	r->uri = rat__strdup(uri);
	r->root = rat__strndup(uri, n - 7);
	if (token && *token)
		r->auth = rat__sprintf("Authorization: Bearer %s", token);
	r->curl = curl_easy_init();
	if (!r->uri || !r->root || (token && *token && !r->auth) || !r->curl) {
		rat_remote__free(r);
		return rat_error__oom();
	}
	*out = r;
	return 0;
}

void rat_remote__free(rat_remote *r)
{
	if (!r)
		return;
	if (r->curl)
		curl_easy_cleanup(r->curl);
	if (r->auth)
		rat__wipe(r->auth, strlen(r->auth));
	free(r->auth);
	free(r->uri);
	free(r->root);
	pthread_mutex_destroy(&r->lock);
	free(r);
}

const char *rat_remote__uri(const rat_remote *r)
{
	return r->uri;
}

int rat_remote__segment(rat_buf *buf, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	int error = 0;

	for (; !error && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_' || c == '.' || c == '~' || c == '@')
			error = rat_buf_putc(buf, (char)c);
		else
			error = rat_buf_printf(buf, "%%%c%c", hex[c >> 4], hex[c & 15]);
	}
	return error;
}

/* One attempt's answer. */
typedef struct answer {
	rat_buf body;
	long status;   /* 0: none came */
	int error;     /* the body could not be kept (too big, no memory) */
	bool connected; /* the connection was made (a timeout then is the server's) */
	char curl_error[CURL_ERROR_SIZE];
	CURLcode code;
} answer;

static size_t on_body(char *data, size_t size, size_t count, void *userdata)
{
	answer *a = userdata;

	a->body.max = BODY_MAX;
	if ((a->error = rat_buf_put(&a->body, data, size * count)) != 0)
		return 0; /* curl stops: the error is said */
	return size * count;
}

static int perform(rat_remote *r, const char *method, const char *url, const char *body,
		   const char *idem, answer *a)
{
	struct curl_slist *headers = NULL, *h;
	char key[80];
	int error = 0;

	snprintf(key, sizeof(key), "Idempotency-Key: %s", idem);
	headers = curl_slist_append(NULL, "Accept: application/json");
	if (headers && body && (h = curl_slist_append(headers, "Content-Type: application/json")))
		headers = h;
	if (headers && r->auth && (h = curl_slist_append(headers, r->auth)))
		headers = h;
	if (headers && idem && (h = curl_slist_append(headers, key)))
		headers = h;
	if (!headers)
		return rat_error__oom();
	curl_easy_reset(r->curl);
	curl_easy_setopt(r->curl, CURLOPT_URL, url);
	curl_easy_setopt(r->curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(r->curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(r->curl, CURLOPT_ERRORBUFFER, a->curl_error);
	curl_easy_setopt(r->curl, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
	curl_easy_setopt(r->curl, CURLOPT_TIMEOUT_MS, REQUEST_TIMEOUT_MS);
	curl_easy_setopt(r->curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(r->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(r->curl, CURLOPT_WRITEDATA, a);
	curl_easy_setopt(r->curl, CURLOPT_CUSTOMREQUEST, method);
	if (body)
		curl_easy_setopt(r->curl, CURLOPT_POSTFIELDS, body);
	else if (strcmp(method, "GET") != 0)
		curl_easy_setopt(r->curl, CURLOPT_POSTFIELDS, "");
	a->code = curl_easy_perform(r->curl);
	if (a->code == CURLE_OK) {
		curl_easy_getinfo(r->curl, CURLINFO_RESPONSE_CODE, &a->status);
	} else if (a->code == CURLE_WRITE_ERROR && a->error) {
		error = a->error == RAT_ETOOBIG
				? rat_error__set(RAT_ETOOBIG, RAT_ERRCLASS_CATALOG,
						 "rat serve at %s answered %s %s with more than %u MB",
						 r->uri, method, url, BODY_MAX >> 20)
				: rat_error__oom();
	} else {
		double connect = 0;
		curl_easy_getinfo(r->curl, CURLINFO_CONNECT_TIME, &connect);
		a->connected = connect > 0;
	}
	curl_easy_setopt(r->curl, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(headers);
	return error;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* The error an answer says: its status mapped, the server's message (a NessieError's). */
static int answer_error(rat_remote *r, const char *method, const char *path, const answer *a,
			json_t *doc)
{
	const char *message = json_string_value(json_object_get(doc, "message"));
	const char *code = json_string_value(json_object_get(doc, "errorCode"));
	json_t *iceberg = json_object_get(doc, "error");
	int error = a->status == 404			? RAT_ENOTFOUND
		    : a->status == 401 || a->status == 403 ? RAT_EACCESS
		    : a->status == 400			? RAT_EINVALID
		    : a->status == 409			? RAT_ECONFLICT
							: RAT_EIO;

	if (!message && iceberg)
		message = json_string_value(json_object_get(iceberg, "message"));
	if (code && strcmp(code, "REFERENCE_ALREADY_EXISTS") == 0)
		error = RAT_EEXISTS;
	if (message)
		return rat_error__set(error, RAT_ERRCLASS_CATALOG, "%s", message);
	return rat_error__set(error, RAT_ERRCLASS_CATALOG,
			      "rat serve at %s answered %s %s with HTTP %ld and no error it explains",
			      r->uri, method, path, a->status);
}

/* Whether an attempt is worth another: no answer came, or a 5xx did. */
static bool transient(const answer *a)
{
	return a->status >= 500 || (a->status == 0 && a->code != CURLE_WRITE_ERROR &&
				    a->code != CURLE_UNSUPPORTED_PROTOCOL &&
				    a->code != CURLE_URL_MALFORMAT &&
				    !(a->code == CURLE_OPERATION_TIMEDOUT && a->connected));
}

/* Long: the attempts and their backoff, then one answer read: one loop, in one place. */
int rat_remote__call(rat_remote *r, const char *method, const char *path, json_t *body,
		     json_t **out)
{
	char *url = rat__sprintf("%s%s", r->root, path), *text = NULL, idem[37] = "";
	answer a;
	json_t *doc = NULL;
	int error = 0, attempt;
	long waited = 0;

	if (out)
		*out = NULL;
	memset(&a, 0, sizeof(a));
	if (!url || (body && (text = json_dumps(body, JSON_COMPACT)) == NULL)) {
		free(url);
		return rat_error__oom();
	}
	if (strcmp(method, "GET") != 0 && (error = rat_random__uuid(idem)) != 0)
		goto done;
	pthread_mutex_lock(&r->lock);
	for (attempt = 1; attempt <= ATTEMPTS; attempt++) {
		rat_buf_free(&a.body);
		memset(&a, 0, sizeof(a));
		if ((error = perform(r, method, url, text, idem[0] ? idem : NULL, &a)) != 0 ||
		    !transient(&a) || attempt == ATTEMPTS)
			break;
		long delay = (long)BACKOFF_MS << (attempt - 1);
		unsigned char coin = 0;
		if (rat_random__bytes(&coin, 1) == 0 && (coin & 1))
			delay /= 2;
		sleep_ms(delay);
		waited += delay;
	}
	pthread_mutex_unlock(&r->lock);
	if (error)
		goto done;
	if (a.status == 0) {
		error = rat_error__set(RAT_EIO, RAT_ERRCLASS_CATALOG,
				       "rat serve at %s does not answer (%s %s: %s; tried %d times "
				       "over %.1f s); nothing was changed here: start the server or "
				       "check NESSIE_URI",
				       r->uri, method, path,
				       a.curl_error[0] ? a.curl_error : curl_easy_strerror(a.code),
				       ATTEMPTS, (double)waited / 1000.0);
		goto done;
	}
	if (a.body.len && (doc = json_loadb(rat_buf_cstr(&a.body), a.body.len, 0, NULL)) == NULL &&
	    a.status >= 200 && a.status < 300) {
		error = rat_error__set(RAT_EIO, RAT_ERRCLASS_CATALOG,
				       "rat serve at %s answered %s %s with a body that is not JSON",
				       r->uri, method, path);
		goto done;
	}
	if (a.status < 200 || a.status >= 300)
		error = answer_error(r, method, path, &a, doc);
	if (out) {
		*out = doc;
		doc = NULL;
	}
done:
	json_decref(doc);
	rat_buf_free(&a.body);
	free(text);
	free(url);
	return error;
}

int rat_remote__request(const char *uri, const char *token, const char *method, const char *path,
			json_t *body, json_t **out)
{
	rat_remote *r = NULL;
	int error;

	if (out)
		*out = NULL;
	if ((error = rat_remote__open(&r, uri, token)) == 0)
		error = rat_remote__call(r, method, path, body, out);
	rat_remote__free(r);
	return error;
}
