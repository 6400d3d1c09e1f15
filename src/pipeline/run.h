/*
 * pipeline/run.h - internals of a run: the record every run leaves, one
 * pipeline's build, the checks, landing files.
 *
 * A record is a rat_run_info (the public view) inside a struct that owns
 * every string it points to, so that the same record is filled by a run,
 * written as JSON under RAT_HOME/runs/<workspace>/<id>.json, and read back
 * by `rat runs`.
 */
#ifndef RAT_PIPELINE_RUN_H
#define RAT_PIPELINE_RUN_H

#include <pthread.h>

#include "util/common.h"
#include "util/buf.h"
#include "catalog/catalog.h"
#include "pipeline/pipeline.h"

typedef struct rat_run_record {
	rat_run_info info; /* first: rat_run_info_free() takes this pointer back */
	rat_strarray pool; /* owns the strings info points to */
	pthread_mutex_t pool_lock; /* builds keep strings from several threads */
} rat_run_record;

/** A new record with n steps, all pending. */
int rat_run__record_new(rat_run_record **out, size_t steps);
/** Keep a copy of s in the record and return it ("" for NULL, and on out of memory). Thread-safe. */
const char *rat_run__keep(rat_run_record *rec, const char *s);
/** Write the record to RAT_HOME/runs/<workspace>/<id>.json (atomically). */
int rat_run__record_save(const rat_run_record *rec, const char *home);
/** The folder of a workspace's run records. (free()) */
char *rat_run__records_dir(const char *home, const char *workspace);
int rat_run__record_load(rat_run_record **out, const char *path);

/* What a build needs from the run that drives it. */
typedef struct rat_run_context {
	const rat_workspace *ws;
	const rat_pipelines *pipelines;
	const rat_run_options *opts;
	const char *run_id;
	const char *branch;          /* where the build reads and writes (run/<id>) */
	const char *read_ref;        /* dry runs read the workspace branch instead */
	const char *started_at;      /* run_started_at: "2026-11-23 10:15:00+00" */
	int64_t started_ms;
	const char *author;
	pthread_mutex_t *commit_lock; /* serialises commits to the run branch */
} rat_run_context;

/**
 * Build one pipeline on ctx->branch: render, write (or ingest, or run the
 * executable), then run its checks. Fills step (strings kept in rec).
 */
int rat_run__build(const rat_run_context *ctx, const rat_pipeline *p, rat_run_record *rec,
		   rat_run_step *step);

/* Checks (column tests and tests[]): one code path for runs and `rat test`. */

typedef struct rat_check {
	char *name;        /* "not_null(order_id)", "tests[positive_totals]" */
	char *sql;         /* rows it returns are violations */
	rat_severity severity;
} rat_check;

typedef struct rat_checks {
	rat_check *items;
	size_t count;
} rat_checks;

/**
 * The highest value of column in relation, as a typed SQL literal
 * (CAST('2024-03-01 10:00:00' AS TIMESTAMP)), or NULL when it has no rows.
 */
int rat_run__watermark(rat_buf *out, rat_engine *engine, const char *relation, const char *column);
/** The checks of p over relation (e.g. "silver"."orders"); tests[] SQL rendered with this. */
int rat_run__checks(rat_checks *out, const rat_pipeline *p, const rat_pipelines *all,
		    const char *relation);
void rat_run__checks_free(rat_checks *checks);

/**
 * Publish the changes branch source made since base as one commit on
 * target (titled "title: key key ..."), unless target changed one of those
 * keys since base (RAT_ECONFLICT naming them; nothing written). commit gets
 * target's new head (its head as it was when there was nothing to publish).
 */
int rat_run__squash(char commit[RAT_HASH_LEN + 1], rat_catalog *catalog, const char *source,
		    const char *base, const char *target, const char *author, const char *title,
		    json_t *properties);

/** Landing files of p not ingested yet, as absolute paths, sorted; names relative in rel. */
int rat_run__new_landing_files(rat_strarray *abs, rat_strarray *rel, const rat_workspace *ws,
			       const rat_pipeline *p, const rat_strarray *ingested);

#endif
