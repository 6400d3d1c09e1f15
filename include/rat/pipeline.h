/*
 * rat/pipeline.h - a workspace's pipelines and runs.
 *
 * Pipelines are files under pipelines/<layer>/ (docs/pipelines.md): SQL
 * templates (docs/templating.md), or executables that write rows to a folder.
 * A run is write-audit-publish: the selected pipelines are built in
 * dependency order on a run branch (run/<id>, forked from the workspace's
 * branch), each checked by its error-severity tests, and the run branch is
 * merged into the workspace's branch in one commit only when everything
 * passed. A failed run leaves the workspace's branch as it was and keeps
 * its run branch for inspection. Every run is recorded under RAT_HOME.
 *
 * Lists and records are owned by the caller and released with their _free
 * function; the strings inside live as long as they do.
 */
#ifndef RAT_PIPELINE_H
#define RAT_PIPELINE_H

#include "common.h"
#include "workspace.h"

RAT_BEGIN_DECL

typedef struct rat_pipeline_info {
	const char *key;          /**< "silver.orders" */
	const char *layer;
	const char *name;
	const char *kind;         /**< "sql", "python", "shell" or "command" */
	const char *materialized; /**< "table", "view" or "incremental" */
	const char *path;         /**< its main file, relative to the workspace */
	const char *description;  /**< "" when unset */
	const char *owner;        /**< "" when unset */
	const char *unique_key;   /**< "a, b"; "" when unset */
	const char *partition_by; /**< in effect (the layer's default unless set); "" for none */
	const char *landing;      /**< landing folder under landing/, or an S3 prefix (s3://...); "" when none */
	const char *const *deps;  /**< what it ref()s */
	size_t dep_count;
	size_t test_count;        /**< tests[] plus column tests */
	/** what loading it noticed but accepted (e.g. flat files beside its folder,
	 * ignored), one per line; "" when none */
	const char *warnings;
} rat_pipeline_info;

typedef struct rat_pipeline_list {
	rat_pipeline_info *items; /**< in dependency order */
	size_t count;
} rat_pipeline_list;

/**
 * Load the workspace's pipelines and check them (configuration, templates'
 * ref()s, unknown refs, cycles). Any problem fails the call with a message
 * naming file:line and key, or the cycle's chain.
 */
RAT_EXTERN(int) RAT_CHECKED rat_pipeline_list_get(rat_pipeline_list *out, const rat_workspace *ws);
RAT_EXTERN(void) rat_pipeline_list_free(rat_pipeline_list *list);

typedef enum rat_step_status {
	RAT_STEP_PENDING = 0, /**< not run (a dependency failed, or the run stopped) */
	RAT_STEP_RUNNING,
	RAT_STEP_OK,
	RAT_STEP_SKIPPED,     /**< nothing to do (no new landing files) */
	RAT_STEP_FAILED,
	RAT_STEP_CANCELLED    /**< stopped by a cancel request while it ran */
} rat_step_status;

/** "pending", "running", "ok", "skipped", "failed" or "cancelled". Static storage. */
RAT_EXTERN(const char *) rat_step_status_name(rat_step_status status);

/** One pipeline of a run. */
typedef struct rat_run_step {
	const char *key;
	rat_step_status status;
	const char *operation;  /**< "create", "overwrite", "append", "merge", "view", "" */
	int64_t started_ms, finished_ms;
	int64_t rows_in;        /**< rows written to new data files (a merge counts the rows it
				     carried over from the files it rewrote) */
	int64_t rows_out;       /**< rows of the table after the step */
	int64_t files_added, files_removed;
	int64_t files_ingested; /**< landing files read */
	int64_t write_passes;   /**< COPYs that wrote the data: 1, more when the engine ran out
				     of memory and the rows were written in unique-key ranges */
	int64_t checks_passed, checks_failed, checks_warned;
	const char *error;      /**< "" unless failed: names the pipeline and file */
	const char *warnings;   /**< warn-severity findings, one per line; "" when none */
	const char *sql;        /**< the compiled SQL (dry runs, and SQL pipelines) */
	/**
	 * What the pipeline logged itself (a Python pipeline's context.log), one
	 * line each, "LEVEL message"; "" when nothing. (Added in 0.1: at the
	 * end, the fields before it keep their places.)
	 */
	const char *log;
} rat_run_step;

typedef struct rat_run_info {
	const char *id;          /**< "20261123T101500.123Z-3f2a1c": start time, then random */
	const char *workspace;
	const char *branch;      /**< the workspace's branch */
	const char *run_branch;  /**< "run/<id>"; kept when the run failed */
	const char *status;      /**< "success", "failed", "cancelled", "dry-run" */
	const char *error;       /**< "" on success */
	const char *commit;      /**< the workspace branch's head after the merge; "" otherwise */
	const char *retention;   /**< what retention deleted after the run ("bronze.x: 3 rows"),
				      or why it could not; "" when nothing */
	int64_t started_ms, finished_ms;
	int full_refresh;
	rat_run_step *steps;     /**< the selected pipelines, in dependency order */
	size_t step_count;
	/**
	 * "" unless the run's record could not be written (a full disk): a
	 * warning, for a run that published (status "success") stands.
	 */
	const char *record_error;
	/** rat_run_options.trigger: what started it; "" for a person. (Added in 0.1: at the end.) */
	const char *trigger;
} rat_run_info;

/** Called as steps start and end; from worker threads, one call at a time. */
typedef void (*rat_run_progress_fn)(void *ctx, const rat_run_info *run, size_t step);

typedef struct rat_run_options {
	unsigned int version;  /**< RAT_RUN_OPTIONS_VERSION */
	const char *const *selectors; /**< "layer.name", "+x", "x+", a layer; none: all */
	size_t selector_count;
	int full_refresh;             /**< rebuild incremental tables from scratch */
	int dry_run;                  /**< compile and plan; write nothing */
	const char *author;           /**< NULL: $USER, else "ratatouille" */
	const char *const *vars;      /**< "name=value" each, for var() */
	size_t var_count;
	rat_run_progress_fn progress;
	void *progress_ctx;
	/**
	 * When *cancel becomes non-zero (set from any thread, or from a signal
	 * handler: librat requires int to be the platform's sig_atomic_t), the
	 * run stops within 0.1 s: running builds are interrupted, nothing is
	 * published, the run branch and staged files are removed, and the run is
	 * recorded as cancelled (RAT_ECANCELED). NULL: never.
	 */
	const volatile int *cancel;
	/**
	 * The branch to build on and publish to: the workspace's branch (NULL),
	 * or a dev branch (dev/NAME) that exists.
	 */
	const char *branch;
	/**
	 * Landing files to ingest again although they were ingested (a file
	 * changed since, which a run reports as a warning), or folders of
	 * them: paths relative to the workspace ("landing/sales/a.csv") or
	 * absolute, under its landing/ folder. An incremental table reads them
	 * as new files: merged by its unique_key, or appended again.
	 */
	const char *const *reingest;
	size_t reingest_count;
	/**
	 * What started the run, kept in its record: a trigger's id
	 * ("bronze.sales:schedule", rat/schedule.h) and the tick it fired for
	 * ("@" and its time in ms: "bronze.sales:schedule@1774746000000"), as
	 * `rat serve` passes it. NULL: a person (or a program) ran it.
	 */
	const char *trigger;
	/**
	 * The run's id, made by rat_run_id_make() when the run was asked for (a
	 * server answers with it before the run starts); RAT_EEXISTS when a run
	 * of that id is recorded. NULL: a new one.
	 */
	const char *run_id;
} rat_run_options;

#define RAT_RUN_OPTIONS_VERSION 3 /* 2 added cancel, branch and reingest; 3 trigger and run_id */
#define RAT_RUN_OPTIONS_INIT                                                                       \
	{ RAT_RUN_OPTIONS_VERSION, NULL, 0, 0, 0, NULL, NULL, 0, NULL, NULL, NULL, NULL, NULL, 0, NULL, NULL }

/** Room for a run's id, its NUL included. */
#define RAT_RUN_ID_MAX 40

/**
 * A new run id for a run asked for at now_ms (ms since the epoch), into out
 * (RAT_RUN_ID_MAX bytes): "20261123T101500.123Z-3f2a1c", the time then
 * random, as every run's. For rat_run_options.run_id.
 */
RAT_EXTERN(int) RAT_CHECKED rat_run_id_make(char out[RAT_RUN_ID_MAX], int64_t now_ms);

/**
 * Fill opts with the defaults of version (pass RAT_RUN_OPTIONS_VERSION):
 * the same as RAT_RUN_OPTIONS_INIT. RAT_EINVALID for a version this library does
 * not know.
 */
RAT_EXTERN(int) RAT_CHECKED rat_run_options_init(rat_run_options *opts, unsigned int version);

/**
 * Run pipelines. *out receives the run's record whenever the run started
 * (also when it failed; NULL when the pipelines could not even be loaded).
 *
 * @return 0 when every selected pipeline succeeded and was published;
 *         otherwise an error whose message names the failing pipeline and
 *         file (the workspace's branch is then unchanged). The return says
 *         whether data was published, and nothing else: a record that could
 *         not be written afterwards (a full disk) is (*out)->record_error.
 */
RAT_EXTERN(int) RAT_CHECKED rat_run(rat_run_info **out, const rat_workspace *ws, const rat_run_options *opts);
RAT_EXTERN(void) rat_run_info_free(rat_run_info *run);

typedef struct rat_run_list {
	rat_run_info **items; /**< newest first */
	size_t count;
} rat_run_list;

/**
 * Remove the workspace's run branches that outlived their use: a failed or
 * cancelled run's branch after runs.keep_failed_days (workspace.yaml,
 * default 7), the branch of a run whose process ended before it did (still
 * "running" a day after it started; its record then says so). Each run
 * does this when it starts; `rat vacuum` too. *removed receives the
 * branches removed (free with rat_strarray_free()).
 */
RAT_EXTERN(int) RAT_CHECKED rat_run_prune(rat_strarray *removed, const rat_workspace *ws);

/** The workspace's recorded runs, newest first, at most limit (0: all). */
RAT_EXTERN(int) RAT_CHECKED rat_run_list_get(rat_run_list *out, const rat_workspace *ws, size_t limit);
RAT_EXTERN(void) rat_run_list_free(rat_run_list *list);
/** One recorded run by id (or a unique prefix of it). RAT_ENOTFOUND when none. */
RAT_EXTERN(int) RAT_CHECKED rat_run_get(rat_run_info **out, const rat_workspace *ws, const char *id);

/**
 * Ask the `rat serve` of ws's NESSIE_URI to run (`rat trigger`, `rat run
 * --wait`): trigger, a trigger's id, fired now as its webhook would be; or,
 * trigger NULL, the pipelines the count selectors name (none: every one).
 * The run waits in the server's queue; run_id receives the id its record
 * will have. RAT_EINVALID without NESSIE_URI; the server's refusal
 * otherwise (RAT_ENOTFOUND: no such trigger; RAT_EACCESS: a read-only token).
 */
RAT_EXTERN(int) RAT_CHECKED rat_run_ask(char run_id[RAT_RUN_ID_MAX], const rat_workspace *ws,
					const char *trigger, const char *const *selectors,
					size_t count);
/**
 * What the server says of a run it was asked for: "queued" while it waits,
 * then its record's status ("running", "success", "failed", "cancelled").
 * RAT_ENOTFOUND once the server dropped it (a trigger's overlap: skip).
 */
RAT_EXTERN(int) RAT_CHECKED rat_run_asked_status(char status[32], const rat_workspace *ws,
						 const char *id);
/*
 * For a server (`rat serve`'s /rat/v1/runs), so that every machine of a team
 * sees every run.
 */
/** A run as JSON text (rat_free()): the form of a run record's file. */
RAT_EXTERN(int) RAT_CHECKED rat_run_info_json(char **out, const rat_run_info *run);
/**
 * Keep the record json of run id (a client's, in the form above) among ws's:
 * RAT_EINVALID when it is not a record of that id, RAT_EACCESS when it is
 * another workspace's run. A record saved again replaces the first (a run
 * is saved as it starts, then as it ends).
 */
RAT_EXTERN(int) RAT_CHECKED rat_run_record_put(const rat_workspace *ws, const char *id,
					       const char *json);

/**
 * The folder holding the `ratatouille` Python package that came with this
 * librat (docs/python.md): python/ beside its lib/ in a build tree, or
 * share/rat/python of an install. What `rat run` puts on a Python
 * pipeline's PYTHONPATH and `rat notebook` on Jupyter's (RAT_PYTHONPATH, when
 * set, comes first for both).
 *
 * @param out receives the folder; free with rat_free()
 * @return 0; RAT_ENOTFOUND when none is there (a package installed with pip
 *         is found by the interpreter itself)
 */
RAT_EXTERN(int) RAT_CHECKED rat_python_package_dir(char **out);

RAT_END_DECL

#endif
