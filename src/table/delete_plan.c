/*
 * table/delete_plan.c - what a DELETE write would do, counted before (or
 * instead of) doing it: per data file, the rows a condition matches. The
 * write (write_merge.c) and its dry run (rat_table__delete_plan, for
 * `rat retention apply --dry-run`) count with the same query, so a dry
 * run's report is the write's.
 */
#include "util/common.h"
#include "util/buf.h"
#include "rat/engine.h"
#include "table/scan.h"
#include "table/write.h"
#include "table/write_internal.h"

#include <stdlib.h>
#include <string.h>

int rat_table__delete_hits(int64_t *hits, int64_t *rows, const rat_scan *scan, rat_store *store,
			   rat_engine *engine, const char *condition)
{
	rat_strarray locals = RAT_STRARRAY_INIT;
	rat_buf all = RAT_BUF_INIT, sql = RAT_BUF_INIT;
	rat_result *result = NULL;
	size_t i;
	int step = 0, error;

	memset(hits, 0, scan->data.count * sizeof(*hits));
	memset(rows, 0, scan->data.count * sizeof(*rows));
	if ((error = rat_table__scan_sql_ex(scan, store, NULL, true, &all, &locals)) != 0 ||
	    (error = rat_buf_printf(&sql, "SELECT __rat_file, count(*) FILTER (WHERE (%s)) AS hit, "
					  "count(*) AS n FROM (%s) t GROUP BY 1 HAVING hit > 0",
				    condition, rat_buf_cstr(&all))) != 0 ||
	    (error = rat_engine_query(&result, engine, rat_buf_cstr(&sql))) != 0)
		goto cleanup;
	while ((step = rat_result_next(result)) == 1) {
		const char *file = NULL;
		int64_t hit = 0, n = 0;
		if ((error = rat_result_get_text(result, 0, &file, NULL)) != 0 ||
		    (error = rat_result_get_int64(result, 1, &hit)) != 0 ||
		    (error = rat_result_get_int64(result, 2, &n)) != 0)
			goto cleanup;
		for (i = 0; file && i < locals.count; i++) {
			if (strcmp(locals.strings[i], file) == 0) {
				hits[i] = hit;
				rows[i] = n;
			}
		}
	}
	if (step < 0)
		error = step;
cleanup:
	rat_result_free(result);
	rat_strarray_free(&locals);
	rat_buf_free(&all);
	rat_buf_free(&sql);
	return error;
}

bool rat_table__kept_file(const rat_strarray *keep, const char *path)
{
	return keep && keep->count > 0 && /* bsearch on a NULL array is undefined */
	       bsearch(&path, keep->strings, keep->count, sizeof(char *), rat__strcmp_ptr) != NULL;
}

int rat_table__delete_plan(rat_delete_plan *out, rat_store *store, rat_engine *engine,
			   const char *metadata_key, const char *condition,
			   const rat_strarray *keep_files)
{
	rat_scan_options opts = RAT_SCAN_OPTIONS_INIT;
	rat_scan scan;
	int64_t *hits = NULL, *rows = NULL;
	size_t i;
	int error;

	memset(out, 0, sizeof(*out));
	opts.metadata_key = metadata_key;
	if ((error = rat_table__plan(&scan, store, &opts)) != 0)
		return error;
	hits = rat__calloc(scan.data.count + 1, sizeof(*hits));
	rows = rat__calloc(scan.data.count + 1, sizeof(*rows));
	if (!hits || !rows)
		error = RAT_ENOMEM;
	else
		error = rat_table__delete_hits(hits, rows, &scan, store, engine, condition);
	for (i = 0; !error && i < scan.data.count; i++) {
		if (hits[i] == 0)
			continue;
		if (rat_table__kept_file(keep_files, scan.data.items[i].path)) {
			out->protected_rows += hits[i];
			continue;
		}
		out->rows += hits[i];
		out->files_removed++;
		out->files_rewritten += hits[i] < rows[i];
	}
	free(hits);
	free(rows);
	rat_table__scan_free(&scan);
	return error;
}
