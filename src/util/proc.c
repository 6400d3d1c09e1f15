/*
 * util/proc.c - child processes: waiting for one with a deadline (polling
 * waitpid every 10 ms: no SIGCHLD handler, which would be the embedding
 * program's to own).
 */
#include "util/common.h"
#include "util/proc.h"

#include <errno.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

bool rat_proc__wait(pid_t pid, int *status, int64_t timeout_ms)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	pid_t got;
	int64_t waited;

	*status = 0;
	if (timeout_ms <= 0) {
		while ((got = waitpid(pid, status, 0)) < 0 && errno == EINTR)
			;
		return got == pid;
	}
	for (waited = 0; waited < timeout_ms; waited += 10) {
		got = waitpid(pid, status, WNOHANG);
		if (got == pid || (got < 0 && errno != EINTR))
			return got == pid;
		nanosleep(&tick, NULL);
	}
	kill(pid, SIGKILL);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return false;
}
