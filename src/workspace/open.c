/*
 * workspace/open.c - the engine and the catalog a workspace works with
 * (workspace.h): an engine with its resources applied, and the catalog of
 * its RAT_HOME with its branch in place (also rat_catalog_open() of
 * rat/catalog.h).
 */
#include "util/common.h"
#include "util/fs.h"
#include "rat/catalog.h"
#include "rat/engine.h"
#include "rat/workspace.h"
#include "engine/engine.h"
#include "workspace/workspace.h"

#include <stdlib.h>

int rat_workspace__open_engine(rat_engine **out, const rat_workspace *ws)
{
	rat_engine_config config;
	rat_resources res;

	rat_workspace_resources(ws, &res);
	config.memory_mb = res.engine_memory_mb;
	config.threads = res.threads;
	config.temp_dir = rat_workspace_spill_dir(ws);
	return rat_engine__open(out, &config);
}

int rat_workspace__open_home_catalog(rat_catalog **out, const char *home)
{
	char *path = rat_fs__join(home, "catalog.db");
	int error;

	if (!path)
		return RAT_ENOMEM;
	if ((error = rat_fs__mkdir_p(home)) == 0)
		error = rat_catalog__open_embedded(out, path);
	free(path);
	return error;
}

int rat_workspace__open_catalog(rat_catalog **out, const rat_workspace *ws)
{
	const char *branch = rat_workspace_branch(ws);
	char hash[RAT_HASH_LEN + 1];
	int error;

	if ((error = rat_workspace__open_home_catalog(out, rat_workspace_home(ws))) != 0)
		return error;
	rat_catalog__set_fixed_time(*out, rat_workspace__fixed_now_ms(ws));
	/*
	 * A workspace whose branch is not there yet (a folder cloned from Git, a
	 * `git:` branch name after a checkout, a deleted branch) forks it from
	 * main on first use, as `rat init` does.
	 */
	if ((error = rat_catalog__resolve(*out, branch, hash)) == RAT_ENOTFOUND) {
		rat_error_clear();
		error = rat_catalog__create_ref(*out, branch, RAT_REF_BRANCH, "main");
		if (error == RAT_EEXISTS) { /* another process forked it meanwhile */
			rat_error_clear();
			error = 0;
		}
		if (error)
			rat_error__prefix("forking %s's branch %s from main",
					  rat_workspace_name(ws), branch);
	}
	if (error) {
		rat_catalog__free(*out);
		*out = NULL;
	}
	return error;
}

int rat_catalog_open(rat_catalog **out, const rat_workspace *ws)
{
	return rat_workspace__open_catalog(out, ws);
}
