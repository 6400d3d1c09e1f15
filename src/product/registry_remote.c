/*
 * product/registry_remote.c - the product registry of `rat serve`
 * (registry.h), for a workspace whose catalog is the server's (NESSIE_URI):
 *
 *   GET    /rat/v1/products[?owner=O&name=N]              the products
 *   POST   /rat/v1/products/{owner}/{name}/versions        a version published
 *   PUT    /rat/v1/products/{owner}/{name}/access/{pattern}  a rule granted
 *   DELETE /rat/v1/products/{owner}/{name}/access/{pattern}  a rule revoked
 *
 * The server decides again what the token's workspace may do (only its own
 * products are published; granting needs admin), as its registry is the one
 * the catalog's read checks use.
 */
#include "util/common.h"
#include "util/buf.h"
#include "product/registry.h"
#include "remote/remote.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* "/rat/v1/products/{owner}/{name}{tail}{last}", each name a percent-encoded segment. */
static int product_path(rat_buf *b, const char *owner, const char *name, const char *tail,
			const char *last)
{
	int error = rat_buf_puts(b, "/rat/v1/products/");

	if (!error)
		error = rat_remote__segment(b, owner);
	if (!error)
		error = rat_buf_putc(b, '/');
	if (!error)
		error = rat_remote__segment(b, name);
	if (!error && tail)
		error = rat_buf_puts(b, tail);
	if (!error && last)
		error = rat_remote__segment(b, last);
	return error;
}

int rat_registry__remote_list(rat_product_entries *out, rat_remote *r, const char *owner,
			      const char *name)
{
	rat_buf path = RAT_BUF_INIT;
	json_t *doc = NULL;
	int error = rat_buf_puts(&path, "/rat/v1/products?");

	memset(out, 0, sizeof(*out));
	if (!error && owner && ((error = rat_buf_puts(&path, "owner=")) != 0 ||
				(error = rat_remote__segment(&path, owner)) != 0 ||
				(error = rat_buf_putc(&path, '&')) != 0))
		goto done;
	if (!error && name && ((error = rat_buf_puts(&path, "name=")) != 0 ||
			       (error = rat_remote__segment(&path, name)) != 0))
		goto done;
	if (!error && (error = rat_remote__call(r, "GET", rat_buf_cstr(&path), NULL, &doc)) == 0)
		error = rat_registry__entries_parse(out, json_object_get(doc, "products"));
done:
	json_decref(doc);
	rat_buf_free(&path);
	return error;
}

int rat_registry__remote_record(rat_remote *r, const rat_product_version *v,
				const char *description, double sla_hours, const char *source,
				const rat_product_rule *rules, size_t rule_count)
{
	rat_buf path = RAT_BUF_INIT;
	json_t *list = json_array(), *body;
	size_t i;
	int error;

	for (i = 0; list && i < rule_count; i++)
		json_array_append_new(list, json_pack("{s:s, s:s}", "pattern", rules[i].pattern,
						      "level", rules[i].level));
	body = json_pack("{s:s, s:f, s:s, s:o, s:o}", "description", description ? description : "",
			 "slaHours", sla_hours, "source", source ? source : "", "rules", list,
			 "version", rat_registry__version_json(v));
	if (!body || (error = product_path(&path, v->owner, v->name, "/versions", NULL)) != 0)
		error = rat_error__oom();
	else
		error = rat_remote__call(r, "POST", rat_buf_cstr(&path), body, NULL);
	json_decref(body);
	rat_buf_free(&path);
	return error;
}

int rat_registry__remote_grant(rat_remote *r, const char *owner, const char *name,
			       const char *pattern, const char *level)
{
	rat_buf path = RAT_BUF_INIT;
	json_t *body = json_pack("{s:s}", "level", level);
	int error;

	if (!body || (error = product_path(&path, owner, name, "/access/", pattern)) != 0)
		error = rat_error__oom();
	else
		error = rat_remote__call(r, "PUT", rat_buf_cstr(&path), body, NULL);
	json_decref(body);
	rat_buf_free(&path);
	return error;
}

int rat_registry__remote_revoke(rat_remote *r, const char *owner, const char *name,
				const char *pattern)
{
	rat_buf path = RAT_BUF_INIT;
	int error;

	if ((error = product_path(&path, owner, name, "/access/", pattern)) != 0)
		error = rat_error__oom();
	else
		error = rat_remote__call(r, "DELETE", rat_buf_cstr(&path), NULL, NULL);
	rat_buf_free(&path);
	return error;
}
