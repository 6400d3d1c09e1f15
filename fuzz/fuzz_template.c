/*
 * fuzz/fuzz_template.c - the template engine (pipeline/template*.c): lexing,
 * parsing, rendering with every pipeline function, macros, and the ref()
 * scan that builds the DAG.
 *
 * Input: the pipeline's template text, then a NUL byte, then the text of one
 * macro file (macros/fuzz.sql). Without a NUL there is no macro file. The
 * context gives every callback and value a run would (ref, watermark, var,
 * env_var, this, run_started_at, landing_files), each with one name that
 * fails so that error paths inside callbacks are reached; is_incremental()
 * follows the input's length so both branches are rendered. A rendering
 * that succeeds is described (template/origin.c) at its first, middle and
 * last byte, as a run does for an engine error.
 */
#include "rat.h"
#include "util/common.h"
#include "util/buf.h"
#include "template/template.h"
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

static int ref(void *ctx, const char *name, rat_buf *out)
{
	(void)ctx;
	if (strcmp(name, "silver.missing") == 0)
		return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_PIPELINE,
				      "no pipeline or table '%s'", name);
	return rat_buf_printf(out, "\"lake\".\"%s\"", name);
}

static int watermark(void *ctx, const char *column, bool in_string, rat_buf *out)
{
	(void)ctx;
	if (strcmp(column, "missing") == 0)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				      "no column '%s' in the last run", column);
	if (in_string)
		return rat_buf_puts(out, strcmp(column, "id") == 0 ? "42" : "it's 10:00");
	return rat_buf_puts(out, strcmp(column, "id") == 0 ? "42" : "'2024-03-01 10:00:00'");
}

static const char *var(void *ctx, const char *name)
{
	(void)ctx;
	if (strcmp(name, "days") == 0)
		return "7";
	return strcmp(name, "country") == 0 ? "NL" : NULL;
}

static int env(void *ctx, const char *name, const char **value)
{
	(void)ctx;
	*value = strcmp(name, "RAT_ENV") == 0 ? "prod" : NULL;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rat_template_context tc = RAT_TEMPLATE_CONTEXT_INIT;
	rat_template_source macro;
	rat_strarray refs = { 0 };
	rat_buf out = RAT_BUF_INIT, where = RAT_BUF_INIT, excerpt = RAT_BUF_INIT;
	rat_template_map map = RAT_TEMPLATE_MAP_INIT;
	char *text = NULL, *macros = NULL;
	size_t i;

	fuzz_split(data, size, &text, &macros, NULL);
	tc.path = "pipelines/silver/orders.sql";
	tc.ref = ref;
	tc.this_relation = "\"lake\".\"silver.orders\"";
	tc.is_incremental = size & 1;
	tc.watermark = watermark;
	tc.var = var;
	tc.env = env;
	tc.run_started_at = "2026-11-23 10:00:00+00";
	tc.landing_files = "['/landing/sales/a.csv', '/landing/sales/b.csv']";
	if (macros) {
		macro.path = "macros/fuzz.sql";
		macro.text = macros;
		tc.macros = &macro;
		tc.macro_count = 1;
	}
	tc.map = &map;
	if (rat_template__render(&out, text, &tc) == 0 && out.len > 0)
		for (i = 0; i < 3; i++) /* RAT_ENOTFOUND past what the map knows: fine */
			rat__ignore(rat_template__describe(&where, &excerpt, &map, rat_buf_cstr(&out),
							   i * (out.len - 1) / 2));
	tc.map = NULL;
	rat__ignore(rat_template__refs(&refs, text, &tc));
	rat_strarray_free(&refs);
	rat_template__map_free(&map);
	rat_buf_free(&out);
	rat_buf_free(&where);
	rat_buf_free(&excerpt);
	free(text);
	free(macros);
	return 0;
}
