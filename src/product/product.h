/*
 * product/product.h - publishing a workspace's products and binding the
 * products it subscribes to (SPEC X1-X3).
 *
 * Publishing writes the source table's rows, as they are on the workspace's
 * branch, into a folder of its own under the warehouse
 * (<warehouse>/_products/<owner>/<name>/<version>/), and records the version
 * in the registry. A version is never rewritten: it stays readable whatever
 * happens to its source (overwrite, expiry, vacuum). A version that drops
 * or retypes a column of the previous one needs a new major version.
 *
 * A subscriber's session binds products.<alias> to the version its
 * constraint picks, after checking the access rules, and may then read that
 * version's folder and nothing else of the owner. A subscription that
 * cannot be served (no access, no such product, no matching version) fails
 * every statement that names it with the reason; others run (bound on
 * demand, as tables are).
 */
#ifndef RAT_PRODUCT_PRODUCT_H
#define RAT_PRODUCT_PRODUCT_H

#include "util/common.h"
#include "rat/engine.h"
#include "rat/workspace.h"

/**
 * Bind the workspace's subscriptions into engine as products.<alias>, and
 * add the folders they read to allowed (for the lock-down that follows;
 * NULL: a session that stays unlocked).
 */
RAT_MUST_USE int rat_product__bind(rat_engine *engine, const rat_workspace *ws,
				   rat_strarray *allowed);

/** The folder of the workspace's published products: <warehouse>/_products/<owner>. (free()) */
char *rat_product__root(const rat_workspace *ws);
/**
 * The files under root (rat_product__root()) that the registry names, as
 * keys relative to it, sorted: each version's data files and its
 * version.json; what `rat vacuum` keeps there. None when there is no
 * catalog yet. Free with rat_strarray_free().
 */
RAT_MUST_USE int rat_product__files(rat_strarray *keys, const rat_workspace *ws, const char *root);

#endif
