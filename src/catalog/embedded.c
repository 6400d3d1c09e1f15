/*
 * catalog/embedded.c - the embedded catalog backend: one SQLite database in
 * WAL mode (readers never wait for the writer).
 *
 *   trees(hash, body)    a commit's key map: a root node over
 *   leaves(hash, body)   leaves (tree.c)
 *   commits(hash, parent, merge_parent, tree, author, message, time_ms, properties)
 *   refs(name, kind, hash)
 *
 * A commit is one IMMEDIATE transaction: take the write lock, check the
 * branch head, write the leaves, root and commit, move the ref. SQLite makes
 * it all-or-nothing even when the process is killed mid-way. Concurrent
 * writers wait for the lock (busy timeout) rather than failing.
 *
 * The file's schema version is SQLite's user_version (SCHEMA_VERSION);
 * opening an older file migrates it in one transaction (initialise()), and a
 * newer one is refused.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/names.h"
#include "util/sha256.h"
#include "rat/catalog.h"
#include "catalog/embedded.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef rat_embedded embedded;

/*
 * 1: each tree the whole key map (before versions were recorded: user_version 0);
 * 2: trees are root nodes over leaves;
 * 3: a key map may hold namespaces (a key without a '.', "type": "NAMESPACE"),
 *    which a reader of version 2 would take for tables: nothing is rewritten,
 *    the version only keeps older rats out.
 * 4: commits indexed by their request id (rat_catalog_set_request_id()).
 */
#define SCHEMA_VERSION 4
#define REQUEST_ID_SQL "json_extract(properties, '$.\"rat.request-id\"')"

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS trees (hash TEXT PRIMARY KEY, body TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS leaves (hash TEXT PRIMARY KEY, body TEXT NOT NULL);"
	"CREATE TABLE IF NOT EXISTS commits (hash TEXT PRIMARY KEY, parent TEXT NOT NULL,"
	" merge_parent TEXT NOT NULL, tree TEXT NOT NULL REFERENCES trees(hash),"
	" author TEXT NOT NULL, message TEXT NOT NULL, time_ms INTEGER NOT NULL,"
	" properties TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS commits_parent ON commits(parent);"
	"CREATE INDEX IF NOT EXISTS commits_request ON commits(" REQUEST_ID_SQL ") WHERE "
	REQUEST_ID_SQL " IS NOT NULL;"
	"CREATE TABLE IF NOT EXISTS refs (name TEXT PRIMARY KEY, kind INTEGER NOT NULL,"
	" hash TEXT NOT NULL REFERENCES commits(hash));";

int rat_embedded__db_error(embedded *e, const char *what)
{
	int code = sqlite3_errcode(e->db);
	return rat_error__set(code == SQLITE_BUSY ? RAT_ECONFLICT : RAT_EIO, RAT_ERRCLASS_CATALOG,
			      "catalog %s: %s: %s", e->path, what, sqlite3_errmsg(e->db));
}

/* Hash of the canonical JSON of a commit's parts: the same content, the same hash. */
static int commit_hash(const char *parent, const char *merge_parent, const char *tree,
		       const char *author, const char *message, int64_t time_ms, json_t *props,
		       char out[RAT_HASH_LEN + 1])
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:O}", "parent", parent,
			      "merge-parent", merge_parent, "tree", tree, "author", author,
			      "message", message, "time-ms", (json_int_t)time_ms, "properties", props);
	char *text = j ? json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT) : NULL;

	int error;

	json_decref(j);
	if (!text)
		return rat_error__oom();
	error = rat_sha256__hex(text, strlen(text), out);
	free(text);
	return error;
}

int rat_embedded__exec(embedded *e, const char *sql)
{
	char *msg = NULL;
	if (sqlite3_exec(e->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int error = rat_error__set(RAT_EIO, RAT_ERRCLASS_CATALOG, "catalog %s: %s", e->path,
					   msg ? msg : sqlite3_errmsg(e->db));
		sqlite3_free(msg);
		return error;
	}
	return 0;
}

static int insert_commit(embedded *e, const char *hash, const char *parent, const char *merge_parent,
			 const char *tree, const char *author, const char *message, int64_t time_ms,
			 const char *props)
{
	sqlite3_stmt *st = NULL;
	int error = 0;

	if (sqlite3_prepare_v2(e->db,
			       "INSERT OR IGNORE INTO commits(hash, parent, merge_parent, tree, author,"
			       " message, time_ms, properties) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			       -1, &st, NULL) != SQLITE_OK) {
		return rat_embedded__db_error(e, "writing a commit");
	}
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, parent, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, merge_parent, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, tree, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, author, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, message, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, time_ms);
	sqlite3_bind_text(st, 8, props, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		error = rat_embedded__db_error(e, "writing a commit");
	sqlite3_finalize(st);
	return error;
}

/* One integer of a query without parameters (0 when it returns no row). */
static int query_int(embedded *e, const char *sql, int64_t *out)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*out = 0;
	if (sqlite3_prepare_v2(e->db, sql, -1, &st, NULL) != SQLITE_OK)
		return rat_embedded__db_error(e, "reading the schema");
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0
						       : rat_embedded__db_error(e, "reading the schema");
}

/*
 * Version 1 -> 2: every tree (a whole key map) becomes a root over leaves,
 * and the commits point at it. Commit hashes stay as they are: a commit is
 * named by the hash it got when it was made.
 */
static int migrate_trees(embedded *e)
{
	sqlite3_stmt *st = NULL, *update = NULL;
	rat_strarray old = RAT_STRARRAY_INIT;
	json_t *map = NULL;
	char root[RAT_HASH_LEN + 1], what[96];
	size_t i;
	int error = 0;

	if (sqlite3_prepare_v2(e->db, "SELECT hash FROM trees", -1, &st, NULL) != SQLITE_OK)
		return rat_embedded__db_error(e, "migrating trees");
	while (!error && sqlite3_step(st) == SQLITE_ROW)
		error = rat_strarray__push(&old, (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if (!error && sqlite3_prepare_v2(e->db, "UPDATE commits SET tree = ?1 WHERE tree = ?2",
					 -1, &update, NULL) != SQLITE_OK)
		error = rat_embedded__db_error(e, "migrating trees");
	for (i = 0; !error && i < old.count; i++) {
		snprintf(what, sizeof(what), "tree %.12s", old.strings[i]);
		if ((error = rat_embedded__tree_json(e, "trees", old.strings[i], what, &map)) != 0 ||
		    (error = rat_embedded__tree_put_map(e, map, root)) != 0)
			break;
		json_decref(map);
		map = NULL;
		sqlite3_reset(update);
		sqlite3_bind_text(update, 1, root, -1, SQLITE_STATIC);
		sqlite3_bind_text(update, 2, old.strings[i], -1, SQLITE_STATIC);
		if (sqlite3_step(update) != SQLITE_DONE) {
			error = rat_embedded__db_error(e, "migrating trees");
			break;
		}
		if (strcmp(root, old.strings[i]) != 0) {
			char sql[128];
			snprintf(sql, sizeof(sql), "DELETE FROM trees WHERE hash = '%s'", old.strings[i]);
			error = rat_embedded__exec(e, sql);
		}
	}
	json_decref(map);
	sqlite3_finalize(update);
	rat_strarray_free(&old);
	if (error)
		rat_error__prefix("catalog %s: migrating to schema version 2", e->path);
	return error;
}

/* The root commit and "main", in a new file. */
static int create_main(embedded *e)
{
	rat_tree_root *empty = rat__calloc(1, sizeof(*empty));
	json_t *props = json_object();
	char tree[RAT_HASH_LEN + 1], root[RAT_HASH_LEN + 1], sql[256];
	int error;

	if (!empty || !props)
		error = rat_error__oom();
	else if ((error = rat_embedded__tree_put_root(e, empty, tree)) == 0 &&
		 (error = commit_hash("", "", tree, "ratatouille", "root", 0, props, root)) == 0 &&
		 (error = insert_commit(e, root, "", "", tree, "ratatouille", "root", 0, "{}")) == 0) {
		snprintf(sql, sizeof(sql),
			 "INSERT OR IGNORE INTO refs(name, kind, hash) VALUES ('main', 0, '%s')", root);
		error = rat_embedded__exec(e, sql);
	}
	free(empty);
	json_decref(props);
	return error;
}

/*
 * Bring the file to SCHEMA_VERSION: a new file gets the schema, the root
 * commit and main; an older one is migrated, all in one transaction (a
 * process killed half-way leaves the file as it was); a newer one is refused.
 * A file already at the version is not written.
 */
static int initialise(embedded *e)
{
	int64_t version, had_trees;
	char sql[64];
	int error;

	if ((error = query_int(e, "PRAGMA user_version", &version)) != 0)
		return error;
	if (version == SCHEMA_VERSION)
		return 0;
	if ((error = rat_embedded__exec(e, "BEGIN IMMEDIATE")) != 0)
		return error;
	if ((error = query_int(e, "PRAGMA user_version", &version)) != 0 ||
	    (error = query_int(e, "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
				  "AND name = 'trees'", &had_trees)) != 0)
		goto rollback;
	if (version > SCHEMA_VERSION) {
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
				       "catalog %s has schema version %lld; this rat reads versions up "
				       "to %d: use the newer rat that wrote it",
				       e->path, (long long)version, SCHEMA_VERSION);
		goto rollback;
	}
	if ((error = rat_embedded__exec(e, schema_sql)) != 0 ||
	    (error = rat_embedded__identity_schema(e)) != 0)
		goto rollback;
	if (had_trees && version < 2 && (error = migrate_trees(e)) != 0)
		goto rollback;
	if (!had_trees && (error = create_main(e)) != 0)
		goto rollback;
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", SCHEMA_VERSION);
	if ((error = rat_embedded__exec(e, sql)) != 0 ||
	    (error = rat_embedded__exec(e, "COMMIT")) != 0)
		goto rollback;
	return 0;
rollback:
	sqlite3_exec(e->db, "ROLLBACK", NULL, NULL, NULL);
	return error;
}

int rat_embedded__prepare(embedded *e, const char *sql, const char *what, sqlite3_stmt **out)
{
	size_t i, free_slot = RAT_EMBEDDED_STATEMENTS;

	*out = NULL;
	for (i = 0; i < RAT_EMBEDDED_STATEMENTS; i++) {
		if (!e->statements[i].sql) {
			if (free_slot == RAT_EMBEDDED_STATEMENTS)
				free_slot = i;
		} else if (!e->statements[i].busy && strcmp(e->statements[i].sql, sql) == 0) {
			e->statements[i].busy = true;
			*out = e->statements[i].st;
			return 0;
		}
	}
	if (sqlite3_prepare_v3(e->db, sql, -1,
			       free_slot < RAT_EMBEDDED_STATEMENTS ? SQLITE_PREPARE_PERSISTENT : 0, out,
			       NULL) != SQLITE_OK)
		return rat_embedded__db_error(e, what);
	if (free_slot < RAT_EMBEDDED_STATEMENTS &&
	    (e->statements[free_slot].sql = rat__strdup(sql)) != NULL) {
		e->statements[free_slot].st = *out;
		e->statements[free_slot].busy = true;
	}
	return 0;
}

void rat_embedded__done(embedded *e, sqlite3_stmt *st)
{
	size_t i;

	if (!st)
		return;
	for (i = 0; i < RAT_EMBEDDED_STATEMENTS; i++)
		if (e->statements[i].st == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			e->statements[i].busy = false;
			return;
		}
	sqlite3_finalize(st);
}

/* One column of one row of a query with one text parameter; RAT_ENOTFOUND when no row. */
int rat_embedded__lookup(embedded *e, const char *sql, const char *arg, char *out, size_t outlen)
{
	sqlite3_stmt *st = NULL;
	int rc, error = 0;

	if ((error = rat_embedded__prepare(e, sql, "reading", &st)) != 0)
		return error;
	sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		snprintf(out, outlen, "%s", (const char *)sqlite3_column_text(st, 0));
	else if (rc == SQLITE_DONE)
		error = RAT_ENOTFOUND;
	else
		error = rat_embedded__db_error(e, "reading");
	rat_embedded__done(e, st);
	return error;
}

static bool looks_like_hash(const char *s)
{
	size_t n = strlen(s), i;

	if (n < 8 || n > RAT_HASH_LEN)
		return false;
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

static int e_resolve(void *impl, const char *ref, char hash[RAT_HASH_LEN + 1])
{
	embedded *e = impl;
	char pattern[RAT_HASH_LEN + 2];
	sqlite3_stmt *st = NULL;
	int error = rat_embedded__lookup(e, "SELECT hash FROM refs WHERE name = ?", ref, hash, RAT_HASH_LEN + 1);
	int rows = 0;

	if (error != RAT_ENOTFOUND)
		return error;
	if (!looks_like_hash(ref))
		return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_CATALOG,
				      "no branch, tag or commit named '%s'", ref);
	snprintf(pattern, sizeof(pattern), "%s%%", ref);
	if (sqlite3_prepare_v2(e->db, "SELECT hash FROM commits WHERE hash LIKE ? LIMIT 2", -1, &st,
			       NULL) != SQLITE_OK)
		return rat_embedded__db_error(e, "resolving");
	sqlite3_bind_text(st, 1, pattern, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(hash, RAT_HASH_LEN + 1, "%s", (const char *)sqlite3_column_text(st, 0));
		rows++;
	}
	sqlite3_finalize(st);
	if (rows == 1)
		return 0;
	return rat_error__set(rows ? RAT_EINVALID : RAT_ENOTFOUND, RAT_ERRCLASS_CATALOG,
			      rows ? "commit prefix '%s' is ambiguous" : "no branch, tag or commit named '%s'",
			      ref);
}

static int e_create_ref(void *impl, const char *name, rat_ref_kind kind, const char *hash,
			const char *owner)
{
	embedded *e = impl;
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(e->db, "INSERT INTO refs(name, kind, hash, owner) VALUES (?, ?, ?, ?)", -1, &st,
			       NULL) != SQLITE_OK)
		return rat_embedded__db_error(e, "creating a reference");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, (int)kind);
	sqlite3_bind_text(st, 3, hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, owner ? owner : "", -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_CONSTRAINT)
		return rat_error__set(RAT_EEXISTS, RAT_ERRCLASS_CATALOG, "reference '%s' already exists",
				      name);
	return rc == SQLITE_DONE ? 0 : rat_embedded__db_error(e, "creating a reference");
}

static int e_delete_ref(void *impl, const char *name, const char *expected_hash)
{
	embedded *e = impl;
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(e->db,
			       expected_hash ? "DELETE FROM refs WHERE name = ? AND hash = ?"
					     : "DELETE FROM refs WHERE name = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return rat_embedded__db_error(e, "deleting a reference");
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (expected_hash)
		sqlite3_bind_text(st, 2, expected_hash, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return rat_embedded__db_error(e, "deleting a reference");
	if (sqlite3_changes(e->db) == 0)
		return rat_error__set(expected_hash ? RAT_ECONFLICT : RAT_ENOTFOUND, RAT_ERRCLASS_CATALOG,
				      expected_hash ? "reference '%s' moved: not deleted"
						    : "no reference named '%s'",
				      name);
	return 0;
}

static int e_move_ref(void *impl, const char *name, const char *expected, const char *new_hash)
{
	embedded *e = impl;
	sqlite3_stmt *st = NULL;
	char head[RAT_HASH_LEN + 1] = "";
	int rc;

	if (sqlite3_prepare_v2(e->db, "UPDATE refs SET hash = ? WHERE name = ? AND kind = 0 AND hash = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return rat_embedded__db_error(e, "moving a branch");
	sqlite3_bind_text(st, 1, new_hash, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, expected, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return rat_embedded__db_error(e, "moving a branch");
	if (sqlite3_changes(e->db) == 1)
		return 0;
	/* only to name the head in the message: a failed read leaves "(gone)" */
	rat__ignore(rat_embedded__lookup(e, "SELECT hash FROM refs WHERE name = ?", name, head,
					 sizeof(head)));
	return rat_error__set(RAT_ECONFLICT, RAT_ERRCLASS_CATALOG,
			      "branch '%s' moved: expected %s, found %s", name, expected,
			      head[0] ? head : "(gone)");
}

static int e_list_refs(void *impl, rat_refs *out)
{
	embedded *e = impl;
	sqlite3_stmt *st = NULL;
	size_t capacity = 0;
	int error = 0;

	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(e->db, "SELECT name, kind, hash FROM refs ORDER BY name", -1, &st,
			       NULL) != SQLITE_OK)
		return rat_embedded__db_error(e, "listing references");
	while (!error && sqlite3_step(st) == SQLITE_ROW) {
		if ((error = rat__grow((void **)&out->items, &capacity, out->count, sizeof(rat_ref))) != 0)
			break;
		rat_ref *r = &out->items[out->count];
		if ((r->name = rat__strdup((const char *)sqlite3_column_text(st, 0))) == NULL) {
			error = RAT_ENOMEM;
			break;
		}
		r->kind = (rat_ref_kind)sqlite3_column_int(st, 1);
		snprintf(r->hash, sizeof(r->hash), "%s", (const char *)sqlite3_column_text(st, 2));
		out->count++;
	}
	sqlite3_finalize(st);
	if (error)
		rat_catalog__refs_free(out);
	return error;
}

/* The root node of commit's tree; the tree's hash into tree_hash. */
static int root_of(embedded *e, const char *commit, rat_tree_root *out,
		   char tree_hash[RAT_HASH_LEN + 1])
{
	int error = rat_embedded__lookup(e, "SELECT tree FROM commits WHERE hash = ?", commit,
					 tree_hash, RAT_HASH_LEN + 1);

	if (error == RAT_ENOTFOUND)
		return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_CATALOG, "no commit %s", commit);
	return error ? error : rat_embedded__tree_root(e, tree_hash, out);
}

/* Read commit hash's root node, then either its whole key map (key NULL) or one key's state. */
static int read_tree(embedded *e, const char *hash, const char *key, rat_contents_kind kind,
		     rat_contents *contents, rat_table_state *state)
{
	rat_tree_root *root = rat__calloc(1, sizeof(*root));
	char tree[RAT_HASH_LEN + 1];
	int error = root ? root_of(e, hash, root, tree) : RAT_ENOMEM;

	if (!error)
		error = key ? rat_embedded__tree_entry(e, root, key, state)
			    : rat_embedded__tree_contents(e, root, kind, contents);
	free(root);
	return error;
}

static int e_contents(void *impl, const char *hash, rat_contents_kind kind, rat_contents *out)
{
	memset(out, 0, sizeof(*out));
	return read_tree(impl, hash, NULL, kind, out, NULL);
}

static int e_entry(void *impl, const char *hash, const char *key, rat_table_state *out)
{
	memset(out, 0, sizeof(*out));
	return read_tree(impl, hash, key, RAT_CONTENTS_ALL, NULL, out);
}

static int e_commit(void *impl, const rat_commit_request *r, const char *merge_parent,
		    char out_hash[RAT_HASH_LEN + 1])
{
	embedded *e = impl;
	char head[RAT_HASH_LEN + 1], tree_hash[RAT_HASH_LEN + 1], kind[8];
	rat_tree_root *root = rat__calloc(1, sizeof(*root));
	json_t *props = r->properties ? json_incref(r->properties) : json_object();
	char *props_text = NULL;
	int64_t t = r->time_ms ? r->time_ms : rat_clock__real_ms();
	int error;

	if (!root || !props) {
		error = rat_error__oom();
		goto cleanup;
	}
	if ((error = rat_embedded__exec(e, "BEGIN IMMEDIATE")) != 0)
		goto cleanup;
	error = rat_embedded__lookup(e, "SELECT kind FROM refs WHERE name = ?", r->branch, kind, sizeof(kind));
	if (error == RAT_ENOTFOUND || (!error && strcmp(kind, "0") != 0)) {
		error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_CATALOG,
				       error ? "no branch named '%s'" : "'%s' is a tag: commits go to branches",
				       r->branch);
		goto rollback;
	}
	if (error || (error = rat_embedded__lookup(e, "SELECT hash FROM refs WHERE name = ?", r->branch, head,
				      sizeof(head))) != 0)
		goto rollback;
	if (r->expected_head && strcmp(r->expected_head, head) != 0) {
		error = rat_error__set(RAT_ECONFLICT, RAT_ERRCLASS_CATALOG,
				       "commit to branch '%s' refused: expected head %s but the branch "
				       "is at %s (another commit landed first; nothing was written)",
				       r->branch, r->expected_head, head);
		goto rollback;
	}
	if ((error = root_of(e, head, root, tree_hash)) != 0 || (error = rat_embedded__tree_apply(e, root, r)) != 0 ||
	    (error = rat_embedded__tree_put_root(e, root, tree_hash)) != 0)
		goto rollback;
	if ((props_text = json_dumps(props, JSON_SORT_KEYS | JSON_COMPACT)) == NULL) {
		error = rat_error__oom();
		goto rollback;
	}
	if ((error = commit_hash(head, merge_parent, tree_hash, r->author, r->message, t, props,
				 out_hash)) != 0 ||
	    (error = insert_commit(e, out_hash, head, merge_parent, tree_hash, r->author, r->message,
				   t, props_text)) != 0 ||
	    (error = e_move_ref(e, r->branch, head, out_hash)) != 0 ||
	    (error = rat_embedded__exec(e, "COMMIT")) != 0)
		goto rollback;
	goto cleanup;
rollback:
	sqlite3_exec(e->db, "ROLLBACK", NULL, NULL, NULL);
cleanup:
	free(root);
	json_decref(props);
	free(props_text);
	return error;
}

static int e_commit_info(void *impl, const char *hash, rat_commit_info *out)
{
	embedded *e = impl;
	sqlite3_stmt *st = NULL;
	json_error_t jerr;
	int error = 0;

	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(e->db, "SELECT hash, parent, merge_parent, author, message, time_ms, "
				      "properties FROM commits WHERE hash = ?",
			       -1, &st, NULL) != SQLITE_OK)
		return rat_embedded__db_error(e, "reading a commit");
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		snprintf(out->hash, sizeof(out->hash), "%s", (const char *)sqlite3_column_text(st, 0));
		snprintf(out->parent, sizeof(out->parent), "%s", (const char *)sqlite3_column_text(st, 1));
		snprintf(out->merge_parent, sizeof(out->merge_parent), "%s",
			 (const char *)sqlite3_column_text(st, 2));
		out->author = rat__strdup((const char *)sqlite3_column_text(st, 3));
		out->message = rat__strdup((const char *)sqlite3_column_text(st, 4));
		out->time_ms = sqlite3_column_int64(st, 5);
		out->properties = json_loads((const char *)sqlite3_column_text(st, 6), 0, &jerr);
		if (!out->author || !out->message || !out->properties)
			error = rat_error__oom();
	} else {
		error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_CATALOG, "no commit %s", hash);
	}
	sqlite3_finalize(st);
	if (error)
		rat_catalog__commit_info_clear(out);
	return error;
}

/* The commit whose request id is id (RAT_ENOTFOUND, said, when none is). */
static int e_find_request(void *impl, const char *id, char hash[RAT_HASH_LEN + 1])
{
	int error = rat_embedded__lookup(impl, "SELECT hash FROM commits WHERE " REQUEST_ID_SQL
					 " = ? LIMIT 1", id, hash, RAT_HASH_LEN + 1);

	if (error == RAT_ENOTFOUND)
		return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_CATALOG,
				      "no commit was made for request %s", id);
	return error;
}

/* Nearest common ancestor: the first commit reached from b that is an ancestor of a. */
int rat_embedded__merge_base(void *impl, const char *a, const char *b, char out[RAT_HASH_LEN + 1])
{
	static const char sql[] =
		"WITH RECURSIVE "
		" ua(h) AS (SELECT ?1 UNION SELECT p FROM ua JOIN (SELECT hash, parent AS p FROM commits"
		"   UNION ALL SELECT hash, merge_parent FROM commits) x ON x.hash = ua.h WHERE p <> ''),"
		" ub(h, d) AS (SELECT ?2, 0 UNION SELECT p, d + 1 FROM ub JOIN (SELECT hash, parent AS p"
		"   FROM commits UNION ALL SELECT hash, merge_parent FROM commits) x ON x.hash = ub.h"
		"   WHERE p <> '')"
		" SELECT ub.h FROM ub WHERE ub.h IN (SELECT h FROM ua) ORDER BY ub.d LIMIT 1";
	embedded *e = impl;
	sqlite3_stmt *st = NULL;
	int error = 0;

	out[0] = '\0';
	if (sqlite3_prepare_v2(e->db, sql, -1, &st, NULL) != SQLITE_OK)
		return rat_embedded__db_error(e, "finding a merge base");
	sqlite3_bind_text(st, 1, a, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, b, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(out, RAT_HASH_LEN + 1, "%s", (const char *)sqlite3_column_text(st, 0));
	else if (sqlite3_errcode(e->db) != SQLITE_DONE && sqlite3_errcode(e->db) != SQLITE_OK)
		error = rat_embedded__db_error(e, "finding a merge base");
	sqlite3_finalize(st);
	return error;
}

static void e_free(void *impl)
{
	embedded *e = impl;
	size_t i;

	if (!e)
		return;
	for (i = 0; i < RAT_EMBEDDED_STATEMENTS; i++) {
		sqlite3_finalize(e->statements[i].st);
		free(e->statements[i].sql);
	}
	for (i = 0; i < RAT_EMBEDDED_NODES; i++)
		json_decref(e->nodes[i].json);
	sqlite3_close(e->db);
	free(e->path);
	free(e);
}

static const rat_catalog_backend embedded_backend = {
	false, e_resolve, e_create_ref, e_delete_ref, e_move_ref, e_list_refs, e_contents, e_entry,
	e_commit, e_commit_info, e_find_request, rat_embedded__merge_base, rat_embedded__ref_owner,
	rat_embedded__claim, rat_embedded__granted, rat_embedded__readable_commit,
	rat_embedded__branch_claimed, NULL, e_free,
};

int rat_catalog__schema_version(void)
{
	return SCHEMA_VERSION;
}

int rat_catalog__open_embedded(rat_catalog **out, const char *path)
{
	embedded *e = NULL;
	int error;

	*out = NULL;
	if ((e = rat__calloc(1, sizeof(*e))) == NULL || (e->path = rat__strdup(path)) == NULL) {
		error = RAT_ENOMEM;
		goto fail;
	}
	if (sqlite3_open_v2(path, &e->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
						  SQLITE_OPEN_FULLMUTEX,
			    NULL) != SQLITE_OK) {
		error = rat_error__set(RAT_EIO, RAT_ERRCLASS_CATALOG, "cannot open catalog %s: %s", path,
				       e->db ? sqlite3_errmsg(e->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(e->db, 30000);
	if ((error = rat_embedded__exec(e, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
			     "PRAGMA foreign_keys=ON")) != 0 ||
	    (error = initialise(e)) != 0)
		goto fail;
	return rat_catalog__new(out, &embedded_backend, e);
fail:
	e_free(e);
	return error;
}
