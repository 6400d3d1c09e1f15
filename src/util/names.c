/*
 * util/names.c - name validation shared by the subsystems.
 */
#include "util/common.h"
#include "util/names.h"

#include <ctype.h>
#include <string.h>

bool rat_name__valid_ref(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > 200 || !isalpha((unsigned char)name[0]))
		return false;
	for (i = 0; i < n; i++) {
		char c = name[i];
		if (!isalnum((unsigned char)c) && c != '/' && c != '.' && c != '_' && c != '-')
			return false;
	}
	return !strstr(name, "..") && !strstr(name, "//") && !strstr(name, "/.") &&
	       name[n - 1] != '/' && name[n - 1] != '.' && !rat__str_has_suffix(name, ".lock");
}

bool rat_name__valid_env(const char *name)
{
	size_t i;

	if (!name || !*name || strlen(name) > 128 || (name[0] >= '0' && name[0] <= '9'))
		return false;
	for (i = 0; name[i]; i++)
		if (!(name[i] == '_' || (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9')))
			return false;
	return true;
}
