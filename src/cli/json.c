/*
 * cli/json.c - the JSON writer behind every command's --format json
 * (docs/cli.md, "JSON output"): objects and arrays nested, one member or
 * element per line, indented by two spaces; keys in snake_case; numbers as
 * numbers; unknown or unset values as null; a time as two members, NAME_at
 * (ISO-8601 UTC, milliseconds) and NAME_ms (milliseconds since the epoch).
 *
 * The writer streams: nothing is held but the nesting. The CLI links only
 * librat, so this is a few escapes rather than a JSON library.
 */
#include "cli/cli.h"

#include <inttypes.h>
#include <string.h>
#include <time.h>

/* The length of the valid UTF-8 sequence at s (at most len bytes), or 0. */
static size_t utf8_length(const unsigned char *s, size_t len)
{
	size_t n = s[0] >= 0xF0 && s[0] <= 0xF4 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC2 ? 2 : 0;
	size_t i;

	if (n == 0 || n > len || (s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) ||
	    (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F))
		return 0; /* a stray byte, a cut sequence, an overlong form, a surrogate */
	for (i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return n;
}

/*
 * len bytes of s as the inside of a JSON string. Bytes that are not UTF-8
 * (a file name in another encoding) become U+FFFD, so the document parses.
 */
static void escaped(FILE *out, const char *s, size_t len)
{
	size_t i, n;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c == '\t')
			fputs("\\t", out);
		else if (c < 0x20 || c == 0x7f)
			fprintf(out, "\\u%04x", c);
		else if (c < 0x80)
			fputc(c, out);
		else if ((n = utf8_length((const unsigned char *)s + i, len - i)) > 0) {
			fwrite(s + i, 1, n, out);
			i += n - 1;
		} else
			fputs("\\ufffd", out);
	}
}

void cli_json_string(FILE *out, const char *s)
{
	fputc('"', out);
	escaped(out, s, strlen(s));
	fputc('"', out);
}

void cli_json_begin(cli_json *j, FILE *out)
{
	memset(j, 0, sizeof(*j));
	j->out = out;
}

/* Before a member or an element: the comma, the line, the indent and the key. */
static void next(cli_json *j, const char *key)
{
	int i;

	if (j->depth > 0) {
		fputs(j->items[j->depth - 1] ? ",\n" : "\n", j->out);
		j->items[j->depth - 1]++;
	}
	for (i = 0; i < j->depth; i++)
		fputs("  ", j->out);
	if (key) {
		cli_json_string(j->out, key);
		fputs(": ", j->out);
	}
}

static void open_nested(cli_json *j, const char *key, char bracket)
{
	next(j, key);
	fputc(bracket, j->out);
	if (j->depth < CLI_JSON_DEPTH) {
		j->closing[j->depth] = bracket == '{' ? '}' : ']';
		j->items[j->depth] = 0;
		j->depth++;
	}
}

void cli_json_object(cli_json *j, const char *key)
{
	open_nested(j, key, '{');
}

void cli_json_array(cli_json *j, const char *key)
{
	open_nested(j, key, '[');
}

void cli_json_close(cli_json *j)
{
	int i;

	if (j->depth == 0)
		return;
	j->depth--;
	if (j->items[j->depth]) {
		fputc('\n', j->out);
		for (i = 0; i < j->depth; i++)
			fputs("  ", j->out);
	}
	fputc(j->closing[j->depth], j->out);
}

void cli_json_text(cli_json *j, const char *key, const char *value)
{
	next(j, key);
	if (value)
		cli_json_string(j->out, value);
	else
		fputs("null", j->out);
}

void cli_json_unset(cli_json *j, const char *key, const char *value)
{
	cli_json_text(j, key, value && value[0] ? value : NULL);
}

void cli_json_int(cli_json *j, const char *key, int64_t value)
{
	next(j, key);
	fprintf(j->out, "%" PRId64, value);
}

void cli_json_count(cli_json *j, const char *key, int64_t value)
{
	if (value < 0)
		cli_json_null(j, key);
	else
		cli_json_int(j, key, value);
}

void cli_json_double(cli_json *j, const char *key, double value)
{
	next(j, key);
	fprintf(j->out, "%.17g", value);
}

void cli_json_bool(cli_json *j, const char *key, bool value)
{
	next(j, key);
	fputs(value ? "true" : "false", j->out);
}

void cli_json_null(cli_json *j, const char *key)
{
	next(j, key);
	fputs("null", j->out);
}

void cli_json_time(cli_json *j, const char *name, int64_t ms)
{
	char key[64], at[40];

	snprintf(key, sizeof(key), "%s_at", name);
	if (ms <= 0) {
		cli_json_null(j, key);
		snprintf(key, sizeof(key), "%s_ms", name);
		cli_json_null(j, key);
		return;
	}
	rat_time_format(at, sizeof(at), ms);
	cli_json_text(j, key, at);
	snprintf(key, sizeof(key), "%s_ms", name);
	cli_json_int(j, key, ms);
}

void cli_json_strings(cli_json *j, const char *key, const char *const *items, size_t count)
{
	size_t i;

	cli_json_array(j, key);
	for (i = 0; i < count; i++)
		cli_json_text(j, NULL, items[i]);
	cli_json_close(j);
}

/*
 * A list the library gives as one string ("day(ts), bucket(16, id)") as an
 * array: split at ", " outside parentheses. "" is the empty array.
 */
void cli_json_split(cli_json *j, const char *key, const char *list)
{
	const char *start = list, *p;
	int depth = 0;

	cli_json_array(j, key);
	for (p = list; list && *list; p++) {
		if (*p == '(')
			depth++;
		else if (*p == ')' && depth > 0)
			depth--;
		if (*p != '\0' && (depth > 0 || p[0] != ',' || p[1] != ' '))
			continue;
		next(j, NULL);
		fputc('"', j->out);
		escaped(j->out, start, (size_t)(p - start));
		fputc('"', j->out);
		if (*p == '\0')
			break;
		start = p + 2;
		p++;
	}
	cli_json_close(j);
}

void cli_json_lines(cli_json *j, const char *key, const char *text)
{
	size_t n;

	cli_json_array(j, key);
	for (; text && *text; text += n + (text[n] == '\n')) {
		n = strcspn(text, "\n");
		next(j, NULL);
		fputc('"', j->out);
		escaped(j->out, text, n);
		fputc('"', j->out);
	}
	cli_json_close(j);
}

int cli_json_end(cli_json *j)
{
	while (j->depth > 0)
		cli_json_close(j);
	fputc('\n', j->out);
	if (fflush(j->out) != 0 || ferror(j->out))
		return cli_fail("error writing the output");
	return CLI_OK;
}

const char *const cli_console_formats[] = { "console", "json", NULL };

void cli_time(char *out, size_t len, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms == 0) {
		snprintf(out, len, "-");
		return;
	}
	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%d %H:%M:%S", &tm);
}

bool cli_wants_json(const cli_args *args)
{
	const char *format = cli_get(args, CLI_OPT(FORMAT));

	return format && strcmp(format, "json") == 0;
}
