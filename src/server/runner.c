/*
 * server/runner.c - the runs `rat serve` starts (server.h): each a child
 * `rat run -w <workspace> --trigger <id>@<tick> [SELECTOR...]`, so that a
 * crash or an out-of-memory in one run cannot take the server down, and the
 * run applies its workspace's profile itself. Requests wait in one queue,
 * first come first served, until:
 *   - their workspace runs nothing: a workspace's runs never overlap (the
 *     triggers of several pipelines firing at once run one after the
 *     other); and when a run of the same trigger is running or waiting,
 *     a trigger that says `overlap: skip` (the default) drops the new one,
 *     its tick recorded as skipped, and `queue` waits;
 *   - the server runs fewer than max_runs, and the memory of the
 *     workspaces running (each its profile's max_memory_mb) leaves room
 *     for this one's (a run alone always starts, whatever its size).
 * A run that failed goes back in the queue while it has retries left, after
 * its delay (times backoff at each attempt). Every decision is recorded in
 * the ledger under the trigger's tick (rat_trigger_tick_set), and said in
 * the server's log.
 */
#include "server/server.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define QUEUE_MAX 1000
#define STOP_WAIT_S 30 /* at the server's stop, how long runs have to end once told */

typedef struct running {
	srv_run_request *req;
	pid_t pid;
	int64_t memory_mb;
	int64_t started_ms;
	bool adopted; /* a run a server before this one started: not a child (srv_runner_adopt) */
} running;

struct srv_runner {
	srv_context *ctx;
	char *rat;
	int max_runs;
	int64_t memory_mb;
	srv_run_request **queue;
	size_t queued;
	running *runs;
	size_t nruns, runs_cap; /* runs_cap >= max_runs: adopted runs may come on top */
	bool stopping; /* the server stops: nothing starts, nothing is retried */
};

void srv_run_request_free(srv_run_request *req)
{
	size_t i;

	if (!req)
		return;
	for (i = 0; req->select && req->select[i]; i++)
		free(req->select[i]);
	free(req->select);
	free(req->trigger);
	free(req->id);
	free(req->origin);
	free(req);
}

srv_runner *srv_runner_new(srv_context *ctx, const rat_serve_options *opts, const char *rat)
{
	srv_runner *r = calloc(1, sizeof(*r));
	int64_t machine = 0;

	if (!r || !(r->rat = strdup(rat)) || !(r->queue = calloc(QUEUE_MAX, sizeof(*r->queue)))) {
		if (r)
			free(r->rat);
		free(r);
		return NULL;
	}
	r->ctx = ctx;
	r->max_runs = opts->max_runs > 0 ? opts->max_runs : 2;
	if ((r->memory_mb = opts->run_memory_mb) <= 0)
		r->memory_mb = rat_engine_machine_memory_mb(&machine) == 0 && machine > 0 ? machine * 3 / 4
											 : 4096;
	r->runs_cap = (size_t)r->max_runs;
	if (!(r->runs = calloc((size_t)r->max_runs, sizeof(*r->runs)))) {
		free(r->queue);
		free(r->rat);
		free(r);
		return NULL;
	}
	return r;
}

/* Record what became of a request's tick (a request for no trigger has none), and what fired it. */
static void note(srv_runner *r, const srv_run_request *req, const char *state, const char *text)
{
	char full[1024];

	snprintf(full, sizeof(full), "%s%s%s", text, req->origin ? "; " : "",
		 req->origin ? req->origin : "");
	if (req->id &&
	    rat_trigger_tick_set(req->w->ws, req->id, req->tick_ms, state, full,
				 srv_orchestra_now(r->ctx->orchestra)) != 0)
		srv_log(r->ctx, "%s: cannot record %s's tick: %s", req->w->name, req->trigger,
			rat_error_last()->message);
}

int srv_runner_add(srv_runner *r, srv_run_request *req)
{
	if (r->queued == QUEUE_MAX) {
		srv_log(r->ctx, "%s: %s not run: the queue holds %d runs already", req->w->name,
			req->trigger, QUEUE_MAX);
		note(r, req, "skipped", "the queue was full");
		srv_run_request_free(req);
		return -1;
	}
	r->queue[r->queued++] = req;
	return 0;
}

bool srv_runner_has(const srv_runner *r, const srv_workspace *w, const char *trigger, int64_t tick_ms)
{
	size_t i;

	for (i = 0; i < r->queued; i++)
		if (r->queue[i]->w == w && r->queue[i]->id && !strcmp(r->queue[i]->id, trigger) &&
		    r->queue[i]->tick_ms == tick_ms)
			return true;
	for (i = 0; i < r->nruns; i++)
		if (r->runs[i].req->w == w && r->runs[i].req->id && !strcmp(r->runs[i].req->id, trigger) &&
		    r->runs[i].req->tick_ms == tick_ms)
			return true;
	return false;
}

static bool workspace_running(const srv_runner *r, const srv_workspace *w)
{
	size_t i;

	for (i = 0; i < r->nruns; i++)
		if (r->runs[i].req->w == w)
			return true;
	return false;
}

static bool same_trigger(const srv_run_request *a, const srv_run_request *b)
{
	return a->w == b->w && a->id && b->id && !strcmp(a->id, b->id);
}

/* Whether a run of req's trigger runs, or waits ahead of it (the first until in the queue). */
static bool trigger_busy(const srv_runner *r, const srv_run_request *req, size_t until)
{
	size_t i;

	for (i = 0; i < r->nruns; i++)
		if (same_trigger(r->runs[i].req, req))
			return true;
	for (i = 0; i < until; i++)
		if (same_trigger(r->queue[i], req))
			return true;
	return false;
}

static int64_t memory_in_use(const srv_runner *r)
{
	int64_t sum = 0;
	size_t i;

	for (i = 0; i < r->nruns; i++)
		sum += r->runs[i].memory_mb;
	return sum;
}

/* The child: rat run, its output away (the run's record says everything). */
static pid_t spawn(const srv_runner *r, const srv_run_request *req)
{
	size_t n = 0, i;
	const char **argv;
	pid_t pid;

	for (i = 0; req->select && req->select[i]; i++)
		n++;
	if (!(argv = calloc(n + 10, sizeof(*argv))))
		return -1;
	n = 0;
	argv[n++] = "rat";
	argv[n++] = "run";
	argv[n++] = "-w";
	argv[n++] = rat_workspace_path(req->w->ws);
	argv[n++] = "--trigger";
	argv[n++] = req->trigger;
	argv[n++] = "--run-id";
	argv[n++] = req->run_id;
	for (i = 0; req->select && req->select[i]; i++)
		argv[n++] = req->select[i];
	pid = fork();
	if (pid == 0)
		srv_child_exec(r->rat, argv, NULL, -1);
	free(argv);
	return pid;
}

/* A run that failed for good (its retries spent), or could not start: an alert (run.failed),
 * with its failed steps when its record says them. */
static void failed_for_good(srv_runner *r, const srv_run_request *req, int code, const char *text)
{
	rat_run_info *run = NULL;
	json_t *data, *steps = json_array();
	char summary[768];
	size_t i;

	if (rat_run_get(&run, req->w->ws, req->run_id) != 0)
		run = NULL;
	for (i = 0; run && steps && i < run->step_count; i++)
		if (run->steps[i].status == RAT_STEP_FAILED)
			json_array_append_new(steps, json_pack("{s:s, s:s}", "pipeline",
							       run->steps[i].key, "error",
							       run->steps[i].error));
	data = json_pack("{s:s, s:s, s:s, s:i, s:i, s:s, s:o*}", "run_id", req->run_id, "trigger",
			 req->trigger, "status", run ? run->status : "not recorded", "attempts",
			 req->attempt, "exit_code", code, "error",
			 run && run->error[0] ? run->error : text, "failed_steps", steps);
	snprintf(summary, sizeof(summary), "run %s of %s failed after %d attempt%s: %.500s", req->run_id,
		 req->trigger, req->attempt, req->attempt == 1 ? "" : "s",
		 run && run->error[0] ? run->error : text);
	srv_orchestra_alert(r->ctx->orchestra, req->w, "run.failed", data, summary);
	rat_run_info_free(run);
}

void srv_child_exec(const char *program, const char *const *argv, char *const *envp, int out_fd)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	sigset_t none;

	sigemptyset(&none); /* the server blocks SIGTERM for sigwait: the child must not */
	pthread_sigmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(out_fd >= 0 ? out_fd : null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
	}
	closefrom(STDERR_FILENO + 1); /* the server's sockets and files are not the child's */
	setpgid(0, 0); /* a Ctrl-C at the server's terminal is the server's to pass on */
	if (envp)
		execve(program, (char *const *)argv, envp);
	else
		execv(program, (char *const *)argv);
	_exit(127);
}

/* Start req now; false when it could not (said and recorded). */
static bool start(srv_runner *r, srv_run_request *req, int64_t now_ms, int64_t memory_mb)
{
	running *run = &r->runs[r->nruns];
	char text[96];

	/* said before the process starts: a server killed in between leaves a tick "running"
	 * that the next server does not start again (orchestra.c, resume) */
	snprintf(text, sizeof(text), "run %s, attempt %d", req->run_id, req->attempt);
	note(r, req, "running", text);
	if ((run->pid = spawn(r, req)) < 0) {
		srv_log(r->ctx, "%s: cannot start a run for %s: %s", req->w->name, req->trigger,
			strerror(errno));
		note(r, req, "failed", "the run could not start");
		failed_for_good(r, req, -1, "the run could not start");
		return false;
	}
	run->req = req;
	run->memory_mb = memory_mb;
	run->started_ms = now_ms;
	run->adopted = false;
	r->nruns++;
	srv_log(r->ctx, "%s: run %s started for %s (attempt %d, pid %d)", req->w->name, req->run_id,
		req->trigger, req->attempt, (int)run->pid);
	return true;
}

/* The queue's requests that may start, started; those to skip, dropped. */
static void start_due(srv_runner *r, int64_t now_ms)
{
	size_t i = 0, kept = 0;

	if (r->stopping)
		return;
	for (i = 0; i < r->queued; i++) {
		srv_run_request *req = r->queue[i];
		rat_resources res;

		rat_workspace_resources(req->w->ws, &res);
		if (req->not_before > now_ms) {
			r->queue[kept++] = req;
		} else if (!req->queue && req->attempt == 1 && trigger_busy(r, req, kept)) {
			srv_log(r->ctx, "%s: %s skipped: a run of its trigger is running or waiting",
				req->w->name, req->trigger);
			note(r, req, "skipped", "a run of this trigger was running or waiting (overlap: skip)");
			srv_run_request_free(req);
		} else if (workspace_running(r, req->w) || r->nruns >= (size_t)r->max_runs ||
			   (r->nruns > 0 && memory_in_use(r) + res.max_memory_mb > r->memory_mb)) {
			r->queue[kept++] = req; /* waits for room */
		} else if (!start(r, req, now_ms, res.max_memory_mb)) {
			srv_run_request_free(req);
		}
	}
	r->queued = kept;
}

/* The status the run's record ends with ("" when it has none: it did not get that far). */
static void outcome(const srv_run_request *req, char *status, size_t len)
{
	rat_run_info *run = NULL;

	snprintf(status, len, "%s", "");
	if (rat_run_get(&run, req->w->ws, req->run_id) == 0)
		snprintf(status, len, "%s", run->status);
	rat_run_info_free(run);
}

/* A run that ended: recorded, and queued again when it failed with retries left. */
static void ended(srv_runner *r, running *run, int wstatus, int64_t now_ms)
{
	srv_run_request *req = run->req;
	int code = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
	char status[32], text[256];

	outcome(req, status, sizeof(status));
	if (run->adopted) /* not a child: its exit status is what its record says */
		code = !strcmp(status, "success") ? 0 : !strcmp(status, "cancelled") ? 130 : 1;
	snprintf(text, sizeof(text), "run %s: %s (exit %d, attempt %d)", req->run_id,
		 status[0] ? status : "not recorded", code, req->attempt);
	srv_log(r->ctx, "%s: %s: %s", req->w->name, req->trigger, text);
	if (code == 0) {
		note(r, req, "done", text);
	} else if (code == 130 || code == 128 + SIGTERM) {
		note(r, req, "cancelled", text);
	} else if (req->retries > 0 && !r->stopping) {
		req->retries--;
		req->attempt++;
		req->not_before = now_ms + req->delay_ms;
		req->delay_ms = (int64_t)((double)req->delay_ms * req->backoff + 0.5);
		note(r, req, "retrying", text);
		if (rat_run_id_make(req->run_id, srv_real_ms()) != 0) {
			note(r, req, "failed", "no id for the next attempt");
			srv_run_request_free(req);
			return;
		}
		if (srv_runner_add(r, req) == 0)
			req = NULL;
	} else {
		note(r, req, "failed", text);
		failed_for_good(r, req, code, text);
	}
	srv_run_request_free(req);
}

/* Whether process pid (its /proc name) is the run run_id: `... --run-id <run_id> ...`. */
static bool runs(const char *pid, const char *run_id)
{
	char path[300], cmdline[4096], arg[64];
	size_t len = (size_t)snprintf(arg, sizeof(arg), "--run-id%c%s", 0, run_id) + 1; /* with its NUL */
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%s/cmdline", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	n = read(fd, cmdline, sizeof(cmdline));
	close(fd);
	return n > 0 && len < sizeof(arg) && memmem(cmdline, (size_t)n, arg, len) != NULL;
}

pid_t srv_run_pid(const char *run_id)
{
	DIR *proc = opendir("/proc");
	struct dirent *e;
	pid_t found = 0;

	while (proc && !found && (e = readdir(proc)) != NULL)
		if (e->d_name[0] >= '1' && e->d_name[0] <= '9' && runs(e->d_name, run_id))
			found = (pid_t)atol(e->d_name);
	if (proc)
		closedir(proc);
	return found;
}

/* Whether an adopted run (not a child: no waitpid) still runs, as its /proc entry says. */
static bool adopted_runs(const running *run)
{
	char pid[16];

	snprintf(pid, sizeof(pid), "%d", (int)run->pid);
	return runs(pid, run->req->run_id);
}

int srv_runner_adopt(srv_runner *r, srv_run_request *req, pid_t pid, int64_t now_ms)
{
	rat_resources res;

	if (r->nruns == r->runs_cap) {
		running *grown = realloc(r->runs, (r->runs_cap + 1) * sizeof(*r->runs));
		if (!grown) {
			srv_run_request_free(req);
			return -1;
		}
		r->runs = grown;
		r->runs_cap++;
	}
	rat_workspace_resources(req->w->ws, &res);
	r->runs[r->nruns++] = (running){ req, pid, res.max_memory_mb, now_ms, true };
	srv_log(r->ctx, "%s: %s: run %s (process %d), started by a server before this one, "
			"followed to its end",
		req->w->name, req->trigger, req->run_id, (int)pid);
	return 0;
}

void srv_runner_step(srv_runner *r, int64_t now_ms)
{
	size_t i = 0;

	while (i < r->nruns) { /* reap */
		int wstatus = 0;
		pid_t got = r->runs[i].adopted ? (adopted_runs(&r->runs[i]) ? 0 : r->runs[i].pid)
					       : waitpid(r->runs[i].pid, &wstatus, WNOHANG);

		if (got == r->runs[i].pid || (got < 0 && errno == ECHILD)) {
			running done = r->runs[i];

			r->runs[i] = r->runs[--r->nruns];
			ended(r, &done, got < 0 ? 0 : wstatus, now_ms);
		} else {
			i++;
		}
	}
	start_due(r, now_ms);
}

/* The queue's request of w with run_id, or -1. */
static ssize_t queued_at(const srv_runner *r, const srv_workspace *w, const char *run_id)
{
	size_t i;

	for (i = 0; i < r->queued; i++)
		if (r->queue[i]->w == w && !strcmp(r->queue[i]->run_id, run_id))
			return (ssize_t)i;
	return -1;
}

static running *running_of(const srv_runner *r, const srv_workspace *w, const char *run_id)
{
	size_t i;

	for (i = 0; i < r->nruns; i++)
		if (r->runs[i].req->w == w && !strcmp(r->runs[i].req->run_id, run_id))
			return &r->runs[i];
	return NULL;
}

const char *srv_runner_state(const srv_runner *r, const srv_workspace *w, const char *run_id)
{
	if (running_of(r, w, run_id))
		return "running";
	return queued_at(r, w, run_id) >= 0 ? "queued" : NULL;
}

const char *srv_runner_cancel(srv_runner *r, const srv_workspace *w, const char *run_id)
{
	running *run = running_of(r, w, run_id);
	ssize_t at;

	if (run) {
		kill(run->pid, SIGTERM); /* it stops, publishes nothing, and is recorded as cancelled */
		srv_log(r->ctx, "%s: run %s cancelled (asked)", w->name, run_id);
		return "cancelling";
	}
	if ((at = queued_at(r, w, run_id)) < 0)
		return NULL;
	note(r, r->queue[at], "cancelled", "cancelled before it ran (asked)");
	srv_log(r->ctx, "%s: run %s cancelled before it ran (asked)", w->name, run_id);
	srv_run_request_free(r->queue[at]);
	memmove(&r->queue[at], &r->queue[at + 1], (r->queued - (size_t)at - 1) * sizeof(*r->queue));
	r->queued--;
	return "cancelled";
}

void srv_runner_free(srv_runner *r)
{
	size_t i;
	int waited;

	if (!r)
		return;
	r->stopping = true;
	for (i = 0; i < r->queued; i++) {
		note(r, r->queue[i], "cancelled", "the server stopped before it ran");
		srv_run_request_free(r->queue[i]);
	}
	r->queued = 0;
	for (i = 0; i < r->nruns; i++)
		kill(r->runs[i].pid, SIGTERM); /* the run stops and publishes nothing */
	for (waited = 0; r->nruns > 0 && waited < STOP_WAIT_S * 10; waited++) {
		srv_runner_step(r, srv_orchestra_now(r->ctx->orchestra));
		if (r->nruns)
			usleep(100000);
	}
	for (i = 0; i < r->nruns; i++) { /* past the wait: gone, whatever they were doing */
		kill(r->runs[i].pid, SIGKILL);
		waitpid(r->runs[i].pid, NULL, 0);
		note(r, r->runs[i].req, "cancelled", "the server stopped");
		srv_run_request_free(r->runs[i].req);
	}
	free(r->queue);
	free(r->runs);
	free(r->rat);
	free(r);
}
