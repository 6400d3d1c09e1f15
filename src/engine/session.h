/*
 * engine/session.h - what makes a session a workspace's: schemas with one
 * view per table, then a lock-down so that no SQL reaches anything else.
 *
 * The lock-down sets DuckDB's allowed_directories, then
 * enable_external_access = false and lock_configuration = true: from then on
 * a read or write of any path outside the allowed folders (another folder,
 * ".." tricks, ATTACH, COPY TO, glob, INSTALL) is refused by the engine with
 * "Permission Error: ... disabled by configuration", and no SET can undo it,
 * while the views bound before keep reading their files.
 *
 * Relative paths are refused even inside an allowed folder (DuckDB checks
 * the path as written). DuckDB follows symlinks: allow only folders that
 * librat manages (table folders, caches, spill), never a folder a user
 * writes into.
 */
#ifndef RAT_ENGINE_SESSION_H
#define RAT_ENGINE_SESSION_H

#include "util/common.h"

/**
 * A session with the workspace's profile applied, bound to nothing and not
 * locked: for librat's own work (writing tables, ingesting). User SQL goes
 * only to sessions from rat_engine_open() / rat_engine_open_at().
 */
int rat_engine__open(rat_engine **out, const rat_workspace *ws);
/** Create the schema if needed and (re)define schema.name as a view of select_sql. */
int rat_engine__bind_view(rat_engine *engine, const char *schema, const char *name,
			  const char *select_sql);
/** Lock the session down to the given absolute folders. Irreversible. */
int rat_engine__lock(rat_engine *engine, const rat_strarray *allowed_dirs);

#endif
