/*
 * cli/help.c - a command's help, its options written from the same tables
 * the parser reads, and `rat __options`, the listing of every command's
 * options and old spellings that tests/cli/test_options.sh checks.
 */
#include "cli/cli.h"

#include <string.h>

/* "  -w, --workspace NAME|PATH" or "      --dry-run" */
static void label(char *out, size_t len, const cli_option *o)
{
	snprintf(out, len, "  %c%c%s--%s%s%s", o->letter ? '-' : ' ', o->letter ? o->letter : ' ',
		 o->letter ? ", " : "  ", o->name, o->value ? " " : "", o->value ? o->value : "");
}

/* One option: its label, then its help in a column, continued lines indented. */
static void print_option(const cli_option *o, const char *help, int width)
{
	char text[128];
	const char *line, *end;

	label(text, sizeof(text), o);
	printf("%-*s", width, text);
	for (line = help; line; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		if (line != help)
			printf("\n%*s", width, "");
		printf("%.*s", end ? (int)(end - line) : (int)strlen(line), line);
	}
	printf("\n");
}

int cli_help(const cli_command *cmd)
{
	const cli_use *u;
	char text[128];
	int width = 0;

	for (u = cmd->options; u && u->option; u++) {
		label(text, sizeof(text), u->option);
		width = (int)strlen(text) > width ? (int)strlen(text) : width;
	}
	width += 2;
	fputs(cmd->usage, stdout);
	printf("\nOptions:\n");
	for (u = cmd->options; u && u->option; u++)
		print_option(u->option, u->help ? u->help : u->option->help, width);
	print_option(CLI_OPT(HELP), CLI_OPT(HELP)->help, width);
	if (cmd->notes)
		printf("\n%s", cmd->notes);
	return CLI_OK;
}

/* The value's name, or "flag". */
static const char *value_of(const cli_option *o)
{
	return o->kind == CLI_FLAG ? "flag" : o->value;
}

/*
 * "cmd option -x --name VALUE WHAT": "-" for no letter; WHAT is "any" value,
 * "one-of:a, b", "-" for a flag, or for one that stands for another option
 * "sets:--name value".
 */
static void list_option(FILE *out, const char *cmd, const cli_option *o,
			const char *const *choices)
{
	char letter[3] = { '-', o->letter, '\0' }, what[256] = "-";

	if (choices) {
		memcpy(what, "one-of:", 8);
		cli_join(what + 7, sizeof(what) - 7, choices);
	} else if (o->sets) {
		snprintf(what, sizeof(what), "sets:--%s %s", o->sets->name, o->to);
	} else if (o->kind != CLI_FLAG) {
		memcpy(what, "any", 4);
	}
	fprintf(out, "%s\toption\t%s\t--%s\t%s\t%s\n", cmd, o->letter ? letter : "-", o->name,
		value_of(o), what);
}

/* "cmd alias SPELLING --name VALUE always|unless:a,b" */
static void list_alias(FILE *out, const char *cmd, const cli_alias *a)
{
	char unless[256] = "";

	if (a->unless)
		cli_join(unless, sizeof(unless), a->unless);
	fprintf(out, "%s\talias\t%s\t--%s\t%s\t%s%s\n", cmd, a->spelling, a->now->name,
		value_of(a->now), a->unless ? "unless:" : "always", unless);
}

void cli_list_options(FILE *out, const cli_command *const *cmds, size_t count,
		      const cli_use *top)
{
	const cli_use *u;
	const cli_alias *a;
	size_t i;

	for (u = top; u->option; u++)
		list_option(out, "rat", u->option, u->choices);
	for (i = 0; i < count; i++) {
		list_option(out, cmds[i]->name, CLI_OPT(HELP), NULL);
		for (u = cmds[i]->options; u && u->option; u++)
			list_option(out, cmds[i]->name, u->option, u->choices);
		for (a = cmds[i]->aliases; a && a->spelling; a++)
			list_alias(out, cmds[i]->name, a);
	}
}
