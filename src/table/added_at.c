/*
 * table/added_at.c - librat's added-at state of a table (added_at.h): read
 * from the snapshot that names it, looked up per data file, edited by a
 * commit and written as a file of its own.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/random.h"
#include "table/added_at.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STATE_MAX ((uint64_t)256 << 20)

/* The snapshot id's snapshot, or NULL (without leaving an error behind). */
static const rat_table_snapshot *snapshot_of(const rat_table_metadata *meta, int64_t id)
{
	size_t i;

	for (i = 0; id >= 0 && i < meta->snapshot_count; i++)
		if (meta->snapshots[i].snapshot_id == id)
			return &meta->snapshots[i];
	return NULL;
}

/* Take the parsed document: check its shape and find the newest time. */
static int adopt(rat_added_at *out, json_t *doc, const char *key)
{
	json_t *files = json_object_get(doc, "files"), *value;
	const char *path;

	if (!json_is_object(files)) {
		json_decref(doc);
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "%s: not an added-at state (no \"files\" object)", key);
	}
	json_object_foreach(files, path, value) {
		if (!json_is_integer(value)) {
			json_decref(doc);
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
					      "%s: the time of %s is not an integer", key, path);
		}
		if (json_integer_value(value) > out->newest)
			out->newest = json_integer_value(value);
	}
	out->files = json_incref(files);
	out->found = true;
	json_decref(doc);
	return 0;
}

int rat_table__added_at_read(rat_added_at *out, rat_store *store, const rat_table_metadata *meta,
			     int64_t snapshot_id)
{
	const rat_table_snapshot *snap = snapshot_of(meta, snapshot_id);
	const char *key = NULL;
	rat_buf text = RAT_BUF_INIT;
	json_error_t jerr;
	json_t *doc;
	size_t depth;
	int error;

	memset(out, 0, sizeof(*out));
	/* the nearest snapshot up the parents that names a state */
	for (depth = 0; snap && depth <= meta->snapshot_count; depth++) {
		if ((key = json_string_value(json_object_get(snap->summary, RAT_ADDED_AT_KEY))) != NULL)
			break;
		snap = snapshot_of(meta, snap->parent_id);
	}
	if (!key)
		return (out->files = json_object()) ? 0 : rat_error__oom();
	if ((error = rat_store__get(store, key, &text, STATE_MAX)) != 0) {
		rat_buf_free(&text);
		rat_error__prefix("the added-at state of snapshot %lld",
				  (long long)snap->snapshot_id);
		return error;
	}
	doc = json_loadb(text.ptr ? text.ptr : "", text.len, 0, &jerr);
	rat_buf_free(&text);
	if (!doc)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "%s: line %d: %s", key,
				      jerr.line, jerr.text);
	return adopt(out, doc, key);
}

void rat_table__added_at_free(rat_added_at *state)
{
	json_decref(state->files);
	memset(state, 0, sizeof(*state));
}

/* The timestamp of the oldest snapshot meta still holds; 0 when none. */
static int64_t oldest_snapshot_ms(const rat_table_metadata *meta)
{
	int64_t oldest = 0;
	size_t i;

	for (i = 0; i < meta->snapshot_count; i++)
		if (i == 0 || meta->snapshots[i].timestamp_ms < oldest)
			oldest = meta->snapshots[i].timestamp_ms;
	return oldest;
}

int64_t rat_table__added_at_of(const rat_added_at *state, const rat_table_metadata *meta,
			       const rat_data_file *file)
{
	json_t *value = state->files ? json_object_get(state->files, file->path) : NULL;
	const rat_table_snapshot *added;

	if (json_is_integer(value))
		return json_integer_value(value);
	/* the snapshot that added it; when that one expired, an older time is unknown */
	added = snapshot_of(meta, file->snapshot_id);
	return added ? added->timestamp_ms : oldest_snapshot_ms(meta);
}

int rat_table__added_at_set(rat_added_at *state, const char *path, int64_t ms)
{
	if (!state->files && (state->files = json_object()) == NULL)
		return rat_error__oom();
	if (json_object_set_new(state->files, path, json_integer(ms)) != 0)
		return rat_error__oom();
	if (ms > state->newest)
		state->newest = ms;
	return 0;
}

void rat_table__added_at_remove(rat_added_at *state, const char *path)
{
	if (state->files)
		json_object_del(state->files, path);
}

int rat_table__added_at_write(const rat_added_at *state, rat_store *store, char **key)
{
	json_t *doc = state->files ? json_pack("{s:i, s:O}", "format", 1, "files", state->files)
				   : json_pack("{s:i, s:{}}", "format", 1, "files");
	char uuid[37], *text = NULL;
	int error;

	*key = NULL;
	if (!doc || (text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		error = rat_error__oom();
	else if ((error = rat_random__uuid(uuid)) == 0 &&
		 (*key = rat__sprintf("metadata/rat-added-at-%s.json", uuid)) == NULL)
		error = RAT_ENOMEM;
	if (!error && (error = rat_store__put_new(store, *key, text, strlen(text))) != 0) {
		free(*key);
		*key = NULL;
	}
	json_decref(doc);
	free(text);
	return error;
}
