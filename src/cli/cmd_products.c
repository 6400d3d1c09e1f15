/*
 * cli/cmd_products.c - `rat products list|versions|publish|grant|revoke|status`.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

static void when(char *out, size_t len, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%d %H:%M:%S", &tm);
}

static const rat_product_version_info *latest(const rat_product_info *p)
{
	return p->version_count ? &p->versions[p->version_count - 1] : NULL;
}

static int list(rat_workspace *ws)
{
	rat_product_list products;
	size_t i;

	if (rat_product_list_get(&products, ws, NULL) != 0)
		return cli_fail_lib(NULL);
	if (products.count == 0)
		printf("No products published\n");
	else
		printf("%-32s %-10s %-8s %-22s %s\n", "PRODUCT", "LATEST", "ACCESS", "SOURCE",
		       "DESCRIPTION");
	for (i = 0; i < products.count; i++) {
		const rat_product_info *p = &products.items[i];
		char name[160];
		snprintf(name, sizeof(name), "%s/%s", p->owner, p->name);
		printf("%-32s %-10s %-8s %-22s %s\n", name, latest(p) ? latest(p)->version : "-",
		       p->access[0] ? p->access : "none", p->source, p->description);
	}
	rat_product_list_free(&products);
	return CLI_OK;
}

static int versions(rat_workspace *ws, const char *name)
{
	rat_product_list products;
	size_t i, j;

	if (rat_product_list_get(&products, ws, name) != 0)
		return cli_fail_lib(NULL);
	for (i = 0; i < products.count; i++) {
		const rat_product_info *p = &products.items[i];
		printf("%s/%s: %s\n", p->owner, p->name, p->description);
		printf("  access: ");
		for (j = 0; j < p->rule_count; j++)
			printf("%s%s", j ? ", " : "", p->rules[j]);
		printf("%s\n", p->rule_count ? "" : "owner only");
		printf("  %-10s %-19s  %10s  %-22s %-12s %s\n", "VERSION", "PUBLISHED (UTC)", "ROWS",
		       "SOURCE", "COMMIT", "CHANGELOG");
		for (j = p->version_count; j > 0; j--) {
			const rat_product_version_info *v = &p->versions[j - 1];
			char at[32];
			when(at, sizeof(at), v->published_ms);
			printf("  %-10s %-19s  %10" PRId64 "  %-22s %-12.12s %s\n", v->version, at,
			       v->rows, v->source, v->commit, v->changelog);
		}
	}
	rat_product_list_free(&products);
	return CLI_OK;
}

/* SLA freshness: the latest version's age against the product's SLA. */
static int sla_status(rat_workspace *ws)
{
	rat_product_list products;
	struct timespec now;
	size_t i;
	int late = 0;

	if (rat_product_list_get(&products, ws, NULL) != 0)
		return cli_fail_lib(NULL);
	clock_gettime(CLOCK_REALTIME, &now);
	printf("%-32s %-10s %10s %8s  %s\n", "PRODUCT", "LATEST", "AGE (h)", "SLA (h)", "STATUS");
	for (i = 0; i < products.count; i++) {
		const rat_product_info *p = &products.items[i];
		const rat_product_version_info *v = latest(p);
		double age = v ? ((double)now.tv_sec * 1000.0 - (double)v->published_ms) / 3.6e6 : 0;
		const char *state = !v ? "never published"
				    : p->sla_hours <= 0 ? "no SLA"
				    : age <= p->sla_hours ? "ok" : "LATE";
		char name[160];
		late += strcmp(state, "LATE") == 0;
		snprintf(name, sizeof(name), "%s/%s", p->owner, p->name);
		printf("%-32s %-10s %10.1f %8.1f  %s\n", name, v ? v->version : "-", age,
		       p->sla_hours, state);
	}
	rat_product_list_free(&products);
	return late ? CLI_FAILURE : CLI_OK;
}

static int publish(rat_workspace *ws, const char *name, const rat_publish_options *opts)
{
	char version[64];

	if (rat_product_publish(version, ws, name, opts) != 0)
		return cli_fail_lib(NULL);
	if (name)
		printf("Published %s/%s %s\n", rat_workspace_name(ws), name, version);
	else
		printf("Published the products of %s (the last one as %s)\n", rat_workspace_name(ws),
		       version);
	return CLI_OK;
}

static int grant(rat_workspace *ws, char **pos, int n)
{
	const char *level = n == 4 ? pos[3] : "read";

	if (rat_product_grant(ws, pos[1], pos[2], level) != 0)
		return cli_fail_lib(NULL);
	printf("Granted %s %s on %s\n", pos[2], level, pos[1]);
	return CLI_OK;
}

static int revoke(rat_workspace *ws, char **pos)
{
	if (rat_product_revoke(ws, pos[1], pos[2]) != 0)
		return cli_fail_lib(NULL);
	printf("Revoked %s on %s\n", pos[2], pos[1]);
	return CLI_OK;
}

static const cli_option version = { "version", 0, CLI_TEXT, "V",
				    "publish: this version (default: a bump of the latest)", NULL,
				    NULL, NULL };
static const cli_option bump = { "bump", 'b', CLI_TEXT, "PART",
				 "publish: major, minor or patch", NULL, NULL, NULL };
static const cli_option changelog = { "changelog", 'm', CLI_TEXT, "TEXT",
				      "publish: what changed in this version", NULL, NULL, NULL };
static const char *const verbs[] = { "list", "versions", "publish", "grant", "revoke", "status",
				     NULL };

/* The subcommand and its arguments; a usage error's status, or CLI_OK. */
static int check_args(const cli_args *a, const rat_publish_options *opts)
{
	const char *verb = a->count ? a->pos[0] : NULL;
	int n = a->count;

	if (!verb)
		return cli_usage(a->cmd, "missing subcommand");
	if (!cli_listed(verbs, verb))
		return cli_unknown_verb(a->cmd, verb, verbs);
	if ((opts->new_version || opts->bump || opts->changelog) && strcmp(verb, "publish") != 0)
		return cli_usage(a->cmd, "--version, --bump and --changelog go with publish");
	if (!(strcmp(verb, "list") == 0 && n == 1) && !(strcmp(verb, "status") == 0 && n == 1) &&
	    !(strcmp(verb, "versions") == 0 && n <= 2) && !(strcmp(verb, "publish") == 0 && n <= 2) &&
	    !(strcmp(verb, "grant") == 0 && (n == 3 || n == 4)) &&
	    !(strcmp(verb, "revoke") == 0 && n == 3))
		return cli_usage(a->cmd, "wrong arguments for '%s' (see --help)", verb);
	return CLI_OK;
}

static int run(const cli_args *a)
{
	rat_publish_options opts = RAT_PUBLISH_OPTIONS_INIT;
	const char *workspace = cli_get(a, CLI_OPT(WORKSPACE));
	rat_workspace *ws = NULL;
	char **pos = a->pos;
	int n = a->count, status;

	opts.new_version = cli_get(a, &version);
	opts.bump = cli_get(a, &bump);
	opts.changelog = cli_get(a, &changelog);
	if ((status = check_args(a, &opts)) != CLI_OK)
		return status;
	if (rat_workspace_open(&ws, workspace) != 0)
		return cli_fail_lib(NULL);
	if (strcmp(pos[0], "list") == 0)
		status = list(ws);
	else if (strcmp(pos[0], "status") == 0)
		status = sla_status(ws);
	else if (strcmp(pos[0], "versions") == 0)
		status = versions(ws, n == 2 ? pos[1] : NULL);
	else if (strcmp(pos[0], "publish") == 0)
		status = publish(ws, n == 2 ? pos[1] : NULL, &opts);
	else if (strcmp(pos[0], "grant") == 0)
		status = grant(ws, pos, n);
	else
		status = revoke(ws, pos);
	rat_workspace_free(ws);
	return status;
}

static const cli_use options[] = {
	{ CLI_OPT(WORKSPACE), NULL, NULL },
	{ &version, NULL, NULL },
	{ &bump, NULL, NULL },
	{ &changelog, NULL, NULL },
	{ NULL, NULL, NULL },
};

/* -V is rat's own version (`rat -V`). */
static const cli_alias aliases[] = {
	{ "-V", &version, NULL },
	{ NULL, NULL, NULL },
};

const cli_command cli_cmd_products = {
	"products",
	"publish data products, list them, grant and revoke access",
	run,
	"Usage: rat products list [-w NAME|PATH]\n"
	"       rat products versions [PRODUCT]\n"
	"       rat products publish [NAME] [--version V | --bump major|minor|patch]\n"
	"                            [--changelog TEXT]\n"
	"       rat products grant PRODUCT PATTERN [read|write|admin]\n"
	"       rat products revoke PRODUCT PATTERN\n"
	"       rat products status\n"
	"\n"
	"A product is a workspace's table published as an immutable, versioned copy\n"
	"(products: in workspace.yaml names its source and access rules). Other\n"
	"workspaces subscribe in their workspace.yaml (subscriptions:, with an npm\n"
	"semver constraint) and read it as products.<alias>, if a rule lets them.\n"
	"\n"
	"  list      every product: latest version, your access, source\n"
	"  versions  a product's versions (newest first) and rules\n"
	"  publish   a new version of NAME (default: every configured product); the\n"
	"            version is --version, or a bump of the latest (patch; minor when\n"
	"            columns were added; 1.0.0 first). Dropping or retyping a column\n"
	"            needs a major version.\n"
	"  grant     let workspaces matching PATTERN (*, prefix*, a name) read (or\n"
	"            write, administer) a product you own; revoke takes it back: both\n"
	"            apply from the subscribers' next query\n"
	"  status    SLA freshness: how old each product's latest version is\n"
	"            (exit 1 when one is late)\n"
	"\n"
	"PRODUCT is owner/name, or a name.\n",
	options,
	aliases,
	NULL,
};
