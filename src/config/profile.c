/*
 * config/profile.c - resource profiles: the built-in tiny/small/medium/large
 * (the values of the workspaces guide, plus engine threads) and custom
 * profiles from YAML files.
 *
 * A profile file looks like the guide's:
 *
 *     extends: tiny          # optional; keys not given come from here (default: small)
 *     description: CI runners
 *     resources:
 *       max_memory_mb: 512
 *       threads: 1
 *
 * or like the original Ratatouille's, with resources.duckdb and
 * resources.containers (profile_original.c).
 */
#include "util/common.h"
#include "util/fs.h"
#include "util/yaml.h"
#include "config/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const rat_config__resource_keys[] = {
	"max_memory_mb", "duckdb_memory_mb", "chunk_size_rows", "max_parallel_pipelines", "threads",
	NULL
};

/* Upper bounds keep typos (an extra zero or three) from reaching the engine. */
static const int64_t resource_max[RAT_RES_COUNT] = {
	16LL * 1024 * 1024, /* 16 TiB in MiB */
	16LL * 1024 * 1024,
	100000000,
	256,
	1024,
};

/* A profile file's resources: the keys, and the original Ratatouille's duckdb: and containers:. */
static const char *const file_resource_keys[] = {
	"max_memory_mb", "duckdb_memory_mb", "chunk_size_rows", "max_parallel_pipelines", "threads",
	"duckdb", "containers", NULL
};

const char *const rat_config__builtin_profiles[] = { "tiny", "small", "medium", "large", NULL };

static const int64_t builtin_values[4][RAT_RES_COUNT] = {
	/* max_memory_mb, duckdb_memory_mb, chunk_size_rows, max_parallel_pipelines, threads */
	{ 1024, 2048, 10000, 1, 1 },        /* tiny: 4 GB VM */
	{ 4096, 8192, 50000, 2, 2 },        /* small: 20 GB VM */
	{ 16384, 32768, 200000, 4, 4 },     /* medium: 64 GB VM */
	{ 65536, 98304, 500000, 8, 8 },     /* large: 128 GB+ VM */
};

const char *rat_config__resource_name(rat_resource_key key)
{
	return (unsigned)key < RAT_RES_COUNT ? rat_config__resource_keys[key] : NULL;
}

static int builtin(rat_profile *out, const char *name)
{
	size_t i;

	for (i = 0; rat_config__builtin_profiles[i]; i++) {
		if (strcmp(name, rat_config__builtin_profiles[i]) == 0) {
			snprintf(out->name, sizeof(out->name), "%s", name);
			snprintf(out->source, sizeof(out->source), "built-in");
			memcpy(out->values, builtin_values[i], sizeof(out->values));
			return 0;
		}
	}
	return RAT_ENOTFOUND;
}

/* Read the resource keys of a mapping into values (validated); set bits in *set. */
int rat_config__read_resources(int64_t *values, unsigned int *set, const rat_yaml *yaml,
			       struct fy_node *mapping, const char *path)
{
	rat_yaml_field field;
	int i, error;

	for (i = 0; i < RAT_RES_COUNT; i++) {
		if (!rat_yaml__field(&field, mapping, path, rat_config__resource_keys[i]))
			continue;
		if ((error = rat_yaml__int(&values[i], yaml, &field, 1, resource_max[i])) != 0)
			return error;
		if (set)
			*set |= 1u << i;
	}
	return 0;
}

static bool valid_profile_name(const char *name)
{
	return rat_config__valid_workspace_name(name);
}

static int find(rat_profile *out, const char *name, const char *workspace_dir, const char *home,
		int depth);

static int load_file(rat_profile *out, const char *name, const char *path,
		     const char *workspace_dir, const char *home, int depth)
{
	static const char *const keys[] = { "extends", "description", "resources", NULL };
	rat_yaml *yaml = NULL;
	rat_yaml_field field;
	char *base = NULL;
	int error;

	if ((error = rat_yaml__load(&yaml, path, path)) != 0 ||
	    (error = rat_yaml__check_mapping(yaml, rat_yaml__root(yaml), "", keys)) != 0)
		goto cleanup;
	if (rat_yaml__field(&field, rat_yaml__root(yaml), "", "extends")) {
		if ((error = rat_yaml__string(&base, yaml, &field)) != 0)
			goto cleanup;
		if (strcmp(base, name) == 0 && builtin(out, base) == 0) {
			/* a file named after a built-in may extend that built-in */
		} else if ((error = find(out, base, workspace_dir, home, depth + 1)) != 0) {
			rat_yaml__field_error(yaml, &field, "%s", rat_error_last()->message);
			goto cleanup;
		}
	} else if ((error = builtin(out, "small")) != 0) {
		goto cleanup;
	}
	if (rat_yaml__field(&field, rat_yaml__root(yaml), "", "description")) {
		char *ignored = NULL;
		error = rat_yaml__string(&ignored, yaml, &field);
		free(ignored);
		if (error)
			goto cleanup;
	}
	if (rat_yaml__field(&field, rat_yaml__root(yaml), "", "resources")) {
		if ((error = rat_yaml__mapping(yaml, &field, file_resource_keys)) != 0 ||
		    (error = rat_config__read_resources(out->values, NULL, yaml, field.value,
							field.path)) != 0 ||
		    (error = rat_config__profile_original(out, yaml, &field)) != 0)
			goto cleanup;
	}
	snprintf(out->name, sizeof(out->name), "%s", name);
	snprintf(out->source, sizeof(out->source), "%s", path);
cleanup:
	free(base);
	rat_yaml__free(yaml);
	return error;
}

static int find(rat_profile *out, const char *name, const char *workspace_dir, const char *home,
		int depth)
{
	const char *dirs[2];
	size_t i;

	if (depth > 8)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
				      "profile '%s': 'extends' chain is too deep (a cycle?)", name);
	if (!valid_profile_name(name))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
				      "invalid profile name '%s' (letters, digits, '-', '_')", name);
	dirs[0] = workspace_dir;
	dirs[1] = home;
	for (i = 0; i < RAT_ARRAY_SIZE(dirs); i++) {
		char *path;
		int error;
		if (!dirs[i])
			continue;
		path = rat__sprintf("%s/profiles/%s.yaml", dirs[i], name);
		if (!path)
			return RAT_ENOMEM;
		if (rat_fs__is_file(path)) {
			error = load_file(out, name, path, workspace_dir, home, depth);
			free(path);
			return error;
		}
		free(path);
	}
	if (builtin(out, name) == 0)
		return 0;
	return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_CONFIG,
			      "unknown profile '%s' (tiny, small, medium, large, or a file "
			      "profiles/%s.yaml in the workspace or in RAT_HOME)",
			      name, name);
}

int rat_config__profile_find(rat_profile *out, const char *name, const char *workspace_dir,
			     const char *home)
{
	memset(out, 0, sizeof(*out));
	return find(out, name, workspace_dir, home, 0);
}
