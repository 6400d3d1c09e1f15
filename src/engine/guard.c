/*
 * engine/guard.c - statements that would change a protected schema (a
 * workspace's layers and products) are refused before they run (engine.h,
 * rat_engine__protect).
 *
 * A session holds a workspace's tables as views in schemas bronze, silver,
 * gold and products. CREATE TABLE silver.x would make an in-memory table
 * there, report success and save nothing; DROP VIEW silver.x would hide a
 * table until the session ends. DuckDB decides what a statement changes:
 * once a statement is prepared, its type says whether it can change the
 * catalog (CREATE, DROP, ALTER, ATTACH), and for those its logical plan
 * (json_serialize_plan) says which catalog, schema and object, as the
 * binder resolved them (search_path and USE included). It is planned just
 * before it runs, after the statements before it ran.
 *
 * INSERT, UPDATE, DELETE, COPY FROM and MERGE change tables only, and a
 * protected schema holds views, which DuckDB refuses to change when it
 * prepares the statement; when such a statement fails to prepare and its
 * target (read from its first tokens) is in a protected schema, the
 * refusal says so instead of DuckDB's message.
 *
 * A locked session (rat_engine__lock) also refuses what writes a file or
 * could, from the statement's first word (past EXPLAIN [ANALYZE], which
 * runs it) before DuckDB prepares it, and again by its type once prepared:
 * COPY (to a file, or from one: the two cannot be told apart before it
 * runs, and read_csv() loads a file anyway), EXPORT DATABASE (whose folder
 * DuckDB creates while preparing it), ATTACH (which creates a database
 * file in an allowed folder) and PREPARE (EXECUTE would run a statement
 * whose type the guard never saw). The allowed folders are the workspace's
 * own tables: a user's COPY ... TO them would destroy them. librat's own
 * writes (the table writer's COPY into its staging folder) are trusted
 * statements (rat_engine__query_own), which embed a user's SQL only once
 * DuckDB prepared it alone as one SELECT (rat_engine__describe).
 *
 * A CREATE whose plan DuckDB cannot serialize (CREATE TABLE ... AS over
 * read_csv: its reader has no serializer) is checked after it runs instead:
 * a table it made in a protected schema is dropped again and the statement
 * refused. A statement of several is planned from its own text, as
 * util/sql_lex.c splits it; when that split does not count the statements
 * as DuckDB does, such a statement is refused (run it on its own).
 */
#include "engine/engine_internal.h"
#include "engine/engine.h"
#include "util/sql.h"
#include "rat/engine.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define PLAN_CAP ((size_t)64 << 20) /* a serialized plan larger than this is checked after it runs */

/* Run sql on the connection itself (no resolver, no guard); column 0 of every row as text. */
static int query_texts(rat_engine *engine, const char *sql, rat_strarray *out, size_t cap)
{
	duckdb_result result;
	duckdb_data_chunk chunk;
	size_t total = 0;
	int error = 0;

	if (duckdb_query(engine->conn, sql, &result) == DuckDBError) {
		error = rat_error__set(RAT_ESQL, RAT_ERRCLASS_ENGINE, "%s",
				       duckdb_result_error(&result));
		duckdb_destroy_result(&result);
		return error;
	}
	while (!error && (chunk = duckdb_fetch_chunk(result)) != NULL) {
		duckdb_vector v = duckdb_data_chunk_get_vector(chunk, 0);
		duckdb_string_t *data = duckdb_vector_get_data(v);
		uint64_t *valid = duckdb_vector_get_validity(v);
		idx_t row, n = duckdb_data_chunk_get_size(chunk);
		for (row = 0; !error && row < n; row++) {
			uint32_t len = duckdb_string_t_length(data[row]);
			char *s;
			if (valid && !duckdb_validity_row_is_valid(valid, row))
				continue;
			if ((total += len) > cap)
				error = rat_error__set(RAT_ETOOBIG, RAT_ERRCLASS_ENGINE,
						       "more than %zu bytes", cap);
			else if ((s = rat__strndup(duckdb_string_t_data(&data[row]), len)) == NULL)
				error = RAT_ENOMEM;
			else
				error = rat_strarray__push_owned(out, s);
		}
		duckdb_destroy_data_chunk(&chunk);
	}
	duckdb_destroy_result(&result);
	return error;
}

static bool is_protected(const rat_engine *engine, const char *schema)
{
	size_t i;

	for (i = 0; schema && i < engine->protected.count; i++)
		if (strcasecmp(engine->protected.strings[i], schema) == 0)
			return true;
	return false;
}

/* "statement 2: CREATE TABLE silver.x: <hint>" */
static int refuse(const rat_engine *engine, const rat_guard *g, idx_t i, const char *what,
		  const char *target)
{
	char which[32] = "";

	if (g->count > 1)
		snprintf(which, sizeof(which), "statement %llu: ", (unsigned long long)i + 1);
	return rat_error__set(RAT_ESQL, RAT_ERRCLASS_ENGINE, "%s%s %s: %s", which, what, target,
			      engine->protect_hint ? engine->protect_hint : "");
}

/* The text of statement i, when the split agrees with DuckDB's (free()); NULL otherwise. */
static char *statement_text(rat_engine *engine, rat_guard *g, idx_t i)
{
	size_t k;

	if (g->count == 1)
		return rat__strdup(g->sql);
	if (g->split == 0) {
		g->split = -1;
		if (rat_sql__split(&g->spans, g->sql) != 0)
			return NULL; /* (out of memory: refused below as unknown) */
		if (g->spans.count != g->count)
			return NULL;
		for (k = 0; k < g->spans.count; k++) { /* each span is one statement to DuckDB */
			duckdb_extracted_statements one = NULL;
			char *text = rat__strndup(g->sql + g->spans.items[k].start,
						  g->spans.items[k].end - g->spans.items[k].start);
			idx_t n = text ? duckdb_extract_statements(engine->conn, text, &one) : 0;
			duckdb_destroy_extracted(&one);
			free(text);
			if (n != 1)
				return NULL;
		}
		g->split = 1;
	}
	if (g->split != 1)
		return NULL;
	return rat__strndup(g->sql + g->spans.items[i].start,
			    g->spans.items[i].end - g->spans.items[i].start);
}

/* What a plan's root changes, as DuckDB bound it. */
typedef struct target {
	char what[48];    /* "CREATE TABLE", "DROP", "ATTACH" */
	char name[300];   /* "silver.x", or a schema or database name */
	bool protected;
} target;

static const char *field(json_t *info, const char *key)
{
	const char *s = json_string_value(json_object_get(info, key));
	return s ? s : "";
}

static void read_target(target *t, const rat_engine *engine, json_t *root)
{
	const char *type = field(root, "type"), *catalog, *schema, *name;
	json_t *info = json_object_get(root, "info");
	size_t i;

	snprintf(t->what, sizeof(t->what), "%s", strncmp(type, "LOGICAL_", 8) == 0 ? type + 8 : type);
	for (i = 0; t->what[i]; i++)
		t->what[i] = t->what[i] == '_' ? ' ' : t->what[i];
	catalog = field(info, "catalog");
	schema = field(info, "schema");
	name = *field(info, "table") ? field(info, "table")
	       : *field(info, "view_name") ? field(info, "view_name")
					   : field(info, "name");
	if (strcmp(type, "LOGICAL_ATTACH") == 0 || strcmp(field(info, "type"), "SCHEMA_ENTRY") == 0) {
		schema = name; /* a database or a schema itself */
		name = "";
	}
	snprintf(t->name, sizeof(t->name), "%s%s%s", schema, *name && *schema ? "." : "", name);
	t->protected = is_protected(engine, schema) && strcmp(catalog, "temp") != 0 &&
		       strcmp(catalog, "system") != 0 && !json_is_true(json_object_get(info, "temporary"));
}

/* Plan text with json_serialize_plan: 1 with *t filled, 0 when DuckDB cannot say, < 0 on failure. */
static int plan_target(target *t, rat_engine *engine, const char *text)
{
	rat_buf sql = RAT_BUF_INIT;
	rat_strarray rows = RAT_STRARRAY_INIT;
	json_t *plan = NULL, *root;
	int error;

	if ((error = rat_buf_puts(&sql, "SELECT json_serialize_plan(")) == 0 &&
	    (error = rat_sql__literal(&sql, text)) == 0 && (error = rat_buf_putc(&sql, ')')) == 0)
		error = query_texts(engine, rat_buf_cstr(&sql), &rows, PLAN_CAP);
	if (error == RAT_ETOOBIG) {
		rat_error_clear();
		error = 0;
	}
	if (!error && rows.count == 1 && /* (positions are 2^64 - 1 when unknown: too big for an integer) */
	    (plan = json_loads(rows.strings[0], JSON_DECODE_INT_AS_REAL, NULL)) != NULL &&
	    !json_is_true(json_object_get(plan, "error")) &&
	    json_is_object(root = json_array_get(json_object_get(plan, "plans"), 0))) {
		read_target(t, engine, root);
		error = 1;
	}
	json_decref(plan);
	rat_strarray_free(&rows);
	rat_buf_free(&sql);
	return error;
}

/* The tables in protected schemas now, as ["schema", "name", oid] JSON texts, into out. */
static int protected_tables(rat_engine *engine, rat_strarray *out)
{
	rat_buf sql = RAT_BUF_INIT;
	size_t i;
	int error = rat_buf_puts(&sql, "SELECT json_array(schema_name, table_name, table_oid)::VARCHAR "
				       "FROM duckdb_tables() WHERE NOT temporary AND "
				       "lower(schema_name) IN (");

	for (i = 0; !error && i < engine->protected.count; i++)
		if ((error = rat_buf_puts(&sql, i ? ", " : "")) == 0)
			error = rat_sql__literal(&sql, engine->protected.strings[i]);
	if (!error && (error = rat_buf_puts(&sql, ") ORDER BY 1")) == 0)
		error = query_texts(engine, rat_buf_cstr(&sql), out, (size_t)16 << 20);
	rat_buf_free(&sql);
	return error;
}

static bool may_change_catalog(duckdb_statement_type type)
{
	return type == DUCKDB_STATEMENT_TYPE_CREATE || type == DUCKDB_STATEMENT_TYPE_CREATE_FUNC ||
	       type == DUCKDB_STATEMENT_TYPE_DROP || type == DUCKDB_STATEMENT_TYPE_ALTER ||
	       type == DUCKDB_STATEMENT_TYPE_ATTACH;
}

/* The statement a locked session refuses, by its type, or NULL. */
static const char *file_writer(duckdb_statement_type type)
{
	switch (type) {
	case DUCKDB_STATEMENT_TYPE_COPY:
		return "COPY";
	case DUCKDB_STATEMENT_TYPE_EXPORT:
		return "EXPORT DATABASE";
	case DUCKDB_STATEMENT_TYPE_ATTACH:
		return "ATTACH";
	case DUCKDB_STATEMENT_TYPE_PREPARE:
		return "PREPARE";
	default:
		return NULL;
	}
}

static int refuse_writer(const rat_guard *g, idx_t i, const char *what)
{
	char which[32] = "";

	if (g->count > 1)
		snprintf(which, sizeof(which), "statement %llu: ", (unsigned long long)i + 1);
	return rat_error__set(RAT_ESQL, RAT_ERRCLASS_ENGINE,
			      "%s%s is refused: SQL in a workspace session writes no file "
			      "(results leave through the command's own output, e.g. rat query "
			      "--output FILE; tables are written with rat write; a file is read "
			      "with read_csv(), read_parquet() or read_json())",
			      which, what);
}

static bool protected_write(rat_engine *engine, const rat_guard *g, idx_t i, const char *text,
			    int *error);
static bool word(const char *s, size_t *pos, const char *w);

/* The words EXPORT DATABASE, in this order, anywhere in s. */
static bool names_export(const char *s)
{
	size_t pos = 0;
	bool after_export = false;

	for (;;) {
		rat_sql_token t = rat_sql__token(s, pos);
		if (t.kind == RAT_SQL_TOKEN_END)
			return false;
		if (t.kind == RAT_SQL_TOKEN_WORD && after_export && t.len == 8 &&
		    strncasecmp(s + t.start, "database", 8) == 0)
			return true;
		after_export = t.kind == RAT_SQL_TOKEN_WORD && t.len == 6 &&
			       strncasecmp(s + t.start, "export", 6) == 0;
		pos = t.start + t.len;
	}
}

static const char *const writer_words[][2] = { { "copy", "COPY" },
						 { "export", "EXPORT DATABASE" },
						 { "attach", "ATTACH" },
						 { "prepare", "PREPARE" } };

/* The writer the word t of s is (COPY, EXPORT, ATTACH, PREPARE), or NULL. */
static const char *writer_word(const char *s, rat_sql_token t)
{
	size_t k;

	for (k = 0; t.kind == RAT_SQL_TOKEN_WORD && k < RAT_ARRAY_SIZE(writer_words); k++)
		if (t.len == strlen(writer_words[k][0]) &&
		    strncasecmp(s + t.start, writer_words[k][0], t.len) == 0)
			return writer_words[k][1];
	return NULL;
}

/*
 * The writer statement s is, from its first word, past EXPLAIN [(options)]
 * [ANALYZE] (EXPLAIN ANALYZE runs the statement), or NULL.
 */
static const char *statement_writer(const char *s)
{
	rat_sql_token first;
	size_t pos = 0;
	int depth = 0;

	while ((first = rat_sql__token(s, pos)).kind == RAT_SQL_TOKEN_SEMICOLON)
		pos = first.start + first.len; /* ";; COPY ...": one statement to DuckDB */
	if (word(s, &pos, "explain")) {
		rat_sql_token t = rat_sql__token(s, pos);
		while (t.kind != RAT_SQL_TOKEN_END && t.kind == RAT_SQL_TOKEN_OTHER && s[t.start] == '(') {
			do { /* (FORMAT json, ...) */
				depth += s[t.start] == '(' ? 1 : s[t.start] == ')' ? -1 : 0;
				pos = t.start + t.len;
				t = rat_sql__token(s, pos);
			} while (depth > 0 && t.kind != RAT_SQL_TOKEN_END);
		}
		rat__ignore(word(s, &pos, "analyze") || word(s, &pos, "analyse")); /* optional */
	}
	return writer_word(s, rat_sql__token(s, pos));
}

/* Any word of s that could start a writer: for a statement whose own text is not known. */
static const char *any_writer(const char *s)
{
	size_t pos = 0;
	const char *what = NULL;

	for (;;) {
		rat_sql_token t = rat_sql__token(s, pos);
		if (t.kind == RAT_SQL_TOKEN_END || (what = writer_word(s, t)) != NULL)
			return what;
		pos = t.start + t.len;
	}
}

int rat_engine__guard_before(rat_engine *engine, rat_guard *g, idx_t i)
{
	const char *what;
	char *text;
	int error = 0;

	if (engine->trusted || !engine->writes_refused)
		return 0;
	/*
	 * Refused from the text, the same whatever the path: DuckDB refuses a
	 * path outside the allowed folders when it prepares the statement, and
	 * creates EXPORT's folder then; the statement type is checked again
	 * once prepared (rat_engine__guard_prepared).
	 */
	text = statement_text(engine, g, i);
	what = text ? statement_writer(text) : any_writer(g->sql);
	if (!what && names_export(text ? text : g->sql))
		what = "EXPORT DATABASE";
	if (what && text && protected_write(engine, g, i, text, &error)) {
		free(text); /* COPY silver.x FROM ...: refused as a write into a layer */
		return error;
	}
	free(text);
	return what ? refuse_writer(g, i, what) : 0;
}

/* An EXPLAIN (ANALYZE runs what it explains) naming a writer anywhere: the refusal. */
static int explained_writer(rat_engine *engine, rat_guard *g, idx_t i)
{
	char *text = statement_text(engine, g, i);
	const char *what = any_writer(text ? text : g->sql);

	free(text);
	return what ? refuse_writer(g, i, what) : 0;
}

int rat_engine__guard_prepared(rat_engine *engine, rat_guard *g, idx_t i,
			       duckdb_prepared_statement stmt)
{
	duckdb_statement_type type = duckdb_prepared_statement_type(stmt);
	target t;
	char *text;
	int known = 0;

	g->check_after = false;
	if (!engine->trusted && engine->writes_refused && file_writer(type))
		return refuse_writer(g, i, file_writer(type));
	if (!engine->trusted && engine->writes_refused && type == DUCKDB_STATEMENT_TYPE_EXPLAIN &&
	    (known = explained_writer(engine, g, i)) != 0)
		return known;
	if (engine->trusted || engine->protected.count == 0 || !may_change_catalog(type))
		return 0;
	memset(&t, 0, sizeof(t));
	if ((text = statement_text(engine, g, i)) != NULL)
		known = plan_target(&t, engine, text);
	free(text);
	if (known < 0)
		return known;
	if (known)
		return t.protected ? refuse(engine, g, i, t.what, t.name) : 0;
	if (type != DUCKDB_STATEMENT_TYPE_CREATE || g->split < 0)
		return rat_error__set(RAT_ESQL, RAT_ERRCLASS_ENGINE,
				      "statement %llu: cannot tell what it would create, change or "
				      "drop (run it as a statement of its own): %s",
				      (unsigned long long)i + 1,
				      engine->protect_hint ? engine->protect_hint : "");
	/* its plan cannot be read (CREATE TABLE ... AS over read_csv): checked after it runs */
	rat_strarray_free(&g->before);
	g->check_after = true;
	return protected_tables(engine, &g->before);
}

int rat_engine__guard_ran(rat_engine *engine, rat_guard *g, idx_t i)
{
	rat_strarray after = RAT_STRARRAY_INIT;
	size_t k;
	int error;

	if (!g->check_after)
		return 0;
	g->check_after = false;
	if ((error = protected_tables(engine, &after)) != 0)
		goto cleanup;
	for (k = 0; k < after.count; k++) {
		rat_buf drop = RAT_BUF_INIT, name = RAT_BUF_INIT;
		char shown[600];
		json_t *entry;
		if (rat_strarray__contains(&g->before, after.strings[k]))
			continue;
		if ((entry = json_loads(after.strings[k], JSON_DECODE_INT_AS_REAL, NULL)) == NULL) {
			error = rat_error__oom(); /* (DuckDB's own JSON: only memory can fail it) */
			break;
		}
		if (!json_is_string(json_array_get(entry, 0)) || !json_is_string(json_array_get(entry, 1)))
			error = rat_error__set(RAT_ESQL, RAT_ERRCLASS_ENGINE,
					       "unexpected table entry %s", after.strings[k]);
		else if ((error = rat_sql__ident(&name, json_string_value(json_array_get(entry, 0)))) ==
				 0 &&
			 (error = rat_buf_putc(&name, '.')) == 0)
			error = rat_sql__ident(&name, json_string_value(json_array_get(entry, 1)));
		if (!error)
			snprintf(shown, sizeof(shown), "%s.%s",
				 json_string_value(json_array_get(entry, 0)),
				 json_string_value(json_array_get(entry, 1)));
		json_decref(entry);
		/* undo it, then refuse it */
		if (!error && (error = rat_buf_printf(&drop, "DROP TABLE %s", rat_buf_cstr(&name))) == 0) {
			duckdb_result result;
			if (duckdb_query(engine->conn, rat_buf_cstr(&drop), &result) == DuckDBError)
				error = rat_error__set(RAT_ESQL, RAT_ERRCLASS_ENGINE, "%s",
						       duckdb_result_error(&result));
			duckdb_destroy_result(&result);
		}
		rat_buf_free(&drop);
		if (!error)
			error = refuse(engine, g, i, "CREATE TABLE", shown);
		rat_buf_free(&name);
		break;
	}
cleanup:
	rat_strarray_free(&after);
	return error;
}

/* A name of up to three parts at pos: the schema part (the middle of three, the first of two). */
static bool read_name(const char *s, size_t pos, char *schema, size_t n, char *full, size_t m,
		      size_t *end)
{
	rat_sql_token parts[3], t;
	size_t count = 0;

	for (;;) {
		t = rat_sql__token(s, pos);
		if ((t.kind != RAT_SQL_TOKEN_WORD && t.kind != RAT_SQL_TOKEN_QUOTED) || count == 3)
			return false;
		parts[count++] = t;
		pos = t.start + t.len;
		t = rat_sql__token(s, pos);
		if (t.kind != RAT_SQL_TOKEN_OTHER || s[t.start] != '.')
			break;
		pos = t.start + 1;
	}
	*end = pos;
	if (count < 2)
		return false;
	t = parts[count - 2];
	if (t.kind == RAT_SQL_TOKEN_QUOTED)
		snprintf(schema, n, "%.*s", (int)t.len - 2, s + t.start + 1);
	else
		snprintf(schema, n, "%.*s", (int)t.len, s + t.start);
	snprintf(full, m, "%.*s", (int)(parts[count - 1].start + parts[count - 1].len - parts[0].start),
		 s + parts[0].start);
	return true;
}

/* The next token is the word w (any case): past it. */
static bool word(const char *s, size_t *pos, const char *w)
{
	rat_sql_token t = rat_sql__token(s, *pos);

	if (t.kind != RAT_SQL_TOKEN_WORD || t.len != strlen(w) || strncasecmp(s + t.start, w, t.len))
		return false;
	*pos = t.start + t.len;
	return true;
}

/* A write's verb and target at the start of s: INSERT [OR ...] INTO x, UPDATE x, ... */
static bool read_write(const char *s, char *what, size_t n, char *schema, size_t m, char *full,
		       size_t k)
{
	size_t pos = 0, end;
	const char *verb = NULL;

	if (word(s, &pos, "insert")) {
		if (word(s, &pos, "or") && !word(s, &pos, "replace") && !word(s, &pos, "ignore"))
			return false;
		verb = word(s, &pos, "into") ? "INSERT INTO" : NULL;
	} else if (word(s, &pos, "update")) {
		verb = "UPDATE";
	} else if (word(s, &pos, "delete")) {
		verb = word(s, &pos, "from") ? "DELETE FROM" : NULL;
	} else if (word(s, &pos, "truncate")) {
		rat__ignore(word(s, &pos, "table")); /* optional */
		verb = "TRUNCATE";
	} else if (word(s, &pos, "merge")) {
		verb = word(s, &pos, "into") ? "MERGE INTO" : NULL;
	} else if (word(s, &pos, "copy")) {
		verb = "COPY";
	}
	if (!verb || !read_name(s, pos, schema, m, full, k, &end))
		return false;
	if (strcmp(verb, "COPY") == 0) { /* COPY x [(columns)] FROM: a write; COPY x TO: a read */
		rat_sql_token t = rat_sql__token(s, end);
		if (t.kind == RAT_SQL_TOKEN_OTHER && s[t.start] == '(') {
			const char *close = strchr(s + t.start, ')');
			end = close ? (size_t)(close - s) + 1 : end;
		}
		if (!word(s, &end, "from"))
			return false;
	}
	snprintf(what, n, "%s", verb);
	return true;
}

/* text writes into a protected schema: *error is the refusal. */
static bool protected_write(rat_engine *engine, const rat_guard *g, idx_t i, const char *text,
			    int *error)
{
	char what[16], schema[256], full[600];

	if (!read_write(text, what, sizeof(what), schema, sizeof(schema), full, sizeof(full)) ||
	    !is_protected(engine, schema))
		return false;
	*error = refuse(engine, g, i, what, full);
	return true;
}

int rat_engine__guard_unprepared(rat_engine *engine, rat_guard *g, idx_t i, int error)
{
	char *text;

	if (engine->trusted || engine->protected.count == 0 || error == RAT_ENOMEM ||
	    (text = statement_text(engine, g, i)) == NULL)
		return error;
	protected_write(engine, g, i, text, &error); /* error becomes the refusal, if it is one */
	free(text);
	return error;
}

void rat_engine__guard_free(rat_guard *g)
{
	rat_sql__spans_free(&g->spans);
	rat_strarray_free(&g->before);
}

int rat_engine__protect(rat_engine *engine, const char *const *schemas, size_t count,
			const char *hint)
{
	rat_buf sql = RAT_BUF_INIT;
	size_t i;
	int error = 0;

	for (i = 0; !error && i < count; i++) {
		char *lower = rat__strdup(schemas[i]), *p;
		for (p = lower; p && *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (!lower || (error = rat_strarray__push_owned(&engine->protected, lower)) != 0)
			error = error ? error : RAT_ENOMEM;
		/* they exist, so that CREATE TABLE gold.x is planned (and refused), not unknown */
		if (!error && (error = rat_buf_puts(&sql, "CREATE SCHEMA IF NOT EXISTS ")) == 0 &&
		    (error = rat_sql__ident(&sql, schemas[i])) == 0)
			error = rat_buf_puts(&sql, "; ");
	}
	free(engine->protect_hint);
	if (!error && (engine->protect_hint = rat__strdup(hint)) == NULL)
		error = RAT_ENOMEM;
	if (!error && count) { /* straight to DuckDB: neither the resolver nor the guard */
		duckdb_result result;
		if (duckdb_query(engine->conn, rat_buf_cstr(&sql), &result) == DuckDBError)
			error = rat_error__set(RAT_ESQL, RAT_ERRCLASS_ENGINE, "guarding the schemas: %s",
					       duckdb_result_error(&result));
		duckdb_destroy_result(&result);
	}
	rat_buf_free(&sql);
	return error;
}
