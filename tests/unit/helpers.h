/*
 * tests/unit/helpers.h - shared by the unit tests: scratch folders and files.
 */
#ifndef RAT_TEST_HELPERS_H
#define RAT_TEST_HELPERS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/** A fresh empty folder under the build tree; removed by test_rmtree(). */
char *test_tmpdir(const char *name);
/** Write text to dir/relpath, creating parent folders. */
void test_write(const char *dir, const char *relpath, const char *text);
/** A scratch folder with RAT_HOME at <it>/home and RAT_PROFILE unset. */
char *test_scratch_home(const char *name);
/** Remove a folder tree. */
void test_rmtree(const char *dir);

#endif
