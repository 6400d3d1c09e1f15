/*
 * engine/describe.h - what a query would return, in Iceberg terms: for each
 * column its Iceberg type (with fresh field ids) and the DuckDB type it is
 * written as. Used by the table writer; found without running the query.
 *
 * Iceberg holds fewer types than DuckDB. Narrow integers widen to int,
 * UINTEGER to long, HUGEINT (the type of sum() over integers) narrows to
 * long (a value that does not fit fails the write, it never wraps), ENUM and JSON to string, TIMESTAMP_S/_MS to timestamp,
 * fixed-size ARRAYs to lists; the writer casts each column to the written
 * type so the Parquet files carry exactly what the Iceberg schema says.
 * Types with no faithful Iceberg form (UHUGEINT, UBIGINT, INTERVAL, TIME WITH
 * TIME ZONE, TIMESTAMP_NS, UNION, BIT, a bare NULL) are refused with a message
 * naming the column and what to cast it to.
 */
#ifndef RAT_ENGINE_DESCRIBE_H
#define RAT_ENGINE_DESCRIBE_H

#include <jansson.h>

#include "util/common.h"
#include "rat/engine.h"

typedef struct rat_column_desc {
	char *name;
	json_t *iceberg_type; /* a JSON string for primitives, an object for nested types */
	char *written_type;   /* DuckDB type to CAST the column to when writing */
	int field_id;
} rat_column_desc;

typedef struct rat_query_desc {
	rat_column_desc *columns;
	size_t count;
} rat_query_desc;

/**
 * Describe the result of one SELECT. Field ids are assigned from *next_id
 * (top-level columns first, then nested fields), which is advanced.
 */
RAT_MUST_USE int rat_engine__describe(rat_query_desc *out, rat_engine *engine, const char *sql,
				      int *next_id);
void rat_engine__query_desc_free(rat_query_desc *desc);

#endif
