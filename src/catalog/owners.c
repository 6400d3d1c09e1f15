/*
 * catalog/owners.c - a catalog acting as a workspace (catalog.h): which refs
 * it may read and write, its dev/ and run/ names, and its identity claimed.
 *
 * The checks sit under every entry point of catalog.c (resolve, create,
 * delete, commit, merge), so that nothing above can reach around them: the
 * CLI's commands, runs, `rat write`, retention and products all go through
 * them. A catalog with no workspace is the operator's (`rat main`, tests).
 */
#include "util/common.h"
#include "catalog/catalog_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OWNER_LEN 256

int rat_catalog__set_workspace(rat_catalog *c, const char *name)
{
	char *copy = NULL;

	if (name && (copy = rat__strdup(name)) == NULL)
		return RAT_ENOMEM;
	free(c->workspace);
	c->workspace = copy;
	return 0;
}

static bool reserved_branch(const char *b)
{
	return strcmp(b, "main") == 0 || rat__str_has_prefix(b, "dev/") ||
	       rat__str_has_prefix(b, "run/");
}

/* Reserved prefixes and branches, whatever other workspaces claim. */
static int check_reserved(const rat_identity *id)
{
	if (id->prefix[0] == '_')
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
				      "workspace '%s' claims storage prefix '%s': prefixes starting "
				      "with '_' are librat's (_products holds every published product)",
				      id->name, id->prefix);
	if (reserved_branch(id->branch) ||
	    (!id->branch_is_prefix && reserved_branch(id->branch_claim)) ||
	    (id->branch_is_prefix && (rat__str_has_prefix(id->branch_claim, "dev/") ||
				      rat__str_has_prefix(id->branch_claim, "run/"))))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
				      "workspace '%s' claims branch '%s': main is written only by "
				      "`rat main merge`, and dev/ and run/ branches are named for "
				      "the workspace that makes them (dev/<workspace>/NAME)",
				      id->name, id->branch);
	return 0;
}

int rat_catalog__claim(rat_catalog *c, const rat_identity *id, bool move)
{
	int error;

	if ((error = check_reserved(id)) != 0 ||
	    (error = c->backend->claim(c->impl, id, move)) != 0)
		return error;
	return rat_catalog__set_workspace(c, id->name);
}

int rat_catalog__ref_owner(rat_catalog *c, const char *ref, char *owner, size_t len)
{
	if (!c->backend->ref_owner)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
				      "the owner of '%s' is known to the server only", ref);
	return c->backend->ref_owner(c->impl, ref, owner, len);
}

const char *rat_catalog__ref_name(const rat_catalog *c, const char *ref, char *buf, size_t len)
{
	const char *rest = ref + 4;

	if (!c->workspace || !ref ||
	    (!rat__str_has_prefix(ref, "dev/") && !rat__str_has_prefix(ref, "run/")) ||
	    !*rest || strchr(rest, '/'))
		return ref;
	if ((size_t)snprintf(buf, len, "%.4s%s/%s", ref, c->workspace, rest) >= len)
		return ref; /* too long for a name: refused as it is written */
	return buf;
}

/* A commit is read only through a ref the workspace may read that reaches it. */
static int check_commit(rat_catalog *c, const char *ref)
{
	char hash[RAT_HASH_LEN + 1];
	bool readable = false;
	int error;

	if (c->backend->resolve(c->impl, ref, hash) != 0) {
		rat_error_clear(); /* resolving again says what is wrong with it */
		return 0;
	}
	if ((error = c->backend->readable_commit(c->impl, hash, c->workspace, &readable)) != 0 ||
	    readable)
		return error;
	return rat_error__set(RAT_EACCESS, RAT_ERRCLASS_CATALOG,
			      "workspace '%s' cannot read commit %s: no ref it may read (main, its "
			      "own, or one a product grants it) reaches it",
			      c->workspace, ref);
}

int rat_catalog__check_read(rat_catalog *c, const char *ref)
{
	char owner[OWNER_LEN];
	bool granted = false;
	int error;

	if (!c->workspace || c->backend->server_checks || strcmp(ref, "main") == 0)
		return 0;
	if ((error = c->backend->ref_owner(c->impl, ref, owner, sizeof(owner))) == RAT_ENOTFOUND) {
		rat_error_clear(); /* a commit hash, or nothing */
		return check_commit(c, ref);
	}
	if (error || strcmp(owner, c->workspace) == 0)
		return error;
	if (owner[0] && (error = c->backend->granted(c->impl, owner, c->workspace, &granted)) != 0)
		return error;
	if (granted)
		return 0;
	if (!owner[0])
		return rat_error__set(RAT_EACCESS, RAT_ERRCLASS_CATALOG,
				      "workspace '%s' cannot read '%s': it belongs to no workspace "
				      "(it predates refs' owners); only the operator reads it",
				      c->workspace, ref);
	return rat_error__set(RAT_EACCESS, RAT_ERRCLASS_CATALOG,
			      "workspace '%s' cannot read '%s': it belongs to workspace '%s', and no "
			      "product of '%s' grants '%s' access",
			      c->workspace, ref, owner, owner, c->workspace);
}

int rat_catalog__check_write(rat_catalog *c, const char *ref)
{
	char owner[OWNER_LEN];
	int error;

	if (!c->workspace || c->backend->server_checks)
		return 0;
	if (strcmp(ref, "main") == 0)
		return rat_error__set(RAT_EACCESS, RAT_ERRCLASS_CATALOG,
				      "workspace '%s' cannot write main: main is written only by the "
				      "operator's `rat main merge`",
				      c->workspace);
	if ((error = c->backend->ref_owner(c->impl, ref, owner, sizeof(owner))) != 0 ||
	    strcmp(owner, c->workspace) == 0)
		return error;
	return rat_error__set(RAT_EACCESS, RAT_ERRCLASS_CATALOG,
			      "workspace '%s' cannot write '%s': it belongs to %s%s%s", c->workspace,
			      ref, owner[0] ? "workspace '" : "no workspace (it predates refs' owners)",
			      owner, owner[0] ? "'" : "");
}

int rat_catalog__check_create(rat_catalog *c, const char *name)
{
	char who[OWNER_LEN];
	size_t n;
	int error;

	if (!c->workspace || c->backend->server_checks)
		return 0;
	n = strlen(c->workspace);
	if ((rat__str_has_prefix(name, "dev/") || rat__str_has_prefix(name, "run/")) &&
	    (strncmp(name + 4, c->workspace, n) != 0 || name[4 + n] != '/'))
		return rat_error__set(RAT_EACCESS, RAT_ERRCLASS_CATALOG,
				      "workspace '%s' cannot create '%s': its dev and run branches "
				      "are %.4s%s/NAME",
				      c->workspace, name, name, c->workspace);
	if ((error = c->backend->branch_claimed(c->impl, name, c->workspace, who, sizeof(who))) != 0)
		return error;
	if (who[0])
		return rat_error__set(RAT_EACCESS, RAT_ERRCLASS_CATALOG,
				      "workspace '%s' cannot create '%s': workspace '%s' claims that "
				      "branch",
				      c->workspace, name, who);
	return 0;
}
