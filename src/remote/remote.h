/*
 * remote/remote.h - rat as a client of `rat serve` (docs/serve.md, "One
 * server for a team"): with NESSIE_URI set, a workspace's catalog is the
 * server's, reached through Nessie's REST API v2 (refs, contents, commits,
 * merges) and rat's own /rat/v1 (what Nessie has no model of).
 *
 * http.c is the transport: JSON over HTTP with libcurl (loaded on first
 * use), the token as a bearer, every write sent with an Idempotency-Key so
 * that it can be retried, retries with backoff on a 5xx answer or a server
 * that does not answer, and errors said from the server's NessieError.
 * catalog.c is the catalog backend (catalog/catalog_internal.h) over it.
 */
#ifndef RAT_REMOTE_REMOTE_H
#define RAT_REMOTE_REMOTE_H

#include <jansson.h>

#include "util/common.h"
#include "util/buf.h"
#include "catalog/catalog.h"

typedef struct rat_remote rat_remote;

/*
 * A client of the server whose Nessie API is at uri ("http[s]://host[:port]
 * [/path]/api/v2"; RAT_EINVALID otherwise), with token (NULL: none, which a
 * server with tokens refuses).
 */
RAT_MUST_USE int rat_remote__open(rat_remote **out, const char *uri, const char *token);
void rat_remote__free(rat_remote *r);
/* The server's address as the user gave it (NESSIE_URI), for messages. */
const char *rat_remote__uri(const rat_remote *r);

/*
 * method on path (under the server's root: "/api/v2/trees", "/rat/v1/..."; a
 * query string included), with body (NULL: none). A 2xx answer: 0, its JSON
 * into *out (NULL when empty; json_decref()). Anything else: the error it
 * says (RAT_ENOTFOUND, RAT_EEXISTS, RAT_ECONFLICT, RAT_EACCESS, RAT_EINVALID,
 * RAT_EIO), its body into *out when out is given (a NessieError: the
 * conflicts' details). A server that does not answer, or answers 5xx, is
 * asked again after a backoff, a few times over about two seconds; a write
 * keeps its Idempotency-Key across the attempts.
 */
RAT_MUST_USE int rat_remote__call(rat_remote *r, const char *method, const char *path,
				  json_t *body, json_t **out);

/* rat_remote__call() once, on a client opened for it (uri, token) and closed after. */
RAT_MUST_USE int rat_remote__request(const char *uri, const char *token, const char *method,
				     const char *path, json_t *body, json_t **out);

/* Append s to buf percent-encoded as one path segment ('/' too). */
RAT_MUST_USE int rat_remote__segment(rat_buf *buf, const char *s);

/* A key ("a" or "a.b") as Nessie's {"elements": [...]}, and back (free(*out)). */
json_t *rat_remote__key_json(const char *key);
RAT_MUST_USE int rat_remote__key_of(char **out, json_t *key);

/*
 * The remote catalog's handle (the backend's impl): its client, and the
 * commits it has read, by hash (a commit never changes: a history read a page
 * at a time serves the next commit_info() calls of `rat log`).
 */
typedef struct rat_remote_catalog {
	rat_remote *http;
	json_t *commits; /* hash -> commitMeta, at most RAT_REMOTE_COMMITS_KEPT */
} rat_remote_catalog;
#define RAT_REMOTE_COMMITS_KEPT 4096
#define RAT_REMOTE_HISTORY_PAGE 64 /* commits read with the one asked for */

static inline rat_remote *rat_remote__http(void *impl)
{
	return ((rat_remote_catalog *)impl)->http;
}

/* commit.c: the backend's calls that write, a commit's metadata, the identity. */
int rat_remote__commit(void *impl, const rat_commit_request *request, const char *merge_parent,
		       char out_hash[RAT_HASH_LEN + 1]);
int rat_remote__commit_info(void *impl, const char *hash, rat_commit_info *out);
int rat_remote__merge(void *impl, const char *source_name, const char *source,
		      const char *target, bool dry_run, const char *author, rat_merge_result *out);
int rat_remote__claim(void *impl, const rat_identity *id, bool move);

/* catalog.c: the catalog of the server at uri, acting as the workspace token names. */
RAT_MUST_USE int rat_remote__open_catalog(rat_catalog **out, const char *uri, const char *token);

#endif
