/*
 * util/version.c - the library's version (rat/common.h), set by the build
 * from the project's version in CMakeLists.txt.
 */
#include "util/common.h"

const char *rat_version(void)
{
	return RAT_VERSION_STRING;
}
