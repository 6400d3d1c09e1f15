/*
 * server/iceberg_replay.c - the answer to a request whose first attempt
 * committed, found again by its idempotency key after the server forgot it
 * (a restart, or a crash between the commit and the answer).
 *
 * Every mutation made for a request with an Idempotency-Key is a catalog
 * commit marked with the request's id (rat_catalog_set_request_id(), written
 * in the commit's own transaction), so a retry knows for sure whether its
 * first attempt landed. When it did, the answer is built again from that
 * commit, as the first attempt built it: a created, registered or committed
 * table (or view) as that commit holds it, a namespace's properties as the
 * request set them, which removed properties were there before (its parent
 * commit), and 204 for the rest. The spec allows a replay to show a newer
 * state; this one shows the first attempt's own.
 */
#include "server/iceberg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The name of the object a create, register or view create names in its body. */
static int body_key(ice *x, const char *ns, char *key, size_t len)
{
	json_t *body = ice_body(x);
	const char *name;
	int status;

	if (!body)
		return x->res->status;
	name = json_string_value(json_object_get(body, "name"));
	status = name ? ice_key(x, key, len, ns, name)
		      : srv_error(x->res, 400, "BadRequestException", "the body names no table");
	json_decref(body);
	return status;
}

/* The table or view key at commit: LoadTableResult (full) or CommitTableResponse, or a view's. */
static int load_at(ice *x, const char *commit, const char *key, bool view, bool full)
{
	rat_table_metadata_file file = { NULL, NULL, 0 };
	char *ref = x->ref;
	json_t *md = NULL;

	x->ref = (char *)commit;
	if (!view && full) {
		ice_load_table(x, key);
		x->ref = ref;
		return x->res->status;
	}
	if (ice_load(x, key, view, &file, &md) == 0 && !md)
		srv_error(x->res, 500, "ServerErrorException",
			  "commit %s, made for this request, holds no %s", commit, key);
	x->ref = ref;
	if (md && view) {
		ice_view_result(x, file.location, md);
	} else if (md) {
		x->res->status = 200;
		x->res->body = json_pack("{s:s, s:O}", "metadata-location", file.location, "metadata",
					 md);
	}
	json_decref(md);
	rat_table_metadata_file_free(&file);
	return x->res->status;
}

/* POST .../namespaces: the namespace and the properties the request gave it. */
static int namespace_created(ice *x)
{
	json_t *body = ice_body(x), *name, *props;

	if (!body)
		return x->res->status;
	name = json_object_get(body, "namespace");
	props = json_object_get(body, "properties");
	x->res->status = 200;
	x->res->body = json_pack("{s:O, s:o}", "namespace", name, "properties",
				 json_is_object(props) ? json_incref(props) : json_object());
	json_decref(body);
	return 200;
}

/* POST .../namespaces/{ns}/properties: what was updated, and which removals were there before. */
static int namespace_updated(ice *x, const char *commit, const char *ns)
{
	json_t *body = ice_body(x), *before = NULL, *updated, *removed, *missing, *v;
	rat_log log = { NULL, 0 };
	char *props = NULL;
	const char *k;
	size_t i;
	int error;

	if (!body)
		return x->res->status;
	if ((error = rat_log_get(&log, x->catalog, commit, 1)) != 0 || log.count != 1 ||
	    (error = rat_namespace_get(&props, x->catalog, x->r->who->ws, log.items[0].parent,
				       ns)) != 0 ||
	    (before = json_loads(props, 0, NULL)) == NULL) {
		srv_lib_error(x->res, error ? error : RAT_EIO);
		goto done;
	}
	updated = json_array();
	removed = json_array();
	missing = json_array();
	json_object_foreach(json_object_get(body, "updates"), k, v)
		json_array_append_new(updated, json_string(k));
	json_array_foreach(json_object_get(body, "removals"), i, v)
		json_array_append(json_object_get(before, json_string_value(v)) ? removed : missing, v);
	if (json_array_size(missing) == 0) {
		json_decref(missing);
		missing = json_null();
	}
	x->res->status = 200;
	x->res->body = json_pack("{s:o, s:o, s:o}", "updated", updated, "removed", removed,
				 "missing", missing);
done:
	json_decref(before);
	rat_free(props);
	rat_log_free(&log);
	json_decref(body);
	return x->res->status;
}

int ice_replay(ice *x, const char *commit)
{
	char key[320];
	const char *ns;
	rat_layer layer;

	if (ice_writable(x) != 0) /* the token may no longer write: it learns nothing */
		return x->res->status;
	if (ice_method(x, "DELETE") || !srv_is(x->seg[0], "namespaces"))
		return x->res->status = 204; /* drops, renames, transactions: no body */
	if (x->nseg == 1)
		return namespace_created(x);
	ns = x->seg[1];
	if (rat_layer_parse(&layer, ns) == 0) /* as the first attempt named it */
		ns = rat_layer_name(layer);
	rat_error_clear();
	if (x->nseg == 3 && srv_is(x->seg[2], "properties"))
		return namespace_updated(x, commit, ns);
	if (x->nseg == 3 && (srv_is(x->seg[2], "tables") || srv_is(x->seg[2], "register") ||
			     srv_is(x->seg[2], "views")))
		return body_key(x, ns, key, sizeof(key)) != 0
			       ? x->res->status
			       : load_at(x, commit, key, srv_is(x->seg[2], "views"), true);
	if (x->nseg == 4 && (srv_is(x->seg[2], "tables") || srv_is(x->seg[2], "views")))
		return ice_key(x, key, sizeof(key), ns, x->seg[3]) != 0
			       ? x->res->status
			       : load_at(x, commit, key, srv_is(x->seg[2], "views"), false);
	return srv_error(x->res, 500, "ServerErrorException",
			 "commit %s was made for this request, whose answer cannot be rebuilt",
			 commit);
}
