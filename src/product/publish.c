/*
 * product/publish.c - publishing a product version (see product.h).
 *
 * 1. Read the source's columns on the workspace's branch, and pick the new
 *    version: the one asked for, or a bump of the latest (patch, or minor
 *    when columns were added; 1.0.0 first). A dropped or retyped column
 *    needs a new major: refused otherwise, naming the column.
 * 2. Write the rows into one Parquet file in a staging folder, then put it
 *    (and a version.json describing it) under the version's own folder,
 *    with a unique name.
 * 3. Record the product, its rules (from the config) and the version in the
 *    registry. The version is visible to subscribers only from then on; a
 *    failure before leaves an unrecorded folder and changes nothing.
 *
 * One publish of a product at a time: each holds the product's lock (under
 * RAT_HOME/leases/) from before it reads the registry to after it records,
 * so two racing publishes pick two versions, or the second fails naming the
 * version the first took, and each version's folder holds its own files
 * only (what a crashed attempt left there is removed first). A lease on
 * the owner's _products/ folder keeps `rat vacuum` off the files meanwhile.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/random.h"
#include "util/sql.h"
#include "rat/catalog.h"
#include "rat/engine.h"
#include "rat/product.h"
#include "rat/workspace.h"
#include "engine/engine.h"
#include "product/product.h"
#include "product/registry.h"
#include "storage/storage.h"
#include "workspace/lease.h"
#include "workspace/tables.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct publishing {
	const rat_workspace *ws;
	const rat_product_config *cfg;
	const rat_publish_options *opts;
	rat_registry *reg;
	rat_catalog *catalog;
	rat_engine *engine;
	char relation[160];
	rat_product_version v;   /* what is being published */
	const rat_product_version *previous; /* the highest published so far, or NULL */
	rat_product_entries existing;
	char *stage;
	rat_lease *lock, *lease;
} publishing;

static const rat_product_column *column_named(const rat_product_version *v, const char *name)
{
	size_t i;

	for (i = 0; i < v->column_count; i++)
		if (strcasecmp(v->columns[i].name, name) == 0)
			return &v->columns[i];
	return NULL;
}

/* The source's columns and rows, read in a session bound to the workspace's branch. */
static int read_source(publishing *pb)
{
	rat_result *result = NULL;
	rat_buf sql = RAT_BUF_INIT, rel = RAT_BUF_INIT;
	size_t i, n;
	int error;

	if ((error = rat_sql__relation(&rel, pb->cfg->source)) != 0)
		return error;
	snprintf(pb->relation, sizeof(pb->relation), "%s", rat_buf_cstr(&rel));
	rat_buf_free(&rel);
	if ((error = rat_buf_printf(&sql, "SELECT * FROM %s LIMIT 0", pb->relation)) != 0 ||
	    (error = rat_engine_query(&result, pb->engine, rat_buf_cstr(&sql))) != 0) {
		rat_error__prefix("product %s: source %s", pb->cfg->name, pb->cfg->source);
		goto cleanup;
	}
	n = rat_result_column_count(result);
	if ((pb->v.columns = rat__calloc(n ? n : 1, sizeof(*pb->v.columns))) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	for (i = 0; i < n; i++, pb->v.column_count++) {
		pb->v.columns[i].name = rat__strdup(rat_result_column_name(result, i));
		pb->v.columns[i].type = rat__strdup(rat_result_column_type_name(result, i));
		if (!pb->v.columns[i].name || !pb->v.columns[i].type) {
			error = RAT_ENOMEM;
			break;
		}
	}
	rat_result_free(result);
	result = NULL;
	rat_buf_clear(&sql);
	if (!error && (error = rat_buf_printf(&sql, "SELECT count(*) FROM %s", pb->relation)) == 0 &&
	    (error = rat_engine_query(&result, pb->engine, rat_buf_cstr(&sql))) == 0 &&
	    (error = rat_result_next(result)) == 1)
		error = rat_result_get_int64(result, 0, &pb->v.rows);
cleanup:
	rat_result_free(result);
	rat_buf_free(&sql);
	return error < 0 ? error : 0;
}

/* A breaking change from the previous version: the first column dropped or retyped. */
/* Whether the new version drops or retypes a column of the previous one: *why says which. */
static int breaking(const publishing *pb, rat_buf *why, bool *breaks)
{
	const rat_product_version *prev = pb->previous;
	char text[128];
	size_t i;

	*breaks = false;
	rat_semver__format(text, sizeof(text), &prev->version);
	for (i = 0; i < prev->column_count; i++) {
		const rat_product_column *now = column_named(&pb->v, prev->columns[i].name);
		if (!now) {
			*breaks = true;
			return rat_buf_printf(why, "drops column '%s' of %s", prev->columns[i].name,
					      text);
		}
		if (strcmp(now->type, prev->columns[i].type) != 0) {
			*breaks = true;
			return rat_buf_printf(why, "retypes column '%s' of %s from %s to %s",
					      prev->columns[i].name, text, prev->columns[i].type,
					      now->type);
		}
	}
	return 0;
}

static bool adds_columns(const publishing *pb)
{
	size_t i;

	for (i = 0; i < pb->v.column_count; i++)
		if (!column_named(pb->previous, pb->v.columns[i].name))
			return true;
	return false;
}

static int pick_version(publishing *pb)
{
	const rat_publish_options *o = pb->opts;
	const rat_product_version *prev = pb->previous;
	rat_buf why = RAT_BUF_INIT;
	char text[128], was[128];
	const char *bump = o->bump;
	bool breaks = false;
	int error = 0;

	if (o->new_version && o->bump)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "give --version or --bump, not both");
	if (o->new_version) {
		if ((error = rat_semver__parse(&pb->v.version, o->new_version)) != 0)
			return error;
	} else if (!prev) {
		pb->v.version = (rat_semver){ 1, 0, 0, "" };
	} else {
		if (!bump)
			bump = adds_columns(pb) ? "minor" : "patch";
		pb->v.version = (rat_semver){ prev->version.major, prev->version.minor,
					      prev->version.patch, "" };
		if (strcmp(bump, "major") == 0)
			pb->v.version = (rat_semver){ prev->version.major + 1, 0, 0, "" };
		else if (strcmp(bump, "minor") == 0)
			pb->v.version = (rat_semver){ prev->version.major, prev->version.minor + 1, 0,
						      "" };
		else if (strcmp(bump, "patch") == 0)
			pb->v.version.patch += prev->version.pre[0] ? 0 : 1;
		else
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
					      "--bump is major, minor or patch, not '%s'", bump);
	}
	rat_semver__format(text, sizeof(text), &pb->v.version);
	if (prev) {
		rat_semver__format(was, sizeof(was), &prev->version);
		if (rat_semver__compare(&pb->v.version, &prev->version) <= 0)
			error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
					       "product %s: version %s is not after the latest, %s",
					       pb->cfg->name, text, was);
		else if (pb->v.version.major == prev->version.major &&
			 (error = breaking(pb, &why, &breaks)) == 0 && breaks)
			error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
					       "product %s: version %s %s: that breaks subscribers "
					       "and needs a new major version (--bump major)",
					       pb->cfg->name, text, rat_buf_cstr(&why));
	}
	rat_buf_free(&why);
	return error;
}

/* A store at the version's folder, with the workspace's S3 settings and read cache. */
static int version_store(rat_store **out, const publishing *pb)
{
	rat_store_options opts;
	int error;

	rat_workspace__store_options(pb->ws, &opts);
	if ((error = pb->v.location[0] == '/' ? rat_fs__mkdir_p(pb->v.location) : 0) == 0)
		error = rat_store__open(out, pb->v.location, &opts);
	return error;
}

/* version.json: what a reader of the folder needs without the registry. */
static char *describe_version(const publishing *pb)
{
	json_t *doc, *columns = json_array();
	char version[128], *text = NULL;
	size_t i;

	rat_semver__format(version, sizeof(version), &pb->v.version);
	for (i = 0; columns && i < pb->v.column_count; i++)
		json_array_append_new(columns, json_pack("{s:s, s:s}", "name", pb->v.columns[i].name,
							 "type", pb->v.columns[i].type));
	doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:o, s:s}", "owner", pb->v.owner,
			"product", pb->v.name, "version", version, "source", pb->v.source,
			"commit", pb->v.commit, "snapshot-id", (json_int_t)pb->v.snapshot_id, "rows",
			(json_int_t)pb->v.rows, "columns", columns, "file", pb->v.files.strings[0]);
	if (doc)
		text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(doc);
	return text;
}

/*
 * Empty the version's folder: the version is not recorded (the registry
 * said so under the product's lock), so what is there is a failed attempt's.
 */
static int clear_version(const publishing *pb)
{
	rat_store *store = NULL;
	rat_store_list all = { NULL, 0 };
	size_t i;
	int error;

	if (pb->v.location[0] == '/' && !rat_fs__exists(pb->v.location))
		return 0;
	if ((error = version_store(&store, pb)) == 0 && (error = rat_store__list(store, "", &all)) == 0)
		for (i = 0; !error && i < all.count; i++)
			error = rat_store__delete(store, all.items[i].key);
	rat_store__list_free(&all);
	rat_store__free(store);
	return error;
}

/* The rows into one Parquet file, then into the version's folder. */
static int write_files(publishing *pb)
{
	rat_buf sql = RAT_BUF_INIT;
	rat_store *store = NULL;
	char uuid[37], *local = NULL, *name = NULL, *about = NULL;
	int error;

	if ((error = rat_random__uuid(uuid)) != 0)
		return error;
	if ((pb->stage = rat__sprintf("%s/publish-%s", rat_workspace_spill_dir(pb->ws), uuid)) ==
		    NULL ||
	    (local = rat__sprintf("%s/data.parquet", pb->stage)) == NULL ||
	    (name = rat__sprintf("data-%s.parquet", uuid)) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = rat_fs__mkdir_p(pb->stage)) != 0 ||
	    (error = rat_buf_printf(&sql, "COPY (SELECT * FROM %s) TO ", pb->relation)) != 0 ||
	    (error = rat_sql__literal(&sql, local)) != 0 ||
	    (error = rat_buf_puts(&sql, " (FORMAT parquet)")) != 0 ||
	    (error = rat_engine__exec_own(pb->engine, rat_buf_cstr(&sql))) != 0 ||
	    (error = version_store(&store, pb)) != 0 ||
	    (error = rat_store__put_file(store, name, local)) != 0 ||
	    (error = rat_strarray__push(&pb->v.files, name)) != 0)
		goto cleanup;
	if ((about = describe_version(pb)) == NULL)
		error = rat_error__oom();
	else
		error = rat_store__put(store, "version.json", about, strlen(about));
cleanup:
	if (error)
		rat_error__prefix("product %s: writing its files", pb->cfg->name);
	rat_store__free(store);
	rat_buf_free(&sql);
	free(local);
	free(name);
	free(about);
	return error;
}

/* Who published what, from where. */
static int fill_identity(publishing *pb)
{
	const char *branch = rat_workspace_branch(pb->ws);
	rat_contents contents = { NULL, 0 };
	const rat_catalog_entry *entry;
	char hash[RAT_HASH_LEN + 1];
	int error;

	if ((error = rat_catalog__resolve(pb->catalog, branch, hash)) != 0 ||
	    (error = rat_catalog__contents(pb->catalog, hash, &contents)) != 0)
		return error;
	if ((entry = rat_catalog__find(&contents, pb->cfg->source)) == NULL)
		error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_WORKSPACE,
				       "product %s: its source %s is not on %s (run its pipeline "
				       "first)", pb->cfg->name, pb->cfg->source, branch);
	pb->v.owner = rat__strdup(rat_workspace_name(pb->ws));
	pb->v.name = rat__strdup(pb->cfg->name);
	pb->v.source = rat__strdup(pb->cfg->source);
	pb->v.commit = rat__strdup(hash);
	pb->v.snapshot_id = entry ? entry->state.snapshot_id : -1;
	pb->v.changelog = rat__strdup(pb->opts->changelog ? pb->opts->changelog : "");
	if (!error && (!pb->v.owner || !pb->v.name || !pb->v.source || !pb->v.commit ||
		       !pb->v.changelog))
		error = RAT_ENOMEM;
	rat_catalog__contents_free(&contents);
	return error;
}

static void find_previous(publishing *pb)
{
	size_t i;

	pb->previous = NULL;
	for (i = 0; pb->existing.count && i < pb->existing.items[0].version_count; i++) {
		const rat_product_version *v = &pb->existing.items[0].versions[i];
		if (!pb->previous || rat_semver__compare(&v->version, &pb->previous->version) > 0)
			pb->previous = v;
	}
}

static int record(publishing *pb)
{
	rat_product_rule *rules = rat__calloc(pb->cfg->access_count + 1, sizeof(*rules));
	size_t i;
	int error;

	if (!rules)
		return RAT_ENOMEM;
	for (i = 0; i < pb->cfg->access_count; i++) {
		rules[i].pattern = (char *)pb->cfg->access[i].workspace;
		rules[i].level = (char *)pb->cfg->access[i].level;
	}
	error = rat_registry__record(pb->reg, &pb->v, pb->cfg->description,
				     pb->cfg->sla_freshness_hours, pb->cfg->source, rules,
				     pb->cfg->access_count);
	free(rules);
	return error;
}

/* The product's lock, then a lease on the owner's _products/ folder. */
static int hold(publishing *pb)
{
	char *lock = rat__sprintf("product-%s-%s", rat_workspace_name(pb->ws), pb->cfg->name);
	char *root = rat_product__root(pb->ws);
	int error;

	if (!lock || !root)
		error = RAT_ENOMEM;
	else if ((error = rat_lease__lock(&pb->lock, pb->ws, lock)) == 0)
		error = rat_lease__take_at(&pb->lease, pb->ws, root, lock);
	free(lock);
	free(root);
	return error;
}

static int publish_one(char version[64], const rat_workspace *ws, const rat_product_config *cfg,
		       const rat_publish_options *opts)
{
	publishing pb;
	int error;

	memset(&pb, 0, sizeof(pb));
	pb.ws = ws;
	pb.cfg = cfg;
	pb.opts = opts;
	if ((error = hold(&pb)) != 0 ||
	    (error = rat_registry__open(&pb.reg, ws)) != 0 ||
	    (error = rat_registry__list(&pb.existing, pb.reg, rat_workspace_name(ws),
					cfg->name)) != 0 ||
	    (error = rat_workspace__open_catalog(&pb.catalog, ws)) != 0 ||
	    (error = fill_identity(&pb)) != 0 ||
	    (error = rat_workspace__open_engine(&pb.engine, ws)) != 0 ||
	    (error = rat_workspace__bind(pb.engine, ws, pb.catalog, rat_workspace_branch(ws), NULL,
					 NULL)) != 0 ||
	    (error = rat_product__bind(pb.engine, ws, NULL)) != 0 ||
	    (error = read_source(&pb)) != 0)
		goto cleanup;
	find_previous(&pb);
	if ((error = pick_version(&pb)) != 0)
		goto cleanup;
	rat_semver__format(version, 64, &pb.v.version);
	pb.v.published_ms = rat_workspace_now_ms(ws);
	if ((pb.v.location = rat__sprintf("%s/_products/%s/%s/%s", rat_workspace_warehouse(ws),
					  pb.v.owner, pb.v.name, version)) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = clear_version(&pb)) == 0 && (error = write_files(&pb)) == 0 &&
	    (error = record(&pb)) != 0 && error != RAT_EEXISTS)
		rat__ignore(clear_version(&pb)); /* best effort: vacuum removes what stays */
cleanup:
	rat_lease__release(pb.lease);
	rat_lease__release(pb.lock);
	if (pb.stage)
		rat_fs__remove_tree(pb.stage);
	free(pb.stage);
	rat_product_version_clear(&pb.v);
	rat_product_entries_free(&pb.existing);
	rat_engine_free(pb.engine);
	rat_catalog__free(pb.catalog);
	rat_registry__free(pb.reg);
	return error;
}

int rat_publish_options_init(rat_publish_options *opts, unsigned int version)
{
	static const rat_publish_options init = RAT_PUBLISH_OPTIONS_INIT;

	return rat__options_init(opts, &init, sizeof(init), version, RAT_PUBLISH_OPTIONS_VERSION,
				 "rat_publish_options");
}

int rat_product_publish(char version[64], const rat_workspace *ws, const char *name,
			const rat_publish_options *opts_in)
{
	rat_publish_options defaults = RAT_PUBLISH_OPTIONS_INIT;
	const rat_publish_options *opts = opts_in ? opts_in : &defaults;
	size_t i, done = 0;
	int error = 0;

	version[0] = '\0';
	if ((error = rat__options_check(opts->version, RAT_PUBLISH_OPTIONS_VERSION,
					"rat_publish_options")) != 0)
		return error;
	for (i = 0; !error && i < rat_workspace_product_count(ws); i++) {
		const rat_product_config *cfg = rat_workspace_product(ws, i);
		if (name && strcmp(name, cfg->name) != 0)
			continue;
		error = publish_one(version, ws, cfg, opts);
		done++;
	}
	if (!error && !done)
		error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_WORKSPACE,
				       name ? "workspace %s declares no product '%s' (see products: "
					      "in its workspace.yaml)"
					    : "workspace %s declares no products%s",
				       rat_workspace_name(ws), name ? name : "");
	return error;
}
