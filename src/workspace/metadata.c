/*
 * workspace/metadata.c - Iceberg metadata files as a catalog service hands
 * them out and takes them back (rat/table.h: rat_table_metadata_read and
 * rat_table_metadata_commit, what `rat serve` builds its Iceberg REST
 * catalog on).
 *
 * A commit writes each change's metadata file first (a new name, never an
 * overwrite), then records every change in one catalog commit against the
 * head it checked the expected locations on; when another commit moved the
 * branch meanwhile, the check and the commit are made again on the new
 * head. What was written for a commit that did not land is removed.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/random.h"
#include "rat/table.h"
#include "catalog/catalog.h"
#include "storage/storage.h"
#include "table/scan.h"
#include "workspace/lease.h"
#include "workspace/tables.h"
#include "workspace/workspace.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A metadata file larger than this is refused (Iceberg's are kilobytes to a few MB). */
#define METADATA_MAX ((uint64_t)64 << 20)
/* Commits made again after the branch moved under them, before giving up. */
#define COMMIT_ATTEMPTS 64

/*
 * Commits to one catalog file from this process go one at a time: SQLite
 * takes one writer at a time anyway, and threads racing for the branch head
 * would lose most rounds (each loser reads the head again and retries, and
 * waits in SQLite's busy handler). Other processes still race, through the
 * head check. Locks are picked by the catalog file's path.
 */
#define COMMIT_LOCKS 16
static pthread_mutex_t commit_locks[COMMIT_LOCKS] = {
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER, PTHREAD_MUTEX_INITIALIZER,
	PTHREAD_MUTEX_INITIALIZER,
};

static pthread_mutex_t *commit_lock(const rat_workspace *ws)
{
	const char *p = rat_workspace_catalog_path(ws);
	uint32_t h = 2166136261u;

	for (; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return &commit_locks[h % COMMIT_LOCKS];
}

void rat_table_metadata_file_free(rat_table_metadata_file *out)
{
	if (!out)
		return;
	free(out->location);
	free(out->json);
	memset(out, 0, sizeof(*out));
}

int rat_table_metadata_read(rat_table_metadata_file *out, rat_catalog *catalog,
			    const rat_workspace *ws, const char *ref, const char *key)
{
	rat_catalog_entry entry = { (char *)key, { NULL, -1, 0, 0, NULL, false, false, NULL } };
	rat_buf buf = RAT_BUF_INIT;
	rat_store *store = NULL;
	const char *file;
	int error;

	memset(out, 0, sizeof(*out));
	if (!ref)
		ref = rat_workspace_branch(ws);
	/* the one key: its bucket of the ref's tree, not the whole key map */
	if ((error = rat_catalog__entry(catalog, ref, key, &entry.state)) != 0)
		return error;
	if ((error = rat_workspace__entry_store(&store, &file, ws, &entry)) == 0 &&
	    (error = rat_store__get(store, file, &buf, METADATA_MAX)) == 0) {
		out->location = rat_store__url(store, file);
		out->json = rat_buf_detach(&buf);
		out->is_view = entry.state.view;
		if (!out->location || !out->json)
			error = rat_error__oom();
	}
	if (error && error != RAT_ENOTFOUND && error != RAT_ENOMEM)
		rat_error__prefix("%s", key);
	rat_buf_free(&buf);
	rat_store__free(store);
	rat_table_state_clear(&entry.state);
	if (error)
		rat_table_metadata_file_free(out);
	return error;
}

void rat_table_key_list_free(rat_table_key_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->count; i++) {
		free((char *)list->items[i].key);
		free((char *)list->items[i].metadata_location);
	}
	free(list->items);
	list->items = NULL;
	list->count = 0;
}

int rat_table_keys_get(rat_table_key_list *out, rat_catalog *catalog, const char *ref)
{
	rat_contents contents = { NULL, 0 };
	size_t i;
	int error;

	out->items = NULL;
	out->count = 0;
	if ((error = rat_catalog__contents(catalog, ref, &contents)) != 0)
		return error;
	if (contents.count && (out->items = rat__calloc(contents.count, sizeof(*out->items))) == NULL)
		error = RAT_ENOMEM;
	for (i = 0; !error && i < contents.count; i++) {
		rat_table_key *k = &out->items[out->count++];
		k->key = rat__strdup(contents.items[i].key);
		k->metadata_location = rat__strdup(contents.items[i].state.metadata_location);
		k->is_view = contents.items[i].state.view;
		if (!k->key || !k->metadata_location)
			error = rat_error__oom();
	}
	rat_catalog__contents_free(&contents);
	if (error)
		rat_table_key_list_free(out);
	return error;
}

/* location without a file:// scheme (a local path), or as it is. */
static const char *plain_location(const char *location)
{
	if (strncmp(location, "file://", 7) == 0)
		return location + 7;
	if (strncmp(location, "file:/", 6) == 0)
		return location + 5;
	return location;
}

/* Whether path names a place under root (root ends with '/'), with no "." or ".." part. */
static bool under_root(const char *path, const char *root)
{
	const char *p;
	size_t n = strlen(root);

	if (strncmp(path, root, n) != 0 || !path[n])
		return false;
	for (p = path + n; *p;) {
		size_t len = strcspn(p, "/");
		if (len == 0 || (len == 1 && p[0] == '.') || (len == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += len;
		if (*p == '/')
			p++;
	}
	return true;
}

/* Refuse a location outside ws's storage (warehouse/prefix/). */
static int check_in_storage(const rat_workspace *ws, const char *key, const char *what,
			    const char *location)
{
	char *root = rat__sprintf("%s/%s/", rat_workspace_warehouse(ws), rat_workspace_s3_prefix(ws));
	int error = 0;

	if (!root)
		return rat_error__oom();
	if (!under_root(plain_location(location), root))
		error = rat_error__set(RAT_EACCESS, RAT_ERRCLASS_WORKSPACE,
				       "%s: %s %s is outside the workspace's storage %s", key, what,
				       location, root);
	free(root);
	return error;
}

/* What the catalog records of a table or view whose metadata is doc. */
static int state_of(rat_table_state *state, json_t *doc, const rat_table_change *c)
{
	json_t *id;
	const char *uuid;

	memset(state, 0, sizeof(*state));
	state->snapshot_id = -1;
	state->view = c->is_view != 0;
	if (c->is_view) {
		json_t *versions = json_object_get(doc, "versions");
		json_int_t current = json_integer_value(json_object_get(doc, "current-version-id"));
		size_t i;
		json_t *v;
		uuid = json_string_value(json_object_get(doc, "view-uuid"));
		json_array_foreach(versions, i, v)
			if (json_integer_value(json_object_get(v, "version-id")) == current)
				state->schema_id = (int)json_integer_value(json_object_get(v, "schema-id"));
	} else {
		uuid = json_string_value(json_object_get(doc, "table-uuid"));
		id = json_object_get(doc, "current-snapshot-id");
		if (json_is_integer(id) && json_integer_value(id) >= 0)
			state->snapshot_id = json_integer_value(id);
		state->schema_id = (int)json_integer_value(json_object_get(doc, "current-schema-id"));
		state->spec_id = (int)json_integer_value(json_object_get(doc, "default-spec-id"));
	}
	if (!uuid || !*uuid)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
				      "%s: the metadata has no %s", c->key,
				      c->is_view ? "view-uuid" : "table-uuid");
	if (!json_is_string(json_object_get(doc, "location")))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
				      "%s: the metadata has no location", c->key);
	state->content_id = rat__strdup(uuid);
	return state->content_id ? 0 : rat_error__oom();
}

/* One change made ready: its metadata written (or read, to register it), its state. */
typedef struct prepared {
	rat_table_state state;
	rat_store *store;  /* where a written file lives, to remove it if the commit fails */
	char *written;     /* its key in store */
	rat_lease *lease;
	bool remove;
} prepared;

static long version_after(const char *expected)
{
	const char *slash = expected ? strrchr(expected, '/') : NULL;
	long v = slash ? rat_table__metadata_version(slash + 1) : -1;

	return v >= 0 ? v + 1 : 1;
}

static int write_metadata(prepared *p, const rat_workspace *ws, const rat_table_change *c)
{
	json_error_t jerr;
	json_t *doc = json_loads(c->metadata_json, 0, &jerr);
	rat_store_options opts;
	const char *location;
	char uuid[37];
	int error;

	if (!doc || !json_is_object(doc)) {
		json_decref(doc);
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
				      "%s: the metadata is not a JSON object (%s)", c->key,
				      doc ? "" : jerr.text);
	}
	if ((error = state_of(&p->state, doc, c)) != 0)
		goto done;
	location = json_string_value(json_object_get(doc, "location"));
	if ((error = check_in_storage(ws, c->key, "location", location)) != 0 ||
	    (error = rat_lease__take(&p->lease, ws, c->key)) != 0 ||
	    (error = rat_random__uuid(uuid)) != 0)
		goto done;
	rat_workspace__store_options(ws, &opts);
	if ((error = rat_workspace__store_at(&p->store, plain_location(location), &opts)) != 0)
		goto done;
	p->written = rat__sprintf("metadata/%05ld-%s.metadata.json", version_after(c->expected_location),
				  uuid);
	if (!p->written) {
		error = rat_error__oom();
		goto done;
	}
	if ((error = rat_store__put_new(p->store, p->written, c->metadata_json,
					strlen(c->metadata_json))) != 0) {
		free(p->written);
		p->written = NULL;
		goto done;
	}
	p->state.metadata_location = rat__sprintf("%s%s%s", location,
						  location[strlen(location) - 1] == '/' ? "" : "/",
						  p->written);
	if (!p->state.metadata_location)
		error = rat_error__oom();
done:
	json_decref(doc);
	return error;
}

/* Registering: the metadata file is there already; read it for the state. */
static int read_registered(prepared *p, const rat_workspace *ws, const rat_table_change *c)
{
	const char *path = plain_location(c->metadata_location), *slash = strrchr(path, '/');
	rat_buf buf = RAT_BUF_INIT;
	rat_store_options opts;
	json_error_t jerr;
	json_t *doc = NULL;
	char *folder = NULL;
	int error;

	if ((error = check_in_storage(ws, c->key, "metadata file", c->metadata_location)) != 0)
		return error;
	rat_workspace__store_options(ws, &opts);
	/* in the workspace's storage: under its root, so there is a '/' */
	if ((folder = rat__strndup(path, (size_t)(slash - path))) == NULL)
		return rat_error__oom();
	if ((error = rat_workspace__store_at(&p->store, folder, &opts)) != 0 ||
	    (error = rat_store__get(p->store, slash + 1, &buf, METADATA_MAX)) != 0)
		goto done;
	if ((doc = json_loadb(buf.ptr ? buf.ptr : "", buf.len, 0, &jerr)) == NULL) {
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
				       "%s: %s is not JSON (%s)", c->key, c->metadata_location,
				       jerr.text);
		goto done;
	}
	if ((error = state_of(&p->state, doc, c)) == 0 &&
	    (error = check_in_storage(ws, c->key, "location",
				      json_string_value(json_object_get(doc, "location")))) == 0 &&
	    (p->state.metadata_location = rat__strdup(c->metadata_location)) == NULL)
		error = rat_error__oom();
done:
	rat_store__free(p->store);
	p->store = NULL;
	json_decref(doc);
	rat_buf_free(&buf);
	free(folder);
	return error;
}

static void prepared_clear(prepared *p, bool landed)
{
	/* best effort, keeping the error that failed the commit: what is left is an orphan
	 * `rat vacuum` removes */
	if (!landed && p->store && p->written) {
		rat_error_saved saved;
		rat_error__save(&saved);
		if (rat_store__delete(p->store, p->written) != 0) {
			/* the error that failed the commit is the one to report */
		}
		rat_error__restore(&saved);
	}
	rat_store__free(p->store);
	rat_lease__release(p->lease);
	free(p->written);
	rat_table_state_clear(&p->state);
}

/* Whether commit head of branch still holds what each change was made against. */
static int check_expected(rat_catalog *catalog, const char *head, const char *branch,
			  const rat_table_change *changes, size_t count)
{
	size_t i;
	int error = 0;

	for (i = 0; !error && i < count; i++) {
		const rat_table_change *c = &changes[i];
		rat_table_state now;
		int found = rat_catalog__entry(catalog, head, c->key, &now);
		if (found != 0 && found != RAT_ENOTFOUND)
			return found;
		if (!c->expected_location && found == 0)
			error = rat_error__set(RAT_ECONFLICT, RAT_ERRCLASS_CATALOG,
					       "%s already exists on %s", c->key, branch);
		else if (!c->expected_location && (c->metadata_json || c->metadata_location))
			error = rat_workspace__namespace_of(catalog, head, branch, c->key);
		else if (c->expected_location && found != 0)
			error = rat_error__set(RAT_ECONFLICT, RAT_ERRCLASS_CATALOG,
					       "%s is no longer on %s", c->key, branch);
		else if (c->expected_location &&
			 strcmp(now.metadata_location, c->expected_location) != 0)
			error = rat_error__set(RAT_ECONFLICT, RAT_ERRCLASS_CATALOG,
					       "%s changed on %s: it is now at %s, the change was "
					       "made against %s",
					       c->key, branch, now.metadata_location,
					       c->expected_location);
		if (found == 0)
			rat_table_state_clear(&now);
	}
	return error;
}

int rat_workspace__commit_at_head(char commit[RAT_HASH_LEN + 1], rat_catalog *catalog,
				  const rat_workspace *ws, rat_commit_request *r,
				  rat_workspace_head_check check, void *payload)
{
	char head[RAT_HASH_LEN + 1];
	int attempt, error = 0;

	pthread_mutex_lock(commit_lock(ws));
	for (attempt = 0; attempt < COMMIT_ATTEMPTS; attempt++) {
		if ((error = rat_catalog__resolve(catalog, r->branch, head)) != 0 ||
		    (error = check(catalog, head, payload)) != 0)
			break;
		r->expected_head = head;
		if ((error = rat_catalog__commit(catalog, r, commit)) != RAT_ECONFLICT)
			break;
	}
	r->expected_head = NULL;
	pthread_mutex_unlock(commit_lock(ws));
	return error;
}

typedef struct expected {
	const char *branch;
	const rat_table_change *changes;
	size_t count;
} expected;

static int check_expected_at(rat_catalog *catalog, const char *head, void *payload)
{
	expected *x = payload;
	return check_expected(catalog, head, x->branch, x->changes, x->count);
}

static int commit_prepared(char commit[65], rat_catalog *catalog, const rat_workspace *ws,
			   const char *branch, const rat_table_change *changes, prepared *p,
			   rat_catalog_op *ops, size_t count, const char *author,
			   const char *message)
{
	rat_commit_request request = { branch, NULL, ops, count, author, message, NULL, 0 };
	expected x = { branch, changes, count };
	size_t i;

	for (i = 0; i < count; i++) {
		ops[i].kind = p[i].remove ? RAT_OP_DELETE : RAT_OP_PUT;
		ops[i].key = changes[i].key;
		ops[i].state = p[i].remove ? NULL : &p[i].state;
	}
	return rat_workspace__commit_at_head(commit, catalog, ws, &request, check_expected_at, &x);
}

int rat_table_metadata_commit(char commit[65], char **locations, rat_catalog *catalog,
			      const rat_workspace *ws, const char *branch,
			      const rat_table_change *changes, size_t count, const char *author,
			      const char *message)
{
	prepared *p = NULL;
	rat_catalog_op *ops = NULL;
	char *own_message = NULL;
	bool landed = false;
	size_t i, j;
	int error = 0;

	commit[0] = '\0';
	for (i = 0; locations && i < count; i++)
		locations[i] = NULL;
	if (!branch)
		branch = rat_workspace_branch(ws);
	if (count == 0)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG, "nothing to commit");
	for (i = 0; i < count; i++) {
		if (!changes[i].key || !*changes[i].key)
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG, "a change without a key");
		for (j = 0; j < i; j++)
			if (strcmp(changes[i].key, changes[j].key) == 0)
				return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
						      "%s is changed twice in one commit", changes[i].key);
	}
	if ((p = rat__calloc(count, sizeof(*p))) == NULL ||
	    (ops = rat__calloc(count, sizeof(*ops))) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	for (i = 0; i < count && !error; i++) {
		const rat_table_change *c = &changes[i];
		if (c->metadata_json)
			error = write_metadata(&p[i], ws, c);
		else if (c->metadata_location)
			error = read_registered(&p[i], ws, c);
		else
			p[i].remove = true;
	}
	if (error)
		goto cleanup;
	if (!message) {
		own_message = count == 1 ? rat__sprintf("%s %s", p[0].remove ? "drop" : "commit",
							changes[0].key)
					 : rat__sprintf("commit %zu tables", count);
		if (!own_message) {
			error = RAT_ENOMEM;
			goto cleanup;
		}
		message = own_message;
	}
	error = commit_prepared(commit, catalog, ws, branch, changes, p, ops, count,
				author ? author : rat_workspace_name(ws), message);
	landed = error == 0;
	for (i = 0; landed && locations && i < count; i++) {
		if (p[i].remove)
			continue;
		if ((locations[i] = rat__strdup(p[i].state.metadata_location)) == NULL)
			error = RAT_ENOMEM; /* committed all the same: the caller is told it failed */
	}
cleanup:
	for (i = 0; p && i < count; i++)
		prepared_clear(&p[i], landed);
	if (error && !landed)
		commit[0] = '\0';
	free(p);
	free(ops);
	free(own_message);
	return error;
}
