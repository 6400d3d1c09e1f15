/*
 * pipeline/retention.c - `rat retention apply` (rat/maintenance.h).
 *
 * Each table of the workspace's branch, in a layer with retention_days,
 * loses its rows older than the cutoff, by its date: the column its
 * partitioning is derived from when that is a date or timestamp, else
 * _ingested_at, else _ingested_date. The deletes are written on a branch of
 * their own (RAT_WRITE_DELETE: whole files go where the partitioning
 * follows the date, others are rewritten) and published to the workspace's
 * branch as one commit.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/random.h"
#include "util/sql.h"
#include "rat/catalog.h"
#include "rat/engine.h"
#include "rat/maintenance.h"
#include "rat/workspace.h"
#include "engine/engine.h"
#include "session/session.h"
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

/* The table's date column and its Iceberg type; false when it has none. */
static bool date_column(const rat_table_metadata *meta, const char **name, const char **type)
{
	const rat_table_schema *schema = rat_table__schema(meta, meta->current_schema_id);
	const rat_table_spec *spec = rat_table__spec(meta, meta->default_spec_id);
	static const char *const fallbacks[] = { "_ingested_at", "_ingested_date" };
	size_t i, j;

	for (i = 0; schema && spec && i < spec->field_count; i++) {
		const rat_table_field *f = rat_table__field(schema, spec->fields[i].source_id);
		const char *t = spec->fields[i].transform;
		if (f && is_date_type(f->type) &&
		    (strcmp(t, "identity") == 0 || strcmp(t, "day") == 0 || strcmp(t, "month") == 0 ||
		     strcmp(t, "year") == 0 || strcmp(t, "hour") == 0)) {
			*name = f->name;
			*type = f->type;
			return true;
		}
	}
	for (j = 0; schema && j < RAT_ARRAY_SIZE(fallbacks); j++)
		for (i = 0; i < schema->field_count; i++)
			if (strcasecmp(schema->fields[i].name, fallbacks[j]) == 0 &&
			    is_date_type(schema->fields[i].type)) {
				*name = schema->fields[i].name;
				*type = schema->fields[i].type;
				return true;
			}
	return false;
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

static int count_matching(rat_engine *engine, const char *key, const char *cond, int64_t *n)
{
	rat_buf sql = RAT_BUF_INIT;
	rat_result *result = NULL;
	int error;

	*n = 0;
	if ((error = rat_buf_puts(&sql, "SELECT count(*) FROM ")) == 0 &&
	    (error = rat_sql__relation(&sql, key)) == 0 &&
	    (error = rat_buf_printf(&sql, " WHERE %s", cond)) == 0 &&
	    (error = rat_engine_query(&result, engine, rat_buf_cstr(&sql))) == 0 &&
	    (error = rat_result_next(result)) == 1)
		error = rat_result_get_int64(result, 0, n);
	rat_result_free(result);
	rat_buf_free(&sql);
	return error < 0 ? error : 0;
}

typedef struct pass {
	const rat_workspace *ws;
	rat_catalog *catalog;
	rat_engine *engine;      /* bound to the branch being read, unlocked */
	const char *branch;      /* where deletes are written */
	bool dry_run;
	char cutoff[32];         /* for the table at hand */
	storage *st;
} pass;

static int one_table(pass *ps, const rat_catalog_entry *c, rat_retention_item *item)
{
	rat_layer_settings settings;
	rat_table_metadata meta;
	rat_store *store = NULL;
	rat_buf cond = RAT_BUF_INIT;
	const char *column = NULL, *type = NULL;
	rat_layer layer;
	char name[16];
	int error = 0;

	item->table = keep(ps->st, c->key);
	item->column = item->cutoff = item->note = "";
	snprintf(name, sizeof(name), "%.*s", (int)(strchr(c->key, '.') - c->key), c->key);
	if (rat_layer_parse(&layer, name) != 0) {
		rat_error_clear();
		item->note = "not in a medallion layer";
		return 0;
	}
	rat_workspace_layer(ps->ws, layer, &settings);
	item->retention_days = settings.retention_days;
	if (settings.retention_days < 0) {
		item->note = "kept forever (retention_days: null)";
		return 0;
	}
	if (c->state.view) {
		item->note = "a view: it holds no rows";
		return 0;
	}
	if ((error = rat_workspace__entry_metadata(&meta, &store, ps->ws, c)) != 0)
		return error;
	if (!date_column(&meta, &column, &type)) {
		item->note = "no date column (partition date, _ingested_at or _ingested_date): kept";
		goto cleanup;
	}
	{
		time_t t = (time_t)((rat_workspace__now_ms(ps->ws) / 1000) - settings.retention_days * 86400);
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(ps->cutoff, sizeof(ps->cutoff), "%Y-%m-%d %H:%M:%S", &tm);
	}
	item->column = keep(ps->st, column);
	item->cutoff = keep(ps->st, ps->cutoff);
	if ((error = condition(&cond, column, type, ps->cutoff)) != 0 ||
	    (error = count_matching(ps->engine, c->key, rat_buf_cstr(&cond), &item->rows_deleted)) != 0)
		goto cleanup;
	if (!ps->dry_run && item->rows_deleted > 0) {
		rat_write_options opts = RAT_WRITE_OPTIONS_INIT;
		rat_write_result result;
		opts.mode = RAT_WRITE_DELETE;
		if ((error = rat_workspace__write_table_unpinned(&result, ps->ws, ps->catalog,
								 ps->engine, ps->branch, c->key,
								 rat_buf_cstr(&cond), &opts,
								 "retention")) == 0) {
			item->files_removed = result.removed_files;
			item->files_added = result.added_files;
		}
	}
cleanup:
	if (error)
		rat_error__prefix("retention of %s", c->key);
	rat_buf_free(&cond);
	rat_table__metadata_free(&meta);
	rat_store__free(store);
	return error;
}

int rat_retention_apply(rat_retention_report *out, const rat_workspace *ws, int dry_run)
{
	pass ps;
	rat_contents contents = { NULL, 0 };
	char base[RAT_HASH_LEN + 1], commit[RAT_HASH_LEN + 1], branch[64];
	unsigned char bytes[4];
	bool forked = false;
	size_t i;
	int error;

	memset(out, 0, sizeof(*out));
	memset(&ps, 0, sizeof(ps));
	ps.ws = ws;
	ps.dry_run = dry_run != 0;
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
	if ((error = rat_workspace__open_engine(&ps.engine, ws)) != 0 ||
	    (error = rat_session__bind(ps.engine, ws, ps.catalog, base, false)) != 0)
		goto cleanup;
	if (!dry_run) {
		if ((error = rat_catalog__create_ref(ps.catalog, branch, RAT_REF_BRANCH, base)) != 0)
			goto cleanup;
		forked = true;
	}
	for (i = 0; !error && i < contents.count; i++)
		error = one_table(&ps, &contents.items[i], &out->items[out->count++]);
	if (!error && !dry_run &&
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
