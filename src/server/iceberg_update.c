/*
 * server/iceberg_update.c - a table commit's requirements and updates, on
 * the metadata's JSON (the Iceberg REST spec's TableRequirement and
 * TableUpdate; the table spec's metadata fields).
 *
 * Requirements are checked against the metadata the catalog records now: one
 * that fails is a 409 (CommitFailedException), one of an unknown type a 400.
 * Updates apply in order; an update that cannot apply (a snapshot that is
 * there already, a schema id that is not, a format downgrade, an unknown
 * action) is a 400 and nothing is written. "-1" ids mean "the last one
 * this commit added", as the spec says.
 */
#include "server/server.h"

#include <string.h>

static json_int_t int_of(json_t *obj, const char *key, json_int_t fallback)
{
	json_t *v = json_object_get(obj, key);

	return json_is_integer(v) ? json_integer_value(v) : fallback;
}

static int bad(srv_response *res, const char *fmt, const char *what)
{
	return srv_error(res, 400, "BadRequestException", fmt, what);
}

static int failed(srv_response *res, const char *what, json_int_t want, json_int_t have)
{
	return srv_error(res, 409, "CommitFailedException",
			 "requirement failed: %s is %lld, the commit expects %lld", what,
			 (long long)have, (long long)want);
}

/* The snapshot id a ref (branch or tag) points at; -1 when there is no such ref. */
static json_int_t ref_snapshot(json_t *metadata, const char *ref)
{
	json_t *refs = json_object_get(metadata, "refs"), *r = json_object_get(refs, ref);

	if (r)
		return int_of(r, "snapshot-id", -1);
	if (!refs && strcmp(ref, "main") == 0) /* metadata from before refs */
		return int_of(metadata, "current-snapshot-id", -1);
	return -1;
}

static const struct {
	const char *type, *field, *metadata_field;
	json_int_t absent;
} simple[] = {
	{ "assert-last-assigned-field-id", "last-assigned-field-id", "last-column-id", 0 },
	{ "assert-current-schema-id", "current-schema-id", "current-schema-id", 0 },
	{ "assert-last-assigned-partition-id", "last-assigned-partition-id", "last-partition-id",
	  999 },
	{ "assert-default-spec-id", "default-spec-id", "default-spec-id", 0 },
	{ "assert-default-sort-order-id", "default-sort-order-id", "default-sort-order-id", 0 },
};

int srv_check_requirements(srv_response *res, json_t *metadata, json_t *requirements)
{
	size_t i, k;
	json_t *req;

	if (requirements && !json_is_array(requirements))
		return bad(res, "%s must be an array", "requirements");
	json_array_foreach(requirements, i, req) {
		const char *type = json_string_value(json_object_get(req, "type"));
		if (!type)
			return bad(res, "a requirement without a %s", "type");
		if (strcmp(type, "assert-create") == 0) {
			if (metadata)
				return srv_error(res, 409, "CommitFailedException",
						 "requirement failed: the table exists already");
			continue;
		}
		if (!metadata)
			return srv_error(res, 404, "NoSuchTableException", "no such table (%s)", type);
		if (strcmp(type, "assert-table-uuid") == 0) {
			const char *want = json_string_value(json_object_get(req, "uuid"));
			const char *have = json_string_value(json_object_get(metadata, "table-uuid"));
			if (!want)
				return bad(res, "%s needs uuid", type);
			if (!have || strcmp(want, have) != 0)
				return srv_error(res, 409, "CommitFailedException",
						 "requirement failed: table uuid is %s, the commit "
						 "expects %s",
						 have ? have : "(none)", want);
			continue;
		}
		if (strcmp(type, "assert-ref-snapshot-id") == 0) {
			const char *ref = json_string_value(json_object_get(req, "ref"));
			json_t *want = json_object_get(req, "snapshot-id");
			json_int_t have;
			if (!ref || !want || !(json_is_null(want) || json_is_integer(want)))
				return bad(res, "%s needs ref and snapshot-id", type);
			have = ref_snapshot(metadata, ref);
			if (json_is_null(want) && have != -1)
				return srv_error(res, 409, "CommitFailedException",
						 "requirement failed: ref %s exists (snapshot %lld), the "
						 "commit expects none",
						 ref, (long long)have);
			if (json_is_integer(want) && have != json_integer_value(want))
				return srv_error(res, 409, "CommitFailedException",
						 "requirement failed: ref %s is at snapshot %lld, the "
						 "commit expects %lld",
						 ref, (long long)have, (long long)json_integer_value(want));
			continue;
		}
		for (k = 0; k < sizeof(simple) / sizeof(simple[0]); k++)
			if (strcmp(type, simple[k].type) == 0)
				break;
		if (k == sizeof(simple) / sizeof(simple[0]))
			return bad(res, "unknown requirement type %s", type);
		if (!json_is_integer(json_object_get(req, simple[k].field)))
			return srv_error(res, 400, "BadRequestException", "%s needs %s", type,
					 simple[k].field);
		if (int_of(metadata, simple[k].metadata_field, simple[k].absent) !=
		    int_of(req, simple[k].field, 0))
			return failed(res, simple[k].metadata_field, int_of(req, simple[k].field, 0),
				      int_of(metadata, simple[k].metadata_field, simple[k].absent));
	}
	return 0;
}

/* State of one commit's updates: the ids of what it added last. */
typedef struct update_state {
	json_t *md;
	bool creating; /* the table is made by this commit: assign-uuid replaces its uuid */
	json_int_t last_schema, last_spec, last_order;
	int64_t now_ms;
} update_state;

static json_t *array_of(json_t *md, const char *key)
{
	json_t *a = json_object_get(md, key);

	if (!json_is_array(a))
		json_object_set_new(md, key, a = json_array());
	return a;
}

/* The element of array whose field is id, and its index; NULL when none. */
static json_t *find_by(json_t *array, const char *field, json_int_t id, size_t *at)
{
	size_t i;
	json_t *v;

	json_array_foreach(array, i, v) {
		if (json_is_integer(json_object_get(v, field)) &&
		    json_integer_value(json_object_get(v, field)) == id) {
			if (at)
				*at = i;
			return v;
		}
	}
	return NULL;
}

/* Whether a and b are equal but for the field id_field. */
static bool equal_but(json_t *a, json_t *b, const char *id_field, const char *skip)
{
	json_t *x = json_deep_copy(a), *y = json_deep_copy(b);
	bool same;

	json_object_del(x, id_field);
	json_object_del(y, id_field);
	if (skip) {
		json_object_del(x, skip);
		json_object_del(y, skip);
	}
	same = json_equal(x, y);
	json_decref(x);
	json_decref(y);
	return same;
}

/* The highest field id in a schema's type tree (structs, lists, maps). */
static json_int_t max_field_id(json_t *type)
{
	json_int_t best = 0, v;
	json_t *fields, *f;
	size_t i;

	if (!json_is_object(type))
		return 0;
	fields = json_object_get(type, "fields");
	json_array_foreach(fields, i, f) {
		if ((v = int_of(f, "id", 0)) > best)
			best = v;
		if ((v = max_field_id(json_object_get(f, "type"))) > best)
			best = v;
	}
	if ((v = int_of(type, "element-id", 0)) > best)
		best = v;
	if ((v = max_field_id(json_object_get(type, "element"))) > best)
		best = v;
	if ((v = int_of(type, "key-id", 0)) > best)
		best = v;
	if ((v = int_of(type, "value-id", 0)) > best)
		best = v;
	if ((v = max_field_id(json_object_get(type, "key"))) > best)
		best = v;
	if ((v = max_field_id(json_object_get(type, "value"))) > best)
		best = v;
	return best;
}

json_int_t srv_add_versioned(json_t *md, const char *key, const char *id_field, json_t *item,
			     const char *skip, json_int_t first)
{
	json_t *array = array_of(md, key), *v;
	json_int_t next = first;
	size_t i;

	json_array_foreach(array, i, v) {
		if (equal_but(v, item, id_field, skip)) {
			json_decref(item);
			return int_of(v, id_field, 0);
		}
		if (int_of(v, id_field, -1) >= next)
			next = int_of(v, id_field, -1) + 1;
	}
	json_object_set_new(item, id_field, json_integer(next));
	json_array_append_new(array, item);
	return next;
}

static int add_schema(srv_response *res, update_state *st, json_t *u)
{
	json_t *schema = json_object_get(u, "schema");
	json_int_t top;

	if (!json_is_object(schema) || !json_is_array(json_object_get(schema, "fields")))
		return bad(res, "%s needs a schema with fields", "add-schema");
	top = max_field_id(schema);
	if (int_of(u, "last-column-id", 0) > top)
		top = int_of(u, "last-column-id", 0);
	if (top > int_of(st->md, "last-column-id", 0))
		json_object_set_new(st->md, "last-column-id", json_integer(top));
	st->last_schema = srv_add_versioned(st->md, "schemas", "schema-id", json_deep_copy(schema), NULL, 0);
	return 0;
}

static int add_spec(srv_response *res, update_state *st, json_t *u)
{
	json_t *spec = json_object_get(u, "spec"), *copy, *fields, *f;
	json_int_t last = int_of(st->md, "last-partition-id", 999);
	size_t i;

	if (!json_is_object(spec) || !json_is_array(json_object_get(spec, "fields")))
		return bad(res, "%s needs a spec with fields", "add-spec");
	copy = json_deep_copy(spec);
	fields = json_object_get(copy, "fields");
	json_array_foreach(fields, i, f) {
		if (!json_is_integer(json_object_get(f, "field-id")))
			json_object_set_new(f, "field-id", json_integer(++last));
		else if (int_of(f, "field-id", 0) > last)
			last = int_of(f, "field-id", 0);
	}
	json_object_set_new(st->md, "last-partition-id", json_integer(last));
	st->last_spec = srv_add_versioned(st->md, "partition-specs", "spec-id", copy, NULL, 0);
	return 0;
}

/* Set md[field] to the id of u[key] (-1: last_added), which must be in md[array]. */
static int set_default(srv_response *res, update_state *st, json_t *u, const char *key,
		       const char *field, const char *array, const char *id_field,
		       json_int_t last_added)
{
	json_int_t id = int_of(u, key, -2);

	if (id == -1)
		id = last_added;
	if (id < 0 || !find_by(json_object_get(st->md, array), id_field, id, NULL))
		return srv_error(res, 400, "BadRequestException", "%s: no %s %lld", field, id_field,
				 (long long)id);
	json_object_set_new(st->md, field, json_integer(id));
	return 0;
}

static int add_snapshot(srv_response *res, update_state *st, json_t *u)
{
	json_t *snap = json_object_get(u, "snapshot"), *copy;
	json_int_t id = int_of(snap, "snapshot-id", -1), seq = int_of(snap, "sequence-number", 0);
	json_int_t last_seq = int_of(st->md, "last-sequence-number", 0);

	if (!json_is_object(snap) || id < 0 || !json_is_string(json_object_get(snap, "manifest-list")))
		return bad(res, "%s needs a snapshot with snapshot-id and manifest-list",
			   "add-snapshot");
	if (find_by(json_object_get(st->md, "snapshots"), "snapshot-id", id, NULL))
		return srv_error(res, 400, "BadRequestException", "snapshot %lld exists already",
				 (long long)id);
	if (int_of(st->md, "format-version", 1) >= 2 && seq <= last_seq && last_seq > 0)
		return srv_error(res, 400, "BadRequestException",
				 "snapshot %lld has sequence number %lld, not after the table's last "
				 "%lld",
				 (long long)id, (long long)seq, (long long)last_seq);
	copy = json_deep_copy(snap);
	if (int_of(st->md, "format-version", 1) >= 3 && !json_object_get(copy, "first-row-id")) {
		json_int_t next = int_of(st->md, "next-row-id", 0);
		json_object_set_new(copy, "first-row-id", json_integer(next));
		json_object_set_new(st->md, "next-row-id",
				    json_integer(next + int_of(copy, "added-rows", 0)));
	}
	json_array_append_new(array_of(st->md, "snapshots"), copy);
	if (seq > last_seq)
		json_object_set_new(st->md, "last-sequence-number", json_integer(seq));
	return 0;
}

static int set_ref(srv_response *res, update_state *st, json_t *u)
{
	const char *name = json_string_value(json_object_get(u, "ref-name"));
	const char *type = json_string_value(json_object_get(u, "type"));
	json_int_t id = int_of(u, "snapshot-id", -1);
	static const char *const keep[] = { "max-ref-age-ms", "max-snapshot-age-ms",
					    "min-snapshots-to-keep", NULL };
	json_t *refs, *ref, *snap;
	size_t i;

	if (!name || !*name || !type || (strcmp(type, "branch") != 0 && strcmp(type, "tag") != 0))
		return bad(res, "%s needs ref-name and a type (branch or tag)", "set-snapshot-ref");
	if ((snap = find_by(json_object_get(st->md, "snapshots"), "snapshot-id", id, NULL)) == NULL)
		return srv_error(res, 400, "BadRequestException", "set-snapshot-ref: no snapshot %lld",
				 (long long)id);
	if (strcmp(name, "main") == 0 && strcmp(type, "branch") != 0)
		return bad(res, "%s: main is a branch", "set-snapshot-ref");
	if (!json_is_object(refs = json_object_get(st->md, "refs")))
		json_object_set_new(st->md, "refs", refs = json_object());
	ref = json_pack("{s:I, s:s}", "snapshot-id", id, "type", type);
	for (i = 0; keep[i]; i++)
		if (json_is_integer(json_object_get(u, keep[i])))
			json_object_set(ref, keep[i], json_object_get(u, keep[i]));
	json_object_set_new(refs, name, ref);
	if (strcmp(name, "main") == 0) {
		json_int_t when = int_of(snap, "timestamp-ms", st->now_ms);
		json_object_set_new(st->md, "current-snapshot-id", json_integer(id));
		json_array_append_new(array_of(st->md, "snapshot-log"),
				      json_pack("{s:I, s:I}", "timestamp-ms", when, "snapshot-id", id));
	}
	return 0;
}

/* Remove the elements of md[key] whose id_field is in ids (an array of integers). */
static void remove_ids(json_t *md, const char *key, const char *id_field, json_t *ids)
{
	json_t *array = json_object_get(md, key), *id;
	size_t i, at;

	json_array_foreach(ids, i, id)
		if (json_is_integer(id) && find_by(array, id_field, json_integer_value(id), &at))
			json_array_remove(array, at);
}

static int remove_snapshots(srv_response *res, update_state *st, json_t *u)
{
	json_t *ids = json_object_get(u, "snapshot-ids"), *refs = json_object_get(st->md, "refs");
	json_t *id, *ref;
	const char *name;
	void *tmp;
	size_t i;

	if (!json_is_array(ids))
		return bad(res, "%s needs snapshot-ids", "remove-snapshots");
	remove_ids(st->md, "snapshots", "snapshot-id", ids);
	remove_ids(st->md, "statistics", "snapshot-id", ids);
	remove_ids(st->md, "partition-statistics", "snapshot-id", ids);
	json_array_foreach(ids, i, id) {
		json_object_foreach_safe(refs, tmp, name, ref)
			if (json_equal(json_object_get(ref, "snapshot-id"), id)) {
				if (strcmp(name, "main") == 0)
					json_object_set_new(st->md, "current-snapshot-id",
							    json_integer(-1));
				json_object_del(refs, name);
			}
	}
	return 0;
}

static int remove_ref(srv_response *res, update_state *st, json_t *u)
{
	const char *name = json_string_value(json_object_get(u, "ref-name"));

	if (!name)
		return bad(res, "%s needs ref-name", "remove-snapshot-ref");
	json_object_del(json_object_get(st->md, "refs"), name);
	if (strcmp(name, "main") == 0)
		json_object_set_new(st->md, "current-snapshot-id", json_integer(-1));
	return 0;
}

static int set_properties(srv_response *res, update_state *st, json_t *u, bool remove)
{
	json_t *props = json_object_get(st->md, "properties"), *v;
	const char *k;
	size_t i;

	if (!json_is_object(props))
		json_object_set_new(st->md, "properties", props = json_object());
	if (remove) {
		json_t *removals = json_object_get(u, "removals");
		if (!json_is_array(removals))
			return bad(res, "%s needs removals", "remove-properties");
		json_array_foreach(removals, i, v)
			if (json_is_string(v))
				json_object_del(props, json_string_value(v));
		return 0;
	}
	if (!json_is_object(json_object_get(u, "updates")))
		return bad(res, "%s needs updates", "set-properties");
	json_object_foreach(json_object_get(u, "updates"), k, v) {
		if (!json_is_string(v))
			return srv_error(res, 400, "BadRequestException",
					 "set-properties: %s is not a string", k);
		json_object_set(props, k, v);
	}
	return 0;
}

/* Put item (borrowed) into md[key], replacing the element with the same id_field. */
static int put_by(srv_response *res, update_state *st, json_t *item, const char *key,
		  const char *id_field, const char *action)
{
	json_t *array = array_of(st->md, key);
	size_t at;

	if (!json_is_object(item) || !json_object_get(item, id_field))
		return srv_error(res, 400, "BadRequestException", "%s needs an object with %s",
				 action, id_field);
	if (find_by(array, id_field, int_of(item, id_field, -1), &at))
		json_array_remove(array, at);
	json_array_append(array, item);
	return 0;
}

static int remove_in_use(srv_response *res, update_state *st, json_t *u, const char *ids_key,
			 const char *array, const char *id_field, const char *current)
{
	json_t *ids = json_object_get(u, ids_key), *id;
	size_t i;

	if (!json_is_array(ids))
		return srv_error(res, 400, "BadRequestException", "needs %s", ids_key);
	json_array_foreach(ids, i, id)
		if (json_is_integer(id) && json_integer_value(id) == int_of(st->md, current, -1))
			return srv_error(res, 400, "BadRequestException",
					 "cannot remove %s %lld: it is the table's %s", id_field,
					 (long long)json_integer_value(id), current);
	remove_ids(st->md, array, id_field, ids);
	return 0;
}

static int remove_key(srv_response *res, update_state *st, json_t *u)
{
	const char *id = json_string_value(json_object_get(u, "key-id"));
	json_t *keys = json_object_get(st->md, "encryption-keys"), *k;
	size_t i;

	if (!id)
		return bad(res, "%s needs key-id", "remove-encryption-key");
	json_array_foreach(keys, i, k)
		if (json_is_string(json_object_get(k, "key-id")) &&
		    strcmp(json_string_value(json_object_get(k, "key-id")), id) == 0) {
			json_array_remove(keys, i);
			break;
		}
	return 0;
}

static int apply_data(srv_response *res, update_state *st, json_t *u, const char *action);

/* One update: those of the table's identity, schemas, specs and sort orders here. */
static int apply_one(srv_response *res, update_state *st, json_t *u, const char *action)
{
	json_t *md = st->md;

	if (strcmp(action, "assign-uuid") == 0) {
		const char *uuid = json_string_value(json_object_get(u, "uuid"));
		const char *have = json_string_value(json_object_get(md, "table-uuid"));
		if (!uuid || !*uuid)
			return bad(res, "%s needs uuid", action);
		if (have && strcmp(have, uuid) != 0 && !st->creating)
			return bad(res, "%s: the table has a uuid already", action);
		json_object_set_new(md, "table-uuid", json_string(uuid));
		return 0;
	}
	if (strcmp(action, "upgrade-format-version") == 0) {
		json_int_t v = int_of(u, "format-version", 0);
		if (v < 1 || v > 3)
			return bad(res, "%s: format versions are 1 to 3", action);
		if (v < int_of(md, "format-version", 1))
			return bad(res, "%s: a table's format version cannot go down", action);
		json_object_set_new(md, "format-version", json_integer(v));
		return 0;
	}
	if (strcmp(action, "add-schema") == 0)
		return add_schema(res, st, u);
	if (strcmp(action, "set-current-schema") == 0)
		return set_default(res, st, u, "schema-id", "current-schema-id", "schemas",
				   "schema-id", st->last_schema);
	if (strcmp(action, "add-spec") == 0)
		return add_spec(res, st, u);
	if (strcmp(action, "set-default-spec") == 0)
		return set_default(res, st, u, "spec-id", "default-spec-id", "partition-specs",
				   "spec-id", st->last_spec);
	if (strcmp(action, "add-sort-order") == 0) {
		json_t *order = json_object_get(u, "sort-order");
		if (!json_is_object(order) || !json_is_array(json_object_get(order, "fields")))
			return bad(res, "%s needs a sort-order with fields", action);
		st->last_order = srv_add_versioned(md, "sort-orders", "order-id", json_deep_copy(order), NULL, 0);
		return 0;
	}
	if (strcmp(action, "set-default-sort-order") == 0)
		return set_default(res, st, u, "sort-order-id", "default-sort-order-id",
				   "sort-orders", "order-id", st->last_order);
	return apply_data(res, st, u, action);
}

/* The updates of snapshots, refs, location, properties, statistics, keys and removals. */
static int apply_data(srv_response *res, update_state *st, json_t *u, const char *action)
{
	json_t *md = st->md;

	if (strcmp(action, "add-snapshot") == 0)
		return add_snapshot(res, st, u);
	if (strcmp(action, "set-snapshot-ref") == 0)
		return set_ref(res, st, u);
	if (strcmp(action, "remove-snapshots") == 0)
		return remove_snapshots(res, st, u);
	if (strcmp(action, "remove-snapshot-ref") == 0)
		return remove_ref(res, st, u);
	if (strcmp(action, "set-location") == 0) {
		const char *location = json_string_value(json_object_get(u, "location"));
		if (!location || !*location)
			return bad(res, "%s needs location", action);
		json_object_set_new(md, "location", json_string(location));
		return 0; /* where it may be is checked as the commit is written */
	}
	if (strcmp(action, "set-properties") == 0)
		return set_properties(res, st, u, false);
	if (strcmp(action, "remove-properties") == 0)
		return set_properties(res, st, u, true);
	if (strcmp(action, "set-statistics") == 0)
		return put_by(res, st, json_object_get(u, "statistics"), "statistics",
			      "snapshot-id", action);
	if (strcmp(action, "remove-statistics") == 0 ||
	    strcmp(action, "remove-partition-statistics") == 0) {
		json_t *ids = json_pack("[O]", json_object_get(u, "snapshot-id"));
		if (!json_is_integer(json_object_get(u, "snapshot-id"))) {
			json_decref(ids);
			return bad(res, "%s needs snapshot-id", action);
		}
		remove_ids(md, action[7] == 's' ? "statistics" : "partition-statistics",
			   "snapshot-id", ids);
		json_decref(ids);
		return 0;
	}
	if (strcmp(action, "set-partition-statistics") == 0)
		return put_by(res, st, json_object_get(u, "partition-statistics"),
			      "partition-statistics", "snapshot-id", action);
	if (strcmp(action, "remove-partition-specs") == 0)
		return remove_in_use(res, st, u, "spec-ids", "partition-specs", "spec-id",
				     "default-spec-id");
	if (strcmp(action, "remove-schemas") == 0)
		return remove_in_use(res, st, u, "schema-ids", "schemas", "schema-id",
				     "current-schema-id");
	if (strcmp(action, "add-encryption-key") == 0) {
		json_t *key = json_object_get(u, "encryption-key");
		if (!json_is_object(key) || !json_is_string(json_object_get(key, "key-id")))
			return bad(res, "%s needs an encryption-key with key-id", action);
		json_array_append(array_of(md, "encryption-keys"), key);
		return 0;
	}
	if (strcmp(action, "remove-encryption-key") == 0)
		return remove_key(res, st, u);
	if (strcmp(action, "add-view-version") == 0 || strcmp(action, "set-current-view-version") == 0)
		return bad(res, "%s is a view's update, not a table's", action);
	return bad(res, "unknown update action %s", action);
}

/* What a table's metadata must hold once the updates are in. */
static int check_whole(srv_response *res, json_t *md)
{
	if (!json_is_string(json_object_get(md, "table-uuid")))
		return bad(res, "the table has no %s (assign-uuid)", "uuid");
	if (!json_is_string(json_object_get(md, "location")))
		return bad(res, "the table has no %s (set-location)", "location");
	if (!find_by(json_object_get(md, "schemas"), "schema-id",
		     int_of(md, "current-schema-id", -1), NULL))
		return bad(res, "the table has no current %s (add-schema, set-current-schema)",
			   "schema");
	if (json_object_get(md, "partition-specs") &&
	    !find_by(json_object_get(md, "partition-specs"), "spec-id",
		     int_of(md, "default-spec-id", -1), NULL))
		return bad(res, "the table has no default %s (add-spec, set-default-spec)",
			   "partition spec");
	if (json_object_get(md, "default-sort-order-id") &&
	    !find_by(json_object_get(md, "sort-orders"), "order-id",
		     int_of(md, "default-sort-order-id", -1), NULL))
		return bad(res, "the table has no default %s (add-sort-order)", "sort order");
	return 0;
}

json_t *srv_new_metadata(int64_t now_ms, const char *location)
{
	return json_pack("{s:i, s:s, s:I, s:i, s:i, s:[], s:i, s:[{s:i, s:[]}], s:i, s:i, "
			 "s:[{s:i, s:[]}], s:{}, s:I, s:I, s:[], s:[], s:[], s:{}}",
			 "format-version", 2, "location", location, "last-updated-ms",
			 (json_int_t)now_ms, "last-column-id", 0, "current-schema-id", -1, "schemas",
			 "default-spec-id", 0, "partition-specs", "spec-id", 0, "fields",
			 "last-partition-id", 999, "default-sort-order-id", 0, "sort-orders",
			 "order-id", 0, "fields", "properties", "current-snapshot-id",
			 (json_int_t)-1, "last-sequence-number", (json_int_t)0, "snapshots",
			 "snapshot-log", "metadata-log", "refs");
}

int srv_apply_updates(srv_response *res, json_t *metadata, json_t *updates, bool creating,
		      int64_t now_ms)
{
	update_state st = { metadata, creating, -1, -1, -1, now_ms };
	json_t *u;
	size_t i;
	int error;

	if (updates && !json_is_array(updates))
		return bad(res, "%s must be an array", "updates");
	json_array_foreach(updates, i, u) {
		const char *action = json_string_value(json_object_get(u, "action"));
		if (!action)
			return bad(res, "an update without an %s", "action");
		if ((error = apply_one(res, &st, u, action)) != 0)
			return error;
	}
	json_object_set_new(st.md, "last-updated-ms", json_integer(now_ms));
	return check_whole(res, st.md);
}
