/*
 * server/nessie.c - Nessie's REST API v2 under /api/v2: the routing, config,
 * NessieError bodies, references, keys and contents, which the calls of
 * nessie_trees.c (reading), nessie_commit.c (commits, references made, moved
 * and deleted) and nessie_merge.c (merges, transplants) share, and the
 * `filter` parameter's CEL expressions (cel.h).
 *
 * A reference is given as Nessie spells it in a path segment: "name",
 * "name@hash", "@hash" (a detached commit), "-" (the workspace's branch, as
 * "-" is in the Iceberg API), each optionally followed by "~N" (the Nth
 * parent), "^N" (^1 the parent, ^2 the merge parent) or "*T" (the newest
 * commit at or before T: milliseconds since the epoch, or an ISO-8601 UTC
 * instant). A name holding '/' comes percent-encoded in its segment. The
 * token's workspace sees what it sees through the Iceberg API: main, its own
 * refs and those its granted products open; anything else is 403 or 404.
 *
 * A key is a table "namespace.table" (elements ["namespace", "table"]) or a
 * namespace "name" (["name"]); in a path, its elements are joined by '.'
 * (rat's names hold no '.'). Errors are NessieError bodies: status, reason,
 * message and errorCode (Nessie's ErrorCode names).
 */
#include "server/nessie.h"
#include "server/cel.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGE_DEFAULT 250
#define PAGE_MAX 5000
/* Spec 2.1 behaviours (relative hashes, NAMESPACE_ABSENT on every level); keys are
 * served in the legacy form, which rat's keys (no '.' in an element) never need to escape. */
#define NESSIE_SPEC_VERSION "2.1.0"

static const char *reason_of(int status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 503: return "Service Unavailable";
	default: return status >= 500 ? "Internal Server Error" : "Error";
	}
}

/* Nessie's error codes (ErrorCode in its model): a handler names one as the error's type. */
static const char *const nessie_codes[] = {
	"UNKNOWN", "SERVICE_UNAVAILABLE", "REFERENCE_NOT_FOUND", "REFERENCE_ALREADY_EXISTS",
	"CONTENT_NOT_FOUND", "REFERENCE_CONFLICT", "BAD_REQUEST", "FORBIDDEN", "TOO_MANY_REQUESTS",
	"NAMESPACE_NOT_FOUND", "NAMESPACE_ALREADY_EXISTS", "NAMESPACE_NOT_EMPTY",
	"UNSUPPORTED_MEDIA_TYPE",
};

/* The ErrorCode of an error said with type and status (shared code says Iceberg's types). */
static const char *code_of(int status, const char *type)
{
	size_t i;

	for (i = 0; type && i < sizeof(nessie_codes) / sizeof(nessie_codes[0]); i++)
		if (strcmp(type, nessie_codes[i]) == 0)
			return type;
	if (type && strcmp(type, "AlreadyExistsException") == 0)
		return "REFERENCE_ALREADY_EXISTS";
	switch (status) {
	case 400: case 405: case 413: case 414: return "BAD_REQUEST";
	case 403: return "FORBIDDEN";
	case 404: return "REFERENCE_NOT_FOUND";
	case 409: return "REFERENCE_CONFLICT";
	case 415: return "UNSUPPORTED_MEDIA_TYPE";
	case 503: return "SERVICE_UNAVAILABLE";
	default: return "UNKNOWN";
	}
}

/* An error said in the Iceberg form ({"error":{...}}), put as a NessieError. */
void srv_as_nessie_error(srv_response *res)
{
	json_t *e = json_object_get(res->body, "error"), *body;
	const char *message;

	if (res->status < 400 || !json_is_object(e))
		return;
	message = json_string_value(json_object_get(e, "message"));
	body = json_pack("{s:i, s:s, s:s, s:s}", "status", res->status, "reason",
			 reason_of(res->status), "message", message ? message : "error", "errorCode",
			 code_of(res->status, json_string_value(json_object_get(e, "type"))));
	json_decref(res->body);
	res->body = body;
}

/* --- references ------------------------------------------------------------------------- */

json_t *nes_reference_json(const nes_ref *ref)
{
	return json_pack("{s:s, s:s, s:s}", "type", ref->type, "name", ref->name, "hash",
			 ref->hash);
}

bool nes_hash_like(const char *s, size_t n)
{
	size_t i;

	if (n < 8 || n > 64)
		return false;
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

/* "*T": T in milliseconds since the epoch, or an ISO-8601 UTC instant; -1 when neither. */
int64_t nes_instant_ms(const char *t)
{
	char *end;
	long long ms;

	if (*t && (ms = strtoll(t, &end, 10)) >= 0 && *end == '\0')
		return (int64_t)ms;
	return rat_time_parse(t);
}

/* The newest first-parent commit of ref at or before at (ms), read a page at a time. */
static int at_time(nes *x, nes_ref *ref, int64_t at, const char *when)
{
	char from[65];
	rat_log log = { NULL, 0 };
	size_t i;
	int error;

	snprintf(from, sizeof(from), "%s", ref->hash);
	for (;;) {
		if ((error = rat_log_get(&log, x->catalog, from, 256)) != 0)
			return srv_lib_error(x->res, error);
		for (i = 0; i < log.count && log.items[i].time_ms > at; i++)
			;
		if (i < log.count || log.count == 0 || !*log.items[log.count - 1].parent)
			break;
		snprintf(from, sizeof(from), "%s", log.items[log.count - 1].parent);
		rat_log_free(&log);
	}
	if (i < log.count)
		snprintf(ref->hash, sizeof(ref->hash), "%s", log.items[i].hash);
	else
		error = srv_error(x->res, 404, "REFERENCE_NOT_FOUND", "no commit of %s at or before %s",
				  ref->name, when);
	rat_log_free(&log);
	return error;
}

/* Move x's hash along its history as suffix (~N, ^N, *T) says; 0 or a 4xx said. */
static int relative(nes *x, nes_ref *ref, const char *suffix)
{
	char *end;
	long n = suffix[1] ? strtol(suffix + 1, &end, 10) : -1;
	rat_log log = { NULL, 0 };
	int64_t at;
	int error;

	if (suffix[0] == '*')
		return (at = nes_instant_ms(suffix + 1)) < 0
			       ? srv_error(x->res, 400, "BAD_REQUEST", "%s: not a time (milliseconds "
					   "or an ISO instant)", suffix)
			       : at_time(x, ref, at, suffix + 1);
	if (n < 0 || *end || n > 100000 || (suffix[0] == '^' && (n < 1 || n > 2)))
		return srv_error(x->res, 400, "BAD_REQUEST", "%s: not a relative commit (~N, ^1, ^2 or *T)",
				 suffix);
	if ((error = rat_log_get(&log, x->catalog, ref->hash,
				 suffix[0] == '~' ? (size_t)n + 1 : 1)) != 0)
		return srv_lib_error(x->res, error);
	error = 0;
	if (suffix[0] == '~' && log.count == (size_t)n + 1)
		snprintf(ref->hash, sizeof(ref->hash), "%s", log.items[n].hash);
	else if (suffix[0] == '^' && log.count &&
		 *(n == 2 ? log.items[0].merge_parent : log.items[0].parent))
		snprintf(ref->hash, sizeof(ref->hash), "%s",
			 n == 2 ? log.items[0].merge_parent : log.items[0].parent);
	else {
		error = srv_error(x->res, 404, "REFERENCE_NOT_FOUND", "%s has no commit %s", ref->name,
				  suffix);
	}
	rat_log_free(&log);
	return error;
}

int nes_resolve(nes *x, const char *spec, nes_ref *ref)
{
	char name[512], hash[80] = "", suffix[64] = "";
	const char *at = strchr(spec, '@'), *rel = strpbrk(at ? at : spec, "~^*");
	size_t name_len = at ? (size_t)(at - spec) : rel ? (size_t)(rel - spec) : strlen(spec);
	size_t hash_len;
	int error;

	memset(ref, 0, sizeof(*ref));
	if (name_len >= sizeof(name) || (rel && strlen(rel) >= sizeof(suffix)))
		return srv_error(x->res, 400, "BAD_REQUEST", "the reference is too long");
	memcpy(name, spec, name_len);
	name[name_len] = '\0';
	if (rel)
		snprintf(suffix, sizeof(suffix), "%s", rel);
	hash_len = at ? (rel ? (size_t)(rel - at - 1) : strlen(at + 1)) : 0;
	if (at && (hash_len == 0 ? !rel : !nes_hash_like(at + 1, hash_len)))
		return srv_error(x->res, 400, "BAD_REQUEST", "%s: a hash is 8 to 64 lowercase hex digits",
				 spec);
	if (hash_len)
		snprintf(hash, sizeof(hash), "%.*s", (int)hash_len, at + 1);
	ref->exact = hash_len > 0;
	if (strcmp(name, "-") == 0 || (!*name && !at))
		snprintf(name, sizeof(name), "%s", rat_workspace_branch(x->r->who->ws));
	if (*name) { /* a named reference: its type, and its head when no hash is given */
		int tag = 0;
		if ((error = rat_ref_get(x->catalog, name, ref->name, sizeof(ref->name), &tag,
					 ref->hash)) != 0)
			return error == RAT_ENOTFOUND || error == RAT_EACCESS /* not listed to it */
				       ? srv_error(x->res, 404, "REFERENCE_NOT_FOUND",
						   "Named reference '%s' not found", name)
				       : srv_lib_error(x->res, error);
		ref->type = tag ? "TAG" : "BRANCH";
	} else {
		ref->type = "DETACHED";
		snprintf(ref->name, sizeof(ref->name), "DETACHED");
	}
	if (*hash) { /* the commit named, which must be one this workspace may read */
		char full[65];
		if ((error = rat_ref_resolve(x->catalog, hash, full)) != 0)
			return error == RAT_ENOTFOUND
				       ? srv_error(x->res, 404, "REFERENCE_NOT_FOUND",
						   "Commit '%s' not found", hash)
				       : srv_lib_error(x->res, error);
		snprintf(ref->hash, sizeof(ref->hash), "%s", full);
	}
	return *suffix ? relative(x, ref, suffix) : 0;
}

/* --- keys and contents ------------------------------------------------------------------ */

json_t *nes_key_json(const char *key)
{
	const char *dot = strchr(key, '.');

	return dot ? json_pack("{s:[s#, s]}", "elements", key, (int)(dot - key), dot + 1)
		   : json_pack("{s:[s]}", "elements", key);
}

int nes_key_of(json_t *elements, char *out, size_t len)
{
	size_t n = json_array_size(elements), i;
	const char *a = json_string_value(json_array_get(elements, 0));
	const char *b = json_string_value(json_array_get(elements, 1));

	if (!json_is_array(elements) || n < 1 || n > 2 || !a || !*a || (n == 2 && (!b || !*b)))
		return -1;
	for (i = 0; i < n; i++)
		if (strchr(json_string_value(json_array_get(elements, i)), '.'))
			return -1;
	return snprintf(out, len, n == 2 ? "%s.%s" : "%s", a, b) < (int)len ? 0 : -1;
}

/* A key from a path ("a.b", legacy form: 0x1D for a '.' inside an element, which rat has none of). */
int nes_path_key(nes *x, const char *s, char *out, size_t len)
{
	const char *dot = strchr(s, '.');

	if (!*s || strchr(s, 0x1d) || (dot && (dot == s || !dot[1] || strchr(dot + 1, '.'))) ||
	    strlen(s) >= len)
		return srv_error(x->res, 400, "BAD_REQUEST",
				 "%s: a key is a namespace ('name') or a table or view "
				 "('namespace.name'), its names without dots",
				 s);
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

const char *nes_content_type(const rat_content_entry *c)
{
	return c->type == RAT_CONTENT_NAMESPACE ? "NAMESPACE"
	       : c->type == RAT_CONTENT_VIEW	? "ICEBERG_VIEW"
						: "ICEBERG_TABLE";
}

/*
 * What the contents take from a metadata file beyond the catalog's fields (a table's
 * sort order, a view's version), kept by the file's location: a metadata file never
 * changes, so a listing of many tables reads each file once for the server's life.
 * EXTRA_SLOTS locations at most; a full table starts again empty.
 */
#define EXTRA_SLOTS 65536
static struct {
	char *location;
	json_int_t extra;
} extras[EXTRA_SLOTS];
static size_t extras_used;
static pthread_mutex_t extras_lock = PTHREAD_MUTEX_INITIALIZER;

/* The slot of location (FNV-1a, then the next free or equal one); under extras_lock. */
static size_t extra_slot(const char *location)
{
	uint64_t h = 1469598103934665603ULL;
	const char *p;
	size_t i;

	for (p = location; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	for (i = (size_t)h & (EXTRA_SLOTS - 1);
	     extras[i].location && strcmp(extras[i].location, location) != 0;
	     i = (i + 1) & (EXTRA_SLOTS - 1))
		;
	return i;
}

static bool extra_get(const char *location, json_int_t *out)
{
	size_t i;
	bool found;

	pthread_mutex_lock(&extras_lock);
	i = extra_slot(location);
	if ((found = extras[i].location != NULL))
		*out = extras[i].extra;
	pthread_mutex_unlock(&extras_lock);
	return found;
}

static void extra_put(const char *location, json_int_t extra)
{
	size_t i;

	pthread_mutex_lock(&extras_lock);
	if (extras_used >= EXTRA_SLOTS / 4 * 3) {
		for (i = 0; i < EXTRA_SLOTS; i++) {
			free(extras[i].location);
			extras[i].location = NULL;
		}
		extras_used = 0;
	}
	i = extra_slot(location);
	if (!extras[i].location && (extras[i].location = strdup(location)) != NULL) {
		extras[i].extra = extra;
		extras_used++;
	}
	pthread_mutex_unlock(&extras_lock);
}

/* A table's sort order or a view's version, from its metadata file (or what was read of it). */
static json_int_t content_extra(nes *x, const char *hash, const rat_content_entry *c)
{
	rat_table_metadata_file file = { NULL, NULL, 0 };
	json_t *md = NULL;
	json_int_t extra = 0;

	if (extra_get(c->metadata_location, &extra))
		return extra;
	if (rat_table_metadata_read(&file, x->catalog, x->r->who->ws, hash, c->key) == 0)
		md = json_loads(file.json, 0, NULL);
	rat_error_clear(); /* unreadable: the catalog's fields still say what it is */
	extra = json_integer_value(json_object_get(md, c->type == RAT_CONTENT_VIEW
							      ? "current-version-id"
							      : "default-sort-order-id"));
	if (md && file.location && strcmp(file.location, c->metadata_location) == 0)
		extra_put(c->metadata_location, extra);
	json_decref(md);
	rat_table_metadata_file_free(&file);
	return extra;
}

/*
 * c as a Nessie content object. A table's sort order and a view's version are not in
 * the catalog: they come from its metadata file (content_extra()).
 */
json_t *nes_content_json(nes *x, const char *hash, const rat_content_entry *c)
{
	json_t *out, *props;
	json_int_t extra;

	if (c->type == RAT_CONTENT_NAMESPACE) {
		props = json_loads(c->properties ? c->properties : "{}", 0, NULL);
		return json_pack("{s:s, s:s, s:[s], s:o}", "type", "NAMESPACE", "id", c->id,
				 "elements", c->key, "properties", props ? props : json_object());
	}
	extra = content_extra(x, hash, c);
	out = c->type == RAT_CONTENT_VIEW
		      ? json_pack("{s:s, s:s, s:s, s:I, s:i}", "type", "ICEBERG_VIEW", "id", c->id,
				  "metadataLocation", c->metadata_location, "versionId", extra,
				  "schemaId", c->schema_id)
		      : json_pack("{s:s, s:s, s:s, s:I, s:i, s:i, s:I}", "type", "ICEBERG_TABLE",
				  "id", c->id, "metadataLocation", c->metadata_location, "snapshotId",
				  (json_int_t)c->snapshot_id, "schemaId", c->schema_id, "specId",
				  c->spec_id, "sortOrderId", extra);
	return out;
}

bool nes_same_content(const rat_content_entry *a, const rat_content_entry *b)
{
	return a->type == b->type && strcmp(a->id, b->id) == 0 &&
	       strcmp(a->metadata_location, b->metadata_location) == 0 &&
	       strcmp(a->properties ? a->properties : "", b->properties ? b->properties : "") == 0;
}

int nes_filter(nes *x, cel_expr **out)
{
	char *text = srv_query(x->r, "filter"), err[512];

	*out = NULL;
	if (!text || !*text) {
		free(text);
		return 0;
	}
	*out = cel_parse(text, err, sizeof(err));
	free(text);
	return *out ? 0 : srv_error(x->res, 400, "BAD_REQUEST", "%s", err);
}

int nes_keep(nes *x, const cel_expr *filter, json_t *vars)
{
	char err[512];
	int keep = filter ? cel_eval_bool(filter, vars, err, sizeof(err)) : 1;

	json_decref(vars);
	if (keep < 0)
		srv_error(x->res, 400, "BAD_REQUEST", "%s", err);
	return keep;
}

json_t *nes_key_vars(const char *key)
{
	const char *dot = strchr(key, '.');
	json_t *ns = dot ? json_pack("[s#]", key, (int)(dot - key)) : json_array();
	json_t *k = nes_key_json(key), *elements = json_incref(json_object_get(k, "elements"));

	json_decref(k);
	return json_pack("{s:s#, s:s, s:s, s:s, s:o, s:o}", "namespace", key,
			 dot ? (int)(dot - key) : 0, "key", key, "encodedKey", key, "name",
			 dot ? dot + 1 : key, "keyElements", elements ? elements : json_array(),
			 "namespaceElements", ns ? ns : json_array());
}

static int by_key(const void *key, const void *item)
{
	return strcmp(key, ((const rat_content_entry *)item)->key);
}

/* The content of key in list (sorted), or NULL. */
const rat_content_entry *nes_find(const rat_content_list *list, const char *key)
{
	return list->count ? bsearch(key, list->items, list->count, sizeof(*list->items), by_key)
			   : NULL;
}

/* --- paging ----------------------------------------------------------------------------- */

int nes_paging(nes *x, size_t *max, char **token)
{
	char *m = srv_query(x->r, "max-records"), *end;
	long n = m ? strtol(m, &end, 10) : PAGE_DEFAULT;

	*token = srv_query(x->r, "page-token");
	*max = PAGE_DEFAULT;
	if (m && (!*m || *end || n < 1)) {
		free(m);
		free(*token);
		*token = NULL;
		return srv_error(x->res, 400, "BAD_REQUEST", "max-records is a positive number");
	}
	free(m);
	*max = n > PAGE_MAX ? PAGE_MAX : (size_t)n;
	return 0;
}

/* --- the routing -------------------------------------------------------------------- */

static int config(nes *x)
{
	x->res->status = 200;
	x->res->body = json_pack("{s:s, s:i, s:i, s:i, s:s}", "defaultBranch",
				 rat_workspace_branch(x->r->who->ws), "minSupportedApiVersion", 2,
				 "maxSupportedApiVersion", 2, "actualApiVersion", 2, "specVersion",
				 NESSIE_SPEC_VERSION);
	return 200;
}

/*
 * /api/v2/trees/...: a write with an Idempotency-Key answered once (a retry
 * gets the first answer, from memory, else from the commit it made).
 */
static void trees(nes *x)
{
	const char *key = srv_is(x->r->method, "GET") ? NULL : srv_header(x->r, "Idempotency-Key");
	char commit[65];
	bool marked = false;
	ino_t inode = 0;
	int landed = 0;

	if (key && srv_idem_start(x->ctx, x->r, key, x->res) != 0)
		return; /* replayed or refused */
	if (srv_catalog_take(x->r->who, &x->catalog, &inode) != 0)
		srv_lib_error(x->res, RAT_ERROR);
	else if (!key || (landed = srv_request_landed(x->r, x->res, x->catalog, "nessie", key,
						      commit, &marked)) == 0)
		nes_trees(x);
	else if (landed > 0)
		nes_replay(x, commit);
	if (marked)
		srv_request_unmark(&x->catalog);
	if (x->catalog)
		srv_catalog_give(x->r->who, x->catalog, inode);
	if (key) {
		srv_as_nessie_error(x->res); /* a replay gives the body as first sent */
		srv_idem_end(x->ctx->idem, x->r->who->name, key, x->res);
	}
}

void srv_nessie(srv_request *r, srv_response *res, srv_context *ctx)
{
	nes x = { r, res, ctx, NULL };

	if (r->nseg < 3 || !srv_is(r->seg[1], "v2")) {
		srv_error(res, 404, "BAD_REQUEST", "no such path (Nessie's API v2 is under /api/v2)");
	} else if (srv_authenticate(r, res, ctx, NULL, true) != 0) {
		/* said */
	} else if (srv_is(r->seg[2], "config") && r->nseg == 3) {
		srv_is(r->method, "GET") ? config(&x)
					 : srv_error(res, 405, "BAD_REQUEST", "config takes GET");
	} else if (!srv_is(r->seg[2], "trees")) {
		srv_error(res, 404, "BAD_REQUEST", "no such path");
	} else {
		trees(&x);
	}
	srv_as_nessie_error(res);
}
