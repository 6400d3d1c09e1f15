/*
 * util/clock.c - the wall clock (clock.h).
 */
#include "util/common.h"
#include "util/clock.h"

#include <sys/time.h>

int64_t rat_clock__real_ms(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}
