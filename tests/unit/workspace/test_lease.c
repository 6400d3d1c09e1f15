/*
 * tests/unit/workspace/test_lease.c - vacuum's leases (workspace/lease.h):
 * a lease taken is live, with the time it was taken, until released; a
 * lease file its holder no longer locks (the holder ended) is stale,
 * ignored and removed; a lease on another workspace's storage does not
 * count.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rat.h"
#include "util/common.h"
#include "util/clock.h"
#include "workspace/lease.h"

static test_session session;

static int64_t oldest(void)
{
	int64_t ms = 0;

	if (rat_lease__oldest(&ms, session.ws) != 0)
		fail_msg("oldest: %s", rat_error_last()->message);
	return ms;
}

static void live_until_released(void **state)
{
	rat_lease *a = NULL, *b = NULL;
	int64_t before = rat_clock__real_ms(), first;

	(void)state;
	assert_int_equal(oldest(), -1);
	assert_int_equal(rat_lease__take(&a, session.ws, "run one"), 0);
	first = oldest();
	assert_true(first >= before && first <= rat_clock__real_ms());
	usleep(5000);
	assert_int_equal(rat_lease__take(&b, session.ws, "bronze.events"), 0);
	assert_int_equal(oldest(), first); /* the oldest of the two */
	rat_lease__release(a);
	assert_true(oldest() > first);
	rat_lease__release(b);
	assert_int_equal(oldest(), -1);
}

static bool held(const char *what)
{
	bool out = true;

	if (rat_lease__held(&out, session.ws, what) != 0)
		fail_msg("held: %s", rat_error_last()->message);
	return out;
}

static void a_lease_is_held_for_what_it_was_taken(void **state)
{
	rat_lease *a = NULL;

	(void)state;
	assert_false(held("run/shop/1"));
	assert_int_equal(rat_lease__take(&a, session.ws, "run/shop/1"), 0);
	assert_true(held("run/shop/1"));
	assert_false(held("run/shop/12"));
	assert_false(held("run/shop/"));
	rat_lease__release(a);
	assert_false(held("run/shop/1"));
	/* what a killed run leaves is held by no one */
	test_write(rat_workspace_home(session.ws), "leases/dead.lease", "1000\n/x\nrun/shop/2\n");
	assert_false(held("run/shop/2"));
}

static void a_lease_nobody_holds_is_stale_and_removed(void **state)
{
	char path[4200], text[4400];

	(void)state;
	/* what a killed writer leaves: the file, with no lock on it */
	snprintf(path, sizeof(path), "%s/leases/dead.lease", rat_workspace_home(session.ws));
	snprintf(text, sizeof(text), "1000\n%s/%s\nrun dead\n", rat_workspace_warehouse(session.ws),
		 rat_workspace_s3_prefix(session.ws));
	test_write(rat_workspace_home(session.ws), "leases/dead.lease", text);
	assert_int_equal(oldest(), -1);
	assert_int_equal(access(path, F_OK), -1);
}

static void another_storage_does_not_count(void **state)
{
	rat_workspace *other = NULL;
	rat_lease *lease = NULL;
	char path[4200];

	(void)state;
	test_write(session.dir, "other/workspace.yaml", "name: other\nresources:\n  profile: tiny\n");
	snprintf(path, sizeof(path), "%s/other", session.dir);
	if (rat_workspace_open(&other, path) != 0)
		fail_msg("open other: %s", rat_error_last()->message);
	assert_int_equal(rat_lease__take(&lease, other, "run other"), 0);
	assert_int_equal(oldest(), -1);
	rat_lease__release(lease);
	rat_workspace_free(other);
}

static int setup(void **state)
{
	test_session_open(&session, "lease");
	*state = &session;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(live_until_released),
		cmocka_unit_test(a_lease_is_held_for_what_it_was_taken),
		cmocka_unit_test(a_lease_nobody_holds_is_stale_and_removed),
		cmocka_unit_test(another_storage_does_not_count),
	};
	return cmocka_run_group_tests(tests, setup, test_session_teardown);
}
