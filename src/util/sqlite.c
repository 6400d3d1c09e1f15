/*
 * util/sqlite.c - the private SQLite files of a RAT_HOME (util/sqlite.h).
 */
#include "util/sqlite.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "util/error.h"
#include "util/fs.h"

int rat_sqlite__error(sqlite3 *db, const char *what, const char *path, const char *doing)
{
	return rat_error__set(RAT_EIO, RAT_ERRCLASS_OS, "%s %s: %s: %s", what, path, doing,
			      db ? sqlite3_errmsg(db) : "out of memory");
}

/* The file's user_version: 0 for a file not set up yet. */
static int schema_version(sqlite3 *db, const char *what, const char *path, int *version)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*version = 0;
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return rat_sqlite__error(db, what, path, "cannot read");
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : rat_sqlite__error(db, what, path, "cannot read");
}

int rat_sqlite__open_private(sqlite3 **db, const char *path, const char *what, const char *schema,
			     bool create)
{
	char *dir;
	int fd, version, error = 0;

	*db = NULL;
	if (access(path, F_OK) != 0) {
		if (!create)
			return 0;
		if (!(dir = rat_fs__dirname(path)))
			return RAT_ENOMEM;
		error = rat_fs__mkdir_p(dir);
		free(dir);
		if (error)
			return error;
		if ((fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600)) < 0)
			return rat_error__os(RAT_EIO, "cannot create %s", path);
		close(fd);
	}
	if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		error = rat_sqlite__error(*db, what, path, "cannot open");
		sqlite3_close(*db);
		*db = NULL;
		return error;
	}
	sqlite3_busy_timeout(*db, 30000);
	/* set up once (user_version 0: a new file); opening it again writes nothing */
	if (sqlite3_exec(*db, "PRAGMA synchronous=FULL", NULL, NULL, NULL) != SQLITE_OK ||
	    (error = schema_version(*db, what, path, &version)) != 0 ||
	    (version == 0 && sqlite3_exec(*db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL) != SQLITE_OK) ||
	    (version == 0 && sqlite3_exec(*db, schema, NULL, NULL, NULL) != SQLITE_OK)) {
		if (!error)
			error = rat_sqlite__error(*db, what, path, "cannot set up");
		sqlite3_close(*db);
		*db = NULL;
	}
	return error;
}
