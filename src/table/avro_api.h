/*
 * table/avro_api.h - Avro C, loaded when the first manifest is read or
 * written (avro_api.c), not when a program starts: libavro brings snappy,
 * lzma and the C++ runtime, whose loading costs more than some commands
 * take in all (`rat tables` on tables it described before reads no
 * manifest).
 *
 * The Avro files include this instead of <avro.h> and call the functions as
 * usual: each library function used is defined here as the function of
 * that name loaded from libavro (the avro_value_* calls are macros over the
 * value's own functions and need nothing). A function is added to
 * RAT_AVRO_FUNCTIONS when the code first calls it. rat_avro__load() runs
 * where a container is opened or a writer made (avro_read.c, avro_write.c);
 * everything else works on those.
 */
#ifndef RAT_TABLE_AVRO_API_H
#define RAT_TABLE_AVRO_API_H

#include <avro.h>

#include "util/common.h"

#define RAT_AVRO_FUNCTIONS(X) \
	X(avro_file_reader_close) \
	X(avro_file_reader_fp) \
	X(avro_file_reader_get_writer_schema) \
	X(avro_file_reader_read_value) \
	X(avro_generic_class_from_schema) \
	X(avro_generic_value_new) \
	X(avro_schema_decref) \
	X(avro_schema_from_json_length) \
	X(avro_strerror) \
	X(avro_value_decref) \
	X(avro_value_sizeof) \
	X(avro_value_write) \
	X(avro_writer_free) \
	X(avro_writer_memory) \
	X(avro_writer_memory_set_dest) \
	X(avro_writer_tell)

typedef struct rat_avro_api {
#define RAT_AVRO_FIELD(name) __typeof__(&name) name;
	RAT_AVRO_FUNCTIONS(RAT_AVRO_FIELD)
#undef RAT_AVRO_FIELD
} rat_avro_api;

extern rat_avro_api rat_avro__fn;

/**
 * Load libavro and every function of RAT_AVRO_FUNCTIONS, once per process
 * (later calls return what the first found): 0, or RAT_EIO naming the
 * library and what failed.
 */
RAT_MUST_USE int rat_avro__load(void);

#ifndef RAT_AVRO_API_LOADER
#define avro_file_reader_close (rat_avro__fn.avro_file_reader_close)
#define avro_file_reader_fp (rat_avro__fn.avro_file_reader_fp)
#define avro_file_reader_get_writer_schema (rat_avro__fn.avro_file_reader_get_writer_schema)
#define avro_file_reader_read_value (rat_avro__fn.avro_file_reader_read_value)
#define avro_generic_class_from_schema (rat_avro__fn.avro_generic_class_from_schema)
#define avro_generic_value_new (rat_avro__fn.avro_generic_value_new)
#define avro_schema_decref (rat_avro__fn.avro_schema_decref)
#define avro_schema_from_json_length (rat_avro__fn.avro_schema_from_json_length)
#define avro_strerror (rat_avro__fn.avro_strerror)
#define avro_value_decref (rat_avro__fn.avro_value_decref)
#define avro_value_sizeof (rat_avro__fn.avro_value_sizeof)
#define avro_value_write (rat_avro__fn.avro_value_write)
#define avro_writer_free (rat_avro__fn.avro_writer_free)
#define avro_writer_memory (rat_avro__fn.avro_writer_memory)
#define avro_writer_memory_set_dest (rat_avro__fn.avro_writer_memory_set_dest)
#define avro_writer_tell (rat_avro__fn.avro_writer_tell)
#endif

#endif
