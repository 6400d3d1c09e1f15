/*
 * workspace/open.c - the engine and the catalog a workspace works with
 * (workspace.h): an engine with its resources applied, and the catalog of
 * its RAT_HOME with its branch in place (also rat_catalog_open() of
 * rat/catalog.h).
 *
 * With NESSIE_URI, the catalog is rat serve's (remote/), whatever RAT_HOME
 * holds. Otherwise, only what writes state creates the catalog (a run, `rat init`): every
 * other opening finds it or says where it looked, and reading a workspace
 * that has no state yet sees an empty catalog held in memory, so that a
 * read-only command never creates RAT_HOME or a catalog.
 */
#include "util/common.h"
#include "util/fs.h"
#include "rat/catalog.h"
#include "rat/engine.h"
#include "rat/workspace.h"
#include "engine/engine.h"
#include "catalog/catalog.h"
#include "remote/remote.h"
#include "workspace/workspace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rat_workspace__open_engine(rat_engine **out, const rat_workspace *ws)
{
	rat_engine_config config;
	rat_resources res;

	rat_workspace_resources(ws, &res);
	config.memory_mb = res.engine_memory_mb;
	config.threads = res.threads;
	/* a workspace with no state folder yet gets none from a session: it does not spill */
	config.temp_dir = rat_fs__is_dir(rat_workspace_home(ws)) ? rat_workspace_spill_dir(ws) : NULL;
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

int rat_workspace__no_catalog(const rat_workspace *ws)
{
	return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_WORKSPACE,
			      "no catalog at %s: nothing has been run with this state folder yet "
			      "(RAT_HOME %s, %s; `rat run -w %s` creates it, or set RAT_HOME to the "
			      "state folder to use)",
			      rat_workspace_catalog_path(ws), rat_workspace_home(ws),
			      rat_workspace_home_origin(ws), rat_workspace_name(ws));
}

/*
 * The workspace's branch in place: a workspace whose branch is not there
 * yet (a folder cloned from Git, a `git:` branch name after a checkout, a
 * deleted branch) forks it from main on first use, as `rat init` does.
 */
static int ensure_branch(rat_catalog *catalog, const rat_workspace *ws)
{
	const char *branch = rat_workspace_branch(ws);
	char hash[RAT_HASH_LEN + 1];
	int error;

	rat_catalog__set_fixed_time(catalog, rat_workspace__fixed_now_ms(ws));
	if ((error = rat_catalog__resolve(catalog, branch, hash)) == RAT_ENOTFOUND) {
		rat_error_clear();
		error = rat_catalog__create_ref(catalog, branch, RAT_REF_BRANCH, "main");
		if (error == RAT_EEXISTS) { /* another process forked it meanwhile */
			rat_error_clear();
			error = 0;
		}
		if (error)
			rat_error__prefix("forking %s's branch %s from main",
					  rat_workspace_name(ws), branch);
	}
	return error;
}

int rat_workspace__claim(rat_catalog *catalog, const rat_workspace *ws, bool move)
{
	const char *spec = rat_workspace_branch_spec(ws);
	char *folder = realpath(rat_workspace_path(ws), NULL); /* one folder, however reached */
	rat_identity id;
	int error;

	id.name = rat_workspace_name(ws);
	id.branch = rat_workspace_branch(ws);
	id.branch_is_prefix = strcmp(spec, "auto") == 0 || strcmp(spec, "git") == 0 ||
			      rat__str_has_prefix(spec, "git:");
	id.branch_claim = !id.branch_is_prefix ? id.branch : rat__str_has_prefix(spec, "git:") ? spec + 4 : "";
	id.prefix = rat_workspace_s3_prefix(ws);
	id.folder = folder ? folder : rat_workspace_path(ws);
	error = rat_catalog__claim(catalog, &id, move);
	free(folder);
	return error;
}

int rat_workspace__local_only(const rat_workspace *ws, const char *what)
{
	if (!rat_workspace__remote_uri(ws))
		return 0;
	return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
			      "%s: workspace '%s' uses the catalog of rat serve at %s (NESSIE_URI): "
			      "do it on the server's machine, or unset NESSIE_URI for this "
			      "machine's own catalog",
			      what, rat_workspace_name(ws), rat_workspace__remote_uri(ws));
}

/*
 * Open the catalog at path (":memory:" for an empty one), or the server's
 * with NESSIE_URI; the identity claimed, the branch in place.
 */
static int open_at(rat_catalog **out, const rat_workspace *ws, const char *path)
{
	const char *uri = rat_workspace__remote_uri(ws);
	int error;

	if ((error = uri ? rat_remote__open_catalog(out, uri, rat_workspace__remote_token(ws))
			 : rat_catalog__open_embedded(out, path)) != 0)
		return error;
	if ((error = rat_workspace__claim(*out, ws, false)) != 0 ||
	    (error = ensure_branch(*out, ws)) != 0) {
		rat_catalog__free(*out);
		*out = NULL;
	}
	return error;
}

int rat_workspace__create_catalog(rat_catalog **out, const rat_workspace *ws)
{
	int error;

	*out = NULL;
	if (!rat_workspace__remote_uri(ws) && (error = rat_fs__mkdir_p(rat_workspace_home(ws))) != 0)
		return error;
	return open_at(out, ws, rat_workspace_catalog_path(ws));
}

int rat_workspace__open_catalog(rat_catalog **out, const rat_workspace *ws)
{
	*out = NULL;
	if (!rat_workspace_catalog_exists(ws))
		return rat_workspace__no_catalog(ws);
	return open_at(out, ws, rat_workspace_catalog_path(ws));
}

int rat_workspace__read_catalog(rat_catalog **out, const rat_workspace *ws)
{
	*out = NULL;
	/* no state yet: an empty catalog in memory, so that nothing is created on disk */
	return open_at(out, ws, rat_workspace_catalog_exists(ws) ? rat_workspace_catalog_path(ws)
								  : ":memory:");
}

int rat_catalog_open(rat_catalog **out, const rat_workspace *ws)
{
	return rat_workspace__create_catalog(out, ws);
}

int rat_catalog_open_existing(rat_catalog **out, const rat_workspace *ws)
{
	return rat_workspace__open_catalog(out, ws);
}

int rat_workspace__check_identity(const rat_workspace *ws)
{
	rat_catalog *catalog = NULL;
	int error;

	if (!rat_workspace_catalog_exists(ws)) /* no catalog: no registry either, nothing to trust */
		return 0;
	error = rat_workspace__open_catalog(&catalog, ws);
	rat_catalog__free(catalog);
	return error;
}

int rat_workspace__claim_identity(const rat_workspace *ws)
{
	rat_catalog *catalog = NULL;
	int error = rat_workspace__create_catalog(&catalog, ws);

	rat_catalog__free(catalog);
	return error;
}

int rat_catalog_open_operator(rat_catalog **out, const rat_workspace *ws)
{
	int error;

	*out = NULL;
	if ((error = rat_workspace__local_only(ws, "acting as the operator")) != 0)
		return error;
	if (!rat_workspace_catalog_exists(ws))
		return rat_workspace__no_catalog(ws);
	return rat_catalog__open_embedded(out, rat_workspace_catalog_path(ws));
}

int rat_catalog_backup(const rat_workspace *ws, const char *file)
{
	int error;

	if ((error = rat_workspace__local_only(ws, "backing the catalog up")) != 0)
		return error;
	if (!rat_workspace_catalog_exists(ws))
		return rat_workspace__no_catalog(ws);
	return rat_catalog__backup(rat_workspace_catalog_path(ws), file);
}

int rat_catalog_restore(const rat_workspace *ws, const char *file, char *kept, size_t kept_len)
{
	char *was = NULL;
	int error;

	if (kept_len)
		kept[0] = '\0';
	if ((error = rat_workspace__local_only(ws, "restoring the catalog")) != 0 ||
	    (error = rat_fs__mkdir_p(rat_workspace_home(ws))) != 0 ||
	    (error = rat_catalog__restore(rat_workspace_catalog_path(ws), file, &was)) != 0)
		return error;
	if (was && kept_len)
		snprintf(kept, kept_len, "%s", was);
	free(was);
	return 0;
}

int rat_workspace_move(const rat_workspace *ws)
{
	rat_catalog *catalog = NULL;
	int error;

	if ((error = rat_workspace__local_only(ws, "moving the workspace")) != 0)
		return error;
	if (!rat_workspace_catalog_exists(ws))
		return rat_workspace__no_catalog(ws);
	if ((error = rat_catalog__open_embedded(&catalog, rat_workspace_catalog_path(ws))) == 0 &&
	    (error = rat_workspace__claim(catalog, ws, true)) == 0)
		error = ensure_branch(catalog, ws);
	rat_catalog__free(catalog);
	return error;
}
