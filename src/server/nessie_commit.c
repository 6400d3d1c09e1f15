/*
 * server/nessie_commit.c - Nessie's API v2, the calls that write: a commit
 * (POST /trees/{branch@hash}/history/commit), a reference made (POST /trees),
 * moved (PUT /trees/{ref@hash}) and deleted (DELETE /trees/{ref@hash}).
 *
 * A commit's operations are decided per key against the hash the client
 * read, as Nessie's spec says: a key is in conflict when the branch's head
 * no longer holds what the expected hash held for it (VALUE_DIFFERS,
 * KEY_EXISTS, KEY_DOES_NOT_EXIST), when a table's namespace is absent
 * (NAMESPACE_ABSENT), or when a Put names another content id than the key
 * has (CONTENT_ID_DIFFERS). A stale expected hash still commits when none
 * of its keys changed since. The conflicts come back together as a 409
 * NessieError whose errorDetails are REFERENCE_CONFLICTS; nothing is written.
 *
 * Tables and views are recorded through rat_table_metadata_commit() (the
 * client wrote the metadata file; it must lie in the workspace's storage),
 * which checks each key again against what it was made against when the
 * branch moves in between: all land in one catalog commit, or none.
 * Namespaces are recorded through rat_namespace_*, one per commit: a commit
 * mixing a namespace with other operations is refused (400).
 */
#include "server/nessie.h"

#include <stdlib.h>
#include <string.h>

int nes_conflicts(nes *x, json_t *conflicts)
{
	char message[1024];
	size_t i, used = 0;

	message[0] = '\0';
	for (i = 0; i < json_array_size(conflicts) && used < sizeof(message) - 2; i++) {
		const char *m = json_string_value(json_object_get(json_array_get(conflicts, i), "message"));
		int n = snprintf(message + used, sizeof(message) - used, "%s%s", i ? "; " : "",
				 m ? m : "conflict");
		used += n > 0 ? (size_t)n : 0;
	}
	x->res->status = 409;
	json_decref(x->res->body);
	x->res->body = json_pack("{s:i, s:s, s:s, s:s, s:{s:s, s:o}}", "status", 409, "reason",
				 "Conflict", "message", message, "errorCode", "REFERENCE_CONFLICT",
				 "errorDetails", "type", "REFERENCE_CONFLICTS", "conflicts", conflicts);
	return 409;
}

static void add_conflict(json_t *conflicts, const char *type, const char *key, const char *fmt,
			 const char *branch)
{
	char message[512];

	snprintf(message, sizeof(message), fmt, key, branch);
	json_array_append_new(conflicts, json_pack("{s:s, s:o, s:s}", "conflictType", type, "key",
						   nes_key_json(key), "message", message));
}

/* Whether key names a layer, which exists on every branch (the library's list of them). */
static bool is_layer(const char *key)
{
	rat_layer layer;
	bool layer_named = rat_layer_parse(&layer, key) == 0;

	rat_error_clear();
	return layer_named;
}

/* The per-key conflicts of ops (keys in keys) between what `then` held and `now` holds. */
static json_t *find_conflicts(json_t *ops, json_t *keys, const rat_content_list *then,
			      const rat_content_list *now, const char *branch)
{
	json_t *conflicts = json_array(), *op;
	size_t i;

	json_array_foreach(ops, i, op) {
		const char *key = json_string_value(json_array_get(keys, i));
		const char *type = json_string_value(json_object_get(op, "type"));
		const char *id = json_string_value(json_object_get(json_object_get(op, "content"), "id"));
		const rat_content_entry *was = nes_find(then, key), *is = nes_find(now, key);
		const char *dot = strchr(key, '.');
		char ns[320];

		if (!was && is && srv_is(type, "PUT"))
			add_conflict(conflicts, "KEY_EXISTS", key, "key '%s' already exists on %s", branch);
		else if (!was && !srv_is(type, "PUT"))
			add_conflict(conflicts, "KEY_DOES_NOT_EXIST", key,
				     "key '%s' does not exist on %s at the expected hash", branch);
		else if (was && !is)
			add_conflict(conflicts, "KEY_DOES_NOT_EXIST", key,
				     "key '%s' no longer exists on %s", branch);
		else if (was && !nes_same_content(was, is))
			add_conflict(conflicts, "VALUE_DIFFERS", key,
				     "values of key '%s' differ: %s changed it since the expected hash",
				     branch);
		else if (was && id && strcmp(id, was->id) != 0)
			add_conflict(conflicts, "CONTENT_ID_DIFFERS", key,
				     "key '%s' has another content id on %s", branch);
		if (dot && srv_is(type, "PUT")) { /* a table or view needs its namespace */
			snprintf(ns, sizeof(ns), "%.*s", (int)(dot - key), key);
			if (!is_layer(ns) && !nes_find(now, ns))
				add_conflict(conflicts, "NAMESPACE_ABSENT", ns,
					     "namespace '%s' must exist on %s", branch);
		}
	}
	return conflicts;
}

/* One namespace operation, as its own commit; a Put's properties replace what it had. */
static int namespace_op(nes *x, const nes_ref *ref, json_t *op, const char *key,
			const rat_content_entry *is, char commit[65])
{
	json_t *props = json_object_get(json_object_get(op, "content"), "properties");
	json_t *had = is && is->properties ? json_loads(is->properties, 0, NULL) : NULL, *v;
	char *text = json_is_object(props) ? json_dumps(props, JSON_COMPACT) : NULL;
	rat_strarray missing = RAT_STRARRAY_INIT;
	const char **gone = calloc(json_object_size(had) + 1, sizeof(*gone));
	const char *k;
	size_t n = 0;
	int error;

	json_object_foreach(had, k, v)
		if (gone && !json_object_get(props, k))
			gone[n++] = k;
	if (!gone)
		error = RAT_ENOMEM;
	else if (srv_is(json_string_value(json_object_get(op, "type")), "DELETE"))
		error = rat_namespace_drop(commit, x->catalog, x->r->who->ws, ref->name, key);
	else if (!is && !is_layer(key))
		error = rat_namespace_create(commit, x->catalog, x->r->who->ws, ref->name, key, text);
	else
		error = rat_namespace_update(commit, &missing, x->catalog, x->r->who->ws, ref->name,
					     key, gone, n, text ? text : "{}");
	free(gone);
	free(text);
	json_decref(had);
	rat_strarray_free(&missing);
	return error > 0 ? rat_ref_resolve(x->catalog, ref->name, commit) : error;
}

/* The operations' keys (catalog keys), checked: 0, or a 400 said. */
static int read_ops(nes *x, json_t *ops, json_t *keys, bool *has_namespace)
{
	json_t *op;
	size_t i;
	char key[320];

	*has_namespace = false;
	if (!json_is_array(ops) || json_array_size(ops) == 0)
		return srv_error(x->res, 400, "BAD_REQUEST", "operations must be a non-empty array");
	json_array_foreach(ops, i, op) {
		const char *type = json_string_value(json_object_get(op, "type"));
		json_t *content = json_object_get(op, "content");
		const char *ctype = json_string_value(json_object_get(content, "type"));
		if (!srv_is(type, "PUT") && !srv_is(type, "DELETE") && !srv_is(type, "UNCHANGED"))
			return srv_error(x->res, 400, "BAD_REQUEST",
					 "operations[%zu]: type is PUT, DELETE or UNCHANGED", i);
		if (nes_key_of(json_object_get(json_object_get(op, "key"), "elements"), key,
			       sizeof(key)) != 0)
			return srv_error(x->res, 400, "BAD_REQUEST",
					 "operations[%zu]: the key is not one or two names", i);
		if (srv_is(type, "PUT") &&
		    (!srv_is(ctype, "ICEBERG_TABLE") && !srv_is(ctype, "ICEBERG_VIEW") &&
		     !srv_is(ctype, "NAMESPACE")))
			return srv_error(x->res, 400, "BAD_REQUEST", "operations[%zu]: content type %s "
					 "is not served (ICEBERG_TABLE, ICEBERG_VIEW, NAMESPACE)",
					 i, ctype ? ctype : "(none)");
		if (srv_is(type, "PUT") && !srv_is(ctype, "NAMESPACE") &&
		    (!strchr(key, '.') ||
		     !json_string_value(json_object_get(content, "metadataLocation"))))
			return srv_error(x->res, 400, "BAD_REQUEST", "operations[%zu]: a table or view is "
					 "'namespace.name', with a metadataLocation", i);
		if (srv_is(ctype, "NAMESPACE") != !strchr(key, '.') && srv_is(type, "PUT"))
			return srv_error(x->res, 400, "BAD_REQUEST", "operations[%zu]: a namespace's "
					 "key is one name", i);
		if (!strchr(key, '.') && !srv_is(type, "UNCHANGED"))
			*has_namespace = true;
		json_array_append_new(keys, json_string(key));
	}
	if (*has_namespace && json_array_size(ops) > 1)
		return srv_error(x->res, 400, "BAD_REQUEST", "a namespace is made, changed or dropped "
				 "in a commit of its own here");
	return 0;
}

/* The table and view operations as one catalog commit. */
static int table_ops(nes *x, const nes_ref *ref, json_t *ops, json_t *keys,
		     const rat_content_list *then, const char *message, const char *author,
		     char commit[65])
{
	rat_table_change *changes = calloc(json_array_size(ops) + 1, sizeof(*changes));
	size_t i, n = 0, changed = 0;
	json_t *op;
	int error;

	if (!changes)
		return RAT_ENOMEM;
	json_array_foreach(ops, i, op) {
		const char *type = json_string_value(json_object_get(op, "type"));
		json_t *content = json_object_get(op, "content");
		const rat_content_entry *was =
			nes_find(then, json_string_value(json_array_get(keys, i)));
		if (srv_is(type, "UNCHANGED") && (!was || was->type == RAT_CONTENT_NAMESPACE))
			continue; /* checked with the others */
		changes[n].key = json_string_value(json_array_get(keys, i));
		changes[n].expected_location = was ? was->metadata_location : NULL;
		/* UNCHANGED: recorded as it is, so that a branch that moves before the commit
		 * lands is checked for it again, as for the others */
		changes[n].metadata_location =
			srv_is(type, "PUT") ? json_string_value(json_object_get(content, "metadataLocation"))
			: srv_is(type, "UNCHANGED") ? was->metadata_location
						    : NULL;
		changes[n].is_view = srv_is(json_string_value(json_object_get(content, "type")),
					    "ICEBERG_VIEW") ||
				     (was && was->type == RAT_CONTENT_VIEW);
		changed += !srv_is(type, "UNCHANGED");
		n++;
	}
	error = changed ? rat_table_metadata_commit(commit, NULL, x->catalog, x->r->who->ws, ref->name,
					      changes, n, author, message)
			: rat_ref_resolve(x->catalog, ref->name, commit); /* only UNCHANGED: none */
	free(changes);
	return error;
}

/* A commit the library refused with RAT_ECONFLICT (a namespace that still holds tables, or a
 * key changed under it as the branch moved): said as one conflict. */
static int refused(nes *x, json_t *ops, json_t *keys, bool has_namespace)
{
	bool dropping = has_namespace &&
			srv_is(json_string_value(json_object_get(json_array_get(ops, 0), "type")),
			       "DELETE");

	return nes_conflicts(x, json_pack("[{s:s, s:o, s:s}]", "conflictType",
					  dropping ? "NAMESPACE_NOT_EMPTY" : "VALUE_DIFFERS", "key",
					  nes_key_json(json_string_value(json_array_get(keys, 0))),
					  "message", rat_error_last()->message));
}

/*
 * What commitMeta says the commit carries beyond its message: its author
 * (author, else the first of authors; else the workspace), authorTime (the
 * time it is dated by) and properties (strings; "rat.request-id" is the
 * server's own). 0, or a 400 said.
 */
static int commit_meta(nes *x, json_t *meta, const char **author)
{
	json_t *props = json_object_get(meta, "properties"), *v, *mine;
	const char *when = json_string_value(json_object_get(meta, "authorTime")), *k;
	int64_t ms = 0;
	char *text;
	int error;

	*author = json_string_value(json_object_get(meta, "author"));
	if (!*author || !**author)
		*author = json_string_value(json_array_get(json_object_get(meta, "authors"), 0));
	if (!*author || !**author)
		*author = x->r->who->name;
	if (when && (ms = nes_instant_ms(when)) < 0)
		return srv_error(x->res, 400, "BAD_REQUEST", "commitMeta.authorTime is not an "
				 "ISO-8601 instant: %s", when);
	if (props && !json_is_object(props))
		return srv_error(x->res, 400, "BAD_REQUEST", "commitMeta.properties is an object of "
				 "strings");
	if ((mine = json_object()) == NULL)
		return srv_lib_error(x->res, RAT_ENOMEM);
	json_object_foreach(props, k, v)
		if (strcmp(k, "rat.request-id") != 0)
			json_object_set(mine, k, v);
	text = json_dumps(mine, JSON_COMPACT);
	json_decref(mine);
	error = text ? rat_catalog_set_commit_meta(x->catalog, text, ms) : RAT_ENOMEM;
	free(text);
	return error ? srv_error(x->res, 400, "BAD_REQUEST", "commitMeta: %s",
				 rat_error_last()->message)
		     : 0;
}

/* The answer to a commit that landed as commit: the branch, and the contents it added. */
int nes_landed(nes *x, const nes_ref *ref, json_t *keys, const rat_content_list *then,
	       const char *commit)
{
	rat_content_list after = { NULL, 0 };
	json_t *added = json_array();
	nes_ref target = *ref;
	size_t i;

	if (rat_content_list_get(&after, x->catalog, commit) == 0)
		for (i = 0; i < json_array_size(keys); i++) {
			const char *key = json_string_value(json_array_get(keys, i));
			const rat_content_entry *c = nes_find(&after, key);
			if (c && !nes_find(then, key))
				json_array_append_new(added, json_pack("{s:o, s:s}", "key",
								       nes_key_json(key), "contentId",
								       c->id));
		}
	rat_error_clear(); /* the commit landed: only the ids it gave could not be read */
	rat_content_list_free(&after);
	snprintf(target.hash, sizeof(target.hash), "%s", commit);
	x->res->status = 200;
	x->res->body = json_pack("{s:o, s:o}", "targetBranch", nes_reference_json(&target),
				 "addedContents", added);
	return 200;
}

int nes_commit(nes *x, const nes_ref *ref)
{
	json_t *body = json_loadb(x->r->body, x->r->body_len, 0, NULL), *ops = NULL;
	json_t *keys = json_array(), *conflicts;
	rat_content_list then = { NULL, 0 }, now = { NULL, 0 };
	const rat_content_list *is;
	const char *message = json_string_value(
		json_object_get(json_object_get(body, "commitMeta"), "message"));
	const char *author = NULL;
	char commit[65], head[65];
	bool has_namespace = false;
	int error;

	if (x->r->read_only)
		srv_error(x->res, 403, "FORBIDDEN", "the token is read-only: it may not commit");
	else if (!srv_is(ref->type, "BRANCH"))
		srv_error(x->res, 400, "BAD_REQUEST", "%s is not a branch: commits go to branches",
			  ref->name);
	else if (!json_is_object(body) || !message)
		srv_error(x->res, 400, "BAD_REQUEST", "the body is {\"commitMeta\": {\"message\": ...}, "
			  "\"operations\": [...]}");
	else if (read_ops(x, ops = json_object_get(body, "operations"), keys, &has_namespace) == 0)
		commit_meta(x, json_object_get(body, "commitMeta"), &author);
	if (x->res->status)
		goto done;
	/* what the client read (the expected hash, or the head), and what the branch holds now:
	 * read once when the client read the head */
	if ((error = rat_content_list_get(&then, x->catalog, ref->hash)) != 0 ||
	    (error = rat_ref_resolve(x->catalog, ref->name, head)) != 0 ||
	    (strcmp(head, ref->hash) != 0 &&
	     (error = rat_content_list_get(&now, x->catalog, head)) != 0)) {
		srv_lib_error(x->res, error);
		goto done;
	}
	is = strcmp(head, ref->hash) == 0 ? &then : &now;
	conflicts = find_conflicts(ops, keys, &then, is, ref->name);
	if (json_array_size(conflicts)) {
		nes_conflicts(x, conflicts);
		goto done;
	}
	json_decref(conflicts);
	error = has_namespace ? namespace_op(x, ref, json_array_get(ops, 0),
					     json_string_value(json_array_get(keys, 0)),
					     nes_find(is, json_string_value(json_array_get(keys, 0))),
					     commit)
			      : table_ops(x, ref, ops, keys, &then, message, author, commit);
	if (error == RAT_ECONFLICT)
		refused(x, ops, keys, has_namespace);
	else if (error)
		srv_lib_error(x->res, error);
	else
		nes_landed(x, ref, keys, &then, commit);
done:
	if (rat_catalog_set_commit_meta(x->catalog, NULL, 0) != 0) /* clearing cannot fail */
		rat_error_clear();
	json_decref(keys);
	json_decref(body);
	rat_content_list_free(&then);
	rat_content_list_free(&now);
	return x->res->status;
}

int nes_create_ref(nes *x)
{
	char *name = srv_query(x->r, "name"), *type = srv_query(x->r, "type");
	json_t *body = json_loadb(x->r->body, x->r->body_len, 0, NULL);
	const char *hash = json_string_value(json_object_get(body, "hash"));
	nes_ref made;
	int error;

	memset(&made, 0, sizeof(made));
	if (x->r->read_only)
		srv_error(x->res, 403, "FORBIDDEN", "the token is read-only: it may not make references");
	else if (!name || !*name || (!srv_is(type, "BRANCH") && !srv_is(type, "TAG") &&
				     !srv_is(type, "branch") && !srv_is(type, "tag")))
		srv_error(x->res, 400, "BAD_REQUEST", "name= and type=BRANCH or TAG are required");
	else if (!json_is_object(body) || !hash || !nes_hash_like(hash, strlen(hash)))
		srv_error(x->res, 400, "BAD_REQUEST", "the body is the reference to start from, with "
			  "its hash ({\"type\", \"name\", \"hash\"})");
	else if ((error = rat_ref_create(x->catalog, name, srv_is(type, "TAG") || srv_is(type, "tag"),
					 hash)) != 0)
		error == RAT_EEXISTS ? srv_error(x->res, 409, "REFERENCE_ALREADY_EXISTS",
						 "Named reference '%s' already exists.", name)
				     : srv_lib_error(x->res, error);
	else if (nes_resolve(x, name, &made) == 0) {
		x->res->status = 200;
		x->res->body = json_pack("{s:o}", "reference", nes_reference_json(&made));
	}
	free(name);
	free(type);
	json_decref(body);
	return x->res->status;
}

/* A 409 with an UNEXPECTED_HASH conflict: ref is no longer at the hash the client gave. */
static int moved(nes *x, const nes_ref *ref)
{
	char message[800], head[65] = "";

	if (rat_ref_resolve(x->catalog, ref->name, head) != 0) /* only to name it: gone is said */
		head[0] = '\0';
	rat_error_clear();
	snprintf(message, sizeof(message), "Named-reference '%s' is not at expected hash '%s', "
		 "but at '%s'.", ref->name, ref->hash, head[0] ? head : "(gone)");
	return nes_conflicts(x, json_pack("[{s:s, s:s}]", "conflictType", "UNEXPECTED_HASH",
					  "message", message));
}

int nes_delete_ref(nes *x, const nes_ref *ref)
{
	int error;

	if (x->r->read_only)
		return srv_error(x->res, 403, "FORBIDDEN", "the token is read-only: it may not delete");
	if (srv_is(ref->type, "DETACHED"))
		return srv_error(x->res, 400, "BAD_REQUEST", "name the reference to delete");
	/* the hash given must still be its head (Nessie's check against a stale client), at once */
	if ((error = rat_ref_delete_at(x->catalog, ref->name, ref->exact ? ref->hash : NULL)) != 0)
		return error == RAT_ECONFLICT ? moved(x, ref) : srv_lib_error(x->res, error);
	x->res->status = 200;
	x->res->body = json_pack("{s:o}", "reference", nes_reference_json(ref));
	return 200;
}

int nes_assign_ref(nes *x, const nes_ref *ref)
{
	json_t *body = json_loadb(x->r->body, x->r->body_len, 0, NULL);
	const char *hash = json_string_value(json_object_get(body, "hash"));
	nes_ref now;
	int error;

	if (x->r->read_only)
		srv_error(x->res, 403, "FORBIDDEN", "the token is read-only: it may not move references");
	else if (srv_is(ref->type, "DETACHED"))
		srv_error(x->res, 400, "BAD_REQUEST", "name the reference to assign");
	else if (!json_is_object(body) || !hash || !nes_hash_like(hash, strlen(hash)))
		srv_error(x->res, 400, "BAD_REQUEST", "the body is the reference to point at, with its "
			  "hash ({\"type\", \"name\", \"hash\"})");
	else if ((error = rat_ref_assign(x->catalog, ref->name, ref->exact ? ref->hash : NULL,
					 hash)) != 0)
		error == RAT_ECONFLICT ? moved(x, ref) : srv_lib_error(x->res, error);
	else if (nes_resolve(x, ref->name, &now) == 0) {
		x->res->status = 200;
		x->res->body = json_pack("{s:o}", "reference", nes_reference_json(&now));
	}
	json_decref(body);
	return x->res->status;
}
