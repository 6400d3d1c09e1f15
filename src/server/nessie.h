/*
 * server/nessie.h - what the files of Nessie's REST API v2 share (nessie.c:
 * routing, errors, references, keys, contents; nessie_trees.c: the reading
 * calls under /api/v2/trees; nessie_commit.c: commits, references made,
 * moved and deleted; nessie_merge.c: merges).
 */
#ifndef RAT_SERVER_NESSIE_H
#define RAT_SERVER_NESSIE_H

#include "server/server.h"

#include <stdarg.h>

/* The parent Nessie gives a root commit (its "no ancestor" hash). */
#define NESSIE_NO_ANCESTOR "2e1cfa82b035c26cbbbdae632cea070514eb8b773f616aaeaf668e2f0be8f10d"

/* One request to the Nessie API, once authenticated. */
typedef struct nes {
	srv_request *r;
	srv_response *res;
	srv_context *ctx;
	rat_catalog *catalog;
} nes;

/* A reference as a request named it, resolved: Nessie's Reference object. */
typedef struct nes_ref {
	const char *type; /* "BRANCH", "TAG" or "DETACHED" */
	char name[512];
	char hash[65];
	bool exact;       /* the spec named a hash ("name@hash"): a write checks it is the head */
} nes_ref;

/* Whether s[0..n) is a hash or a prefix of one: 8 to 64 lowercase hex digits. */
bool nes_hash_like(const char *s, size_t n);
/* T in milliseconds since the epoch, or an ISO-8601 UTC instant, as ms; -1 when neither. */
int64_t nes_instant_ms(const char *t);
/* A reference spec ("name", "name@hash", "@hash", "-", with ~N, ^N or *T): 0, or a 4xx said. */
int nes_resolve(nes *x, const char *spec, nes_ref *ref);
json_t *nes_reference_json(const nes_ref *ref);
/* A catalog key as a ContentKey ({"elements": [...]}). */
json_t *nes_key_json(const char *key);
/* A ContentKey's elements as a catalog key into out (len bytes); -1 when it is not one. */
int nes_key_of(json_t *elements, char *out, size_t len);
/* A key as a path gives it ("a.b") into out; 0, or a 400 said. */
int nes_path_key(nes *x, const char *s, char *out, size_t len);
const char *nes_content_type(const rat_content_entry *c);
/* c as a Nessie content object at commit hash (its metadata file read for what the catalog
 * does not hold: a table's sort order, a view's version). */
json_t *nes_content_json(nes *x, const char *hash, const rat_content_entry *c);
const rat_content_entry *nes_find(const rat_content_list *list, const char *key);
/* Whether a and b are the same content: kind, id, metadata file, a namespace's properties. */
bool nes_same_content(const rat_content_entry *a, const rat_content_entry *b);
/* The request's `filter` (a CEL expression) parsed into *out (NULL: none; cel_free()); 0,
 * or a 400 said. */
typedef struct cel_expr cel_expr;
int nes_filter(nes *x, cel_expr **out);
/* Whether an item whose variables are vars (stolen) passes filter (NULL: all do): 1, 0, or
 * -1 with a 400 said. */
int nes_keep(nes *x, const cel_expr *filter, json_t *vars);
/* A key's variables for a filter: namespace, key, encodedKey, name, keyElements,
 * namespaceElements. */
json_t *nes_key_vars(const char *key);
/* max-records and page-token: 0, or a 400 said. */
int nes_paging(nes *x, size_t *max, char **token);

/* nessie_trees.c: /api/v2/trees[/...] (x->catalog open); the status. */
int nes_trees(nes *x);
/* nessie_commit.c: POST /trees/{ref}/history/commit, POST /trees, DELETE /trees/{ref}. */
int nes_commit(nes *x, const nes_ref *ref);
int nes_create_ref(nes *x);
int nes_delete_ref(nes *x, const nes_ref *ref);
/* PUT /trees/{ref[@hash]}: the branch pointed at the body's hash. */
int nes_assign_ref(nes *x, const nes_ref *ref);
/* The answer to a commit to ref that landed as commit: the branch, and which of keys it added
 * (those then, what the client read, did not hold). */
int nes_landed(nes *x, const nes_ref *ref, json_t *keys, const rat_content_list *then,
	       const char *commit);
/* nessie_replay.c: the answer to a keyed commit or merge (the URL's) that made commit. */
int nes_replay(nes *x, const char *commit);
/* A 409 REFERENCE_CONFLICT whose errorDetails list conflicts (stolen; each with a message). */
int nes_conflicts(nes *x, json_t *conflicts);
/* nessie_merge.c: POST /trees/{branch}/history/merge. */
int nes_merge(nes *x, const nes_ref *target);
/* POST /trees/{branch}/history/transplant. */
int nes_transplant(nes *x, const nes_ref *target);

/* The Nessie API v2 under /api/v2. Errors, whoever says them (srv_error() with one of
 * Nessie's error codes as the type, or the shared code's), leave as NessieError bodies. */
void srv_nessie(srv_request *r, srv_response *res, srv_context *ctx);

#endif
