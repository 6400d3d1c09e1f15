/*
 * server/idempotency.c - Idempotency-Key: a mutation retried with the key
 * of its first attempt gets the first attempt's answer, without running
 * again (the Iceberg REST spec's rules: 2xx and 4xx answers are kept and
 * replayed, 5xx ones are not).
 *
 * Keys are kept in memory for IDEM_LIFETIME_S (what the config call
 * advertises as idempotency-key-lifetime), at most IDEM_MAX of them, per
 * workspace: another workspace's key never replays this one's answer. A
 * retry that arrives while the first attempt still runs waits for its
 * answer. The same key on another method or path is refused (400). A
 * restart forgets the keys; the catalog does not: a keyed request's
 * commits carry its id (srv_request_landed()), and a retry whose commit the
 * catalog finds is answered from that commit (iceberg_replay.c, and
 * nessie_commit.c for Nessie's commits and merges).
 */
#include "server/server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define IDEM_MAX 10000
#define IDEM_WAIT_S 60

typedef struct idem_entry {
	char key[40];
	char *workspace;
	char *request;  /* "METHOD URL" */
	time_t at;
	bool done;
	int status;
	json_t *body;
	char *raw;
	char etag[80];
} idem_entry;

struct srv_idem {
	pthread_mutex_t lock;
	pthread_cond_t finished;
	idem_entry *items;
	size_t count, cap;
};

srv_idem *srv_idem_new(void)
{
	srv_idem *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->finished, NULL);
	return s;
}

static void entry_clear(idem_entry *e)
{
	free(e->workspace);
	free(e->request);
	json_decref(e->body);
	free(e->raw);
}

void srv_idem_free(srv_idem *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->count; i++)
		entry_clear(&s->items[i]);
	free(s->items);
	pthread_cond_destroy(&s->finished);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

/* Drop entries past their lifetime (finished ones only). Under the lock. */
static void expire(srv_idem *s, time_t now)
{
	size_t i = 0;

	while (i < s->count) {
		idem_entry *e = &s->items[i];
		if (e->done && now - e->at > SRV_IDEM_LIFETIME_S) {
			entry_clear(e);
			s->items[i] = s->items[--s->count];
		} else {
			i++;
		}
	}
}

static idem_entry *find(srv_idem *s, const char *workspace, const char *key)
{
	size_t i;

	for (i = 0; i < s->count; i++)
		if (strcmp(s->items[i].key, key) == 0 && strcmp(s->items[i].workspace, workspace) == 0)
			return &s->items[i];
	return NULL;
}

/* Whether key has the form of a UUID (36 characters: hex digits and dashes at 8-4-4-4-12). */
static bool uuid_form(const char *key)
{
	size_t i;

	if (strlen(key) != 36)
		return false;
	for (i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		char c = key[i];
		if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
					(c >= 'A' && c <= 'F')))
			return false;
	}
	return true;
}

/* Under the lock: a new unfinished entry for key; NULL when there is no room. */
static idem_entry *add(srv_idem *s, const char *workspace, const char *key, const char *request,
		       time_t now)
{
	idem_entry *e;

	if (s->count == IDEM_MAX)
		return NULL;
	if (s->count == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		idem_entry *grown = realloc(s->items, cap * sizeof(*grown));
		if (!grown)
			return NULL;
		s->items = grown;
		s->cap = cap;
	}
	e = &s->items[s->count];
	memset(e, 0, sizeof(*e));
	snprintf(e->key, sizeof(e->key), "%s", key);
	e->workspace = strdup(workspace);
	e->request = strdup(request);
	e->at = now;
	if (!e->workspace || !e->request) {
		entry_clear(e);
		return NULL;
	}
	s->count++;
	return e;
}

int srv_idem_begin(srv_idem *s, const char *workspace, const char *key, const char *request,
		   srv_response *res)
{
	struct timespec until;
	idem_entry *e;
	time_t now = time(NULL);
	int outcome = 0;

	if (!uuid_form(key)) {
		srv_error(res, 400, "BadRequestException",
			  "Idempotency-Key must be a UUID (36 characters)");
		return -1;
	}
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += IDEM_WAIT_S;
	pthread_mutex_lock(&s->lock);
	expire(s, now);
	while ((e = find(s, workspace, key)) != NULL && !e->done)
		if (pthread_cond_timedwait(&s->finished, &s->lock, &until) == ETIMEDOUT)
			break;
	if (e && !e->done) {
		srv_error(res, 409, "CommitFailedException",
			  "the first request with this Idempotency-Key is still running");
		outcome = -1;
	} else if (e && strcmp(e->request, request) != 0) {
		srv_error(res, 400, "BadRequestException",
			  "this Idempotency-Key was used for another request");
		outcome = -1;
	} else if (e) { /* the first answer, again */
		res->status = e->status;
		res->body = e->body ? json_deep_copy(e->body) : NULL;
		res->raw = e->raw ? strdup(e->raw) : NULL;
		memcpy(res->etag, e->etag, sizeof(res->etag));
		outcome = 1;
	} else if (!add(s, workspace, key, request, now)) {
		srv_error(res, 503, "ServiceUnavailableException",
			  "too many Idempotency-Keys kept; retry later");
		outcome = -1;
	}
	pthread_mutex_unlock(&s->lock);
	return outcome;
}

void srv_idem_end(srv_idem *s, const char *workspace, const char *key, const srv_response *res)
{
	idem_entry *e;

	pthread_mutex_lock(&s->lock);
	if ((e = find(s, workspace, key)) != NULL && !e->done) {
		if (res->status >= 500) { /* not final: a retry runs again */
			entry_clear(e);
			*e = s->items[--s->count];
		} else {
			e->done = true;
			e->at = time(NULL);
			e->status = res->status;
			e->body = res->body ? json_deep_copy(res->body) : NULL;
			e->raw = res->raw ? strdup(res->raw) : NULL;
			memcpy(e->etag, res->etag, sizeof(e->etag));
		}
	}
	pthread_cond_broadcast(&s->finished);
	pthread_mutex_unlock(&s->lock);
}

int srv_idem_start(srv_context *ctx, srv_request *r, const char *key, srv_response *res)
{
	char *request = malloc(strlen(r->method) + strlen(r->url) + 2);
	int begun;

	if (!request) {
		srv_error(res, 500, "ServerErrorException", "out of memory");
		return -1;
	}
	sprintf(request, "%s %s", r->method, r->url);
	begun = srv_idem_begin(ctx->idem, r->who->name, key, request, res);
	free(request);
	return begun;
}

int srv_request_landed(srv_request *r, srv_response *res, rat_catalog *catalog, const char *api,
		       const char *key, char commit[65], bool *marked)
{
	char id[RAT_REQUEST_ID_MAX + 1];
	int n = snprintf(id, sizeof(id), "%s %s %s %s %s", api, r->who->name, key, r->method,
			 r->url);
	int error;

	if (n < 0 || (size_t)n >= sizeof(id)) /* an overlong URL: its key lives in memory only */
		return 0;
	if ((error = rat_commit_find_request(commit, catalog, id)) == 0)
		return 1;
	if (error == RAT_ENOTFOUND)
		error = rat_catalog_set_request_id(catalog, id);
	if (error) {
		srv_lib_error(res, error);
		return -1;
	}
	rat_error_clear();
	*marked = true;
	return 0;
}

void srv_request_unmark(rat_catalog **catalog)
{
	if (*catalog && rat_catalog_set_request_id(*catalog, NULL) != 0) {
		/* a handle that would mark other requests' commits goes */
		rat_catalog_free(*catalog);
		*catalog = NULL;
	}
}
