/*
 * table/write.c - write rows into an Iceberg table and commit a snapshot.
 *
 * The steps, each of which can fail without harming the table:
 *   1. read the current metadata (or start a new table),
 *   2. match the query's columns to the table's schema (evolving it when asked),
 *   3. COPY the rows to Parquet files in a local staging folder,
 *   4. upload them under data/, write a manifest and a manifest list,
 *   5. commit: create metadata/v<N+1>.metadata.json if nobody else has.
 * Only step 5 changes what readers see. See write.h.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/random.h"
#include "rat/engine.h"
#include "engine/engine.h"
#include "engine/describe.h"
#include "table/manifest_write.h"
#include "table/scan.h"
#include "table/write.h"
#include "table/write_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Re-read the parsed view after the document changed. */
static int refresh(writer *w)
{
	char *text = json_dumps(w->doc, JSON_COMPACT);
	int error;

	if (!text)
		return rat_error__oom();
	rat_table__metadata_free(&w->meta);
	error = rat_table__metadata_parse(&w->meta, text, strlen(text), "new table metadata");
	free(text);
	return error;
}

/*
 * A full rebuild over a base metadata file that cannot be read: a new table,
 * whose metadata file takes the next version number after the base's.
 */
static int start_over(writer *w)
{
	long version = rat_table__metadata_version(w->old_key);

	rat_table__metadata_free(&w->meta);
	if ((w->unreadable = rat__strdup(rat_error_last()->message)) == NULL)
		return rat_error__oom();
	rat_error_clear();
	w->version = version > 0 ? version : 0;
	free(w->old_key);
	w->old_key = NULL;
	return 0;
}

int rat_table__load(writer *w)
{
	int error;

	if (w->opts->catalog_managed) {
		if (!w->opts->base_metadata)
			return 0; /* a new table */
		if ((w->old_key = rat__strdup(w->opts->base_metadata)) == NULL)
			return RAT_ENOMEM;
		error = 0;
	} else {
		error = rat_table__latest_metadata(w->store, &w->old_key);
	}

	if (error == RAT_ENOTFOUND) {
		rat_error_clear();
		return 0;
	}
	if (!error)
		error = rat_table__metadata_read(&w->meta, w->store, w->old_key);
	if (error && w->opts->replace_unreadable && w->opts->mode == RAT_WRITE_OVERWRITE &&
	    w->opts->schema_change == RAT_SCHEMA_REPLACE &&
	    rat_error__detail() == RAT_DETAIL_METADATA_UNREADABLE)
		return start_over(w);
	if (error)
		return error;
	w->exists = true;
	w->version = rat_table__metadata_version(w->old_key);
	if (w->version < 0)
		w->version = 0; /* a name of another convention: ours start after it */
	w->doc = json_deep_copy(w->meta.json);
	w->location = rat__strdup(w->meta.location);
	return w->doc && w->location ? 0 : rat_error__oom();
}

/* What a committed write did. */
static void describe_result(rat_write_result *out, const writer *w)
{
	size_t i;

	out->snapshot_id = w->snapshot_id;
	out->sequence_number = w->sequence_number;
	out->version = w->version + 1;
	out->added_files = (int64_t)w->files.count;
	for (i = 0; i < w->files.count; i++)
		out->added_rows += w->files.items[i].record_count;
	out->removed_files = w->removed_files;
	out->write_passes = w->passes ? w->passes : 1;
	out->removed_rows = w->removed_rows;
	out->deleted_rows = w->deleted_rows;
	out->protected_rows = w->protected_rows;
	snprintf(out->metadata_key, sizeof(out->metadata_key), "%s", w->new_key ? w->new_key : "");
	snprintf(out->table_uuid, sizeof(out->table_uuid), "%s", w->meta.table_uuid);
	out->schema_id = w->meta.current_schema_id;
	out->spec_id = w->meta.default_spec_id;
	snprintf(out->unreadable, sizeof(out->unreadable), "%s", w->unreadable ? w->unreadable : "");
}

int rat_table__write(rat_write_result *out, rat_store *store, rat_engine *engine,
		     const char *select_sql, const rat_write_options *opts)
{
	rat_write_options defaults = RAT_WRITE_OPTIONS_INIT;
	writer w;
	rat_buf sql = RAT_BUF_INIT;
	char uuid[37], *write_sql = NULL, *unstaged = NULL;
	int next_id, error;

	memset(&w, 0, sizeof(w));
	memset(out, 0, sizeof(*out));
	w.store = store;
	w.engine = engine;
	w.opts = opts ? opts : &defaults;
	w.now_ms = w.opts->now_ms ? w.opts->now_ms : rat_clock__real_ms();
	if ((error = rat_table__load(&w)) != 0 ||
	    (w.exists && (error = rat_table__added_at_read(&w.added_at, store, &w.meta,
							   w.meta.current_snapshot_id)) != 0))
		goto cleanup;
	/* text columns as the user would read them: a landing file's own path (engine/stage.c) */
	if ((error = rat_engine__unstaged_select(engine, select_sql, &unstaged)) != 0)
		goto cleanup;
	if ((error = rat_table__merge_prepare(&w, unstaged ? unstaged : select_sql, &write_sql)) != 0)
		goto cleanup;
	next_id = w.exists ? w.meta.last_column_id + 1 : 1;
	if ((error = rat_engine__describe(&w.desc, engine, write_sql, &next_id)) != 0)
		goto cleanup;
	if ((error = w.exists ? rat_table__evolve_schema(&w, next_id - 1)
			      : rat_table__create_doc(&w, next_id - 1)) != 0 ||
	    (error = refresh(&w)) != 0)
		goto cleanup;
	if ((error = rat_random__id(&w.snapshot_id)) != 0 || (error = rat_random__uuid(uuid)) != 0)
		goto cleanup;
	w.sequence_number = w.meta.last_sequence_number + 1;
	for (size_t i = 0; i < w.deletes.count; i++) { /* written before the snapshot had an id */
		w.deletes.items[i].snapshot_id = w.snapshot_id;
		w.deletes.items[i].data_sequence_number = w.sequence_number;
		w.deletes.items[i].file_sequence_number = w.sequence_number;
	}
	if ((w.stage = rat__sprintf("%s/write-%s", w.opts->scratch_dir ? w.opts->scratch_dir : "/tmp",
				    uuid)) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = rat_fs__mkdir_p(w.stage)) != 0 ||
	    (error = rat_table__copy_sql(&sql, &w, write_sql, uuid)) != 0)
		goto cleanup;
	error = w.no_new_rows ? 0 : rat_table__write_files(&w, rat_buf_cstr(&sql));
	if (error && rat_table__out_of_memory() && rat_table__can_split(&w))
		error = rat_table__write_in_ranges(&w, write_sql);
	if (!error)
		error = rat_table__write_carried(&w); /* the rows a rewrite keeps, by time */
	if (error || (error = rat_table__commit(&w)) != 0)
		goto cleanup;
	describe_result(out, &w);
cleanup:
	rat_table__merge_cleanup(&w);
	rat_table__carry_free(&w);
	free(write_sql);
	free(unstaged);
	if (w.stage)
		rat_fs__remove_tree(w.stage);
	free(w.stage);
	rat_buf_free(&sql);
	rat_table__data_files_free(&w.files);
	rat_table__data_files_free(&w.deletes);
	rat_engine__query_desc_free(&w.desc);
	rat_table__metadata_free(&w.meta);
	json_decref(w.doc);
	free(w.old_key);
	free(w.unreadable);
	free(w.new_key);
	free(w.location);
	return error;
}
