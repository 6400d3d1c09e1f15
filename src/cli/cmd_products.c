/*
 * cli/cmd_products.c - `rat products list|versions|publish|grant|revoke|status`.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <inttypes.h>
#include <string.h>

static const rat_product_version_info *latest(const rat_product_info *p)
{
	return p->version_count ? &p->versions[p->version_count - 1] : NULL;
}

static void version_json(cli_json *j, const rat_product_version_info *v)
{
	size_t i;

	cli_json_object(j, NULL);
	cli_json_text(j, "version", v->version);
	cli_json_text(j, "source", v->source);
	cli_json_text(j, "commit", v->commit);
	cli_json_int(j, "snapshot_id", v->snapshot_id);
	cli_json_int(j, "rows", v->rows);
	cli_json_time(j, "published", v->published_ms);
	cli_json_unset(j, "changelog", v->changelog);
	cli_json_text(j, "location", v->location);
	cli_json_array(j, "columns");
	for (i = 0; i < v->column_count; i++) {
		cli_json_object(j, NULL);
		cli_json_text(j, "name", v->column_names[i]);
		cli_json_text(j, "type", v->column_types[i]);
		cli_json_close(j);
	}
	cli_json_close(j);
	cli_json_close(j);
}

/* "audit-* read" -> {"pattern": "audit-*", "level": "read"} */
static void rule_json(cli_json *j, const char *rule)
{
	const char *space = strrchr(rule, ' ');
	char pattern[160];

	snprintf(pattern, sizeof(pattern), "%.*s", space ? (int)(space - rule) : (int)strlen(rule),
		 rule);
	cli_json_object(j, NULL);
	cli_json_text(j, "pattern", pattern);
	cli_json_text(j, "level", space ? space + 1 : NULL);
	cli_json_close(j);
}

/* One product, its versions newest first. */
static void product_json(cli_json *j, const rat_product_info *p)
{
	char name[160];
	size_t i;

	snprintf(name, sizeof(name), "%s/%s", p->owner, p->name);
	cli_json_object(j, NULL);
	cli_json_text(j, "product", name);
	cli_json_text(j, "owner", p->owner);
	cli_json_text(j, "name", p->name);
	cli_json_unset(j, "description", p->description);
	cli_json_text(j, "source", p->source);
	if (p->sla_hours > 0)
		cli_json_double(j, "sla_hours", p->sla_hours);
	else
		cli_json_null(j, "sla_hours");
	cli_json_unset(j, "access", p->access);
	cli_json_array(j, "rules");
	for (i = 0; i < p->rule_count; i++)
		rule_json(j, p->rules[i]);
	cli_json_close(j);
	cli_json_text(j, "latest_version", latest(p) ? latest(p)->version : NULL);
	cli_json_array(j, "versions");
	for (i = p->version_count; i > 0; i--)
		version_json(j, &p->versions[i - 1]);
	cli_json_close(j);
	cli_json_close(j);
}

/* `list` and `versions` as JSON: the products (name: only that one). */
static int products_json(rat_workspace *ws, const char *name)
{
	rat_product_list products;
	cli_json j;
	size_t i;

	if (rat_product_list_get(&products, ws, name) != 0)
		return cli_fail_lib(NULL);
	cli_json_begin(&j, stdout);
	cli_json_array(&j, NULL);
	for (i = 0; i < products.count; i++)
		product_json(&j, &products.items[i]);
	rat_product_list_free(&products);
	return cli_json_end(&j);
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
			cli_time(at, sizeof(at), v->published_ms);
			printf("  %-10s %-19s  %10" PRId64 "  %-22s %-12.12s %s\n", v->version, at,
			       v->rows, v->source, v->commit, v->changelog);
		}
	}
	rat_product_list_free(&products);
	return CLI_OK;
}

/* One product's freshness: its state ("ok", "late", "no_sla", "never_published") and age. */
static void status_json(cli_json *j, const char *name, const rat_product_info *p,
			const char *state, double age)
{
	cli_json_object(j, NULL);
	cli_json_text(j, "product", name);
	cli_json_text(j, "latest_version", latest(p) ? latest(p)->version : NULL);
	if (latest(p))
		cli_json_double(j, "age_hours", age);
	else
		cli_json_null(j, "age_hours");
	if (p->sla_hours > 0)
		cli_json_double(j, "sla_hours", p->sla_hours);
	else
		cli_json_null(j, "sla_hours");
	cli_json_text(j, "status", state);
	cli_json_close(j);
}

/* SLA freshness: the latest version's age against the product's SLA. */
static int sla_status(rat_workspace *ws, bool json)
{
	static const char *const labels[] = { "ok", "LATE", "no SLA", "never published" };
	static const char *const states[] = { "ok", "late", "no_sla", "never_published" };
	rat_product_list products;
	int64_t now = rat_workspace_now_ms(ws);
	size_t i;
	int late = 0, written;
	cli_json j;

	if (rat_product_list_get(&products, ws, NULL) != 0)
		return cli_fail_lib(NULL);
	cli_json_begin(&j, stdout);
	if (json)
		cli_json_array(&j, NULL);
	else
		printf("%-32s %-10s %10s %8s  %s\n", "PRODUCT", "LATEST", "AGE (h)", "SLA (h)",
		       "STATUS");
	for (i = 0; i < products.count; i++) {
		const rat_product_info *p = &products.items[i];
		const rat_product_version_info *v = latest(p);
		double age = v ? (double)(now - v->published_ms) / 3.6e6 : 0;
		int state = !v ? 3 : p->sla_hours <= 0 ? 2 : age <= p->sla_hours ? 0 : 1;
		char name[160];
		late += state == 1;
		snprintf(name, sizeof(name), "%s/%s", p->owner, p->name);
		if (json)
			status_json(&j, name, p, states[state], age);
		else
			printf("%-32s %-10s %10.1f %8.1f  %s\n", name, v ? v->version : "-", age,
			       p->sla_hours, labels[state]);
	}
	rat_product_list_free(&products);
	written = json ? cli_json_end(&j) : CLI_OK;
	return late || written != CLI_OK ? CLI_FAILURE : CLI_OK;
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
	if (cli_has(a, CLI_OPT(FORMAT)) && strcmp(verb, "list") != 0 &&
	    strcmp(verb, "versions") != 0 && strcmp(verb, "status") != 0)
		return cli_usage(a->cmd, "--format goes with list, versions and status");
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
	if ((strcmp(pos[0], "list") == 0 || strcmp(pos[0], "versions") == 0) && cli_wants_json(a))
		status = products_json(ws, n == 2 ? pos[1] : NULL);
	else if (strcmp(pos[0], "list") == 0)
		status = list(ws);
	else if (strcmp(pos[0], "status") == 0)
		status = sla_status(ws, cli_wants_json(a));
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
	CLI_USE_FORMATS("list, versions, status: console (default) or json"),
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
	"Usage: rat products list [-w NAME|PATH] [--json]\n"
	"       rat products versions [PRODUCT] [--json]\n"
	"       rat products publish [NAME] [--version V | --bump major|minor|patch]\n"
	"                            [--changelog TEXT]\n"
	"       rat products grant PRODUCT PATTERN [read|write|admin]\n"
	"       rat products revoke PRODUCT PATTERN\n"
	"       rat products status [--json]\n"
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
