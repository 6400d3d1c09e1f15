/*
 * table/write_carry.c - the rows a rewrite keeps, and when they entered the
 * table.
 *
 * A copy-on-write merge or delete replaces data files and keeps some of
 * their rows. Those rows entered the table when their files' rows did, not
 * now: retention by load time (maintenance/retention.c) must see them as
 * old as they are, and see the rows the write brings as new. So the kept
 * rows are written apart from the new ones, one COPY per UTC day in which
 * the files they come from entered the table, and every file the write adds
 * is recorded in the next added-at state (added_at.h) with its time: the
 * commit's for new rows (never below the newest time the table holds), the
 * latest of its group's files for kept ones. Rows kept from files that
 * entered today go with the new rows. Retention counts in days: a row's
 * time is thus never earlier than the truth, at most a day later, and a
 * merge of today's changes rewrites as few files as before. Files that
 * leave the table leave the state.
 */
#include "util/common.h"
#include "util/buf.h"
#include "table/added_at.h"
#include "table/scan.h"
#include "table/write_internal.h"

#include <stdlib.h>
#include <string.h>

/* Append a group: its rows' SELECT (taken over) and their time. */
static int push_carry(writer *w, char *sql, int64_t added_ms)
{
	rat_carry *grown = realloc(w->carry, (w->carry_count + 1) * sizeof(*grown));

	if (!grown) {
		free(sql);
		return rat_error__oom();
	}
	w->carry = grown;
	w->carry[w->carry_count++] = (rat_carry){ sql, added_ms };
	return 0;
}

#define DAY_MS INT64_C(86400000)

/* The UTC day of a time, as days since the epoch. */
static int64_t day_of(int64_t ms)
{
	return ms >= 0 ? ms / DAY_MS : -((-ms + DAY_MS - 1) / DAY_MS);
}

int rat_table__carry_groups(writer *w, const rat_scan *scan, const bool *take, bool *today,
			    int (*sql_of)(const writer *w, const char *scan_sql, void *ctx,
					  rat_buf *out),
			    void *ctx)
{
	size_t i, j, n = scan->data.count;
	int64_t *times = rat__calloc(n + 1, sizeof(int64_t)), latest;
	int64_t now = w->now_ms > w->added_at.newest ? w->now_ms : w->added_at.newest;
	bool *mask = rat__calloc(n + 1, sizeof(bool)), *done = rat__calloc(n + 1, sizeof(bool));
	rat_buf files = RAT_BUF_INIT, sql = RAT_BUF_INIT;
	int error = 0;

	if (!times || !mask || !done)
		error = RAT_ENOMEM;
	for (i = 0; !error && i < n; i++) {
		if (take[i])
			times[i] = rat_table__added_at_of(&w->added_at, &scan->meta, &scan->data.items[i]);
		if (today)
			today[i] = take[i] && day_of(times[i]) == day_of(now);
	}
	for (i = 0; !error && i < n; i++) {
		if (!take[i] || done[i] || (today && today[i]))
			continue;
		for (j = 0, latest = times[i]; j < n; j++) {
			mask[j] = take[j] && !done[j] && day_of(times[j]) == day_of(times[i]);
			done[j] |= mask[j];
			if (mask[j] && times[j] > latest)
				latest = times[j];
		}
		rat_buf_clear(&files);
		rat_buf_clear(&sql);
		if ((error = rat_table__scan_sql_ex(scan, w->store, mask, false, &files, NULL)) == 0 &&
		    (error = sql_of(w, rat_buf_cstr(&files), ctx, &sql)) == 0)
			error = push_carry(w, rat_buf_detach(&sql), latest);
	}
	rat_buf_free(&files);
	rat_buf_free(&sql);
	free(times);
	free(mask);
	free(done);
	return error;
}

int rat_table__write_carried(writer *w)
{
	size_t i;
	int error = 0;

	for (i = 0; !error && i < w->carry_count; i++) {
		rat_born *grown = realloc(w->born, (w->born_count + 1) * sizeof(*grown));
		if (!grown)
			return rat_error__oom();
		w->born = grown;
		w->born[w->born_count++] = (rat_born){ w->files.count, w->carry[i].added_ms };
		w->pass_start = w->files.count;
		error = rat_table__copy_pass(w, w->carry[i].sql, NULL);
		if (error && rat_table__out_of_memory() && rat_table__can_split(w))
			error = rat_table__write_in_ranges(w, w->carry[i].sql);
	}
	return error;
}

/* The time of w->files[i]: its range's, 0 for new rows. */
static int64_t born_of(const writer *w, size_t i)
{
	int64_t ms = 0;
	size_t r;

	for (r = 0; r < w->born_count && w->born[r].from <= i; r++)
		ms = w->born[r].ms;
	return ms;
}

/*
 * A table that has no state yet (written before librat kept one, or by
 * another engine only): start from its live files' derived times.
 */
static int start_state(writer *w)
{
	rat_scan_options opts = RAT_SCAN_OPTIONS_INIT;
	rat_scan scan;
	size_t i;
	int error;

	if (w->added_at.found || !w->exists || w->meta.current_snapshot_id < 0)
		return 0;
	opts.metadata_key = w->old_key;
	if ((error = rat_table__plan(&scan, w->store, &opts)) != 0)
		return error;
	for (i = 0; !error && i < scan.data.count; i++)
		error = rat_table__added_at_set(&w->added_at, scan.data.items[i].path,
						rat_table__added_at_of(&w->added_at, &scan.meta,
								       &scan.data.items[i]));
	rat_table__scan_free(&scan);
	return error;
}

int rat_table__next_added_at(writer *w, char **key)
{
	int64_t now;
	size_t i;
	int error = 0;

	*key = NULL;
	if (w->opts->mode != RAT_WRITE_OVERWRITE && (error = start_state(w)) != 0)
		return error;
	/* new rows: the commit's time, never below the newest the table holds (RAT_NOW) */
	now = w->now_ms > w->added_at.newest ? w->now_ms : w->added_at.newest;
	if (w->opts->mode == RAT_WRITE_OVERWRITE) { /* every file replaced */
		json_decref(w->added_at.files);
		if ((w->added_at.files = json_object()) == NULL)
			return rat_error__oom();
	}
	for (i = 0; i < w->gone.count; i++)
		rat_table__added_at_remove(&w->added_at, w->gone.strings[i]);
	for (i = 0; !error && i < w->files.count; i++) {
		int64_t ms = born_of(w, i);
		error = rat_table__added_at_set(&w->added_at, w->files.items[i].path, ms ? ms : now);
	}
	return error ? error : rat_table__added_at_write(&w->added_at, w->store, key);
}

void rat_table__carry_free(writer *w)
{
	size_t i;

	for (i = 0; i < w->carry_count; i++)
		free(w->carry[i].sql);
	free(w->carry);
	w->carry = NULL;
	w->carry_count = 0;
	free(w->born);
	w->born = NULL;
	w->born_count = 0;
	rat_strarray_free(&w->gone);
	rat_table__added_at_free(&w->added_at);
}
