/*
 * cli/cmd_test.c - `rat test`: run a workspace's tests and report them on
 * the console, as JSON, or as JUnit XML for CI systems.
 */
#include "cli/cli.h"

#include <inttypes.h>
#include <string.h>

static const char *const status_names[] = { "PASS", "FAIL", "WARN", "ERROR", "SKIP" };
static const char *const json_status[] = { "passed", "failed", "warned", "error", "skipped" };

typedef struct console {
	bool verbose, color;
	const char *pipeline; /* the last one printed */
} console;

static void print_result(void *ctx, const rat_test_result *r)
{
	console *c = ctx;
	static const char *const colors[] = { "\033[32m", "\033[31m", "\033[33m", "\033[31m",
					      "\033[2m" };
	size_t i;

	if (!c->pipeline || strcmp(c->pipeline, r->pipeline) != 0)
		printf("%s\n", r->pipeline);
	c->pipeline = r->pipeline;
	printf("  %s%-5s%s %-40s %8.1f ms", c->color ? colors[r->status] : "",
	       status_names[r->status], c->color ? "\033[0m" : "", r->name,
	       (double)r->duration_us / 1000.0);
	if (r->message[0] && (r->status != RAT_TEST_PASSED || c->verbose))
		printf("  %s", r->message);
	printf("\n");
	for (i = 0; i < r->row_count && (r->status != RAT_TEST_PASSED || c->verbose); i++)
		printf("        %s\n", r->rows[i]);
	if (c->verbose && r->file[0])
		printf("        (%s)\n", r->file);
	fflush(stdout);
}

static void result_json(cli_json *j, const rat_test_result *r)
{
	cli_json_object(j, NULL);
	cli_json_text(j, "pipeline", r->pipeline);
	cli_json_text(j, "name", r->name);
	cli_json_text(j, "kind", r->kind);
	cli_json_text(j, "status", json_status[r->status]);
	cli_json_text(j, "severity", r->error_severity ? "error" : "warn");
	cli_json_double(j, "duration_ms", (double)r->duration_us / 1000.0);
	cli_json_int(j, "violations", r->violations);
	cli_json_unset(j, "file", r->file);
	cli_json_unset(j, "message", r->message);
	cli_json_strings(j, "rows", r->rows, r->row_count);
	cli_json_close(j);
}

static int print_json(const rat_test_report *rep)
{
	cli_json j;
	size_t i;

	cli_json_begin(&j, stdout);
	cli_json_object(&j, NULL);
	cli_json_object(&j, "summary");
	cli_json_int(&j, "total", (int64_t)rep->count);
	cli_json_int(&j, "passed", (int64_t)rep->passed);
	cli_json_int(&j, "failed", (int64_t)rep->failed);
	cli_json_int(&j, "warned", (int64_t)rep->warned);
	cli_json_int(&j, "errors", (int64_t)rep->errored);
	cli_json_int(&j, "skipped", (int64_t)rep->skipped);
	cli_json_bool(&j, "stopped", rep->stopped);
	cli_json_close(&j);
	cli_json_array(&j, "tests");
	for (i = 0; i < rep->count; i++)
		result_json(&j, &rep->items[i]);
	return cli_json_end(&j);
}

static void xml_text(const char *s)
{
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (*s == '<')
			fputs("&lt;", stdout);
		else if (*s == '>')
			fputs("&gt;", stdout);
		else if (*s == '&')
			fputs("&amp;", stdout);
		else if (*s == '"')
			fputs("&quot;", stdout);
		else if (ch < 0x20 && ch != '\n' && ch != '\t')
			fputc(' ', stdout); /* not allowed in XML 1.0 */
		else
			fputc(*s, stdout);
	}
}

/* One <testsuite> per pipeline, one <testcase> per test. */
static void print_junit(const rat_test_report *rep)
{
	size_t i, j, k, end;

	printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	printf("<testsuites name=\"rat test\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
	       "skipped=\"%zu\">\n", rep->count, rep->failed, rep->errored, rep->skipped);
	for (i = 0; i < rep->count; i = end) {
		size_t fails = 0, errors = 0, skips = 0;
		double secs = 0;
		for (end = i; end < rep->count &&
			      strcmp(rep->items[end].pipeline, rep->items[i].pipeline) == 0; end++) {
			fails += rep->items[end].status == RAT_TEST_FAILED;
			errors += rep->items[end].status == RAT_TEST_ERROR;
			skips += rep->items[end].status == RAT_TEST_SKIPPED;
			secs += (double)rep->items[end].duration_us / 1e6;
		}
		printf("  <testsuite name=\"");
		xml_text(rep->items[i].pipeline);
		printf("\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" "
		       "time=\"%.6f\">\n", end - i, fails, errors, skips, secs);
		for (j = i; j < end; j++) {
			const rat_test_result *r = &rep->items[j];
			static const char *const tags[] = { NULL, "failure", NULL, "error", "skipped" };
			printf("    <testcase classname=\"");
			xml_text(r->pipeline);
			printf("\" name=\"");
			xml_text(r->name);
			printf("\" file=\"");
			xml_text(r->file);
			printf("\" time=\"%.6f\">", (double)r->duration_us / 1e6);
			if (tags[r->status]) {
				printf("\n      <%s message=\"", tags[r->status]);
				xml_text(r->message);
				printf("\">");
				for (k = 0; k < r->row_count; k++) {
					xml_text(r->rows[k]);
					printf("\n");
				}
				printf("</%s>\n    ", tags[r->status]);
			} else if (r->status == RAT_TEST_WARNED) {
				printf("\n      <system-out>warning: ");
				xml_text(r->message);
				printf("</system-out>\n    ");
			}
			printf("</testcase>\n");
		}
		printf("  </testsuite>\n");
	}
	printf("</testsuites>\n");
}

static int run(const cli_args *a)
{
	rat_test_options opts = RAT_TEST_OPTIONS_INIT;
	const char *format = cli_get(a, CLI_OPT(FORMAT));
	console con = { cli_has(a, CLI_OPT(VERBOSE)), false, NULL };
	rat_workspace *ws = NULL;
	rat_test_report report;
	int status, written = CLI_OK;

	format = format ? format : "console";
	opts.pipeline = cli_get(a, CLI_OPT(PIPELINE));
	opts.layer = cli_get(a, CLI_OPT(LAYER));
	/* every type given applies: unit and quality are all of them, and freshness is part of
	 * quality */
	if (cli_has_value(a, CLI_OPT(TYPE), "unit") && cli_has_value(a, CLI_OPT(TYPE), "quality"))
		opts.kind = NULL;
	else if (cli_has_value(a, CLI_OPT(TYPE), "unit") && cli_has_value(a, CLI_OPT(TYPE), "freshness"))
		return cli_usage(a->cmd, "-t unit with -t freshness: give -t unit -t quality for both");
	else if (cli_has_value(a, CLI_OPT(TYPE), "quality"))
		opts.kind = "quality";
	else
		opts.kind = cli_get(a, CLI_OPT(TYPE));
	opts.fail_fast = cli_has(a, CLI_OPT(FAIL_FAST));
	if (a->count != 0)
		return cli_usage(a->cmd, "takes no arguments (use -p layer/name)");
	if (rat_workspace_open(&ws, cli_get(a, CLI_OPT(WORKSPACE))) != 0)
		return cli_fail_lib(NULL);
	con.color = cli_color(stdout);
	cli_warn_memory(ws, false);
	if (strcmp(format, "console") == 0) {
		opts.progress = print_result;
		opts.progress_ctx = &con;
	}
	if (rat_test_run(&report, ws, &opts) != 0) {
		rat_workspace_free(ws);
		return cli_fail_lib(NULL);
	}
	if (strcmp(format, "json") == 0)
		written = print_json(&report);
	else if (strcmp(format, "junit") == 0)
		print_junit(&report);
	else
		printf("%s%zu tests: %zu passed, %zu failed, %zu warned, %zu errors, %zu skipped%s\n",
		       report.count ? "\n" : "", report.count, report.passed, report.failed,
		       report.warned, report.errored, report.skipped,
		       report.stopped ? " (stopped at the first failure: -x)" : "");
	status = report.failed || report.errored || written != CLI_OK ? CLI_FAILURE : CLI_OK;
	rat_test_report_free(&report);
	rat_workspace_free(ws);
	return status;
}

static const char *const formats[] = { "console", "json", "junit", NULL };
static const char *const types[] = { "unit", "quality", "freshness", NULL };

static const cli_use options[] = {
	{ CLI_OPT(WORKSPACE), NULL, NULL },
	{ CLI_OPT(PIPELINE), NULL, NULL },
	{ CLI_OPT(LAYER), "only this layer", NULL },
	{ CLI_OPT(TYPE), "unit, quality, or freshness (the freshness checks alone): only these "
			 "tests (repeat it)", types },
	{ CLI_OPT(FORMAT), "console (default), json, or junit (XML on stdout)", formats },
	{ CLI_OPT(JSON), NULL, NULL },
	{ CLI_OPT(VERBOSE), "show passing tests' details too", NULL },
	{ CLI_OPT(FAIL_FAST), NULL, NULL },
	{ NULL, NULL, NULL },
};

/* --output was test's name for the format; --output is a file everywhere now. */
static const cli_alias aliases[] = {
	{ "--output", CLI_OPT(FORMAT), NULL },
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_test = {
	"test",
	"run the workspace's unit, quality and column tests",
	run,
	"Usage: rat test [-w NAME|PATH] [-p LAYER/NAME] [-l LAYER] [-t unit|quality|freshness]\n"
	"                [-o console|json|junit] [-v] [-x]\n"
	"\n"
	"Run the tests of the workspace's pipelines, in build order:\n"
	"  unit       tests/unit/*.sql: the pipeline's SQL on mock tables (tests/mocks/),\n"
	"             checked against @expect rows, @expect_count, @expect_columns or a\n"
	"             SELECT of the expected rows\n"
	"  quality    tests/quality/*.sql: every row returned is a violation (@severity);\n"
	"             over the table on the workspace's branch, or on mocks (@mocks);\n"
	"             and the config's column tests, tests[] and freshness\n"
	"  freshness  the freshness checks alone: how old each table's newest data is\n"
	"             against its freshness: (what rat serve looks at for its alerts)\n"
	"See docs/testing.md.\n",
	options,
	aliases,
	"Exit status: 0 when no error-severity test failed and none errored, 1 otherwise,\n"
	"2 usage.\n",
};
