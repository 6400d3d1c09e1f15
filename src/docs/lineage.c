/*
 * pipeline/docs_lineage.c - lineage as Mermaid: a pipeline's upstream chain
 * and downstream impact (docs/lineage.md in its folder), and the whole DAG
 * of the workspace (docs/lineage.md of the workspace).
 *
 * One source of truth: the nodes and edges are the deps that
 * rat_pipeline__load_all() found, walked in the order rat_pipeline__order()
 * gives (that of `rat list` and `rat run`); the transitive sets come from
 * rat_pipeline__select() with "+key" and "key+", as `rat run --select`
 * picks them. Landing folders and subscribed products are source nodes.
 * Node ids are the labels with every character but letters and digits
 * made '_' (silver.sales -> silver_sales, landing/sales -> landing_sales).
 */
#include "util/common.h"
#include "util/buf.h"
#include "rat/workspace.h"
#include "docs/docs.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define READS " reads "
#define FOCUS_STYLE "fill:#ffd54f,stroke:#e65100,stroke-width:3px"

static int node_id(rat_buf *out, const char *label)
{
	const char *c;
	int error = 0;

	for (c = label; !error && *c; c++)
		error = rat_buf_putc(out, isalnum((unsigned char)*c) ? *c : '_');
	return error;
}

/* "landing/<folder>" without a trailing '/', as a new string. */
static char *landing_label(const rat_pipeline *p)
{
	size_t n = strlen(p->landing);

	while (n > 1 && p->landing[n - 1] == '/')
		n--;
	return rat__sprintf("landing/%.*s", (int)n, p->landing);
}

/* `  id["label"]` */
static int node(rat_buf *out, const char *indent, const char *label)
{
	const char *c;
	int error = rat_buf_puts(out, indent);

	if (!error)
		error = node_id(out, label);
	if (!error)
		error = rat_buf_puts(out, "[\"");
	for (c = label; !error && *c; c++)
		error = *c == '"' ? rat_buf_puts(out, "#quot;") : rat_buf_putc(out, *c);
	return error ? error : rat_buf_puts(out, "\"]\n");
}

static int edge(rat_buf *out, const char *from, const char *to)
{
	int error = rat_buf_puts(out, "  ");

	if (!error)
		error = node_id(out, from);
	if (!error)
		error = rat_buf_puts(out, " --> ");
	if (!error)
		error = node_id(out, to);
	return error ? error : rat_buf_putc(out, '\n');
}

/*
 * The edges into p, in the order `rat list` shows its DEPENDS ON: each dep
 * that is in the drawing (shown[] per pipeline; sources when with_sources),
 * then its landing folder.
 */
static int edges_into(rat_buf *out, const rat_docs_model *m, const rat_pipeline *p,
		      const bool *shown, bool with_sources)
{
	size_t i;
	int error = 0;

	for (i = 0; !error && i < p->deps.count; i++) {
		rat_pipeline *dep = rat_pipeline__find(&m->all, p->deps.strings[i]);
		if (dep ? shown[dep - m->all.items] : with_sources)
			error = edge(out, p->deps.strings[i], p->key);
	}
	if (!error && with_sources && p->landing) {
		char *label = landing_label(p);
		error = label ? edge(out, label, p->key) : RAT_ENOMEM;
		free(label);
	}
	return error;
}

/* The sources (landing folders, products) that the flagged pipelines read, sorted, once each. */
static int sources(rat_strarray *out, const rat_docs_model *m, const bool *of)
{
	size_t i, j;
	int error = 0;

	for (i = 0; !error && i < m->all.count; i++) {
		const rat_pipeline *p = &m->all.items[i];
		if (!of[i])
			continue;
		for (j = 0; !error && j < p->deps.count; j++)
			if (!rat_pipeline__find(&m->all, p->deps.strings[j]) &&
			    !rat_strarray__contains(out, p->deps.strings[j]))
				error = rat_strarray__push(out, p->deps.strings[j]);
		if (!error && p->landing) {
			char *label = landing_label(p);
			if (!label)
				error = RAT_ENOMEM;
			else if (rat_strarray__contains(out, label))
				free(label);
			else
				error = rat_strarray__push_owned(out, label);
		}
	}
	if (!error)
		rat_strarray__sort(out);
	return error;
}

static int picked(bool **out, const rat_docs_model *m, const char *fmt, const char *key)
{
	char *selector = rat__sprintf(fmt, key);
	int error;

	if (!selector)
		return RAT_ENOMEM;
	error = rat_pipeline__select(out, &m->all, (const char *const *)&selector, 1);
	free(selector);
	return error;
}

static int bullet_list(rat_buf *out, const char *title, const rat_docs_model *m, const bool *of,
		       size_t self, const rat_strarray *extra, const char *none)
{
	size_t i, n = 0;
	int error = rat_buf_printf(out, "\n## %s\n\n", title);

	for (i = 0; !error && i < m->all.count; i++)
		if (of[m->order[i]] && m->order[i] != self) {
			error = rat_buf_printf(out, "- `%s`\n", m->all.items[m->order[i]].key);
			n++;
		}
	for (i = 0; !error && extra && i < extra->count; i++, n++)
		error = rat_buf_printf(out, "- `%s`\n", extra->strings[i]);
	if (!error && n == 0)
		error = rat_buf_printf(out, "%s\n", none);
	return error;
}

static int chain_graph(rat_buf *out, const rat_docs_model *m, const rat_pipeline *p,
		       const bool *up, const bool *shown, const rat_strarray *from)
{
	size_t i;
	int error = rat_buf_puts(out, "```mermaid\ngraph LR\n");

	for (i = 0; !error && i < from->count; i++)
		error = node(out, "  ", from->strings[i]);
	for (i = 0; !error && i < m->all.count; i++)
		if (shown[m->order[i]])
			error = node(out, "  ", m->all.items[m->order[i]].key);
	for (i = 0; !error && i < m->all.count; i++)
		if (shown[m->order[i]])
			error = edges_into(out, m, &m->all.items[m->order[i]], shown,
					   up[m->order[i]]);
	if (!error)
		error = rat_buf_puts(out, "  classDef focus " FOCUS_STYLE "\n  class ");
	if (!error)
		error = node_id(out, p->key);
	return error ? error : rat_buf_puts(out, " focus\n```\n");
}

int rat_docs__lineage(rat_buf *out, const rat_docs_model *m, const rat_pipeline *p)
{
	bool *up = NULL, *down = NULL, *shown = NULL;
	rat_strarray from = RAT_STRARRAY_INIT;
	size_t i, self = (size_t)(p - m->all.items);
	int error;

	if ((error = picked(&up, m, "+%s", p->key)) != 0 ||
	    (error = picked(&down, m, "%s+", p->key)) != 0)
		goto cleanup;
	if ((shown = rat__calloc(m->all.count, sizeof(bool))) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	for (i = 0; i < m->all.count; i++)
		shown[i] = up[i] || down[i];
	if ((error = sources(&from, m, up)) != 0)
		goto cleanup;
	error = rat_buf_printf(out, GENERATED "# Lineage: %s\n\nWhat %s is built from and what is "
					      "built from it, transitively, in build order.\n\n",
			       p->key, p->key);
	if (!error)
		error = chain_graph(out, m, p, up, shown, &from);
	if (!error)
		error = bullet_list(out, "Upstream", m, up, self, &from, "None.");
	if (!error)
		error = bullet_list(out, "Downstream (impact)", m, down, self, NULL,
				    "None: no pipeline reads this table.");
cleanup:
	rat_strarray_free(&from);
	free(up);
	free(down);
	free(shown);
	return error;
}

/* `subgraph <name>` of the layer's pipelines in build order; nothing for an empty layer. */
static int layer_subgraph(rat_buf *out, const rat_docs_model *m, const char *layer)
{
	size_t i, n = 0;
	int error = 0;

	for (i = 0; !error && i < m->all.count; i++) {
		const rat_pipeline *p = &m->all.items[m->order[i]];
		if (strcmp(p->layer, layer) != 0)
			continue;
		if (n++ == 0)
			error = rat_buf_printf(out, "  subgraph %s\n", layer);
		if (!error)
			error = node(out, "    ", p->key);
	}
	return !error && n ? rat_buf_puts(out, "  end\n") : error;
}

static int source_subgraph(rat_buf *out, const rat_strarray *from, const char *prefix,
			   const char *name)
{
	size_t i, n = 0;
	int error = 0;

	for (i = 0; !error && i < from->count; i++) {
		if (!rat__str_has_prefix(from->strings[i], prefix))
			continue;
		if (n++ == 0)
			error = rat_buf_printf(out, "  subgraph %s\n", name);
		if (!error)
			error = node(out, "    ", from->strings[i]);
	}
	return !error && n ? rat_buf_puts(out, "  end\n") : error;
}

static int build_order(rat_buf *out, const rat_docs_model *m)
{
	size_t i, j;
	int error = rat_buf_puts(out, "\n## Build order\n\n");

	for (i = 0; !error && i < m->all.count; i++) {
		const rat_pipeline *p = &m->all.items[m->order[i]];
		char *label = p->landing ? landing_label(p) : NULL;
		if (p->landing && !label)
			return RAT_ENOMEM;
		error = rat_buf_printf(out, "%zu. `%s`", i + 1, p->key);
		for (j = 0; !error && j < p->deps.count; j++)
			error = rat_buf_printf(out, "%s`%s`", j ? ", " : READS, p->deps.strings[j]);
		if (!error && label)
			error = rat_buf_printf(out, "%s`%s`", p->deps.count ? ", " : READS, label);
		if (!error)
			error = rat_buf_putc(out, '\n');
		free(label);
	}
	if (!error && m->all.count == 0)
		error = rat_buf_puts(out, "No pipelines yet.\n");
	return error;
}

int rat_docs__workspace_lineage(rat_buf *out, const rat_docs_model *m)
{
	rat_strarray from = RAT_STRARRAY_INIT;
	bool *all = rat__calloc(m->all.count + 1, sizeof(bool));
	size_t i;
	int error = 0, layer;

	if (!all)
		return RAT_ENOMEM;
	for (i = 0; i < m->all.count; i++)
		all[i] = true;
	if ((error = sources(&from, m, all)) != 0)
		goto cleanup;
	error = rat_buf_printf(out, GENERATED "# Lineage of the %s workspace\n\nEvery pipeline "
					      "and what it reads, in build order (the order "
					      "of `rat list` and `rat run`).\n\n"
					      "```mermaid\ngraph LR\n",
			       rat_workspace_name(m->ws));
	if (!error)
		error = source_subgraph(out, &from, "landing/", "landing");
	if (!error)
		error = source_subgraph(out, &from, "products.", "products");
	for (layer = 0; !error && layer < RAT_LAYER_COUNT; layer++)
		error = layer_subgraph(out, m, rat_layer_name((rat_layer)layer));
	for (i = 0; !error && i < m->all.count; i++)
		error = edges_into(out, m, &m->all.items[m->order[i]], all, true);
	if (!error)
		error = rat_buf_puts(out, "```\n");
	if (!error)
		error = build_order(out, m);
cleanup:
	rat_strarray_free(&from);
	free(all);
	return error;
}
