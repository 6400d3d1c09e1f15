/*
 * schedule/webhook.c - whether a webhook call is authentic (rat/schedule.h):
 * the trigger's key from the workspace's secrets, an HMAC-SHA256 of what
 * the sender signed compared in constant time, Standard Webhooks'
 * timestamp window and replayed ids refused through the ledger.
 */
#include "util/common.h"
#include "util/base64.h"
#include "util/error.h"
#include "util/hex.h"
#include "util/mem.h"
#include "util/sha256.h"
#include "rat/schedule.h"
#include "schedule/schedule.h"
#include "secret/secret.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define KEY_MAX RAT_SCHEDULE_KEY_MAX
#define IDS_KEPT_MS (2 * RAT_WEBHOOK_TOLERANCE_MS) /* a replay older than this fails the window */

static int refused(const rat_trigger_info *t, const char *why)
{
	return rat_error__set(RAT_EACCESS, RAT_ERRCLASS_INVALID, "webhook %s: %s", t->id, why);
}

int rat_schedule__key(const rat_workspace *ws, const char *secret, const char *what,
		      unsigned char *key, size_t *len)
{
	rat_strarray loaded = RAT_STRARRAY_INIT;
	const char *value;
	int error;

	if ((error = rat_secret__load(&loaded, ws)) != 0)
		return error;
	if (!(value = rat_secret__value(&loaded, secret)) || !value[0]) {
		rat_strarray__free_wiped(&loaded);
		return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_CONFIG,
				      "%s: its secret %s is not set (rat secret set %s -w %s)", what,
				      secret, secret, rat_workspace_name(ws));
	}
	if (strncmp(value, "whsec_", 6) == 0)
		error = rat_base64__decode(value + 6, key, KEY_MAX, len);
	else if ((*len = strlen(value)) <= KEY_MAX)
		memcpy(key, value, *len);
	else
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG, "%s: a key of over %d bytes",
				       what, KEY_MAX);
	rat_strarray__free_wiped(&loaded);
	return error;
}

int rat_schedule__standard_mac(char out[RAT_BASE64_SIZE(RAT_SHA256_SIZE)], const unsigned char *key,
			       size_t klen, const char *id, const char *timestamp, const char *body,
			       size_t body_len)
{
	unsigned char mac[RAT_SHA256_SIZE];
	size_t head = strlen(id) + strlen(timestamp) + 2;
	char *signed_text;
	int error;

	if (!(signed_text = rat__malloc(head + body_len + 1)))
		return RAT_ENOMEM;
	snprintf(signed_text, head + 1, "%s.%s.", id, timestamp);
	memcpy(signed_text + head, body, body_len);
	error = rat_sha256__hmac(key, klen, signed_text, head + body_len, mac);
	free(signed_text);
	if (!error)
		rat_base64__encode(out, mac, sizeof(mac));
	return error;
}

/* The original's X-Webhook-Signature: sha256=<hex> of the body. */
static int original(const rat_trigger_info *t, const rat_webhook_call *c, const unsigned char *key,
		    size_t klen)
{
	unsigned char mac[RAT_SHA256_SIZE], got[RAT_SHA256_SIZE];
	size_t n = 0;
	int error;

	if (strncasecmp(c->signature, "sha256=", 7) != 0 ||
	    rat_hex__decode(c->signature + 7, got, sizeof(got), &n) != 0 || n != sizeof(got))
		return refused(t, "X-Webhook-Signature is not sha256=<64 hex digits>");
	if ((error = rat_sha256__hmac(key, klen, c->body, c->body_len, mac)) != 0)
		return error;
	return rat__equal_ct(mac, got, sizeof(mac)) ? 0 : refused(t, "the signature does not match");
}

/* Standard Webhooks: v1,<base64> of HMAC("<id>.<timestamp>.<body>"), in its window, once. */
static int standard(const rat_workspace *ws, const rat_trigger_info *t, const rat_webhook_call *c,
		    const unsigned char *key, size_t klen)
{
	char want[RAT_BASE64_SIZE(RAT_SHA256_SIZE)], *end;
	const char *p;
	long long ts = strtoll(c->webhook_timestamp, &end, 10);
	int error, matched = 0, fresh = 0;

	if (*end || end == c->webhook_timestamp)
		return refused(t, "webhook-timestamp is not a number of seconds");
	if (llabs(ts * 1000 - c->now_ms) > RAT_WEBHOOK_TOLERANCE_MS)
		return refused(t, "webhook-timestamp is more than 5 minutes away from now");
	if (!c->webhook_id[0] || strlen(c->webhook_id) > 256)
		return refused(t, "webhook-id is empty or too long");
	if ((error = rat_schedule__standard_mac(want, key, klen, c->webhook_id, c->webhook_timestamp,
						c->body, c->body_len)) != 0)
		return error;
	for (p = c->webhook_signature; *p;) { /* "v1,<sig> v1,<sig>": any one of them */
		size_t n = strcspn(p, " ");

		if (n == 3 + strlen(want) && strncmp(p, "v1,", 3) == 0)
			matched |= rat__equal_ct(p + 3, want, strlen(want));
		p += n;
		p += strspn(p, " ");
	}
	if (!matched)
		return refused(t, "no webhook-signature matches");
	if ((error = rat_trigger_seen_prune(ws, t->id, c->now_ms - IDS_KEPT_MS)) != 0 ||
	    (error = rat_trigger_seen(ws, t->id, c->webhook_id, "webhook-id", c->now_ms, &fresh)) != 0)
		return error;
	return fresh ? 0 : refused(t, "this webhook-id was taken already (a replay)");
}

static int bearer(const rat_trigger_info *t, const rat_webhook_call *c, const unsigned char *key,
		  size_t klen)
{
	const char *given = c->authorization;

	if (!given)
		return refused(t, "no Authorization");
	if (strncasecmp(given, "Bearer ", 7) == 0)
		given += 7;
	if (strlen(given) != klen || !rat__equal_ct(given, key, klen))
		return refused(t, "Authorization does not hold the webhook's key");
	return 0;
}

int rat_webhook_verify(const rat_workspace *ws, const rat_trigger_info *t, const rat_webhook_call *c)
{
	unsigned char key[KEY_MAX];
	char what[600];
	size_t klen = 0;
	int error;

	if (!t || strcmp(t->type, "webhook") != 0)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "not a webhook trigger");
	snprintf(what, sizeof(what), "webhook %s", t->id);
	if ((error = rat_schedule__key(ws, t->secret, what, key, &klen)) != 0)
		return error;
	if (t->bearer)
		error = bearer(t, c, key, klen);
	else if (c->webhook_id && c->webhook_timestamp && c->webhook_signature)
		error = standard(ws, t, c, key, klen);
	else if (c->signature)
		error = original(t, c, key, klen);
	else
		error = refused(t, "not signed (X-Webhook-Signature, or Standard Webhooks' webhook-id, "
				   "webhook-timestamp and webhook-signature)");
	rat__wipe(key, sizeof(key));
	return error;
}
