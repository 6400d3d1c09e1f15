/*
 * util/sql.h - quoting for SQL text that librat writes (DuckDB dialect).
 */
#ifndef RAT_UTIL_SQL_H
#define RAT_UTIL_SQL_H

#include "util/common.h"
#include "util/buf.h"

/** Append s as a string literal: 'it''s'. */
RAT_MUST_USE int rat_sql__literal(rat_buf *sql, const char *s);
/**
 * Append path as a string literal for DuckDB's file readers, which take
 * '*', '?' and '[' as a glob: each is written as a one-character class
 * ("[*]", "[?]", "[[]"), so that the literal names that one file only (a
 * file named 's*.csv' is not every s... file).
 */
RAT_MUST_USE int rat_sql__path_literal(rat_buf *sql, const char *path);
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

/* Tokens and statements of SQL text (sql_lex.c), by PostgreSQL's lexical rules. */
typedef enum rat_sql_token_kind {
	RAT_SQL_TOKEN_END = 0,   /* the end of the text */
	RAT_SQL_TOKEN_WORD,      /* a keyword or an unquoted name */
	RAT_SQL_TOKEN_QUOTED,    /* a "quoted name" */
	RAT_SQL_TOKEN_STRING,    /* '...', E'...', $tag$...$tag$ */
	RAT_SQL_TOKEN_SEMICOLON,
	RAT_SQL_TOKEN_OTHER      /* one character of anything else: . ( , 1 + ... */
} rat_sql_token_kind;

typedef struct rat_sql_token {
	rat_sql_token_kind kind;
	size_t start, len; /* where it is in the text */
} rat_sql_token;

/** The first token at or after pos, past whitespace and comments. */
rat_sql_token rat_sql__token(const char *sql, size_t pos);

/**
 * Whether sql ends inside an open '...' string literal (E'...', X'...'
 * too; not $$ strings): text appended to it would be part of the string.
 */
bool rat_sql__ends_in_string(const char *sql);

typedef struct rat_sql_span {
	size_t start, end; /* [start, end) in the text: from a statement's first token to its last */
} rat_sql_span;

typedef struct rat_sql_spans {
	rat_sql_span *items;
	size_t count;
} rat_sql_spans;

/**
 * The statements of sql: the spans between top-level semicolons that hold
 * a token (an empty statement, or only comments, is left out). An
 * unterminated string or comment runs to the end of the text.
 */
RAT_MUST_USE int rat_sql__split(rat_sql_spans *out, const char *sql);
void rat_sql__spans_free(rat_sql_spans *spans);

#endif
