/*
 * tests/tools/cron_tool.c - cron_tool: fire times of cron expressions as
 * rat_schedule_next() gives them, for tests/schedule/cron_oracle.py. Reads
 * lines "EXPR<TAB>ZONE<TAB>START_MS<TAB>COUNT" on stdin and writes one line
 * for each: the COUNT next fire times (ms since the epoch, space separated,
 * each the first strictly after the one before it, the first strictly after
 * START_MS), or "ERR <code> <message>" when the expression or the zone is
 * refused. When rat_schedule_next() fails part way, the times it gave come
 * first and "ERR <code> next: <message>" ends the line. Exit status 0, or 2
 * on a malformed line.
 */
#include "rat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_MAX_LEN 4096

/* The schedule of the line before, kept while its expression and zone repeat. */
typedef struct cache {
	char expr[LINE_MAX_LEN], zone[LINE_MAX_LEN];
	rat_schedule *s;
	int rc;
	char message[LINE_MAX_LEN];
} cache;

static void print_error(int rc, const char *prefix, const char *message)
{
	char clean[LINE_MAX_LEN];
	size_t i;

	snprintf(clean, sizeof(clean), "%s%s", prefix, message ? message : "");
	for (i = 0; clean[i]; i++)
		if (clean[i] == '\n' || clean[i] == '\t')
			clean[i] = ' ';
	printf("ERR %d %s", rc, clean);
}

static void lookup(cache *c, const char *expr, const char *zone)
{
	if (c->rc == 1 || strcmp(c->expr, expr) != 0 || strcmp(c->zone, zone) != 0) {
		rat_schedule_free(c->s);
		c->s = NULL;
		snprintf(c->expr, sizeof(c->expr), "%s", expr);
		snprintf(c->zone, sizeof(c->zone), "%s", zone);
		c->rc = rat_schedule_parse(&c->s, expr, zone);
		c->message[0] = '\0';
		if (c->rc != 0)
			snprintf(c->message, sizeof(c->message), "%s", rat_error_last()->message);
	}
}

static void fires(const rat_schedule *s, long long start, long count)
{
	int64_t at = start, next;
	long i;

	for (i = 0; i < count; i++) {
		int rc = rat_schedule_next(s, at, &next);

		if (rc != 0) {
			if (i > 0)
				putchar(' ');
			print_error(rc, "next: ", rat_error_last()->message);
			return;
		}
		printf(i ? " %lld" : "%lld", (long long)next);
		at = next;
	}
}

static int run_line(cache *c, char *line)
{
	char *expr = line, *zone, *start, *count, *end;
	long long start_ms;
	long n;

	line[strcspn(line, "\r\n")] = '\0';
	if (!(zone = strchr(expr, '\t')) || !(start = strchr(zone + 1, '\t')) ||
	    !(count = strchr(start + 1, '\t')))
		return -1;
	*zone++ = '\0', *start++ = '\0', *count++ = '\0';
	start_ms = strtoll(start, &end, 10);
	if (end == start || *end)
		return -1;
	n = strtol(count, &end, 10);
	if (end == count || *end || n < 0)
		return -1;
	lookup(c, expr, zone);
	if (c->rc != 0)
		print_error(c->rc, "", c->message);
	else
		fires(c->s, start_ms, n);
	putchar('\n');
	return 0;
}

int main(void)
{
	static cache c;
	static char line[LINE_MAX_LEN];
	int status = 0;

	c.rc = 1; /* nothing parsed yet */
	while (fgets(line, sizeof(line), stdin)) {
		if (run_line(&c, line) != 0) {
			fprintf(stderr, "cron_tool: not EXPR<TAB>ZONE<TAB>START_MS<TAB>COUNT: %s\n", line);
			status = 2;
			break;
		}
	}
	rat_schedule_free(c.s);
	fflush(stdout);
	return status;
}
