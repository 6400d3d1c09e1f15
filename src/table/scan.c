/*
 * table/scan.c - plan a scan of an Iceberg table: its metadata, the
 * snapshot, the manifests and the live files (the SQL that reads them:
 * scan_sql.c).
 *
 * See scan.h for the rules. The SQL is plain DuckDB: read_parquet() with a
 * field-id schema map for the data, anti-joins for the deletes. Without
 * delete files it is a single read_parquet() call, which DuckDB can prune
 * and parallelise freely.
 */
#include "util/common.h"
#include "table/scan.h"
#include "table/write_stats.h"
#include "util/sql.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MANIFEST_MAX ((uint64_t)1 << 30)

long rat_table__metadata_version(const char *key)
{
	const char *slash = strrchr(key, '/'), *name = slash ? slash + 1 : key, *p = name;
	char *end;
	long v;

	if (!rat__str_has_suffix(name, ".metadata.json"))
		return -1;
	if (*p == 'v')
		p++;
	if (!isdigit((unsigned char)*p))
		return -1;
	v = strtol(p, &end, 10);
	return (*end == '.' || *end == '-') ? v : -1;
}

/*
 * The version named by metadata/version-hint.text. The hint is only a hint:
 * an empty or unreadable one (a store that overwrites objects in place can
 * show a half-written one) counts as absent, and the caller lists instead.
 */
static int from_version_hint(rat_store *store, char **key)
{
	rat_buf hint = RAT_BUF_INIT;
	char *text, *end;
	long v;
	int error = rat_store__get(store, "metadata/version-hint.text", &hint, 4096);

	if (error) {
		rat_buf_free(&hint);
		return error;
	}
	text = hint.ptr ? hint.ptr : (char *)"";
	while (*text && isspace((unsigned char)*text))
		text++;
	text[strcspn(text, " \t\r\n")] = '\0';
	v = strtol(text, &end, 10);
	if (*text && *end == '\0' && v >= 0)
		*key = rat__sprintf("metadata/v%ld.metadata.json", v);
	else if (rat__str_has_suffix(text, ".metadata.json") && !strchr(text, '/'))
		*key = rat__sprintf("metadata/%s", text);
	else
		error = RAT_ENOTFOUND; /* not a usable hint: list the metadata folder */
	rat_buf_free(&hint);
	return error ? error : (*key ? 0 : RAT_ENOMEM);
}

/* The hint may lag a commit that crashed before updating it: look past it. */
static int past_hint(rat_store *store, char **key)
{
	long v = rat_table__metadata_version(*key);
	rat_store_object object;
	int error;

	for (;;) {
		char *next = rat__sprintf("metadata/v%ld.metadata.json", v + 1);
		if (!next)
			return RAT_ENOMEM;
		error = rat_store__head(store, next, &object);
		if (error) {
			free(next);
			if (error == RAT_ENOTFOUND) {
				rat_error_clear();
				return 0;
			}
			return error;
		}
		rat_store__object_free(&object);
		free(*key);
		*key = next;
		v++;
	}
}

int rat_table__latest_metadata(rat_store *store, char **key)
{
	rat_store_list list = { NULL, 0 };
	long best = -1;
	size_t i;
	int error;

	*key = NULL;
	error = from_version_hint(store, key);
	if (!error && rat__str_has_prefix(*key, "metadata/v"))
		error = past_hint(store, key);
	if (error != RAT_ENOTFOUND)
		return error;
	rat_error_clear();
	if ((error = rat_store__list(store, "metadata/", &list)) != 0)
		return error;
	for (i = 0; i < list.count; i++) {
		long v = rat_table__metadata_version(list.items[i].key);
		if (v > best) {
			best = v;
			free(*key);
			if ((*key = rat__strdup(list.items[i].key)) == NULL) {
				error = RAT_ENOMEM;
				break;
			}
		}
	}
	rat_store__list_free(&list);
	if (!error && !*key) {
		char *url = rat_store__url(store, "metadata/");
		error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_INVALID,
				       "no Iceberg table metadata in %s", url ? url : "metadata/");
		free(url);
	}
	return error;
}

int rat_table__key_under(const char *prefix, const char *path, char **key)
{
	size_t n = strlen(prefix);

	*key = NULL;
	if (strncmp(path, prefix, n) != 0 || path[n] != '/' || path[n + 1] == '\0')
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "%s is outside the table location %s", path, prefix);
	*key = rat__strdup(path + n + 1);
	return *key ? 0 : RAT_ENOMEM;
}

int rat_table__key(const rat_scan *scan, const char *path, char **key)
{
	return rat_table__key_under(scan->prefix, path, key);
}

int rat_table__read_under(rat_store *store, const char *prefix, const char *path, uint64_t max,
			  rat_buf *out, char **key)
{
	int error = rat_table__key_under(prefix, path, key);
	if (!error)
		error = rat_store__get(store, *key, out, max);
	return error;
}

/* Read one manifest and sort its live entries into data and delete files. */
static int read_manifest(rat_scan *scan, rat_store *store, const rat_manifest_ref *ref,
			 const rat_scan_options *opts)
{
	rat_data_files entries = { NULL, 0, 0 };
	rat_buf bytes = RAT_BUF_INIT;
	char *key = NULL;
	size_t i;
	int error;

	if ((error = rat_table__read_under(store, scan->prefix, ref->path, MANIFEST_MAX, &bytes,
					   &key)) != 0 ||
	    (error = rat_table__read_manifest(&entries, bytes.ptr, bytes.len, ref, key)) != 0)
		goto cleanup;
	for (i = 0; i < entries.count; i++) {
		rat_data_file *f = &entries.items[i];
		if (f->status == RAT_ENTRY_DELETED)
			continue;
		if (f->content == RAT_CONTENT_DATA && opts->filter_count > 0 &&
		    !rat_table__file_may_match(&scan->meta, scan->schema, f, opts->filters,
					       opts->filter_count)) {
			scan->pruned++;
			continue;
		}
		error = rat_table__data_files_push(f->content == RAT_CONTENT_DATA ? &scan->data
										  : &scan->deletes, f);
		if (error)
			goto cleanup;
		memset(f, 0, sizeof(*f)); /* now owned by the scan */
	}
cleanup:
	rat_table__data_files_free(&entries);
	rat_buf_free(&bytes);
	free(key);
	return error;
}

static int pick_snapshot(rat_scan *scan, const rat_scan_options *opts)
{
	const rat_table_metadata *m = &scan->meta;

	if (opts->snapshot_id >= 0) {
		if ((scan->snapshot = rat_table__snapshot(m, opts->snapshot_id)) == NULL)
			return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_INVALID,
					      "table %s has no snapshot %lld", scan->prefix,
					      (long long)opts->snapshot_id);
	} else if (opts->as_of_ms >= 0) {
		if ((scan->snapshot = rat_table__snapshot_at(m, opts->as_of_ms)) == NULL)
			return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_INVALID,
					      "table %s has no snapshot at or before %lld ms",
					      scan->prefix, (long long)opts->as_of_ms);
	} else if (m->current_snapshot_id >= 0) {
		scan->snapshot = rat_table__snapshot(m, m->current_snapshot_id);
	}
	/* the current snapshot reads with the current schema; an older one with its own */
	if (scan->snapshot && scan->snapshot->snapshot_id == m->current_snapshot_id)
		scan->schema = rat_table__schema(m, m->current_schema_id);
	else
		scan->schema = rat_table__snapshot_schema(m, scan->snapshot);
	return 0;
}

int rat_table__plan(rat_scan *out, rat_store *store, const rat_scan_options *opts)
{
	rat_scan_options defaults = RAT_SCAN_OPTIONS_INIT;
	rat_manifest_list list = { NULL, 0 };
	rat_buf bytes = RAT_BUF_INIT;
	char *key = NULL;
	size_t i, n;
	int error;

	memset(out, 0, sizeof(*out));
	if (!opts)
		opts = &defaults;
	if (opts->metadata_key)
		out->metadata_key = rat__strdup(opts->metadata_key);
	else if ((error = rat_table__latest_metadata(store, &out->metadata_key)) != 0)
		goto cleanup;
	if (!out->metadata_key) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = rat_table__metadata_read(&out->meta, store, out->metadata_key)) != 0)
		goto cleanup;
	out->prefix = rat__strdup(opts->relocate_from ? opts->relocate_from : out->meta.location);
	if (!out->prefix) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	n = strlen(out->prefix);
	while (n > 1 && out->prefix[n - 1] == '/')
		out->prefix[--n] = '\0';
	if ((error = pick_snapshot(out, opts)) != 0 ||
	    (error = rat_table__check_filters(out->schema, opts->filters, opts->filter_count)) != 0 ||
	    !out->snapshot)
		goto cleanup;
	rat_buf_clear(&bytes);
	if ((error = rat_table__read_under(store, out->prefix, out->snapshot->manifest_list,
					   MANIFEST_MAX, &bytes, &key)) != 0 ||
	    (error = rat_table__read_manifest_list(&list, bytes.ptr, bytes.len, key)) != 0)
		goto cleanup;
	for (i = 0; i < list.count; i++)
		if ((error = read_manifest(out, store, &list.items[i], opts)) != 0)
			goto cleanup;
cleanup:
	rat_table__manifest_list_free(&list);
	rat_buf_free(&bytes);
	free(key);
	if (error)
		rat_table__scan_free(out);
	return error;
}

void rat_table__scan_free(rat_scan *scan)
{
	rat_table__metadata_free(&scan->meta);
	rat_table__data_files_free(&scan->data);
	rat_table__data_files_free(&scan->deletes);
	free(scan->metadata_key);
	free(scan->prefix);
	memset(scan, 0, sizeof(*scan));
}
