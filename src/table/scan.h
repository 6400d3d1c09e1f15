/*
 * table/scan.h - planning a read of an Iceberg table, and the SQL that reads it.
 *
 * A table is addressed by its location: a store rooted at the table folder
 * (holding metadata/ and data/). Planning finds the latest metadata file,
 * picks the snapshot (current, by id, or as of a time), reads its manifest
 * list and manifests, and keeps the live data and delete files. Paths in the
 * metadata start with the location the writer used; they are mapped onto the
 * store by stripping that prefix, so a table moved elsewhere (another folder,
 * another bucket) reads the same.
 *
 * The SQL reads the data files by Parquet field id with the snapshot's schema
 * (renamed columns, added columns as NULL, int widened to long), then removes
 * rows named by position deletes (data sequence number <= the delete's) and
 * equality deletes (data sequence number < the delete's, same partition).
 */
#ifndef RAT_TABLE_SCAN_H
#define RAT_TABLE_SCAN_H

#include "util/common.h"
#include "util/buf.h"
#include "storage/storage.h"
#include "table/manifest.h"
#include "table/metadata.h"

/**
 * A predicate `column op value` that planning uses to skip data files: by
 * their partition values (identity and year/month/day/hour) and by their
 * column bounds and null counts. It prunes files only; the rows of the files
 * kept are not filtered (the query's own WHERE does that).
 */
typedef struct rat_scan_filter {
	const char *column; /* a top-level column of the schema read */
	const char *op;     /* "=", "<", "<=", ">", ">=" */
	const char *value;  /* as text: 42, 2024-03-01, 2024-03-01 10:00:00, abc */
} rat_scan_filter;

typedef struct rat_scan_options {
	int64_t snapshot_id;       /* -1: the current snapshot (or as_of_ms) */
	int64_t as_of_ms;          /* -1: not used; else the snapshot current at that time */
	const char *relocate_from; /* prefix of the paths in the metadata; NULL: its location */
	const char *metadata_key;  /* a metadata file to read; NULL: the latest one */
	const rat_scan_filter *filters;
	size_t filter_count;
} rat_scan_options;

#define RAT_SCAN_OPTIONS_INIT { -1, -1, NULL, NULL, NULL, 0 }

typedef struct rat_scan {
	rat_table_metadata meta;
	char *metadata_key;                  /* the metadata file read */
	const rat_table_snapshot *snapshot;  /* NULL: the table has no snapshot yet */
	const rat_table_schema *schema;      /* the schema rows are read with */
	rat_data_files data;                 /* live data files */
	rat_data_files deletes;              /* live delete files */
	size_t pruned;                       /* live data files skipped by the filters */
	char *prefix;                        /* the location prefix stripped from paths */
} rat_scan;

/** Could a data file hold rows matching every filter? (false: skip it) */
bool rat_table__file_may_match(const rat_table_metadata *meta, const rat_table_schema *schema,
			       const rat_data_file *file, const rat_scan_filter *filters, size_t count);
/** Check filters against a schema: known columns of a prunable type, known operators. */
RAT_MUST_USE int rat_table__check_filters(const rat_table_schema *schema,
					  const rat_scan_filter *filters, size_t count);

/**
 * The version in a metadata file's name (a key or a bare name):
 * vN.metadata.json or NNNNN-<uuid>.metadata.json; -1 for anything else.
 */
long rat_table__metadata_version(const char *key);
/** The key of path under the location prefix (error naming both if it is outside). */
RAT_MUST_USE int rat_table__key_under(const char *prefix, const char *path, char **key);
/** Read the object at path under prefix (at most max bytes); *key receives its key. */
RAT_MUST_USE int rat_table__read_under(rat_store *store, const char *prefix, const char *path,
				       uint64_t max, rat_buf *out, char **key);

/** The key of the latest metadata file (version-hint.text, else the highest version). */
RAT_MUST_USE int rat_table__latest_metadata(rat_store *store, char **key);
/** Plan a scan of the table in store. */
RAT_MUST_USE int rat_table__plan(rat_scan *out, rat_store *store, const rat_scan_options *opts);
void rat_table__scan_free(rat_scan *scan);
/** The store key of a path written in the metadata (error if outside the table). */
RAT_MUST_USE int rat_table__key(const rat_scan *scan, const char *path, char **key);
/**
 * A SELECT returning the snapshot's rows with deletes applied, reading the
 * files through rat_store__local_path (downloaded to the cache when remote).
 */
RAT_MUST_USE int rat_table__scan_sql(const rat_scan *scan, rat_store *store, rat_buf *sql);
/**
 * The same over the data files i with keep[i] (keep NULL: all). With
 * with_file, each row also carries __rat_file: the local path of its data
 * file, which locals (when not NULL) lists for every data file by index
 * ("" for the files not read).
 */
RAT_MUST_USE int rat_table__scan_sql_ex(const rat_scan *scan, rat_store *store, const bool *keep,
					bool with_file, rat_buf *sql, rat_strarray *locals);
/**
 * As rat_table__scan_sql_ex(), each row carrying instead __rat_fidx, the
 * index of its data file among those read (0 for the first i with keep[i],
 * and so on), and __rat_pos, its position in that file (as position deletes
 * count it).
 */
RAT_MUST_USE int rat_table__scan_positions_sql(const rat_scan *scan, rat_store *store,
					       const bool *keep, rat_buf *sql,
					       rat_strarray *locals);
/** The DuckDB type of an Iceberg type (primitive name or nested JSON). */
RAT_MUST_USE int rat_table__duckdb_type(rat_buf *out, json_t *type);

#endif
