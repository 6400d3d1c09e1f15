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
 * Open (creating its tables) the registry of a RAT_HOME, in its catalog's
 * file: RAT_ENOTFOUND, naming the file, when there is no catalog yet.
 */
RAT_MUST_USE int rat_registry__open(rat_registry **out, const char *home);
void rat_registry__free(rat_registry *reg);

/** Create or update a product's description, SLA and source. */
RAT_MUST_USE int rat_registry__put_product(rat_registry *reg, const char *owner, const char *name,
					   const char *description, double sla_hours,
					   const char *source);
/** Replace every access rule of a product. */
RAT_MUST_USE int rat_registry__set_rules(rat_registry *reg, const char *owner, const char *name,
					 const rat_product_rule *rules, size_t count);
/** Add (or change the level of) one rule; remove one (RAT_ENOTFOUND when absent). */
RAT_MUST_USE int rat_registry__grant(rat_registry *reg, const char *owner, const char *name,
				     const char *pattern, const char *level);
RAT_MUST_USE int rat_registry__revoke(rat_registry *reg, const char *owner, const char *name,
				      const char *pattern);
/** Record a version; RAT_EEXISTS when that version is already published. */
RAT_MUST_USE int rat_registry__add_version(rat_registry *reg, const rat_product_version *v);

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

#endif
