/*
 * table/write_internal.h - what the files of the table writer share.
 */
#ifndef RAT_TABLE_WRITE_INTERNAL_H
#define RAT_TABLE_WRITE_INTERNAL_H

#include <jansson.h>

#include "util/common.h"
#include "rat/engine.h"
#include "engine/describe.h"
#include "storage/storage.h"
#include "table/added_at.h"
#include "table/manifest.h"
#include "table/metadata.h"
#include "table/scan.h"
#include "table/write.h"

/* Rows a rewrite keeps from files of one added-at time, written apart (write_carry.c). */
typedef struct rat_carry {
	char *sql;        /* a SELECT of those rows, of the same columns as the write's */
	int64_t added_ms; /* the time their files' rows entered the table */
} rat_carry;

/* w->files from index `from` on were written with rows of time ms (0: new rows). */
typedef struct rat_born {
	size_t from;
	int64_t ms;
} rat_born;

typedef struct writer {
	rat_store *store;
	rat_engine *engine;
	const rat_write_options *opts;
	rat_table_metadata meta;  /* the table as it will be after this write (schema, spec) */
	json_t *doc;              /* its metadata document, edited toward the next version */
	bool exists;
	char *old_key;            /* the metadata file read; NULL for a new table */
	char *unreadable;         /* replace_unreadable: why the base could not be read; NULL */
	char *new_key;            /* the metadata file committed */
	long version;             /* its version; 0 for a new table */
	char *location;
	rat_query_desc desc;
	int64_t snapshot_id;
	int64_t sequence_number;
	int64_t now_ms;
	char *stage;
	rat_data_files files;     /* written by this commit */
	rat_strarray removed;     /* MERGE: paths of the data files it replaces (sorted) */
	int64_t removed_files;    /* counted at commit */
	int64_t removed_rows;
	bool merge_source;        /* the temp table of new rows exists */
	bool merge_positions;     /* so does RAT_MERGE_POSITIONS */
	int64_t *merge_fidx;      /* per data file: its fidx there, -1 when the merge did not read it */
	int64_t merge_rows;       /* rows in the merge's temp table of new rows */
	int passes;               /* COPYs that wrote w->files when written in key ranges */
	rat_data_files deletes;   /* MERGE on read: the position delete files it adds */
	rat_added_at added_at;    /* the parent's added-at state; the next one at commit */
	rat_carry *carry;         /* MERGE (copy-on-write), DELETE: the rows kept, by time */
	size_t carry_count;
	rat_born *born;           /* the times of w->files, by ranges (none: all new rows) */
	size_t born_count;
	bool no_new_rows;         /* DELETE: the write's query only describes the columns */
	size_t pass_start;        /* w->files.count when the COPY being written began */
	rat_strarray gone;        /* paths of the data files this commit removes */
	int64_t deleted_rows;     /* DELETE: rows matched and gone */
	int64_t protected_rows;   /* DELETE: rows matched in opts->keep_files, kept */
} writer;

/* Field ids of a position delete file's columns (Iceberg's reserved ids). */
#define RAT_DELETE_FILE_PATH_ID 2147483546
#define RAT_DELETE_FILE_PATH_ID_S "2147483546"
#define RAT_DELETE_POS_ID 2147483545

/* write.c */
/** Read the table's latest metadata into w (w->exists false when there is none). */
RAT_MUST_USE int rat_table__load(writer *w);

/* write_schema.c */
/** The query's column of that name (names compare ignoring case), or NULL. */
const rat_column_desc *rat_table__query_column(const writer *w, const char *name);
/** A new table's metadata document from the query and the partitioning asked for. */
RAT_MUST_USE int rat_table__create_doc(writer *w, int last_column_id);
/** Match the query to the table's schema; add or widen columns (a new schema) when allowed. */
RAT_MUST_USE int rat_table__evolve_schema(writer *w, int last_column_id);

/* write_files.c */
/** The COPY statement that writes the staged Parquet files. */
RAT_MUST_USE int rat_table__copy_sql(rat_buf *sql, const writer *w, const char *select_sql,
				     const char *uuid);
/** Run it, upload the files under data/, and describe them in w->files. */
RAT_MUST_USE int rat_table__write_files(writer *w, const char *copy_sql);

/* write_split.c */
/** Whether the last error is the engine running out of memory. */
bool rat_table__out_of_memory(void);
/**
 * Whether a write can be done again in key ranges: one integer unique key,
 * nothing written by the COPY that failed (since w->pass_start).
 */
bool rat_table__can_split(const writer *w);
/**
 * One COPY of the rows of select_sql (those satisfying condition, when not
 * NULL) into a stage folder of its own; its files join w->files.
 */
RAT_MUST_USE int rat_table__copy_pass(writer *w, const char *select_sql, const char *condition);
/** Write the rows of select_sql as several COPYs over ranges of the unique key. */
RAT_MUST_USE int rat_table__write_in_ranges(writer *w, const char *select_sql);

/* write_deletes.c */
/**
 * Whether a merge that replaces rows in the affected files (changing: the
 * new rows) should write position deletes rather than rewrite those files.
 */
bool rat_table__merge_on_read(const writer *w, const rat_scan *scan, const bool *affected,
			      int64_t changing);
/**
 * Write, for each affected data file, a position delete file of its rows
 * listed in RAT_MERGE_POSITIONS (where fidx counts the files the merge read:
 * the affected ones among them); they go into w->deletes.
 */
RAT_MUST_USE int rat_table__write_position_deletes(writer *w, const rat_scan *scan,
						   const bool *affected);

/* A merge's temporary table of the positions its new rows replace (fidx, pos). */
#define RAT_MERGE_POSITIONS "__rat_merge_positions"

/* write_merge.c */
/**
 * MERGE: keep the new rows in a temporary table, find the data files that
 * hold their keys (w->removed), and give the query that writes the new rows
 * plus the other rows of those files. Other modes: the query unchanged.
 */
RAT_MUST_USE int rat_table__merge_prepare(writer *w, const char *select_sql, char **write_sql);
/** Drop what rat_table__merge_prepare made. */
void rat_table__merge_cleanup(writer *w);

/* delete_plan.c */
/**
 * DELETE: per data file i of scan, the rows the condition matches (hits[i])
 * and the rows read (rows[i]); both 0 for files without a match. A NULL
 * condition keeps the row.
 */
RAT_MUST_USE int rat_table__delete_hits(int64_t *hits, int64_t *rows, const rat_scan *scan,
					rat_store *store, rat_engine *engine, const char *condition);
/** Whether path is one of the sorted keep list (NULL: none). */
bool rat_table__kept_file(const rat_strarray *keep, const char *path);

/* write_carry.c */
/**
 * Group the files i with take[i] by the UTC day their rows entered the
 * table, and give each group's rows (sql_of() their SELECT from the scan SQL
 * of the group's files) to w->carry, with the latest time of its files.
 * With today not NULL, the files of the day new rows enter are not grouped
 * but marked in today[]: their rows go with the new ones.
 */
RAT_MUST_USE int rat_table__carry_groups(writer *w, const rat_scan *scan, const bool *take,
					 bool *today,
					 int (*sql_of)(const writer *w, const char *scan_sql,
						       void *ctx, rat_buf *out),
					 void *ctx);
/** Write the carried rows, one COPY per group, recording their times. */
RAT_MUST_USE int rat_table__write_carried(writer *w);
/** The next added-at state (from w->added_at, w->gone and w->files): written, *key names it. */
RAT_MUST_USE int rat_table__next_added_at(writer *w, char **key);
/** Free what the carrying holds. */
void rat_table__carry_free(writer *w);

/* write_commit.c */
/** Write the manifest, the manifest list and the next metadata version; then the hint. */
RAT_MUST_USE int rat_table__commit(writer *w);
/** Commit w->doc as the next metadata version (no new snapshot), then the hint. */
RAT_MUST_USE int rat_table__publish(writer *w);

#endif
