/*
 * server/webhooks.c - POST /api/v1/webhooks/{workspace}/{trigger}: a
 * webhook trigger fired by a call from outside (docs/orchestration.md). The
 * call needs no token: it is authentic when signed with the trigger's key
 * (rat_webhook_verify: the original's X-Webhook-Signature, Standard
 * Webhooks, or a bearer key for senders that cannot sign); anything else is
 * 401, and nothing runs. An accepted call is a tick of the trigger, recorded
 * in the ledger, and a run queued: the answer says its id
 * ({"status": "queued", "run_id", "tick"}, 202). An S3 or MinIO event
 * notification's object keys are kept in the tick's note.
 */
#include "server/server.h"

#include <stdlib.h>
#include <string.h>

/* The object keys of an S3/MinIO event notification ({"Records": [{"s3": {"object": {"key"}}}]}). */
static void event_keys(char *out, size_t len, const char *body)
{
	json_t *doc = json_loads(body, JSON_REJECT_DUPLICATES, NULL), *rec;
	size_t i, used = 0;

	out[0] = '\0';
	json_array_foreach(json_object_get(doc, "Records"), i, rec) {
		const char *key = json_string_value(
			json_object_get(json_object_get(json_object_get(rec, "s3"), "object"), "key"));

		if (key && used < len)
			used += (size_t)snprintf(out + used, len - used, "%s%s", used ? ", " : "key ", key);
	}
	json_decref(doc);
}

const rat_trigger_info *srv_trigger_find(rat_trigger_list *list, srv_workspace *w, const char *id,
					 const char *type, srv_response *res)
{
	size_t i;

	if (rat_trigger_list_get(list, w->ws) != 0) {
		srv_error(res, 503, "ServiceUnavailableException", "the triggers of %s cannot be loaded: %s",
			  w->name, rat_error_last()->message);
		return NULL;
	}
	for (i = 0; i < list->count; i++)
		if (!strcmp(list->items[i].id, id) && (!type || !strcmp(list->items[i].type, type)))
			return &list->items[i];
	srv_error(res, 404, "NotFoundException", "workspace %s has no %s%strigger %s (rat triggers lists them)",
		  w->name, type ? type : "", type ? " " : "", id);
	return NULL;
}

void srv_webhook(srv_request *r, srv_response *res, srv_context *ctx)
{
	rat_trigger_list list = { NULL, 0 };
	const rat_trigger_info *t;
	rat_webhook_call call;
	srv_workspace *w;
	char note[512], run_id[RAT_RUN_ID_MAX], why[512];
	int64_t tick = 0;
	int rc;

	if (r->nseg != 5) {
		srv_error(res, 404, "NotFoundException", "webhooks are POST /api/v1/webhooks/WORKSPACE/TRIGGER");
		return;
	}
	if (strcmp(r->method, "POST") != 0) {
		srv_error(res, 405, "BadRequestException", "a webhook takes POST");
		return;
	}
	if (!(w = srv_find_workspace(ctx, r->seg[3]))) {
		srv_error(res, 404, "NotFoundException", "no workspace %s is served", r->seg[3]);
		return;
	}
	if (!(t = srv_trigger_find(&list, w, r->seg[4], "webhook", res)))
		goto done;
	memset(&call, 0, sizeof(call));
	call.body = r->body;
	call.body_len = r->body_len;
	call.signature = srv_header(r, "X-Webhook-Signature");
	call.webhook_id = srv_header(r, "webhook-id");
	call.webhook_timestamp = srv_header(r, "webhook-timestamp");
	call.webhook_signature = srv_header(r, "webhook-signature");
	call.authorization = srv_header(r, "Authorization");
	call.now_ms = srv_real_ms();
	if ((rc = rat_webhook_verify(w->ws, t, &call)) != 0) {
		if (rc == RAT_EACCESS)
			srv_error(res, 401, "NotAuthorizedException", "%s", rat_error_last()->message);
		else
			srv_error(res, 503, "ServiceUnavailableException", "%s", rat_error_last()->message);
		goto done;
	}
	event_keys(note, sizeof(note), r->body);
	if (srv_orchestra_fire(ctx->orchestra, w, t, note, &tick, run_id, why, sizeof(why)) != 0) {
		srv_error(res, 503, "ServiceUnavailableException", "%s: the run could not be queued: %s",
			  t->id, why);
		goto done;
	}
	res->status = 202;
	res->body = json_pack("{s:s, s:s, s:s, s:I}", "status", "queued", "run_id", run_id, "trigger",
			      t->id, "tick_ms", (json_int_t)tick);
done:
	rat_trigger_list_free(&list);
}
