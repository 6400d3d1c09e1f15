/*
 * rat/maintenance.h - keeping a workspace's storage in shape: retention
 * (rows loaded more than a layer's retention_days ago deleted, SPEC L1) and vacuum
 * (old snapshots expired, unreferenced files deleted, SPEC L2).
 *
 * Reports are owned by the caller and released with their _free function.
 */
#ifndef RAT_MAINTENANCE_H
#define RAT_MAINTENANCE_H

#include "common.h"
#include "workspace.h"

RAT_BEGIN_DECL

typedef struct rat_retention_item {
	const char *table;      /**< "bronze.sales" */
	const char *column;     /**< the column it also goes by: the layer's retention_column, else
				     _ingested_at; "" when by the time rows were loaded alone */
	int64_t retention_days;
	const char *cutoff;     /**< rows before this are deleted, e.g. "2024-03-01 00:00:00" */
	int64_t rows_deleted;   /**< (with dry_run: that would be) */
	int64_t files_removed;  /**< data files leaving the table (with dry_run: that would) */
	int64_t files_added;    /**< files written with the rows that stay (dry run: 0) */
	const char *note;       /**< why a table was skipped; "" otherwise */
	int64_t files_rewritten; /**< of files_removed, those whose other rows are written again */
	int64_t rows_kept;      /**< rows before the cutoff by column that stay: see kept_why */
	const char *kept_why;   /**< "loaded in the last N days", "written by run X"; "" if none */
} rat_retention_item;

typedef struct rat_retention_report {
	rat_retention_item *items; /**< every table of the branch, by key */
	size_t count;
	const char *commit;        /**< the workspace branch's head after the commit; "" if none */
} rat_retention_report;

typedef struct rat_retention_options {
	unsigned int version; /**< RAT_RETENTION_OPTIONS_VERSION */
	int dry_run;          /**< report exactly what would go; change nothing */
	const char *run_id;   /**< a run whose rows stay whatever their dates (the retention
				   after that run); NULL: none */
} rat_retention_options;

#define RAT_RETENTION_OPTIONS_VERSION 1
#define RAT_RETENTION_OPTIONS_INIT { RAT_RETENTION_OPTIONS_VERSION, 0, NULL }

/**
 * Fill opts with the defaults of version (pass RAT_RETENTION_OPTIONS_VERSION):
 * the same as RAT_RETENTION_OPTIONS_INIT. RAT_EINVALID for a version this
 * library does not know.
 */
RAT_EXTERN(int) RAT_CHECKED rat_retention_options_init(rat_retention_options *opts, unsigned int version);

/**
 * Delete, in one catalog commit on the workspace's branch, the rows that
 * entered their table more than their layer's retention_days ago (null:
 * kept forever): those of data files loaded before the cutoff (librat
 * records when each file's rows entered the table, rewrites included) and,
 * in a table with _ingested_at, stamped before it. A layer's
 * retention_column makes it go by that date instead, rows loaded lately
 * included, but never the rows of opts->run_id. Files all of whose rows go
 * leave whole; files with some are rewritten. Older versions stay readable
 * (by --ref) until vacuumed. opts NULL: the defaults.
 */
RAT_EXTERN(int) RAT_CHECKED rat_retention_run(rat_retention_report *out, const rat_workspace *ws,
					      const rat_retention_options *opts);
/** rat_retention_run() with only dry_run set. */
RAT_EXTERN(int) RAT_CHECKED rat_retention_apply(rat_retention_report *out, const rat_workspace *ws, int dry_run);
RAT_EXTERN(void) rat_retention_report_free(rat_retention_report *report);

typedef struct rat_vacuum_options {
	unsigned int version;  /**< RAT_VACUUM_OPTIONS_VERSION */
	int64_t older_than_ms; /**< expire snapshots (and delete unreferenced files) older than
				    this; -1: the default, 7 days */
	int dry_run;           /**< report what would go; delete nothing */
} rat_vacuum_options;

#define RAT_VACUUM_OPTIONS_VERSION 1
#define RAT_VACUUM_OPTIONS_INIT { RAT_VACUUM_OPTIONS_VERSION, -1, 0 }

/**
 * Fill opts with the defaults of version (pass RAT_VACUUM_OPTIONS_VERSION):
 * the same as RAT_VACUUM_OPTIONS_INIT. RAT_EINVALID for a version this library does
 * not know.
 */
RAT_EXTERN(int) RAT_CHECKED rat_vacuum_options_init(rat_vacuum_options *opts, unsigned int version);

typedef struct rat_vacuum_report {
	size_t tables;             /**< tables looked at */
	size_t snapshots_expired;
	size_t files_deleted;      /**< (dry run: that would be) */
	uint64_t bytes_deleted;
	const char *const *files;  /**< the files, as locations */
	size_t file_count;
} rat_vacuum_report;

/**
 * Vacuum the workspace's tables: for each table of any branch or tag,
 * expire the snapshots older than older_than that no branch, tag or run
 * branch still points at, then delete every file under the table's
 * location that no remaining version references (published product
 * versions have files of their own and are never touched).
 */
RAT_EXTERN(int) RAT_CHECKED rat_vacuum(rat_vacuum_report *out, const rat_workspace *ws, const rat_vacuum_options *opts);
RAT_EXTERN(void) rat_vacuum_report_free(rat_vacuum_report *report);

RAT_END_DECL

#endif
