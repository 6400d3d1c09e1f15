/*
 * table/write_commit.c - commit a write: manifest, manifest list, snapshot,
 * and the next metadata version.
 *
 * The new metadata file is created with rat_store__put_new, which fails if
 * the file exists: two writers racing for version N+1 cannot both win, and
 * the loser's error says so. Everything written before that (data files,
 * manifests) is invisible until the metadata names it. version-hint.text
 * is updated afterwards as a hint; readers look past it for newer versions.
 */
#include "util/common.h"
#include "util/hex.h"
#include "util/buf.h"
#include "util/random.h"
#include "table/manifest_write.h"
#include "table/scan.h"
#include "table/write_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The manifests of the current snapshot, carried by an append. */
static int parent_manifests(rat_manifest_list *out, const writer *w)
{
	const rat_table_snapshot *parent = rat_table__snapshot(&w->meta, w->meta.current_snapshot_id);
	rat_buf bytes = RAT_BUF_INIT;
	char *key = NULL;
	int error = 0;

	memset(out, 0, sizeof(*out));
	if (!parent)
		return 0;
	if ((error = rat_table__read_under(w->store, w->location, parent->manifest_list,
					   (uint64_t)1 << 30, &bytes, &key)) == 0)
		error = rat_table__read_manifest_list(out, bytes.ptr, bytes.len, key);
	rat_buf_free(&bytes);
	free(key);
	return error;
}

/* Put a manifest's bytes under metadata/ and fill ref's path and length. */
static int put_manifest(const writer *w, const char *data, size_t len, rat_manifest_ref *ref)
{
	char uuid[37], *key = NULL;
	int error = rat_random__uuid(uuid);

	if (!error && (key = rat__sprintf("metadata/%s-m0.avro", uuid)) == NULL)
		error = RAT_ENOMEM;
	if (!error)
		error = rat_store__put(w->store, key, data, len);
	if (!error && (ref->path = rat__sprintf("%s/%s", w->location, key)) == NULL)
		error = RAT_ENOMEM;
	ref->length = (int64_t)len;
	free(key);
	return error;
}

/* Write the manifest of the new data files, or delete files; fills ref. */
static int write_manifest(const writer *w, const rat_data_files *files, rat_content content,
			  rat_manifest_ref *ref)
{
	rat_manifest_writer *mw = NULL;
	char *data = NULL;
	size_t len = 0, i;
	int error;

	if ((error = rat_table__manifest_writer_new(&mw, &w->meta,
						     rat_table__spec(&w->meta, w->meta.default_spec_id),
						     content)) != 0)
		return error;
	for (i = 0; !error && i < files->count; i++)
		error = rat_table__manifest_add(mw, &files->items[i]);
	if (!error)
		error = rat_table__manifest_finish(mw, &data, &len, ref);
	if (!error)
		error = put_manifest(w, data, len, ref);
	ref->sequence_number = ref->min_sequence_number = w->sequence_number;
	ref->added_snapshot_id = w->snapshot_id;
	rat_table__manifest_writer_free(mw);
	free(data);
	return error;
}

/*
 * The one data file a position delete file applies to, when its bounds on
 * file_path say so (lower = upper, as librat writes them): free(); else NULL.
 */
static char *referenced_file(const rat_data_file *f)
{
	const char *lo = json_string_value(json_object_get(f->lower_bounds, RAT_DELETE_FILE_PATH_ID_S));
	const char *hi = json_string_value(json_object_get(f->upper_bounds, RAT_DELETE_FILE_PATH_ID_S));
	size_t n = lo ? strlen(lo) / 2 : 0;
	char *path;

	if (f->content != RAT_CONTENT_POSITION_DELETES || !lo || !hi || strcmp(lo, hi) != 0 ||
	    (path = malloc(n + 1)) == NULL)
		return NULL;
	if (rat_hex__decode(lo, path, n + 1, &n) != 0) {
		rat_error_clear();
		free(path);
		return NULL;
	}
	path[n] = '\0';
	return path;
}

static bool removed_path(const writer *w, const char *path)
{
	return w->removed.count > 0 && /* bsearch on a NULL array is undefined */
	       bsearch(&path, w->removed.strings, w->removed.count, sizeof(char *),
		       rat__strcmp_ptr) != NULL;
}

/*
 * Does this write replace a live file of the table? A delete file goes with
 * the data it applies to: every one on overwrite, those of replaced
 * partitions, and a position delete file whose one data file is replaced.
 */
static bool replaced(const writer *w, const rat_data_file *f, const rat_strarray *new_partitions)
{
	const rat_table_spec *spec;
	char *id;
	bool found;

	switch (w->opts->mode) {
	case RAT_WRITE_OVERWRITE:
		return true;
	case RAT_WRITE_MERGE:
	case RAT_WRITE_DELETE:
		if (f->content != RAT_CONTENT_DATA) {
			char *target = referenced_file(f);
			found = target && removed_path(w, target);
			free(target);
			return found;
		}
		return removed_path(w, f->path);
	case RAT_WRITE_REPLACE_PARTITIONS:
		spec = rat_table__spec(&w->meta, f->spec_id);
		if (!spec || spec->field_count == 0)
			return true; /* unpartitioned: one partition, replaced whole */
		if ((id = rat_table__partition_id(f)) == NULL)
			return false;
		found = rat_strarray__contains(new_partitions, id);
		free(id);
		return found;
	default:
		return false;
	}
}

/*
 * Rewrite one parent manifest if it holds replaced files: they become
 * DELETED entries of this snapshot, the other live ones EXISTING (keeping
 * their sequence numbers). A manifest with nothing replaced is kept as is.
 */
static int rewrite_manifest(writer *w, rat_manifest_ref *ref, const rat_strarray *new_partitions)
{
	rat_data_files entries = { NULL, 0, 0 };
	rat_manifest_writer *mw = NULL;
	rat_manifest_ref fresh;
	rat_buf bytes = RAT_BUF_INIT;
	char *key = NULL, *data = NULL;
	size_t len = 0, i, hits = 0;
	int64_t min_seq = w->sequence_number;
	int error;

	memset(&fresh, 0, sizeof(fresh));
	if ((error = rat_table__read_under(w->store, w->location, ref->path, (uint64_t)1 << 30,
					   &bytes, &key)) != 0 ||
	    (error = rat_table__read_manifest(&entries, bytes.ptr, bytes.len, ref, key)) != 0)
		goto cleanup;
	for (i = 0; i < entries.count; i++)
		hits += entries.items[i].status != RAT_ENTRY_DELETED &&
			replaced(w, &entries.items[i], new_partitions);
	if (hits == 0)
		goto cleanup;
	if ((error = rat_table__manifest_writer_new(&mw, &w->meta, rat_table__spec(&w->meta, ref->spec_id),
						     ref->content ? RAT_CONTENT_POSITION_DELETES
								  : RAT_CONTENT_DATA)) != 0)
		goto cleanup;
	for (i = 0; !error && i < entries.count; i++) {
		rat_data_file *f = &entries.items[i];
		if (f->status == RAT_ENTRY_DELETED)
			continue; /* deleted by an earlier snapshot: not carried */
		if (replaced(w, f, new_partitions)) {
			f->status = RAT_ENTRY_DELETED;
			f->snapshot_id = w->snapshot_id;
			if (ref->content == 0) {
				w->removed_files++;
				w->removed_rows += f->record_count;
				error = rat_strarray__push(&w->gone, f->path);
			}
		} else {
			f->status = RAT_ENTRY_EXISTING;
			if (f->data_sequence_number < min_seq)
				min_seq = f->data_sequence_number;
		}
		if (!error)
			error = rat_table__manifest_add(mw, f);
	}
	if (!error)
		error = rat_table__manifest_finish(mw, &data, &len, &fresh);
	if (!error)
		error = put_manifest(w, data, len, &fresh);
	if (!error) {
		fresh.spec_id = ref->spec_id;
		fresh.sequence_number = w->sequence_number;
		fresh.min_sequence_number = min_seq;
		fresh.added_snapshot_id = w->snapshot_id;
		free(ref->path);
		*ref = fresh;
		memset(&fresh, 0, sizeof(fresh));
	}
cleanup:
	rat_table__manifest_writer_free(mw);
	rat_table__data_files_free(&entries);
	rat_buf_free(&bytes);
	free(fresh.path);
	free(data);
	free(key);
	return error;
}

/* Apply the write's replacements to the parent's manifests. */
static int replace_files(writer *w, rat_manifest_list *refs)
{
	rat_strarray partitions = RAT_STRARRAY_INIT;
	size_t i, kept = 0;
	int error = 0;

	if (w->opts->mode == RAT_WRITE_APPEND)
		return 0;
	for (i = 0; !error && i < w->files.count; i++)
		error = rat_strarray__push_owned(&partitions, rat_table__partition_id(&w->files.items[i]));
	/* each entry is either dropped (and freed) or kept, exactly once, even on error */
	for (i = 0; i < refs->count; i++) {
		rat_manifest_ref *m = &refs->items[i];
		if (!error && w->opts->mode == RAT_WRITE_OVERWRITE) {
			/* everything goes, deletes too: counted from the list, no manifest rewritten */
			if (m->content == 0) {
				w->removed_files += m->added_files + m->existing_files;
				w->removed_rows += m->added_rows + m->existing_rows;
			}
			free(m->path);
			continue;
		}
		/* a delete manifest is rewritten only when files it applies to go */
		if (!error && (m->content == 0 || w->removed.count > 0 ||
			       w->opts->mode == RAT_WRITE_REPLACE_PARTITIONS))
			error = rewrite_manifest(w, m, &partitions); /* leaves m whole on error */
		refs->items[kept++] = *m;
	}
	refs->count = kept;
	rat_strarray_free(&partitions);
	return error;
}

static int write_manifest_list(const writer *w, rat_manifest_list *refs, char **path)
{
	const rat_table_snapshot *parent = rat_table__snapshot(&w->meta, w->meta.current_snapshot_id);
	char uuid[37], *key = NULL, *data = NULL;
	size_t len = 0;
	int error = rat_random__uuid(uuid);

	if (!error && (key = rat__sprintf("metadata/snap-%lld-1-%s.avro", (long long)w->snapshot_id,
					  uuid)) == NULL)
		error = RAT_ENOMEM;
	if (!error)
		error = rat_table__manifest_list_write(refs->items, refs->count, w->snapshot_id,
						       parent ? parent->snapshot_id : -1,
						       w->sequence_number, &data, &len);
	if (!error)
		error = rat_store__put(w->store, key, data, len);
	if (!error && (*path = rat__sprintf("%s/%s", w->location, key)) == NULL)
		error = RAT_ENOMEM;
	free(data);
	free(key);
	return error;
}

static void set_count(json_t *obj, const char *key, int64_t value)
{
	char text[32];

	snprintf(text, sizeof(text), "%lld", (long long)value);
	json_object_set_new(obj, key, json_string(text));
}

/*
 * librat's state in the parent snapshot's summary (rat.ingested-files,
 * rat.fingerprint) carries over to a snapshot whose writer does not set it:
 * a retention delete must not forget which files were ingested.
 */
static void carry_state(const writer *w, json_t *s)
{
	const rat_table_snapshot *parent;
	const char *key;
	json_t *value;

	if (w->meta.current_snapshot_id < 0 ||
	    (parent = rat_table__snapshot(&w->meta, w->meta.current_snapshot_id)) == NULL ||
	    !json_is_object(parent->summary))
		return;
	json_object_foreach(parent->summary, key, value)
		if (strncmp(key, "rat.", 4) == 0 && strcmp(key, "rat.run-id") != 0 &&
		    !json_object_get(s, key))
			json_object_set(s, key, value);
}

/* The snapshot summary (Iceberg's conventional keys, values as strings). */
static json_t *summary(const writer *w, const rat_manifest_list *refs)
{
	int64_t added_rows = 0, added_size = 0, files = 0, rows = 0, deletes = 0;
	const char *op = w->removed_files == 0 && w->deletes.count == 0 ? "append"
			 : w->opts->mode == RAT_WRITE_DELETE && w->files.count == 0 ? "delete"
			 : "overwrite";
	json_t *s = json_pack("{s:s, s:s, s:s}", "operation", op, "engine-name", RAT_ENGINE_NAME,
			      "engine-version", rat_version());
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < w->files.count; i++) {
		added_rows += w->files.items[i].record_count;
		added_size += w->files.items[i].file_size;
	}
	for (i = 0; i < refs->count; i++) {
		const rat_manifest_ref *m = &refs->items[i];
		if (m->content == 0) {
			files += m->added_files + m->existing_files;
			rows += m->added_rows + m->existing_rows;
		} else {
			deletes += m->added_files + m->existing_files;
		}
	}
	set_count(s, "added-data-files", (int64_t)w->files.count);
	set_count(s, "added-records", added_rows);
	set_count(s, "added-files-size", added_size);
	set_count(s, "total-data-files", files);
	set_count(s, "total-records", rows);
	set_count(s, "total-delete-files", deletes);
	if (w->removed_files > 0) {
		set_count(s, "deleted-data-files", w->removed_files);
		set_count(s, "deleted-records", w->removed_rows);
	}
	if (w->deletes.count > 0) {
		int64_t positions = 0;
		for (i = 0; i < w->deletes.count; i++)
			positions += w->deletes.items[i].record_count;
		set_count(s, "added-delete-files", (int64_t)w->deletes.count);
		set_count(s, "added-position-delete-files", (int64_t)w->deletes.count);
		set_count(s, "added-position-deletes", positions);
	}
	for (i = 0; i < w->opts->summary_property_count; i++)
		json_object_set_new(s, w->opts->summary_properties[2 * i],
				    json_string(w->opts->summary_properties[2 * i + 1]));
	carry_state(w, s);
	return s;
}

/* Record the snapshot in the document. */
static int add_snapshot(writer *w, const char *manifest_list, json_t *snapshot_summary)
{
	json_t *snap = json_pack("{s:I, s:I, s:I, s:s, s:o, s:i}", "snapshot-id",
				 (json_int_t)w->snapshot_id, "sequence-number",
				 (json_int_t)w->sequence_number, "timestamp-ms", (json_int_t)w->now_ms,
				 "manifest-list", manifest_list, "summary", snapshot_summary,
				 "schema-id", w->meta.current_schema_id);
	json_t *snapshots = json_object_get(w->doc, "snapshots");
	json_t *log = json_object_get(w->doc, "snapshot-log");

	if (!snap)
		return rat_error__oom();
	if (w->meta.current_snapshot_id >= 0)
		json_object_set_new(snap, "parent-snapshot-id", json_integer(w->meta.current_snapshot_id));
	if (!json_is_array(snapshots))
		json_object_set_new(w->doc, "snapshots", snapshots = json_array());
	if (!json_is_array(log))
		json_object_set_new(w->doc, "snapshot-log", log = json_array());
	json_array_append_new(snapshots, snap);
	json_array_append_new(log, json_pack("{s:I, s:I}", "timestamp-ms", (json_int_t)w->now_ms,
					     "snapshot-id", (json_int_t)w->snapshot_id));
	json_object_set_new(w->doc, "current-snapshot-id", json_integer(w->snapshot_id));
	json_object_set_new(w->doc, "last-sequence-number", json_integer(w->sequence_number));
	json_object_set_new(w->doc, "refs", json_pack("{s:{s:I, s:s}}", "main", "snapshot-id",
						      (json_int_t)w->snapshot_id, "type", "branch"));
	return 0;
}

/* Create metadata/v<N+1>.metadata.json (only if absent), then the hint. */
int rat_table__publish(writer *w)
{
	json_t *log = json_object_get(w->doc, "metadata-log");
	char *text = NULL, *key = NULL, hint[32];
	int error = 0;

	if (w->old_key) {
		char *previous = rat__sprintf("%s/%s", w->location, w->old_key);
		if (!json_is_array(log))
			json_object_set_new(w->doc, "metadata-log", log = json_array());
		json_array_append_new(log, json_pack("{s:I, s:s}", "timestamp-ms",
						     (json_int_t)w->meta.last_updated_ms,
						     "metadata-file", previous ? previous : ""));
		free(previous);
	}
	json_object_set_new(w->doc, "last-updated-ms", json_integer(w->now_ms));
	text = json_dumps(w->doc, JSON_INDENT(2));
	if (w->opts->catalog_managed) {
		char uuid[37];
		error = rat_random__uuid(uuid);
		key = error ? NULL : rat__sprintf("metadata/%05ld-%s.metadata.json", w->version + 1, uuid);
	} else {
		key = rat__sprintf("metadata/v%ld.metadata.json", w->version + 1);
	}
	if (error) {
		/* no name for the new version */
	} else if (!text || !key) {
		error = rat_error__oom();
	} else if (w->opts->before_commit && (error = w->opts->before_commit(w->opts->before_commit_ctx)) != 0) {
		/* abandoned before the swap: nothing is visible */
	} else if ((error = rat_store__put_new(w->store, key, text, strlen(text))) == RAT_EEXISTS) {
		error = rat_error__set(RAT_EEXISTS, RAT_ERRCLASS_INVALID,
				       "commit conflict on table %s: another writer committed version "
				       "%ld first; nothing of this write is visible (retry it)",
				       w->location, w->version + 1);
	} else if (!error && w->opts->catalog_managed) {
		/* the catalog records the new location; no hint */
	} else if (!error) {
		/* only a hint: a failure here loses nothing, readers look past it */
		snprintf(hint, sizeof(hint), "%ld", w->version + 1);
		if (rat_store__put(w->store, "metadata/version-hint.text", hint, strlen(hint)) != 0)
			rat_error_clear();
	}
	if (!error) {
		w->new_key = key; /* the caller records it (catalog-managed tables) */
		key = NULL;
	}
	free(text);
	free(key);
	return error;
}

int rat_table__commit(writer *w)
{
	rat_manifest_list refs;
	rat_manifest_ref mine;
	char *list_path = NULL, *state = NULL;
	json_t *s = NULL;
	int pass, error;

	memset(&mine, 0, sizeof(mine));
	if (w->files.count == 0 && w->removed.count == 0 && w->deletes.count == 0 &&
	    w->opts->mode != RAT_WRITE_OVERWRITE) {
		/* nothing to add or replace: a new table is created empty, an existing one left alone */
		return w->exists ? 0 : rat_table__publish(w);
	}
	if ((error = parent_manifests(&refs, w)) != 0)
		return error;
	if ((error = replace_files(w, &refs)) != 0)
		goto cleanup;
	for (pass = 0; pass < 2; pass++) { /* the new data files, then the new delete files */
		const rat_data_files *files = pass ? &w->deletes : &w->files;
		rat_manifest_ref *grown;
		if (files->count == 0)
			continue;
		if ((error = write_manifest(w, files, pass ? RAT_CONTENT_POSITION_DELETES
							   : RAT_CONTENT_DATA,
					    &mine)) != 0)
			goto cleanup;
		if ((grown = realloc(refs.items, (refs.count + 1) * sizeof(mine))) == NULL) {
			error = rat_error__oom();
			goto cleanup;
		}
		refs.items = grown;
		refs.items[refs.count++] = mine;
		memset(&mine, 0, sizeof(mine));
	}
	if ((error = write_manifest_list(w, &refs, &list_path)) != 0 ||
	    (error = rat_table__next_added_at(w, &state)) != 0)
		goto cleanup;
	if ((s = summary(w, &refs)) == NULL ||
	    json_object_set_new(s, RAT_ADDED_AT_KEY, json_string(state)) != 0) {
		json_decref(s);
		s = NULL;
		error = rat_error__oom();
		goto cleanup;
	}
	if ((error = add_snapshot(w, list_path, s)) == 0)
		error = rat_table__publish(w);
cleanup:
	free(mine.path);
	free(list_path);
	free(state);
	rat_table__manifest_list_free(&refs);
	return error;
}
