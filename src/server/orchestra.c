/*
 * server/orchestra.c - `rat serve` as the orchestrator (docs/orchestration.md):
 * one thread that, once a second, looks at every served workspace's
 * triggers (rat_trigger_list_get, loaded again every 10 s so that an edited
 * pipeline takes effect) and queues the runs they ask for (runner.c).
 *
 * Every fire is a tick recorded in the ledger first (rat_trigger_tick_add):
 * a tick recorded already (before a restart, or by another server on the
 * same RAT_HOME) is never fired again. A trigger seen for the first time is
 * armed at that moment and fires from its next tick on. After downtime, a
 * schedule's missed ticks are recorded as missed, but those its catchup:
 * runs (none; last, the default; all, at most RAT_CATCHUP_MAX).
 *
 * The clock is the real one, or (rat serve --clock) one that starts at a
 * given time and may run faster: schedules can be tried across a day, or a
 * change of offset, in seconds.
 */
#include "server/server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>
#include <fcntl.h>

#define RELOAD_MS 10000       /* triggers loaded again after this long (real time) */
#define ON_TIME_MS 60000      /* a tick seen later than this (or two looks) was not on time */
#define CATCHUP_MAX 100       /* the most missed ticks catchup: all runs (rat/schedule.h) */
#define SCAN_MAX 1000000      /* ticks looked at after downtime, at most */
#define PRUNE_MS 3600000      /* the ledger pruned once an hour (runs.retention_days) */

typedef struct trig {
	const rat_trigger_info *info; /* in its workspace's list */
	rat_schedule *schedule;       /* schedule triggers */
	srv_landing *landing;         /* landing triggers: the last look */
	int64_t cursor;               /* the last tick decided (0: not known yet) */
} trig;

typedef struct wstate {
	srv_workspace *w;
	rat_trigger_list list;
	trig *trigs;
	int64_t loaded_ms; /* real time */
	bool resumed;      /* what a server before this one left queued was queued again */
	char *error;       /* the last load error said, said once */
	int64_t pruned_ms; /* when its ledger was last pruned (real time) */
	bool watched;      /* its landing folders looked at (landing.c) */
} wstate;

struct srv_orchestra {
	srv_context *ctx;
	srv_runner *runner;
	srv_alerts *alerts;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop, fire;
	int64_t clock_start, real_start;
	int64_t started_ms; /* when it started, on its clock */
	double speed;
	wstate *states;
	size_t nstates;
};

int64_t srv_real_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t srv_orchestra_now(const srv_orchestra *o)
{
	if (!o || !o->clock_start)
		return srv_real_ms();
	return o->clock_start + (int64_t)((double)(srv_real_ms() - o->real_start) * o->speed);
}

bool srv_orchestra_clock_set(const srv_orchestra *o)
{
	return o && o->clock_start;
}

void srv_orchestra_alert(srv_orchestra *o, srv_workspace *w, const char *type, json_t *data,
			 const char *summary)
{
	if (o && o->alerts)
		srv_alerts_emit(o->alerts, w, type, data, summary);
	else
		json_decref(data);
}

static void trigs_free(trig *t, size_t n)
{
	size_t i;

	for (i = 0; t && i < n; i++) {
		rat_schedule_free(t[i].schedule);
		srv_landing_free(t[i].landing);
	}
	free(t);
}

/* The workspace's triggers loaded again; a trigger kept keeps its cursor. */
static void reload(srv_orchestra *o, wstate *s)
{
	rat_trigger_list list;
	trig *trigs;
	size_t i, j;

	s->loaded_ms = srv_real_ms();
	if (rat_trigger_list_get(&list, s->w->ws) != 0) {
		const char *why = rat_error_last()->message;

		if (!s->error || strcmp(s->error, why) != 0) /* said once, not every 10 s */
			srv_log(o->ctx, "%s: triggers not loaded (the last ones stay): %s", s->w->name, why);
		free(s->error);
		s->error = strdup(why);
		return;
	}
	if (!(trigs = calloc(list.count ? list.count : 1, sizeof(*trigs)))) {
		rat_trigger_list_free(&list);
		return;
	}
	for (i = 0; i < list.count; i++) {
		trigs[i].info = &list.items[i];
		if (!strcmp(list.items[i].type, "schedule") &&
		    rat_schedule_parse(&trigs[i].schedule, list.items[i].cron, list.items[i].timezone) != 0)
			srv_log(o->ctx, "%s: %s: %s", s->w->name, list.items[i].id, rat_error_last()->message);
		for (j = 0; j < s->list.count; j++)
			if (!strcmp(s->list.items[j].id, list.items[i].id) &&
			    !strcmp(s->list.items[j].type, list.items[i].type)) {
				trigs[i].cursor = s->trigs[j].cursor;
				trigs[i].landing = s->trigs[j].landing; /* moved */
				s->trigs[j].landing = NULL;
			}
	}
	if (s->error)
		srv_log(o->ctx, "%s: triggers loaded again (%zu)", s->w->name, list.count);
	free(s->error);
	s->error = NULL;
	trigs_free(s->trigs, s->list.count);
	rat_trigger_list_free(&s->list);
	s->list = list;
	s->trigs = trigs;
}

/* A first attempt of a run of w: its selectors copied, what its record says started it, a new
 * run id; due at now_ms. NULL when out of memory. */
static srv_run_request *request_new(srv_workspace *w, const char *const *select, size_t n,
				    const char *trigger, int64_t now_ms)
{
	srv_run_request *req = calloc(1, sizeof(*req));
	size_t i;

	if (!req || !(req->select = calloc(n + 1, sizeof(char *))) || !(req->trigger = strdup(trigger)) ||
	    rat_run_id_make(req->run_id, srv_real_ms()) != 0) {
		srv_run_request_free(req);
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (!(req->select[i] = strdup(select[i]))) {
			srv_run_request_free(req);
			return NULL;
		}
	req->w = w;
	req->attempt = 1;
	req->not_before = now_ms;
	return req;
}

/* A run request for trigger t's tick. */
static srv_run_request *request_for(srv_workspace *w, const rat_trigger_info *t, int64_t tick_ms,
				    int64_t now_ms)
{
	char trigger[600];
	srv_run_request *req;

	snprintf(trigger, sizeof(trigger), "%s@%lld", t->id, (long long)tick_ms);
	if (!(req = request_new(w, t->select, t->select_count, trigger, now_ms)))
		return NULL;
	if (!(req->id = strdup(t->id))) {
		srv_run_request_free(req);
		return NULL;
	}
	req->tick_ms = tick_ms;
	req->queue = !strcmp(t->overlap, "queue");
	req->retries = t->retries;
	req->delay_ms = t->retry_delay_ms;
	req->backoff = t->retry_backoff;
	return req;
}

/* How late a tick due since the server started may be seen and still be on time (not missed
 * while the server was down, or not looking): a minute, or two looks of a clock that runs
 * faster (--clock). A tick due before the server started is never on time. */
static bool on_time(const srv_orchestra *o, int64_t tick_ms, int64_t now_ms)
{
	int64_t looks = (int64_t)(2000.0 * o->speed);

	return tick_ms > o->started_ms && now_ms - tick_ms <= (looks > ON_TIME_MS ? looks : ON_TIME_MS);
}

/* Record tick as state; with fire, queue its run when this call recorded it. */
static void decide(srv_orchestra *o, wstate *s, const rat_trigger_info *t, int64_t tick_ms,
		   bool fire, const char *note, int64_t now_ms)
{
	srv_run_request *req;
	int recorded = 0;

	if (rat_trigger_tick_add(s->w->ws, t->id, tick_ms, fire ? "queued" : "missed", note, now_ms,
				 &recorded) != 0) {
		srv_log(o->ctx, "%s: %s: the tick was not recorded, so not fired: %s", s->w->name,
			t->id, rat_error_last()->message);
		return;
	}
	if (!recorded || !fire)
		return;
	if (!(req = request_for(s->w, t, tick_ms, now_ms))) {
		srv_log(o->ctx, "%s: %s: out of memory", s->w->name, t->id);
		return;
	}
	if (!on_time(o, tick_ms, now_ms)) /* a missed tick caught up waits its turn: a backlog */
		req->queue = true;
	if (note && note[0])
		req->origin = strdup(note);
	pthread_mutex_lock(&o->lock); /* the runner is the loop's and the webhooks' */
	srv_runner_add(o->runner, req);
	pthread_mutex_unlock(&o->lock);
}

int srv_orchestra_fire(srv_orchestra *o, srv_workspace *w, const rat_trigger_info *t,
		       const char *note, int64_t *tick_ms, char run_id[RAT_RUN_ID_MAX], char *why,
		       size_t len)
{
	int64_t now_ms = srv_orchestra_now(o), tick;
	srv_run_request *req;
	int recorded = 0, tries;

	if (!o || !o->fire) {
		snprintf(why, len, "the server fires no trigger (--no-triggers)");
		return -1;
	}
	for (tick = now_ms, tries = 0; !recorded && tries < 100; tick++, tries++) /* one tick a ms */
		if (rat_trigger_tick_add(w->ws, t->id, tick, "queued", note, now_ms, &recorded) != 0) {
			snprintf(why, len, "%s", rat_error_last()->message);
			return -1;
		}
	if (!recorded || !(req = request_for(w, t, tick - 1, now_ms))) {
		snprintf(why, len, "%s", recorded ? "out of memory" : "no free tick");
		return -1;
	}
	*tick_ms = tick - 1;
	memcpy(run_id, req->run_id, RAT_RUN_ID_MAX);
	if (note && note[0])
		req->origin = strdup(note);
	pthread_mutex_lock(&o->lock);
	srv_runner_add(o->runner, req);
	pthread_cond_signal(&o->wake); /* started now, not at the next second */
	pthread_mutex_unlock(&o->lock);
	return 0;
}

int srv_orchestra_run(srv_orchestra *o, srv_workspace *w, const char *const *select, size_t n,
		      const char *why, char run_id[RAT_RUN_ID_MAX], char *why_not, size_t len)
{
	srv_run_request *req;
	int rc;

	if (!o || !(req = request_new(w, select, n, why, srv_orchestra_now(o)))) {
		snprintf(why_not, len, "%s", o ? "out of memory" : "the server runs nothing");
		return -1;
	}
	req->queue = true; /* asked for: it waits its turn */
	memcpy(run_id, req->run_id, RAT_RUN_ID_MAX);
	pthread_mutex_lock(&o->lock);
	rc = srv_runner_add(o->runner, req); /* it takes req, even when full */
	pthread_cond_signal(&o->wake);
	pthread_mutex_unlock(&o->lock);
	if (rc != 0)
		snprintf(why_not, len, "the run queue is full");
	return rc;
}

const char *srv_orchestra_run_state(srv_orchestra *o, const srv_workspace *w, const char *run_id)
{
	const char *state;

	if (!o)
		return NULL;
	pthread_mutex_lock(&o->lock);
	state = srv_runner_state(o->runner, w, run_id);
	pthread_mutex_unlock(&o->lock);
	return state;
}

const char *srv_orchestra_cancel(srv_orchestra *o, const srv_workspace *w, const char *run_id)
{
	const char *done;

	if (!o)
		return NULL;
	pthread_mutex_lock(&o->lock);
	done = srv_runner_cancel(o->runner, w, run_id);
	pthread_mutex_unlock(&o->lock);
	return done;
}

/*
 * A tick a server before this one left running: what its run's record says became of it,
 * or, while its process still runs, that run followed by this server to its end
 * (srv_runner_adopt: nothing else runs in the workspace meanwhile). false when the run
 * never started (the server was killed before it did): the caller queues it again.
 */
static bool was_started(srv_orchestra *o, wstate *s, const rat_trigger_tick *k, size_t at,
			int64_t now_ms)
{
	char run_id[RAT_RUN_ID_MAX] = "", note[512];
	const char *state = "interrupted";
	rat_run_info *run = NULL;
	srv_run_request *req;
	pid_t pid = 0;

	if (sscanf(k->note, "run %39[^,]", run_id) != 1)
		return false;
	if (rat_run_get(&run, s->w->ws, run_id) != 0 && !(pid = srv_run_pid(run_id)))
		return false;
	if (run && strcmp(run->status, "running") != 0)
		state = !strcmp(run->status, "success") ? "done"
			: !strcmp(run->status, "cancelled") ? "cancelled" : "failed";
	else if (pid || (pid = srv_run_pid(run_id)) != 0) { /* still running: followed from here */
		rat_run_info_free(run);
		pthread_mutex_lock(&o->lock);
		if (at < s->list.count && (req = request_for(s->w, &s->list.items[at], k->tick_ms,
							    now_ms)) != NULL) {
			snprintf(req->run_id, sizeof(req->run_id), "%s", run_id);
			req->origin = strdup("the server stopped while it ran: followed by the next");
			if (srv_runner_adopt(o->runner, req, pid, now_ms) == 0) {
				pthread_mutex_unlock(&o->lock);
				return true;
			}
		}
		pthread_mutex_unlock(&o->lock);
		run = NULL;
	}
	snprintf(note, sizeof(note), "the server stopped while run %s ran%s%s", run_id,
		 strcmp(state, "interrupted") ? "; its record: " : "",
		 strcmp(state, "interrupted") ? run->status : "");
	rat_run_info_free(run);
	if (rat_trigger_tick_set(s->w->ws, k->trigger, k->tick_ms, state, note, now_ms) != 0)
		srv_log(o->ctx, "%s: %s: %s", s->w->name, k->trigger, rat_error_last()->message);
	return true;
}

/*
 * Once per workspace, at the server's first look: the ticks a server before this one
 * decided to fire but did not run (it stopped, or was killed, first: no record of the run,
 * no process) are queued again, in order; those whose run it started are recorded as the
 * run's record says (its process outlives the server: it is never started twice).
 */
static void resume(srv_orchestra *o, wstate *s, int64_t now_ms)
{
	rat_trigger_tick_list ticks;
	size_t i, j;

	s->resumed = true;
	if (rat_trigger_tick_list_get(&ticks, s->w->ws, NULL, 0) != 0) {
		srv_log(o->ctx, "%s: %s", s->w->name, rat_error_last()->message);
		return;
	}
	for (i = ticks.count; i-- > 0;) { /* oldest first */
		const rat_trigger_tick *k = &ticks.items[i];
		srv_run_request *req;

		for (j = 0; j < s->list.count; j++)
			if (!strcmp(s->list.items[j].id, k->trigger))
				break;
		if (!strcmp(k->state, "running") ? was_started(o, s, k, j, now_ms)
		    : strcmp(k->state, "queued") != 0 && strcmp(k->state, "retrying") != 0)
			continue;
		pthread_mutex_lock(&o->lock);
		req = j == s->list.count || srv_runner_has(o->runner, s->w, k->trigger, k->tick_ms)
			      ? NULL : request_for(s->w, &s->list.items[j], k->tick_ms, now_ms);
		if (req) {
			req->queue = true; /* decided before: it waits its turn */
			req->origin = strdup("queued again: the server stopped before it ran");
			srv_log(o->ctx, "%s: %s@%lld queued again: the server stopped before it ran",
				s->w->name, k->trigger, (long long)k->tick_ms);
			srv_runner_add(o->runner, req);
		}
		pthread_mutex_unlock(&o->lock);
		if (!req && j == s->list.count &&
		    rat_trigger_tick_set(s->w->ws, k->trigger, k->tick_ms, "missed",
					 "its trigger is gone: not run", now_ms) != 0)
			srv_log(o->ctx, "%s: %s", s->w->name, rat_error_last()->message);
	}
	rat_trigger_tick_list_free(&ticks);
}

/* Where a trigger goes on from: its latest recorded tick, or now (armed) the first time. */
static bool cursor_known(srv_orchestra *o, wstate *s, trig *t, int64_t now_ms)
{
	int64_t last = 0;
	int recorded;

	if (t->cursor)
		return true;
	if (rat_trigger_tick_last(s->w->ws, t->info->id, &last) != 0) {
		srv_log(o->ctx, "%s: %s: %s", s->w->name, t->info->id, rat_error_last()->message);
		return false;
	}
	if (!last && rat_trigger_tick_add(s->w->ws, t->info->id, now_ms, "armed",
					  "first seen by the server", now_ms, &recorded) != 0)
		return false;
	t->cursor = last ? last : now_ms;
	return true;
}

/* The ticks of a schedule due since its cursor: fired or recorded as missed, per catchup. */
static void schedule_due(srv_orchestra *o, wstate *s, trig *t, int64_t now_ms)
{
	int64_t window[CATCHUP_MAX], at, next;
	size_t total = 0, kept, i;
	const char *catchup = t->info->catchup;

	if (!t->schedule || !cursor_known(o, s, t, now_ms))
		return;
	for (at = t->cursor; total < SCAN_MAX && rat_schedule_next(t->schedule, at, &next) == 0 &&
			     next <= now_ms; at = next)
		window[total++ % CATCHUP_MAX] = next;
	if (total == 0)
		return;
	kept = total < CATCHUP_MAX ? total : CATCHUP_MAX;
	for (i = 0; i < kept; i++) { /* oldest first */
		int64_t tick = window[(total - kept + i) % CATCHUP_MAX];
		bool newest = i == kept - 1, due = on_time(o, tick, now_ms);
		bool fire = !strcmp(catchup, "all") || due || (newest && !strcmp(catchup, "last"));

		decide(o, s, t->info, tick, fire,
		       due ? "" : fire ? "missed while the server was down: caught up"
				   : "missed while the server was down", now_ms);
	}
	if (total > kept)
		srv_log(o->ctx, "%s: %s: %zu older ticks missed while the server was down", s->w->name,
			t->info->id, total - kept);
	t->cursor = at;
}

/* When the pipeline's table last changed (its snapshot's time); 0 when it has none. */
static int64_t table_changed_ms(const srv_workspace *w, const char *key)
{
	rat_table_list list;
	int64_t at = 0;

	if (rat_table_list_get(&list, w->ws, NULL, key) == 0) {
		at = list.count ? list.items[0].updated_ms : 0;
		rat_table_list_free(&list);
	}
	return at;
}

/*
 * A freshness trigger: a tick every period, on the period's boundaries since the epoch; it
 * runs the pipeline unless its table changed within the period before the tick (a run since
 * made it fresh: the tick is skipped, and said).
 */
static void freshness_due(srv_orchestra *o, wstate *s, trig *t, int64_t now_ms)
{
	int64_t period = t->info->interval_ms, tick, changed;
	char note[128];
	int recorded;

	if (period <= 0 || !cursor_known(o, s, t, now_ms))
		return;
	tick = now_ms / period * period;
	if (tick <= t->cursor)
		return;
	t->cursor = tick;
	changed = table_changed_ms(s->w, t->info->pipeline);
	if (changed <= 0 || changed > tick || tick - changed >= period) {
		decide(o, s, t->info, tick, true, "", now_ms);
		return;
	}
	snprintf(note, sizeof(note), "its table changed %.1f h before, within the period: fresh",
		 (double)(tick - changed) / 3600000.0);
	if (rat_trigger_tick_add(s->w->ws, t->info->id, tick, "skipped", note, now_ms, &recorded) != 0)
		srv_log(o->ctx, "%s: %s: %s", s->w->name, t->info->id, rat_error_last()->message);
}

/* A landing trigger: a tick (this second) when files landed since what the ledger saw. */
static void landing_due(srv_orchestra *o, wstate *s, trig *t, int64_t now_ms)
{
	size_t fresh = 0;
	char note[64];

	if (srv_landing_look(&t->landing, s->w, t->info, now_ms, &fresh) != 0) {
		srv_log(o->ctx, "%s: %s: cannot look at %s%s: %s", s->w->name, t->info->id,
			strncmp(t->info->path, "s3://", 5) ? "landing/" : "", t->info->path,
			rat_error_last()->message);
		return;
	}
	if (!fresh)
		return;
	snprintf(note, sizeof(note), "%zu new file%s", fresh, fresh == 1 ? "" : "s");
	decide(o, s, t->info, now_ms / 1000 * 1000, true, note, now_ms);
}

static void look(srv_orchestra *o, wstate *s, int64_t now_ms)
{
	size_t i;

	if (!s->loaded_ms || srv_real_ms() - s->loaded_ms >= RELOAD_MS)
		reload(o, s);
	if (srv_real_ms() - s->pruned_ms >= PRUNE_MS) { /* the ledger's old ticks, on this clock */
		s->pruned_ms = srv_real_ms();
		if (rat_trigger_prune(s->w->ws, now_ms - rat_workspace_run_retention_days(s->w->ws) *
							   86400000) != 0)
			srv_log(o->ctx, "%s: the ledger was not pruned: %s", s->w->name,
				rat_error_last()->message);
	}
	if (!s->resumed && !s->error)
		resume(o, s, now_ms);
	for (i = 0; i < s->list.count; i++) {
		trig *t = &s->trigs[i];

		if (!strcmp(t->info->type, "schedule"))
			schedule_due(o, s, t, now_ms);
		else if (!strcmp(t->info->type, "freshness"))
			freshness_due(o, s, t, now_ms);
		else if (!strcmp(t->info->type, "landing"))
			landing_due(o, s, t, now_ms);
	}
}

/* The served workspaces, those made since included: one state each. */
static void states_sync(srv_orchestra *o)
{
	size_t n;

	pthread_mutex_lock(&o->ctx->lock);
	n = o->ctx->count;
	if (n > o->nstates) {
		wstate *grown = realloc(o->states, n * sizeof(*grown));

		if (grown) {
			memset(grown + o->nstates, 0, (n - o->nstates) * sizeof(*grown));
			for (; o->nstates < n; o->nstates++)
				grown[o->nstates].w = o->ctx->items[o->nstates];
			o->states = grown;
		}
	}
	pthread_mutex_unlock(&o->ctx->lock);
}

static void *loop(void *arg)
{
	srv_orchestra *o = arg;
	size_t i;

	pthread_mutex_lock(&o->lock);
	while (!o->stop) {
		int64_t now_ms = srv_orchestra_now(o);
		struct timespec until;

		pthread_mutex_unlock(&o->lock);
		states_sync(o);
		for (i = 0; o->fire && !o->ctx->stopping && i < o->nstates; i++)
			look(o, &o->states[i], now_ms);
		pthread_mutex_lock(&o->lock);
		if (!o->ctx->stopping) /* the server stops: no run starts now to be cancelled at once */
			srv_runner_step(o->runner, now_ms);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		if (!o->stop)
			pthread_cond_timedwait(&o->wake, &o->lock, &until);
	}
	pthread_mutex_unlock(&o->lock);
	return NULL;
}

/* The rat beside this rat-serve, when opts names none (free()). */
static char *rat_program(const rat_serve_options *opts)
{
	char self[4096], *slash;
	ssize_t n;

	if (opts->rat)
		return strdup(opts->rat);
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 5)) <= 0)
		return NULL;
	self[n] = '\0';
	if ((slash = strrchr(self, '/')) == NULL)
		return NULL;
	strcpy(slash + 1, "rat");
	return strdup(self);
}

int srv_orchestra_start(srv_context *ctx, const rat_serve_options *opts)
{
	srv_orchestra *o = calloc(1, sizeof(*o));
	char *rat = rat_program(opts);

	if (!o || !rat || !(o->runner = srv_runner_new(ctx, opts, rat))) {
		free(rat);
		free(o);
		return -1;
	}
	o->ctx = ctx;
	o->fire = !opts->no_triggers;
	o->clock_start = opts->clock_start_ms;
	o->real_start = srv_real_ms();
	o->speed = opts->clock_speed > 0 ? opts->clock_speed : 1;
	o->started_ms = srv_orchestra_now(o);
	pthread_mutex_init(&o->lock, NULL);
	pthread_cond_init(&o->wake, NULL);
	ctx->orchestra = o;
	if (!(o->alerts = srv_alerts_start(ctx, rat, o->fire)) ||
	    pthread_create(&o->thread, NULL, loop, o) != 0) {
		srv_alerts_stop(o->alerts);
		ctx->orchestra = NULL;
		srv_runner_free(o->runner);
		pthread_mutex_destroy(&o->lock);
		pthread_cond_destroy(&o->wake);
		free(rat);
		free(o);
		return -1;
	}
	free(rat);
	return 0;
}

void srv_orchestra_stop(srv_context *ctx)
{
	srv_orchestra *o = ctx->orchestra;
	size_t i;

	if (!o)
		return;
	pthread_mutex_lock(&o->lock);
	o->stop = true;
	pthread_cond_signal(&o->wake);
	pthread_mutex_unlock(&o->lock);
	pthread_join(o->thread, NULL);
	srv_runner_free(o->runner); /* a run it stops may still say an alert */
	srv_alerts_stop(o->alerts);
	for (i = 0; i < o->nstates; i++) {
		trigs_free(o->states[i].trigs, o->states[i].list.count);
		rat_trigger_list_free(&o->states[i].list);
		free(o->states[i].error);
	}
	free(o->states);
	pthread_mutex_destroy(&o->lock);
	pthread_cond_destroy(&o->wake);
	ctx->orchestra = NULL;
	free(o);
}
