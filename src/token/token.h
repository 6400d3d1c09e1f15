/*
 * token/token.h - what token.c and token_remote.c share: with NESSIE_URI, a
 * workspace's tokens are made, listed and revoked by `rat serve`
 * (/rat/v1/tokens), in the server's RAT_HOME.
 */
#ifndef RAT_TOKEN_TOKEN_H
#define RAT_TOKEN_TOKEN_H

#include "rat/token.h"

RAT_MUST_USE int rat_token__remote_create(char token[RAT_TOKEN_MAX], const rat_workspace *ws,
					  int read_only, const char *note);
RAT_MUST_USE int rat_token__remote_list(rat_token_list *out, const rat_workspace *ws);
RAT_MUST_USE int rat_token__remote_revoke(const rat_workspace *ws, const char *id);

#endif
