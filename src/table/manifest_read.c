/*
 * table/manifest_read.c - decode Iceberg manifest lists and manifests with
 * Avro C's generic values.
 *
 * Files are read from memory (fmemopen), by field name, so the readers work
 * for every writer's field order and for v1 and v2 layouts alike. Optional
 * fields are unions with null; a missing optional field takes its default.
 */
#include "util/common.h"
#include "util/hex.h"
#include "table/avro.h"
#include "table/manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct reader {
	avro_file_reader_t file;
	avro_value_iface_t *iface;
	avro_value_t value;
	bool has_value;
	const char *source;
} reader;

static int avro_fail(const char *source, const char *what)
{
	return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "%s: %s: %s", source, what,
			      avro_strerror());
}

static void reader_close(reader *r)
{
	if (r->has_value)
		avro_value_decref(&r->value);
	if (r->iface)
		avro_value_iface_decref(r->iface);
	if (r->file)
		avro_file_reader_close(r->file);
	memset(r, 0, sizeof(*r));
}

static int reader_open(reader *r, const void *data, size_t len, const char *source)
{
	avro_schema_t schema;
	int error;

	memset(r, 0, sizeof(*r));
	r->source = source;
	if ((error = rat_avro__reader_open(&r->file, data, len)) != 0) {
		rat_error__prefix("%s", source);
		return error;
	}
	/* a new reference (Avro C 1.11), released once the value class holds its own */
	schema = avro_file_reader_get_writer_schema(r->file);
	r->iface = avro_generic_class_from_schema(schema);
	avro_schema_decref(schema);
	if (!r->iface || avro_generic_value_new(r->iface, &r->value) != 0) {
		reader_close(r);
		return avro_fail(source, "cannot decode its schema");
	}
	r->has_value = true;
	return 0;
}

/* 1: a record was read into r->value; 0: end of file; <0: error. */
static int reader_next(reader *r)
{
	int rc = avro_file_reader_read_value(r->file, &r->value);
	if (rc == 0)
		return 1;
	if (rc == EOF)
		return 0;
	return avro_fail(r->source, "cannot read a record");
}

/* The value of a field, through a union with null; false when absent or null. */
static bool field(avro_value_t *record, const char *name, avro_value_t *out)
{
	avro_value_t v;

	if (avro_value_get_by_name(record, name, &v, NULL) != 0)
		return false;
	if (avro_value_get_type(&v) == AVRO_UNION && avro_value_get_current_branch(&v, &v) != 0)
		return false;
	if (avro_value_get_type(&v) == AVRO_NULL)
		return false;
	*out = v;
	return true;
}

static int64_t long_field(avro_value_t *record, const char *name, int64_t dflt)
{
	avro_value_t v;
	int64_t l;
	int32_t i;

	if (!field(record, name, &v))
		return dflt;
	if (avro_value_get_type(&v) == AVRO_INT64 && avro_value_get_long(&v, &l) == 0)
		return l;
	if (avro_value_get_type(&v) == AVRO_INT32 && avro_value_get_int(&v, &i) == 0)
		return i;
	return dflt;
}

static char *string_field(avro_value_t *record, const char *name)
{
	avro_value_t v;
	const char *s;
	size_t size;

	if (!field(record, name, &v) || avro_value_get_string(&v, &s, &size) != 0)
		return NULL;
	return rat__strndup(s, size ? size - 1 : 0);
}

static json_t *to_json(avro_value_t *v, int depth);

static json_t *hex_bytes(const void *buf, size_t size)
{
	char *hex = rat_hex__encode(buf, size);
	json_t *out = hex ? json_string(hex) : NULL;

	free(hex);
	return out;
}

static json_t *compound_to_json(avro_value_t *v, int depth)
{
	avro_type_t type = avro_value_get_type(v);
	json_t *out = type == AVRO_ARRAY ? json_array() : json_object();
	size_t i, n = 0;

	avro_value_get_size(v, &n);
	for (i = 0; out && i < n; i++) {
		avro_value_t child;
		const char *name = NULL;
		json_t *j;
		if (avro_value_get_by_index(v, i, &child, &name) != 0)
			continue;
		if ((j = to_json(&child, depth + 1)) == NULL)
			j = json_null();
		if (type == AVRO_ARRAY)
			json_array_append_new(out, j);
		else
			json_object_set_new(out, name ? name : "", j);
	}
	return out;
}

/* An Avro value as JSON: bytes and fixed as lowercase hex strings. */
static json_t *to_json(avro_value_t *v, int depth)
{
	/* initialised: a getter Avro C lacks for a value leaves its output unset */
	const void *buf = NULL;
	const char *s = NULL;
	size_t size = 0;
	int32_t i = 0;
	int64_t l = 0;
	float f = 0;
	double d = 0;
	int b = 0;

	if (depth > 32)
		return json_null();
	switch (avro_value_get_type(v)) {
	case AVRO_NULL: return json_null();
	case AVRO_BOOLEAN: avro_value_get_boolean(v, &b); return json_boolean(b);
	case AVRO_INT32: avro_value_get_int(v, &i); return json_integer(i);
	case AVRO_INT64: avro_value_get_long(v, &l); return json_integer(l);
	case AVRO_FLOAT: avro_value_get_float(v, &f); return json_real(f);
	case AVRO_DOUBLE: avro_value_get_double(v, &d); return json_real(d);
	case AVRO_STRING: avro_value_get_string(v, &s, &size); return json_stringn(s, size ? size - 1 : 0);
	case AVRO_BYTES: avro_value_get_bytes(v, &buf, &size); return hex_bytes(buf, size);
	case AVRO_FIXED: avro_value_get_fixed(v, &buf, &size); return hex_bytes(buf, size);
	case AVRO_ENUM: avro_value_get_enum(v, &i); return json_integer(i);
	case AVRO_UNION: {
		avro_value_t branch;
		if (avro_value_get_current_branch(v, &branch) != 0)
			return json_null();
		return to_json(&branch, depth + 1);
	}
	default: return compound_to_json(v, depth);
	}
}

/* Iceberg stores maps of int -> X as arrays of {key, value} records. */
static json_t *kv_map(avro_value_t *record, const char *name)
{
	avro_value_t v;
	json_t *list, *out = json_object();
	size_t i;

	if (!out || !field(record, name, &v))
		return out;
	list = to_json(&v, 0);
	for (i = 0; json_is_array(list) && i < json_array_size(list); i++) {
		json_t *kv = json_array_get(list, i);
		json_t *k = json_object_get(kv, "key");
		char key[32];
		if (!json_is_integer(k))
			continue;
		snprintf(key, sizeof(key), "%lld", (long long)json_integer_value(k));
		json_object_set(out, key, json_object_get(kv, "value"));
	}
	json_decref(list);
	return out;
}

int rat_table__read_manifest_list(rat_manifest_list *out, const void *data, size_t len,
				  const char *source)
{
	reader r;
	size_t capacity = 0;
	int rc, error;

	memset(out, 0, sizeof(*out));
	if ((error = reader_open(&r, data, len, source)) != 0)
		return error;
	while ((rc = reader_next(&r)) == 1) {
		rat_manifest_ref *m;
		if ((error = rat__grow((void **)&out->items, &capacity, out->count, sizeof(*m))) != 0)
			break;
		m = &out->items[out->count++];
		memset(m, 0, sizeof(*m));
		if ((m->path = string_field(&r.value, "manifest_path")) == NULL) {
			error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
					       "%s: entry %zu has no manifest_path", source, out->count - 1);
			break;
		}
		m->length = long_field(&r.value, "manifest_length", 0);
		m->spec_id = (int)long_field(&r.value, "partition_spec_id", 0);
		m->content = (int)long_field(&r.value, "content", 0);
		m->sequence_number = long_field(&r.value, "sequence_number", 0);
		m->min_sequence_number = long_field(&r.value, "min_sequence_number", 0);
		m->added_snapshot_id = long_field(&r.value, "added_snapshot_id", -1);
		m->added_files = (int)long_field(&r.value, "added_files_count", 0);
		m->existing_files = (int)long_field(&r.value, "existing_files_count", 0);
		m->deleted_files = (int)long_field(&r.value, "deleted_files_count", 0);
		m->added_rows = long_field(&r.value, "added_rows_count", 0);
		m->existing_rows = long_field(&r.value, "existing_rows_count", 0);
		m->deleted_rows = long_field(&r.value, "deleted_rows_count", 0);
	}
	if (rc < 0)
		error = rc;
	reader_close(&r);
	if (error)
		rat_table__manifest_list_free(out);
	return error;
}

void rat_table__manifest_list_free(rat_manifest_list *list)
{
	size_t i;

	for (i = 0; i < list->count; i++)
		free(list->items[i].path);
	free(list->items);
	memset(list, 0, sizeof(*list));
}

static int read_equality_ids(rat_data_file *f, avro_value_t *data_file)
{
	avro_value_t ids;
	size_t i, n = 0;

	if (!field(data_file, "equality_ids", &ids))
		return 0;
	avro_value_get_size(&ids, &n);
	if (n == 0)
		return 0;
	if ((f->equality_ids = rat__calloc(n, sizeof(int))) == NULL)
		return RAT_ENOMEM;
	for (i = 0; i < n; i++) {
		avro_value_t item;
		int32_t id = 0;
		if (avro_value_get_by_index(&ids, i, &item, NULL) == 0)
			avro_value_get_int(&item, &id);
		f->equality_ids[i] = id;
	}
	f->equality_count = n;
	return 0;
}

static int read_entry(rat_data_file *f, avro_value_t *entry, const rat_manifest_ref *ref,
		      const char *source)
{
	avro_value_t df, partition;

	f->status = (rat_entry_status)long_field(entry, "status", 0);
	f->snapshot_id = long_field(entry, "snapshot_id", ref->added_snapshot_id);
	/* v2 inheritance: a null sequence number of an ADDED entry is the manifest's */
	f->data_sequence_number = long_field(entry, "sequence_number", ref->sequence_number);
	f->file_sequence_number = long_field(entry, "file_sequence_number", ref->sequence_number);
	f->spec_id = ref->spec_id;
	if (!field(entry, "data_file", &df))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "%s: a manifest entry has no data_file", source);
	f->content = (rat_content)long_field(&df, "content", 0);
	f->path = string_field(&df, "file_path");
	f->format = string_field(&df, "file_format");
	if (!f->path || !f->format)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "%s: a data_file lacks file_path or file_format", source);
	f->record_count = long_field(&df, "record_count", 0);
	f->file_size = long_field(&df, "file_size_in_bytes", 0);
	f->partition = field(&df, "partition", &partition) ? to_json(&partition, 0) : json_object();
	f->lower_bounds = kv_map(&df, "lower_bounds");
	f->upper_bounds = kv_map(&df, "upper_bounds");
	f->null_counts = kv_map(&df, "null_value_counts");
	f->value_counts = kv_map(&df, "value_counts");
	if (!f->partition || !f->lower_bounds || !f->upper_bounds || !f->null_counts ||
	    !f->value_counts)
		return rat_error__oom();
	return read_equality_ids(f, &df);
}

int rat_table__read_manifest(rat_data_files *out, const void *data, size_t len,
			     const rat_manifest_ref *ref, const char *source)
{
	reader r;
	int rc, error;

	if ((error = reader_open(&r, data, len, source)) != 0)
		return error;
	while ((rc = reader_next(&r)) == 1) {
		rat_data_file f;
		memset(&f, 0, sizeof(f));
		if ((error = read_entry(&f, &r.value, ref, source)) != 0 ||
		    (error = rat_table__data_files_push(out, &f)) != 0) {
			rat_table__data_file_clear(&f);
			break;
		}
	}
	if (rc < 0 && !error)
		error = rc;
	reader_close(&r);
	return error;
}

void rat_table__data_file_clear(rat_data_file *f)
{
	free(f->path);
	free(f->format);
	free(f->equality_ids);
	json_decref(f->partition);
	json_decref(f->lower_bounds);
	json_decref(f->upper_bounds);
	json_decref(f->null_counts);
	json_decref(f->value_counts);
	memset(f, 0, sizeof(*f));
}

void rat_table__data_files_free(rat_data_files *files)
{
	size_t i;

	for (i = 0; i < files->count; i++)
		rat_table__data_file_clear(&files->items[i]);
	free(files->items);
	memset(files, 0, sizeof(*files));
}

int rat_table__data_files_push(rat_data_files *files, const rat_data_file *file)
{
	int error = rat__grow((void **)&files->items, &files->capacity, files->count, sizeof(*file));
	if (!error)
		files->items[files->count++] = *file;
	return error;
}

char *rat_table__partition_id(const rat_data_file *f)
{
	char *json = json_dumps(f->partition, JSON_SORT_KEYS | JSON_COMPACT);
	char *id = json ? rat__sprintf("%d:%s", f->spec_id, json) : NULL;

	free(json);
	return id;
}
