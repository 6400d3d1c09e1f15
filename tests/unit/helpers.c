/*
 * tests/unit/helpers.c - scratch folders and files for the unit tests.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *test_tmpdir(const char *name)
{
	const char *base = getenv("RAT_BUILD_DIR");
	char *dir = malloc(4096), cmd[8192];

	snprintf(dir, 4096, "%s/test-tmp/%s.%ld", base ? base : "/tmp", name, (long)getpid());
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s'", dir, dir);
	assert_int_equal(system(cmd), 0);
	return dir;
}

void test_write(const char *dir, const char *relpath, const char *text)
{
	char path[4096], cmd[8192];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, relpath);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

void test_rmtree(const char *dir)
{
	char cmd[8192];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

char *test_scratch_home(const char *name)
{
	char *dir = test_tmpdir(name), home[4200];

	snprintf(home, sizeof(home), "%s/home", dir);
	setenv("RAT_HOME", home, 1);
	unsetenv("RAT_PROFILE");
	return dir;
}
