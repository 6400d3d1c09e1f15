/*
 * run/ingest.c - landing files, ingested exactly once (build.h).
 *
 * A pipeline with `landing:` reads the files of landing/<folder>/ through
 * {{ landing_files }}. An incremental one reads only the files its
 * table's current snapshot does not list as ingested; the new list is a
 * file under the table's metadata/ named in the snapshot summary
 * (rat.ingested-files), so it is committed with the data it describes:
 * {"landing": "sales", "files": ["a.csv", ...], "sums": {"a.csv": {"size":
 * 52, "mtime_ms": ..., "sha256": "..."}}}. "sums" (what landing.c compares
 * to find files changed since) came later: a list without it still reads,
 * and its files get their sums when the list is next written.
 * Bronze rows are stamped with the run's start (_ingested_at), never at or
 * below the newest stamp the table holds, whatever RAT_NOW says: retention
 * and the `_ingested_at > watermark(...)` of incremental pipelines count on
 * stamps that only go up.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/random.h"
#include "util/sha256.h"
#include "util/sql.h"
#include "rat/catalog.h"
#include "rat/engine.h"
#include "rat/pipeline.h"
#include "rat/workspace.h"
#include "engine/engine.h"
#include "quality/quality.h"
#include "run/build.h"
#include "run/run.h"
#include "session/session.h"
#include "template/template.h"
#include "workspace/tables.h"
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* A SQL list literal of paths, each naming its file only: ['/a.csv', '/s[*].csv']. */
int rat_run__list_literal(rat_buf *out, const rat_strarray *paths)
{
	size_t i;
	int error = rat_buf_putc(out, '[');

	for (i = 0; !error && i < paths->count; i++)
		if ((error = rat_buf_puts(out, i ? ", " : "")) == 0)
			error = rat_sql__path_literal(out, paths->strings[i]);
	return error ? error : rat_buf_putc(out, ']');
}

int rat_run__list_files(rat_strarray *rel, const char *root, const char *sub, int depth)
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
			error = rat_run__list_files(rel, root, child, depth + 1);
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
	if ((error = rat_run__list_files(&all, root, NULL, 0)) != 0)
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

/* b->ingested_stats from the list's "sums" (absent: none known). */
static int load_sums(build *b, const json_t *sums)
{
	size_t i;

	if (b->ingested.count &&
	    !(b->ingested_stats = rat__calloc(b->ingested.count, sizeof(*b->ingested_stats))))
		return RAT_ENOMEM;
	for (i = 0; json_is_object(sums) && i < b->ingested.count; i++) {
		const json_t *s = json_object_get(sums, b->ingested.strings[i]);
		const char *sha = json_string_value(json_object_get(s, "sha256"));
		rat_landing_stat *st = &b->ingested_stats[i];
		if (!json_is_integer(json_object_get(s, "size")) || !sha || strlen(sha) != 64)
			continue;
		st->known = true;
		st->size = json_integer_value(json_object_get(s, "size"));
		st->mtime_ms = json_integer_value(json_object_get(s, "mtime_ms"));
		memcpy(st->sha256, sha, 65);
	}
	return 0;
}

/* The names the table's current snapshot lists as ingested. */
int rat_run__load_ingested(build *b)
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
		b->named = true;
		goto cleanup;
	}
	json_array_foreach(files, i, f)
		if (json_is_string(f) &&
		    (error = rat_strarray__push(&b->ingested, json_string_value(f))) != 0)
			break;
	if (!error)
		error = load_sums(b, json_object_get(doc, "sums"));
cleanup:
	json_decref(doc);
	rat_buf_free(&text);
	rat_table__metadata_free(&meta);
	rat_store__free(store);
	return error;
}

/*
 * Add name and its sums to the list: known ones as recorded, else the file's
 * now (a file gone since it was read has none).
 */
static int add_file(json_t *files, json_t *sums, const build *b, const char *name,
		    const rat_landing_stat *known)
{
	rat_landing_stat now;
	char *path = rat__sprintf("%s/landing/%s/%s", rat_workspace_path(b->ctx->ws),
				  b->p->landing, name);
	int error = 0;

	if (!path)
		return RAT_ENOMEM;
	if (known && known->known)
		now = *known;
	else if ((error = rat_run__landing_stat(&now, b->ctx->ws, path, true)) == RAT_ENOTFOUND)
		error = 0;
	free(path);
	if (error)
		return error;
	if (json_array_append_new(files, json_string(name)) != 0 ||
	    (now.known && json_object_set_new(sums, name,
					      json_pack("{s:I, s:I, s:s}", "size", (json_int_t)now.size,
							"mtime_ms", (json_int_t)now.mtime_ms,
							"sha256", now.sha256)) != 0))
		return rat_error__oom();
	return 0;
}

/* Write the list of every file ingested once this write commits; *key gets its name. */
int rat_run__save_ingested(build *b, char **key)
{
	json_t *files = json_array(), *sums = json_object(), *doc = NULL;
	rat_store *store = NULL;
	char uuid[37], *text = NULL;
	size_t i;
	int error = files && sums ? 0 : rat_error__oom();

	*key = NULL;
	for (i = 0; !error && i < b->ingested.count; i++)
		error = add_file(files, sums, b, b->ingested.strings[i],
				 b->ingested_stats ? &b->ingested_stats[i] : NULL);
	for (i = 0; !error && i < b->new_rel.count; i++)
		error = add_file(files, sums, b, b->new_rel.strings[i], NULL);
	if (error)
		goto cleanup;
	doc = json_pack("{s:s, s:O, s:O}", "landing", b->p->landing, "files", files, "sums", sums);
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
	json_decref(files);
	json_decref(sums);
	free(text);
	rat_store__free(store);
	return error;
}

/* Bronze rows get _ingested_at and _ingested_date (unless the query made its own); columns follows. */
int rat_run__ingestion_stamp(build *b)
{
	rat_result *result = NULL;
	rat_buf sql = RAT_BUF_INIT;
	const char *text = NULL;
	int error, step;

	snprintf(b->stamp, sizeof(b->stamp), "%s", b->ctx->started_at);
	if (strcmp(b->p->layer, "bronze") != 0 || !b->entry || b->entry->state.view)
		return 0;
	if ((error = rat_buf_printf(&sql, "SELECT strftime(greatest(TIMESTAMPTZ '%s', "
					  "max(_ingested_at) + INTERVAL 1 MICROSECOND) AT TIME ZONE "
					  "'UTC', '%%Y-%%m-%%d %%H:%%M:%%S.%%f+00') FROM %s",
				    b->ctx->started_at, b->relation)) != 0)
		return error;
	if ((error = rat_engine_query(&result, b->engine, rat_buf_cstr(&sql))) != 0) {
		/* a table without the column (its query named its own stamps otherwise):
		 * nothing to stay above */
		if (rat_error__detail() == RAT_DETAIL_ENGINE_BINDER) {
			error = 0;
			rat_error_clear();
		}
		goto cleanup;
	}
	if ((step = rat_result_next(result)) < 0)
		error = step;
	else if (step == 1 && (error = rat_result_get_text(result, 0, &text, NULL)) == 0 && text)
		snprintf(b->stamp, sizeof(b->stamp), "%s", text);
cleanup:
	rat_result_free(result);
	rat_buf_free(&sql);
	return error;
}

int rat_run__with_ingestion_columns(rat_buf *sql, const char *layer, const char *stamp,
				    rat_strarray *columns)
{
	rat_buf wrapped = RAT_BUF_INIT;
	int error;

	if (strcmp(layer, "bronze") != 0)
		return 0;
	error = rat_buf_puts(&wrapped, "SELECT *");
	if (!error && !rat_strarray__contains(columns, "_ingested_at") &&
	    (error = rat_buf_printf(&wrapped, ", TIMESTAMPTZ '%s' AS _ingested_at", stamp)) == 0)
		error = rat_strarray__push(columns, "_ingested_at");
	if (!error && !rat_strarray__contains(columns, "_ingested_date") &&
	    (error = rat_buf_printf(&wrapped, ", CAST(TIMESTAMPTZ '%s' AS DATE) AS _ingested_date",
				    stamp)) == 0)
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

int rat_run__add_ingestion_columns(build *b, rat_buf *sql, rat_strarray *columns)
{
	/* the stamp is set when the build starts; the run's start stands in before */
	return rat_run__with_ingestion_columns(sql, b->p->layer,
					       b->stamp[0] ? b->stamp : b->ctx->started_at, columns);
}
