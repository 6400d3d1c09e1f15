/*
 * tests/unit/catalog/test_owners.c - identities and owners in the embedded
 * catalog (issue 15, items 3 and 4): claims that overlap (names, folders,
 * nested prefixes, git: branch prefixes) refused and ones that only look
 * alike accepted; a moved prefix kept; what a catalog acting as a workspace
 * may read and write (main, another's refs, hashes, product grants); refs
 * older than owners given to the workspace they fork from, or to nobody;
 * commits found again by the request they were made for.
 */
#include "helpers.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rat.h"
#include "util/common.h"
#include "catalog/catalog.h"

static char *dir;

#define OK(call) TEST_OK(call)

#define REFUSED(call, code, text)                                                                 \
	do {                                                                                      \
		assert_int_equal((call), (code));                                                 \
		if (!strstr(rat_error_last()->message, (text)))                                   \
			fail_msg("'%s' lacks '%s'", rat_error_last()->message, (text));            \
	} while (0)

static char path[4200];

static rat_catalog *open_catalog(const char *name)
{
	rat_catalog *c = NULL;

	snprintf(path, sizeof(path), "%s/%s.db", dir, name);
	OK(rat_catalog__open_embedded(&c, path));
	return c;
}

static void expect_owner(rat_catalog *c, const char *ref, const char *expected)
{
	char owner[64];

	OK(rat_catalog__ref_owner(c, ref, owner, sizeof(owner)));
	assert_string_equal(owner, expected);
}

static rat_identity ident(const char *name, const char *branch, const char *prefix,
			  const char *folder)
{
	rat_identity id = { name, branch, branch, false, prefix, folder };
	return id;
}

static void put(rat_catalog *c, const char *branch, const char *key, char hash[RAT_HASH_LEN + 1])
{
	rat_table_state s = { (char *)"/w/x.json", 1, 0, 0, (char *)"content-1", false, false, NULL };
	rat_catalog_op op = { RAT_OP_PUT, key, &s };
	rat_commit_request r = { branch, NULL, &op, 1, "tester", "put", NULL, 0 };
	OK(rat_catalog__commit(c, &r, hash));
}

static void claims_that_overlap_are_refused(void **state)
{
	rat_catalog *c = open_catalog("claims");
	rat_identity a = ident("a", "workspace/a", "team/a", "/lake/a");
	rat_identity id;
	(void)state;

	OK(rat_catalog__claim(c, &a, false));
	OK(rat_catalog__claim(c, &a, false)); /* the same workspace again */
	id = ident("b", "workspace/b", "team/a/silver", "/lake/b");
	REFUSED(rat_catalog__claim(c, &id, false), RAT_EEXISTS,
		"workspace 'b' claims storage prefix 'team/a/silver', which overlaps storage prefix "
		"'team/a' of workspace 'a'");
	id = ident("b", "workspace/b", "team", "/lake/b");
	REFUSED(rat_catalog__claim(c, &id, false), RAT_EEXISTS, "overlaps storage prefix 'team/a'");
	id = ident("b", "workspace/b", "b", "/lake/a");
	REFUSED(rat_catalog__claim(c, &id, false), RAT_EEXISTS,
		"workspace 'b' claims the folder /lake/a, which the catalog records for workspace 'a'");
	id = ident("a", "workspace/a", "team/a", "/lake/elsewhere");
	REFUSED(rat_catalog__claim(c, &id, false), RAT_EEXISTS,
		"workspace 'a' is in the folder /lake/elsewhere, but the catalog records /lake/a");
	id = ident("b", "workspace/a", "b", "/lake/b");
	REFUSED(rat_catalog__claim(c, &id, false), RAT_EEXISTS,
		"workspace 'b' claims branch 'workspace/a', which overlaps branch 'workspace/a'");
	id = ident("b", "workspace/a-2", "team/a2", "/lake/b");
	id.branch_claim = "workspace/";
	id.branch_is_prefix = true;
	REFUSED(rat_catalog__claim(c, &id, false), RAT_EEXISTS,
		"workspace 'b' claims every branch under 'workspace/', which overlaps branch "
		"'workspace/a' of workspace 'a'");
	/* alike, not overlapping: team/ab beside team/a, a branch under feature/ */
	id = ident("b", "feature/x", "team/ab", "/lake/b");
	id.branch_claim = "feature/";
	id.branch_is_prefix = true;
	OK(rat_catalog__claim(c, &id, false));
	/* reserved */
	id = ident("c", "workspace/c", "_products", "/lake/c");
	REFUSED(rat_catalog__claim(c, &id, false), RAT_EINVALID, "prefixes starting with '_'");
	id = ident("c", "main", "c", "/lake/c");
	REFUSED(rat_catalog__claim(c, &id, false), RAT_EINVALID, "claims branch 'main'");
	/* a moves: the prefix it leaves stays its own */
	id = ident("a", "workspace/a", "team/a-new", "/lake/a");
	REFUSED(rat_catalog__claim(c, &id, false), RAT_EEXISTS,
		"workspace 'a' has storage prefix team/a-new, but the catalog records team/a");
	OK(rat_catalog__claim(c, &id, true));
	id = ident("c", "workspace/c", "team/a", "/lake/c");
	REFUSED(rat_catalog__claim(c, &id, false), RAT_EEXISTS,
		"overlaps storage prefix 'team/a' of workspace 'a'");
	rat_catalog__free(c);
}

static void a_workspace_reads_and_writes_what_it_may(void **state)
{
	rat_catalog *c = open_catalog("access");
	rat_identity a = ident("a", "workspace/a", "a", "/lake/a");
	rat_identity b = ident("b", "workspace/b", "b", "/lake/b");
	char ha[RAT_HASH_LEN + 1], hb[RAT_HASH_LEN + 1], h[RAT_HASH_LEN + 1];
	sqlite3 *db = NULL;
	(void)state;

	put(c, "main", "silver.y", h); /* the operator's catalog (it acts as no workspace) */
	OK(rat_catalog__claim(c, &a, false));
	OK(rat_catalog__create_ref(c, "workspace/a", RAT_REF_BRANCH, "main"));
	put(c, "workspace/a", "silver.x", ha);
	OK(rat_catalog__create_ref(c, "dev/exp", RAT_REF_BRANCH, "workspace/a"));
	OK(rat_catalog__resolve(c, "dev/a/exp", h)); /* dev/exp is a's dev/a/exp */
	{ /* looked up by the name a gives it: the stored name, its kind and head */
		char stored[64];
		rat_ref_kind kind = RAT_REF_TAG;
		OK(rat_catalog__ref_get(c, "dev/exp", stored, sizeof(stored), &kind, h));
		assert_string_equal(stored, "dev/a/exp");
		assert_int_equal(kind, RAT_REF_BRANCH);
		assert_string_equal(h, ha);
		REFUSED(rat_catalog__ref_get(c, "dev/nope", stored, sizeof(stored), &kind, h),
			RAT_ENOTFOUND, "no reference named 'dev/a/nope'");
		REFUSED(rat_catalog__ref_get(c, "dev/exp", stored, 4, &kind, h), RAT_ETOOBIG,
			"reference 'dev/a/exp' is longer than 3 bytes");
	}
	REFUSED(rat_catalog__create_ref(c, "dev/b/exp", RAT_REF_BRANCH, "main"), RAT_EACCESS,
		"workspace 'a' cannot create 'dev/b/exp': its dev and run branches are dev/a/NAME");
	rat_catalog__free(c);
	c = open_catalog("access");
	OK(rat_catalog__claim(c, &b, false));
	OK(rat_catalog__create_ref(c, "workspace/b", RAT_REF_BRANCH, "main"));
	put(c, "workspace/b", "silver.z", hb);
	REFUSED(rat_catalog__resolve(c, "workspace/a", h), RAT_EACCESS,
		"workspace 'b' cannot read 'workspace/a': it belongs to workspace 'a'");
	REFUSED(rat_catalog__resolve(c, ha, h), RAT_EACCESS, "workspace 'b' cannot read commit");
	{
		char stored[64];
		rat_ref_kind kind;
		REFUSED(rat_catalog__ref_get(c, "workspace/a", stored, sizeof(stored), &kind, h),
			RAT_EACCESS, "workspace 'b' cannot read 'workspace/a'");
	}
	REFUSED(rat_catalog__delete_ref(c, "dev/a/exp", NULL), RAT_EACCESS,
		"workspace 'b' cannot write 'dev/a/exp': it belongs to workspace 'a'");
	{
		rat_table_state s = { (char *)"/w/y.json", 2, 0, 0, (char *)"content-2", false, false, NULL };
		rat_catalog_op op = { RAT_OP_PUT, "silver.y", &s };
		rat_commit_request r = { "main", NULL, &op, 1, "b", "put", NULL, 0 };
		REFUSED(rat_catalog__commit(c, &r, h), RAT_EACCESS,
			"workspace 'b' cannot write main: main is written only by the operator's");
	}
	OK(rat_catalog__resolve(c, "main", h));
	/* a product of a's that grants b: b reads a's refs and commits */
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE product_access (owner TEXT, name TEXT, "
					  "pattern TEXT, level TEXT); INSERT INTO product_access "
					  "VALUES ('a', 'kpis', 'b*', 'read')",
				      NULL, NULL, NULL),
			 SQLITE_OK);
	sqlite3_close(db);
	OK(rat_catalog__resolve(c, "workspace/a", h));
	OK(rat_catalog__resolve(c, ha, h));
	/* the operator's catalog writes main */
	OK(rat_catalog__set_workspace(c, NULL));
	put(c, "main", "silver.y", h);
	rat_catalog__free(c);
}

/*
 * A commit made for a request (rat_catalog__set_request_id) is found again by
 * its id from another handle (what a restarted server has), whatever made it
 * (a commit, a merge); only by a workspace that may read it; ids are checked.
 */
static void commits_made_for_a_request_are_found_again(void **state)
{
	rat_catalog *c = open_catalog("requests");
	rat_identity a = ident("a", "workspace/a", "a", "/lake/a");
	rat_identity b = ident("b", "workspace/b", "b", "/lake/b");
	char h1[RAT_HASH_LEN + 1], h2[RAT_HASH_LEN + 1], got[RAT_HASH_LEN + 1], id[1100];
	rat_commits log;
	rat_merge_result m;
	(void)state;

	OK(rat_catalog__claim(c, &a, false));
	OK(rat_catalog__create_ref(c, "workspace/a", RAT_REF_BRANCH, "main"));
	OK(rat_catalog__set_request_id(c, "a:req-1"));
	put(c, "workspace/a", "silver.x", h1);
	OK(rat_catalog__create_ref(c, "dev/exp", RAT_REF_BRANCH, "workspace/a"));
	OK(rat_catalog__set_request_id(c, "a:req-2"));
	put(c, "dev/exp", "silver.y", h2);
	OK(rat_catalog__set_request_id(c, NULL));
	put(c, "workspace/a", "silver.w", got); /* so that the merge makes a commit */
	OK(rat_catalog__set_request_id(c, "a:req-3"));
	OK(rat_catalog__merge(c, "dev/exp", "workspace/a", false, "a", &m));
	rat_catalog__merge_result_free(&m);
	OK(rat_catalog__set_request_id(c, NULL));
	put(c, "workspace/a", "silver.z", got);
	/* the id is a property of the commit, beside its own */
	OK(rat_catalog__log(c, "workspace/a", 2, &log));
	assert_null(json_object_get(log.items[0].properties, RAT_REQUEST_ID_PROPERTY));
	assert_string_equal(json_string_value(json_object_get(log.items[1].properties,
							      RAT_REQUEST_ID_PROPERTY)), "a:req-3");
	rat_catalog__commits_free(&log);
	rat_catalog__free(c);

	c = open_catalog("requests");
	OK(rat_catalog__claim(c, &a, false));
	OK(rat_catalog__find_request(c, "a:req-1", got));
	assert_string_equal(got, h1);
	OK(rat_catalog__find_request(c, "a:req-2", got)); /* on the dev branch */
	assert_string_equal(got, h2);
	OK(rat_catalog__find_request(c, "a:req-3", got)); /* the merge commit */
	REFUSED(rat_catalog__find_request(c, "a:req-4", got), RAT_ENOTFOUND,
		"no commit was made for request a:req-4");
	REFUSED(rat_catalog__find_request(c, "", got), RAT_EINVALID, "a request id is 1 to 1024");
	memset(id, 'x', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	REFUSED(rat_catalog__find_request(c, id, got), RAT_EINVALID, "a request id is 1 to 1024");
	REFUSED(rat_catalog__set_request_id(c, id), RAT_EINVALID, "a request id is 1 to 1024");
	rat_catalog__free(c);

	/* another workspace does not learn of a's commits */
	c = open_catalog("requests");
	OK(rat_catalog__claim(c, &b, false));
	REFUSED(rat_catalog__find_request(c, "a:req-1", got), RAT_ENOTFOUND,
		"no commit was made for request a:req-1");
	rat_catalog__free(c);
}

static void old_refs_go_to_the_workspace_they_fork_from(void **state)
{
	rat_catalog *c = open_catalog("legacy");
	rat_identity a = ident("a", "workspace/a", "a", "/lake/a");
	char h[RAT_HASH_LEN + 1];
	(void)state;

	/* as the catalog was before owners: refs made by no one */
	OK(rat_catalog__create_ref(c, "workspace/a", RAT_REF_BRANCH, "main"));
	OK(rat_catalog__create_ref(c, "workspace/b", RAT_REF_BRANCH, "main"));
	put(c, "workspace/a", "silver.x", h);
	OK(rat_catalog__create_ref(c, "dev/exp", RAT_REF_BRANCH, "workspace/a"));
	put(c, "dev/exp", "silver.e", h);
	OK(rat_catalog__create_ref(c, "run/20240101", RAT_REF_BRANCH, "workspace/a"));
	OK(rat_catalog__create_ref(c, "v1", RAT_REF_TAG, "workspace/a"));
	OK(rat_catalog__create_ref(c, "dev/fresh", RAT_REF_BRANCH, "main"));
	put(c, "workspace/b", "silver.b", h);
	OK(rat_catalog__create_ref(c, "dev/bee", RAT_REF_BRANCH, "workspace/b"));
	OK(rat_catalog__claim(c, &a, false));
	expect_owner(c, "workspace/a", "a");
	expect_owner(c, "dev/a/exp", "a");
	expect_owner(c, "run/a/20240101", "a");
	expect_owner(c, "v1", "a");
	OK(rat_catalog__resolve(c, "run/20240101", h)); /* an old record's name still finds it */
	/* forks from main as much as from a, or from b's branch: not a's */
	expect_owner(c, "dev/fresh", "");
	expect_owner(c, "dev/bee", "");
	expect_owner(c, "workspace/b", "");
	rat_catalog__free(c);
}

static int setup(void **state_)
{
	dir = test_scratch_home("owners");
	*state_ = dir; /* test_scratch_teardown removes it */
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(claims_that_overlap_are_refused),
		cmocka_unit_test(a_workspace_reads_and_writes_what_it_may),
		cmocka_unit_test(commits_made_for_a_request_are_found_again),
		cmocka_unit_test(old_refs_go_to_the_workspace_they_fork_from),
	};
	return cmocka_run_group_tests(tests, setup, test_scratch_teardown);
}
