/*
 * util/proc.h - child processes: waiting for one with a deadline.
 */
#ifndef RAT_UTIL_PROC_H
#define RAT_UTIL_PROC_H

#include "util/common.h"

#include <sys/types.h>

/**
 * Wait for the child pid to end, at most timeout_ms (0: no limit); past it,
 * kill it (SIGKILL) and reap it. *status receives waitpid's status. Returns
 * true when the child ended by itself, false when it was killed for the time
 * or could not be waited for (*status is then 0 or the killed status).
 */
bool rat_proc__wait(pid_t pid, int *status, int64_t timeout_ms);

#endif
