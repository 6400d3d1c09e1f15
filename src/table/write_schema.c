/*
 * table/write_schema.c - the schema side of a write: a new table's first
 * metadata document, and matching a query to an existing table's schema.
 *
 * Columns match by name, ignoring case (as SQL does). Field ids are stable:
 * a matched column keeps its id; an added one takes the next free id. Types
 * may only widen (int -> long, float -> double, decimal(P,S) -> decimal(P',S)
 * with P' > P); a query giving a narrower type is cast up; anything else is
 * refused, naming the column and both types.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/random.h"
#include "table/scan.h"
#include "table/write_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const rat_column_desc *rat_table__query_column(const writer *w, const char *name)
{
	size_t i;

	for (i = 0; i < w->desc.count; i++)
		if (strcasecmp(w->desc.columns[i].name, name) == 0)
			return &w->desc.columns[i];
	return NULL;
}

static bool is_temporal(const char *t)
{
	return strcmp(t, "date") == 0 || strcmp(t, "timestamp") == 0 || strcmp(t, "timestamptz") == 0;
}

/* One partition field from "col" or "fn(col)". */
static int partition_field(json_t **out, const writer *w, const char *expr, int field_id)
{
	char fn[16] = "identity", col[128], parsed_fn[16];
	const rat_column_desc *c;
	const char *type;
	char name[160];

	/* sscanf fills parsed_fn even when the "(" does not follow: parse aside */
	if (sscanf(expr, "%15[a-z](%127[^)])", parsed_fn, col) == 2 && expr[strlen(expr) - 1] == ')') {
		memcpy(fn, parsed_fn, sizeof(fn));
		if (strcmp(fn, "year") && strcmp(fn, "month") && strcmp(fn, "day") && strcmp(fn, "hour"))
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
					      "partition_by '%s': unknown transform '%s' (year, month, "
					      "day, hour, or a plain column)",
					      expr, fn);
	} else {
		snprintf(col, sizeof(col), "%s", expr);
	}
	if ((c = rat_table__query_column(w, col)) == NULL)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "partition_by '%s': the query has no column '%s'", expr, col);
	type = json_string_value(c->iceberg_type);
	if (!type || (strcmp(fn, "identity") != 0 && !is_temporal(type)) ||
	    (strcmp(fn, "hour") == 0 && strcmp(type, "date") == 0) ||
	    (strcmp(fn, "identity") == 0 && strcmp(type, "int") && strcmp(type, "long") &&
	     strcmp(type, "string") && strcmp(type, "date") && strcmp(type, "boolean")))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "partition_by '%s': cannot partition a %s column that way "
				      "(identity: int, long, string, date, boolean; year/month/day: "
				      "date or timestamp; hour: timestamp)",
				      expr, type ? type : "nested");
	if (strcmp(fn, "identity") == 0)
		snprintf(name, sizeof(name), "%s", c->name);
	else
		snprintf(name, sizeof(name), "%s_%s", c->name, fn);
	if (strcmp(fn, "identity") != 0 && rat_table__query_column(w, name))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "partition_by '%s': its partition name '%s' is already a column",
				      expr, name);
	*out = json_pack("{s:i, s:i, s:s, s:s}", "source-id", c->field_id, "field-id", field_id,
			 "transform", fn, "name", name);
	return *out ? 0 : rat_error__oom();
}

static json_t *schema_doc(const writer *w, int schema_id)
{
	json_t *fields = json_array();
	size_t i;

	for (i = 0; fields && i < w->desc.count; i++) {
		const rat_column_desc *c = &w->desc.columns[i];
		json_array_append_new(fields, json_pack("{s:i, s:s, s:b, s:O}", "id", c->field_id,
							"name", c->name, "required", 0, "type",
							c->iceberg_type));
	}
	return fields ? json_pack("{s:s, s:i, s:o}", "type", "struct", "schema-id", schema_id,
				  "fields", fields)
		      : NULL;
}

int rat_table__create_doc(writer *w, int last_column_id)
{
	json_t *spec_fields = json_array(), *schema = schema_doc(w, 0);
	char uuid[37], *root = NULL;
	size_t i, n;
	int error = 0;

	if (!spec_fields || !schema)
		error = rat_error__oom();
	for (i = 0; !error && i < w->opts->partition_count; i++) {
		json_t *field = NULL;
		if ((error = partition_field(&field, w, w->opts->partition_by[i], 1000 + (int)i)) == 0)
			json_array_append_new(spec_fields, field);
	}
	if (!error)
		error = rat_random__uuid(uuid);
	if (!error && !w->opts->location && (root = rat_store__url(w->store, "")) == NULL)
		error = RAT_ENOMEM;
	if (!error) {
		w->location = rat__strdup(w->opts->location ? w->opts->location : root);
		if (w->location && (n = strlen(w->location)) > 1 && w->location[n - 1] == '/')
			w->location[n - 1] = '\0';
		w->doc = json_pack("{s:i, s:s, s:s, s:i, s:I, s:i, s:i, s:[O], s:i, s:[{s:i, s:O}], "
				   "s:i, s:i, s:[{s:i, s:[]}], s:{s:s, s:s}, s:{}, s:[], s:[], s:[]}",
				   "format-version", 2, "table-uuid", uuid, "location",
				   w->location ? w->location : "", "last-sequence-number", 0,
				   "last-updated-ms", (json_int_t)w->now_ms, "last-column-id",
				   last_column_id, "current-schema-id", 0, "schemas", schema,
				   "default-spec-id", 0, "partition-specs", "spec-id", 0, "fields",
				   spec_fields, "last-partition-id",
				   999 + (int)w->opts->partition_count, "default-sort-order-id", 0,
				   "sort-orders", "order-id", 0, "fields", "properties",
				   "write.format.default", "parquet", "created-by",
				   "ratatouille " RAT_VERSION_STRING, "refs", "snapshots",
				   "snapshot-log", "metadata-log");
		if (!w->location || !w->doc)
			error = rat_error__oom();
	}
	free(root);
	json_decref(spec_fields);
	json_decref(schema);
	return error;
}

/* Widen a table type to the query's when allowed. 1: widened, 0: fine as is, <0: refused. */
static int widen(json_t **type, const rat_table_field *f, const rat_column_desc *c)
{
	const char *t = json_string_value(f->type_json), *q = json_string_value(c->iceberg_type);
	unsigned p1, s1, p2, s2;
	rat_buf table_duck = RAT_BUF_INIT;
	int result = -1;

	if (!t || !q) {
		/* nested: the same shape only */
		if (rat_table__duckdb_type(&table_duck, f->type_json) == 0 &&
		    strcmp(rat_buf_cstr(&table_duck), c->written_type) == 0)
			result = 0;
		rat_buf_free(&table_duck);
		if (result == 0)
			return 0;
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "column '%s' has another nested type in the query (%s) than in "
				      "the table: nested columns cannot change",
				      f->name, c->written_type);
	}
	if (strcmp(t, q) == 0 || (strcmp(t, "long") == 0 && strcmp(q, "int") == 0) ||
	    (strcmp(t, "double") == 0 && strcmp(q, "float") == 0))
		return 0;
	if ((strcmp(t, "int") == 0 && strcmp(q, "long") == 0) ||
	    (strcmp(t, "float") == 0 && strcmp(q, "double") == 0)) {
		*type = json_string(q);
		return *type ? 1 : rat_error__oom();
	}
	if (sscanf(t, "decimal(%u, %u)", &p1, &s1) == 2 && sscanf(q, "decimal(%u, %u)", &p2, &s2) == 2 &&
	    s1 == s2) {
		if (p2 <= p1)
			return 0;
		*type = json_string(q);
		return *type ? 1 : rat_error__oom();
	}
	return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
			      "column '%s' is %s in the table but %s in the query: only int -> long, "
			      "float -> double and wider decimals can change (cast it in the query)",
			      f->name, t, q);
}

/* Does the table's current partitioning read the field? */
static bool partitions_by(const writer *w, int field_id)
{
	const rat_table_spec *spec = rat_table__spec(&w->meta, w->meta.default_spec_id);
	size_t i;

	for (i = 0; spec && i < spec->field_count; i++)
		if (spec->fields[i].source_id == field_id)
			return true;
	return false;
}

int rat_table__evolve_schema(writer *w, int last_column_id)
{
	const rat_table_schema *current = rat_table__schema(&w->meta, w->meta.current_schema_id);
	json_t *fields = json_deep_copy(json_object_get(current->json, "fields"));
	bool changed = false, replacing = w->opts->replace_schema && w->opts->mode == RAT_WRITE_OVERWRITE;
	size_t i, j;
	int max_schema_id = 0, error = 0;
	rat_buf missing = RAT_BUF_INIT;

	if (!fields)
		return rat_error__oom();
	for (i = current->field_count; !error && i > 0; i--) {
		const rat_table_field *f = &current->fields[i - 1];
		const rat_column_desc *c = rat_table__query_column(w, f->name);
		json_t *wider = NULL;
		int r;
		if (!c && replacing) { /* the query's schema wins: the column goes */
			if (partitions_by(w, f->id)) {
				error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
						       "table %s is partitioned by column '%s', which "
						       "the query no longer has",
						       w->location, f->name);
				break;
			}
			json_array_remove(fields, i - 1);
			changed = true;
			continue;
		}
		if (!c)
			continue; /* written as NULL */
		if ((r = widen(&wider, f, c)) < 0)
			error = r;
		else if (r == 1) {
			json_object_set_new(json_array_get(fields, i - 1), "type", wider);
			changed = true;
		}
	}
	for (i = 0; !error && i < w->desc.count; i++) {
		const rat_column_desc *c = &w->desc.columns[i];
		bool known = false;
		for (j = 0; j < current->field_count; j++)
			known |= strcasecmp(current->fields[j].name, c->name) == 0;
		if (known)
			continue;
		if (!w->opts->add_new_columns) {
			error = rat_buf_printf(&missing, "%s'%s'", missing.len ? ", " : "", c->name);
			continue;
		}
		json_array_append_new(fields, json_pack("{s:i, s:s, s:b, s:O}", "id", c->field_id,
							"name", c->name, "required", 0, "type",
							c->iceberg_type));
		changed = true;
	}
	if (!error && missing.len)
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				       "table %s has no column %s; add new columns explicitly "
				       "(on_schema_change: append_new_columns)",
				       w->location, rat_buf_cstr(&missing));
	rat_buf_free(&missing);
	if (error || !changed) {
		json_decref(fields);
		return error;
	}
	for (i = 0; i < w->meta.schema_count; i++)
		if (w->meta.schemas[i].schema_id > max_schema_id)
			max_schema_id = w->meta.schemas[i].schema_id;
	json_array_append_new(json_object_get(w->doc, "schemas"),
			      json_pack("{s:s, s:i, s:o}", "type", "struct", "schema-id",
					max_schema_id + 1, "fields", fields));
	json_object_set_new(w->doc, "current-schema-id", json_integer(max_schema_id + 1));
	if (last_column_id > w->meta.last_column_id)
		json_object_set_new(w->doc, "last-column-id", json_integer(last_column_id));
	return 0;
}

int rat_table__rename_column(rat_store *store, const char *from, const char *to)
{
	rat_write_options opts = RAT_WRITE_OPTIONS_INIT;
	const rat_table_schema *current;
	json_t *fields = NULL;
	writer w;
	size_t i, at = SIZE_MAX;
	int max_schema_id = 0, error;

	memset(&w, 0, sizeof(w));
	w.store = store;
	w.opts = &opts;
	if ((error = rat_table__load(&w)) != 0)
		goto cleanup;
	if (!w.exists) {
		error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_INVALID, "no table to rename a column of");
		goto cleanup;
	}
	w.now_ms = rat_clock__real_ms();
	current = rat_table__schema(&w.meta, w.meta.current_schema_id);
	for (i = 0; i < current->field_count; i++) {
		if (strcasecmp(current->fields[i].name, from) == 0)
			at = i;
		else if (strcasecmp(current->fields[i].name, to) == 0)
			error = rat_error__set(RAT_EEXISTS, RAT_ERRCLASS_INVALID,
					       "table %s already has a column '%s'", w.location,
					       current->fields[i].name);
	}
	if (!error && at == SIZE_MAX)
		error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_INVALID,
				       "table %s has no column '%s'", w.location, from);
	if (!error && !*to)
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "a column name cannot be empty");
	if (error)
		goto cleanup;
	if ((fields = json_deep_copy(json_object_get(current->json, "fields"))) == NULL) {
		error = rat_error__oom();
		goto cleanup;
	}
	json_object_set_new(json_array_get(fields, at), "name", json_string(to));
	for (i = 0; i < w.meta.schema_count; i++)
		if (w.meta.schemas[i].schema_id > max_schema_id)
			max_schema_id = w.meta.schemas[i].schema_id;
	json_array_append_new(json_object_get(w.doc, "schemas"),
			      json_pack("{s:s, s:i, s:o}", "type", "struct", "schema-id",
					max_schema_id + 1, "fields", fields));
	json_object_set_new(w.doc, "current-schema-id", json_integer(max_schema_id + 1));
	error = rat_table__publish(&w);
cleanup:
	rat_table__metadata_free(&w.meta);
	json_decref(w.doc);
	free(w.old_key);
	free(w.new_key);
	free(w.location);
	return error;
}
