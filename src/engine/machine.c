/*
 * engine/machine.c - the memory this process may use on this machine
 * (rat_engine_machine_memory_mb): the physical memory, or the limit of the
 * control group the process runs in when that is lower, as in a container.
 *
 * cgroup v2: /proc/self/cgroup has a line "0::<path>", and the limits are
 * /sys/fs/cgroup/<path>/memory.max and those of each folder above it ("max"
 * for none). cgroup v1: a line "<n>:<controllers with memory>:<path>", and
 * /sys/fs/cgroup/memory/<path>/memory.limit_in_bytes and those above it. In
 * a container the path is "/" (its own namespace). Every limit found
 * applies; the lowest wins.
 */
#include "engine/engine.h"
#include "util/error.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MIB (1024 * 1024)

/* The first len - 1 bytes of a small system file, NUL-terminated; false when unreadable. */
static bool read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return false;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return false;
	buf[n] = '\0';
	return true;
}

/* A limit file's value in MiB into *mb when it is lower; "max" and garbage change nothing. */
static void lower_to(int64_t *mb, const char *path)
{
	char text[64], *end;
	unsigned long long bytes;

	if (!read_small(path, text, sizeof(text)) || text[0] < '0' || text[0] > '9')
		return;
	bytes = strtoull(text, &end, 10);
	if (*end != '\0' && *end != '\n')
		return;
	if (bytes / MIB < (unsigned long long)*mb)
		*mb = (int64_t)(bytes / MIB);
}

/* file in folder <base><path> and in each folder above it, up to <base>. */
static void walk_up(int64_t *mb, const char *base, const char *path, const char *file)
{
	char dir[1024], at[1200];
	char *slash;

	if ((size_t)snprintf(dir, sizeof(dir), "%s%s", base, path) >= sizeof(dir))
		return;
	for (;;) {
		size_t len = strlen(dir);
		while (len > strlen(base) && dir[len - 1] == '/')
			dir[--len] = '\0';
		if ((size_t)snprintf(at, sizeof(at), "%s/%s", dir, file) < sizeof(at))
			lower_to(mb, at);
		if (len <= strlen(base) || (slash = strrchr(dir, '/')) == NULL ||
		    slash < dir + strlen(base))
			return;
		*slash = '\0';
	}
}

/* Whether a v1 line's controller list ("cpu,memory") names memory. */
static bool names_memory(const char *controllers, size_t len)
{
	const char *p = controllers, *end = controllers + len;

	while (p < end) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		size_t n = comma ? (size_t)(comma - p) : (size_t)(end - p);
		if (n == 6 && memcmp(p, "memory", 6) == 0)
			return true;
		p += n + 1;
	}
	return false;
}

/* One line of /proc/self/cgroup: "id:controllers:path". */
static void cgroup_line(int64_t *mb, const char *root, char *line)
{
	char *first = strchr(line, ':'), *second = first ? strchr(first + 1, ':') : NULL;
	char base[512];

	if (!second || second[1] != '/')
		return;
	if (strncmp(line, "0::", 3) == 0) {
		snprintf(base, sizeof(base), "%s/sys/fs/cgroup", root);
		walk_up(mb, base, second + 1, "memory.max");
	} else if (names_memory(first + 1, (size_t)(second - first - 1))) {
		snprintf(base, sizeof(base), "%s/sys/fs/cgroup/memory", root);
		walk_up(mb, base, second + 1, "memory.limit_in_bytes");
	}
}

int rat_engine__memory_mb(int64_t *out, int64_t physical_mb, const char *root)
{
	char cgroups[16384], path[512], *line, *next;

	*out = physical_mb;
	snprintf(path, sizeof(path), "%s/proc/self/cgroup", root);
	if (read_small(path, cgroups, sizeof(cgroups))) {
		for (line = cgroups; line && *line; line = next) {
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			cgroup_line(out, root, line);
		}
	}
	if (*out <= 0)
		return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_OS,
				      "the system does not say how much memory this machine has");
	return 0;
}

int rat_engine_machine_memory_mb(int64_t *out)
{
	long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);

	*out = 0;
	if (pages <= 0 || page <= 0)
		return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_OS,
				      "the system does not say how much memory this machine has");
	return rat_engine__memory_mb(out, (int64_t)((uint64_t)pages * (uint64_t)page / MIB), "");
}
