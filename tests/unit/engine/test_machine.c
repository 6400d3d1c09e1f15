/*
 * tests/unit/engine/test_machine.c - the memory this process may use: the
 * machine's physical memory, lowered by its control group's limit (cgroup
 * v2 memory.max, v1 memory.limit_in_bytes, in its own folder or one above),
 * read from a made-up /proc and /sys.
 */
#include "helpers.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "rat.h"
#include "engine/engine.h"

static int64_t memory_of(const char *root, int64_t physical_mb)
{
	int64_t mb = -1;

	if (rat_engine__memory_mb(&mb, physical_mb, root) != 0)
		fail_msg("%s: %s", root, rat_error_last()->message);
	return mb;
}

static void the_machine_has_memory(void **state)
{
	int64_t mb = 0, physical = (int64_t)((unsigned long long)sysconf(_SC_PHYS_PAGES) *
					     (unsigned long long)sysconf(_SC_PAGESIZE) >> 20);
	(void)state;
	assert_int_equal(rat_engine_machine_memory_mb(&mb), 0);
	assert_true(mb > 0);
	assert_true(mb <= physical);
}

static void cgroup_v2_limits_apply(void **state)
{
	char root[4200];

	snprintf(root, sizeof(root), "%s/v2", (char *)*state);
	test_write(root, "proc/self/cgroup", "0::/lake/job\n");
	/* no file: the physical memory */
	assert_int_equal(memory_of(root, 24000), 24000);
	test_write(root, "sys/fs/cgroup/lake/job/memory.max", "max\n");
	assert_int_equal(memory_of(root, 24000), 24000);
	/* a limit above the job's folder applies too; the lowest wins */
	test_write(root, "sys/fs/cgroup/lake/memory.max", "8589934592\n");
	assert_int_equal(memory_of(root, 24000), 8192);
	test_write(root, "sys/fs/cgroup/lake/job/memory.max", "2147483648\n");
	assert_int_equal(memory_of(root, 24000), 2048);
	/* a limit above the machine's memory changes nothing; garbage neither */
	test_write(root, "sys/fs/cgroup/lake/job/memory.max", "1099511627776\n");
	test_write(root, "sys/fs/cgroup/lake/memory.max", "lots\n");
	assert_int_equal(memory_of(root, 24000), 24000);
	/* in a container: the path is "/" and the limit at the top */
	test_write(root, "proc/self/cgroup", "0::/\n");
	test_write(root, "sys/fs/cgroup/memory.max", "4294967296\n");
	assert_int_equal(memory_of(root, 24000), 4096);
}

static void cgroup_v1_limits_apply(void **state)
{
	char root[4200];

	snprintf(root, sizeof(root), "%s/v1", (char *)*state);
	test_write(root, "proc/self/cgroup",
		   "4:cpu,cpuacct:/docker/abc\n3:memory:/docker/abc\n0::/\n");
	test_write(root, "sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
	assert_int_equal(memory_of(root, 24000), 24000);
	test_write(root, "sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes", "3221225472\n");
	assert_int_equal(memory_of(root, 24000), 3072);
	/* the cpu controller's folders are not memory limits */
	test_write(root, "sys/fs/cgroup/cpu,cpuacct/docker/abc/memory.limit_in_bytes", "1048576\n");
	assert_int_equal(memory_of(root, 24000), 3072);
}

static void no_memory_is_an_error(void **state)
{
	char root[4200];
	int64_t mb = 1;

	snprintf(root, sizeof(root), "%s/none", (char *)*state);
	assert_int_equal(rat_engine__memory_mb(&mb, 0, root), RAT_ENOTFOUND);
}

static int setup(void **state)
{
	*state = test_tmpdir("engine_machine");
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(the_machine_has_memory),
		cmocka_unit_test(cgroup_v2_limits_apply),
		cmocka_unit_test(cgroup_v1_limits_apply),
		cmocka_unit_test(no_memory_is_an_error),
	};
	return cmocka_run_group_tests(tests, setup, test_scratch_teardown);
}
