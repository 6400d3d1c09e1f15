/*
 * server/rat_api.c - rat's own API under /rat/v1 (docs/serve.md, "rat's
 * API"): what Nessie has no model of, for `rat` working against this
 * server (NESSIE_URI). Errors are NessieError bodies, as under /api/v2.
 *
 *   GET /rat/v1/workspace   the workspace the token acts for, as this
 *                           server's copy of it says: name, branch, the
 *                           branches it claims, storage prefix. A client
 *                           checks its own copy against it before it
 *                           commits anything.
 *   GET /rat/v1/products[?owner=O&name=N]                the product registry
 *   POST /rat/v1/products/{owner}/{name}/versions        a version published
 *   PUT|DELETE /rat/v1/products/{owner}/{name}/access/{pattern}
 *                                                        a rule granted, revoked
 *   GET /rat/v1/runs[?limit=N&status=S&trigger=T]        run records, newest first
 *   GET /rat/v1/runs/{id}                                one (an id's unique prefix);
 *                                                        a run still waiting: its status
 *   PUT /rat/v1/runs/{id}                                a run's record saved
 *   POST /rat/v1/runs {"select": [...]}                  a run asked for: queued, its id
 *   POST /rat/v1/runs {"trigger": "<id>"}                a trigger fired now: its run's id
 *   POST /rat/v1/runs/{id}/cancel                        a run stopped (nothing published)
 *   POST /rat/v1/runs/{id}/rerun                         its failed and unrun pipelines again
 *   GET /rat/v1/runs/{id}/events                         its progress, live (server-sent events)
 *   GET /rat/v1/tokens                                   the workspace's tokens
 *   POST /rat/v1/tokens                                  one made: its text, once
 *   DELETE /rat/v1/tokens/{id}                           one of them revoked
 *
 * A product is published by its owner only, its rules changed by who
 * administers it (rat_product_grant's rules); a read-only token changes
 * nothing. Writes take an Idempotency-Key, answered once from memory.
 */
#include "server/server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void workspace(srv_request *r, srv_response *res)
{
	const rat_workspace *ws = r->who->ws;
	const char *spec = rat_workspace_branch_spec(ws);
	bool prefix = strcmp(spec, "auto") == 0 || strcmp(spec, "git") == 0 ||
		      strncmp(spec, "git:", 4) == 0;

	res->status = 200;
	res->body = json_pack("{s:i, s:s, s:s, s:s, s:s, s:b, s:s, s:b}", "apiVersion", 1, "name",
			      r->who->name, "branch", rat_workspace_branch(ws), "branchSpec", spec,
			      "branchClaim",
			      !prefix ? rat_workspace_branch(ws) : strncmp(spec, "git:", 4) == 0
									 ? spec + 4
									 : "",
			      "branchIsPrefix", prefix, "prefix", rat_workspace_s3_prefix(ws),
			      "readOnly", r->read_only);
}

static void products_list(srv_request *r, srv_response *res)
{
	char *owner = srv_query(r, "owner"), *name = srv_query(r, "name"), *json = NULL;
	int error = rat_product_registry_get(&json, r->who->ws, owner, name);

	if (error) {
		srv_lib_error(res, error);
	} else {
		res->status = 200;
		res->raw = json;
	}
	free(owner);
	free(name);
}

/* /rat/v1/products/{owner}/{name}/...: a version recorded, a rule granted or revoked. */
static void product_write(srv_request *r, srv_response *res)
{
	char product[512];
	json_t *body = NULL;
	const char *level;
	int error = 0;

	snprintf(product, sizeof(product), "%s/%s", r->seg[3], r->seg[4]);
	if (r->read_only) {
		srv_error(res, 403, "FORBIDDEN", "the token is read-only: it may not change products");
		return;
	}
	if (r->nseg == 6 && srv_is(r->seg[5], "versions") && srv_is(r->method, "POST")) {
		error = rat_product_version_record(r->who->ws, r->body);
	} else if (r->nseg == 7 && srv_is(r->seg[5], "access") && srv_is(r->method, "PUT")) {
		body = json_loadb(r->body, r->body_len, 0, NULL);
		if ((level = json_string_value(json_object_get(body, "level"))) == NULL) {
			json_decref(body);
			srv_error(res, 400, "BAD_REQUEST", "the body is {\"level\": \"read\"|\"write\"|"
				  "\"admin\"}");
			return;
		}
		error = rat_product_grant(r->who->ws, product, r->seg[6], level);
		json_decref(body);
	} else if (r->nseg == 7 && srv_is(r->seg[5], "access") && srv_is(r->method, "DELETE")) {
		error = rat_product_revoke(r->who->ws, product, r->seg[6]);
	} else {
		srv_error(res, 405, "BAD_REQUEST", "%s is not taken on this path", r->method);
		return;
	}
	if (error) {
		srv_lib_error(res, error);
		return;
	}
	res->status = 200;
	res->body = json_pack("{s:s}", "product", product);
}

static void products(srv_request *r, srv_response *res, srv_context *ctx)
{
	const char *key = srv_header(r, "Idempotency-Key");

	if (r->nseg == 3) {
		srv_is(r->method, "GET") ? products_list(r, res)
					 : srv_error(res, 405, "BAD_REQUEST", "products takes GET");
		return;
	}
	if (r->nseg < 6) {
		srv_error(res, 404, "BAD_REQUEST", "no such path under /rat/v1/products");
		return;
	}
	if (key && srv_idem_start(ctx, r, key, res) != 0)
		return; /* replayed or refused */
	product_write(r, res);
	if (key) {
		srv_as_nessie_error(res);
		srv_idem_end(ctx->idem, r->who->name, key, res);
	}
}

/* A run as the answer's body (a record's JSON, sent as it is). */
static void run_body(srv_response *res, const rat_run_info *run)
{
	char *json = NULL;
	int error = rat_run_info_json(&json, run);

	if (error) {
		srv_lib_error(res, error);
		return;
	}
	res->status = 200;
	res->body = json_loads(json, 0, NULL);
	rat_free(json);
}

/* Whether run matches the list's filters: its status, and a trigger id (its ticks') or "api". */
static bool wanted(const rat_run_info *run, const char *status, const char *trigger)
{
	size_t n = trigger ? strlen(trigger) : 0;

	if (status && strcmp(run->status, status) != 0)
		return false;
	return !trigger || (!strncmp(run->trigger, trigger, n) &&
			    (run->trigger[n] == '\0' || run->trigger[n] == '@'));
}

static void runs_list(srv_request *r, srv_response *res)
{
	char *limit = srv_query(r, "limit"), *end = NULL;
	char *status = srv_query(r, "status"), *trigger = srv_query(r, "trigger");
	long n = limit ? strtol(limit, &end, 10) : 50;
	rat_run_list list = { NULL, 0 };
	json_t *runs;
	size_t i;
	int error;

	if (limit && (!*limit || *end || n < 0)) {
		srv_error(res, 400, "BAD_REQUEST", "limit is a number (0: every run)");
		goto done;
	}
	/* with a filter, the limit counts the runs it keeps */
	if ((error = rat_run_list_get(&list, r->who->ws, status || trigger ? 0 : (size_t)n)) != 0) {
		srv_lib_error(res, error);
		goto done;
	}
	runs = json_array();
	for (i = 0; i < list.count && (n == 0 || json_array_size(runs) < (size_t)n); i++) {
		srv_response one = { 0 };

		if (!wanted(list.items[i], status, trigger))
			continue;
		run_body(&one, list.items[i]);
		if (one.body)
			json_array_append_new(runs, one.body);
	}
	rat_run_list_free(&list);
	res->status = 200;
	res->body = json_pack("{s:o}", "runs", runs);
done:
	free(limit);
	free(status);
	free(trigger);
}

/* POST /rat/v1/runs {"trigger": "<id>"}: the trigger fired now (rat trigger NAME). */
static void trigger_ask(srv_request *r, srv_response *res, srv_context *ctx, const char *id)
{
	rat_trigger_list list;
	const rat_trigger_info *t;
	char run_id[RAT_RUN_ID_MAX], why[256];
	int64_t tick = 0;

	t = srv_trigger_find(&list, r->who, id, NULL, res); /* NULL: res says why */
	if (t && srv_orchestra_fire(ctx->orchestra, r->who, t, "asked through the API", &tick, run_id,
				    why, sizeof(why)) != 0)
		srv_error(res, 503, "UNAVAILABLE", "%s", why);
	else if (t) {
		res->status = 202;
		res->body = json_pack("{s:s, s:s, s:s, s:I}", "status", "queued", "run_id", run_id,
				      "trigger", id, "tick_ms", (json_int_t)tick);
	}
	rat_trigger_list_free(&list);
}

/* POST /rat/v1/runs {"select": ["silver.orders+"]}: a run queued (202), its id. */
static void run_ask(srv_request *r, srv_response *res, srv_context *ctx)
{
	json_t *body = json_loads(r->body, 0, NULL), *select = json_object_get(body, "select"), *v;
	json_t *trigger = json_object_get(body, "trigger");
	const char **sel = NULL;
	char run_id[RAT_RUN_ID_MAX], why[256];
	size_t i, n = 0;

	if (!body || !json_is_object(body) || (select && !json_is_array(select)) ||
	    (trigger && (!json_is_string(trigger) || select))) {
		srv_error(res, 400, "BAD_REQUEST", "the body is {\"select\": [\"layer.name+\", ...]} (no select: every pipeline), or {\"trigger\": \"<id>\"}");
		goto done;
	}
	if (trigger) {
		trigger_ask(r, res, ctx, json_string_value(trigger));
		goto done;
	}
	if (!(sel = calloc(json_array_size(select) + 1, sizeof(*sel)))) {
		srv_error(res, 500, "INTERNAL", "out of memory");
		goto done;
	}
	json_array_foreach(select, i, v) {
		if (!json_is_string(v) || !json_string_length(v)) {
			srv_error(res, 400, "BAD_REQUEST", "select holds selectors, as rat run takes them");
			goto done;
		}
		sel[n++] = json_string_value(v);
	}
	if (srv_orchestra_run(ctx->orchestra, r->who, sel, n, "api", run_id, why, sizeof(why)) != 0) {
		srv_error(res, 503, "UNAVAILABLE", "%s", why);
		goto done;
	}
	res->status = 202;
	res->body = json_pack("{s:s, s:s}", "status", "queued", "run_id", run_id);
done:
	free(sel);
	json_decref(body);
}

/* POST /rat/v1/runs/{id}/rerun: the pipelines of run id that failed or did not run, again. */
static void run_again(srv_request *r, srv_response *res, srv_context *ctx, const rat_run_info *run)
{
	const char **sel = calloc(run->step_count + 1, sizeof(*sel));
	char run_id[RAT_RUN_ID_MAX], why[256];
	size_t i, n = 0;

	for (i = 0; sel && i < run->step_count; i++)
		if (run->steps[i].status != RAT_STEP_OK && run->steps[i].status != RAT_STEP_SKIPPED)
			sel[n++] = run->steps[i].key;
	if (!sel)
		srv_error(res, 500, "INTERNAL", "out of memory");
	else if (n == 0)
		srv_error(res, 409, "CONFLICT", "run %s has no failed pipeline to run again", run->id);
	else if (srv_orchestra_run(ctx->orchestra, r->who, sel, n, "api", run_id, why, sizeof(why)) != 0)
		srv_error(res, 503, "UNAVAILABLE", "%s", why);
	else {
		res->status = 202;
		res->body = json_pack("{s:s, s:s, s:s}", "status", "queued", "run_id", run_id, "rerun_of",
				      run->id);
	}
	free(sel);
}

/* POST /rat/v1/runs/{id}/cancel and /rerun. */
static void run_action(srv_request *r, srv_response *res, srv_context *ctx)
{
	rat_run_info *run = NULL;
	const char *done;
	int error;

	if (r->read_only) {
		srv_error(res, 403, "FORBIDDEN", "the token is read-only: it starts and stops no run");
	} else if (srv_is(r->seg[4], "cancel")) {
		if (rat_run_get(&run, r->who->ws, r->seg[3]) == 0 && strcmp(run->status, "running") != 0) {
			/* ended, though its process may not have been reaped yet */
			srv_error(res, 409, "CONFLICT", "run %s is not running here (it is %s)", run->id,
				  run->status);
		} else if ((done = srv_orchestra_cancel(ctx->orchestra, r->who, r->seg[3])) != NULL) {
			res->status = 202;
			res->body = json_pack("{s:s, s:s}", "status", done, "run_id", r->seg[3]);
		} else if (run) {
			srv_error(res, 409, "CONFLICT", "run %s is not running here (it is %s)", run->id,
				  run->status);
		} else {
			srv_error(res, 404, "NOT_FOUND", "no run %s", r->seg[3]);
		}
	} else if (srv_is(r->seg[4], "rerun")) {
		if ((error = rat_run_get(&run, r->who->ws, r->seg[3])) != 0)
			srv_lib_error(res, error);
		else
			run_again(r, res, ctx, run);
	} else {
		srv_error(res, 404, "BAD_REQUEST", "a run's actions are cancel and rerun");
	}
	rat_run_info_free(run);
}

/* GET /rat/v1/runs/{id}: its record, or, still waiting, its status. */
static void run_one(srv_request *r, srv_response *res, srv_context *ctx)
{
	rat_run_info *run = NULL;
	const char *state;
	int error;

	if ((error = rat_run_get(&run, r->who->ws, r->seg[3])) == 0) {
		run_body(res, run);
	} else if (error == RAT_ENOTFOUND &&
		   (state = srv_orchestra_run_state(ctx->orchestra, r->who, r->seg[3])) != NULL) {
		res->status = 200;
		res->body = json_pack("{s:s, s:s}", "id", r->seg[3], "status", state);
	} else {
		srv_lib_error(res, error);
	}
	rat_run_info_free(run);
}

static void runs(srv_request *r, srv_response *res, srv_context *ctx)
{
	const char *key = srv_header(r, "Idempotency-Key");
	int error;

	if (r->nseg == 3 && srv_is(r->method, "GET")) {
		runs_list(r, res);
	} else if (r->nseg == 3 && srv_is(r->method, "POST")) {
		if (r->read_only) {
			srv_error(res, 403, "FORBIDDEN", "the token is read-only: it starts no run");
			return;
		}
		if (key && srv_idem_start(ctx, r, key, res) != 0)
			return; /* a client's retry of a run it asked for: the answer it was given */
		run_ask(r, res, ctx);
		if (key) {
			srv_as_nessie_error(res);
			srv_idem_end(ctx->idem, r->who->name, key, res);
		}
	} else if (r->nseg == 4 && srv_is(r->method, "GET")) {
		run_one(r, res, ctx);
	} else if (r->nseg == 5 && srv_is(r->method, "POST")) {
		run_action(r, res, ctx);
	} else if (r->nseg == 5 && srv_is(r->method, "GET") && srv_is(r->seg[4], "events")) {
		srv_run_events(r, res, ctx);
	} else if (r->nseg == 4 && srv_is(r->method, "PUT")) {
		if (r->read_only) {
			srv_error(res, 403, "FORBIDDEN", "the token is read-only: it records no run");
			return;
		}
		if (key && srv_idem_start(ctx, r, key, res) != 0)
			return;
		if ((error = rat_run_record_put(r->who->ws, r->seg[3], r->body)) != 0)
			srv_lib_error(res, error);
		else {
			res->status = 200;
			res->body = json_pack("{s:s}", "id", r->seg[3]);
		}
		if (key) {
			srv_as_nessie_error(res);
			srv_idem_end(ctx->idem, r->who->name, key, res);
		}
	} else {
		srv_error(res, 405, "BAD_REQUEST",
			  "runs take GET, POST (a run asked for), PUT of one run's record, and POST of "
			  "a run's cancel or rerun");
	}
}

static json_t *token_json(const rat_token_info *t)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:I, s:I}", "id", t->id, "workspace", t->workspace,
			 "note", t->note, "readOnly", t->read_only, "createdMs",
			 (json_int_t)t->created_ms, "revokedMs", (json_int_t)t->revoked_ms);
}

/* Whether id is one of the workspace's tokens (revoking another's is not its to do). */
static int own_token(srv_request *r, const char *id, bool *found)
{
	rat_token_list list = { NULL, 0 };
	size_t i;
	int error = rat_token_list_get(&list, r->who->ws, 0);

	*found = false;
	for (i = 0; !error && i < list.count; i++)
		*found = *found || strcmp(list.items[i].id, id) == 0;
	rat_token_list_free(&list);
	return error;
}

/* A made token's text is answered once and kept nowhere: no Idempotency-Key replay. */
static void tokens(srv_request *r, srv_response *res)
{
	rat_token_list list = { NULL, 0 };
	char token[RAT_TOKEN_MAX];
	json_t *body;
	bool found = false;
	int error = 0;
	size_t i;

	if (r->nseg == 3 && srv_is(r->method, "GET")) {
		if ((error = rat_token_list_get(&list, r->who->ws, 0)) == 0) {
			res->status = 200;
			res->body = json_pack("{s:[]}", "tokens");
			for (i = 0; i < list.count; i++)
				json_array_append_new(json_object_get(res->body, "tokens"),
						      token_json(&list.items[i]));
		}
		rat_token_list_free(&list);
	} else if (r->read_only && !srv_is(r->method, "GET")) {
		srv_error(res, 403, "FORBIDDEN", "the token is read-only: it makes and revokes none");
		return;
	} else if (r->nseg == 3 && srv_is(r->method, "POST")) {
		body = json_loadb(r->body, r->body_len, 0, NULL);
		error = rat_token_create(token, r->who->ws,
					 json_is_true(json_object_get(body, "readOnly")),
					 json_string_value(json_object_get(body, "note")));
		json_decref(body);
		if (!error) {
			res->status = 200;
			res->body = json_pack("{s:s}", "token", token);
		}
		explicit_bzero(token, sizeof(token));
	} else if (r->nseg == 4 && srv_is(r->method, "DELETE")) {
		if ((error = own_token(r, r->seg[3], &found)) == 0 && !found) {
			srv_error(res, 404, "NOT_FOUND", "workspace '%s' has no token %s",
				  r->who->name, r->seg[3]);
			return;
		}
		if (!error && (error = rat_token_revoke(r->who->ws, r->seg[3])) == 0) {
			res->status = 200;
			res->body = json_pack("{s:s}", "id", r->seg[3]);
		}
	} else {
		srv_error(res, 405, "BAD_REQUEST", "tokens take GET and POST; one token, DELETE");
		return;
	}
	if (error)
		srv_lib_error(res, error);
}

void srv_rat_api(srv_request *r, srv_response *res, srv_context *ctx)
{
	if (r->nseg < 3 || !srv_is(r->seg[1], "v1")) {
		srv_error(res, 404, "BAD_REQUEST", "no such path (rat's API is under /rat/v1)");
	} else if (srv_authenticate(r, res, ctx, NULL, true) != 0) {
		/* said */
	} else if (srv_is(r->seg[2], "workspace") && r->nseg == 3) {
		srv_is(r->method, "GET") ? workspace(r, res)
					 : srv_error(res, 405, "BAD_REQUEST", "workspace takes GET");
	} else if (srv_is(r->seg[2], "products")) {
		products(r, res, ctx);
	} else if (srv_is(r->seg[2], "runs") && r->nseg <= 5) {
		runs(r, res, ctx);
	} else if (srv_is(r->seg[2], "tokens") && r->nseg <= 4) {
		tokens(r, res);
	} else {
		srv_error(res, 404, "BAD_REQUEST", "no such path under /rat/v1");
	}
	srv_as_nessie_error(res);
}
