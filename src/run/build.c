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
#include "rat/catalog.h"
#include "rat/engine.h"
#include "rat/pipeline.h"
#include "rat/workspace.h"
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
#include <sys/stat.h>
#include <sys/wait.h>

/* Template callbacks */

static int ref_cb(void *ctx, const char *name, rat_buf *out)
{
	(void)ctx;
	return rat_sql__relation(out, name);
}

/* watermark() in a build: NULL while the table is new. */
static int watermark_cb(void *ctx, const char *column, rat_buf *out)
{
	build *b = ctx;

	if (!b->entry || b->entry->state.view)
		return rat_buf_puts(out, "NULL");
	return rat_pipeline__watermark(out, b->engine, b->relation, column);
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

static int render(build *b, rat_buf *sql)
{
	rat_template_context tc = RAT_TEMPLATE_CONTEXT_INIT;
	rat_buf landing = RAT_BUF_INIT;
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
	if (b->p->landing && (error = rat_run__list_literal(&landing, &b->new_abs)) == 0)
		tc.landing_files = rat_buf_cstr(&landing);
	if (!error)
		error = rat_template__render(sql, b->p->sql, &tc);
	rat_buf_free(&landing);
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

static bool has_all(const rat_strarray *columns, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!rat_strarray__contains(columns, names[i]))
			return false;
	return true;
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

static int schema_options(rat_write_options *opts, rat_buf *hint, const build *b)
{
	const rat_pipeline *p = b->p;
	int error;

	if (!b->incremental) {
		opts->schema_change = RAT_SCHEMA_REPLACE;
		return 0;
	}
	opts->schema_change = rat_run__schema_change(p->on_schema_change);
	if (p->on_schema_change == RAT_ON_SCHEMA_FAIL)
		error = rat_buf_printf(hint, "on_schema_change is fail: set it to append_new_columns, "
					     "sync_all_columns or ignore (in %s), or rebuild the "
					     "table with `rat run -f %s`, which replaces its schema",
				       p->config_display ? p->config_display : p->display, p->key);
	else
		error = rat_buf_printf(hint, "rebuild the table with `rat run -f %s`, which replaces "
					     "its schema (on_schema_change: %s)",
				       p->key, rat_pipeline__schema_changes[p->on_schema_change]);
	opts->schema_hint = rat_buf_cstr(hint);
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
	char *ingested_key = NULL, *stage = rat__sprintf("%s/stage", b->scratch);
	rat_buf hint = RAT_BUF_INIT;
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
	} else if (has_all(columns, layer.partition_by, layer.partition_by_count)) {
		opts.partition_by = layer.partition_by;
		opts.partition_count = layer.partition_by_count;
	}
	if ((error = schema_options(&opts, &hint, b)) != 0)
		goto cleanup;
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
	b->step->operation = !b->entry || b->entry->state.view ? "create"
			     : opts.mode == RAT_WRITE_MERGE	  ? "merge"
			     : opts.mode == RAT_WRITE_APPEND	  ? "append"
								  : "overwrite";
cleanup:
	free(ingested_key);
	free(stage);
	rat_buf_free(&hint);
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
	b->step->warnings = rat_run__keep(b->rec, rat_buf_cstr(&found.warnings));
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
	int error;

	if (b->p->kind != RAT_PIPELINE_SQL)
		return rat_run__run_executable(b, sql);
	if ((error = render(b, sql)) != 0)
		return error;
	b->step->sql = rat_run__keep(b->rec, rat_buf_cstr(sql));
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
	    (error = rat_workspace__open_catalog(&b->catalog, b->ctx->ws)) != 0 ||
	    (error = rat_workspace__open_engine(&b->engine, b->ctx->ws)) != 0 ||
	    /* a build writes a table: row order is not kept, which lets DuckDB stream and spill
	     * large sorts, windows and copies instead of holding them in memory */
	    (error = rat_engine_exec(b->engine, "SET preserve_insertion_order = false")) != 0 ||
	    (error = rat_catalog__contents(b->catalog, ref, &b->contents)) != 0 ||
	    (error = rat_session__bind(b->engine, b->ctx->ws, b->catalog, ref, true)) != 0)
		goto cleanup;
	b->entry = rat_catalog__find(&b->contents, p->key);
	b->incremental = p->materialized == RAT_MATERIALIZE_INCREMENTAL && b->entry &&
			 !b->entry->state.view && !b->ctx->opts->full_refresh;
	if (p->landing && b->incremental && (error = rat_run__load_ingested(b)) != 0)
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
		   (error = rat_run__add_ingestion_columns(b, sql, &columns)) == 0) {
		error = write_rows(b, rat_buf_cstr(sql), &columns);
	}
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

int rat_run__build(const rat_run_context *ctx, const rat_pipeline *p, rat_run_record *rec,
		   rat_run_step *step)
{
	build b;
	rat_buf sql = RAT_BUF_INIT;
	bool fresh = false;
	int error;

	memset(&b, 0, sizeof(b));
	b.ctx = ctx;
	b.p = p;
	b.rec = rec;
	b.step = step;
	if ((error = start(&b)) != 0)
		goto cleanup;
	if (p->landing && b.new_rel.count == 0) {
		step->status = RAT_STEP_SKIPPED;
		step->operation = "no new files";
		goto cleanup;
	}
	if ((error = produce(&b, &sql)) != 0)
		goto cleanup;
	if (sql.len == 0) { /* an executable that wrote nothing */
		step->status = RAT_STEP_SKIPPED;
		step->operation = "no output";
		goto cleanup;
	}
	if ((error = rat_run__fingerprint(&b, rat_buf_cstr(&sql))) != 0 ||
	    (error = rat_run__up_to_date(&b, rat_buf_cstr(&sql), &fresh)) != 0)
		goto cleanup;
	if (fresh) {
		step->status = RAT_STEP_SKIPPED;
		step->operation = "up to date";
		goto cleanup;
	}
	if (ctx->opts->dry_run) {
		step->status = RAT_STEP_OK;
		step->operation = b.incremental ? (p->unique_key.count ? "merge" : "append")
			: p->materialized == RAT_MATERIALIZE_VIEW ? "view"
			: b.entry ? "overwrite" : "create";
		goto cleanup;
	}
	if ((error = finish(&b, &sql)) == 0)
		step->status = RAT_STEP_OK;
cleanup:
	if (error && !b.named)
		rat_error__prefix("%s (%s)", p->key, p->display);
	rat_engine_free(b.engine);
	rat_catalog__free(b.catalog);
	rat_catalog__contents_free(&b.contents);
	rat_strarray_free(&b.ingested);
	rat_strarray_free(&b.new_abs);
	rat_strarray_free(&b.new_rel);
	if (b.scratch)
		rat_fs__remove_tree(b.scratch);
	free(b.scratch);
	rat_buf_free(&sql);
	return error;
}
