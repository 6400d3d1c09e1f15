/*
 * util/names.h - what makes a valid name for the things librat names.
 */
#ifndef RAT_UTIL_NAMES_H
#define RAT_UTIL_NAMES_H

#include "util/common.h"

/**
 * A catalog reference (branch or tag) name, by the Nessie and Git rules:
 * starts with a letter; letters, digits, '/', '.', '_', '-'; no "..", "//",
 * "/." or "@{"; no trailing '/' or '.'; not ending in ".lock"; at most 200.
 */
bool rat_name__valid_ref(const char *name);

/**
 * An environment variable's name, as workspace.yaml's env_vars and the
 * secrets take them: a letter or '_', then letters, digits and '_'; at most 128.
 */
bool rat_name__valid_env(const char *name);

#endif
