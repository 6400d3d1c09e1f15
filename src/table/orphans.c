/*
 * table/orphans.c - find the files no version of a table references.
 *
 * Every snapshot of the latest metadata is walked (not only the current
 * one): a file an older snapshot reads is not an orphan while that snapshot
 * exists. Metadata files are the table's history and always referenced.
 */
#include "util/common.h"
#include "util/buf.h"
#include "table/added_at.h"
#include "table/manifest.h"
#include "table/orphans.h"
#include "table/scan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int add_key(rat_strarray *keys, const rat_scan *scan, const char *path)
{
	char *key = NULL;
	int error = rat_table__key(scan, path, &key);

	return error ? error : rat_strarray__push_owned(keys, key); /* duplicates are harmless */
}

/* Collect what one manifest references. */
static int walk_manifest(rat_strarray *keys, const rat_scan *scan, rat_store *store,
			 const rat_manifest_ref *ref)
{
	rat_data_files files = { NULL, 0, 0 };
	rat_buf bytes = RAT_BUF_INIT;
	char *key = NULL;
	size_t i;
	int error;

	if ((error = add_key(keys, scan, ref->path)) != 0 ||
	    (error = rat_table__read_under(store, scan->prefix, ref->path, (uint64_t)1 << 30, &bytes,
					   &key)) != 0 ||
	    (error = rat_table__read_manifest(&files, bytes.ptr, bytes.len, ref, key)) != 0)
		goto cleanup;
	for (i = 0; !error && i < files.count; i++)
		error = add_key(keys, scan, files.items[i].path);
cleanup:
	rat_table__data_files_free(&files);
	rat_buf_free(&bytes);
	free(key);
	return error;
}

static int walk_snapshot(rat_strarray *keys, rat_strarray *manifests, const rat_scan *scan,
			 rat_store *store, const char *list_path)
{
	rat_manifest_list list = { NULL, 0 };
	rat_buf bytes = RAT_BUF_INIT;
	char *key = NULL;
	size_t i;
	int error;

	if ((error = add_key(keys, scan, list_path)) != 0 ||
	    (error = rat_table__read_under(store, scan->prefix, list_path, (uint64_t)1 << 30, &bytes,
					   &key)) != 0 ||
	    (error = rat_table__read_manifest_list(&list, bytes.ptr, bytes.len, key)) != 0)
		goto cleanup;
	for (i = 0; !error && i < list.count; i++) {
		if (rat_strarray__contains(manifests, list.items[i].path))
			continue; /* shared with another snapshot: walked already */
		if ((error = rat_strarray__push(manifests, list.items[i].path)) == 0)
			error = walk_manifest(keys, scan, store, &list.items[i]);
	}
cleanup:
	rat_table__manifest_list_free(&list);
	rat_buf_free(&bytes);
	free(key);
	return error;
}

static bool is_referenced(const rat_strarray *sorted, const char *key)
{
	return sorted->count > 0 &&
	       bsearch(&key, sorted->strings, sorted->count, sizeof(char *), rat__strcmp_ptr) != NULL;
}

static bool is_metadata_file(const char *key)
{
	return rat__str_has_prefix(key, "metadata/") &&
	       (rat__str_has_suffix(key, ".metadata.json") ||
		strcmp(key, "metadata/version-hint.text") == 0);
}

int rat_table__orphans(rat_strarray *out, rat_store *store)
{
	rat_strarray referenced = RAT_STRARRAY_INIT, manifests = RAT_STRARRAY_INIT;
	rat_strarray orphans = RAT_STRARRAY_INIT;
	rat_store_list all = { NULL, 0 };
	rat_scan scan;
	bool planned = false;
	size_t i;
	int error;

	memset(&scan, 0, sizeof(scan));
	error = rat_table__plan(&scan, store, NULL);
	if (error == RAT_ENOTFOUND) {
		rat_error_clear(); /* no metadata: nothing is referenced */
		error = 0;
	} else if (!error) {
		planned = true;
	}
	for (i = 0; !error && planned && i < scan.meta.snapshot_count; i++)
		error = walk_snapshot(&referenced, &manifests, &scan, store,
				      scan.meta.snapshots[i].manifest_list);
	if (!error)
		error = rat_store__list(store, "", &all);
	rat_strarray__sort(&referenced);
	for (i = 0; !error && i < all.count; i++) {
		const char *key = all.items[i].key;
		if (!is_metadata_file(key) && !is_referenced(&referenced, key))
			error = rat_strarray__push(&orphans, key);
	}
	if (!error)
		rat_strarray__hand_over(out, &orphans);
	rat_strarray_free(&orphans);
	rat_strarray_free(&referenced);
	rat_strarray_free(&manifests);
	rat_store__list_free(&all);
	if (planned)
		rat_table__scan_free(&scan);
	return error;
}

int rat_table__referenced(rat_strarray *keys, rat_strarray *expired, rat_store *store,
			  const char *metadata_key, const char *relocate_from, int64_t keep_after_ms)
{
	rat_scan_options opts = RAT_SCAN_OPTIONS_INIT;
	rat_strarray manifests = RAT_STRARRAY_INIT;
	rat_scan scan;
	size_t i;
	int error;

	opts.metadata_key = metadata_key;
	opts.relocate_from = relocate_from;
	if ((error = rat_table__plan(&scan, store, &opts)) != 0)
		return error;
	error = rat_strarray__push(keys, scan.metadata_key);
	for (i = 0; !error && i < scan.meta.snapshot_count; i++) {
		const rat_table_snapshot *snap = &scan.meta.snapshots[i];
		const char *state;
		char id[32];
		if (snap->snapshot_id != scan.meta.current_snapshot_id &&
		    snap->timestamp_ms < keep_after_ms) {
			snprintf(id, sizeof(id), "%lld", (long long)snap->snapshot_id);
			if (!rat_strarray__contains(expired, id))
				error = rat_strarray__push(expired, id);
			continue;
		}
		if ((error = walk_snapshot(keys, &manifests, &scan, store, snap->manifest_list)) != 0)
			break;
		/* files of librat's own that a snapshot names (the ingested-files list, the
		 * added-at state) */
		state = json_string_value(json_object_get(snap->summary, "rat.ingested-files"));
		if (state)
			error = rat_strarray__push(keys, state);
		state = json_string_value(json_object_get(snap->summary, RAT_ADDED_AT_KEY));
		if (!error && state)
			error = rat_strarray__push(keys, state);
	}
	rat_strarray_free(&manifests);
	rat_table__scan_free(&scan);
	return error;
}
