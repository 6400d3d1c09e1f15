/*
 * util/sql.h - quoting for SQL text that librat writes (DuckDB dialect).
 */
#ifndef RAT_UTIL_SQL_H
#define RAT_UTIL_SQL_H

#include "util/common.h"
#include "util/buf.h"

/** Append s as a string literal: 'it''s'. */
RAT_MUST_USE int rat_sql__literal(rat_buf *sql, const char *s);
/** Append s as a quoted identifier: "my ""col""". */
RAT_MUST_USE int rat_sql__ident(rat_buf *sql, const char *s);
/** Append a table key as a relation: silver.orders -> "silver"."orders". */
RAT_MUST_USE int rat_sql__relation(rat_buf *sql, const char *key);
/**
 * The words of sql, lowercased (ASCII), sorted and without repeats: every
 * maximal run of letters, digits and '_', inside quotes, strings and
 * comments too. A superset of the names sql can refer to, for deciding
 * what a session must bind before it runs sql.
 */
RAT_MUST_USE int rat_sql__words(rat_strarray *out, const char *sql);

#endif
