/*
 * server/iceberg.h - what the Iceberg REST catalog's files share (iceberg.c:
 * routing, config, OAuth2; iceberg_namespaces.c: namespaces; iceberg_tables.c: tables and
 * transactions; iceberg_update.c: requirements and updates; iceberg_replay.c: a
 * keyed request's answer rebuilt from the commit its first attempt made).
 */
#ifndef RAT_SERVER_ICEBERG_H
#define RAT_SERVER_ICEBERG_H

#include "server/server.h"

/* One request to the catalog, once routed and authenticated. */
typedef struct ice {
	srv_request *r;
	srv_response *res;
	srv_context *ctx;
	char *ref;             /* the ref the request names; NULL: the workspace's branch */
	rat_catalog *catalog;
	char **seg;            /* the segments after v1 and the prefix */
	size_t nseg;
} ice;

/* Whether the request's method is m. */
bool ice_method(const ice *x, const char *m);
/* 405 for this method; returns the status. */
int ice_not_allowed(ice *x);
/* The ref the request reads and writes. */
const char *ice_branch(const ice *x);
/* The body as a JSON object, or NULL with a 400 said. */
json_t *ice_body(ice *x);
/* 0 when the request may write; a 403 said otherwise. */
int ice_writable(ice *x);
/* iceberg_namespaces.c: ns when it is a namespace at the request's ref; NULL, a 4xx said, when not. */
const char *ice_namespace(ice *x, const char *ns);
/*
 * .../namespaces[/{ns}[/properties]]: the status said; 0 for a deeper path,
 * the caller goes on with the namespace, checked, in *ns.
 */
int ice_namespaces(ice *x, const char **ns);
/* "ns.table" into key (len bytes), the name checked; 0 or a 4xx said. */
int ice_key(ice *x, char *key, size_t len, const char *ns, const char *table);
/* {"namespace":[ns],"name":t} into key; 0 or a 4xx said. */
int ice_identifier(ice *x, json_t *id, char *key, size_t len);
/* pageToken and pageSize: where a page starts and how long it is (0: all). */
int ice_paging(ice *x, size_t *start, size_t *size);
/* next-page-token into out: next as text while next < total, else null. */
void ice_page_token(json_t *out, size_t next, size_t total);

/* iceberg_storage.c: a LoadTableResult's config for key; POST .../tables/{t}/sign. */
/* s with what a path segment cannot hold percent-encoded (free()); NULL: out of memory. */
char *ice_segment(const char *s);
json_t *ice_table_config(ice *x, const char *key);
int ice_sign(ice *x);

/* iceberg_tables.c: .../namespaces/{ns}/tables[/...], register, rename, transactions. */
int ice_tables(ice *x, const char *ns);
int ice_register(ice *x, const char *ns);
/* The tables (views: the views) of namespace ns at the ref, paged. */
int ice_list(ice *x, const char *ns, bool views);
/* tables/rename, or views/rename with view. */
int ice_rename(ice *x, bool view);
int ice_transaction(ice *x);
/*
 * key's metadata at the request's ref: 0 with *md (NULL when there is no such
 * key), or a 4xx/5xx said (a table asked for as a view, or the reverse: 404).
 */
int ice_load(ice *x, const char *key, bool view, rat_table_metadata_file *file, json_t **md);
/* Where a new table or view ns.name lives by default (free()); NULL, a 4xx said, when it cannot. */
char *ice_default_location(ice *x, const char *ns, const char *name);
/* A random (version 4) UUID. */
int ice_uuid(char out[37]);
/* DELETE of a table (a view, with view): one commit that removes key; 204 or the error said. */
int ice_drop(ice *x, const char *key, bool view);
/* Record changes (removals, registrations) in one commit; 0 or the error said. */
int ice_commit_changes(ice *x, rat_table_change *changes, size_t n, char **locations);

/* iceberg_load.c: GET .../tables/{t}. */
int ice_load_table(ice *x, const char *key);

/* iceberg_views.c: .../namespaces/{ns}/views[/{view}]. */
int ice_views(ice *x, const char *ns);
/* A 200 LoadViewResult: the view's metadata (md, not stolen) at location. */
int ice_view_result(ice *x, const char *location, json_t *md);

/*
 * iceberg_replay.c: the answer to a request whose first attempt made commit
 * (found by its idempotency key), rebuilt from that commit; the status.
 */
int ice_replay(ice *x, const char *commit);

#endif
