/*
 * remote/commit.c - what the remote catalog (catalog.c) writes and the
 * commits it reads: a commit through Nessie's commit call, a commit's
 * metadata from its history, a merge through Nessie's merge call, and the
 * workspace's identity checked against the one the server holds
 * (/rat/v1/workspace).
 */
#include "util/common.h"
#include "util/buf.h"
#include "catalog/catalog_internal.h"
#include "remote/remote.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

json_t *rat_remote__key_json(const char *key)
{
	const char *dot = strchr(key, '.');

	return dot ? json_pack("{s:[s#, s]}", "elements", key, (int)(dot - key), dot + 1)
		   : json_pack("{s:[s]}", "elements", key);
}

int rat_remote__key_of(char **out, json_t *key)
{
	json_t *elements = json_object_get(key, "elements");
	const char *a = json_string_value(json_array_get(elements, 0));
	const char *b = json_string_value(json_array_get(elements, 1));
	size_t n = json_array_size(elements);

	*out = NULL;
	if (!a || n < 1 || n > 2 || (n == 2 && !b))
		return rat_error__set(RAT_EIO, RAT_ERRCLASS_CATALOG,
				      "the server sent a key rat cannot read");
	if ((*out = n == 2 ? rat__sprintf("%s.%s", a, b) : rat__strdup(a)) == NULL)
		return rat_error__oom();
	return 0;
}

/* A Put's content: what the catalog records, as Nessie's content object. */
static json_t *content_json(const char *key, const rat_table_state *s)
{
	json_t *props;

	if (s->ns) {
		props = json_loads(s->properties ? s->properties : "{}", 0, NULL);
		return json_pack("{s:s, s:[s], s:o}", "type", "NAMESPACE", "elements", key,
				 "properties", props ? props : json_object());
	}
	if (s->view)
		return json_pack("{s:s, s:s, s:I, s:i}", "type", "ICEBERG_VIEW", "metadataLocation",
				 s->metadata_location, "versionId", (json_int_t)0, "schemaId",
				 s->schema_id);
	return json_pack("{s:s, s:s, s:I, s:i, s:i, s:i}", "type", "ICEBERG_TABLE",
			 "metadataLocation", s->metadata_location, "snapshotId",
			 (json_int_t)s->snapshot_id, "schemaId", s->schema_id, "specId", s->spec_id,
			 "sortOrderId", 0);
}

static json_t *commit_body(const rat_commit_request *r)
{
	json_t *ops = json_array(), *meta, *op;
	char when[40];
	size_t i;

	meta = json_pack("{s:s, s:s, s:o}", "message", r->message, "author", r->author,
			 "properties", r->properties ? json_incref(r->properties) : json_object());
	if (r->time_ms > 0 && meta) {
		rat_time_format(when, sizeof(when), r->time_ms);
		json_object_set_new(meta, "authorTime", json_string(when));
	}
	for (i = 0; ops && meta && i < r->op_count; i++) {
		const rat_catalog_op *o = &r->ops[i];
		op = o->kind == RAT_OP_PUT
			     ? json_pack("{s:s, s:o, s:o}", "type", "PUT", "key", rat_remote__key_json(o->key),
					 "content", content_json(o->key, o->state))
			     : json_pack("{s:s, s:o}", "type", "DELETE", "key", rat_remote__key_json(o->key));
		if (!op || json_array_append_new(ops, op) != 0) {
			json_decref(ops);
			ops = NULL;
		}
	}
	if (!ops || !meta) {
		json_decref(ops);
		json_decref(meta);
		return NULL;
	}
	return json_pack("{s:o, s:o}", "commitMeta", meta, "operations", ops);
}

int rat_remote__commit(void *impl, const rat_commit_request *request, const char *merge_parent,
		       char out_hash[RAT_HASH_LEN + 1])
{
	json_t *body, *answer = NULL;
	rat_buf path = RAT_BUF_INIT;
	const char *hash;
	int error;

	if (merge_parent && *merge_parent) /* merges are the server's (rat_remote__merge) */
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
				      "a merge commit is made by the server's merge, not sent");
	if ((body = commit_body(request)) == NULL)
		return rat_error__oom();
	error = rat_buf_puts(&path, "/api/v2/trees/");
	if (!error)
		error = rat_remote__segment(&path, request->branch);
	if (!error && request->expected_head)
		error = rat_buf_printf(&path, "@%s", request->expected_head);
	if (!error)
		error = rat_buf_puts(&path, "/history/commit");
	if (!error)
		error = rat_remote__call(rat_remote__http(impl), "POST", rat_buf_cstr(&path), body, &answer);
	if (!error) {
		hash = json_string_value(json_object_get(json_object_get(answer, "targetBranch"),
							 "hash"));
		if (hash && strlen(hash) == RAT_HASH_LEN)
			memcpy(out_hash, hash, RAT_HASH_LEN + 1);
		else
			error = rat_error__set(RAT_EIO, RAT_ERRCLASS_CATALOG,
					       "the server took the commit to %s but did not say its "
					       "hash",
					       request->branch);
	}
	json_decref(answer);
	json_decref(body);
	rat_buf_free(&path);
	return error;
}

static int commit_of(json_t *meta, rat_commit_info *out)
{
	json_t *parents = json_object_get(meta, "parentCommitHashes"), *props;
	const char *hash = json_string_value(json_object_get(meta, "hash"));
	const char *p0 = json_string_value(json_array_get(parents, 0));
	const char *p1 = json_string_value(json_array_get(parents, 1));
	const char *author = json_string_value(json_array_get(json_object_get(meta, "authors"), 0));
	const char *message = json_string_value(json_object_get(meta, "message"));
	const char *when = json_string_value(json_object_get(meta, "authorTime"));

	memset(out, 0, sizeof(*out));
	if (!hash || strlen(hash) != RAT_HASH_LEN || (p0 && strlen(p0) != RAT_HASH_LEN) ||
	    (p1 && strlen(p1) != RAT_HASH_LEN))
		return rat_error__set(RAT_EIO, RAT_ERRCLASS_CATALOG,
				      "the server sent a commit without its hashes");
	memcpy(out->hash, hash, RAT_HASH_LEN + 1);
	if (p0)
		memcpy(out->parent, p0, RAT_HASH_LEN + 1);
	if (p1)
		memcpy(out->merge_parent, p1, RAT_HASH_LEN + 1);
	out->time_ms = rat_time_parse(when ? when : json_string_value(json_object_get(meta,
										      "commitTime")));
	if (out->time_ms < 0)
		out->time_ms = 0; /* no time said: the commit shows none */
	props = json_object_get(meta, "properties");
	out->properties = json_is_object(props) ? json_incref(props) : json_object();
	out->author = rat__strdup(author ? author : "");
	out->message = rat__strdup(message ? message : "");
	if (!out->author || !out->message || !out->properties) {
		rat_catalog__commit_info_clear(out);
		return rat_error__oom();
	}
	return 0;
}

/* Keep the commits of a history page by hash (emptied first when full). */
static void keep_commits(rat_remote_catalog *rc, json_t *entries)
{
	json_t *entry, *meta;
	size_t i;

	if (json_object_size(rc->commits) + json_array_size(entries) > RAT_REMOTE_COMMITS_KEPT)
		json_object_clear(rc->commits);
	json_array_foreach(entries, i, entry) {
		const char *hash = json_string_value(
			json_object_get(meta = json_object_get(entry, "commitMeta"), "hash"));
		if (hash)
			json_object_set(rc->commits, hash, meta);
	}
}

/*
 * A commit's metadata: read with the page of history it starts (the next
 * commit_info() calls, which follow its parents, are answered from it).
 */
int rat_remote__commit_info(void *impl, const char *hash, rat_commit_info *out)
{
	rat_remote_catalog *rc = impl;
	char path[160];
	json_t *doc = NULL, *meta;
	int error;

	memset(out, 0, sizeof(*out));
	if ((meta = json_object_get(rc->commits, hash)) == NULL) {
		snprintf(path, sizeof(path), "/api/v2/trees/@%s/history?max-records=%d", hash,
			 RAT_REMOTE_HISTORY_PAGE);
		if ((error = rat_remote__call(rc->http, "GET", path, NULL, &doc)) != 0) {
			json_decref(doc);
			return error;
		}
		keep_commits(rc, json_object_get(doc, "logEntries"));
		meta = json_object_get(rc->commits, hash);
	}
	error = meta ? commit_of(meta, out)
		     : rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_CATALOG, "no commit %s", hash);
	json_decref(doc);
	return error;
}

/* A merge's answer into out: the keys merged and in conflict, the new head. */
static int merge_result(json_t *doc, const char *source, rat_merge_result *out)
{
	const char *result = json_string_value(json_object_get(doc, "resultantTargetHash"));
	const char *before = json_string_value(json_object_get(doc, "effectiveTargetHash"));
	json_t *d;
	size_t i;
	int error = 0;

	if (!result || strlen(result) != RAT_HASH_LEN || !before)
		return rat_error__set(RAT_EIO, RAT_ERRCLASS_CATALOG,
				      "the server's merge answer has no resulting hash");
	memcpy(out->hash, result, RAT_HASH_LEN + 1);
	out->up_to_date = strcmp(result, before) == 0 && json_array_size(json_object_get(doc, "details")) == 0;
	out->fast_forward = !out->up_to_date && strcmp(result, source) == 0;
	json_array_foreach(json_object_get(doc, "details"), i, d) {
		char *key;
		if ((error = rat_remote__key_of(&key, json_object_get(d, "key"))) != 0)
			return error;
		error = rat_strarray__push(json_object_get(d, "conflict") ? &out->conflicts
									  : &out->merged,
					   key);
		free(key);
		if (error)
			return error;
	}
	return 0;
}

/* Whether name is how the caller spelled the commit source (a hash or a prefix of one). */
static bool names_hash(const char *name, const char *source)
{
	size_t n = strlen(name);

	return n >= 8 && strspn(name, "0123456789abcdef") == n && strncmp(name, source, n) == 0;
}

int rat_remote__merge(void *impl, const char *source_name, const char *source,
		      const char *target, bool dry_run, const char *author, rat_merge_result *out)
{
	json_t *body, *doc = NULL;
	rat_buf path = RAT_BUF_INIT;
	int error;

	(void)author; /* the server's merges are made by the token's workspace */
	body = json_pack("{s:s, s:s, s:b, s:b}", "fromRefName",
			 names_hash(source_name, source) ? "DETACHED" : source_name, "fromHash",
			 source, "dryRun", dry_run, "returnConflictAsResult", 1);
	if (!body || rat_buf_puts(&path, "/api/v2/trees/") != 0 ||
	    rat_remote__segment(&path, target) != 0 || rat_buf_puts(&path, "/history/merge") != 0)
		error = rat_error__oom();
	else if ((error = rat_remote__call(rat_remote__http(impl), "POST", rat_buf_cstr(&path), body, &doc)) == 0 &&
		 (error = merge_result(doc, source, out)) == 0 && out->conflicts.count)
		error = rat_catalog__merge_refused(source_name, target, &out->conflicts);
	json_decref(doc);
	json_decref(body);
	rat_buf_free(&path);
	return error;
}

static const char *field(json_t *doc, const char *name)
{
	const char *v = json_string_value(json_object_get(doc, name));

	return v ? v : "";
}

/* The identity this copy of the workspace claims, against the server's copy of it. */
static int compare_identity(const rat_identity *id, json_t *doc, const char *uri)
{
	const char *name = field(doc, "name"), *claim = field(doc, "branchClaim");
	bool prefix_claim = json_is_true(json_object_get(doc, "branchIsPrefix"));

	if (strcmp(name, id->name) != 0)
		return rat_error__set(RAT_EACCESS, RAT_ERRCLASS_CATALOG,
				      "the token in RAT_TOKEN is workspace '%s''s, and this is "
				      "workspace '%s': rat serve at %s acts for '%s' only (make a "
				      "token for '%s': rat token create -w %s)",
				      name, id->name, uri, name, id->name, id->name);
	if (strcmp(field(doc, "prefix"), id->prefix) != 0)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
				      "workspace '%s' has storage prefix '%s' at rat serve (%s) and "
				      "'%s' here: its workspace.yaml differs between the two copies",
				      id->name, field(doc, "prefix"), uri, id->prefix);
	if (prefix_claim ? !rat__str_has_prefix(id->branch, claim)
			 : strcmp(id->branch, field(doc, "branch")) != 0)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
				      "workspace '%s' works on branch '%s' here, and rat serve (%s) "
				      "gives it %s '%s': its nessie_branch differs between the two "
				      "copies of workspace.yaml",
				      id->name, id->branch, uri,
				      prefix_claim ? "the branches under" : "branch",
				      prefix_claim ? claim : field(doc, "branch"));
	return 0;
}

int rat_remote__claim(void *impl, const rat_identity *id, bool move)
{
	json_t *doc = NULL;
	int error;

	if (move)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
				      "workspace '%s' is recorded by rat serve at %s: move it on the "
				      "server's machine (rat workspace move there)",
				      id->name, rat_remote__uri(rat_remote__http(impl)));
	if ((error = rat_remote__call(rat_remote__http(impl), "GET", "/rat/v1/workspace", NULL, &doc)) == 0)
		error = compare_identity(id, doc, rat_remote__uri(rat_remote__http(impl)));
	json_decref(doc);
	return error;
}
