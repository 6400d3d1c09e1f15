/*
 * rat/maintenance.h - keeping a workspace's storage in shape: retention
 * (rows older than a layer's retention_days deleted, SPEC L1) and vacuum
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
	const char *column;     /**< the date it goes by; "" when the table has none */
	int64_t retention_days;
	const char *cutoff;     /**< rows before this are deleted, e.g. "2024-03-01 00:00:00" */
	int64_t rows_deleted;   /**< (with dry_run: that would be) */
	int64_t files_removed;  /**< data files leaving the table (dry run: 0) */
	int64_t files_added;    /**< files rewritten with the rows that stay */
	const char *note;       /**< why a table was skipped; "" otherwise */
} rat_retention_item;

typedef struct rat_retention_report {
	rat_retention_item *items; /**< every table of the branch, by key */
	size_t count;
	const char *commit;        /**< the workspace branch's head after the commit; "" if none */
} rat_retention_report;

/**
 * Delete, in one catalog commit on the workspace's branch, the rows older
 * than their layer's retention_days (null: kept forever), by the table's
 * date partition column or else _ingested_at / _ingested_date. Files all
 * of whose rows are old leave whole; files with some are rewritten. Older
 * versions stay readable (by --ref) until vacuumed. dry_run: report only.
 */
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
