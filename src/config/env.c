/*
 * config/env.c - the environment's part of the settings (config.h): the
 * one place librat reads the process environment.
 *
 * A rat_env is a sorted copy of the environment taken when a workspace
 * loads; RAT_HOME, ICEBERG_WAREHOUSE, RAT_WORKSPACES, WORKSPACE,
 * RAT_PROFILE, RAT_NOW, the S3 settings, NESSIE_URI and RAT_TOKEN (the
 * catalog server), USER and what templates read with
 * env_var() all come from it.
 */
#include "util/common.h"
#include "util/fs.h"
#include "util/names.h"
#include "config/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <libfyaml.h>

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

/* A RAT_NOW text as ms since the epoch; -1 when it is not one of the forms. */
static int64_t parse_now(const char *text)
{
	static const int days[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	struct tm tm;
	int y, mo, d, h = 0, mi = 0, s = 0, n = 0, m = 0;
	char sep;

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

int rat_config__fixed_now(int64_t *out_ms, const rat_env *env)
{
	const char *text = rat_config__env_value(env, "RAT_NOW");

	*out_ms = -1;
	if (!text)
		return 0;
	if ((*out_ms = parse_now(text)) >= 0)
		return 0;
	return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
			      "RAT_NOW='%.64s%s' is not a time rat can read (accepted, in UTC: "
			      "2024-04-01, 2024-04-01 10:00:00 or 2024-04-01T10:00:00Z; unset it for "
			      "the real clock)",
			      text, strlen(text) > 64 ? "..." : "");
}

char *rat_config__home(const rat_env *env, const char *workspace_dir, const char **origin)
{
	const char *value = rat_config__env_value(env, "RAT_HOME");
	char *dir, *parent, *name, *home;

	if (value) {
		*origin = "set by RAT_HOME";
		return rat_fs__absolute(value);
	}
	/* from the workspace's own folder, never from the current one */
	if ((dir = rat_fs__absolute(workspace_dir)) == NULL)
		return NULL;
	parent = rat_fs__dirname(dir);
	name = parent ? rat_fs__basename(parent) : NULL;
	free(dir);
	if (!parent || !name) {
		free(parent);
		free(name);
		return NULL;
	}
	if (strcmp(name, "workspaces") == 0 && strcmp(parent, "/") != 0) {
		char *above = rat_fs__dirname(parent);
		*origin = "beside the workspaces/ folder that holds the workspace";
		home = above ? rat_fs__join(above, ".rat") : NULL;
		free(above);
	} else {
		*origin = "in the workspace's parent folder";
		home = rat_fs__join(parent, ".rat");
	}
	free(parent);
	free(name);
	return home;
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

void rat_config__s3_settings(rat_s3_settings *out, const rat_env *env, bool s3_warehouse)
{
	const char *endpoint = rat_config__env_get(env, "S3_ENDPOINT");

	memset(out, 0, sizeof(*out));
	out->region = rat_config__env_value(env, "S3_REGION");
	out->access_key = rat_config__env_value(env, "S3_ACCESS_KEY");
	out->secret_key = rat_config__env_value(env, "S3_SECRET_KEY");
	if (endpoint && *endpoint && strcasecmp(endpoint, "aws") != 0) {
		out->endpoint = endpoint;
		out->origin = "S3_ENDPOINT";
		return;
	}
	if (!endpoint && s3_warehouse && !out->access_key && !out->secret_key) {
		/* the guide's local MinIO: what `ICEBERG_WAREHOUSE=s3://...` alone means */
		out->endpoint = RAT_S3_DEFAULT_ENDPOINT;
		out->access_key = RAT_S3_DEFAULT_ACCESS_KEY;
		out->secret_key = RAT_S3_DEFAULT_SECRET_KEY;
		out->origin = "default: S3_ENDPOINT, S3_ACCESS_KEY and S3_SECRET_KEY unset";
		return;
	}
	/* AWS itself: S3_ENDPOINT=aws or empty, or unset beside keys */
	snprintf(out->aws_endpoint, sizeof(out->aws_endpoint), "https://s3.%.40s.amazonaws.com",
		 out->region ? out->region : "us-east-1");
	out->endpoint = out->aws_endpoint;
	out->origin = !endpoint ? "AWS: S3_ENDPOINT unset" : *endpoint ? "AWS: S3_ENDPOINT=aws"
									: "AWS: S3_ENDPOINT empty";
}

/*
 * What templates may read (env_var()) and executables inherit: the names a
 * workspace lists in env_vars, and RAT_VAR_*. Never the operator's own
 * settings and credentials, even listed: a name that is one gets the
 * reason here (static text), else NULL.
 */
/* True when one of name's '_'-separated words, in any case, is a credential's. */
static bool credential_word(const char *name)
{
	static const char *const words[] = { "SECRET", "SECRETS",    "PASSWORD", "PASSWD",
					      "TOKEN",      "KEY",      "APIKEY",
					      "CREDENTIAL", "CREDENTIALS", "PRIVATE", NULL };
	const char *w = name, *end;
	size_t i;

	for (; *w; w = *end ? end + 1 : end) {
		end = w + strcspn(w, "_");
		for (i = 0; words[i]; i++)
			if (strlen(words[i]) == (size_t)(end - w) &&
			    strncasecmp(w, words[i], (size_t)(end - w)) == 0)
				return true;
	}
	return false;
}

const char *rat_config__catalog_uri(const rat_env *env)
{
	return rat_config__env_value(env, "NESSIE_URI");
}

const char *rat_config__catalog_token(const rat_env *env)
{
	return rat_config__env_value(env, "RAT_TOKEN");
}

const char *rat_config__env_reserved(const char *name)
{
	static const char *const exact[] = { "ICEBERG_WAREHOUSE", "WORKSPACE",
					     "GIT_CEILING_DIRECTORIES", "USER", NULL };
	size_t i;

	if (rat__str_has_prefix(name, "S3_") || rat__str_has_prefix(name, "AWS_") ||
	    rat__str_has_prefix(name, "GOOGLE_") || rat__str_has_prefix(name, "AZURE_"))
		return "a storage credential of the operator";
	if (rat__str_has_prefix(name, "NESSIE_"))
		return "the catalog server's address (rat serve's)";
	if (rat__str_has_prefix(name, "RAT_") && !rat__str_has_prefix(name, RAT_ENV_VAR_PREFIX))
		return "one of rat's own settings";
	for (i = 0; exact[i]; i++)
		if (strcmp(name, exact[i]) == 0)
			return "read by rat's configuration";
	return credential_word(name) ? "named like a credential" : NULL;
}

int rat_config__parse_env_vars(rat_strarray *out, const rat_yaml *yaml,
			       const rat_yaml_field *field)
{
	size_t i, j;
	const char *why;
	int error;

	if ((error = rat_yaml__string_list(out, yaml, field)) != 0)
		return error;
	if (out->count > 256)
		return rat_yaml__field_error(yaml, field, "at most 256 names, got %zu", out->count);
	for (i = 0; i < out->count; i++) {
		const char *name = out->strings[i];
		rat_yaml_field item = *field;
		if (fy_node_get_type(field->value) == FYNT_SEQUENCE)
			rat_yaml__item(&item, rat_yaml__at(field->value, i), field->path, i);
		if (!rat_name__valid_env(name))
			return rat_yaml__field_error(yaml, &item,
						     "invalid variable name '%.64s' (letters, "
						     "digits and '_', not starting with a digit, "
						     "at most 128)",
						     name);
		if ((why = rat_config__env_reserved(name)) != NULL)
			return rat_yaml__field_error(yaml, &item,
						     "%s is %s: templates and executables never "
						     "see it, even listed (a pipeline's own "
						     "credential goes in the workspace's secrets: "
						     "rat secret set)",
						     name, why);
		for (j = 0; j < i; j++)
			if (strcmp(out->strings[j], name) == 0)
				return rat_yaml__field_error(yaml, &item, "%s is listed twice",
							     name);
	}
	return 0;
}

int rat_config__secrets_key_path(char **out, const rat_env *env)
{
	const char *file = rat_config__env_value(env, "RAT_SECRETS_KEY_FILE");
	const char *xdg = rat_config__env_value(env, "XDG_CONFIG_HOME");
	const char *home = rat_config__env_value(env, "HOME");

	if (file)
		*out = rat_fs__absolute(file);
	else if (xdg && xdg[0] == '/')
		*out = rat__sprintf("%s/rat/secrets.key", xdg);
	else if (home && home[0] == '/')
		*out = rat__sprintf("%s/.config/rat/secrets.key", home);
	else
		return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_CONFIG,
				      "no place for the secrets key: set RAT_SECRETS_KEY_FILE (or "
				      "HOME, or XDG_CONFIG_HOME)");
	return *out ? 0 : RAT_ENOMEM;
}
