/*
 * product/api.c - the public product API (rat/product.h): listing, grants
 * and revokes; publishing is in publish.c.
 */
#include "util/common.h"
#include "util/buf.h"
#include "rat/product.h"
#include "rat/workspace.h"
#include "product/product.h"
#include "product/registry.h"
#include "workspace/workspace.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A list is one block: the strings and arrays it owns, then the items. */
typedef struct list_storage {
	rat_strarray pool;
	void **blocks;
	size_t block_count;
	rat_product_info items[];
} list_storage;

static list_storage *storage_of(rat_product_info *items)
{
	return (list_storage *)((char *)items - offsetof(list_storage, items));
}

static const char *keep(list_storage *st, const char *s)
{
	return rat_strarray__keep(&st->pool, s);
}

static void *block(list_storage *st, size_t size)
{
	void **grown = rat__realloc(st->blocks, (st->block_count + 1) * sizeof(void *));
	void *b;

	if (!grown)
		return NULL;
	st->blocks = grown;
	if ((b = rat__calloc(1, size ? size : 1)) != NULL)
		st->blocks[st->block_count++] = b;
	return b;
}

static int fill_version(rat_product_version_info *out, list_storage *st,
			const rat_product_version *v)
{
	const char **columns = block(st, (v->column_count + 1) * sizeof(char *));
	const char **names = block(st, (v->column_count + 1) * sizeof(char *));
	const char **types = block(st, (v->column_count + 1) * sizeof(char *));
	char text[128];
	size_t i;

	if (!columns || !names || !types)
		return RAT_ENOMEM;
	rat_semver__format(text, sizeof(text), &v->version);
	out->version = keep(st, text);
	out->source = keep(st, v->source);
	out->commit = keep(st, v->commit);
	out->snapshot_id = v->snapshot_id;
	out->rows = v->rows;
	out->published_ms = v->published_ms;
	out->changelog = keep(st, v->changelog);
	out->location = keep(st, v->location);
	for (i = 0; i < v->column_count; i++) {
		char *c = rat__sprintf("%s %s", v->columns[i].name, v->columns[i].type);
		columns[i] = keep(st, c);
		free(c);
		names[i] = keep(st, v->columns[i].name);
		types[i] = keep(st, v->columns[i].type);
	}
	out->columns = columns;
	out->column_names = names;
	out->column_types = types;
	out->column_count = v->column_count;
	return 0;
}

static int fill(rat_product_info *out, list_storage *st, const rat_product_entry *e,
		const char *workspace)
{
	const char **rules = block(st, (e->rule_count + 1) * sizeof(char *));
	const char *level = rat_registry__level(e, workspace);
	size_t i;
	int error = 0;

	out->owner = keep(st, e->owner);
	out->name = keep(st, e->name);
	out->description = keep(st, e->description);
	out->source = keep(st, e->source);
	out->sla_hours = e->sla_hours;
	out->access = level ? level : "";
	if (!rules || (e->version_count &&
		       (out->versions = block(st, e->version_count * sizeof(*out->versions))) == NULL))
		return RAT_ENOMEM;
	for (i = 0; i < e->rule_count; i++) {
		char *r = rat__sprintf("%s %s", e->rules[i].pattern, e->rules[i].level);
		rules[i] = keep(st, r);
		free(r);
	}
	out->rules = rules;
	out->rule_count = e->rule_count;
	for (i = 0; !error && i < e->version_count; i++)
		error = fill_version(&out->versions[out->version_count++], st, &e->versions[i]);
	return error;
}

/* "owner/name" or "name" -> the registry's filters. */
static void split_name(const char *name, char *owner, size_t olen, const char **bare)
{
	const char *slash = name ? strchr(name, '/') : NULL;

	owner[0] = '\0';
	*bare = name;
	if (slash) {
		snprintf(owner, olen, "%.*s", (int)(slash - name), name);
		*bare = slash + 1;
	}
}

int rat_product_list_get(rat_product_list *out, const rat_workspace *ws, const char *name)
{
	rat_registry *reg = NULL;
	rat_product_entries all = { NULL, 0 };
	list_storage *st = NULL;
	const char *bare;
	char owner[128];
	size_t i;
	int error;

	memset(out, 0, sizeof(*out));
	split_name(name, owner, sizeof(owner), &bare);
	/* access is answered for the workspace's name: the catalog must record it as this one's */
	if ((error = rat_workspace__check_identity(ws)) != 0 ||
	    (error = rat_registry__open(&reg, ws)) != 0 ||
	    (error = rat_registry__list(&all, reg, owner[0] ? owner : NULL, bare)) != 0)
		goto cleanup;
	if (name && all.count == 0) {
		error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_CATALOG, "no product '%s'", name);
		goto cleanup;
	}
	if ((st = rat__calloc(1, sizeof(*st) + all.count * sizeof(rat_product_info))) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	out->items = st->items;
	for (i = 0; !error && i < all.count; i++)
		error = fill(&out->items[out->count++], st, &all.items[i], rat_workspace_name(ws));
cleanup:
	if (error)
		rat_product_list_free(out);
	rat_product_entries_free(&all);
	rat_registry__free(reg);
	return error;
}

void rat_product_list_free(rat_product_list *list)
{
	list_storage *st;
	size_t i;

	if (!list || !list->items)
		return;
	st = storage_of(list->items);
	rat_strarray_free(&st->pool);
	for (i = 0; i < st->block_count; i++)
		free(st->blocks[i]);
	free(st->blocks);
	free(st);
	memset(list, 0, sizeof(*list));
}

/* The product of ws named name, which ws must administer. */
static int administered(rat_registry **reg, rat_product_entries *found, const rat_workspace *ws,
			const char *name)
{
	const char *bare, *level;
	char owner[128];
	int error;

	split_name(name, owner, sizeof(owner), &bare);
	if ((error = rat_workspace__check_identity(ws)) != 0 || /* the name is this workspace's */
	    (error = rat_registry__open(reg, ws)) != 0 ||
	    (error = rat_registry__list(found, *reg, owner[0] ? owner : rat_workspace_name(ws),
					bare)) != 0)
		return error;
	if (found->count == 0)
		return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_CATALOG,
				      "no product '%s' of workspace %s (publish it first)", name,
				      owner[0] ? owner : rat_workspace_name(ws));
	level = rat_registry__level(&found->items[0], rat_workspace_name(ws));
	if (!level || strcmp(level, "admin") != 0)
		return rat_error__set(RAT_EACCESS, RAT_ERRCLASS_CATALOG,
				      "workspace %s does not administer product %s/%s",
				      rat_workspace_name(ws), found->items[0].owner,
				      found->items[0].name);
	return 0;
}

int rat_product_grant(const rat_workspace *ws, const char *name, const char *pattern,
		      const char *level)
{
	rat_registry *reg = NULL;
	rat_product_entries found = { NULL, 0 };
	int error;

	if (!level || (strcmp(level, "read") != 0 && strcmp(level, "write") != 0 &&
		       strcmp(level, "admin") != 0))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "access level '%s' is read, write or admin",
				      level ? level : "(null)");
	if (!pattern || !*pattern)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "a rule needs a workspace pattern: *, prefix* or a name");
	if ((error = administered(&reg, &found, ws, name)) == 0)
		error = rat_registry__grant(reg, found.items[0].owner, found.items[0].name, pattern,
					    level);
	rat_product_entries_free(&found);
	rat_registry__free(reg);
	return error;
}

int rat_product_revoke(const rat_workspace *ws, const char *name, const char *pattern)
{
	rat_registry *reg = NULL;
	rat_product_entries found = { NULL, 0 };
	int error;

	if ((error = administered(&reg, &found, ws, name)) == 0)
		error = rat_registry__revoke(reg, found.items[0].owner, found.items[0].name,
					     pattern ? pattern : "");
	rat_product_entries_free(&found);
	rat_registry__free(reg);
	return error;
}

/* Add the keys of version v's files (and its version.json) under root to keys. */
static int version_files(rat_strarray *keys, const char *root, const rat_product_version *v)
{
	size_t n = strlen(root), i;
	const char *rel = v->location + n + 1;
	int error = 0;

	if (strncmp(v->location, root, n) != 0 || v->location[n] != '/')
		return 0; /* recorded elsewhere (a moved warehouse): nothing here to keep */
	for (i = 0; !error && i <= v->files.count; i++)
		error = rat_strarray__push_owned(
			keys, rat__sprintf("%s/%s", rel, i < v->files.count ? v->files.strings[i]
									   : "version.json"));
	return error;
}

char *rat_product__root(const rat_workspace *ws)
{
	return rat__sprintf("%s/_products/%s", rat_workspace_warehouse(ws), rat_workspace_name(ws));
}

int rat_product__files(rat_strarray *keys, const rat_workspace *ws, const char *root)
{
	rat_registry *reg = NULL;
	rat_product_entries all = { NULL, 0 };
	size_t i, j;
	int error = 0;

	memset(keys, 0, sizeof(*keys));
	if (!rat_workspace_catalog_exists(ws))
		return 0;
	if ((error = rat_registry__open(&reg, ws)) == 0 &&
	    (error = rat_registry__list(&all, reg, rat_workspace_name(ws), NULL)) == 0)
		for (i = 0; !error && i < all.count; i++)
			for (j = 0; !error && j < all.items[i].version_count; j++)
				error = version_files(keys, root, &all.items[i].versions[j]);
	rat_strarray__sort(keys);
	rat_product_entries_free(&all);
	rat_registry__free(reg);
	if (error)
		rat_strarray_free(keys);
	return error;
}
