/*
 * catalog/catalog.c - what does not depend on the backend: names, table
 * state encoding, diff and merge.
 *
 * Merge: if the target's head is an ancestor of the source, the target
 * fast-forwards (a compare-and-swap of the ref). Otherwise, against the
 * nearest common ancestor, every key the source changed is brought over; a
 * key both sides changed to different states is a conflict. Any conflict
 * refuses the whole merge, listing the keys, and writes nothing.
 */
#include "util/common.h"
#include "util/names.h"
#include "rat/catalog.h"
#include "catalog/catalog_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Table state */

/*
 * A view carries "type": "ICEBERG_VIEW", a namespace "type": "NAMESPACE" and
 * its "properties"; a table has no type key, as before views existed.
 */
json_t *rat_catalog__state_json(const rat_table_state *s)
{
	json_t *j = json_pack("{s:s, s:I, s:i, s:i, s:s}", "metadata-location",
			      s->metadata_location ? s->metadata_location : "", "snapshot-id",
			      (json_int_t)s->snapshot_id, "schema-id", s->schema_id, "spec-id",
			      s->spec_id, "content-id", s->content_id ? s->content_id : "");

	if (j && s->view)
		json_object_set_new(j, "type", json_string("ICEBERG_VIEW"));
	if (j && s->ns) {
		json_t *props = json_loads(s->properties ? s->properties : "{}", 0, NULL);
		if (!json_is_object(props)) {
			json_decref(props);
			json_decref(j);
			return NULL;
		}
		/* each set takes its value's reference, failing or not */
		if (json_object_set_new(j, "type", json_string("NAMESPACE")) != 0 ||
		    json_object_set_new(j, "properties", props) != 0) {
			json_decref(j);
			return NULL;
		}
	}
	return j;
}

int rat_catalog__state_parse(rat_table_state *out, json_t *j)
{
	const char *loc = json_string_value(json_object_get(j, "metadata-location"));
	const char *id = json_string_value(json_object_get(j, "content-id")), *type;

	memset(out, 0, sizeof(*out));
	if (!loc || !id)
		return rat_error__set(RAT_EIO, RAT_ERRCLASS_CATALOG, "a table state lacks its location or id");
	out->snapshot_id = json_integer_value(json_object_get(j, "snapshot-id"));
	out->schema_id = (int)json_integer_value(json_object_get(j, "schema-id"));
	out->spec_id = (int)json_integer_value(json_object_get(j, "spec-id"));
	out->metadata_location = rat__strdup(loc);
	out->content_id = rat__strdup(id);
	type = json_string_value(json_object_get(j, "type"));
	out->view = type && strcmp(type, "ICEBERG_VIEW") == 0;
	out->ns = type && strcmp(type, "NAMESPACE") == 0;
	if (out->ns) {
		json_t *props = json_object_get(j, "properties");
		if (!json_is_object(props)) {
			rat_table_state_clear(out);
			return rat_error__set(RAT_EIO, RAT_ERRCLASS_CATALOG,
					      "a namespace's state lacks its properties");
		}
		out->properties = json_dumps(props, JSON_COMPACT | JSON_SORT_KEYS);
	}
	if (!out->metadata_location || !out->content_id || (out->ns && !out->properties)) {
		rat_table_state_clear(out);
		return RAT_ENOMEM;
	}
	return 0;
}

bool rat_catalog__state_equal(const rat_table_state *a, const rat_table_state *b)
{
	return strcmp(a->metadata_location, b->metadata_location) == 0 &&
	       strcmp(a->content_id, b->content_id) == 0 && a->snapshot_id == b->snapshot_id &&
	       a->schema_id == b->schema_id && a->spec_id == b->spec_id && a->view == b->view &&
	       a->ns == b->ns &&
	       strcmp(a->properties ? a->properties : "", b->properties ? b->properties : "") == 0;
}

int rat_catalog__state_copy(rat_table_state *out, const rat_table_state *in)
{
	*out = *in;
	out->metadata_location = rat__strdup(in->metadata_location ? in->metadata_location : "");
	out->content_id = rat__strdup(in->content_id ? in->content_id : "");
	out->properties = in->properties ? rat__strdup(in->properties) : NULL;
	if (!out->metadata_location || !out->content_id || (in->properties && !out->properties)) {
		rat_table_state_clear(out);
		return RAT_ENOMEM;
	}
	return 0;
}

void rat_table_state_clear(rat_table_state *s)
{
	free(s->metadata_location);
	free(s->content_id);
	free(s->properties);
	memset(s, 0, sizeof(*s));
}

int rat_catalog__contents_add_json(rat_contents *out, size_t *capacity, json_t *map,
				   rat_contents_kind kind)
{
	const char *key;
	json_t *value;
	int error = 0;

	json_object_foreach(map, key, value) {
		rat_catalog_entry *entry;
		/* a namespace's key has no dot, a table's has one */
		if (kind != RAT_CONTENTS_ALL &&
		    (strchr(key, '.') == NULL) != (kind == RAT_CONTENTS_NAMESPACES))
			continue;
		if ((error = rat__grow((void **)&out->items, capacity, out->count,
				       sizeof(*out->items))) != 0)
			return error;
		entry = &out->items[out->count];
		memset(entry, 0, sizeof(*entry));
		if ((entry->key = rat__strdup(key)) == NULL)
			return RAT_ENOMEM;
		out->count++; /* freed with the rest, whole or not */
		if ((error = rat_catalog__state_parse(&entry->state, value)) != 0)
			return error;
	}
	return 0;
}

static int by_key(const void *a, const void *b)
{
	return strcmp(((const rat_catalog_entry *)a)->key, ((const rat_catalog_entry *)b)->key);
}

void rat_catalog__contents_sort(rat_contents *contents)
{
	if (contents->count > 1)
		qsort(contents->items, contents->count, sizeof(*contents->items), by_key);
}

const rat_catalog_entry *rat_catalog__find(const rat_contents *contents, const char *key)
{
	size_t lo = 0, hi = contents->count;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(contents->items[mid].key, key);
		if (c == 0)
			return &contents->items[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Forwarding */

int rat_catalog__resolve(rat_catalog *c, const char *ref, char hash[RAT_HASH_LEN + 1])
{
	char buf[RAT_REF_NAME_MAX];
	int error;

	ref = rat_catalog__ref_name(c, ref, buf, sizeof(buf));
	if ((error = rat_catalog__check_read(c, ref)) != 0)
		return error;
	return c->backend->resolve(c->impl, ref, hash);
}

int rat_catalog__create_ref(rat_catalog *c, const char *name, rat_ref_kind kind, const char *from)
{
	char hash[RAT_HASH_LEN + 1], buf[RAT_REF_NAME_MAX];
	int error;

	name = rat_catalog__ref_name(c, name, buf, sizeof(buf));
	if (!rat_name__valid_ref(name))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
				      "invalid %s name '%s' (a letter first; letters, digits, '/', "
				      "'.', '_', '-'; no '..' or '//', no trailing '/' or '.')",
				      kind == RAT_REF_TAG ? "tag" : "branch", name);
	if ((error = rat_catalog__check_create(c, name)) != 0 ||
	    (error = rat_catalog__resolve(c, from ? from : "main", hash)) != 0)
		return error;
	return c->backend->create_ref(c->impl, name, kind, hash, c->workspace);
}

int rat_catalog__delete_ref(rat_catalog *c, const char *name, const char *expected_hash)
{
	char buf[RAT_REF_NAME_MAX];
	int error;

	name = rat_catalog__ref_name(c, name, buf, sizeof(buf));
	if (strcmp(name, "main") == 0)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
				      "the branch 'main' cannot be deleted");
	if ((error = rat_catalog__check_write(c, name)) != 0)
		return error;
	return c->backend->delete_ref(c->impl, name, expected_hash);
}

/* The ref stored as name (as the catalog's workspace names it): its kind and head. */
static int find_ref(rat_catalog *c, const char *name, rat_ref_kind *kind,
		    char head[RAT_HASH_LEN + 1])
{
	rat_refs refs;
	size_t i;
	int error;

	if ((error = c->backend->list_refs(c->impl, &refs)) != 0)
		return error;
	error = RAT_ENOTFOUND;
	for (i = 0; error && i < refs.count; i++)
		if (strcmp(refs.items[i].name, name) == 0) {
			*kind = refs.items[i].kind;
			memcpy(head, refs.items[i].hash, RAT_HASH_LEN + 1);
			error = 0;
		}
	rat_catalog__refs_free(&refs);
	return error ? rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_CATALOG,
				      "no reference named '%s'", name)
		     : 0;
}

int rat_catalog__ref_get(rat_catalog *c, const char *ref, char *name, size_t len,
			 rat_ref_kind *kind, char head[RAT_HASH_LEN + 1])
{
	char buf[RAT_REF_NAME_MAX];
	int error;

	ref = rat_catalog__ref_name(c, ref, buf, sizeof(buf));
	if ((error = rat_catalog__check_read(c, ref)) != 0 ||
	    (error = find_ref(c, ref, kind, head)) != 0)
		return error;
	if ((size_t)snprintf(name, len, "%s", ref) >= len)
		return rat_error__set(RAT_ETOOBIG, RAT_ERRCLASS_CATALOG,
				      "reference '%s' is longer than %zu bytes", ref, len - 1);
	return 0;
}

int rat_catalog__assign_ref(rat_catalog *c, const char *name, const char *expected,
			    const char *to)
{
	char buf[RAT_REF_NAME_MAX], head[RAT_HASH_LEN + 1], target[RAT_HASH_LEN + 1];
	rat_ref_kind kind;
	int error;

	name = rat_catalog__ref_name(c, name, buf, sizeof(buf));
	if ((error = rat_catalog__check_write(c, name)) != 0 ||
	    (error = rat_catalog__resolve(c, to, target)) != 0 ||
	    (error = find_ref(c, name, &kind, head)) != 0)
		return error;
	if (kind == RAT_REF_TAG)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
				      "'%s' is a tag: a tag names one commit for good", name);
	return c->backend->move_ref(c->impl, name, expected ? expected : head, target);
}

int rat_catalog__list_refs(rat_catalog *c, rat_refs *out)
{
	return c->backend->list_refs(c->impl, out);
}

int rat_catalog__contents_of(rat_catalog *c, const char *ref, rat_contents_kind kind,
			     rat_contents *out)
{
	char hash[RAT_HASH_LEN + 1];
	int error = rat_catalog__resolve(c, ref, hash);

	memset(out, 0, sizeof(*out));
	return error ? error : c->backend->contents(c->impl, hash, kind, out);
}

int rat_catalog__contents(rat_catalog *c, const char *ref, rat_contents *out)
{
	return rat_catalog__contents_of(c, ref, RAT_CONTENTS_TABLES, out);
}

int rat_catalog__namespaces(rat_catalog *c, const char *ref, rat_contents *out)
{
	return rat_catalog__contents_of(c, ref, RAT_CONTENTS_NAMESPACES, out);
}

int rat_catalog__entry(rat_catalog *c, const char *ref, const char *key, rat_table_state *out)
{
	char hash[RAT_HASH_LEN + 1];
	int error = rat_catalog__resolve(c, ref, hash);

	memset(out, 0, sizeof(*out));
	if (!error && (error = c->backend->entry(c->impl, hash, key, out)) == RAT_ENOTFOUND)
		error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_CATALOG, "no table %s on %s", key,
				       ref);
	return error;
}

void rat_catalog__set_fixed_time(rat_catalog *c, int64_t fixed_ms)
{
	c->fixed_time_ms = fixed_ms;
}

/* Commit r, dated by the catalog's fixed time when r gives none and one is set. */
static int commit_dated(rat_catalog *c, const rat_commit_request *r, const char *merge_parent,
			char out_hash[RAT_HASH_LEN + 1])
{
	rat_commit_request dated = *r;
	char buf[RAT_REF_NAME_MAX];
	json_t *props = NULL;
	int error;

	dated.branch = rat_catalog__ref_name(c, r->branch, buf, sizeof(buf));
	if ((error = rat_catalog__check_write(c, dated.branch)) != 0)
		return error;
	if (!dated.time_ms)
		dated.time_ms = c->commit_time_ms ? c->commit_time_ms
			      : c->fixed_time_ms >= 0 ? c->fixed_time_ms : 0;
	if (c->request_id || c->commit_props) { /* the handle's beside the commit's own */
		props = r->properties ? json_copy(r->properties) : json_object();
		if (!props || (c->commit_props && json_object_update_missing(props, c->commit_props)) ||
		    (c->request_id && json_object_set_new(props, RAT_REQUEST_ID_PROPERTY,
							  json_string(c->request_id)) != 0)) {
			json_decref(props);
			return rat_error__oom();
		}
		dated.properties = props;
	}
	error = c->backend->commit(c->impl, &dated, merge_parent, out_hash);
	json_decref(props);
	return error;
}

int rat_catalog__commit(rat_catalog *c, const rat_commit_request *r, char out_hash[RAT_HASH_LEN + 1])
{
	size_t i;

	if (!r->author || !*r->author || !r->message)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
				      "a commit needs an author and a message");
	for (i = 0; i < r->op_count; i++)
		if (!r->ops[i].key || !*r->ops[i].key || (r->ops[i].kind == RAT_OP_PUT && !r->ops[i].state))
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
					      "commit to '%s': operation %zu has no key or state",
					      r->branch, i);
	return commit_dated(c, r, "", out_hash);
}

int rat_catalog__log(rat_catalog *c, const char *ref, size_t limit, rat_commits *out)
{
	char hash[RAT_HASH_LEN + 1];
	size_t capacity = 0;
	int error;

	memset(out, 0, sizeof(*out));
	if ((error = rat_catalog__resolve(c, ref, hash)) != 0)
		return error;
	while (hash[0] && (limit == 0 || out->count < limit)) {
		if ((error = rat__grow((void **)&out->items, &capacity, out->count,
				       sizeof(rat_commit_info))) != 0 ||
		    (error = c->backend->commit_info(c->impl, hash, &out->items[out->count])) != 0)
			break;
		memcpy(hash, out->items[out->count].parent, sizeof(hash));
		out->count++;
	}
	if (error)
		rat_catalog__commits_free(out);
	return error;
}

/* Diff */

static int push_change(rat_diff *d, size_t *capacity, const char *key, rat_change_kind kind,
		       const rat_table_state *before, const rat_table_state *after)
{
	rat_change *ch;
	int error = rat__grow((void **)&d->items, capacity, d->count, sizeof(*ch));

	if (error)
		return error;
	ch = &d->items[d->count];
	memset(ch, 0, sizeof(*ch));
	ch->kind = kind;
	if ((ch->key = rat__strdup(key)) == NULL ||
	    (before && (error = rat_catalog__state_copy(&ch->before, before)) != 0) ||
	    (after && (error = rat_catalog__state_copy(&ch->after, after)) != 0)) {
		free(ch->key);
		rat_table_state_clear(&ch->before);
		return error ? error : RAT_ENOMEM;
	}
	d->count++;
	return 0;
}

/* Changes between two key maps, sorted by key (both inputs are sorted). */
static int diff_contents(const rat_contents *a, const rat_contents *b, rat_diff *out)
{
	size_t i = 0, j = 0, capacity = 0;
	int error = 0;

	memset(out, 0, sizeof(*out));
	while (!error && (i < a->count || j < b->count)) {
		int c = i == a->count ? 1 : j == b->count ? -1 : strcmp(a->items[i].key, b->items[j].key);
		if (c < 0) {
			error = push_change(out, &capacity, a->items[i].key, RAT_CHANGE_REMOVED,
					    &a->items[i].state, NULL);
			i++;
		} else if (c > 0) {
			error = push_change(out, &capacity, b->items[j].key, RAT_CHANGE_ADDED, NULL,
					    &b->items[j].state);
			j++;
		} else {
			if (!rat_catalog__state_equal(&a->items[i].state, &b->items[j].state))
				error = push_change(out, &capacity, a->items[i].key, RAT_CHANGE_MODIFIED,
						    &a->items[i].state, &b->items[j].state);
			i++;
			j++;
		}
	}
	if (error)
		rat_catalog__diff_free(out);
	return error;
}

int rat_catalog__diff(rat_catalog *c, const char *from, const char *to, rat_diff *out)
{
	rat_contents a, b;
	int error;

	memset(out, 0, sizeof(*out));
	if ((error = rat_catalog__contents_of(c, from, RAT_CONTENTS_ALL, &a)) != 0)
		return error;
	if ((error = rat_catalog__contents_of(c, to, RAT_CONTENTS_ALL, &b)) == 0)
		error = diff_contents(&a, &b, out);
	rat_catalog__contents_free(&a);
	rat_catalog__contents_free(&b);
	return error;
}

/* Merge */

static const rat_change *find_change(const rat_diff *d, const char *key)
{
	size_t i;

	for (i = 0; i < d->count; i++)
		if (strcmp(d->items[i].key, key) == 0)
			return &d->items[i];
	return NULL;
}

static bool same_change(const rat_change *a, const rat_change *b)
{
	if (a->kind != b->kind)
		return false;
	return a->kind == RAT_CHANGE_REMOVED || rat_catalog__state_equal(&a->after, &b->after);
}

/* The operations that bring the source's changes to the target; conflicts listed. */
static int three_way(const rat_diff *ours, const rat_diff *theirs, rat_catalog_op **ops,
		     size_t *count, rat_merge_result *out)
{
	size_t i;
	int error = 0;

	*ops = rat__calloc(theirs->count + 1, sizeof(rat_catalog_op));
	*count = 0;
	if (!*ops)
		return RAT_ENOMEM;
	for (i = 0; !error && i < theirs->count; i++) {
		const rat_change *t = &theirs->items[i], *o = find_change(ours, t->key);
		if (o && !same_change(o, t)) {
			error = rat_strarray__push(&out->conflicts, t->key);
			continue;
		}
		if (o)
			continue; /* both made the same change */
		(*ops)[*count].key = t->key;
		(*ops)[*count].kind = t->kind == RAT_CHANGE_REMOVED ? RAT_OP_DELETE : RAT_OP_PUT;
		(*ops)[*count].state = t->kind == RAT_CHANGE_REMOVED ? NULL : &t->after;
		(*count)++;
		error = rat_strarray__push(&out->merged, t->key);
	}
	return error;
}

int rat_catalog__merge_refused(const char *source, const char *target,
			       const rat_strarray *conflicts)
{
	char keys[1024];

	return rat_error__set(RAT_ECONFLICT, RAT_ERRCLASS_CATALOG,
			      "merge of '%s' into '%s' refused: both changed %s (nothing was "
			      "written)",
			      source, target, rat_strarray__list(keys, sizeof(keys), conflicts));
}

int rat_catalog__merge(rat_catalog *c, const char *source, const char *target, bool dry_run,
		       const char *author, rat_merge_result *out)
{
	char src[RAT_HASH_LEN + 1], dst[RAT_HASH_LEN + 1], base[RAT_HASH_LEN + 1], message[512];
	char target_buf[RAT_REF_NAME_MAX];
	rat_diff ours = { NULL, 0 }, theirs = { NULL, 0 };
	rat_catalog_op *ops = NULL;
	size_t count = 0;
	int error;

	memset(out, 0, sizeof(*out));
	target = rat_catalog__ref_name(c, target, target_buf, sizeof(target_buf));
	if ((!dry_run && (error = rat_catalog__check_write(c, target)) != 0) ||
	    (error = rat_catalog__resolve(c, source, src)) != 0)
		goto cleanup;
	if (c->backend->merge) { /* the store merges, and checks (a server) */
		char source_buf[RAT_REF_NAME_MAX];
		const char *name = rat_catalog__ref_name(c, source, source_buf, sizeof(source_buf));
		error = c->backend->merge(c->impl, name, src, target, dry_run,
					  author ? author : "ratatouille", out);
		goto cleanup;
	}
	if ((error = rat_catalog__resolve(c, target, dst)) != 0 ||
	    (error = c->backend->merge_base(c->impl, src, dst, base)) != 0)
		goto cleanup;
	memcpy(out->hash, dst, sizeof(out->hash));
	if (strcmp(base, src) == 0) {
		out->up_to_date = true; /* the source is already part of the target */
		goto cleanup;
	}
	if ((error = rat_catalog__diff(c, base[0] ? base : dst, src, &theirs)) != 0)
		goto cleanup;
	if (strcmp(base, dst) == 0) {
		out->fast_forward = true;
		memcpy(out->hash, src, sizeof(out->hash));
		for (size_t i = 0; !error && i < theirs.count; i++)
			error = rat_strarray__push(&out->merged, theirs.items[i].key);
		if (!error && !dry_run)
			error = c->backend->move_ref(c->impl, target, dst, src);
		goto cleanup;
	}
	if ((error = rat_catalog__diff(c, base, dst, &ours)) != 0 ||
	    (error = three_way(&ours, &theirs, &ops, &count, out)) != 0)
		goto cleanup;
	if (out->conflicts.count > 0) {
		error = rat_catalog__merge_refused(source, target, &out->conflicts);
		goto cleanup;
	}
	if (!dry_run) {
		rat_commit_request r = { target, dst, ops, count, author ? author : "ratatouille",
					 message, NULL, 0 };
		snprintf(message, sizeof(message), "merge %s into %s", source, target);
		error = commit_dated(c, &r, src, out->hash);
	}
cleanup:
	free(ops);
	rat_catalog__diff_free(&ours);
	rat_catalog__diff_free(&theirs);
	return error;
}

/* Freeing */

int rat_catalog__new(rat_catalog **out, const rat_catalog_backend *backend, void *impl)
{
	rat_catalog *c = rat__calloc(1, sizeof(*c));

	*out = NULL;
	if (!c) {
		backend->free(impl);
		return rat_error__oom();
	}
	c->backend = backend;
	c->impl = impl;
	c->fixed_time_ms = -1;
	*out = c;
	return 0;
}

void rat_catalog__free(rat_catalog *c)
{
	if (!c)
		return;
	c->backend->free(c->impl);
	free(c->workspace);
	free(c->request_id);
	json_decref(c->commit_props);
	free(c);
}

void rat_catalog__contents_free(rat_contents *contents)
{
	size_t i;

	for (i = 0; i < contents->count; i++) {
		free(contents->items[i].key);
		rat_table_state_clear(&contents->items[i].state);
	}
	free(contents->items);
	memset(contents, 0, sizeof(*contents));
}

void rat_catalog__refs_free(rat_refs *refs)
{
	size_t i;

	for (i = 0; i < refs->count; i++)
		free(refs->items[i].name);
	free(refs->items);
	memset(refs, 0, sizeof(*refs));
}

void rat_catalog__commit_info_clear(rat_commit_info *info)
{
	free(info->author);
	free(info->message);
	json_decref(info->properties);
	memset(info, 0, sizeof(*info));
}

void rat_catalog__commits_free(rat_commits *commits)
{
	size_t i;

	for (i = 0; i < commits->count; i++)
		rat_catalog__commit_info_clear(&commits->items[i]);
	free(commits->items);
	memset(commits, 0, sizeof(*commits));
}

void rat_catalog__diff_free(rat_diff *diff)
{
	size_t i;

	for (i = 0; i < diff->count; i++) {
		free(diff->items[i].key);
		rat_table_state_clear(&diff->items[i].before);
		rat_table_state_clear(&diff->items[i].after);
	}
	free(diff->items);
	memset(diff, 0, sizeof(*diff));
}

void rat_catalog__merge_result_free(rat_merge_result *result)
{
	rat_strarray_free(&result->merged);
	rat_strarray_free(&result->conflicts);
}
