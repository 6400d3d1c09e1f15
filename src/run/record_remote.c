/*
 * run/record_remote.c - run records kept by `rat serve` (run.h), for a
 * workspace whose catalog is the server's (NESSIE_URI), so that every
 * machine of a team sees every run:
 *
 *   PUT /rat/v1/runs/{id}       a record saved (as a run starts, then as it ends)
 *   GET /rat/v1/runs?limit=N    the newest records first
 *   GET /rat/v1/runs/{id}       one record (an id's unique prefix), or {"status": "queued"}
 *   POST /rat/v1/runs           a run asked for (rat trigger, rat run --wait): its id
 *
 * And what the server does with them (rat/pipeline.h): rat_run_record_put()
 * and rat_run_info_json().
 */
#include "util/common.h"
#include "util/buf.h"
#include "rat/pipeline.h"
#include "remote/remote.h"
#include "run/run.h"
#include "workspace/workspace.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int call(const rat_workspace *ws, const char *method, const char *path, json_t *body,
		json_t **out)
{
	return rat_remote__request(rat_workspace__remote_uri(ws), rat_workspace__remote_token(ws),
				   method, path, body, out);
}

/* "/rat/v1/runs/{id}" */
static char *run_path(const char *id)
{
	rat_buf b = RAT_BUF_INIT;

	if (rat_buf_puts(&b, "/rat/v1/runs/") != 0 || rat_remote__segment(&b, id) != 0) {
		rat_buf_free(&b);
		return NULL;
	}
	return rat_buf_detach(&b);
}

int rat_run__remote_put(const rat_workspace *ws, json_t *doc)
{
	char *path = run_path(json_string_value(json_object_get(doc, "id")));
	int error = path ? call(ws, "PUT", path, doc, NULL) : rat_error__oom();

	free(path);
	return error;
}

int rat_run__remote_list(rat_run_list *out, const rat_workspace *ws, size_t limit)
{
	char path[64];
	json_t *doc = NULL, *runs, *item;
	size_t i;
	int error;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "/rat/v1/runs?limit=%zu", limit);
	if ((error = call(ws, "GET", path, NULL, &doc)) != 0)
		goto done;
	runs = json_object_get(doc, "runs");
	if (json_array_size(runs) &&
	    (out->items = rat__calloc(json_array_size(runs), sizeof(*out->items))) == NULL) {
		error = rat_error__oom();
		goto done;
	}
	json_array_foreach(runs, i, item) {
		rat_run_record *rec;
		if ((error = rat_run__record_parse(&rec, item, "rat serve's run record")) != 0)
			break;
		out->items[out->count++] = &rec->info;
	}
	if (error)
		rat_run_list_free(out);
done:
	json_decref(doc);
	return error;
}

int rat_run__remote_get(rat_run_info **out, const rat_workspace *ws, const char *id)
{
	char *path = run_path(id);
	json_t *doc = NULL;
	rat_run_record *rec = NULL;
	int error;

	*out = NULL;
	if (!path)
		return rat_error__oom();
	if ((error = call(ws, "GET", path, NULL, &doc)) == 0 &&
	    (error = rat_run__record_parse(&rec, doc, "rat serve's run record")) == 0)
		*out = &rec->info;
	json_decref(doc);
	free(path);
	return error;
}

int rat_run_ask(char run_id[RAT_RUN_ID_MAX], const rat_workspace *ws, const char *trigger,
		const char *const *selectors, size_t count)
{
	json_t *body = NULL, *doc = NULL, *list = json_array();
	const char *id;
	size_t i;
	int error = 0;

	run_id[0] = '\0';
	if (!rat_workspace__remote_uri(ws)) {
		json_decref(list);
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
				      "only rat serve runs what is asked of it: set NESSIE_URI to its "
				      "address (without it, rat run runs here)");
	}
	for (i = 0; list && !trigger && i < count; i++)
		json_array_append_new(list, json_string(selectors[i]));
	body = trigger ? json_pack("{s:s}", "trigger", trigger) : json_pack("{s:o}", "select", list);
	if (trigger)
		json_decref(list);
	if (!body)
		return rat_error__oom();
	if ((error = call(ws, "POST", "/rat/v1/runs", body, &doc)) == 0) {
		id = json_string_value(json_object_get(doc, "run_id"));
		if (!id || strlen(id) >= RAT_RUN_ID_MAX)
			error = rat_error__set(RAT_EIO, RAT_ERRCLASS_CATALOG,
					       "rat serve answered a run asked for without its id");
		else
			snprintf(run_id, RAT_RUN_ID_MAX, "%s", id);
	}
	json_decref(body);
	json_decref(doc);
	return error;
}

int rat_run_asked_status(char status[32], const rat_workspace *ws, const char *id)
{
	char *path = run_path(id);
	json_t *doc = NULL;
	const char *said;
	int error;

	status[0] = '\0';
	if (!path)
		return rat_error__oom();
	if ((error = call(ws, "GET", path, NULL, &doc)) == 0) {
		said = json_string_value(json_object_get(doc, "status"));
		snprintf(status, 32, "%s", said ? said : "unknown");
	}
	json_decref(doc);
	free(path);
	return error;
}

/* A run id as rat makes them: 20261123T101500.123Z-3f2a1c (letters, digits, '.', '-'). */
static bool valid_id(const char *id)
{
	size_t n = strlen(id);

	return n >= 8 && n <= 64 && strspn(id, "0123456789abcdefghijklmnopqrstuvwxyzTZ.-") == n &&
	       id[0] != '.' && id[0] != '-';
}

int rat_run_record_put(const rat_workspace *ws, const char *id, const char *json)
{
	json_t *doc = json_loads(json, 0, NULL);
	rat_run_record *rec = NULL;
	const char *owner;
	int error;

	if (!valid_id(id))
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				       "'%.80s' is not a run id", id);
	else if ((error = rat_run__record_parse(&rec, doc, "a run record")) != 0)
		;
	else if (strcmp(rec->info.id, id) != 0)
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				       "the record is run %s's, not %s's", rec->info.id, id);
	else if (strcmp(owner = rec->info.workspace, rat_workspace_name(ws)) != 0)
		error = rat_error__set(RAT_EACCESS, RAT_ERRCLASS_PIPELINE,
				       "workspace '%s' cannot record a run of workspace '%s'",
				       rat_workspace_name(ws), owner);
	else
		error = rat_run__record_write(rat_workspace_home(ws), owner, id, doc);
	rat_run_info_free(rec ? &rec->info : NULL);
	json_decref(doc);
	return error;
}

int rat_run_info_json(char **out, const rat_run_info *run)
{
	json_t *doc = rat_run__record_json(run);

	*out = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	return *out ? 0 : rat_error__oom();
}
