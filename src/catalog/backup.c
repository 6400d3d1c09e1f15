/*
 * catalog/backup.c - a copy of the catalog file, and putting one back
 * (catalog.h): `rat catalog backup FILE` and `rat catalog restore FILE`.
 *
 * A backup is SQLite's VACUUM INTO on a read-only connection: one read
 * transaction, so a consistent copy of what was committed when it began,
 * while other processes go on reading and committing (WAL). It is written
 * under a temporary name, synced, and linked into place: FILE is a whole
 * copy or is not there, and an existing FILE is never replaced.
 *
 * A restore first checks the file (a SQLite database with the catalog's
 * tables, `PRAGMA integrity_check` ok, a schema version this code reads),
 * keeps the current catalog as a backup beside it, then copies the file's
 * pages into the live database with SQLite's backup API, under its write
 * lock: other connections see the old catalog or the restored one, never a
 * mix. A backup of an older version is migrated by the next opening.
 */
#include "util/common.h"
#include "util/clock.h"
#include "util/fs.h"
#include "catalog/catalog.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int sqlite_error(sqlite3 *db, const char *path, const char *what)
{
	return rat_error__set(RAT_EIO, RAT_ERRCLASS_CATALOG, "%s %s: %s", what, path,
			      db ? sqlite3_errmsg(db) : "out of memory");
}

static int open_db(sqlite3 **db, const char *path, int flags, const char *what)
{
	if (sqlite3_open_v2(path, db, flags | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		int error = sqlite_error(*db, path, what);
		sqlite3_close(*db);
		*db = NULL;
		return error;
	}
	sqlite3_busy_timeout(*db, 30000);
	return 0;
}

int rat_catalog__backup(const char *db_path, const char *file)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	char *tmp = NULL;
	struct stat sb;
	int error;

	if (!file[0])
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
				      "a backup needs a file name");
	if (lstat(file, &sb) == 0)
		return rat_error__set(RAT_EEXISTS, RAT_ERRCLASS_CATALOG,
				      "%s already exists: a backup is a new file (remove it, or "
				      "name another)", file);
	if (lstat(db_path, &sb) != 0)
		return rat_error__os(RAT_ENOTFOUND, "no catalog at %s", db_path);
	if ((tmp = rat__sprintf("%s.%ld.partial", file, (long)getpid())) == NULL)
		return RAT_ENOMEM;
	unlink(tmp);
	if ((error = open_db(&db, db_path, SQLITE_OPEN_READONLY, "cannot open catalog")) != 0)
		goto cleanup;
	if (sqlite3_prepare_v2(db, "VACUUM INTO ?", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(st, 1, tmp, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE) {
		error = sqlite_error(db, file, "cannot write the backup");
		goto cleanup;
	}
	sqlite3_finalize(st);
	st = NULL;
	/* whole, on disk, then under its name: link() never replaces a file */
	if ((error = rat_fs__sync(tmp, false)) != 0)
		goto cleanup;
	if (link(tmp, file) != 0) {
		error = errno == EEXIST
				? rat_error__set(RAT_EEXISTS, RAT_ERRCLASS_CATALOG,
						 "%s already exists: a backup is a new file", file)
				: rat_error__os(RAT_EIO, "cannot write the backup %s", file);
		goto cleanup;
	}
	error = rat_fs__sync(file, true);
cleanup:
	sqlite3_finalize(st);
	sqlite3_close(db);
	unlink(tmp);
	free(tmp);
	return error;
}

/* One text value of sql on db ("" when no row). */
static int text_of(sqlite3 *db, const char *path, const char *sql, char *out, size_t len)
{
	sqlite3_stmt *st = NULL;
	int rc;

	out[0] = '\0';
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return sqlite_error(db, path, "cannot read");
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		snprintf(out, len, "%s", sqlite3_column_text(st, 0) ? (const char *)sqlite3_column_text(st, 0) : "");
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : sqlite_error(db, path, "cannot read");
}

/* Whether the file at path is a catalog this code can take: an error saying why not. */
static int check_backup(sqlite3 *db, const char *path)
{
	char value[256];
	int error;

	if ((error = text_of(db, path, "PRAGMA quick_check", value, sizeof(value))) != 0)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
				      "%s is not a catalog backup: %s", path,
				      sqlite3_errmsg(db));
	if (strcmp(value, "ok") != 0)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
				      "%s is damaged (integrity check: %s): not restored", path,
				      value);
	if ((error = text_of(db, path, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
				       "name IN ('refs', 'commits', 'trees')", value, sizeof(value))) != 0)
		return error;
	if (strcmp(value, "3") != 0)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
				      "%s is not a catalog backup: it has no refs, commits and trees",
				      path);
	if ((error = text_of(db, path, "PRAGMA user_version", value, sizeof(value))) != 0)
		return error;
	if (atoi(value) > rat_catalog__schema_version())
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
				      "%s has schema version %s; this rat reads versions up to %d: "
				      "restore it with the newer rat that wrote it",
				      path, value, rat_catalog__schema_version());
	if ((error = text_of(db, path, "SELECT hash FROM refs WHERE name = 'main'", value,
			     sizeof(value))) != 0)
		return error;
	if (!value[0])
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
				      "%s is not a catalog backup: it has no main", path);
	return 0;
}

int rat_catalog__restore(const char *db_path, const char *file, char **kept)
{
	sqlite3 *src = NULL, *dst = NULL;
	sqlite3_backup *b = NULL;
	char stamp[32];
	time_t now = (time_t)(rat_clock__real_ms() / 1000);
	struct stat was, now_at;
	struct tm tm;
	int error, rc, n;

	*kept = NULL;
	if (stat(file, &was) == 0 && stat(db_path, &now_at) == 0 && was.st_dev == now_at.st_dev &&
	    was.st_ino == now_at.st_ino)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
				      "%s is the catalog itself: restore a backup of it", file);
	if ((error = open_db(&src, file, SQLITE_OPEN_READONLY, "cannot open the backup")) != 0 ||
	    (error = check_backup(src, file)) != 0)
		goto cleanup;
	/* what is replaced stays, as a backup of its own (a new name, even within a second) */
	if (access(db_path, F_OK) == 0) {
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
		for (n = 1; !*kept; n++) {
			char *name = n == 1 ? rat__sprintf("%s.before-restore-%s", db_path, stamp)
					    : rat__sprintf("%s.before-restore-%s-%d", db_path, stamp, n);
			if (!name) {
				error = RAT_ENOMEM;
				goto cleanup;
			}
			error = rat_catalog__backup(db_path, name);
			if (!error) {
				*kept = name; /* ours: removed again if the restore fails */
				break;
			}
			free(name);
			if (error != RAT_EEXISTS || n == 100)
				goto cleanup;
			rat_error_clear();
		}
	}
	if ((error = open_db(&dst, db_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			     "cannot open catalog")) != 0)
		goto cleanup;
	if ((b = sqlite3_backup_init(dst, "main", src, "main")) == NULL) {
		error = sqlite_error(dst, db_path, "cannot restore into");
		goto cleanup;
	}
	while ((rc = sqlite3_backup_step(b, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED)
		sqlite3_sleep(50);
	if (sqlite3_backup_finish(b) != SQLITE_OK || rc != SQLITE_DONE)
		error = sqlite_error(dst, db_path, "cannot restore into");
cleanup:
	sqlite3_close(src);
	sqlite3_close(dst);
	if (error && *kept) { /* the catalog is as it was: no copy of it is needed */
		unlink(*kept);
		free(*kept);
		*kept = NULL;
	}
	return error;
}
