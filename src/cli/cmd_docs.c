/*
 * cli/cmd_docs.c - `rat docs generate` and `rat docs check`: write each
 * pipeline's documentation, and check that it is complete (SPEC D1, D2).
 */
#include "cli/cli.h"

#include <string.h>

typedef struct docs_args {
	const char *workspace;
	const char *verb;
	const char *pipeline; /* generate -p */
	int strict;           /* check --strict */
	bool verbose;         /* check -v */
	bool json;            /* check --json */
} docs_args;

static int generate(const docs_args *a, const rat_workspace *ws)
{
	rat_docs_report report;
	size_t i;
	int error = rat_docs_generate(&report, ws, a->pipeline), status = CLI_OK;

	for (i = 0; i < report.written.count; i++)
		printf("wrote %s\n", report.written.strings[i]);
	if (error)
		status = cli_fail_lib(NULL);
	else
		printf("Documented %zu pipeline%s: %zu file%s written, %zu unchanged\n",
		       report.pipeline_count, report.pipeline_count == 1 ? "" : "s",
		       report.written.count, report.written.count == 1 ? "" : "s",
		       report.unchanged.count);
	rat_docs_report_free(&report);
	return status;
}

/* The check's report as JSON: every finding, passed ones too. */
static int check_json(const rat_docs_report *report)
{
	static const char *const statuses[] = { "pass", "warn", "fail" };
	cli_json j;
	size_t i;

	cli_json_begin(&j, stdout);
	cli_json_object(&j, NULL);
	cli_json_int(&j, "pipelines", (int64_t)report->pipeline_count);
	cli_json_int(&j, "failures", (int64_t)report->fail_count);
	cli_json_int(&j, "warnings", (int64_t)report->warn_count);
	cli_json_int(&j, "passed", (int64_t)report->pass_count);
	cli_json_array(&j, "findings");
	for (i = 0; i < report->finding_count; i++) {
		const rat_docs_finding *f = &report->findings[i];
		cli_json_object(&j, NULL);
		cli_json_text(&j, "subject", f->subject);
		cli_json_text(&j, "rule", f->rule);
		cli_json_text(&j, "status", statuses[f->status]);
		cli_json_unset(&j, "message", f->message);
		cli_json_close(&j);
	}
	return cli_json_end(&j);
}

static int check(const docs_args *a, const rat_workspace *ws)
{
	static const char *const labels[] = { "ok  ", "WARN", "FAIL" };
	rat_docs_report report;
	size_t i;
	int status;

	if (rat_docs_check(&report, ws, a->strict) != 0)
		return cli_fail_lib(NULL);
	if (a->json) {
		status = check_json(&report) != CLI_OK || report.fail_count ? CLI_FAILURE : CLI_OK;
		rat_docs_report_free(&report);
		return status;
	}
	for (i = 0; i < report.finding_count; i++) {
		const rat_docs_finding *f = &report.findings[i];
		if (f->status != RAT_DOCS_PASS || a->verbose)
			printf("%s %s %s: %s\n", labels[f->status], f->subject, f->rule,
			       f->message);
	}
	printf("%zu pipeline%s checked: %zu failure%s, %zu warning%s, %zu passed\n",
	       report.pipeline_count, report.pipeline_count == 1 ? "" : "s", report.fail_count,
	       report.fail_count == 1 ? "" : "s", report.warn_count,
	       report.warn_count == 1 ? "" : "s", report.pass_count);
	status = report.fail_count ? CLI_FAILURE : CLI_OK;
	rat_docs_report_free(&report);
	return status;
}

static const cli_option strict = { "strict", 0, CLI_FLAG, NULL,
				   "check: every failed rule is an error", NULL, NULL, NULL };
static const char *const verbs[] = { "generate", "check", NULL };

/* Options and the verb; a usage error's status, or CLI_OK. */
static int parse(docs_args *d, const cli_args *a)
{
	d->workspace = cli_get(a, CLI_OPT(WORKSPACE));
	d->pipeline = cli_get(a, CLI_OPT(PIPELINE));
	d->strict = cli_has(a, &strict);
	d->verbose = cli_has(a, CLI_OPT(VERBOSE));
	d->json = cli_wants_json(a);
	if (a->count == 0)
		return cli_usage(a->cmd, "wants a subcommand: generate or check");
	if (a->count > 1)
		return cli_usage(a->cmd, "unexpected argument '%s'", a->pos[1]);
	d->verb = a->pos[0];
	if (!cli_listed(verbs, d->verb))
		return cli_unknown_verb(a->cmd, d->verb, verbs);
	if (strcmp(d->verb, "generate") == 0 && (d->strict || d->verbose || cli_has(a, CLI_OPT(FORMAT))))
		return cli_usage(a->cmd, "--strict, -v and --format go with check");
	if (strcmp(d->verb, "check") == 0 && d->pipeline)
		return cli_usage(a->cmd, "-p goes with generate (check checks all)");
	return CLI_OK;
}

static int run(const cli_args *a)
{
	docs_args d = { NULL, NULL, NULL, 0, false, false };
	rat_workspace *ws = NULL;
	int status;

	if ((status = parse(&d, a)) != CLI_OK)
		return status;
	if (rat_workspace_open(&ws, d.workspace) != 0)
		return cli_fail_lib(NULL);
	status = strcmp(d.verb, "generate") == 0 ? generate(&d, ws) : check(&d, ws);
	rat_workspace_free(ws);
	return status;
}

static const cli_use options[] = {
	{ CLI_OPT(WORKSPACE), NULL, NULL },
	{ CLI_OPT(PIPELINE), "generate: only this pipeline (layer/name, layer.name, or a name one layer has)", NULL },
	{ &strict, NULL, NULL },
	{ CLI_OPT(VERBOSE), "check: list the rules that pass too", NULL },
	CLI_USE_FORMATS("check: console (default) or json (every rule)"),
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_docs = {
	"docs",
	"generate and check the pipelines' documentation",
	run,
	"Usage: rat docs generate [-w NAME|PATH] [-p LAYER/NAME]\n"
	"       rat docs check [-w NAME|PATH] [--strict] [-v] [--json]\n"
	"\n"
	"generate writes, for each pipeline, in pipelines/<layer>/<name>/ (beside\n"
	"<name>.sql for a flat pipeline, whose files stay where they are):\n"
	"  README.md                what it is: description, owner, materialization,\n"
	"                           keys, upstream and downstream, columns, tests,\n"
	"                           freshness; the text between <!-- manual:start -->\n"
	"                           and <!-- manual:end --> is yours and is kept\n"
	"  docs/data_dictionary.md  the columns, as configured and as in the table\n"
	"  docs/business_rules.md   documentation, the SQL's WHERE filters, column\n"
	"                           tests in words, tests[], freshness\n"
	"  docs/lineage.md          its upstream chain and downstream impact (Mermaid)\n"
	"and docs/lineage.md of the workspace: the whole DAG in build order.\n"
	"Output is deterministic: a file whose content would not change is not\n"
	"rewritten.\n"
	"\n"
	"check verifies, per pipeline: readme (present and up to date), description\n"
	"(50 characters or more), owner (a team or an email), pii (every column\n"
	"marked pii: true or false), data_dictionary (present), column_descriptions\n"
	"(every column described), freshness (configured), lineage (present and\n"
	"matching the DAG). Columns are the table's when it exists, else the\n"
	"config's. freshness and pii are warnings unless --strict. Exit 1 when a\n"
	"rule fails.\n",
	options,
	NULL,
	NULL,
};
