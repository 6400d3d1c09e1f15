/*
 * workspace/tables.c - a workspace's tables on catalog branches (see
 * tables.h): where they live, writing a table or a view on a branch, and
 * dropping one (rat_table_drop of rat/table.h).
 */
#include "util/common.h"
#include "util/fs.h"
#include "util/error.h"
#include "rat/catalog.h"
#include "rat/engine.h"
#include "rat/table.h"
#include "rat/workspace.h"
#include "config/config.h"
#include "engine/engine.h"
#include "table/scan.h"
#include "table/view.h"
#include "workspace/lease.h"
#include "workspace/tables.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "namespace.table" -> the table's location (no trailing '/'); validates both parts. */
int rat_workspace__table_location(char **out, const rat_workspace *ws, const char *key)
{
	const char *dot = key ? strchr(key, '.') : NULL;
	char layer[RAT_NAMESPACE_MAX + 1];
	size_t n;
	int error;

	*out = NULL;
	if (!dot || (size_t)(dot - key) >= sizeof(layer))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
				      "'%s' is not a table name (layer.table or namespace.table)",
				      key ? key : "(null)");
	memcpy(layer, key, (size_t)(dot - key));
	layer[dot - key] = '\0';
	if ((error = rat_workspace_storage_path(out, ws, layer, dot + 1)) != 0)
		return error;
	n = strlen(*out);
	if (n > 1 && (*out)[n - 1] == '/')
		(*out)[n - 1] = '\0';
	return 0;
}


int rat_workspace__store_at(rat_store **out, const char *location, const rat_store_options *opts)
{
	int error = 0;

	*out = NULL;
	if (location[0] != '/' || (error = rat_fs__mkdir_p(location)) == 0)
		error = rat_store__open(out, location, opts);
	return error;
}

int rat_workspace__table_store(rat_store **out, const rat_workspace *ws, const char *key)
{
	rat_store_options opts;
	char *location = NULL;
	int error;

	*out = NULL;
	rat_workspace__store_options(ws, &opts);
	if ((error = rat_workspace__table_location(&location, ws, key)) == 0)
		error = rat_workspace__store_at(out, location, &opts);
	free(location);
	return error;
}

/* The key under the table root of a recorded metadata location; NULL if it is not under it. */
static const char *metadata_key(const char *metadata_location, const char *location)
{
	size_t n = strlen(location);

	if (strncmp(metadata_location, location, n) != 0 || metadata_location[n] != '/')
		return NULL;
	return metadata_location + n + 1;
}

/* Record key's new state on branch, against expected_head (NULL: whatever the head is). */
static int commit_state(rat_catalog *catalog, const char *branch, const char *expected_head,
			const char *key, const rat_table_state *state, const char *author)
{
	rat_catalog_op op = { RAT_OP_PUT, key, state };
	rat_commit_request request = { branch, expected_head, &op, 1,
				       author ? author : "ratatouille", NULL, NULL, 0 };
	char hash[RAT_HASH_LEN + 1], *message = rat__sprintf("write %s", key);
	int error;

	if (!message)
		return RAT_ENOMEM;
	request.message = message;
	error = rat_catalog__commit(catalog, &request, hash);
	free(message);
	return error;
}

/* Where key lives, and the metadata key (under it) that branch records, NULL for a new key. */
/* (A table written over a view, or a view over a table, starts a new history.) */
static int locate(char **location, const char **base, char head[RAT_HASH_LEN + 1],
		  rat_contents *contents, const rat_workspace *ws, rat_catalog *catalog,
		  const char *branch, const char *key, bool view)
{
	const rat_catalog_entry *current;
	int error;

	*base = NULL;
	if ((error = rat_catalog__resolve(catalog, branch, head)) != 0 ||
	    (error = rat_catalog__contents(catalog, head, contents)) != 0 ||
	    (error = rat_workspace__table_location(location, ws, key)) != 0 ||
	    (error = rat_workspace__namespace_of(catalog, head, branch, key)) != 0)
		return error;
	if ((current = rat_catalog__find(contents, key)) == NULL || current->state.view != view)
		return 0;
	if ((*base = metadata_key(current->state.metadata_location, *location)) == NULL)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
				      "%s on %s lives at %s, outside the workspace's storage %s", key,
				      branch, current->state.metadata_location, *location);
	return 0;
}

static int write_table(rat_write_result *out, const rat_workspace *ws, rat_catalog *catalog,
		       rat_engine *engine, const char *branch, const char *key,
		       const char *select_sql, const rat_write_options *base, const char *author,
		       bool pin_head)
{
	rat_write_options opts = RAT_WRITE_OPTIONS_INIT;
	char head[RAT_HASH_LEN + 1], *location = NULL, *metadata = NULL;
	rat_contents contents = { NULL, 0 };
	rat_store *store = NULL;
	rat_table_state state;
	rat_lease *lease = NULL;
	int error;

	memset(out, 0, sizeof(*out));
	if (base)
		opts = *base;
	if ((error = rat_lease__take(&lease, ws, key)) != 0 ||
	    (error = locate(&location, &opts.base_metadata, head, &contents, ws, catalog, branch,
			    key, false)) != 0 ||
	    (error = rat_workspace__table_store(&store, ws, key)) != 0)
		goto cleanup;
	opts.catalog_managed = true;
	opts.location = location;
	if (!opts.scratch_dir)
		opts.scratch_dir = rat_workspace_spill_dir(ws);
	if (!opts.now_ms)
		opts.now_ms = rat_workspace_now_ms(ws);
	if ((error = rat_table__write(out, store, engine, select_sql, &opts)) != 0 ||
	    !out->metadata_key[0])
		goto cleanup; /* failed, or nothing to change */
	if ((metadata = rat__sprintf("%s/%s", location, out->metadata_key)) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	memset(&state, 0, sizeof(state));
	state.metadata_location = metadata;
	state.snapshot_id = out->snapshot_id ? out->snapshot_id : -1;
	state.schema_id = out->schema_id;
	state.spec_id = out->spec_id;
	state.content_id = out->table_uuid;
	error = commit_state(catalog, branch, pin_head ? head : NULL, key, &state, author);
cleanup:
	rat_lease__release(lease);
	rat_catalog__contents_free(&contents);
	rat_store__free(store);
	free(location);
	free(metadata);
	return error;
}

int rat_workspace__write_table(rat_write_result *out, const rat_workspace *ws, rat_catalog *catalog,
			       rat_engine *engine, const char *branch, const char *key,
			       const char *select_sql, const rat_write_options *opts,
			       const char *author)
{
	return write_table(out, ws, catalog, engine, branch, key, select_sql, opts, author, true);
}

int rat_workspace__write_table_unpinned(rat_write_result *out, const rat_workspace *ws,
					rat_catalog *catalog, rat_engine *engine, const char *branch,
					const char *key, const char *select_sql,
					const rat_write_options *opts, const char *author)
{
	return write_table(out, ws, catalog, engine, branch, key, select_sql, opts, author, false);
}

int rat_workspace__write_view(const rat_workspace *ws, rat_catalog *catalog, rat_engine *engine,
			      const char *branch, const char *key, const char *sql,
			      const char *author)
{
	char head[RAT_HASH_LEN + 1], layer[RAT_NAMESPACE_MAX + 1], *location = NULL, *metadata = NULL;
	const char *base = NULL, *dot = strchr(key, '.');
	rat_contents contents = { NULL, 0 };
	rat_store *store = NULL;
	rat_view_write w;
	rat_view_result view;
	rat_table_state state;
	rat_lease *lease = NULL;
	int error;

	if ((error = rat_lease__take(&lease, ws, key)) != 0 ||
	    (error = locate(&location, &base, head, &contents, ws, catalog, branch, key, true)) != 0 ||
	    (error = rat_workspace__table_store(&store, ws, key)) != 0)
		goto cleanup;
	snprintf(layer, sizeof(layer), "%.*s", (int)(dot - key), key);
	w.sql = sql;
	w.location = location;
	w.default_namespace = layer;
	w.base_metadata = base;
	w.now_ms = rat_workspace_now_ms(ws);
	if ((error = rat_table__write_view(&view, store, engine, &w)) != 0 ||
	    (metadata = rat__sprintf("%s/%s", location, view.metadata_key)) == NULL) {
		error = error ? error : RAT_ENOMEM;
		goto cleanup;
	}
	memset(&state, 0, sizeof(state));
	state.metadata_location = metadata;
	state.snapshot_id = -1;
	state.schema_id = view.version_id;
	state.spec_id = -1;
	state.content_id = view.view_uuid;
	state.view = true;
	error = commit_state(catalog, branch, NULL, key, &state, author);
cleanup:
	rat_lease__release(lease);
	rat_catalog__contents_free(&contents);
	rat_store__free(store);
	free(location);
	free(metadata);
	return error;
}

/*
 * A store rooted at an entry's table (or view) folder `location`, and the
 * key in it of the metadata file the entry records: the recorded path from
 * its metadata/ folder on (*key points into the entry), so that a table
 * recorded under another root (moved, or written elsewhere) reads from
 * where it is now.
 */
int rat_workspace__entry_store_at(rat_store **store, const char **key, const rat_catalog_entry *c,
				  const char *location, const rat_store_options *opts)
{
	const char *slash = strstr(c->state.metadata_location, "/metadata/");
	int error;

	*store = NULL;
	if (!slash) {
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
				       "recorded metadata %s is not under a metadata/ folder",
				       c->state.metadata_location);
	} else { /* a read: the folder is not made (a write makes what it writes into) */
		*key = slash + 1;
		error = rat_store__open(store, location, opts);
	}
	if (error)
		rat_error__prefix("%s", c->key);
	return error;
}

/* Where entry c's table lives in ws (free()), and ws's store options. */
int rat_workspace__entry_location(char **out, bool *foreign, const rat_workspace *ws,
				  const rat_catalog_entry *c)
{
	const char *recorded = c->state.metadata_location, *slash = strstr(recorded, "/metadata/");
	const char *warehouse = rat_workspace_warehouse(ws);
	char *own = NULL, *prefix = NULL;
	size_t n = strlen(warehouse);
	int error;

	*out = NULL;
	if (foreign)
		*foreign = false;
	if ((error = rat_workspace__table_location(&own, ws, c->key)) != 0) {
		rat_error__prefix("%s", c->key);
		return error;
	}
	/* another workspace's table in this warehouse (on main, after `rat main merge`): where
	 * it is; one in this workspace's storage under another name (renamed through rat
	 * serve): where it is too; anything else is this workspace's, read where its storage
	 * is now (the workspace moved) */
	if (slash && strncmp(recorded, warehouse, n) == 0 && recorded[n] == '/' &&
	    (prefix = rat__sprintf("%s/%s/", warehouse, rat_workspace_s3_prefix(ws))) != NULL) {
		bool other = strncmp(recorded, prefix, strlen(prefix)) != 0;
		free(own);
		own = rat__strndup(recorded, (size_t)(slash - recorded));
		if (foreign && other)
			*foreign = true;
	}
	free(prefix);
	*out = own;
	return own ? 0 : RAT_ENOMEM;
}

static int entry_paths(char **location, rat_store_options *opts, const rat_workspace *ws,
		       const rat_catalog_entry *c)
{
	rat_workspace__store_options(ws, opts);
	return rat_workspace__entry_location(location, NULL, ws, c);
}

/* As rat_workspace__entry_store_at(), in the entry's folder in ws. */
int rat_workspace__entry_store(rat_store **store, const char **key, const rat_workspace *ws,
		       const rat_catalog_entry *c)
{
	rat_store_options opts;
	char *location;
	int error;

	*store = NULL;
	if ((error = entry_paths(&location, &opts, ws, c)) != 0)
		return error;
	error = rat_workspace__entry_store_at(store, key, c, location, &opts);
	free(location);
	return error;
}

/*
 * "<key>: <message>"; for a metadata file that cannot be read (not an I/O
 * failure), what rebuilds the table.
 */
static void name_table_error(const rat_catalog_entry *c)
{
	rat_error__prefix("%s", c->key);
	if (rat_error__detail() == RAT_DETAIL_METADATA_UNREADABLE)
		rat_error__suffix("; `rat run -f %s` rebuilds the table (its history starts again)",
				  c->key);
}

int rat_workspace__entry_metadata(rat_table_metadata *meta, rat_store **store,
				  const rat_workspace *ws, const rat_catalog_entry *c)
{
	const char *key;
	int error;

	memset(meta, 0, sizeof(*meta));
	if ((error = rat_workspace__entry_store(store, &key, ws, c)) != 0)
		return error;
	if ((error = rat_table__metadata_read(meta, *store, key)) != 0) {
		name_table_error(c);
		rat_store__free(*store);
		*store = NULL;
	}
	return error;
}

int rat_workspace__plan_entry_at(rat_scan *scan, rat_store **store, const rat_catalog_entry *c,
				 const char *location, const rat_store_options *store_opts)
{
	rat_scan_options opts = RAT_SCAN_OPTIONS_INIT;
	char *recorded = NULL;
	int error;

	memset(scan, 0, sizeof(*scan));
	if ((error = rat_workspace__entry_store_at(store, &opts.metadata_key, c, location,
						   store_opts)) != 0)
		return error;
	/* the root the recorded paths start with: what precedes its metadata/ */
	recorded = rat__strndup(c->state.metadata_location,
				(size_t)(opts.metadata_key - 1 - c->state.metadata_location));
	opts.relocate_from = recorded;
	if (!recorded)
		error = RAT_ENOMEM;
	else if ((error = rat_table__plan(scan, *store, &opts)) != 0)
		name_table_error(c);
	if (error) {
		rat_store__free(*store);
		*store = NULL;
	}
	free(recorded);
	return error;
}

/* Plan the version of a table a catalog entry records (relocating when it was written elsewhere). */
int rat_workspace__plan_entry(rat_scan *scan, rat_store **store, const rat_workspace *ws,
		      const rat_catalog_entry *c)
{
	rat_store_options opts;
	char *location;
	int error;

	memset(scan, 0, sizeof(*scan));
	*store = NULL;
	if ((error = entry_paths(&location, &opts, ws, c)) != 0)
		return error;
	error = rat_workspace__plan_entry_at(scan, store, c, location, &opts);
	free(location);
	return error;
}

int rat_workspace__view_sql_at(char **sql, const rat_catalog_entry *c, const char *location,
			      const rat_store_options *opts)
{
	rat_store *store = NULL;
	const char *key;
	int error;

	*sql = NULL;
	if ((error = rat_workspace__entry_store_at(&store, &key, c, location, opts)) == 0)
		error = rat_table__read_view(sql, store, key);
	rat_store__free(store);
	return error;
}

int rat_workspace__view_sql(char **sql, const rat_workspace *ws, const rat_catalog_entry *c)
{
	rat_store_options opts;
	char *location;
	int error;

	*sql = NULL;
	if ((error = entry_paths(&location, &opts, ws, c)) != 0)
		return error;
	error = rat_workspace__view_sql_at(sql, c, location, &opts);
	free(location);
	return error;
}

/*
 * The rows of a planned snapshot from its manifests: the data files' rows
 * less those position delete files remove (librat's never overlap). *exact
 * (when asked) is false when equality deletes remove more than that.
 */
int64_t rat_workspace__live_rows(const rat_scan *scan, bool *exact)
{
	int64_t rows = 0;
	size_t i;

	if (exact)
		*exact = true;
	for (i = 0; i < scan->data.count; i++)
		rows += scan->data.items[i].record_count;
	for (i = 0; i < scan->deletes.count; i++) {
		if (scan->deletes.items[i].content == RAT_CONTENT_POSITION_DELETES)
			rows -= scan->deletes.items[i].record_count;
		else if (exact)
			*exact = false;
	}
	return rows;
}

/* Table information (public rat/table.h) */


/* Writing on a branch: which, and who */

int rat_workspace__target_branch(const char **out, const rat_workspace *ws, const char *branch)
{
	const char *own = rat_workspace_branch(ws);

	*out = branch ? branch : own;
	if (strcmp(*out, own) == 0 || (strncmp(*out, "dev/", 4) == 0 && (*out)[4]))
		return 0;
	return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
			      "workspace '%s' writes only its own branch %s and dev/ branches, not "
			      "'%s'",
			      rat_workspace_name(ws), own, *out);
}

const char *rat_workspace__author(const rat_workspace *ws, const char *given)
{
	const char *user = rat_workspace__env(ws, "USER");

	if (given && *given)
		return given;
	return user && *user ? user : "ratatouille";
}

/* Dropping a table (rat/table.h) */

int rat_table_drop_options_init(rat_table_drop_options *opts, unsigned int version)
{
	static const rat_table_drop_options init = RAT_TABLE_DROP_OPTIONS_INIT;

	return rat__options_init(opts, &init, sizeof(init), version, RAT_TABLE_DROP_OPTIONS_VERSION,
				 "rat_table_drop_options");
}

/* Remove key from branch at head: one commit, against that head. */
static int drop_key(char commit[RAT_HASH_LEN + 1], rat_catalog *catalog, const char *branch,
		    const char *head, const char *key, const char *author)
{
	rat_catalog_op op = { RAT_OP_DELETE, key, NULL };
	rat_commit_request request = { branch, head, &op, 1, author, NULL, NULL, 0 };
	char *message = rat__sprintf("drop %s", key);
	int error;

	if (!message)
		return RAT_ENOMEM;
	request.message = message;
	error = rat_catalog__commit(catalog, &request, commit);
	free(message);
	return error;
}

int rat_table_drop(rat_table_drop_result *out, const rat_workspace *ws, const char *key,
		   const rat_table_drop_options *opts_in)
{
	rat_table_drop_options defaults = RAT_TABLE_DROP_OPTIONS_INIT;
	const rat_table_drop_options *opts = opts_in ? opts_in : &defaults;
	rat_contents contents = { NULL, 0 };
	const rat_catalog_entry *entry;
	rat_catalog *catalog = NULL;
	char head[RAT_HASH_LEN + 1], *location = NULL;
	const char *branch;
	int error;

	memset(out, 0, sizeof(*out));
	if ((error = rat__options_check(opts->version, RAT_TABLE_DROP_OPTIONS_VERSION,
					"rat_table_drop_options")) != 0 ||
	    (error = rat_workspace__target_branch(&branch, ws, opts->branch)) != 0 ||
	    (error = rat_workspace__table_location(&location, ws, key)) != 0 ||
	    (error = rat_workspace__open_catalog(&catalog, ws)) != 0 ||
	    (error = rat_catalog__resolve(catalog, branch, head)) != 0 ||
	    (error = rat_catalog__contents(catalog, head, &contents)) != 0)
		goto cleanup;
	snprintf(out->branch, sizeof(out->branch), "%s", branch);
	if ((entry = rat_catalog__find(&contents, key)) == NULL) {
		error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_WORKSPACE, "no table %s on %s", key,
				       branch);
		goto cleanup;
	}
	out->was_view = entry->state.view;
	if (!opts->dry_run)
		error = drop_key(out->commit, catalog, branch, head, key,
				 rat_workspace__author(ws, opts->author));
cleanup:
	if (error)
		rat_error__prefix("drop %s", key ? key : "(null)");
	rat_catalog__contents_free(&contents);
	rat_catalog__free(catalog);
	free(location);
	return error;
}
