/*
 * table/write_merge.c - MERGE on a unique key, copy-on-write.
 *
 * The new rows are kept in a temporary table. The data files that hold any
 * of their keys are found by reading just those files' key columns; only
 * they are rewritten: the new rows, plus their rows whose keys are not
 * among the new ones, go into new files, and the old files leave the
 * snapshot (DELETED entries). The rows kept go apart from the new ones, a
 * COPY per time their files' rows entered the table (write_carry.c), so
 * that retention by load time sees each row's own. Files without such keys are untouched, which
 * is what makes an incremental merge of a few changed rows cheap.
 *
 * Before any file is read, the manifests' column bounds skip the files
 * whose key range cannot hold a new key: the new keys' minimum and maximum
 * (per key column) are filters for the planner's pruning (prune.c). Late
 * changes to recent keys then read one or two files' keys, not all of them.
 *
 * Keys compare with IS NOT DISTINCT FROM (a NULL key matches a NULL key).
 * Rows that delete files (librat's or another engine's) remove are not
 * there for the merge: every read here applies them. When the changed keys
 * are spread over so much data that a rewrite would cost far more than the
 * change, the merge writes position delete files instead and appends the
 * new rows (merge on read, write_deletes.c).
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/sql.h"
#include "rat/engine.h"
#include "table/scan.h"
#include "table/write_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SOURCE "__rat_merge_new"

/* n."k1" IS NOT DISTINCT FROM t."k1" AND ... */
static int put_key_match(rat_buf *sql, const writer *w)
{
	size_t i;
	int error = 0;

	for (i = 0; !error && i < w->opts->unique_key_count; i++) {
		const char *k = w->opts->unique_key[i];
		if ((error = rat_buf_puts(sql, i ? " AND n." : "n.")) == 0 &&
		    (error = rat_sql__ident(sql, k)) == 0 &&
		    (error = rat_buf_puts(sql, " IS NOT DISTINCT FROM t.")) == 0)
			error = rat_sql__ident(sql, k);
	}
	return error;
}

static int check_keys(const writer *w, const rat_scan *scan)
{
	size_t i, j;

	if (w->opts->unique_key_count == 0)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "merge into %s needs a unique_key", w->location);
	for (i = 0; i < w->opts->unique_key_count; i++) {
		bool found = false;
		for (j = 0; j < scan->schema->field_count; j++)
			found |= strcasecmp(scan->schema->fields[j].name, w->opts->unique_key[i]) == 0;
		if (!found)
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
					      "unique_key column '%s' is not in table %s",
					      w->opts->unique_key[i], w->location);
	}
	return 0;
}

/* "k1 = v1, k2 = v2" for the key of the result's current row, its columns from 2 on. */
static int describe_key(rat_buf *out, const writer *w, rat_result *result)
{
	size_t k;
	int error = 0;

	for (k = 0; !error && k < w->opts->unique_key_count; k++) {
		const char *v = NULL;
		if (!rat_result_is_null(result, 2 + k) &&
		    (error = rat_result_get_text(result, 2 + k, &v, NULL)) != 0)
			break;
		error = rat_buf_printf(out, "%s%s = %s", k ? ", " : "", w->opts->unique_key[k],
				       v ? v : "NULL");
	}
	return error;
}

/*
 * Refuse new rows that hold a key more than once (as dbt's merge does):
 * which of them should win is not the merge's to guess, and keeping both
 * would put the key twice in the table. The error names the most repeated
 * key, how often it comes, and how many keys repeat.
 */
static int check_batch(const writer *w)
{
	rat_buf sql = RAT_BUF_INIT, key = RAT_BUF_INIT;
	rat_result *result = NULL;
	int64_t keys = 0, times = 0;
	size_t k;
	int step, error = rat_buf_puts(&sql, "SELECT count(*) OVER (), n, * EXCLUDE (n) FROM "
					     "(SELECT count(*) AS n");

	for (k = 0; !error && k < w->opts->unique_key_count; k++)
		if ((error = rat_buf_puts(&sql, ", ")) == 0)
			error = rat_sql__ident(&sql, w->opts->unique_key[k]);
	if (error || (error = rat_buf_puts(&sql, " FROM " SOURCE " GROUP BY ALL HAVING "
						 "count(*) > 1) ORDER BY n DESC LIMIT 1")) != 0 ||
	    (error = rat_engine_query(&result, w->engine, rat_buf_cstr(&sql))) != 0)
		goto cleanup;
	if ((step = rat_result_next(result)) != 1) {
		error = step < 0 ? step : 0; /* no key repeats */
		goto cleanup;
	}
	if ((error = rat_result_get_int64(result, 0, &keys)) == 0 &&
	    (error = rat_result_get_int64(result, 1, &times)) == 0 &&
	    (error = describe_key(&key, w, result)) == 0)
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				       "the rows to merge into %s hold the unique key %s %lld times "
				       "(%lld key%s more than once): a merge takes one row per key",
				       w->location, rat_buf_cstr(&key), (long long)times,
				       (long long)keys, keys == 1 ? " is there" : "s are there");
cleanup:
	rat_result_free(result);
	rat_buf_free(&sql);
	rat_buf_free(&key);
	return error;
}

/*
 * The files that may hold a key of the new rows, in candidate[]: all but
 * those whose manifest bounds exclude the new keys' range on some key
 * column. A NULL new key, or a key type the planner cannot compare, keeps
 * every file for that column. w->merge_rows receives the new rows' count.
 */
static int key_candidates(writer *w, const rat_scan *scan, bool *candidate)
{
	rat_scan_filter *filters = NULL;
	rat_strarray values = RAT_STRARRAY_INIT;
	rat_buf sql = RAT_BUF_INIT;
	rat_result *result = NULL;
	size_t i, k, n = w->opts->unique_key_count, count = 0;
	int64_t nulls = 0;
	int step, error;

	for (i = 0; i < scan->data.count; i++)
		candidate[i] = true;
	error = rat_buf_puts(&sql, "SELECT count(*), count(*) FILTER (WHERE false");
	for (k = 0; !error && k < n; k++)
		if ((error = rat_buf_puts(&sql, " OR ")) == 0 &&
		    (error = rat_sql__ident(&sql, w->opts->unique_key[k])) == 0)
			error = rat_buf_puts(&sql, " IS NULL");
	for (k = 0; !error && k < n; k++) {
		if ((error = rat_buf_puts(&sql, "), CAST(min(")) != 0 ||
		    (error = rat_sql__ident(&sql, w->opts->unique_key[k])) != 0 ||
		    (error = rat_buf_puts(&sql, ") AS VARCHAR), CAST(max(")) != 0 ||
		    (error = rat_sql__ident(&sql, w->opts->unique_key[k])) != 0)
			break;
		error = rat_buf_puts(&sql, ") AS VARCHAR");
	}
	if (error || (error = rat_buf_puts(&sql, ") FROM " SOURCE)) != 0 ||
	    (error = rat_engine_query(&result, w->engine, rat_buf_cstr(&sql))) != 0)
		goto cleanup;
	if ((step = rat_result_next(result)) != 1) {
		error = step < 0 ? step : 0;
		goto cleanup;
	}
	if ((error = rat_result_get_int64(result, 0, &w->merge_rows)) != 0 ||
	    (!rat_result_is_null(result, 1) &&
	     (error = rat_result_get_int64(result, 1, &nulls)) != 0))
		goto cleanup;
	if (nulls > 0) /* a NULL key matches a NULL key, which bounds do not show */
		goto cleanup;
	if ((filters = rat__calloc(2 * n, sizeof(*filters))) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	for (k = 0; k < n; k++) {
		const char *lo = NULL, *hi = NULL;
		if (rat_result_is_null(result, 2 + 2 * k) || rat_result_is_null(result, 3 + 2 * k) ||
		    rat_result_get_text(result, 2 + 2 * k, &lo, NULL) != 0 ||
		    rat_result_get_text(result, 3 + 2 * k, &hi, NULL) != 0) {
			rat_error_clear();
			continue;
		}
		if ((lo = rat_strarray__keep(&values, lo)) == NULL ||
		    (hi = rat_strarray__keep(&values, hi)) == NULL) {
			error = RAT_ENOMEM;
			goto cleanup;
		}
		filters[count++] = (rat_scan_filter){ w->opts->unique_key[k], ">=", lo };
		filters[count++] = (rat_scan_filter){ w->opts->unique_key[k], "<=", hi };
	}
	for (i = 0; i < scan->data.count; i++)
		candidate[i] = rat_table__file_may_match(&scan->meta, scan->schema,
							 &scan->data.items[i], filters, count);
cleanup:
	rat_result_free(result);
	rat_strarray_free(&values);
	rat_buf_free(&sql);
	free(filters);
	return error;
}

/*
 * Find the rows the new ones replace: their positions go into the temporary
 * table RAT_MERGE_POSITIONS (fidx: the file's index among the candidates
 * read, pos), and keep[] marks the data files that hold any, which
 * w->removed lists. A merge on read writes its delete files from the same
 * table, so the keys are read once.
 */
static int find_affected(writer *w, const rat_scan *scan, bool *keep)
{
	rat_buf all = RAT_BUF_INIT, sql = RAT_BUF_INIT;
	rat_result *result = NULL;
	bool *candidate = rat__calloc(scan->data.count + 1, sizeof(bool));
	size_t *data_index = rat__calloc(scan->data.count + 1, sizeof(size_t));
	size_t i, read = 0;
	int step = 0, error;

	if (!candidate || !data_index) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = key_candidates(w, scan, candidate)) != 0)
		goto cleanup;
	free(w->merge_fidx);
	if ((w->merge_fidx = rat__calloc(scan->data.count + 1, sizeof(int64_t))) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	for (i = 0; i < scan->data.count; i++) {
		w->merge_fidx[i] = candidate[i] ? (int64_t)read : -1;
		if (candidate[i])
			data_index[read++] = i;
	}
	if (read == 0) /* no file can hold a new key: nothing to read */
		goto cleanup;
	if ((error = rat_table__scan_positions_sql(scan, w->store, candidate, &all, NULL)) != 0 ||
	    (error = rat_buf_printf(&sql, "CREATE OR REPLACE TEMP TABLE " RAT_MERGE_POSITIONS " AS "
					  "SELECT t.__rat_fidx AS fidx, t.__rat_pos AS pos FROM (%s) t "
					  "WHERE EXISTS (SELECT 1 FROM " SOURCE " n WHERE ",
				    rat_buf_cstr(&all))) != 0 ||
	    (error = put_key_match(&sql, w)) != 0 || (error = rat_buf_putc(&sql, ')')) != 0 ||
	    (error = rat_engine_exec(w->engine, rat_buf_cstr(&sql))) != 0)
		goto cleanup;
	w->merge_positions = true;
	if ((error = rat_engine_query(&result, w->engine,
				      "SELECT DISTINCT fidx FROM " RAT_MERGE_POSITIONS)) != 0)
		goto cleanup;
	while ((step = rat_result_next(result)) == 1) {
		int64_t k = -1;
		if (!rat_result_is_null(result, 0) &&
		    (error = rat_result_get_int64(result, 0, &k)) != 0)
			goto cleanup;
		if (k < 0 || (size_t)k >= read || keep[data_index[k]])
			continue;
		keep[data_index[k]] = true;
		if ((error = rat_strarray__push(&w->removed, scan->data.items[data_index[k]].path)) != 0)
			goto cleanup;
	}
	if (step < 0)
		error = step;
	rat_strarray__sort(&w->removed);
cleanup:
	rat_result_free(result);
	rat_buf_free(&all);
	rat_buf_free(&sql);
	free(candidate);
	free(data_index);
	return error;
}

/* A group's rows a DELETE keeps: those of its files the condition does not match. */
static int delete_kept_sql(const writer *w, const char *scan_sql, void *condition, rat_buf *out)
{
	(void)w;
	return rat_buf_printf(out, "SELECT * FROM (%s) t WHERE (%s) IS NOT TRUE", scan_sql,
			      (const char *)condition);
}

/*
 * DELETE: per data file, how many rows match the condition. Files with any
 * (but those opts->keep_files names) leave the snapshot (w->removed); the
 * other rows of those with some but not all are carried (w->carry), by the
 * time they entered the table. *write_sql only gives the columns: a DELETE
 * writes no new rows.
 */
static int delete_prepare(writer *w, const rat_scan *scan, const char *condition,
			  char **write_sql)
{
	rat_buf sql = RAT_BUF_INIT, kept = RAT_BUF_INIT;
	int64_t *hits = rat__calloc(scan->data.count + 1, sizeof(int64_t));
	int64_t *rows = rat__calloc(scan->data.count + 1, sizeof(int64_t));
	bool *partial = rat__calloc(scan->data.count + 1, sizeof(bool)), any_partial = false;
	size_t i;
	int error;

	if (!hits || !rows || !partial) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = rat_table__delete_hits(hits, rows, scan, w->store, w->engine, condition)) != 0)
		goto cleanup;
	for (i = 0; i < scan->data.count; i++) {
		if (hits[i] == 0)
			continue;
		if (rat_table__kept_file(w->opts->keep_files, scan->data.items[i].path)) {
			w->protected_rows += hits[i];
			continue;
		}
		w->deleted_rows += hits[i];
		partial[i] = hits[i] < rows[i];
		any_partial |= partial[i];
		if ((error = rat_strarray__push(&w->removed, scan->data.items[i].path)) != 0)
			goto cleanup;
	}
	rat_strarray__sort(&w->removed);
	w->no_new_rows = true;
	/* the table's columns (of the files partly deleted when there are some) */
	if ((error = rat_table__scan_sql_ex(scan, w->store, any_partial ? partial : NULL, false,
					    &kept, NULL)) == 0 &&
	    (error = rat_buf_printf(&sql, "SELECT * FROM (%s) t WHERE false",
				    rat_buf_cstr(&kept))) == 0 &&
	    (error = rat_table__carry_groups(w, scan, partial, NULL, delete_kept_sql,
					     (void *)condition)) == 0 &&
	    (*write_sql = rat_buf_detach(&sql)) == NULL)
		error = RAT_ENOMEM;
cleanup:
	rat_buf_free(&sql);
	rat_buf_free(&kept);
	free(hits);
	free(rows);
	free(partial);
	return error;
}

/*
 * The rows of scan_sql a merge keeps, those whose key the new rows do not
 * replace, with the new rows (with_new) or only their columns.
 */
static int kept_rows_sql(const writer *w, const char *scan_sql, bool with_new, rat_buf *out)
{
	int error;

	if ((error = rat_buf_printf(out, "SELECT * FROM " SOURCE "%s UNION ALL BY NAME "
					 "SELECT * FROM (%s) t WHERE NOT EXISTS (SELECT 1 FROM "
					 SOURCE " n WHERE ",
				    with_new ? "" : " WHERE false", scan_sql)) == 0 &&
	    (error = put_key_match(out, w)) == 0)
		error = rat_buf_putc(out, ')');
	return error;
}

/* A group's rows a merge keeps, written apart from the new rows (write_carry.c). */
static int merge_kept_sql(const writer *w, const char *scan_sql, void *ctx, rat_buf *out)
{
	(void)ctx;
	return kept_rows_sql(w, scan_sql, false, out);
}

/*
 * When merge on read pays (write_deletes.c): position delete files for the
 * rows of the affected files that the new rows replace, and nothing removed,
 * so that the write appends the new rows.
 */
static int merge_on_read(writer *w, const rat_scan *scan, const bool *affected)
{
	int error = 0;

	if (rat_table__merge_on_read(w, scan, affected, w->merge_rows) &&
	    (error = rat_table__write_position_deletes(w, scan, affected)) == 0)
		rat_strarray_free(&w->removed); /* nothing is rewritten */
	return error;
}

/*
 * The new rows, with the rows kept from the files that entered the table
 * today; the rows kept from older files go apart, a COPY per day
 * (w->carry). Without rows of today, the kept files give the columns only.
 */
static int merge_write_sql(writer *w, const rat_scan *scan, const bool *keep, rat_buf *sql)
{
	rat_buf kept = RAT_BUF_INIT;
	bool *today = rat__calloc(scan->data.count + 1, sizeof(bool)), any = false;
	size_t i;
	int error;

	if (!today)
		return RAT_ENOMEM;
	if ((error = rat_table__carry_groups(w, scan, keep, today, merge_kept_sql, NULL)) != 0)
		goto cleanup;
	for (i = 0; i < scan->data.count; i++)
		any |= today[i];
	if ((error = rat_table__scan_sql_ex(scan, w->store, any ? today : keep, false, &kept,
					    NULL)) != 0)
		goto cleanup;
	if (!any)
		error = rat_buf_printf(sql, "SELECT * FROM " SOURCE " UNION ALL BY NAME SELECT * FROM "
					    "(%s) t WHERE false",
				       rat_buf_cstr(&kept));
	else
		error = kept_rows_sql(w, rat_buf_cstr(&kept), true, sql);
cleanup:
	rat_buf_free(&kept);
	free(today);
	return error;
}

int rat_table__merge_prepare(writer *w, const char *select_sql, char **write_sql)
{
	rat_scan_options scan_opts = RAT_SCAN_OPTIONS_INIT;
	rat_scan scan;
	rat_buf sql = RAT_BUF_INIT;
	bool *keep = NULL, planned = false;
	int error = 0;

	*write_sql = NULL;
	if (w->opts->mode == RAT_WRITE_DELETE && !w->exists)
		return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_INVALID,
				      "no table at %s to delete from", w->location);
	if (w->opts->mode == RAT_WRITE_DELETE) {
		scan_opts.metadata_key = w->old_key;
		if ((error = rat_table__plan(&scan, w->store, &scan_opts)) != 0)
			return error;
		error = delete_prepare(w, &scan, select_sql, write_sql);
		rat_table__scan_free(&scan);
		return error;
	}
	if (w->opts->mode != RAT_WRITE_MERGE || !w->exists) {
		*write_sql = rat__strdup(select_sql);
		return *write_sql ? 0 : RAT_ENOMEM;
	}
	if ((error = rat_buf_printf(&sql, "CREATE OR REPLACE TEMP TABLE " SOURCE " AS %s", select_sql)) != 0 ||
	    (error = rat_engine_exec(w->engine, rat_buf_cstr(&sql))) != 0)
		goto cleanup;
	w->merge_source = true;
	/* the version this write starts from: for a catalog-managed table, the one its
	 * branch records, which need not be the newest file in the folder */
	scan_opts.metadata_key = w->old_key;
	if ((error = rat_table__plan(&scan, w->store, &scan_opts)) != 0)
		goto cleanup;
	planned = true;
	if ((error = check_keys(w, &scan)) != 0 || (error = check_batch(w)) != 0)
		goto cleanup;
	if ((keep = rat__calloc(scan.data.count ? scan.data.count : 1, sizeof(bool))) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = find_affected(w, &scan, keep)) != 0)
		goto cleanup;
	if (w->removed.count > 0 && (error = merge_on_read(w, &scan, keep)) != 0)
		goto cleanup;
	rat_buf_clear(&sql);
	if (w->removed.count == 0)
		error = rat_buf_puts(&sql, "SELECT * FROM " SOURCE);
	else
		error = merge_write_sql(w, &scan, keep, &sql);
	if (!error && (*write_sql = rat_buf_detach(&sql)) == NULL)
		error = RAT_ENOMEM;
cleanup:
	if (planned)
		rat_table__scan_free(&scan);
	free(keep);
	rat_buf_free(&sql);
	return error;
}

void rat_table__merge_cleanup(writer *w)
{
	rat_error_saved saved;

	rat_error__save(&saved); /* cleanup must not replace the error being reported */
	/* best effort: the session is the writer's own and goes with it */
	if (w->merge_source)
		rat__ignore(rat_engine_exec(w->engine, "DROP TABLE IF EXISTS " SOURCE));
	if (w->merge_positions)
		rat__ignore(rat_engine_exec(w->engine, "DROP TABLE IF EXISTS " RAT_MERGE_POSITIONS));
	w->merge_positions = false;
	free(w->merge_fidx);
	w->merge_fidx = NULL;
	rat_error__restore(&saved);
	w->merge_source = false;
	rat_strarray_free(&w->removed);
}
