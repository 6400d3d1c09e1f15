/*
 * product/registry.h - the registry of data products, beside the catalog in
 * RAT_HOME/catalog.db: products (owner workspace, name, description, SLA,
 * source table), their immutable versions, and the access rules.
 *
 * A product is named owner/name (finance/ledger). A version records where
 * its rows are (a folder of Parquet files written at publish time, under
 * the warehouse's _products/ prefix, which no vacuum of the owner touches),
 * the columns and types, the row count, the source table, catalog commit
 * and snapshot it was published from, its time and changelog.
 */
#ifndef RAT_PRODUCT_REGISTRY_H
#define RAT_PRODUCT_REGISTRY_H

#include "util/common.h"
#include "product/semver.h"
#include "rat/workspace.h"

#include <jansson.h>

typedef struct rat_registry rat_registry;

typedef struct rat_product_column {
	char *name;
	char *type; /* DuckDB's spelling, e.g. DECIMAL(10,2) */
} rat_product_column;

typedef struct rat_product_version {
	char *owner, *name;
	rat_semver version;
	char *source;        /* layer.table of the owner */
	char *commit;        /* the owner's catalog commit it was published from */
	int64_t snapshot_id;
	rat_product_column *columns;
	size_t column_count;
	int64_t rows;
	int64_t published_ms;
	char *changelog;
	char *location;      /* the folder (or s3:// prefix) holding its files */
	rat_strarray files;  /* file names in location */
} rat_product_version;

typedef struct rat_product_rule {
	char *pattern; /* "*", "prefix*" or a workspace name */
	char *level;   /* read, write, admin */
} rat_product_rule;

typedef struct rat_product_entry {
	char *owner, *name, *description, *source;
	double sla_hours;
	rat_product_rule *rules;
	size_t rule_count;
	rat_product_version *versions; /* oldest first */
	size_t version_count;
} rat_product_entry;

typedef struct rat_product_entries {
	rat_product_entry *items; /* by owner, then name */
	size_t count;
} rat_product_entries;

/**
 * Open (creating its tables) the registry of ws's RAT_HOME, in its
 * catalog's file: RAT_ENOTFOUND, naming the file, when there is no catalog
 * yet. With NESSIE_URI, the server's registry (/rat/v1/products).
 */
RAT_MUST_USE int rat_registry__open(rat_registry **out, const rat_workspace *ws);
void rat_registry__free(rat_registry *reg);

/**
 * Record a published version v, with its product's description, SLA,
 * source and every access rule (which replace the product's), in one
 * transaction: all or nothing. RAT_EEXISTS when that version is already
 * published.
 */
RAT_MUST_USE int rat_registry__record(rat_registry *reg, const rat_product_version *v,
				      const char *description, double sla_hours,
				      const char *source, const rat_product_rule *rules,
				      size_t rule_count);
/** Add (or change the level of) one rule; remove one (RAT_ENOTFOUND when absent). */
RAT_MUST_USE int rat_registry__grant(rat_registry *reg, const char *owner, const char *name,
				     const char *pattern, const char *level);
RAT_MUST_USE int rat_registry__revoke(rat_registry *reg, const char *owner, const char *name,
				      const char *pattern);

/**
 * The products whose owner is owner (NULL: all) and whose name is name
 * (NULL: all), with their rules and versions.
 */
RAT_MUST_USE int rat_registry__list(rat_product_entries *out, rat_registry *reg, const char *owner,
				    const char *name);
void rat_product_entries_free(rat_product_entries *entries);
void rat_product_version_clear(rat_product_version *v);

/** The level a workspace has on a product: "admin" for its owner, a rule's, or NULL. */
const char *rat_registry__level(const rat_product_entry *p, const char *workspace);

/* registry_json.c: products and versions as /rat/v1 gives them (camelCase fields). */
json_t *rat_registry__version_json(const rat_product_version *v);
json_t *rat_registry__entry_json(const rat_product_entry *e);
/* A version from JSON (rat_product_version_clear() in every case); RAT_EINVALID, said. */
RAT_MUST_USE int rat_registry__version_parse(rat_product_version *v, json_t *doc);
/* A JSON array of products into out (rat_product_entries_free() in every case). */
RAT_MUST_USE int rat_registry__entries_parse(rat_product_entries *out, json_t *products);
/* A JSON array of {"pattern", "level"} into *out (count of them; free each and *out). */
RAT_MUST_USE int rat_registry__rules_parse(rat_product_rule **out, size_t *count, json_t *rules);
/* A version's columns ([{"name","type"}]) and files (names) into v. */
RAT_MUST_USE int rat_registry__columns_files_parse(rat_product_version *v, json_t *columns,
						   json_t *files);

/* registry_remote.c: the registry of rat serve (NESSIE_URI), under /rat/v1/products. */
typedef struct rat_remote rat_remote;
RAT_MUST_USE int rat_registry__remote_list(rat_product_entries *out, rat_remote *r,
					   const char *owner, const char *name);
RAT_MUST_USE int rat_registry__remote_record(rat_remote *r, const rat_product_version *v,
					     const char *description, double sla_hours,
					     const char *source, const rat_product_rule *rules,
					     size_t rule_count);
RAT_MUST_USE int rat_registry__remote_grant(rat_remote *r, const char *owner, const char *name,
					    const char *pattern, const char *level);
RAT_MUST_USE int rat_registry__remote_revoke(rat_remote *r, const char *owner, const char *name,
					     const char *pattern);

#endif
