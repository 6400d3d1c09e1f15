/*
 * config/env.c - the environment's part of the settings (config.h): the
 * one place librat reads the process environment.
 *
 * A rat_env is a sorted copy of the environment taken when a workspace
 * loads; RAT_HOME, ICEBERG_WAREHOUSE, RAT_WORKSPACES, WORKSPACE,
 * RAT_PROFILE, RAT_NOW, the S3 settings, USER and what templates read with
 * env_var() all come from it.
 */
#include "util/common.h"
#include "util/fs.h"
#include "config/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

extern char **environ;

/* Compare "NAME=value" entries by NAME. */
static int compare_vars(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t nx = strcspn(x, "="), ny = strcspn(y, "=");
	int cmp = strncmp(x, y, nx < ny ? nx : ny);

	return cmp ? cmp : (nx > ny) - (nx < ny);
}

int rat_config__env_capture(rat_env *out)
{
	char **p;
	int error = 0;

	memset(out, 0, sizeof(*out));
	for (p = environ; !error && p && *p; p++)
		if (strchr(*p, '='))
			error = rat_strarray__push(&out->vars, *p);
	if (error) {
		rat_config__env_free(out);
		return error;
	}
	if (out->vars.count)
		qsort(out->vars.strings, out->vars.count, sizeof(char *), compare_vars);
	return 0;
}

int rat_config__env_copy(rat_env *out, const rat_env *env)
{
	size_t i;
	int error = 0;

	memset(out, 0, sizeof(*out));
	for (i = 0; !error && i < env->vars.count; i++)
		error = rat_strarray__push(&out->vars, env->vars.strings[i]);
	if (error)
		rat_config__env_free(out);
	return error;
}

void rat_config__env_free(rat_env *env)
{
	rat_strarray_free(&env->vars);
}

const char *rat_config__env_get(const rat_env *env, const char *name)
{
	size_t lo = 0, hi = env->vars.count, n = strlen(name);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *v = env->vars.strings[mid];
		size_t nv = strcspn(v, "=");
		int cmp = strncmp(v, name, nv < n ? nv : n);
		if (cmp == 0)
			cmp = (nv > n) - (nv < n);
		if (cmp == 0)
			return v + nv + 1;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *rat_config__env_value(const rat_env *env, const char *name)
{
	const char *v = rat_config__env_get(env, name);

	return v && *v ? v : NULL;
}

int64_t rat_config__fixed_now_ms(const rat_env *env)
{
	static const int days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const char *text = rat_config__env_value(env, "RAT_NOW");
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, s = 0, n = 0, m = 0;
	char sep;

	if (!text)
		return -1;
	if (sscanf(text, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10)
		return -1;
	if (text[n] && (sscanf(text + n, "%c%2d:%2d:%2d%n", &sep, &h, &mi, &s, &m) != 4 ||
			m != 9 || (sep != ' ' && sep != 'T') ||
			(text[n + m] && strcmp(text + n + m, "Z") != 0)))
		return -1;
	/* a date or time that does not exist is malformed, not rolled over (2024-02-30) */
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days[mo - 1] || h > 23 || mi > 59 ||
	    s > 59 || (mo == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0))))
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (int64_t)timegm(&tm) * 1000;
}

char *rat_config__home(const rat_env *env)
{
	const char *value = rat_config__env_value(env, "RAT_HOME");
	char *dir, *home = NULL;

	if (value)
		return rat_fs__absolute(value);
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

char *rat_config__warehouse(const rat_env *env, const char *home)
{
	const char *value = rat_config__env_value(env, "ICEBERG_WAREHOUSE");
	size_t n;
	char *copy;

	if (!value)
		return rat_fs__join(home, "warehouse");
	if (rat__str_has_prefix(value, "s3://")) {
		copy = rat__strdup(value);
		if (copy && (n = strlen(copy)) > 5 && copy[n - 1] == '/')
			copy[n - 1] = '\0';
		return copy;
	}
	if (rat__str_has_prefix(value, "file://"))
		return rat_fs__absolute(value + strlen("file://"));
	return rat_fs__absolute(value);
}

int rat_config__workspace_dirs(rat_strarray *out, const rat_env *env)
{
	const char *value = rat_config__env_value(env, "RAT_WORKSPACES");
	const char *p, *end;
	int error = 0;

	if (!value)
		value = "workspaces";
	for (p = value; !error && *p; p = *end ? end + 1 : end) {
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

const char *rat_config__default_workspace(const rat_env *env)
{
	return rat_config__env_value(env, "WORKSPACE");
}

void rat_config__s3_settings(rat_s3_settings *out, const rat_env *env)
{
	out->endpoint = rat_config__env_value(env, "S3_ENDPOINT");
	out->region = rat_config__env_value(env, "S3_REGION");
	out->access_key = rat_config__env_value(env, "S3_ACCESS_KEY");
	out->secret_key = rat_config__env_value(env, "S3_SECRET_KEY");
}
