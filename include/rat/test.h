/*
 * rat/test.h - `rat test`: a workspace's quality framework.
 *
 * Tests live beside the pipeline they test, in its folder:
 *
 *   pipelines/<layer>/<name>/tests/mocks/    input tables (YAML, CSV, JSON, Parquet)
 *   pipelines/<layer>/<name>/tests/unit/     *.sql: the pipeline run on mocks, checked
 *   pipelines/<layer>/<name>/tests/quality/  *.sql: rows returned are violations
 *
 * plus the pipeline's config: column tests, tests[] and freshness, run over
 * the table on the workspace's branch through the same code as the checks
 * of `rat run`. docs/testing.md describes every annotation.
 *
 * A report is owned by the caller and released with rat_test_report_free();
 * the strings inside live as long as it does.
 */
#ifndef RAT_TEST_H
#define RAT_TEST_H

#include "common.h"
#include "workspace.h"

RAT_BEGIN_DECL

typedef enum rat_test_status {
	RAT_TEST_PASSED = 0,
	RAT_TEST_FAILED,  /**< an error-severity test found violations or wrong rows */
	RAT_TEST_WARNED,  /**< a warn-severity test found violations */
	RAT_TEST_ERROR,   /**< the test could not run (bad SQL, missing mock, ...) */
	RAT_TEST_SKIPPED  /**< nothing to test yet (the table is not built) */
} rat_test_status;

typedef struct rat_test_result {
	const char *pipeline;    /**< "silver.orders" */
	const char *name;        /**< "unit/dedup", "quality/no_negative", "not_null(id)", ... */
	const char *kind;        /**< "unit", "quality", "column", "config" or "freshness" */
	const char *file;        /**< the file it comes from, relative to the workspace */
	rat_test_status status;
	int error_severity;      /**< 1: a failure fails the suite; 0: warn */
	int64_t duration_us;
	int64_t violations;      /**< rows found wrong (quality), or rows that differ (unit) */
	const char *message;     /**< why it failed, errored or was skipped; "" when passed */
	const char *const *rows; /**< up to 5 offending rows, each a JSON object */
	size_t row_count;
} rat_test_result;

typedef struct rat_test_report {
	rat_test_result *items;  /**< by pipeline in build order, then by name */
	size_t count;
	size_t passed, failed, warned, errored, skipped;
	int stopped;             /**< 1 when -x stopped the suite at a failure */
} rat_test_report;

/** Called after each test, in order. */
typedef void (*rat_test_progress_fn)(void *ctx, const rat_test_result *result);

typedef struct rat_test_options {
	unsigned int version;  /**< RAT_TEST_OPTIONS_VERSION */
	const char *pipeline;    /**< only "layer/name" (or "layer.name"); NULL: all */
	const char *layer;       /**< only this layer; NULL: all */
	const char *kind;        /**< "unit" or "quality" (column, config and freshness tests
				      count as quality); "freshness": the freshness checks
				      alone; NULL: unit and quality */
	int fail_fast;           /**< stop at the first failed or errored test */
	rat_test_progress_fn progress;
	void *progress_ctx;
} rat_test_options;

#define RAT_TEST_OPTIONS_VERSION 1
#define RAT_TEST_OPTIONS_INIT { RAT_TEST_OPTIONS_VERSION, NULL, NULL, NULL, 0, NULL, NULL }

/**
 * Fill opts with the defaults of version (pass RAT_TEST_OPTIONS_VERSION):
 * the same as RAT_TEST_OPTIONS_INIT. RAT_EINVALID for a version this library does
 * not know.
 */
RAT_EXTERN(int) RAT_CHECKED rat_test_options_init(rat_test_options *opts, unsigned int version);

/**
 * Run the workspace's tests. A test that fails is a result, not an error:
 * the call returns 0 once the suite ran (see the report's counts), and an
 * error only when the pipelines cannot be loaded or a selection matches
 * nothing.
 */
RAT_EXTERN(int) RAT_CHECKED rat_test_run(rat_test_report *out, const rat_workspace *ws, const rat_test_options *opts);
RAT_EXTERN(void) rat_test_report_free(rat_test_report *report);

RAT_END_DECL

#endif
