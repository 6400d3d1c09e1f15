/*
 * workspace/bind.c - a workspace's tables in an engine session (tables.h).
 *
 * A session sees the tables and views of one catalog ref as layer.table
 * (or namespace.table, for a namespace made beyond the layers).
 * Defining a table's view costs a read of its metadata and manifests, and
 * DuckDB then checks every data file the view lists, so binding all of them
 * at open made a session's start grow with the branch (72 ms for `SELECT 1`
 * over five tables, 1.4 s over a thousand). The session instead keeps the
 * ref's contents as of its open and binds on demand: before SQL runs, every
 * entry whose name is a word of the SQL is bound (a view's own SQL first);
 * a statement that names catalog views (SHOW, information_schema,
 * duckdb_tables(), ...) binds everything; and a statement that still fails
 * with a catalog error binds the rest and is tried again (engine/session.h).
 * Others give the session views to bind the same way (rat_workspace__bind_later():
 * a subscription's products.<alias>), so that one that cannot be served
 * fails only the SQL that names it.
 */
#include "util/common.h"
#include "util/sql.h"
#include "rat/engine.h"
#include "engine/engine.h"
#include "table/scan.h"
#include "workspace/tables.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { UNBOUND = 0, BINDING = 1, BOUND = 2 };

/* A view bound on demand that is not one of the ref's entries. */
typedef struct later {
	char *key; /* schema.name */
	rat_workspace_bind_fn bind;
	void (*free)(void *payload);
	void *payload;
	unsigned char state;
} later;

/* What a session binds on demand: the entries of its ref when it opened, and the later ones. */
typedef struct binder {
	rat_contents contents;
	char **locations;       /* per entry: its table (or view) folder */
	unsigned char *states;  /* per entry: UNBOUND, BINDING, BOUND */
	size_t unbound;         /* entries and laters not BOUND */
	rat_store_options store; /* the workspace's S3 settings and read cache (copies) */
	later *laters;
	size_t later_count;
} binder;

static void later_free(later *l)
{
	if (l->free)
		l->free(l->payload);
	free(l->key);
}

static void binder_free(void *payload)
{
	binder *b = payload;
	size_t i;

	if (!b)
		return;
	for (i = 0; b->locations && i < b->contents.count; i++)
		free(b->locations[i]);
	for (i = 0; i < b->later_count; i++)
		later_free(&b->laters[i]);
	free(b->laters);
	free(b->locations);
	free(b->states);
	rat_store__options_free(&b->store);
	rat_catalog__contents_free(&b->contents);
	free(b);
}

static void split_key(char layer[RAT_NAMESPACE_MAX + 1], const char **name, const char *key)
{
	const char *dot = strchr(key, '.');

	snprintf(layer, RAT_NAMESPACE_MAX + 1, "%.*s", (int)(dot - key), key);
	*name = dot + 1;
}

static int resolve_words(rat_engine *engine, binder *b, const char *sql);

/*
 * Define entry c, whose folder is location, as layer.table in the session:
 * a table as a view over its files (*rows, when asked, its live rows from
 * the manifests, -1 when only a read can tell), a view with its SQL, after
 * binding what that SQL names (b: the session's binder, if it has one).
 */
static int bind_one(rat_engine *engine, binder *b, const rat_catalog_entry *c,
		    const char *location, const rat_store_options *opts, int64_t *rows)
{
	rat_store *store = NULL;
	rat_scan scan;
	rat_buf sql = RAT_BUF_INIT;
	char *view = NULL, layer[RAT_NAMESPACE_MAX + 1];
	const char *name;
	bool exact;
	int error;

	if (rows)
		*rows = -1;
	split_key(layer, &name, c->key);
	if (c->state.view) {
		if ((error = rat_workspace__view_sql_at(&view, c, location, opts)) == 0 &&
		    (!b || (error = resolve_words(engine, b, view)) == 0) &&
		    (error = rat_engine__bind_view(engine, layer, name, view)) != 0)
			rat_error__prefix("view %s", c->key);
		free(view);
		return error;
	}
	if ((error = rat_workspace__plan_entry_at(&scan, &store, c, location, opts)) != 0)
		return error;
	if ((error = rat_table__scan_sql(&scan, store, &sql)) == 0)
		error = rat_engine__bind_view(engine, layer, name, rat_buf_cstr(&sql));
	if (error)
		rat_error__prefix("%s", c->key);
	else if (rows) {
		*rows = rat_workspace__live_rows(&scan, &exact);
		if (!exact)
			*rows = -1; /* equality deletes: only a read can tell */
	}
	rat_table__scan_free(&scan);
	rat_store__free(store);
	rat_buf_free(&sql);
	return error;
}

/* Entry i's state; the binder counts the entries not bound yet. */
static void mark(binder *b, size_t i, unsigned char state)
{
	if (b->states[i] != BOUND && state == BOUND)
		b->unbound--;
	else if (b->states[i] == BOUND && state != BOUND)
		b->unbound++;
	b->states[i] = state;
}

/* Bind entry i (for a view: what its SQL names first). */
static int bind_entry(rat_engine *engine, binder *b, size_t i)
{
	int error;

	mark(b, i, BINDING); /* a view that names itself, or a cycle, stops here */
	error = bind_one(engine, b, &b->contents.items[i], b->locations[i], &b->store, NULL);
	mark(b, i, error ? UNBOUND : BOUND);
	return error;
}

/* Words that name the engine's catalog: a statement with one sees every table. */
static bool names_catalog(const rat_strarray *words)
{
	static const char *const prefixes[] = { "duckdb_", "pg_", "sqlite_", "show" };
	static const char *const exact[] = { "information_schema", "describe", "summarize" };
	size_t i, j;

	for (i = 0; i < words->count; i++) {
		for (j = 0; j < sizeof(prefixes) / sizeof(prefixes[0]); j++)
			if (rat__str_has_prefix(words->strings[i], prefixes[j]))
				return true;
		for (j = 0; j < sizeof(exact) / sizeof(exact[0]); j++)
			if (strcmp(words->strings[i], exact[j]) == 0)
				return true;
	}
	return false;
}

static bool has_word(const rat_strarray *words, const char *name)
{
	size_t lo = 0, hi = words->count;

	while (lo < hi) { /* words are lowercase and sorted; names compare without case */
		size_t mid = lo + (hi - lo) / 2;
		int cmp = strcasecmp(words->strings[mid], name);
		if (cmp == 0)
			return true;
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

/* Bind a later view (its failure leaves it unbound, to fail the next SQL naming it too). */
static int bind_later_one(rat_engine *engine, binder *b, later *l)
{
	int error = l->bind(engine, l->payload);

	if (!error) {
		l->state = BOUND;
		b->unbound--;
	}
	return error;
}

/* Bind every unbound entry; failures are skipped (*bound counts the others). */
static int bind_rest(rat_engine *engine, binder *b, size_t *bound)
{
	size_t i;
	int error;

	*bound = 0;
	for (i = 0; i < b->contents.count; i++) {
		if (b->states[i] != UNBOUND)
			continue;
		if ((error = bind_entry(engine, b, i)) == RAT_ENOMEM)
			return error;
		if (error)
			rat_error_clear(); /* its own statement names it, and reports why */
		else
			(*bound)++;
	}
	for (i = 0; i < b->later_count; i++) {
		if (b->laters[i].state == BOUND)
			continue;
		if ((error = bind_later_one(engine, b, &b->laters[i])) == RAT_ENOMEM)
			return error;
		if (error)
			rat_error_clear(); /* as above: only SQL that names it fails */
		else
			(*bound)++;
	}
	return 0;
}

/* Whether token t of sql is a name (quoted or not) equal to name[0, len), ignoring case. */
static bool token_is(const char *sql, rat_sql_token t, const char *name, size_t len)
{
	if (t.kind == RAT_SQL_TOKEN_QUOTED)
		return t.len == len + 2 && strncasecmp(sql + t.start + 1, name, len) == 0;
	return t.kind == RAT_SQL_TOKEN_WORD && t.len == len && strncasecmp(sql + t.start, name, len) == 0;
}

/*
 * Whether sql names key as layer.table (either part may be quoted), ignoring
 * case; in its code only: a string or a comment names nothing (a run's
 * staging path holds its table's key).
 */
static bool names_qualified(const char *sql, const char *key)
{
	const char *dot = strchr(key, '.');
	size_t layer = (size_t)(dot - key), name = strlen(dot + 1);
	rat_sql_token t = rat_sql__token(sql, 0), sep, next;

	for (; t.kind != RAT_SQL_TOKEN_END; t = rat_sql__token(sql, t.start + t.len)) {
		if (!token_is(sql, t, key, layer))
			continue;
		sep = rat_sql__token(sql, t.start + t.len);
		if (sep.kind != RAT_SQL_TOKEN_OTHER || sql[sep.start] != '.')
			continue;
		next = rat_sql__token(sql, sep.start + 1);
		if (token_is(sql, next, dot + 1, name))
			return true;
	}
	return false;
}

/* Bind the later views whose name is a word of sql: one that fails fails sql if sql names it. */
static int resolve_laters(rat_engine *engine, binder *b, const char *sql, const rat_strarray *words)
{
	size_t i;
	int error = 0;

	for (i = 0; !error && i < b->later_count; i++) {
		later *l = &b->laters[i];
		if (l->state == BOUND || !has_word(words, strchr(l->key, '.') + 1))
			continue;
		if ((error = bind_later_one(engine, b, l)) != 0 && error != RAT_ENOMEM &&
		    !names_qualified(sql, l->key)) {
			rat_error_clear();
			error = 0;
		}
	}
	return error;
}

/*
 * Bind what sql may name. A word is only a guess (a column or a string may
 * share a table's name), so a table that fails to bind fails sql only when
 * sql names it as layer.table; otherwise it stays unbound, and a statement
 * that does reach it meets a catalog error and binds the rest.
 */
static int resolve_words(rat_engine *engine, binder *b, const char *sql)
{
	rat_strarray words = RAT_STRARRAY_INIT;
	size_t i, bound;
	int error;

	if ((error = rat_sql__words(&words, sql)) != 0)
		return error;
	if (names_catalog(&words)) {
		error = bind_rest(engine, b, &bound); /* a later one named below still fails sql */
	} else {
		for (i = 0; !error && i < b->contents.count; i++) {
			const char *key = b->contents.items[i].key;
			if (b->states[i] != UNBOUND || !has_word(&words, strchr(key, '.') + 1))
				continue;
			if ((error = bind_entry(engine, b, i)) != 0 && error != RAT_ENOMEM &&
			    !names_qualified(sql, key)) {
				rat_error_clear();
				error = 0;
			}
		}
	}
	if (!error)
		error = resolve_laters(engine, b, sql, &words);
	rat_strarray_free(&words);
	return error;
}

static int resolve(rat_engine *engine, const char *sql, void *payload)
{
	binder *b = payload;

	return b->unbound ? resolve_words(engine, b, sql) : 0; /* all bound: nothing to look for */
}

static int resolve_all(rat_engine *engine, size_t *bound, void *payload)
{
	return bind_rest(engine, payload, bound);
}

/*
 * The files another workspace's table (entry c, on main, at location) reads
 * at this version, to files: the lock allows those, never the table's
 * folder, which holds that workspace's later versions too. A table that
 * cannot be planned is left out: reading it says why (bind on demand).
 */
static int foreign_files(rat_strarray *files, const rat_catalog_entry *c, const char *location,
			 const rat_store_options *opts)
{
	rat_store *store = NULL;
	rat_scan scan;
	const rat_data_files *sets[2];
	size_t i, k;
	int error;

	if (c->state.view)
		return 0; /* a view reads tables by name */
	if (rat_workspace__plan_entry_at(&scan, &store, c, location, opts) != 0) {
		rat_error_clear();
		return 0;
	}
	sets[0] = &scan.data;
	sets[1] = &scan.deletes;
	for (k = 0, error = 0; !error && k < 2; k++)
		for (i = 0; !error && i < sets[k]->count; i++) {
			char *key = NULL, *local = NULL;
			if ((error = rat_table__key(&scan, sets[k]->items[i].path, &key)) == 0 &&
			    (error = rat_store__local_path(store, key, &local)) == 0)
				error = rat_strarray__push(files, local);
			free(key);
			free(local);
		}
	rat_table__scan_free(&scan);
	rat_store__free(store);
	return error;
}

/* The binder of contents (taken over) for ws; the files of other workspaces' tables to files. */
static int binder_new(binder **out, const rat_workspace *ws, rat_contents *contents,
		      rat_strarray *files)
{
	rat_store_options opts;
	binder *b = rat__calloc(1, sizeof(*b));
	size_t i, n = contents->count;
	int error = 0;

	*out = NULL;
	if (!b)
		return RAT_ENOMEM;
	b->contents = *contents;
	memset(contents, 0, sizeof(*contents));
	b->unbound = n;
	rat_workspace__store_options(ws, &opts);
	b->locations = rat__calloc(n ? n : 1, sizeof(char *));
	b->states = rat__calloc(n ? n : 1, 1);
	if ((error = rat_store__options_copy(&b->store, &opts)) == 0 && (!b->locations || !b->states))
		error = RAT_ENOMEM;
	for (i = 0; !error && i < n; i++) {
		bool foreign = false;
		error = rat_workspace__entry_location(&b->locations[i], &foreign, ws,
						      &b->contents.items[i]);
		if (!error && foreign && files && rat_workspace_warehouse(ws)[0] == '/')
			error = foreign_files(files, &b->contents.items[i], b->locations[i], &opts);
	}
	if (error) {
		binder_free(b);
		return error;
	}
	*out = b;
	return 0;
}

/*
 * The namespaces of contents (keys without a dot) taken out, the names of
 * those beyond the layers onto namespaces (NULL: not kept); the tables and
 * views stay, in order.
 */
static int take_namespaces(rat_contents *contents, rat_strarray *namespaces)
{
	size_t i, n = 0;
	rat_layer layer;
	int error = 0;

	for (i = 0; i < contents->count; i++) {
		rat_catalog_entry *c = &contents->items[i];
		if (!c->state.ns) {
			contents->items[n++] = *c;
			continue;
		}
		if (!error && namespaces && !rat_workspace__key_layer(&layer, c->key))
			error = rat_strarray__push(namespaces, c->key);
		free(c->key);
		rat_table_state_clear(&c->state);
	}
	contents->count = n;
	return error;
}

int rat_workspace__bind(rat_engine *engine, const rat_workspace *ws, rat_catalog *catalog,
			const char *ref, rat_strarray *files, rat_strarray *namespaces)
{
	rat_contents contents = { NULL, 0 };
	rat_engine_resolver resolver = { resolve, resolve_all, binder_free, NULL };
	binder *b = NULL;
	int error;

	/* the whole map read once: the session guards its namespaces as it guards the layers */
	if ((error = rat_catalog__contents_of(catalog, ref, RAT_CONTENTS_ALL, &contents)) != 0 ||
	    (error = take_namespaces(&contents, namespaces)) != 0 ||
	    (error = binder_new(&b, ws, &contents, files)) != 0)
		goto cleanup;
	resolver.payload = b;
	rat_engine__set_resolver(engine, &resolver); /* the session owns b from here */
cleanup:
	rat_catalog__contents_free(&contents);
	return error;
}

int rat_workspace__bind_key(rat_engine *engine, const rat_workspace *ws, rat_catalog *catalog,
			    const char *ref, const char *key, int64_t *rows)
{
	rat_contents contents = { NULL, 0 };
	const rat_catalog_entry *entry;
	rat_store_options opts;
	char *location = NULL;
	binder *b = rat_engine__resolver_payload(engine);
	unsigned char was = 0;
	size_t i;
	int error;

	if (rows)
		*rows = -1;
	if ((error = rat_catalog__contents(catalog, ref, &contents)) != 0)
		return error;
	if ((entry = rat_catalog__find(&contents, key)) == NULL) {
		error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_WORKSPACE, "no table %s on %s", key,
				       ref);
		goto cleanup;
	}
	/* the session's own contents must not define it again as it was at open:
	 * not while this binds it (its statement names it), nor after */
	for (i = 0; b && i < b->contents.count; i++)
		if (strcmp(b->contents.items[i].key, key) == 0)
			break;
	if (b && i < b->contents.count) {
		was = b->states[i];
		mark(b, i, BINDING);
	}
	rat_workspace__store_options(ws, &opts);
	if ((error = rat_workspace__entry_location(&location, NULL, ws, entry)) == 0)
		error = bind_one(engine, b, entry, location, &opts, rows);
	if (b && i < b->contents.count)
		mark(b, i, error ? was : BOUND);
cleanup:
	rat_catalog__contents_free(&contents);
	free(location);
	return error;
}

int rat_workspace__bind_sql(rat_engine *engine, const char *key, const char *sql)
{
	binder *b = rat_engine__resolver_payload(engine);
	const char *dot = strchr(key, '.');
	char layer[RAT_NAMESPACE_MAX + 1];
	size_t i;
	int error;

	if (!dot || (size_t)(dot - key) >= sizeof(layer))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
				      "'%s' is not a table name (layer.table)", key);
	snprintf(layer, sizeof(layer), "%.*s", (int)(dot - key), key);
	if ((error = rat_engine__bind_view(engine, layer, dot + 1, sql)) != 0)
		return error;
	/* the session's own contents must not define it again as they have it */
	for (i = 0; b && i < b->contents.count; i++)
		if (strcmp(b->contents.items[i].key, key) == 0)
			mark(b, i, BOUND);
	return 0;
}

int rat_workspace__bind_later(rat_engine *engine, const char *key, rat_workspace_bind_fn bind,
			      void (*free_payload)(void *), void *payload)
{
	binder *b = rat_engine__resolver_payload(engine);
	later l = { NULL, bind, free_payload, payload, UNBOUND }, *grown;

	if (!b) {
		later_free(&l);
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
				      "%s: the session binds no tables on demand", key);
	}
	if ((l.key = rat__strdup(key)) == NULL ||
	    (grown = realloc(b->laters, (b->later_count + 1) * sizeof(*grown))) == NULL) {
		later_free(&l);
		return rat_error__oom();
	}
	b->laters = grown;
	b->laters[b->later_count++] = l;
	b->unbound++;
	return 0;
}
