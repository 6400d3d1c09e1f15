/*
 * server/alerts.c - what `rat serve` tells people (docs/orchestration.md,
 * "Alerts"): a run it started that failed for good (its retries spent),
 * a product later than its sla.freshness_hours, a pipeline whose freshness
 * check fails or warns. Each is a line in the server's log, and an event
 * POSTed to the workspace's `alerts:` (rat_alert_send: signed, retried) by
 * a thread of its own, so that a slow receiver holds up no run.
 *
 * Products and freshness are looked at every CHECK_MS of the triggers'
 * clock. A state is said when it changes, not at every look: what was said
 * last is kept in the ledger (rat_trigger_seen, under ALERTS), so that a
 * restart does not say again that a product is late. Freshness is looked
 * at by a child `rat test -t freshness -o json`, as runs are: the server
 * never loads the engine.
 */
#include "server/server.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHECK_MS (5 * 60 * 1000)  /* products and freshness looked at, on the triggers' clock */
#define QUEUE_MAX 1000
#define CHILD_TIMEOUT_MS 300000   /* a freshness look that takes longer is killed */
#define OUTPUT_MAX (8 << 20)
#define ALERTS "alerts"           /* the ledger's name for what was said */

extern char **environ;

typedef struct pending {
	srv_workspace *w;
	char *type, *body;
	struct pending *next;
} pending;

struct srv_alerts {
	srv_context *ctx;
	char *rat;
	bool checks;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	volatile bool stop; /* also read, unlocked, by a look in progress: it ends early */
	pending *head, **tail;
	size_t queued;
	int64_t checked_ms; /* the last look, on the triggers' clock */
};

void srv_alerts_emit(srv_alerts *a, srv_workspace *w, const char *type, json_t *data,
		     const char *summary)
{
	pending *p = NULL;
	char *body = data ? json_dumps(data, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

	srv_log(a->ctx, "%s: alert %s: %s", w->name, type, summary);
	json_decref(data);
	pthread_mutex_lock(&a->lock);
	if (body && a->queued < QUEUE_MAX && (p = calloc(1, sizeof(*p))) && (p->type = strdup(type))) {
		p->w = w;
		p->body = body;
		body = NULL;
		*a->tail = p;
		a->tail = &p->next;
		a->queued++;
		pthread_cond_signal(&a->wake);
	} else {
		if (p)
			free(p);
		srv_log(a->ctx, "%s: alert %s not sent: %s", w->name, type,
			a->queued >= QUEUE_MAX ? "too many wait already" : "out of memory");
	}
	pthread_mutex_unlock(&a->lock);
	free(body);
}

static void deliver(srv_alerts *a, pending *p)
{
	rat_alert_report report;

	if (rat_alert_send(&report, p->w->ws, p->type, p->body, srv_orchestra_now(a->ctx->orchestra)) != 0)
		srv_log(a->ctx, "%s: alert %s: %s", p->w->name, p->type, rat_error_last()->message);
	else if (report.targets)
		srv_log(a->ctx, "%s: alert %s delivered (%zu of %zu)", p->w->name, p->type,
			report.delivered, report.targets);
}

/* Whether what ALERTS said of key last is not state: recorded as said now. */
static bool changed(srv_alerts *a, srv_workspace *w, const char *key, const char *state, int64_t now)
{
	int fresh = 0;

	if (rat_trigger_seen(w->ws, ALERTS, key, state, now, &fresh) != 0) {
		srv_log(a->ctx, "%s: %s: %s", w->name, key, rat_error_last()->message);
		return false;
	}
	return fresh != 0;
}

/* w's products later than their SLA, each said when it becomes late. */
static void look_products(srv_alerts *a, srv_workspace *w, int64_t now)
{
	rat_product_list list;
	size_t i;

	if (rat_product_list_get(&list, w->ws, NULL) != 0)
		return;
	for (i = 0; i < list.count; i++) {
		const rat_product_info *p = &list.items[i];
		const rat_product_version_info *v =
			p->version_count ? &p->versions[p->version_count - 1] : NULL;
		double hours = v ? (double)(now - v->published_ms) / 3600000.0 : 0;
		char key[300], state[96], summary[512];
		bool late = v && p->sla_hours > 0 && hours > p->sla_hours;

		if (strcmp(p->owner, w->name) != 0 || p->sla_hours <= 0 || !v)
			continue;
		snprintf(key, sizeof(key), "product.late:%s", p->name);
		snprintf(state, sizeof(state), "%s %s", late ? "late" : "fresh", v->version);
		if (!changed(a, w, key, state, now) || !late)
			continue;
		snprintf(summary, sizeof(summary), "product %s: version %s is %.1f h old (sla %g h)",
			 p->name, v->version, hours, p->sla_hours);
		srv_alerts_emit(a, w, "product.late",
				json_pack("{s:s, s:s, s:f, s:f, s:I}", "product", p->name, "version",
					  v->version, "age_hours", hours, "sla_hours", p->sla_hours,
					  "published_ms", (json_int_t)v->published_ms),
				summary);
	}
	rat_product_list_free(&list);
}

/* The environment of a freshness look: the server's, with RAT_NOW at now on an injected clock
 * (*owned: the one string to free()). */
static char **child_env(const srv_alerts *a, int64_t now, char **owned)
{
	bool injected = srv_orchestra_clock_set(a->ctx->orchestra);
	size_t n = 0, i, k = 0;
	char **env, at[32];

	*owned = NULL;
	while (environ[n])
		n++;
	if (!(env = calloc(n + 2, sizeof(*env))))
		return NULL;
	for (i = 0; i < n; i++)
		if (!injected || strncmp(environ[i], "RAT_NOW=", 8) != 0)
			env[k++] = environ[i];
	if (injected) {
		rat_time_format(at, sizeof(at), now - now % 1000);
		strcpy(at + 19, "Z"); /* RAT_NOW takes whole seconds */
		if (asprintf(owned, "RAT_NOW=%s", at) < 0) {
			free(env);
			*owned = NULL;
			return NULL;
		}
		env[k++] = *owned;
	}
	return env;
}

/* `rat test -w <w> -t freshness -o json`'s output (free()), NULL when there is none. */
static char *freshness_output(srv_alerts *a, srv_workspace *w, int64_t now)
{
	const char *argv[] = { "rat", "test", "-w", rat_workspace_path(w->ws), "-t", "freshness",
			       "-o", "json", NULL };
	char *owned, **env = child_env(a, now, &owned), *out = NULL;
	size_t len = 0, cap = 0;
	int fds[2] = { -1, -1 };
	int64_t until = srv_real_ms() + CHILD_TIMEOUT_MS;
	int wstatus = 0;
	pid_t pid = -1;

	if (env && pipe2(fds, O_CLOEXEC) == 0 && (pid = fork()) == 0)
		srv_child_exec(a->rat, argv, env, fds[1]);
	if (fds[1] >= 0)
		close(fds[1]);
	while (pid > 0 && fds[0] >= 0) {
		struct pollfd pfd = { fds[0], POLLIN, 0 };
		int64_t left = until - srv_real_ms();
		ssize_t got;

		if (left <= 0 || poll(&pfd, 1, (int)(left < 1000 ? left : 1000)) < 0 ||
		    (a->stop && poll(&pfd, 1, 0) == 0)) {
			kill(-pid, SIGKILL); /* too long, or the server stops */
			break;
		}
		if (!(pfd.revents & (POLLIN | POLLHUP)))
			continue;
		if (len + 65536 + 1 > cap) {
			char *grown = cap + 65536 + 1 > OUTPUT_MAX ? NULL : realloc(out, cap + 65536 + 1);
			if (!grown) {
				kill(-pid, SIGKILL);
				break;
			}
			out = grown;
			cap += 65536 + 1;
		}
		if ((got = read(fds[0], out + len, cap - len - 1)) <= 0)
			break;
		len += (size_t)got;
	}
	if (fds[0] >= 0)
		close(fds[0]);
	while (pid > 0 && waitpid(pid, &wstatus, 0) < 0 && errno == EINTR)
		;
	if (pid < 0 || !WIFEXITED(wstatus) || WEXITSTATUS(wstatus) > 1)
		srv_log(a->ctx, "%s: freshness not looked at: rat test %s", w->name,
			pid < 0 ? "did not start" : !WIFEXITED(wstatus) ? "was stopped"
			: WEXITSTATUS(wstatus) == 127 ? "could not run" : "failed (rat test -t freshness says why)");
	if (out)
		out[len] = '\0';
	free(owned);
	free(env);
	return out;
}

/* One freshness result of the look: said when its state changed to failed or warned. */
static void freshness_result(srv_alerts *a, srv_workspace *w, json_t *t, int64_t now)
{
	const char *pipeline = json_string_value(json_object_get(t, "pipeline"));
	const char *status = json_string_value(json_object_get(t, "status"));
	const char *message = json_string_value(json_object_get(t, "message"));
	char key[300], summary[640];
	bool bad;

	if (!pipeline || !status || !json_is_string(json_object_get(t, "kind")) ||
	    strcmp(json_string_value(json_object_get(t, "kind")), "freshness"))
		return;
	bad = !strcmp(status, "failed") || !strcmp(status, "warned");
	snprintf(key, sizeof(key), "freshness.failed:%s", pipeline);
	if (!changed(a, w, key, bad ? status : "ok", now) || !bad)
		return;
	snprintf(summary, sizeof(summary), "%s: %s", pipeline, message ? message : status);
	srv_alerts_emit(a, w, "freshness.failed",
			json_pack("{s:s, s:s, s:s, s:s}", "pipeline", pipeline, "severity",
				  strcmp(status, "failed") ? "warn" : "error", "status", status,
				  "message", message ? message : ""),
			summary);
}

static void look_freshness(srv_alerts *a, srv_workspace *w, int64_t now)
{
	char *out = freshness_output(a, w, now);
	json_t *doc = out ? json_loads(out, 0, NULL) : NULL, *t;
	size_t i;

	free(out);
	json_array_foreach(json_object_get(doc, "tests"), i, t)
		freshness_result(a, w, t, now);
	json_decref(doc);
}

static void look(srv_alerts *a, int64_t now)
{
	size_t i, n;

	pthread_mutex_lock(&a->ctx->lock);
	n = a->ctx->count; /* items never move or go while the server runs */
	pthread_mutex_unlock(&a->ctx->lock);
	for (i = 0; i < n && !a->stop; i++) {
		look_products(a, a->ctx->items[i], now);
		look_freshness(a, a->ctx->items[i], now);
	}
}

static void *loop(void *arg)
{
	srv_alerts *a = arg;

	pthread_mutex_lock(&a->lock);
	while (!a->stop) {
		int64_t now = srv_orchestra_now(a->ctx->orchestra);
		struct timespec until;

		while (a->head && !a->stop) {
			pending *p = a->head;

			if (!(a->head = p->next))
				a->tail = &a->head;
			a->queued--;
			pthread_mutex_unlock(&a->lock);
			deliver(a, p);
			free(p->type);
			free(p->body);
			free(p);
			pthread_mutex_lock(&a->lock);
		}
		if (a->checks && !a->stop && now - a->checked_ms >= CHECK_MS) {
			a->checked_ms = now;
			pthread_mutex_unlock(&a->lock);
			look(a, now);
			pthread_mutex_lock(&a->lock);
			continue; /* what the look found goes out now */
		}
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		if (!a->stop && !a->head)
			pthread_cond_timedwait(&a->wake, &a->lock, &until);
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

srv_alerts *srv_alerts_start(srv_context *ctx, const char *rat, bool checks)
{
	srv_alerts *a = calloc(1, sizeof(*a));

	if (!a || !(a->rat = strdup(rat))) {
		free(a);
		return NULL;
	}
	a->ctx = ctx;
	a->checks = checks;
	a->tail = &a->head;
	pthread_mutex_init(&a->lock, NULL);
	pthread_cond_init(&a->wake, NULL);
	if (pthread_create(&a->thread, NULL, loop, a) != 0) {
		pthread_mutex_destroy(&a->lock);
		pthread_cond_destroy(&a->wake);
		free(a->rat);
		free(a);
		return NULL;
	}
	return a;
}

void srv_alerts_stop(srv_alerts *a)
{
	size_t dropped = 0;

	if (!a)
		return;
	pthread_mutex_lock(&a->lock);
	a->stop = true;
	pthread_cond_signal(&a->wake);
	pthread_mutex_unlock(&a->lock);
	pthread_join(a->thread, NULL);
	while (a->head) {
		pending *p = a->head;

		a->head = p->next;
		free(p->type);
		free(p->body);
		free(p);
		dropped++;
	}
	if (dropped)
		srv_log(a->ctx, "%zu alerts not sent: the server stopped (each is in this log)", dropped);
	pthread_mutex_destroy(&a->lock);
	pthread_cond_destroy(&a->wake);
	free(a->rat);
	free(a);
}
