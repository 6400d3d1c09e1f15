/*
 * config/profile_original.c - the parts of a profile file written for the
 * original Ratatouille (docs/migrating.md):
 *
 *     resources:
 *       duckdb:
 *         threads: 2                     # the profile's threads
 *         memory_limit: "8GB"            # the engine's memory (duckdb_memory_mb)
 *         temp_directory: "/tmp/duckdb"  # ignored: rat spills to $RAT_HOME/tmp/<workspace>/
 *         preserve_insertion_order: true # DuckDB's default; false is ignored
 *       containers: {...}                # ignored: rat runs no containers
 *
 * What is not applied is named in the profile's `ignored` text, which the
 * CLI shows once where a session or a run starts.
 */
#include "util/common.h"
#include "util/yaml.h"
#include "config/config.h"

#include <ctype.h>
#include <errno.h>
#include <libfyaml.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const duckdb_keys[] = { "threads", "memory_limit", "temp_directory",
					   "preserve_insertion_order", NULL };

/* The largest engine memory taken: 16 TiB, in MiB (profile.c's cap). */
#define MAX_MEMORY_MIB (16LL * 1024 * 1024)

/* DuckDB's size units: KB, MB, GB, TB are powers of 1000; KiB, MiB, GiB, TiB of 1024. */
static double unit_bytes(const char *unit)
{
	static const struct {
		const char *name;
		double bytes;
	} units[] = {
		{ "B", 1 },	     { "KB", 1e3 },	     { "MB", 1e6 },
		{ "GB", 1e9 },	     { "TB", 1e12 },	     { "KiB", 1024.0 },
		{ "MiB", 1048576.0 }, { "GiB", 1073741824.0 }, { "TiB", 1099511627776.0 },
	};
	size_t i;

	for (i = 0; i < RAT_ARRAY_SIZE(units); i++)
		if (strcasecmp(unit, units[i].name) == 0)
			return units[i].bytes;
	return 0;
}

/* "8GB", "512 MiB" -> MiB (rounded down); -1 when malformed or out of range. */
static int64_t parse_size_mib(const char *s)
{
	char *end;
	double n, mib, unit;

	errno = 0;
	n = strtod(s, &end);
	if (end == s || errno || !isfinite(n) || n <= 0 || !isdigit((unsigned char)*s))
		return -1;
	while (*end == ' ')
		end++;
	if ((unit = unit_bytes(end)) == 0)
		return -1;
	mib = n * unit / 1048576.0; /* rounded down below */
	return mib >= 1 && mib <= (double)MAX_MEMORY_MIB ? (int64_t)mib : -1;
}

/* Add "what (why)" to p->ignored. */
static void ignore(rat_profile *p, const char *what, const char *why)
{
	size_t used = strlen(p->ignored);

	snprintf(p->ignored + used, sizeof(p->ignored) - used, "%s%s (%s)", used ? "; " : "",
		 what, why);
}

static int memory_limit(rat_profile *p, const rat_yaml *yaml, const rat_yaml_field *f)
{
	char *v = NULL;
	int64_t mib;
	int error;

	if ((error = rat_yaml__string(&v, yaml, f)) != 0)
		return error;
	if ((mib = parse_size_mib(v)) < 0)
		error = rat_yaml__field_error(yaml, f,
					      "'%s' is not a memory size like 8GB or 512MiB (at least "
					      "1 MiB, at most 16 TiB)",
					      v);
	else
		p->values[RAT_RES_DUCKDB_MEMORY_MB] = mib;
	free(v);
	return error;
}

static int threads(rat_profile *p, const rat_yaml *yaml, const rat_yaml_field *section,
		   const rat_yaml_field *f)
{
	rat_yaml_field plain;
	int64_t n;
	int error;

	if ((error = rat_yaml__int(&n, yaml, f, 1, 1024)) != 0)
		return error;
	if (rat_yaml__field(&plain, section->value, section->path, "threads") &&
	    n != p->values[RAT_RES_THREADS])
		return rat_yaml__field_error(yaml, f, "%lld is not resources.threads %lld (keep one)",
					     (long long)n, (long long)p->values[RAT_RES_THREADS]);
	p->values[RAT_RES_THREADS] = n;
	return 0;
}

static int insertion_order(rat_profile *p, const rat_yaml *yaml, const rat_yaml_field *f)
{
	bool keep = true;
	int error = rat_yaml__bool(&keep, yaml, f);

	if (!error && !keep)
		ignore(p, "resources.duckdb.preserve_insertion_order: false",
		       "rat keeps the rows of a query in order");
	return error;
}

static int duckdb_section(rat_profile *p, const rat_yaml *yaml, const rat_yaml_field *section,
			  const rat_yaml_field *duckdb)
{
	rat_yaml_field f;
	int error;

	if ((error = rat_yaml__mapping(yaml, duckdb, duckdb_keys)) != 0)
		return error;
	if (rat_yaml__field(&f, duckdb->value, duckdb->path, "threads") &&
	    (error = threads(p, yaml, section, &f)) != 0)
		return error;
	if (rat_yaml__field(&f, duckdb->value, duckdb->path, "memory_limit") &&
	    (error = memory_limit(p, yaml, &f)) != 0)
		return error;
	if (rat_yaml__field(&f, duckdb->value, duckdb->path, "temp_directory")) {
		char *v = NULL;
		if ((error = rat_yaml__string(&v, yaml, &f)) != 0)
			return error;
		free(v);
		ignore(p, "resources.duckdb.temp_directory",
		       "the engine spills to $RAT_HOME/tmp/<workspace>/");
	}
	if (rat_yaml__field(&f, duckdb->value, duckdb->path, "preserve_insertion_order"))
		return insertion_order(p, yaml, &f);
	return 0;
}

int rat_config__profile_original(rat_profile *p, const rat_yaml *yaml,
				 const rat_yaml_field *section)
{
	rat_yaml_field f;
	int error;

	if (rat_yaml__field(&f, section->value, section->path, "duckdb") &&
	    (error = duckdb_section(p, yaml, section, &f)) != 0)
		return error;
	if (rat_yaml__field(&f, section->value, section->path, "containers")) {
		if (!f.value || fy_node_get_type(f.value) != FYNT_MAPPING)
			return rat_yaml__field_error(yaml, &f, "expected a mapping, got %s",
						     rat_yaml__kind(f.value));
		ignore(p, "resources.containers", "rat runs no containers");
	}
	return 0;
}
