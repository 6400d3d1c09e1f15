/*
 * product/registry_json.c - the registry's products and versions as JSON
 * (registry.h): the form `rat serve` gives them under /rat/v1/products and
 * takes a published version in, read back by the remote registry. Names
 * are camelCase, as in the rest of the server's API.
 *
 *   {"owner", "name", "description", "source", "slaHours",
 *    "rules": [{"pattern", "level"}],
 *    "versions": [{"version", "source", "commit", "snapshotId", "rows",
 *                  "publishedMs", "changelog", "location",
 *                  "columns": [{"name", "type"}], "files": ["name", ...]}]}
 */
#include "util/common.h"
#include "product/registry.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

json_t *rat_registry__version_json(const rat_product_version *v)
{
	json_t *columns = json_array(), *files = json_array();
	char version[128];
	size_t i;

	for (i = 0; columns && i < v->column_count; i++)
		json_array_append_new(columns, json_pack("{s:s, s:s}", "name", v->columns[i].name,
							 "type", v->columns[i].type));
	for (i = 0; files && i < v->files.count; i++)
		json_array_append_new(files, json_string(v->files.strings[i]));
	rat_semver__format(version, sizeof(version), &v->version);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:s, s:o, s:o}", "owner",
			 v->owner, "name", v->name, "version", version, "source", v->source,
			 "commit", v->commit, "snapshotId", (json_int_t)v->snapshot_id, "rows",
			 (json_int_t)v->rows, "publishedMs", (json_int_t)v->published_ms,
			 "changelog", v->changelog ? v->changelog : "", "location", v->location,
			 "columns", columns, "files", files);
}

json_t *rat_registry__entry_json(const rat_product_entry *e)
{
	json_t *rules = json_array(), *versions = json_array();
	size_t i;

	for (i = 0; rules && i < e->rule_count; i++)
		json_array_append_new(rules, json_pack("{s:s, s:s}", "pattern", e->rules[i].pattern,
						       "level", e->rules[i].level));
	for (i = 0; versions && i < e->version_count; i++)
		json_array_append_new(versions, rat_registry__version_json(&e->versions[i]));
	return json_pack("{s:s, s:s, s:s, s:s, s:f, s:o, s:o}", "owner", e->owner, "name", e->name,
			 "description", e->description, "source", e->source, "slaHours",
			 e->sla_hours, "rules", rules, "versions", versions);
}

/* A string field's copy into *out ("" when absent and optional); 0, else said. */
static int text(char **out, json_t *doc, const char *field, bool optional, const char *what)
{
	const char *v = json_string_value(json_object_get(doc, field));

	*out = NULL;
	if (!v && !optional)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG, "%s: \"%s\" is missing",
				      what, field);
	if ((*out = rat__strdup(v ? v : "")) == NULL)
		return rat_error__oom();
	return 0;
}

int rat_registry__columns_files_parse(rat_product_version *v, json_t *columns, json_t *files)
{
	json_t *item;
	size_t i;

	if (json_array_size(columns) &&
	    (v->columns = rat__calloc(json_array_size(columns), sizeof(*v->columns))) == NULL)
		return rat_error__oom();
	json_array_foreach(columns, i, item) {
		const char *n = json_string_value(json_object_get(item, "name"));
		const char *t = json_string_value(json_object_get(item, "type"));
		if (!n || !t)
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
					      "%s/%s: column %zu has no name or type", v->owner,
					      v->name, i);
		v->columns[i].name = rat__strdup(n);
		v->columns[i].type = rat__strdup(t);
		v->column_count++;
		if (!v->columns[i].name || !v->columns[i].type)
			return rat_error__oom();
	}
	json_array_foreach(files, i, item) {
		const char *f = json_string_value(item);
		int error;
		if (!f || !*f || strchr(f, '/') || strcmp(f, "..") == 0 || strcmp(f, ".") == 0)
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
					      "%s/%s: file %zu is not a file name", v->owner, v->name,
					      i);
		if ((error = rat_strarray__push(&v->files, f)) != 0)
			return error;
	}
	return 0;
}

int rat_registry__version_parse(rat_product_version *v, json_t *doc)
{
	const char *version = json_string_value(json_object_get(doc, "version"));
	int error;

	memset(v, 0, sizeof(*v));
	if (!json_is_object(doc))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
				      "a product version is a JSON object");
	if ((error = text(&v->owner, doc, "owner", false, "a product version")) != 0 ||
	    (error = text(&v->name, doc, "name", false, "a product version")) != 0 ||
	    (error = text(&v->source, doc, "source", false, v->name)) != 0 ||
	    (error = text(&v->commit, doc, "commit", false, v->name)) != 0 ||
	    (error = text(&v->changelog, doc, "changelog", true, v->name)) != 0 ||
	    (error = text(&v->location, doc, "location", false, v->name)) != 0)
		goto fail;
	if (!version || rat_semver__parse(&v->version, version) != 0) {
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
				       "%s/%s: \"%s\" is not a version", v->owner, v->name,
				       version ? version : "(none)");
		goto fail;
	}
	v->snapshot_id = json_integer_value(json_object_get(doc, "snapshotId"));
	v->rows = json_integer_value(json_object_get(doc, "rows"));
	v->published_ms = json_integer_value(json_object_get(doc, "publishedMs"));
	if ((error = rat_registry__columns_files_parse(v, json_object_get(doc, "columns"),
						       json_object_get(doc, "files"))) == 0)
		return 0;
fail:
	rat_product_version_clear(v);
	return error;
}

int rat_registry__rules_parse(rat_product_rule **out, size_t *count, json_t *rules)
{
	json_t *r;
	size_t i;

	*out = NULL;
	*count = 0;
	if (json_array_size(rules) &&
	    (*out = rat__calloc(json_array_size(rules), sizeof(**out))) == NULL)
		return rat_error__oom();
	json_array_foreach(rules, i, r) {
		const char *p = json_string_value(json_object_get(r, "pattern"));
		const char *l = json_string_value(json_object_get(r, "level"));
		if (!p || !l)
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
					      "access rule %zu has no pattern or level", i);
		(*out)[i].pattern = rat__strdup(p);
		(*out)[i].level = rat__strdup(l);
		(*count)++;
		if (!(*out)[i].pattern || !(*out)[i].level)
			return rat_error__oom();
	}
	return 0;
}

static int entry_parse(rat_product_entry *e, json_t *doc)
{
	json_t *versions = json_object_get(doc, "versions"), *v;
	size_t i;
	int error;

	if ((error = text(&e->owner, doc, "owner", false, "a product")) != 0 ||
	    (error = text(&e->name, doc, "name", false, "a product")) != 0 ||
	    (error = text(&e->description, doc, "description", true, e->name)) != 0 ||
	    (error = text(&e->source, doc, "source", true, e->name)) != 0 ||
	    (error = rat_registry__rules_parse(&e->rules, &e->rule_count,
					       json_object_get(doc, "rules"))) != 0)
		return error;
	e->sla_hours = json_number_value(json_object_get(doc, "slaHours"));
	if (json_array_size(versions) &&
	    (e->versions = rat__calloc(json_array_size(versions), sizeof(*e->versions))) == NULL)
		return rat_error__oom();
	json_array_foreach(versions, i, v) {
		if ((error = rat_registry__version_parse(&e->versions[i], v)) != 0)
			return error;
		e->version_count++;
	}
	return 0;
}

int rat_registry__entries_parse(rat_product_entries *out, json_t *products)
{
	json_t *p;
	size_t i;
	int error = 0;

	memset(out, 0, sizeof(*out));
	if (!json_is_array(products))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
				      "the server's products are not a list");
	if (json_array_size(products) &&
	    (out->items = rat__calloc(json_array_size(products), sizeof(*out->items))) == NULL)
		return rat_error__oom();
	json_array_foreach(products, i, p) {
		out->count++;
		if ((error = entry_parse(&out->items[i], p)) != 0)
			break;
	}
	if (error)
		rat_product_entries_free(out);
	return error;
}
