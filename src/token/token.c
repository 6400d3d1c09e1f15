/*
 * token/token.c - the tokens of a RAT_HOME (rat/token.h): made, listed,
 * revoked and checked, in RAT_HOME/tokens.db.
 *
 *   tokens(id, workspace, read_only, digest, note, created_ms, revoked_ms)
 *
 * digest is the SHA-256 (hex) of the token's secret part: the secret has 256
 * random bits, so a plain hash is as good as a slow one and keeps a check
 * cheap on every request. The file is created with mode 0600 (SQLite gives
 * its WAL the same), in WAL mode: a server checks tokens while the operator
 * makes or revokes them. With NESSIE_URI, the server makes, lists and
 * revokes them (token_remote.c).
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/hex.h"
#include "util/random.h"
#include "util/sha256.h"
#include "util/sqlite.h"
#include "rat/token.h"
#include "token/token.h"
#include "workspace/workspace.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SECRET_LEN 64 /* hex digits: 32 random bytes */

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS tokens (id TEXT PRIMARY KEY, workspace TEXT NOT NULL,"
	" read_only INTEGER NOT NULL, digest TEXT NOT NULL, note TEXT NOT NULL,"
	" created_ms INTEGER NOT NULL, revoked_ms INTEGER NOT NULL DEFAULT 0);"
	"PRAGMA user_version = 1;";

static int db_error(sqlite3 *db, const char *path, const char *what)
{
	return rat_sqlite__error(db, "tokens", path, what);
}

/*
 * The tokens file of ws's RAT_HOME, open; with create, made (mode 0600) when
 * missing. Without create, *db is NULL when there is no file (no tokens).
 */
static int open_tokens(sqlite3 **db, char **path, const rat_workspace *ws, bool create)
{
	*db = NULL;
	if ((*path = rat_fs__join(rat_workspace_home(ws), "tokens.db")) == NULL)
		return RAT_ENOMEM;
	return rat_sqlite__open_private(db, *path, "tokens", schema, create);
}

static bool all_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return s[n] == '\0' || s[n] == '_';
}

/* Split "rat_<workspace>_<id>_<secret>": pointers into token, the workspace's length. */
static bool parse(const char *token, const char **workspace, size_t *workspace_len,
		  const char **id, const char **secret)
{
	size_t n = token ? strlen(token) : 0;
	size_t tail = 1 + RAT_TOKEN_ID_LEN + 1 + SECRET_LEN;

	if (n >= RAT_TOKEN_MAX || n < 4 + 1 + tail || strncmp(token, "rat_", 4) != 0)
		return false;
	*workspace = token + 4;
	*workspace_len = n - 4 - tail;
	*id = token + n - tail + 1;
	*secret = *id + RAT_TOKEN_ID_LEN + 1;
	return (*id)[-1] == '_' && (*secret)[-1] == '_' && all_hex(*id, RAT_TOKEN_ID_LEN) &&
	       all_hex(*secret, SECRET_LEN);
}

int rat_token_workspace(const char *token, char *name, size_t len)
{
	const char *workspace, *id, *secret;
	size_t n;

	if (!parse(token, &workspace, &n, &id, &secret) || n + 1 > len)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "not a token (rat_<workspace>_<id>_<secret>)");
	memcpy(name, workspace, n);
	name[n] = '\0';
	return 0;
}

/* The SHA-256 (hex) of a token's secret part. */
static int digest_of(const char *secret, char out[65])
{
	return rat_sha256__hex(secret, SECRET_LEN, out);
}

int rat_token_create(char token[RAT_TOKEN_MAX], const rat_workspace *ws, int read_only,
		     const char *note)
{
	unsigned char bytes[32 + RAT_TOKEN_ID_LEN / 2];
	char *hex = NULL, *path = NULL, digest[65];
	const char *name = rat_workspace_name(ws);
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int error;

	token[0] = '\0';
	if (rat_workspace__remote_uri(ws))
		return rat_token__remote_create(token, ws, read_only, note);
	if (strlen(name) + 4 + 2 + RAT_TOKEN_ID_LEN + SECRET_LEN >= RAT_TOKEN_MAX)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "workspace name '%.64s...' is too long for a token", name);
	if ((error = rat_random__bytes(bytes, sizeof(bytes))) != 0)
		return error;
	if ((hex = rat_hex__encode(bytes, sizeof(bytes))) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	/* hex: the id (24 digits), then the secret (64) */
	snprintf(token, RAT_TOKEN_MAX, "rat_%s_%.*s_%s", name, RAT_TOKEN_ID_LEN, hex,
		 hex + RAT_TOKEN_ID_LEN);
	if ((error = digest_of(hex + RAT_TOKEN_ID_LEN, digest)) != 0 ||
	    (error = open_tokens(&db, &path, ws, true)) != 0)
		goto cleanup;
	if (sqlite3_prepare_v2(db, "INSERT INTO tokens(id, workspace, read_only, digest, note,"
				   " created_ms) VALUES (?, ?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK) {
		error = db_error(db, path, "cannot record the token");
		goto cleanup;
	}
	hex[RAT_TOKEN_ID_LEN] = '\0';
	sqlite3_bind_text(st, 1, hex, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, read_only ? 1 : 0);
	sqlite3_bind_text(st, 4, digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, note ? note : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, rat_workspace_now_ms(ws));
	if (sqlite3_step(st) != SQLITE_DONE)
		error = db_error(db, path, "cannot record the token");
cleanup:
	sqlite3_finalize(st);
	sqlite3_close(db);
	if (hex) /* the id was cut off with a NUL: the secret after it too */
		rat__wipe(hex, 2 * sizeof(bytes));
	rat__wipe(bytes, sizeof(bytes));
	free(hex);
	free(path);
	if (error) {
		rat__wipe(token, RAT_TOKEN_MAX);
		token[0] = '\0';
	}
	return error;
}

int rat_token_list_get(rat_token_list *out, const rat_workspace *ws, int every_workspace)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char *path = NULL;
	size_t capacity = 0;
	int error, rc;

	memset(out, 0, sizeof(*out));
	if (rat_workspace__remote_uri(ws) && every_workspace)
		return rat_workspace__local_only(ws, "listing every workspace's tokens");
	if (rat_workspace__remote_uri(ws))
		return rat_token__remote_list(out, ws);
	if ((error = open_tokens(&db, &path, ws, false)) != 0 || !db)
		goto cleanup;
	if (sqlite3_prepare_v2(db, every_workspace
				   ? "SELECT id, workspace, note, read_only, created_ms, revoked_ms "
				     "FROM tokens ORDER BY created_ms, id"
				   : "SELECT id, workspace, note, read_only, created_ms, revoked_ms "
				     "FROM tokens WHERE workspace = ?1 ORDER BY created_ms, id",
			       -1, &st, NULL) != SQLITE_OK) {
		error = db_error(db, path, "cannot list");
		goto cleanup;
	}
	if (!every_workspace)
		sqlite3_bind_text(st, 1, rat_workspace_name(ws), -1, SQLITE_STATIC);
	while (!error && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		rat_token_info *t;
		if ((error = rat__grow((void **)&out->items, &capacity, out->count,
				       sizeof(*out->items))) != 0)
			break;
		t = &out->items[out->count++];
		memset(t, 0, sizeof(*t));
		t->id = rat__strdup((const char *)sqlite3_column_text(st, 0));
		t->workspace = rat__strdup((const char *)sqlite3_column_text(st, 1));
		t->note = rat__strdup((const char *)sqlite3_column_text(st, 2));
		t->read_only = sqlite3_column_int(st, 3);
		t->created_ms = sqlite3_column_int64(st, 4);
		t->revoked_ms = sqlite3_column_int64(st, 5);
		if (!t->id || !t->workspace || !t->note)
			error = RAT_ENOMEM;
	}
	if (!error && rc != SQLITE_DONE)
		error = db_error(db, path, "cannot list");
cleanup:
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(path);
	if (error)
		rat_token_list_free(out);
	return error;
}

void rat_token_list_free(rat_token_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->count; i++) {
		free((char *)list->items[i].id);
		free((char *)list->items[i].workspace);
		free((char *)list->items[i].note);
	}
	free(list->items);
	memset(list, 0, sizeof(*list));
}

int rat_token_revoke(const rat_workspace *ws, const char *id)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char *path = NULL;
	int error;

	if (!id || strlen(id) != RAT_TOKEN_ID_LEN || !all_hex(id, RAT_TOKEN_ID_LEN))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "'%.64s' is not a token id (%d hex digits, as `rat token list` "
				      "shows)", id ? id : "", RAT_TOKEN_ID_LEN);
	if (rat_workspace__remote_uri(ws))
		return rat_token__remote_revoke(ws, id);
	if ((error = open_tokens(&db, &path, ws, false)) != 0)
		goto cleanup;
	if (!db) {
		error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_INVALID, "no token %s", id);
		goto cleanup;
	}
	if (sqlite3_prepare_v2(db, "UPDATE tokens SET revoked_ms = ?2 WHERE id = ?1 AND "
				   "revoked_ms = 0", -1, &st, NULL) != SQLITE_OK) {
		error = db_error(db, path, "cannot revoke");
		goto cleanup;
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, rat_workspace_now_ms(ws) > 0 ? rat_workspace_now_ms(ws) : 1);
	if (sqlite3_step(st) != SQLITE_DONE) {
		error = db_error(db, path, "cannot revoke");
		goto cleanup;
	}
	if (sqlite3_changes(db) == 0) {
		char found[8];
		sqlite3_finalize(st);
		st = NULL;
		found[0] = '\0';
		if (sqlite3_prepare_v2(db, "SELECT 1 FROM tokens WHERE id = ?", -1, &st, NULL) ==
			    SQLITE_OK &&
		    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC) == SQLITE_OK &&
		    sqlite3_step(st) == SQLITE_ROW)
			snprintf(found, sizeof(found), "1");
		error = found[0] ? rat_error__set(RAT_EEXISTS, RAT_ERRCLASS_INVALID,
						  "token %s is revoked already", id)
				 : rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_INVALID,
						  "no token %s", id);
	}
cleanup:
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(path);
	return error;
}

int rat_token_check(const rat_workspace *ws, const char *token, int *read_only)
{
	const char *workspace, *id, *secret, *name = rat_workspace_name(ws);
	char digest[65], want[65] = "", id_text[RAT_TOKEN_ID_LEN + 1], owner[512] = "";
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char *path = NULL;
	int64_t revoked = 0;
	size_t n;
	int error, match;

	*read_only = 1;
	if (!parse(token, &workspace, &n, &id, &secret) || n != strlen(name) ||
	    strncmp(workspace, name, n) != 0)
		return rat_error__set(RAT_EACCESS, RAT_ERRCLASS_INVALID, "invalid token");
	memcpy(id_text, id, RAT_TOKEN_ID_LEN);
	id_text[RAT_TOKEN_ID_LEN] = '\0';
	if ((error = digest_of(secret, digest)) != 0 ||
	    (error = open_tokens(&db, &path, ws, false)) != 0)
		goto cleanup;
	if (db && sqlite3_prepare_v2(db, "SELECT digest, workspace, read_only, revoked_ms FROM "
					 "tokens WHERE id = ?", -1, &st, NULL) != SQLITE_OK) {
		error = db_error(db, path, "cannot check a token");
		goto cleanup;
	}
	if (st) {
		sqlite3_bind_text(st, 1, id_text, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			snprintf(want, sizeof(want), "%s", (const char *)sqlite3_column_text(st, 0));
			snprintf(owner, sizeof(owner), "%s", (const char *)sqlite3_column_text(st, 1));
			*read_only = sqlite3_column_int(st, 2);
			revoked = sqlite3_column_int64(st, 3);
		}
	}
	/* the same work whether the id is known or not: compare 64 digits either way */
	match = rat__equal_ct(digest, want[0] ? want : "0000000000000000000000000000000000000000000000000000000000000000", 64);
	if (!match || strcmp(owner, name) != 0)
		error = rat_error__set(RAT_EACCESS, RAT_ERRCLASS_INVALID, "invalid token");
	else if (revoked)
		error = rat_error__set(RAT_EACCESS, RAT_ERRCLASS_INVALID, "token %s was revoked",
				       id_text);
cleanup:
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(path);
	rat__wipe(digest, sizeof(digest));
	if (error)
		*read_only = 1;
	return error;
}
