/*
 * pipeline/build.c - building one pipeline on the run branch.
 *
 * A build opens its own engine session bound to the run branch as it is
 * when the build starts (so it sees what upstream builds committed) and
 * locked down like any session: the pipeline's SQL reaches the workspace's
 * tables and landing folder and nothing else. It renders the SQL (or runs
 * the executable and reads what it wrote), writes the table (or the view)
 * and commits it to the run branch, then rebinds the new version and runs
 * the pipeline's checks on it.
 *
 * Ingestion: a pipeline with `landing:` reads the files of
 * landing/<folder>/ through {{ landing_files }}. An incremental one reads
 * only the files its table's current snapshot does not list as ingested;
 * the new list is a file under the table's metadata/ named in the snapshot
 * summary (rat.ingested-files), so it is committed with the data it
 * describes.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/random.h"
#include "util/sha256.h"
#include "util/sql.h"
#include "engine/session.h"
#include "pipeline/run.h"
#include "pipeline/template.h"
#include "workspace/tables.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#define INGESTED_KEY "rat.ingested-files"
#define FINGERPRINT_KEY "rat.fingerprint"

typedef struct build {
	const rat_run_context *ctx;
	const rat_pipeline *p;
	rat_run_record *rec;
	rat_run_step *step;
	rat_catalog *catalog;
	rat_engine *engine;
	char relation[160];       /* "layer"."name" */
	char *scratch;            /* spill/runs/<id>/<key> */
	const rat_catalog_entry *entry; /* the key on the branch when the build began */
	rat_contents contents;
	bool incremental;
	rat_strarray ingested;    /* names already ingested (relative to the landing folder) */
	rat_strarray new_abs, new_rel;
	char fingerprint[65];     /* of the compiled SQL and the inputs' versions */
} build;

/* Template callbacks */

static int ref_cb(void *ctx, const char *name, rat_buf *out)
{
	(void)ctx;
	return rat_sql__relation(out, name);
}

int rat_run__watermark(rat_buf *out, rat_engine *engine, const char *relation, const char *column)
{
	rat_buf sql = RAT_BUF_INIT, col = RAT_BUF_INIT;
	rat_result *result = NULL;
	const char *value = NULL, *type = NULL;
	int error;

	if ((error = rat_sql__ident(&col, column)) != 0 ||
	    (error = rat_buf_printf(&sql, "SELECT CAST(max(%s) AS VARCHAR), typeof(max(%s)) FROM %s",
				    rat_buf_cstr(&col), rat_buf_cstr(&col), relation)) != 0)
		goto cleanup;
	if ((error = rat_engine_query(&result, engine, rat_buf_cstr(&sql))) != 0) {
		rat_error__prefix("watermark('%s')", column);
		goto cleanup;
	}
	if ((error = rat_result_next(result)) < 0)
		goto cleanup;
	error = 0;
	rat_result_get_text(result, 0, &value, NULL);
	rat_result_get_text(result, 1, &type, NULL);
	if (!value || !type)
		error = rat_buf_puts(out, "NULL");
	else if ((error = rat_buf_puts(out, "CAST(")) == 0 &&
		 (error = rat_sql__literal(out, value)) == 0)
		error = rat_buf_printf(out, " AS %s)", type);
cleanup:
	rat_result_free(result);
	rat_buf_free(&sql);
	rat_buf_free(&col);
	return error;
}

/* watermark() in a build: NULL while the table is new. */
static int watermark_cb(void *ctx, const char *column, rat_buf *out)
{
	build *b = ctx;

	if (!b->entry || b->entry->state.view)
		return rat_buf_puts(out, "NULL");
	return rat_run__watermark(out, b->engine, b->relation, column);
}

static const char *var_cb(void *ctx, const char *name)
{
	const build *b = ctx;
	size_t i, n = strlen(name);

	for (i = 0; i < b->ctx->opts->var_count; i++) {
		const char *v = b->ctx->opts->vars[i];
		if (strncmp(v, name, n) == 0 && v[n] == '=')
			return v + n + 1;
	}
	return NULL;
}

/* A SQL list literal of paths: ['/a.csv', '/b.csv']. */
static int list_literal(rat_buf *out, const rat_strarray *paths)
{
	size_t i;
	int error = rat_buf_putc(out, '[');

	for (i = 0; !error && i < paths->count; i++)
		if ((error = rat_buf_puts(out, i ? ", " : "")) == 0)
			error = rat_sql__literal(out, paths->strings[i]);
	return error ? error : rat_buf_putc(out, ']');
}

static int render(build *b, rat_buf *sql)
{
	rat_template_context tc = RAT_TEMPLATE_CONTEXT_INIT;
	rat_buf landing = RAT_BUF_INIT;
	int error = 0;

	tc.path = b->p->display;
	tc.ref = ref_cb;
	tc.this_relation = b->relation;
	tc.is_incremental = b->incremental;
	tc.watermark = watermark_cb;
	tc.var = var_cb;
	tc.run_started_at = b->ctx->started_at;
	tc.macros = b->ctx->pipelines->macros;
	tc.macro_count = b->ctx->pipelines->macro_count;
	tc.ctx = b;
	if (b->p->landing && (error = list_literal(&landing, &b->new_abs)) == 0)
		tc.landing_files = rat_buf_cstr(&landing);
	if (!error)
		error = rat_template__render(sql, b->p->sql, &tc);
	rat_buf_free(&landing);
	return error;
}

/* Landing files */

static int list_files(rat_strarray *rel, const char *root, const char *sub, int depth)
{
	rat_strarray entries = RAT_STRARRAY_INIT;
	char *dir = sub ? rat__sprintf("%s/%s", root, sub) : rat__strdup(root);
	size_t i;
	int error;

	if (!dir)
		return RAT_ENOMEM;
	if (depth > 32) {
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				       "%s: folders nested too deep", dir);
		goto cleanup;
	}
	if ((error = rat_fs__list_dir(&entries, dir)) != 0)
		goto cleanup;
	for (i = 0; !error && i < entries.count; i++) {
		const char *name = entries.strings[i];
		char *child = sub ? rat__sprintf("%s/%s", sub, name) : rat__strdup(name);
		char *full = child ? rat__sprintf("%s/%s", root, child) : NULL;
		if (!full)
			error = RAT_ENOMEM;
		else if (name[0] == '.')
			; /* hidden files (.gitignore, editors' swap files) are not data */
		else if (rat_fs__is_dir(full))
			error = list_files(rel, root, child, depth + 1);
		else
			error = rat_strarray__push(rel, child);
		free(child);
		free(full);
	}
cleanup:
	rat_strarray_free(&entries);
	free(dir);
	return error;
}

int rat_run__new_landing_files(rat_strarray *abs, rat_strarray *rel, const rat_workspace *ws,
			       const rat_pipeline *p, const rat_strarray *ingested)
{
	rat_strarray all = RAT_STRARRAY_INIT;
	char *root = rat__sprintf("%s/landing/%s", rat_workspace_path(ws), p->landing);
	size_t i;
	int error = 0;

	if (!root)
		return RAT_ENOMEM;
	if (!rat_fs__is_dir(root)) {
		error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_PIPELINE,
				       "%s: landing folder landing/%s does not exist", p->display,
				       p->landing);
		goto cleanup;
	}
	if ((error = list_files(&all, root, NULL, 0)) != 0)
		goto cleanup;
	rat_strarray__sort(&all);
	for (i = 0; !error && i < all.count; i++) {
		char *full;
		if (ingested && rat_strarray__contains(ingested, all.strings[i]))
			continue;
		if ((full = rat__sprintf("%s/%s", root, all.strings[i])) == NULL ||
		    (error = rat_strarray__push_owned(abs, full)) != 0 ||
		    (error = rat_strarray__push(rel, all.strings[i])) != 0)
			error = error ? error : RAT_ENOMEM;
	}
cleanup:
	rat_strarray_free(&all);
	free(root);
	return error;
}

/* The names the table's current snapshot lists as ingested. */
static int load_ingested(build *b)
{
	rat_table_metadata meta;
	const rat_table_snapshot *snap;
	rat_store *store = NULL;
	rat_buf text = RAT_BUF_INIT;
	json_t *doc = NULL, *files, *f;
	const char *key;
	json_error_t jerr;
	size_t i;
	int error;

	if (!b->entry || b->entry->state.view)
		return 0;
	if ((error = rat_workspace__entry_metadata(&meta, &store, b->ctx->ws, b->entry)) != 0)
		return error;
	snap = meta.current_snapshot_id >= 0 ? rat_table__snapshot(&meta, meta.current_snapshot_id)
					     : NULL;
	key = snap ? json_string_value(json_object_get(snap->summary, INGESTED_KEY)) : NULL;
	if (!key)
		goto cleanup;
	if ((error = rat_store__get(store, key, &text, (uint64_t)256 << 20)) != 0)
		goto cleanup;
	doc = json_loadb(text.ptr ? text.ptr : "", text.len, 0, &jerr);
	if (!json_is_array(files = json_object_get(doc, "files"))) {
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				       "%s: %s is not a list of ingested files", b->p->key, key);
		goto cleanup;
	}
	json_array_foreach(files, i, f)
		if (json_is_string(f) &&
		    (error = rat_strarray__push(&b->ingested, json_string_value(f))) != 0)
			break;
cleanup:
	json_decref(doc);
	rat_buf_free(&text);
	rat_table__metadata_free(&meta);
	rat_store__free(store);
	return error;
}

/* Write the list of every file ingested once this write commits; *key gets its name. */
static int save_ingested(build *b, char **key)
{
	json_t *files = json_array(), *doc;
	rat_store *store = NULL;
	char uuid[37], *text = NULL;
	size_t i;
	int error;

	*key = NULL;
	for (i = 0; files && i < b->ingested.count; i++)
		json_array_append_new(files, json_string(b->ingested.strings[i]));
	for (i = 0; files && i < b->new_rel.count; i++)
		json_array_append_new(files, json_string(b->new_rel.strings[i]));
	doc = json_pack("{s:s, s:o}", "landing", b->p->landing, "files", files);
	if (!doc || (text = json_dumps(doc, JSON_COMPACT)) == NULL) {
		error = rat_error__oom();
		goto cleanup;
	}
	if ((error = rat_random__uuid(uuid)) != 0 ||
	    (error = rat_workspace__table_store(&store, b->ctx->ws, b->p->key)) != 0)
		goto cleanup;
	if ((*key = rat__sprintf("metadata/rat-ingested-%s.json", uuid)) == NULL)
		error = RAT_ENOMEM;
	else
		error = rat_store__put_new(store, *key, text, strlen(text));
cleanup:
	json_decref(doc);
	free(text);
	rat_store__free(store);
	return error;
}

/* Executable pipelines */

extern char **environ;

/* environ plus ours (NAME=value each), for the child. (free the array, not the strings of environ) */
static char **child_env(const rat_strarray *ours)
{
	size_t n = 0, i;
	char **env;

	while (environ[n])
		n++;
	if ((env = rat__calloc(n + ours->count + 1, sizeof(char *))) == NULL)
		return NULL;
	for (i = 0; i < ours->count; i++)
		env[i] = ours->strings[i];
	for (i = 0; i < n; i++) /* ours first: a name set twice takes the first */
		env[ours->count + i] = environ[i];
	return env;
}

/* The last lines of a log, for an error message. */
static char *log_tail(const char *path)
{
	rat_buf text = RAT_BUF_INIT;
	const char *s;
	int lines = 0;
	char *tail;

	if (rat_fs__read_file(&text, path, (size_t)16 << 20) != 0 || !text.len) {
		rat_error_clear();
		rat_buf_free(&text);
		return rat__strdup("(no output)");
	}
	for (s = text.ptr + text.len - 1; s > text.ptr; s--)
		if (*s == '\n' && s != text.ptr + text.len - 1 && ++lines == 10)
			break;
	tail = rat__strdup(s == text.ptr ? s : s + 1);
	rat_buf_free(&text);
	return tail;
}

static int spawn(build *b, const char *out_dir, const char *log_path)
{
	const rat_pipeline *p = b->p;
	const char *argv_py[] = { "python3", p->source_path, NULL };
	const char *argv_sh[] = { "sh", p->source_path, NULL };
	const char *argv_cmd[] = { "sh", "-c", p->command, NULL };
	const char *const *argv = p->kind == RAT_PIPELINE_PYTHON ? argv_py
				  : p->kind == RAT_PIPELINE_SHELL ? argv_sh : argv_cmd;
	rat_strarray ours = RAT_STRARRAY_INIT;
	posix_spawn_file_actions_t actions;
	char **env = NULL, *tail = NULL;
	int status = 0, error = 0, rc;
	pid_t pid;

	if (rat_strarray__push_owned(&ours, rat__sprintf("RAT_OUTPUT_DIR=%s", out_dir)) ||
	    rat_strarray__push_owned(&ours, rat__sprintf("RAT_PIPELINE=%s", p->key)) ||
	    rat_strarray__push_owned(&ours, rat__sprintf("RAT_WORKSPACE=%s",
							 rat_workspace_name(b->ctx->ws))) ||
	    rat_strarray__push_owned(&ours, rat__sprintf("RAT_RUN_ID=%s", b->ctx->run_id)) ||
	    rat_strarray__push_owned(&ours, rat__sprintf("RAT_RUN_STARTED_AT=%s",
							 b->ctx->started_at)) ||
	    rat_strarray__push_owned(&ours, rat__sprintf("RAT_IS_INCREMENTAL=%d", b->incremental)) ||
	    (p->landing && rat_strarray__push_owned(&ours, rat__sprintf("RAT_LANDING_DIR=%s/landing/%s",
					rat_workspace_path(b->ctx->ws), p->landing))) ||
	    (env = child_env(&ours)) == NULL) {
		rat_strarray_free(&ours);
		return RAT_ENOMEM;
	}
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, 1, log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_adddup2(&actions, 1, 2);
	posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addchdir_np(&actions, rat_workspace_path(b->ctx->ws));
	rc = posix_spawnp(&pid, argv[0], &actions, NULL, (char *const *)argv, env);
	posix_spawn_file_actions_destroy(&actions);
	if (rc != 0) {
		errno = rc;
		error = rat_error__os(RAT_EIO, "%s: cannot start %s", p->display, argv[0]);
		goto cleanup;
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		goto cleanup;
	tail = log_tail(log_path);
	if (WIFSIGNALED(status))
		error = rat_error__set(RAT_ERROR, RAT_ERRCLASS_PIPELINE,
				       "%s: %s was killed by signal %d; its last output:\n%s",
				       p->key, p->display, WTERMSIG(status), tail ? tail : "");
	else
		error = rat_error__set(RAT_ERROR, RAT_ERRCLASS_PIPELINE,
				       "%s: %s exited with status %d; its last output:\n%s", p->key,
				       p->display, WEXITSTATUS(status), tail ? tail : "");
cleanup:
	free(tail);
	free(env);
	rat_strarray_free(&ours);
	return error;
}

/* The SELECT over what an executable wrote (CSV, NDJSON, Parquet); "" when it wrote nothing. */
static int output_sql(rat_buf *sql, const char *out_dir, int64_t *files)
{
	static const struct {
		const char *suffix, *reader;
	} readers[] = { { ".csv", "read_csv" },       { ".ndjson", "read_json" },
			{ ".jsonl", "read_json" },    { ".json", "read_json" },
			{ ".parquet", "read_parquet" } };
	rat_strarray names = RAT_STRARRAY_INIT;
	size_t i, r;
	int error;

	*files = 0;
	if ((error = list_files(&names, out_dir, NULL, 0)) != 0)
		return error;
	rat_strarray__sort(&names);
	for (r = 0; !error && r < RAT_ARRAY_SIZE(readers); r++) {
		rat_strarray these = RAT_STRARRAY_INIT;
		for (i = 0; !error && i < names.count; i++)
			if (rat__str_has_suffix(names.strings[i], readers[r].suffix))
				error = rat_strarray__push_owned(&these, rat__sprintf("%s/%s", out_dir,
										names.strings[i]));
		if (!error && these.count) {
			*files += (int64_t)these.count;
			if ((error = rat_buf_printf(sql, "%sSELECT * FROM %s(",
						    sql->len ? " UNION ALL BY NAME " : "",
						    readers[r].reader)) == 0 &&
			    (error = list_literal(sql, &these)) == 0)
				error = rat_buf_putc(sql, ')');
		}
		rat_strarray_free(&these);
	}
	rat_strarray_free(&names);
	return error;
}

static int run_executable(build *b, rat_buf *sql)
{
	char *out_dir = rat__sprintf("%s/output", b->scratch);
	char *log_path = rat__sprintf("%s/output.log", b->scratch);
	int64_t files = 0;
	int error;

	if (!out_dir || !log_path) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = rat_fs__mkdir_p(out_dir)) == 0 && (error = spawn(b, out_dir, log_path)) == 0)
		error = output_sql(sql, out_dir, &files);
	b->step->files_ingested = files;
cleanup:
	free(out_dir);
	free(log_path);
	return error;
}

/* Writing */

/* The column names a query returns (planned with LIMIT 0, not run). */
static int result_columns(rat_strarray *out, rat_engine *engine, const char *sql)
{
	rat_result *result = NULL;
	rat_buf q = RAT_BUF_INIT;
	size_t i;
	int error;

	if ((error = rat_buf_printf(&q, "SELECT * FROM (%s\n) LIMIT 0", sql)) == 0 &&
	    (error = rat_engine_query(&result, engine, rat_buf_cstr(&q))) == 0)
		for (i = 0; !error && i < rat_result_column_count(result); i++)
			error = rat_strarray__push(out, rat_result_column_name(result, i));
	rat_result_free(result);
	rat_buf_free(&q);
	return error;
}

static bool has_all(const rat_strarray *columns, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!rat_strarray__contains(columns, names[i]))
			return false;
	return true;
}

/* Bronze rows get _ingested_at and _ingested_date (unless the query made its own); columns follows. */
static int add_ingestion_columns(build *b, rat_buf *sql, rat_strarray *columns)
{
	rat_buf wrapped = RAT_BUF_INIT;
	int error;

	if (strcmp(b->p->layer, "bronze") != 0)
		return 0;
	error = rat_buf_puts(&wrapped, "SELECT *");
	if (!error && !rat_strarray__contains(columns, "_ingested_at") &&
	    (error = rat_buf_printf(&wrapped, ", TIMESTAMPTZ '%s' AS _ingested_at",
				    b->ctx->started_at)) == 0)
		error = rat_strarray__push(columns, "_ingested_at");
	if (!error && !rat_strarray__contains(columns, "_ingested_date") &&
	    (error = rat_buf_printf(&wrapped, ", CAST(TIMESTAMPTZ '%s' AS DATE) AS _ingested_date",
				    b->ctx->started_at)) == 0)
		error = rat_strarray__push(columns, "_ingested_date");
	if (!error)
		error = rat_buf_printf(&wrapped, " FROM (%s\n)", rat_buf_cstr(sql));
	if (!error) {
		rat_buf_free(sql);
		*sql = wrapped;
	} else {
		rat_buf_free(&wrapped);
	}
	return error;
}

static int write_rows(build *b, const char *select_sql, const rat_strarray *columns)
{
	const rat_pipeline *p = b->p;
	rat_write_options opts = RAT_WRITE_OPTIONS_INIT;
	rat_layer_settings layer;
	rat_resources res;
	rat_layer which;
	rat_write_result result;
	const char *props[6];
	size_t nprops = 0;
	char *ingested_key = NULL, *stage = rat__sprintf("%s/stage", b->scratch);
	int error = 0;

	if (!stage)
		return RAT_ENOMEM;
	rat_layer_parse(&which, p->layer);
	rat_workspace_layer(b->ctx->ws, which, &layer);
	rat_workspace_resources(b->ctx->ws, &res);
	opts.mode = !b->incremental ? RAT_WRITE_OVERWRITE
		    : p->unique_key.count ? RAT_WRITE_MERGE : RAT_WRITE_APPEND;
	opts.unique_key = (const char *const *)p->unique_key.strings;
	opts.unique_key_count = p->unique_key.count;
	if (p->partition_by_set) {
		opts.partition_by = (const char *const *)p->partition_by.strings;
		opts.partition_count = p->partition_by.count;
	} else if (has_all(columns, layer.partition_by, layer.partition_by_count)) {
		opts.partition_by = layer.partition_by;
		opts.partition_count = layer.partition_by_count;
	}
	/* a rebuilt table takes the query's schema; an incremental one follows on_schema_change */
	opts.add_new_columns = !b->incremental || p->append_new_columns;
	opts.replace_schema = !b->incremental; /* a rebuilt table drops the columns its query lost */
	opts.scratch_dir = stage;
	opts.row_group_size = res.chunk_size_rows;
	opts.now_ms = 0;
	props[nprops++] = "rat.run-id";
	props[nprops++] = b->ctx->run_id;
	props[nprops++] = FINGERPRINT_KEY;
	props[nprops++] = b->fingerprint;
	if (p->landing && p->materialized == RAT_MATERIALIZE_INCREMENTAL) {
		if ((error = save_ingested(b, &ingested_key)) != 0)
			goto cleanup;
		props[nprops++] = INGESTED_KEY;
		props[nprops++] = ingested_key;
	}
	opts.summary_properties = props;
	opts.summary_property_count = nprops / 2;
	if ((error = rat_workspace__write_table_unpinned(&result, b->ctx->ws, b->catalog, b->engine,
							 b->ctx->branch, p->key, select_sql, &opts,
							 b->ctx->author)) != 0)
		goto cleanup;
	b->step->rows_in = result.added_rows;
	b->step->files_added = result.added_files;
	b->step->files_removed = result.removed_files;
	b->step->write_passes = result.write_passes;
	b->step->operation = !b->entry || b->entry->state.view ? "create"
			     : opts.mode == RAT_WRITE_MERGE	  ? "merge"
			     : opts.mode == RAT_WRITE_APPEND	  ? "append"
								  : "overwrite";
cleanup:
	free(ingested_key);
	free(stage);
	return error;
}

static int count_rows(build *b, const char *sql, int64_t *n)
{
	rat_result *result = NULL;
	rat_buf q = RAT_BUF_INIT;
	int error;

	*n = 0;
	if ((error = rat_buf_printf(&q, "SELECT count(*) FROM (%s\n)", sql)) == 0 &&
	    (error = rat_engine_query(&result, b->engine, rat_buf_cstr(&q))) == 0 &&
	    (error = rat_result_next(result)) == 1)
		error = rat_result_get_int64(result, 0, n);
	rat_result_free(result);
	rat_buf_free(&q);
	return error;
}

/* Run the checks on the new version; an error-severity violation fails the build. */
static int run_checks(build *b)
{
	rat_checks checks;
	rat_buf warnings = RAT_BUF_INIT, failures = RAT_BUF_INIT;
	size_t i;
	int error;

	if ((error = rat_run__checks(&checks, b->p, b->ctx->pipelines, b->relation)) != 0)
		return error;
	for (i = 0; !error && i < checks.count; i++) {
		const rat_check *c = &checks.items[i];
		int64_t n = 0;
		if ((error = count_rows(b, c->sql, &n)) != 0) {
			rat_error__prefix("%s: check %s", b->p->key, c->name);
			break;
		}
		if (n == 0)
			b->step->checks_passed++;
		else if (c->severity == RAT_SEVERITY_WARN && ++b->step->checks_warned)
			rat_buf_printf(&warnings, "%s%s: %lld violating rows", warnings.len ? "\n" : "",
				       c->name, (long long)n);
		else if (++b->step->checks_failed)
			rat_buf_printf(&failures, "%s%s (%lld rows)", failures.len ? ", " : "",
				       c->name, (long long)n);
	}
	b->step->warnings = rat_run__keep(b->rec, rat_buf_cstr(&warnings));
	if (!error && failures.len)
		error = rat_error__set(RAT_ERROR, RAT_ERRCLASS_PIPELINE,
				       "%s: checks failed in %s: %s", b->p->key,
				       b->p->config_display ? b->p->config_display : b->p->display,
				       rat_buf_cstr(&failures));
	rat_run__checks_free(&checks);
	rat_buf_free(&warnings);
	rat_buf_free(&failures);
	return error;
}

/* The SELECT the pipeline produces: rendered SQL, or what its executable wrote ("" for nothing). */
static int produce(build *b, rat_buf *sql)
{
	int error;

	if (b->p->kind != RAT_PIPELINE_SQL)
		return run_executable(b, sql);
	if ((error = render(b, sql)) != 0)
		return error;
	b->step->sql = rat_run__keep(b->rec, rat_buf_cstr(sql));
	return 0;
}

static int start(build *b)
{
	const rat_pipeline *p = b->p;
	const char *ref = b->ctx->read_ref ? b->ctx->read_ref : b->ctx->branch;
	rat_buf rel = RAT_BUF_INIT;
	int error;

	if ((error = rat_sql__relation(&rel, p->key)) != 0)
		goto cleanup;
	snprintf(b->relation, sizeof(b->relation), "%s", rat_buf_cstr(&rel));
	b->scratch = rat__sprintf("%s/runs/%s/%s", rat_workspace_spill_dir(b->ctx->ws),
				  b->ctx->run_id, p->key);
	if (!b->scratch) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = rat_fs__mkdir_p(b->scratch)) != 0 ||
	    (error = rat_workspace__open_catalog(&b->catalog, b->ctx->ws)) != 0 ||
	    (error = rat_engine__open(&b->engine, b->ctx->ws)) != 0 ||
	    /* a build writes a table: row order is not kept, which lets DuckDB stream and spill
	     * large sorts, windows and copies instead of holding them in memory */
	    (error = rat_engine_exec(b->engine, "SET preserve_insertion_order = false")) != 0 ||
	    (error = rat_catalog__contents(b->catalog, ref, &b->contents)) != 0 ||
	    (error = rat_workspace__bind(b->engine, b->ctx->ws, b->catalog, ref, true)) != 0)
		goto cleanup;
	b->entry = rat_catalog__find(&b->contents, p->key);
	b->incremental = p->materialized == RAT_MATERIALIZE_INCREMENTAL && b->entry &&
			 !b->entry->state.view && !b->ctx->opts->full_refresh;
	if (p->landing && b->incremental && (error = load_ingested(b)) != 0)
		goto cleanup;
	if (p->landing)
		error = rat_run__new_landing_files(&b->new_abs, &b->new_rel, b->ctx->ws, p,
						   &b->ingested);
	b->step->files_ingested = (int64_t)b->new_rel.count;
cleanup:
	rat_buf_free(&rel);
	return error;
}

/*
 * What a build's result depends on: its compiled SQL, its configuration
 * (materialization, keys, partitioning, checks), the version of every table
 * it reads, and the landing files it reads (names, sizes, times).
 */
static int compute_fingerprint(build *b, const char *sql)
{
	rat_buf text = RAT_BUF_INIT;
	size_t i;
	int error = rat_buf_printf(&text, "%s\n", sql);

	if (!error && b->p->config_path &&
	    (error = rat_fs__read_file(&text, b->p->config_path, (size_t)4 << 20)) == 0)
		error = rat_buf_putc(&text, '\n');

	for (i = 0; !error && i < b->p->deps.count; i++) {
		const rat_catalog_entry *e = rat_catalog__find(&b->contents, b->p->deps.strings[i]);
		error = rat_buf_printf(&text, "%s=%s\n", b->p->deps.strings[i],
				       e ? e->state.metadata_location : "");
	}
	for (i = 0; !error && i < b->new_abs.count; i++) {
		struct stat st;
		if (stat(b->new_abs.strings[i], &st) == 0)
			error = rat_buf_printf(&text, "%s %lld %lld\n", b->new_rel.strings[i],
					       (long long)st.st_size, (long long)st.st_mtime);
	}
	if (!error)
		error = rat_sha256__hex(text.ptr, text.len, b->fingerprint);
	rat_buf_free(&text);
	return error;
}

/* Did the previous build of this table already produce exactly this? */
static int up_to_date(build *b, const char *sql, bool *fresh)
{
	rat_table_metadata meta;
	const rat_table_snapshot *snap;
	rat_store *store = NULL;
	char *stored = NULL;
	const char *recorded;
	int error;

	*fresh = false;
	if (!b->entry || b->ctx->opts->full_refresh || b->p->kind != RAT_PIPELINE_SQL)
		return 0;
	if (b->p->materialized == RAT_MATERIALIZE_VIEW) {
		if (!b->entry->state.view)
			return 0;
		if ((error = rat_workspace__view_sql(&stored, b->ctx->ws, b->entry)) == 0)
			*fresh = strcmp(stored, sql) == 0;
		free(stored);
		return error;
	}
	if (b->entry->state.view ||
	    (error = rat_workspace__entry_metadata(&meta, &store, b->ctx->ws, b->entry)) != 0)
		return b->entry->state.view ? 0 : error;
	snap = meta.current_snapshot_id >= 0 ? rat_table__snapshot(&meta, meta.current_snapshot_id)
					     : NULL;
	recorded = snap ? json_string_value(json_object_get(snap->summary, FINGERPRINT_KEY)) : NULL;
	*fresh = recorded && strcmp(recorded, b->fingerprint) == 0;
	rat_table__metadata_free(&meta);
	rat_store__free(store);
	return 0;
}

static int finish(build *b, rat_buf *sql)
{
	rat_strarray columns = RAT_STRARRAY_INIT;
	int error;

	if (b->p->materialized == RAT_MATERIALIZE_VIEW) {
		error = rat_workspace__write_view(b->ctx->ws, b->catalog, b->engine, b->ctx->branch,
						  b->p->key, rat_buf_cstr(sql), b->ctx->author);
		b->step->operation = "view";
	} else if ((error = result_columns(&columns, b->engine, rat_buf_cstr(sql))) == 0 &&
		   (error = add_ingestion_columns(b, sql, &columns)) == 0) {
		error = write_rows(b, rat_buf_cstr(sql), &columns);
	}
	/* the rows after the step: from the manifests, unless only a read can tell */
	if (!error &&
	    (error = rat_workspace__bind_key(b->engine, b->ctx->ws, b->catalog, b->ctx->branch,
					     b->p->key, &b->step->rows_out)) == 0 &&
	    b->step->rows_out < 0) {
		rat_buf all = RAT_BUF_INIT;
		if ((error = rat_buf_printf(&all, "SELECT * FROM %s", b->relation)) == 0)
			error = count_rows(b, rat_buf_cstr(&all), &b->step->rows_out);
		rat_buf_free(&all);
	}
	if (!error)
		error = run_checks(b);
	rat_strarray_free(&columns);
	return error;
}

int rat_run__build(const rat_run_context *ctx, const rat_pipeline *p, rat_run_record *rec,
		   rat_run_step *step)
{
	build b;
	rat_buf sql = RAT_BUF_INIT;
	bool fresh = false;
	int error;

	memset(&b, 0, sizeof(b));
	b.ctx = ctx;
	b.p = p;
	b.rec = rec;
	b.step = step;
	if ((error = start(&b)) != 0)
		goto cleanup;
	if (p->landing && b.new_rel.count == 0) {
		step->status = RAT_STEP_SKIPPED;
		step->operation = "no new files";
		goto cleanup;
	}
	if ((error = produce(&b, &sql)) != 0)
		goto cleanup;
	if (sql.len == 0) { /* an executable that wrote nothing */
		step->status = RAT_STEP_SKIPPED;
		step->operation = "no output";
		goto cleanup;
	}
	if ((error = compute_fingerprint(&b, rat_buf_cstr(&sql))) != 0 ||
	    (error = up_to_date(&b, rat_buf_cstr(&sql), &fresh)) != 0)
		goto cleanup;
	if (fresh) {
		step->status = RAT_STEP_SKIPPED;
		step->operation = "up to date";
		goto cleanup;
	}
	if (ctx->opts->dry_run) {
		step->status = RAT_STEP_OK;
		step->operation = b.incremental ? (p->unique_key.count ? "merge" : "append")
			: p->materialized == RAT_MATERIALIZE_VIEW ? "view"
			: b.entry ? "overwrite" : "create";
		goto cleanup;
	}
	if ((error = finish(&b, &sql)) == 0)
		step->status = RAT_STEP_OK;
cleanup:
	if (error && strncmp(rat_error_last()->message, p->key, strlen(p->key)) != 0)
		rat_error__prefix("%s (%s)", p->key, p->display);
	rat_engine_free(b.engine);
	rat_catalog__free(b.catalog);
	rat_catalog__contents_free(&b.contents);
	rat_strarray_free(&b.ingested);
	rat_strarray_free(&b.new_abs);
	rat_strarray_free(&b.new_rel);
	if (b.scratch)
		rat_fs__remove_tree(b.scratch);
	free(b.scratch);
	rat_buf_free(&sql);
	return error;
}
