/*
 * table/write_schema.c - the schema side of a write: a new table's first
 * metadata document, and matching a query to an existing table's schema.
 *
 * Columns match by name, ignoring case (as SQL does). Field ids are stable:
 * a matched column keeps its id; an added one takes the next free id. Types
 * may only widen (int -> long, float -> double, decimal(P,S) -> decimal(P',S)
 * with P' > P); a query giving a narrower type is cast up (and an int,
 * long or decimal into a double column). What else may
 * change follows the write's rat_schema_change (write.h): new columns added
 * or not, missing ones kept (written as NULL) or dropped, every difference
 * refused (naming each); or, for a rebuild, the schema replaced by the
 * query's, where a column whose type cannot widen becomes a new field with
 * a new id, and the partitioning follows partition_by. Each change is a new
 * schema (and spec) in the metadata: older snapshots keep reading with theirs.
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

/* How a table column's type meets the query's. */
enum { TYPE_FITS = 0, TYPE_WIDENS = 1, TYPE_CONFLICTS = 2 };

/*
 * TYPE_FITS (the same, or the query's is narrower and is cast up),
 * TYPE_WIDENS (*wider: the query's type, which the table's widens to), or
 * TYPE_CONFLICTS; < 0 on failure.
 */
static int match_type(json_t **wider, const rat_table_field *f, const rat_column_desc *c)
{
	const char *t = json_string_value(f->type_json), *q = json_string_value(c->iceberg_type);
	unsigned p1, s1, p2, s2;
	rat_buf table_duck = RAT_BUF_INIT;
	int result = TYPE_CONFLICTS;

	*wider = NULL;
	if (!t || !q) { /* nested: the same shape only */
		if ((result = rat_table__duckdb_type(&table_duck, f->type_json)) == 0)
			result = strcmp(rat_buf_cstr(&table_duck), c->written_type) == 0 ? TYPE_FITS
											 : TYPE_CONFLICTS;
		rat_buf_free(&table_duck);
		return result;
	}
	/* a narrower query type is cast up; any number fits a double (as DuckDB casts it) */
	if (strcmp(t, q) == 0 || (strcmp(t, "long") == 0 && strcmp(q, "int") == 0) ||
	    (strcmp(t, "double") == 0 &&
	     (strcmp(q, "float") == 0 || strcmp(q, "int") == 0 || strcmp(q, "long") == 0 ||
	      strncmp(q, "decimal(", 8) == 0)))
		return TYPE_FITS;
	if (sscanf(t, "decimal(%u, %u)", &p1, &s1) == 2 && sscanf(q, "decimal(%u, %u)", &p2, &s2) == 2 &&
	    s1 == s2 && p2 <= p1)
		return TYPE_FITS;
	if ((strcmp(t, "int") == 0 && strcmp(q, "long") == 0) ||
	    (strcmp(t, "float") == 0 && strcmp(q, "double") == 0) ||
	    (sscanf(t, "decimal(%u, %u)", &p1, &s1) == 2 && sscanf(q, "decimal(%u, %u)", &p2, &s2) == 2 &&
	     s1 == s2)) {
		*wider = json_string(q);
		return *wider ? TYPE_WIDENS : rat_error__oom();
	}
	return TYPE_CONFLICTS;
}

/* A type for messages: the primitive, or the nested kind (struct, list, map). */
static const char *type_text(json_t *type)
{
	const char *s = json_is_string(type) ? json_string_value(type)
					     : json_string_value(json_object_get(type, "type"));
	return s ? s : "?";
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

static const rat_table_field *table_field(const rat_table_schema *schema, const char *name)
{
	size_t i;

	for (i = 0; i < schema->field_count; i++)
		if (strcasecmp(schema->fields[i].name, name) == 0)
			return &schema->fields[i];
	return NULL;
}

/* A new schema of fields (taken) as the table's current one. */
static int add_schema(writer *w, json_t *fields, int last_column_id)
{
	int max_schema_id = 0;
	size_t i;

	for (i = 0; i < w->meta.schema_count; i++)
		if (w->meta.schemas[i].schema_id > max_schema_id)
			max_schema_id = w->meta.schemas[i].schema_id;
	if (json_array_append_new(json_object_get(w->doc, "schemas"),
				  json_pack("{s:s, s:i, s:o}", "type", "struct", "schema-id",
					    max_schema_id + 1, "fields", fields)) != 0 ||
	    json_object_set_new(w->doc, "current-schema-id", json_integer(max_schema_id + 1)) != 0)
		return rat_error__oom();
	if (last_column_id > w->meta.last_column_id &&
	    json_object_set_new(w->doc, "last-column-id", json_integer(last_column_id)) != 0)
		return rat_error__oom();
	return 0;
}

/* What a write's columns change, as text for a refusal: each list "'a', 'b'". */
typedef struct schema_diff {
	rat_buf added;   /* "'b' (int)" */
	rat_buf missing; /* "'c'" */
	rat_buf retyped; /* "column 'x' is string in the table but int in the query" */
} schema_diff;

/* A field's type against the query's column: widened in fields[i], or a conflict noted in d. */
static int match_column(json_t *fields, size_t i, const rat_table_field *f,
			const rat_column_desc *c, schema_diff *d, bool *changed)
{
	json_t *wider = NULL;
	int r = match_type(&wider, f, c);

	if (r == TYPE_WIDENS) {
		*changed = true;
		return json_object_set_new(json_array_get(fields, i), "type", wider) == 0
			       ? 0
			       : rat_error__oom();
	}
	if (r != TYPE_CONFLICTS)
		return r;
	return rat_buf_printf(&d->retyped, "%scolumn '%s' is %s in the table but %s in the query",
			      d->retyped.len ? "; " : "", f->name, type_text(f->type_json),
			      json_is_string(c->iceberg_type) ? json_string_value(c->iceberg_type)
							       : c->written_type);
}

/* The table's columns against the query's: widened, dropped (RAT_SCHEMA_SYNC); the rest noted in d. */
static int match_table_columns(json_t *fields, writer *w, schema_diff *d, bool *changed)
{
	const rat_table_schema *current = rat_table__schema(&w->meta, w->meta.current_schema_id);
	bool sync = w->opts->schema_change == RAT_SCHEMA_SYNC;
	size_t i;
	int error = 0;

	for (i = 0; !error && i < current->field_count; i++) {
		const rat_table_field *f = &current->fields[i];
		const rat_column_desc *c = rat_table__query_column(w, f->name);
		if (c)
			error = match_column(fields, i, f, c, d, changed);
		else if ((error = rat_buf_printf(&d->missing, "%s'%s'", d->missing.len ? ", " : "",
						 f->name)) == 0 && sync && partitions_by(w, f->id))
			error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
					       "the table is partitioned by column '%s', which the "
					       "query no longer has",
					       f->name);
	}
	for (i = current->field_count; !error && sync && i > 0; i--)
		if (!rat_table__query_column(w, current->fields[i - 1].name)) {
			json_array_remove(fields, i - 1); /* written as NULL no more: it leaves */
			*changed = true;
		}
	return error;
}

/* The query's columns the table lacks: added (RAT_SCHEMA_APPEND, _SYNC) and noted in d. */
static int match_new_columns(json_t *fields, writer *w, schema_diff *d, bool *changed)
{
	const rat_table_schema *current = rat_table__schema(&w->meta, w->meta.current_schema_id);
	bool add = w->opts->schema_change == RAT_SCHEMA_APPEND ||
		   w->opts->schema_change == RAT_SCHEMA_SYNC;
	size_t i;
	int error = 0;

	for (i = 0; !error && i < w->desc.count; i++) {
		const rat_column_desc *c = &w->desc.columns[i];
		if (table_field(current, c->name))
			continue;
		if ((error = rat_buf_printf(&d->added, "%s'%s' (%s)", d->added.len ? ", " : "",
					    c->name, type_text(c->iceberg_type))) != 0 ||
		    !add)
			continue;
		if (json_array_append_new(fields, json_pack("{s:i, s:s, s:b, s:O}", "id", c->field_id,
							    "name", c->name, "required", 0, "type",
							    c->iceberg_type)) != 0)
			error = rat_error__oom();
		*changed = true;
	}
	return error;
}

/* The refusal of what d says changed, when the write's mode does not allow it; else 0. */
static int refuse_changes(const writer *w, const schema_diff *d)
{
	const char *hint = w->opts->schema_hint, *sep = hint ? "; " : "";
	rat_schema_change mode = w->opts->schema_change;
	rat_buf parts = RAT_BUF_INIT;
	int error;

	hint = hint ? hint : "";
	if (d->retyped.len && !d->added.len && !d->missing.len && w->opts->retype_hint) {
		/* no setting allows it: say what does */
		hint = w->opts->retype_hint;
		sep = "; ";
	}
	if (mode == RAT_SCHEMA_FAIL && (d->added.len || d->missing.len)) {
		if ((error = rat_buf_printf(&parts, "%s%s%s", d->added.len ? "new column " : "",
					    rat_buf_cstr(&d->added), d->added.len ? "; " : "")) == 0 &&
		    (error = rat_buf_printf(&parts, "%s%s%s", d->missing.len ? "missing column " : "",
					    rat_buf_cstr(&d->missing), d->missing.len ? "; " : "")) == 0)
			error = rat_buf_puts(&parts, rat_buf_cstr(&d->retyped));
		if (!error && parts.len > 1 && parts.ptr[parts.len - 2] == ';')
			parts.ptr[parts.len -= 2] = '\0';
		if (!error)
			error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
					       "the query's columns differ from the table's: %s%s%s",
					       rat_buf_cstr(&parts), sep, hint);
	} else if (d->retyped.len) {
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				       "%s: a column's type changes in place only from int to long, "
				       "float to double or to a wider decimal%s%s",
				       rat_buf_cstr(&d->retyped), sep, hint);
	} else if (mode == RAT_SCHEMA_KEEP && d->added.len) {
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				       "the table has no column %s (new columns are not added)%s%s",
				       rat_buf_cstr(&d->added), sep, hint);
	} else {
		error = 0;
	}
	rat_buf_free(&parts);
	return error;
}

/* RAT_SCHEMA_REPLACE: the partitioning becomes partition_by; a new spec when it differs. */
static int replace_spec(writer *w)
{
	const rat_table_spec *spec = rat_table__spec(&w->meta, w->meta.default_spec_id);
	size_t i, n = w->opts->partition_count;
	bool same = spec && spec->field_count == n;
	json_t *fields = json_array(), *field = NULL;
	int max_spec_id = 0, error = fields ? 0 : rat_error__oom();

	for (i = 0; !error && i < n; i++) {
		if ((error = partition_field(&field, w, w->opts->partition_by[i],
					     w->meta.last_partition_id + 1 + (int)i)) != 0)
			break;
		same = same && json_integer_value(json_object_get(field, "source-id")) ==
				       spec->fields[i].source_id &&
		       strcmp(json_string_value(json_object_get(field, "transform")),
			      spec->fields[i].transform) == 0;
		json_array_append_new(fields, field);
	}
	if (error || same) {
		json_decref(fields);
		return error;
	}
	for (i = 0; i < w->meta.spec_count; i++)
		if (w->meta.specs[i].spec_id > max_spec_id)
			max_spec_id = w->meta.specs[i].spec_id;
	if (json_array_append_new(json_object_get(w->doc, "partition-specs"),
				  json_pack("{s:i, s:o}", "spec-id", max_spec_id + 1, "fields",
					    fields)) != 0 ||
	    json_object_set_new(w->doc, "default-spec-id", json_integer(max_spec_id + 1)) != 0 ||
	    json_object_set_new(w->doc, "last-partition-id",
				json_integer(w->meta.last_partition_id + (int)n)) != 0)
		return rat_error__oom();
	return 0;
}

/*
 * RAT_SCHEMA_REPLACE: the schema becomes the query's columns, in its order.
 * A column whose table type fits or widens keeps its field id (the query's
 * column takes it, for the partitioning); any other is a new field.
 */
static int replace_schema(writer *w, int last_column_id)
{
	const rat_table_schema *current = rat_table__schema(&w->meta, w->meta.current_schema_id);
	json_t *fields = json_array();
	size_t i;
	int error = fields ? 0 : rat_error__oom();

	for (i = 0; !error && i < w->desc.count; i++) {
		rat_column_desc *c = &w->desc.columns[i];
		const rat_table_field *f = table_field(current, c->name);
		json_t *wider = NULL, *field;
		int r = f ? match_type(&wider, f, c) : TYPE_CONFLICTS;
		if (r < 0) {
			error = r;
			break;
		}
		if (r != TYPE_CONFLICTS) {
			c->field_id = f->id;
			field = json_pack("{s:i, s:s, s:b, s:O}", "id", f->id, "name", c->name,
					  "required", 0, "type", wider ? wider : f->type_json);
		} else {
			field = json_pack("{s:i, s:s, s:b, s:O}", "id", c->field_id, "name", c->name,
					  "required", 0, "type", c->iceberg_type);
		}
		json_decref(wider);
		if (json_array_append_new(fields, field) != 0)
			error = rat_error__oom();
	}
	if (!error && !json_equal(fields, json_object_get(current->json, "fields"))) {
		error = add_schema(w, fields, last_column_id);
		fields = NULL;
	}
	json_decref(fields);
	return error ? error : replace_spec(w);
}

int rat_table__evolve_schema(writer *w, int last_column_id)
{
	const rat_table_schema *current = rat_table__schema(&w->meta, w->meta.current_schema_id);
	schema_diff d = { RAT_BUF_INIT, RAT_BUF_INIT, RAT_BUF_INIT };
	json_t *fields;
	bool changed = false;
	int error;

	if (w->opts->schema_change == RAT_SCHEMA_REPLACE) {
		if (w->opts->mode != RAT_WRITE_OVERWRITE)
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
					      "a write replaces the schema only when it overwrites");
		return replace_schema(w, last_column_id);
	}
	if ((fields = json_deep_copy(json_object_get(current->json, "fields"))) == NULL)
		return rat_error__oom();
	if ((error = match_table_columns(fields, w, &d, &changed)) == 0 &&
	    (error = match_new_columns(fields, w, &d, &changed)) == 0)
		error = refuse_changes(w, &d);
	if (!error && changed) {
		error = add_schema(w, fields, last_column_id);
		fields = NULL;
	}
	json_decref(fields);
	rat_buf_free(&d.added);
	rat_buf_free(&d.missing);
	rat_buf_free(&d.retyped);
	return error;
}

int rat_table__rename_column(rat_store *store, const char *from, const char *to)
{
	rat_write_options opts = RAT_WRITE_OPTIONS_INIT;
	const rat_table_schema *current;
	json_t *fields = NULL;
	writer w;
	size_t i, at = SIZE_MAX;
	int error;

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
	if ((error = add_schema(&w, fields, 0)) == 0)
		error = rat_table__publish(&w);
	fields = NULL;
cleanup:
	rat_table__metadata_free(&w.meta);
	json_decref(w.doc);
	free(w.old_key);
	free(w.new_key);
	free(w.location);
	return error;
}
