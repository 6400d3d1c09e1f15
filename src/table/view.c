/*
 * table/view.c - Iceberg view metadata: write a version, read its SQL (see view.h).
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/random.h"
#include "rat/engine.h"
#include "engine/describe.h"
#include "table/view.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VIEW_METADATA ((uint64_t)16 << 20)

static int load(json_t **out, rat_store *store, const char *key)
{
	rat_buf text = RAT_BUF_INIT;
	json_error_t jerr;
	int error;

	*out = NULL;
	if ((error = rat_store__get(store, key, &text, MAX_VIEW_METADATA)) != 0)
		return error;
	*out = json_loadb(text.ptr ? text.ptr : "", text.len, 0, &jerr);
	rat_buf_free(&text);
	if (!*out || !json_is_object(*out) || !json_object_get(*out, "view-uuid")) {
		json_decref(*out);
		*out = NULL;
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "%s is not Iceberg view metadata", key);
	}
	return 0;
}

static json_t *schema_json(const rat_query_desc *desc, int schema_id)
{
	json_t *fields = json_array();
	size_t i;

	for (i = 0; fields && i < desc->count; i++)
		json_array_append_new(fields, json_pack("{s:i, s:s, s:b, s:O}", "id",
							desc->columns[i].field_id, "name",
							desc->columns[i].name, "required", 0, "type",
							desc->columns[i].iceberg_type));
	return fields ? json_pack("{s:s, s:i, s:o}", "type", "struct", "schema-id", schema_id,
				  "fields", fields)
		      : NULL;
}

/* A new document, or base's with room for one more version. */
static int start_doc(json_t **doc, rat_store *store, const char *location, const char *base)
{
	char uuid[37];
	int error;

	if (base)
		return load(doc, store, base);
	if ((error = rat_random__uuid(uuid)) != 0)
		return error;
	*doc = json_pack("{s:s, s:i, s:s, s:i, s:[], s:[], s:[]}", "view-uuid", uuid,
			 "format-version", 1, "location", location, "current-version-id", 0,
			 "versions", "version-log", "schemas");
	return *doc ? 0 : rat_error__oom();
}

static int add_version(json_t *doc, const rat_query_desc *desc, const rat_view_write *w,
		       int *version_id)
{
	json_t *schemas = json_object_get(doc, "schemas"), *versions = json_object_get(doc, "versions");
	json_t *log = json_object_get(doc, "version-log"), *version;
	const char *sql = w->sql, *ns = w->default_namespace;
	int64_t now = w->now_ms ? w->now_ms : rat_clock__real_ms();
	int schema_id = (int)json_array_size(schemas);

	if (!json_is_array(schemas) || !json_is_array(versions) || !json_is_array(log))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "view metadata lacks schemas, versions or version-log");
	*version_id = (int)json_integer_value(json_object_get(doc, "current-version-id")) + 1;
	version = json_pack("{s:i, s:I, s:i, s:{s:s}, s:[s], s:[{s:s, s:s, s:s}]}", "version-id",
			    *version_id, "timestamp-ms", (json_int_t)now, "schema-id", schema_id,
			    "summary", "engine-name", "ratatouille", "default-namespace", ns,
			    "representations", "type", "sql", "sql", sql, "dialect", "duckdb");
	if (!version || json_array_append_new(schemas, schema_json(desc, schema_id)) != 0 ||
	    json_array_append_new(versions, version) != 0 ||
	    json_array_append_new(log, json_pack("{s:I, s:i}", "timestamp-ms", (json_int_t)now,
						  "version-id", *version_id)) != 0)
		return rat_error__oom();
	json_object_set_new(doc, "current-version-id", json_integer(*version_id));
	return 0;
}

int rat_table__write_view(rat_view_result *out, rat_store *store, rat_engine *engine,
			  const rat_view_write *w)
{
	rat_query_desc desc = { NULL, 0 };
	json_t *doc = NULL;
	char uuid[37], *text = NULL;
	int next_id = 1, error;

	memset(out, 0, sizeof(*out));
	if ((error = rat_engine__describe(&desc, engine, w->sql, &next_id)) != 0 ||
	    (error = start_doc(&doc, store, w->location, w->base_metadata)) != 0 ||
	    (error = add_version(doc, &desc, w, &out->version_id)) != 0 ||
	    (error = rat_random__uuid(uuid)) != 0)
		goto cleanup;
	if ((text = json_dumps(doc, JSON_INDENT(2))) == NULL) {
		error = rat_error__oom();
		goto cleanup;
	}
	snprintf(out->metadata_key, sizeof(out->metadata_key), "metadata/%05d-%s.metadata.json",
		 out->version_id, uuid);
	snprintf(out->view_uuid, sizeof(out->view_uuid), "%s",
		 json_string_value(json_object_get(doc, "view-uuid")));
	error = rat_store__put_new(store, out->metadata_key, text, strlen(text));
cleanup:
	free(text);
	json_decref(doc);
	rat_engine__query_desc_free(&desc);
	return error;
}

/* The current version's SQL in DuckDB's dialect (borrowed from doc), or NULL; its id in *current. */
static const char *duckdb_sql(json_t *doc, json_int_t *current)
{
	json_t *v, *r;
	size_t i, j;

	*current = json_integer_value(json_object_get(doc, "current-version-id"));
	json_array_foreach(json_object_get(doc, "versions"), i, v) {
		if (json_integer_value(json_object_get(v, "version-id")) != *current)
			continue;
		json_array_foreach(json_object_get(v, "representations"), j, r) {
			const char *dialect = json_string_value(json_object_get(r, "dialect"));
			const char *text = json_string_value(json_object_get(r, "sql"));
			if (text && dialect && strcmp(dialect, "duckdb") == 0)
				return text;
		}
	}
	return NULL;
}

int rat_table__read_view(char **sql, rat_store *store, const char *metadata_key)
{
	json_t *doc = NULL;
	json_int_t current;
	const char *text;
	int error;

	*sql = NULL;
	if ((error = load(&doc, store, metadata_key)) != 0)
		return error;
	if ((text = duckdb_sql(doc, &current)) != NULL && (*sql = rat__strdup(text)) == NULL)
		error = RAT_ENOMEM;
	else if (!text)
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				       "view %s has no DuckDB SQL for its current version %lld (another "
				       "engine made it, in its own dialect: a version with "
				       "\"dialect\": \"duckdb\" makes it one rat reads)",
				       metadata_key, (long long)current);
	json_decref(doc);
	return error;
}

static char *type_text(json_t *type)
{
	if (json_is_string(type))
		return rat__strdup(json_string_value(type));
	return rat__strdup(json_string_value(json_object_get(type, "type")) ?
				   json_string_value(json_object_get(type, "type")) : "?");
}

/* The current version's schema columns as "name type". */
static int view_columns(rat_strarray *out, json_t *doc)
{
	json_t *versions = json_object_get(doc, "versions"), *schemas = json_object_get(doc, "schemas");
	json_int_t current = json_integer_value(json_object_get(doc, "current-version-id"));
	json_int_t schema_id = -1;
	json_t *v, *sc, *f;
	size_t i, j;
	int error = 0;

	json_array_foreach(versions, i, v)
		if (json_integer_value(json_object_get(v, "version-id")) == current)
			schema_id = json_integer_value(json_object_get(v, "schema-id"));
	json_array_foreach(schemas, i, sc) {
		if (json_integer_value(json_object_get(sc, "schema-id")) != schema_id)
			continue;
		json_array_foreach(json_object_get(sc, "fields"), j, f) {
			char *type = type_text(json_object_get(f, "type"));
			error = type ? rat_strarray__push_owned(out, rat__sprintf("%s %s",
					json_string_value(json_object_get(f, "name")), type))
				     : RAT_ENOMEM;
			free(type);
			if (error)
				return error;
		}
	}
	return error;
}

int rat_table__view_info(rat_view_info *out, rat_store *store, const char *metadata_key)
{
	json_t *doc = NULL, *versions, *v;
	json_int_t current;
	const char *text;
	size_t i, n;
	int error = 0;

	memset(out, 0, sizeof(*out));
	if ((error = load(&doc, store, metadata_key)) != 0)
		goto cleanup;
	/* a view in another engine's dialect is described all the same, its SQL "" */
	text = duckdb_sql(doc, &current);
	if ((out->sql = rat__strdup(text ? text : "")) == NULL ||
	    (error = view_columns(&out->columns, doc)) != 0) {
		error = error ? error : RAT_ENOMEM;
		goto cleanup;
	}
	versions = json_object_get(doc, "versions");
	n = json_array_size(versions);
	if (n && (out->versions = rat__calloc(n, sizeof(*out->versions))) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	json_array_foreach(versions, i, v) { /* the file lists them oldest first */
		rat_view_version *dst = &out->versions[n - 1 - i];
		dst->version_id = (int)json_integer_value(json_object_get(v, "version-id"));
		dst->timestamp_ms = json_integer_value(json_object_get(v, "timestamp-ms"));
	}
	out->version_count = n;
cleanup:
	json_decref(doc);
	if (error)
		rat_table__view_info_free(out);
	return error;
}

void rat_table__view_info_free(rat_view_info *info)
{
	if (!info)
		return;
	free(info->sql);
	rat_strarray_free(&info->columns);
	free(info->versions);
	memset(info, 0, sizeof(*info));
}
