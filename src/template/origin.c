/*
 * template/origin.c - where each piece of a rendering came from
 * (template.h: rat_template_map), and an error's place in the source.
 *
 * The renderer notes an origin each time the file and line behind the text
 * it appends change: text between tags gives one per line; {{ expr }}
 * gives the tag's line, or, for a macro's text, the origins the macro's
 * own rendering noted, carried by the value. Consecutive pieces from the
 * same line are one origin, so a map has about one origin per rendered
 * line; past TPL_MAX_ORIGINS it stops and the rest is unknown.
 */
#include "util/common.h"
#include "template/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rat_template__map_free(rat_template_map *map)
{
	if (!map)
		return;
	free(map->items);
	memset(map, 0, sizeof(*map));
}

static bool same_place(const rat_template_origin *o, const char *path, int line,
		       const char *call_path, int call_line)
{
	return o->path == path && o->line == line && o->call_path == call_path &&
	       o->call_line == call_line;
}

int rat_template__origin_add(rat_template_map *map, size_t offset, const char *path,
			     const char *source, int line, const char *call_path, int call_line)
{
	rat_template_origin *last = map->count ? &map->items[map->count - 1] : NULL;

	if (map->full)
		return 0;
	if (last && last->offset == offset) { /* the last one covered nothing */
		map->count--;
		last = map->count ? &map->items[map->count - 1] : NULL;
	}
	if (last && same_place(last, path, line, call_path, call_line))
		return 0;
	if (map->count >= TPL_MAX_ORIGINS) {
		map->full = true;
		map->full_at = offset;
		return 0;
	}
	if (rat__grow((void **)&map->items, &map->cap, map->count, sizeof(*map->items)) != 0)
		return RAT_ENOMEM;
	map->items[map->count++] = (rat_template_origin){ offset, path, source, line, call_path,
							  call_line };
	return 0;
}

int rat_template__origins_of_value(tpl_render *r, size_t offset, int line, const tpl_value *v)
{
	const rat_template_map *from = v->kind == TPL_STRING ? v->u.s.origins : NULL;
	bool top = r->macro_depth == 0; /* printed in the rendered file: the call is this line */
	size_t i;
	int error = 0;

	if (!from || from->count == 0 || from->items[0].offset != 0)
		return rat_template__origin_add(r->map, offset, r->path, r->source, line, NULL, 0);
	for (i = 0; !error && i < from->count; i++) {
		const rat_template_origin *o = &from->items[i];
		bool called = top && !o->call_path;
		error = rat_template__origin_add(r->map, offset + o->offset, o->path, o->source,
						 o->line, called ? r->path : o->call_path,
						 called ? line : o->call_line);
	}
	if (!error && from->full) /* what the macro's map lost maps to the call */
		error = rat_template__origin_add(r->map, offset + from->full_at, r->path, r->source,
						 line, NULL, 0);
	return error;
}

int rat_template__map_copy(rat_template_map **out, const rat_template_map *map)
{
	rat_template_map *copy;

	*out = NULL;
	if (!map)
		return 0;
	if (!(copy = rat__calloc(1, sizeof(*copy))))
		return RAT_ENOMEM;
	*copy = *map;
	copy->items = NULL;
	copy->cap = map->count;
	if (map->count && !(copy->items = rat__calloc(map->count, sizeof(*copy->items)))) {
		free(copy);
		return RAT_ENOMEM;
	}
	if (map->count)
		memcpy(copy->items, map->items, map->count * sizeof(*copy->items));
	*out = copy;
	return 0;
}

const rat_template_origin *rat_template__origin(const rat_template_map *map, size_t offset)
{
	size_t lo = 0, hi;

	if (!map || map->count == 0 || offset < map->items[0].offset ||
	    (map->full && offset >= map->full_at))
		return NULL;
	hi = map->count;
	while (hi - lo > 1) { /* the last origin at or before offset */
		size_t mid = lo + (hi - lo) / 2;
		if (map->items[mid].offset <= offset)
			lo = mid;
		else
			hi = mid;
	}
	return &map->items[lo];
}

/* ---- describing a place ---- */

/* Lines longer than this are cut around the caret. */
#define SHOWN_MAX 100

/* Line n (1-based) of text, without its line break. */
static const char *line_of(const char *text, int n, size_t *len)
{
	const char *s = text ? text : "", *nl;

	for (; n > 1 && (nl = strchr(s, '\n')) != NULL; n--)
		s = nl + 1;
	if (n > 1)
		s += strlen(s);
	*len = strcspn(s, "\n");
	if (*len && s[*len - 1] == '\r')
		(*len)--;
	return s;
}

/* Back to the start of the UTF-8 character at s[i]. */
static size_t char_start(const char *s, size_t i)
{
	while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80)
		i--;
	return i;
}

/* "  <label> | " with the label right-aligned to width. */
static int gutter(rat_buf *out, const char *label, int width)
{
	return rat_buf_printf(out, "  %*s | ", width, label);
}

/* line[0..n) cut to SHOWN_MAX bytes around *caret (a byte index, moved to match). */
static int put_cut(rat_buf *out, const char *line, size_t n, size_t *caret)
{
	size_t from = 0, to = n;
	int error = 0;

	if (n > SHOWN_MAX) {
		from = *caret > SHOWN_MAX / 2 ? char_start(line, *caret - SHOWN_MAX / 2) : 0;
		to = from + SHOWN_MAX < n ? char_start(line, from + SHOWN_MAX) : n;
		if (to == n && n > SHOWN_MAX)
			from = char_start(line, n - SHOWN_MAX);
	}
	if (from > 0 && (error = rat_buf_puts(out, "...")) == 0)
		*caret += 3;
	*caret -= from;
	if (!error)
		error = rat_buf_put(out, line + from, to - from);
	if (!error && to < n)
		error = rat_buf_puts(out, "...");
	return error;
}

/* The caret line's text: spaces (tabs where shown has tabs) up to byte caret of shown, then '^'. */
static int put_caret(rat_buf *out, const char *shown, size_t len, size_t caret)
{
	size_t i;
	int error = 0;

	for (i = 0; !error && i < caret && i < len; i++)
		if (((unsigned char)shown[i] & 0xC0) != 0x80)
			error = rat_buf_putc(out, shown[i] == '\t' ? '\t' : ' ');
	return error ? error : rat_buf_puts(out, "^");
}

/* The rendered line around offset: its start and length, without the line break. */
static const char *rendered_line(const char *rendered, size_t offset, size_t *n)
{
	const char *s = rendered + offset;

	while (s > rendered && s[-1] != '\n')
		s--;
	*n = strcspn(s, "\n");
	if (*n && s[*n - 1] == '\r')
		(*n)--;
	return s;
}

static int put_excerpt(rat_buf *out, const rat_template_origin *o, const char *rendered,
		       size_t offset)
{
	rat_buf shown = RAT_BUF_INIT;
	size_t n, src_len, caret;
	const char *line = rendered_line(rendered, offset, &n);
	const char *src = line_of(o->source, o->line, &src_len);
	bool same = src_len == n && !memcmp(src, line, n);
	char label[32];
	int width, error;

	caret = (size_t)(rendered + offset - line);
	caret = caret > n ? n : caret;
	snprintf(label, sizeof(label), "line %d", o->line);
	width = (int)strlen(label) < 8 && !same ? 8 : (int)strlen(label);
	if ((error = put_cut(&shown, line, n, &caret)) != 0 ||
	    (error = gutter(out, label, width)) != 0)
		goto cleanup;
	if (same)
		error = rat_buf_put(out, rat_buf_cstr(&shown), shown.len);
	else if ((error = rat_buf_put(out, src, src_len > SHOWN_MAX ? char_start(src, SHOWN_MAX)
								       : src_len)) == 0 &&
		 (error = rat_buf_puts(out, src_len > SHOWN_MAX ? "...\n" : "\n")) == 0 &&
		 (error = gutter(out, "compiled", width)) == 0)
		error = rat_buf_put(out, rat_buf_cstr(&shown), shown.len);
	if (!error && (error = rat_buf_putc(out, '\n')) == 0 && (error = gutter(out, "", width)) == 0)
		error = put_caret(out, rat_buf_cstr(&shown), shown.len, caret);
cleanup:
	rat_buf_free(&shown);
	return error;
}

int rat_template__describe(rat_buf *where, rat_buf *excerpt, const rat_template_map *map,
			   const char *rendered, size_t offset)
{
	const rat_template_origin *o = rat_template__origin(map, offset);
	int error;

	if (!o || offset > strlen(rendered))
		return RAT_ENOTFOUND;
	if ((error = rat_buf_printf(where, "%s:%d", o->path, o->line)) == 0 && o->call_path)
		error = rat_buf_printf(where, " (called from %s:%d)", o->call_path, o->call_line);
	return error ? error : put_excerpt(excerpt, o, rendered, offset);
}

bool rat_template__place_error(int code, const rat_template_map *map, const char *rendered,
			       const char *who)
{
	const rat_error *last = rat_error_last();
	rat_buf where = RAT_BUF_INIT, excerpt = RAT_BUF_INIT;
	int klass = last->klass, detail = rat_error__detail();
	char *message = NULL;
	size_t at = 0;
	bool placed = rat_error__position(&at) && rendered &&
		      rat_template__describe(&where, &excerpt, map, rendered, at) == 0 &&
		      (message = rat__strdup(last->message)) != NULL;

	if (placed) {
		/* rat_error__set() returns code, which the caller has */
		rat__ignore(rat_error__set(code, klass, "%s: %s: %s\n%s", who, rat_buf_cstr(&where),
					   message, rat_buf_cstr(&excerpt)));
		rat_error__set_detail(detail);
		rat_error__set_position(at);
	}
	free(message);
	rat_buf_free(&where);
	rat_buf_free(&excerpt);
	return placed;
}
