/*
 * workspace/create.c - `rat init`: a new workspace (rat_workspace_create()
 * of rat/workspace.h), all or nothing.
 *
 * The folder is built beside its target (the standard layout and a
 * workspace.yaml of defaults), its catalog branch is forked from main, and
 * only then is it moved into place and loaded.
 */
#include "util/common.h"
#include "util/fs.h"
#include "rat/workspace.h"
#include "config/config.h"
#include "catalog/catalog.h"
#include "workspace/workspace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Each folder of a new workspace, with the one file that keeps it in Git while empty. */
static const struct {
	const char *folder, *file, *content;
} layout[] = {
	{ "pipelines/bronze", ".gitkeep", "" },
	{ "pipelines/silver", ".gitkeep", "" },
	{ "pipelines/gold", ".gitkeep", "" },
	{ "schemas", ".gitkeep", "" },
	{ "macros", ".gitkeep", "" },
	{ "notebooks", ".gitkeep", "" },
	/* raw files arrive here; they are data, not source: Git ignores them */
	{ "landing", ".gitignore", "*\n!.gitignore\n" },
};

/* Fill a fresh folder with the workspace layout and its workspace.yaml. */
static int populate(const char *dir, const char *name, const char *description)
{
	char *yaml = NULL, *path = NULL;
	size_t i;
	int error = 0;

	for (i = 0; !error && i < RAT_ARRAY_SIZE(layout); i++) {
		path = rat__sprintf("%s/%s/%s", dir, layout[i].folder, layout[i].file);
		char *folder = path ? rat_fs__dirname(path) : NULL;
		error = folder ? rat_fs__mkdir_p(folder) : RAT_ENOMEM;
		if (!error)
			error = rat_fs__write_file_atomic(path, layout[i].content,
							  strlen(layout[i].content));
		free(folder);
		free(path);
		path = NULL;
	}
	if (!error && (yaml = rat_config__default_yaml(name, description)) == NULL)
		error = RAT_ENOMEM;
	if (!error && (path = rat_fs__join(dir, "workspace.yaml")) == NULL)
		error = RAT_ENOMEM;
	if (!error)
		error = rat_fs__write_file_atomic(path, yaml, strlen(yaml));
	free(yaml);
	free(path);
	return error;
}

/* The folder a workspace will have at target, as the catalog records it (parent's real path). */
static char *identity_folder(const char *target, const char *parent)
{
	char *real = realpath(parent, NULL);
	const char *base = strrchr(target, '/');
	char *out = real ? rat__sprintf("%s/%s", real, base ? base + 1 : target) : rat__strdup(target);

	free(real);
	return out;
}

/*
 * The new workspace's identity claimed (its name, branch workspace/<name>,
 * prefix <name> and folder: refused if another workspace claims one) and its
 * catalog branch forked from main (kept if it exists), in the catalog of the
 * state folder its folder (target) gives it.
 */
static int create_branch(const char *name, const char *target, const char *parent,
			 const rat_env *env)
{
	rat_catalog *catalog = NULL;
	const char *origin;
	char *home = rat_config__home(env, target, &origin);
	char *branch = rat__sprintf("workspace/%s", name);
	char *folder = identity_folder(target, parent);
	rat_identity id = { name, branch, branch, false, name, folder };
	int error;

	if (!home || !branch || !folder) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if (rat_config__catalog_uri(env)) { /* the server's catalog: it records the workspace */
		error = 0;
		goto cleanup;
	}
	if ((error = rat_workspace__open_home_catalog(&catalog, home)) != 0 ||
	    (error = rat_catalog__claim(catalog, &id, false)) != 0)
		goto cleanup;
	error = rat_catalog__create_ref(catalog, branch, RAT_REF_BRANCH, "main");
	if (error == RAT_EEXISTS) {
		rat_error_clear(); /* a workspace re-created under the same name finds its branch */
		error = 0;
	}
cleanup:
	rat_catalog__free(catalog);
	free(home);
	free(branch);
	free(folder);
	return error;
}

static int check_target(const char *target)
{
	rat_strarray entries = RAT_STRARRAY_INIT;
	int error = 0;

	if (!rat_fs__exists(target))
		return 0;
	if (!rat_fs__is_dir(target))
		return rat_error__set(RAT_EEXISTS, RAT_ERRCLASS_WORKSPACE,
				      "%s already exists and is not a folder", target);
	if ((error = rat_fs__list_dir(&entries, target)) == 0 && entries.count > 0)
		error = rat_error__set(RAT_EEXISTS, RAT_ERRCLASS_WORKSPACE,
				       "%s is not empty (%zu entr%s, first '%s'); refusing to create a "
				       "workspace over it",
				       target, entries.count, entries.count == 1 ? "y" : "ies",
				       entries.strings[0]);
	rat_strarray_free(&entries);
	return error;
}

/* A folder in a workspaces folder must carry the workspace's name (workspace.c). */
static int check_folder_name(const char *target, const char *parent, const char *name,
			     const rat_env *env)
{
	char *folder_name = NULL;
	int error = rat_workspace__folder_name(&folder_name, target, env);

	if (!error && folder_name && strcmp(folder_name, name) != 0)
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
				       "%s: a workspace in a workspaces folder is named by its folder, "
				       "so it cannot be named '%s' (use the path %s/%s, or the name "
				       "'%s')",
				       target, name, parent, name, folder_name);
	free(folder_name);
	return error;
}

int rat_workspace_create_options_init(rat_workspace_create_options *opts, unsigned int version)
{
	static const rat_workspace_create_options init = RAT_WORKSPACE_CREATE_OPTIONS_INIT;

	return rat__options_init(opts, &init, sizeof(init), version,
				 RAT_WORKSPACE_CREATE_OPTIONS_VERSION, "rat_workspace_create_options");
}

int rat_workspace_create(rat_workspace **out, const char *name,
			 const rat_workspace_create_options *opts)
{
	rat_strarray dirs = RAT_STRARRAY_INIT;
	rat_env env = RAT_ENV_INIT;
	char *target = NULL, *parent = NULL, *staging = NULL, *description = NULL;
	bool staged = false;
	int error;

	*out = NULL;
	if (!name || !rat_config__valid_workspace_name(name))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
				      "invalid workspace name '%s' (letters, digits, '-' and '_', "
				      "starting with a letter or digit, at most 64)",
				      name ? name : "(null)");
	if (opts && (error = rat__options_check(opts->version, RAT_WORKSPACE_CREATE_OPTIONS_VERSION,
						"rat_workspace_create_options")) != 0)
		return error;
	if ((error = rat_config__env_capture(&env)) != 0)
		return error;
	if (opts && opts->path) {
		target = rat_fs__absolute(opts->path);
	} else {
		if ((error = rat_config__workspace_dirs(&dirs, &env)) != 0)
			goto cleanup;
		target = rat_fs__join(dirs.strings[0], name);
	}
	description = opts && opts->description ? rat__strdup(opts->description)
						: rat__sprintf("%s workspace", name);
	if (!target || !description || (parent = rat_fs__dirname(target)) == NULL ||
	    (staging = rat__sprintf("%s/.%s.init.%ld", parent, name, (long)getpid())) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = check_target(target)) != 0 ||
	    (error = check_folder_name(target, parent, name, &env)) != 0 ||
	    (error = rat_fs__mkdir_p(parent)) != 0)
		goto cleanup;
	/* build beside the target, then move it into place: all or nothing */
	rat_fs__remove_tree(staging); /* left by a crashed run of ours with the same pid */
	staged = true;
	if ((error = rat_fs__mkdir_p(staging)) != 0 ||
	    (error = populate(staging, name, description)) != 0 ||
	    (error = create_branch(name, target, parent, &env)) != 0)
		goto cleanup;
	if (rat_fs__is_dir(target) && rmdir(target) < 0) {
		error = rat_error__os(RAT_EIO, "cannot replace empty folder %s", target);
		goto cleanup;
	}
	if (rename(staging, target) < 0) {
		error = rat_error__os(RAT_EIO, "cannot move the new workspace into %s", target);
		goto cleanup;
	}
	error = rat_workspace__load(out, target, &env);
cleanup:
	if (error && staged)
		rat_fs__remove_tree(staging);
	rat_config__env_free(&env);
	rat_strarray_free(&dirs);
	free(target);
	free(parent);
	free(staging);
	free(description);
	return error;
}
