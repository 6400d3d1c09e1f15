/*
 * remote/catalog.c - the catalog backend of a workspace whose catalog is
 * `rat serve`'s (remote.h): every call one or a few requests to Nessie's
 * API v2, which the server answers acting as the workspace its token names.
 *
 * The server decides who may read and write what (server_checks): it is
 * the one to trust, and it says why it refuses. A commit is sent with the
 * hash it was made against, and the server decides it per key (a stale
 * hash still commits when none of its keys changed since); a merge is the
 * server's merge. What Nessie has no model of goes through /rat/v1: the
 * workspace's identity. Nothing is kept between calls: the server's state
 * is read when it is needed, as the embedded catalog reads its file.
 */
#include "util/common.h"
#include "util/buf.h"
#include "catalog/catalog_internal.h"
#include "remote/remote.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAGE 5000

/* A path: the pieces given, ref and key pieces percent-encoded ("%r" a ref, "%s" as is). */
static char *path_of(const char *api, const char *ref, const char *rest, const char *tail)
{
	rat_buf b = RAT_BUF_INIT;

	if (rat_buf_puts(&b, api) != 0 || (ref && rat_remote__segment(&b, ref) != 0) ||
	    (rest && rat_buf_puts(&b, rest) != 0) || (tail && rat_remote__segment(&b, tail) != 0)) {
		rat_buf_free(&b);
		rat_error__oom();
		return NULL;
	}
	return rat_buf_detach(&b);
}

/* GET path (NULL: out of memory, said) into *out. */
static int get(rat_remote *r, const char *path, json_t **out)
{
	int error;

	*out = NULL;
	if (!path)
		return RAT_ENOMEM;
	if ((error = rat_remote__call(r, "GET", path, NULL, out)) != 0) {
		json_decref(*out);
		*out = NULL;
	}
	return error;
}

static int copy_hash(char hash[RAT_HASH_LEN + 1], json_t *reference, const char *what)
{
	const char *h = json_string_value(json_object_get(reference, "hash"));

	if (!h || strlen(h) != RAT_HASH_LEN)
		return rat_error__set(RAT_EIO, RAT_ERRCLASS_CATALOG,
				      "the server answered %s without a commit hash", what);
	memcpy(hash, h, RAT_HASH_LEN + 1);
	return 0;
}

static bool full_hash(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return i == RAT_HASH_LEN;
}

/* The reference a path segment names: a full hash detached ("@hash"), else the name. */
static const char *ref_spec(const char *ref, char *buf, size_t len)
{
	if (!full_hash(ref))
		return ref;
	snprintf(buf, len, "@%s", ref);
	return buf;
}

static int r_resolve(void *impl, const char *ref, char hash[RAT_HASH_LEN + 1])
{
	char *path, spec[RAT_HASH_LEN + 2];
	json_t *doc;
	int error;

	path = path_of("/api/v2/trees/", ref_spec(ref, spec, sizeof(spec)), NULL, NULL);
	error = get(rat_remote__http(impl), path, &doc);
	free(path);
	if (error == RAT_ENOTFOUND && !full_hash(ref) && strlen(ref) >= 8 &&
	    strspn(ref, "0123456789abcdef") == strlen(ref)) { /* a hash's prefix */
		rat_error_clear();
		snprintf(spec, sizeof(spec), "@%s", ref);
		path = path_of("/api/v2/trees/", spec, NULL, NULL);
		error = get(rat_remote__http(impl), path, &doc);
		free(path);
	}
	if (!error)
		error = copy_hash(hash, json_object_get(doc, "reference"), ref);
	json_decref(doc);
	return error;
}

static const char *kind_name(rat_ref_kind kind)
{
	return kind == RAT_REF_TAG ? "TAG" : "BRANCH";
}

static int r_create_ref(void *impl, const char *name, rat_ref_kind kind, const char *hash,
			const char *owner)
{
	rat_buf path = RAT_BUF_INIT;
	json_t *body = json_pack("{s:s, s:s, s:s}", "type", "DETACHED", "name", "DETACHED", "hash",
				 hash);
	int error;

	(void)owner; /* the server makes the token's workspace the owner */
	if (!body || rat_buf_puts(&path, "/api/v2/trees?name=") != 0 ||
	    rat_remote__segment(&path, name) != 0 ||
	    rat_buf_printf(&path, "&type=%s", kind_name(kind)) != 0)
		error = rat_error__oom();
	else
		error = rat_remote__call(rat_remote__http(impl), "POST", rat_buf_cstr(&path), body, NULL);
	json_decref(body);
	rat_buf_free(&path);
	return error;
}

/* name@hash as a path under /api/v2/trees/. */
static char *at_path(const char *name, const char *hash, const char *rest)
{
	char *spec = rat__sprintf("%s@%s", name, hash), *path;

	if (!spec) {
		rat_error__oom();
		return NULL;
	}
	path = path_of("/api/v2/trees/", spec, rest, NULL);
	free(spec);
	return path;
}

static int r_delete_ref(void *impl, const char *name, const char *expected_hash)
{
	char head[RAT_HASH_LEN + 1], *path;
	int error;

	if (!expected_hash) { /* Nessie deletes a ref at the hash its client saw */
		if ((error = r_resolve(impl, name, head)) != 0)
			return error;
		expected_hash = head;
	}
	if ((path = at_path(name, expected_hash, NULL)) == NULL)
		return RAT_ENOMEM;
	error = rat_remote__call(rat_remote__http(impl), "DELETE", path, NULL, NULL);
	free(path);
	return error;
}

static int r_move_ref(void *impl, const char *name, const char *expected_hash,
		      const char *new_hash)
{
	json_t *body = json_pack("{s:s, s:s, s:s}", "type", "DETACHED", "name", "DETACHED", "hash",
				 new_hash);
	char *path = at_path(name, expected_hash, NULL);
	int error = !body || !path ? RAT_ENOMEM : rat_remote__call(rat_remote__http(impl), "PUT", path, body, NULL);

	json_decref(body);
	free(path);
	return error;
}

/* GET path (a "?" in it already), a page at a time; each page's array field to each(). */
static int paged(rat_remote *r, const char *path, const char *field,
		 int (*each)(json_t *item, void *arg), void *arg)
{
	rat_buf url = RAT_BUF_INIT;
	json_t *doc = NULL, *item;
	char *token = NULL;
	size_t i;
	int error = 0;

	do {
		rat_buf_clear(&url);
		if (rat_buf_printf(&url, "%s&max-records=%d", path, PAGE) != 0 ||
		    (token && (rat_buf_puts(&url, "&page-token=") != 0 ||
			       rat_remote__segment(&url, token) != 0))) {
			error = rat_error__oom();
			break;
		}
		free(token);
		token = NULL;
		if ((error = get(r, rat_buf_cstr(&url), &doc)) != 0)
			break;
		json_array_foreach(json_object_get(doc, field), i, item)
			if (!error)
				error = each(item, arg);
		if (!error && json_is_true(json_object_get(doc, "hasMore"))) {
			const char *t = json_string_value(json_object_get(doc, "token"));
			if (!t || (token = rat__strdup(t)) == NULL)
				error = t ? rat_error__oom()
					  : rat_error__set(RAT_EIO, RAT_ERRCLASS_CATALOG,
							   "the server said there is more of %s but "
							   "gave no page token", path);
		}
		json_decref(doc);
		doc = NULL;
	} while (!error && token);
	free(token);
	rat_buf_free(&url);
	return error;
}

typedef struct ref_list {
	rat_refs *out;
	size_t capacity;
} ref_list;

static int add_ref(json_t *item, void *arg)
{
	ref_list *l = arg;
	const char *name = json_string_value(json_object_get(item, "name"));
	const char *type = json_string_value(json_object_get(item, "type"));
	rat_ref *ref;
	int error;

	if (!name || !type)
		return rat_error__set(RAT_EIO, RAT_ERRCLASS_CATALOG,
				      "the server listed a reference without a name or a type");
	if ((error = rat__grow((void **)&l->out->items, &l->capacity, l->out->count,
			       sizeof(rat_ref))) != 0)
		return error;
	ref = &l->out->items[l->out->count];
	memset(ref, 0, sizeof(*ref));
	ref->kind = strcmp(type, "TAG") == 0 ? RAT_REF_TAG : RAT_REF_BRANCH;
	if ((error = copy_hash(ref->hash, item, name)) != 0)
		return error;
	if ((ref->name = rat__strdup(name)) == NULL)
		return rat_error__oom();
	l->out->count++;
	return 0;
}

static int r_list_refs(void *impl, rat_refs *out)
{
	ref_list l = { out, 0 };
	int error;

	memset(out, 0, sizeof(*out));
	if ((error = paged(rat_remote__http(impl), "/api/v2/trees?fetch=MINIMAL", "references", add_ref, &l)) != 0)
		rat_catalog__refs_free(out);
	return error;
}

/* A Nessie content object as the catalog's state of key. */
static int state_of(rat_table_state *out, json_t *content, const char *key)
{
	const char *type = json_string_value(json_object_get(content, "type"));
	const char *id = json_string_value(json_object_get(content, "id"));
	const char *location = json_string_value(json_object_get(content, "metadataLocation"));
	json_t *snapshot = json_object_get(content, "snapshotId");

	memset(out, 0, sizeof(*out));
	out->snapshot_id = -1;
	out->ns = type && strcmp(type, "NAMESPACE") == 0;
	out->view = type && strcmp(type, "ICEBERG_VIEW") == 0;
	if (!id || (!out->ns && !out->view && (!type || strcmp(type, "ICEBERG_TABLE") != 0)) ||
	    (!out->ns && !location))
		return rat_error__set(RAT_EIO, RAT_ERRCLASS_CATALOG,
				      "the server's content for %s is not a table, view or namespace "
				      "rat knows (type %s)",
				      key, type ? type : "none");
	if (json_is_integer(snapshot) && json_integer_value(snapshot) >= 0)
		out->snapshot_id = json_integer_value(snapshot);
	out->schema_id = (int)json_integer_value(json_object_get(content, "schemaId"));
	out->spec_id = out->view ? 0 : (int)json_integer_value(json_object_get(content, "specId"));
	out->metadata_location = rat__strdup(out->ns ? "" : location);
	out->content_id = rat__strdup(id);
	if (out->ns) {
		json_t *props = json_object_get(content, "properties");
		out->properties = props ? json_dumps(props, JSON_COMPACT | JSON_SORT_KEYS)
					: rat__strdup("{}");
	}
	if (!out->metadata_location || !out->content_id || (out->ns && !out->properties)) {
		rat_table_state_clear(out);
		return rat_error__oom();
	}
	return 0;
}

typedef struct entry_list {
	rat_contents *out;
	size_t capacity;
	rat_contents_kind kind;
} entry_list;

static int add_entry(json_t *item, void *arg)
{
	entry_list *l = arg;
	const char *type = json_string_value(json_object_get(item, "type"));
	bool ns = type && strcmp(type, "NAMESPACE") == 0;
	rat_catalog_entry *e;
	int error;

	if ((l->kind == RAT_CONTENTS_TABLES && ns) || (l->kind == RAT_CONTENTS_NAMESPACES && !ns))
		return 0;
	if ((error = rat__grow((void **)&l->out->items, &l->capacity, l->out->count,
			       sizeof(*e))) != 0)
		return error;
	e = &l->out->items[l->out->count];
	memset(e, 0, sizeof(*e));
	if ((error = rat_remote__key_of(&e->key, json_object_get(item, "name"))) != 0)
		return error;
	if ((error = state_of(&e->state, json_object_get(item, "content"), e->key)) != 0) {
		free(e->key);
		return error;
	}
	l->out->count++;
	return 0;
}

static int r_contents(void *impl, const char *hash, rat_contents_kind kind, rat_contents *out)
{
	entry_list l = { out, 0, kind };
	char *path = rat__sprintf("/api/v2/trees/@%s/entries?content=true", hash);
	int error;

	memset(out, 0, sizeof(*out));
	if (!path)
		return rat_error__oom();
	if ((error = paged(rat_remote__http(impl), path, "entries", add_entry, &l)) != 0)
		rat_catalog__contents_free(out);
	else
		rat_catalog__contents_sort(out);
	free(path);
	return error;
}

static int r_entry(void *impl, const char *hash, const char *key, rat_table_state *out)
{
	char spec[RAT_HASH_LEN + 2], *path;
	json_t *doc;
	int error;

	snprintf(spec, sizeof(spec), "@%s", hash);
	path = path_of("/api/v2/trees/", spec, "/contents/", key);
	error = get(rat_remote__http(impl), path, &doc);
	free(path);
	if (!error)
		error = state_of(out, json_object_get(doc, "content"), key);
	json_decref(doc);
	return error;
}

static int r_find_request(void *impl, const char *id, char hash[RAT_HASH_LEN + 1])
{
	(void)impl;
	(void)hash;
	return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_CATALOG,
			      "request %s: requests are looked up by the server that took them", id);
}

static void r_free(void *impl)
{
	rat_remote_catalog *rc = impl;

	rat_remote__free(rc->http);
	json_decref(rc->commits);
	free(rc);
}

static const rat_catalog_backend remote_backend = {
	true, r_resolve, r_create_ref, r_delete_ref, r_move_ref, r_list_refs, r_contents, r_entry,
	rat_remote__commit, rat_remote__commit_info, r_find_request, NULL, NULL,
	rat_remote__claim, NULL, NULL, NULL, rat_remote__merge, r_free,
};

int rat_remote__open_catalog(rat_catalog **out, const char *uri, const char *token)
{
	rat_remote_catalog *rc = rat__calloc(1, sizeof(*rc));
	int error;

	*out = NULL;
	if (!rc || (rc->commits = json_object()) == NULL) {
		free(rc);
		return rat_error__oom();
	}
	if ((error = rat_remote__open(&rc->http, uri, token)) != 0) {
		r_free(rc);
		return error;
	}
	return rat_catalog__new(out, &remote_backend, rc);
}
