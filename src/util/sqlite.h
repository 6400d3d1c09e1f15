/*
 * util/sqlite.h - the small private SQLite files of a RAT_HOME (tokens.db,
 * orchestration.db): made with mode 0600, opened with full sync, a busy
 * timeout and write-ahead logging, their schema set up once.
 */
#ifndef RAT_UTIL_SQLITE_H
#define RAT_UTIL_SQLITE_H

#include <sqlite3.h>

#include "util/common.h"

/**
 * Open path (what names it in errors: "tokens"). With create, the file is
 * made (mode 0600, its folder as needed) when missing and schema (SQL that
 * ends by setting user_version above 0) runs on a file not set up yet;
 * without, *db is NULL when there is no file. RAT_EIO names the file.
 */
RAT_MUST_USE int rat_sqlite__open_private(sqlite3 **db, const char *path, const char *what,
					  const char *schema, bool create);
/** RAT_EIO: "<what> <path>: <doing>: <SQLite's message>". */
int rat_sqlite__error(sqlite3 *db, const char *what, const char *path, const char *doing);

#endif
