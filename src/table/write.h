/*
 * table/write.h - writing Iceberg v2 tables: create from a query's schema,
 * append, overwrite; schema evolution on write (new columns, widened types).
 *
 * A write stages Parquet files written by DuckDB (`COPY ... RETURN_STATS`,
 * with Parquet field ids, Hive-style folders for partitions), uploads them
 * under data/, writes a manifest and a manifest list and librat's added-at
 * state (added_at.h: when each data file's rows entered the table; a
 * rewrite writes the rows it keeps apart from new rows, one COPY per time,
 * so that they keep theirs: write_carry.c), then commits by
 * creating metadata/v<N+1>.metadata.json only if it does not exist yet
 * (the atomic step: a commit is visible entirely or not at all), and finally
 * updates version-hint.text (a hint only; readers look past it). A failure
 * before the commit leaves the table at its previous version; the files it
 * left behind are orphans for `rat vacuum` (rat_table__orphans lists them).
 */
#ifndef RAT_TABLE_WRITE_H
#define RAT_TABLE_WRITE_H

#include "util/common.h"
#include "rat/engine.h"
#include "storage/storage.h"

typedef enum rat_write_mode {
	RAT_WRITE_APPEND = 0,
	RAT_WRITE_OVERWRITE = 1,
	/* The files of every partition the new rows fall in are replaced
	 * (copy-on-write); other partitions are kept. Unpartitioned: overwrite. */
	RAT_WRITE_REPLACE_PARTITIONS = 2,
	/* Rows replace the rows with the same unique_key; only the data files
	 * holding such keys are rewritten (copy-on-write), the rest are kept. */
	RAT_WRITE_MERGE = 3,
	/* The "query" is a condition: rows for which it is true are deleted. Files
	 * all of whose rows match leave the snapshot whole (a partition dropped
	 * when the condition follows the partitioning); files with some are
	 * rewritten with the others; the rest are untouched. */
	RAT_WRITE_DELETE = 4
} rat_write_mode;

/*
 * How a write's columns may change an existing table's schema. Columns
 * match by name, ignoring case, and keep their field ids. In every mode a
 * type widens when the query's is wider (int -> long, float -> double,
 * decimal(P,S) -> decimal(P',S) with P' > P) and a narrower query type is
 * cast up (an int, long or decimal into a double column too); any other
 * type change is refused, naming the column and both types, except by
 * RAT_SCHEMA_REPLACE.
 */
typedef enum rat_schema_change {
	/* New columns are refused, naming them; columns the query lacks are written as NULL. */
	RAT_SCHEMA_KEEP = 0,
	/* dbt's on_schema_change values, for appends and merges: */
	RAT_SCHEMA_IGNORE = 1, /* new columns are not written; missing ones are NULL */
	RAT_SCHEMA_FAIL = 2,   /* a new or missing column is refused too, naming every difference */
	RAT_SCHEMA_APPEND = 3, /* new columns are added; missing ones are NULL */
	RAT_SCHEMA_SYNC = 4,   /* new columns are added, missing ones leave the schema */
	/*
	 * RAT_WRITE_OVERWRITE only: the schema becomes the query's, in its order.
	 * A column whose type cannot widen is a new field (a new id; older
	 * snapshots keep the old one), and the partitioning becomes partition_by
	 * (a new spec when it differs). Older snapshots read with their own schema.
	 */
	RAT_SCHEMA_REPLACE = 5
} rat_schema_change;

typedef struct rat_write_options {
	rat_write_mode mode;
	/* For a new table: its location as written in the metadata (NULL: the
	 * store's root URL) and its partitioning: "col", "year(col)",
	 * "month(col)", "day(col)", "hour(col)". Ignored for existing tables, except
	 * by RAT_SCHEMA_REPLACE. */
	const char *location;
	const char *const *partition_by;
	size_t partition_count;
	/* RAT_WRITE_MERGE: the columns that identify a row. */
	const char *const *unique_key;
	size_t unique_key_count;
	/* How the query's columns may change an existing table's schema. */
	rat_schema_change schema_change;
	/* Appended to a refusal of a schema change: what the caller can do about
	 * it ("set on_schema_change ..., or rebuild with rat run -f"); NULL: nothing. */
	const char *schema_hint;
	/* Appended instead to the refusal of a type that cannot change in place,
	 * whatever schema_change says ("cast it in the query, or rebuild ..."):
	 * NULL: schema_hint. */
	const char *retype_hint;
	/* A local folder for staging files (created, emptied after). */
	const char *scratch_dir;
	/* Rows per Parquet row group (0: DuckDB's default). */
	int64_t row_group_size;
	/* Commit time in ms since the epoch (0: now). */
	int64_t now_ms;
	/* Called after everything is written and just before the commit (the
	 * pointer swap); a non-zero return abandons the write with that code.
	 * For tests: crash points and commit races. */
	int (*before_commit)(void *ctx);
	void *before_commit_ctx;
	/* Catalog-managed tables: the catalog, not the folder, says which
	 * metadata file is current. base_metadata is the key (under the table
	 * root) the branch records, NULL for a new table; the new version gets a
	 * unique name (NNNNN-<uuid>.metadata.json, so branches never collide),
	 * no version hint is written, and the caller commits the new metadata
	 * location to the catalog (whose compare-and-swap is the atomic step). */
	bool catalog_managed;
	const char *base_metadata;
	/* Extra snapshot summary entries: key, value, key, value, ... (count
	 * is the number of pairs). Keys should start with "rat.". */
	const char *const *summary_properties;
	size_t summary_property_count;
	/* RAT_WRITE_DELETE: data files (their paths as the metadata writes them,
	 * sorted) that keep every row, whatever the condition says. */
	const rat_strarray *keep_files;
	/* A full rebuild (RAT_WRITE_OVERWRITE with RAT_SCHEMA_REPLACE): when the
	 * base metadata cannot be read for what it holds (missing, too big, not
	 * Iceberg metadata: RAT_DETAIL_METADATA_UNREADABLE; never an I/O
	 * failure), write a new table in its place, whose history starts again
	 * (rat_write_result.unreadable says why). false: such a base is an error. */
	bool replace_unreadable;
} rat_write_options;

#define RAT_WRITE_OPTIONS_INIT                                                                    \
	{ RAT_WRITE_APPEND, NULL, NULL, 0, NULL, 0, RAT_SCHEMA_KEEP, NULL, NULL, NULL, 0, 0, NULL,  \
	  NULL, false, NULL, NULL, 0, NULL, false }

typedef struct rat_write_result {
	int64_t snapshot_id;
	int64_t sequence_number;
	long version; /* the metadata version committed */
	int64_t added_files;
	int64_t added_rows;
	int64_t removed_files; /* replaced (copy-on-write) or overwritten */
	int64_t removed_rows;
	int write_passes; /* COPYs that wrote the files: 1, more when the engine ran out of
			   * memory and the rows were written in key ranges (write_split.c) */
	int64_t deleted_rows;   /* RAT_WRITE_DELETE: the rows the condition matched, gone */
	int64_t protected_rows; /* RAT_WRITE_DELETE: the rows it matched in keep_files, kept */
	char metadata_key[160];  /* the metadata file committed (under the table root) */
	char table_uuid[40];
	int schema_id;
	int spec_id;
	/* "" unless replace_unreadable replaced the base metadata: why it could not be read */
	char unreadable[1024];
} rat_write_result;

/**
 * Write the rows of one SELECT into the table rooted at store, creating the
 * table if it has no metadata yet.
 */
RAT_MUST_USE int rat_table__write(rat_write_result *out, rat_store *store, rat_engine *engine,
				  const char *select_sql, const rat_write_options *opts);

/** What a RAT_WRITE_DELETE of a condition would do (rat_table__delete_plan). */
typedef struct rat_delete_plan {
	int64_t rows;            /* rows that would go */
	int64_t files_removed;   /* data files that would leave the snapshot */
	int64_t files_rewritten; /* of those, the files rewritten with the rows they keep */
	int64_t protected_rows;  /* rows the condition matches in keep_files, which stay */
} rat_delete_plan;

/**
 * Count, without writing anything, what deleting the rows for which
 * condition is true would do to the version metadata_key of the table in
 * store (NULL: the latest), keep_files as in rat_write_options: the same
 * count the write itself makes.
 */
RAT_MUST_USE int rat_table__delete_plan(rat_delete_plan *out, rat_store *store,
					rat_engine *engine, const char *metadata_key,
					const char *condition, const rat_strarray *keep_files);

/**
 * Rename a top-level column: a new schema in which the field keeps its id,
 * committed as the next metadata version (no new snapshot). Files written
 * before read under the new name, by field id. RAT_ENOTFOUND for an unknown
 * column, RAT_EEXISTS when the new name is taken (names compare ignoring case).
 */
RAT_MUST_USE int rat_table__rename_column(rat_store *store, const char *from, const char *to);

#endif
