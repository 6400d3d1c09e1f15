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

#endif
