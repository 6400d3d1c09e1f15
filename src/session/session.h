/*
 * session/session.h - what makes an engine session a workspace's: its
 * tables at a ref (bound on demand, workspace/bind.c), the products it
 * subscribes to (product/bind.c), then the lock-down that keeps its SQL
 * inside the workspace's own folders.
 *
 * The public rat_engine_open() / rat_engine_open_at() (rat/engine.h) are
 * this with the lock. librat's own work (a run's build, retention) binds
 * through here too, so that what user SQL sees and what a pipeline sees is
 * one thing.
 */
#ifndef RAT_SESSION_SESSION_H
#define RAT_SESSION_SESSION_H

#include "util/common.h"
#include "rat/catalog.h"
#include "rat/engine.h"
#include "rat/workspace.h"
#include "catalog/catalog.h"

/**
 * Give engine the tables and views of ws at ref (as layer.table, bound on
 * demand) and its subscriptions (products.<alias>), then guard those
 * schemas (rat_session__protect); with lock, then lock the session down to
 * the workspace's table folders, landing folder, read cache and spill
 * folder, and the product folders it was granted.
 */
RAT_MUST_USE int rat_session__bind(rat_engine *engine, const rat_workspace *ws,
				   rat_catalog *catalog, const char *ref, bool lock);

/** What a refusal to change a workspace table from SQL says to do instead. */
#define RAT_SESSION_WRITE_HINT                                                                    \
	"SQL in a session cannot change the workspace's tables (it would change this session's "  \
	"copy only, and save nothing): write a table with `rat write LAYER.TABLE --sql QUERY` "    \
	"(--append to add rows; rat_engine_write_table() in C), drop one with `rat drop "           \
	"LAYER.TABLE`"

/**
 * Guard the session's layer schemas (bronze, silver, gold) and products:
 * a statement that would create, change or drop anything there is refused
 * before it runs, with RAT_SESSION_WRITE_HINT (engine/guard.c). Sessions of
 * rat_session__bind() are guarded; others (mocks) call this themselves.
 */
RAT_MUST_USE int rat_session__protect(rat_engine *engine);

/**
 * Let the session engine read the folder from (absolute: landing/, a tests
 * folder), which a user fills, only through files pinned as its statements
 * name them, staged in a folder of its own under RAT_HOME/stage/<workspace>
 * (pushed onto allowed, for the lock), removed when the engine is freed
 * (session/stage.c). from itself must not be an allowed folder.
 */
RAT_MUST_USE int rat_session__stage_folder(rat_engine *engine, const rat_workspace *ws,
					   const char *from, rat_strarray *allowed);

#endif
