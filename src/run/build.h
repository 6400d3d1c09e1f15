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
#include "table/write.h"

#define INGESTED_KEY "rat.ingested-files"
#define FINGERPRINT_KEY "rat.fingerprint"

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
	rat_strarray new_abs, new_rel;
	char fingerprint[65];     /* of the compiled SQL and the inputs' versions */
	bool named;               /* the error set names the pipeline already (not to be prefixed) */
} build;

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
