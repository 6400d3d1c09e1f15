/*
 * config/workspace_defaults.c - workspace.yaml's `defaults:`, `quality:` and
 * `freshness:` sections, as the original Ratatouille's `rat init` writes them
 * (docs/migrating.md):
 *
 *     defaults:
 *       resource_profile: small     # the profile, as resources.profile
 *     quality:
 *       fail_on_error: true         # false: failed error-severity checks only warn
 *       warn_threshold: 0.01        # a check whose violating rows are at most this
 *                                   # share of the table's rows only warns
 *     freshness:
 *       default_warn_hours: 12      # for pipelines that set no freshness
 *       default_error_hours: 24
 */
#include "util/common.h"
#include "util/yaml.h"
#include "config/config.h"

#include <string.h>

static const char *const defaults_keys[] = { "resource_profile", NULL };
static const char *const quality_keys[] = { "fail_on_error", "warn_threshold", NULL };
static const char *const freshness_keys[] = { "default_warn_hours", "default_error_hours", NULL };

/* The longest default freshness: 100 years, in hours. */
#define MAX_FRESHNESS_HOURS (100LL * 366 * 24)

static int parse_quality(rat_workspace_defaults *d, const rat_yaml *yaml, const rat_yaml_field *s)
{
	rat_yaml_field f;
	int error;

	if ((error = rat_yaml__mapping(yaml, s, quality_keys)) != 0)
		return error;
	if (rat_yaml__field(&f, s->value, s->path, "fail_on_error") &&
	    (error = rat_yaml__bool(&d->fail_on_error, yaml, &f)) != 0)
		return error;
	if (rat_yaml__field(&f, s->value, s->path, "warn_threshold")) {
		if ((error = rat_yaml__positive_number(&d->warn_threshold, yaml, &f)) != 0)
			return error;
		if (d->warn_threshold >= 1)
			return rat_yaml__field_error(yaml, &f,
						     "a share of the table's rows, above 0 and "
						     "below 1 (0.01 is 1%%)");
	}
	return 0;
}

static int parse_freshness(rat_workspace_defaults *d, const rat_yaml *yaml,
			   const rat_yaml_field *s)
{
	rat_yaml_field f;
	int64_t hours;
	int error;

	if ((error = rat_yaml__mapping(yaml, s, freshness_keys)) != 0)
		return error;
	if (rat_yaml__field(&f, s->value, s->path, "default_warn_hours")) {
		if ((error = rat_yaml__int(&hours, yaml, &f, 1, MAX_FRESHNESS_HOURS)) != 0)
			return error;
		d->freshness_warn_s = hours * 3600;
	}
	if (rat_yaml__field(&f, s->value, s->path, "default_error_hours")) {
		if ((error = rat_yaml__int(&hours, yaml, &f, 1, MAX_FRESHNESS_HOURS)) != 0)
			return error;
		d->freshness_error_s = hours * 3600;
	}
	if (d->freshness_warn_s && d->freshness_error_s &&
	    d->freshness_warn_s > d->freshness_error_s)
		return rat_yaml__field_error(yaml, s,
					     "default_warn_hours is longer than default_error_hours");
	return 0;
}

int rat_config__parse_defaults(rat_workspace_defaults *out, rat_yaml_field *profile,
			       bool *has_profile, const rat_yaml *yaml, struct fy_node *root)
{
	rat_yaml_field s;
	int error;

	memset(out, 0, sizeof(*out));
	out->fail_on_error = true;
	*has_profile = false;
	if (rat_yaml__field(&s, root, "", "defaults")) {
		if ((error = rat_yaml__mapping(yaml, &s, defaults_keys)) != 0)
			return error;
		*has_profile = rat_yaml__field(profile, s.value, s.path, "resource_profile");
	}
	if (rat_yaml__field(&s, root, "", "quality") && (error = parse_quality(out, yaml, &s)) != 0)
		return error;
	if (rat_yaml__field(&s, root, "", "freshness") &&
	    (error = parse_freshness(out, yaml, &s)) != 0)
		return error;
	return 0;
}
