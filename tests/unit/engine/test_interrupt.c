/*
 * tests/unit/engine/test_interrupt.c - rat_engine_interrupt(): a statement
 * running in one thread stops with RAT_ESQL when another thread interrupts
 * it, the session then runs the next statement, and an interrupt while
 * nothing runs changes nothing.
 */
#include "helpers.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "rat.h"

static test_session session;

typedef struct job {
	rat_engine *engine;
	int error;
	char message[512];
	volatile int done;
} job;

/* A statement that would run for minutes on one thread. */
static void *long_query(void *arg)
{
	job *j = arg;
	rat_result *result = NULL;

	j->error = rat_engine_query(&result, j->engine,
				    "SELECT count(*) FROM range(1000000000000) t(a) WHERE a % 7 = 3");
	if (j->error == 0) {
		while ((j->error = rat_result_next(result)) == 1)
			;
	}
	snprintf(j->message, sizeof(j->message), "%s", rat_error_last()->message);
	rat_result_free(result);
	j->done = 1;
	return NULL;
}

static void sleep_ms(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
	nanosleep(&t, NULL);
}

static int64_t answer(rat_engine *engine, const char *sql)
{
	rat_result *result = NULL;
	int64_t value = -1;

	if (rat_engine_query(&result, engine, sql) != 0 || rat_result_next(result) != 1 ||
	    rat_result_get_int64(result, 0, &value) != 0)
		fail_msg("%s: %s", sql, rat_error_last()->message);
	rat_result_free(result);
	return value;
}

static void a_running_statement_stops(void **state)
{
	job j = { session.engine, 0, "", 0 };
	pthread_t thread;
	int waited;

	(void)state;
	assert_int_equal(pthread_create(&thread, NULL, long_query, &j), 0);
	sleep_ms(300);
	/* again until it stops: the first may come before the statement started */
	for (waited = 0; !j.done && waited < 200; waited++) {
		rat_engine_interrupt(session.engine);
		sleep_ms(50);
	}
	if (!j.done)
		fail_msg("the statement still runs 10 s after the interrupt");
	assert_int_equal(pthread_join(thread, NULL), 0);
	assert_int_equal(j.error, RAT_ESQL);
	if (!strstr(j.message, "Interrupted"))
		fail_msg("the message is '%s'", j.message);
	/* the session goes on */
	assert_int_equal(answer(session.engine, "SELECT 42"), 42);
}

static void an_interrupt_while_idle_changes_nothing(void **state)
{
	(void)state;
	rat_engine_interrupt(session.engine);
	assert_int_equal(answer(session.engine, "SELECT count(*) FROM range(100000)"), 100000);
	rat_engine_interrupt(NULL);
}

static int setup(void **state)
{
	*state = &session;
	test_session_open(&session, "engine_interrupt");
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(a_running_statement_stops),
		cmocka_unit_test(an_interrupt_while_idle_changes_nothing),
	};
	return cmocka_run_group_tests(tests, setup, test_session_teardown);
}
