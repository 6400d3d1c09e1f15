/*
 * rat/token.h - the tokens `rat serve` takes: each acts for one workspace.
 * It may write that workspace's refs (unless it is read-only) and read what
 * the workspace may read; the server refuses the rest.
 *
 * The operator makes them on the server's own RAT_HOME (`rat token create
 * -w NAME`). A token is shown once, when it is made; what is kept is a
 * SHA-256 of its secret part, in RAT_HOME/tokens.db (mode 0600). That file
 * is apart from the catalog, so that restoring a catalog backup never brings
 * back a revoked token.
 *
 * A token reads rat_<workspace>_<id>_<secret>: the workspace it acts for,
 * an id (24 hex digits: what `rat token list` shows and `revoke` takes) and
 * a secret of 64 hex digits (256 random bits).
 */
#ifndef RAT_TOKEN_H
#define RAT_TOKEN_H

#include "common.h"
#include "workspace.h"

RAT_BEGIN_DECL

/** Room for a token's text, its NUL included. */
#define RAT_TOKEN_MAX 400
/** A token id's length in hex digits. */
#define RAT_TOKEN_ID_LEN 24

typedef struct rat_token_info {
	const char *id;
	const char *workspace; /**< the workspace it acts for */
	const char *note;      /**< what the operator wrote when making it ("" when nothing) */
	int read_only;         /**< 1: it may read, never write */
	int64_t created_ms;    /**< ms since the epoch (RAT_NOW applies) */
	int64_t revoked_ms;    /**< when it was revoked; 0 while it is live */
} rat_token_info;

typedef struct rat_token_list {
	rat_token_info *items; /**< oldest first */
	size_t count;
} rat_token_list;

/**
 * Make a token for ws, kept in the tokens of ws's RAT_HOME (created if
 * needed), and write its text into token. note (may be NULL) is shown by
 * list. The text is not kept: it cannot be shown again.
 */
RAT_EXTERN(int) RAT_CHECKED rat_token_create(char token[RAT_TOKEN_MAX], const rat_workspace *ws,
					     int read_only, const char *note);

/**
 * The tokens of ws's RAT_HOME: those of ws, or with every_workspace those of
 * every workspace. Never a secret. Free with rat_token_list_free().
 */
RAT_EXTERN(int) RAT_CHECKED rat_token_list_get(rat_token_list *out, const rat_workspace *ws,
					       int every_workspace);
/** Release a list (NULL-safe); it is left empty. */
RAT_EXTERN(void) rat_token_list_free(rat_token_list *list);

/**
 * Revoke the token of id in ws's RAT_HOME (whichever workspace it acts for):
 * the next request with it fails. RAT_ENOTFOUND when there is none;
 * RAT_EEXISTS when it was revoked already.
 */
RAT_EXTERN(int) RAT_CHECKED rat_token_revoke(const rat_workspace *ws, const char *id);

/**
 * The workspace a token's text says it acts for, into name (len bytes).
 * RAT_EINVALID when the text is not of a token's form. Nothing else is
 * checked: rat_token_check() does.
 */
RAT_EXTERN(int) RAT_CHECKED rat_token_workspace(const char *token, char *name, size_t len);

/**
 * Whether token is a live token of ws: 0, with *read_only set. RAT_EACCESS
 * otherwise, with a message that gives nothing away ("invalid token"), or
 * says "token <id> was revoked". The secret is compared in constant time.
 */
RAT_EXTERN(int) RAT_CHECKED rat_token_check(const rat_workspace *ws, const char *token,
					    int *read_only);

RAT_END_DECL

#endif
