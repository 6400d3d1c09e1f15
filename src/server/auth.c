/*
 * server/auth.c - which workspace a request acts for.
 *
 * With `Authorization: Bearer <token>`, the token's: its text names the
 * workspace, rat_token_check() checks it against that workspace's
 * RAT_HOME (in constant time; a revoked token fails). Without one, the
 * request is refused (401) as soon as a served workspace has a live
 * token, and always off loopback; otherwise (one person's loopback server)
 * it acts for the workspace the URL names (the warehouse in the prefix),
 * else `default`, else the only one served.
 */
#include "server/server.h"

#include <string.h>
#include <strings.h>

srv_workspace *srv_find_workspace(srv_context *ctx, const char *name)
{
	size_t i;

	for (i = 0; name && i < ctx->count; i++)
		if (strcmp(ctx->items[i].name, name) == 0)
			return &ctx->items[i];
	return NULL;
}

int srv_tokens_exist(srv_context *ctx, bool *out)
{
	size_t i, j;

	*out = false;
	for (i = 0; i < ctx->count && !*out; i++) {
		rat_token_list list;
		if (rat_token_list_get(&list, ctx->items[i].ws, 0) != 0)
			return -1;
		for (j = 0; j < list.count; j++)
			if (!list.items[j].revoked_ms)
				*out = true;
		rat_token_list_free(&list);
	}
	return 0;
}

static int with_token(srv_request *r, srv_response *res, srv_context *ctx, const char *token,
		      const char *hint)
{
	char name[RAT_TOKEN_MAX];
	srv_workspace *who;
	int read_only = 0;

	if (rat_token_workspace(token, name, sizeof(name)) != 0 ||
	    (who = srv_find_workspace(ctx, name)) == NULL)
		return srv_error(res, 401, "NotAuthorizedException", "invalid token");
	if (rat_token_check(who->ws, token, &read_only) != 0)
		return srv_error(res, 401, "NotAuthorizedException", "%s",
				 rat_error_last()->message);
	if (hint && strcmp(hint, who->name) != 0)
		return srv_error(res, 403, "ForbiddenException",
				 "the token acts for workspace %s, not %s", who->name, hint);
	r->who = who;
	r->read_only = read_only != 0;
	r->token = true;
	return 0;
}

int srv_authenticate(srv_request *r, srv_response *res, srv_context *ctx,
		     const char *workspace_hint, bool need_workspace)
{
	const char *auth = srv_header(r, "Authorization");
	bool required = !ctx->loopback;

	if (auth) {
		if (strncasecmp(auth, "Bearer ", 7) != 0)
			return srv_error(res, 401, "NotAuthorizedException",
					 "the Authorization header takes a Bearer token");
		return with_token(r, res, ctx, auth + 7, workspace_hint);
	}
	if (!required && srv_tokens_exist(ctx, &required) != 0)
		return srv_lib_error(res, RAT_ERROR);
	if (required)
		return srv_error(res, 401, "NotAuthorizedException",
				 "this server takes a token (Authorization: Bearer <token>)");
	if (workspace_hint) {
		if ((r->who = srv_find_workspace(ctx, workspace_hint)) == NULL)
			return srv_error(res, 404, "NotFoundException", "no workspace %s is served",
					 workspace_hint);
	} else if ((r->who = srv_find_workspace(ctx, "default")) == NULL && ctx->count == 1) {
		r->who = &ctx->items[0];
	}
	if (!r->who && need_workspace)
		return srv_error(res, 400, "BadRequestException",
				 "name the workspace: this server serves %zu, none called default "
				 "(the warehouse, or the prefix <ref>|<workspace>)",
				 ctx->count);
	return 0;
}
