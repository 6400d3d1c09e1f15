/*
 * config/env.c - the environment's part of the settings: RAT_HOME,
 * ICEBERG_WAREHOUSE and RAT_WORKSPACES.
 */
#include "util/common.h"
#include "util/fs.h"
#include "config/config.h"

#include <stdlib.h>
#include <string.h>

char *rat_config__home(void)
{
	const char *env = getenv("RAT_HOME");
	char *dir, *home = NULL;

	if (env && *env)
		return rat_fs__absolute(env);
	if ((dir = rat_fs__cwd()) == NULL)
		return NULL;
	/* .rat/ beside the nearest workspaces/ folder up from here */
	for (;;) {
		char *candidate = rat_fs__join(dir, "workspaces");
		bool found = candidate && rat_fs__is_dir(candidate);
		free(candidate);
		if (found || strcmp(dir, "/") == 0) {
			if (found)
				home = rat_fs__join(dir, ".rat");
			break;
		}
		char *parent = rat_fs__dirname(dir);
		free(dir);
		if ((dir = parent) == NULL)
			return NULL;
	}
	free(dir);
	return home ? home : rat_fs__absolute(".rat");
}

char *rat_config__warehouse(const char *home)
{
	const char *env = getenv("ICEBERG_WAREHOUSE");
	size_t n;
	char *copy;

	if (!env || !*env)
		return rat_fs__join(home, "warehouse");
	if (rat__str_has_prefix(env, "s3://")) {
		copy = rat__strdup(env);
		if (copy && (n = strlen(copy)) > 5 && copy[n - 1] == '/')
			copy[n - 1] = '\0';
		return copy;
	}
	if (rat__str_has_prefix(env, "file://"))
		return rat_fs__absolute(env + strlen("file://"));
	return rat_fs__absolute(env);
}

int rat_config__workspace_dirs(rat_strarray *out)
{
	const char *env = getenv("RAT_WORKSPACES");
	const char *p, *end;
	int error = 0;

	if (!env || !*env)
		env = "workspaces";
	for (p = env; !error && *p; p = *end ? end + 1 : end) {
		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		if (end == p)
			continue;
		char *part = rat__strndup(p, (size_t)(end - p));
		char *abs = part ? rat_fs__absolute(part) : NULL;
		free(part);
		error = abs ? rat_strarray__push_owned(out, abs) : RAT_ENOMEM;
	}
	return error;
}
