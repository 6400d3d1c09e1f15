/*
 * server/iceberg_tables.c - the Iceberg REST catalog's tables: list,
 * create (and stage-create), load (ETag, If-None-Match), HEAD, commit, drop,
 * register, rename, metrics, and transactions over several tables.
 *
 * A commit loads the table's metadata as the branch records it, checks the
 * requirements against it, applies the updates (iceberg_update.c) and hands
 * the new metadata to rat_table_metadata_commit(), which writes the next
 * metadata file and records it against the location it was made from: a
 * concurrent commit to the same table makes it 409.
 */
#include "server/iceberg.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ice_list(ice *x, const char *ns, bool views)
{
	rat_table_key_list keys;
	json_t *ids = json_array();
	size_t start, size, i, total = 0, n = 0, len = strlen(ns);

	if (ice_paging(x, &start, &size) != 0) {
		json_decref(ids);
		return x->res->status;
	}
	if (rat_table_keys_get(&keys, x->catalog, ice_branch(x)) != 0) {
		json_decref(ids);
		return srv_lib_error(x->res, RAT_ERROR);
	}
	for (i = 0; i < keys.count; i++) {
		const rat_table_key *k = &keys.items[i];
		if (!k->is_view != !views || strncmp(k->key, ns, len) != 0 || k->key[len] != '.')
			continue;
		if (total++ < start || (size && n >= size))
			continue;
		json_array_append_new(ids, json_pack("{s:[s], s:s}", "namespace", ns, "name",
						     k->key + len + 1));
		n++;
	}
	rat_table_key_list_free(&keys);
	x->res->status = 200;
	x->res->body = json_pack("{s:o}", "identifiers", ids);
	ice_page_token(x->res->body, start + n, total);
	return 200;
}

/* The table's metadata now: 0 with *md (NULL when there is no such table), or a 4xx/5xx. */
int ice_load(ice *x, const char *key, bool view, rat_table_metadata_file *file, json_t **md)
{
	json_error_t jerr;
	int error;

	*md = NULL;
	if ((error = rat_table_metadata_read(file, x->catalog, x->r->who->ws, ice_branch(x), key)) != 0)
		return error == RAT_ENOTFOUND ? 0 : srv_lib_error(x->res, error);
	if (file->is_view != view)
		return srv_error(x->res, 404, view ? "NoSuchViewException" : "NoSuchTableException",
				 "%s is a %s", key, view ? "table" : "view");
	if ((*md = json_loads(file->json, 0, &jerr)) == NULL)
		return srv_error(x->res, 500, "ServerErrorException", "%s: %s is not JSON: %s", key,
				 file->location, jerr.text);
	return 0;
}

/* Where a new table ns.name lives by default (free()); NULL, a 4xx said, when it cannot. */
char *ice_default_location(ice *x, const char *ns, const char *name)
{
	char *own = NULL;

	if (rat_workspace_storage_path(&own, x->r->who->ws, ns, name) != 0) {
		srv_lib_error(x->res, RAT_EINVALID);
		return NULL;
	}
	if (own[0] && own[strlen(own) - 1] == '/')
		own[strlen(own) - 1] = '\0';
	return own;
}

/* The metadata a table made by a commit starts from: its location, a new uuid. */
static json_t *new_table(ice *x, const char *key)
{
	const char *dot = strchr(key, '.');
	char ns[32], uuid[37], *location;
	json_t *md = NULL;

	snprintf(ns, sizeof(ns), "%.*s", (int)(dot - key), key);
	if (ice_uuid(uuid) != 0) {
		srv_error(x->res, 500, "ServerErrorException", "no random bytes");
		return NULL;
	}
	if ((location = ice_default_location(x, ns, dot + 1)) == NULL)
		return NULL;
	if ((md = srv_new_metadata(rat_workspace_now_ms(x->r->who->ws), location)) == NULL)
		srv_error(x->res, 500, "ServerErrorException", "out of memory");
	else
		json_object_set_new(md, "table-uuid", json_string(uuid));
	free(location);
	return md;
}

int ice_uuid(char out[37])
{
	unsigned char b[16];
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, b, sizeof(b)) : -1;

	if (fd >= 0)
		close(fd);
	if (n != (ssize_t)sizeof(b))
		return -1;
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
		 b[13], b[14], b[15]);
	return 0;
}

/* One table's commit, made ready: requirements checked, updates applied. */
typedef struct prepared {
	char key[320];
	rat_table_metadata_file file;
	json_t *md;   /* the new metadata */
	char *json;   /* its text */
} prepared;

static void prepared_free(prepared *p)
{
	rat_table_metadata_file_free(&p->file);
	json_decref(p->md);
	free(p->json);
}

/* Check and apply one CommitTableRequest's requirements and updates to key's metadata. */
static bool asserts_create(json_t *requirements)
{
	json_t *r;
	size_t i;

	json_array_foreach(requirements, i, r)
		if (json_is_string(json_object_get(r, "type")) &&
		    strcmp(json_string_value(json_object_get(r, "type")), "assert-create") == 0)
			return true;
	return false;
}

static int prepare(ice *x, prepared *p, json_t *requirements, json_t *updates)
{
	json_t *previous = NULL;
	json_int_t then;
	int error;

	if ((error = ice_load(x, p->key, false, &p->file, &p->md)) != 0)
		return error;
	if ((error = srv_check_requirements(x->res, p->md, requirements)) != 0)
		return error;
	if (!p->md && !asserts_create(requirements))
		return srv_error(x->res, 404, "NoSuchTableException",
				 "no table %s on %s (a commit makes one only with assert-create)",
				 p->key, ice_branch(x));
	if (p->md) {
		json_t *log = json_object_get(p->md, "metadata-log");
		previous = json_object_get(p->md, "last-updated-ms");
		then = json_is_integer(previous) ? json_integer_value(previous) : 0;
		if (!json_is_array(log))
			json_object_set_new(p->md, "metadata-log", log = json_array());
		json_array_append_new(log, json_pack("{s:I, s:s}", "timestamp-ms", then,
						     "metadata-file", p->file.location));
	}
	if (!p->md && (p->md = new_table(x, p->key)) == NULL) /* made by this commit */
		return x->res->status;
	if ((error = srv_apply_updates(x->res, p->md, updates, p->file.location == NULL,
				       rat_workspace_now_ms(x->r->who->ws))) != 0)
		return error;
	if ((p->json = json_dumps(p->md, JSON_INDENT(2))) == NULL)
		return srv_error(x->res, 500, "ServerErrorException", "out of memory");
	return 0;
}

/* Commit prepared changes in one catalog commit; the new locations into locations. */
static int commit_prepared(ice *x, prepared *p, size_t n, char **locations)
{
	rat_table_change *changes = calloc(n, sizeof(*changes));
	char hash[65];
	size_t i;
	int error;

	if (!changes)
		return srv_error(x->res, 500, "ServerErrorException", "out of memory");
	for (i = 0; i < n; i++) {
		changes[i].key = p[i].key;
		changes[i].expected_location = p[i].file.location;
		changes[i].metadata_json = p[i].json;
	}
	error = rat_table_metadata_commit(hash, locations, x->catalog, x->r->who->ws, ice_branch(x),
					  changes, n, NULL, NULL);
	free(changes);
	return error ? srv_lib_error(x->res, error) : 0;
}

static int commit_table(ice *x, const char *key)
{
	prepared p;
	json_t *body;
	char *location = NULL;

	if (ice_writable(x) != 0 || (body = ice_body(x)) == NULL)
		return x->res->status;
	memset(&p, 0, sizeof(p));
	snprintf(p.key, sizeof(p.key), "%s", key);
	if (prepare(x, &p, json_object_get(body, "requirements"), json_object_get(body, "updates")) ==
		    0 &&
	    commit_prepared(x, &p, 1, &location) == 0) {
		x->res->status = 200;
		x->res->body = json_pack("{s:s, s:O}", "metadata-location", location, "metadata", p.md);
	}
	free(location);
	prepared_free(&p);
	json_decref(body);
	return x->res->status;
}

/*
 * Fresh field ids for a new table's schema, as Iceberg's reference catalog
 * gives them (TypeUtil.assignFreshIds): a struct's fields first, in order,
 * then each field's type, depth first; a list's element and a map's key and
 * value the same way. A client's own ids (Spark sends 0, 1, ...) are only
 * names: old -> new goes into remap, for the partition spec, the sort order
 * and the identifier fields, which name columns by id.
 */
static void fresh_type(json_t *type, json_int_t *next, json_t *remap);

static void fresh_id(json_t *obj, const char *field, json_int_t *next, json_t *remap)
{
	json_t *old = json_object_get(obj, field);
	char key[32];

	if (json_is_integer(old)) {
		snprintf(key, sizeof(key), "%lld", (long long)json_integer_value(old));
		json_object_set_new(remap, key, json_integer(*next + 1));
	}
	json_object_set_new(obj, field, json_integer(++*next));
}

static void fresh_type(json_t *type, json_int_t *next, json_t *remap)
{
	const char *kind = json_string_value(json_object_get(type, "type"));
	json_t *fields = json_object_get(type, "fields"), *f;
	size_t i;

	if (!json_is_object(type) || !kind)
		return;
	if (strcmp(kind, "struct") == 0) {
		json_array_foreach(fields, i, f)
			fresh_id(f, "id", next, remap);
		json_array_foreach(fields, i, f)
			fresh_type(json_object_get(f, "type"), next, remap);
	} else if (strcmp(kind, "list") == 0) {
		fresh_id(type, "element-id", next, remap);
		fresh_type(json_object_get(type, "element"), next, remap);
	} else if (strcmp(kind, "map") == 0) {
		fresh_id(type, "key-id", next, remap);
		fresh_id(type, "value-id", next, remap);
		fresh_type(json_object_get(type, "key"), next, remap);
		fresh_type(json_object_get(type, "value"), next, remap);
	}
}

/* The ids in field of each element of array (or the ids array itself), through remap. */
static void remap_ids(json_t *array, const char *field, json_t *remap)
{
	json_t *e, *id, *to;
	char key[32];
	size_t i;

	json_array_foreach(array, i, e) {
		id = field ? json_object_get(e, field) : e;
		if (!json_is_integer(id))
			continue;
		snprintf(key, sizeof(key), "%lld", (long long)json_integer_value(id));
		if ((to = json_object_get(remap, key)) == NULL)
			continue;
		if (field)
			json_object_set(e, field, to);
		else
			json_array_set(array, i, to);
	}
}

/* A CreateTableRequest as the updates that make the table. */
static json_t *create_updates(ice *x, json_t *body)
{
	json_t *spec = json_object_get(body, "partition-spec");
	json_t *order = json_object_get(body, "write-order");
	json_t *props = json_object_get(body, "properties");
	const char *location = json_string_value(json_object_get(body, "location"));
	const char *version = json_string_value(json_object_get(props, "format-version"));
	json_t *u, *schema, *remap = json_object();
	json_int_t next = 0;

	if (!json_is_object(json_object_get(body, "schema"))) {
		srv_error(x->res, 400, "BadRequestException", "a table needs a schema");
		return NULL;
	}
	schema = json_deep_copy(json_object_get(body, "schema"));
	spec = json_is_object(spec) ? json_deep_copy(spec)
				    : json_pack("{s:i, s:[]}", "spec-id", 0, "fields");
	order = json_is_object(order) ? json_deep_copy(order)
				      : json_pack("{s:i, s:[]}", "order-id", 0, "fields");
	if (schema && spec && order && remap) {
		json_object_set_new(schema, "type", json_string("struct"));
		fresh_type(schema, &next, remap);
		remap_ids(json_object_get(schema, "identifier-field-ids"), NULL, remap);
		remap_ids(json_object_get(spec, "fields"), "source-id", remap);
		remap_ids(json_object_get(order, "fields"), "source-id", remap);
	}
	u = json_pack("[{s:s, s:o}, {s:s, s:i}, {s:s, s:o}, {s:s, s:i}, {s:s, s:o}, {s:s, s:i}, "
		      "{s:s, s:o}]",
		      "action", "add-schema", "schema", schema, "action", "set-current-schema",
		      "schema-id", -1, "action", "add-spec", "spec", spec, "action",
		      "set-default-spec", "spec-id", -1, "action", "add-sort-order", "sort-order",
		      order, "action", "set-default-sort-order", "sort-order-id", -1, "action",
		      "set-properties", "updates",
		      json_is_object(props) ? json_incref(props) : json_object());
	json_decref(remap);
	if (u && location)
		json_array_append_new(u, json_pack("{s:s, s:s}", "action", "set-location", "location",
						   location));
	if (u && version)
		json_array_insert_new(u, 0, json_pack("{s:s, s:i}", "action", "upgrade-format-version",
						      "format-version", atoi(version)));
	if (!u)
		srv_error(x->res, 500, "ServerErrorException", "out of memory");
	return u;
}

static int create_table(ice *x, const char *ns)
{
	prepared p;
	json_t *body, *updates = NULL;
	const char *name;
	char *location = NULL;

	if (ice_writable(x) != 0 || (body = ice_body(x)) == NULL)
		return x->res->status;
	memset(&p, 0, sizeof(p));
	name = json_string_value(json_object_get(body, "name"));
	if (ice_key(x, p.key, sizeof(p.key), ns, name) != 0 ||
	    (updates = create_updates(x, body)) == NULL)
		goto done;
	if (ice_load(x, p.key, false, &p.file, &p.md) != 0)
		goto done;
	if (p.md) {
		srv_error(x->res, 409, "AlreadyExistsException", "table %s exists on %s", p.key,
			  ice_branch(x));
		goto done;
	}
	if ((p.md = new_table(x, p.key)) == NULL ||
	    srv_apply_updates(x->res, p.md, updates, true, rat_workspace_now_ms(x->r->who->ws)) != 0)
		goto done;
	if (json_is_true(json_object_get(body, "stage-create"))) {
		x->res->status = 200;
		x->res->body = json_pack("{s:O, s:o}", "metadata", p.md, "config",
					 ice_table_config(x, p.key));
		goto done;
	}
	if ((p.json = json_dumps(p.md, JSON_INDENT(2))) == NULL) {
		srv_error(x->res, 500, "ServerErrorException", "out of memory");
		goto done;
	}
	if (commit_prepared(x, &p, 1, &location) != 0)
		goto done;
	x->res->status = 200;
	x->res->body = json_pack("{s:s, s:O, s:o}", "metadata-location", location, "metadata", p.md,
				 "config", ice_table_config(x, p.key));
done:
	free(location);
	json_decref(updates);
	prepared_free(&p);
	json_decref(body);
	return x->res->status;
}

/* Record changes: remove (metadata NULL and json NULL) or register an existing file. */
int ice_commit_changes(ice *x, rat_table_change *changes, size_t n, char **locations)
{
	char hash[65];
	int error = rat_table_metadata_commit(hash, locations, x->catalog, x->r->who->ws,
					      ice_branch(x), changes, n, NULL, NULL);

	return error ? srv_lib_error(x->res, error) : 0;
}

int ice_drop(ice *x, const char *key, bool view)
{
	rat_table_metadata_file file = { NULL, NULL, 0 };
	rat_table_change change = { key, NULL, NULL, NULL, view };
	char *location = NULL;
	int error;

	if (ice_writable(x) != 0)
		return x->res->status;
	error = rat_table_metadata_read(&file, x->catalog, x->r->who->ws, ice_branch(x), key);
	if (error && error != RAT_ENOTFOUND) {
		srv_lib_error(x->res, error);
	} else if (error || !file.is_view != !view) {
		srv_error(x->res, 404, view ? "NoSuchViewException" : "NoSuchTableException",
			  "no %s %s on %s", view ? "view" : "table", key, ice_branch(x));
	} else {
		/* purgeRequested or not, the files stay while a commit of some ref uses them: the
		 * branch's older commits, tags and other branches; `rat vacuum` removes the rest */
		change.expected_location = file.location;
		if (ice_commit_changes(x, &change, 1, &location) == 0)
			x->res->status = 204;
	}
	free(location);
	rat_table_metadata_file_free(&file);
	return x->res->status;
}

int ice_tables(ice *x, const char *ns)
{
	char key[320];

	if (x->nseg == 3) {
		if (ice_method(x, "GET"))
			return ice_list(x, ns, false);
		if (ice_method(x, "POST"))
			return create_table(x, ns);
		return ice_not_allowed(x);
	}
	if (ice_key(x, key, sizeof(key), ns, x->seg[3]) != 0)
		return x->res->status;
	if (x->nseg == 4) {
		if (ice_method(x, "GET"))
			return ice_load_table(x, key);
		if (ice_method(x, "HEAD")) {
			rat_table_metadata_file file = { NULL, NULL, 0 };
			json_t *md = NULL;
			if (ice_load(x, key, false, &file, &md) == 0)
				x->res->status = md ? 204 : 404;
			json_decref(md);
			rat_table_metadata_file_free(&file);
			return x->res->status;
		}
		if (ice_method(x, "POST"))
			return commit_table(x, key);
		if (ice_method(x, "DELETE"))
			return ice_drop(x, key, false);
		return ice_not_allowed(x);
	}
	if (x->nseg == 5 && srv_is(x->seg[4], "sign"))
		return ice_method(x, "POST") ? ice_sign(x) : ice_not_allowed(x);
	if (x->nseg == 5 && srv_is(x->seg[4], "metrics")) {
		if (!ice_method(x, "POST"))
			return ice_not_allowed(x);
		return x->res->status = 204; /* accepted; the server keeps no client metrics */
	}
	return srv_error(x->res, 404, "NotFoundException", "no such path");
}

int ice_register(ice *x, const char *ns)
{
	rat_table_metadata_file file = { NULL, NULL, 0 };
	rat_table_change change = { NULL, NULL, NULL, NULL, 0 };
	char key[320], *location = NULL;
	json_t *body, *md = NULL;
	const char *where;

	if (ice_writable(x) != 0 || (body = ice_body(x)) == NULL)
		return x->res->status;
	where = json_string_value(json_object_get(body, "metadata-location"));
	if (ice_key(x, key, sizeof(key), ns, json_string_value(json_object_get(body, "name"))) != 0)
		goto done;
	if (!where) {
		srv_error(x->res, 400, "BadRequestException", "register needs metadata-location");
		goto done;
	}
	if (ice_load(x, key, false, &file, &md) != 0)
		goto done;
	if (md && !json_is_true(json_object_get(body, "overwrite"))) {
		srv_error(x->res, 409, "AlreadyExistsException", "table %s exists on %s", key,
			  ice_branch(x));
		goto done;
	}
	change.key = key;
	change.expected_location = md ? file.location : NULL;
	change.metadata_location = where;
	if (ice_commit_changes(x, &change, 1, &location) != 0)
		goto done;
	x->r->method = "GET";
	ice_load_table(x, key);
done:
	free(location);
	json_decref(md);
	json_decref(body);
	rat_table_metadata_file_free(&file);
	return x->res->status;
}

int ice_rename(ice *x, bool view)
{
	rat_table_metadata_file file = { NULL, NULL, 0 };
	rat_table_change changes[2];
	char from[320], to[320], *locations[2] = { NULL, NULL };
	json_t *body, *md = NULL;

	if (!ice_method(x, "POST"))
		return ice_not_allowed(x);
	if (ice_writable(x) != 0 || (body = ice_body(x)) == NULL)
		return x->res->status;
	if (ice_identifier(x, json_object_get(body, "source"), from, sizeof(from)) != 0 ||
	    ice_identifier(x, json_object_get(body, "destination"), to, sizeof(to)) != 0 ||
	    ice_load(x, from, view, &file, &md) != 0)
		goto done;
	if (!md) {
		srv_error(x->res, 404, view ? "NoSuchViewException" : "NoSuchTableException",
			  "no %s %s on %s", view ? "view" : "table", from, ice_branch(x));
		goto done;
	}
	{
		rat_table_metadata_file there = { NULL, NULL, 0 };
		json_t *other = NULL;
		int found = ice_load(x, to, view, &there, &other) == 0 && other;
		json_decref(other);
		rat_table_metadata_file_free(&there);
		if (found || x->res->status) {
			if (found)
				srv_error(x->res, 409, "AlreadyExistsException",
					  "table %s exists on %s", to, ice_branch(x));
			goto done;
		}
	}
	memset(changes, 0, sizeof(changes));
	changes[0].key = from;
	changes[0].expected_location = file.location;
	changes[1].key = to;
	changes[1].metadata_location = file.location;
	changes[0].is_view = changes[1].is_view = view;
	if (ice_commit_changes(x, changes, 2, locations) == 0)
		x->res->status = 204;
done:
	free(locations[0]);
	free(locations[1]);
	json_decref(md);
	json_decref(body);
	rat_table_metadata_file_free(&file);
	return x->res->status;
}

int ice_transaction(ice *x)
{
	json_t *body, *list, *c;
	prepared *p = NULL;
	char **locations = NULL;
	size_t i, n = 0;

	if (!ice_method(x, "POST"))
		return ice_not_allowed(x);
	if (ice_writable(x) != 0 || (body = ice_body(x)) == NULL)
		return x->res->status;
	list = json_object_get(body, "table-changes");
	if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > 1000) {
		srv_error(x->res, 400, "BadRequestException",
			  "table-changes must be an array of 1 to 1000 changes");
		goto done;
	}
	n = json_array_size(list);
	p = calloc(n, sizeof(*p));
	locations = calloc(n, sizeof(*locations));
	if (!p || !locations) {
		srv_error(x->res, 500, "ServerErrorException", "out of memory");
		goto done;
	}
	json_array_foreach(list, i, c) {
		if (ice_identifier(x, json_object_get(c, "identifier"), p[i].key, sizeof(p[i].key)) != 0 ||
		    prepare(x, &p[i], json_object_get(c, "requirements"),
			    json_object_get(c, "updates")) != 0)
			goto done;
	}
	if (commit_prepared(x, p, n, locations) == 0)
		x->res->status = 204;
done:
	for (i = 0; p && i < n; i++) {
		prepared_free(&p[i]);
		free(locations ? locations[i] : NULL);
	}
	free(p);
	free(locations);
	json_decref(body);
	return x->res->status;
}
