/*
 * server/server.h - `rat serve`: the catalog as a service (docs/serve.md).
 *
 * The server uses librat's public API only. http.c is the HTTP layer
 * (libmicrohttpd: the raw URL split into decoded segments, bodies under a
 * cap, the access log, a graceful stop); auth.c maps a request onto the
 * workspace it acts for; iceberg.c is the Iceberg REST catalog under
 * /iceberg, iceberg_update.c its requirements and metadata updates; nessie.c
 * is Nessie's REST API v2 under /api/v2.
 */
#ifndef RAT_SERVER_SERVER_H
#define RAT_SERVER_SERVER_H

#include "rat.h"

#include <jansson.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <stdbool.h>
#include <stdio.h>

typedef struct rat_serve_options {
	const char *listen;            /* "ADDR:PORT"; NULL: 127.0.0.1:19120 */
	const char *const *workspaces; /* folders of workspaces (NULL-terminated) */
	FILE *log;                     /* the access log; NULL: stderr */
	FILE *ready;                   /* where "listening on ..." goes once bound; may be NULL */
	/* orchestration (orchestra.c) */
	bool no_triggers;              /* fire no trigger: the catalog only */
	int max_runs;                  /* runs at once, server-wide; 0: 2 */
	int64_t run_memory_mb;         /* their workspaces' memory, summed, at most; 0: 3/4 of the machine's */
	int64_t clock_start_ms;        /* the triggers' clock starts here (0: the real clock) */
	double clock_speed;            /* and runs this much faster */
	const char *rat;               /* the rat program runs are (NULL: beside rat-serve) */
} rat_serve_options;

/* Serve until SIGTERM or SIGINT. 0 after a clean stop; -1 (said on stderr) otherwise. */
int rat_serve(const rat_serve_options *opts);

/* Open catalogs kept per workspace: as many as requests run at once, about (each a SQLite
 * connection, its statements and the tree nodes it read: catalog/embedded.h). */
#define SRV_POOL_MAX 64

/* The identity of a workspace's tokens file and its log at one moment (auth.c). */
typedef struct srv_tokens_stamp {
	struct stat db, wal;
} srv_tokens_stamp;

typedef struct srv_pooled {
	rat_catalog *catalog;
	ino_t inode; /* the catalog file it was on, or an older one (then it is dropped) */
} srv_pooled;

/* One served workspace, and its open catalogs between requests (catalogs.c). */
typedef struct srv_workspace {
	rat_workspace *ws;
	const char *name;
	pthread_mutex_t lock;
	srv_pooled pool[SRV_POOL_MAX];
	size_t pooled;
	/* auth.c: whether its tokens file holds a live token, as of the file's stamp */
	bool tokens_known, has_tokens;
	srv_tokens_stamp tokens;
} srv_workspace;

/* idempotency.c: Idempotency-Key answers, kept SRV_IDEM_LIFETIME_S seconds. */
typedef struct srv_idem srv_idem;
#define SRV_IDEM_LIFETIME_S 1800
#define SRV_IDEM_LIFETIME "PT30M"

/* orchestra.c: what fires triggers and runs their runs. */
typedef struct srv_orchestra srv_orchestra;

/* What every request shares. */
typedef struct srv_context {
	srv_idem *idem;
	/* the served workspaces: those of the folders at the start, and those made in them
	 * since (looked for again, at most once a second, when a request names one that is
	 * not here); an item never moves or goes before the server stops */
	pthread_mutex_t lock;
	srv_workspace **items;
	size_t count;
	const char *const *folders;
	time_t scanned;
	bool loopback;       /* bound to a loopback address */
	FILE *log;
	srv_orchestra *orchestra; /* NULL until it starts */
	volatile int stopping;    /* set at the stop: streams end, so that the daemon can stop */
} srv_context;

/* A request, as the handlers see it. */
typedef struct srv_request {
	const char *method;
	const char *url;     /* as it came, undecoded (the query string apart) */
	char **seg;          /* the path's segments, each percent-decoded */
	size_t nseg;
	const char *body;    /* NUL-terminated; "" when none */
	size_t body_len;
	void *conn;          /* the connection, for headers and query arguments */
	/* set by auth: */
	srv_workspace *who;  /* the workspace it acts for */
	bool read_only;
	bool token;          /* it came with a token */
} srv_request;

/* A response: status, a JSON body (stolen), and headers the handler adds. */
typedef struct srv_response {
	int status;
	json_t *body;        /* NULL: no body */
	char *raw;           /* or a JSON text sent as it is (free()), in place of body */
	char etag[80];       /* "" when none */
	/* or a stream (server-sent events, events.c): MHD's content reader over stream_cls, which
	 * stream_free releases once the stream ends or its client goes */
	ssize_t (*stream)(void *cls, uint64_t pos, char *buf, size_t max);
	void *stream_cls;
	void (*stream_free)(void *cls);
	/* or a file of the web page (web.c): its bytes (static), media type, and the page's
	 * headers (Content-Security-Policy, ...) */
	const unsigned char *data;
	size_t data_len;
	const char *content_type;
	char *cookie; /* a Set-Cookie value (free()), NULL: none */
} srv_response;

/* http.c */
/* A line of the server's log: "rat serve: " and the text, whole even when threads log at once. */
void srv_log(srv_context *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s[0..n) percent-decoded ('+' as a space when plus; free()); NULL on a bad escape or %00. */
char *srv_decode(const char *s, size_t n, bool plus);
const char *srv_header(const srv_request *r, const char *name);
/* A cookie the request came with, NULL when absent. */
const char *srv_cookie(const srv_request *r, const char *name);
/* Whether a is b (a may be NULL: a segment, header or JSON string that is not there). */
bool srv_is(const char *a, const char *b);
/* A query argument, percent-decoded (free()); NULL when absent. */
char *srv_query(const srv_request *r, const char *name);
/* Every value of a query argument given several times, percent-decoded, appended to out (a
 * JSON array of strings); -1 on a bad escape. */
int srv_query_all(const srv_request *r, const char *name, json_t *out);

/* Fill res with an Iceberg error: {"error":{"message","type","code"}}. Returns status. */
int srv_error(srv_response *res, int status, const char *type, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* An error from librat's last error: its code mapped onto a status and a type. */
int srv_lib_error(srv_response *res, int code);

/*
 * auth.c: who the request acts for (401/403 into res when refused: returns
 * non-zero). Without a token, need_workspace false lets a request that names
 * none through with r->who NULL (the config call).
 */
int srv_authenticate(srv_request *r, srv_response *res, srv_context *ctx,
		     const char *workspace_hint, bool need_workspace);
/* Whether a served workspace's RAT_HOME has a live token (-1: could not tell). */
int srv_tokens_exist(srv_context *ctx, bool *out);
/* The served workspace named name, or NULL (the folders looked at again first, when due). */
srv_workspace *srv_find_workspace(srv_context *ctx, const char *name);
/* The workspace a request without a token acts for when its URL names none: `default`, else
 * the only one; NULL otherwise (*count: how many are served). */
srv_workspace *srv_default_workspace(srv_context *ctx, size_t *count);
/* http.c: look at the folders again for workspaces made since (under ctx->lock). */
void srv_rescan(srv_context *ctx);

/*
 * catalogs.c: a catalog opened for w (as rat_catalog_open()), from those kept
 * between requests when one is free; give it back after the request.
 */
int srv_catalog_take(srv_workspace *w, rat_catalog **out, ino_t *inode);
/* inode: take's (the file as it was before the handle was used; a file replaced since makes
 * the next take drop the handle). */
void srv_catalog_give(srv_workspace *w, rat_catalog *catalog, ino_t inode);
/* Close what w keeps (at the server's stop). */
void srv_catalog_drain(srv_workspace *w);

srv_idem *srv_idem_new(void);
void srv_idem_free(srv_idem *s);
/*
 * Before a mutation that carries an Idempotency-Key: 1 when res holds the
 * first answer to replay; 0 when the request is to run (then srv_idem_end()
 * with its answer); -1 when res holds a refusal (a key not a UUID, reused for
 * another request, ...). request names the request ("METHOD URL").
 */
int srv_idem_begin(srv_idem *s, const char *workspace, const char *key, const char *request,
		   srv_response *res);
void srv_idem_end(srv_idem *s, const char *workspace, const char *key, const srv_response *res);
/* srv_idem_begin() for request r ("METHOD URL" of the workspace it acts for). */
int srv_idem_start(srv_context *ctx, srv_request *r, const char *key, srv_response *res);
/*
 * A keyed request the memory does not know: whether its first attempt
 * committed (before a restart, or a crash that lost the answer). 1 with that
 * commit's hash in commit; 0 when the request is to run, catalog marking its
 * commits with the request's id (*marked: call srv_request_unmark() after);
 * -1 when res holds an error. api names the API ("iceberg", "nessie").
 */
int srv_request_landed(srv_request *r, srv_response *res, rat_catalog *catalog, const char *api,
		       const char *key, char commit[65], bool *marked);
/* Stop marking; a handle that cannot stop is closed (*catalog NULL). */
void srv_request_unmark(rat_catalog **catalog);

/*
 * orchestra.c: the triggers of the served workspaces fired on their clock,
 * their runs queued and run as child `rat run` processes (runner.c).
 */
int srv_orchestra_start(srv_context *ctx, const rat_serve_options *opts);
/* Stop firing; cancel the runs running (nothing they did is published) and wait for them. */
void srv_orchestra_stop(srv_context *ctx);
/* The triggers' clock, in ms since the epoch. */
int64_t srv_orchestra_now(const srv_orchestra *o);
/* The real clock, in ms since the epoch. */
int64_t srv_real_ms(void);
/*
 * Fire trigger t of w now (a webhook's call): a tick recorded (*tick_ms, made
 * unique) with note, its run queued (run_id: its id). -1 with why (len bytes)
 * when the tick could not be recorded, or the server fires no trigger.
 */
int srv_orchestra_fire(srv_orchestra *o, srv_workspace *w, const rat_trigger_info *t,
		       const char *note, int64_t *tick_ms, char run_id[RAT_RUN_ID_MAX], char *why,
		       size_t len);

/*
 * A run of w asked through the API (select: selectors, none for every pipeline; why: what
 * its record says started it, "api"), queued: its id into run_id. -1 with why_not.
 */
int srv_orchestra_run(srv_orchestra *o, srv_workspace *w, const char *const *select, size_t n,
		      const char *why, char run_id[RAT_RUN_ID_MAX], char *why_not, size_t len);
/* srv_runner_state() and srv_runner_cancel(), under the orchestrator's lock. */
const char *srv_orchestra_run_state(srv_orchestra *o, const srv_workspace *w, const char *run_id);
const char *srv_orchestra_cancel(srv_orchestra *o, const srv_workspace *w, const char *run_id);

/* Whether the triggers' clock is an injected one (rat serve --clock). */
bool srv_orchestra_clock_set(const srv_orchestra *o);
/* An alert of w (alerts.c): said in the log (summary) and sent; data (a JSON object) taken. */
void srv_orchestra_alert(srv_orchestra *o, srv_workspace *w, const char *type, json_t *data,
			 const char *summary);

/*
 * alerts.c: what the server tells people (a run failed for good, a late product, a failed
 * freshness check), said in its log and sent to the workspace's alerts: by a thread of its
 * own; with checks, products and freshness looked at every 5 minutes of the triggers' clock.
 */
typedef struct srv_alerts srv_alerts;
srv_alerts *srv_alerts_start(srv_context *ctx, const char *rat, bool checks);
/* Said in the log now, sent soon after; data taken (NULL: out of memory, said). */
void srv_alerts_emit(srv_alerts *a, srv_workspace *w, const char *type, json_t *data,
		     const char *summary);
/* Stop: the delivery in progress ends, those waiting are dropped (and said). */
void srv_alerts_stop(srv_alerts *a);

/* events.c: GET /rat/v1/runs/{id}/events: a run's progress as server-sent events. */
void srv_run_events(srv_request *r, srv_response *res, srv_context *ctx);

/* webhooks.c: POST /api/v1/webhooks/{workspace}/{trigger}. */
/* Trigger id of w (of type, NULL: any), in its triggers as they are now (loaded into list, which
 * the caller frees); NULL with a 404 (or 503: they cannot be loaded) in res. */
const rat_trigger_info *srv_trigger_find(rat_trigger_list *list, srv_workspace *w, const char *id,
					 const char *type, srv_response *res);
void srv_webhook(srv_request *r, srv_response *res, srv_context *ctx);

/* landing.c: a landing trigger's look at its folder, every interval. */
typedef struct srv_landing srv_landing;
/*
 * *fresh: the files new or changed since the ledger saw them (recorded now),
 * that were the same two looks in a row. -1 when the look failed (said in
 * librat's last error when it is the ledger).
 */
int srv_landing_look(srv_landing **state, srv_workspace *w, const rat_trigger_info *t,
		     int64_t now_ms, size_t *fresh);
void srv_landing_free(srv_landing *l);

/* runner.c: runs asked for, queued until their workspace and the server have room. */
typedef struct srv_run_request {
	srv_workspace *w;
	char *trigger;             /* "<id>@<tick_ms>": what rat run --trigger records */
	char *id;                  /* the trigger's id (the ledger's key), NULL for none */
	int64_t tick_ms;
	char **select;             /* selectors (NULL-terminated; none: every pipeline) */
	bool queue;                /* overlap: queue (else skip while its workspace runs) */
	int retries;               /* attempts left after this one */
	int64_t delay_ms;          /* before the next attempt */
	double backoff;
	int attempt;               /* 1 for the first */
	int64_t not_before;        /* on the triggers' clock */
	char run_id[RAT_RUN_ID_MAX]; /* this attempt's (rat_run_id_make) */
	char *origin;              /* what fired it, kept in the tick's notes ("3 new files"); NULL */
} srv_run_request;
/*
 * In a child the server just forked: signals as a program expects them, stdin and stderr
 * /dev/null, stdout out_fd (-1: /dev/null), no other descriptor of the server, a process
 * group of its own; then program runs (envp NULL: the server's environment). Never returns.
 */
void srv_child_exec(const char *program, const char *const *argv, char *const *envp, int out_fd)
	__attribute__((noreturn));
typedef struct srv_runner srv_runner;
srv_runner *srv_runner_new(srv_context *ctx, const rat_serve_options *opts, const char *rat);
/* Queue req (taken, even on failure): -1 when the queue is full. */
int srv_runner_add(srv_runner *r, srv_run_request *req);
/*
 * Follow req's run (req->run_id), which a server before this one started and
 * which still runs as process pid: its workspace runs nothing else until it
 * ends, a cancel stops it, and its tick ends as its record says (req taken,
 * even on failure: -1).
 */
int srv_runner_adopt(srv_runner *r, srv_run_request *req, pid_t pid, int64_t now_ms);
/* The process running run_id (`rat run ... --run-id <run_id>`), or 0. */
pid_t srv_run_pid(const char *run_id);
/* Start what may start, reap what ended, retry what failed: once a second. */
void srv_runner_step(srv_runner *r, int64_t now_ms);
/* Whether tick_ms of trigger (an id) of w waits or runs here. */
bool srv_runner_has(const srv_runner *r, const srv_workspace *w, const char *trigger, int64_t tick_ms);
/* "running", "queued", or NULL when run_id of w is neither here. */
const char *srv_runner_state(const srv_runner *r, const srv_workspace *w, const char *run_id);
/* Cancel run_id of w: "cancelling" (it runs: told to stop), "cancelled" (it waited: dropped),
 * NULL when it is neither running nor waiting here. */
const char *srv_runner_cancel(srv_runner *r, const srv_workspace *w, const char *run_id);
/* SIGTERM to every run running, wait for them (bounded), and free. */
void srv_runner_free(srv_runner *r);
void srv_run_request_free(srv_run_request *req);

/* rat_api.c: rat's own API under /rat/v1 (seg[0] == "rat"). */
void srv_rat_api(srv_request *r, srv_response *res, srv_context *ctx);

/* web.c: the web page, `/` and `/ui/...` (its files, and the sign-in that keeps a token in a
 * cookie); its files' headers added to an MHD response. */
void srv_web(srv_request *r, srv_response *res, srv_context *ctx);
struct MHD_Response;
void srv_web_headers(struct MHD_Response *response, const srv_response *res);
/* auth.c: the name of the cookie a signed-in page's token is kept in */
#define SRV_SESSION_COOKIE "rat_session"
/* auth.c: as srv_authenticate() with this token given (the page's sign-in). */
int srv_authenticate_token(srv_request *r, srv_response *res, srv_context *ctx, const char *token);
/* nessie.c: an error said in the Iceberg form ({"error": {...}}) put as a NessieError. */
void srv_as_nessie_error(srv_response *res);

/* iceberg.c: requests under /iceberg (seg[0] == "iceberg"). */
void srv_iceberg(srv_request *r, srv_response *res, srv_context *ctx);

/* iceberg_update.c: check a commit's requirements against metadata (NULL: no table yet). */
int srv_check_requirements(srv_response *res, json_t *metadata, json_t *requirements);
/*
 * Add item (stolen) to md[key] (an array) under id_field: the id of an
 * element equal to it (but for id_field and skip, which may be NULL), else
 * the next id (first when the array is empty).
 */
json_int_t srv_add_versioned(json_t *md, const char *key, const char *id_field, json_t *item,
			     const char *skip, json_int_t first);
/* A new table's metadata before its updates: format 2, unpartitioned, unsorted, at location. */
json_t *srv_new_metadata(int64_t now_ms, const char *location);
/*
 * Apply a commit's updates to metadata, in order; then check it is whole (a
 * uuid, a schema...). creating: the table is made by this commit.
 */
int srv_apply_updates(srv_response *res, json_t *metadata, json_t *updates, bool creating,
		      int64_t now_ms);

#endif
