/*
 * catalog/identity.c - the workspaces' identities and the refs' owners in the
 * embedded catalog (docs/security.md, "Identity and refs").
 *
 *   workspaces(name, branch, branch_is_prefix, prefix, folder)
 *   refs.owner   the workspace a ref belongs to ("": main, or a ref made
 *                before refs had owners and given to no workspace yet)
 *
 * A workspace claims its identity when it opens the catalog (rat init, and
 * every later use): its name, its branch (or, for git:<prefix>, every branch
 * under the prefix), its storage prefix and its folder. A claim that collides
 * with another workspace's is refused; so is one that differs from the
 * workspace's own record, unless it is a move (`rat workspace move`).
 *
 * Refs older than owners are given to a workspace in the claim's transaction:
 * its branch, and each dev/, run/ branch or tag whose history forks from the
 * workspace's branch strictly later than from any other branch (main
 * included). dev/NAME becomes dev/<workspace>/NAME, run/ID run/<workspace>/ID.
 * A ref that cannot be told apart stays the operator's.
 */
#include "util/common.h"
#include "catalog/embedded.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_LEN 256

typedef struct record {
	char name[NAME_MAX_LEN], branch[NAME_MAX_LEN], prefix[NAME_MAX_LEN], folder[4096];
	char former[4096]; /* prefixes it moved from, one a line: still its own */
	bool branch_is_prefix;
} record;

/* A branch claim, as a message shows it. */
#define CLAIM_FMT "%s%s%s"
#define CLAIM_ARGS(prefix, b) (prefix) ? "every branch under '" : "branch '", (b), "'"

int rat_embedded__identity_schema(rat_embedded *e)
{
	char found[8];
	int error = rat_embedded__lookup(e, "SELECT 1 FROM pragma_table_info('refs') WHERE name = ?",
					 "owner", found, sizeof(found));

	if (error == RAT_ENOTFOUND)
		error = rat_embedded__exec(e, "ALTER TABLE refs ADD COLUMN owner TEXT NOT NULL DEFAULT ''");
	if (error)
		return error;
	return rat_embedded__exec(e, "CREATE TABLE IF NOT EXISTS workspaces (name TEXT PRIMARY KEY,"
				     " branch TEXT NOT NULL, branch_is_prefix INTEGER NOT NULL,"
				     " prefix TEXT NOT NULL, folder TEXT NOT NULL,"
				     " former TEXT NOT NULL DEFAULT '')");
}

int rat_embedded__ref_owner(void *impl, const char *name, char *owner, size_t len)
{
	int error = rat_embedded__lookup(impl, "SELECT owner FROM refs WHERE name = ?", name, owner,
					 len);

	if (error == RAT_ENOTFOUND)
		return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_CATALOG,
				      "no branch or tag named '%s'", name);
	return error;
}

int rat_embedded__granted(void *impl, const char *owner, const char *reader, bool *out)
{
	static const char sql[] =
		"SELECT 1 FROM product_access WHERE owner = ?1 AND (pattern = '*' OR pattern = ?2"
		" OR (substr(pattern, -1) = '*' AND substr(?2, 1, length(pattern) - 1) ="
		" substr(pattern, 1, length(pattern) - 1))) LIMIT 1";
	rat_embedded *e = impl;
	sqlite3_stmt *st = NULL;
	char table[8];
	int rc, error;

	*out = false;
	error = rat_embedded__lookup(e, "SELECT 1 FROM sqlite_master WHERE name = ?",
				     "product_access", table, sizeof(table));
	if (error == RAT_ENOTFOUND) /* no product was ever published: nothing granted */
		return 0;
	if (error)
		return error;
	if (sqlite3_prepare_v2(e->db, sql, -1, &st, NULL) != SQLITE_OK)
		return rat_embedded__db_error(e, "reading access rules");
	sqlite3_bind_text(st, 1, owner, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, reader, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW;
	error = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0
						     : rat_embedded__db_error(e, "reading access rules");
	sqlite3_finalize(st);
	return error;
}

/* Does branch fall under the claim (b, is_prefix)? */
static bool claims(const char *b, bool is_prefix, const char *branch)
{
	return is_prefix ? rat__str_has_prefix(branch, b) : strcmp(branch, b) == 0;
}

int rat_embedded__branch_claimed(void *impl, const char *branch, const char *name, char *who,
				 size_t len)
{
	rat_embedded *e = impl;
	sqlite3_stmt *st = NULL;
	int error = 0;

	who[0] = '\0';
	if (sqlite3_prepare_v2(e->db, "SELECT name, branch, branch_is_prefix FROM workspaces", -1,
			       &st, NULL) != SQLITE_OK)
		return rat_embedded__db_error(e, "reading workspaces");
	while (!who[0] && sqlite3_step(st) == SQLITE_ROW) {
		const char *n = (const char *)sqlite3_column_text(st, 0);
		if (strcmp(n, name ? name : "") != 0 &&
		    claims((const char *)sqlite3_column_text(st, 1), sqlite3_column_int(st, 2), branch))
			snprintf(who, len, "%s", n);
	}
	if (sqlite3_errcode(e->db) != SQLITE_DONE && sqlite3_errcode(e->db) != SQLITE_ROW &&
	    sqlite3_errcode(e->db) != SQLITE_OK)
		error = rat_embedded__db_error(e, "reading workspaces");
	sqlite3_finalize(st);
	return error;
}

/* Do two storage prefixes overlap (one is the other, or inside it)? */
static bool prefixes_overlap(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	size_t n = na < nb ? na : nb;

	return strncmp(a, b, n) == 0 && (na == nb || (na > nb ? a[n] : b[n]) == '/');
}

static bool branches_overlap(const rat_identity *id, const record *r)
{
	if (id->branch_is_prefix && r->branch_is_prefix)
		return rat__str_has_prefix(id->branch_claim, r->branch) ||
		       rat__str_has_prefix(r->branch, id->branch_claim);
	if (id->branch_is_prefix)
		return rat__str_has_prefix(r->branch, id->branch_claim);
	return claims(r->branch, r->branch_is_prefix, id->branch_claim);
}

/* A prefix of r's, now or before a move, that overlaps prefix; NULL if none. */
static const char *overlapping(const record *r, const char *prefix, char *buf, size_t len)
{
	const char *p = r->former, *end;

	if (prefixes_overlap(prefix, r->prefix))
		return r->prefix;
	for (; *p; p = *end ? end + 1 : end) {
		end = strchr(p, '\n');
		if (!end)
			end = p + strlen(p);
		snprintf(buf, len, "%.*s", (int)(end - p), p);
		if (buf[0] && prefixes_overlap(prefix, buf))
			return buf;
	}
	return NULL;
}

/* A second workspace's claim that collides with record r. */
static int check_other(const rat_identity *id, const record *r)
{
	char buf[NAME_MAX_LEN];
	const char *theirs = overlapping(r, id->prefix, buf, sizeof(buf));

	if (id->folder[0] && r->folder[0] && strcmp(id->folder, r->folder) == 0)
		return rat_error__set(RAT_EEXISTS, RAT_ERRCLASS_CATALOG,
				      "workspace '%s' claims the folder %s, which the catalog records "
				      "for workspace '%s' (a workspace is renamed with `rat workspace "
				      "rename`, not by editing its name)",
				      id->name, id->folder, r->name);
	if (theirs)
		return rat_error__set(RAT_EEXISTS, RAT_ERRCLASS_CATALOG,
				      "workspace '%s' claims storage prefix '%s', which overlaps "
				      "storage prefix '%s' of workspace '%s' (prefixes may not be equal "
				      "or nested)",
				      id->name, id->prefix, theirs, r->name);
	if (branches_overlap(id, r))
		return rat_error__set(RAT_EEXISTS, RAT_ERRCLASS_CATALOG,
				      "workspace '%s' claims " CLAIM_FMT ", which overlaps " CLAIM_FMT
				      " of workspace '%s'",
				      id->name, CLAIM_ARGS(id->branch_is_prefix, id->branch_claim),
				      CLAIM_ARGS(r->branch_is_prefix, r->branch), r->name);
	return 0;
}

/* The workspace's own record, against what it claims now (a move changes it). */
static int check_own(const rat_identity *id, const record *r)
{
	const char *what = NULL, *now = NULL, *was = NULL;

	if (id->folder[0] && r->folder[0] && strcmp(id->folder, r->folder) != 0)
		what = "is in the folder", now = id->folder, was = r->folder;
	else if (strcmp(id->prefix, r->prefix) != 0)
		what = "has storage prefix", now = id->prefix, was = r->prefix;
	else if (strcmp(id->branch_claim, r->branch) != 0 || id->branch_is_prefix != r->branch_is_prefix)
		what = "has the branch (isolation.nessie_branch)", now = id->branch_claim,
		was = r->branch;
	if (!what)
		return 0;
	return rat_error__set(RAT_EEXISTS, RAT_ERRCLASS_CATALOG,
			      "workspace '%s' %s %s, but the catalog records %s for workspace "
			      "'%s': another workspace cannot take its name, and a workspace that "
			      "moved records its new place with `rat workspace move -w %s`",
			      id->name, what, now, was, r->name, id->name);
}

static void read_record(sqlite3_stmt *st, record *r)
{
	snprintf(r->name, sizeof(r->name), "%s", (const char *)sqlite3_column_text(st, 0));
	snprintf(r->branch, sizeof(r->branch), "%s", (const char *)sqlite3_column_text(st, 1));
	r->branch_is_prefix = sqlite3_column_int(st, 2) != 0;
	snprintf(r->prefix, sizeof(r->prefix), "%s", (const char *)sqlite3_column_text(st, 3));
	snprintf(r->folder, sizeof(r->folder), "%s", (const char *)sqlite3_column_text(st, 4));
	snprintf(r->former, sizeof(r->former), "%s", (const char *)sqlite3_column_text(st, 5));
}

/* Every record against id; the workspace's own into own (own->name "" when none). */
static int check_records(rat_embedded *e, const rat_identity *id, bool move, record *own)
{
	sqlite3_stmt *st = NULL;
	record r;
	int rc, error = 0;

	own->name[0] = '\0';
	if (sqlite3_prepare_v2(e->db, "SELECT name, branch, branch_is_prefix, prefix, folder, former "
				      "FROM workspaces ORDER BY name",
			       -1, &st, NULL) != SQLITE_OK)
		return rat_embedded__db_error(e, "reading workspaces");
	while (!error && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_record(st, &r);
		if (strcmp(r.name, id->name) != 0)
			error = check_other(id, &r);
		else if (!move)
			error = check_own(id, &r);
		if (!error && strcmp(r.name, id->name) == 0)
			*own = r;
	}
	if (!error && rc != SQLITE_DONE)
		error = rat_embedded__db_error(e, "reading workspaces");
	sqlite3_finalize(st);
	return error;
}

/* Run one statement with text parameters. */
static int run(rat_embedded *e, const char *sql, const char *const *params, size_t n,
	       const char *what)
{
	sqlite3_stmt *st = NULL;
	size_t i;
	int error = 0;

	if (sqlite3_prepare_v2(e->db, sql, -1, &st, NULL) != SQLITE_OK)
		return rat_embedded__db_error(e, what);
	for (i = 0; i < n; i++)
		sqlite3_bind_text(st, (int)i + 1, params[i], -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		error = rat_embedded__db_error(e, what);
	sqlite3_finalize(st);
	return error;
}

/* A ref under the claim that another workspace made: the claim takes nothing of another's. */
static int check_refs(rat_embedded *e, const rat_identity *id)
{
	sqlite3_stmt *st = NULL;
	int rc, error = 0;

	if (sqlite3_prepare_v2(e->db, "SELECT name, owner FROM refs WHERE owner NOT IN ('', ?1) "
				      "ORDER BY name",
			       -1, &st, NULL) != SQLITE_OK)
		return rat_embedded__db_error(e, "reading refs");
	sqlite3_bind_text(st, 1, id->name, -1, SQLITE_STATIC);
	while (!error && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *ref = (const char *)sqlite3_column_text(st, 0);
		if (claims(id->branch_claim, id->branch_is_prefix, ref))
			error = rat_error__set(RAT_EEXISTS, RAT_ERRCLASS_CATALOG,
					       "workspace '%s' claims " CLAIM_FMT ", but the branch "
					       "'%s' there belongs to workspace '%s'",
					       id->name, CLAIM_ARGS(id->branch_is_prefix, id->branch_claim),
					       ref, (const char *)sqlite3_column_text(st, 1));
	}
	if (!error && rc != SQLITE_DONE)
		error = rat_embedded__db_error(e, "reading refs");
	sqlite3_finalize(st);
	return error;
}

/* The prefixes a workspace moved from, with the one it leaves now. */
static void former_prefixes(char *out, size_t len, const rat_identity *id, const record *own)
{
	record before = *own;
	char buf[NAME_MAX_LEN];
	size_t used;

	snprintf(out, len, "%s", own->former);
	if (!own->name[0] || strcmp(own->prefix, id->prefix) == 0)
		return;
	before.prefix[0] = '\0'; /* is the prefix it leaves among the former ones already? */
	if (overlapping(&before, own->prefix, buf, sizeof(buf)) && strcmp(buf, own->prefix) == 0)
		return;
	used = strlen(out);
	snprintf(out + used, len - used, "%s%s", used ? "\n" : "", own->prefix);
}

/* The record written, and the unowned branches under the claim given to the workspace. */
static int record_claim(rat_embedded *e, const rat_identity *id, const record *own)
{
	char former[sizeof(own->former)];
	const char *p[] = { id->name, id->branch_claim, id->branch_is_prefix ? "1" : "0",
			    id->prefix, id->folder, former };
	sqlite3_stmt *st = NULL;
	rat_strarray names = RAT_STRARRAY_INIT;
	size_t i;
	int error;

	former_prefixes(former, sizeof(former), id, own);
	/* what is recorded already is not written again: a command's usual opening writes nothing */
	if ((!own->name[0] || check_own(id, own) != 0 || strcmp(former, own->former) != 0) &&
	    (error = run(e, "INSERT OR REPLACE INTO workspaces(name, branch, branch_is_prefix, prefix, "
			    "folder, former) VALUES (?1, ?2, CAST(?3 AS INTEGER), ?4, ?5, ?6)",
			 p, 6, "recording a workspace")) != 0)
		return error;
	rat_error_clear(); /* check_own's difference was the move being recorded */
	if (sqlite3_prepare_v2(e->db, "SELECT name FROM refs WHERE owner = '' AND kind = 0 AND "
				      "name <> 'main'",
			       -1, &st, NULL) != SQLITE_OK)
		return rat_embedded__db_error(e, "reading refs");
	while (!error && sqlite3_step(st) == SQLITE_ROW) {
		const char *ref = (const char *)sqlite3_column_text(st, 0);
		if (claims(id->branch_claim, id->branch_is_prefix, ref))
			error = rat_strarray__push(&names, ref);
	}
	sqlite3_finalize(st);
	for (i = 0; !error && i < names.count; i++) {
		const char *q[] = { id->name, names.strings[i] };
		error = run(e, "UPDATE refs SET owner = ?1 WHERE name = ?2", q, 2, "giving a ref");
	}
	rat_strarray_free(&names);
	return error;
}

/* Is commit a an ancestor of (or equal to) b? */
static int is_ancestor(rat_embedded *e, const char *a, const char *b, bool *out)
{
	char base[RAT_HASH_LEN + 1];
	int error = rat_embedded__merge_base(e, a, b, base);

	*out = !error && strcmp(base, a) == 0;
	return error;
}

/*
 * Whether the legacy ref at head forks from the workspace's branch (at
 * own) strictly later than from every other branch in others (heads).
 */
static int forks_from(rat_embedded *e, const char *head, const char *own,
		      const rat_strarray *others, bool *out)
{
	char mine[RAT_HASH_LEN + 1], theirs[RAT_HASH_LEN + 1];
	size_t i;
	bool older;
	int error;

	*out = false;
	if ((error = rat_embedded__merge_base(e, head, own, mine)) != 0 || !mine[0])
		return error;
	for (i = 0; i < others->count; i++) {
		if ((error = rat_embedded__merge_base(e, head, others->strings[i], theirs)) != 0)
			return error;
		if (!theirs[0])
			continue;
		if (strcmp(theirs, mine) == 0)
			return 0; /* as close to another branch: cannot be told apart */
		if ((error = is_ancestor(e, theirs, mine, &older)) != 0 || !older)
			return error;
	}
	*out = true;
	return 0;
}

/* The legacy refs (unowned dev/, run/ branches and tags) and the heads of the other branches. */
static int legacy_refs(rat_embedded *e, const char *own_branch, rat_strarray *legacy,
		       rat_strarray *heads, rat_strarray *others)
{
	sqlite3_stmt *st = NULL;
	int error = 0;

	if (sqlite3_prepare_v2(e->db, "SELECT name, kind, hash, owner FROM refs ORDER BY name", -1,
			       &st, NULL) != SQLITE_OK)
		return rat_embedded__db_error(e, "reading refs");
	while (!error && sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *hash = (const char *)sqlite3_column_text(st, 2);
		bool tag = sqlite3_column_int(st, 1) != 0, unowned = !*sqlite3_column_text(st, 3);
		bool dev_or_run = rat__str_has_prefix(name, "dev/") || rat__str_has_prefix(name, "run/");
		if (unowned && strcmp(name, "main") != 0 && (tag || dev_or_run)) {
			if ((error = rat_strarray__push(legacy, name)) == 0)
				error = rat_strarray__push(heads, hash);
		} else if (!tag && !dev_or_run && strcmp(name, own_branch) != 0) {
			error = rat_strarray__push(others, hash);
		}
	}
	sqlite3_finalize(st);
	return error;
}

/* dev/NAME -> dev/<workspace>/NAME, run/ID -> run/<workspace>/ID; a tag keeps its name. */
static int give_ref(rat_embedded *e, const char *name, const char *workspace)
{
	char renamed[NAME_MAX_LEN * 2], taken[8];
	const char *p[] = { renamed, workspace, name };
	int error;

	if (rat__str_has_prefix(name, "dev/") || rat__str_has_prefix(name, "run/"))
		snprintf(renamed, sizeof(renamed), "%.4s%s/%s", name, workspace, name + 4);
	else
		snprintf(renamed, sizeof(renamed), "%s", name);
	error = strcmp(renamed, name) == 0
			? RAT_ENOTFOUND
			: rat_embedded__lookup(e, "SELECT 1 FROM refs WHERE name = ?", renamed, taken,
					       sizeof(taken));
	if (error != RAT_ENOTFOUND) /* the new name is taken: the ref stays the operator's */
		return error;
	rat_error_clear();
	return run(e, "UPDATE refs SET name = ?1, owner = ?2 WHERE name = ?3", p, 3, "giving a ref");
}

static int migrate(rat_embedded *e, const rat_identity *id)
{
	rat_strarray legacy = RAT_STRARRAY_INIT, heads = RAT_STRARRAY_INIT, others = RAT_STRARRAY_INIT;
	char own[RAT_HASH_LEN + 1];
	size_t i;
	bool ours;
	int error = rat_embedded__lookup(e, "SELECT hash FROM refs WHERE name = ?", id->branch, own,
					 sizeof(own));

	if (error == RAT_ENOTFOUND) { /* no branch yet: nothing forks from it */
		rat_error_clear();
		return 0;
	}
	if (!error)
		error = legacy_refs(e, id->branch, &legacy, &heads, &others);
	for (i = 0; !error && i < legacy.count; i++)
		if ((error = forks_from(e, heads.strings[i], own, &others, &ours)) == 0 && ours)
			error = give_ref(e, legacy.strings[i], id->name);
	rat_strarray_free(&legacy);
	rat_strarray_free(&heads);
	rat_strarray_free(&others);
	return error;
}

int rat_embedded__claim(void *impl, const rat_identity *id, bool move)
{
	rat_embedded *e = impl;
	record own;
	int error;

	if ((error = rat_embedded__exec(e, "BEGIN IMMEDIATE")) != 0)
		return error;
	if ((error = check_records(e, id, move, &own)) != 0 || (error = check_refs(e, id)) != 0 ||
	    (error = record_claim(e, id, &own)) != 0 || (error = migrate(e, id)) != 0 ||
	    (error = rat_embedded__exec(e, "COMMIT")) != 0) {
		rat_error_saved saved;
		rat_error__save(&saved);
		rat__ignore(rat_embedded__exec(e, "ROLLBACK")); /* the error that matters is kept */
		rat_error__restore(&saved);
	}
	return error;
}

/* Is commit reachable from head (following every parent)? */
static int reachable(rat_embedded *e, const char *commit, const char *head, bool *out)
{
	static const char sql[] =
		"WITH RECURSIVE anc(h) AS (SELECT ?1 UNION SELECT p FROM anc JOIN (SELECT hash, parent"
		" AS p FROM commits UNION ALL SELECT hash, merge_parent FROM commits) x ON x.hash ="
		" anc.h WHERE p <> '') SELECT 1 FROM anc WHERE h = ?2 LIMIT 1";
	sqlite3_stmt *st = NULL;
	int rc;

	*out = false;
	if (sqlite3_prepare_v2(e->db, sql, -1, &st, NULL) != SQLITE_OK)
		return rat_embedded__db_error(e, "reading history");
	sqlite3_bind_text(st, 1, head, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, commit, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : rat_embedded__db_error(e, "reading history");
}

int rat_embedded__readable_commit(void *impl, const char *commit, const char *workspace,
				  bool *out)
{
	rat_embedded *e = impl;
	sqlite3_stmt *st = NULL;
	int error = 0;

	*out = false;
	/* its own refs first, then main: where a commit it names is most likely found */
	if (sqlite3_prepare_v2(e->db, "SELECT name, hash, owner FROM refs ORDER BY owner = ?1 DESC,"
				      " name = 'main' DESC",
			       -1, &st, NULL) != SQLITE_OK)
		return rat_embedded__db_error(e, "reading refs");
	sqlite3_bind_text(st, 1, workspace, -1, SQLITE_STATIC);
	while (!error && !*out && sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		const char *head = (const char *)sqlite3_column_text(st, 1);
		const char *owner = (const char *)sqlite3_column_text(st, 2);
		bool readable = strcmp(owner, workspace) == 0 || strcmp(name, "main") == 0;
		if (!readable && owner[0])
			error = rat_embedded__granted(e, owner, workspace, &readable);
		if (!error && readable)
			error = reachable(e, commit, head, out);
	}
	sqlite3_finalize(st);
	return error;
}
