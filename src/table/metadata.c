/*
 * table/metadata.c - parse Iceberg table metadata JSON (format v1 and v2).
 *
 * Strict where a reader depends on a field (ids, types, manifest lists),
 * lenient where writers differ (v1 tables without sequence numbers, PyIceberg
 * omitting optional keys), and never dropping the document: it stays in
 * meta->json for writers to carry forward.
 */
#include "util/common.h"
#include "util/buf.h"
#include "storage/storage.h"
#include "table/metadata.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ctx {
	const char *source;
	char where[128];
} ctx;

static int fail(const ctx *c, const char *fmt, ...) RAT_PRINTF(2, 3);
static int fail(const ctx *c, const char *fmt, ...)
{
	char message[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "%s: %s%s%s", c->source, c->where,
			      c->where[0] ? ": " : "", message);
}

static int get_int64(const ctx *c, json_t *obj, const char *key, bool required, int64_t dflt,
		     int64_t *out)
{
	json_t *v = json_object_get(obj, key);

	if (!v || json_is_null(v)) {
		if (required)
			return fail(c, "missing '%s'", key);
		*out = dflt;
		return 0;
	}
	if (!json_is_integer(v))
		return fail(c, "'%s' must be an integer", key);
	*out = json_integer_value(v);
	return 0;
}

static int get_int(const ctx *c, json_t *obj, const char *key, bool required, int dflt, int *out)
{
	int64_t v = 0;
	int error = get_int64(c, obj, key, required, dflt, &v);
	if (!error && (v < INT32_MIN || v > INT32_MAX))
		return fail(c, "'%s' out of range", key);
	if (!error)
		*out = (int)v;
	return error;
}

/* A string field as a new string; "" (or NULL when dflt is NULL) when absent and optional. */
static int get_string(const ctx *c, json_t *obj, const char *key, bool required, const char *dflt,
		      char **out)
{
	json_t *v = json_object_get(obj, key);

	*out = NULL;
	if (!v || json_is_null(v)) {
		if (required)
			return fail(c, "missing '%s'", key);
		if (!dflt)
			return 0;
		*out = rat__strdup(dflt);
		return *out ? 0 : RAT_ENOMEM;
	}
	if (!json_is_string(v))
		return fail(c, "'%s' must be a string", key);
	*out = rat__strdup(json_string_value(v));
	return *out ? 0 : RAT_ENOMEM;
}

static int parse_field(ctx *c, rat_table_field *f, json_t *j)
{
	json_t *type = json_object_get(j, "type");
	int error;

	if (!json_is_object(j))
		return fail(c, "a field must be an object");
	if ((error = get_int(c, j, "id", true, 0, &f->id)) != 0 ||
	    (error = get_string(c, j, "name", true, NULL, &f->name)) != 0)
		return error;
	f->required = json_is_true(json_object_get(j, "required"));
	f->type_json = type;
	if (json_is_string(type))
		f->type = rat__strdup(json_string_value(type));
	else if (json_is_object(type) && json_is_string(json_object_get(type, "type")))
		f->type = rat__strdup(json_string_value(json_object_get(type, "type")));
	else
		return fail(c, "field '%s' has no valid 'type'", f->name);
	return f->type ? 0 : RAT_ENOMEM;
}

static int parse_schema(ctx *c, rat_table_schema *s, json_t *j, int fallback_id)
{
	json_t *fields = json_object_get(j, "fields");
	size_t i;
	int error;

	if (!json_is_object(j) || !json_is_array(fields))
		return fail(c, "a schema must be an object with 'fields'");
	s->json = j;
	if ((error = get_int(c, j, "schema-id", false, fallback_id, &s->schema_id)) != 0)
		return error;
	/* the count follows the array, so that a free after a failure indexes nothing */
	if ((s->fields = rat__calloc(json_array_size(fields), sizeof(*s->fields))) == NULL)
		return RAT_ENOMEM;
	s->field_count = json_array_size(fields);
	for (i = 0; i < s->field_count; i++)
		if ((error = parse_field(c, &s->fields[i], json_array_get(fields, i))) != 0)
			return error;
	return 0;
}

static int parse_spec(ctx *c, rat_table_spec *s, json_t *fields, int spec_id)
{
	size_t i;
	int error;

	if (!json_is_array(fields))
		return fail(c, "partition spec %d has no 'fields' list", spec_id);
	s->spec_id = spec_id;
	/* the count follows the array, so that a free after a failure indexes nothing */
	if ((s->fields = rat__calloc(json_array_size(fields), sizeof(*s->fields))) == NULL)
		return RAT_ENOMEM;
	s->field_count = json_array_size(fields);
	for (i = 0; i < s->field_count; i++) {
		json_t *f = json_array_get(fields, i);
		rat_table_partition_field *pf = &s->fields[i];
		/* v1 specs may lack field-id: ids then start at 1000 */
		if ((error = get_int(c, f, "source-id", true, 0, &pf->source_id)) != 0 ||
		    (error = get_int(c, f, "field-id", false, 1000 + (int)i, &pf->field_id)) != 0 ||
		    (error = get_string(c, f, "name", true, NULL, &pf->name)) != 0 ||
		    (error = get_string(c, f, "transform", true, NULL, &pf->transform)) != 0)
			return error;
	}
	return 0;
}

static int parse_schemas(ctx *c, rat_table_metadata *m)
{
	json_t *list = json_object_get(m->json, "schemas");
	size_t i;
	int error;

	if (!list) {
		/* v1: a single "schema" */
		json_t *one = json_object_get(m->json, "schema");
		if (!one)
			return fail(c, "missing 'schemas'");
		if ((m->schemas = rat__calloc(1, sizeof(*m->schemas))) == NULL)
			return RAT_ENOMEM;
		m->schema_count = 1;
		snprintf(c->where, sizeof(c->where), "schema");
		return parse_schema(c, &m->schemas[0], one, 0);
	}
	if (!json_is_array(list))
		return fail(c, "'schemas' must be a list");
	/* the count follows the array, so that a free after a failure indexes nothing */
	if ((m->schemas = rat__calloc(json_array_size(list), sizeof(*m->schemas))) == NULL)
		return RAT_ENOMEM;
	m->schema_count = json_array_size(list);
	for (i = 0; i < m->schema_count; i++) {
		snprintf(c->where, sizeof(c->where), "schemas[%zu]", i);
		if ((error = parse_schema(c, &m->schemas[i], json_array_get(list, i), (int)i)) != 0)
			return error;
	}
	c->where[0] = '\0';
	return 0;
}

static int parse_specs(ctx *c, rat_table_metadata *m)
{
	json_t *list = json_object_get(m->json, "partition-specs");
	size_t i;
	int error;

	if (!list) {
		/* v1: a single "partition-spec" (a list of fields) */
		if ((m->specs = rat__calloc(1, sizeof(*m->specs))) == NULL)
			return RAT_ENOMEM;
		m->spec_count = 1;
		json_t *fields = json_object_get(m->json, "partition-spec");
		if (!fields)
			return 0; /* unpartitioned: spec 0 with no fields */
		return parse_spec(c, &m->specs[0], fields, 0);
	}
	if (!json_is_array(list))
		return fail(c, "'partition-specs' must be a list");
	/* the count follows the array, so that a free after a failure indexes nothing */
	if ((m->specs = rat__calloc(json_array_size(list), sizeof(*m->specs))) == NULL)
		return RAT_ENOMEM;
	m->spec_count = json_array_size(list);
	for (i = 0; i < m->spec_count; i++) {
		json_t *spec = json_array_get(list, i);
		int id = 0;
		snprintf(c->where, sizeof(c->where), "partition-specs[%zu]", i);
		if ((error = get_int(c, spec, "spec-id", true, 0, &id)) != 0 ||
		    (error = parse_spec(c, &m->specs[i], json_object_get(spec, "fields"), id)) != 0)
			return error;
	}
	c->where[0] = '\0';
	return 0;
}

static int parse_snapshot(ctx *c, rat_table_snapshot *s, json_t *j)
{
	json_t *summary = json_object_get(j, "summary");
	int error;

	if ((error = get_int64(c, j, "snapshot-id", true, 0, &s->snapshot_id)) != 0 ||
	    (error = get_int64(c, j, "parent-snapshot-id", false, -1, &s->parent_id)) != 0 ||
	    (error = get_int64(c, j, "sequence-number", false, 0, &s->sequence_number)) != 0 ||
	    (error = get_int64(c, j, "timestamp-ms", true, 0, &s->timestamp_ms)) != 0 ||
	    (error = get_string(c, j, "manifest-list", false, NULL, &s->manifest_list)) != 0 ||
	    (error = get_int(c, j, "schema-id", false, -1, &s->schema_id)) != 0)
		return error;
	if (!s->manifest_list)
		return fail(c, "snapshot %lld has no 'manifest-list' (inline v1 manifests are not "
			       "supported)", (long long)s->snapshot_id);
	s->summary = json_is_object(summary) ? summary : NULL;
	s->operation = rat__strdup(s->summary && json_is_string(json_object_get(s->summary, "operation"))
					   ? json_string_value(json_object_get(s->summary, "operation"))
					   : "");
	return s->operation ? 0 : RAT_ENOMEM;
}

static int parse_snapshots(ctx *c, rat_table_metadata *m)
{
	json_t *list = json_object_get(m->json, "snapshots");
	size_t i;
	int error;

	if (!list || json_is_null(list))
		return 0;
	if (!json_is_array(list))
		return fail(c, "'snapshots' must be a list");
	/* the count follows the array, so that a free after a failure indexes nothing */
	if ((m->snapshots = rat__calloc(json_array_size(list), sizeof(*m->snapshots))) == NULL)
		return RAT_ENOMEM;
	m->snapshot_count = json_array_size(list);
	for (i = 0; i < m->snapshot_count; i++) {
		snprintf(c->where, sizeof(c->where), "snapshots[%zu]", i);
		if ((error = parse_snapshot(c, &m->snapshots[i], json_array_get(list, i))) != 0)
			return error;
	}
	c->where[0] = '\0';
	return 0;
}

static int parse_top(ctx *c, rat_table_metadata *m)
{
	int error;

	if ((error = get_int(c, m->json, "format-version", true, 0, &m->format_version)) != 0)
		return error;
	if (m->format_version < 1 || m->format_version > 2)
		return fail(c, "format-version %d is not supported (1 and 2 are)", m->format_version);
	if ((error = get_string(c, m->json, "table-uuid", m->format_version > 1, "", &m->table_uuid)) != 0 ||
	    (error = get_string(c, m->json, "location", true, NULL, &m->location)) != 0 ||
	    (error = get_int64(c, m->json, "last-sequence-number", m->format_version > 1, 0,
			       &m->last_sequence_number)) != 0 ||
	    (error = get_int64(c, m->json, "last-updated-ms", true, 0, &m->last_updated_ms)) != 0 ||
	    (error = get_int(c, m->json, "last-column-id", true, 0, &m->last_column_id)) != 0 ||
	    (error = get_int(c, m->json, "current-schema-id", false, 0, &m->current_schema_id)) != 0 ||
	    (error = get_int(c, m->json, "default-spec-id", false, 0, &m->default_spec_id)) != 0 ||
	    (error = get_int(c, m->json, "last-partition-id", false, 999, &m->last_partition_id)) != 0 ||
	    (error = get_int64(c, m->json, "current-snapshot-id", false, -1, &m->current_snapshot_id)) != 0)
		return error;
	return 0;
}

int rat_table__metadata_parse(rat_table_metadata *out, const char *text, size_t len,
			      const char *source)
{
	ctx c = { source, "" };
	json_error_t jerr;
	int error;

	memset(out, 0, sizeof(*out));
	out->json = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!out->json)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "%s:%d:%d: not valid JSON: %s",
				      source, jerr.line, jerr.column, jerr.text);
	if (!json_is_object(out->json))
		error = fail(&c, "metadata must be a JSON object");
	else if ((error = parse_top(&c, out)) == 0 && (error = parse_schemas(&c, out)) == 0 &&
		 (error = parse_specs(&c, out)) == 0)
		error = parse_snapshots(&c, out);
	if (!error && !rat_table__schema(out, out->current_schema_id))
		error = fail(&c, "current-schema-id %d names no schema", out->current_schema_id);
	if (!error && out->current_snapshot_id >= 0 &&
	    !rat_table__snapshot(out, out->current_snapshot_id))
		error = fail(&c, "current-snapshot-id %lld names no snapshot",
			     (long long)out->current_snapshot_id);
	if (error)
		rat_table__metadata_free(out);
	return error;
}

void rat_table__metadata_free(rat_table_metadata *m)
{
	size_t i, j;

	for (i = 0; i < m->schema_count; i++) {
		for (j = 0; j < m->schemas[i].field_count; j++) {
			free(m->schemas[i].fields[j].name);
			free(m->schemas[i].fields[j].type);
		}
		free(m->schemas[i].fields);
	}
	free(m->schemas);
	for (i = 0; i < m->spec_count; i++) {
		for (j = 0; j < m->specs[i].field_count; j++) {
			free(m->specs[i].fields[j].name);
			free(m->specs[i].fields[j].transform);
		}
		free(m->specs[i].fields);
	}
	free(m->specs);
	for (i = 0; i < m->snapshot_count; i++) {
		free(m->snapshots[i].manifest_list);
		free(m->snapshots[i].operation);
	}
	free(m->snapshots);
	free(m->table_uuid);
	free(m->location);
	if (m->json)
		json_decref(m->json);
	memset(m, 0, sizeof(*m));
}

const rat_table_schema *rat_table__schema(const rat_table_metadata *m, int schema_id)
{
	size_t i;

	for (i = 0; i < m->schema_count; i++)
		if (m->schemas[i].schema_id == schema_id)
			return &m->schemas[i];
	return NULL;
}

const rat_table_spec *rat_table__spec(const rat_table_metadata *m, int spec_id)
{
	size_t i;

	for (i = 0; i < m->spec_count; i++)
		if (m->specs[i].spec_id == spec_id)
			return &m->specs[i];
	return NULL;
}

const rat_table_snapshot *rat_table__snapshot(const rat_table_metadata *m, int64_t snapshot_id)
{
	size_t i;

	for (i = 0; i < m->snapshot_count; i++)
		if (m->snapshots[i].snapshot_id == snapshot_id)
			return &m->snapshots[i];
	return NULL;
}

const rat_table_snapshot *rat_table__snapshot_at(const rat_table_metadata *m, int64_t timestamp_ms)
{
	const rat_table_snapshot *best = NULL;
	json_t *log = json_object_get(m->json, "snapshot-log");
	size_t i;

	/* the snapshot log records what was current when; fall back to commit times */
	if (json_is_array(log) && json_array_size(log) > 0) {
		for (i = 0; i < json_array_size(log); i++) {
			json_t *e = json_array_get(log, i);
			json_t *ts = json_object_get(e, "timestamp-ms");
			json_t *id = json_object_get(e, "snapshot-id");
			if (json_is_integer(ts) && json_is_integer(id) &&
			    json_integer_value(ts) <= timestamp_ms)
				best = rat_table__snapshot(m, json_integer_value(id));
		}
		return best;
	}
	for (i = 0; i < m->snapshot_count; i++)
		if (m->snapshots[i].timestamp_ms <= timestamp_ms &&
		    (!best || m->snapshots[i].timestamp_ms >= best->timestamp_ms))
			best = &m->snapshots[i];
	return best;
}

const rat_table_schema *rat_table__snapshot_schema(const rat_table_metadata *m,
						  const rat_table_snapshot *snapshot)
{
	const rat_table_schema *s = NULL;

	if (snapshot && snapshot->schema_id >= 0)
		s = rat_table__schema(m, snapshot->schema_id);
	return s ? s : rat_table__schema(m, m->current_schema_id);
}

const rat_table_field *rat_table__field(const rat_table_schema *schema, int field_id)
{
	size_t i;

	for (i = 0; i < schema->field_count; i++)
		if (schema->fields[i].id == field_id)
			return &schema->fields[i];
	return NULL;
}

#define METADATA_MAX ((uint64_t)256 << 20)

int rat_table__metadata_read(rat_table_metadata *out, rat_store *store, const char *key)
{
	rat_buf bytes = RAT_BUF_INIT;
	char *url = rat_store__url(store, key);
	int error;

	memset(out, 0, sizeof(*out));
	if (!url)
		return rat_error__oom();
	if ((error = rat_store__get(store, key, &bytes, METADATA_MAX)) == 0)
		error = rat_table__metadata_parse(out, bytes.ptr ? bytes.ptr : "", bytes.len, url);
	if (error == RAT_ENOTFOUND || error == RAT_ETOOBIG || error == RAT_EINVALID)
		rat_error__set_detail(RAT_DETAIL_METADATA_UNREADABLE);
	rat_buf_free(&bytes);
	free(url);
	return error;
}
