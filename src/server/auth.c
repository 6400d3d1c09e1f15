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

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static srv_workspace *find(srv_context *ctx, const char *name)
{
	size_t i;

	for (i = 0; name && i < ctx->count; i++)
		if (strcmp(ctx->items[i]->name, name) == 0)
			return ctx->items[i];
	return NULL;
}

srv_workspace *srv_find_workspace(srv_context *ctx, const char *name)
{
	srv_workspace *w;

	if (!name)
		return NULL;
	pthread_mutex_lock(&ctx->lock);
	if ((w = find(ctx, name)) == NULL && ctx->folders && time(NULL) != ctx->scanned) {
		srv_rescan(ctx);
		w = find(ctx, name);
	}
	pthread_mutex_unlock(&ctx->lock);
	return w;
}

srv_workspace *srv_default_workspace(srv_context *ctx, size_t *count)
{
	srv_workspace *w;

	pthread_mutex_lock(&ctx->lock);
	if ((w = find(ctx, "default")) == NULL && ctx->count == 1)
		w = ctx->items[0];
	*count = ctx->count;
	pthread_mutex_unlock(&ctx->lock);
	return w;
}

/* The identity of who's tokens file and its log now (zeroed when absent). */
static void stamp_of(srv_tokens_stamp *out, const srv_workspace *who)
{
	char path[4096];

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "%s/tokens.db", rat_workspace_home(who->ws));
	(void)stat(path, &out->db);
	snprintf(path, sizeof(path), "%s/tokens.db-wal", rat_workspace_home(who->ws));
	(void)stat(path, &out->wal);
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

static bool same_stamp(const srv_tokens_stamp *a, const srv_tokens_stamp *b)
{
	return same_file(&a->db, &b->db) && same_file(&a->wal, &b->wal);
}

/* Whether w's tokens file holds a live token: read again only when the file changed. */
static int has_live_token(srv_workspace *w, bool *out)
{
	srv_tokens_stamp now;
	rat_token_list list;
	size_t j;
	bool known;

	stamp_of(&now, w);
	pthread_mutex_lock(&w->lock);
	known = w->tokens_known && same_stamp(&w->tokens, &now);
	*out = w->has_tokens;
	pthread_mutex_unlock(&w->lock);
	if (known)
		return 0;
	if (rat_token_list_get(&list, w->ws, 0) != 0)
		return -1;
	*out = false;
	for (j = 0; j < list.count; j++)
		if (!list.items[j].revoked_ms)
			*out = true;
	rat_token_list_free(&list);
	pthread_mutex_lock(&w->lock);
	w->tokens_known = true;
	w->has_tokens = *out;
	w->tokens = now;
	pthread_mutex_unlock(&w->lock);
	return 0;
}

int srv_tokens_exist(srv_context *ctx, bool *out)
{
	srv_workspace **all;
	size_t i, n;
	int error = 0;

	*out = false;
	pthread_mutex_lock(&ctx->lock);
	n = ctx->count;
	all = malloc((n ? n : 1) * sizeof(*all));
	if (all)
		memcpy(all, ctx->items, n * sizeof(*all));
	pthread_mutex_unlock(&ctx->lock);
	if (!all)
		return -1;
	for (i = 0; i < n && !*out && !error; i++)
		error = has_live_token(all[i], out);
	free(all);
	return error;
}

/*
 * Tokens checked lately, kept while their workspace's tokens file is as it
 * was (its and its log's size, change time and inode): a request with one
 * of them is not checked against the file again until the file changes, as
 * it does when a token is made or revoked. A revoked token therefore still
 * fails on its next request. The text is compared in constant time.
 */
#define TOKEN_CACHE 256

typedef struct cached_token {
	char text[RAT_TOKEN_MAX];
	srv_workspace *who;
	int read_only;
	srv_tokens_stamp stamp;
} cached_token;

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static cached_token cache[TOKEN_CACHE];
static size_t cached;

/* Whether a and b (NUL-terminated, at most RAT_TOKEN_MAX) are equal, in constant time. */
static bool equal_text(const char *a, const char *b)
{
	unsigned diff = 0;
	size_t i;

	for (i = 0; i < RAT_TOKEN_MAX; i++) {
		diff |= (unsigned)(unsigned char)a[i] ^ (unsigned)(unsigned char)b[i];
		if (!a[i] || !b[i])
			break;
	}
	return diff == 0;
}

static bool cache_find(const char *token, const srv_workspace *who, int *read_only)
{
	srv_tokens_stamp now;
	bool hit = false;
	size_t i;

	stamp_of(&now, who);
	pthread_mutex_lock(&cache_lock);
	for (i = 0; i < cached && !hit; i++)
		if (cache[i].who == who && equal_text(cache[i].text, token) &&
		    same_stamp(&cache[i].stamp, &now)) {
			hit = true;
			*read_only = cache[i].read_only;
		}
	pthread_mutex_unlock(&cache_lock);
	return hit;
}

static void cache_put(const char *token, srv_workspace *who, int read_only, const srv_tokens_stamp *st)
{
	size_t i;

	if (strlen(token) >= RAT_TOKEN_MAX)
		return;
	pthread_mutex_lock(&cache_lock);
	for (i = 0; i < cached; i++)
		if (cache[i].who == who && equal_text(cache[i].text, token))
			break;
	if (i == cached) {
		if (cached == TOKEN_CACHE) { /* full: start again */
			memset(cache, 0, sizeof(cache));
			cached = i = 0;
		}
		cached++;
	}
	snprintf(cache[i].text, sizeof(cache[i].text), "%s", token);
	cache[i].who = who;
	cache[i].read_only = read_only;
	cache[i].stamp = *st;
	pthread_mutex_unlock(&cache_lock);
}

static int with_token(srv_request *r, srv_response *res, srv_context *ctx, const char *token,
		      const char *hint)
{
	char name[RAT_TOKEN_MAX];
	srv_workspace *who;
	srv_tokens_stamp before;
	int read_only = 0;

	if (rat_token_workspace(token, name, sizeof(name)) != 0 ||
	    (who = srv_find_workspace(ctx, name)) == NULL)
		return srv_error(res, 401, "NotAuthorizedException", "invalid token");
	if (!cache_find(token, who, &read_only)) {
		stamp_of(&before, who); /* the file as the check reads it, or older */
		if (rat_token_check(who->ws, token, &read_only) != 0)
			return srv_error(res, 401, "NotAuthorizedException", "%s",
					 rat_error_last()->message);
		cache_put(token, who, read_only, &before);
	}
	if (hint && strcmp(hint, who->name) != 0)
		return srv_error(res, 403, "ForbiddenException",
				 "the token acts for workspace %s, not %s", who->name, hint);
	r->who = who;
	r->read_only = read_only != 0;
	r->token = true;
	return 0;
}

int srv_authenticate_token(srv_request *r, srv_response *res, srv_context *ctx, const char *token)
{
	return with_token(r, res, ctx, token, NULL);
}

/*
 * Whether a request that writes with the page's cookie comes from the page: it says
 * X-Requested-With: rat (a form elsewhere cannot; a script elsewhere may not without
 * this server's leave, which it never gives), and its Origin, when it says one, is
 * this server.
 */
static bool from_the_page(const srv_request *r)
{
	const char *origin = srv_header(r, "Origin"), *host = srv_header(r, "Host");

	if (!srv_is(srv_header(r, "X-Requested-With"), "rat"))
		return false;
	return !origin || (host && (!strncmp(origin, "http://", 7) || !strncmp(origin, "https://", 8)) &&
			   !strcmp(strstr(origin, "//") + 2, host));
}

int srv_authenticate(srv_request *r, srv_response *res, srv_context *ctx,
		     const char *workspace_hint, bool need_workspace)
{
	const char *auth = srv_header(r, "Authorization"), *cookie;
	bool required = !ctx->loopback;
	size_t served = 0;

	if (auth) {
		if (strncasecmp(auth, "Bearer ", 7) != 0)
			return srv_error(res, 401, "NotAuthorizedException",
					 "the Authorization header takes a Bearer token");
		return with_token(r, res, ctx, auth + 7, workspace_hint);
	}
	if ((cookie = srv_cookie(r, SRV_SESSION_COOKIE)) != NULL && cookie[0]) {
		if (!srv_is(r->method, "GET") && !srv_is(r->method, "HEAD") && !from_the_page(r))
			return srv_error(res, 403, "ForbiddenException",
					 "a write with the page's sign-in comes from the page "
					 "(X-Requested-With: rat, from this origin)");
		return with_token(r, res, ctx, cookie, workspace_hint);
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
	} else {
		r->who = srv_default_workspace(ctx, &served);
	}
	if (!r->who && need_workspace)
		return srv_error(res, 400, "BadRequestException",
				 "name the workspace: this server serves %zu, none called default "
				 "(the warehouse, or the prefix <ref>|<workspace>)",
				 served);
	return 0;
}
