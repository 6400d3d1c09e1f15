/*
 * product/registry.c - the product registry in SQLite (see registry.h).
 *
 * Three tables in the catalog's database file, reached through a
 * connection of their own (WAL: readers never wait; a write takes the
 * file's write lock for one short transaction). Columns and files of a
 * version are stored as JSON text. With NESSIE_URI, the registry is the
 * server's: each call goes to /rat/v1/products (registry_remote.c).
 */
#include "util/common.h"
#include "util/fs.h"
#include "product/registry.h"
#include "remote/remote.h"
#include "workspace/workspace.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rat_registry {
	sqlite3 *db;
	char *path;
	rat_remote *remote; /* the server's registry (NESSIE_URI); db NULL then */
};

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS products ("
	" owner TEXT NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL DEFAULT '',"
	" sla_hours REAL NOT NULL DEFAULT 0, source TEXT NOT NULL DEFAULT '',"
	" PRIMARY KEY (owner, name));"
	"CREATE TABLE IF NOT EXISTS product_versions ("
	" owner TEXT NOT NULL, name TEXT NOT NULL, version TEXT NOT NULL,"
	" source TEXT NOT NULL, source_commit TEXT NOT NULL, snapshot_id INTEGER NOT NULL,"
	" columns TEXT NOT NULL, rows INTEGER NOT NULL, published_ms INTEGER NOT NULL,"
	" changelog TEXT NOT NULL DEFAULT '', location TEXT NOT NULL, files TEXT NOT NULL,"
	" PRIMARY KEY (owner, name, version));"
	"CREATE TABLE IF NOT EXISTS product_access ("
	" owner TEXT NOT NULL, name TEXT NOT NULL, pattern TEXT NOT NULL, level TEXT NOT NULL,"
	" PRIMARY KEY (owner, name, pattern));";

static int db_error(rat_registry *reg, const char *what)
{
	return rat_error__set(RAT_EIO, RAT_ERRCLASS_CATALOG, "product registry %s: %s: %s",
			      reg->path, what, sqlite3_errmsg(reg->db));
}

static int exec(rat_registry *reg, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(reg->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int error = rat_error__set(RAT_EIO, RAT_ERRCLASS_CATALOG, "product registry %s: %s",
					   reg->path, msg ? msg : sqlite3_errmsg(reg->db));
		sqlite3_free(msg);
		return error;
	}
	return 0;
}

int rat_registry__open(rat_registry **out, const rat_workspace *ws)
{
	rat_registry *reg = rat__calloc(1, sizeof(*reg));
	const char *uri = rat_workspace__remote_uri(ws);
	int error;

	*out = NULL;
	if (reg && uri) {
		if ((error = rat_remote__open(&reg->remote, uri, rat_workspace__remote_token(ws))) != 0)
			goto fail;
		*out = reg;
		return 0;
	}
	if (!reg || (reg->path = rat_fs__join(rat_workspace_home(ws), "catalog.db")) == NULL) {
		rat_registry__free(reg);
		return RAT_ENOMEM;
	}
	/* the catalog creates the file: a registry alone never does (reading creates nothing) */
	if (!rat_fs__is_file(reg->path)) {
		error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_CATALOG,
				       "no catalog at %s, where products are registered", reg->path);
		goto fail;
	}
	if (sqlite3_open_v2(reg->path, &reg->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX,
			    NULL) != SQLITE_OK) {
		error = rat_error__set(RAT_EIO, RAT_ERRCLASS_CATALOG, "cannot open %s: %s", reg->path,
				       reg->db ? sqlite3_errmsg(reg->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(reg->db, 30000);
	if ((error = exec(reg, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL")) != 0 ||
	    (error = exec(reg, schema_sql)) != 0)
		goto fail;
	*out = reg;
	return 0;
fail:
	rat_registry__free(reg);
	return error;
}

void rat_registry__free(rat_registry *reg)
{
	if (!reg)
		return;
	if (reg->db)
		sqlite3_close(reg->db);
	rat_remote__free(reg->remote);
	free(reg->path);
	free(reg);
}

/* Run one statement with text (or NULL) parameters; SQLITE_DONE expected. */
static int run(rat_registry *reg, const char *sql, const char *const *params, size_t n,
	       int *changes)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int error = 0;

	if (sqlite3_prepare_v2(reg->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_error(reg, "prepare");
	for (i = 0; i < n; i++)
		sqlite3_bind_text(st, (int)i + 1, params[i], -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		error = sqlite3_extended_errcode(reg->db) == SQLITE_CONSTRAINT_PRIMARYKEY
				? rat_error__set(RAT_EEXISTS, RAT_ERRCLASS_CATALOG, "already recorded")
				: db_error(reg, "write");
	if (changes)
		*changes = sqlite3_changes(reg->db);
	sqlite3_finalize(st);
	return error;
}

static int put_product(rat_registry *reg, const char *owner, const char *name,
			      const char *description, double sla_hours, const char *source)
{
	char sla[32];
	const char *p[] = { owner, name, description ? description : "", sla, source ? source : "" };

	snprintf(sla, sizeof(sla), "%.17g", sla_hours);
	return run(reg,
		   "INSERT INTO products(owner, name, description, sla_hours, source) "
		   "VALUES (?1, ?2, ?3, CAST(?4 AS REAL), ?5) ON CONFLICT(owner, name) DO UPDATE "
		   "SET description = ?3, sla_hours = CAST(?4 AS REAL), source = ?5",
		   p, 5, NULL);
}

static int set_rules(rat_registry *reg, const char *owner, const char *name,
			    const rat_product_rule *rules, size_t count)
{
	const char *p[4] = { owner, name, NULL, NULL };
	size_t i;
	int error;

	/* in rat_registry__record()'s transaction */
	error = run(reg, "DELETE FROM product_access WHERE owner = ? AND name = ?", p, 2, NULL);
	for (i = 0; !error && i < count; i++) {
		p[2] = rules[i].pattern;
		p[3] = rules[i].level;
		error = run(reg, "INSERT OR REPLACE INTO product_access VALUES (?, ?, ?, ?)", p, 4,
			    NULL);
	}
	return error;
}

int rat_registry__grant(rat_registry *reg, const char *owner, const char *name,
			const char *pattern, const char *level)
{
	const char *p[] = { owner, name, pattern, level };

	if (reg->remote)
		return rat_registry__remote_grant(reg->remote, owner, name, pattern, level);
	return run(reg, "INSERT OR REPLACE INTO product_access VALUES (?, ?, ?, ?)", p, 4, NULL);
}

int rat_registry__revoke(rat_registry *reg, const char *owner, const char *name,
			 const char *pattern)
{
	const char *p[] = { owner, name, pattern };
	int changes = 0, error;

	if (reg->remote)
		return rat_registry__remote_revoke(reg->remote, owner, name, pattern);
	error = run(reg, "DELETE FROM product_access WHERE owner = ? AND name = ? AND pattern = ?", p,
		    3, &changes);
	if (!error && changes == 0)
		error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_CATALOG,
				       "product %s/%s has no rule for '%s'", owner, name, pattern);
	return error;
}

static int add_version(rat_registry *reg, const rat_product_version *v)
{
	json_t *doc = rat_registry__version_json(v); /* its columns and files, as JSON text */
	char version[128], snapshot[32], rows[32], when[32], *ctext = NULL, *ftext = NULL;
	int error;

	if (!doc || (ctext = json_dumps(json_object_get(doc, "columns"), JSON_COMPACT)) == NULL ||
	    (ftext = json_dumps(json_object_get(doc, "files"), JSON_COMPACT)) == NULL) {
		error = rat_error__oom();
		goto cleanup;
	}
	rat_semver__format(version, sizeof(version), &v->version);
	snprintf(snapshot, sizeof(snapshot), "%lld", (long long)v->snapshot_id);
	snprintf(rows, sizeof(rows), "%lld", (long long)v->rows);
	snprintf(when, sizeof(when), "%lld", (long long)v->published_ms);
	{
		const char *p[] = { v->owner, v->name, version, v->source, v->commit, snapshot,
				    ctext, rows, when, v->changelog ? v->changelog : "",
				    v->location, ftext };
		error = run(reg,
			    "INSERT INTO product_versions VALUES (?, ?, ?, ?, ?, CAST(? AS INTEGER), "
			    "?, CAST(? AS INTEGER), CAST(? AS INTEGER), ?, ?, ?)",
			    p, 12, NULL);
	}
	if (error == RAT_EEXISTS)
		error = rat_error__set(RAT_EEXISTS, RAT_ERRCLASS_CATALOG,
				       "%s/%s %s is already published (versions never change: "
				       "publish a new one)",
				       v->owner, v->name, version);
cleanup:
	json_decref(doc);
	free(ctext);
	free(ftext);
	return error;
}

int rat_registry__record(rat_registry *reg, const rat_product_version *v,
			 const char *description, double sla_hours, const char *source,
			 const rat_product_rule *rules, size_t rule_count)
{
	int error;

	if (reg->remote)
		return rat_registry__remote_record(reg->remote, v, description, sla_hours, source,
						   rules, rule_count);
	if ((error = exec(reg, "BEGIN IMMEDIATE")) != 0)
		return error;
	if ((error = put_product(reg, v->owner, v->name, description, sla_hours, source)) == 0 &&
	    (error = set_rules(reg, v->owner, v->name, rules, rule_count)) == 0 &&
	    (error = add_version(reg, v)) == 0)
		return exec(reg, "COMMIT");
	sqlite3_exec(reg->db, "ROLLBACK", NULL, NULL, NULL); /* nothing of it stays */
	return error;
}

static char *column_text(sqlite3_stmt *st, int col)
{
	const unsigned char *t = sqlite3_column_text(st, col);
	return rat__strdup(t ? (const char *)t : "");
}

static int read_version(rat_product_version *v, sqlite3_stmt *st)
{
	json_error_t jerr;
	json_t *columns = NULL, *files = NULL;
	char *text = column_text(st, 2);
	int error;

	memset(v, 0, sizeof(*v));
	v->owner = column_text(st, 0);
	v->name = column_text(st, 1);
	if (!text || rat_semver__parse(&v->version, text) != 0) {
		free(text);
		return text ? RAT_EINVALID : RAT_ENOMEM;
	}
	free(text);
	v->source = column_text(st, 3);
	v->commit = column_text(st, 4);
	v->snapshot_id = sqlite3_column_int64(st, 5);
	v->rows = sqlite3_column_int64(st, 7);
	v->published_ms = sqlite3_column_int64(st, 8);
	v->changelog = column_text(st, 9);
	v->location = column_text(st, 10);
	columns = json_loads((const char *)sqlite3_column_text(st, 6), 0, &jerr);
	files = json_loads((const char *)sqlite3_column_text(st, 11), 0, &jerr);
	error = rat_registry__columns_files_parse(v, columns, files);
	json_decref(columns);
	json_decref(files);
	return error;
}

/* Rules and versions of one product. */
static int fill_entry(rat_registry *reg, rat_product_entry *e)
{
	sqlite3_stmt *st = NULL;
	int error = 0, step;

	if (sqlite3_prepare_v2(reg->db, "SELECT pattern, level FROM product_access WHERE owner = ? "
					"AND name = ? ORDER BY pattern", -1, &st, NULL) != SQLITE_OK)
		return db_error(reg, "prepare");
	sqlite3_bind_text(st, 1, e->owner, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, e->name, -1, SQLITE_TRANSIENT);
	while (!error && (step = sqlite3_step(st)) == SQLITE_ROW) {
		rat_product_rule *grown = rat__realloc(e->rules, (e->rule_count + 1) * sizeof(*grown));
		if (!grown) {
			error = RAT_ENOMEM;
			break;
		}
		e->rules = grown;
		e->rules[e->rule_count].pattern = column_text(st, 0);
		e->rules[e->rule_count].level = column_text(st, 1);
		e->rule_count++;
	}
	sqlite3_finalize(st);
	if (error || sqlite3_prepare_v2(reg->db, "SELECT * FROM product_versions WHERE owner = ? "
					     "AND name = ? ORDER BY published_ms, version", -1, &st,
					     NULL) != SQLITE_OK)
		return error ? error : db_error(reg, "prepare");
	sqlite3_bind_text(st, 1, e->owner, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, e->name, -1, SQLITE_TRANSIENT);
	while (!error && (step = sqlite3_step(st)) == SQLITE_ROW) {
		rat_product_version *grown = rat__realloc(e->versions,
							  (e->version_count + 1) * sizeof(*grown));
		if (!grown) {
			error = RAT_ENOMEM;
			break;
		}
		e->versions = grown;
		error = read_version(&e->versions[e->version_count++], st);
	}
	sqlite3_finalize(st);
	return error;
}

int rat_registry__list(rat_product_entries *out, rat_registry *reg, const char *owner,
		       const char *name)
{
	sqlite3_stmt *st = NULL;
	int error = 0;

	memset(out, 0, sizeof(*out));
	if (reg->remote)
		return rat_registry__remote_list(out, reg->remote, owner, name);
	if (sqlite3_prepare_v2(reg->db, "SELECT owner, name, description, sla_hours, source FROM "
					"products WHERE (?1 IS NULL OR owner = ?1) AND (?2 IS NULL "
					"OR name = ?2) ORDER BY owner, name", -1, &st, NULL) != SQLITE_OK)
		return db_error(reg, "prepare");
	if (owner)
		sqlite3_bind_text(st, 1, owner, -1, SQLITE_TRANSIENT);
	if (name)
		sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
	while (!error && sqlite3_step(st) == SQLITE_ROW) {
		rat_product_entry *grown = rat__realloc(out->items, (out->count + 1) * sizeof(*grown)), *e;
		if (!grown) {
			error = RAT_ENOMEM;
			break;
		}
		out->items = grown;
		e = memset(&out->items[out->count++], 0, sizeof(*e));
		e->owner = column_text(st, 0);
		e->name = column_text(st, 1);
		e->description = column_text(st, 2);
		e->sla_hours = sqlite3_column_double(st, 3);
		e->source = column_text(st, 4);
	}
	sqlite3_finalize(st);
	for (size_t i = 0; !error && i < out->count; i++)
		error = fill_entry(reg, &out->items[i]);
	if (error)
		rat_product_entries_free(out);
	return error;
}

void rat_product_version_clear(rat_product_version *v)
{
	size_t i;

	free(v->owner);
	free(v->name);
	free(v->source);
	free(v->commit);
	for (i = 0; i < v->column_count; i++) {
		free(v->columns[i].name);
		free(v->columns[i].type);
	}
	free(v->columns);
	free(v->changelog);
	free(v->location);
	rat_strarray_free(&v->files);
	memset(v, 0, sizeof(*v));
}

void rat_product_entries_free(rat_product_entries *entries)
{
	size_t i, j;

	if (!entries)
		return;
	for (i = 0; i < entries->count; i++) {
		rat_product_entry *e = &entries->items[i];
		free(e->owner);
		free(e->name);
		free(e->description);
		free(e->source);
		for (j = 0; j < e->rule_count; j++) {
			free(e->rules[j].pattern);
			free(e->rules[j].level);
		}
		free(e->rules);
		for (j = 0; j < e->version_count; j++)
			rat_product_version_clear(&e->versions[j]);
		free(e->versions);
	}
	free(entries->items);
	memset(entries, 0, sizeof(*entries));
}

static bool pattern_matches(const char *pattern, const char *workspace)
{
	size_t n = strlen(pattern);

	if (strcmp(pattern, "*") == 0)
		return true;
	if (n > 0 && pattern[n - 1] == '*')
		return strncmp(pattern, workspace, n - 1) == 0;
	return strcmp(pattern, workspace) == 0;
}

const char *rat_registry__level(const rat_product_entry *p, const char *workspace)
{
	static const char *const order[] = { "read", "write", "admin" };
	int best = -1, i;
	size_t j;

	if (strcmp(p->owner, workspace) == 0)
		return "admin";
	for (j = 0; j < p->rule_count; j++) {
		if (!pattern_matches(p->rules[j].pattern, workspace))
			continue;
		for (i = 0; i < 3; i++)
			if (strcmp(p->rules[j].level, order[i]) == 0 && i > best)
				best = i;
	}
	return best < 0 ? NULL : order[best];
}
