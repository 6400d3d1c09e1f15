/*
 * pipeline/pipeline.h - a workspace's pipelines: discovery, configuration,
 * the DAG, selectors.
 *
 * A pipeline is a file under pipelines/<layer>/, flat (<name>.sql with an
 * optional <name>.yaml) or as a folder (<name>/pipeline.sql with an optional
 * config.yaml); .py and .sh files (or `command:` in the YAML) are
 * executable pipelines that write their rows to a folder they are given.
 * Configuration comes from the YAML and from `-- @key: value` header
 * annotations of the SQL; where both set a key, the YAML wins. The YAML is
 * strict: an unknown key, a wrong type or a bad value is an error naming
 * file:line:col and the key path (docs/pipelines.md lists the keys).
 */
#ifndef RAT_PIPELINE_PIPELINE_H
#define RAT_PIPELINE_PIPELINE_H

#include <stddef.h>

#include "util/common.h"
#include "util/buf.h"
#include "rat/engine.h"
#include "rat/workspace.h"
#include "template/template.h"
#include "pipeline/triggers.h"

typedef enum rat_materialization {
	RAT_MATERIALIZE_TABLE = 0, /* the default: rebuilt on every run */
	RAT_MATERIALIZE_VIEW,
	RAT_MATERIALIZE_INCREMENTAL
} rat_materialization;

/* on_schema_change: what an incremental build may change in its table's columns (dbt's). */
typedef enum rat_on_schema_change {
	RAT_ON_SCHEMA_FAIL = 0,         /* the default: any new, missing or retyped column fails */
	RAT_ON_SCHEMA_APPEND_NEW = 1,   /* append_new_columns: new columns are added */
	RAT_ON_SCHEMA_IGNORE = 2,       /* new columns are not written; missing ones are NULL */
	RAT_ON_SCHEMA_SYNC_ALL = 3      /* sync_all_columns: new ones added, missing ones dropped */
} rat_on_schema_change;

typedef enum rat_pipeline_kind {
	RAT_PIPELINE_SQL = 0,
	RAT_PIPELINE_PYTHON,  /* <name>.py / pipeline.py, run with python3 */
	RAT_PIPELINE_SHELL,   /* <name>.sh / pipeline.sh, run with sh */
	RAT_PIPELINE_COMMAND  /* `command:` in the YAML, run with sh -c */
} rat_pipeline_kind;

typedef enum rat_severity { RAT_SEVERITY_ERROR = 0, RAT_SEVERITY_WARN = 1 } rat_severity;

typedef enum rat_column_check {
	RAT_CHECK_NOT_NULL = 0,
	RAT_CHECK_UNIQUE,
	RAT_CHECK_POSITIVE,
	RAT_CHECK_ACCEPTED_VALUES,
	RAT_CHECK_MIN,
	RAT_CHECK_MAX
} rat_column_check;

/* One test of a column (`columns[].tests`). */
typedef struct rat_column_test {
	rat_column_check check;
	rat_strarray values; /* accepted_values, as written */
	char *bound;         /* min / max, as written (a number) */
	rat_severity severity;
} rat_column_test;

typedef struct rat_column_config {
	char *name;
	char *type;        /* documentation only; NULL when unset */
	char *description;
	char *example;
	bool pii;
	bool pii_set;      /* pii: was given (rat docs check wants every column marked) */
	char *pii_type;    /* pii_type: the kind of personal data ("email"); implies pii */
	rat_column_test *tests;
	size_t test_count;
} rat_column_config;

/*
 * One entry of `tests[]`: SQL whose every returned row is a violation, or,
 * with expect:, whose one value (one row of one column) must equal it.
 */
typedef struct rat_config_test {
	char *name;
	char *sql; /* a template: {{ this }} is the table under test */
	char *expect; /* NULL, or the expected value as written (an integer) */
	rat_severity severity;
} rat_config_test;

/* One rule of `documentation: {rules: [...]}`: documentation only (business_rules.md). */
typedef struct rat_doc_rule {
	char *name;
	char *description;
	char *sql; /* NULL, or the condition as written */
} rat_doc_rule;

typedef struct rat_pipeline {
	char *layer;       /* "bronze" */
	char *name;        /* "sales" */
	char *key;         /* "bronze.sales" */
	rat_pipeline_kind kind;
	char *source_path; /* absolute: the .sql/.py/.sh (NULL for a command) */
	char *config_path; /* absolute, NULL without a YAML */
	char *config_display; /* the YAML relative to the workspace, NULL without one */
	char *display;     /* the main file relative to the workspace, for messages */
	/*
	 * "pipelines/silver/orders": the folder of its docs and tests (and of its
	 * files in the folder layout), relative to the workspace. Named after its
	 * file, not after name: the two are apart after discovery (a Python
	 * pipeline may be named by its decorator, not its file).
	 */
	char *folder;
	char *sql;         /* the SQL text (template), NULL for executables */
	int sql_first_line; /* always 1: annotations stay in the text as comments */
	char *command;     /* RAT_PIPELINE_COMMAND */
	char *py_function; /* a Python pipeline's decorated function (util/pydecl.h); NULL: a script */
	rat_strarray py_depends_on; /* its decorator's depends_on=, resolved into deps */

	char *description;
	char *owner;       /* a string, or "team <email> (slack)" made from the mapping */
	rat_materialization materialized;
	rat_strarray unique_key;
	rat_strarray partition_by;
	bool partition_by_set; /* else the layer's default applies */
	rat_on_schema_change on_schema_change; /* for incremental builds */
	char *landing;     /* the landing folder, relative to the workspace's landing/ */
	char *landing_url; /* an S3 landing: its prefix (no '/' at the end); landing is then
			    * ".s3/<bucket>/<prefix>", the folder its objects are read from (run/landing_s3.c) */
	rat_column_config *columns;
	size_t column_count;
	rat_config_test *tests;
	size_t test_count;
	char *freshness_column;  /* NULL: _ingested_at in bronze, else none */
	int64_t warn_after_s;    /* 0: unset */
	int64_t error_after_s;
	char *documentation;     /* kept for rat docs: the string form, NULL with the mapping */
	rat_strarray doc_tags;   /* documentation: {tags: [...]} */
	rat_doc_rule *doc_rules; /* documentation: {rules: [...]} */
	size_t doc_rule_count;
	rat_trigger_config *triggers; /* triggers:, or a decorator's schedule= (pipeline/triggers.h) */
	size_t trigger_count;

	rat_strarray deps;       /* keys of the pipelines and tables it ref()s */
	rat_strarray warnings;   /* what loading it noticed but accepted (files ignored) */
} rat_pipeline;

typedef struct rat_pipelines {
	rat_pipeline *items; /* sorted by layer (bronze, silver, gold) then name */
	size_t count;
	/* The .sql files of the workspace's macros/ folder, for rendering (template.h). */
	struct rat_template_source *macros;
	size_t macro_count;
	/* The workspace they were loaded from (borrowed: it outlives them): env_var() reads its
	 * environment. */
	const rat_workspace *ws;
	/* Its secrets, opened the first time a template or an executable needs them (secrets.c). */
	struct rat_pipeline_secrets *secrets;
} rat_pipelines;

/*
 * secrets.c: what a pipeline reads of its workspace beyond its files.
 */

/**
 * Let tc's env_var() read what the workspace all were loaded from may read
 * of its environment, and secret() its secrets (tc->env_ctx is all).
 */
void rat_pipeline__template_env(rat_template_context *tc, const rat_pipelines *all);
/**
 * The workspace's secrets as "NAME=value" (owned by all), opened once,
 * whichever thread asks first (secret/secret.h: their values are masked in
 * messages from then on). An error (a missing key) is told to each caller.
 */
RAT_MUST_USE int rat_pipeline__secrets(const rat_strarray **out, const rat_pipelines *all);
RAT_MUST_USE int rat_pipeline__secrets_new(struct rat_pipeline_secrets **out);
void rat_pipeline__secrets_free(struct rat_pipeline_secrets *secrets);

/**
 * Discover and load every pipeline of a workspace, with its dependencies
 * (ref() names, found by pipeline/template.h). Any bad file fails the whole
 * load, naming file:line and key.
 *
 * @param out freed with rat_pipelines_free()
 */
RAT_MUST_USE int rat_pipeline__load_all(rat_pipelines *out, const rat_workspace *ws);
/**
 * Load one pipeline into p (zeroed by the caller): the files of
 * pipelines/<layer>/<stem> (flat or folder layout), named name (the table
 * layer.name). rat_pipeline__load_all() passes the file's stem as its name;
 * a pipeline named otherwise (a Python decorator's name) keeps its files
 * under stem. Its dependencies are not looked for. Free p with
 * rat_pipeline__free(), on failure too.
 */
RAT_MUST_USE int rat_pipeline__load(rat_pipeline *p, const rat_workspace *ws, const char *layer,
				    const char *stem, const char *name);
void rat_pipeline__free(rat_pipeline *p);
void rat_pipelines_free(rat_pipelines *pipelines);
/** The pipeline of key "layer.name", or NULL. */
rat_pipeline *rat_pipeline__find(const rat_pipelines *pipelines, const char *key);

/**
 * Parse a pipeline's configuration: the YAML file (may be NULL) over the
 * annotations in sql (may be NULL). Fills the configuration fields of p;
 * the identity fields (layer, name, key, paths) must be set already.
 */
RAT_MUST_USE int rat_pipeline__configure(rat_pipeline *p, const char *yaml_path,
					 const char *yaml_display);

/**
 * Call fn for each `-- @key: value` line at the top of text (the comment
 * lines before its first line of code); stops at fn's first error. A
 * malformed annotation is an error naming display:line.
 */
RAT_MUST_USE int rat_pipeline__annotations(const char *text, const char *display,
					   int (*fn)(void *ctx, int line, const char *key, const char *value),
					   void *ctx);
/**
 * Whether value (an @name: annotation or a YAML name:) names p: its name
 * ("events") or the original Ratatouille's asset name, <layer>_<name>
 * ("silver_events").
 */
bool rat_pipeline__is_own_name(const rat_pipeline *p, const char *value);
/** "[a, b]", "a, b" or "a" (items may be quoted) as a list; -1 when malformed. */
RAT_MUST_USE int rat_pipeline__split_list(rat_strarray *out, const char *value);

/**
 * The key a ref(name) of pipeline from names: name itself when it is
 * layer.name; for a bare name (the original Ratatouille's ref('sales')),
 * the key of the one pipeline named so in any layer (from itself aside:
 * silver.sales' ref('sales') is bronze.sales), or name unchanged when
 * there is none (an unknown ref, told by rat_pipeline__order()). More
 * than one: RAT_EINVALID listing them (the caller puts the file and line
 * in front). *key is borrowed from all or name.
 */
RAT_MUST_USE int rat_pipeline__resolve_ref(const char **key, const rat_pipelines *all,
					   const rat_pipeline *from, const char *name);
/**
 * The pipeline a user names on the command line: "layer.name", "layer/name",
 * or a bare name (the original Ratatouille's habit) that exactly one layer
 * has. layer (may be NULL) narrows the search. An error says which layers
 * have a bare name when several do, or that there is no such pipeline.
 */
RAT_MUST_USE int rat_pipeline__find_named(const rat_pipeline **out, const rat_pipelines *all,
					  const char *layer, const char *name);
/** Append the relation (SQL) ref(name) of from renders to: "silver"."sales". */
RAT_MUST_USE int rat_pipeline__ref_relation(rat_buf *out, const rat_pipelines *all,
					    const rat_pipeline *from, const char *name);
/** The line of the first quoted mention of key in p's SQL (1 when not found). */
int rat_pipeline__ref_line(const rat_pipeline *p, const char *key);

/**
 * Check the DAG and order it so that each pipeline comes after what it
 * depends on (ties keep the layer-then-name order). A ref() to a key that
 * is neither a pipeline nor in known (NULL: none; e.g. subscribed
 * products) is an error naming file:line and the key; a cycle is an error
 * naming the chain ("silver.a -> silver.b -> silver.a").
 *
 * @param order receives pipelines->count indexes into pipelines->items (free())
 */
RAT_MUST_USE int rat_pipeline__order(size_t **order, const rat_pipelines *pipelines,
				     const rat_strarray *known);
/** The keys a ref() may name besides pipelines: "products.<alias>" of each subscription. */
RAT_MUST_USE int rat_pipeline__known_refs(rat_strarray *out, const rat_workspace *ws);

/* api.c: what the public lists (api.c, trigger_api.c) are made of. */
/** One block per list: the strings it holds, an array of string pointers, then its items. */
typedef struct rat_list_block {
	rat_strarray pool;
	const char **pointers;
	max_align_t items[];
} rat_list_block;
/** A block of items (zeroed) of item_size bytes and pointers string pointers. */
RAT_MUST_USE int rat_pipeline__block_new(rat_list_block **out, size_t item_size, size_t items,
					 size_t pointers);
/** s (NULL: "") kept in b; "" when out of memory, so check a key that is never empty. */
const char *rat_pipeline__keep(rat_list_block *b, const char *s);
/** Release the block whose items start at items (NULL-safe). */
void rat_pipeline__block_free(void *items);
/** The workspace's pipelines loaded, checked and in dependency order (*order: indexes, free()). */
RAT_MUST_USE int rat_pipeline__load_ordered(rat_pipelines *all, size_t **order,
					    const rat_workspace *ws);

/**
 * Pick pipelines by selectors: "layer.name", "+layer.name" (with
 * everything upstream), "layer.name+" (with everything downstream),
 * "+layer.name+", or a bare layer "silver". No selector: all. A selector
 * matching nothing is an error naming it.
 *
 * @param picked receives one flag per pipeline (free())
 */
RAT_MUST_USE int rat_pipeline__select(bool **picked, const rat_pipelines *pipelines,
				      const char *const *selectors, size_t count);

/**
 * The highest value of column in relation, as a typed SQL literal
 * (CAST('2024-03-01 10:00:00' AS TIMESTAMP)). While the column holds no
 * value (no rows, or only NULLs), a literal below every value of its type
 * (CAST('-infinity' AS TIMESTAMP), -inf, ''), so that `col > watermark`
 * never filters every row away; RAT_EINVALID for a type with no lowest
 * value. NULL when relation has no such column's type to go by.
 * bare (a watermark() inside a SQL string, template.h): the value as text
 * (2024-03-01 10:00:00), or RAT_TEMPLATE_WATERMARK_NONE while there is none.
 */
RAT_MUST_USE int rat_pipeline__watermark(rat_buf *out, rat_engine *engine, const char *relation,
					 const char *column, bool bare);

/**
 * The Python a Python pipeline or a .py mock runs under: the workspace's
 * RAT_PYTHON, else the one the package was built for (RAT_PYTHON_DEFAULT).
 */
const char *rat_pipeline__python(const rat_workspace *ws);
/**
 * The folder to put on its PYTHONPATH: the workspace's RAT_PYTHONPATH, else
 * rat_python_package_dir(); NULL when neither (a package pip installed is
 * found by Python itself). Free it.
 */
char *rat_pipeline__python_path(const rat_workspace *ws);

#endif
