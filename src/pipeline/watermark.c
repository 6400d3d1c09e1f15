/*
 * pipeline/watermark.c - what {{ watermark('col') }} stands for in a
 * pipeline's SQL: the highest value of the column in the pipeline's own
 * table, as a typed literal (pipeline.h). Runs and `rat test` (where the
 * mocks give the value) share it.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/sql.h"
#include "rat/engine.h"
#include "pipeline/pipeline.h"
#include "template/template.h"

#include <string.h>

/*
 * A literal below every value of type: what the watermark is while the
 * column holds no value yet, so that `col > {{ watermark('col') }}` keeps
 * every row instead of comparing with NULL and keeping none.
 */
static int lowest(rat_buf *out, const char *type, const char *column)
{
	static const char *const numeric[] = { "TINYINT", "SMALLINT", "INTEGER", "BIGINT",
					       "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER",
					       "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL",
					       NULL };
	size_t i;

	for (i = 0; numeric[i]; i++)
		if (rat__str_has_prefix(type, numeric[i]))
			return rat_buf_puts(out, "CAST('-inf' AS DOUBLE)");
	if (rat__str_has_prefix(type, "DATE") || rat__str_has_prefix(type, "TIMESTAMP"))
		return rat_buf_printf(out, "CAST('-infinity' AS %s)", type);
	if (strcmp(type, "VARCHAR") == 0)
		return rat_buf_puts(out, "''");
	return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
			      "watermark('%s'): the column holds no value yet, and a %s has no "
			      "lowest value to stand for it (guard the filter with "
			      "{%% if is_incremental() %%})", column, type);
}

int rat_pipeline__watermark(rat_buf *out, rat_engine *engine, const char *relation, const char *column,
			    bool bare)
{
	rat_buf sql = RAT_BUF_INIT, col = RAT_BUF_INIT;
	rat_result *result = NULL;
	const char *value = NULL, *type = NULL;
	int error;

	if ((error = rat_sql__ident(&col, column)) != 0 ||
	    (error = rat_buf_printf(&sql, "SELECT CAST(max(%s) AS VARCHAR), typeof(max(%s)) FROM %s",
				    rat_buf_cstr(&col), rat_buf_cstr(&col), relation)) != 0)
		goto cleanup;
	if ((error = rat_engine_query(&result, engine, rat_buf_cstr(&sql))) != 0) {
		rat_error__prefix("watermark('%s')", column);
		goto cleanup;
	}
	if ((error = rat_result_next(result)) < 0)
		goto cleanup;
	if ((error = rat_result_get_text(result, 0, &value, NULL)) != 0 ||
	    (error = rat_result_get_text(result, 1, &type, NULL)) != 0)
		goto cleanup;
	if (bare)
		error = rat_buf_puts(out, value ? value : RAT_TEMPLATE_WATERMARK_NONE);
	else if (!type)
		error = rat_buf_puts(out, "NULL");
	else if (!value)
		error = lowest(out, type, column);
	else if ((error = rat_buf_puts(out, "CAST(")) == 0 &&
		 (error = rat_sql__literal(out, value)) == 0)
		error = rat_buf_printf(out, " AS %s)", type);
cleanup:
	rat_result_free(result);
	rat_buf_free(&sql);
	rat_buf_free(&col);
	return error;
}
