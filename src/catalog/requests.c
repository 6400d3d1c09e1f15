/*
 * catalog/requests.c - what a catalog handle gives every commit it makes
 * beyond the commit's own request (catalog.h, rat/catalog.h): the id of the
 * request it is made for (found again by rat_catalog__find_request()), and
 * the properties and time a server's client said its commit carries.
 */
#include "util/common.h"
#include "catalog/catalog_internal.h"

#include <stdlib.h>
#include <string.h>

/* RAT_EINVALID, said, unless id is a request id: 1 to RAT_REQUEST_ID_MAX bytes. */
static int check_request_id(const char *id)
{
	if (!id || !*id || strlen(id) > RAT_REQUEST_ID_MAX)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
				      "a request id is 1 to %d bytes", RAT_REQUEST_ID_MAX);
	return 0;
}

int rat_catalog__set_request_id(rat_catalog *c, const char *id)
{
	char *copy = NULL;
	int error;

	if (id && (error = check_request_id(id)) != 0)
		return error;
	if (id && (copy = rat__strdup(id)) == NULL)
		return rat_error__oom();
	free(c->request_id);
	c->request_id = copy;
	return 0;
}

int rat_catalog__set_commit_meta(rat_catalog *c, const char *properties_json, int64_t time_ms)
{
	json_t *props = NULL, *v;
	const char *k;

	if (properties_json) {
		props = json_loads(properties_json, JSON_REJECT_DUPLICATES, NULL);
		if (!json_is_object(props)) {
			json_decref(props);
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
					      "a commit's properties are a JSON object of strings");
		}
		json_object_foreach(props, k, v)
			if (!json_is_string(v)) {
				json_decref(props);
				return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
						      "commit property '%s' is not a string", k);
			}
	}
	if (time_ms < 0) {
		json_decref(props);
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
				      "a commit's time is milliseconds since the epoch");
	}
	json_decref(c->commit_props);
	c->commit_props = props;
	c->commit_time_ms = time_ms;
	return 0;
}

int rat_catalog__find_request(rat_catalog *c, const char *id, char hash[RAT_HASH_LEN + 1])
{
	bool readable = true;
	int error;

	if ((error = check_request_id(id)) != 0 ||
	    (error = c->backend->find_request(c->impl, id, hash)) != 0)
		return error;
	/* a workspace learns only of commits it may read */
	if (c->workspace && !c->backend->server_checks &&
	    (error = c->backend->readable_commit(c->impl, hash, c->workspace, &readable)) != 0)
		return error;
	if (!readable)
		return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_CATALOG,
				      "no commit was made for request %s", id);
	return 0;
}
