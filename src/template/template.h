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
 * watermark('col'), var('name', default), env_var('NAME', default), secret('NAME'),
 * run_started_at and landing_files (bronze ingestion). Nothing here touches a file, the engine or the catalog.
 *
 * Every error names the file and line: "pipelines/silver/orders.sql:12:
 * unknown function 'reff'".
 */
#ifndef RAT_PIPELINE_TEMPLATE_H
#define RAT_PIPELINE_TEMPLATE_H

#include "util/common.h"
#include "util/buf.h"

/*
 * Where a piece of rendered text came from, so that an error the engine
 * reports in the rendered SQL can name the template's file and line. Text
 * between tags maps to its own lines; what {{ expr }} prints maps to the
 * line of the tag, except the text a macro rendered, which maps to the
 * macro file's lines and keeps the line of the outermost call in the
 * rendered file (a macro's text changed by a filter or ~ maps to the call).
 */
typedef struct rat_template_origin {
	size_t offset;         /* the first rendered byte it covers, up to the next origin */
	const char *path;      /* the file (the context's path or a macro file's, borrowed) */
	const char *source;    /* that file's text (borrowed from the context) */
	int line;              /* 1-based, in path */
	const char *call_path; /* text a macro rendered: the file of the outermost call, else NULL */
	int call_line;
} rat_template_origin;

/* The origins of a rendering, by offset (free with rat_template__map_free()). */
typedef struct rat_template_map {
	rat_template_origin *items;
	size_t count;
	size_t cap;
	bool full;      /* TPL_MAX_ORIGINS reached: nothing is known from full_at on */
	size_t full_at;
} rat_template_map;

#define RAT_TEMPLATE_MAP_INIT { NULL, 0, 0, false, 0 }

void rat_template__map_free(rat_template_map *map);

/** The origin of the rendered byte at offset, or NULL when map does not know it. */
const rat_template_origin *rat_template__origin(const rat_template_map *map, size_t offset);

/**
 * Describe the rendered byte at offset of rendered (whose origins are map)
 * for an error message. where receives "path:line", or for text a macro
 * rendered "macros/m.sql:3 (called from path:line)"; excerpt receives the
 * source line and, when the rendered line differs from it, the rendered
 * one, with a caret under the byte:
 *
 *      line 4 |   n + {{ c }} AS x
 *    compiled |   n + nope AS x
 *             |       ^
 *
 * (two spaces in front of each line)
 *
 * (one line and the caret when they are the same; long lines are cut
 * around the caret). RAT_ENOTFOUND when map does not know offset.
 */
RAT_MUST_USE int rat_template__describe(rat_buf *where, rat_buf *excerpt,
					const rat_template_map *map, const char *rendered,
					size_t offset);

/**
 * When the last error carries a position in rendered (whose origins are
 * map) that map knows, rewrite it as "<who>: <path:line>: <message>" and
 * the excerpt (code is the caller's), keeping its class, detail and
 * position; true then.
 * false (the error untouched) otherwise: the caller names it its own way.
 */
bool rat_template__place_error(int code, const rat_template_map *map, const char *rendered,
			       const char *who);

/* A macro file of the workspace: its path (for messages) and its text. */
typedef struct rat_template_source {
	const char *path;
	const char *text;
} rat_template_source;

/* A quoted watermark('col') with no value yet: the original Ratatouille's default. */
#define RAT_TEMPLATE_WATERMARK_NONE "1970-01-01 00:00:00"

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
	 * in_string: the call stands inside a SQL string literal of the text
	 * ('{{ watermark('col') }}', the original Ratatouille's form): append
	 * the bare value instead (2024-03-01 10:00:00; the template doubles its
	 * quotes), or RAT_TEMPLATE_WATERMARK_NONE when there is none yet.
	 * NULL callback: watermark() renders NULL (RAT_TEMPLATE_WATERMARK_NONE
	 * in a string).
	 */
	int (*watermark)(void *ctx, const char *column, bool in_string, rat_buf *out);
	/* var(name): the value of a run variable, or NULL when not set (the
	 * default argument is used then, and without one it is an error). */
	const char *(*var)(void *ctx, const char *name);
	/*
	 * env_var(name): *value receives the variable's value, or NULL when it
	 * is not set (the default argument is used then, and without one it is
	 * an error). A negative code after setting the error refuses the name
	 * (a variable the workspace may not read; the message is prefixed with
	 * path:line). Called with env_ctx. NULL: no variable is set (a template
	 * never reads the process environment itself).
	 */
	int (*env)(void *env_ctx, const char *name, const char **value);
	/*
	 * secret(name): *value receives the workspace's secret; a negative code
	 * after setting the error when it has none (or its secrets cannot be
	 * opened). Called with env_ctx. NULL: secret() is an error.
	 */
	int (*secret)(void *env_ctx, const char *name, const char **value);
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
	/*
	 * NULL, or where rat_template__render() records the origins of the text
	 * it appends (offsets from out->len at the call). Filled on failure too.
	 */
	rat_template_map *map;
} rat_template_context;

#define RAT_TEMPLATE_CONTEXT_INIT                                                                  \
	{ NULL, NULL, NULL, false, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL, NULL }

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
