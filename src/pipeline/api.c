/*
 * pipeline/api.c - the public pipeline list (rat/pipeline.h): the loaded,
 * checked pipelines in dependency order, as plain strings.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/dl.h"
#include "util/fs.h"
#include "rat/pipeline.h"
#include "rat/workspace.h"
#include "pipeline/pipeline.h"
#include "workspace/workspace.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

int rat_pipeline__block_new(rat_list_block **out, size_t item_size, size_t items, size_t pointers)
{
	rat_list_block *b = rat__calloc(1, sizeof(*b) + (items ? items : 1) * item_size);

	*out = NULL;
	if (!b)
		return RAT_ENOMEM;
	if (pointers && !(b->pointers = rat__calloc(pointers, sizeof(char *)))) {
		free(b);
		return RAT_ENOMEM;
	}
	*out = b;
	return 0;
}

const char *rat_pipeline__keep(rat_list_block *b, const char *s)
{
	return rat_strarray__keep(&b->pool, s ? s : "");
}

void rat_pipeline__block_free(void *items)
{
	rat_list_block *b;

	if (!items)
		return;
	b = (rat_list_block *)((char *)items - offsetof(rat_list_block, items));
	rat_strarray_free(&b->pool);
	free(b->pointers);
	free(b);
}

int rat_pipeline__load_ordered(rat_pipelines *all, size_t **order, const rat_workspace *ws)
{
	rat_strarray known = RAT_STRARRAY_INIT;
	int error;

	*order = NULL;
	if ((error = rat_pipeline__known_refs(&known, ws)) == 0 &&
	    (error = rat_pipeline__load_all(all, ws)) == 0)
		error = rat_pipeline__order(order, all, &known);
	rat_strarray_free(&known);
	return error;
}

static const char *const kinds[] = { "sql", "python", "shell", "command" };
static const char *const materializations[] = { "table", "view", "incremental" };

#define keep rat_pipeline__keep

/* "a<sep>b" of list, kept in st; *out NULL when out of memory. */
static int joined_by(const char **out, rat_list_block *st, const rat_strarray *list,
		     const char *sep)
{
	rat_buf text = RAT_BUF_INIT;
	size_t i;
	int error = 0;

	*out = NULL;
	for (i = 0; !error && i < list->count; i++)
		error = rat_buf_printf(&text, "%s%s", i ? sep : "", list->strings[i]);
	if (!error && (*out = keep(st, rat_buf_cstr(&text)))[0] == '\0' && text.len)
		error = RAT_ENOMEM; /* keep() gives "" when it cannot copy */
	rat_buf_free(&text);
	return error;
}

static int joined(const char **out, rat_list_block *st, const rat_strarray *list)
{
	return joined_by(out, st, list, ", ");
}

static int fill(rat_pipeline_info *info, rat_list_block *st, const rat_pipeline *p,
		const rat_workspace *ws, const char **deps)
{
	rat_layer_settings layer;
	rat_strarray defaults = RAT_STRARRAY_INIT;
	rat_layer which;
	size_t i;
	int error;

	info->key = keep(st, p->key);
	info->layer = keep(st, p->layer);
	info->name = keep(st, p->name);
	info->kind = kinds[p->kind];
	info->materialized = materializations[p->materialized];
	info->path = keep(st, p->display);
	info->description = keep(st, p->description);
	info->owner = keep(st, p->owner);
	info->landing = keep(st, p->landing_url ? p->landing_url : p->landing);
	if ((error = joined(&info->unique_key, st, &p->unique_key)) != 0 ||
	    (error = joined_by(&info->warnings, st, &p->warnings, "\n")) != 0)
		return error;
	if (p->partition_by_set || p->materialized == RAT_MATERIALIZE_VIEW) {
		error = joined(&info->partition_by, st, &p->partition_by);
	} else if ((error = rat_layer_parse(&which, p->layer)) == 0) {
		rat_workspace_layer(ws, which, &layer);
		for (i = 0; !error && i < layer.partition_by_count; i++)
			error = rat_strarray__push(&defaults, layer.partition_by[i]);
		if (!error)
			error = joined(&info->partition_by, st, &defaults);
		rat_strarray_free(&defaults);
	}
	if (error)
		return error;
	for (i = 0; i < p->deps.count; i++)
		deps[i] = keep(st, p->deps.strings[i]);
	info->deps = deps;
	info->dep_count = p->deps.count;
	info->test_count = p->test_count;
	for (i = 0; i < p->column_count; i++)
		info->test_count += p->columns[i].test_count;
	return info->key[0] ? 0 : RAT_ENOMEM; /* a key is never empty: "" is out of memory */
}

int rat_pipeline_list_get(rat_pipeline_list *out, const rat_workspace *ws)
{
	rat_pipelines all = { NULL, 0, NULL, 0, NULL, NULL };
	rat_list_block *st = NULL;
	size_t *order = NULL, i, ndeps = 0, used = 0;
	int error;

	memset(out, 0, sizeof(*out));
	if ((error = rat_pipeline__load_ordered(&all, &order, ws)) != 0)
		goto cleanup;
	for (i = 0; i < all.count; i++)
		ndeps += all.items[i].deps.count;
	if ((error = rat_pipeline__block_new(&st, sizeof(rat_pipeline_info), all.count, ndeps)) != 0)
		goto cleanup;
	out->items = (rat_pipeline_info *)st->items;
	for (i = 0; !error && i < all.count; i++) {
		const rat_pipeline *p = &all.items[order[i]];
		error = fill(&out->items[out->count++], st, p, ws, st->pointers + used);
		used += p->deps.count;
	}
cleanup:
	if (error)
		rat_pipeline_list_free(out);
	rat_pipelines_free(&all);
	free(order);
	return error;
}

void rat_pipeline_list_free(rat_pipeline_list *list)
{
	if (!list)
		return;
	rat_pipeline__block_free(list->items);
	memset(list, 0, sizeof(*list));
}

int rat_python_package_dir(char **out)
{
	static const char *const beside[] = { "%s/../python", "%s/../share/rat/python" };
	char self[4096] = "";
	size_t i;

	*out = NULL;
	for (i = 0; rat_dl__self_dir(self, sizeof(self)) == 0 && i < RAT_ARRAY_SIZE(beside); i++) {
		char *dir = rat__sprintf(beside[i], self);
		char *init = dir ? rat__sprintf("%s/ratatouille/__init__.py", dir) : NULL;
		bool found = init && rat_fs__is_file(init);
		free(init);
		if (!init) {
			free(dir);
			return RAT_ENOMEM;
		}
		if (found) {
			*out = dir;
			return 0;
		}
		free(dir);
	}
	return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_PIPELINE,
			      "the ratatouille Python package is not beside librat (in %s): run `make "
			      "python`",
			      self[0] ? self : "an unknown folder");
}

#ifndef RAT_PYTHON_DEFAULT
#define RAT_PYTHON_DEFAULT "/usr/bin/python3"
#endif

const char *rat_pipeline__python(const rat_workspace *ws)
{
	const char *python = rat_workspace__env(ws, "RAT_PYTHON");

	return python && python[0] ? python : RAT_PYTHON_DEFAULT;
}

char *rat_pipeline__python_path(const rat_workspace *ws)
{
	const char *given = rat_workspace__env(ws, "RAT_PYTHONPATH");
	char *dir = NULL;

	if (given && given[0])
		return rat__strdup(given);
	if (rat_python_package_dir(&dir) != 0)
		rat_error_clear();
	return dir;
}
