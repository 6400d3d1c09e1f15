/*
 * maintenance/retention.c - `rat retention apply` (rat/maintenance.h).
 *
 * A row's age counts from when it entered its table. Each table of the
 * workspace's branch, in a layer with retention_days, loses the rows
 * loaded before the cutoff (now minus retention_days): those of the data
 * files whose rows entered before it, by librat's added-at state (rewrites
 * keep their rows' time: table/added_at.h), and, in a table that has
 * _ingested_at, stamped before it too. Nothing loaded since the cutoff goes,
 * however old its dates (a backfill). A layer's retention_column makes a
 * table go by that date instead, rows loaded lately included; even then, a
 * run's own rows stay after it (rat_retention_options.run_id) and are
 * reported. The deletes are written on a branch of their own
 * (RAT_WRITE_DELETE with the files that stay named: whole files go where
 * all their rows do, others are rewritten) and published to the workspace's
 * branch as one commit. A dry run counts with the same query the delete
 * runs (rat_table__delete_plan), so its report is exact.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/random.h"
#include "util/sql.h"
#include "rat/catalog.h"
#include "rat/engine.h"
#include "rat/maintenance.h"
#include "rat/workspace.h"
#include "engine/engine.h"
#include "table/added_at.h"
#include "table/scan.h"
#include "table/write.h"
#include "workspace/tables.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

typedef struct storage {
	rat_strarray pool;
	rat_retention_item items[];
} storage;

static storage *storage_of(rat_retention_item *items)
{
	return (storage *)((char *)items - offsetof(storage, items));
}

static const char *keep(storage *st, const char *s)
{
	return rat_strarray__keep(&st->pool, s);
}

static bool is_date_type(const char *type)
{
	return strcmp(type, "date") == 0 || strcmp(type, "timestamp") == 0 ||
	       strcmp(type, "timestamptz") == 0;
}

/* A top-level column of the schema (names compare ignoring case), or NULL. */
static const rat_table_field *column_of(const rat_table_schema *schema, const char *name)
{
	size_t i;

	for (i = 0; schema && i < schema->field_count; i++)
		if (strcasecmp(schema->fields[i].name, name) == 0)
			return &schema->fields[i];
	return NULL;
}

/* "col" < DATE '...' / TIMESTAMP '...' / TIMESTAMPTZ '...+00' */
static int condition(rat_buf *out, const char *column, const char *type, const char *cutoff)
{
	int error = rat_sql__ident(out, column);

	if (error)
		return error;
	if (strcmp(type, "date") == 0)
		return rat_buf_printf(out, " < DATE '%.10s'", cutoff);
	if (strcmp(type, "timestamptz") == 0)
		return rat_buf_printf(out, " < TIMESTAMPTZ '%s+00'", cutoff);
	return rat_buf_printf(out, " < TIMESTAMP '%s'", cutoff);
}

typedef struct pass {
	const rat_workspace *ws;
	rat_catalog *catalog;
	rat_engine *engine;      /* unlocked: the deletes read the tables' files */
	const char *branch;      /* where deletes are written */
	bool dry_run;
	const char *run_id;      /* the run whose rows stay; NULL: none */
	storage *st;
} pass;

/* One table's work, between choosing what it goes by and writing. */
typedef struct job {
	rat_retention_item *item;
	rat_store *store;
	const char *metadata_key;  /* the version the branch records */
	rat_scan scan;
	bool planned;
	const rat_table_field *by; /* the column it also goes by; NULL: load time alone */
	bool by_business_date;     /* by is the layer's retention_column */
	int64_t cutoff_ms;
	rat_strarray keep;         /* data files that stay whole (sorted) */
	bool kept_by_run;          /* some stay as the run's own */
	rat_buf cond;
} job;

/*
 * The column a table goes by besides load time: the layer's
 * retention_column (which must be a date or timestamp the table has: else
 * a note, and the table is kept), else _ingested_at when it has one.
 */
static int choose_column(pass *ps, job *j, const rat_layer_settings *settings)
{
	const rat_table_field *f;
	char note[512];

	if (!settings->retention_column[0]) {
		f = column_of(j->scan.schema, "_ingested_at");
		j->by = f && is_date_type(f->type) ? f : NULL;
		return 0;
	}
	f = column_of(j->scan.schema, settings->retention_column);
	if (f && is_date_type(f->type)) {
		j->by = f;
		j->by_business_date = true;
		return 0;
	}
	if (f)
		snprintf(note, sizeof(note), "retention_column %s is a %s, not a date or timestamp: kept",
			 f->name, f->type);
	else
		snprintf(note, sizeof(note), "retention_column %s is not a column of %s: kept",
			 settings->retention_column, j->item->table);
	return (j->item->note = keep(ps->st, note)) ? 0 : RAT_ENOMEM;
}

/* Whether the snapshot that added f was written by run_id. */
static bool written_by(const rat_table_metadata *meta, const rat_data_file *f, const char *run_id)
{
	const char *id;
	size_t i;

	for (i = 0; run_id && i < meta->snapshot_count; i++) {
		if (meta->snapshots[i].snapshot_id != f->snapshot_id)
			continue;
		id = json_string_value(json_object_get(meta->snapshots[i].summary, "rat.run-id"));
		return id && strcmp(id, run_id) == 0;
	}
	return false;
}

/*
 * The files that stay whole: those loaded since the cutoff (unless the
 * table goes by its retention_column), and those the run wrote.
 */
static int files_to_keep(pass *ps, job *j)
{
	rat_added_at state;
	size_t i;
	int error;

	if ((error = rat_table__added_at_read(&state, j->store, &j->scan.meta,
					      j->scan.meta.current_snapshot_id)) != 0)
		return error;
	for (i = 0; !error && i < j->scan.data.count; i++) {
		const rat_data_file *f = &j->scan.data.items[i];
		bool run = written_by(&j->scan.meta, f, ps->run_id);
		bool young = rat_table__added_at_of(&state, &j->scan.meta, f) >= j->cutoff_ms;
		j->kept_by_run |= run;
		if (run || (young && !j->by_business_date))
			error = rat_strarray__push(&j->keep, f->path);
	}
	rat_strarray__sort(&j->keep);
	rat_table__added_at_free(&state);
	return error;
}

/* The cutoff as ms and text, and the condition rows go by. */
static int set_cutoff(pass *ps, job *j, int64_t days)
{
	char text[32];
	time_t t;
	struct tm tm;

	j->cutoff_ms = rat_workspace_now_ms(ps->ws) - days * INT64_C(86400000);
	t = (time_t)(j->cutoff_ms / 1000);
	gmtime_r(&t, &tm);
	strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S", &tm);
	if ((j->item->cutoff = keep(ps->st, text)) == NULL ||
	    (j->item->column = keep(ps->st, j->by ? j->by->name : "")) == NULL)
		return RAT_ENOMEM;
	return j->by ? condition(&j->cond, j->by->name, j->by->type, text)
		     : rat_buf_puts(&j->cond, "true");
}

/* Count what would go; unless dry, delete it. */
static int delete_rows(pass *ps, job *j, const rat_catalog_entry *c, int64_t days)
{
	rat_retention_item *item = j->item;
	rat_delete_plan plan;
	char why[96];
	int error;

	if ((error = rat_table__delete_plan(&plan, j->store, ps->engine, j->metadata_key,
					    rat_buf_cstr(&j->cond), &j->keep)) != 0)
		return error;
	item->rows_deleted = plan.rows;
	item->files_removed = plan.files_removed;
	item->files_rewritten = plan.files_rewritten;
	if (j->by && plan.protected_rows > 0) { /* by load time alone, young rows are not old */
		item->rows_kept = plan.protected_rows;
		if (j->by_business_date)
			snprintf(why, sizeof(why), "written by run %s", ps->run_id);
		else
			snprintf(why, sizeof(why), "loaded in the last %lld days", (long long)days);
		if ((item->kept_why = keep(ps->st, why)) == NULL)
			return RAT_ENOMEM;
	}
	if (!ps->dry_run && plan.rows > 0) {
		rat_write_options opts = RAT_WRITE_OPTIONS_INIT;
		rat_write_result result;
		opts.mode = RAT_WRITE_DELETE;
		opts.keep_files = &j->keep;
		if ((error = rat_workspace__write_table_unpinned(&result, ps->ws, ps->catalog,
								 ps->engine, ps->branch, c->key,
								 rat_buf_cstr(&j->cond), &opts,
								 "retention")) != 0)
			return error;
		item->rows_deleted = result.deleted_rows;
		item->files_removed = result.removed_files;
		item->files_added = result.added_files;
	}
	return 0;
}

/* Why a table is not looked at, in item->note; true when it is. */
static bool applies(pass *ps, const rat_catalog_entry *c, rat_retention_item *item,
		    rat_layer_settings *settings)
{
	rat_layer layer;

	if (!rat_workspace__key_layer(&layer, c->key)) {
		item->note = "not in a medallion layer";
		item->retention_days = -1;
		return false;
	}
	rat_workspace_layer(ps->ws, layer, settings);
	item->retention_days = settings->retention_days;
	if (settings->retention_days < 0)
		item->note = "kept forever (retention_days: null)";
	else if (c->state.view)
		item->note = "a view: it holds no rows";
	return !item->note[0];
}

static int one_table(pass *ps, const rat_catalog_entry *c, rat_retention_item *item)
{
	rat_scan_options opts = RAT_SCAN_OPTIONS_INIT;
	rat_layer_settings settings;
	job j;
	int error;

	memset(&j, 0, sizeof(j));
	j.item = item;
	item->table = keep(ps->st, c->key);
	item->column = item->cutoff = item->note = item->kept_why = "";
	if (!item->table)
		return RAT_ENOMEM;
	if (!applies(ps, c, item, &settings))
		return 0;
	if ((error = rat_workspace__entry_store(&j.store, &j.metadata_key, ps->ws, c)) != 0)
		goto cleanup;
	opts.metadata_key = j.metadata_key;
	if ((error = rat_table__plan(&j.scan, j.store, &opts)) != 0)
		goto cleanup;
	j.planned = true;
	if ((error = choose_column(ps, &j, &settings)) != 0 || item->note[0])
		goto cleanup;
	if ((error = set_cutoff(ps, &j, settings.retention_days)) == 0 &&
	    (error = files_to_keep(ps, &j)) == 0)
		error = delete_rows(ps, &j, c, settings.retention_days);
cleanup:
	if (error)
		rat_error__prefix("retention of %s", c->key);
	if (j.planned)
		rat_table__scan_free(&j.scan);
	rat_strarray_free(&j.keep);
	rat_buf_free(&j.cond);
	rat_store__free(j.store);
	return error;
}

int rat_retention_options_init(rat_retention_options *opts, unsigned int version)
{
	static const rat_retention_options init = RAT_RETENTION_OPTIONS_INIT;

	return rat__options_init(opts, &init, sizeof(init), version, RAT_RETENTION_OPTIONS_VERSION,
				 "rat_retention_options");
}

int rat_retention_apply(rat_retention_report *out, const rat_workspace *ws, int dry_run)
{
	rat_retention_options opts = RAT_RETENTION_OPTIONS_INIT;

	opts.dry_run = dry_run;
	return rat_retention_run(out, ws, &opts);
}

int rat_retention_run(rat_retention_report *out, const rat_workspace *ws,
		      const rat_retention_options *opts_in)
{
	static const rat_retention_options defaults = RAT_RETENTION_OPTIONS_INIT;
	const rat_retention_options *opts = opts_in ? opts_in : &defaults;
	pass ps;
	rat_contents contents = { NULL, 0 };
	char base[RAT_HASH_LEN + 1], commit[RAT_HASH_LEN + 1], branch[64];
	unsigned char bytes[4];
	bool forked = false;
	size_t i;
	int error;

	memset(out, 0, sizeof(*out));
	if ((error = rat__options_check(opts->version, RAT_RETENTION_OPTIONS_VERSION,
					"rat_retention_options")) != 0)
		return error;
	memset(&ps, 0, sizeof(ps));
	ps.ws = ws;
	ps.dry_run = opts->dry_run != 0;
	ps.run_id = opts->run_id && *opts->run_id ? opts->run_id : NULL;
	ps.branch = branch;
	if ((error = rat_random__bytes(bytes, sizeof(bytes))) != 0)
		return error;
	snprintf(branch, sizeof(branch), "maintenance/retention-%02x%02x%02x%02x", bytes[0],
		 bytes[1], bytes[2], bytes[3]);
	if ((error = rat_workspace__open_catalog(&ps.catalog, ws)) != 0 ||
	    (error = rat_catalog__resolve(ps.catalog, rat_workspace_branch(ws), base)) != 0 ||
	    (error = rat_catalog__contents(ps.catalog, base, &contents)) != 0)
		goto cleanup;
	if ((ps.st = rat__calloc(1, sizeof(*ps.st) + contents.count * sizeof(rat_retention_item))) ==
	    NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	out->items = ps.st->items;
	out->commit = "";
	if ((error = rat_workspace__open_engine(&ps.engine, ws)) != 0)
		goto cleanup;
	if (!ps.dry_run) {
		if ((error = rat_catalog__create_ref(ps.catalog, branch, RAT_REF_BRANCH, base)) != 0)
			goto cleanup;
		forked = true;
	}
	for (i = 0; !error && i < contents.count; i++)
		error = one_table(&ps, &contents.items[i], &out->items[out->count++]);
	if (!error && !ps.dry_run &&
	    (error = rat_catalog__squash(commit, ps.catalog, branch, base, rat_workspace_branch(ws),
				     "retention", "retention", NULL)) == 0)
		out->commit = keep(ps.st, commit);
cleanup:
	if (forked && (!error || error != RAT_ECONFLICT)) {
		rat_error_saved saved;
		rat_error__save(&saved);
		/* best effort: a branch left behind is named by the error, and harmless */
		rat__ignore(rat_catalog__delete_ref(ps.catalog, branch, NULL));
		rat_error__restore(&saved);
	}
	if (error)
		rat_retention_report_free(out);
	rat_catalog__contents_free(&contents);
	rat_engine_free(ps.engine);
	rat_catalog__free(ps.catalog);
	return error;
}

void rat_retention_report_free(rat_retention_report *report)
{
	storage *st;

	if (!report || !report->items)
		return;
	st = storage_of(report->items);
	rat_strarray_free(&st->pool);
	free(st);
	memset(report, 0, sizeof(*report));
}
