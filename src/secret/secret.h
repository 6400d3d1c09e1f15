/*
 * secret/secret.h - a workspace's secrets inside librat (the public API is
 * rat/secret.h): the store, and the values for a run.
 */
#ifndef RAT_SECRET_SECRET_H
#define RAT_SECRET_SECRET_H

#include "util/common.h"
#include "rat/secret.h"

/**
 * Every secret of the workspace, opened with the key, into out as
 * "NAME=value" (sorted by name; free with rat_strarray_free()); nothing when
 * it has no store. Each value is remembered as one never to show
 * (util/mask.h) before this returns. A missing key, or a value that does
 * not open with it, is an error naming the file and the secret.
 */
RAT_MUST_USE int rat_secret__load(rat_strarray *out, const rat_workspace *ws);

/** The value of name in what rat_secret__load() gave; NULL when absent. */
const char *rat_secret__value(const rat_strarray *loaded, const char *name);

#endif
