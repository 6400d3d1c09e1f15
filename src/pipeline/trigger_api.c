/*
 * pipeline/trigger_api.c - the public trigger list (rat/schedule.h): the
 * triggers of a workspace's workspace.yaml, then of its pipelines, with
 * their defaults filled in, their select: checked against the pipelines,
 * as plain strings.
 */
#include "util/common.h"
#include "util/error.h"
#include "rat/schedule.h"
#include "util/yaml.h"
#include "pipeline/pipeline.h"
#include "pipeline/triggers.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const char *const overlaps[] = { "skip", "queue" };
static const char *const catchups[] = { "last", "none", "all" };

#define keep rat_pipeline__keep
#define WORKSPACE_YAML "workspace.yaml"

/* The selectors of t (its pipeline and what it feeds, unless it says; a workspace's trigger,
 * p NULL: every pipeline), checked. */
static int selectors(rat_trigger_info *info, rat_list_block *st, const rat_trigger_config *t,
		     const rat_pipeline *p, const rat_pipelines *all, const char **at, const char *where)
{
	bool *picked = NULL;
	size_t i;
	int error;

	if (t->select.count == 0 && !p) {
		info->select = at;
		info->select_count = 0;
		return 0;
	}
	if (t->select.count == 0) {
		char *own = rat__sprintf("%s+", p->key);

		if (!own)
			return RAT_ENOMEM;
		at[0] = keep(st, own);
		free(own);
		info->select_count = 1;
	} else {
		for (i = 0; i < t->select.count; i++)
			at[i] = keep(st, t->select.strings[i]);
		info->select_count = t->select.count;
	}
	info->select = at;
	if ((error = rat_pipeline__select(&picked, all, at, info->select_count)) != 0)
		rat_error__prefix("%s:%d: triggers: select", where, t->line);
	free(picked);
	return error;
}

/* One trigger of pipeline p, or of the workspace (p NULL: its workspace.yaml's). */
static int fill(rat_trigger_info *info, rat_list_block *st, const rat_trigger_config *t,
		const rat_pipeline *p, const rat_pipelines *all, const char **at)
{
	const char *where = !p ? WORKSPACE_YAML
			    : !t->decorator && p->config_display ? p->config_display : p->display;
	char *id = rat__sprintf("%s:%s", p ? p->key : "workspace", t->name);
	char *source = rat__sprintf("%s:%d", where, t->line);
	int error = id && source ? 0 : RAT_ENOMEM;

	if (!error) {
		info->id = keep(st, id);
		info->source = keep(st, source);
	}
	free(id);
	free(source);
	if (error)
		return error;
	info->pipeline = keep(st, p ? p->key : "");
	info->name = keep(st, t->name);
	info->type = rat_trigger__kinds[t->kind];
	info->cron = keep(st, t->cron);
	info->timezone = keep(st, t->kind == RAT_TRIGGER_SCHEDULE ? (t->timezone ? t->timezone : "UTC") : "");
	info->path = keep(st, t->kind != RAT_TRIGGER_LANDING ? "" : t->path ? t->path
							  : !p ? ""
							  : p->landing_url ? p->landing_url : p->landing);
	info->pattern = keep(st, t->kind == RAT_TRIGGER_LANDING ? (t->pattern ? t->pattern : "*") : "");
	if (t->kind == RAT_TRIGGER_LANDING)
		info->interval_ms = t->interval_s * 1000;
	else if (t->kind == RAT_TRIGGER_FRESHNESS && p) /* the original's: half the time before a warning */
		info->interval_ms = (p->warn_after_s ? p->warn_after_s : p->error_after_s) * 500;
	info->secret = keep(st, t->secret);
	info->bearer = t->bearer;
	info->overlap = overlaps[t->overlap];
	info->catchup = t->kind == RAT_TRIGGER_SCHEDULE ? catchups[t->catchup] : "";
	info->retries = t->retries;
	info->retry_delay_ms = t->retry_delay_s * 1000;
	info->retry_backoff = t->retry_backoff;
	if (!info->id[0] || !info->source[0] || (p && !info->pipeline[0]) || !info->name[0])
		return RAT_ENOMEM; /* keep() gives "" when it cannot copy */
	return selectors(info, st, t, p, all, at, where);
}

/*
 * workspace.yaml's own triggers: (docs/orchestration.md): schedules, webhooks and landing
 * folders that run every pipeline, or what their select: says. A freshness trigger keeps a
 * pipeline's freshness: it belongs in that pipeline's YAML.
 */
static int workspace_triggers(rat_trigger_config **out, size_t *count, const rat_workspace *ws)
{
	rat_yaml *yaml = NULL;
	size_t i;
	int error;

	if ((error = rat_yaml__load(&yaml, rat_workspace_config_path(ws), WORKSPACE_YAML)) == 0)
		error = rat_trigger__yaml(out, count, yaml, rat_yaml__root(yaml));
	rat_yaml__free(yaml);
	for (i = 0; !error && i < *count; i++)
		if ((*out)[i].kind == RAT_TRIGGER_FRESHNESS)
			error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
					       "%s:%d: triggers: a freshness trigger keeps a pipeline's "
					       "freshness: it goes in that pipeline's YAML",
					       WORKSPACE_YAML, (*out)[i].line);
	if (!error)
		error = rat_trigger__check(*out, *count, 0, 0, NULL, WORKSPACE_YAML);
	return error;
}

int rat_trigger_list_get(rat_trigger_list *out, const rat_workspace *ws)
{
	rat_pipelines all = { NULL, 0, NULL, 0, NULL, NULL };
	rat_trigger_config *own = NULL;
	rat_list_block *st = NULL;
	size_t *order = NULL, i, j, n = 0, nselect = 0, used = 0, nown = 0;
	int error;

	memset(out, 0, sizeof(*out));
	if ((error = workspace_triggers(&own, &nown, ws)) != 0 ||
	    (error = rat_pipeline__load_ordered(&all, &order, ws)) != 0)
		goto cleanup;
	for (i = 0; i < nown; i++, n++)
		nselect += own[i].select.count + 1;
	for (i = 0; i < all.count; i++)
		for (j = 0; j < all.items[i].trigger_count; j++, n++)
			nselect += all.items[i].triggers[j].select.count + 1;
	if ((error = rat_pipeline__block_new(&st, sizeof(rat_trigger_info), n, nselect)) != 0)
		goto cleanup;
	out->items = (rat_trigger_info *)st->items;
	for (i = 0; !error && i < nown; i++) {
		error = fill(&out->items[out->count++], st, &own[i], NULL, &all, st->pointers + used);
		used += own[i].select.count + 1;
	}
	for (i = 0; !error && i < all.count; i++) {
		const rat_pipeline *p = &all.items[order[i]];

		for (j = 0; !error && j < p->trigger_count; j++) {
			error = fill(&out->items[out->count++], st, &p->triggers[j], p, &all,
				     st->pointers + used);
			used += p->triggers[j].select.count + 1;
		}
	}
cleanup:
	if (error)
		rat_trigger_list_free(out);
	rat_trigger__free_all(own, nown);
	rat_pipelines_free(&all);
	free(order);
	return error;
}

void rat_trigger_list_free(rat_trigger_list *list)
{
	if (!list)
		return;
	rat_pipeline__block_free(list->items);
	memset(list, 0, sizeof(*list));
}
