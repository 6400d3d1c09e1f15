/*
 * product/bind.c - a subscriber's session: products.<alias> for each
 * subscription of workspace.yaml (see product.h).
 *
 * The rules are read when the session opens, so a grant or a revoke takes
 * effect at the next query. Each products.<alias> is bound on demand, as
 * tables are (rat_workspace__bind_later()): a version's files are only
 * looked at when SQL reads it, and a subscription that cannot be served
 * (no access, no version matches, not published) fails, with that reason,
 * every statement that names it, whatever it asks of it; a query that
 * does not touch it runs as usual.
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

/* Why a subscription cannot be served: what binding it says. */
typedef struct refusal {
	int code;
	char *message;
} refusal;

static void refusal_free(void *payload)
{
	refusal *r = payload;

	if (r)
		free(r->message);
	free(r);
}

static int bind_refusal(rat_engine *engine, void *payload)
{
	const refusal *r = payload;

	(void)engine;
	return rat_error__set(r->code, RAT_ERRCLASS_WORKSPACE, "%s", r->message);
}

/* products.<alias> failing, with message, every statement that names it. */
static int bind_failure(rat_engine *engine, const char *alias, int code, const char *message)
{
	refusal *r = rat__calloc(1, sizeof(*r));
	char *key = rat__sprintf("products.%s", alias);
	int error;

	if (!r || !key || (r->message = rat__strdup(message)) == NULL) {
		refusal_free(r);
		free(key);
		return RAT_ENOMEM;
	}
	r->code = code;
	error = rat_workspace__bind_later(engine, key, bind_refusal, refusal_free, r);
	free(key);
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

/* What reading a version needs, kept by the session until SQL names it. */
typedef struct version_view {
	char *alias, *product, *location; /* product: "owner/name" */
	rat_strarray files;
	rat_store_options store;          /* the workspace's S3 settings and read cache (copies) */
} version_view;

static void version_view_free(void *payload)
{
	version_view *vv = payload;

	if (!vv)
		return;
	free(vv->alias);
	free(vv->product);
	free(vv->location);
	rat_strarray_free(&vv->files);
	rat_store__options_free(&vv->store);
	free(vv);
}

/* products.<alias> over the version's files, when SQL first names it. */
static int bind_version_view(rat_engine *engine, void *payload)
{
	const version_view *vv = payload;
	rat_store *store = NULL;
	rat_buf sql = RAT_BUF_INIT;
	char *local = NULL;
	size_t i;
	int error;

	if ((error = rat_store__open(&store, vv->location, &vv->store)) != 0 ||
	    (error = rat_buf_puts(&sql, "SELECT * FROM read_parquet([")) != 0)
		goto cleanup;
	for (i = 0; !error && i < vv->files.count; i++) {
		if ((error = rat_store__local_path(store, vv->files.strings[i], &local)) == 0 &&
		    (error = rat_buf_puts(&sql, i ? ", " : "")) == 0)
			error = rat_sql__literal(&sql, local);
		free(local);
		local = NULL;
	}
	if (!error && (error = rat_buf_puts(&sql, "])")) == 0)
		error = rat_engine__bind_view(engine, "products", vv->alias, rat_buf_cstr(&sql));
cleanup:
	if (error)
		rat_error__prefix("product %s", vv->product);
	rat_store__free(store);
	rat_buf_free(&sql);
	return error;
}

/* products.<alias> bound on demand over the version's files; its folder joins the allowed ones. */
static int bind_version(rat_engine *engine, const rat_workspace *ws, const char *alias,
			const rat_product_version *v, rat_strarray *allowed)
{
	rat_store_options opts;
	version_view *vv = rat__calloc(1, sizeof(*vv));
	char *key = rat__sprintf("products.%s", alias);
	size_t i;
	int error = 0;

	rat_workspace__store_options(ws, &opts);
	if (!vv || !key || (vv->alias = rat__strdup(alias)) == NULL ||
	    (vv->product = rat__sprintf("%s/%s", v->owner, v->name)) == NULL ||
	    (vv->location = rat__strdup(v->location)) == NULL)
		error = RAT_ENOMEM;
	for (i = 0; !error && i < v->files.count; i++)
		error = rat_strarray__push(&vv->files, v->files.strings[i]);
	if (!error)
		error = rat_store__options_copy(&vv->store, &opts);
	if (error) {
		version_view_free(vv);
	} else {
		error = rat_workspace__bind_later(engine, key, bind_version_view, version_view_free, vv);
		if (!error && allowed && v->location[0] == '/')
			error = rat_strarray__push(allowed, v->location);
	}
	free(key);
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
		error = bind_failure(engine, rat_workspace_subscription(ws, i)->alias, RAT_ENOTFOUND,
				     why);
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
	if ((error = rat_registry__open(&reg, ws)) != 0 ||
	    (error = rat_registry__list(&all, reg, NULL, NULL)) != 0)
		goto cleanup;
	for (i = 0; !error && i < rat_workspace_subscription_count(ws); i++) {
		const rat_subscription_config *sub = rat_workspace_subscription(ws, i);
		const rat_product_entry *p = NULL;
		const rat_product_version *v = NULL;
		rat_buf why = RAT_BUF_INIT;
		int refused = RAT_ENOTFOUND; /* not published, no version matches */
		if ((error = find(&p, &all, sub->product, &why)) == 0 && p) {
			if (!rat_registry__level(p, rat_workspace_name(ws))) {
				refused = RAT_EINVALID; /* no access */
				error = no_access(&why, ws, p);
			} else {
				error = pick(&v, p, sub->version_constraint, &why);
			}
		}
		if (!error && v)
			error = bind_version(engine, ws, sub->alias, v, allowed);
		else if (!error)
			error = bind_failure(engine, sub->alias, refused, rat_buf_cstr(&why));
		rat_buf_free(&why);
	}
cleanup:
	rat_product_entries_free(&all);
	rat_registry__free(reg);
	return error;
}
