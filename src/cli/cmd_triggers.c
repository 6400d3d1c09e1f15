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
		snprintf(out, len, "landing/%s/%s, every %s", t->path, t->pattern, every);
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

static int run(const cli_args *a)
{
	static const char *const verbs[] = { "ticks", NULL };
	rat_workspace *ws = NULL;
	rat_trigger_list list;
	int status;
	long n = cli_count(a, CLI_OPT(LIMIT), -1);

	if (a->count > 0 && strcmp(a->pos[0], "ticks") != 0)
		return cli_unknown_verb(a->cmd, a->pos[0], verbs);
	if (a->count > 2)
		return cli_usage(a->cmd, "ticks takes at most one trigger id");
	if (a->count == 0 && n != -1 && (n < 1 || n > 1000))
		return cli_usage(a->cmd, "-n: from 1 to 1000 fire times");
	if (rat_workspace_open(&ws, cli_get(a, CLI_OPT(WORKSPACE))) != 0)
		return cli_fail_lib(NULL);
	if (a->count > 0) {
		status = ticks(ws, a->count > 1 ? a->pos[1] : NULL, n < 0 ? 50 : (int)n, cli_wants_json(a));
	} else if (rat_trigger_list_get(&list, ws) != 0) {
		status = cli_fail_lib(NULL);
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
			  "ticks, ticks to show (default 50)", NULL },
	CLI_USE_FORMATS("console (default) or json"),
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_triggers = {
	"triggers",
	"list what starts the workspace's runs: schedules, landing files, freshness, webhooks",
	run,
	"Usage: rat triggers [-w NAME|PATH] [-n N] [--json]\n"
	"       rat triggers ticks [TRIGGER] [-w NAME|PATH] [-n N] [--json]\n"
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
	"`ticks` shows what `rat serve` decided for each tick, newest first: armed\n"
	"(first seen), queued, running, done, retrying, failed, skipped (the\n"
	"workspace was running), missed (the server was down), cancelled.\n",
	options,
	NULL,
	NULL,
};
