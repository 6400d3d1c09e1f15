/*
 * cli/cmd_triggers.c - `rat triggers`: what starts the workspace's runs
 * without anyone typing `rat run` (its pipelines' `triggers:`), with each
 * schedule's next fire times in its own zone; `rat serve` fires them.
 */
#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

/* ms as "45s", "30m", "6h", "1h30m", "2d". */
static void duration(char *out, size_t len, int64_t ms)
{
	static const struct {
		const char *unit;
		int64_t s;
	} units[] = { { "d", 86400 }, { "h", 3600 }, { "m", 60 }, { "s", 1 } };
	int64_t left = ms / 1000;
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < 4 && used < len; i++)
		if (left >= units[i].s) {
			used += (size_t)snprintf(out + used, len - used, "%lld%s",
						 (long long)(left / units[i].s), units[i].unit);
			left %= units[i].s;
		}
}

/* What fires it, in words: "0 6 * * * (Europe/Paris)", "landing/sales/<pattern>, every 30s". */
static void when(char *out, size_t len, const rat_trigger_info *t, const char *workspace)
{
	char every[32];

	duration(every, sizeof(every), t->interval_ms);
	if (!strcmp(t->type, "schedule"))
		snprintf(out, len, "%s (%s)", t->cron, t->timezone);
	else if (!strcmp(t->type, "landing"))
		snprintf(out, len, "%s%s/%s, every %s", strncmp(t->path, "s3://", 5) ? "landing/" : "",
			 t->path, t->pattern, every);
	else if (!strcmp(t->type, "freshness"))
		snprintf(out, len, "every %s, before freshness lapses", every);
	else
		snprintf(out, len, "POST /api/v1/webhooks/%s/%s (%s)", workspace, t->id,
			 t->bearer ? "bearer" : "signed");
}

/* The next n fire times of a schedule after now, local with their offsets, into *out. */
static int fires(int64_t *out, int n, const rat_trigger_info *t, int64_t now, rat_schedule **s)
{
	int i;

	*s = NULL;
	if (strcmp(t->type, "schedule") != 0)
		return 0;
	if (rat_schedule_parse(s, t->cron, t->timezone) != 0)
		return -1;
	for (i = 0; i < n; i++)
		if (rat_schedule_next(*s, i ? out[i - 1] : now, &out[i]) != 0)
			return -1;
	return n;
}

static int print_table(const rat_trigger_list *list, const rat_workspace *ws, int n)
{
	int64_t *at = calloc((size_t)n, sizeof(*at));
	size_t i;
	int k, got;

	if (!at)
		return cli_fail("out of memory");
	printf("%-36s %-9s %-44s %s\n", "TRIGGER", "TYPE", "WHEN", "NEXT");
	for (i = 0; i < list->count; i++) {
		const rat_trigger_info *t = &list->items[i];
		rat_schedule *s;
		char words[512], local[40];

		when(words, sizeof(words), t, rat_workspace_name(ws));
		if ((got = fires(at, n, t, rat_workspace_now_ms(ws), &s)) < 0) {
			rat_schedule_free(s);
			free(at);
			return cli_fail_lib(t->id);
		}
		printf("%-36s %-9s %-44s", t->id, t->type, words);
		for (k = 0; k < got; k++) {
			rat_schedule_local_time(s, at[k], local, sizeof(local));
			if (k)
				printf("\n%92s", "");
			printf(" %s", local);
		}
		printf("%s\n", got ? "" : " -");
		rat_schedule_free(s);
	}
	printf("%zu trigger%s\n", list->count, list->count == 1 ? "" : "s");
	free(at);
	return CLI_OK;
}

static int print_json(const rat_trigger_list *list, const rat_workspace *ws, int n)
{
	int64_t *at = calloc((size_t)n, sizeof(*at));
	cli_json j;
	size_t i;
	int k, got;

	if (!at)
		return cli_fail("out of memory");
	cli_json_begin(&j, stdout);
	cli_json_array(&j, NULL);
	for (i = 0; i < list->count; i++) {
		const rat_trigger_info *t = &list->items[i];
		rat_schedule *s;
		char local[40];

		if ((got = fires(at, n, t, rat_workspace_now_ms(ws), &s)) < 0) {
			rat_schedule_free(s);
			free(at);
			return cli_fail_lib(t->id);
		}
		cli_json_object(&j, NULL);
		cli_json_text(&j, "id", t->id);
		cli_json_text(&j, "pipeline", t->pipeline);
		cli_json_text(&j, "name", t->name);
		cli_json_text(&j, "type", t->type);
		cli_json_text(&j, "source", t->source);
		cli_json_unset(&j, "cron", t->cron);
		if (got > 0)
			cli_json_text(&j, "cron_fields", rat_schedule_cron(s));
		cli_json_unset(&j, "timezone", t->timezone);
		cli_json_unset(&j, "path", t->path);
		cli_json_unset(&j, "pattern", t->pattern);
		if (t->interval_ms)
			cli_json_int(&j, "interval_ms", t->interval_ms);
		else
			cli_json_null(&j, "interval_ms");
		cli_json_unset(&j, "secret", t->secret);
		if (!strcmp(t->type, "webhook"))
			cli_json_text(&j, "auth", t->bearer ? "bearer" : "signature");
		cli_json_strings(&j, "select", t->select, t->select_count);
		cli_json_text(&j, "overlap", t->overlap);
		cli_json_unset(&j, "catchup", t->catchup);
		cli_json_int(&j, "retries", t->retries);
		cli_json_int(&j, "retry_delay_ms", t->retry_delay_ms);
		cli_json_double(&j, "retry_backoff", t->retry_backoff);
		cli_json_array(&j, "next"); /* each fire time, and as the zone's wall clock shows it */
		for (k = 0; k < got; k++) {
			rat_schedule_local_time(s, at[k], local, sizeof(local));
			cli_json_object(&j, NULL);
			cli_json_time(&j, "fire", at[k]);
			cli_json_text(&j, "local", local);
			cli_json_close(&j);
		}
		cli_json_close(&j);
		cli_json_close(&j);
		rat_schedule_free(s);
	}
	free(at);
	return cli_json_end(&j);
}

/* `rat triggers ticks [ID]`: what rat serve decided for each tick, newest first. */
static int ticks(const rat_workspace *ws, const char *id, int n, bool json)
{
	rat_trigger_tick_list list;
	cli_json j;
	size_t i;

	if (rat_trigger_tick_list_get(&list, ws, id, (size_t)n) != 0)
		return cli_fail_lib(NULL);
	if (json) {
		cli_json_begin(&j, stdout);
		cli_json_array(&j, NULL);
	} else {
		printf("%-24s %-36s %-9s %s\n", "TICK (UTC)", "TRIGGER", "STATE", "NOTE");
	}
	for (i = 0; i < list.count; i++) {
		const rat_trigger_tick *t = &list.items[i];
		char at[32];

		if (json) {
			cli_json_object(&j, NULL);
			cli_json_text(&j, "trigger", t->trigger);
			cli_json_time(&j, "tick", t->tick_ms);
			cli_json_text(&j, "state", t->state);
			cli_json_unset(&j, "note", t->note);
			cli_json_time(&j, "updated", t->updated_ms);
			cli_json_close(&j);
			continue;
		}
		rat_time_format(at, sizeof(at), t->tick_ms);
		at[19] = '\0';
		at[10] = ' ';
		printf("%-24s %-36s %-9s %s\n", at, t->trigger, t->state, t->note);
	}
	rat_trigger_tick_list_free(&list);
	return json ? cli_json_end(&j) : CLI_OK;
}

typedef struct fire {
	int64_t ms;
	const rat_trigger_info *t;
	char local[32];
} fire;

static int by_time(const void *a, const void *b)
{
	const fire *x = a, *y = b;

	return x->ms != y->ms ? (x->ms < y->ms ? -1 : 1) : strcmp(x->t->id, y->t->id);
}

/* `rat triggers next` (`rat schedule next`): the schedules' next n fires, soonest first, in
 * UTC and in each schedule's zone. */
static int next_fires(const rat_trigger_list *list, const rat_workspace *ws, int n, bool json)
{
	fire *all = calloc(list->count * (size_t)n + 1, sizeof(*all));
	int64_t *at = calloc((size_t)n, sizeof(*at));
	size_t i, count = 0;
	int k, got, status = CLI_OK;
	cli_json j;

	for (i = 0; all && at && i < list->count; i++) {
		rat_schedule *s = NULL;

		if ((got = fires(at, n, &list->items[i], rat_workspace_now_ms(ws), &s)) < 0) {
			rat_schedule_free(s);
			free(all);
			free(at);
			return cli_fail_lib(list->items[i].id);
		}
		for (k = 0; k < got; k++, count++) {
			all[count].ms = at[k];
			all[count].t = &list->items[i];
			rat_schedule_local_time(s, at[k], all[count].local, sizeof(all[count].local));
		}
		rat_schedule_free(s);
	}
	free(at);
	if (!all)
		return cli_fail("out of memory");
	qsort(all, count, sizeof(*all), by_time);
	count = count < (size_t)n ? count : (size_t)n;
	if (json) {
		cli_json_begin(&j, stdout);
		cli_json_array(&j, NULL);
	} else {
		printf("%-24s %-26s %-36s %s\n", "FIRES (UTC)", "LOCAL", "TRIGGER", "ZONE");
	}
	for (i = 0; i < count; i++) {
		char utc[32];

		if (json) {
			cli_json_object(&j, NULL);
			cli_json_text(&j, "trigger", all[i].t->id);
			cli_json_time(&j, "fire", all[i].ms);
			cli_json_text(&j, "local", all[i].local);
			cli_json_text(&j, "timezone", all[i].t->timezone);
			cli_json_close(&j);
			continue;
		}
		rat_time_format(utc, sizeof(utc), all[i].ms);
		utc[19] = '\0';
		utc[10] = ' ';
		printf("%-24s %-26s %-36s %s\n", utc, all[i].local, all[i].t->id, all[i].t->timezone);
	}
	if (json)
		status = cli_json_end(&j);
	else if (count == 0)
		printf("no schedule\n");
	free(all);
	return status;
}

static int run(const cli_args *a)
{
	static const char *const verbs[] = { "ticks", "next", "list", NULL };
	rat_workspace *ws = NULL;
	rat_trigger_list list;
	int status;
	long n = cli_count(a, CLI_OPT(LIMIT), -1);

	const char *verb = a->count > 0 ? a->pos[0] : "list";
	bool is_ticks = !strcmp(verb, "ticks");

	if (!is_ticks && strcmp(verb, "next") != 0 && strcmp(verb, "list") != 0)
		return cli_unknown_verb(a->cmd, a->pos[0], verbs);
	if (a->count > (is_ticks ? 2 : 1))
		return cli_usage(a->cmd, is_ticks ? "ticks takes at most one trigger id"
						  : "takes no trigger id (only ticks does)");
	if (!is_ticks && n != -1 && (n < 1 || n > 1000))
		return cli_usage(a->cmd, "-n: from 1 to 1000 fire times");
	if (rat_workspace_open(&ws, cli_get(a, CLI_OPT(WORKSPACE))) != 0)
		return cli_fail_lib(NULL);
	if (is_ticks) {
		status = ticks(ws, a->count > 1 ? a->pos[1] : NULL, n < 0 ? 50 : (int)n, cli_wants_json(a));
	} else if (rat_trigger_list_get(&list, ws) != 0) {
		status = cli_fail_lib(NULL);
	} else if (!strcmp(verb, "next")) {
		status = next_fires(&list, ws, n < 0 ? 5 : (int)n, cli_wants_json(a));
		rat_trigger_list_free(&list);
	} else {
		n = n < 0 ? 1 : n;
		status = cli_wants_json(a) ? print_json(&list, ws, (int)n) : print_table(&list, ws, (int)n);
		rat_trigger_list_free(&list);
	}
	rat_workspace_free(ws);
	return status;
}

static const cli_use options[] = {
	{ CLI_OPT(WORKSPACE), NULL, NULL },
	{ CLI_OPT(LIMIT), "fire times to show of each schedule (default 1); with\n"
			  "next, fires to show in all (default 5); with ticks, ticks\n"
			  "to show (default 50)", NULL },
	CLI_USE_FORMATS("console (default) or json"),
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_triggers = {
	"triggers",
	"list what starts the workspace's runs: schedules, landing files, freshness, webhooks",
	run,
	"Usage: rat triggers [list] [-w NAME|PATH] [-n N] [--json]\n"
	"       rat triggers next [-w NAME|PATH] [-n N] [--json]\n"
	"       rat triggers ticks [TRIGGER] [-w NAME|PATH] [-n N] [--json]\n"
	"       (rat schedule list|next|ticks: the same)\n"
	"\n"
	"The triggers of the workspace (`triggers:` in workspace.yaml: id\n"
	"workspace:NAME, every pipeline unless select: says) and of its pipelines\n"
	"(`triggers:` in their YAML, or a Python pipeline's schedule=: id\n"
	"PIPELINE:NAME, the pipeline and what it feeds), each with what fires\n"
	"it and, for a schedule, its next N fire times in its own time zone (RAT_NOW\n"
	"applies). `rat serve` fires them (docs/orchestration.md). Every pipeline is\n"
	"loaded and checked as `rat list` does: a bad trigger is an error naming its\n"
	"file and line.\n"
	"\n"
	"`next` shows the schedules' next N fires, soonest first, in UTC and in\n"
	"each schedule's zone.\n"
	"\n"
	"`ticks` shows what `rat serve` decided for each tick, newest first: armed\n"
	"(first seen), queued, running, done, retrying, failed, skipped (the\n"
	"workspace was running), missed (the server was down), cancelled.\n",
	options,
	NULL,
	NULL,
};

/* `rat schedule list|next|ticks`: the and the original's words for the same. */
const cli_command cli_cmd_schedule = {
	"schedule",
	"the same as rat triggers: rat schedule list, rat schedule next -n 5",
	run,
	"Usage: rat schedule list [-w NAME|PATH] [-n N] [--json]\n"
	"       rat schedule next [-w NAME|PATH] [-n N] [--json]\n"
	"       rat schedule ticks [TRIGGER] [-w NAME|PATH] [-n N] [--json]\n"
	"\n"
	"What `rat triggers` shows (rat triggers --help): every trigger, the\n"
	"schedules' next fires in UTC and in their zones, and what `rat serve`\n"
	"decided for each tick.\n",
	options,
	NULL,
	NULL,
};
