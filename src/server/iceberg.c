/*
 * server/iceberg.c - the Iceberg REST catalog under /iceberg (docs/serve.md;
 * the contract: ../shared/specs/iceberg-rest/rest-catalog-open-api.yaml).
 *
 *   /iceberg[/{ref}]/v1/config
 *   /iceberg[/{ref}]/v1/oauth/tokens
 *   /iceberg[/{ref}]/v1[/{prefix}]/namespaces[/{ns}[/properties|/register|
 *                                  /tables[/{table}[/metrics]]]]
 *   /iceberg[/{ref}]/v1[/{prefix}]/tables/rename
 *   /iceberg[/{ref}]/v1[/{prefix}]/transactions/commit
 *
 * The prefix is "<ref>" or "<ref>|<workspace>" (a '/' in a ref encoded as
 * %2F); "-", like no prefix, is the workspace's own branch. A request reads
 * and writes through a catalog opened for the workspace it acts for, so the
 * catalog itself refuses what that workspace may not read or write.
 * Namespaces are the layers, which always exist, and those a client makes
 * (one level; rat/table.h's rat_namespace_*), versioned with the branch; a
 * table "t" of namespace "silver" is the catalog key "silver.t".
 */
#include "server/iceberg.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>


static const char *const endpoints[] = {
	"GET /v1/{prefix}/namespaces",
	"POST /v1/{prefix}/namespaces",
	"GET /v1/{prefix}/namespaces/{namespace}",
	"HEAD /v1/{prefix}/namespaces/{namespace}",
	"DELETE /v1/{prefix}/namespaces/{namespace}",
	"POST /v1/{prefix}/namespaces/{namespace}/properties",
	"GET /v1/{prefix}/namespaces/{namespace}/tables",
	"POST /v1/{prefix}/namespaces/{namespace}/tables",
	"GET /v1/{prefix}/namespaces/{namespace}/tables/{table}",
	"HEAD /v1/{prefix}/namespaces/{namespace}/tables/{table}",
	"POST /v1/{prefix}/namespaces/{namespace}/tables/{table}",
	"DELETE /v1/{prefix}/namespaces/{namespace}/tables/{table}",
	"POST /v1/{prefix}/namespaces/{namespace}/register",
	"POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/metrics",
	"POST /v1/{prefix}/namespaces/{namespace}/tables/{table}/sign",
	"POST /v1/{prefix}/tables/rename",
	"POST /v1/{prefix}/transactions/commit",
	"GET /v1/{prefix}/namespaces/{namespace}/views",
	"POST /v1/{prefix}/namespaces/{namespace}/views",
	"GET /v1/{prefix}/namespaces/{namespace}/views/{view}",
	"HEAD /v1/{prefix}/namespaces/{namespace}/views/{view}",
	"POST /v1/{prefix}/namespaces/{namespace}/views/{view}",
	"DELETE /v1/{prefix}/namespaces/{namespace}/views/{view}",
	"POST /v1/{prefix}/views/rename",
	NULL,
};

bool ice_method(const ice *x, const char *m)
{
	return strcmp(x->r->method, m) == 0;
}

int ice_not_allowed(ice *x)
{
	return srv_error(x->res, 405, "BadRequestException", "%s is not allowed here",
			 x->r->method);
}

const char *ice_branch(const ice *x)
{
	return x->ref ? x->ref : rat_workspace_branch(x->r->who->ws);
}

json_t *ice_body(ice *x)
{
	json_error_t jerr;
	json_t *body = json_loadb(x->r->body, x->r->body_len, 0, &jerr);

	if (!body || !json_is_object(body)) {
		srv_error(x->res, 400, "BadRequestException", "the body is not a JSON object%s%s",
			  body ? "" : ": ", body ? "" : jerr.text);
		json_decref(body);
		return NULL;
	}
	return body;
}

static bool is_hex(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!isxdigit((unsigned char)s[n]))
			return false;
	return n >= 8 && n <= 64;
}

int ice_writable(ice *x)
{
	rat_ref_list refs;
	bool found = false, tag = false;
	size_t i;

	if (x->r->read_only)
		return srv_error(x->res, 403, "ForbiddenException",
				 "the token is read-only: it may not write");
	if (!x->ref || strcmp(x->ref, "-") == 0 || !x->catalog)
		return 0;
	/* a tag or a commit hash is read-only: only a branch takes commits */
	if (rat_ref_list_get(&refs, x->catalog) != 0)
		return srv_lib_error(x->res, RAT_ERROR);
	for (i = 0; i < refs.count && !found; i++)
		if (strcmp(refs.items[i].name, x->ref) == 0) {
			found = true;
			tag = refs.items[i].is_tag != 0;
		}
	rat_ref_list_free(&refs);
	if (tag || (!found && is_hex(x->ref)))
		return srv_error(x->res, 403, "ForbiddenException",
				 "%s is a %s: it is read-only (commits go to branches)", x->ref,
				 tag ? "tag" : "commit hash");
	return 0;
}

/* pageToken and pageSize: where a page starts and how long it is (0: all). */
int ice_paging(ice *x, size_t *start, size_t *size)
{
	char *token = srv_query(x->r, "pageToken"), *psize = srv_query(x->r, "pageSize"), *end;
	int error = 0;

	*start = 0;
	*size = 0;
	if (token && *token) {
		unsigned long long v = strtoull(token, &end, 10);
		if (*end || token[0] == '-')
			error = srv_error(x->res, 400, "BadRequestException", "bad pageToken");
		*start = (size_t)v;
	}
	if (!error && psize) {
		long v = strtol(psize, &end, 10);
		if (*end || v < 1)
			error = srv_error(x->res, 400, "BadRequestException",
					  "pageSize must be a positive number");
		*size = (size_t)v;
	}
	free(token);
	free(psize);
	return error;
}

void ice_page_token(json_t *out, size_t next, size_t total)
{
	char buf[32];

	if (next < total) {
		snprintf(buf, sizeof(buf), "%zu", next);
		json_object_set_new(out, "next-page-token", json_string(buf));
	} else {
		json_object_set_new(out, "next-page-token", json_null());
	}
}

/* "ns.table" into key (len bytes), the name checked; 0 or a 4xx said. */
int ice_key(ice *x, char *key, size_t len, const char *ns, const char *table)
{
	if (!table || !*table || strlen(table) > 255 || strchr(table, '.') || strchr(table, '/'))
		return srv_error(x->res, 400, "BadRequestException", "bad table name");
	snprintf(key, len, "%s.%s", ns, table);
	return 0;
}

/* {"namespace":[ns],"name":t} into key; 0 or a 4xx said. */
int ice_identifier(ice *x, json_t *id, char *key, size_t len)
{
	json_t *ns = json_object_get(id, "namespace");
	const char *layer;

	if (!json_is_array(ns) || json_array_size(ns) != 1 || !json_is_string(json_array_get(ns, 0)))
		return srv_error(x->res, 400, "BadRequestException",
				 "an identifier needs a namespace of one name and a name");
	if ((layer = ice_namespace(x, json_string_value(json_array_get(ns, 0)))) == NULL)
		return x->res->status;
	return ice_key(x, key, len, layer, json_string_value(json_object_get(id, "name")));
}

static int config(ice *x, const char *base)
{
	char *warehouse = srv_query(x->r, "warehouse");
	json_t *list = json_array(), *defaults = json_object(), *overrides = json_object();
	size_t i;

	for (i = 0; endpoints[i]; i++)
		json_array_append_new(list, json_string(endpoints[i]));
	if (warehouse && *warehouse && srv_find_workspace(x->ctx, warehouse)) {
		char *prefix = malloc(strlen(warehouse) + 8);
		if (prefix) {
			sprintf(prefix, "-|%s", warehouse);
			json_object_set_new(overrides, "prefix", json_string(prefix));
		}
		free(prefix);
	} else if (warehouse && *warehouse) {
		/* a ref: its '/' encoded, since the prefix is one path segment */
		char *enc = ice_segment(warehouse);
		if (enc)
			json_object_set_new(overrides, "prefix", json_string(enc));
		free(enc);
	} else if (!base) {
		json_object_set_new(defaults, "prefix", json_string("-"));
	}
	x->res->status = 200;
	x->res->body = json_pack("{s:o, s:o, s:o, s:s}", "defaults", defaults, "overrides",
				 overrides, "endpoints", list, "idempotency-key-lifetime",
				 SRV_IDEM_LIFETIME);
	free(warehouse);
	return 200;
}

static int b64val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/*
 * Client credentials in `Authorization: Basic base64(id:secret)` (RFC 6749
 * 2.3.1, what DuckDB's extension sends) into *client and *secret, unless the
 * form gave them.
 */
static void basic_credentials(ice *x, char **client, char **secret)
{
	const char *auth = srv_header(x->r, "Authorization"), *p;
	char *text, *colon, *o;
	unsigned acc = 0;
	int bits = 0, v;

	if (!auth || strncasecmp(auth, "Basic ", 6) != 0 || *secret)
		return;
	if ((text = o = malloc(strlen(auth))) == NULL)
		return;
	for (p = auth + 6; *p && *p != '='; p++) {
		if ((v = b64val(*p)) < 0) {
			free(text);
			return;
		}
		acc = (acc << 6) | (unsigned)v;
		if ((bits += 6) >= 8) {
			bits -= 8;
			*o++ = (char)((acc >> bits) & 0xff);
		}
	}
	*o = '\0';
	if ((colon = strchr(text, ':')) != NULL && memchr(text, '\0', (size_t)(o - text)) == NULL) {
		*colon = '\0';
		free(*client);
		*client = srv_decode(text, strlen(text), true);
		*secret = srv_decode(colon + 1, strlen(colon + 1), true);
	}
	memset(text, 0, (size_t)(o - text));
	free(text);
}

/* POST /v1/oauth/tokens: client credentials (client_id: the workspace, secret: its token). */
static int oauth(ice *x)
{
	const char *p = x->r->body;
	char *grant = NULL, *secret = NULL, *client = NULL;
	int read_only = 0;
	srv_workspace *who;

	if (!ice_method(x, "POST"))
		return ice_not_allowed(x);
	while (p && *p) {
		size_t n = strcspn(p, "&"), k = strcspn(p, "=");
		char **slot = NULL;
		if (k < n) {
			if (k == 10 && strncmp(p, "grant_type", 10) == 0)
				slot = &grant;
			else if (k == 13 && strncmp(p, "client_secret", 13) == 0)
				slot = &secret;
			else if (k == 9 && strncmp(p, "client_id", 9) == 0)
				slot = &client;
		}
		if (slot && !*slot)
			*slot = srv_decode(p + k + 1, n - k - 1, true); /* NULL: a bad escape */
		p += n;
		if (*p == '&')
			p++;
	}
	basic_credentials(x, &client, &secret);
	if (!grant || strcmp(grant, "client_credentials") != 0) {
		x->res->status = 400;
		x->res->body = json_pack("{s:s, s:s}", "error", "unsupported_grant_type",
					 "error_description", "only client_credentials is taken");
	} else if (!secret || (who = srv_find_workspace(x->ctx, client)) == NULL ||
		   rat_token_check(who->ws, secret, &read_only) != 0) {
		x->res->status = 401;
		x->res->body = json_pack("{s:s, s:s}", "error", "invalid_client",
					 "error_description", "invalid client credentials");
	} else {
		x->res->status = 200;
		x->res->body = json_pack("{s:s, s:s, s:s}", "access_token", secret, "token_type",
					 "bearer", "issued_token_type",
					 "urn:ietf:params:oauth:token-type:access_token");
	}
	if (secret)
		memset(secret, 0, strlen(secret));
	free(grant);
	free(secret);
	free(client);
	return x->res->status;
}

/* The prefix "<ref>[|<workspace>]": the ref (NULL for "-") and the workspace named. */
static int parse_prefix(ice *x, const char *prefix, const char *base, char **workspace)
{
	const char *bar = strrchr(prefix, '|');
	size_t n = bar ? (size_t)(bar - prefix) : strlen(prefix);
	char *ref = strndup(prefix, n);

	*workspace = NULL;
	if (!ref)
		return srv_error(x->res, 500, "ServerErrorException", "out of memory");
	if (bar && bar[1] && (*workspace = strdup(bar + 1)) == NULL) {
		free(ref);
		return srv_error(x->res, 500, "ServerErrorException", "out of memory");
	}
	if (!*ref || strcmp(ref, "-") == 0) {
		free(ref);
		ref = base ? strdup(base) : NULL;
	} else if (base && strcmp(base, ref) != 0) {
		free(ref);
		return srv_error(x->res, 400, "BadRequestException",
				 "the URL names two refs: %s and %s", base, prefix);
	}
	x->ref = ref;
	return 0;
}

/* An authenticated request with its catalog, to the handler of its path. */
static void dispatch(ice *x)
{
	const char *ns;

	if (srv_is(x->seg[0], "namespaces")) {
		if (ice_namespaces(x, &ns) != 0 || x->res->status)
			return;
		if (ns && srv_is(x->seg[2], "tables"))
			ice_tables(x, ns);
		else if (ns && srv_is(x->seg[2], "views"))
			ice_views(x, ns);
		else if (ns && srv_is(x->seg[2], "register") && x->nseg == 3)
			ice_method(x, "POST") ? ice_register(x, ns) : ice_not_allowed(x);
		else if (ns)
			srv_error(x->res, 404, "NotFoundException", "no such path");
	} else if (srv_is(x->seg[0], "tables") && x->nseg == 2 && srv_is(x->seg[1], "rename")) {
		ice_rename(x, false);
	} else if (srv_is(x->seg[0], "views") && x->nseg == 2 && srv_is(x->seg[1], "rename")) {
		ice_rename(x, true);
	} else if (srv_is(x->seg[0], "transactions") && x->nseg == 2 &&
		   srv_is(x->seg[1], "commit")) {
		ice_transaction(x);
	} else {
		srv_error(x->res, 404, "NotFoundException", "no such path");
	}
}

void srv_iceberg(srv_request *r, srv_response *res, srv_context *ctx)
{
	ice x = { r, res, ctx, NULL, NULL, NULL, 0 };
	const char *base = NULL, *idem_key = NULL;
	char *workspace = NULL, commit[65];
	bool marked = false;
	ino_t inode = 0;
	size_t i = 1;
	int landed = 0;

	if (i < r->nseg && !srv_is(r->seg[i], "v1"))
		base = r->seg[i++];
	if (i >= r->nseg || !srv_is(r->seg[i], "v1")) {
		srv_error(res, 404, "NotFoundException", "no such path (the API is under /iceberg/v1)");
		return;
	}
	i++;
	if (i < r->nseg && srv_is(r->seg[i], "config") && i + 1 == r->nseg) {
		if (!srv_is(r->method, "GET")) {
			srv_error(res, 405, "BadRequestException", "config takes GET");
			return;
		}
		char *warehouse = srv_query(r, "warehouse");
		if (srv_authenticate(r, res, ctx,
				     srv_find_workspace(ctx, warehouse) ? warehouse : NULL, false) == 0)
			config(&x, base);
		free(warehouse);
		return;
	}
	if (i + 2 == r->nseg && srv_is(r->seg[i], "oauth") && srv_is(r->seg[i + 1], "tokens")) {
		oauth(&x);
		return;
	}
	if (i < r->nseg && !srv_is(r->seg[i], "namespaces") && !srv_is(r->seg[i], "tables") &&
	    !srv_is(r->seg[i], "views") && !srv_is(r->seg[i], "transactions")) {
		if (parse_prefix(&x, r->seg[i], base, &workspace) != 0)
			return;
		i++;
	} else if (base && (x.ref = strdup(base)) == NULL) {
		srv_error(res, 500, "ServerErrorException", "out of memory");
		return;
	}
	x.seg = r->seg + i;
	x.nseg = r->nseg - i;
	if (x.nseg == 0) {
		srv_error(res, 404, "NotFoundException", "no such path");
		goto done;
	}
	if (srv_authenticate(r, res, ctx, workspace, true) != 0)
		goto done;
	if ((ice_method(&x, "POST") || ice_method(&x, "DELETE")) &&
	    (idem_key = srv_header(r, "Idempotency-Key")) != NULL &&
	    srv_idem_start(ctx, r, idem_key, res) != 0) {
		idem_key = NULL; /* replayed or refused: nothing to finish */
		goto done;
	}
	if (srv_catalog_take(r->who, &x.catalog, &inode) != 0) {
		srv_lib_error(res, RAT_ERROR);
		goto done;
	}
	if (!idem_key || (landed = srv_request_landed(r, res, x.catalog, "iceberg", idem_key,
						       commit, &marked)) == 0)
		dispatch(&x);
	else if (landed > 0)
		ice_replay(&x, commit);
done:
	if (marked)
		srv_request_unmark(&x.catalog);
	if (idem_key)
		srv_idem_end(ctx->idem, r->who->name, idem_key, res);
	if (x.catalog)
		srv_catalog_give(r->who, x.catalog, inode);
	free(x.ref);
	free(workspace);
}
