/*
 * util/yaml.h - reading YAML configuration with exact error positions.
 *
 * A thin layer over libfyaml's document tree for strict configuration
 * parsing: every error is "file:line:col: key.path: what is wrong (what is
 * allowed)". Unknown keys, duplicate keys and wrong types are errors, never
 * ignored. Integers must be plain (unquoted) scalars; strings may be any scalar.
 *
 * Fields are looked up in a mapping with rat_yaml__field(), which remembers
 * the key node so errors about a missing or empty value still point at it.
 */
#ifndef RAT_UTIL_YAML_H
#define RAT_UTIL_YAML_H

#include "util/common.h"

struct fy_node;
typedef struct rat_yaml rat_yaml;

/** A key of a mapping and its value; value is NULL for an empty value. */
typedef struct rat_yaml_field {
	struct fy_node *key;
	struct fy_node *value;
	char path[256]; /* full key path, e.g. "resources.overrides.max_memory_mb" */
} rat_yaml_field;

/** The largest configuration file read: 1 MiB. */
#define RAT_YAML_MAX_BYTES ((size_t)1 << 20)

/**
 * Parse a file. `display` is the name used in messages (e.g. "workspace.yaml"
 * or a path). The root must be a mapping with at least one key.
 */
RAT_MUST_USE int rat_yaml__load(rat_yaml **out, const char *path, const char *display);
/** Parse text held in memory (for tests and embedded defaults). */
RAT_MUST_USE int rat_yaml__parse(rat_yaml **out, const char *text, size_t len, const char *display);
void rat_yaml__free(rat_yaml *yaml);
const char *rat_yaml__display(const rat_yaml *yaml);
struct fy_node *rat_yaml__root(rat_yaml *yaml);

/** 1-based line and column of a node (of its first scalar for collections). */
void rat_yaml__position(const rat_yaml *yaml, struct fy_node *node, int *line, int *col);

/** Set a configuration error at node: "display:line:col: path: message". Returns RAT_EINVALID. */
int rat_yaml__error(const rat_yaml *yaml, struct fy_node *node, const char *path,
		    const char *fmt, ...) RAT_PRINTF(4, 5);
/** Same, at the field's value, or at its key when the value is empty. */
int rat_yaml__field_error(const rat_yaml *yaml, const rat_yaml_field *field, const char *fmt, ...)
	RAT_PRINTF(3, 4);

/**
 * Check that node is a mapping whose keys are plain strings among `allowed`
 * (NULL-terminated), each at most once. `path` names node ("" for the root).
 */
RAT_MUST_USE int rat_yaml__check_mapping(const rat_yaml *yaml, struct fy_node *node,
					 const char *path, const char *const *allowed);
/** Look up key in a checked mapping. Returns true and fills field when present. */
bool rat_yaml__field(rat_yaml_field *field, struct fy_node *mapping, const char *path,
		     const char *key);
/** Describe a sequence item as a field: path "parent[index]". */
void rat_yaml__item(rat_yaml_field *field, struct fy_node *item, const char *path, size_t index);

/** True for an empty value, `null`, `Null`, `NULL` or `~` (plain). */
bool rat_yaml__is_null(struct fy_node *node);
/** The value's kind for messages: "a mapping", "a sequence", "a string", "an integer", ... */
const char *rat_yaml__kind(struct fy_node *node);

/** A scalar as a new string (free()); error for null, mappings and sequences. */
RAT_MUST_USE int rat_yaml__string(char **out, const rat_yaml *yaml, const rat_yaml_field *field);
/** A plain integer scalar within [min, max]. */
RAT_MUST_USE int rat_yaml__int(int64_t *out, const rat_yaml *yaml, const rat_yaml_field *field,
			       int64_t min, int64_t max);
/** A plain number (integer or decimal) greater than 0. */
RAT_MUST_USE int rat_yaml__positive_number(double *out, const rat_yaml *yaml,
					   const rat_yaml_field *field);
/** `true` or `false` (a scalar, as written); anything else an error naming the value. */
RAT_MUST_USE int rat_yaml__bool(bool *out, const rat_yaml *yaml, const rat_yaml_field *field);
/** A sequence of strings, or one string taken as a list of one. */
RAT_MUST_USE int rat_yaml__string_list(rat_strarray *out, const rat_yaml *yaml,
				       const rat_yaml_field *field);
/** A mapping field (checked against allowed keys). */
RAT_MUST_USE int rat_yaml__mapping(const rat_yaml *yaml, const rat_yaml_field *field,
				   const char *const *allowed);
/** A sequence field; *count receives its length. */
RAT_MUST_USE int rat_yaml__sequence(size_t *count, const rat_yaml *yaml,
				    const rat_yaml_field *field);
/** A node as one line of JSON (plain scalars typed: 1, true, null; quoted ones strings). (free()) */
RAT_MUST_USE int rat_yaml__json(char **out, struct fy_node *node);
/** The i-th item of a sequence node. */
struct fy_node *rat_yaml__at(struct fy_node *sequence, size_t i);

#endif
