/*
 * config/branch.c - the workspace's catalog branch (isolation.nessie_branch).
 *
 *   <literal>        used as is, e.g. "workspace/analytics"
 *   auto | git       the Git branch of the work tree holding the workspace
 *   git:<prefix>     <prefix> + that Git branch, e.g. "git:feature/" -> "feature/x"
 *
 * Outside a Git work tree, or on a detached HEAD, auto/git/git:<prefix> fall
 * back to workspace/<name>. The Git branch is read from HEAD directly (a
 * `.git` folder, or a `.git` file pointing at one, as in worktrees), so no git
 * binary is needed. GIT_CEILING_DIRECTORIES is honoured as Git does.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/fs.h"
#include "config/config.h"
#include "util/names.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char ref_rules[] =
	"a branch name starts with a letter and holds letters, digits, '/', '.', '_', '-', "
	"without '..', '//' or a trailing '/' or '.'; or auto, git, git:<prefix>";

int rat_config__check_branch_spec(const char *spec)
{
	if (strcmp(spec, "auto") == 0 || strcmp(spec, "git") == 0)
		return 0;
	if (rat__str_has_prefix(spec, "git:")) {
		const char *prefix = spec + 4;
		char probe[256];
		/* the prefix must make a valid name once a branch is appended */
		snprintf(probe, sizeof(probe), "%sx", prefix);
		if (*prefix && !rat_name__valid_ref(probe))
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
					      "invalid branch prefix '%s' (%s)", prefix, ref_rules);
		return 0;
	}
	if (!rat_name__valid_ref(spec))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
				      "invalid branch name '%s' (%s)", spec, ref_rules);
	return 0;
}

bool rat_config__reserved_branch(const char *spec)
{
	const char *b = rat__str_has_prefix(spec, "git:") ? spec + 4 : spec;

	return strcmp(spec, "main") == 0 || rat__str_has_prefix(b, "dev/") ||
	       rat__str_has_prefix(b, "run/");
}

/* Is dir one of GIT_CEILING_DIRECTORIES (ceilings; Git never searches them, nor above)? */
static bool at_ceiling(const char *dir, const char *ceilings)
{
	const char *env = ceilings, *p, *end;
	size_t n = strlen(dir);

	for (p = env; p && *p; p = *end ? end + 1 : end) {
		const char *last;
		end = strchr(p, ':');
		if (!end)
			end = p + strlen(p);
		last = end;
		while (last - p > 1 && last[-1] == '/') /* "/a/b/" is "/a/b", as Git reads it */
			last--;
		if ((size_t)(last - p) == n && strncmp(p, dir, n) == 0)
			return true;
	}
	return false;
}

/* The folder holding HEAD for the work tree enclosing dir, or NULL. */
static char *find_git_dir(const char *dir, const char *ceilings)
{
	char *cur = rat__strdup(dir), *result = NULL;

	while (cur) {
		char *dotgit = rat_fs__join(cur, ".git");
		if (!dotgit)
			break;
		if (rat_fs__is_dir(dotgit)) {
			result = dotgit;
			break;
		}
		if (rat_fs__is_file(dotgit)) {
			rat_buf text = RAT_BUF_INIT;
			if (rat_fs__read_file(&text, dotgit, 4096) == 0 &&
			    rat__str_has_prefix(rat_buf_cstr(&text), "gitdir:")) {
				char *p = text.ptr + strlen("gitdir:");
				while (*p == ' ')
					p++;
				p[strcspn(p, "\r\n")] = '\0';
				result = rat_fs__join(cur, p);
			}
			rat_buf_free(&text);
			free(dotgit);
			break;
		}
		free(dotgit);
		if (strcmp(cur, "/") == 0)
			break;
		char *parent = rat_fs__dirname(cur);
		free(cur);
		cur = parent;
		if (cur && at_ceiling(cur, ceilings))
			break;
	}
	free(cur);
	rat_error_clear();
	return result;
}

/* The checked-out branch of the work tree enclosing dir; NULL if none (or detached). */
static char *git_branch(const char *dir, const char *ceilings)
{
	char *git_dir = find_git_dir(dir, ceilings), *head = NULL, *branch = NULL;
	rat_buf text = RAT_BUF_INIT;
	const char *ref = "ref: refs/heads/";

	if (!git_dir)
		return NULL;
	head = rat_fs__join(git_dir, "HEAD");
	if (head && rat_fs__read_file(&text, head, 4096) == 0 &&
	    rat__str_has_prefix(rat_buf_cstr(&text), ref)) {
		char *p = text.ptr + strlen(ref);
		p[strcspn(p, "\r\n")] = '\0';
		if (*p)
			branch = rat__strdup(p);
	}
	rat_buf_free(&text);
	free(head);
	free(git_dir);
	rat_error_clear();
	return branch;
}

int rat_config__resolve_branch(char **out, const char *spec, const char *name, const char *dir,
			       const rat_env *env)
{
	const char *prefix = NULL;
	char *branch;

	*out = NULL;
	if (!spec || !*spec) {
		*out = rat__sprintf("workspace/%s", name);
		return *out ? 0 : RAT_ENOMEM;
	}
	if (strcmp(spec, "auto") == 0 || strcmp(spec, "git") == 0)
		prefix = "";
	else if (rat__str_has_prefix(spec, "git:"))
		prefix = spec + 4;
	if (!prefix) {
		*out = rat__strdup(spec);
		return *out ? 0 : RAT_ENOMEM;
	}
	branch = git_branch(dir, rat_config__env_get(env, "GIT_CEILING_DIRECTORIES"));
	if (branch) {
		*out = rat__sprintf("%s%s", prefix, branch);
		free(branch);
		if (*out && !rat_name__valid_ref(*out)) {
			int error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
						   "isolation.nessie_branch: '%s' resolves to '%s', "
						   "which is not a valid branch name",
						   spec, *out);
			free(*out);
			*out = NULL;
			return error;
		}
	} else {
		*out = rat__sprintf("workspace/%s", name);
	}
	return *out ? 0 : RAT_ENOMEM;
}
