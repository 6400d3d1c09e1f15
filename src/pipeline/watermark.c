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

int rat_pipeline__watermark(rat_buf *out, rat_engine *engine, const char *relation, const char *column)
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
	if (!value || !type)
		error = rat_buf_puts(out, "NULL");
	else if ((error = rat_buf_puts(out, "CAST(")) == 0 &&
		 (error = rat_sql__literal(out, value)) == 0)
		error = rat_buf_printf(out, " AS %s)", type);
cleanup:
	rat_result_free(result);
	rat_buf_free(&sql);
	rat_buf_free(&col);
	return error;
}
