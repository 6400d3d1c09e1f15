/*
 * tests/unit/product/test_semver.c - npm's semver rules: version order
 * (pre-releases included), every range form (^, ~, x-ranges, comparators,
 * hyphen ranges, ||, latest), the ^0.x special cases, pre-releases
 * excluded unless a comparator of the same version asks, and the highest
 * matching version chosen.
 */
#include "helpers.h"

#include <string.h>

#include "rat.h"
#include "util/common.h"
#include "product/semver.h"

static rat_semver v(const char *text)
{
	rat_semver out;
	if (rat_semver__parse(&out, text) != 0)
		fail_msg("parse %s: %s", text, rat_error_last()->message);
	return out;
}

static void versions_order_as_npm(void **state)
{
	static const char *const ordered[] = {
		"0.0.1", "0.1.0", "1.0.0-0", "1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta",
		"1.0.0-beta", "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1",
		"1.2.0", "1.10.0", "2.0.0", "10.0.0",
	};
	size_t i;
	(void)state;

	for (i = 0; i + 1 < RAT_ARRAY_SIZE(ordered); i++) {
		rat_semver a = v(ordered[i]), b = v(ordered[i + 1]);
		if (rat_semver__compare(&a, &b) >= 0 || rat_semver__compare(&b, &a) <= 0)
			fail_msg("%s should sort before %s", ordered[i], ordered[i + 1]);
	}
	{
		rat_semver a = v("v1.2.3+build.5"), b = v("1.2.3");
		char text[128];
		assert_int_equal(rat_semver__compare(&a, &b), 0); /* build metadata is ignored */
		rat_semver__format(text, sizeof(text), &a);
		assert_string_equal(text, "1.2.3");
	}
}

static void bad_versions_are_refused(void **state)
{
	static const char *const bad[] = { "1", "1.2", "1.2.3.4", "01.2.3", "1.02.3", "a.b.c",
					   "1.2.3-", "1.2.3-a..b", "1.2.3-01", "1.2.x", "",
					   "1.2.3 ", "1.2.3+" };
	rat_semver out;
	size_t i;
	(void)state;

	for (i = 0; i < RAT_ARRAY_SIZE(bad); i++)
		if (rat_semver__parse(&out, bad[i]) == 0)
			fail_msg("'%s' was accepted as a version", bad[i]);
	assert_int_equal(rat_semver__parse(&out, "1.2"), RAT_EINVALID);
	assert_string_equal(rat_error_last()->message,
			    "'1.2' is not a version (MAJOR.MINOR.PATCH, e.g. 1.4.0 or 2.0.0-rc.1)");
}

/* range, version, expected */
static const struct {
	const char *range, *version;
	bool ok;
} cases[] = {
	/* exact and comparators */
	{ "1.2.3", "1.2.3", true },          { "=1.2.3", "1.2.4", false },
	{ ">1.2.3", "1.2.4", true },         { ">1.2.3", "1.2.3", false },
	{ ">=1.2.3", "1.2.3", true },        { "<1.2.3", "1.2.2", true },
	{ "<=1.2.3", "1.2.3", true },        { ">= 1.2.3 < 2", "1.9.9", true },
	{ ">=1.0.0 <2.0.0", "2.0.0", false }, { ">1.2", "1.2.9", false },
	{ ">1.2", "1.3.0", true },           { "<1.2", "1.1.9", true },
	{ "<=1.2", "1.2.9", true },          { "<=1.2", "1.3.0", false },
	/* x-ranges and partials */
	{ "*", "3.1.4", true },              { "", "0.0.1", true },
	{ "1.x", "1.9.0", true },            { "1.x", "2.0.0", false },
	{ "1.2.x", "1.2.7", true },          { "1.2.x", "1.3.0", false },
	{ "1", "1.0.0", true },              { "1.2", "1.2.99", true },
	/* tilde */
	{ "~1.2.3", "1.2.9", true },         { "~1.2.3", "1.3.0", false },
	{ "~1.2", "1.2.0", true },           { "~1", "1.9.9", true },
	{ "~1", "2.0.0", false },            { "~0.2.3", "0.2.5", true },
	{ "~0.2.3", "0.3.0", false },        { "~>1.2.3", "1.2.4", true },
	/* caret, with npm's 0.x rules */
	{ "^1.2.3", "1.9.0", true },         { "^1.2.3", "2.0.0", false },
	{ "^1.2.3", "1.2.2", false },        { "^0.2.3", "0.2.9", true },
	{ "^0.2.3", "0.3.0", false },        { "^0.0.3", "0.0.3", true },
	{ "^0.0.3", "0.0.4", false },        { "^1.2.x", "1.5.0", true },
	{ "^0.0.x", "0.0.9", true },         { "^0.0.x", "0.1.0", false },
	{ "^0.0", "0.0.5", true },           { "^1.x", "1.0.0", true },
	{ "^0.x", "0.9.0", true },           { "^0.x", "1.0.0", false },
	/* hyphen ranges */
	{ "1.2.3 - 2.3.4", "2.3.4", true },  { "1.2.3 - 2.3.4", "2.3.5", false },
	{ "1.2 - 2.3.4", "1.2.0", true },    { "1.2.3 - 2.3", "2.3.99", true },
	{ "1.2.3 - 2.3", "2.4.0", false },   { "1.2.3 - 2", "2.99.0", true },
	/* alternatives */
	{ "^1.0.0 || ^3.0.0", "3.4.0", true }, { "^1.0.0 || ^3.0.0", "2.4.0", false },
	{ "<1.0.0 || >=2.1", "2.1.0", true },
	/* pre-releases: excluded unless asked for at the same major.minor.patch */
	{ "^1.2.3", "1.2.4-rc.1", false },   { "^1.2.3-rc.1", "1.2.3-rc.2", true },
	{ "^1.2.3-rc.1", "1.2.4-rc.1", false }, { ">=1.2.3-beta <2", "1.2.3-alpha", false },
	{ "*", "1.0.0-rc.1", false },        { "latest", "2.0.0-rc.1", false },
	{ "latest", "2.0.0", true },         { "~1.2.3-beta.2", "1.2.3-beta.4", true },
	{ "^2.0.0", "2.0.0-rc.1", false }, { "<1.2.3", "1.2.3-rc.1", false },
};

static void ranges_match_as_npm(void **state)
{
	size_t i;
	(void)state;

	for (i = 0; i < RAT_ARRAY_SIZE(cases); i++) {
		rat_semver_range *r = NULL;
		rat_semver ver = v(cases[i].version);
		if (rat_semver__range_parse(&r, cases[i].range) != 0)
			fail_msg("range '%s': %s", cases[i].range, rat_error_last()->message);
		if (rat_semver__satisfies(r, &ver) != cases[i].ok)
			fail_msg("'%s' %s %s", cases[i].version,
				 cases[i].ok ? "should satisfy" : "should not satisfy",
				 cases[i].range);
		rat_semver__range_free(r);
	}
}

static void bad_ranges_name_the_part(void **state)
{
	static const char *const bad[] = { "^1.2.3.4", "~a", ">=1.2.3 <2.x.1", "1.2.3 - ",
					   "=>1.0.0", "1.0.0 ||| 2" };
	rat_semver_range *r = NULL;
	size_t i;
	(void)state;

	for (i = 0; i < RAT_ARRAY_SIZE(bad); i++) {
		if (rat_semver__range_parse(&r, bad[i]) == 0) {
			rat_semver__range_free(r);
			fail_msg("range '%s' was accepted", bad[i]);
		}
	}
	assert_int_equal(rat_semver__range_parse(&r, ">=1.2.3 <2.x.1"), RAT_EINVALID);
	assert_string_equal(rat_error_last()->message,
			    "version range '>=1.2.3 <2.x.1': '<2.x.1' is not a version or a range "
			    "(e.g. ^1.2.0, ~1.2, 1.x, >=1.0.0 <2.0.0, 1.2.3 - 2.0.0, latest)");
}

static void the_highest_match_is_chosen(void **state)
{
	rat_semver published[] = { v("1.0.0"), v("1.1.0"), v("2.0.0"), v("2.1.0-rc.1") };
	static const struct {
		const char *range, *pick;
	} picks[] = { { "^1.0.0", "1.1.0" }, { "~1.1.0", "1.1.0" },  { "1.x", "1.1.0" },
		      { "latest", "2.0.0" }, { ">=1.0.0 <2.0.0", "1.1.0" }, { "1.0.0", "1.0.0" },
		      { "^2.1.0-rc.0", "2.1.0-rc.1" }, { "^3", NULL } };
	size_t i;
	(void)state;

	for (i = 0; i < RAT_ARRAY_SIZE(picks); i++) {
		rat_semver_range *r = NULL;
		long at;
		char text[128] = "(none)";
		assert_int_equal(rat_semver__range_parse(&r, picks[i].range), 0);
		at = rat_semver__max_satisfying(r, published, RAT_ARRAY_SIZE(published));
		if (at >= 0)
			rat_semver__format(text, sizeof(text), &published[at]);
		if (strcmp(text, picks[i].pick ? picks[i].pick : "(none)") != 0)
			fail_msg("%s picked %s, expected %s", picks[i].range, text,
				 picks[i].pick ? picks[i].pick : "(none)");
		rat_semver__range_free(r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(versions_order_as_npm),
		cmocka_unit_test(bad_versions_are_refused),
		cmocka_unit_test(ranges_match_as_npm),
		cmocka_unit_test(bad_ranges_name_the_part),
		cmocka_unit_test(the_highest_match_is_chosen),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
