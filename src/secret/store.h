/*
 * secret/store.h - the secret store's file, its lock and its key (store.c),
 * for the public API (api.c).
 */
#ifndef RAT_SECRET_STORE_H
#define RAT_SECRET_STORE_H

#include "util/common.h"
#include "util/aead.h"
#include "rat/workspace.h"

#include <jansson.h>

/** RAT_HOME/secrets/<workspace><suffix> (free()). */
char *rat_secret__store_path(const rat_workspace *ws, const char *suffix);
/** The associated data a value of name is sealed with (free()). */
char *rat_secret__aad(const rat_workspace *ws, const char *name);
/**
 * The key into key (RAT_AEAD_KEY_BYTES); with create, made when absent.
 * Without it, a missing key is RAT_ENOTFOUND naming where it was looked for.
 */
RAT_MUST_USE int rat_secret__key(unsigned char *key, const rat_workspace *ws, bool create);
/** Take the store's writer lock (creating RAT_HOME/secrets, mode 0700); close(*fd) releases it. */
RAT_MUST_USE int rat_secret__lock(int *fd, const rat_workspace *ws);
/** The store as JSON (an empty one when there is no file), checked (json_decref()). */
RAT_MUST_USE int rat_secret__read(json_t **out, const rat_workspace *ws);
/** Replace the store's file with store (mode 0600). */
RAT_MUST_USE int rat_secret__write(json_t *store, const rat_workspace *ws);

#endif
