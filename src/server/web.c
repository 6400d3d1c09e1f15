/*
 * server/web.c - the web page `rat serve` serves (docs/serve.md, "The web
 * page"): its files, built into the program (web/, cmake/embed_web.cmake),
 * at `/` (index.html) and `/ui/<file>`; nothing is fetched from elsewhere,
 * at run time or in the page (its Content-Security-Policy allows this
 * server only).
 *
 * The page reads and writes through the same APIs as every client, with the
 * same tokens. Signing in (`POST /ui/session {"token"}`) checks the token
 * and keeps it in a cookie the page's script cannot read (HttpOnly,
 * SameSite=Strict, Path=/); `DELETE /ui/session` forgets it. A request
 * that comes with that cookie and no Authorization header acts for its
 * token (auth.c), and one that writes must also say `X-Requested-With:
 * rat` and come from this origin: a page elsewhere can neither send the
 * cookie (SameSite) nor set that header without this server's leave.
 */
#include "server/server.h"
#include "server/web_assets.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SESSION_MAX_AGE_S (12 * 3600) /* a signed-in page asks again after half a day */

static const srv_web_asset *asset_named(const char *name)
{
	const srv_web_asset *a;

	for (a = srv_web_assets; a->name; a++)
		if (!strcmp(a->name, name))
			return a;
	return NULL;
}

void srv_web_headers(struct MHD_Response *response, const srv_response *res)
{
	MHD_add_response_header(response, "Content-Type", res->content_type);
	MHD_add_response_header(response, "Cache-Control", "no-cache"); /* asked again, 304 by ETag */
	MHD_add_response_header(response, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(response, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(response, "X-Frame-Options", "DENY");
	MHD_add_response_header(response, "Content-Security-Policy",
				"default-src 'none'; script-src 'self'; style-src 'self'; "
				"img-src 'self' data:; connect-src 'self'; font-src 'self'; "
				"base-uri 'none'; form-action 'self'; frame-ancestors 'none'");
}

static void serve_file(srv_request *r, srv_response *res, const char *name)
{
	const srv_web_asset *a = asset_named(name);
	const char *match = srv_header(r, "If-None-Match");

	if (!a) {
		srv_error(res, 404, "NotFoundException", "the web page has no file %s", name);
		return;
	}
	snprintf(res->etag, sizeof(res->etag), "%s", a->etag);
	res->content_type = a->type;
	res->data = a->data;
	res->data_len = a->len;
	res->status = match && !strcmp(match, a->etag) ? 304 : 200;
}

/* POST /ui/session {"token"}: the token checked, then kept in the page's cookie. */
static void sign_in(srv_request *r, srv_response *res, srv_context *ctx)
{
	json_error_t jerr;
	json_t *doc = json_loadb(r->body, r->body_len, 0, &jerr);
	const char *token = json_string_value(json_object_get(doc, "token"));

	if (!srv_is(srv_header(r, "X-Requested-With"), "rat")) { /* a form elsewhere signs no one in */
		srv_error(res, 403, "ForbiddenException", "sign in from the page (X-Requested-With: rat)");
	} else if (!token || !token[0] || strpbrk(token, ";, \t\r\n")) {
		srv_error(res, 400, "BadRequestException", "sign in with {\"token\": \"<token>\"}");
	} else if (srv_authenticate_token(r, res, ctx, token) == 0) {
		if (asprintf(&res->cookie, "%s=%s; HttpOnly; SameSite=Strict; Path=/; Max-Age=%d",
			     SRV_SESSION_COOKIE, token, SESSION_MAX_AGE_S) < 0) {
			res->cookie = NULL;
			srv_error(res, 500, "ServerErrorException", "out of memory");
		} else {
			res->status = 200;
			res->body = json_pack("{s:s, s:b}", "workspace", r->who->name, "read_only",
					      r->read_only);
		}
	}
	json_decref(doc);
}

void srv_web(srv_request *r, srv_response *res, srv_context *ctx)
{
	bool get = srv_is(r->method, "GET") || srv_is(r->method, "HEAD");

	if (r->nseg == 0) {
		if (get)
			serve_file(r, res, "index.html");
		else
			srv_error(res, 405, "BadRequestException", "/ takes GET");
	} else if (r->nseg == 2 && srv_is(r->seg[1], "session")) {
		if (srv_is(r->method, "POST")) {
			sign_in(r, res, ctx);
		} else if (srv_is(r->method, "DELETE")) {
			res->cookie = strdup(SRV_SESSION_COOKIE "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
			res->status = 204;
		} else {
			srv_error(res, 405, "BadRequestException", "/ui/session takes POST and DELETE");
		}
	} else if (r->nseg == 2 && get) {
		serve_file(r, res, r->seg[1]);
	} else {
		srv_error(res, 404, "NotFoundException", "no such path");
	}
}
