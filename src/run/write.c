/*
 * run/write.c - rat_engine_write_table() (rat/engine.h): a table written
 * from a session's query, write-audit-publish like a run of one table.
 *
 * 1. The rows of the query, run in the caller's session (so it reads what
 *    the caller registered there), are written as the table on a branch of
 *    their own, run/write-<id>, forked from the branch's head H.
 * 2. A session bound to that branch runs the table's checks when a pipeline
 *    builds it (its column tests and tests[]: the same checks a run runs).
 * 3. Only then are the branch's changes since H one commit on the target
 *    branch (catalog/squash.c: it lands when the branch moved, unless the
 *    table changed there too), and run/write-<id> is deleted. A failed
 *    check keeps it, for inspection; a failed write deletes it.
 *
 * An overwrite replaces the table's schema, as a pipeline's full build
 * does; an append follows the pipeline's on_schema_change, or adds new
 * columns. The write clears the table's build fingerprint, so the
 * pipeline's next run rebuilds it instead of taking it as its own build.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/random.h"
#include "util/sql.h"
#include "rat/engine.h"
#include "rat/workspace.h"
#include "engine/engine.h"
#include "pipeline/config.h"
#include "quality/quality.h"
#include "run/build.h"
#include "session/session.h"
#include "workspace/tables.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int rat_write_table_options_init(rat_write_table_options *opts, unsigned int version)
{
	static const rat_write_table_options init = RAT_WRITE_TABLE_OPTIONS_INIT;

	return rat__options_init(opts, &init, sizeof(init), version, RAT_WRITE_TABLE_OPTIONS_VERSION,
				 "rat_write_table_options");
}

typedef struct writing {
	const rat_workspace *ws;
	rat_engine *engine; /* the caller's session: it runs the query */
	const char *table, *sql, *branch, *author;
	const rat_write_table_options *opts;
	rat_write_table_result *out;
	rat_pipelines all;
	const rat_pipeline *p; /* the pipeline that builds the table, or NULL */
	rat_catalog *catalog;
	char base[RAT_HASH_LEN + 1];
	char id[48];
	char run_branch[RUN_BRANCH_MAX];
	bool forked, keep_branch;
} writing;

/* engine is a session of ws: its query reads ws's tables, and only ws's are written. */
static int check_session(const writing *w)
{
	const char *owner = rat_engine__session_workspace(w->engine);

	if (owner && strcmp(owner, rat_workspace_path(w->ws)) == 0)
		return 0;
	return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
			      "the session is not one of workspace '%s': a table is written from a "
			      "session of its own workspace (rat_engine_open)",
			      rat_workspace_name(w->ws));
}

/* The options, the session, the table's pipeline; then the branch run/write-<id> at the head. */
static int start(writing *w)
{
	char *location = NULL, stamp[32];
	unsigned char bytes[3];
	time_t secs = (time_t)(rat_workspace_now_ms(w->ws) / 1000);
	struct tm tm;
	int error;

	if ((error = rat_workspace__table_location(&location, w->ws, w->table)) != 0 ||
	    (error = rat_workspace__target_branch(&w->branch, w->ws, w->opts->branch)) != 0 ||
	    (error = check_session(w)) != 0 ||
	    (error = rat_pipeline__load_all(&w->all, w->ws)) != 0)
		goto cleanup;
	snprintf(w->out->branch, sizeof(w->out->branch), "%s", w->branch);
	w->p = rat_pipeline__find(&w->all, w->table);
	if (w->p && w->p->materialized == RAT_MATERIALIZE_VIEW) {
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				       "%s is a view (%s): only tables are written", w->table,
				       w->p->display);
		goto cleanup;
	}
	gmtime_r(&secs, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	if ((error = rat_random__bytes(bytes, sizeof(bytes))) != 0)
		goto cleanup;
	snprintf(w->id, sizeof(w->id), "write-%s-%02x%02x%02x", stamp, bytes[0], bytes[1], bytes[2]);
	snprintf(w->run_branch, sizeof(w->run_branch), "run/%s/%s", rat_workspace_name(w->ws), w->id);
	if ((error = rat_workspace__create_catalog(&w->catalog, w->ws)) == 0 &&
	    (error = rat_catalog__resolve(w->catalog, w->branch, w->base)) == 0 &&
	    (error = rat_catalog__create_ref(w->catalog, w->run_branch, RAT_REF_BRANCH, w->base)) == 0)
		w->forked = true;
cleanup:
	free(location);
	return error;
}

/* Whether the query gives every one of names (it is planned, not run). */
static int query_has(bool *all, rat_engine *engine, const char *sql, const char *const *names,
		     size_t n)
{
	rat_result *result = NULL;
	rat_buf q = RAT_BUF_INIT;
	size_t i, j;
	int error = 0;

	*all = true;
	if (n > 0 && (error = rat_buf_printf(&q, "SELECT * FROM (%s\n) LIMIT 0", sql)) == 0 &&
	    (error = rat_engine_query(&result, engine, rat_buf_cstr(&q))) == 0)
		for (i = 0; *all && i < n; i++) {
			bool found = false;
			for (j = 0; !found && j < rat_result_column_count(result); j++)
				found = strcmp(rat_result_column_name(result, j), names[i]) == 0;
			*all = found;
		}
	rat_result_free(result);
	rat_buf_free(&q);
	return error;
}

/*
 * How the rows go in: an overwrite replaces the schema; an append follows
 * the pipeline's on_schema_change (merging on its unique_key), or adds new
 * columns; hint says how to allow what it refuses. The partitioning of a
 * new or replaced table: the pipeline's, else the layer's when the query
 * has its columns.
 */
static int write_options(rat_write_options *o, rat_buf *hint, const writing *w)
{
	const rat_pipeline *p = w->p;
	rat_layer_settings layer;
	rat_layer which;
	bool has_layer_columns;
	int error;

	if (w->opts->mode == RAT_WRITE_TABLE_OVERWRITE) {
		o->mode = RAT_WRITE_OVERWRITE;
		o->schema_change = RAT_SCHEMA_REPLACE;
	} else {
		o->mode = p && p->unique_key.count ? RAT_WRITE_MERGE : RAT_WRITE_APPEND;
		o->unique_key = p ? (const char *const *)p->unique_key.strings : NULL;
		o->unique_key_count = p ? p->unique_key.count : 0;
		o->schema_change = p ? rat_run__schema_change(p->on_schema_change) : RAT_SCHEMA_APPEND;
	}
	if (p && p->on_schema_change == RAT_ON_SCHEMA_FAIL && o->mode != RAT_WRITE_OVERWRITE)
		error = rat_buf_printf(hint, "on_schema_change is fail: set it to append_new_columns, "
					     "sync_all_columns or ignore (in %s), or overwrite the "
					     "table (rat write without --append), which replaces its "
					     "schema",
				       p->config_display ? p->config_display : p->display);
	else
		error = rat_buf_puts(hint, "overwrite the table (rat write without --append), which "
					   "replaces its schema");
	o->schema_hint = rat_buf_cstr(hint);
	o->retype_hint = "cast it in the query, or overwrite the table (rat write without "
			 "--append), which replaces its schema";
	if (error || (p && p->partition_by_set)) {
		o->partition_by = p ? (const char *const *)p->partition_by.strings : NULL;
		o->partition_count = p ? p->partition_by.count : 0;
		return error;
	}
	/* (start() checked the name: a layer or a namespace, a dot, a table) */
	if (!rat_workspace__key_layer(&which, w->table))
		return 0; /* a namespace: no layer's partitioning */
	rat_workspace_layer(w->ws, which, &layer);
	if ((error = query_has(&has_layer_columns, w->engine, w->sql, layer.partition_by,
			       layer.partition_by_count)) == 0 &&
	    has_layer_columns) {
		o->partition_by = layer.partition_by;
		o->partition_count = layer.partition_by_count;
	}
	return error;
}

/* Write the rows on the write's branch. */
static int write_rows(writing *w)
{
	rat_write_options o = RAT_WRITE_OPTIONS_INIT;
	rat_write_result result;
	rat_buf hint = RAT_BUF_INIT;
	/* "": the table is no longer its pipeline's last build, which its next run redoes */
	const char *props[] = { FINGERPRINT_KEY, "", "rat.write-id", w->id };
	int error;

	o.summary_properties = props;
	o.summary_property_count = 2;
	if ((error = write_options(&o, &hint, w)) == 0 &&
	    (error = rat_workspace__write_table_unpinned(&result, w->ws, w->catalog, w->engine,
							 w->run_branch, w->table, w->sql, &o,
							 w->author)) == 0) {
		w->out->snapshot_id = result.snapshot_id;
		w->out->rows_written = result.added_rows;
	}
	rat_buf_free(&hint);
	return error;
}

/* On the write's branch: the table's rows, and its pipeline's checks. */
static int audit(writing *w)
{
	rat_check_outcome found = RAT_CHECK_OUTCOME_INIT;
	rat_engine *engine = NULL;
	rat_buf relation = RAT_BUF_INIT;
	int error;

	if ((error = rat_workspace__open_engine(&engine, w->ws)) != 0 ||
	    (error = rat_session__bind(engine, w->ws, w->catalog, w->run_branch, true)) != 0 ||
	    (error = rat_workspace__bind_key(engine, w->ws, w->catalog, w->run_branch, w->table,
					     &w->out->rows)) != 0 ||
	    !w->p || (error = rat_sql__relation(&relation, w->table)) != 0)
		goto cleanup;
	if ((error = rat_quality__run_checks(&found, engine, w->p, &w->all,
					     rat_buf_cstr(&relation))) != 0)
		goto cleanup;
	w->out->checks_passed = found.passed;
	w->out->checks_warned = found.warned;
	snprintf(w->out->warnings, sizeof(w->out->warnings), "%s", rat_buf_cstr(&found.warnings));
	if (found.failed) { /* (the caller names the table) */
		w->keep_branch = true;
		error = rat_error__set(RAT_ERROR, RAT_ERRCLASS_PIPELINE, "checks failed in %s: %s",
				       w->p->config_display ? w->p->config_display : w->p->display,
				       rat_buf_cstr(&found.failures));
	}
cleanup:
	rat_quality__check_outcome_free(&found);
	rat_buf_free(&relation);
	rat_engine_free(engine);
	return error;
}

/* The write's branch as one commit on the target; the caller's session sees it when bound there. */
static int publish(writing *w)
{
	json_t *props = json_pack("{s:s}", "rat.write-id", w->id);
	char *title = rat__sprintf("write %s", w->table);
	const char *ref = rat_engine__session_ref(w->engine);
	int error;

	if (!props || !title)
		error = rat_error__oom();
	else
		error = rat_catalog__squash(w->out->commit, w->catalog, w->run_branch, w->base,
					    w->branch, w->author, title, props);
	json_decref(props);
	free(title);
	if (error) {
		w->keep_branch = error != RAT_ENOMEM;
		return error;
	}
	if (ref && strcmp(ref, w->branch) == 0 &&
	    (error = rat_workspace__bind_key(w->engine, w->ws, w->catalog, w->branch, w->table,
					     NULL)) != 0)
		rat_error__prefix("written to %s (commit %.12s), but this session cannot read the new "
				  "version",
				  w->branch, w->out->commit);
	return error;
}

/* After a failure: keep the write's branch when it holds the new version, and say so. */
static void finish_failed(writing *w, int error)
{
	rat_error_saved saved;

	rat_error__save(&saved);
	if (w->keep_branch) {
		rat_error__set(error, saved.klass,
			       "%s; nothing was written to %s, and the new version is kept on %s "
			       "(rat query --ref %s)",
			       saved.message, w->branch, w->run_branch, w->run_branch);
		return;
	}
	if (w->forked)
		rat__ignore(rat_catalog__delete_ref(w->catalog, w->run_branch, NULL));
	rat_error__restore(&saved); /* the write's own failure, not the cleanup's */
}

int rat_engine_write_table(rat_write_table_result *out, rat_engine *engine,
			   const rat_workspace *ws, const char *table, const char *sql,
			   const rat_write_table_options *opts_in)
{
	rat_write_table_options defaults = RAT_WRITE_TABLE_OPTIONS_INIT;
	writing w = { .ws = ws, .engine = engine, .table = table, .sql = sql, .out = out };
	int error;

	memset(out, 0, sizeof(*out));
	out->rows = -1;
	w.opts = opts_in ? opts_in : &defaults;
	w.author = rat_workspace__author(ws, w.opts->author);
	if ((error = rat__options_check(w.opts->version, RAT_WRITE_TABLE_OPTIONS_VERSION,
					"rat_write_table_options")) == 0 &&
	    w.opts->mode != RAT_WRITE_TABLE_OVERWRITE && w.opts->mode != RAT_WRITE_TABLE_APPEND)
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				       "rat_write_table_options.mode: %d is neither overwrite nor "
				       "append",
				       w.opts->mode);
	if (!error && (!table || !sql))
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				       "a write needs a table and a query");
	if (!error && (error = start(&w)) == 0 && (error = write_rows(&w)) == 0 &&
	    (error = audit(&w)) == 0 && (error = publish(&w)) == 0) {
		/* published: the branch left behind would hold nothing the target lacks */
		rat__ignore(rat_catalog__delete_ref(w.catalog, w.run_branch, NULL));
		rat_error_clear();
	}
	if (error) {
		finish_failed(&w, error);
		rat_error__prefix("write %s", table ? table : "(null)");
	}
	rat_catalog__free(w.catalog);
	rat_pipelines_free(&w.all);
	return error;
}
