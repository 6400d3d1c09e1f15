/*
 * schedule/ledger.c - what `rat serve` decided for each trigger
 * (rat/schedule.h), in RAT_HOME/orchestration.db (mode 0600, WAL):
 *
 *   ticks(workspace, trigger, tick_ms, state, note, updated_ms)
 *   seen(workspace, trigger, key, value, at_ms)
 *
 * A tick is recorded once (its key is the trigger and its time), so a
 * server that restarts, or a second one on the same RAT_HOME, never fires
 * it twice; `seen` is a sensor's cursor (a landing file and its size and
 * time) and the webhook ids a trigger has taken (replays refused).
 */
#include "util/common.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/sqlite.h"
#include "rat/schedule.h"
#include "rat/workspace.h"

#include <stdlib.h>
#include <string.h>

static const char schema[] =
	"CREATE TABLE IF NOT EXISTS ticks (workspace TEXT NOT NULL, trigger TEXT NOT NULL,"
	" tick_ms INTEGER NOT NULL, state TEXT NOT NULL, note TEXT NOT NULL,"
	" updated_ms INTEGER NOT NULL, PRIMARY KEY (workspace, trigger, tick_ms));"
	"CREATE TABLE IF NOT EXISTS seen (workspace TEXT NOT NULL, trigger TEXT NOT NULL,"
	" key TEXT NOT NULL, value TEXT NOT NULL, at_ms INTEGER NOT NULL,"
	" PRIMARY KEY (workspace, trigger, key));"
	"PRAGMA user_version = 1;";

typedef struct ledger {
	sqlite3 *db;
	sqlite3_stmt *st;
	char *path;
} ledger;

static void ledger_close(ledger *l)
{
	sqlite3_finalize(l->st);
	sqlite3_close(l->db);
	free(l->path);
	memset(l, 0, sizeof(*l));
}

/* The ledger of ws's RAT_HOME, open, with sql prepared and its first parameter the workspace. */
static int ledger_open(ledger *l, const rat_workspace *ws, const char *sql)
{
	int error;

	memset(l, 0, sizeof(*l));
	if (!(l->path = rat_fs__join(rat_workspace_home(ws), "orchestration.db")))
		return RAT_ENOMEM;
	if ((error = rat_sqlite__open_private(&l->db, l->path, "orchestration", schema, true)) != 0) {
		ledger_close(l);
		return error;
	}
	if (sqlite3_prepare_v2(l->db, sql, -1, &l->st, NULL) != SQLITE_OK ||
	    sqlite3_bind_text(l->st, 1, rat_workspace_name(ws), -1, SQLITE_TRANSIENT) != SQLITE_OK) {
		error = rat_sqlite__error(l->db, "orchestration", l->path, "cannot read");
		ledger_close(l);
	}
	return error;
}

/* Step l's statement to its end: 0, or RAT_EIO saying doing. */
static int ledger_done(ledger *l, const char *doing)
{
	int rc = sqlite3_step(l->st), error = 0;

	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		error = rat_sqlite__error(l->db, "orchestration", l->path, doing);
	return error;
}

/* ledger_open() for one trigger, bound as the second parameter. */
static int ledger_open_for(ledger *l, const rat_workspace *ws, const char *trigger, const char *sql)
{
	int error;

	memset(l, 0, sizeof(*l));
	if (!trigger || !trigger[0] || strlen(trigger) >= 512)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "no trigger id");
	if ((error = ledger_open(l, ws, sql)) == 0)
		sqlite3_bind_text(l->st, 2, trigger, -1, SQLITE_TRANSIENT);
	return error;
}

/* A tick's fields as parameters 3 to 6, then the statement stepped; *changed: rows it changed. */
static int tick_step(ledger *l, int64_t tick_ms, const char *state, const char *note, int64_t now_ms,
		     int *changed)
{
	int error;

	sqlite3_bind_int64(l->st, 3, tick_ms);
	sqlite3_bind_text(l->st, 4, state ? state : "", -1, SQLITE_STATIC);
	sqlite3_bind_text(l->st, 5, note ? note : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(l->st, 6, now_ms);
	if ((error = ledger_done(l, "cannot record a tick")) == 0)
		*changed = sqlite3_changes(l->db) > 0;
	ledger_close(l);
	return error;
}

int rat_trigger_tick_add(const rat_workspace *ws, const char *trigger, int64_t tick_ms,
			 const char *state, const char *note, int64_t now_ms, int *recorded)
{
	ledger l;
	int error;

	*recorded = 0;
	if ((error = ledger_open_for(&l, ws, trigger,
				     "INSERT OR IGNORE INTO ticks VALUES (?1, ?2, ?3, ?4, ?5, ?6)")) != 0)
		return error;
	return tick_step(&l, tick_ms, state, note, now_ms, recorded);
}

int rat_trigger_tick_set(const rat_workspace *ws, const char *trigger, int64_t tick_ms,
			 const char *state, const char *note, int64_t now_ms)
{
	ledger l;
	int error, changed = 0;

	if ((error = ledger_open_for(&l, ws, trigger,
				     "UPDATE ticks SET state = ?4, note = ?5, updated_ms = ?6"
				     " WHERE workspace = ?1 AND trigger = ?2 AND tick_ms = ?3")) != 0 ||
	    (error = tick_step(&l, tick_ms, state, note, now_ms, &changed)) != 0)
		return error;
	if (!changed)
		return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_INVALID,
				      "trigger %s has no tick at %lld recorded", trigger,
				      (long long)tick_ms);
	return 0;
}

int rat_trigger_tick_last(const rat_workspace *ws, const char *trigger, int64_t *tick_ms)
{
	ledger l;
	int error;

	*tick_ms = 0;
	if ((error = ledger_open_for(&l, ws, trigger, "SELECT max(tick_ms) FROM ticks WHERE"
						     " workspace = ?1 AND trigger = ?2")) != 0)
		return error;
	if (sqlite3_step(l.st) == SQLITE_ROW)
		*tick_ms = sqlite3_column_int64(l.st, 0);
	else
		error = rat_sqlite__error(l.db, "orchestration", l.path, "cannot read");
	ledger_close(&l);
	return error;
}

/* A list is one block: the strings back to back after the items. */
int rat_trigger_tick_list_get(rat_trigger_tick_list *out, const rat_workspace *ws,
			      const char *trigger, size_t limit)
{
	ledger l;
	rat_trigger_tick *items = NULL;
	size_t cap = 0;
	int error, rc;

	memset(out, 0, sizeof(*out));
	if ((error = ledger_open(&l, ws, "SELECT trigger, tick_ms, state, note, updated_ms FROM ticks"
					 " WHERE workspace = ?1 AND (?2 IS NULL OR trigger = ?2)"
					 " ORDER BY tick_ms DESC, trigger LIMIT ?3")) != 0)
		return error;
	sqlite3_bind_text(l.st, 2, trigger, -1, SQLITE_STATIC);
	sqlite3_bind_int64(l.st, 3, limit ? (int64_t)limit : -1);
	while (!error && (rc = sqlite3_step(l.st)) == SQLITE_ROW) {
		rat_trigger_tick *t;

		if (out->count == cap) {
			rat_trigger_tick *grown = realloc(items, (cap = cap ? 2 * cap : 16) * sizeof(*items));

			if (!grown) {
				error = rat_error__oom();
				break;
			}
			items = grown;
		}
		t = &items[out->count];
		t->trigger = strdup((const char *)sqlite3_column_text(l.st, 0));
		t->tick_ms = sqlite3_column_int64(l.st, 1);
		t->state = strdup((const char *)sqlite3_column_text(l.st, 2));
		t->note = strdup((const char *)sqlite3_column_text(l.st, 3));
		t->updated_ms = sqlite3_column_int64(l.st, 4);
		out->count++;
		if (!t->trigger || !t->state || !t->note)
			error = rat_error__oom();
	}
	if (!error && rc != SQLITE_DONE)
		error = rat_sqlite__error(l.db, "orchestration", l.path, "cannot read");
	out->items = items;
	ledger_close(&l);
	if (error)
		rat_trigger_tick_list_free(out);
	return error;
}

void rat_trigger_tick_list_free(rat_trigger_tick_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->count; i++) {
		free((char *)list->items[i].trigger);
		free((char *)list->items[i].state);
		free((char *)list->items[i].note);
	}
	free(list->items);
	memset(list, 0, sizeof(*list));
}

int rat_trigger_seen(const rat_workspace *ws, const char *trigger, const char *key,
		     const char *value, int64_t at_ms, int *changed)
{
	ledger l;
	int error;

	*changed = 0;
	if (!key || !key[0])
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "no key");
	if ((error = ledger_open_for(&l, ws, trigger, "INSERT INTO seen VALUES (?1, ?2, ?3, ?4, ?5)"
						      " ON CONFLICT (workspace, trigger, key) DO UPDATE"
						      " SET value = excluded.value, at_ms = excluded.at_ms"
						      " WHERE seen.value <> excluded.value")) != 0)
		return error;
	sqlite3_bind_text(l.st, 3, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(l.st, 4, value ? value : "", -1, SQLITE_STATIC);
	sqlite3_bind_int64(l.st, 5, at_ms);
	if ((error = ledger_done(&l, "cannot record what a trigger saw")) == 0)
		*changed = sqlite3_changes(l.db) > 0;
	ledger_close(&l);
	return error;
}

int rat_trigger_prune(const rat_workspace *ws, int64_t before_ms)
{
	ledger l;
	int error;

	/* the ticks decided before; a trigger's latest tick stays: where it goes on from */
	if ((error = ledger_open(&l, ws, "DELETE FROM ticks AS t WHERE workspace = ?1 AND"
					 " updated_ms < ?2 AND tick_ms < (SELECT max(tick_ms) FROM ticks"
					 " WHERE workspace = t.workspace AND trigger = t.trigger)")) != 0)
		return error;
	sqlite3_bind_int64(l.st, 2, before_ms);
	error = ledger_done(&l, "cannot prune");
	ledger_close(&l);
	return error;
}

int rat_trigger_seen_prune(const rat_workspace *ws, const char *trigger, int64_t before_ms)
{
	ledger l;
	int error;

	if ((error = ledger_open_for(&l, ws, trigger, "DELETE FROM seen WHERE workspace = ?1 AND"
						      " trigger = ?2 AND at_ms < ?3")) != 0)
		return error;
	sqlite3_bind_int64(l.st, 3, before_ms);
	error = ledger_done(&l, "cannot prune");
	ledger_close(&l);
	return error;
}
