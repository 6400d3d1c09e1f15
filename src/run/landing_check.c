/*
 * run/landing_check.c - landing files a build cannot read as they are,
 * named with the line where a text scan can tell it, and a hint that fits.
 *
 * Two faults otherwise give messages that name no file. A CSV file with a
 * row of more (or fewer) fields than its header: DuckDB's sniffer, finding
 * no delimiter that splits every row alike, reads each line as one column
 * named after the whole header ("sale_id,product,amount,sold_at"), so the
 * table "has no column" by that name, or a new table gets that one column.
 * And a value the reader cannot type as the table's column (text in a
 * number column) makes the column text in the query, which the table
 * refuses ("column 'amount' is double in the table but string in the
 * query").
 *
 * Before a write, a query column named exactly like a new file's first line
 * is the first fault: the file is scanned for the first row whose field
 * count differs from the header's (quotes honoured), and the build fails
 * naming file:line. After a failed build, each new file is read alone (the
 * pipeline rendered with that file only) and described: a file that alone
 * reads as its header line is the first fault (its message replaces the
 * engine's); a file that alone gives a column another type than the
 * table's is the second (its name, a value that does not cast and the cast
 * to write are added under the message). Only the first LANDING_CHECK_MAX
 * new files are read alone, and only when a build failed.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/sql.h"
#include "rat/engine.h"
#include "rat/workspace.h"
#include "engine/describe.h"
#include "run/build.h"
#include "run/run.h"
#include "table/metadata.h"
#include "workspace/tables.h"

#include <ctype.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LANDING_CHECK_MAX 100
#define HEADER_MAX ((size_t)64 << 10)
#define SCAN_MAX ((long long)1 << 30) /* bytes scanned for an inconsistent row */

/* ---- the text of a CSV file ---- */

/* The landing file path open for reading (rat_run__open_landing), or NULL when it cannot be. */
static FILE *open_landing(const build *b, const char *path)
{
	FILE *f = NULL;
	int fd;

	if (rat_run__open_landing(&fd, b->ctx->ws, path) != 0) {
		rat_error_clear(); /* what the reader said is the error being explained */
		return NULL;
	}
	if ((f = fdopen(fd, "rb")) == NULL)
		close(fd);
	return f;
}

/* The first line of path without its line break or a UTF-8 BOM; "" when unreadable. */
static int first_line(rat_buf *out, const build *b, const char *path)
{
	FILE *f = open_landing(b, path);
	int c, error = 0;

	if (!f)
		return 0;
	while (!error && out->len < HEADER_MAX && (c = getc(f)) != EOF && c != '\n')
		error = rat_buf_putc(out, (char)c);
	fclose(f);
	if (!error && out->len && out->ptr[out->len - 1] == '\r')
		out->ptr[--out->len] = '\0';
	if (!error && out->len >= 3 && !memcmp(out->ptr, "\xEF\xBB\xBF", 3)) {
		memmove(out->ptr, out->ptr + 3, out->len - 2);
		out->len -= 3;
	}
	return error;
}

/* The delimiter the header line uses most (outside quotes), or 0 for none. */
static char delimiter_of(const char *header)
{
	static const char candidates[] = ",;|\t";
	size_t counts[sizeof(candidates)] = { 0 }, i, best = 0;
	bool quoted = false;
	const char *s;

	for (s = header; *s; s++) {
		const char *hit = strchr(candidates, *s);
		if (*s == '"')
			quoted = !quoted;
		else if (!quoted && hit)
			counts[hit - candidates]++;
	}
	for (i = 1; i < sizeof(candidates) - 1; i++)
		if (counts[i] > counts[best])
			best = i;
	return counts[best] ? candidates[best] : 0;
}

typedef struct csv_scan {
	char delim;
	long header_fields;
	long bad_line; /* the physical line where the first odd row starts; 0: none */
	long bad_fields;
	long line, record_line, fields;
	bool quoted, quote_seen, field_start, any;
} csv_scan;

/* A row ended: the header sets the count, a blank line is skipped, another count is the fault. */
static void end_row(csv_scan *s)
{
	if (s->any || s->fields > 1) {
		if (s->header_fields < 0)
			s->header_fields = s->fields;
		else if (s->fields != s->header_fields && !s->bad_line) {
			s->bad_line = s->record_line;
			s->bad_fields = s->fields;
		}
	}
	s->fields = 1;
	s->any = false;
	s->field_start = true;
	s->record_line = s->line;
}

static void scan_char(csv_scan *s, int c)
{
	if (s->quote_seen) { /* "" inside quotes is a quote; anything else closes them */
		s->quote_seen = false;
		if (c == '"')
			return;
		s->quoted = false;
	} else if (s->quoted) {
		s->quote_seen = c == '"';
		s->line += c == '\n';
		return;
	}
	if (c == '"' && s->field_start) {
		s->quoted = s->any = true;
	} else if (c == s->delim) {
		s->fields++;
		s->any = s->field_start = true;
		return;
	} else if (c == '\n') {
		s->line++;
		end_row(s);
		return;
	} else if (c != '\r') {
		s->any = true;
	}
	s->field_start = false;
}

/* Scan path for the first row whose field count differs from the header's. */
static void scan_rows(csv_scan *s, const build *b, const char *path)
{
	FILE *f = open_landing(b, path);
	long long n = 0;
	int c;

	s->header_fields = -1;
	s->bad_line = 0;
	s->line = s->record_line = s->fields = 1;
	s->quoted = s->quote_seen = s->any = false;
	s->field_start = true;
	if (!f)
		return;
	while (!s->bad_line && n++ < SCAN_MAX && (c = getc(f)) != EOF)
		scan_char(s, c);
	if (!s->bad_line && n <= SCAN_MAX)
		end_row(s);
	fclose(f);
}

/* ---- the first fault: a file read as one column named after its header ---- */

/* "landing/<folder>/<name>" of new file i. */
static char *shown(const build *b, size_t i)
{
	return rat__sprintf("landing/%s/%s", b->p->landing, b->new_rel.strings[i]);
}

/* The error for new file i, read as the one column header (delimited by delim). */
static int one_column_error(const build *b, size_t i, const char *header)
{
	char *name = shown(b, i);
	csv_scan s;
	int error;

	memset(&s, 0, sizeof(s));
	s.delim = delimiter_of(header);
	scan_rows(&s, b, b->new_abs.strings[i]);
	if (!name)
		return RAT_ENOMEM;
	if (s.bad_line)
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				       "%s:%ld: the file's rows are inconsistent: line %ld has %ld "
				       "fields where the header has %ld, so the CSV reader read each "
				       "line as one column '%s'. Fix or remove the line, or skip such "
				       "lines with read_csv(..., ignore_errors = true)",
				       name, s.bad_line, s.bad_line, s.bad_fields, s.header_fields,
				       header);
	else
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				       "%s: the CSV reader read each line as one column '%s': name "
				       "its delimiter, read_csv(..., delim = '%s')",
				       name, header, s.delim == '\t' ? "\\t" : (char[]){ s.delim, 0 });
	free(name);
	return error;
}

int rat_run__check_landing_columns(build *b, const rat_strarray *columns)
{
	rat_buf header = RAT_BUF_INIT;
	bool delimited = false;
	size_t i;
	int error = 0;

	for (i = 0; !delimited && i < columns->count; i++)
		delimited = delimiter_of(columns->strings[i]) != 0;
	for (i = 0; !error && delimited && b->p->landing && i < b->new_abs.count; i++) {
		rat_buf_clear(&header);
		if ((error = first_line(&header, b, b->new_abs.strings[i])) != 0)
			break;
		if (delimiter_of(rat_buf_cstr(&header)) &&
		    rat_strarray__contains(columns, rat_buf_cstr(&header))) {
			error = one_column_error(b, i, rat_buf_cstr(&header));
			b->located = true;
		}
	}
	rat_buf_free(&header);
	return error;
}

/* ---- after a failure: each new file alone ---- */

/* What new file i alone reads as (the pipeline rendered with only it). */
static int describe_alone(rat_query_desc *desc, rat_buf *sql, build *b, size_t i)
{
	rat_strarray one = RAT_STRARRAY_INIT;
	int next_id = 1, error;

	memset(desc, 0, sizeof(*desc));
	rat_buf_clear(sql);
	if ((error = rat_strarray__push(&one, b->new_abs.strings[i])) == 0 &&
	    (error = rat_run__render(b, sql, &one, NULL)) == 0)
		error = rat_engine__describe(desc, b->engine, rat_buf_cstr(sql), &next_id);
	rat_strarray_free(&one);
	return error;
}

/* The DuckDB type to TRY_CAST to for an Iceberg primitive type, or NULL. */
static const char *cast_type(const char *iceberg, char *buf, size_t size)
{
	static const char *const names[][2] = {
		{ "boolean", "BOOLEAN" }, { "int", "INTEGER" },	   { "long", "BIGINT" },
		{ "float", "FLOAT" },	  { "double", "DOUBLE" },  { "date", "DATE" },
		{ "time", "TIME" },	  { "timestamp", "TIMESTAMP" }, { "timestamptz", "TIMESTAMPTZ" },
		{ "string", "VARCHAR" },  { "uuid", "UUID" },	   { "binary", "BLOB" },
	};
	size_t i;

	for (i = 0; i < RAT_ARRAY_SIZE(names); i++)
		if (!strcmp(iceberg, names[i][0]))
			return names[i][1];
	if (strncmp(iceberg, "decimal(", 8) != 0 || strlen(iceberg) >= size)
		return NULL;
	for (i = 0; iceberg[i]; i++)
		buf[i] = (char)toupper((unsigned char)iceberg[i]);
	buf[i] = '\0';
	return buf;
}

/* A value of column in sql that does not cast to type, into value (empty when none). */
static int bad_value(rat_buf *value, rat_engine *engine, const char *sql, const char *column,
		     const char *type)
{
	rat_buf q = RAT_BUF_INIT, c = RAT_BUF_INIT;
	rat_result *r = NULL;
	const char *text;
	size_t len;
	int error;

	if ((error = rat_sql__ident(&c, column)) == 0 &&
	    (error = rat_buf_printf(&q, "SELECT CAST(%s AS VARCHAR) FROM (%s\n) WHERE %s IS NOT NULL "
					"AND TRY_CAST(%s AS %s) IS NULL LIMIT 1",
				    rat_buf_cstr(&c), sql, rat_buf_cstr(&c), rat_buf_cstr(&c),
				    type)) == 0 &&
	    (error = rat_engine_query(&r, engine, rat_buf_cstr(&q))) == 0 &&
	    (error = rat_result_next(r)) == 1 &&
	    (error = rat_result_get_text(r, 0, &text, &len)) == 0)
		error = rat_buf_put(value, text, len > 80 ? 80 : len);
	rat_result_free(r);
	rat_buf_free(&q);
	rat_buf_free(&c);
	return error < 0 ? error : 0;
}

/* The table's column named name, or NULL. */
static const rat_table_field *table_column(const rat_table_schema *schema, const char *name)
{
	size_t i;

	for (i = 0; schema && i < schema->field_count; i++)
		if (!strcmp(schema->fields[i].name, name))
			return &schema->fields[i];
	return NULL;
}

/* What one file read alone says, added to what an explanation says so far. */
typedef struct explanation {
	bool one_column; /* a file read as its header line: its error is set */
	rat_buf hints;   /* lines to add under the message */
} explanation;

/* The type desc gives column name, or NULL. */
static const char *type_in(const rat_query_desc *desc, const char *name)
{
	size_t k;

	for (k = 0; desc && k < desc->count; k++)
		if (!strcmp(desc->columns[k].name, name))
			return json_string_value(desc->columns[k].iceberg_type);
	return NULL;
}

/*
 * New file i alone gives a column the type all the new files give it
 * together (all NULL: unknown), another than the table's: say which, with a cast.
 */
static int type_hints(explanation *x, build *b, size_t i, const rat_query_desc *desc,
		      const char *sql, const rat_table_schema *schema, const rat_query_desc *all)
{
	size_t k;
	int error = 0;

	for (k = 0; !error && k < desc->count; k++) {
		const rat_table_field *f = table_column(schema, desc->columns[k].name);
		const char *q = json_string_value(desc->columns[k].iceberg_type), *cast, *together;
		rat_buf value = RAT_BUF_INIT;
		char buf[64], *name;
		if (!f || !q || !f->type || !strcmp(f->type, q) || json_is_object(f->type_json) ||
		    !(cast = cast_type(f->type, buf, sizeof(buf))))
			continue;
		if (all && (!(together = type_in(all, f->name)) || strcmp(together, q) != 0))
			continue; /* not the type the write met */
		if ((name = shown(b, i)) == NULL)
			return RAT_ENOMEM;
		if ((error = bad_value(&value, b->engine, sql, f->name, cast)) == 0)
			error = rat_buf_printf(&x->hints,
					       "\n%s reads '%s' as %s%s%s%s%s%s: fix the file, or cast "
					       "the column in %s, e.g. TRY_CAST(%s AS %s) AS %s (NULL "
					       "where it does not cast)",
					       name, f->name, q, value.len ? " (its value '" : "",
					       rat_buf_cstr(&value),
					       value.len ? "' does not cast to " : "",
					       value.len ? f->type : "", value.len ? ")" : "",
					       b->p->display, f->name, cast, f->name);
		rat_buf_free(&value);
		free(name);
	}
	return error;
}

/*
 * Read each new file alone; fill x. Errors of the reads themselves are not
 * x's; all: what the new files read as together, when the engine can tell.
 */
static int explain(explanation *x, build *b, const rat_table_schema *schema,
		   const rat_query_desc *all)
{
	rat_buf sql = RAT_BUF_INIT, header = RAT_BUF_INIT;
	size_t i;
	int error = 0;

	for (i = 0; !error && !x->one_column && i < b->new_abs.count && i < LANDING_CHECK_MAX;
	     i++) {
		rat_query_desc desc;
		rat_buf_clear(&header);
		if (describe_alone(&desc, &sql, b, i) != 0 ||
		    (error = first_line(&header, b, b->new_abs.strings[i])) != 0) {
			rat_engine__query_desc_free(&desc);
			continue;
		}
		if (desc.count == 1 && delimiter_of(rat_buf_cstr(&header)) &&
		    !strcmp(desc.columns[0].name, rat_buf_cstr(&header))) {
			/* the file's error replaces the engine's: only running out of memory fails */
			x->one_column = one_column_error(b, i, rat_buf_cstr(&header)) != RAT_ENOMEM;
			error = x->one_column ? 0 : RAT_ENOMEM;
		} else if (schema) {
			error = type_hints(x, b, i, &desc, rat_buf_cstr(&sql), schema, all);
		}
		rat_engine__query_desc_free(&desc);
	}
	rat_buf_free(&sql);
	rat_buf_free(&header);
	return error;
}

void rat_run__explain_landing_error(build *b, int code)
{
	rat_error_saved failure;
	rat_table_metadata meta;
	rat_query_desc all;
	rat_store *store = NULL;
	rat_buf sql = RAT_BUF_INIT;
	explanation x = { false, RAT_BUF_INIT };
	bool have_meta = false, have_all = false;
	int next_id = 1;

	if (!b->p->landing || b->new_abs.count == 0 || !b->engine ||
	    rat_error_last()->klass == RAT_ERRCLASS_NOMEMORY)
		return;
	rat_error__save(&failure);
	if (b->entry && !b->entry->state.view &&
	    rat_workspace__entry_metadata(&meta, &store, b->ctx->ws, b->entry) == 0)
		have_meta = true;
	memset(&all, 0, sizeof(all));
	have_all = rat_run__render(b, &sql, &b->new_abs, NULL) == 0 &&
		   rat_engine__describe(&all, b->engine, rat_buf_cstr(&sql), &next_id) == 0;
	if (explain(&x, b, have_meta ? rat_table__schema(&meta, meta.current_schema_id) : NULL,
		    have_all ? &all : NULL) != 0)
		x.one_column = false; /* out of memory explaining: the failure as it was */
	if (x.one_column) {
		b->located = true; /* the landing file's error, which names it */
	} else {
		rat_error__restore(&failure);
		if (x.hints.len)
			rat__ignore(rat_error__set(code, failure.klass, "%s%s", failure.message,
						   rat_buf_cstr(&x.hints))); /* returns code */
	}
	rat_buf_free(&x.hints);
	rat_buf_free(&sql);
	rat_engine__query_desc_free(&all);
	if (have_meta)
		rat_table__metadata_free(&meta);
	rat_store__free(store);
}
