/*
 * run/run.h - internals of a run: the record every run leaves, one
 * pipeline's build, landing files.
 *
 * A record is a rat_run_info (the public view) inside a struct that owns
 * every string it points to, so that the same record is filled by a run,
 * written as JSON under RAT_HOME/runs/<workspace>/<id>.json, and read back
 * by `rat runs`.
 */
#ifndef RAT_RUN_RUN_H
#define RAT_RUN_RUN_H

#include <pthread.h>

#include "util/common.h"
#include "util/buf.h"
#include "rat/pipeline.h"
#include "rat/workspace.h"
#include "catalog/catalog.h"
#include "pipeline/pipeline.h"

typedef struct rat_run_record {
	rat_run_info info; /* first: rat_run_info_free() takes this pointer back */
	rat_strarray pool; /* owns the strings info points to */
	pthread_mutex_t pool_lock; /* builds keep strings from several threads */
} rat_run_record;

/** A new record with n steps, all pending. */
RAT_MUST_USE int rat_run__record_new(rat_run_record **out, size_t steps);
/** Keep a copy of s in the record and return it ("" for NULL, and on out of memory). Thread-safe. */
const char *rat_run__keep(rat_run_record *rec, const char *s);
/** Write the record to RAT_HOME/runs/<workspace>/<id>.json (atomically). */
RAT_MUST_USE int rat_run__record_save(const rat_run_record *rec, const char *home);
/** The folder of a workspace's run records. (free()) */
char *rat_run__records_dir(const char *home, const char *workspace);
RAT_MUST_USE int rat_run__record_load(rat_run_record **out, const char *path);

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
RAT_MUST_USE int rat_run__build(const rat_run_context *ctx, const rat_pipeline *p,
				rat_run_record *rec, rat_run_step *step);

/** Landing files of p not ingested yet, as absolute paths, sorted; names relative in rel. */
RAT_MUST_USE int rat_run__new_landing_files(rat_strarray *abs, rat_strarray *rel,
					    const rat_workspace *ws, const rat_pipeline *p,
					    const rat_strarray *ingested);
/** Each --reingest path of opts names a file or folder under landing/ that a pipeline reads. */
RAT_MUST_USE int rat_run__check_reingest(const rat_workspace *ws, const rat_pipelines *all,
					 const rat_run_options *opts);

#endif
