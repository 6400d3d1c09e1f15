/*
 * quality/suite.h - `rat test` (rat/test.h) inside: the suite a run of the
 * tests fills, shared by testing.c (the suite: selection, the config's
 * checks, freshness, the report) and files.c (the test files of a
 * pipeline's tests/ folder: unit tests on mocks and quality tests).
 */
#ifndef RAT_QUALITY_SUITE_H
#define RAT_QUALITY_SUITE_H

#include "util/common.h"
#include "util/buf.h"
#include "util/yaml.h"
#include "rat/engine.h"
#include "rat/table.h"
#include "rat/test.h"
#include "rat/workspace.h"
#include "pipeline/pipeline.h"

#define MAX_ROWS_SHOWN 5

typedef struct suite {
	const rat_workspace *ws;
	const rat_test_options *opts;
	rat_pipelines all;
	const rat_pipeline *only; /* -p: the one pipeline to test; NULL: every one */
	struct storage *st;   /* the report being filled (testing.c) */
	size_t count;
	size_t counts[5];       /* by rat_test_status */
	bool stop;
	char *scratch;          /* spill/tests-<random> */
	rat_engine *real;       /* bound to the workspace's branch, locked; NULL until needed */
	rat_table_list tables;  /* what exists on the workspace's branch */
} suite;

/* What a test found, before it becomes a result. */
typedef struct outcome {
	rat_test_status status;
	int64_t violations;
	rat_buf message;
	rat_strarray rows;
} outcome;

/* A unit or quality test file: its annotations, and whether it holds SQL (spec.c). */
typedef struct spec {
	const char *display;
	rat_strarray mocks;       /* @mocks: tables (layer.table) of tests/mocks/ */
	rat_strarray mock_files;  /* @mocks: files, relative to the tests folder */
	bool has_mocks;
	bool incremental;         /* @mode */
	rat_yaml *watermarks;     /* @watermarks: a flow mapping */
	int64_t expect_count;     /* -1: none */
	rat_strarray expect_columns;
	bool has_columns;
	bool exact_columns;       /* @expect_exact_columns rather than @expect_columns */
	char *expect_json;        /* @expect rows, as JSON */
	bool error_severity;      /* @severity */
	bool has_sql;             /* lines of code after the annotations */
} spec;

/** Read the annotations of a test file's text into t (t->display names it in errors). */
RAT_MUST_USE int rat_quality__read_spec(spec *t, const char *text);
void rat_quality__spec_free(spec *t);

/* The suite (testing.c) */

/** A monotonic clock in microseconds, for durations. */
int64_t rat_quality__now_us(void);
/** Add a result to the report from o (o keeps its buffers; free them with outcome_free). */
RAT_MUST_USE int rat_quality__add_result(suite *s, const rat_pipeline *p, const char *name,
					 const char *kind, const char *file, bool error_severity,
					 int64_t started, outcome *o);
/**
 * The test could not run: its outcome becomes an error with the last
 * error's message (which is then cleared). Fails only out of memory.
 */
RAT_MUST_USE int rat_quality__outcome_error(outcome *o);
/** The test is skipped: its table is not built on the workspace's branch yet. */
RAT_MUST_USE int rat_quality__skip_unbuilt(outcome *o, const suite *s, const char *key);
void rat_quality__outcome_free(outcome *o);
/** The single integer sql returns (0 for no row or NULL). */
RAT_MUST_USE int rat_quality__query_int(rat_engine *engine, const char *sql, int64_t *out);
/** Rows of sql (at most MAX_ROWS_SHOWN) as JSON objects, and how many there are in all. */
RAT_MUST_USE int rat_quality__violations(rat_engine *engine, const char *sql, int64_t *count,
					 rat_strarray *rows);
/** The session on the workspace's branch (s->real), opened once. */
RAT_MUST_USE int rat_quality__real_session(suite *s);
/** Whether the table key exists on the workspace's branch. */
bool rat_quality__table_exists(const suite *s, const char *key);
/** Count and show the rows of a check's SQL; they are violations. */
RAT_MUST_USE int rat_quality__count_violations(rat_engine *engine, const char *sql,
					       bool error_severity, outcome *o);
/** The pipeline's tests/ folder (folder layout only); NULL when it has none. (free()) */
char *rat_quality__tests_dir(const suite *s, const rat_pipeline *p);

/* Test files (files.c) */

/** Run the test files of tests_dir/sub ("unit" or "quality"). */
RAT_MUST_USE int rat_quality__run_folder(suite *s, const rat_pipeline *p, const char *tests_dir,
					 const char *sub);

#endif
