/*
 * run/build.h - one pipeline's build, shared by its parts: build.c (render,
 * write, check), ingest.c (landing files ingested once), exec.c (executable
 * pipelines) and fingerprint.c (skipping a build whose inputs did not
 * change).
 */
#ifndef RAT_RUN_BUILD_H
#define RAT_RUN_BUILD_H

#include "util/common.h"
#include "util/buf.h"
#include "rat/engine.h"
#include "catalog/catalog.h"
#include "run/run.h"
#include "template/template.h"
#include "table/write.h"

#define INGESTED_KEY "rat.ingested-files"
#define FINGERPRINT_KEY "rat.fingerprint"

/*
 * What the list of ingested files records of each (ingest.c, landing.c):
 * known is false for a file an older librat listed without them.
 */
typedef struct rat_landing_stat {
	bool known;
	int64_t size;
	int64_t mtime_ms;
	char sha256[65]; /* "" when not computed */
} rat_landing_stat;

typedef struct build {
	const rat_run_context *ctx;
	const rat_pipeline *p;
	rat_run_record *rec;
	rat_run_step *step;
	rat_catalog *catalog;
	rat_engine *engine;
	char relation[160];       /* "layer"."name" */
	char *scratch;            /* spill/runs/<id>/<key> */
	const rat_catalog_entry *entry; /* the key on the branch when the build began */
	rat_contents contents;
	bool incremental;
	rat_strarray ingested;    /* names already ingested (relative to the landing folder) */
	rat_landing_stat *ingested_stats; /* one per name of ingested */
	rat_strarray new_abs, new_rel;
	char fingerprint[65];     /* of the compiled SQL and the inputs' versions */
	size_t index;             /* the step's place in the run */
	bool named;               /* the error set names the pipeline already (not to be prefixed) */
	char stamp[64];           /* bronze's _ingested_at: the run's start, or just after the
				     table's newest stamp when that is later (ingest.c) */
	bool located;             /* the error set starts with the file and line it is about */
	rat_template_map origins; /* where each byte of the rendered SQL came from */
	rat_buf warnings;         /* the step's warnings so far, one a line */
} build;

/* Rendering (build.c) */

/** Render b's SQL into sql with landing_files the given files; map (or NULL) gets the origins. */
RAT_MUST_USE int rat_run__render(build *b, rat_buf *sql, const rat_strarray *landing,
				 rat_template_map *map);
/* Writing (build.c) */

/** The table writer's schema change for a pipeline's on_schema_change. */
rat_schema_change rat_run__schema_change(rat_on_schema_change setting);

/* Ingestion (ingest.c) */

/** A SQL list literal of paths: ['/a.csv', '/b.csv']. */
RAT_MUST_USE int rat_run__list_literal(rat_buf *out, const rat_strarray *paths);
/**
 * The files under root/sub (sub NULL: root), as paths relative to root,
 * into rel; depth counts the folders walked (deeper than 32 is an error).
 */
RAT_MUST_USE int rat_run__list_files(rat_strarray *rel, const char *root, const char *sub,
				     int depth);
/** The landing files the table's current snapshot lists as ingested, into b->ingested. */
RAT_MUST_USE int rat_run__load_ingested(build *b);
/** Write the list of ingested files (before and new) under the table's metadata/; *key names it. */
RAT_MUST_USE int rat_run__save_ingested(build *b, char **key);
/**
 * b->stamp: the run's start, unless the table already holds a stamp as late
 * (a backfill under an earlier RAT_NOW, a clock set back): then one
 * microsecond after its newest, so that a stamp never goes backwards for a
 * table and `_ingested_at > watermark` never skips rows.
 */
RAT_MUST_USE int rat_run__ingestion_stamp(build *b);
/**
 * In layer bronze, wrap sql so that its rows get _ingested_at (stamp) and
 * _ingested_date, unless its columns (which follow) hold them already.
 */
RAT_MUST_USE int rat_run__with_ingestion_columns(rat_buf *sql, const char *layer,
						 const char *stamp, rat_strarray *columns);
/** The size and mtime of the file at path, and with hash its SHA-256. RAT_ENOTFOUND when gone. */
RAT_MUST_USE int rat_run__landing_stat(rat_landing_stat *out, const rat_workspace *ws,
				      const char *path, bool hash);
/**
 * Open path, a file under ws's landing folder, following no link below
 * that folder (rat_fs__open_below): librat's own reads of a landing file
 * read the file, never where a link swapped in would lead.
 */
RAT_MUST_USE int rat_run__open_landing(int *fd, const rat_workspace *ws, const char *path);
/**
 * Before an S3 landing's files are compared or listed (landing_store.c):
 * the objects b may read brought into its folder, with their sizes and
 * times; what is no longer pending removed from it.
 */
RAT_MUST_USE int rat_run__bring_landing(build *b);
/**
 * Before listing new files (landing.c): drop from b->ingested the files the
 * run asks to ingest again (--reingest), and warn about the others that
 * changed since they were ingested.
 */
RAT_MUST_USE int rat_run__landing_changes(build *b);
/**
 * Before writing (landing_check.c): a query column named like a new file's
 * header line means the CSV reader could not split that file; fail naming
 * the file and its first inconsistent line.
 */
RAT_MUST_USE int rat_run__check_landing_columns(build *b, const rat_strarray *columns);
/**
 * After b failed with code: read each new landing file alone and, when one
 * explains the failure, name it: replace the error (a CSV file whose rows
 * are inconsistent) or add lines under it (a file whose values gave a
 * column another type than the table's, with the cast to write).
 */
void rat_run__explain_landing_error(build *b, int code);
/** Bronze rows get _ingested_at and _ingested_date (unless the query made its own). */
RAT_MUST_USE int rat_run__add_ingestion_columns(build *b, rat_buf *sql, rat_strarray *columns);

/* Executable pipelines (exec.c) */

/** Run b's executable; sql receives the SELECT over what it wrote ("" for nothing). */
RAT_MUST_USE int rat_run__run_executable(build *b, rat_buf *sql);

/* Fingerprints (fingerprint.c) */

/** b->fingerprint: of the compiled SQL, the configuration and the inputs' versions. */
RAT_MUST_USE int rat_run__fingerprint(build *b, const char *sql);
/** *fresh: the table was built from the same fingerprint and nothing else changed it. */
RAT_MUST_USE int rat_run__up_to_date(build *b, const char *sql, bool *fresh);

#endif
