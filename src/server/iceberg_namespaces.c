/*
 * server/iceberg_namespaces.c - .../namespaces[/{ns}[/properties]] of the
 * Iceberg REST catalog: list (paged), create, load, HEAD, drop, and
 * properties. The layers always exist; other namespaces live on the branch
 * (rat/table.h's rat_namespace_*), one level deep: a client's multi-level
 * namespace (its levels joined by 0x1F in a path) gets a 400.
 */
#include "server/iceberg.h"

#include <stdlib.h>
#include <string.h>

/* Why a namespace segment or element is not one name: 400 said, or 0. */
static int one_level(ice *x, const char *ns)
{
	/* a client sends a multi-level namespace joined by 0x1F (the spec's separator) */
	if (ns && strchr(ns, 0x1f))
		return srv_error(x->res, 400, "BadRequestException",
				 "namespaces have one level here: %s has several", ns);
	return 0;
}

/* ns when it is a namespace at the request's ref; NULL, a 4xx said, when not. */
const char *ice_namespace(ice *x, const char *ns)
{
	rat_layer layer;
	int error;

	if (!ns)
		return NULL;
	if (rat_layer_parse(&layer, ns) == 0)
		return rat_layer_name(layer);
	rat_error_clear();
	if (one_level(x, ns) != 0)
		return NULL;
	if ((error = rat_namespace_get(NULL, x->catalog, x->r->who->ws, ice_branch(x), ns)) == 0)
		return ns;
	if (error == RAT_ENOTFOUND)
		srv_error(x->res, 404, "NoSuchNamespaceException", "%s", rat_error_last()->message);
	else
		srv_lib_error(x->res, error);
	return NULL;
}

static int list_namespaces(ice *x)
{
	char *parent = srv_query(x->r, "parent");
	json_t *list = json_array();
	rat_namespace_list all;
	size_t start, size, i, n = 0, total;
	int error;

	if (ice_paging(x, &start, &size) != 0) {
		free(parent);
		json_decref(list);
		return x->res->status;
	}
	if (parent && *parent && !ice_namespace(x, parent)) { /* 404 for a parent not there */
		free(parent);
		json_decref(list);
		return x->res->status;
	}
	if ((error = rat_namespace_list_get(&all, x->catalog, x->r->who->ws, ice_branch(x))) != 0) {
		free(parent);
		json_decref(list);
		return srv_lib_error(x->res, error);
	}
	/* one level: a namespace has no children */
	total = parent && *parent ? 0 : all.count;
	for (i = start; i < total && (!size || n < size); i++, n++)
		json_array_append_new(list, json_pack("[s]", all.items[i].name));
	x->res->status = 200;
	x->res->body = json_pack("{s:o}", "namespaces", list);
	ice_page_token(x->res->body, start + n, total);
	rat_namespace_list_free(&all);
	free(parent);
	return 200;
}

/* A namespace's properties (a JSON object), or NULL with the error said. */
static json_t *namespace_properties(ice *x, const char *ns)
{
	char *text = NULL;
	json_t *props;
	int error;

	if ((error = rat_namespace_get(&text, x->catalog, x->r->who->ws, ice_branch(x), ns)) != 0) {
		if (error == RAT_ENOTFOUND)
			srv_error(x->res, 404, "NoSuchNamespaceException", "%s",
				  rat_error_last()->message);
		else
			srv_lib_error(x->res, error);
		return NULL;
	}
	props = json_loads(text, 0, NULL);
	rat_free(text);
	if (!props)
		srv_error(x->res, 500, "ServerErrorException", "namespace %s: unreadable properties",
			  ns);
	return props;
}

static int create_namespace(ice *x)
{
	json_t *body = ice_body(x), *name, *props;
	char commit[65], *text = NULL;
	const char *ns;
	int error;

	if (!body)
		return x->res->status;
	name = json_object_get(body, "namespace");
	props = json_object_get(body, "properties");
	if (!json_is_array(name) || json_array_size(name) != 1 ||
	    !json_is_string(json_array_get(name, 0))) {
		/* said before the body, which holds name, goes */
		srv_error(x->res, 400, "BadRequestException",
			  json_is_array(name) && json_array_size(name) > 1
				  ? "namespaces have one level here"
				  : "namespace must be an array of one name");
		json_decref(body);
		return x->res->status;
	}
	ns = json_string_value(json_array_get(name, 0));
	if (props && !json_is_object(props)) {
		json_decref(body);
		return srv_error(x->res, 400, "BadRequestException", "properties must be an object");
	}
	if (ice_writable(x) != 0 || one_level(x, ns) != 0) {
		json_decref(body);
		return x->res->status;
	}
	if (props && (text = json_dumps(props, JSON_COMPACT)) == NULL) {
		json_decref(body);
		return srv_error(x->res, 500, "ServerErrorException", "out of memory");
	}
	error = rat_namespace_create(commit, x->catalog, x->r->who->ws, x->ref, ns, text);
	free(text);
	if (error) {
		json_decref(body);
		return srv_lib_error(x->res, error);
	}
	x->res->status = 200;
	x->res->body = json_pack("{s:[s], s:o}", "namespace", ns, "properties",
				 props ? json_incref(props) : json_object());
	json_decref(body);
	return 200;
}

static int drop_namespace(ice *x, const char *ns)
{
	char commit[65];
	int error;

	if (ice_writable(x) != 0)
		return x->res->status;
	if ((error = rat_namespace_drop(commit, x->catalog, x->r->who->ws, x->ref, ns)) == 0)
		return x->res->status = 204;
	if (error == RAT_ENOTFOUND)
		return srv_error(x->res, 404, "NoSuchNamespaceException", "%s",
				 rat_error_last()->message);
	if (error == RAT_ECONFLICT || error == RAT_EINVALID) /* not empty, or a layer */
		return srv_error(x->res, 409, "NamespaceNotEmptyException", "%s",
				 rat_error_last()->message);
	return srv_lib_error(x->res, error);
}

/* POST .../namespaces/{ns}/properties: {"removals":[...],"updates":{...}}. */
static int update_namespace(ice *x, const char *ns)
{
	json_t *body = ice_body(x), *removals, *updates, *v, *updated, *removed, *missing_j;
	const char **keys = NULL;
	rat_strarray missing = RAT_STRARRAY_INIT;
	char commit[65], *text = NULL;
	const char *k;
	size_t i, j, n;
	int error;

	if (!body)
		return x->res->status;
	removals = json_object_get(body, "removals");
	updates = json_object_get(body, "updates");
	if ((removals && !json_is_array(removals)) || (updates && !json_is_object(updates))) {
		json_decref(body);
		return srv_error(x->res, 400, "BadRequestException",
				 "removals must be an array and updates an object");
	}
	n = json_array_size(removals);
	if (ice_writable(x) != 0 || (n && (keys = calloc(n, sizeof(*keys))) == NULL)) {
		json_decref(body);
		return x->res->status ? x->res->status
				      : srv_error(x->res, 500, "ServerErrorException", "out of memory");
	}
	for (i = 0; i < n; i++)
		if ((keys[i] = json_string_value(json_array_get(removals, i))) == NULL) {
			free(keys);
			json_decref(body);
			return srv_error(x->res, 400, "BadRequestException",
					 "removals must be strings");
		}
	for (i = 0; i < n; i++)
		if (json_object_get(updates, keys[i])) {
			error = srv_error(x->res, 422, "UnprocessableEntityException",
					  "property %s is both removed and updated", keys[i]);
			free(keys);
			json_decref(body);
			return error;
		}
	if (updates && (text = json_dumps(updates, JSON_COMPACT)) == NULL) {
		free(keys);
		json_decref(body);
		return srv_error(x->res, 500, "ServerErrorException", "out of memory");
	}
	error = rat_namespace_update(commit, &missing, x->catalog, x->r->who->ws, x->ref, ns, keys,
				     n, text);
	free(text);
	if (error) {
		free(keys);
		json_decref(body);
		return error == RAT_ENOTFOUND
			       ? srv_error(x->res, 404, "NoSuchNamespaceException", "%s",
					   rat_error_last()->message)
			       : srv_lib_error(x->res, error);
	}
	updated = json_array();
	removed = json_array();
	missing_j = missing.count ? json_array() : json_null();
	json_object_foreach(updates, k, v)
		json_array_append_new(updated, json_string(k));
	for (i = 0; i < n; i++) {
		bool gone = true;
		for (j = 0; j < missing.count; j++)
			if (strcmp(missing.strings[j], keys[i]) == 0)
				gone = false;
		json_array_append_new(gone ? removed : missing_j, json_string(keys[i]));
	}
	x->res->status = 200;
	x->res->body = json_pack("{s:o, s:o, s:o}", "updated", updated, "removed", removed,
				 "missing", missing_j);
	rat_strarray_free(&missing);
	free(keys);
	json_decref(body);
	return 200;
}

int ice_namespaces(ice *x, const char **ns)
{
	json_t *props;

	*ns = NULL;
	if (x->nseg == 1) {
		if (ice_method(x, "GET"))
			return list_namespaces(x);
		if (ice_method(x, "POST"))
			return create_namespace(x);
		return ice_not_allowed(x);
	}
	if (x->nseg == 2 && ice_method(x, "GET")) { /* its properties tell whether it is there */
		if (one_level(x, x->seg[1]) != 0 || (props = namespace_properties(x, x->seg[1])) == NULL)
			return x->res->status;
		x->res->status = 200;
		x->res->body = json_pack("{s:[s], s:o}", "namespace", x->seg[1], "properties", props);
		return 200;
	}
	if ((*ns = ice_namespace(x, x->seg[1])) == NULL)
		return x->res->status;
	if (x->nseg == 2) {
		if (ice_method(x, "HEAD"))
			return x->res->status = 204;
		if (ice_method(x, "DELETE"))
			return drop_namespace(x, *ns);
		return ice_not_allowed(x);
	}
	if (x->nseg == 3 && srv_is(x->seg[2], "properties"))
		return ice_method(x, "POST") ? update_namespace(x, *ns) : ice_not_allowed(x);
	return 0; /* deeper: the caller goes on, with *ns */
}
