/*
 * table/manifest_write.c - write Iceberg v2 manifests and manifest lists.
 *
 * The Avro schemas follow the Iceberg spec's field ids (manifest entry 0-4,
 * data_file 100-140, manifest list 500-519), with the partition record built
 * from the spec: identity fields take their source column's type, year,
 * month and hour give int, day gives int with logicalType date, all
 * nullable. Maps of field id to count or bound are arrays of key/value
 * records, as Iceberg writes them. Headers carry the table schema and the
 * partition spec, as readers of other engines expect.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/hex.h"
#include "table/avro.h"
#include "table/manifest.h"
#include "table/manifest_write.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char entry_head[] =
	"{\"type\":\"record\",\"name\":\"manifest_entry\",\"fields\":["
	"{\"name\":\"status\",\"type\":\"int\",\"field-id\":0},"
	"{\"name\":\"snapshot_id\",\"type\":[\"null\",\"long\"],\"default\":null,\"field-id\":1},"
	"{\"name\":\"sequence_number\",\"type\":[\"null\",\"long\"],\"default\":null,\"field-id\":3},"
	"{\"name\":\"file_sequence_number\",\"type\":[\"null\",\"long\"],\"default\":null,\"field-id\":4},"
	"{\"name\":\"data_file\",\"field-id\":2,\"type\":{\"type\":\"record\",\"name\":\"r2\",\"fields\":["
	"{\"name\":\"content\",\"type\":\"int\",\"field-id\":134},"
	"{\"name\":\"file_path\",\"type\":\"string\",\"field-id\":100},"
	"{\"name\":\"file_format\",\"type\":\"string\",\"field-id\":101},"
	"{\"name\":\"partition\",\"field-id\":102,\"type\":";

/* a map of field id -> long or bytes, Iceberg style */
#define ID_MAP(name, id, k, v, vtype)                                                            \
	"{\"name\":\"" name "\",\"field-id\":" #id ",\"default\":null,\"type\":[\"null\","         \
	"{\"type\":\"array\",\"logicalType\":\"map\",\"items\":{\"type\":\"record\",\"name\":\"k" #k \
	"_v" #v "\",\"fields\":[{\"name\":\"key\",\"type\":\"int\",\"field-id\":" #k "},"           \
	"{\"name\":\"value\",\"type\":\"" vtype "\",\"field-id\":" #v "}]}}]}"

static const char entry_tail[] =
	"},"
	"{\"name\":\"record_count\",\"type\":\"long\",\"field-id\":103},"
	"{\"name\":\"file_size_in_bytes\",\"type\":\"long\",\"field-id\":104},"
	ID_MAP("column_sizes", 108, 117, 118, "long") ","
	ID_MAP("value_counts", 109, 119, 120, "long") ","
	ID_MAP("null_value_counts", 110, 121, 122, "long") ","
	ID_MAP("nan_value_counts", 137, 138, 139, "long") ","
	ID_MAP("lower_bounds", 125, 126, 127, "bytes") ","
	ID_MAP("upper_bounds", 128, 129, 130, "bytes") ","
	"{\"name\":\"key_metadata\",\"type\":[\"null\",\"bytes\"],\"default\":null,\"field-id\":131},"
	"{\"name\":\"split_offsets\",\"type\":[\"null\",{\"type\":\"array\",\"items\":\"long\","
	"\"element-id\":133}],\"default\":null,\"field-id\":132},"
	"{\"name\":\"equality_ids\",\"type\":[\"null\",{\"type\":\"array\",\"items\":\"int\","
	"\"element-id\":136}],\"default\":null,\"field-id\":135},"
	"{\"name\":\"sort_order_id\",\"type\":[\"null\",\"int\"],\"default\":null,\"field-id\":140}"
	"]}}]}";

static const char list_schema[] =
	"{\"type\":\"record\",\"name\":\"manifest_file\",\"fields\":["
	"{\"name\":\"manifest_path\",\"type\":\"string\",\"field-id\":500},"
	"{\"name\":\"manifest_length\",\"type\":\"long\",\"field-id\":501},"
	"{\"name\":\"partition_spec_id\",\"type\":\"int\",\"field-id\":502},"
	"{\"name\":\"content\",\"type\":\"int\",\"field-id\":517},"
	"{\"name\":\"sequence_number\",\"type\":\"long\",\"field-id\":515},"
	"{\"name\":\"min_sequence_number\",\"type\":\"long\",\"field-id\":516},"
	"{\"name\":\"added_snapshot_id\",\"type\":\"long\",\"field-id\":503},"
	"{\"name\":\"added_files_count\",\"type\":\"int\",\"field-id\":504},"
	"{\"name\":\"existing_files_count\",\"type\":\"int\",\"field-id\":505},"
	"{\"name\":\"deleted_files_count\",\"type\":\"int\",\"field-id\":506},"
	"{\"name\":\"added_rows_count\",\"type\":\"long\",\"field-id\":512},"
	"{\"name\":\"existing_rows_count\",\"type\":\"long\",\"field-id\":513},"
	"{\"name\":\"deleted_rows_count\",\"type\":\"long\",\"field-id\":514},"
	"{\"name\":\"partitions\",\"type\":[\"null\",{\"type\":\"array\",\"items\":{\"type\":\"record\","
	"\"name\":\"r508\",\"fields\":["
	"{\"name\":\"contains_null\",\"type\":\"boolean\",\"field-id\":509},"
	"{\"name\":\"contains_nan\",\"type\":[\"null\",\"boolean\"],\"default\":null,\"field-id\":518},"
	"{\"name\":\"lower_bound\",\"type\":[\"null\",\"bytes\"],\"default\":null,\"field-id\":510},"
	"{\"name\":\"upper_bound\",\"type\":[\"null\",\"bytes\"],\"default\":null,\"field-id\":511}"
	"]},\"element-id\":508}],\"default\":null,\"field-id\":507},"
	"{\"name\":\"key_metadata\",\"type\":[\"null\",\"bytes\"],\"default\":null,\"field-id\":519}"
	"]}";

struct rat_manifest_writer {
	rat_avro_writer *avro;
	const rat_table_spec *spec;
	rat_content content;
	rat_manifest_ref summary;
};

/* The Avro type of a partition field's value. */
static int partition_type(rat_buf *out, const rat_table_partition_field *pf,
			  const rat_table_schema *schema)
{
	const rat_table_field *source = rat_table__field(schema, pf->source_id);
	const char *t = source ? source->type : NULL;

	if (strcmp(pf->transform, "day") == 0)
		return rat_buf_puts(out, "{\"type\":\"int\",\"logicalType\":\"date\"}");
	if (strcmp(pf->transform, "year") == 0 || strcmp(pf->transform, "month") == 0 ||
	    strcmp(pf->transform, "hour") == 0)
		return rat_buf_puts(out, "\"int\"");
	if (strcmp(pf->transform, "identity") != 0 || !t)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "partition field '%s': transform '%s' is not supported for writing",
				      pf->name, pf->transform);
	if (strcmp(t, "int") == 0 || strcmp(t, "date") == 0)
		return rat_buf_puts(out, strcmp(t, "date") == 0
						 ? "{\"type\":\"int\",\"logicalType\":\"date\"}"
						 : "\"int\"");
	if (strcmp(t, "long") == 0)
		return rat_buf_puts(out, "\"long\"");
	if (strcmp(t, "string") == 0)
		return rat_buf_puts(out, "\"string\"");
	if (strcmp(t, "boolean") == 0)
		return rat_buf_puts(out, "\"boolean\"");
	return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
			      "partition field '%s': identity partitions of %s columns are not supported "
			      "(use int, long, string, boolean or date)",
			      pf->name, t);
}

static int entry_schema(rat_buf *out, const rat_table_spec *spec, const rat_table_schema *schema)
{
	size_t i;
	int error = rat_buf_puts(out, entry_head);

	if (!error)
		error = rat_buf_puts(out, "{\"type\":\"record\",\"name\":\"r102\",\"fields\":[");
	for (i = 0; !error && spec && i < spec->field_count; i++) {
		const rat_table_partition_field *pf = &spec->fields[i];
		if ((error = rat_buf_printf(out, "%s{\"name\":\"%s\",\"field-id\":%d,\"default\":null,"
						 "\"type\":[\"null\",",
					    i ? "," : "", pf->name, pf->field_id)) == 0 &&
		    (error = partition_type(out, pf, schema)) == 0)
			error = rat_buf_puts(out, "]}");
	}
	if (!error)
		error = rat_buf_puts(out, "]}");
	return error ? error : rat_buf_puts(out, entry_tail);
}

int rat_table__manifest_writer_new(rat_manifest_writer **out, const rat_table_metadata *meta,
				   const rat_table_spec *spec, rat_content content)
{
	const rat_table_schema *schema = rat_table__schema(meta, meta->current_schema_id);
	rat_manifest_writer *w = NULL;
	rat_buf avro_schema = RAT_BUF_INIT;
	char *schema_json = NULL, *spec_json = NULL, spec_id[16];
	json_t *spec_fields = json_array();
	size_t i;
	int error;

	*out = NULL;
	for (i = 0; spec_fields && spec && i < spec->field_count; i++)
		json_array_append_new(spec_fields,
				      json_pack("{s:i, s:i, s:s, s:s}", "source-id", spec->fields[i].source_id,
						"field-id", spec->fields[i].field_id, "transform",
						spec->fields[i].transform, "name", spec->fields[i].name));
	schema_json = json_dumps(schema->json, JSON_COMPACT);
	spec_json = spec_fields ? json_dumps(spec_fields, JSON_COMPACT) : NULL;
	snprintf(spec_id, sizeof(spec_id), "%d", spec ? spec->spec_id : 0);
	if (!schema_json || !spec_json || (w = rat__calloc(1, sizeof(*w))) == NULL) {
		error = rat_error__oom();
		goto cleanup;
	}
	if ((error = entry_schema(&avro_schema, spec, schema)) != 0)
		goto cleanup;
	{
		const char *keys[] = { "schema", "partition-spec", "partition-spec-id", "format-version",
				       "content" };
		const char *values[] = { schema_json, spec_json, spec_id, "2",
					 content == RAT_CONTENT_DATA ? "data" : "deletes" };
		error = rat_avro__writer_new(&w->avro, rat_buf_cstr(&avro_schema), keys, values, 5);
	}
	if (error)
		goto cleanup;
	w->spec = spec;
	w->content = content;
	w->summary.spec_id = spec ? spec->spec_id : 0;
	w->summary.content = content == RAT_CONTENT_DATA ? 0 : 1;
	*out = w;
	w = NULL;
cleanup:
	rat_table__manifest_writer_free(w);
	rat_buf_free(&avro_schema);
	json_decref(spec_fields);
	free(schema_json);
	free(spec_json);
	return error;
}

void rat_table__manifest_writer_free(rat_manifest_writer *w)
{
	if (!w)
		return;
	rat_avro__writer_free(w->avro);
	free(w->summary.path);
	free(w);
}

/* Select branch `index` of a union field of record and return the branch value. */
static int branch(avro_value_t *record, const char *name, int index, avro_value_t *out)
{
	avro_value_t field;

	if (avro_value_get_by_name(record, name, &field, NULL) != 0 ||
	    avro_value_set_branch(&field, index, out) != 0)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "manifest: field '%s': %s",
				      name, avro_strerror());
	return 0;
}

static int set_null(avro_value_t *record, const char *name)
{
	avro_value_t v;
	int error = branch(record, name, 0, &v);
	return error ? error : (avro_value_set_null(&v) ? rat_error__oom() : 0);
}

static int set_opt_long(avro_value_t *record, const char *name, int64_t value, bool present)
{
	avro_value_t v;
	int error;

	if (!present)
		return set_null(record, name);
	if ((error = branch(record, name, 1, &v)) != 0)
		return error;
	return avro_value_set_long(&v, value) ? rat_error__oom() : 0;
}

static int set_plain(avro_value_t *record, const char *name, json_t *value, bool is_long)
{
	avro_value_t v;

	if (avro_value_get_by_name(record, name, &v, NULL) != 0)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "manifest: no field '%s'", name);
	if (json_is_string(value))
		return avro_value_set_string(&v, json_string_value(value)) ? rat_error__oom() : 0;
	return (is_long ? avro_value_set_long(&v, json_integer_value(value))
			: avro_value_set_int(&v, (int32_t)json_integer_value(value)))
		       ? rat_error__oom()
		       : 0;
}

/* Fill an Iceberg id map (array of {key, value}) from a JSON object id -> count or hex bytes. */
static int set_id_map(avro_value_t *record, const char *name, json_t *map, bool bytes)
{
	avro_value_t array, item, key, value;
	const char *id;
	json_t *v;
	int error;

	if (!map || json_object_size(map) == 0)
		return set_null(record, name);
	if ((error = branch(record, name, 1, &array)) != 0)
		return error;
	json_object_foreach(map, id, v) {
		if (avro_value_append(&array, &item, NULL) != 0 ||
		    avro_value_get_by_name(&item, "key", &key, NULL) != 0 ||
		    avro_value_get_by_name(&item, "value", &value, NULL) != 0 ||
		    avro_value_set_int(&key, atoi(id)) != 0)
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "manifest: %s: %s",
					      name, avro_strerror());
		if (bytes) {
			unsigned char buf[256];
			size_t n = 0;
			/* bounds are short; an oversized or damaged one is written empty */
			if (!json_is_string(v) || rat_hex__decode(json_string_value(v), buf, sizeof(buf), &n) != 0) {
				rat_error_clear();
				n = 0;
			}
			error = avro_value_set_bytes(&value, buf, n) ? rat_error__oom() : 0;
		} else {
			error = avro_value_set_long(&value, json_integer_value(v)) ? rat_error__oom() : 0;
		}
		if (error)
			return error;
	}
	return 0;
}

static int set_partition(avro_value_t *data_file, const rat_table_spec *spec, json_t *values)
{
	avro_value_t partition, field, v;
	size_t i;

	if (avro_value_get_by_name(data_file, "partition", &partition, NULL) != 0)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "manifest: no partition");
	for (i = 0; spec && i < spec->field_count; i++) {
		json_t *value = json_object_get(values, spec->fields[i].name);
		if (avro_value_get_by_name(&partition, spec->fields[i].name, &field, NULL) != 0)
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
					      "manifest: no partition field '%s'", spec->fields[i].name);
		if (!value || json_is_null(value)) {
			if (avro_value_set_branch(&field, 0, &v) != 0 || avro_value_set_null(&v) != 0)
				return rat_error__oom();
			continue;
		}
		if (avro_value_set_branch(&field, 1, &v) != 0)
			return rat_error__oom();
		switch (avro_value_get_type(&v)) {
		case AVRO_STRING: avro_value_set_string(&v, json_string_value(value) ?: ""); break;
		case AVRO_INT64: avro_value_set_long(&v, json_integer_value(value)); break;
		case AVRO_BOOLEAN: avro_value_set_boolean(&v, json_is_true(value)); break;
		default: avro_value_set_int(&v, (int32_t)json_integer_value(value)); break;
		}
	}
	return 0;
}

static int fill_data_file(avro_value_t *df, const rat_manifest_writer *w, const rat_data_file *f)
{
	json_t *content = json_integer(f->content), *path = json_string(f->path);
	json_t *format = json_string(f->format ? f->format : "PARQUET");
	json_t *records = json_integer(f->record_count), *size = json_integer(f->file_size);
	int error = 0;

	if (!content || !path || !format || !records || !size)
		error = rat_error__oom();
	if (!error)
		error = set_plain(df, "content", content, false);
	if (!error)
		error = set_plain(df, "file_path", path, false);
	if (!error)
		error = set_plain(df, "file_format", format, false);
	if (!error)
		error = set_partition(df, w->spec, f->partition);
	if (!error)
		error = set_plain(df, "record_count", records, true);
	if (!error)
		error = set_plain(df, "file_size_in_bytes", size, true);
	if (!error)
		error = set_id_map(df, "column_sizes", NULL, false);
	if (!error)
		error = set_id_map(df, "value_counts", f->value_counts, false);
	if (!error)
		error = set_id_map(df, "null_value_counts", f->null_counts, false);
	if (!error)
		error = set_id_map(df, "nan_value_counts", NULL, false);
	if (!error)
		error = set_id_map(df, "lower_bounds", f->lower_bounds, true);
	if (!error)
		error = set_id_map(df, "upper_bounds", f->upper_bounds, true);
	if (!error)
		error = set_null(df, "key_metadata");
	if (!error)
		error = set_null(df, "split_offsets");
	if (!error)
		error = set_null(df, "equality_ids");
	if (!error)
		error = set_null(df, "sort_order_id");
	json_decref(content);
	json_decref(path);
	json_decref(format);
	json_decref(records);
	json_decref(size);
	return error;
}

static void count(rat_manifest_ref *s, const rat_data_file *f)
{
	switch (f->status) {
	case RAT_ENTRY_ADDED: s->added_files++; s->added_rows += f->record_count; break;
	case RAT_ENTRY_EXISTING: s->existing_files++; s->existing_rows += f->record_count; break;
	default: s->deleted_files++; s->deleted_rows += f->record_count; break;
	}
}

int rat_table__manifest_add(rat_manifest_writer *w, const rat_data_file *f)
{
	avro_value_t *record, status, df;
	bool added = f->status == RAT_ENTRY_ADDED;
	int error;

	if ((error = rat_avro__writer_record(w->avro, &record)) != 0)
		return error;
	if (avro_value_get_by_name(record, "status", &status, NULL) != 0 ||
	    avro_value_set_int(&status, (int32_t)f->status) != 0 ||
	    avro_value_get_by_name(record, "data_file", &df, NULL) != 0)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "manifest entry: %s",
				      avro_strerror());
	if ((error = set_opt_long(record, "snapshot_id", f->snapshot_id, true)) != 0 ||
	    (error = set_opt_long(record, "sequence_number", f->data_sequence_number, !added)) != 0 ||
	    (error = set_opt_long(record, "file_sequence_number", f->file_sequence_number, !added)) != 0 ||
	    (error = fill_data_file(&df, w, f)) != 0 || (error = rat_avro__writer_append(w->avro)) != 0)
		return error;
	count(&w->summary, f);
	return 0;
}

int rat_table__manifest_finish(rat_manifest_writer *w, char **data, size_t *len,
			       rat_manifest_ref *ref)
{
	int error = rat_avro__writer_finish(w->avro, data, len);
	if (!error) {
		*ref = w->summary;
		ref->path = NULL;
		ref->length = (int64_t)*len;
	}
	return error;
}

static int set_int_field(avro_value_t *record, const char *name, int64_t value, bool is_long)
{
	avro_value_t v;

	if (avro_value_get_by_name(record, name, &v, NULL) != 0 ||
	    (is_long ? avro_value_set_long(&v, value) : avro_value_set_int(&v, (int32_t)value)) != 0)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "manifest list: field '%s'",
				      name);
	return 0;
}

static int list_entry(avro_value_t *record, const rat_manifest_ref *m)
{
	avro_value_t path;
	int error;

	if (avro_value_get_by_name(record, "manifest_path", &path, NULL) != 0 ||
	    avro_value_set_string(&path, m->path) != 0)
		return rat_error__oom();
	if ((error = set_int_field(record, "manifest_length", m->length, true)) != 0 ||
	    (error = set_int_field(record, "partition_spec_id", m->spec_id, false)) != 0 ||
	    (error = set_int_field(record, "content", m->content, false)) != 0 ||
	    (error = set_int_field(record, "sequence_number", m->sequence_number, true)) != 0 ||
	    (error = set_int_field(record, "min_sequence_number", m->min_sequence_number, true)) != 0 ||
	    (error = set_int_field(record, "added_snapshot_id", m->added_snapshot_id, true)) != 0 ||
	    (error = set_int_field(record, "added_files_count", m->added_files, false)) != 0 ||
	    (error = set_int_field(record, "existing_files_count", m->existing_files, false)) != 0 ||
	    (error = set_int_field(record, "deleted_files_count", m->deleted_files, false)) != 0 ||
	    (error = set_int_field(record, "added_rows_count", m->added_rows, true)) != 0 ||
	    (error = set_int_field(record, "existing_rows_count", m->existing_rows, true)) != 0 ||
	    (error = set_int_field(record, "deleted_rows_count", m->deleted_rows, true)) != 0 ||
	    (error = set_null(record, "partitions")) != 0)
		return error;
	return set_null(record, "key_metadata");
}

int rat_table__manifest_list_write(const rat_manifest_ref *refs, size_t n, int64_t snapshot_id,
				   int64_t parent_id, int64_t sequence_number, char **data,
				   size_t *len)
{
	rat_avro_writer *w = NULL;
	char snap[32], parent[32], seq[32];
	const char *keys[] = { "snapshot-id", "sequence-number", "format-version", "parent-snapshot-id" };
	const char *values[] = { snap, seq, "2", parent };
	size_t i;
	int error;

	snprintf(snap, sizeof(snap), "%lld", (long long)snapshot_id);
	snprintf(parent, sizeof(parent), "%lld", (long long)parent_id);
	snprintf(seq, sizeof(seq), "%lld", (long long)sequence_number);
	if ((error = rat_avro__writer_new(&w, list_schema, keys, values, parent_id >= 0 ? 4 : 3)) != 0)
		return error;
	for (i = 0; !error && i < n; i++) {
		avro_value_t *record;
		if ((error = rat_avro__writer_record(w, &record)) == 0 &&
		    (error = list_entry(record, &refs[i])) == 0)
			error = rat_avro__writer_append(w);
	}
	if (!error)
		error = rat_avro__writer_finish(w, data, len);
	rat_avro__writer_free(w);
	return error;
}
