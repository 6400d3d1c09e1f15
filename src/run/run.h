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
#include <sys/types.h>

#include "util/common.h"
#include "util/buf.h"
#include "rat/pipeline.h"
#include "rat/workspace.h"
#include "catalog/catalog.h"
#include "pipeline/pipeline.h"

/* A run branch's name, run/<workspace>/<id>: a workspace name (64) and an id fit. */
#define RUN_BRANCH_MAX 160

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
/* Save the record: RAT_HOME/runs/<workspace>/<id>.json, or with NESSIE_URI the server's
 * (kept here, the error saying why, when the server does not take it). */
RAT_MUST_USE int rat_run__record_save(const rat_run_record *rec, const rat_workspace *ws);
/* doc as RAT_HOME's record of run id of workspace: home/runs/<workspace>/<id>.json. */
RAT_MUST_USE int rat_run__record_write(const char *home, const char *workspace, const char *id,
				       json_t *doc);
/* A record as JSON (the file's form, and /rat/v1/runs'), and back. */
json_t *rat_run__record_json(const rat_run_info *run);
RAT_MUST_USE int rat_run__record_parse(rat_run_record **out, json_t *doc, const char *what);
/* record_remote.c: the records of rat serve (NESSIE_URI), under /rat/v1/runs. */
RAT_MUST_USE int rat_run__remote_put(const rat_workspace *ws, json_t *doc);
RAT_MUST_USE int rat_run__remote_list(rat_run_list *out, const rat_workspace *ws, size_t limit);
RAT_MUST_USE int rat_run__remote_get(rat_run_info **out, const rat_workspace *ws, const char *id);
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
	struct rat_run_watch *watch;  /* what a cancel request stops (run.c) */
} rat_run_context;

/*
 * Cancelling (run.c): a build shows the run what it is running, so that a
 * cancel request can interrupt it, and stops at its next step once asked.
 */
/** Whether the run was asked to stop. */
bool rat_run__cancelled(const rat_run_context *ctx);
/** The session build `step` runs its SQL in (NULL: it has none any more). */
void rat_run__watch_engine(const rat_run_context *ctx, size_t step, rat_engine *engine);
/** The process group of the executable build `step` runs (0: none any more). */
void rat_run__watch_child(const rat_run_context *ctx, size_t step, pid_t child);
/** RAT_ECANCELED, saying the run was asked to stop. */
int rat_run__cancel_error(const rat_run_context *ctx);

/**
 * Build one pipeline on ctx->branch: render, write (or ingest, or run the
 * executable), then run its checks. Fills step (strings kept in rec);
 * index is the step's place in the run.
 */
RAT_MUST_USE int rat_run__build(const rat_run_context *ctx, size_t index, const rat_pipeline *p,
				rat_run_record *rec, rat_run_step *step);

/**
 * Remove this workspace's run branches and records that outlived their use
 * (prune.c), from one listing of its records: a failed or cancelled run's
 * branch after runs.keep_failed_days, a crashed run's a day after it
 * started (their names go to removed, which may be NULL); then the records
 * of runs that ended runs.retention_days ago, their branch gone.
 */
RAT_MUST_USE int rat_run__prune(rat_strarray *removed, rat_catalog *catalog, const rat_workspace *ws);

/** Landing files of p not ingested yet, as absolute paths, sorted; names relative in rel. */
RAT_MUST_USE int rat_run__new_landing_files(rat_strarray *abs, rat_strarray *rel,
					    const rat_workspace *ws, const rat_pipeline *p,
					    const rat_strarray *ingested);
/** Each --reingest path of opts names a file or folder under landing/ that a pipeline reads. */
RAT_MUST_USE int rat_run__check_reingest(const rat_workspace *ws, const rat_pipelines *all,
					 const rat_run_options *opts);

/* run_id.c: a new run id at now_ms into id (n bytes), and the run's start as SQL text into
 * started_at (m bytes). */
RAT_MUST_USE int rat_run__make_id(char *id, size_t n, char *started_at, size_t m, int64_t now_ms);
/* rat_run_options.run_id: given in make_id()'s form, and no run of it recorded, into id. */
RAT_MUST_USE int rat_run__given_id(const rat_workspace *ws, const char *given, char *id);

#endif
