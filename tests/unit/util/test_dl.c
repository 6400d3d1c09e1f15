/*
 * tests/unit/util/test_dl.c - a library loaded on first use (util/dl.h):
 * found by the dynamic loader or in the folder given; a library that is
 * not there, or lacks a function, is an error naming it, every time it is
 * asked for, and nothing is half loaded.
 */
#include "helpers.h"

#include <math.h>
#include <string.h>

#include "util/common.h"
#include "util/dl.h"

static void a_missing_library_is_said(void **state)
{
	char why[RAT_DL_FAILURE_MAX] = "x";
	(void)state;

	assert_null(rat_dl__open("librat_no_such_library.so.9", "/nonexistent", why, sizeof(why)));
	assert_non_null(strstr(why, "librat_no_such_library.so.9"));
	/* found: no failure left behind */
	assert_non_null(rat_dl__open("libm.so.6", NULL, why, sizeof(why)));
	assert_string_equal(why, "");
}

int load_good(void);
int load_bad(void);
int load_gone(void);

/* Two tables of functions from libm: one it has, one with a function it lacks. */
#define GOOD_FUNCTIONS(X) X(cos)
typedef struct good_api {
	double (*cos)(double);
} good_api;
static good_api good;
RAT_DL_LOADER(load_good, good, "libm.so.6", NULL, GOOD_FUNCTIONS)

#define BAD_FUNCTIONS(X) X(cos) X(rat_no_such_function)
typedef struct bad_api {
	double (*cos)(double);
	void (*rat_no_such_function)(void);
} bad_api;
static bad_api bad;
RAT_DL_LOADER(load_bad, bad, "libm.so.6", NULL, BAD_FUNCTIONS)

#define GONE_FUNCTIONS(X) X(cos)
static good_api gone;
RAT_DL_LOADER(load_gone, gone, "librat_no_such_library.so.9", "/nonexistent", GONE_FUNCTIONS)

static void a_loader_fills_its_table_or_says_why(void **state)
{
	(void)state;

	assert_int_equal(load_good(), 0);
	assert_true(good.cos(0.0) == 1.0);
	assert_int_equal(load_bad(), RAT_EIO);
	assert_non_null(strstr(rat_error_last()->message,
			       "cannot load libm.so.6: libm.so.6 has no function rat_no_such_function"));
	assert_int_equal(load_bad(), RAT_EIO); /* once per process: said again, not retried */
	assert_int_equal(load_gone(), RAT_EIO);
	assert_non_null(strstr(rat_error_last()->message,
			       "cannot load librat_no_such_library.so.9: "));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_missing_library_is_said),
		cmocka_unit_test(a_loader_fills_its_table_or_says_why),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
