/*
 * quality/quality.h - data quality: the checks a pipeline declares (column
 * tests and tests[]), which runs and `rat test` both run, and the mock
 * tables of `rat test`'s unit tests (rat/test.h).
 */
#ifndef RAT_QUALITY_QUALITY_H
#define RAT_QUALITY_QUALITY_H

#include <sys/resource.h>

#include "util/common.h"
#include "util/buf.h"
#include "rat/engine.h"
#include "pipeline/pipeline.h"

typedef struct rat_check {
	char *name;        /* "not_null(order_id)", "tests[positive_totals]" */
	char *sql;         /* rows it returns are violations (but see expect) */
	char *expect;      /* NULL, or tests[].expect: sql returns one value, which must equal it */
	rat_severity severity; /* warn for all when workspace.yaml says quality.fail_on_error: false */
	bool of_rows;      /* its violations are rows of the table (not unique's groups, not tests[]) */
} rat_check;

typedef struct rat_checks {
	rat_check *items;
	size_t count;
	char *relation;      /* the table checked */
	double warn_share;   /* quality.warn_threshold (0: none) */
} rat_checks;

/**
 * Whether n violations of c (an error-severity check of rows) are at most
 * quality.warn_threshold of the table's rows, and so only warn: *within.
 * Counts the table's rows only when it has to.
 */
RAT_MUST_USE int rat_quality__within_share(rat_engine *engine, const rat_checks *checks,
					   const rat_check *c, int64_t n, bool *within);

/** The checks of p over relation (e.g. "silver"."orders"); tests[] SQL rendered with this. */
RAT_MUST_USE int rat_quality__checks(rat_checks *out, const rat_pipeline *p,
				     const rat_pipelines *all, const char *relation);
void rat_quality__checks_free(rat_checks *checks);

/** *n: the rows sql (one query) returns, counted by the engine. */
RAT_MUST_USE int rat_quality__count_rows(rat_engine *engine, const char *sql, int64_t *n);

/**
 * Run c (which has an expect) in engine: *met when its one value equals
 * c->expect (as numbers); else found receives "returned 3, expected 0".
 * A query of another shape than one row of one column is RAT_EINVALID
 * ("expect: 0 needs the query to return one value ...; it returned ...").
 */
RAT_MUST_USE int rat_quality__expect(rat_engine *engine, const rat_check *c, bool *met,
				     rat_buf *found);

/* What running a pipeline's checks found. */
typedef struct rat_check_outcome {
	int64_t passed, warned, failed;
	rat_buf warnings; /* "name: N violating rows" per warn-severity check that found rows */
	rat_buf failures; /* "name (N rows), ..." of the error-severity ones */
} rat_check_outcome;

#define RAT_CHECK_OUTCOME_INIT { 0, 0, 0, RAT_BUF_INIT, RAT_BUF_INIT }

/**
 * Run p's checks over relation in engine (which binds it) and count what
 * they find into out (free with rat_quality__check_outcome_free). A check
 * that fails to run is an error naming it ("check <name>: ..."); violations
 * are not errors: the caller decides (out->failed).
 */
RAT_MUST_USE int rat_quality__run_checks(rat_check_outcome *out, rat_engine *engine,
					 const rat_pipeline *p, const rat_pipelines *all,
					 const char *relation);
void rat_quality__check_outcome_free(rat_check_outcome *out);
/** RAT_ERROR for out's failed checks: "<key>: checks failed in <config file>: <failures>". */
int rat_quality__checks_failed(const rat_pipeline *p, const rat_check_outcome *out);

/* Loading a folder of mocks into a session. */
typedef struct rat_mocks {
	rat_engine *engine;
	const char *scratch;       /* where YAML rows are written as JSON */
	const rat_strarray *only;  /* load only these tables (NULL: every mock) */
	rat_strarray loaded;       /* the tables loaded */
	size_t files;              /* JSON files written so far */
	rat_strarray sources;      /* the file each table of loaded came from, as displayed */
	const rat_workspace *ws;   /* whose Python runs .py generators (NULL: they are refused) */
} rat_mocks;

/**
 * Create a table for every mock file in dir (display_dir names it in
 * messages); m->only, when set, picks the tables (layer.table or the
 * original's layer_table). A table of m->only with no mock is an error
 * naming it; a table two files hold, one naming both files.
 */
RAT_MUST_USE int rat_mocks__load(rat_mocks *m, const char *dir, const char *display_dir);
/**
 * Create the tables of one mock file (those of m->only when it is set),
 * path on disk, display in messages.
 * A table another file loaded already is an error naming both files.
 */
RAT_MUST_USE int rat_mocks__load_file(rat_mocks *m, const char *path, const char *display);
/**
 * The table a .py mock generates (pymock.c): its `# @generates: layer.table`
 * line, else stem. *table receives the name; free it.
 */
RAT_MUST_USE int rat_mocks__python_table(char **table, const char *path, const char *display,
					 const char *stem);
/**
 * Run a .py mock, the file's generate() function (or the generate() method
 * of its generator class) under the workspace's Python, bounded as xlsx2csv
 * is, its DataFrame written as a Parquet file at out_path.
 */
RAT_MUST_USE int rat_mocks__python(const rat_workspace *ws, const char *path, const char *display,
				   const char *scratch, size_t id, const char *out_path);

/* A program run to read a mock (child.c): xlsx2csv, or Python for a .py generator. */
typedef struct rat_quality_child {
	const char *prog;        /* the executable's path */
	char *const *argv, *const *envp;
	const char *dir;         /* where it runs */
	const char *out_path, *err_path; /* its stdout and stderr */
	const char *display;     /* the mock file, in messages */
	const char *what;        /* the program, in messages */
	const char *failing;     /* what it did when it fails: "could not read it" */
	const char *hidden;      /* a scratch path its messages show as display (or NULL) */
	rlim_t max_output;       /* bytes it may write to a file */
	int timeout_ms;          /* killed past it; its CPU time is capped at it too */
} rat_quality_child;

/** Run c: 0 when it exits 0; else RAT_EINVALID naming display, with what it said last. */
RAT_MUST_USE int rat_quality__run_child(const rat_quality_child *c);

/** Whether name is a mock file's, by its suffix (.yaml, .yml, .csv, .json, .parquet, .xlsx, .py). */
bool rat_mocks__is_mock_file(const char *name);
/**
 * The sheets of the .xlsx workbook at path, each as a CSV file under
 * scratch (xlsx.c: converted by xlsx2csv, bounded in size and time):
 * names[i] a sheet's name, paths[i] its CSV. id makes the files unique.
 * Errors name display.
 */
RAT_MUST_USE int rat_mocks__xlsx_sheets(rat_strarray *names, rat_strarray *paths,
					const char *path, const char *display,
					const char *scratch, size_t id);

#endif
