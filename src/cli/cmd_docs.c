/*
 * cli/cmd_docs.c - `rat docs generate` and `rat docs check`: write each
 * pipeline's documentation, and check that it is complete (SPEC D1, D2).
 */
#include "cli/cli.h"

#include <getopt.h>
#include <string.h>

typedef struct docs_args {
	const char *workspace;
	const char *verb;
	const char *pipeline; /* generate -p */
	int strict;           /* check --strict */
	bool verbose;         /* check -v */
} docs_args;

static int generate(const docs_args *a, const rat_workspace *ws)
{
	rat_docs_report report;
	size_t i;
	int error = rat_docs_generate(&report, ws, a->pipeline), status = CLI_OK;

	for (i = 0; i < report.move_count; i++)
		printf("moved %s -> %s\n", report.moves[i].from, report.moves[i].to);
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

static int check(const docs_args *a, const rat_workspace *ws)
{
	static const char *const labels[] = { "ok  ", "WARN", "FAIL" };
	rat_docs_report report;
	size_t i;
	int status;

	if (rat_docs_check(&report, ws, a->strict) != 0)
		return cli_fail_lib(NULL);
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

/* Options and the verb; false when the command is over (*status set). */
static bool parse(docs_args *a, int argc, char **argv, int *status)
{
	static const struct option options[] = {
		{ "workspace", required_argument, NULL, 'w' },
		{ "pipeline", required_argument, NULL, 'p' },
		{ "strict", no_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 0;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "w:p:vh", options, NULL)) != -1) {
		switch (c) {
		case 'w': a->workspace = optarg; break;
		case 'p': a->pipeline = optarg; break;
		case 's': a->strict = 1; break;
		case 'v': a->verbose = true; break;
		case 'h': *status = cli_help(&cli_cmd_docs); return false;
		default:
			*status = cli_usage(&cli_cmd_docs, "unknown option '%s'", argv[optind - 1]);
			return false;
		}
	}
	if (optind >= argc) {
		*status = cli_usage(&cli_cmd_docs, "wants a subcommand: generate or check");
		return false;
	}
	if (optind + 1 < argc) {
		*status = cli_usage(&cli_cmd_docs, "unexpected argument '%s'", argv[optind + 1]);
		return false;
	}
	a->verb = argv[optind];
	if (strcmp(a->verb, "generate") != 0 && strcmp(a->verb, "check") != 0)
		*status = cli_usage(&cli_cmd_docs, "unknown subcommand '%s' (generate, check)",
				    a->verb);
	else if (strcmp(a->verb, "generate") == 0 && (a->strict || a->verbose))
		*status = cli_usage(&cli_cmd_docs, "--strict and -v go with check");
	else if (strcmp(a->verb, "check") == 0 && a->pipeline)
		*status = cli_usage(&cli_cmd_docs, "-p goes with generate (check checks all)");
	else
		*status = CLI_OK;
	return *status == CLI_OK;
}

static int run(int argc, char **argv)
{
	docs_args a = { NULL, NULL, NULL, 0, false };
	rat_workspace *ws = NULL;
	int status;

	if (!parse(&a, argc, argv, &status))
		return status;
	if (rat_workspace_open(&ws, a.workspace) != 0)
		return cli_fail_lib(NULL);
	status = strcmp(a.verb, "generate") == 0 ? generate(&a, ws) : check(&a, ws);
	rat_workspace_free(ws);
	return status;
}

const cli_command cli_cmd_docs = {
	"docs",
	"generate and check the pipelines' documentation",
	run,
	"Usage: rat docs generate [-w NAME|PATH] [-p LAYER/NAME]\n"
	"       rat docs check [-w NAME|PATH] [--strict] [-v]\n"
	"\n"
	"generate writes, for each pipeline, in pipelines/<layer>/<name>/:\n"
	"  README.md                what it is: description, owner, materialization,\n"
	"                           keys, upstream and downstream, columns, tests,\n"
	"                           freshness; the text between <!-- manual:start -->\n"
	"                           and <!-- manual:end --> is yours and is kept\n"
	"  docs/data_dictionary.md  the columns, as configured and as in the table\n"
	"  docs/business_rules.md   documentation, the SQL's WHERE filters, column\n"
	"                           tests in words, tests[], freshness\n"
	"  docs/lineage.md          its upstream chain and downstream impact (Mermaid)\n"
	"and docs/lineage.md of the workspace: the whole DAG in build order.\n"
	"A flat pipeline (<name>.sql and <name>.yaml) is first moved into its folder\n"
	"(<name>/pipeline.sql, <name>/config.yaml), byte for byte; if the folder\n"
	"exists already, nothing changes. Output is deterministic: a file whose\n"
	"content would not change is not rewritten.\n"
	"\n"
	"check verifies, per pipeline: readme (present and up to date), description\n"
	"(50 characters or more), owner (a team or an email), pii (every column\n"
	"marked pii: true or false), data_dictionary (present), column_descriptions\n"
	"(every column described), freshness (configured), lineage (present and\n"
	"matching the DAG). Columns are the table's when it exists, else the\n"
	"config's. freshness and pii are warnings unless --strict. Exit 1 when a\n"
	"rule fails.\n"
	"\n"
	"Options:\n"
	"  -w, --workspace NAME|PATH  the workspace\n"
	"  -p, --pipeline LAYER/NAME  generate: only this pipeline (or layer.name)\n"
	"      --strict               check: every failed rule is an error\n"
	"  -v, --verbose              check: list the rules that pass too\n"
	"  -h, --help                 show this help\n",
};
