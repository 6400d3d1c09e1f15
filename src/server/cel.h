/*
 * server/cel.h - the part of CEL (Common Expression Language) that Nessie's
 * `filter` parameters use (cel.c): literals (strings, integers, doubles,
 * true, false, null, lists), variables and their fields, `a[b]`, ! - * / %
 * + - < <= > >= == != in && || and ?:, the functions size(), timestamp(),
 * int(), string(), the methods startsWith, endsWith, contains, matches
 * (POSIX extended regular expressions), size, and the macros exists, all,
 * exists_one and has(). Values are JSON values; a timestamp is its
 * milliseconds since the epoch.
 */
#ifndef RAT_SERVER_CEL_H
#define RAT_SERVER_CEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct cel_expr cel_expr;

/* The tree (cel_parse.c makes it, cel.c walks it). */
typedef enum cel_kind {
	CEL_LIT,    /* lit */
	CEL_IDENT,  /* name */
	CEL_FIELD,  /* a.name */
	CEL_INDEX,  /* a[b] */
	CEL_CALL,   /* name(args) */
	CEL_METHOD, /* a.name(args) */
	CEL_UNARY,  /* op a */
	CEL_BINARY, /* a op b */
	CEL_LIST,   /* [args] */
	CEL_COND    /* a ? b : c */
} cel_kind;

struct cel_expr {
	cel_kind kind;
	char op[4];
	json_t *lit;
	char *name;
	cel_expr *a, *b, *c;
	cel_expr **args;
	size_t nargs;
	size_t at; /* where it starts in the text, for messages */
};

/* Parse text (NULL with a message in err, len bytes, saying where it fails). */
cel_expr *cel_parse(const char *text, char *err, size_t len);
void cel_free(cel_expr *e);
/*
 * Evaluate e with the variables of vars (an object): 1 true, 0 false, -1 an
 * error (a missing field, a type that does not fit, a result that is not a
 * boolean) said in err.
 */
int cel_eval_bool(const cel_expr *e, json_t *vars, char *err, size_t len);

#endif
