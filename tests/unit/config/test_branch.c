/*
 * tests/unit/config/test_branch.c - isolation.nessie_branch (config/branch.c):
 * the default and a literal used as written; auto, git and git:<prefix>
 * read from a hand-made .git/HEAD (a folder, or a .git file pointing at
 * one, as in linked work trees); a detached HEAD and no work tree fall back
 * to workspace/<name>; GIT_CEILING_DIRECTORIES, given in the environment
 * argument, stops the search; a Git branch that makes no valid name is
 * refused; rat_config__check_branch_spec's rules. No git binary is used.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rat.h"
#include "util/common.h"
#include "config/config.h"

static char *dir;

/*
 * The branch spec resolves to, for a workspace "sales" in the folder rel
 * under the scratch folder, with GIT_CEILING_DIRECTORIES set to ceiling
 * (NULL: the scratch folder itself, so that no repository around the
 * build tree is ever found). Returns a static copy; an error's message.
 */
static const char *resolve(const char *spec, const char *rel, const char *ceiling)
{
	static char out[1024];
	rat_env env = RAT_ENV_INIT;
	char ws[4200], *entry, *branch = NULL;

	snprintf(ws, sizeof(ws), "%s/%s", dir, rel);
	entry = ceiling ? rat__sprintf("GIT_CEILING_DIRECTORIES=%s", ceiling)
			: rat__sprintf("GIT_CEILING_DIRECTORIES=%s", dir);
	assert_int_equal(rat_strarray__push_owned(&env.vars, entry), 0);
	if (rat_config__resolve_branch(&branch, spec, "sales", ws, &env) != 0) {
		assert_null(branch);
		snprintf(out, sizeof(out), "error: %s", rat_error_last()->message);
	} else {
		snprintf(out, sizeof(out), "%s", branch);
	}
	free(branch);
	rat_config__env_free(&env);
	return out;
}

/* A Git folder at rel/.git whose HEAD holds head. */
static void git_dir(const char *rel, const char *head)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/.git/HEAD", rel);
	test_write(dir, path, head);
}

static void no_spec_and_literals_are_used_as_written(void **state)
{
	char *branch = NULL;
	rat_env env = RAT_ENV_INIT;
	(void)state;

	assert_string_equal(resolve(NULL, "any", NULL), "workspace/sales");
	assert_string_equal(resolve("", "any", NULL), "workspace/sales");
	assert_string_equal(resolve("prod/main", "any", NULL), "prod/main");
	assert_string_equal(resolve("automatic", "any", NULL), "automatic");
	/* a literal needs no folder, nor any Git */
	assert_int_equal(rat_config__resolve_branch(&branch, "team/x", "sales", "/nonexistent",
						    &env), 0);
	assert_string_equal(branch, "team/x");
	free(branch);
}

static void auto_and_git_follow_head(void **state)
{
	(void)state;

	git_dir("repo", "ref: refs/heads/feature/x\n");
	test_write(dir, "repo/teams/sales/workspace.yaml", "name: sales\n");
	assert_string_equal(resolve("auto", "repo/teams/sales", NULL), "feature/x");
	assert_string_equal(resolve("git", "repo/teams/sales", NULL), "feature/x");
	assert_string_equal(resolve("git:team/", "repo/teams/sales", NULL), "team/feature/x");
	assert_string_equal(resolve("git:", "repo/teams/sales", NULL), "feature/x");
	/* the work tree's own root, and a folder that does not exist yet */
	assert_string_equal(resolve("auto", "repo", NULL), "feature/x");
	assert_string_equal(resolve("auto", "repo/not/yet", NULL), "feature/x");
	/* HEAD without a newline, with CRLF */
	git_dir("repo", "ref: refs/heads/main");
	assert_string_equal(resolve("auto", "repo/teams/sales", NULL), "main");
	git_dir("repo", "ref: refs/heads/dev\r\n");
	assert_string_equal(resolve("auto", "repo/teams/sales", NULL), "dev");
}

static void the_nearest_work_tree_wins(void **state)
{
	(void)state;

	git_dir("outer", "ref: refs/heads/outer-branch\n");
	git_dir("outer/inner", "ref: refs/heads/inner-branch\n");
	assert_string_equal(resolve("auto", "outer/inner/ws", NULL), "inner-branch");
	assert_string_equal(resolve("auto", "outer/ws", NULL), "outer-branch");
}

static void a_git_file_points_at_the_real_folder(void **state)
{
	char text[4300];
	(void)state;

	/* a linked work tree: .git is a file naming the folder that holds HEAD */
	test_write(dir, "main.git/worktrees/wt/HEAD", "ref: refs/heads/wt-branch\n");
	test_write(dir, "wt/.git", "gitdir: ../main.git/worktrees/wt\n");
	assert_string_equal(resolve("auto", "wt/teams/sales", NULL), "wt-branch");
	snprintf(text, sizeof(text), "gitdir:   %s/main.git/worktrees/wt\r\n", dir);
	test_write(dir, "wt/.git", text);
	assert_string_equal(resolve("git:f/", "wt/teams/sales", NULL), "f/wt-branch");
	/* a .git file that is not a pointer: no work tree, the fallback (not the outer one) */
	git_dir("outer", "ref: refs/heads/outer-branch\n");
	test_write(dir, "outer/wt/.git", "nonsense\n");
	assert_string_equal(resolve("auto", "outer/wt/ws", NULL), "workspace/sales");
}

static void detached_heads_and_no_work_tree_fall_back(void **state)
{
	(void)state;

	git_dir("detached", "3f2a1c0d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f\n");
	assert_string_equal(resolve("auto", "detached/ws", NULL), "workspace/sales");
	assert_string_equal(resolve("git:feature/", "detached/ws", NULL), "workspace/sales");
	git_dir("empty", "ref: refs/heads/\n");
	assert_string_equal(resolve("auto", "empty/ws", NULL), "workspace/sales");
	test_write(dir, "nogit/ws/workspace.yaml", "name: sales\n");
	assert_string_equal(resolve("auto", "nogit/ws", NULL), "workspace/sales");
}

static void ceilings_stop_the_search(void **state)
{
	char ceiling[8400];
	(void)state;

	git_dir("ceil", "ref: refs/heads/above\n");
	test_write(dir, "ceil/inner/ws/workspace.yaml", "name: sales\n");
	assert_string_equal(resolve("auto", "ceil/inner/ws", dir), "above");
	/* the search does not enter a ceiling (`git rev-parse` agrees) */
	snprintf(ceiling, sizeof(ceiling), "%s/ceil", dir);
	assert_string_equal(resolve("auto", "ceil/inner/ws", ceiling), "workspace/sales");
	snprintf(ceiling, sizeof(ceiling), "/elsewhere:%s/ceil/inner:/more", dir);
	assert_string_equal(resolve("auto", "ceil/inner/ws", ceiling), "workspace/sales");
	/* an empty list: no ceiling */
	assert_string_equal(resolve("auto", "ceil/inner/ws", ""), "above");
	/* the starting folder itself is searched even when it is a ceiling, as Git does */
	git_dir("ceil/inner/ws", "ref: refs/heads/here\n");
	snprintf(ceiling, sizeof(ceiling), "%s/ceil/inner/ws", dir);
	assert_string_equal(resolve("auto", "ceil/inner/ws", ceiling), "here");
}

static void a_ceiling_with_a_trailing_slash_stops_the_search_too(void **state)
{
	char ceiling[8400];
	(void)state;

	/* `GIT_CEILING_DIRECTORIES=<dir>/slash/ git rev-parse` in slash/inner/ws finds no
	 * repository, as without the slash */
	git_dir("slash", "ref: refs/heads/above\n");
	snprintf(ceiling, sizeof(ceiling), "%s/slash/", dir);
	assert_string_equal(resolve("auto", "slash/inner/ws", ceiling), "workspace/sales");
}

static void a_git_branch_that_is_no_valid_name_is_refused(void **state)
{
	(void)state;

	git_dir("odd", "ref: refs/heads/bad..name\n");
	assert_string_equal(resolve("auto", "odd/ws", NULL),
			    "error: isolation.nessie_branch: 'auto' resolves to 'bad..name', which "
			    "is not a valid branch name");
	git_dir("odd", "ref: refs/heads/fine\n");
	assert_string_equal(resolve("git:x.", "odd/ws", NULL), "x.fine");
	git_dir("odd", "ref: refs/heads/x.lock\n");
	assert_string_equal(resolve("git:a/", "odd/ws", NULL),
			    "error: isolation.nessie_branch: 'git:a/' resolves to 'a/x.lock', which "
			    "is not a valid branch name");
}

static void branch_specs_are_checked(void **state)
{
	static const char *const good[] = { "auto", "git", "git:", "git:feature/", "git:a.",
					    "main", "workspace/sales", "a.b-c_d/e9" };
	static const char *const bad[] = { "", "9x", "-x", "a..b", "a//b", "a/", "a.", "x.lock",
					   "a/.b", "a b", "a@{1}", "a~1" };
	size_t i;
	(void)state;

	for (i = 0; i < RAT_ARRAY_SIZE(good); i++)
		if (rat_config__check_branch_spec(good[i]) != 0)
			fail_msg("'%s' refused: %s", good[i], rat_error_last()->message);
	for (i = 0; i < RAT_ARRAY_SIZE(bad); i++)
		if (rat_config__check_branch_spec(bad[i]) != RAT_EINVALID)
			fail_msg("'%s' accepted as a branch", bad[i]);
	assert_int_equal(rat_config__check_branch_spec("a..b"), RAT_EINVALID);
	assert_string_equal(rat_error_last()->message,
			    "invalid branch name 'a..b' (a branch name starts with a letter and "
			    "holds letters, digits, '/', '.', '_', '-', without '..', '//' or a "
			    "trailing '/' or '.'; or auto, git, git:<prefix>)");
	assert_int_equal(rat_config__check_branch_spec("git:/x"), RAT_EINVALID);
	assert_string_equal(rat_error_last()->message,
			    "invalid branch prefix '/x' (a branch name starts with a letter and "
			    "holds letters, digits, '/', '.', '_', '-', without '..', '//' or a "
			    "trailing '/' or '.'; or auto, git, git:<prefix>)");
	assert_int_equal(rat_config__check_branch_spec("git:a..."), RAT_EINVALID);
}

static int setup(void **state)
{
	dir = test_tmpdir("config_branch");
	*state = dir; /* test_scratch_teardown removes it */
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(no_spec_and_literals_are_used_as_written),
		cmocka_unit_test(auto_and_git_follow_head),
		cmocka_unit_test(the_nearest_work_tree_wins),
		cmocka_unit_test(a_git_file_points_at_the_real_folder),
		cmocka_unit_test(detached_heads_and_no_work_tree_fall_back),
		cmocka_unit_test(ceilings_stop_the_search),
		cmocka_unit_test(a_ceiling_with_a_trailing_slash_stops_the_search_too),
		cmocka_unit_test(a_git_branch_that_is_no_valid_name_is_refused),
		cmocka_unit_test(branch_specs_are_checked),
	};
	return cmocka_run_group_tests(tests, setup, test_scratch_teardown);
}
