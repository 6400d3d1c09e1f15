/*
 * pipeline/config.h - what the two readers of a pipeline's configuration
 * share: the YAML (config.c) and the SQL's annotations (annotations.c).
 */
#ifndef RAT_PIPELINE_CONFIG_H
#define RAT_PIPELINE_CONFIG_H

#include "util/common.h"
#include "util/yaml.h"
#include "pipeline/pipeline.h"

/* Values of the keys with a fixed set of choices, in the order of their enums (NULL-terminated). */
extern const char *const rat_pipeline__materializations[];
extern const char *const rat_pipeline__schema_changes[];

/** The index of s among names (NULL-terminated), or -1. */
int rat_pipeline__choice(const char *s, const char *const *names);
/** "a, b, c" of names, into out (len bytes). */
void rat_pipeline__choices_text(char *out, size_t len, const char *const *names);
/*
 * A landing: a folder under the workspace's landing/ (relative, no empty,
 * "." or ".." segment), or an S3 prefix "s3://bucket/key/prefix" (a bucket
 * name, then segments by the same rules; where it may be is checked when a
 * run reads it: in the workspace's storage).
 */
bool rat_pipeline__valid_landing(const char *s);
/** A landing without its trailing '/' ("sales/" is the folder sales), in place. */
void rat_pipeline__trim_landing(char *s);
/**
 * Column names (or, for partitions, transforms of columns too): -1 with the
 * first bad one in *bad, else 0. Sets no message (the caller knows where).
 */
int rat_pipeline__check_columns_list(const rat_strarray *list, const char **bad, bool partitions);
/*
 * config_forms.c: the forms beside the plain ones (errors name file:line:col and the key).
 */
/** A duration: "30m", "12h", "2d", bare seconds, or {weeks, days, hours, minutes, seconds}. */
RAT_MUST_USE int rat_pipeline__yaml_duration(int64_t *out, const rat_yaml *yaml,
					     const rat_yaml_field *f);
/** `documentation:` of root: a string, or {tags: [...], rules: [{name, description, sql}]}. */
RAT_MUST_USE int rat_pipeline__yaml_documentation(rat_pipeline *p, const rat_yaml *yaml,
						  struct fy_node *root);
/** `expect:` of a tests[] item: an integer, kept as written in t->expect. */
RAT_MUST_USE int rat_pipeline__yaml_expect(rat_config_test *t, const rat_yaml *yaml,
					   const rat_yaml_field *item);
/** rat_pipeline__annotations()' callback that configures the rat_pipeline ctx points to. */
RAT_MUST_USE int rat_pipeline__annotation_cb(void *ctx, int line, const char *key,
					     const char *value);

#endif
