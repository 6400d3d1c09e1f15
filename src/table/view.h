/*
 * table/view.h - Iceberg views (view spec, format version 1): a metadata
 * file holding the view's SQL, its schema and its version history.
 *
 * A view pipeline commits one of these to the catalog instead of a table:
 * no data files, just the SQL that a session defines as a DuckDB view over
 * the tables bound beside it. The SQL names relations as `"layer"."name"`,
 * resolved in the session. Files go under the view's location, in
 * metadata/, with unique names (as catalog-managed tables do).
 */
#ifndef RAT_TABLE_VIEW_H
#define RAT_TABLE_VIEW_H

#include "util/common.h"
#include "rat/engine.h"
#include "storage/storage.h"

typedef struct rat_view_result {
	char metadata_key[160]; /* under the view's root */
	char view_uuid[40];
	int version_id;
} rat_view_result;

/** What a view version is made of. */
typedef struct rat_view_write {
	const char *sql;
	const char *location;          /* the view's location, as recorded */
	const char *default_namespace; /* its layer */
	const char *base_metadata;     /* the version it continues (a key under the root); NULL: new */
	int64_t now_ms;                /* the version's time; 0: the real clock */
} rat_view_write;

/**
 * Write a new version of a view: describe w->sql in engine (which must see
 * the relations it names), then write metadata/<NNNNN>-<uuid>.metadata.json
 * whose history continues w->base_metadata.
 */
RAT_MUST_USE int rat_table__write_view(rat_view_result *out, rat_store *store, rat_engine *engine,
				       const rat_view_write *w);

typedef struct rat_view_version {
	int version_id;
	int64_t timestamp_ms;
} rat_view_version;

/* What `rat tables`, `describe` and `history` show of a view. */
typedef struct rat_view_info {
	char *sql;               /* the current version's DuckDB SQL; "" when it has none (a view
				  * another engine made, in its own dialect) */
	rat_strarray columns;    /* "name type" of the current schema, Iceberg type names */
	rat_view_version *versions; /* newest first */
	size_t version_count;
} rat_view_info;

RAT_MUST_USE int rat_table__view_info(rat_view_info *out, rat_store *store,
				      const char *metadata_key);
void rat_table__view_info_free(rat_view_info *info);

/**
 * The SQL of a view's current version (dialect "duckdb").
 *
 * @param sql receives the text (free())
 */
RAT_MUST_USE int rat_table__read_view(char **sql, rat_store *store, const char *metadata_key);

#endif
