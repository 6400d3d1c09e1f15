/*
 * run/run_id.c - a run's id: "20261123T101500.123Z-3f2a1c", the time it
 * started (or was asked for: rat_run_options.run_id) then 24 random bits.
 */
#include "util/common.h"
#include "util/random.h"
#include "rat/pipeline.h"
#include "run/run.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int rat_run__make_id(char *id, size_t n, char *started_at, size_t m, int64_t now_ms)
{
	time_t secs = (time_t)(now_ms / 1000);
	unsigned char bytes[3];
	struct tm tm;
	size_t len;
	int error;

	if ((error = rat_random__bytes(bytes, sizeof(bytes))) != 0)
		return error;
	gmtime_r(&secs, &tm);
	len = strftime(id, n, "%Y%m%dT%H%M%S", &tm);
	snprintf(id + len, n - len, ".%03dZ-%02x%02x%02x", (int)(now_ms % 1000), bytes[0], bytes[1],
		 bytes[2]);
	len = strftime(started_at, m, "%Y-%m-%d %H:%M:%S", &tm);
	snprintf(started_at + len, m - len, ".%03d+00", (int)(now_ms % 1000));
	return 0;
}

int rat_run_id_make(char out[RAT_RUN_ID_MAX], int64_t now_ms)
{
	char started_at[40];

	return rat_run__make_id(out, RAT_RUN_ID_MAX, started_at, sizeof(started_at), now_ms);
}

int rat_run__given_id(const rat_workspace *ws, const char *given, char *id)
{
	static const char form[] = "ddddddddTdddddd.dddZ-xxxxxx";
	rat_run_info *known = NULL;
	size_t i;
	int error;

	for (i = 0; i < sizeof(form) - 1; i++) {
		char c = given[i];
		bool ok = form[i] == 'd' ? c >= '0' && c <= '9'
			: form[i] == 'x' ? (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')
					 : c == form[i];
		if (!ok)
			break;
	}
	if (i != sizeof(form) - 1 || given[i] != '\0')
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				      "'%s' is not a run id (20261123T101500.123Z-3f2a1c)", given);
	if ((error = rat_run_get(&known, ws, given)) == 0) {
		rat_run_info_free(known);
		return rat_error__set(RAT_EEXISTS, RAT_ERRCLASS_PIPELINE, "a run %s is recorded already",
				      given);
	}
	if (error != RAT_ENOTFOUND)
		return error;
	memcpy(id, given, sizeof(form));
	return 0;
}

