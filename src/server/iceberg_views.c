/*
 * server/iceberg_views.c - the Iceberg REST catalog's views: list, create,
 * load, HEAD, replace (a commit with assert-view-uuid and the view updates),
 * drop; rename is iceberg_tables.c's, with views.
 *
 * A view is a catalog entry like a table, marked as a view, whose metadata
 * is Iceberg view metadata (format 1): its schemas, its versions (each with
 * its SQL in one or more dialects) and the log of which version was current
 * when. rat's own views are the same (their SQL in the dialect "duckdb");
 * a view another engine made in its own dialect is listed and served here,
 * and a `rat query` that names it says it has no DuckDB SQL.
 */
#include "server/iceberg.h"

#include <stdlib.h>
#include <string.h>

static json_int_t int_of(json_t *obj, const char *key, json_int_t fallback)
{
	json_t *v = json_object_get(obj, key);

	return json_is_integer(v) ? json_integer_value(v) : fallback;
}

static int bad(ice *x, const char *what)
{
	return srv_error(x->res, 400, "BadRequestException", "%s", what);
}

/* The element of array whose field is id; NULL when none. */
static json_t *find_by(json_t *array, const char *field, json_int_t id)
{
	size_t i;
	json_t *v;

	json_array_foreach(array, i, v)
		if (int_of(v, field, -1) == id)
			return v;
	return NULL;
}

typedef struct view_state {
	json_int_t last_schema, last_version;
	int64_t now_ms;
} view_state;

static int set_current(ice *x, json_t *md, json_int_t id, view_state *st)
{
	if (id == -1)
		id = st->last_version;
	if (id < 0 || !find_by(json_object_get(md, "versions"), "version-id", id))
		return bad(x, "set-current-view-version: no such view version");
	if (int_of(md, "current-version-id", -1) != id) {
		json_t *log = json_object_get(md, "version-log");
		if (!json_is_array(log))
			json_object_set_new(md, "version-log", log = json_array());
		json_array_append_new(log, json_pack("{s:I, s:I}", "version-id", id, "timestamp-ms",
						     (json_int_t)st->now_ms));
	}
	json_object_set_new(md, "current-version-id", json_integer(id));
	return 0;
}

static int add_version(ice *x, json_t *md, json_t *version, view_state *st)
{
	json_t *copy;

	if (!json_is_object(version) || !json_is_array(json_object_get(version, "representations")))
		return bad(x, "add-view-version needs a view-version with representations");
	copy = json_deep_copy(version);
	if (int_of(copy, "schema-id", -1) == -1)
		json_object_set_new(copy, "schema-id", json_integer(st->last_schema));
	if (!find_by(json_object_get(md, "schemas"), "schema-id", int_of(copy, "schema-id", -1))) {
		json_decref(copy);
		return bad(x, "add-view-version: its schema-id names no schema of the view");
	}
	if (!json_is_integer(json_object_get(copy, "timestamp-ms")))
		json_object_set_new(copy, "timestamp-ms", json_integer(st->now_ms));
	if (!json_object_get(copy, "summary"))
		json_object_set_new(copy, "summary", json_object());
	if (!json_object_get(copy, "default-namespace"))
		json_object_set_new(copy, "default-namespace", json_array());
	st->last_version = srv_add_versioned(md, "versions", "version-id", copy, "timestamp-ms", 1);
	return 0;
}

/* A view commit's updates, in order, on md; then md must be whole. */
static int apply(ice *x, json_t *md, json_t *updates, bool creating)
{
	view_state st = { -1, -1, rat_workspace_now_ms(x->r->who->ws) };
	json_t *u, *props = json_object_get(md, "properties"), *v;
	const char *action, *k;
	size_t i, j;
	int error = 0;

	if (updates && !json_is_array(updates))
		return bad(x, "updates must be an array");
	if (!json_is_object(props))
		json_object_set_new(md, "properties", props = json_object());
	json_array_foreach(updates, i, u) {
		if ((action = json_string_value(json_object_get(u, "action"))) == NULL)
			return bad(x, "an update without an action");
		if (strcmp(action, "assign-uuid") == 0) {
			const char *uuid = json_string_value(json_object_get(u, "uuid"));
			const char *have = json_string_value(json_object_get(md, "view-uuid"));
			if (!uuid || (have && strcmp(have, uuid) != 0 && !creating))
				return bad(x, "assign-uuid: the view has a uuid already");
			json_object_set_new(md, "view-uuid", json_string(uuid));
		} else if (strcmp(action, "upgrade-format-version") == 0) {
			if (int_of(u, "format-version", 0) != 1)
				return bad(x, "a view's format version is 1");
		} else if (strcmp(action, "add-schema") == 0) {
			json_t *schema = json_object_get(u, "schema");
			if (!json_is_object(schema))
				return bad(x, "add-schema needs a schema");
			st.last_schema = srv_add_versioned(md, "schemas", "schema-id",
							   json_deep_copy(schema), NULL, 0);
		} else if (strcmp(action, "set-location") == 0) {
			if (!json_is_string(json_object_get(u, "location")))
				return bad(x, "set-location needs a location");
			json_object_set(md, "location", json_object_get(u, "location"));
		} else if (strcmp(action, "set-properties") == 0) {
			json_object_foreach(json_object_get(u, "updates"), k, v)
				if (json_is_string(v))
					json_object_set(props, k, v);
		} else if (strcmp(action, "remove-properties") == 0) {
			json_array_foreach(json_object_get(u, "removals"), j, v)
				if (json_is_string(v))
					json_object_del(props, json_string_value(v));
		} else if (strcmp(action, "add-view-version") == 0) {
			error = add_version(x, md, json_object_get(u, "view-version"), &st);
		} else if (strcmp(action, "set-current-view-version") == 0) {
			error = set_current(x, md, int_of(u, "view-version-id", -2), &st);
		} else {
			return srv_error(x->res, 400, "BadRequestException",
					 "%s is not a view update", action);
		}
		if (error)
			return error;
	}
	if (!find_by(json_object_get(md, "versions"), "version-id",
		     int_of(md, "current-version-id", -1)))
		return bad(x, "the view has no current version (add-view-version)");
	return 0;
}

/* A new view's metadata before its updates. */
static json_t *new_view(ice *x, const char *ns, const char *name, const char *location)
{
	char uuid[37], *own = NULL;
	json_t *md;

	if (ice_uuid(uuid) != 0) {
		srv_error(x->res, 500, "ServerErrorException", "no random bytes");
		return NULL;
	}
	if (!location && (location = own = ice_default_location(x, ns, name)) == NULL)
		return NULL;
	md = json_pack("{s:s, s:i, s:s, s:i, s:[], s:[], s:[], s:{}}", "view-uuid", uuid,
		       "format-version", 1, "location", location, "current-version-id", -1,
		       "versions", "version-log", "schemas", "properties");
	free(own);
	if (!md)
		srv_error(x->res, 500, "ServerErrorException", "out of memory");
	return md;
}

/* Write md as key's next metadata (expected: the location it replaces, NULL for a new view). */
static int save(ice *x, const char *key, const char *expected, json_t *md)
{
	char *text = json_dumps(md, JSON_INDENT(2)), *location = NULL, hash[65];
	rat_table_change change = { key, expected, text, NULL, 1 };
	int error;

	if (!text)
		return srv_error(x->res, 500, "ServerErrorException", "out of memory");
	error = rat_table_metadata_commit(hash, &location, x->catalog, x->r->who->ws, ice_branch(x),
					  &change, 1, NULL, NULL);
	free(text);
	if (error) {
		free(location);
		return srv_lib_error(x->res, error);
	}
	ice_view_result(x, location, md);
	free(location);
	return 0;
}

static int create_view(ice *x, const char *ns)
{
	rat_table_metadata_file file = { NULL, NULL, 0 };
	json_t *body, *md = NULL, *updates = NULL, *existing = NULL;
	const char *name;
	char key[320];

	if (ice_writable(x) != 0 || (body = ice_body(x)) == NULL)
		return x->res->status;
	name = json_string_value(json_object_get(body, "name"));
	if (ice_key(x, key, sizeof(key), ns, name) != 0)
		goto done;
	if (!json_is_object(json_object_get(body, "schema")) ||
	    !json_is_object(json_object_get(body, "view-version"))) {
		bad(x, "a view needs a schema and a view-version");
		goto done;
	}
	if (rat_table_metadata_read(&file, x->catalog, x->r->who->ws, ice_branch(x), key) == 0) {
		srv_error(x->res, 409, "AlreadyExistsException", "%s exists on %s (a %s)", key,
			  ice_branch(x), file.is_view ? "view" : "table");
		goto done;
	}
	if ((md = new_view(x, ns, name, json_string_value(json_object_get(body, "location")))) ==
	    NULL)
		goto done;
	updates = json_pack("[{s:s, s:O}, {s:s, s:O}, {s:s, s:i}, {s:s, s:O}]", "action",
			    "add-schema", "schema", json_object_get(body, "schema"), "action",
			    "add-view-version", "view-version", json_object_get(body, "view-version"),
			    "action", "set-current-view-version", "view-version-id", -1, "action",
			    "set-properties", "updates",
			    json_is_object(json_object_get(body, "properties"))
				    ? json_object_get(body, "properties")
				    : (existing = json_object()));
	if (!updates) {
		srv_error(x->res, 500, "ServerErrorException", "out of memory");
		goto done;
	}
	/* the version's schema is the view's schema */
	json_object_set_new(json_object_get(json_array_get(updates, 1), "view-version"), "schema-id",
			    json_integer(-1));
	if (apply(x, md, updates, true) == 0)
		save(x, key, NULL, md);
done:
	json_decref(existing);
	json_decref(updates);
	json_decref(md);
	json_decref(body);
	rat_table_metadata_file_free(&file);
	return x->res->status;
}

static int replace_view(ice *x, const char *key)
{
	rat_table_metadata_file file = { NULL, NULL, 0 };
	json_t *body, *md = NULL, *req;
	size_t i;

	if (ice_writable(x) != 0 || (body = ice_body(x)) == NULL)
		return x->res->status;
	if (ice_load(x, key, true, &file, &md) != 0)
		goto done;
	if (!md) {
		srv_error(x->res, 404, "NoSuchViewException", "no view %s on %s", key, ice_branch(x));
		goto done;
	}
	json_array_foreach(json_object_get(body, "requirements"), i, req) {
		const char *type = json_string_value(json_object_get(req, "type"));
		const char *uuid = json_string_value(json_object_get(req, "uuid"));
		if (!type || strcmp(type, "assert-view-uuid") != 0 || !uuid) {
			bad(x, "a view's requirement is assert-view-uuid, with a uuid");
			goto done;
		}
		const char *have = json_string_value(json_object_get(md, "view-uuid"));
		if (!have || strcmp(uuid, have) != 0) {
			srv_error(x->res, 409, "CommitFailedException",
				  "requirement failed: view uuid is not %s", uuid);
			goto done;
		}
	}
	if (apply(x, md, json_object_get(body, "updates"), false) == 0)
		save(x, key, file.location, md);
done:
	json_decref(md);
	json_decref(body);
	rat_table_metadata_file_free(&file);
	return x->res->status;
}

int ice_view_result(ice *x, const char *location, json_t *md)
{
	x->res->status = 200;
	x->res->body = json_pack("{s:s, s:O, s:{}}", "metadata-location", location, "metadata", md,
				 "config");
	return 200;
}

/* GET or HEAD of one view. */
static int one_view(ice *x, const char *key)
{
	rat_table_metadata_file file = { NULL, NULL, 0 };
	json_t *md = NULL;

	if (ice_load(x, key, true, &file, &md) != 0)
		goto done;
	if (!md) {
		srv_error(x->res, 404, "NoSuchViewException", "no view %s on %s", key, ice_branch(x));
	} else if (ice_method(x, "HEAD")) {
		x->res->status = 204;
	} else {
		ice_view_result(x, file.location, md);
	}
done:
	json_decref(md);
	rat_table_metadata_file_free(&file);
	return x->res->status;
}

int ice_views(ice *x, const char *ns)
{
	char key[320];

	if (x->nseg == 3) {
		if (ice_method(x, "GET"))
			return ice_list(x, ns, true);
		if (ice_method(x, "POST"))
			return create_view(x, ns);
		return ice_not_allowed(x);
	}
	if (x->nseg != 4 || ice_key(x, key, sizeof(key), ns, x->seg[3]) != 0)
		return x->res->status ? x->res->status
				      : srv_error(x->res, 404, "NotFoundException", "no such path");
	if (ice_method(x, "POST"))
		return replace_view(x, key);
	if (ice_method(x, "DELETE"))
		return ice_drop(x, key, true);
	if (ice_method(x, "GET") || ice_method(x, "HEAD"))
		return one_view(x, key);
	return ice_not_allowed(x);
}
