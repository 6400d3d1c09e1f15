/*
 * rat/docs.h - a workspace's documentation: generated from the pipelines'
 * configuration and the DAG, and checked for completeness (`rat docs`).
 *
 * Each pipeline is documented in the folder of its name
 * (pipelines/<layer>/<name>/, beside <name>.sql for a flat pipeline):
 * README.md, whose manual section (between `<!-- manual:start -->` and
 * `<!-- manual:end -->`) is the author's and kept verbatim, and
 * docs/data_dictionary.md, docs/business_rules.md and docs/lineage.md
 * (Mermaid). The workspace's whole DAG is drawn in docs/lineage.md of the
 * workspace. Generated files hold no timestamps: generating twice writes
 * the same bytes, and a file whose content would not change is left alone.
 *
 * A report is owned by the caller and released with rat_docs_report_free();
 * the strings inside live as long as it.
 */
#ifndef RAT_DOCS_H
#define RAT_DOCS_H

#include "common.h"
#include "workspace.h"

RAT_BEGIN_DECL

/** The outcome of one rule of `rat docs check` for one pipeline. */
typedef enum rat_docs_status {
	RAT_DOCS_PASS = 0,
	RAT_DOCS_WARN = 1, /**< reported; does not fail the check */
	RAT_DOCS_FAIL = 2
} rat_docs_status;

typedef struct rat_docs_finding {
	const char *subject;    /**< the pipeline ("silver.sales"), or "workspace" for the
				     workspace-level lineage page */
	const char *rule;       /**< "readme", "description", "owner", "pii", "data_dictionary",
				     "column_descriptions", "freshness" or "lineage" */
	rat_docs_status status;
	const char *message;    /**< what was found, e.g. "23 chars, need 50" */
} rat_docs_finding;

typedef struct rat_docs_report {
	rat_strarray written;       /**< generate: files written, relative to the workspace */
	rat_strarray unchanged;     /**< generate: files already up to date (not rewritten) */
	rat_docs_finding *findings; /**< check: every rule of every pipeline, in build order */
	size_t finding_count;
	size_t pipeline_count;      /**< pipelines documented or checked */
	size_t fail_count;          /**< check: findings with RAT_DOCS_FAIL */
	size_t warn_count;
	size_t pass_count;
} rat_docs_report;

/**
 * Generate the documentation of every pipeline and the workspace's lineage
 * page, or (pipeline not NULL) of that one pipeline only.
 *
 * No pipeline file is moved, renamed or rewritten: a flat pipeline
 * (<name>.sql with <name>.yaml, .py, .sh, or a lone command YAML) keeps its
 * files, and its documents go into the folder <name>/ beside them, which
 * then holds documents (and tests/) only.
 *
 * @param out      the files written; on failure it still lists what was
 *                 written before the failure. Free with rat_docs_report_free().
 * @param pipeline NULL for all, or one pipeline: "layer.name" or
 *                 "layer/name" (RAT_ENOTFOUND naming it when unknown)
 * @return 0; RAT_EINVALID for a bad pipeline file, an unknown ref() or a
 *         cycle (as `rat list`), or a README with a manual start marker but
 *         no end marker.
 */
RAT_EXTERN(int) RAT_CHECKED rat_docs_generate(rat_docs_report *out, const rat_workspace *ws, const char *pipeline);

/**
 * Check the documentation of every pipeline against the rules (each a
 * finding): readme (README.md present, generated part up to date),
 * description (at least 50 characters), owner (a team or an email; a plain
 * string counts as a team), pii (every column marked pii: true or false),
 * data_dictionary (docs/data_dictionary.md present), column_descriptions
 * (every column described), freshness (freshness configured), lineage
 * (docs/lineage.md present and matching the DAG; also for the workspace's
 * page). pii and column_descriptions look at the table's columns when the
 * table exists on the workspace's branch, else at the configured columns.
 * Without strict, a failed freshness or pii rule is RAT_DOCS_WARN; every
 * other failure, and with strict every failure, is RAT_DOCS_FAIL.
 *
 * Changes no file of the workspace. Returns 0 when the check could run,
 * whatever it found (see out->fail_count); on failure *out is empty.
 *
 * @param out free with rat_docs_report_free()
 */
RAT_EXTERN(int) RAT_CHECKED rat_docs_check(rat_docs_report *out, const rat_workspace *ws, int strict);

/** Free what a report holds and reset it to empty. NULL is accepted. */
RAT_EXTERN(void) rat_docs_report_free(rat_docs_report *report);

RAT_END_DECL

#endif
