/*
 * rat/schedule.h - when a schedule fires: cron expressions in an IANA time
 * zone, as pipelines' `triggers:` and the decorators' `schedule=` say them
 * (docs/orchestration.md).
 *
 * An expression is five fields, minute hour day-of-month month day-of-week,
 * each `*`, a number, a name (JAN..DEC, SUN..SAT), a range `a-b`, a step
 * `*\/n`, `a-b/n` or `a/n`, or a list of those; day-of-week 0 and 7 are
 * Sunday. When both day fields are restricted, a day matching either
 * fires (as cron has always done). Or one of the presets: `hourly`,
 * `daily`, `daily_6am`, `daily_midnight`, `weekly`, `monthly`,
 * `every_15min`, `every_30min` (the original Ratatouille's), `@hourly`,
 * `@daily` (`@midnight`), `@weekly`, `@monthly`, `@yearly` (`@annually`).
 *
 * Fire times are computed in the schedule's time zone, with its changes of
 * offset: a wall time that does not exist that day (clocks jump over it)
 * fires once, at the jump; a wall time that occurs twice (clocks go back)
 * fires once, the first time; and an expression whose hour field starts
 * with `*` follows real hours instead: each of its minutes fires once per
 * elapsed hour, skipped in a jump and twice in an hour that repeats.
 */
#ifndef RAT_SCHEDULE_H
#define RAT_SCHEDULE_H

#include "common.h"
#include "workspace.h"

RAT_BEGIN_DECL

typedef struct rat_schedule rat_schedule;

/**
 * Parse cron (an expression or a preset) in timezone (an IANA name; NULL
 * or "" is UTC), the zone read from the system's zone files. RAT_EINVALID
 * names the field and what is wrong with it, and refuses an expression that
 * can never fire (`0 0 30 2 *`); RAT_ENOTFOUND for an unknown zone. Free
 * *out with rat_schedule_free().
 */
RAT_EXTERN(int) RAT_CHECKED rat_schedule_parse(rat_schedule **out, const char *cron,
					       const char *timezone);
/**
 * The first fire time strictly after after_ms (ms since the epoch) into
 * *next_ms: always a whole minute (it may be decades away: Feb 29 on a
 * Sunday, `0 0 29 2 *\/7`). RAT_ENOTFOUND when there is none (never, for
 * an expression rat_schedule_parse() took).
 */
RAT_EXTERN(int) RAT_CHECKED rat_schedule_next(const rat_schedule *s, int64_t after_ms,
					      int64_t *next_ms);
/** The five fields (a preset spelt out): owned by s. */
RAT_EXTERN(const char *) rat_schedule_cron(const rat_schedule *s);
/** The time zone's name ("UTC" when none was given): owned by s. */
RAT_EXTERN(const char *) rat_schedule_timezone(const rat_schedule *s);
/**
 * ms as the schedule's zone's wall time with its offset,
 * "2026-03-29T03:00:00+02:00", into out (len bytes; 26 hold it).
 */
RAT_EXTERN(void) rat_schedule_local_time(const rat_schedule *s, int64_t ms, char *out, size_t len);
/** Release a schedule (NULL-safe). */
RAT_EXTERN(void) rat_schedule_free(rat_schedule *s);

/**
 * A trigger of a workspace: what starts a run without anyone typing
 * `rat run` (a pipeline's `triggers:`, or a Python pipeline's `schedule=`).
 * `rat serve` fires them; `rat triggers` lists them.
 */
typedef struct rat_trigger_info {
	const char *id;        /**< "<pipeline>:<name>", unique in the workspace: "bronze.sales:schedule" */
	const char *pipeline;  /**< the pipeline that declares it: "bronze.sales"; "" for one of
				    workspace.yaml's (id "workspace:<name>") */
	const char *name;      /**< its `name:`, else its type ("schedule", then "schedule-2") */
	const char *type;      /**< "schedule", "landing", "freshness" or "webhook" */
	const char *source;    /**< where it is written: "pipelines/bronze/sales.yaml:12" */
	const char *cron;      /**< schedule: as written (a preset or five fields); "" otherwise */
	const char *timezone;  /**< schedule: its IANA zone, "UTC" when unset; "" otherwise */
	const char *path;      /**< landing: the folder under landing/ it watches, or an S3 prefix (s3://...); "" otherwise */
	const char *pattern;   /**< landing: a glob on file names ("*" when unset) */
	int64_t interval_ms;   /**< landing: between two looks; freshness: its period
				    (warn_after / 2, else error_after / 2); 0 otherwise */
	const char *secret;    /**< webhook: the workspace secret holding its key; "" otherwise */
	int bearer;            /**< webhook: the key is sent as a bearer token, not a signature */
	const char *const *select; /**< what a fire runs (rat_run's selectors): the pipeline
					and what it feeds ("<pipeline>+") unless it says; none
					(a workspace's trigger): every pipeline */
	size_t select_count;
	const char *overlap;   /**< while the workspace runs: "skip" (recorded) or "queue" */
	const char *catchup;   /**< schedule, after downtime: "last", "none" or "all" */
	int retries;           /**< more attempts after a failed run (0: none) */
	int64_t retry_delay_ms; /**< before the first retry */
	double retry_backoff;  /**< the delay's factor from one retry to the next */
} rat_trigger_info;

typedef struct rat_trigger_list {
	rat_trigger_info *items; /**< pipelines in dependency order, each's in its order */
	size_t count;
} rat_trigger_list;

/**
 * The triggers of ws: its workspace.yaml's `triggers:` (schedules, webhooks,
 * landing folders: every pipeline unless select: says), then its
 * pipelines', loaded and checked as rat_pipeline_list_get() does (and a
 * trigger's select: must name pipelines). Free with rat_trigger_list_free().
 */
RAT_EXTERN(int) RAT_CHECKED rat_trigger_list_get(rat_trigger_list *out, const rat_workspace *ws);
/** Release a list (NULL-safe); it is left empty. */
RAT_EXTERN(void) rat_trigger_list_free(rat_trigger_list *list);

/*
 * The orchestration ledger: what `rat serve` decided for each trigger, kept
 * in the workspace's RAT_HOME (orchestration.db, mode 0600), so that a
 * restart neither fires a tick twice nor forgets what a sensor saw. Every
 * call opens the file (safe from any thread and process).
 */

/**
 * Record tick tick_ms of trigger (an id of rat_trigger_info) with state
 * ("queued", "skipped", "missed", "armed", ... the caller's words) and note.
 * *recorded is 1 when this call recorded it, 0 when that tick was recorded
 * already (by this server before a restart, or another): nothing changes
 * then, and the caller must not fire it.
 */
RAT_EXTERN(int) RAT_CHECKED rat_trigger_tick_add(const rat_workspace *ws, const char *trigger,
						 int64_t tick_ms, const char *state,
						 const char *note, int64_t now_ms, int *recorded);
/** A recorded tick's new state and note. RAT_ENOTFOUND when it was not recorded. */
RAT_EXTERN(int) RAT_CHECKED rat_trigger_tick_set(const rat_workspace *ws, const char *trigger,
						 int64_t tick_ms, const char *state,
						 const char *note, int64_t now_ms);
/** The latest tick recorded of trigger into *tick_ms; 0 when none is. */
RAT_EXTERN(int) RAT_CHECKED rat_trigger_tick_last(const rat_workspace *ws, const char *trigger,
						  int64_t *tick_ms);

typedef struct rat_trigger_tick {
	const char *trigger;
	int64_t tick_ms;
	const char *state;
	const char *note;
	int64_t updated_ms;
} rat_trigger_tick;

typedef struct rat_trigger_tick_list {
	rat_trigger_tick *items; /**< newest tick first */
	size_t count;
} rat_trigger_tick_list;

/** ws's recorded ticks (of trigger; NULL: every trigger), at most limit (0: all). */
RAT_EXTERN(int) RAT_CHECKED rat_trigger_tick_list_get(rat_trigger_tick_list *out,
						      const rat_workspace *ws,
						      const char *trigger, size_t limit);
RAT_EXTERN(void) rat_trigger_tick_list_free(rat_trigger_tick_list *list);
/** Forget ws's ticks last changed before before_ms, each trigger's latest excepted. */
RAT_EXTERN(int) RAT_CHECKED rat_trigger_prune(const rat_workspace *ws, int64_t before_ms);

/** A file a landing trigger sees. */
typedef struct rat_landing_file {
	const char *name;  /**< relative to the folder or prefix watched ("2026/a.csv") */
	int64_t size;
	int64_t mtime_ns;  /**< its modification time; S3: LastModified */
	const char *etag;  /**< S3: the object's ETag; "" for a local file */
} rat_landing_file;

typedef struct rat_landing_list {
	rat_landing_file *items; /**< sorted by name */
	size_t count;
} rat_landing_list;

/**
 * The files of ws's landing path whose names match pattern (a glob on the
 * file's name; NULL: all), as `rat run` reads them: in subfolders too,
 * hidden files and folders (a name starting with '.') and links aside.
 * path is a folder under the workspace's landing/ (absent: no file), or an
 * S3 prefix ("s3://bucket/prefix") in the workspace's storage (elsewhere:
 * RAT_EACCESS), listed with the workspace's S3 settings.
 */
RAT_EXTERN(int) RAT_CHECKED rat_landing_list_get(rat_landing_list *out, const rat_workspace *ws,
						 const char *path, const char *pattern);
RAT_EXTERN(void) rat_landing_list_free(rat_landing_list *list);

/**
 * What a sensor saw: key (a landing file's name, a webhook's id) with value
 * (its size and time) for trigger. *changed is 1 when the key was not
 * recorded, or with another value (recorded now), 0 when it was, as is.
 */
RAT_EXTERN(int) RAT_CHECKED rat_trigger_seen(const rat_workspace *ws, const char *trigger,
					     const char *key, const char *value, int64_t at_ms,
					     int *changed);
/** Forget the keys of trigger recorded (or changed) before before_ms. */
RAT_EXTERN(int) RAT_CHECKED rat_trigger_seen_prune(const rat_workspace *ws, const char *trigger,
						   int64_t before_ms);

/** A call of a webhook trigger, as it came (the headers NULL when absent). */
typedef struct rat_webhook_call {
	const char *body;              /**< the raw body, as signed */
	size_t body_len;
	const char *signature;         /**< X-Webhook-Signature: "sha256=<hex>" (the original's) */
	const char *webhook_id;        /**< Standard Webhooks: webhook-id, */
	const char *webhook_timestamp; /**< webhook-timestamp (seconds since the epoch), */
	const char *webhook_signature; /**< webhook-signature: "v1,<base64>", several space-separated */
	const char *authorization;     /**< Authorization: "Bearer <key>" or the key (auth: bearer) */
	int64_t now_ms;
} rat_webhook_call;

/** How far a Standard Webhooks timestamp may be from now, either way. */
#define RAT_WEBHOOK_TOLERANCE_MS (5 * 60 * 1000)

/**
 * Whether call is an authentic call of webhook trigger t of ws, under the
 * key held by the workspace secret t->secret (a "whsec_" key is base64, as
 * Standard Webhooks gives them; any other is its bytes):
 *   - auth: signature: an HMAC-SHA256 of the body as X-Webhook-Signature
 *     ("sha256=" and hex), or Standard Webhooks' of "<id>.<timestamp>.<body>"
 *     (base64, "v1,"), whose timestamp is within RAT_WEBHOOK_TOLERANCE_MS of
 *     now and whose id the trigger has not taken before (kept a while in the
 *     ledger: a replay is refused);
 *   - auth: bearer: the key itself in Authorization.
 * Compared in constant time. 0 when it is; RAT_EACCESS saying why not
 * (never the key); RAT_ENOTFOUND when the secret is not set.
 */
RAT_EXTERN(int) RAT_CHECKED rat_webhook_verify(const rat_workspace *ws, const rat_trigger_info *t,
					       const rat_webhook_call *call);

/*
 * Alerts: what `rat serve` sends to the URLs of a workspace's `alerts:`
 * (workspace.yaml) when a run it started failed ("run.failed"), a product
 * is later than its sla.freshness_hours ("product.late"), or a pipeline's
 * freshness check fails ("freshness.failed").
 */
typedef struct rat_alert_report {
	size_t targets;   /**< the alerts: that take this type of event */
	size_t delivered; /**< of them, those that answered 2xx */
} rat_alert_report;

/**
 * POST event type with data_json (a JSON object) to each of ws's alerts:
 * that takes it, as {"type", "timestamp" (now_ms), "workspace", "data"};
 * signed with the alert's secret, when it has one, as X-Webhook-Signature
 * (sha256=<hex>) and as Standard Webhooks (webhook-id, webhook-timestamp,
 * webhook-signature). A target that does not answer, or answers 429 or
 * 5xx, is tried 3 times over about 4 s. Blocks until done (up to ~35 s per
 * target): call it from a thread of its own. 0 when every target took it
 * (or none takes this type); RAT_EIO naming each that did not by scheme
 * and host only (a hook's path often holds its key); RAT_ENOTFOUND when a
 * secret is not set.
 */
RAT_EXTERN(int) RAT_CHECKED rat_alert_send(rat_alert_report *out, const rat_workspace *ws,
					   const char *type, const char *data_json, int64_t now_ms);

RAT_END_DECL

#endif
