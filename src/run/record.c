/*
 * pipeline/record.c - run records: made by a run, saved as JSON under
 * RAT_HOME/runs/<workspace>/<id>.json, read back by `rat runs`.
 *
 * Ids start with the UTC start time to the millisecond
 * (20261123T101500.123Z-3f2a1c), so sorting the file names sorts the runs
 * by age.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/fs.h"
#include "rat/pipeline.h"
#include "rat/workspace.h"
#include "run/run.h"
#include "workspace/workspace.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_names[] = { "pending", "running", "ok",
					    "skipped", "failed",  "cancelled" };

const char *rat_step_status_name(rat_step_status status)
{
	return (size_t)status < RAT_ARRAY_SIZE(status_names) ? status_names[status] : "unknown";
}

int rat_run__record_new(rat_run_record **out, size_t steps)
{
	rat_run_record *rec = rat__calloc(1, sizeof(*rec));
	size_t i;

	*out = NULL;
	if (!rec)
		return RAT_ENOMEM;
	if (steps && (rec->info.steps = rat__calloc(steps, sizeof(rat_run_step))) == NULL) {
		free(rec);
		return RAT_ENOMEM;
	}
	rec->info.step_count = steps;
	pthread_mutex_init(&rec->pool_lock, NULL);
	rec->info.id = rec->info.workspace = rec->info.branch = rec->info.run_branch = "";
	rec->info.status = rec->info.error = rec->info.commit = rec->info.retention = "";
	rec->info.record_error = rec->info.trigger = "";
	for (i = 0; i < steps; i++) {
		rat_run_step *s = &rec->info.steps[i];
		s->key = s->operation = s->error = s->warnings = s->sql = s->log = "";
	}
	*out = rec;
	return 0;
}

const char *rat_run__keep(rat_run_record *rec, const char *s)
{
	const char *kept;

	pthread_mutex_lock(&rec->pool_lock);
	kept = rat_strarray__keep(&rec->pool, s);
	pthread_mutex_unlock(&rec->pool_lock);
	return kept;
}

void rat_run_info_free(rat_run_info *run)
{
	rat_run_record *rec = (rat_run_record *)run;

	if (!rec)
		return;
	rat_strarray_free(&rec->pool);
	pthread_mutex_destroy(&rec->pool_lock);
	free(rec->info.steps);
	free(rec);
}

char *rat_run__records_dir(const char *home, const char *workspace)
{
	return rat__sprintf("%s/runs/%s", home, workspace);
}

static json_t *step_json(const rat_run_step *s)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, "
			 "s:s, s:s, s:s, s:s}",
			 "pipeline", s->key, "status", status_names[s->status], "operation",
			 s->operation, "started_ms", (json_int_t)s->started_ms, "finished_ms",
			 (json_int_t)s->finished_ms, "rows_in", (json_int_t)s->rows_in, "rows_out",
			 (json_int_t)s->rows_out, "files_added", (json_int_t)s->files_added,
			 "files_removed", (json_int_t)s->files_removed, "files_ingested",
			 (json_int_t)s->files_ingested, "write_passes",
			 (json_int_t)s->write_passes, "checks_passed",
			 (json_int_t)s->checks_passed, "checks_failed", (json_int_t)s->checks_failed,
			 "checks_warned", (json_int_t)s->checks_warned, "error", s->error,
			 "warnings", s->warnings, "sql", s->sql, "log", s->log);
}

json_t *rat_run__record_json(const rat_run_info *r)
{
	json_t *steps = json_array();
	size_t i;

	for (i = 0; steps && i < r->step_count; i++)
		json_array_append_new(steps, step_json(&r->steps[i]));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:b, s:s, s:o}", "id",
			 r->id, "workspace", r->workspace, "branch", r->branch, "run_branch",
			 r->run_branch, "status", r->status, "error", r->error, "commit", r->commit,
			 "retention", r->retention, "started_ms", (json_int_t)r->started_ms,
			 "finished_ms", (json_int_t)r->finished_ms, "full_refresh", r->full_refresh,
			 "trigger", r->trigger ? r->trigger : "", "steps", steps);
}

int rat_run__record_write(const char *home, const char *workspace, const char *id, json_t *doc)
{
	char *dir = rat_run__records_dir(home, workspace), *path = NULL, *text = NULL;
	int error = 0;

	if (!dir || (text = json_dumps(doc, JSON_INDENT(2))) == NULL ||
	    (path = rat__sprintf("%s/%s.json", dir, id)) == NULL) {
		error = rat_error__oom();
		goto cleanup;
	}
	if ((error = rat_fs__mkdir_p(dir)) == 0)
		error = rat_fs__write_file_atomic(path, text, strlen(text));
	if (error)
		rat_error__prefix("recording run %s", id);
cleanup:
	free(text);
	free(path);
	free(dir);
	return error;
}

int rat_run__record_save(const rat_run_record *rec, const rat_workspace *ws)
{
	json_t *doc = rat_run__record_json(&rec->info);
	int error;

	if (!doc)
		return rat_error__oom();
	if (rat_workspace__remote_uri(ws) && (error = rat_run__remote_put(ws, doc)) != 0) {
		/* the server did not take it: this machine keeps it, and says so */
		rat_error_saved saved;
		rat_error__save(&saved);
		if (rat_run__record_write(rat_workspace_home(ws), rec->info.workspace, rec->info.id,
					  doc) == 0) {
			rat_error__restore(&saved);
			rat_error__prefix("the run's record is kept on this machine (%s/runs): rat "
					  "serve did not take it",
					  rat_workspace_home(ws));
		}
	} else if (!rat_workspace__remote_uri(ws)) {
		error = rat_run__record_write(rat_workspace_home(ws), rec->info.workspace,
					      rec->info.id, doc);
	}
	json_decref(doc);
	return error;
}

static const char *text_of(rat_run_record *rec, json_t *obj, const char *key)
{
	return rat_run__keep(rec, json_string_value(json_object_get(obj, key)));
}

static int64_t int_of(json_t *obj, const char *key)
{
	return (int64_t)json_integer_value(json_object_get(obj, key));
}

static void load_step(rat_run_record *rec, rat_run_step *s, json_t *j)
{
	const char *status = json_string_value(json_object_get(j, "status"));
	size_t k;

	s->key = text_of(rec, j, "pipeline");
	for (k = 0; status && k < RAT_ARRAY_SIZE(status_names); k++)
		if (strcmp(status, status_names[k]) == 0)
			s->status = (rat_step_status)k;
	s->operation = text_of(rec, j, "operation");
	s->started_ms = int_of(j, "started_ms");
	s->finished_ms = int_of(j, "finished_ms");
	s->rows_in = int_of(j, "rows_in");
	s->rows_out = int_of(j, "rows_out");
	s->files_added = int_of(j, "files_added");
	s->files_removed = int_of(j, "files_removed");
	s->files_ingested = int_of(j, "files_ingested");
	s->write_passes = int_of(j, "write_passes");
	s->checks_passed = int_of(j, "checks_passed");
	s->checks_failed = int_of(j, "checks_failed");
	s->checks_warned = int_of(j, "checks_warned");
	s->error = text_of(rec, j, "error");
	s->warnings = text_of(rec, j, "warnings");
	s->sql = text_of(rec, j, "sql");
	s->log = text_of(rec, j, "log");
}

int rat_run__record_parse(rat_run_record **out, json_t *doc, const char *what)
{
	rat_run_record *rec = NULL;
	json_t *steps, *s;
	size_t i;
	int error;

	*out = NULL;
	if (!json_is_object(doc) || !json_is_array(steps = json_object_get(doc, "steps")) ||
	    !json_is_string(json_object_get(doc, "id")))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				      "%s: not a run record (%s)", what,
				      json_is_array(json_object_get(doc, "steps")) ? "no id" : "no steps");
	if ((error = rat_run__record_new(&rec, json_array_size(steps))) != 0)
		return error;
	rec->info.id = text_of(rec, doc, "id");
	rec->info.workspace = text_of(rec, doc, "workspace");
	rec->info.branch = text_of(rec, doc, "branch");
	rec->info.run_branch = text_of(rec, doc, "run_branch");
	rec->info.status = text_of(rec, doc, "status");
	rec->info.error = text_of(rec, doc, "error");
	rec->info.commit = text_of(rec, doc, "commit");
	rec->info.retention = text_of(rec, doc, "retention");
	rec->info.started_ms = int_of(doc, "started_ms");
	rec->info.finished_ms = int_of(doc, "finished_ms");
	rec->info.full_refresh = json_is_true(json_object_get(doc, "full_refresh"));
	rec->info.trigger = text_of(rec, doc, "trigger"); /* "" in a record made before it was kept */
	json_array_foreach(steps, i, s)
		load_step(rec, &rec->info.steps[i], s);
	*out = rec;
	return 0;
}

int rat_run__record_load(rat_run_record **out, const char *path)
{
	json_error_t jerr;
	json_t *doc = json_load_file(path, 0, &jerr);
	int error;

	*out = NULL;
	if (!doc)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				      "%s: not a run record (%s)", path, jerr.text);
	error = rat_run__record_parse(out, doc, path);
	json_decref(doc);
	return error;
}

int rat_run_list_get(rat_run_list *out, const rat_workspace *ws, size_t limit)
{
	rat_strarray names = RAT_STRARRAY_INIT;
	char *dir;
	size_t i, n;
	int error = 0;

	memset(out, 0, sizeof(*out));
	if (rat_workspace__remote_uri(ws))
		return rat_run__remote_list(out, ws, limit);
	if ((dir = rat_run__records_dir(rat_workspace_home(ws), rat_workspace_name(ws))) == NULL)
		return RAT_ENOMEM;
	if (rat_fs__is_dir(dir) && (error = rat_fs__list_dir(&names, dir)) != 0)
		goto cleanup;
	n = names.count < limit || limit == 0 ? names.count : limit;
	if (n && (out->items = rat__calloc(n, sizeof(*out->items))) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	for (i = names.count; !error && i > 0 && out->count < n; i--) { /* newest first */
		rat_run_record *rec = NULL;
		char *path;
		if (!rat__str_has_suffix(names.strings[i - 1], ".json"))
			continue;
		if ((path = rat_fs__join(dir, names.strings[i - 1])) == NULL)
			error = RAT_ENOMEM;
		else if ((error = rat_run__record_load(&rec, path)) == 0)
			out->items[out->count++] = &rec->info;
		free(path);
	}
cleanup:
	if (error)
		rat_run_list_free(out);
	rat_strarray_free(&names);
	free(dir);
	return error;
}

void rat_run_list_free(rat_run_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->count; i++)
		rat_run_info_free(list->items[i]);
	free(list->items);
	memset(list, 0, sizeof(*list));
}

int rat_run_get(rat_run_info **out, const rat_workspace *ws, const char *id)
{
	rat_strarray names = RAT_STRARRAY_INIT;
	char *dir, *path = NULL;
	rat_run_record *rec = NULL;
	size_t i, found = 0, at = 0;
	int error = 0;

	*out = NULL;
	if (rat_workspace__remote_uri(ws))
		return rat_run__remote_get(out, ws, id);
	if ((dir = rat_run__records_dir(rat_workspace_home(ws), rat_workspace_name(ws))) == NULL)
		return RAT_ENOMEM;
	if (rat_fs__is_dir(dir) && (error = rat_fs__list_dir(&names, dir)) != 0)
		goto cleanup;
	for (i = 0; i < names.count; i++)
		if (*id && rat__str_has_prefix(names.strings[i], id) &&
		    rat__str_has_suffix(names.strings[i], ".json")) {
			found++;
			at = i;
		}
	if (found == 0) {
		error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_PIPELINE,
				       "no run '%s' in workspace %s (see rat runs)", id,
				       rat_workspace_name(ws));
		goto cleanup;
	}
	if (found > 1) {
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				       "run id '%s' is ambiguous: %zu runs start with it", id, found);
		goto cleanup;
	}
	if ((path = rat_fs__join(dir, names.strings[at])) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = rat_run__record_load(&rec, path)) == 0)
		*out = &rec->info;
cleanup:
	rat_strarray_free(&names);
	free(path);
	free(dir);
	return error;
}
