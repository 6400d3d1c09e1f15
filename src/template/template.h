/*
 * pipeline/template.h - the Jinja subset that pipeline SQL is written in
 * (SPEC P2; the language is documented in docs/templating.md).
 *
 *   {{ expr }}                 an expression's value as text
 *   {% if e %} {% elif e %} {% else %} {% endif %}
 *   {% for x in e %} ... {% endfor %}   over a list (loop.index, loop.first, loop.last)
 *   {% set x = e %}
 *   {# a comment #}            and {%- / -%} / {{- / -}} trim whitespace as in Jinja
 *   {% macro name(a, b='d') %} ... {% endmacro %}   in the .sql files of the workspace's macros/
 *
 * Expressions: string, integer, float, true/false/none and list literals;
 * names; + - * / on numbers, ~ to concatenate, == != < <= > >=, and, or,
 * not, in, parentheses; filters | upper | lower | trim | default(v) |
 * join(sep) | length | replace(a, b); the functions below and macro calls.
 *
 * The pipeline functions call back into the caller, who knows the run:
 * ref('layer.table') (and ref('products.alias')), this, is_incremental(),
 * watermark('col'), var('name', default), env_var('NAME', default),
 * run_started_at and landing_files (bronze ingestion). Nothing here touches a file, the engine or the catalog.
 *
 * Every error names the file and line: "pipelines/silver/orders.sql:12:
 * unknown function 'reff'".
 */
#ifndef RAT_PIPELINE_TEMPLATE_H
#define RAT_PIPELINE_TEMPLATE_H

#include "util/common.h"
#include "util/buf.h"

/* A macro file of the workspace: its path (for messages) and its text. */
typedef struct rat_template_source {
	const char *path;
	const char *text;
} rat_template_source;

typedef struct rat_template_context {
	/* The file being rendered, as it appears in messages. */
	const char *path;
	/*
	 * ref(name): append what the reference renders to (a SQL relation
	 * name) to out. Returns 0, or a negative code after setting the error
	 * (the caller's message, e.g. "no pipeline or table 'silver.x'", is then
	 * prefixed with path:line). NULL: ref() renders its argument unchanged.
	 */
	int (*ref)(void *ctx, const char *name, rat_buf *out);
	/* {{ this }}: the relation the pipeline writes. NULL: an error if used. */
	const char *this_relation;
	/* is_incremental() */
	bool is_incremental;
	/*
	 * watermark(col): append the column's stored high-water mark as a SQL
	 * literal ('2024-03-01 10:00:00', 42) or NULL when there is none yet.
	 * NULL callback: watermark() renders NULL.
	 */
	int (*watermark)(void *ctx, const char *column, rat_buf *out);
	/* var(name): the value of a run variable, or NULL when not set (the
	 * default argument is used then, and without one it is an error). */
	const char *(*var)(void *ctx, const char *name);
	/*
	 * env_var(name): the variable's value, or NULL when it is not set (the
	 * default argument is used then, and without one it is an error).
	 * Called with env_ctx. NULL: no variable is set (a template never reads
	 * the process environment itself).
	 */
	const char *(*env)(void *env_ctx, const char *name);
	/* {{ run_started_at }}: e.g. "2026-11-23 10:00:00+00"; NULL: an error if used. */
	const char *run_started_at;
	/* {{ landing_files }}: the landing files to ingest, as a SQL list literal
	 * (['/abs/a.csv', '/abs/b.csv']), inserted verbatim; NULL: an error if used. */
	const char *landing_files;
	/* The .sql files of the workspace's macros/, already read; their macros are callable. */
	const rat_template_source *macros;
	size_t macro_count;
	void *ctx;     /* passed to the callbacks but env */
	void *env_ctx; /* passed to env */
} rat_template_context;

#define RAT_TEMPLATE_CONTEXT_INIT                                                                  \
	{ NULL, NULL, NULL, false, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL }

/**
 * Render template text into out (appended). On failure out holds a partial
 * rendering the caller must not use, and the error message names
 * path:line (of the macro file for an error inside a macro).
 */
RAT_MUST_USE int rat_template__render(rat_buf *out, const char *text,
				      const rat_template_context *tc);

/**
 * The names passed to ref() anywhere in text, whatever branch of an
 * {% if %} they sit in: the pipeline's dependencies. Only string-literal
 * arguments count; a ref() of anything else is an error naming path:line.
 * Each name once, in order of first appearance; macro bodies called from
 * text are searched too.
 *
 * @param out receives the names (free with rat_strarray_free())
 */
RAT_MUST_USE int rat_template__refs(rat_strarray *out, const char *text,
				    const rat_template_context *tc);

#endif
