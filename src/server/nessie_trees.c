/*
 * server/nessie_trees.c - Nessie's API v2, the calls under /api/v2/trees that
 * read (nessie.c routes to nes_trees()): the references, a reference's
 * entries, contents (one, several), history, and the diff of two.
 */
#include "server/nessie.h"
#include "server/cel.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The keys of the query's key= arguments into keys, as catalog keys; 0 or a 400 said. */
static int query_keys(nes *x, json_t *keys)
{
	json_t *given = json_array();
	char key[320];
	size_t i;
	int error = 0;

	if (srv_query_all(x->r, "key", given) != 0)
		error = srv_error(x->res, 400, "BAD_REQUEST", "a key argument has a bad percent-escape");
	for (i = 0; !error && i < json_array_size(given); i++)
		if ((error = nes_path_key(x, json_string_value(json_array_get(given, i)), key,
				      sizeof(key))) == 0)
			json_array_append_new(keys, json_string(key));
	json_decref(given);
	return error;
}

/* Whether the request asks for fetch=ALL (a reference's head commit, a commit's operations). */
static bool fetch_all(nes *x)
{
	char *fetch = srv_query(x->r, "fetch");
	bool all = fetch && strcmp(fetch, "ALL") == 0;

	free(fetch);
	return all;
}

/* A commit's variables for a filter (author, committer, commitTime, hash, message, properties). */
static json_t *entry_vars(const rat_log_entry *e)
{
	json_t *props = json_loads(e->properties ? e->properties : "{}", 0, NULL);
	char when[40];

	rat_time_format(when, sizeof(when), e->time_ms);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "author", e->author, "committer",
			 e->author, "commitTime", when, "hash", e->hash, "message", e->message,
			 "properties", props ? props : json_object());
}

/* The variables of the commit at hash ({} when it cannot be read). */
static json_t *commit_vars(nes *x, const char *hash)
{
	rat_log log = { NULL, 0 };
	json_t *out = rat_log_get(&log, x->catalog, hash, 1) == 0 && log.count
			      ? entry_vars(&log.items[0])
			      : json_object();

	rat_error_clear();
	rat_log_free(&log);
	return out;
}

/* GET /trees: the references this workspace sees, by name, paged (the token: the next name). */
static int list_trees(nes *x)
{
	rat_ref_list refs;
	json_t *list;
	cel_expr *filter = NULL;
	char *token = NULL;
	size_t max, i, n = 0;
	int error, keep = 1;
	bool all = fetch_all(x);

	if (nes_filter(x, &filter) != 0 || nes_paging(x, &max, &token) != 0) {
		cel_free(filter);
		return x->res->status;
	}
	if ((error = rat_ref_list_get(&refs, x->catalog)) != 0) {
		free(token);
		cel_free(filter);
		return srv_lib_error(x->res, error);
	}
	list = json_array();
	for (i = 0; i < refs.count && token && strcmp(refs.items[i].name, token) < 0; i++)
		;
	for (; i < refs.count && n < max; i++) {
		const char *type = refs.items[i].is_tag ? "TAG" : "BRANCH";
		if (filter && (keep = nes_keep(x, filter, json_pack(
				       "{s:{s:s, s:s}, s:s, s:{}, s:o}", "ref", "name",
				       refs.items[i].name, "hash", refs.items[i].hash, "refType", type,
				       "refMeta", "commit", all ? commit_vars(x, refs.items[i].hash)
								: json_object()))) < 0)
			break;
		if (keep && ++n)
			json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "type", type, "name",
							      refs.items[i].name, "hash",
							      refs.items[i].hash));
	}
	cel_free(filter);
	if (keep < 0) {
		json_decref(list);
		rat_ref_list_free(&refs);
		free(token);
		return x->res->status;
	}
	x->res->status = 200;
	x->res->body = json_pack("{s:o, s:b}", "references", list, "hasMore", i < refs.count);
	if (i < refs.count)
		json_object_set_new(x->res->body, "token", json_string(refs.items[i].name));
	rat_ref_list_free(&refs);
	free(token);
	return 200;
}

/* GET /trees/{ref}/entries: the keys, with their content ids (and contents with content=true). */
static int entries(nes *x, const nes_ref *ref)
{
	rat_content_list list;
	char *token = NULL, *want = srv_query(x->r, "content");
	bool with_content = want && strcmp(want, "true") == 0;
	json_t *out, *vars;
	cel_expr *filter = NULL;
	size_t max, i, n = 0;
	int error, keep = 1;

	free(want);
	if (nes_filter(x, &filter) != 0 || nes_paging(x, &max, &token) != 0) {
		cel_free(filter);
		return x->res->status;
	}
	if ((error = rat_content_list_get(&list, x->catalog, ref->hash)) != 0) {
		free(token);
		cel_free(filter);
		return srv_lib_error(x->res, error);
	}
	out = json_array();
	for (i = 0; i < list.count && token && strcmp(list.items[i].key, token) < 0; i++)
		;
	for (; i < list.count && n < max; i++) {
		const rat_content_entry *c = &list.items[i];
		json_t *e;
		if (filter && (vars = nes_key_vars(c->key)) != NULL)
			json_object_set_new(vars, "contentType", json_string(nes_content_type(c)));
		if (filter && (keep = nes_keep(x, filter, json_pack("{s:o}", "entry", vars))) < 0)
			break;
		if (!keep)
			continue;
		n++;
		e = json_pack("{s:o, s:s, s:s}", "name", nes_key_json(c->key), "type",
			      nes_content_type(c), "contentId", c->id);
		if (with_content)
			json_object_set_new(e, "content", nes_content_json(x, ref->hash, c));
		json_array_append_new(out, e);
	}
	cel_free(filter);
	if (keep < 0) {
		json_decref(out);
		rat_content_list_free(&list);
		free(token);
		return x->res->status;
	}
	x->res->status = 200;
	x->res->body = json_pack("{s:o, s:b, s:o}", "entries", out, "hasMore", i < list.count,
				 "effectiveReference", nes_reference_json(ref));
	if (i < list.count)
		json_object_set_new(x->res->body, "token", json_string(list.items[i].key));
	rat_content_list_free(&list);
	free(token);
	return 200;
}

/* GET /trees/{ref}/contents/{key}. */
static int one_content(nes *x, const nes_ref *ref, const char *segment)
{
	rat_content_list list;
	const rat_content_entry *c;
	char key[320];
	int error;

	if (nes_path_key(x, segment, key, sizeof(key)) != 0)
		return x->res->status;
	if ((error = rat_content_list_get(&list, x->catalog, ref->hash)) != 0)
		return srv_lib_error(x->res, error);
	if ((c = nes_find(&list, key)) == NULL) {
		srv_error(x->res, 404, "CONTENT_NOT_FOUND", "Could not find content for key '%s' in "
			  "reference '%s'.", key, ref->name);
	} else {
		x->res->status = 200;
		x->res->body = json_pack("{s:o, s:o}", "content",
					 nes_content_json(x, ref->hash, c),
					 "effectiveReference", nes_reference_json(ref));
	}
	rat_content_list_free(&list);
	return x->res->status;
}

/* GET /trees/{ref}/contents?key=a.b&key=c, POST the same with {"requestedKeys":[ContentKey...]}. */
static int many_contents(nes *x, const nes_ref *ref)
{
	rat_content_list list;
	json_t *keys = json_array(), *out, *body = NULL;
	char key[320];
	size_t i;
	int error;

	if (srv_is(x->r->method, "POST")) {
		json_t *asked;
		if ((body = json_loadb(x->r->body, x->r->body_len, 0, NULL)) == NULL ||
		    !json_is_array(asked = json_object_get(body, "requestedKeys"))) {
			json_decref(body);
			json_decref(keys);
			return srv_error(x->res, 400, "BAD_REQUEST", "the body is {\"requestedKeys\": "
					 "[{\"elements\": [...]}, ...]}");
		}
		for (i = 0; i < json_array_size(asked); i++) {
			if (nes_key_of(json_object_get(json_array_get(asked, i), "elements"), key,
				       sizeof(key)) != 0) {
				json_decref(body);
				json_decref(keys);
				return srv_error(x->res, 400, "BAD_REQUEST", "requestedKeys[%zu] is not a "
						 "key of one or two names", i);
			}
			json_array_append_new(keys, json_string(key));
		}
		json_decref(body);
	} else if (query_keys(x, keys) != 0) {
		json_decref(keys);
		return x->res->status;
	}
	if ((error = rat_content_list_get(&list, x->catalog, ref->hash)) != 0) {
		json_decref(keys);
		return srv_lib_error(x->res, error);
	}
	out = json_array();
	for (i = 0; i < json_array_size(keys); i++) {
		const char *k = json_string_value(json_array_get(keys, i));
		const rat_content_entry *c = nes_find(&list, k);
		if (c) /* keys with no content are left out, as Nessie does */
			json_array_append_new(out, json_pack("{s:o, s:o}", "key", nes_key_json(k),
							     "content",
							     nes_content_json(x, ref->hash, c)));
	}
	x->res->status = 200;
	x->res->body = json_pack("{s:o, s:o}", "contents", out, "effectiveReference",
				 nes_reference_json(ref));
	rat_content_list_free(&list);
	json_decref(keys);
	return 200;
}

/* One LogEntry of the history, with its operations (fetch=ALL: what it changed). */
static json_t *log_entry(const rat_log_entry *e, json_t *operations)
{
	json_t *meta = entry_vars(e), *parents = json_array(), *out;

	if (*e->parent)
		json_array_append_new(parents, json_string(e->parent));
	if (*e->merge_parent)
		json_array_append_new(parents, json_string(e->merge_parent));
	json_object_set_new(meta, "authors", json_pack("[s]", e->author));
	json_object_set(meta, "authorTime", json_object_get(meta, "commitTime"));
	json_object_set_new(meta, "parentCommitHashes", parents);
	json_object_del(meta, "author");
	out = json_pack("{s:o, s:s}", "commitMeta", meta, "parentCommitHash",
			*e->parent ? e->parent : NESSIE_NO_ANCESTOR);
	if (operations)
		json_object_set_new(out, "operations", operations);
	return out;
}

/* What commit e changed since its first parent, as Nessie's operations (PUT, DELETE). */
static json_t *operations_of(nes *x, const rat_log_entry *e)
{
	rat_diff_list d = { NULL, 0 };
	rat_content_list now = { NULL, 0 };
	json_t *ops = json_array(), *op;
	size_t i;

	if (*e->parent && rat_diff_get(&d, x->catalog, e->parent, e->hash) == 0 &&
	    rat_content_list_get(&now, x->catalog, e->hash) == 0)
		for (i = 0; i < d.count; i++) {
			const rat_content_entry *c = nes_find(&now, d.items[i].key);
			op = json_pack("{s:s, s:o}", "type", c ? "PUT" : "DELETE", "key",
				       nes_key_json(d.items[i].key));
			if (c)
				json_object_set_new(op, "content", nes_content_json(x, e->hash, c));
			json_array_append_new(ops, op);
		}
	rat_error_clear();
	rat_diff_list_free(&d);
	rat_content_list_free(&now);
	return ops;
}

/* A filter's variables for commit e: commit, and operations (fetch=ALL) with their keys'. */
static json_t *history_vars(const rat_log_entry *e, json_t *operations)
{
	json_t *ops = json_array(), *op;
	size_t i;

	json_array_foreach(operations, i, op) {
		char key[320];
		if (nes_key_of(json_object_get(json_object_get(op, "key"), "elements"), key,
			       sizeof(key)) != 0)
			continue;
		json_t *v = nes_key_vars(key);
		json_object_set(v, "type", json_object_get(op, "type"));
		json_array_append_new(ops, v);
	}
	return json_pack("{s:o, s:o}", "commit", entry_vars(e), "operations", ops);
}

/*
 * GET /trees/{ref}/history: first parents from the ref's commit, paged (the token: the
 * hash where the next page starts), the history read a page at a time until max commits
 * pass the filter.
 */
static int history(nes *x, const nes_ref *ref)
{
	rat_log log = { NULL, 0 };
	cel_expr *filter = NULL;
	char *token = NULL, next[65];
	json_t *list = NULL;
	size_t max, i = 0, n = 0;
	bool all = fetch_all(x);
	int error = 0, keep = 1;

	if (nes_filter(x, &filter) != 0 || nes_paging(x, &max, &token) != 0)
		goto done;
	if (token && !nes_hash_like(token, strlen(token))) {
		srv_error(x->res, 400, "BAD_REQUEST", "page-token is not one this server gave");
		goto done;
	}
	snprintf(next, sizeof(next), "%s", token ? token : ref->hash);
	list = json_array();
	while (next[0] && n < max && keep >= 0) {
		rat_log_free(&log);
		if ((error = rat_log_get(&log, x->catalog, next, 256)) != 0)
			break;
		for (i = 0; i < log.count && n < max; i++) {
			const rat_log_entry *e = &log.items[i];
			json_t *ops = all ? operations_of(x, e) : NULL;
			if (filter && (keep = nes_keep(x, filter, history_vars(e, ops))) <= 0) {
				json_decref(ops);
				if (keep < 0)
					break;
				continue;
			}
			json_array_append_new(list, log_entry(e, ops));
			n++;
		}
		snprintf(next, sizeof(next), "%s", i < log.count ? log.items[i].hash
				  : log.count ? log.items[log.count - 1].parent : "");
	}
	if (error)
		srv_lib_error(x->res, error);
	else if (keep >= 0) {
		x->res->status = 200;
		x->res->body = json_pack("{s:O, s:b}", "logEntries", list, "hasMore", next[0] != 0);
		if (next[0])
			json_object_set_new(x->res->body, "token", json_string(next));
	}
done:
	json_decref(list);
	rat_log_free(&log);
	cel_free(filter);
	free(token);
	return x->res->status;
}

/* GET /trees/{from}/diff/{to}: the keys whose content differs, with both sides. */
static int diff(nes *x, const nes_ref *from, const nes_ref *to)
{
	rat_content_list a = { NULL, 0 }, b = { NULL, 0 };
	cel_expr *filter = NULL;
	json_t *list;
	size_t i = 0, j = 0;
	int error, keep = 1;

	if (nes_filter(x, &filter) != 0)
		return x->res->status;
	if ((error = rat_content_list_get(&a, x->catalog, from->hash)) != 0 ||
	    (error = rat_content_list_get(&b, x->catalog, to->hash)) != 0) {
		rat_content_list_free(&a);
		cel_free(filter);
		return srv_lib_error(x->res, error);
	}
	list = json_array();
	while (keep >= 0 && (i < a.count || j < b.count)) {
		int c = i == a.count ? 1 : j == b.count ? -1 : strcmp(a.items[i].key, b.items[j].key);
		const rat_content_entry *l = c <= 0 ? &a.items[i] : NULL, *r = c >= 0 ? &b.items[j] : NULL;
		const char *key = l ? l->key : r->key;
		if ((!l || !r || !nes_same_content(l, r)) &&
		    (!filter || (keep = nes_keep(x, filter, json_pack("{s:o}", "key",
								       nes_key_vars(key)))) > 0))
			json_array_append_new(
				list, json_pack("{s:o, s:o, s:o}", "key", nes_key_json(key),
						"from", l ? nes_content_json(x, from->hash, l) : json_null(),
						"to", r ? nes_content_json(x, to->hash, r) : json_null()));
		i += l != NULL;
		j += r != NULL;
	}
	cel_free(filter);
	if (keep < 0) {
		json_decref(list);
		rat_content_list_free(&a);
		rat_content_list_free(&b);
		return x->res->status;
	}
	x->res->status = 200;
	x->res->body = json_pack("{s:o, s:b, s:o, s:o}", "diffs", list, "hasMore", false,
				 "effectiveFromReference", nes_reference_json(from),
				 "effectiveToReference", nes_reference_json(to));
	rat_content_list_free(&a);
	rat_content_list_free(&b);
	return 200;
}

/* /api/v2/trees/...: seg[2] is the reference, what follows says what of it. */
int nes_trees(nes *x)
{
	nes_ref ref, to;
	const char *what = x->r->nseg > 4 ? x->r->seg[4] : NULL;

	if (x->r->nseg == 3) {
		if (srv_is(x->r->method, "GET"))
			return list_trees(x);
		if (srv_is(x->r->method, "POST"))
			return nes_create_ref(x);
		return srv_error(x->res, 405, "BAD_REQUEST", "/api/v2/trees takes GET and POST");
	}
	if (nes_resolve(x, x->r->seg[3], &ref) != 0)
		return x->res->status;
	if (x->r->nseg == 4) {
		if (srv_is(x->r->method, "GET")) {
			x->res->status = 200;
			x->res->body = json_pack("{s:o}", "reference", nes_reference_json(&ref));
			return 200;
		}
		if (srv_is(x->r->method, "DELETE"))
			return nes_delete_ref(x, &ref);
		if (srv_is(x->r->method, "PUT"))
			return nes_assign_ref(x, &ref);
		return srv_error(x->res, 405, "BAD_REQUEST", "a reference takes GET, PUT and DELETE");
	}
	if (srv_is(what, "history") && x->r->nseg == 6 && srv_is(x->r->seg[5], "commit") &&
	    srv_is(x->r->method, "POST"))
		return nes_commit(x, &ref);
	if (srv_is(what, "history") && x->r->nseg == 6 && srv_is(x->r->seg[5], "merge") &&
	    srv_is(x->r->method, "POST"))
		return nes_merge(x, &ref);
	if (srv_is(what, "history") && x->r->nseg == 6 && srv_is(x->r->seg[5], "transplant") &&
	    srv_is(x->r->method, "POST"))
		return nes_transplant(x, &ref);
	if (srv_is(what, "entries") && x->r->nseg == 5 && srv_is(x->r->method, "GET"))
		return entries(x, &ref);
	if (srv_is(what, "contents") && x->r->nseg == 5 &&
	    (srv_is(x->r->method, "GET") || srv_is(x->r->method, "POST")))
		return many_contents(x, &ref);
	if (srv_is(what, "contents") && x->r->nseg == 6 && srv_is(x->r->method, "GET"))
		return one_content(x, &ref, x->r->seg[5]);
	if (srv_is(what, "history") && x->r->nseg == 5 && srv_is(x->r->method, "GET"))
		return history(x, &ref);
	if (srv_is(what, "diff") && x->r->nseg == 6 && srv_is(x->r->method, "GET"))
		return nes_resolve(x, x->r->seg[5], &to) != 0 ? x->res->status : diff(x, &ref, &to);
	if (srv_is(what, "history") || srv_is(what, "contents") || srv_is(what, "entries") ||
	    srv_is(what, "diff"))
		return srv_error(x->res, 405, "BAD_REQUEST", "%s is not allowed here", x->r->method);
	return srv_error(x->res, 404, "BAD_REQUEST", "no such path");
}

