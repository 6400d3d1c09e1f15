/*
 * pipeline/run.c - a run: write-audit-publish over the selected pipelines.
 *
 * 1. Load and check the pipelines, order them, pick the selected ones.
 * 2. Fork run/<id> from the workspace branch's head H0.
 * 3. Build the pipelines there (pipeline/build.c), each once everything it
 *    depends on in this run is built, at most max_parallel_pipelines at a
 *    time. A failure stops new builds from starting.
 * 4. Publish: the changes of the run branch since H0 become one commit on
 *    the workspace branch. If that branch moved meanwhile, the commit still
 *    lands when none of the run's tables was changed there (a key both
 *    changed is a conflict: nothing is published). The run branch is then
 *    deleted; a failed run keeps it, for inspection.
 * 5. Record the run under RAT_HOME/runs/<workspace>/.
 *
 * Killing the process at any point leaves the workspace branch at H0 or at
 * the published commit, never between: publishing is one catalog commit.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/random.h"
#include "rat/catalog.h"
#include "rat/maintenance.h"
#include "rat/pipeline.h"
#include "rat/workspace.h"
#include "engine/engine.h"
#include "run/run.h"
#include "workspace/lease.h"
#include "workspace/tables.h"

#include <pthread.h>
#include <stddef.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* What a cancel request stops: each running build's session and executable. */
typedef struct rat_run_watch {
	pthread_mutex_t lock;
	size_t steps;
	rat_engine **engines;
	pid_t *children;
	volatile bool cancelled; /* asked to stop: builds end at their next step */
} rat_run_watch;

/* rat_run_options.cancel is an int that signal handlers set (rat/pipeline.h). */
_Static_assert(sizeof(sig_atomic_t) == sizeof(int), "sig_atomic_t is not an int here");

/* The size of version 1 of rat_run_options: everything before cancel. */
#define V1_SIZE offsetof(rat_run_options, cancel)
/* Version 2's: everything before trigger. */
#define V2_SIZE offsetof(rat_run_options, trigger)

typedef struct scheduler {
	rat_run_context ctx;
	rat_run_watch watch;
	size_t workers_left;   /* build threads still running */
	rat_run_record *rec;
	const size_t *index;   /* step -> pipeline index */
	size_t **deps;         /* step -> steps it waits for */
	size_t *dep_count;
	bool *started;
	bool stop;             /* a build failed: start no more */
	size_t running;
	pthread_mutex_t lock;
	pthread_cond_t changed;
	int first_error;
	rat_error_saved first_failure;
	rat_lease *lease;      /* held from before the run branch exists to the end: vacuum's cue */
} scheduler;

static void report(scheduler *s, size_t step)
{
	if (s->ctx.opts->progress)
		s->ctx.opts->progress(s->ctx.opts->progress_ctx, &s->rec->info, step);
}

/* A step whose dependencies are all built; SIZE_MAX when none is ready. */
static size_t next_ready(scheduler *s, bool *left)
{
	const rat_run_info *r = &s->rec->info;
	size_t i, j;

	*left = false;
	for (i = 0; i < r->step_count; i++) {
		bool ready = true, blocked = false;
		if (s->started[i])
			continue;
		for (j = 0; j < s->dep_count[i]; j++) {
			rat_step_status d = r->steps[s->deps[i][j]].status;
			blocked |= d == RAT_STEP_FAILED;
			ready &= d == RAT_STEP_OK || d == RAT_STEP_SKIPPED;
		}
		if (blocked) {
			s->started[i] = true; /* never runs: it stays pending */
			continue;
		}
		*left = true;
		if (ready)
			return i;
	}
	return SIZE_MAX;
}

static void *worker(void *arg)
{
	scheduler *s = arg;
	rat_run_info *r = &s->rec->info;
	size_t step;
	bool left;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		step = s->stop ? SIZE_MAX : next_ready(s, &left);
		if (step == SIZE_MAX) {
			if (s->stop || !left || s->running == 0)
				break;
			pthread_cond_wait(&s->changed, &s->lock);
			continue;
		}
		s->started[step] = true;
		s->running++;
		r->steps[step].status = RAT_STEP_RUNNING;
		r->steps[step].started_ms = rat_clock__real_ms();
		report(s, step);
		pthread_mutex_unlock(&s->lock);
		{
			rat_run_step result = r->steps[step];
			const rat_pipeline *p = &s->ctx.pipelines->items[s->index[step]];
			int error = rat_run__build(&s->ctx, step, p, s->rec, &result);

			pthread_mutex_lock(&s->lock);
			if (error) {
				result.status = s->watch.cancelled ? RAT_STEP_CANCELLED
								   : RAT_STEP_FAILED;
				result.error = rat_run__keep(s->rec, rat_error_last()->message);
				if (!s->stop) {
					s->stop = true;
					s->first_error = error;
					rat_error__save(&s->first_failure);
				}
			}
			result.finished_ms = rat_clock__real_ms();
			r->steps[step] = result;
		}
		s->running--;
		report(s, step);
		pthread_cond_broadcast(&s->changed);
	}
	s->workers_left--;
	pthread_cond_broadcast(&s->changed);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* Cancelling */

bool rat_run__cancelled(const rat_run_context *ctx)
{
	return ctx->watch && ctx->watch->cancelled;
}

int rat_run__cancel_error(const rat_run_context *ctx)
{
	return rat_error__set(RAT_ECANCELED, RAT_ERRCLASS_PIPELINE,
			      "run %s cancelled: nothing was published", ctx->run_id);
}

void rat_run__watch_engine(const rat_run_context *ctx, size_t step, rat_engine *engine)
{
	rat_run_watch *w = ctx->watch;

	if (!w || step >= w->steps)
		return;
	pthread_mutex_lock(&w->lock);
	w->engines[step] = engine;
	if (engine && w->cancelled)
		rat_engine_interrupt(engine);
	pthread_mutex_unlock(&w->lock);
}

void rat_run__watch_child(const rat_run_context *ctx, size_t step, pid_t child)
{
	rat_run_watch *w = ctx->watch;

	if (!w || step >= w->steps)
		return;
	pthread_mutex_lock(&w->lock);
	w->children[step] = child;
	if (child && w->cancelled)
		kill(-child, SIGTERM);
	pthread_mutex_unlock(&w->lock);
}

/* Stop every build: interrupt their sessions, terminate their executables. */
static void cancel_builds(rat_run_watch *w)
{
	size_t i;

	pthread_mutex_lock(&w->lock);
	w->cancelled = true;
	for (i = 0; i < w->steps; i++) {
		if (w->engines[i])
			rat_engine_interrupt(w->engines[i]);
		if (w->children[i])
			kill(-w->children[i], SIGTERM);
	}
	pthread_mutex_unlock(&w->lock);
}

static int watch_init(rat_run_watch *w, size_t steps)
{
	w->steps = steps;
	w->engines = rat__calloc(steps ? steps : 1, sizeof(*w->engines));
	w->children = rat__calloc(steps ? steps : 1, sizeof(*w->children));
	return w->engines && w->children ? 0 : RAT_ENOMEM;
}

static void watch_free(rat_run_watch *w)
{
	free(w->engines);
	free(w->children);
	pthread_mutex_destroy(&w->lock);
}

/* Setting up */


/* Steps for the picked pipelines in dependency order, and what each waits for. */
static int plan(scheduler *s, const rat_pipelines *all, const size_t *order, const bool *picked,
		size_t **index_out)
{
	size_t i, j, k, n = 0, *index;
	rat_run_info *r = &s->rec->info;

	if ((index = rat__calloc(all->count ? all->count : 1, sizeof(size_t))) == NULL)
		return RAT_ENOMEM;
	for (i = 0; i < all->count; i++)
		if (picked[order[i]])
			index[n++] = order[i];
	*index_out = index;
	s->deps = rat__calloc(n ? n : 1, sizeof(size_t *));
	s->dep_count = rat__calloc(n ? n : 1, sizeof(size_t));
	s->started = rat__calloc(n ? n : 1, sizeof(bool));
	if (!s->deps || !s->dep_count || !s->started)
		return RAT_ENOMEM;
	for (i = 0; i < n; i++) {
		const rat_pipeline *p = &all->items[index[i]];
		r->steps[i].key = rat_run__keep(s->rec, p->key);
		if (p->deps.count && (s->deps[i] = rat__calloc(p->deps.count, sizeof(size_t))) == NULL)
			return RAT_ENOMEM;
		for (j = 0; j < p->deps.count; j++)
			for (k = 0; k < i; k++)
				if (strcmp(all->items[index[k]].key, p->deps.strings[j]) == 0)
					s->deps[i][s->dep_count[i]++] = k;
	}
	return 0;
}

static size_t count_picked(const bool *picked, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += picked[i];
	return c;
}

/* The run branch's changes since base, as one commit on the workspace branch. */
static int publish(rat_catalog *catalog, const rat_run_context *ctx, const char *base,
		   rat_run_record *rec)
{
	json_t *props = json_pack("{s:s}", "rat.run-id", ctx->run_id);
	char commit[RAT_HASH_LEN + 1], *title = rat__sprintf("run %s", ctx->run_id);
	int error;

	if (!props || !title)
		error = rat_error__oom();
	else if ((error = rat_catalog__squash(commit, catalog, ctx->branch, base, rec->info.branch,
					  ctx->author, title, props)) == 0)
		rec->info.commit = rat_run__keep(rec, commit);
	json_decref(props);
	free(title);
	return error;
}

/*
 * What retention did to one table, for the run's record: what went, what the
 * run kept; in a dry run, what would go from the tables as they are now.
 */
static int retention_text(rat_buf *text, const rat_retention_item *t, const char *run_id,
			  bool dry)
{
	int error = 0;

	if (t->rows_deleted > 0)
		error = rat_buf_printf(text, "%s%s: %lld rows before %s%s", text->len ? "; " : "",
				       t->table, (long long)t->rows_deleted, t->cutoff,
				       dry ? " would be deleted" : "");
	if (!error && !dry && t->rows_kept > 0 && strstr(t->kept_why, run_id))
		error = rat_buf_printf(text, "%s%s: %lld rows with %s before %s kept, written by "
					     "this run (`rat retention apply` deletes them)",
				       text->len ? "; " : "", t->table, (long long)t->rows_kept,
				       t->column, t->cutoff);
	return error;
}

/*
 * Retention after a published run (SPEC L1). It is a commit of its own; if
 * it fails, the run stays published and the record says why. The rows the
 * run wrote stay, whatever their dates. After a dry run: what it would
 * delete from the tables as they are, committing nothing.
 */
static void after_run_retention(const rat_workspace *ws, rat_run_record *rec, bool dry)
{
	rat_retention_options opts = RAT_RETENTION_OPTIONS_INIT;
	rat_retention_report report;
	rat_buf text = RAT_BUF_INIT;
	size_t i;

	int error = 0;

	opts.run_id = dry ? NULL : rec->info.id;
	opts.dry_run = dry;
	if (rat_retention_run(&report, ws, &opts) != 0) {
		/* the run succeeded: retention's failure is reported in its record */
		error = rat_buf_printf(&text, "%s: %s", dry ? "not known" : "not applied",
				       rat_error_last()->message);
		rat_error_clear();
	} else {
		for (i = 0; !error && i < report.count; i++)
			error = retention_text(&text, &report.items[i], rec->info.id, dry);
		if (report.commit[0] && text.len)
			rec->info.commit = rat_run__keep(rec, report.commit);
		rat_retention_report_free(&report);
	}
	/* out of memory while saying what retention did: say that instead */
	rec->info.retention = rat_run__keep(rec, error ? "not reported: out of memory"
						       : rat_buf_cstr(&text));
	rat_buf_free(&text);
}

/* The run */

/* Wait for the build threads, stopping them when the caller asks the run to stop. */
static void wait_for_builds(scheduler *s)
{
	const volatile int *cancel = s->ctx.opts->cancel;
	struct timespec until;

	pthread_mutex_lock(&s->lock);
	while (s->workers_left > 0) {
		if (cancel && *cancel && !s->watch.cancelled) {
			s->stop = true; /* start no more */
			pthread_mutex_unlock(&s->lock);
			cancel_builds(&s->watch);
			pthread_mutex_lock(&s->lock);
			pthread_cond_broadcast(&s->changed);
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 100 * 1000000L; /* a cancel is seen within 0.1 s */
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&s->changed, &s->lock, &until);
	}
	pthread_mutex_unlock(&s->lock);
}

static int execute(scheduler *s, size_t threads)
{
	pthread_t *pool = rat__calloc(threads, sizeof(pthread_t));
	size_t i, started = 0;
	int error = 0;

	if (!pool)
		return RAT_ENOMEM;
	s->workers_left = threads;
	for (i = 0; i < threads; i++) {
		if (pthread_create(&pool[i], NULL, worker, s) != 0) {
			error = rat_error__set(RAT_ERROR, RAT_ERRCLASS_OS, "cannot start a build thread");
			pthread_mutex_lock(&s->lock);
			s->stop = true;
			s->workers_left -= threads - started;
			pthread_mutex_unlock(&s->lock);
			break;
		}
		started++;
	}
	wait_for_builds(s);
	for (i = 0; i < started; i++)
		pthread_join(pool[i], NULL);
	free(pool);
	if (s->watch.cancelled)
		return rat_run__cancel_error(&s->ctx);
	if (!error && s->first_error) {
		rat_error__restore(&s->first_failure);
		error = s->first_error;
	}
	return error;
}

static void free_scheduler(scheduler *s)
{
	size_t i;

	for (i = 0; s->deps && s->rec && i < s->rec->info.step_count; i++)
		free(s->deps[i]);
	free(s->deps);
	free(s->dep_count);
	free(s->started);
	watch_free(&s->watch);
	rat_lease__release(s->lease);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->changed);
}

static const char *default_author(const rat_run_options *opts, const rat_workspace *ws)
{
	const char *user = rat_workspace__env(ws, "USER");

	if (opts->author && *opts->author)
		return opts->author;
	return user && *user ? user : "ratatouille";
}

/* Set up the record and the scheduler; the run branch unless dry. */
static int prepare(scheduler *s, rat_pipelines *all, const rat_workspace *ws,
		   const rat_run_options *opts, char *id, char *started_at, char *run_branch,
		   size_t **index)
{
	rat_strarray known = RAT_STRARRAY_INIT;
	size_t *order = NULL;
	bool *picked = NULL;
	int64_t now = rat_workspace_now_ms(ws);
	int error;

	if ((error = rat_pipeline__load_all(all, ws)) != 0 ||
	    (error = rat_pipeline__known_refs(&known, ws)) != 0 ||
	    (error = rat_pipeline__order(&order, all, &known)) != 0 ||
	    (error = rat_pipeline__select(&picked, all, opts->selectors, opts->selector_count)) != 0 ||
	    (error = rat_run__check_reingest(ws, all, opts)) != 0 ||
	    (error = rat_run__make_id(id, 40, started_at, 40, now)) != 0 ||
	    (error = rat_run__record_new(&s->rec, count_picked(picked, all->count))) != 0 ||
	    (error = plan(s, all, order, picked, index)) != 0 ||
	    (error = watch_init(&s->watch, s->rec->info.step_count)) != 0)
		goto cleanup;
	if (opts->run_id && (error = rat_run__given_id(ws, opts->run_id, id)) != 0)
		goto cleanup;
	snprintf(run_branch, RUN_BRANCH_MAX, "run/%s/%s", rat_workspace_name(ws), id);
	s->rec->info.id = rat_run__keep(s->rec, id);
	s->rec->info.workspace = rat_run__keep(s->rec, rat_workspace_name(ws));
	s->rec->info.branch = rat_run__keep(s->rec, rat_workspace_branch(ws));
	s->rec->info.run_branch = opts->dry_run ? "" : rat_run__keep(s->rec, run_branch);
	s->rec->info.trigger = rat_run__keep(s->rec, opts->trigger ? opts->trigger : "");
	s->rec->info.started_ms = now;
	s->rec->info.full_refresh = opts->full_refresh != 0;
cleanup:
	rat_strarray_free(&known);
	free(order);
	free(picked);
	return error;
}

int rat_run_options_init(rat_run_options *opts, unsigned int version)
{
	static const rat_run_options init = RAT_RUN_OPTIONS_INIT;
	int error;

	/* version 1 ended before cancel: a caller built for it has no room for more */
	if ((error = rat__options_init(opts, &init,
				       version == 1 ? V1_SIZE : version == 2 ? V2_SIZE : sizeof(init), version,
				       RAT_RUN_OPTIONS_VERSION, "rat_run_options")) == 0)
		opts->version = version;
	return error;
}

/* The caller's options as this version's struct (an older one's fields, then defaults). */
static int read_options(rat_run_options *out, const rat_run_options *in)
{
	static const rat_run_options defaults = RAT_RUN_OPTIONS_INIT;
	int error;

	*out = defaults;
	if (!in)
		return 0;
	if ((error = rat__options_check(in->version, RAT_RUN_OPTIONS_VERSION,
					"rat_run_options")) != 0)
		return error;
	memcpy(out, in, in->version == 1 ? V1_SIZE : in->version == 2 ? V2_SIZE : sizeof(*out));
	out->version = RAT_RUN_OPTIONS_VERSION;
	return 0;
}

/*
 * The branch the run builds on and publishes to: the workspace's, or a dev
 * branch that exists (the workspace's own refs are an issue of their own).
 */
static int target_branch(const char **out, const rat_workspace *ws, rat_catalog *catalog,
			 const char *asked, char base[RAT_HASH_LEN + 1])
{
	int error;

	*out = asked && *asked ? asked : rat_workspace_branch(ws);
	if (strcmp(*out, rat_workspace_branch(ws)) != 0 && !rat__str_has_prefix(*out, "dev/"))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				      "cannot run on %s: a run builds on the workspace's branch (%s) "
				      "or on a dev branch (dev/NAME, see rat dev start)",
				      *out, rat_workspace_branch(ws));
	if ((error = rat_catalog__resolve(catalog, *out, base)) == RAT_ENOTFOUND)
		rat_error__prefix("cannot run on %s (start it with rat dev start)", *out);
	return error;
}

/*
 * The record, saved as "running" before the first build: a process that
 * ends before the run does leaves it so, and its branch is known for what
 * it is (prune.c).
 */
static int save_running(scheduler *s, const rat_workspace *ws)
{
	int error;

	s->rec->info.status = "running";
	error = rat_run__record_save(s->rec, ws);
	s->rec->info.status = "";
	return error;
}

/* After the builds: publish, or leave the branch as it was and say why. */
static int land(scheduler *s, rat_catalog *catalog, const char *base, const char *run_branch,
		int error)
{
	const rat_run_options *opts = s->ctx.opts;
	const char *cancel_msg;

	if (!error && opts->cancel && *opts->cancel) {
		s->watch.cancelled = true; /* asked after the last build: publish nothing either */
		error = rat_run__cancel_error(&s->ctx);
	}
	if (!error && !opts->dry_run && (error = publish(catalog, &s->ctx, base, s->rec)) == 0) {
		/* published: a run branch left behind holds nothing the workspace lacks */
		rat__ignore(rat_catalog__delete_ref(catalog, run_branch, NULL));
		rat_error_clear();
		s->rec->info.run_branch = "";
		/* retention belongs to the workspace's branch, not to a dev branch */
		if (strcmp(s->rec->info.branch, rat_workspace_branch(s->ctx.ws)) == 0)
			after_run_retention(s->ctx.ws, s->rec, false);
	} else if (!error && opts->dry_run && rat_workspace_catalog_exists(s->ctx.ws) &&
		   strcmp(s->rec->info.branch, rat_workspace_branch(s->ctx.ws)) == 0) {
		after_run_retention(s->ctx.ws, s->rec, true);
	} else if (error && s->watch.cancelled && !opts->dry_run) {
		/* nothing to inspect on a cancelled run's branch */
		rat_error_saved saved;
		rat_error__save(&saved);
		rat__ignore(rat_catalog__delete_ref(catalog, run_branch, NULL));
		rat_error__restore(&saved);
		s->rec->info.run_branch = "";
	}
	cancel_msg = s->watch.cancelled ? "cancelled" : NULL;
	s->rec->info.status = opts->dry_run ? "dry-run" : cancel_msg ? cancel_msg
						 : error ? "failed" : "success";
	return error;
}

/* Remove what the builds staged (each build removes its own; a crash may leave some). */
static void remove_staging(const rat_workspace *ws, const char *id)
{
	char *dir = rat__sprintf("%s/runs/%s", rat_workspace_spill_dir(ws), id);

	if (dir)
		rat_fs__remove_tree(dir);
	free(dir);
}

/*
 * The run's record completed and saved. A run whose catalog could not be
 * opened (begun false: a server that does not answer) did nothing: it leaves
 * nothing here either, its error said. A run branch never made keeps nothing.
 */
static void finish_record(rat_run_record *rec, const rat_workspace *ws,
			  const rat_run_options *opts, bool begun, bool made, int error)
{
	rat_error_saved saved;

	if (!made && !opts->dry_run)
		rec->info.run_branch = "";
	if (!rec->info.status || !rec->info.status[0])
		rec->info.status = opts->dry_run ? "dry-run" : "failed";
	if (error)
		rec->info.error = rat_run__keep(rec, rat_error_last()->message);
	if (opts->dry_run || !begun)
		return;
	rat_error__save(&saved);
	if (rat_run__record_save(rec, ws) != 0)
		rec->info.record_error = rat_run__keep(rec, rat_error_last()->message);
	/* published or not, the record failing to save changes neither: a warning */
	rat_error__restore(&saved);
}

int rat_run(rat_run_info **out, const rat_workspace *ws, const rat_run_options *opts_in)
{
	rat_run_options opts_v;
	const rat_run_options *opts = &opts_v;
	rat_pipelines all = { NULL, 0, NULL, 0, NULL, NULL };
	scheduler s;
	rat_catalog *catalog = NULL;
	rat_resources res;
	const char *target = NULL;
	char id[40], started_at[40], run_branch[RUN_BRANCH_MAX], base[RAT_HASH_LEN + 1];
	size_t *index = NULL, threads;
	int64_t real_start = rat_clock__real_ms();
	bool begun = false; /* the catalog opened: from there on, the run is recorded */
	bool made = false;  /* its run branch made */
	int error;

	*out = NULL;
	if ((error = read_options(&opts_v, opts_in)) != 0)
		return error;
	memset(&s, 0, sizeof(s));
	pthread_mutex_init(&s.lock, NULL);
	pthread_cond_init(&s.changed, NULL);
	pthread_mutex_init(&s.watch.lock, NULL);
	if ((error = prepare(&s, &all, ws, opts, id, started_at, run_branch, &index)) != 0)
		goto cleanup;
	s.index = index;
	s.ctx.ws = ws;
	s.ctx.pipelines = &all;
	s.ctx.opts = opts;
	s.ctx.run_id = s.rec->info.id;
	s.ctx.branch = run_branch;
	s.ctx.started_at = started_at;
	s.ctx.started_ms = s.rec->info.started_ms;
	s.ctx.author = default_author(opts, ws);
	s.ctx.watch = &s.watch;
	if ((error = (opts->dry_run ? rat_workspace__read_catalog
				    : rat_workspace__create_catalog)(&catalog, ws)) != 0)
		goto finish;
	begun = true;
	if ((error = target_branch(&target, ws, catalog, opts->branch, base)) != 0)
		goto finish;
	s.rec->info.branch = rat_run__keep(s.rec, target);
	s.ctx.read_ref = opts->dry_run ? s.rec->info.branch : NULL;
	if (!opts->dry_run && ((error = rat_lease__take(&s.lease, ws, s.ctx.branch)) != 0 ||
			       (error = rat_run__prune(NULL, catalog, ws)) != 0 ||
			       (error = rat_catalog__create_ref(catalog, run_branch, RAT_REF_BRANCH,
								base)) != 0 ||
			       (made = true, error = save_running(&s, ws)) != 0))
		goto finish;
	rat_workspace_resources(ws, &res);
	threads = res.max_parallel_pipelines > 0 ? (size_t)res.max_parallel_pipelines : 1;
	if (threads > s.rec->info.step_count)
		threads = s.rec->info.step_count ? s.rec->info.step_count : 1;
	error = land(&s, catalog, base, run_branch, execute(&s, threads));
finish:
	s.rec->info.finished_ms = s.rec->info.started_ms + (rat_clock__real_ms() - real_start);
	finish_record(s.rec, ws, opts, begun, made, error);
	remove_staging(ws, id);
	*out = &s.rec->info;
cleanup:
	free_scheduler(&s);
	if (s.rec && !*out)
		rat_run_info_free(&s.rec->info);
	rat_catalog__free(catalog);
	rat_pipelines_free(&all);
	free(index);
	return error;
}
