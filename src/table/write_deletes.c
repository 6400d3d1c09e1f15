/*
 * table/write_deletes.c - merge on read: position delete files.
 *
 * A copy-on-write merge rewrites every data file that holds a changed key.
 * When the changed keys are spread thin (1 % of the rows, in every file),
 * that is the whole table. A merge on read instead leaves those files as
 * they are and adds, for each, a position delete file (Iceberg v2): the
 * positions of its rows that the new rows replace. The new rows are
 * appended. Readers skip the deleted positions (scan.c); so does librat's
 * next merge, delete or retention, and a copy-on-write rewrite of a file
 * drops its delete files with it (write_commit.c).
 *
 * When (rat_table__merge_on_read): the table property write.merge.mode
 * chooses ("copy-on-write" or "merge-on-read", as Iceberg's writers read
 * it); without it, merge on read is chosen when a copy-on-write would
 * rewrite more than MOR_REWRITE_FACTOR times the rows that change, and at
 * least MOR_MIN_REWRITE rows (below that a rewrite is cheap anyway). Either
 * way, never when the deleted positions would pass MOR_MAX_DELETED of the
 * table's rows: then the copy-on-write that follows compacts the files.
 *
 * Each delete file applies to one data file: it sits in that file's
 * partition, and its file_path bounds are that file's path, so that readers
 * and the commit that later rewrites the data file can tell which it is.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/hex.h"
#include "util/random.h"
#include "util/sql.h"
#include "rat/engine.h"
#include "engine/engine.h"
#include "table/scan.h"
#include "table/write_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MOR_REWRITE_FACTOR 8 /* rows a copy-on-write would rewrite, per row that changes */
#define MOR_MIN_REWRITE 1000000 /* rows below which a rewrite is cheap whatever the ratio */
#define MOR_MAX_DELETED 10   /* percent of the table's rows that may be deleted positions */

bool rat_table__merge_on_read(const writer *w, const rat_scan *scan, const bool *affected,
			      int64_t changing)
{
	json_t *props = json_object_get(w->meta.json, "properties");
	const char *mode = json_string_value(json_object_get(props, "write.merge.mode"));
	int64_t rewrite = 0, total = 0, deleted = 0;
	size_t i;

	if (mode && strcmp(mode, "copy-on-write") == 0)
		return false;
	for (i = 0; i < scan->data.count; i++) {
		total += scan->data.items[i].record_count;
		if (!affected[i])
			continue;
		rewrite += scan->data.items[i].record_count;
		if (scan->data.items[i].spec_id != w->meta.default_spec_id)
			return false; /* a delete file sits in its data file's partition */
	}
	for (i = 0; i < scan->deletes.count; i++)
		deleted += scan->deletes.items[i].record_count;
	if ((deleted + changing) * 100 > total * MOR_MAX_DELETED)
		return false;
	if (mode && strcmp(mode, "merge-on-read") == 0)
		return true;
	return rewrite >= MOR_MIN_REWRITE && rewrite > MOR_REWRITE_FACTOR * changing;
}

/* The manifest entry of one delete file, uploaded from local. */
static int add_delete_file(writer *w, const rat_data_file *target, const char *local, int64_t rows,
			   int64_t size)
{
	rat_data_file f;
	char uuid[37], *key = NULL, *hex = NULL;
	int error;

	memset(&f, 0, sizeof(f));
	if ((error = rat_random__uuid(uuid)) != 0)
		return error;
	key = rat__sprintf("data/deletes/pos-%s.parquet", uuid);
	hex = rat_hex__encode(target->path, strlen(target->path));
	f.status = RAT_ENTRY_ADDED; /* snapshot id and sequence numbers: set at commit */
	f.content = RAT_CONTENT_POSITION_DELETES;
	f.spec_id = target->spec_id;
	f.record_count = rows;
	f.file_size = size;
	f.path = key ? rat__sprintf("%s/%s", w->location, key) : NULL;
	f.format = rat__strdup("PARQUET");
	f.partition = target->partition ? json_deep_copy(target->partition) : json_object();
	f.value_counts = json_object();
	f.null_counts = json_object();
	f.lower_bounds = json_object();
	f.upper_bounds = json_object();
	if (!key || !hex || !f.path || !f.format || !f.partition || !f.value_counts ||
	    !f.null_counts || !f.lower_bounds || !f.upper_bounds)
		error = rat_error__oom();
	if (!error) {
		json_object_set_new(f.lower_bounds, RAT_DELETE_FILE_PATH_ID_S, json_string(hex));
		json_object_set_new(f.upper_bounds, RAT_DELETE_FILE_PATH_ID_S, json_string(hex));
		error = rat_store__put_file_consume(w->store, key, local);
	}
	if (!error)
		error = rat_table__data_files_push(&w->deletes, &f);
	if (error)
		rat_table__data_file_clear(&f);
	free(key);
	free(hex);
	return error;
}

/* One affected file's delete file: its positions in the positions table, ordered. */
static int write_one(writer *w, const rat_data_file *target, int64_t fidx, const char *dir)
{
	rat_buf sql = RAT_BUF_INIT;
	rat_result *result = NULL;
	char uuid[37], *out = NULL;
	int64_t rows = 0, size = 0;
	int step, error;

	if ((error = rat_random__uuid(uuid)) != 0)
		return error;
	if ((out = rat__sprintf("%s/pos-%s.parquet", dir, uuid)) == NULL)
		return RAT_ENOMEM;
	if ((error = rat_buf_puts(&sql, "COPY (SELECT ")) != 0 ||
	    (error = rat_sql__literal(&sql, target->path)) != 0 ||
	    (error = rat_buf_printf(&sql, " AS file_path, pos FROM " RAT_MERGE_POSITIONS " WHERE fidx "
					  "= %lld ORDER BY pos) TO ",
				    (long long)fidx)) != 0 ||
	    (error = rat_sql__literal(&sql, out)) != 0 ||
	    (error = rat_buf_printf(&sql, " (FORMAT parquet, RETURN_STATS, FIELD_IDS {file_path: %d, "
					  "pos: %d})",
				    RAT_DELETE_FILE_PATH_ID, RAT_DELETE_POS_ID)) != 0 ||
	    (error = rat_engine__query_own(&result, w->engine, rat_buf_cstr(&sql))) != 0)
		goto cleanup;
	if ((step = rat_result_next(result)) == 1) {
		size_t col;
		for (col = 0; !error && col < rat_result_column_count(result); col++) {
			const char *name = rat_result_column_name(result, col);
			if (strcmp(name, "count") == 0)
				error = rat_result_get_int64(result, col, &rows);
			else if (strcmp(name, "file_size_bytes") == 0)
				error = rat_result_get_int64(result, col, &size);
		}
		if (error)
			goto cleanup;
	} else if (step < 0) {
		error = step;
		goto cleanup;
	}
	if (rows > 0)
		error = add_delete_file(w, target, out, rows, size);
cleanup:
	rat_result_free(result);
	rat_buf_free(&sql);
	free(out);
	return error;
}

int rat_table__write_position_deletes(writer *w, const rat_scan *scan, const bool *affected)
{
	char uuid[37], *dir = NULL;
	size_t i;
	int error;

	if ((error = rat_random__uuid(uuid)) != 0)
		return error;
	if ((dir = rat__sprintf("%s/deletes-%s", w->opts->scratch_dir ? w->opts->scratch_dir : "/tmp",
				uuid)) == NULL)
		return RAT_ENOMEM;
	if ((error = rat_fs__mkdir_p(dir)) == 0)
		for (i = 0; !error && i < scan->data.count; i++)
			if (affected[i] && w->merge_fidx && w->merge_fidx[i] >= 0)
				error = write_one(w, &scan->data.items[i], w->merge_fidx[i], dir);
	rat_fs__remove_tree(dir);
	free(dir);
	return error;
}
