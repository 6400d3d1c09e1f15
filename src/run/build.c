/*
 * run/build.c - building one pipeline on the run branch (build.h).
 *
 * A build opens its own engine session bound to the run branch as it is
 * when the build starts (so it sees what upstream builds committed) and
 * locked down like any session: the pipeline's SQL reaches the workspace's
 * tables and landing folder and nothing else. It renders the SQL (or runs
 * the executable and reads what it wrote, exec.c), skips the build when its
 * fingerprint matches the table's (fingerprint.c), writes the table (or the
 * view) and commits it to the run branch, then rebinds the new version and
 * runs the pipeline's checks on it. Landing files: ingest.c.
 *
 * Every error of a build names the pipeline once: the parts that word a
 * message around the pipeline ("gold.x: checks failed in x.yaml: ...")
 * say so in b->named; rat_run__build() puts "<key> (<file>)" in front of
 * any other.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/random.h"
#include "util/sha256.h"
#include "util/sql.h"
#include "util/mask.h"
#include "rat/catalog.h"
#include "rat/engine.h"
#include "rat/pipeline.h"
#include "rat/workspace.h"
#include "engine/describe.h"
#include "engine/engine.h"
#include "pipeline/config.h"
#include "quality/quality.h"
#include "run/build.h"
#include "run/run.h"
#include "session/session.h"
#include "template/template.h"
#include "workspace/tables.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* Template callbacks */

static int ref_cb(void *ctx, const char *name, rat_buf *out)
{
	const build *b = ctx;

	return rat_pipeline__ref_relation(out, b->ctx->pipelines, b->p, name);
}

/* watermark() in a build: NULL while the table is new. */
static int watermark_cb(void *ctx, const char *column, bool in_string, rat_buf *out)
{
	build *b = ctx;

	if (!b->entry || b->entry->state.view)
		return rat_buf_puts(out, in_string ? RAT_TEMPLATE_WATERMARK_NONE : "NULL");
	return rat_pipeline__watermark(out, b->engine, b->relation, column, in_string);
}

static const char *var_cb(void *ctx, const char *name)
{
	const build *b = ctx;
	size_t i, n = strlen(name);

	for (i = 0; i < b->ctx->opts->var_count; i++) {
		const char *v = b->ctx->opts->vars[i];
		if (strncmp(v, name, n) == 0 && v[n] == '=')
			return v + n + 1;
	}
	return NULL;
}

int rat_run__render(build *b, rat_buf *sql, const rat_strarray *landing, rat_template_map *map)
{
	rat_template_context tc = RAT_TEMPLATE_CONTEXT_INIT;
	rat_buf files = RAT_BUF_INIT;
	int error = 0;

	tc.path = b->p->display;
	tc.ref = ref_cb;
	tc.this_relation = b->relation;
	tc.is_incremental = b->incremental;
	tc.watermark = watermark_cb;
	tc.var = var_cb;
	rat_pipeline__template_env(&tc, b->ctx->pipelines);
	tc.run_started_at = b->ctx->started_at;
	tc.macros = b->ctx->pipelines->macros;
	tc.macro_count = b->ctx->pipelines->macro_count;
	tc.ctx = b;
	tc.map = map;
	if (b->p->landing && (error = rat_run__list_literal(&files, landing)) == 0)
		tc.landing_files = rat_buf_cstr(&files);
	if (!error)
		error = rat_template__render(sql, b->p->sql, &tc);
	rat_buf_free(&files);
	return error;
}

/* Landing files */

/* Executable pipelines */

/* Writing */

/* The column names a query returns (planned with LIMIT 0, not run). */
static int result_columns(rat_strarray *out, rat_engine *engine, const char *sql)
{
	rat_result *result = NULL;
	rat_buf q = RAT_BUF_INIT;
	size_t i;
	int error;

	if ((error = rat_buf_printf(&q, "SELECT * FROM (%s\n) LIMIT 0", sql)) == 0 &&
	    (error = rat_engine_query(&result, engine, rat_buf_cstr(&q))) == 0)
		for (i = 0; !error && i < rat_result_column_count(result); i++)
			error = rat_strarray__push(out, rat_result_column_name(result, i));
	rat_result_free(result);
	rat_buf_free(&q);
	return error;
}

/*
 * Whether the query has the column of every partition ("col" or "day(col)");
 * else a warning for the step naming those it lacks: the layer's default
 * partitioning is then not applied.
 */
static int has_all(bool *out, build *b, const rat_strarray *columns, const char *const *names,
		   size_t n)
{
	rat_buf missing = RAT_BUF_INIT;
	size_t i, count = 0;
	int error = 0;

	for (i = 0; !error && i < n; i++) {
		const char *open = strchr(names[i], '('), *col = open ? open + 1 : names[i];
		size_t len = open ? strcspn(col, ")") : strlen(col), j;
		bool found = false;
		for (j = 0; j < columns->count; j++)
			found |= strlen(columns->strings[j]) == len &&
				 strncasecmp(columns->strings[j], col, len) == 0;
		if (!found && ++count)
			error = rat_buf_printf(&missing, "%s%.*s", missing.len ? ", " : "", (int)len, col);
	}
	*out = count == 0;
	if (!error && count)
		error = rat_buf_printf(&b->warnings, "%slayers.%s.partition_by: %s %s of %s; the "
						     "table is not partitioned",
				       b->warnings.len ? "\n" : "", b->p->layer, rat_buf_cstr(&missing),
				       count == 1 ? "is not a column" : "are not columns", b->p->key);
	rat_buf_free(&missing);
	return error;
}

/*
 * A rebuilt table (a table, or a full refresh) takes the query's schema,
 * types included; an incremental build follows on_schema_change, and a
 * refusal says how to allow the change (hint).
 */
rat_schema_change rat_run__schema_change(rat_on_schema_change setting)
{
	static const rat_schema_change modes[] = {
		[RAT_ON_SCHEMA_FAIL] = RAT_SCHEMA_FAIL,
		[RAT_ON_SCHEMA_APPEND_NEW] = RAT_SCHEMA_APPEND,
		[RAT_ON_SCHEMA_IGNORE] = RAT_SCHEMA_IGNORE,
		[RAT_ON_SCHEMA_SYNC_ALL] = RAT_SCHEMA_SYNC,
	};

	return modes[setting];
}

/* hints[0]: how to allow a refused change of columns; hints[1]: of a column's type. */
static int schema_options(rat_write_options *opts, rat_buf hints[2], const build *b)
{
	const rat_pipeline *p = b->p;
	int error;

	if (!b->incremental) {
		opts->schema_change = RAT_SCHEMA_REPLACE;
		return 0;
	}
	opts->schema_change = rat_run__schema_change(p->on_schema_change);
	if (p->on_schema_change == RAT_ON_SCHEMA_FAIL)
		error = rat_buf_printf(&hints[0], "on_schema_change is fail: set it to "
						  "append_new_columns, sync_all_columns or ignore (in "
						  "%s), or rebuild the table with `rat run -f %s`, "
						  "which replaces its schema",
				       p->config_display ? p->config_display : p->display, p->key);
	else
		error = rat_buf_printf(&hints[0], "rebuild the table with `rat run -f %s`, which "
						  "replaces its schema (on_schema_change: %s)",
				       p->key, rat_pipeline__schema_changes[p->on_schema_change]);
	if (!error)
		error = rat_buf_printf(&hints[1], "cast it in the query, or rebuild the table with "
						  "`rat run -f %s`, which replaces its schema",
				       p->key);
	opts->schema_hint = rat_buf_cstr(&hints[0]);
	opts->retype_hint = rat_buf_cstr(&hints[1]);
	return error;
}

static int write_rows(build *b, const char *select_sql, const rat_strarray *columns)
{
	const rat_pipeline *p = b->p;
	rat_write_options opts = RAT_WRITE_OPTIONS_INIT;
	rat_layer_settings layer;
	rat_resources res;
	rat_layer which;
	rat_write_result result;
	const char *props[6];
	size_t nprops = 0;
	bool layer_partitions = false;
	char *ingested_key = NULL, *stage = rat__sprintf("%s/stage", b->scratch);
	rat_buf hints[2] = { RAT_BUF_INIT, RAT_BUF_INIT };
	int error = 0;

	if (!stage)
		return RAT_ENOMEM;
	if ((error = rat_layer_parse(&which, p->layer)) != 0)
		goto cleanup;
	rat_workspace_layer(b->ctx->ws, which, &layer);
	rat_workspace_resources(b->ctx->ws, &res);
	opts.mode = !b->incremental ? RAT_WRITE_OVERWRITE
		    : p->unique_key.count ? RAT_WRITE_MERGE : RAT_WRITE_APPEND;
	opts.unique_key = (const char *const *)p->unique_key.strings;
	opts.unique_key_count = p->unique_key.count;
	if (p->partition_by_set) {
		opts.partition_by = (const char *const *)p->partition_by.strings;
		opts.partition_count = p->partition_by.count;
	} else if ((error = has_all(&layer_partitions, b, columns, layer.partition_by,
				    layer.partition_by_count)) != 0) {
		goto cleanup;
	} else if (layer_partitions) {
		opts.partition_by = layer.partition_by;
		opts.partition_count = layer.partition_by_count;
	}
	if ((error = schema_options(&opts, hints, b)) != 0)
		goto cleanup;
	/* a full rebuild needs nothing of the old version: one that cannot be read is replaced */
	opts.replace_unreadable = b->ctx->opts->full_refresh != 0;
	opts.scratch_dir = stage;
	opts.row_group_size = res.chunk_size_rows;
	opts.now_ms = 0;
	props[nprops++] = "rat.run-id";
	props[nprops++] = b->ctx->run_id;
	props[nprops++] = FINGERPRINT_KEY;
	props[nprops++] = b->fingerprint;
	if (p->landing && p->materialized == RAT_MATERIALIZE_INCREMENTAL) {
		if ((error = rat_run__save_ingested(b, &ingested_key)) != 0)
			goto cleanup;
		props[nprops++] = INGESTED_KEY;
		props[nprops++] = ingested_key;
	}
	opts.summary_properties = props;
	opts.summary_property_count = nprops / 2;
	if ((error = rat_workspace__write_table_unpinned(&result, b->ctx->ws, b->catalog, b->engine,
							 b->ctx->branch, p->key, select_sql, &opts,
							 b->ctx->author)) != 0)
		goto cleanup;
	b->step->rows_in = result.added_rows;
	b->step->files_added = result.added_files;
	b->step->files_removed = result.removed_files;
	b->step->write_passes = result.write_passes;
	b->step->operation = !b->entry || b->entry->state.view || result.unreadable[0] ? "create"
			     : opts.mode == RAT_WRITE_MERGE	  ? "merge"
			     : opts.mode == RAT_WRITE_APPEND	  ? "append"
								  : "overwrite";
	if (result.unreadable[0])
		error = rat_buf_printf(&b->warnings, "%sthe table's metadata could not be read, and "
						     "was replaced: a new table, whose history starts "
						     "here (%s)",
				       b->warnings.len ? "\n" : "", result.unreadable);
cleanup:
	free(ingested_key);
	free(stage);
	rat_buf_free(&hints[0]);
	rat_buf_free(&hints[1]);
	return error;
}

/* Run the checks on the new version; an error-severity violation fails the build. */
static int run_checks(build *b)
{
	rat_check_outcome found = RAT_CHECK_OUTCOME_INIT;
	int error = rat_quality__run_checks(&found, b->engine, b->p, b->ctx->pipelines, b->relation);

	b->step->checks_passed = found.passed;
	b->step->checks_warned = found.warned;
	b->step->checks_failed = found.failed;
	if (!error && found.warnings.len)
		error = rat_buf_printf(&b->warnings, "%s%s", b->warnings.len ? "\n" : "",
				       rat_buf_cstr(&found.warnings));
	if (!error && found.failed) {
		error = rat_quality__checks_failed(b->p, &found);
		b->named = true;
	}
	rat_quality__check_outcome_free(&found);
	return error;
}

/* The SELECT the pipeline produces: rendered SQL, or what its executable wrote ("" for nothing). */
static int produce(build *b, rat_buf *sql)
{
	char *shown;
	int error;

	if (b->p->kind != RAT_PIPELINE_SQL)
		return rat_run__run_executable(b, sql);
	if ((error = rat_run__render(b, sql, &b->new_abs, &b->origins)) != 0) {
		/* a template's errors start with path:line; running out of memory does not */
		b->located = rat_error_last()->klass != RAT_ERRCLASS_NOMEMORY;
		return error;
	}
	/* what the record keeps and a dry run shows: the secrets' values masked, the offsets kept */
	if ((shown = rat__strdup(rat_buf_cstr(sql))) == NULL)
		return RAT_ENOMEM;
	rat_mask__same_length(shown);
	b->step->sql = rat_run__keep(b->rec, shown);
	free(shown);
	/* the engine's errors in it are told as positions in it, not in librat's wrappers */
	return rat_engine__set_user_sql(b->engine, rat_buf_cstr(sql));
}

/*
 * Put the pipeline in front of the error: "<key>: <file>:<line>: <message>"
 * and the line, when the engine said where in the rendered SQL it failed
 * (or the template did); "<key> (<file>): <message>" otherwise.
 */
static void name_error(build *b, int code)
{
	rat_error__ensure(code);
	if (b->located)
		rat_error__prefix("%s", b->p->key);
	else if (b->p->kind != RAT_PIPELINE_SQL ||
		 !rat_template__place_error(code, &b->origins, b->step->sql, b->p->key))
		rat_error__prefix("%s (%s)", b->p->key, b->p->display);
}

/* Whether the table b's entry records holds rows (from its manifests). */
static int holds_rows(build *b, bool *rows)
{
	rat_store *store = NULL;
	rat_scan scan;
	bool exact;
	int error;

	if ((error = rat_workspace__plan_entry(&scan, &store, b->ctx->ws, b->entry)) != 0)
		return error;
	/* equality deletes (never librat's) may remove every row: only a read could
	 * tell, and an incremental build over them is what was asked */
	*rows = rat_workspace__live_rows(&scan, &exact) > 0 || !exact;
	rat_table__scan_free(&scan);
	rat_store__free(store);
	return 0;
}

static int start(build *b)
{
	const rat_pipeline *p = b->p;
	const char *ref = b->ctx->read_ref ? b->ctx->read_ref : b->ctx->branch;
	rat_buf rel = RAT_BUF_INIT;
	int error;

	if ((error = rat_sql__relation(&rel, p->key)) != 0)
		goto cleanup;
	snprintf(b->relation, sizeof(b->relation), "%s", rat_buf_cstr(&rel));
	b->scratch = rat__sprintf("%s/runs/%s/%s", rat_workspace_spill_dir(b->ctx->ws),
				  b->ctx->run_id, p->key);
	if (!b->scratch) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = rat_fs__mkdir_p(b->scratch)) != 0 ||
	    (error = (b->ctx->read_ref ? rat_workspace__read_catalog /* a dry run */
				       : rat_workspace__open_catalog)(&b->catalog, b->ctx->ws)) != 0 ||
	    (error = rat_workspace__open_engine(&b->engine, b->ctx->ws)) != 0 ||
	    (rat_run__watch_engine(b->ctx, b->index, b->engine), false) ||
	    /* a build writes a table: row order is not kept, which lets DuckDB stream and spill
	     * large sorts, windows and copies instead of holding them in memory */
	    (error = rat_engine_exec(b->engine, "SET preserve_insertion_order = false")) != 0 ||
	    (error = rat_catalog__contents(b->catalog, ref, &b->contents)) != 0 ||
	    (error = rat_session__bind(b->engine, b->ctx->ws, b->catalog, ref, true)) != 0)
		goto cleanup;
	b->entry = rat_catalog__find(&b->contents, p->key);
	b->incremental = p->materialized == RAT_MATERIALIZE_INCREMENTAL && b->entry &&
			 !b->entry->state.view && !b->ctx->opts->full_refresh;
	/* the files a table ingested stay ingested while it exists, emptied (by
	 * retention, say) or not: a landing file is read once */
	if ((p->landing && b->incremental && (error = rat_run__load_ingested(b)) != 0) ||
	    (p->landing_url && (error = rat_run__bring_landing(b)) != 0) ||
	    (p->landing && b->incremental && (error = rat_run__landing_changes(b)) != 0))
		goto cleanup;
	/* is_incremental() is false while the table holds no rows: a filter on its
	 * watermark would otherwise keep an empty table empty for ever */
	if (b->incremental && (error = holds_rows(b, &b->incremental)) != 0)
		goto cleanup;
	if ((error = rat_run__ingestion_stamp(b)) != 0)
		goto cleanup;
	if (p->landing)
		error = rat_run__new_landing_files(&b->new_abs, &b->new_rel, b->ctx->ws, p,
						   &b->ingested);
	b->step->files_ingested = (int64_t)b->new_rel.count;
cleanup:
	rat_buf_free(&rel);
	return error;
}

static int finish(build *b, rat_buf *sql)
{
	rat_strarray columns = RAT_STRARRAY_INIT;
	int error;

	if (b->p->materialized == RAT_MATERIALIZE_VIEW) {
		error = rat_workspace__write_view(b->ctx->ws, b->catalog, b->engine, b->ctx->branch,
						  b->p->key, rat_buf_cstr(sql), b->ctx->author);
		b->step->operation = "view";
	} else if ((error = result_columns(&columns, b->engine, rat_buf_cstr(sql))) == 0 &&
		   (error = rat_run__check_landing_columns(b, &columns)) == 0 &&
		   (error = rat_run__add_ingestion_columns(b, sql, &columns)) == 0) {
		error = write_rows(b, rat_buf_cstr(sql), &columns);
	}
	if (error && !b->located)
		rat_run__explain_landing_error(b, error);
	/* the rows after the step: from the manifests, unless only a read can tell */
	if (!error &&
	    (error = rat_workspace__bind_key(b->engine, b->ctx->ws, b->catalog, b->ctx->branch,
					     b->p->key, &b->step->rows_out)) == 0 &&
	    b->step->rows_out < 0) {
		rat_buf all = RAT_BUF_INIT;
		if ((error = rat_buf_printf(&all, "SELECT * FROM %s", b->relation)) == 0)
			error = rat_quality__count_rows(b->engine, rat_buf_cstr(&all),
							&b->step->rows_out);
		rat_buf_free(&all);
	}
	if (!error)
		error = run_checks(b);
	rat_strarray_free(&columns);
	return error;
}

/*
 * In a dry run, the step of key if this run would build it (its compiled
 * SQL when it has some); NULL when the run leaves key as the branch has it.
 * Steps run in the DAG's order: a dependency's step ended before b's began.
 */
static const rat_run_step *planned_step(const build *b, const char *key)
{
	const rat_run_info *run = &b->rec->info;
	size_t i;

	for (i = 0; i < run->step_count; i++)
		if (strcmp(run->steps[i].key, key) == 0)
			return run->steps[i].status == RAT_STEP_OK ? &run->steps[i] : NULL;
	return NULL;
}

/* Whether a dry run would rebuild something p reads: p is then not up to date either. */
static bool upstream_changes(const build *b)
{
	size_t i;

	for (i = 0; i < b->p->deps.count; i++)
		if (planned_step(b, b->p->deps.strings[i]))
			return true;
	return false;
}

/* Define p's table in b's session as its compiled sql would write it (bronze's stamps added). */
static int bind_as_written(build *b, const rat_pipeline *p, const char *sql)
{
	rat_strarray columns = RAT_STRARRAY_INIT;
	rat_buf written = RAT_BUF_INIT;
	int error;

	if ((error = rat_buf_puts(&written, sql)) == 0 &&
	    (error = result_columns(&columns, b->engine, sql)) == 0 &&
	    (error = rat_run__with_ingestion_columns(&written, p->layer, b->ctx->started_at,
						      &columns)) == 0)
		error = rat_workspace__bind_sql(b->engine, p->key, rat_buf_cstr(&written));
	rat_strarray_free(&columns);
	rat_buf_free(&written);
	return error;
}

/*
 * Define what key would be after this dry run in b's session: a view of the
 * SQL its step compiled, what it reads that the run would change first (the
 * DAG has no cycle). *unknown: something on the way is built by an
 * executable, whose schema cannot be known before it runs.
 */
static int bind_planned(build *b, const char *key, bool *unknown, int depth)
{
	const rat_pipeline *p = rat_pipeline__find(b->ctx->pipelines, key);
	const rat_run_step *s = planned_step(b, key);
	size_t i;
	int error = 0;

	if (!s)
		return 0; /* as the branch has it */
	if (!p || !s->sql || !s->sql[0] || depth > 64) {
		*unknown = true;
		return 0;
	}
	for (i = 0; !error && !*unknown && i < p->deps.count; i++)
		error = bind_planned(b, p->deps.strings[i], unknown, depth + 1);
	if (error || *unknown)
		return error;
	return bind_as_written(b, p, s->sql);
}

/*
 * A dry run binds the compiled SQL against the tables as the run would
 * leave them, running nothing: the branch's, and what the run would build
 * first as its own SQL. A query over the output of an executable the run
 * would run cannot be bound: the step says so.
 */
static int dry_check(build *b, const char *sql)
{
	rat_query_desc desc = { NULL, 0 };
	bool unknown = false;
	size_t i;
	int next_id = 1, error = 0;

	for (i = 0; !error && !unknown && i < b->p->deps.count; i++)
		error = bind_planned(b, b->p->deps.strings[i], &unknown, 0);
	if (!error && unknown)
		return rat_buf_printf(&b->warnings, "%snot bound: an input is built by an "
				      "executable this run would run", b->warnings.len ? "\n" : "");
	if (!error)
		error = rat_engine__describe(&desc, b->engine, sql, &next_id);
	rat_engine__query_desc_free(&desc);
	return error;
}

/* What a build holds, released. */
static void build_free(build *b)
{
	rat_engine_free(b->engine);
	rat_catalog__free(b->catalog);
	rat_catalog__contents_free(&b->contents);
	rat_strarray_free(&b->ingested);
	free(b->ingested_stats);
	rat_buf_free(&b->warnings);
	rat_strarray_free(&b->new_abs);
	rat_strarray_free(&b->new_rel);
	rat_template__map_free(&b->origins);
	if (b->scratch)
		rat_fs__remove_tree(b->scratch);
	free(b->scratch);
}

/* The step ends here with status, saying operation. */
static void ends(build *b, rat_step_status status, const char *operation)
{
	b->step->status = status;
	b->step->operation = operation;
}

/* What a dry run would do to p's table. */
static const char *planned_operation(const build *b)
{
	if (b->incremental)
		return b->p->unique_key.count ? "merge" : "append";
	return b->p->materialized == RAT_MATERIALIZE_VIEW ? "view"
	       : b->entry				 ? "overwrite"
							 : "create";
}

/*
 * A Python pipeline whose inputs rat knows: decorated, reading its landing
 * folder (and the tables it depends_on). Others may read anything (an API,
 * a file elsewhere): they run every time.
 */
static bool known_inputs(const rat_pipeline *p)
{
	return p->py_function && p->landing;
}

/* The fingerprint of a known-inputs pipeline from its source file, and whether its table has it. */
static int source_fingerprint(build *b, bool *fresh)
{
	rat_buf text = RAT_BUF_INIT;
	int error;

	if ((error = rat_fs__read_file(&text, b->p->source_path, (size_t)4 << 20)) == 0 &&
	    (error = rat_run__fingerprint(b, rat_buf_cstr(&text))) == 0)
		error = rat_run__up_to_date(b, rat_buf_cstr(&text), fresh);
	rat_buf_free(&text);
	return error;
}

int rat_run__build(const rat_run_context *ctx, size_t index, const rat_pipeline *p,
		   rat_run_record *rec, rat_run_step *step)
{
	build b;
	rat_buf sql = RAT_BUF_INIT;
	bool fresh = false;
	size_t i;
	int error;

	memset(&b, 0, sizeof(b));
	b.ctx = ctx;
	b.index = index;
	b.p = p;
	b.rec = rec;
	b.step = step;
	for (i = 0, error = 0; !error && i < p->warnings.count; i++) /* noticed by loading it */
		error = rat_buf_printf(&b.warnings, "%s%s", i ? "\n" : "", p->warnings.strings[i]);
	if (error || (error = start(&b)) != 0 || (rat_run__cancelled(ctx) && (error = rat_run__cancel_error(ctx))))
		goto cleanup;
	if (p->landing && b.new_rel.count == 0) {
		ends(&b, RAT_STEP_SKIPPED, "no new files");
		goto cleanup;
	}
	if (known_inputs(p)) { /* skipped before it runs when its source and inputs are the same */
		if ((error = source_fingerprint(&b, &fresh)) != 0)
			goto cleanup;
		if (fresh && !ctx->opts->dry_run) {
			ends(&b, RAT_STEP_SKIPPED, "up to date");
			goto cleanup;
		}
	}
	if (ctx->opts->dry_run && p->kind != RAT_PIPELINE_SQL) {
		ends(&b, RAT_STEP_OK, "not run (executable)"); /* a dry run executes nothing */
		goto cleanup;
	}
	if ((error = produce(&b, &sql)) != 0)
		goto cleanup;
	if (sql.len == 0) { /* an executable that wrote nothing */
		ends(&b, RAT_STEP_SKIPPED, "no output");
		goto cleanup;
	}
	if (!known_inputs(p) && ((error = rat_run__fingerprint(&b, rat_buf_cstr(&sql))) != 0 ||
				 (error = rat_run__up_to_date(&b, rat_buf_cstr(&sql), &fresh)) != 0))
		goto cleanup;
	if (fresh && !(ctx->opts->dry_run && upstream_changes(&b))) {
		ends(&b, RAT_STEP_SKIPPED, "up to date"); /* (a dry run would rebuild what it reads) */
		goto cleanup;
	}
	if (ctx->opts->dry_run) {
		if ((error = dry_check(&b, rat_buf_cstr(&sql))) == 0)
			ends(&b, RAT_STEP_OK, planned_operation(&b));
	} else if (rat_run__cancelled(ctx)) {
		error = rat_run__cancel_error(ctx);
	} else if ((error = finish(&b, &sql)) == 0) {
		step->status = RAT_STEP_OK;
	}
cleanup:
	if (error && !b.named)
		name_error(&b, error);
	if (b.warnings.len)
		step->warnings = rat_run__keep(rec, rat_buf_cstr(&b.warnings));
	rat_run__watch_engine(ctx, index, NULL);
	build_free(&b);
	rat_buf_free(&sql);
	return error;
}
