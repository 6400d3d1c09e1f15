/*
 * fuzz/fuzz_semver.c - versions and version ranges of data products
 * (product/semver.c), with npm's rules.
 *
 * Input: lines. The first line is a range (e.g. "^1.2 || >=2.0.0-rc.1 <3"),
 * each following line a version. Besides not crashing, the code must keep
 * its promises, checked here (a broken one aborts, which libFuzzer reports):
 * a version formats to text that parses back to an equal version; ordering
 * is antisymmetric and transitive; the highest version that satisfies a
 * range satisfies it and no other satisfying version sorts above it.
 */
#include "rat.h"
#include "util/common.h"
#include "product/semver.h"
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Versions checked per input: the order checks are cubic in their number. */
#define MAX_VERSIONS 16

static int sign(int n)
{
	return (n > 0) - (n < 0);
}

static void check(bool ok, const char *promise)
{
	if (!ok) {
		fprintf(stderr, "semver broke a promise: %s\n", promise);
		abort();
	}
}

static void check_version(const rat_semver *v)
{
	rat_semver again;
	char text[128];

	rat_semver__format(text, sizeof(text), v);
	check(rat_semver__parse(&again, text) == 0, "a formatted version parses");
	check(rat_semver__compare(v, &again) == 0, "a formatted version reads back equal");
	check(rat_semver__compare(v, v) == 0, "a version equals itself");
}

static void check_order(const rat_semver *v, size_t n)
{
	size_t i, j, k;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			int ij = sign(rat_semver__compare(&v[i], &v[j]));
			check(ij == -sign(rat_semver__compare(&v[j], &v[i])), "order is antisymmetric");
			for (k = 0; ij <= 0 && k < n; k++)
				if (rat_semver__compare(&v[j], &v[k]) <= 0)
					check(sign(rat_semver__compare(&v[i], &v[k])) <= ij,
					      "order is transitive");
		}
}

static void check_range(const char *text, const rat_semver *v, size_t n)
{
	rat_semver_range *range = NULL;
	long best;
	size_t i;

	if (rat_semver__range_parse(&range, text) != 0)
		return;
	best = rat_semver__max_satisfying(range, v, n);
	check(best >= -1 && best < (long)n, "max_satisfying gives an index or -1");
	for (i = 0; i < n; i++)
		if (rat_semver__satisfies(range, &v[i]))
			check(best >= 0 && rat_semver__compare(&v[i], &v[best]) <= 0,
			      "max_satisfying gives the highest satisfying version");
	if (best >= 0)
		check(rat_semver__satisfies(range, &v[best]), "max_satisfying's version satisfies");
	rat_semver__range_free(range);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rat_semver versions[MAX_VERSIONS];
	char *text = fuzz_strndup(data, size), *line, *next;
	size_t n = 0;

	next = strchr(text, '\n');
	if (next)
		*next++ = '\0';
	for (line = next; line && n < MAX_VERSIONS; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (rat_semver__parse(&versions[n], line) == 0)
			check_version(&versions[n++]);
	}
	check_order(versions, n);
	check_range(text, versions, n);
	free(text);
	return 0;
}
