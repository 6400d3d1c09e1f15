/*
 * pipeline/dag.c - the pipelines' dependency graph: checks (unknown refs,
 * cycles), a dependency order, and selectors (`x`, `+x`, `x+`, a layer).
 *
 * The graph is small (tens to hundreds of nodes): plain arrays and
 * depth-first walks, no cleverness.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/sql.h"
#include "pipeline/pipeline.h"

#include <stdlib.h>
#include <string.h>

/* Index of key among the pipelines, or -1. */
static long index_of(const rat_pipelines *all, const char *key)
{
	size_t i;

	for (i = 0; i < all->count; i++)
		if (strcmp(all->items[i].key, key) == 0)
			return (long)i;
	return -1;
}

int rat_pipeline__ref_line(const rat_pipeline *p, const char *key)
{
	const char *s = p->sql, *hit = NULL, *c;
	size_t n = strlen(key);
	int line = 1;

	for (c = s; s && *c && !hit; c++)
		if ((*c == '\'' || *c == '"') && strncmp(c + 1, key, n) == 0 && c[n + 1] == *c)
			hit = c;
	for (c = s; hit && c < hit; c++)
		line += *c == '\n';
	return line;
}

static int unknown_ref(const rat_pipelines *all, const rat_pipeline *p, const char *key)
{
	rat_buf known = RAT_BUF_INIT;
	size_t i;
	int error;

	for (i = 0, error = 0; !error && i < all->count && i < 12; i++)
		error = rat_buf_printf(&known, "%s%s", i ? ", " : "", all->items[i].key);
	if (!error && all->count > 12)
		error = rat_buf_puts(&known, ", ...");
	if (!error)
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
			       "%s:%d: ref('%s'): no such pipeline (%s%s)", p->display,
			       rat_pipeline__ref_line(p, key), key, all->count ? "pipelines: " : "there are none",
			       rat_buf_cstr(&known));
	rat_buf_free(&known);
	return error;
}

/*
 * The pipelines named name without a layer (from excluded, in layer when not NULL):
 * *key the last one, candidates "bronze.sales, silver.sales", *found how many.
 */
static int bare_name(const char **key, rat_buf *candidates, size_t *found,
		     const rat_pipelines *all, const rat_pipeline *from, const char *layer,
		     const char *name)
{
	size_t i;
	int error = 0;

	*found = 0;
	for (i = 0; !error && i < all->count; i++) {
		const rat_pipeline *q = &all->items[i];
		if ((from && strcmp(q->key, from->key) == 0) || strcmp(q->name, name) != 0 ||
		    (layer && strcmp(q->layer, layer) != 0))
			continue;
		*key = q->key;
		error = rat_buf_printf(candidates, "%s%s", (*found)++ ? ", " : "", q->key);
	}
	return error;
}

int rat_pipeline__resolve_ref(const char **key, const rat_pipelines *all,
			      const rat_pipeline *from, const char *name)
{
	rat_buf candidates = RAT_BUF_INIT;
	size_t found = 0;
	int error;

	*key = name;
	if (strchr(name, '.'))
		return 0;
	error = bare_name(key, &candidates, &found, all, from, NULL, name);
	if (!error && found > 1)
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				       "ref('%s'): more than one layer has a pipeline '%s' (%s): "
				       "name one as layer.name",
				       name, name, rat_buf_cstr(&candidates));
	rat_buf_free(&candidates);
	return error;
}

int rat_pipeline__find_named(const rat_pipeline **out, const rat_pipelines *all,
			     const char *layer, const char *name)
{
	rat_buf candidates = RAT_BUF_INIT;
	const char *key = NULL;
	char *dotted = NULL, *slash;
	size_t found = 0;
	int error = 0;

	*out = NULL;
	if (strchr(name, '.') || strchr(name, '/')) {
		if ((dotted = rat__strdup(name)) == NULL)
			return RAT_ENOMEM;
		if ((slash = strchr(dotted, '/')) != NULL)
			*slash = '.';
		*out = rat_pipeline__find(all, dotted);
		if (*out && layer && strcmp((*out)->layer, layer) != 0)
			*out = NULL;
	} else if ((error = bare_name(&key, &candidates, &found, all, NULL, layer, name)) == 0) {
		if (found > 1)
			error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
					       "more than one layer has a pipeline '%s' (%s): "
					       "name one as layer.name",
					       name, rat_buf_cstr(&candidates));
		else if (found == 1)
			*out = rat_pipeline__find(all, key);
	}
	if (!error && !*out)
		error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_PIPELINE,
				       "no pipeline %s%s%s (`rat list` shows them)", name,
				       layer ? " in the layer " : "", layer ? layer : "");
	rat_buf_free(&candidates);
	free(dotted);
	return error;
}

int rat_pipeline__ref_relation(rat_buf *out, const rat_pipelines *all, const rat_pipeline *from,
			       const char *name)
{
	const char *key;
	int error = rat_pipeline__resolve_ref(&key, all, from, name);

	return error ? error : rat_sql__relation(out, key);
}

typedef struct walk {
	const rat_pipelines *all;
	char *state;     /* 0 unvisited, 1 on the stack, 2 done */
	size_t *stack;   /* the current path, for naming a cycle */
	size_t depth;
	size_t *order;
	size_t ordered;
} walk;

static int cycle_error(const walk *w, size_t at)
{
	rat_buf chain = RAT_BUF_INIT;
	size_t i = w->depth;
	int error;

	while (i > 0 && w->stack[i - 1] != at)
		i--;
	for (i = i ? i - 1 : 0, error = 0; !error && i < w->depth; i++)
		error = rat_buf_printf(&chain, "%s -> ", w->all->items[w->stack[i]].key);
	if (!error)
		error = rat_buf_puts(&chain, w->all->items[at].key);
	if (!error)
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
			       "%s: dependency cycle: %s", w->all->items[at].display,
			       rat_buf_cstr(&chain));
	rat_buf_free(&chain);
	return error;
}

static int visit(walk *w, size_t at)
{
	const rat_pipeline *p = &w->all->items[at];
	size_t i;
	int error;

	if (w->state[at] == 2)
		return 0;
	if (w->state[at] == 1)
		return cycle_error(w, at);
	w->state[at] = 1;
	w->stack[w->depth++] = at;
	for (i = 0; i < p->deps.count; i++) {
		long dep = index_of(w->all, p->deps.strings[i]);
		if (dep >= 0 && (error = visit(w, (size_t)dep)) != 0)
			return error;
	}
	w->depth--;
	w->state[at] = 2;
	w->order[w->ordered++] = at;
	return 0;
}

int rat_pipeline__order(size_t **order, const rat_pipelines *all, const rat_strarray *known)
{
	walk w = { all, NULL, NULL, 0, NULL, 0 };
	size_t i, j, n = all->count ? all->count : 1;
	int error = 0;

	*order = NULL;
	for (i = 0; i < all->count; i++) {
		const rat_pipeline *p = &all->items[i];
		for (j = 0; j < p->deps.count; j++) {
			const char *key = p->deps.strings[j];
			if (index_of(all, key) < 0 && !(known && rat_strarray__contains(known, key)))
				return unknown_ref(all, p, key);
		}
	}
	w.state = rat__calloc(n, 1);
	w.stack = rat__calloc(n, sizeof(size_t));
	w.order = rat__calloc(n, sizeof(size_t));
	if (!w.state || !w.stack || !w.order)
		error = RAT_ENOMEM;
	for (i = 0; !error && i < all->count; i++)
		error = visit(&w, i);
	if (!error) {
		*order = w.order;
		w.order = NULL;
	}
	free(w.state);
	free(w.stack);
	free(w.order);
	return error;
}

int rat_pipeline__known_refs(rat_strarray *out, const rat_workspace *ws)
{
	size_t i;
	int error = 0;

	for (i = 0; !error && i < rat_workspace_subscription_count(ws); i++)
		error = rat_strarray__push_owned(out, rat__sprintf("products.%s",
						 rat_workspace_subscription(ws, i)->alias));
	return error;
}

/* Mark at and, transitively, what it depends on (up) or what depends on it (down). */
static void mark(bool *picked, const rat_pipelines *all, size_t at, bool up, char *seen)
{
	size_t i, j;

	if (seen[at])
		return;
	seen[at] = 1;
	picked[at] = true;
	if (up) {
		for (i = 0; i < all->items[at].deps.count; i++) {
			long dep = index_of(all, all->items[at].deps.strings[i]);
			if (dep >= 0)
				mark(picked, all, (size_t)dep, true, seen);
		}
		return;
	}
	for (i = 0; i < all->count; i++)
		for (j = 0; j < all->items[i].deps.count; j++)
			if (strcmp(all->items[i].deps.strings[j], all->items[at].key) == 0)
				mark(picked, all, i, false, seen);
}

static int select_one(bool *picked, const rat_pipelines *all, const char *selector, char *seen)
{
	size_t n = strlen(selector), i;
	bool up = n > 1 && selector[0] == '+', down = n > 1 && selector[n - 1] == '+';
	char *key = rat__strndup(selector + up, n - up - down);
	const rat_pipeline *p = NULL;
	rat_layer layer;
	size_t at;
	int error = 0;

	if (!key)
		return RAT_ENOMEM;
	if (!strchr(key, '.') && !strchr(key, '/') && !up && !down &&
	    rat_layer_parse(&layer, key) == 0) { /* a layer */
		for (i = 0; i < all->count; i++)
			if (strcmp(all->items[i].layer, key) == 0)
				picked[i] = true;
		free(key);
		return 0;
	}
	/* layer.name, or a name that one layer has */
	if ((error = rat_pipeline__find_named(&p, all, NULL, key)) == RAT_ENOTFOUND) {
		if (!strchr(key, '.') && !strchr(key, '/'))
			error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
					       "'%s' is neither a pipeline (layer.name, or a name "
					       "one layer has) nor a layer (bronze, silver, gold)",
					       selector);
		else
			error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
					       "selector '%s': no pipeline %s", selector, key);
	} else if (error) {
		rat_error__prefix("selector '%s'", selector);
	} else {
		at = (size_t)(p - all->items);
		picked[at] = true;
		if (up) {
			memset(seen, 0, all->count);
			mark(picked, all, at, true, seen);
		}
		if (down) {
			memset(seen, 0, all->count);
			mark(picked, all, at, false, seen);
		}
	}
	free(key);
	return error;
}

int rat_pipeline__select(bool **picked, const rat_pipelines *all, const char *const *selectors,
			 size_t count)
{
	size_t i, n = all->count ? all->count : 1;
	char *seen = rat__calloc(n, 1);
	int error = 0;

	*picked = rat__calloc(n, sizeof(bool));
	if (!*picked || !seen) {
		free(seen);
		free(*picked);
		*picked = NULL;
		return RAT_ENOMEM;
	}
	for (i = 0; i < all->count && count == 0; i++)
		(*picked)[i] = true;
	for (i = 0; !error && i < count; i++)
		error = select_one(*picked, all, selectors[i], seen);
	free(seen);
	if (error) {
		free(*picked);
		*picked = NULL;
	}
	return error;
}
