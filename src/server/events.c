/*
 * server/events.c - GET /rat/v1/runs/{id}/events: a run's progress as
 * server-sent events (text/event-stream), for a page or a terminal to follow
 * it live. Four times a second the run is looked at (its record, or, while
 * it waits for its turn, the run queue); each change is an `event:
 * progress` whose data is one line of JSON ({"id", "status", "started_ms",
 * "finished_ms", "steps": [{"pipeline", "status", "rows_out",
 * "checks_failed", "error"}]}), a comment line every 15 s keeps proxies
 * from closing a quiet stream, and the stream ends with `event: end` once
 * the run has ended (or after a day, or when the server stops). A client
 * that goes away ends it too.
 */
#include "server/server.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOOK_US 250000
#define PING_MS 15000
#define LIFETIME_MS ((int64_t)86400 * 1000)

typedef struct run_events {
	srv_context *ctx;
	srv_workspace *w;
	char id[RAT_RUN_ID_MAX];
	char *last;     /* the last progress sent */
	char *pending;  /* what is to send */
	size_t len, off;
	bool ended, first;
	int64_t sent_ms, until_ms;
} run_events;

static void events_free(void *cls)
{
	run_events *e = cls;

	free(e->last);
	free(e->pending);
	free(e);
}

/* The run as the progress' JSON (free()); *over when it has ended. */
static char *progress(run_events *e, bool *over)
{
	rat_run_info *run = NULL;
	json_t *doc, *steps;
	const char *state;
	char *text;
	size_t i;

	*over = false;
	if (rat_run_get(&run, e->w->ws, e->id) != 0) { /* waiting for its turn, or gone */
		state = srv_orchestra_run_state(e->ctx->orchestra, e->w, e->id);
		*over = !state;
		doc = json_pack("{s:s, s:s}", "id", e->id, "status", state ? state : "unknown");
		text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
		json_decref(doc);
		return text;
	}
	steps = json_array();
	for (i = 0; i < run->step_count; i++) {
		const rat_run_step *s = &run->steps[i];

		json_array_append_new(steps, json_pack("{s:s, s:s, s:I, s:I, s:s}", "pipeline", s->key,
						       "status", rat_step_status_name(s->status),
						       "rows_out", (json_int_t)s->rows_out, "checks_failed",
						       (json_int_t)s->checks_failed, "error", s->error));
	}
	doc = json_pack("{s:s, s:s, s:I, s:I, s:o}", "id", run->id, "status", run->status, "started_ms",
			(json_int_t)run->started_ms, "finished_ms", (json_int_t)run->finished_ms, "steps",
			steps);
	*over = strcmp(run->status, "running") != 0;
	text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	rat_run_info_free(run);
	return text;
}

/* The next thing to send into e->pending: a change, the end, a ping, or nothing yet. */
static void next(run_events *e)
{
	int64_t now = srv_real_ms();
	bool over = false;
	char *now_json = progress(e, &over);

	free(e->pending);
	e->pending = NULL;
	e->len = e->off = 0;
	if (now_json && (!e->last || strcmp(now_json, e->last) != 0)) {
		if (asprintf(&e->pending, "event: progress\ndata: %s\n\n%s", now_json,
			     over ? "event: end\ndata: {}\n\n" : "") < 0)
			e->pending = NULL;
		free(e->last);
		e->last = now_json;
		now_json = NULL;
	} else if (over || now >= e->until_ms || e->ctx->stopping) {
		e->pending = strdup(e->ctx->stopping ? "event: end\ndata: {\"reason\": \"the server stops\"}\n\n"
						     : "event: end\ndata: {}\n\n");
	} else if (now - e->sent_ms >= PING_MS) {
		e->pending = strdup(": still running\n\n");
	}
	free(now_json);
	e->ended = over || now >= e->until_ms || e->ctx->stopping || (!e->pending && !e->last);
	if (e->pending) {
		e->len = strlen(e->pending);
		e->sent_ms = now;
	}
}

static ssize_t reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	run_events *e = cls;
	size_t n;

	(void)pos;
	while (e->off == e->len) {
		if (e->ended)
			return MHD_CONTENT_READER_END_OF_STREAM;
		if (!e->first)
			usleep(LOOK_US);
		e->first = false;
		next(e);
	}
	n = e->len - e->off < max ? e->len - e->off : max;
	memcpy(buf, e->pending + e->off, n);
	e->off += n;
	return (ssize_t)n;
}

void srv_run_events(srv_request *r, srv_response *res, srv_context *ctx)
{
	run_events *e;
	rat_run_info *run = NULL;

	if (rat_run_get(&run, r->who->ws, r->seg[3]) != 0 &&
	    !srv_orchestra_run_state(ctx->orchestra, r->who, r->seg[3])) {
		srv_error(res, 404, "NOT_FOUND", "no run %s", r->seg[3]);
		return;
	}
	if (!(e = calloc(1, sizeof(*e)))) {
		rat_run_info_free(run);
		srv_error(res, 500, "INTERNAL", "out of memory");
		return;
	}
	e->ctx = ctx;
	e->w = r->who;
	snprintf(e->id, sizeof(e->id), "%s", run ? run->id : r->seg[3]); /* a prefix made whole */
	rat_run_info_free(run);
	e->first = true;
	e->sent_ms = srv_real_ms();
	e->until_ms = e->sent_ms + LIFETIME_MS;
	res->status = 200;
	res->stream = reader;
	res->stream_cls = e;
	res->stream_free = events_free;
}
