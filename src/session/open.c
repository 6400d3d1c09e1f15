/*
 * session/open.c - a workspace's sessions (session.h, and rat_engine_open()
 * / rat_engine_open_at() of rat/engine.h): bind, then lock down.
 *
 * SQL there cannot change the workspace's tables: they are views in the
 * layer schemas (and products), which the session guards (engine/guard.c):
 * a statement that would create, change or drop something there is refused
 * before it runs, naming rat write and rat drop, which do change them.
 *
 * The lock allows reading only folders librat manages. The landing folder,
 * which a user fills, is not one of them: DuckDB follows symbolic links, and
 * a link swapped in there while a statement reads would lead past the lock.
 * Its files are read through what stage.c pinned as a statement named them.
 * A locked session writes no file at all (engine/guard.c).
 */
#include "util/common.h"
#include "util/fs.h"
#include "rat/catalog.h"
#include "rat/engine.h"
#include "rat/workspace.h"
#include "engine/engine.h"
#include "product/product.h"
#include "session/session.h"
#include "workspace/tables.h"

#include <stdlib.h>

/*
 * The folders a locked session may reach: the workspace's tables, the read
 * cache and its spill folder; and the folder where the landing files its
 * statements name are staged (stage.c).
 */
static int allowed_folders(rat_strarray *out, rat_engine *engine, const rat_workspace *ws)
{
	char *tables = NULL, *landing = rat_fs__join(rat_workspace_path(ws), "landing");
	int error;

	if (!landing)
		return RAT_ENOMEM;
	if ((error = rat_strarray__push(out, rat_workspace__cache_dir(ws))) != 0 ||
	    (error = rat_strarray__push(out, rat_workspace_spill_dir(ws))) != 0 ||
	    (error = rat_session__stage_folder(engine, ws, landing, out)) != 0)
		goto cleanup;
	if (rat_workspace_warehouse(ws)[0] == '/') {
		tables = rat__sprintf("%s/%s", rat_workspace_warehouse(ws), rat_workspace_s3_prefix(ws));
		error = tables ? rat_strarray__push(out, tables) : RAT_ENOMEM;
	}
cleanup:
	free(landing);
	free(tables);
	return error;
}

int rat_session__protect(rat_engine *engine)
{
	const char *schemas[RAT_LAYER_COUNT + 1];
	int layer;

	for (layer = 0; layer < RAT_LAYER_COUNT; layer++)
		schemas[layer] = rat_layer_name((rat_layer)layer);
	schemas[RAT_LAYER_COUNT] = "products";
	return rat_engine__protect(engine, schemas, RAT_LAYER_COUNT + 1, RAT_SESSION_WRITE_HINT);
}

/* The namespaces made beyond the layers guarded too, as the layers are. */
static int protect_namespaces(rat_engine *engine, const rat_strarray *namespaces)
{
	if (!namespaces->count)
		return 0;
	return rat_engine__protect(engine, (const char *const *)namespaces->strings,
				   namespaces->count, RAT_SESSION_WRITE_HINT);
}

int rat_session__bind(rat_engine *engine, const rat_workspace *ws, rat_catalog *catalog,
		      const char *ref, bool lock)
{
	rat_strarray allowed = RAT_STRARRAY_INIT, files = RAT_STRARRAY_INIT;
	rat_strarray namespaces = RAT_STRARRAY_INIT;
	int error;

	/* other workspaces' tables at ref (main's), whose files are allowed; products.<alias>,
	 * whose folders are */
	if ((error = rat_workspace__bind(engine, ws, catalog, ref, &files, &namespaces)) == 0 &&
	    (error = rat_engine__set_session(engine, rat_workspace_path(ws), ref)) == 0 &&
	    (error = rat_product__bind(engine, ws, &allowed)) == 0 &&
	    (error = rat_session__protect(engine)) == 0 &&
	    (error = protect_namespaces(engine, &namespaces)) == 0 && lock &&
	    (error = allowed_folders(&allowed, engine, ws)) == 0)
		error = rat_engine__lock(engine, &allowed, &files);
	rat_strarray_free(&allowed);
	rat_strarray_free(&files);
	rat_strarray_free(&namespaces);
	return error;
}

int rat_engine_open(rat_engine **out, const rat_workspace *ws)
{
	return rat_engine_open_at(out, ws, NULL);
}

int rat_engine_open_at(rat_engine **out, const rat_workspace *ws, const char *ref)
{
	rat_catalog *catalog = NULL;
	rat_engine *engine = NULL;
	int error;

	*out = NULL;
	if ((error = rat_workspace__open_engine(&engine, ws)) != 0 ||
	    (error = rat_workspace__read_catalog(&catalog, ws)) != 0 ||
	    (error = rat_session__bind(engine, ws, catalog, ref ? ref : rat_workspace_branch(ws),
				       true)) != 0) {
		rat_engine_free(engine);
		rat_catalog__free(catalog);
		return error;
	}
	rat_catalog__free(catalog);
	*out = engine;
	return 0;
}
