/*
 * schedule/schedule.h - what the webhooks a server takes (webhook.c) and the
 * alerts it sends (alert.c) share: a key from the workspace's secrets, and
 * Standard Webhooks' signature.
 */
#ifndef RAT_SCHEDULE_SCHEDULE_H
#define RAT_SCHEDULE_SCHEDULE_H

#include "util/common.h"
#include "util/base64.h"
#include "util/sha256.h"
#include "rat/workspace.h"

#define RAT_SCHEDULE_KEY_MAX 1024

/**
 * The key held by ws's secret named secret into key (RAT_SCHEDULE_KEY_MAX
 * bytes), *len its length: a "whsec_" value is base64 (as Standard Webhooks
 * gives keys), any other its bytes. what names the user in messages
 * ("webhook bronze.x:hook"). RAT_ENOTFOUND when the secret is not set.
 * The caller wipes key.
 */
RAT_MUST_USE int rat_schedule__key(const rat_workspace *ws, const char *secret, const char *what,
				   unsigned char *key, size_t *len);
/** Standard Webhooks' signature of body, base64 of HMAC-SHA256("<id>.<timestamp>.<body>"), into out. */
RAT_MUST_USE int rat_schedule__standard_mac(char out[RAT_BASE64_SIZE(RAT_SHA256_SIZE)],
					    const unsigned char *key, size_t klen, const char *id,
					    const char *timestamp, const char *body, size_t body_len);

#endif
