/*
 * cli/args.c - the one option parser of `rat`, and the table of the option
 * meanings the commands share.
 *
 * A command declares the options it takes (cli_use: a meaning of
 * cli_options, or one of its own in the same form) and the old spellings it
 * still accepts (cli_alias); main.c parses every command line here before
 * the command runs. The parser works like getopt_long with permutation:
 * options and positional arguments in any order, "--" ends the options, a
 * lone "-" is an argument, --name=VALUE or --name VALUE, a unique prefix of a
 * long name, -xVALUE or -x VALUE, and flags clustered (-vx).
 */
#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

const cli_option cli_options[CLI_OPTION_COUNT] = {
	[CLI_HELP] = { "help", 'h', CLI_FLAG, NULL, "show this help", NULL, NULL, NULL },
	[CLI_WORKSPACE] = { "workspace", 'w', CLI_TEXT, "NAME|PATH",
			    "the workspace (default: $WORKSPACE, else the one\n"
			    "enclosing the current folder, else 'default')",
			    NULL, NULL, NULL },
	[CLI_REF] = { "ref", 'r', CLI_TEXT, "REF",
		      "a branch, tag or commit (default: the workspace's branch)", NULL, NULL,
		      NULL },
	[CLI_LIMIT] = { "limit", 'n', CLI_COUNT, "N", "at most N", NULL, NULL, NULL },
	[CLI_FORMAT] = { "format", 'o', CLI_TEXT, "FORMAT", "the output format", NULL, NULL, NULL },
	[CLI_JSON] = { "json", 0, CLI_FLAG, NULL, "the same as --format json", NULL,
		       &cli_options[CLI_FORMAT], "json" },
	[CLI_OUTPUT] = { "output", 0, CLI_TEXT, "FILE", "write to FILE", NULL, NULL, NULL },
	[CLI_DRY_RUN] = { "dry-run", 0, CLI_FLAG, NULL, "say what would happen; change nothing",
			  NULL, NULL, NULL },
	[CLI_VERBOSE] = { "verbose", 'v', CLI_FLAG, NULL, "say more", NULL, NULL, NULL },
	[CLI_FAIL_FAST] = { "fail-fast", 'x', CLI_FLAG, NULL, "stop at the first failure", NULL,
			    NULL, NULL },
	[CLI_FULL_REFRESH] = { "full-refresh", 'f', CLI_FLAG, NULL,
			       "rebuild incremental tables from scratch", NULL, NULL, NULL },
	[CLI_PIPELINE] = { "pipeline", 'p', CLI_TEXT, "LAYER/NAME", "only this pipeline", NULL,
			   NULL, NULL },
	[CLI_LAYER] = { "layer", 'l', CLI_TEXT, "LAYER", "only this layer's pipelines", NULL,
			NULL, NULL },
	[CLI_TYPE] = { "type", 't', CLI_TEXT, "TYPE", "only these tests", "test type", NULL,
		       NULL },
	[CLI_SELECT] = { "select", 's', CLI_TEXT, "SELECTOR", "select pipelines", NULL, NULL,
			 NULL },
};

/* The state of one parse. */
typedef struct parser {
	cli_args *args;
	const cli_command *cmd;
	int argc, at; /* argv[at] is the next word */
	char **argv;
	int status;
} parser;

static bool fail(parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool fail(parser *p, const char *fmt, ...)
{
	char message[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(message, sizeof(message), fmt, ap);
	va_end(ap);
	p->status = cli_usage(p->cmd, "%s", message);
	return false;
}

bool cli_listed(const char *const *list, const char *s)
{
	for (; list && s && *list; list++)
		if (strcmp(*list, s) == 0)
			return true;
	return false;
}

/* The options cmd takes, --help included: the i-th, or NULL past the end. */
static const cli_option *option_at(const cli_command *cmd, size_t i)
{
	if (i == 0)
		return CLI_OPT(HELP);
	return cmd->options ? cmd->options[i - 1].option : NULL;
}

static const cli_option *by_letter(const cli_command *cmd, char letter)
{
	const cli_option *o;
	size_t i;

	for (i = 0; (o = option_at(cmd, i)) != NULL; i++)
		if (o->letter == letter)
			return o;
	return NULL;
}

/* The option named name (len bytes), or the one it is a unique prefix of. */
static const cli_option *by_name(parser *p, const char *name, size_t len, bool *ambiguous)
{
	const cli_option *o, *found = NULL;
	size_t i, matches = 0;

	*ambiguous = false;
	for (i = 0; (o = option_at(p->cmd, i)) != NULL; i++) {
		if (strncmp(o->name, name, len) != 0)
			continue;
		if (o->name[len] == '\0')
			return o;
		found = o;
		matches++;
	}
	*ambiguous = matches > 1;
	return matches == 1 ? found : NULL;
}

static const cli_alias *alias_of(const cli_command *cmd, const char *spelling)
{
	const cli_alias *a;

	for (a = cmd->aliases; a && a->spelling; a++)
		if (strcmp(a->spelling, spelling) == 0)
			return a;
	return NULL;
}

static const cli_use *use_of(const cli_command *cmd, const cli_option *option)
{
	const cli_use *u;

	for (u = cmd->options; u && u->option; u++)
		if (u->option == option)
			return u;
	return NULL;
}

static bool is_count(const char *s)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	return end != s && *end == '\0' && errno == 0 && n >= 0;
}

/* "rat: warning: 'rat query -f csv' is now '-o csv' (--format)" */
static void warn(const cli_command *cmd, const char *spelling, const cli_option *now,
		 const char *value)
{
	const char *space = value ? " " : "";

	value = value ? value : "";
	fprintf(stderr, "rat: warning: 'rat %s %s%s%s' is now ", cmd->name, spelling, space, value);
	if (now->letter)
		fprintf(stderr, "'-%c%s%s' (--%s)\n", now->letter, space, value, now->name);
	else
		fprintf(stderr, "'--%s%s%s'\n", now->name, space, value);
}

/* Record an option and its value, once it is checked; --help ends the parse. */
static bool take(parser *p, const cli_option *o, const char *value)
{
	const cli_use *use;
	char choices[256];

	if (o == CLI_OPT(HELP)) {
		p->status = cli_help(p->cmd);
		return false;
	}
	if (o->sets) {
		value = o->to;
		o = o->sets;
	}
	if (o->kind == CLI_COUNT && !is_count(value))
		return fail(p, "--%s wants a count, got '%s'", o->name, value);
	use = use_of(p->cmd, o);
	if (use && use->choices && !cli_listed(use->choices, value)) {
		cli_join(choices, sizeof(choices), use->choices);
		return fail(p, "unknown %s '%s' (%s)", o->noun ? o->noun : o->name, value, choices);
	}
	p->args->hits[p->args->hit_count++] = (cli_hit){ o, value };
	return true;
}

static bool unknown(parser *p, const char *spelling)
{
	const char *names[64], *near;
	const cli_option *o;
	size_t i, n = 0;

	for (i = 0; (o = option_at(p->cmd, i)) != NULL && n + 1 < sizeof(names) / sizeof(*names); i++)
		names[n++] = o->name;
	names[n] = NULL;
	near = spelling[1] == '-' ? cli_nearest(spelling + 2, names) : NULL;
	if (near)
		return fail(p, "unknown option '%s'; did you mean --%s?", spelling, near);
	return fail(p, "unknown option '%s'", spelling);
}

/* "option '--f' is ambiguous (--full-refresh, --format)" */
static bool ambiguous_option(parser *p, const char *spelling)
{
	char names[256] = "";
	const cli_option *o;
	size_t i, used = 0, len = strlen(spelling + 2);
	int n;

	for (i = 0; (o = option_at(p->cmd, i)) != NULL && used < sizeof(names); i++) {
		if (strncmp(o->name, spelling + 2, len) != 0)
			continue;
		n = snprintf(names + used, sizeof(names) - used, "%s--%s", used ? ", " : "", o->name);
		used += n > 0 ? (size_t)n : 0;
	}
	return fail(p, "option '%s' is ambiguous (%s)", spelling, names);
}

/*
 * One option as spelled (without its value), cur the option the spelling
 * names today (NULL: none), attached the value written in the same word
 * (NULL: none). *took says whether the option took attached as its value.
 */
static bool option(parser *p, const char *spelling, const cli_option *cur, const char *attached,
		   bool *took)
{
	const cli_alias *alias = alias_of(p->cmd, spelling);
	const cli_option *o = alias ? alias->now : cur;
	const char *value = NULL;

	*took = false;
	if (!o)
		return unknown(p, spelling);
	if (o->kind != CLI_FLAG && attached) {
		value = attached;
		*took = true;
	} else if (o->kind != CLI_FLAG && p->at < p->argc) {
		value = p->argv[p->at++];
	} else if (o->kind != CLI_FLAG) {
		return fail(p, "option '%s' wants a value (%s)", spelling, o->value);
	}
	if (alias && alias->unless && cur && cli_listed(alias->unless, value)) {
		alias = NULL; /* the spelling's meaning today */
		o = cur;
	}
	if (alias)
		warn(p->cmd, spelling, o, value);
	return take(p, o, value);
}

/* --name, --name=VALUE, or a unique prefix of --name. */
static bool long_option(parser *p, const char *word)
{
	const char *eq = strchr(word, '='), *attached = eq ? eq + 1 : NULL;
	size_t len = eq ? (size_t)(eq - word) : strlen(word);
	char spelling[128];
	const cli_option *cur;
	bool ambiguous, took;

	if (len >= sizeof(spelling) || len == 2)
		return fail(p, "unknown option '%.40s'", word);
	memcpy(spelling, word, len);
	spelling[len] = '\0';
	cur = by_name(p, spelling + 2, len - 2, &ambiguous);
	if (ambiguous && !alias_of(p->cmd, spelling))
		return ambiguous_option(p, spelling);
	if (!option(p, spelling, cur, attached, &took))
		return false;
	if (attached && !took)
		return fail(p, "option '%s' takes no value", spelling);
	return true;
}

/* -x, -xVALUE, and flags clustered: -vx. */
static bool short_options(parser *p, const char *word)
{
	size_t i;
	bool took = false;

	for (i = 1; word[i] && !took; i++) {
		char spelling[3] = { '-', word[i], '\0' };
		if (!option(p, spelling, by_letter(p->cmd, word[i]), word[i + 1] ? word + i + 1 : NULL,
			    &took))
			return false;
	}
	return true;
}

static bool parse(parser *p)
{
	bool options = true;

	while (p->at < p->argc) {
		char *word = p->argv[p->at++];
		bool ok = true;
		if (options && strcmp(word, "--") == 0)
			options = false;
		else if (options && strncmp(word, "--", 2) == 0)
			ok = long_option(p, word);
		else if (options && word[0] == '-' && word[1])
			ok = short_options(p, word);
		else
			p->args->pos[p->args->count++] = word;
		if (!ok)
			return false;
	}
	return true;
}

bool cli_parse(cli_args *args, const cli_command *cmd, int argc, char **argv, int *status)
{
	parser p = { args, cmd, argc, 1, argv, CLI_OK };
	size_t hits = 1;
	int i;

	memset(args, 0, sizeof(*args));
	args->cmd = cmd;
	for (i = 1; i < argc; i++) /* a word gives at most one option per character */
		hits += argv[i][0] == '-' ? strlen(argv[i]) : 0;
	args->hits = calloc(hits, sizeof(cli_hit));
	args->pos = calloc((size_t)argc + 1, sizeof(char *));
	if (!args->hits || !args->pos) {
		cli_args_free(args);
		*status = cli_fail("out of memory");
		return false;
	}
	if (!parse(&p)) {
		cli_args_free(args);
		*status = p.status;
		return false;
	}
	*status = CLI_OK;
	return true;
}

void cli_args_free(cli_args *args)
{
	free(args->hits);
	free(args->pos);
	args->hits = NULL;
	args->pos = NULL;
}

const char *cli_get(const cli_args *args, const cli_option *option)
{
	size_t i;

	for (i = args->hit_count; i > 0; i--)
		if (args->hits[i - 1].option == option)
			return args->hits[i - 1].value;
	return NULL;
}

bool cli_has(const cli_args *args, const cli_option *option)
{
	size_t i;

	for (i = 0; i < args->hit_count; i++)
		if (args->hits[i].option == option)
			return true;
	return false;
}

bool cli_has_value(const cli_args *args, const cli_option *option, const char *value)
{
	size_t i;

	for (i = 0; i < args->hit_count; i++)
		if (args->hits[i].option == option && args->hits[i].value &&
		    strcmp(args->hits[i].value, value) == 0)
			return true;
	return false;
}

int cli_table_arg(const cli_args *args, const char **table)
{
	if (args->count != 1)
		return cli_usage(args->cmd, "wants one TABLE (layer.table)");
	*table = args->pos[0];
	return CLI_OK;
}

long cli_count(const cli_args *args, const cli_option *option, long fallback)
{
	const char *value = cli_get(args, option);

	return value ? strtol(value, NULL, 10) : fallback;
}
