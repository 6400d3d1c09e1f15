/*
 * product/semver.h - versions and version ranges of data products, with
 * npm's semver rules (https://docs.npmjs.com/cli/v10/using-npm/semver):
 *
 *   1.2.3  =1.2.3  v1.2.3          exact
 *   >1.2.3 >=1.2 <2 <=1.4          comparators (partial versions fill in as npm does)
 *   >=1.0.0 <2.0.0                 a set: every comparator must hold
 *   ^1.0.0 || ~2.1                 alternatives
 *   1.2.3 - 2.3.4                  hyphen range (inclusive; a partial upper end is a prefix)
 *   *  x  1.x  1.2.x  1  1.2       x-ranges
 *   ~1.2.3 ~1.2 ~1                 tilde: patch-level changes (minor-level for ~1)
 *   ^1.2.3 ^0.2.3 ^0.0.3 ^1.x ^0.x caret: changes that keep the left-most non-zero part
 *   latest                         the highest release (our addition)
 *
 * A pre-release (1.2.3-rc.1) sorts before its release and satisfies a range
 * only when a comparator of the same set names a pre-release of the same
 * major.minor.patch: pre-releases are excluded unless asked for.
 */
#ifndef RAT_PRODUCT_SEMVER_H
#define RAT_PRODUCT_SEMVER_H

#include "util/common.h"

typedef struct rat_semver {
	int64_t major, minor, patch;
	char pre[96];   /* "" or the pre-release, e.g. "rc.1" */
} rat_semver;

typedef struct rat_semver_range rat_semver_range;

/** A full version MAJOR.MINOR.PATCH[-pre][+build] (a leading v or = is accepted). */
RAT_MUST_USE int rat_semver__parse(rat_semver *out, const char *text);
/** <0, 0, >0 as a sorts before, with, after b (build metadata is ignored). */
int rat_semver__compare(const rat_semver *a, const rat_semver *b);
/** The version as text: "1.2.3" or "1.2.3-rc.1" (out holds at least 128 bytes). */
void rat_semver__format(char *out, size_t len, const rat_semver *v);

/** Parse a range; RAT_EINVALID naming the range and the part that is wrong. */
RAT_MUST_USE int rat_semver__range_parse(rat_semver_range **out, const char *text);
void rat_semver__range_free(rat_semver_range *range);
bool rat_semver__satisfies(const rat_semver_range *range, const rat_semver *v);
/** The index of the highest version in versions that satisfies range; -1 when none does. */
long rat_semver__max_satisfying(const rat_semver_range *range, const rat_semver *versions,
				size_t count);

#endif
