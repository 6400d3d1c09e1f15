/*
 * engine/types.c - DuckDB logical types: our coarse rat_type for each, and the
 * SQL spelling of a type ("DECIMAL(18,3)", "INTEGER[]", "MAP(VARCHAR, INTEGER)")
 * for result headers and messages.
 */
#include "rat/engine.h"
#include "engine/engine_internal.h"

#include <inttypes.h>

rat_type rat_engine__type(duckdb_logical_type type)
{
	switch (duckdb_get_type_id(type)) {
	case DUCKDB_TYPE_SQLNULL: return RAT_TYPE_NULL;
	case DUCKDB_TYPE_BOOLEAN: return RAT_TYPE_BOOLEAN;
	case DUCKDB_TYPE_TINYINT: case DUCKDB_TYPE_SMALLINT: case DUCKDB_TYPE_INTEGER:
	case DUCKDB_TYPE_BIGINT: case DUCKDB_TYPE_UTINYINT: case DUCKDB_TYPE_USMALLINT:
	case DUCKDB_TYPE_UINTEGER: case DUCKDB_TYPE_UBIGINT: return RAT_TYPE_INTEGER;
	case DUCKDB_TYPE_HUGEINT: case DUCKDB_TYPE_UHUGEINT: return RAT_TYPE_HUGEINT;
	case DUCKDB_TYPE_FLOAT: case DUCKDB_TYPE_DOUBLE: return RAT_TYPE_FLOAT;
	case DUCKDB_TYPE_DECIMAL: return RAT_TYPE_DECIMAL;
	case DUCKDB_TYPE_VARCHAR: return RAT_TYPE_VARCHAR;
	case DUCKDB_TYPE_BLOB: return RAT_TYPE_BLOB;
	case DUCKDB_TYPE_DATE: return RAT_TYPE_DATE;
	case DUCKDB_TYPE_TIME: return RAT_TYPE_TIME;
	case DUCKDB_TYPE_TIMESTAMP: case DUCKDB_TYPE_TIMESTAMP_S: case DUCKDB_TYPE_TIMESTAMP_MS:
	case DUCKDB_TYPE_TIMESTAMP_NS: return RAT_TYPE_TIMESTAMP;
	case DUCKDB_TYPE_TIMESTAMP_TZ: return RAT_TYPE_TIMESTAMP_TZ;
	case DUCKDB_TYPE_INTERVAL: return RAT_TYPE_INTERVAL;
	case DUCKDB_TYPE_UUID: return RAT_TYPE_UUID;
	case DUCKDB_TYPE_LIST: case DUCKDB_TYPE_ARRAY: return RAT_TYPE_LIST;
	case DUCKDB_TYPE_STRUCT: return RAT_TYPE_STRUCT;
	case DUCKDB_TYPE_MAP: return RAT_TYPE_MAP;
	default: return RAT_TYPE_OTHER;
	}
}

static const char *simple_type_name(duckdb_type id)
{
	switch (id) {
	case DUCKDB_TYPE_BOOLEAN: return "BOOLEAN";
	case DUCKDB_TYPE_TINYINT: return "TINYINT";
	case DUCKDB_TYPE_SMALLINT: return "SMALLINT";
	case DUCKDB_TYPE_INTEGER: return "INTEGER";
	case DUCKDB_TYPE_BIGINT: return "BIGINT";
	case DUCKDB_TYPE_UTINYINT: return "UTINYINT";
	case DUCKDB_TYPE_USMALLINT: return "USMALLINT";
	case DUCKDB_TYPE_UINTEGER: return "UINTEGER";
	case DUCKDB_TYPE_UBIGINT: return "UBIGINT";
	case DUCKDB_TYPE_HUGEINT: return "HUGEINT";
	case DUCKDB_TYPE_UHUGEINT: return "UHUGEINT";
	case DUCKDB_TYPE_FLOAT: return "FLOAT";
	case DUCKDB_TYPE_DOUBLE: return "DOUBLE";
	case DUCKDB_TYPE_VARCHAR: return "VARCHAR";
	case DUCKDB_TYPE_BLOB: return "BLOB";
	case DUCKDB_TYPE_DATE: return "DATE";
	case DUCKDB_TYPE_TIME: return "TIME";
	case DUCKDB_TYPE_TIME_TZ: return "TIME WITH TIME ZONE";
	case DUCKDB_TYPE_TIMESTAMP: return "TIMESTAMP";
	case DUCKDB_TYPE_TIMESTAMP_S: return "TIMESTAMP_S";
	case DUCKDB_TYPE_TIMESTAMP_MS: return "TIMESTAMP_MS";
	case DUCKDB_TYPE_TIMESTAMP_NS: return "TIMESTAMP_NS";
	case DUCKDB_TYPE_TIMESTAMP_TZ: return "TIMESTAMP WITH TIME ZONE";
	case DUCKDB_TYPE_INTERVAL: return "INTERVAL";
	case DUCKDB_TYPE_UUID: return "UUID";
	case DUCKDB_TYPE_BIT: return "BIT";
	case DUCKDB_TYPE_BIGNUM: return "BIGNUM";
	case DUCKDB_TYPE_SQLNULL: return "\"NULL\"";
	default: return NULL;
	}
}

static int child_type_name(rat_buf *out, duckdb_logical_type child)
{
	int error = rat_engine__type_name(out, child);
	duckdb_destroy_logical_type(&child);
	return error;
}

static int struct_type_name(rat_buf *out, duckdb_logical_type type, bool is_union)
{
	idx_t i, n = is_union ? duckdb_union_type_member_count(type)
			      : duckdb_struct_type_child_count(type);
	int error = rat_buf_puts(out, is_union ? "UNION(" : "STRUCT(");

	for (i = 0; !error && i < n; i++) {
		char *name = is_union ? duckdb_union_type_member_name(type, i)
				      : duckdb_struct_type_child_name(type, i);
		error = rat_buf_printf(out, "%s%s ", i ? ", " : "", name ? name : "");
		duckdb_free(name);
		if (!error)
			error = child_type_name(out, is_union ? duckdb_union_type_member_type(type, i)
							      : duckdb_struct_type_child_type(type, i));
	}
	return error ? error : rat_buf_putc(out, ')');
}

int rat_engine__type_name(rat_buf *out, duckdb_logical_type type)
{
	duckdb_type id = duckdb_get_type_id(type);
	const char *simple = simple_type_name(id);
	char *alias = duckdb_logical_type_get_alias(type);
	int error;

	if (alias) {
		error = rat_buf_puts(out, alias);
		duckdb_free(alias);
		return error;
	}
	if (simple)
		return rat_buf_puts(out, simple);
	switch (id) {
	case DUCKDB_TYPE_DECIMAL:
		return rat_buf_printf(out, "DECIMAL(%u,%u)", duckdb_decimal_width(type),
				      duckdb_decimal_scale(type));
	case DUCKDB_TYPE_ENUM:
		return rat_buf_puts(out, "ENUM");
	case DUCKDB_TYPE_LIST:
		if ((error = child_type_name(out, duckdb_list_type_child_type(type))) != 0)
			return error;
		return rat_buf_puts(out, "[]");
	case DUCKDB_TYPE_ARRAY:
		if ((error = child_type_name(out, duckdb_array_type_child_type(type))) != 0)
			return error;
		return rat_buf_printf(out, "[%" PRIu64 "]", (uint64_t)duckdb_array_type_array_size(type));
	case DUCKDB_TYPE_MAP:
		if ((error = rat_buf_puts(out, "MAP(")) != 0 ||
		    (error = child_type_name(out, duckdb_map_type_key_type(type))) != 0 ||
		    (error = rat_buf_puts(out, ", ")) != 0 ||
		    (error = child_type_name(out, duckdb_map_type_value_type(type))) != 0)
			return error;
		return rat_buf_putc(out, ')');
	case DUCKDB_TYPE_STRUCT:
		return struct_type_name(out, type, false);
	case DUCKDB_TYPE_UNION:
		return struct_type_name(out, type, true);
	default:
		return rat_buf_printf(out, "TYPE%d", (int)id);
	}
}

