/*
 * schedule/alert.c - an event sent to the URLs of a workspace's `alerts:`
 * (rat/schedule.h, docs/orchestration.md "Alerts").
 *
 * The body is {"type", "timestamp", "workspace", "data"} (Standard Webhooks'
 * payload). With a secret, it is signed both ways a webhook of ours is
 * checked: X-Webhook-Signature: sha256=<hex of HMAC(body)> (the original
 * Ratatouille's) and Standard Webhooks' webhook-id / webhook-timestamp /
 * webhook-signature, so that a receiver written for either verifies it.
 * A target that does not answer, or answers 429 or 5xx, is tried again (the
 * same webhook-id: a receiver sees one message delivered more than once);
 * redirects are not followed. A URL is never said beyond its scheme and
 * host: hooks often carry their key in the path.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/mem.h"
#include "util/random.h"
#include "rat/schedule.h"
#include "config/config.h"
#include "schedule/schedule.h"
#include "storage/curl_api.h"
#include "workspace/workspace.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ATTEMPTS 3
#define CONNECT_TIMEOUT_MS 5000L
#define REQUEST_TIMEOUT_MS 10000L

/* "https://host" of url (its path, which may hold a key, left out). */
static void url_shown(char *out, size_t len, const char *url)
{
	const char *host = strstr(url, "://");
	size_t n = host ? (size_t)(host + 3 - url) + strcspn(host + 3, "/?#") : strlen(url);

	snprintf(out, len, "%.*s", (int)(n < 200 ? n : 200), url);
}

static bool wants(const rat_alert_config *a, const char *type)
{
	size_t i;

	for (i = 0; i < a->events.count; i++)
		if (strcmp(a->events.strings[i], type) == 0)
			return true;
	return a->events.count == 0;
}

static size_t discard(char *data, size_t size, size_t count, void *userdata)
{
	(void)data;
	(void)userdata;
	return size * count;
}

/* The signature headers of body under a's secret, appended to *headers. */
static int sign(struct curl_slist **headers, const rat_workspace *ws, const rat_alert_config *a,
		const char *id, const char *body)
{
	unsigned char key[RAT_SCHEDULE_KEY_MAX], mac[RAT_SHA256_SIZE];
	char what[300], ts[32], hex[2 * RAT_SHA256_SIZE + 1], b64[RAT_BASE64_SIZE(RAT_SHA256_SIZE)];
	char line[400], shown[256];
	size_t klen = 0;
	int error;

	url_shown(shown, sizeof(shown), a->url);
	snprintf(what, sizeof(what), "alert to %s", shown);
	if ((error = rat_schedule__key(ws, a->secret, what, key, &klen)) != 0)
		return error;
	snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
	if ((error = rat_sha256__hmac(key, klen, body, strlen(body), mac)) == 0)
		error = rat_schedule__standard_mac(b64, key, klen, id, ts, body, strlen(body));
	rat__wipe(key, sizeof(key));
	if (error)
		return error;
	rat_sha256__format(mac, hex);
	snprintf(line, sizeof(line), "X-Webhook-Signature: sha256=%s", hex);
	if (!(*headers = curl_slist_append(*headers, line)))
		return rat_error__oom();
	snprintf(line, sizeof(line), "webhook-timestamp: %s", ts);
	if (!(*headers = curl_slist_append(*headers, line)))
		return rat_error__oom();
	snprintf(line, sizeof(line), "webhook-signature: v1,%s", b64);
	if (!(*headers = curl_slist_append(*headers, line)))
		return rat_error__oom();
	return 0;
}

/* One POST of body to url: its HTTP status into *status (0: no answer, what curl said in why). */
static void post(CURL *curl, const char *url, struct curl_slist *headers, const char *body,
		long *status, char why[CURL_ERROR_SIZE])
{
	CURLcode code;

	why[0] = '\0';
	*status = 0;
	curl_easy_reset(curl);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, why);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, REQUEST_TIMEOUT_MS);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
	if ((code = curl_easy_perform(curl)) == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
	else if (!why[0])
		snprintf(why, CURL_ERROR_SIZE, "%s", curl_easy_strerror(code));
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, NULL);
}

/* Deliver body to a, ATTEMPTS times at most; 0 when it answered 2xx, else RAT_EIO saying why. */
static int deliver(CURL *curl, const rat_workspace *ws, const rat_alert_config *a, const char *body)
{
	struct curl_slist *headers = NULL;
	char id[64], line[128], shown[256], why[CURL_ERROR_SIZE];
	unsigned long long raw[2];
	long status = 0;
	int attempt, error;

	url_shown(shown, sizeof(shown), a->url);
	if ((error = rat_random__bytes(raw, sizeof(raw))) != 0)
		return error;
	snprintf(id, sizeof(id), "msg_%016llx%016llx", raw[0], raw[1]);
	snprintf(line, sizeof(line), "webhook-id: %s", id);
	if (!(headers = curl_slist_append(headers, "Content-Type: application/json")) ||
	    !(headers = curl_slist_append(headers, line)))
		error = rat_error__oom();
	snprintf(line, sizeof(line), "User-Agent: rat/%s", rat_version());
	if (!error && !(headers = curl_slist_append(headers, line)))
		error = rat_error__oom();
	if (!error && a->secret)
		error = sign(&headers, ws, a, id, body);
	for (attempt = 1; !error && attempt <= ATTEMPTS; attempt++) {
		struct timespec pause = { attempt == 1 ? 1 : 3, 0 };

		post(curl, a->url, headers, body, &status, why);
		if (status >= 200 && status < 300)
			break;
		if (status && status != 429 && status < 500)
			break; /* the receiver refused it: the same again would be refused */
		if (attempt < ATTEMPTS)
			nanosleep(&pause, NULL);
	}
	curl_slist_free_all(headers);
	if (error || (status >= 200 && status < 300))
		return error;
	if (status)
		return rat_error__set(RAT_EIO, RAT_ERRCLASS_OS, "%s answered %ld", shown, status);
	return rat_error__set(RAT_EIO, RAT_ERRCLASS_OS, "%s did not answer: %s", shown, why);
}

/* The event's body as JSON text (free()). */
static int body_of(char **out, const rat_workspace *ws, const char *type, const char *data_json,
		   int64_t now_ms)
{
	json_error_t jerr;
	json_t *data = json_loads(data_json ? data_json : "{}", 0, &jerr), *doc;
	char at[32];

	if (!data || !json_is_object(data)) {
		json_decref(data);
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "an alert's data is not a JSON object");
	}
	rat_time_format(at, sizeof(at), now_ms);
	doc = json_pack("{s:s, s:s, s:s, s:o}", "type", type, "timestamp", at, "workspace",
			rat_workspace_name(ws), "data", data);
	if (!doc || !(*out = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS))) {
		json_decref(doc);
		return rat_error__oom();
	}
	json_decref(doc);
	return 0;
}

int rat_alert_send(rat_alert_report *out, const rat_workspace *ws, const char *type,
		   const char *data_json, int64_t now_ms)
{
	const rat_alert_config *alerts;
	rat_buf failures = RAT_BUF_INIT;
	size_t count, i;
	char *body = NULL;
	CURL *curl = NULL;
	int error = 0, failed = 0;

	memset(out, 0, sizeof(*out));
	alerts = rat_workspace__alerts(ws, &count);
	for (i = 0; i < count; i++)
		out->targets += wants(&alerts[i], type);
	if (!out->targets)
		return 0;
	if ((error = body_of(&body, ws, type, data_json, now_ms)) != 0 ||
	    (error = rat_curl__start()) != 0)
		goto done;
	if (!(curl = curl_easy_init())) {
		error = rat_error__set(RAT_EIO, RAT_ERRCLASS_OS, "libcurl: no handle");
		goto done;
	}
	for (i = 0; i < count; i++) {
		if (!wants(&alerts[i], type))
			continue;
		if (deliver(curl, ws, &alerts[i], body) == 0) {
			out->delivered++;
		} else if (!failed++) {
			error = rat_buf_puts(&failures, rat_error_last()->message);
		} else if (!error) {
			error = rat_buf_printf(&failures, "; %s", rat_error_last()->message);
		}
	}
	if (!error && failed)
		error = rat_error__set(RAT_EIO, RAT_ERRCLASS_OS, "%s not delivered (%zu of %zu): %s", type,
				       out->targets - out->delivered, out->targets,
				       rat_buf_cstr(&failures));
done:
	if (curl)
		curl_easy_cleanup(curl);
	free(body);
	rat_buf_free(&failures);
	return error;
}
