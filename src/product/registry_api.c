/*
 * product/registry_api.c - the registry as a server gives it and takes a
 * version in (rat/product.h: rat_product_registry_get,
 * rat_product_version_record): what `rat serve` answers under
 * /rat/v1/products, so that every machine of a team shares one registry.
 */
#include "util/common.h"
#include "rat/product.h"
#include "product/product.h"
#include "product/registry.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

int rat_product_registry_get(char **out, const rat_workspace *ws, const char *owner,
			     const char *name)
{
	rat_registry *reg = NULL;
	rat_product_entries all = { NULL, 0 };
	json_t *list = json_array(), *doc = NULL;
	size_t i;
	int error;

	*out = NULL;
	if (!list)
		return rat_error__oom();
	if ((error = rat_registry__open(&reg, ws)) == 0 &&
	    (error = rat_registry__list(&all, reg, owner, name)) == 0) {
		for (i = 0; i < all.count; i++)
			json_array_append_new(list, rat_registry__entry_json(&all.items[i]));
		doc = json_pack("{s:O}", "products", list);
		if (!doc || (*out = json_dumps(doc, JSON_COMPACT)) == NULL)
			error = rat_error__oom();
	}
	json_decref(doc);
	json_decref(list);
	rat_product_entries_free(&all);
	rat_registry__free(reg);
	return error;
}

/* The version's folder must be where this workspace's publishing puts it. */
static int check_location(const rat_workspace *ws, const rat_product_version *v)
{
	char version[128], *root = rat_product__root(ws), *want;
	int error = 0;

	rat_semver__format(version, sizeof(version), &v->version);
	want = root ? rat__sprintf("%s/%s/%s", root, v->name, version) : NULL;
	if (!want)
		error = rat_error__oom();
	else if (strcmp(want, v->location) != 0)
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
				       "%s/%s %s: its files are at %s, and this server keeps them "
				       "at %s (the publishing machine's ICEBERG_WAREHOUSE differs "
				       "from the server's)",
				       v->owner, v->name, version, v->location, want);
	free(root);
	free(want);
	return error;
}

int rat_product_version_record(const rat_workspace *ws, const char *request_json)
{
	json_t *doc = json_loads(request_json, 0, NULL);
	rat_product_version v;
	rat_product_rule *rules = NULL;
	rat_registry *reg = NULL;
	size_t count = 0, i;
	int error;

	memset(&v, 0, sizeof(v));
	if (!json_is_object(doc))
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
				       "a published version is a JSON object");
	else if ((error = rat_registry__version_parse(&v, json_object_get(doc, "version"))) == 0 &&
		 (error = rat_registry__rules_parse(&rules, &count,
						    json_object_get(doc, "rules"))) == 0) {
		if (strcmp(v.owner, rat_workspace_name(ws)) != 0)
			error = rat_error__set(RAT_EACCESS, RAT_ERRCLASS_CATALOG,
					       "workspace '%s' cannot publish %s/%s: a workspace "
					       "publishes its own products",
					       rat_workspace_name(ws), v.owner, v.name);
		else if ((error = check_location(ws, &v)) == 0 &&
			 (error = rat_registry__open(&reg, ws)) == 0)
			error = rat_registry__record(
				reg, &v, json_string_value(json_object_get(doc, "description")),
				json_number_value(json_object_get(doc, "slaHours")),
				json_string_value(json_object_get(doc, "source")), rules, count);
	}
	for (i = 0; i < count; i++) {
		free(rules[i].pattern);
		free(rules[i].level);
	}
	free(rules);
	rat_registry__free(reg);
	rat_product_version_clear(&v);
	json_decref(doc);
	return error;
}
