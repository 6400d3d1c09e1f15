/*
 * product/bind.c - a subscriber's session: products.<alias> for each
 * subscription of workspace.yaml (see product.h).
 *
 * The rules are read when the session opens, so a grant or a revoke takes
 * effect at the next query. What cannot be served becomes a view that
 * raises the reason: a query that does not touch it runs as usual.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/sql.h"
#include "rat/engine.h"
#include "rat/workspace.h"
#include "engine/engine.h"
#include "product/product.h"
#include "product/registry.h"
#include "storage/storage.h"
#include "workspace/tables.h"
#include "workspace/workspace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* products.<alias> raising message when read. */
static int bind_failure(rat_engine *engine, const char *alias, const char *message)
{
	rat_buf sql = RAT_BUF_INIT;
	int error;

	if ((error = rat_buf_puts(&sql, "SELECT error(")) == 0 &&
	    (error = rat_sql__literal(&sql, message)) == 0 &&
	    (error = rat_buf_puts(&sql, ") AS unavailable")) == 0)
		error = rat_engine__bind_view(engine, "products", alias, rat_buf_cstr(&sql));
	rat_buf_free(&sql);
	return error;
}

/*
 * The product a subscription names: owner/name, or a name only one owner
 * uses. *found NULL with the reason in why when there is none.
 */
static int find(const rat_product_entry **found, const rat_product_entries *all,
		const char *product, rat_buf *why)
{
	const char *slash = strchr(product, '/');
	size_t i, n = 0;

	*found = NULL;
	for (i = 0; i < all->count; i++) {
		const rat_product_entry *e = &all->items[i];
		bool same = slash ? strncmp(e->owner, product, (size_t)(slash - product)) == 0 &&
					    e->owner[slash - product] == '\0' &&
					    strcmp(e->name, slash + 1) == 0
				  : strcmp(e->name, product) == 0;
		if (same) {
			*found = e;
			n++;
		}
	}
	if (n == 1)
		return 0;
	*found = NULL;
	if (n == 0)
		return rat_buf_printf(why, "no product '%s' is published", product);
	return rat_buf_printf(why, "%zu workspaces publish a product '%s': name it owner/%s", n,
			      product, product);
}

/* Why ws may not read p: the rules it has. */
static int no_access(rat_buf *why, const rat_workspace *ws, const rat_product_entry *p)
{
	size_t i;
	int error = rat_buf_printf(why, "workspace %s may not read product %s/%s: no access rule "
					"matches it (", rat_workspace_name(ws), p->owner, p->name);

	if (!error && !p->rule_count)
		error = rat_buf_puts(why, "it has no access rules");
	for (i = 0; !error && i < p->rule_count; i++)
		error = rat_buf_printf(why, "%s%s %s", i ? ", " : "rules: ", p->rules[i].pattern,
				       p->rules[i].level);
	return error ? error : rat_buf_puts(why, ")");
}

/* Why no version of p matches constraint: the versions there are. */
static int no_match(rat_buf *why, const rat_product_entry *p, const rat_semver *versions,
		    const char *constraint)
{
	size_t i;
	int error = rat_buf_printf(why, "no version of %s/%s matches '%s' (published:", p->owner,
				   p->name, constraint);

	for (i = 0; !error && i < p->version_count; i++) {
		char text[128];
		rat_semver__format(text, sizeof(text), &versions[i]);
		error = rat_buf_printf(why, " %s", text);
	}
	return error ? error : rat_buf_puts(why, p->version_count ? ")" : " none)");
}

/* The version a constraint picks, or *chosen NULL with the reason in why. */
static int pick(const rat_product_version **chosen, const rat_product_entry *p,
		const char *constraint, rat_buf *why)
{
	rat_semver_range *range = NULL;
	rat_semver *versions = rat__calloc(p->version_count + 1, sizeof(*versions));
	size_t i;
	long at;
	int error = 0;

	*chosen = NULL;
	if (!versions)
		return RAT_ENOMEM;
	for (i = 0; i < p->version_count; i++)
		versions[i] = p->versions[i].version;
	if (rat_semver__range_parse(&range, constraint) != 0) {
		if ((error = rat_buf_puts(why, rat_error_last()->message)) == 0)
			rat_error_clear(); /* the reason is the subscription's now */
	} else if ((at = rat_semver__max_satisfying(range, versions, p->version_count)) < 0) {
		error = no_match(why, p, versions, constraint);
	} else {
		*chosen = &p->versions[at];
	}
	rat_semver__range_free(range);
	free(versions);
	return error;
}

/* products.<alias> over the version's files; its folder joins the allowed ones. */
static int bind_version(rat_engine *engine, const rat_workspace *ws, const char *alias,
			const rat_product_version *v, rat_strarray *allowed)
{
	rat_store_options opts;
	rat_store *store = NULL;
	rat_buf sql = RAT_BUF_INIT;
	char *local = NULL;
	size_t i;
	int error;

	rat_workspace__store_options(ws, &opts);
	if ((error = rat_store__open(&store, v->location, &opts)) != 0 ||
	    (error = rat_buf_puts(&sql, "SELECT * FROM read_parquet([")) != 0)
		goto cleanup;
	for (i = 0; !error && i < v->files.count; i++) {
		if ((error = rat_store__local_path(store, v->files.strings[i], &local)) == 0 &&
		    (error = rat_buf_puts(&sql, i ? ", " : "")) == 0)
			error = rat_sql__literal(&sql, local);
		free(local);
		local = NULL;
	}
	if (!error && (error = rat_buf_puts(&sql, "])")) == 0 &&
	    (error = rat_engine__bind_view(engine, "products", alias, rat_buf_cstr(&sql))) == 0 &&
	    allowed && v->location[0] == '/')
		error = rat_strarray__push(allowed, v->location);
cleanup:
	if (error)
		rat_error__prefix("product %s/%s", v->owner, v->name);
	rat_store__free(store);
	rat_buf_free(&sql);
	return error;
}

/* No catalog yet, so no products: each subscription reads as a failure saying where it looked. */
static int no_registry(rat_engine *engine, const rat_workspace *ws)
{
	char why[2048];
	size_t i;
	int error;

	rat__ignore(rat_workspace__no_catalog(ws)); /* sets the message read below */
	snprintf(why, sizeof(why), "%s", rat_error_last()->message);
	rat_error_clear();
	for (i = 0, error = 0; !error && i < rat_workspace_subscription_count(ws); i++)
		error = bind_failure(engine, rat_workspace_subscription(ws, i)->alias, why);
	return error;
}

int rat_product__bind(rat_engine *engine, const rat_workspace *ws, rat_strarray *allowed)
{
	rat_registry *reg = NULL;
	rat_product_entries all = { NULL, 0 };
	size_t i;
	int error;

	if (rat_workspace_subscription_count(ws) == 0)
		return 0;
	if (!rat_workspace_catalog_exists(ws))
		return no_registry(engine, ws);
	if ((error = rat_registry__open(&reg, rat_workspace_home(ws))) != 0 ||
	    (error = rat_registry__list(&all, reg, NULL, NULL)) != 0)
		goto cleanup;
	for (i = 0; !error && i < rat_workspace_subscription_count(ws); i++) {
		const rat_subscription_config *sub = rat_workspace_subscription(ws, i);
		const rat_product_entry *p = NULL;
		const rat_product_version *v = NULL;
		rat_buf why = RAT_BUF_INIT;
		if ((error = find(&p, &all, sub->product, &why)) == 0 && p) {
			if (!rat_registry__level(p, rat_workspace_name(ws)))
				error = no_access(&why, ws, p);
			else
				error = pick(&v, p, sub->version_constraint, &why);
		}
		if (!error && v)
			error = bind_version(engine, ws, sub->alias, v, allowed);
		else if (!error)
			error = bind_failure(engine, sub->alias, rat_buf_cstr(&why));
		rat_buf_free(&why);
	}
cleanup:
	rat_product_entries_free(&all);
	rat_registry__free(reg);
	return error;
}
