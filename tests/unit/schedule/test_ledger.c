/*
 * tests/unit/schedule/test_ledger.c - the orchestration ledger
 * (rat/schedule.h): a tick recorded once, even by threads racing for it;
 * its state changed; the latest tick; lists filtered and limited; a
 * sensor's keys seen, changed and pruned; each workspace's own; the file
 * private (0600).
 */
#include "helpers.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rat.h"

static char *dir;
static rat_workspace *ws, *other;

static int setup(void **state)
{
	char path[4200];

	(void)state;
	dir = test_scratch_home("ledger");
	test_write(dir, "shop/workspace.yaml", "name: shop\n");
	test_write(dir, "finance/workspace.yaml", "name: finance\n");
	snprintf(path, sizeof(path), "%s/shop", dir);
	if (rat_workspace_open(&ws, path) != 0)
		fail_msg("%s", rat_error_last()->message);
	snprintf(path, sizeof(path), "%s/finance", dir);
	if (rat_workspace_open(&other, path) != 0)
		fail_msg("%s", rat_error_last()->message);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rat_workspace_free(ws);
	rat_workspace_free(other);
	test_rmtree(dir);
	free(dir);
	return 0;
}

static void a_tick_is_recorded_once(void **state)
{
	rat_trigger_tick_list list;
	int64_t last;
	int recorded;
	struct stat st;
	char path[4200];

	(void)state;
	TEST_OK(rat_trigger_tick_last(ws, "bronze.sales:schedule", &last));
	assert_int_equal(last, 0);
	TEST_OK(rat_trigger_tick_add(ws, "bronze.sales:schedule", 1000, "queued", "", 1001, &recorded));
	assert_int_equal(recorded, 1);
	TEST_OK(rat_trigger_tick_add(ws, "bronze.sales:schedule", 1000, "skipped", "x", 1002, &recorded));
	assert_int_equal(recorded, 0);
	TEST_OK(rat_trigger_tick_add(ws, "bronze.sales:schedule", 3000, "missed", "down", 3001, &recorded));
	TEST_OK(rat_trigger_tick_add(ws, "bronze.sales:schedule", 2000, "queued", "", 2001, &recorded));
	TEST_OK(rat_trigger_tick_add(ws, "gold.kpis:schedule", 9000, "queued", "", 9001, &recorded));
	TEST_OK(rat_trigger_tick_add(other, "bronze.sales:schedule", 5000, "queued", "", 5001, &recorded));
	assert_int_equal(recorded, 1); /* another workspace's own ticks */
	TEST_OK(rat_trigger_tick_last(ws, "bronze.sales:schedule", &last));
	assert_int_equal(last, 3000);
	TEST_OK(rat_trigger_tick_set(ws, "bronze.sales:schedule", 1000, "done", "run 1", 4000));
	assert_int_equal(rat_trigger_tick_set(ws, "bronze.sales:schedule", 1500, "done", "", 4000),
			 RAT_ENOTFOUND);

	TEST_OK(rat_trigger_tick_list_get(&list, ws, NULL, 0));
	assert_int_equal(list.count, 4);
	assert_string_equal(list.items[0].trigger, "gold.kpis:schedule");
	assert_int_equal(list.items[1].tick_ms, 3000);
	assert_string_equal(list.items[1].note, "down");
	assert_int_equal(list.items[3].tick_ms, 1000);
	assert_string_equal(list.items[3].state, "done");
	assert_string_equal(list.items[3].note, "run 1");
	assert_int_equal(list.items[3].updated_ms, 4000);
	rat_trigger_tick_list_free(&list);
	TEST_OK(rat_trigger_tick_list_get(&list, ws, "bronze.sales:schedule", 2));
	assert_int_equal(list.count, 2);
	assert_int_equal(list.items[0].tick_ms, 3000);
	assert_int_equal(list.items[1].tick_ms, 2000);
	rat_trigger_tick_list_free(&list);

	/* pruning keeps each trigger's latest tick: where it goes on from */
	TEST_OK(rat_trigger_prune(ws, 100000));
	TEST_OK(rat_trigger_tick_list_get(&list, ws, NULL, 0));
	assert_int_equal(list.count, 2);
	assert_int_equal(list.items[0].tick_ms, 9000);
	assert_int_equal(list.items[1].tick_ms, 3000);
	rat_trigger_tick_list_free(&list);

	snprintf(path, sizeof(path), "%s/home/orchestration.db", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(rat_trigger_tick_add(ws, "", 1, "queued", "", 1, &recorded), RAT_EINVALID);
}

typedef struct racer {
	int recorded;
	int error;
} racer;

static void *race(void *arg)
{
	racer *r = arg;

	r->error = rat_trigger_tick_add(ws, "silver.orders:schedule", 60000, "queued", "", 1, &r->recorded);
	return NULL;
}

static void threads_race_for_a_tick(void **state)
{
	pthread_t threads[8];
	racer racers[8];
	int i, won = 0;

	(void)state;
	memset(racers, 0, sizeof(racers));
	for (i = 0; i < 8; i++)
		pthread_create(&threads[i], NULL, race, &racers[i]);
	for (i = 0; i < 8; i++) {
		pthread_join(threads[i], NULL);
		assert_int_equal(racers[i].error, 0);
		won += racers[i].recorded;
	}
	assert_int_equal(won, 1);
}

static void what_a_sensor_saw(void **state)
{
	int changed;

	(void)state;
	TEST_OK(rat_trigger_seen(ws, "bronze.sales:landing", "a.csv", "10:1700", 100, &changed));
	assert_int_equal(changed, 1);
	TEST_OK(rat_trigger_seen(ws, "bronze.sales:landing", "a.csv", "10:1700", 200, &changed));
	assert_int_equal(changed, 0);
	TEST_OK(rat_trigger_seen(ws, "bronze.sales:landing", "a.csv", "12:1800", 300, &changed));
	assert_int_equal(changed, 1);
	TEST_OK(rat_trigger_seen(ws, "bronze.sales:hook", "msg_1", "", 400, &changed));
	assert_int_equal(changed, 1);
	TEST_OK(rat_trigger_seen(other, "bronze.sales:hook", "msg_1", "", 400, &changed));
	assert_int_equal(changed, 1);
	TEST_OK(rat_trigger_seen_prune(ws, "bronze.sales:hook", 500));
	TEST_OK(rat_trigger_seen(ws, "bronze.sales:hook", "msg_1", "", 600, &changed));
	assert_int_equal(changed, 1); /* forgotten */
	TEST_OK(rat_trigger_seen(ws, "bronze.sales:landing", "a.csv", "12:1800", 700, &changed));
	assert_int_equal(changed, 0); /* another trigger's keys stay */
	assert_int_equal(rat_trigger_seen(ws, "bronze.sales:hook", "", "", 1, &changed), RAT_EINVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_tick_is_recorded_once),
		cmocka_unit_test(threads_race_for_a_tick),
		cmocka_unit_test(what_a_sensor_saw),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
