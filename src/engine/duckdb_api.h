/*
 * engine/duckdb_api.h - DuckDB's C API, loaded when the first engine opens
 * (duckdb_api.c), not when a program starts: libduckdb is most of what
 * starting rat costs (its relocations alone), and `rat tables`, `rat log`,
 * `rat serve` and the other commands that run no SQL never need it.
 *
 * The engine's files call duckdb_x() as usual: each name used is defined
 * here as the function of that name loaded from libduckdb. A function is
 * added to RAT_DUCKDB_FUNCTIONS when the engine first calls it. Only what
 * opens an engine (rat_engine__open) and rat_engine_version() load the
 * library (rat_duckdb__load); everything else runs on what an open engine
 * made, so it is loaded by then.
 */
#ifndef RAT_ENGINE_DUCKDB_API_H
#define RAT_ENGINE_DUCKDB_API_H

#include <duckdb.h>

#include "util/common.h"

#define RAT_DUCKDB_FUNCTIONS(X) \
	X(duckdb_append_data_chunk) \
	X(duckdb_appender_close) \
	X(duckdb_appender_column_type) \
	X(duckdb_appender_create_ext) \
	X(duckdb_appender_destroy) \
	X(duckdb_appender_error) \
	X(duckdb_array_type_array_size) \
	X(duckdb_array_type_child_type) \
	X(duckdb_array_vector_get_child) \
	X(duckdb_bind_blob) \
	X(duckdb_bind_boolean) \
	X(duckdb_bind_double) \
	X(duckdb_bind_int64) \
	X(duckdb_bind_null) \
	X(duckdb_bind_parameter_index) \
	X(duckdb_bind_varchar_length) \
	X(duckdb_close) \
	X(duckdb_column_count) \
	X(duckdb_column_logical_type) \
	X(duckdb_column_name) \
	X(duckdb_connect) \
	X(duckdb_create_config) \
	X(duckdb_create_data_chunk) \
	X(duckdb_create_logical_type) \
	X(duckdb_data_chunk_get_size) \
	X(duckdb_data_chunk_get_vector) \
	X(duckdb_data_chunk_reset) \
	X(duckdb_data_chunk_set_size) \
	X(duckdb_decimal_internal_type) \
	X(duckdb_decimal_scale) \
	X(duckdb_decimal_width) \
	X(duckdb_destroy_config) \
	X(duckdb_destroy_data_chunk) \
	X(duckdb_destroy_extracted) \
	X(duckdb_destroy_logical_type) \
	X(duckdb_destroy_pending) \
	X(duckdb_destroy_prepare) \
	X(duckdb_destroy_result) \
	X(duckdb_disconnect) \
	X(duckdb_enum_dictionary_value) \
	X(duckdb_enum_internal_type) \
	X(duckdb_execute_pending) \
	X(duckdb_execute_prepared) \
	X(duckdb_extract_statements) \
	X(duckdb_extract_statements_error) \
	X(duckdb_fetch_chunk) \
	X(duckdb_free) \
	X(duckdb_from_date) \
	X(duckdb_from_time) \
	X(duckdb_from_time_tz) \
	X(duckdb_get_type_id) \
	X(duckdb_hugeint_to_double) \
	X(duckdb_interrupt) \
	X(duckdb_is_finite_date) \
	X(duckdb_library_version) \
	X(duckdb_list_type_child_type) \
	X(duckdb_list_vector_get_child) \
	X(duckdb_logical_type_get_alias) \
	X(duckdb_map_type_key_type) \
	X(duckdb_map_type_value_type) \
	X(duckdb_nparams) \
	X(duckdb_open_ext) \
	X(duckdb_pending_error) \
	X(duckdb_pending_prepared_streaming) \
	X(duckdb_prepare) \
	X(duckdb_prepare_error) \
	X(duckdb_prepare_extracted_statement) \
	X(duckdb_prepared_statement_column_count) \
	X(duckdb_prepared_statement_column_logical_type) \
	X(duckdb_prepared_statement_column_name) \
	X(duckdb_prepared_statement_column_type) \
	X(duckdb_prepared_statement_type) \
	X(duckdb_query) \
	X(duckdb_result_error) \
	X(duckdb_result_error_type) \
	X(duckdb_set_config) \
	X(duckdb_string_t_data) \
	X(duckdb_string_t_length) \
	X(duckdb_struct_type_child_count) \
	X(duckdb_struct_type_child_name) \
	X(duckdb_struct_type_child_type) \
	X(duckdb_struct_vector_get_child) \
	X(duckdb_union_type_member_count) \
	X(duckdb_union_type_member_name) \
	X(duckdb_union_type_member_type) \
	X(duckdb_validity_row_is_valid) \
	X(duckdb_validity_set_row_invalid) \
	X(duckdb_vector_assign_string_element_len) \
	X(duckdb_vector_ensure_validity_writable) \
	X(duckdb_vector_get_data) \
	X(duckdb_vector_get_validity) \
	X(duckdb_vector_size)

typedef struct rat_duckdb_api {
#define RAT_DUCKDB_FIELD(name) __typeof__(&name) name;
	RAT_DUCKDB_FUNCTIONS(RAT_DUCKDB_FIELD)
#undef RAT_DUCKDB_FIELD
} rat_duckdb_api;

extern rat_duckdb_api rat_duckdb__fn;

/**
 * Load libduckdb and every function of RAT_DUCKDB_FUNCTIONS, once per
 * process (later calls return what the first found): 0, or RAT_EIO naming
 * the library and what failed (not found; a function missing from it).
 */
RAT_MUST_USE int rat_duckdb__load(void);

#ifndef RAT_DUCKDB_API_LOADER
#define duckdb_append_data_chunk (rat_duckdb__fn.duckdb_append_data_chunk)
#define duckdb_appender_close (rat_duckdb__fn.duckdb_appender_close)
#define duckdb_appender_column_type (rat_duckdb__fn.duckdb_appender_column_type)
#define duckdb_appender_create_ext (rat_duckdb__fn.duckdb_appender_create_ext)
#define duckdb_appender_destroy (rat_duckdb__fn.duckdb_appender_destroy)
#define duckdb_appender_error (rat_duckdb__fn.duckdb_appender_error)
#define duckdb_array_type_array_size (rat_duckdb__fn.duckdb_array_type_array_size)
#define duckdb_array_type_child_type (rat_duckdb__fn.duckdb_array_type_child_type)
#define duckdb_array_vector_get_child (rat_duckdb__fn.duckdb_array_vector_get_child)
#define duckdb_bind_blob (rat_duckdb__fn.duckdb_bind_blob)
#define duckdb_bind_boolean (rat_duckdb__fn.duckdb_bind_boolean)
#define duckdb_bind_double (rat_duckdb__fn.duckdb_bind_double)
#define duckdb_bind_int64 (rat_duckdb__fn.duckdb_bind_int64)
#define duckdb_bind_null (rat_duckdb__fn.duckdb_bind_null)
#define duckdb_bind_parameter_index (rat_duckdb__fn.duckdb_bind_parameter_index)
#define duckdb_bind_varchar_length (rat_duckdb__fn.duckdb_bind_varchar_length)
#define duckdb_close (rat_duckdb__fn.duckdb_close)
#define duckdb_column_count (rat_duckdb__fn.duckdb_column_count)
#define duckdb_column_logical_type (rat_duckdb__fn.duckdb_column_logical_type)
#define duckdb_column_name (rat_duckdb__fn.duckdb_column_name)
#define duckdb_connect (rat_duckdb__fn.duckdb_connect)
#define duckdb_create_config (rat_duckdb__fn.duckdb_create_config)
#define duckdb_create_data_chunk (rat_duckdb__fn.duckdb_create_data_chunk)
#define duckdb_create_logical_type (rat_duckdb__fn.duckdb_create_logical_type)
#define duckdb_data_chunk_get_size (rat_duckdb__fn.duckdb_data_chunk_get_size)
#define duckdb_data_chunk_get_vector (rat_duckdb__fn.duckdb_data_chunk_get_vector)
#define duckdb_data_chunk_reset (rat_duckdb__fn.duckdb_data_chunk_reset)
#define duckdb_data_chunk_set_size (rat_duckdb__fn.duckdb_data_chunk_set_size)
#define duckdb_decimal_internal_type (rat_duckdb__fn.duckdb_decimal_internal_type)
#define duckdb_decimal_scale (rat_duckdb__fn.duckdb_decimal_scale)
#define duckdb_decimal_width (rat_duckdb__fn.duckdb_decimal_width)
#define duckdb_destroy_config (rat_duckdb__fn.duckdb_destroy_config)
#define duckdb_destroy_data_chunk (rat_duckdb__fn.duckdb_destroy_data_chunk)
#define duckdb_destroy_extracted (rat_duckdb__fn.duckdb_destroy_extracted)
#define duckdb_destroy_logical_type (rat_duckdb__fn.duckdb_destroy_logical_type)
#define duckdb_destroy_pending (rat_duckdb__fn.duckdb_destroy_pending)
#define duckdb_destroy_prepare (rat_duckdb__fn.duckdb_destroy_prepare)
#define duckdb_destroy_result (rat_duckdb__fn.duckdb_destroy_result)
#define duckdb_disconnect (rat_duckdb__fn.duckdb_disconnect)
#define duckdb_enum_dictionary_value (rat_duckdb__fn.duckdb_enum_dictionary_value)
#define duckdb_enum_internal_type (rat_duckdb__fn.duckdb_enum_internal_type)
#define duckdb_execute_pending (rat_duckdb__fn.duckdb_execute_pending)
#define duckdb_execute_prepared (rat_duckdb__fn.duckdb_execute_prepared)
#define duckdb_extract_statements (rat_duckdb__fn.duckdb_extract_statements)
#define duckdb_extract_statements_error (rat_duckdb__fn.duckdb_extract_statements_error)
#define duckdb_fetch_chunk (rat_duckdb__fn.duckdb_fetch_chunk)
#define duckdb_free (rat_duckdb__fn.duckdb_free)
#define duckdb_from_date (rat_duckdb__fn.duckdb_from_date)
#define duckdb_from_time (rat_duckdb__fn.duckdb_from_time)
#define duckdb_from_time_tz (rat_duckdb__fn.duckdb_from_time_tz)
#define duckdb_get_type_id (rat_duckdb__fn.duckdb_get_type_id)
#define duckdb_hugeint_to_double (rat_duckdb__fn.duckdb_hugeint_to_double)
#define duckdb_interrupt (rat_duckdb__fn.duckdb_interrupt)
#define duckdb_is_finite_date (rat_duckdb__fn.duckdb_is_finite_date)
#define duckdb_library_version (rat_duckdb__fn.duckdb_library_version)
#define duckdb_list_type_child_type (rat_duckdb__fn.duckdb_list_type_child_type)
#define duckdb_list_vector_get_child (rat_duckdb__fn.duckdb_list_vector_get_child)
#define duckdb_logical_type_get_alias (rat_duckdb__fn.duckdb_logical_type_get_alias)
#define duckdb_map_type_key_type (rat_duckdb__fn.duckdb_map_type_key_type)
#define duckdb_map_type_value_type (rat_duckdb__fn.duckdb_map_type_value_type)
#define duckdb_nparams (rat_duckdb__fn.duckdb_nparams)
#define duckdb_open_ext (rat_duckdb__fn.duckdb_open_ext)
#define duckdb_pending_error (rat_duckdb__fn.duckdb_pending_error)
#define duckdb_pending_prepared_streaming (rat_duckdb__fn.duckdb_pending_prepared_streaming)
#define duckdb_prepare (rat_duckdb__fn.duckdb_prepare)
#define duckdb_prepare_error (rat_duckdb__fn.duckdb_prepare_error)
#define duckdb_prepare_extracted_statement (rat_duckdb__fn.duckdb_prepare_extracted_statement)
#define duckdb_prepared_statement_column_count (rat_duckdb__fn.duckdb_prepared_statement_column_count)
#define duckdb_prepared_statement_column_logical_type (rat_duckdb__fn.duckdb_prepared_statement_column_logical_type)
#define duckdb_prepared_statement_column_name (rat_duckdb__fn.duckdb_prepared_statement_column_name)
#define duckdb_prepared_statement_column_type (rat_duckdb__fn.duckdb_prepared_statement_column_type)
#define duckdb_prepared_statement_type (rat_duckdb__fn.duckdb_prepared_statement_type)
#define duckdb_query (rat_duckdb__fn.duckdb_query)
#define duckdb_result_error (rat_duckdb__fn.duckdb_result_error)
#define duckdb_result_error_type (rat_duckdb__fn.duckdb_result_error_type)
#define duckdb_set_config (rat_duckdb__fn.duckdb_set_config)
#define duckdb_string_t_data (rat_duckdb__fn.duckdb_string_t_data)
#define duckdb_string_t_length (rat_duckdb__fn.duckdb_string_t_length)
#define duckdb_struct_type_child_count (rat_duckdb__fn.duckdb_struct_type_child_count)
#define duckdb_struct_type_child_name (rat_duckdb__fn.duckdb_struct_type_child_name)
#define duckdb_struct_type_child_type (rat_duckdb__fn.duckdb_struct_type_child_type)
#define duckdb_struct_vector_get_child (rat_duckdb__fn.duckdb_struct_vector_get_child)
#define duckdb_union_type_member_count (rat_duckdb__fn.duckdb_union_type_member_count)
#define duckdb_union_type_member_name (rat_duckdb__fn.duckdb_union_type_member_name)
#define duckdb_union_type_member_type (rat_duckdb__fn.duckdb_union_type_member_type)
#define duckdb_validity_row_is_valid (rat_duckdb__fn.duckdb_validity_row_is_valid)
#define duckdb_validity_set_row_invalid (rat_duckdb__fn.duckdb_validity_set_row_invalid)
#define duckdb_vector_assign_string_element_len (rat_duckdb__fn.duckdb_vector_assign_string_element_len)
#define duckdb_vector_ensure_validity_writable (rat_duckdb__fn.duckdb_vector_ensure_validity_writable)
#define duckdb_vector_get_data (rat_duckdb__fn.duckdb_vector_get_data)
#define duckdb_vector_get_validity (rat_duckdb__fn.duckdb_vector_get_validity)
#define duckdb_vector_size (rat_duckdb__fn.duckdb_vector_size)
#endif

#endif
