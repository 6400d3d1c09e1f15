/*
 * config/workspace_config.c - workspace.yaml: parse, validate, resolve the profile.
 *
 * Every key of the workspaces guide is understood; anything else is an error
 * naming file, line, column and key. Validation happens here, once, so the
 * rest of the library can trust a loaded configuration.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/yaml.h"
#include "rat/workspace.h"
#include "config/config.h"

#include <ctype.h>
#include <libfyaml.h>
#include <stdlib.h>
#include <string.h>

static const char *const top_keys[] = { "name",      "version",  "description",   "isolation",
					"resources", "layers",   "products",      "subscriptions",
					"runs",      "env_vars", "defaults",      "quality",
					"freshness", "alerts",   "triggers",      NULL };
static const char *const runs_keys[] = { "keep_failed_days", "retention_days", NULL };
static const char *const isolation_keys[] = { "nessie_branch", "s3_prefix", NULL };
static const char *const resources_keys[] = { "profile", "overrides", NULL };
static const char *const layers_keys[] = { "bronze", "silver", "gold", NULL };
static const char *const layer_keys[] = { "retention_days", "retention_column", "partition_by",
					   NULL };
static const char *const product_keys[] = { "name", "source", "access", "sla", "description",
					    NULL };
static const char *const access_keys[] = { "workspace", "level", NULL };
static const char *const sla_keys[] = { "freshness_hours", NULL };
static const char *const subscription_keys[] = { "product", "alias", "version_constraint", NULL };

/* Default retention per layer (SPEC W2): bronze 90 days, silver 365, gold forever. */
static const int64_t default_retention[RAT_LAYER_COUNT] = { 90, 365, -1 };

bool rat_config__valid_workspace_name(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > 64 || !isalnum((unsigned char)name[0]))
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '-' && name[i] != '_')
			return false;
	return true;
}

bool rat_config__valid_identifier(const char *name)
{
	size_t i, n = strlen(name);

	if (n == 0 || n > 128 || !(isalpha((unsigned char)name[0]) || name[0] == '_'))
		return false;
	for (i = 1; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_')
			return false;
	return true;
}

bool rat_config__valid_partition(const char *expr)
{
	static const char *const transforms[] = { "year(", "month(", "day(", "hour(" };
	size_t i, n = strlen(expr), t;
	char column[130];

	if (rat_config__valid_identifier(expr))
		return true;
	for (i = 0; i < RAT_ARRAY_SIZE(transforms); i++) {
		t = strlen(transforms[i]);
		if (n > t + 1 && n - t - 1 < sizeof(column) && strncmp(expr, transforms[i], t) == 0 &&
		    expr[n - 1] == ')') {
			memcpy(column, expr + t, n - t - 1);
			column[n - t - 1] = '\0';
			return rat_config__valid_identifier(column);
		}
	}
	return false;
}

/* Storage prefix: '/'-separated segments of [A-Za-z0-9._-], none "." or "..". */
static bool valid_prefix(const char *prefix)
{
	const char *p = prefix;
	size_t n = strlen(prefix);

	if (n == 0 || n > 200 || prefix[0] == '/' || prefix[n - 1] == '/')
		return false;
	while (*p) {
		const char *seg = p;
		while (*p && *p != '/') {
			if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-')
				return false;
			p++;
		}
		if (p == seg || (p - seg == 1 && seg[0] == '.') ||
		    (p - seg == 2 && seg[0] == '.' && seg[1] == '.'))
			return false;
		if (*p == '/')
			p++;
	}
	return true;
}

/* Read an optional string field into *out (replacing nothing when absent). */
static int opt_string(char **out, const rat_yaml *yaml, struct fy_node *map, const char *path,
		      const char *key)
{
	rat_yaml_field field;

	if (!rat_yaml__field(&field, map, path, key))
		return 0;
	return rat_yaml__string(out, yaml, &field);
}

/* runs.keep_failed_days: how long a failed run's branch stays for inspection; runs.retention_days:
 * how long run records (and what rat serve decided for each trigger) are kept. */
static int parse_runs(rat_workspace_config *config, const rat_yaml *yaml,
		      const rat_yaml_field *section)
{
	rat_yaml_field field;
	int error;

	if ((error = rat_yaml__mapping(yaml, section, runs_keys)) != 0)
		return error;
	if (rat_yaml__field(&field, section->value, section->path, "keep_failed_days") &&
	    (error = rat_yaml__int(&config->keep_failed_days, yaml, &field, 1, 3650)) != 0)
		return error;
	if (rat_yaml__field(&field, section->value, section->path, "retention_days"))
		return rat_yaml__int(&config->run_retention_days, yaml, &field, 1, 3650);
	return 0;
}

static int parse_isolation(rat_workspace_config *config, const rat_yaml *yaml,
			   const rat_yaml_field *section)
{
	rat_yaml_field field;
	int error;

	if ((error = rat_yaml__mapping(yaml, section, isolation_keys)) != 0)
		return error;
	if (rat_yaml__field(&field, section->value, section->path, "nessie_branch")) {
		if ((error = rat_yaml__string(&config->branch_spec, yaml, &field)) != 0)
			return error;
		if (rat_config__check_branch_spec(config->branch_spec) != 0)
			return rat_yaml__field_error(yaml, &field, "%s", rat_error_last()->message);
		if (rat_config__reserved_branch(config->branch_spec))
			return rat_yaml__field_error(
				yaml, &field,
				"'%s' is reserved (main is written only by `rat main merge`; dev/ "
				"and run/ branches are named dev/<workspace>/NAME by rat)",
				config->branch_spec);
	}
	if (rat_yaml__field(&field, section->value, section->path, "s3_prefix")) {
		if ((error = rat_yaml__string(&config->s3_prefix, yaml, &field)) != 0)
			return error;
		if (!valid_prefix(config->s3_prefix))
			return rat_yaml__field_error(
				yaml, &field,
				"invalid prefix '%s' (segments of letters, digits, '.', '_', '-' "
				"separated by '/'; no leading or trailing '/', no '.' or '..')",
				config->s3_prefix);
		if (config->s3_prefix[0] == '_')
			return rat_yaml__field_error(yaml, &field,
						     "'%s' is reserved: prefixes starting with '_' are "
						     "librat's (_products holds the published products)",
						     config->s3_prefix);
	}
	return 0;
}

/* resources.profile, else defaults.resource_profile (the original's); both must agree. */
static int profile_field(rat_yaml_field *out, const rat_yaml *yaml, const rat_yaml_field *section,
			 const rat_yaml_field *fallback, bool *has)
{
	char *a = NULL, *b = NULL;
	int error = 0;

	*has = section && rat_yaml__field(out, section->value, section->path, "profile");
	if (!fallback)
		return 0;
	if (!*has) {
		*out = *fallback;
		*has = true;
		return 0;
	}
	if ((error = rat_yaml__string(&a, yaml, out)) == 0 &&
	    (error = rat_yaml__string(&b, yaml, fallback)) == 0 && strcmp(a, b) != 0)
		error = rat_yaml__field_error(yaml, fallback,
					      "'%s' is not resources.profile '%s' (keep one)", b, a);
	free(a);
	free(b);
	return error;
}

static int parse_resources(rat_workspace_config *config, const rat_yaml *yaml,
			   const rat_yaml_field *section, const rat_yaml_field *default_profile,
			   const char *dir, const char *home, const rat_env *environment)
{
	rat_yaml_field field, profile;
	bool has_profile;
	char *name = NULL;
	const char *env = rat_config__env_value(environment, "RAT_PROFILE");
	int error;

	if (section && (error = rat_yaml__mapping(yaml, section, resources_keys)) != 0)
		return error;
	if ((error = profile_field(&profile, yaml, section, default_profile, &has_profile)) != 0)
		return error;
	if (has_profile) {
		if ((error = rat_yaml__string(&name, yaml, &profile)) != 0)
			return error;
		error = rat_config__profile_find(&config->profile, name, dir, home);
		free(name);
		if (error)
			return rat_yaml__field_error(yaml, &profile, "%s",
						     rat_error_last()->message);
	} else if (env && *env) {
		if ((error = rat_config__profile_find(&config->profile, env, dir, home)) != 0) {
			rat_error__prefix("RAT_PROFILE");
			return error;
		}
	} else if ((error = rat_config__profile_find(&config->profile, "small", dir, home)) != 0) {
		return error;
	}
	memcpy(config->resources, config->profile.values, sizeof(config->resources));
	if (section && rat_yaml__field(&field, section->value, section->path, "overrides")) {
		if ((error = rat_yaml__mapping(yaml, &field, rat_config__resource_keys)) != 0)
			return error;
		return rat_config__read_resources(config->resources, &config->overridden, yaml,
						  field.value, field.path);
	}
	return 0;
}

static int bad_column(const rat_yaml *yaml, const rat_yaml_field *field, const char *name)
{
	return rat_yaml__field_error(yaml, field,
				     "invalid column name '%s' (letters, digits and '_', not starting "
				     "with a digit)",
				     name);
}

static int parse_layer(rat_layer_config *layer, const rat_yaml *yaml, const rat_yaml_field *section)
{
	rat_yaml_field field;
	size_t i;
	int error;

	if ((error = rat_yaml__mapping(yaml, section, layer_keys)) != 0)
		return error;
	if (rat_yaml__field(&field, section->value, section->path, "retention_days")) {
		if (rat_yaml__is_null(field.value))
			layer->retention_days = -1;
		else if ((error = rat_yaml__int(&layer->retention_days, yaml, &field, 1,
						100 * 366)) != 0)
			return error;
	}
	if (rat_yaml__field(&field, section->value, section->path, "retention_column")) {
		if ((error = rat_yaml__string(&layer->retention_column, yaml, &field)) != 0)
			return error;
		if (!rat_config__valid_identifier(layer->retention_column))
			return bad_column(yaml, &field, layer->retention_column);
	}
	if (rat_yaml__field(&field, section->value, section->path, "partition_by")) {
		if ((error = rat_yaml__string_list(&layer->partition_by, yaml, &field)) != 0)
			return error;
		for (i = 0; i < layer->partition_by.count; i++) {
			rat_yaml_field item = field;
			if (rat_config__valid_partition(layer->partition_by.strings[i]))
				continue;
			/* point at the offending item of a list */
			if (fy_node_get_type(field.value) == FYNT_SEQUENCE)
				rat_yaml__item(&item, rat_yaml__at(field.value, i), field.path, i);
			return bad_column(yaml, &item, layer->partition_by.strings[i]);
		}
	}
	return 0;
}

static int parse_layers(rat_workspace_config *config, const rat_yaml *yaml,
			const rat_yaml_field *section)
{
	rat_yaml_field field;
	int i, error;

	if ((error = rat_yaml__mapping(yaml, section, layers_keys)) != 0)
		return error;
	for (i = 0; i < RAT_LAYER_COUNT; i++)
		if (rat_yaml__field(&field, section->value, section->path, layers_keys[i]) &&
		    (error = parse_layer(&config->layers[i], yaml, &field)) != 0)
			return error;
	return 0;
}

static bool valid_access_pattern(const char *pattern)
{
	size_t n = strlen(pattern);
	char copy[80];

	if (strcmp(pattern, "*") == 0)
		return true;
	if (n == 0 || n >= sizeof(copy))
		return false;
	memcpy(copy, pattern, n + 1);
	if (copy[n - 1] == '*')
		copy[n - 1] = '\0';
	return rat_config__valid_workspace_name(copy);
}

static int parse_access(rat_product_access *access, const rat_yaml *yaml, rat_yaml_field *item)
{
	rat_yaml_field field;
	int error;

	if ((error = rat_yaml__check_mapping(yaml, item->value, item->path, access_keys)) != 0)
		return error;
	if (!rat_yaml__field(&field, item->value, item->path, "workspace"))
		return rat_yaml__field_error(yaml, item, "missing key 'workspace' (a name, 'prefix*' or '*')");
	if ((error = rat_yaml__string((char **)&access->workspace, yaml, &field)) != 0)
		return error;
	if (!valid_access_pattern(access->workspace))
		return rat_yaml__field_error(yaml, &field,
					     "invalid workspace pattern '%s' ('*', 'prefix*' or a workspace name)",
					     access->workspace);
	if (!rat_yaml__field(&field, item->value, item->path, "level"))
		return rat_yaml__field_error(yaml, item, "missing key 'level' (read, write, admin)");
	if ((error = rat_yaml__string((char **)&access->level, yaml, &field)) != 0)
		return error;
	if (strcmp(access->level, "read") && strcmp(access->level, "write") &&
	    strcmp(access->level, "admin"))
		return rat_yaml__field_error(yaml, &field, "unknown level '%s' (read, write, admin)",
					     access->level);
	return 0;
}

static bool valid_source(const char *source)
{
	const char *dot = strchr(source, '.');
	size_t n;

	if (!dot)
		return false;
	n = (size_t)(dot - source);
	return ((n == 6 && (strncmp(source, "bronze", 6) == 0 || strncmp(source, "silver", 6) == 0)) ||
		(n == 4 && strncmp(source, "gold", 4) == 0)) &&
	       rat_config__valid_identifier(dot + 1);
}

static int parse_product(rat_product_config *product, const rat_yaml *yaml, rat_yaml_field *item)
{
	rat_yaml_field field;
	size_t i, count;
	int error;

	if ((error = rat_yaml__check_mapping(yaml, item->value, item->path, product_keys)) != 0)
		return error;
	if (!rat_yaml__field(&field, item->value, item->path, "name"))
		return rat_yaml__field_error(yaml, item, "missing key 'name'");
	if ((error = rat_yaml__string((char **)&product->name, yaml, &field)) != 0)
		return error;
	if (!rat_config__valid_workspace_name(product->name))
		return rat_yaml__field_error(yaml, &field,
					     "invalid product name '%s' (letters, digits, '-', '_')",
					     product->name);
	if (!rat_yaml__field(&field, item->value, item->path, "source"))
		return rat_yaml__field_error(yaml, item, "missing key 'source' (layer.table)");
	if ((error = rat_yaml__string((char **)&product->source, yaml, &field)) != 0)
		return error;
	if (!valid_source(product->source))
		return rat_yaml__field_error(yaml, &field,
					     "invalid source '%s' (bronze.<table>, silver.<table> or gold.<table>)",
					     product->source);
	if ((error = opt_string((char **)&product->description, yaml, item->value, item->path,
				"description")) != 0)
		return error;
	if (!product->description && (product->description = rat__strdup("")) == NULL)
		return RAT_ENOMEM; /* "" when unset, as rat/workspace.h says */
	if (rat_yaml__field(&field, item->value, item->path, "sla")) {
		rat_yaml_field hours;
		if ((error = rat_yaml__mapping(yaml, &field, sla_keys)) != 0)
			return error;
		if (rat_yaml__field(&hours, field.value, field.path, "freshness_hours") &&
		    (error = rat_yaml__positive_number(&product->sla_freshness_hours, yaml, &hours)) != 0)
			return error;
	}
	if (rat_yaml__field(&field, item->value, item->path, "access")) {
		if ((error = rat_yaml__sequence(&count, yaml, &field)) != 0)
			return error;
		product->access = rat__calloc(count, sizeof(rat_product_access));
		if (!product->access)
			return RAT_ENOMEM;
		for (i = 0; i < count; i++) {
			rat_yaml_field access;
			rat_yaml__item(&access, rat_yaml__at(field.value, i), field.path, i);
			product->access_count = i + 1;
			if ((error = parse_access((rat_product_access *)&product->access[i], yaml,
						  &access)) != 0)
				return error;
		}
	}
	return 0;
}

static int parse_subscription(rat_subscription_config *sub, const rat_yaml *yaml,
			      rat_yaml_field *item)
{
	rat_yaml_field field;
	const char *slash, *name;
	int error;

	if ((error = rat_yaml__check_mapping(yaml, item->value, item->path, subscription_keys)) != 0)
		return error;
	if (!rat_yaml__field(&field, item->value, item->path, "product"))
		return rat_yaml__field_error(yaml, item, "missing key 'product'");
	if ((error = rat_yaml__string((char **)&sub->product, yaml, &field)) != 0)
		return error;
	slash = strchr(sub->product, '/');
	name = slash ? slash + 1 : sub->product;
	if (!rat_config__valid_workspace_name(name) || (slash && strchr(name, '/')) ||
	    (slash && slash == sub->product))
		return rat_yaml__field_error(yaml, &field,
					     "invalid product '%s' (<product> or <workspace>/<product>)",
					     sub->product);
	if (rat_yaml__field(&field, item->value, item->path, "alias")) {
		if ((error = rat_yaml__string((char **)&sub->alias, yaml, &field)) != 0)
			return error;
	} else if ((sub->alias = rat__strdup(name)) == NULL) {
		return RAT_ENOMEM;
	} else {
		field = *item;
	}
	if (!rat_config__valid_identifier(sub->alias))
		return rat_yaml__field_error(yaml, &field,
					     "alias '%s' is not a SQL name (letters, digits and '_'): "
					     "set 'alias' to name it under products.*",
					     sub->alias);
	if (rat_yaml__field(&field, item->value, item->path, "version_constraint")) {
		if ((error = rat_yaml__string((char **)&sub->version_constraint, yaml, &field)) != 0)
			return error;
		if (sub->version_constraint[0] == '\0')
			return rat_yaml__field_error(yaml, &field,
						     "empty constraint (use 'latest' or a semver range)");
	} else if ((sub->version_constraint = rat__strdup("latest")) == NULL) {
		return RAT_ENOMEM;
	}
	return 0;
}

static int parse_products(rat_workspace_config *config, const rat_yaml *yaml,
			  const rat_yaml_field *section)
{
	size_t count, i, j;
	int error;

	if ((error = rat_yaml__sequence(&count, yaml, section)) != 0)
		return error;
	if ((config->products = rat__calloc(count, sizeof(*config->products))) == NULL)
		return RAT_ENOMEM;
	for (i = 0; i < count; i++) {
		rat_yaml_field item;
		rat_yaml__item(&item, rat_yaml__at(section->value, i), section->path, i);
		config->product_count = i + 1;
		if ((error = parse_product(&config->products[i], yaml, &item)) != 0)
			return error;
		for (j = 0; j < i; j++)
			if (strcmp(config->products[j].name, config->products[i].name) == 0)
				return rat_yaml__field_error(yaml, &item,
							     "product '%s' is declared twice",
							     config->products[i].name);
	}
	return 0;
}

static int parse_subscriptions(rat_workspace_config *config, const rat_yaml *yaml,
			       const rat_yaml_field *section)
{
	size_t count, i, j;
	int error;

	if ((error = rat_yaml__sequence(&count, yaml, section)) != 0)
		return error;
	if ((config->subscriptions = rat__calloc(count, sizeof(*config->subscriptions))) == NULL)
		return RAT_ENOMEM;
	for (i = 0; i < count; i++) {
		rat_yaml_field item;
		rat_yaml__item(&item, rat_yaml__at(section->value, i), section->path, i);
		config->subscription_count = i + 1;
		if ((error = parse_subscription(&config->subscriptions[i], yaml, &item)) != 0)
			return error;
		for (j = 0; j < i; j++)
			if (strcmp(config->subscriptions[j].alias, config->subscriptions[i].alias) == 0)
				return rat_yaml__field_error(
					yaml, &item, "alias '%s' is used by two subscriptions",
					config->subscriptions[i].alias);
	}
	return 0;
}

static int parse(rat_workspace_config *config, rat_yaml *yaml, const char *dir, const char *home,
		 const char *folder_name, const rat_env *env)
{
	struct fy_node *root = rat_yaml__root(yaml);
	rat_yaml_field field, default_profile;
	bool has_default = false;
	int error;

	if ((error = rat_yaml__check_mapping(yaml, root, "", top_keys)) != 0)
		return error;
	if (!rat_yaml__field(&field, root, "", "name"))
		return rat_yaml__error(yaml, root, "name",
				       "missing (every workspace.yaml names its workspace)");
	if ((error = rat_yaml__string(&config->name, yaml, &field)) != 0)
		return error;
	if (!rat_config__valid_workspace_name(config->name))
		return rat_yaml__field_error(yaml, &field,
					     "invalid workspace name '%s' (letters, digits, '-' and "
					     "'_', starting with a letter or digit, at most 64)",
					     config->name);
	if ((error = opt_string(&config->version, yaml, root, "", "version")) != 0 ||
	    (error = opt_string(&config->description, yaml, root, "", "description")) != 0)
		return error;
	if (rat_yaml__field(&field, root, "", "isolation") &&
	    (error = parse_isolation(config, yaml, &field)) != 0)
		return error;
	if ((error = rat_config__parse_defaults(&config->defaults, &default_profile, &has_default,
					       yaml, root)) != 0 ||
	    (error = parse_resources(config, yaml,
				     rat_yaml__field(&field, root, "", "resources") ? &field : NULL,
				     has_default ? &default_profile : NULL, dir, home, env)) != 0)
		return error;
	if (rat_yaml__field(&field, root, "", "layers") &&
	    (error = parse_layers(config, yaml, &field)) != 0)
		return error;
	if (rat_yaml__field(&field, root, "", "products") &&
	    (error = parse_products(config, yaml, &field)) != 0)
		return error;
	if (rat_yaml__field(&field, root, "", "subscriptions") &&
	    (error = parse_subscriptions(config, yaml, &field)) != 0)
		return error;
	if (rat_yaml__field(&field, root, "", "runs") &&
	    (error = parse_runs(config, yaml, &field)) != 0)
		return error;
	if (rat_yaml__field(&field, root, "", "env_vars") &&
	    (error = rat_config__parse_env_vars(&config->env_vars, yaml, &field)) != 0)
		return error;
	/* triggers: is read with the pipelines' (pipeline/trigger_api.c: rat triggers checks it) */
	if (rat_yaml__field(&field, root, "", "alerts") &&
	    (error = rat_config__parse_alerts(config, yaml, &field)) != 0)
		return error;
	/* last, so that a file with mistakes reports them first */
	if (folder_name && strcmp(folder_name, config->name) != 0 &&
	    rat_yaml__field(&field, root, "", "name"))
		return rat_yaml__field_error(yaml, &field,
					     "'%s' is not the name of the workspace's folder, '%s' "
					     "(in a workspaces folder, the folder's name is the "
					     "workspace's name: rename the folder to '%s', or write "
					     "name: %s)",
					     config->name, folder_name, config->name, folder_name);
	return 0;
}

int rat_config__load_workspace(rat_workspace_config *out, const char *path, const char *display,
			       const char *dir, const char *home, const char *folder_name,
			       const rat_env *env)
{
	rat_yaml *yaml = NULL;
	int i, error;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < RAT_LAYER_COUNT; i++)
		out->layers[i].retention_days = default_retention[i];
	out->keep_failed_days = 7;
	out->run_retention_days = 30;
	if ((error = rat_yaml__load(&yaml, path, display)) == 0)
		error = parse(out, yaml, dir, home, folder_name, env);
	if (!error && ((!out->version && (out->version = rat__strdup("")) == NULL) ||
		       (!out->description && (out->description = rat__strdup("")) == NULL)))
		error = RAT_ENOMEM;
	rat_yaml__free(yaml);
	if (error)
		rat_config__free_workspace(out);
	return error;
}

void rat_config__free_workspace(rat_workspace_config *config)
{
	size_t i, j;

	free(config->name);
	free(config->version);
	free(config->description);
	free(config->branch_spec);
	free(config->s3_prefix);
	for (i = 0; i < RAT_LAYER_COUNT; i++) {
		rat_strarray_free(&config->layers[i].partition_by);
		free(config->layers[i].retention_column);
	}
	for (i = 0; i < config->product_count; i++) {
		rat_product_config *p = &config->products[i];
		free((char *)p->name);
		free((char *)p->source);
		free((char *)p->description);
		for (j = 0; j < p->access_count; j++) {
			free((char *)p->access[j].workspace);
			free((char *)p->access[j].level);
		}
		free((void *)p->access);
	}
	free(config->products);
	for (i = 0; i < config->subscription_count; i++) {
		free((char *)config->subscriptions[i].product);
		free((char *)config->subscriptions[i].alias);
		free((char *)config->subscriptions[i].version_constraint);
	}
	free(config->subscriptions);
	rat_strarray_free(&config->env_vars);
	rat_config__free_alerts(config);
	memset(config, 0, sizeof(*config));
}

/* Quote a string for a YAML double-quoted scalar. */
static int put_quoted(rat_buf *buf, const char *s)
{
	int error = rat_buf_putc(buf, '"');
	for (; !error && *s; s++) {
		if (*s == '"' || *s == '\\')
			error = rat_buf_printf(buf, "\\%c", *s);
		else if (*s == '\n')
			error = rat_buf_puts(buf, "\\n");
		else if ((unsigned char)*s < 0x20)
			error = rat_buf_printf(buf, "\\x%02x", (unsigned char)*s);
		else
			error = rat_buf_putc(buf, *s);
	}
	return error ? error : rat_buf_putc(buf, '"');
}

char *rat_config__default_yaml(const char *name, const char *description)
{
	rat_buf buf = RAT_BUF_INIT;
	int error;

	error = rat_buf_printf(&buf, "# %s workspace\nname: %s\nversion: \"1.0\"\ndescription: ",
			       name, name);
	if (!error)
		error = put_quoted(&buf, description);
	if (!error)
		error = rat_buf_printf(
			&buf,
			"\n\n"
			"# Isolation settings\n"
			"isolation:\n"
			"  nessie_branch: \"workspace/%s\"\n"
			"  s3_prefix: \"%s\"\n"
			"\n"
			"# Resource limits (profiles: tiny, small, medium, large)\n"
			"resources:\n"
			"  profile: small\n"
			"  # overrides:\n"
			"  #   max_memory_mb: 8192\n"
			"  #   max_parallel_pipelines: 4\n"
			"\n"
			"# Medallion layer settings\n"
			"layers:\n"
			"  bronze:\n"
			"    retention_days: 90\n"
			"    partition_by: [_ingested_date]\n"
			"  silver:\n"
			"    retention_days: 365\n"
			"  gold:\n"
			"    retention_days: null    # Keep forever\n"
			"\n"
			"# Data products published by this workspace (docs/products.md), e.g.\n"
			"# products:\n"
			"#   - name: daily_sales_kpis\n"
			"#     source: gold.daily_sales\n"
			"#     access:\n"
			"#       - {workspace: \"fin*\", level: read}\n"
			"\n"
			"# Data products consumed from other workspaces, e.g.\n"
			"# subscriptions:\n"
			"#   - {product: analytics/daily_sales_kpis, alias: kpis, "
			"version_constraint: \"^1.0.0\"}\n",
			name, name);
	if (error) {
		rat_buf_free(&buf);
		return NULL;
	}
	return rat_buf_detach(&buf);
}
