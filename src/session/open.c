/*
 * session/open.c - a workspace's sessions (session.h, and rat_engine_open()
 * / rat_engine_open_at() of rat/engine.h): bind, then lock down.
 *
 * SQL there cannot change the workspace's tables: they are views in the
 * layer schemas (and products), which the session guards (engine/guard.c):
 * a statement that would create, change or drop something there is refused
 * before it runs, naming rat write and rat drop, which do change them.
 *
 * The lock allows reading only folders librat manages, plus the landing
 * folder, which a user fills: DuckDB follows symbolic links, so a link
 * anywhere under landing/ would lead past the lock and is refused. A locked
 * session writes no file at all (engine/guard.c).
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
 * The workspace's landing folder, <workspace>/landing, if there is one. A
 * locked session may read (and write) under it, so it must hold real files
 * only: DuckDB follows links, and a link would reach past the lock.
 */
static int landing_folder(char **out, const rat_workspace *ws)
{
	char *landing = rat_fs__join(rat_workspace_path(ws), "landing"), *link = NULL;
	int error;

	*out = NULL;
	if (!landing)
		return RAT_ENOMEM;
	if ((error = rat_fs__find_symlink(&link, landing)) == 0 && link)
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
				       "%s is a symbolic link: a workspace's landing folder must "
				       "hold real files and folders only (move or copy the data in)",
				       link);
	if (!error && rat_fs__is_dir(landing)) {
		*out = landing;
		landing = NULL;
	}
	free(link);
	free(landing);
	return error;
}

/*
 * The folders a locked session may reach: the workspace's tables, its
 * landing folder, the read cache and its spill folder.
 */
static int allowed_folders(rat_strarray *out, const rat_workspace *ws)
{
	char *tables = NULL, *landing = NULL;
	int error;

	if ((error = rat_strarray__push(out, rat_workspace__cache_dir(ws))) != 0 ||
	    (error = rat_strarray__push(out, rat_workspace_spill_dir(ws))) != 0 ||
	    (error = landing_folder(&landing, ws)) != 0 ||
	    (landing && (error = rat_strarray__push(out, landing)) != 0))
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

int rat_session__bind(rat_engine *engine, const rat_workspace *ws, rat_catalog *catalog,
		      const char *ref, bool lock)
{
	rat_strarray allowed = RAT_STRARRAY_INIT;
	int error;

	/* products.<alias>, whose folders join the allowed ones */
	if ((error = rat_workspace__bind(engine, ws, catalog, ref)) == 0 &&
	    (error = rat_engine__set_session(engine, rat_workspace_path(ws), ref)) == 0 &&
	    (error = rat_product__bind(engine, ws, &allowed)) == 0 &&
	    (error = rat_session__protect(engine)) == 0 && lock &&
	    (error = allowed_folders(&allowed, ws)) == 0)
		error = rat_engine__lock(engine, &allowed);
	rat_strarray_free(&allowed);
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
