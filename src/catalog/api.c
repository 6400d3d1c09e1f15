/*
 * catalog/api.c - the public catalog API (rat/catalog.h) over the internal
 * catalog: copies into plain structs, so no library type leaks out. A
 * workspace's catalog is opened by rat_catalog_open() (workspace/open.c).
 */
#include "util/common.h"
#include "rat/catalog.h"
#include "catalog/catalog.h"

#include <stdlib.h>
#include <string.h>

void rat_catalog_free(rat_catalog *catalog)
{
	rat_catalog__free(catalog);
}

int rat_ref_create(rat_catalog *catalog, const char *name, int is_tag, const char *from)
{
	return rat_catalog__create_ref(catalog, name, is_tag ? RAT_REF_TAG : RAT_REF_BRANCH, from);
}

int rat_ref_delete(rat_catalog *catalog, const char *name)
{
	return rat_catalog__delete_ref(catalog, name, NULL);
}

int rat_ref_get(rat_catalog *catalog, const char *name, char *stored, size_t len, int *is_tag,
		char hash[65])
{
	rat_ref_kind kind = RAT_REF_BRANCH;
	int error = rat_catalog__ref_get(catalog, name, stored, len, &kind, hash);

	*is_tag = kind == RAT_REF_TAG;
	return error;
}

int rat_ref_delete_at(rat_catalog *catalog, const char *name, const char *expected)
{
	return rat_catalog__delete_ref(catalog, name, expected);
}

int rat_ref_assign(rat_catalog *catalog, const char *name, const char *expected, const char *to)
{
	return rat_catalog__assign_ref(catalog, name, expected, to);
}

int rat_ref_resolve(rat_catalog *catalog, const char *ref, char hash[65])
{
	return rat_catalog__resolve(catalog, ref, hash);
}

int rat_catalog_set_request_id(rat_catalog *catalog, const char *id)
{
	return rat_catalog__set_request_id(catalog, id);
}

int rat_catalog_set_commit_meta(rat_catalog *catalog, const char *properties_json,
				int64_t time_ms)
{
	return rat_catalog__set_commit_meta(catalog, properties_json, time_ms);
}

int rat_commit_find_request(char commit[65], rat_catalog *catalog, const char *id)
{
	return rat_catalog__find_request(catalog, id, commit);
}

int rat_ref_list_get(rat_ref_list *out, rat_catalog *catalog)
{
	rat_refs refs;
	size_t i;
	int error;

	memset(out, 0, sizeof(*out));
	if ((error = rat_catalog__list_refs(catalog, &refs)) != 0)
		return error;
	if ((out->items = rat__calloc(refs.count + 1, sizeof(*out->items))) == NULL)
		error = RAT_ENOMEM;
	for (i = 0; !error && i < refs.count; i++) {
		rat_ref_info *r = &out->items[out->count];
		/* a workspace lists the refs it may read: not even another's names */
		if ((error = rat_catalog__check_read(catalog, refs.items[i].name)) == RAT_EACCESS) {
			rat_error_clear();
			error = 0;
			continue;
		}
		if (error)
			break;
		r->is_tag = refs.items[i].kind == RAT_REF_TAG;
		r->name = rat__strdup(refs.items[i].name);
		r->hash = rat__strdup(refs.items[i].hash);
		out->count++;
		if (!r->name || !r->hash)
			error = RAT_ENOMEM;
	}
	rat_catalog__refs_free(&refs);
	if (error)
		rat_ref_list_free(out);
	return error;
}

void rat_ref_list_free(rat_ref_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->count; i++) {
		free((char *)list->items[i].name);
		free((char *)list->items[i].hash);
	}
	free(list->items);
	memset(list, 0, sizeof(*list));
}

int rat_log_get(rat_log *out, rat_catalog *catalog, const char *ref, size_t limit)
{
	rat_commits commits;
	size_t i;
	int error;

	memset(out, 0, sizeof(*out));
	if ((error = rat_catalog__log(catalog, ref, limit, &commits)) != 0)
		return error;
	if ((out->items = rat__calloc(commits.count + 1, sizeof(*out->items))) == NULL)
		error = RAT_ENOMEM;
	for (i = 0; !error && i < commits.count; i++) {
		rat_log_entry *e = &out->items[i];
		const rat_commit_info *c = &commits.items[i];
		e->hash = rat__strdup(c->hash);
		e->parent = rat__strdup(c->parent);
		e->merge_parent = rat__strdup(c->merge_parent);
		e->author = rat__strdup(c->author);
		e->message = rat__strdup(c->message);
		e->time_ms = c->time_ms;
		e->properties = c->properties ? json_dumps(c->properties, JSON_COMPACT | JSON_SORT_KEYS)
					      : rat__strdup("{}");
		out->count = i + 1;
		if (!e->hash || !e->parent || !e->merge_parent || !e->author || !e->message ||
		    !e->properties)
			error = RAT_ENOMEM;
	}
	rat_catalog__commits_free(&commits);
	if (error)
		rat_log_free(out);
	return error;
}

void rat_log_free(rat_log *log)
{
	size_t i;

	if (!log)
		return;
	for (i = 0; i < log->count; i++) {
		free((char *)log->items[i].hash);
		free((char *)log->items[i].parent);
		free((char *)log->items[i].merge_parent);
		free((char *)log->items[i].author);
		free((char *)log->items[i].properties);
		free((char *)log->items[i].message);
	}
	free(log->items);
	memset(log, 0, sizeof(*log));
}

static int version_of(rat_table_version *out, const rat_table_state *state, bool present)
{
	out->metadata_location = rat__strdup(present && state->metadata_location ? state->metadata_location : "");
	out->snapshot_id = present ? state->snapshot_id : -1;
	out->schema_id = present ? state->schema_id : -1;
	return out->metadata_location ? 0 : RAT_ENOMEM;
}

int rat_content_list_get(rat_content_list *out, rat_catalog *catalog, const char *ref)
{
	rat_contents contents;
	size_t i;
	int error;

	memset(out, 0, sizeof(*out));
	if ((error = rat_catalog__contents_of(catalog, ref, RAT_CONTENTS_ALL, &contents)) != 0)
		return error;
	if ((out->items = rat__calloc(contents.count + 1, sizeof(*out->items))) == NULL)
		error = RAT_ENOMEM;
	for (i = 0; !error && i < contents.count; i++) {
		const rat_catalog_entry *c = &contents.items[i];
		rat_content_entry *e = &out->items[out->count++];
		e->type = c->state.ns	  ? RAT_CONTENT_NAMESPACE
			  : c->state.view ? RAT_CONTENT_VIEW
					  : RAT_CONTENT_TABLE;
		e->snapshot_id = c->state.snapshot_id;
		e->schema_id = c->state.schema_id;
		e->spec_id = c->state.spec_id;
		if ((e->key = rat__strdup(c->key)) == NULL ||
		    (e->id = rat__strdup(c->state.content_id)) == NULL ||
		    (e->metadata_location = rat__strdup(c->state.metadata_location)) == NULL ||
		    (c->state.properties && (e->properties = rat__strdup(c->state.properties)) == NULL))
			error = rat_error__oom();
	}
	rat_catalog__contents_free(&contents);
	if (error)
		rat_content_list_free(out);
	return error;
}

void rat_content_list_free(rat_content_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->count; i++) {
		free((char *)list->items[i].key);
		free((char *)list->items[i].id);
		free((char *)list->items[i].metadata_location);
		free((char *)list->items[i].properties);
	}
	free(list->items);
	memset(list, 0, sizeof(*list));
}

int rat_diff_get(rat_diff_list *out, rat_catalog *catalog, const char *from, const char *to)
{
	rat_diff diff;
	size_t i;
	int error;

	memset(out, 0, sizeof(*out));
	if ((error = rat_catalog__diff(catalog, from, to, &diff)) != 0)
		return error;
	if ((out->items = rat__calloc(diff.count + 1, sizeof(*out->items))) == NULL)
		error = RAT_ENOMEM;
	for (i = 0; !error && i < diff.count; i++) {
		const rat_change *c = &diff.items[i];
		rat_diff_entry *e = &out->items[i];
		e->type = c->kind == RAT_CHANGE_ADDED     ? RAT_CHANGE_TYPE_ADDED
			  : c->kind == RAT_CHANGE_REMOVED ? RAT_CHANGE_TYPE_REMOVED
							  : RAT_CHANGE_TYPE_MODIFIED;
		e->is_namespace = c->before.ns || c->after.ns;
		out->count = i + 1;
		if ((e->key = rat__strdup(c->key)) == NULL ||
		    (error = version_of(&e->before, &c->before, c->kind != RAT_CHANGE_ADDED)) != 0 ||
		    (error = version_of(&e->after, &c->after, c->kind != RAT_CHANGE_REMOVED)) != 0)
			error = error ? error : RAT_ENOMEM;
	}
	rat_catalog__diff_free(&diff);
	if (error)
		rat_diff_list_free(out);
	return error;
}

void rat_diff_list_free(rat_diff_list *diff)
{
	size_t i;

	if (!diff)
		return;
	for (i = 0; i < diff->count; i++) {
		free((char *)diff->items[i].key);
		free((char *)diff->items[i].before.metadata_location);
		free((char *)diff->items[i].after.metadata_location);
	}
	free(diff->items);
	memset(diff, 0, sizeof(*diff));
}

int rat_merge(rat_merge_outcome *out, rat_catalog *catalog, const char *source, const char *target,
	      int dry_run, const char *author)
{
	rat_merge_result result;
	int error;

	memset(out, 0, sizeof(*out));
	error = rat_catalog__merge(catalog, source, target, dry_run != 0, author, &result);
	out->fast_forward = result.fast_forward;
	out->up_to_date = result.up_to_date;
	memcpy(out->hash, result.hash, sizeof(out->hash));
	out->merged = result.merged;       /* taken over */
	out->conflicts = result.conflicts;
	return error;
}

int rat_transplant(rat_merge_outcome *out, rat_catalog *catalog, const char *const *commits,
		   size_t count, const char *target, int dry_run)
{
	rat_merge_result result;
	int error;

	memset(out, 0, sizeof(*out));
	error = rat_catalog__transplant(catalog, commits, count, target, dry_run != 0, &result);
	memcpy(out->hash, result.hash, sizeof(out->hash));
	out->merged = result.merged; /* taken over */
	out->conflicts = result.conflicts;
	return error;
}

void rat_merge_outcome_free(rat_merge_outcome *outcome)
{
	if (!outcome)
		return;
	rat_strarray_free(&outcome->merged);
	rat_strarray_free(&outcome->conflicts);
}
