/*
 * util/pydecl.c - a Python pipeline's decorator read from its source
 * (pydecl.h): a scanner that knows Python's comments and string literals
 * well enough to find a decorator at the start of a line outside them, and
 * reads its arguments as literals.
 */
#include "util/pydecl.h"
#include "util/buf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

typedef struct scan {
	const char *s, *display;
	size_t i;
	int line;
} scan;

static const char *const decorators[] = { "pipeline", "bronze_pipeline", "silver_pipeline",
					  "gold_pipeline" };

static int fail(const scan *sc, const char *what, const char *arg)
{
	if (arg)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE, "%s:%d: %s: %s",
				      sc->display, sc->line, arg, what);
	return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE, "%s:%d: %s", sc->display, sc->line,
			      what);
}

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Past a string literal starting at its quote: 0, or an error for one never closed. */
static int skip_string(scan *sc)
{
	char q = sc->s[sc->i];
	bool triple = sc->s[sc->i + 1] == q && sc->s[sc->i + 2] == q;

	sc->i += triple ? 3 : 1;
	for (; sc->s[sc->i]; sc->i++) {
		char c = sc->s[sc->i];
		if (c == '\\' && sc->s[sc->i + 1]) {
			if (sc->s[++sc->i] == '\n')
				sc->line++;
		} else if (c == '\n') {
			if (!triple)
				return fail(sc, "a string is not closed on its line", NULL);
			sc->line++;
		} else if (c == q && (!triple || (sc->s[sc->i + 1] == q && sc->s[sc->i + 2] == q))) {
			sc->i += triple ? 3 : 1;
			return 0;
		}
	}
	return fail(sc, "a string is never closed", NULL);
}

/* Past spaces, comments and (inside brackets) newlines. */
static void skip_space(scan *sc, bool newlines)
{
	for (;;) {
		char c = sc->s[sc->i];
		if (c == ' ' || c == '\t' || c == '\r' || (c == '\\' && sc->s[sc->i + 1] == '\n')) {
			sc->i += c == '\\' ? 2 : 1;
			sc->line += c == '\\';
		} else if (c == '#') {
			while (sc->s[sc->i] && sc->s[sc->i] != '\n')
				sc->i++;
		} else if (c == '\n' && newlines) {
			sc->i++;
			sc->line++;
		} else {
			return;
		}
	}
}

/* A string literal (adjacent ones joined, r"" and u"" prefixes) into out; 1 when there is none. */
static int read_string(scan *sc, rat_buf *out, const char *arg)
{
	bool any = false;

	for (;;) {
		size_t start = sc->i;
		bool raw = false;
		int error;
		while (strchr("rRuUbBfF", sc->s[sc->i]) && sc->s[sc->i] && sc->i - start < 2) {
			if (strchr("bBfF", sc->s[sc->i]))
				return fail(sc, "a plain string is needed (rat reads it without running "
						"Python: no f-string, no bytes)", arg);
			raw = raw || sc->s[sc->i] == 'r' || sc->s[sc->i] == 'R';
			sc->i++;
		}
		if (sc->s[sc->i] != '"' && sc->s[sc->i] != '\'') {
			sc->i = start;
			return any ? 0 : 1;
		}
		{
			char q = sc->s[sc->i];
			size_t quotes = sc->s[sc->i + 1] == q && sc->s[sc->i + 2] == q ? 3 : 1;
			size_t body = sc->i + quotes, end, k;
			if ((error = skip_string(sc)) != 0)
				return error;
			end = sc->i - quotes;
			for (k = body; k < end; k++) {
				char c = sc->s[k];
				if (c == '\\' && !raw && k + 1 < end) {
					c = sc->s[++k];
					c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
				}
				if ((error = rat_buf_putc(out, c)) != 0)
					return error;
			}
		}
		any = true;
		skip_space(sc, true);
	}
}

static bool word_at_pos(const char *s, size_t i, const char *word)
{
	size_t n = strlen(word);

	return strncmp(s + i, word, n) == 0 && !ident_char(s[i + n]);
}

static bool word_at(const scan *sc, const char *word)
{
	return word_at_pos(sc->s, sc->i, word);
}

/* One string into *out (None: NULL). */
static int string_value(scan *sc, char **out, const char *arg)
{
	rat_buf text = RAT_BUF_INIT;
	int error;

	if (word_at(sc, "None")) {
		sc->i += 4;
		free(*out);
		*out = NULL;
		return 0;
	}
	if ((error = read_string(sc, &text, arg)) == 1)
		error = fail(sc, "a string literal is needed (rat reads it without running Python)",
			     arg);
	if (!error) { /* the last of an argument given twice */
		free(*out);
		if ((*out = rat_buf_detach(&text)) == NULL && (*out = rat__strdup("")) == NULL)
			error = RAT_ENOMEM;
	}
	rat_buf_free(&text);
	return error;
}

/* A list or tuple of strings, or a dict of strings (each "key=value"), into out. */
static int strings_value(scan *sc, rat_strarray *out, const char *arg)
{
	char open = sc->s[sc->i], close = open == '[' ? ']' : open == '(' ? ')' : '}';
	int error = 0;

	if (word_at(sc, "None")) {
		sc->i += 4;
		return 0;
	}
	if (open != '[' && open != '(' && open != '{')
		return fail(sc, "a list of string literals is needed", arg);
	sc->i++;
	for (skip_space(sc, true); !error && sc->s[sc->i] != close; skip_space(sc, true)) {
		char *key = NULL, *value = NULL;
		if ((error = string_value(sc, &key, arg)) == 0 && open == '{') {
			skip_space(sc, true);
			if (sc->s[sc->i] != ':')
				error = fail(sc, "a dict of string literals is needed", arg);
			sc->i++;
			skip_space(sc, true);
			if (!error && (error = string_value(sc, &value, arg)) == 0)
				error = rat_strarray__push_owned(out, rat__sprintf("%s=%s", key ? key : "",
										 value ? value : ""));
		} else if (!error && key) {
			error = rat_strarray__push(out, key);
		}
		free(key);
		free(value);
		skip_space(sc, true);
		if (!error && sc->s[sc->i] == ',')
			sc->i++;
		else if (!error && sc->s[sc->i] != close)
			error = fail(sc, "a list of string literals is needed", arg);
	}
	if (!error)
		sc->i++;
	return error;
}

/* One argument: name=value (or a first positional one: the name). */
static int argument(scan *sc, rat_pydecl *d, bool first)
{
	char arg[64] = "name";
	size_t start = sc->i, n;

	while (ident_char(sc->s[sc->i]))
		sc->i++;
	n = sc->i - start;
	skip_space(sc, true);
	if (n > 0 && n < sizeof(arg) && sc->s[sc->i] == '=' && sc->s[sc->i + 1] != '=') {
		memcpy(arg, sc->s + start, n);
		arg[n] = '\0';
		sc->i++;
		skip_space(sc, true);
	} else if (!first) {
		sc->i = start;
		return fail(sc, "arguments after the first are given by name (name=...)", NULL);
	} else {
		sc->i = start;
	}
	if (strcmp(arg, "name") == 0)
		return string_value(sc, &d->name, arg);
	if (strcmp(arg, "layer") == 0)
		return string_value(sc, &d->layer, arg);
	if (strcmp(arg, "schedule") == 0)
		return string_value(sc, &d->schedule, arg);
	if (strcmp(arg, "description") == 0)
		return string_value(sc, &d->description, arg);
	if (strcmp(arg, "owner") == 0)
		return string_value(sc, &d->owner, arg);
	if (strcmp(arg, "tags") == 0)
		return strings_value(sc, &d->tags, arg);
	if (strcmp(arg, "merge_keys") == 0 || strcmp(arg, "unique_key") == 0)
		return strings_value(sc, &d->unique_key, arg);
	if (strcmp(arg, "partition_by") == 0)
		return strings_value(sc, &d->partition_by, arg);
	if (strcmp(arg, "depends_on") == 0)
		return strings_value(sc, &d->depends_on, arg);
	return fail(sc, "unknown argument (name, layer, schedule, description, owner, tags, "
			"merge_keys, partition_by, depends_on)", arg);
}

static int arguments(scan *sc, rat_pydecl *d)
{
	bool first = true;
	int error = 0;

	sc->i++; /* ( */
	for (skip_space(sc, true); !error && sc->s[sc->i] != ')'; skip_space(sc, true)) {
		if (!sc->s[sc->i])
			return fail(sc, "the decorator's '(' is never closed", NULL);
		if ((error = argument(sc, d, first)) != 0)
			return error;
		first = false;
		skip_space(sc, true);
		if (sc->s[sc->i] == ',')
			sc->i++;
		else if (sc->s[sc->i] != ')')
			return fail(sc, "',' or ')' expected after an argument", NULL);
	}
	sc->i++;
	return error;
}

/* After the decorator: other decorators, then `def name(`: the function's name. */
static int decorated_def(scan *sc, rat_pydecl *d)
{
	size_t start;

	for (;;) {
		skip_space(sc, true);
		if (sc->s[sc->i] == '@') { /* another decorator, on its line */
			while (sc->s[sc->i] && sc->s[sc->i] != '\n')
				sc->i++;
			continue;
		}
		if (word_at(sc, "async")) {
			sc->i += 5;
			skip_space(sc, false);
		}
		if (!word_at(sc, "def"))
			return fail(sc, "the pipeline decorator is not on a function (def name(context): ...)",
				    NULL);
		sc->i += 3;
		skip_space(sc, false);
		start = sc->i;
		while (ident_char(sc->s[sc->i]))
			sc->i++;
		if (sc->i == start)
			return fail(sc, "a function's name is expected after def", NULL);
		d->function = rat__strndup(sc->s + start, sc->i - start);
		return d->function ? 0 : RAT_ENOMEM;
	}
}

/* A decorator at sc->i ('@'): ours is read into d (a second one is an error); others are left. */
static int decorator(scan *sc, rat_pydecl *d)
{
	size_t start = ++sc->i, last, k;
	const char *known = NULL;
	int line = sc->line, error;

	while (ident_char(sc->s[sc->i]) || sc->s[sc->i] == '.')
		sc->i++;
	for (last = sc->i; last > start && sc->s[last - 1] != '.'; last--)
		;
	for (k = 0; k < RAT_ARRAY_SIZE(decorators); k++)
		if (sc->i - last == strlen(decorators[k]) &&
		    strncmp(sc->s + last, decorators[k], sc->i - last) == 0)
			known = decorators[k];
	/* its own name, or under ratatouille (ratatouille.pipeline.bronze_pipeline) */
	if (!known || (last > start && strncmp(sc->s + start, "ratatouille.", 12) != 0))
		return 0;
	if (d->found)
		return fail(sc, "a second pipeline decorator: a file holds one pipeline", NULL);
	d->found = true;
	d->line = line;
	if ((d->decorator = rat__strdup(known)) == NULL)
		return RAT_ENOMEM;
	skip_space(sc, false);
	if (sc->s[sc->i] == '(' && (error = arguments(sc, d)) != 0)
		return error;
	if (strcmp(known, "pipeline") != 0) { /* a layer's own decorator: layer= must agree */
		size_t n = strlen(known) - strlen("_pipeline");
		if (d->layer && (strncmp(d->layer, known, n) != 0 || d->layer[n]))
			return fail(sc, "layer= differs from the decorator's layer", "layer");
		free(d->layer);
		if ((d->layer = rat__strndup(known, n)) == NULL)
			return RAT_ENOMEM;
	}
	return decorated_def(sc, d);
}

int rat_pydecl__scan(rat_pydecl *out, const char *text, const char *display)
{
	scan sc = { text, display, 0, 1 };
	bool column0 = true;
	int error = 0;

	*out = (rat_pydecl)RAT_PYDECL_INIT;
	while (!error && sc.s[sc.i]) {
		char c = sc.s[sc.i];
		if (c == '\n') {
			sc.line++;
			sc.i++;
			column0 = true;
			continue;
		}
		if (c == '#') {
			while (sc.s[sc.i] && sc.s[sc.i] != '\n')
				sc.i++;
		} else if (c == '"' || c == '\'') {
			error = skip_string(&sc);
		} else if (c == '@' && column0) {
			error = decorator(&sc, out);
		} else {
			sc.i++;
		}
		column0 = false;
	}
	if (error)
		rat_pydecl__free(out);
	return error;
}

void rat_pydecl__free(rat_pydecl *d)
{
	free(d->decorator);
	free(d->function);
	free(d->name);
	free(d->layer);
	free(d->schedule);
	free(d->description);
	free(d->owner);
	rat_strarray_free(&d->tags);
	rat_strarray_free(&d->unique_key);
	rat_strarray_free(&d->partition_by);
	rat_strarray_free(&d->depends_on);
	*d = (rat_pydecl)RAT_PYDECL_INIT;
}
