/*
 * pipeline/triggers.h - what starts a pipeline without a person typing
 * `rat run`: the `triggers:` of its configuration (the original
 * Ratatouille's syntax, docs/orchestration.md), and a Python pipeline's
 * decorator `schedule=`. Read strictly here; `rat serve` fires them.
 */
#ifndef RAT_PIPELINE_TRIGGERS_H
#define RAT_PIPELINE_TRIGGERS_H

#include "util/common.h"
#include "util/yaml.h"

typedef enum rat_trigger_kind {
	RAT_TRIGGER_SCHEDULE = 0, /* a cron expression in a time zone */
	RAT_TRIGGER_LANDING,      /* new files in a landing folder (the original's s3_sensor) */
	RAT_TRIGGER_FRESHNESS,    /* before the table's freshness lapses: every warn_after / 2 */
	RAT_TRIGGER_WEBHOOK       /* POST /api/v1/webhooks/<workspace>/<trigger id> */
} rat_trigger_kind;

typedef enum rat_trigger_overlap { RAT_OVERLAP_SKIP = 0, RAT_OVERLAP_QUEUE } rat_trigger_overlap;
typedef enum rat_trigger_catchup {
	RAT_CATCHUP_LAST = 0, /* after downtime: the last missed tick, once */
	RAT_CATCHUP_NONE,
	RAT_CATCHUP_ALL /* every missed tick, at most RAT_CATCHUP_MAX */
} rat_trigger_catchup;

/** The most missed ticks `catchup: all` runs after downtime. */
#define RAT_CATCHUP_MAX 100

typedef struct rat_trigger_config {
	rat_trigger_kind kind;
	char *name;          /* unique in its pipeline: `name:`, else the kind ("schedule", "schedule-2") */
	int line;            /* where it is written (its YAML's, or the decorator's) */
	char *cron;          /* schedule: as written (a preset or five fields) */
	char *timezone;      /* schedule: NULL for UTC */
	char *path;          /* landing: a folder under landing/ (the pipeline's own when NULL) */
	char *pattern;       /* landing: a glob on file names */
	int64_t interval_s;  /* landing: between two looks */
	char *secret;        /* webhook: the workspace secret holding its key */
	int bearer;          /* webhook: the secret is sent as a bearer token, not a signature */
	rat_strarray select; /* what a fire runs: none means the pipeline and what it feeds */
	rat_trigger_overlap overlap;
	rat_trigger_catchup catchup;
	int retries;             /* more attempts after a failed run */
	int64_t retry_delay_s;   /* before the first of them */
	double retry_backoff;    /* the delay's factor from one to the next */
	int decorator;           /* from a decorator's schedule=, not the YAML */
} rat_trigger_config;

/** Names of the kinds, in enum order (NULL-terminated). */
extern const char *const rat_trigger__kinds[];

/**
 * The `triggers:` sequence of a pipeline's YAML root into *out / *count
 * (appended). Every error names file:line:col and the key.
 */
RAT_MUST_USE int rat_trigger__yaml(rat_trigger_config **out, size_t *count, const rat_yaml *yaml,
				   struct fy_node *root);
/** A schedule trigger of cron (a decorator's `schedule=`, written at line). */
RAT_MUST_USE int rat_trigger__schedule(rat_trigger_config **out, size_t *count, const char *cron,
				       int line, const char *where);
void rat_trigger__free_all(rat_trigger_config *list, size_t count);
/**
 * Checks that need the whole pipeline, its freshness defaults applied: a
 * freshness trigger needs a freshness to keep, a landing one a folder.
 * where names the file the triggers were read from.
 */
RAT_MUST_USE int rat_trigger__check(const rat_trigger_config *list, size_t count, int64_t warn_after_s,
				    int64_t error_after_s, const char *landing, const char *where);

#endif
