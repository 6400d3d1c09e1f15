/*
 * cli/suggest.c - "did you mean?": the nearest of a list of names to a word
 * that matches none of them (a command, a subcommand, an option).
 *
 * The distance is the optimal string alignment distance (Levenshtein with
 * the transposition of two neighbouring characters counted as one edit, as
 * in `rat rnu`). A name is suggested only when it is within a third of the
 * word's length (at least 1, at most 3 edits); of names as near, the first.
 */
#include "cli/cli.h"

#include <string.h>

#define WORD_MAX 64

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;
	return m < c ? m : c;
}

/* The distance between a and b; both shorter than WORD_MAX. */
static size_t distance(const char *a, const char *b)
{
	size_t d[WORD_MAX + 1][WORD_MAX + 1], la = strlen(a), lb = strlen(b), i, j;

	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < d[i][j])
				d[i][j] = d[i - 2][j - 2] + 1;
		}
	return d[la][lb];
}

const char *cli_nearest(const char *word, const char *const *names)
{
	size_t len = strlen(word), best = (size_t)-1, most = len / 3, d;
	const char *nearest = NULL;

	most = most < 1 ? 1 : most > 3 ? 3 : most;
	if (len >= WORD_MAX)
		return NULL;
	for (; *names; names++) {
		if (strlen(*names) >= WORD_MAX)
			continue;
		d = distance(word, *names);
		if (d < best) {
			best = d;
			nearest = *names;
		}
	}
	return best <= most ? nearest : NULL;
}

void cli_join(char *out, size_t len, const char *const *names)
{
	size_t used = 0;
	int n;

	out[0] = '\0';
	for (; *names && used < len; names++) {
		n = snprintf(out + used, len - used, "%s%s", used ? ", " : "", *names);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

int cli_unknown_verb(const cli_command *cmd, const char *verb, const char *const *verbs)
{
	const char *near = cli_nearest(verb, verbs);
	char list[256];

	cli_join(list, sizeof(list), verbs);
	if (near)
		return cli_usage(cmd, "unknown subcommand '%s' (%s); did you mean '%s'?", verb, list,
				 near);
	return cli_usage(cmd, "unknown subcommand '%s' (%s)", verb, list);
}
