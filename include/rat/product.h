/*
 * rat/product.h - data products: publish a workspace's tables as versioned,
 * access-controlled products; list them, their versions and rules; grant
 * and revoke access (SPEC X1-X4). Subscriptions are declared in
 * workspace.yaml and bound into every session as products.<alias>.
 *
 * Lists are owned by the caller and released with their _free function;
 * the strings inside live as long as the list.
 */
#ifndef RAT_PRODUCT_H
#define RAT_PRODUCT_H

#include "common.h"
#include "workspace.h"

RAT_BEGIN_DECL

typedef struct rat_product_version_info {
	const char *version;      /**< "1.2.0" */
	const char *source;       /**< the owner's layer.table */
	const char *commit;       /**< the owner's catalog commit it was published from */
	int64_t snapshot_id;
	int64_t rows;
	int64_t published_ms;
	const char *changelog;    /**< "" when none */
	const char *location;     /**< the folder (or s3:// prefix) of its files */
	const char *const *columns; /**< "name TYPE" each */
	const char *const *column_names; /**< each column's name alone */
	const char *const *column_types; /**< each column's type alone ("DECIMAL(9,2)") */
	size_t column_count;        /**< of each of the three arrays */
} rat_product_version_info;

typedef struct rat_product_info {
	const char *owner;        /**< the publishing workspace */
	const char *name;
	const char *description;
	const char *source;
	double sla_hours;         /**< freshness SLA; 0 when none */
	const char *const *rules; /**< "pattern level" each, e.g. "audit-* read" */
	size_t rule_count;
	const char *access;       /**< the asking workspace's level: admin, write, read, or "" */
	rat_product_version_info *versions; /**< oldest first */
	size_t version_count;
} rat_product_info;

typedef struct rat_product_list {
	rat_product_info *items; /**< by owner, then name */
	size_t count;
} rat_product_list;

/** Every product ("owner/name" or a name: only those), with the asking workspace's access. */
RAT_EXTERN(int) RAT_CHECKED rat_product_list_get(rat_product_list *out, const rat_workspace *ws, const char *name);
RAT_EXTERN(void) rat_product_list_free(rat_product_list *list);

typedef struct rat_publish_options {
	unsigned int version;  /**< RAT_PUBLISH_OPTIONS_VERSION */
	const char *new_version; /**< an exact new version, or NULL */
	const char *bump;      /**< "major", "minor" or "patch"; NULL: patch, or minor when
				    columns were added (1.0.0 for a first version) */
	const char *changelog; /**< "" or NULL: none */
} rat_publish_options;

#define RAT_PUBLISH_OPTIONS_VERSION 1
#define RAT_PUBLISH_OPTIONS_INIT { RAT_PUBLISH_OPTIONS_VERSION, NULL, NULL, NULL }

/**
 * Fill opts with the defaults of version (pass RAT_PUBLISH_OPTIONS_VERSION):
 * the same as RAT_PUBLISH_OPTIONS_INIT. RAT_EINVALID for a version this library does
 * not know.
 */
RAT_EXTERN(int) RAT_CHECKED rat_publish_options_init(rat_publish_options *opts, unsigned int version);

/**
 * Publish the product name of the workspace's `products:` config (NULL:
 * each of them), from its source table on the workspace's branch. The
 * config's access rules replace the product's. On success *version
 * receives the version published (of the last product, with name NULL).
 * A version that drops or retypes a column of the previous one without a
 * major bump is refused, naming the column.
 */
RAT_EXTERN(int) RAT_CHECKED rat_product_publish(char version[64], const rat_workspace *ws, const char *name, const rat_publish_options *opts);

/** Give workspaces matching pattern ("*", "prefix*", a name) a level on a product the
 *  workspace owns (or administers). */
RAT_EXTERN(int) RAT_CHECKED rat_product_grant(const rat_workspace *ws, const char *name, const char *pattern, const char *level);
/** Remove the rule for pattern; takes effect at the subscribers' next query. */
RAT_EXTERN(int) RAT_CHECKED rat_product_revoke(const rat_workspace *ws, const char *name, const char *pattern);

/*
 * For a server (`rat serve`'s /rat/v1/products), so that every machine of a
 * team shares one registry.
 */
/**
 * The registry's products as JSON text (rat_free()): {"products": [{"owner",
 * "name", "description", "source", "slaHours", "rules": [{"pattern", "level"}],
 * "versions": [{"version", "source", "commit", "snapshotId", "rows",
 * "publishedMs", "changelog", "location", "columns": [{"name", "type"}],
 * "files": [...]}]}]}, those of owner and name only when given (NULL: all).
 */
RAT_EXTERN(int) RAT_CHECKED rat_product_registry_get(char **out, const rat_workspace *ws,
						     const char *owner, const char *name);
/**
 * Record a version of one of ws's products that a client published (its
 * files written under ws's _products/ folder of the warehouse): request_json
 * is {"description", "slaHours", "source", "rules": [...], "version": {...}}
 * in the form above. The product's fields and rules are replaced and the
 * version added in one transaction. RAT_EACCESS for another workspace's
 * product; RAT_EINVALID when the files are not where ws publishes them;
 * RAT_EEXISTS when that version is already published.
 */
RAT_EXTERN(int) RAT_CHECKED rat_product_version_record(const rat_workspace *ws,
						       const char *request_json);

RAT_END_DECL

#endif
