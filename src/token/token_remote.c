/*
 * token/token_remote.c - the tokens of a workspace whose catalog is
 * `rat serve`'s (NESSIE_URI): made, listed and revoked by the server, in its
 * RAT_HOME, for the workspace the caller's token acts for:
 *
 *   POST   /rat/v1/tokens        {"readOnly", "note"}: the new token's text, once
 *   GET    /rat/v1/tokens        the workspace's tokens (never a secret)
 *   DELETE /rat/v1/tokens/{id}   one of them revoked
 */
#include "util/common.h"
#include "util/buf.h"
#include "rat/token.h"
#include "remote/remote.h"
#include "token/token.h"
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

int rat_token__remote_create(char token[RAT_TOKEN_MAX], const rat_workspace *ws, int read_only,
			     const char *note)
{
	json_t *body = json_pack("{s:b, s:s}", "readOnly", read_only, "note", note ? note : "");
	json_t *doc = NULL;
	const char *text;
	int error;

	token[0] = '\0';
	if (!body)
		return rat_error__oom();
	if ((error = call(ws, "POST", "/rat/v1/tokens", body, &doc)) == 0) {
		text = json_string_value(json_object_get(doc, "token"));
		if (!text || strlen(text) >= RAT_TOKEN_MAX)
			error = rat_error__set(RAT_EIO, RAT_ERRCLASS_INVALID,
					       "rat serve made a token but did not send it");
		else
			snprintf(token, RAT_TOKEN_MAX, "%s", text);
	}
	json_decref(doc);
	json_decref(body);
	return error;
}

int rat_token__remote_list(rat_token_list *out, const rat_workspace *ws)
{
	json_t *doc = NULL, *t;
	size_t i;
	int error;

	memset(out, 0, sizeof(*out));
	if ((error = call(ws, "GET", "/rat/v1/tokens", NULL, &doc)) != 0)
		goto done;
	if (json_array_size(json_object_get(doc, "tokens")) &&
	    (out->items = rat__calloc(json_array_size(json_object_get(doc, "tokens")),
				      sizeof(*out->items))) == NULL) {
		error = rat_error__oom();
		goto done;
	}
	json_array_foreach(json_object_get(doc, "tokens"), i, t) {
		rat_token_info *info = &out->items[out->count++];
		const char *id = json_string_value(json_object_get(t, "id"));
		const char *who = json_string_value(json_object_get(t, "workspace"));
		const char *note = json_string_value(json_object_get(t, "note"));
		info->id = rat__strdup(id ? id : "");
		info->workspace = rat__strdup(who ? who : "");
		info->note = rat__strdup(note ? note : "");
		info->read_only = json_is_true(json_object_get(t, "readOnly"));
		info->created_ms = json_integer_value(json_object_get(t, "createdMs"));
		info->revoked_ms = json_integer_value(json_object_get(t, "revokedMs"));
		if (!info->id || !info->workspace || !info->note) {
			error = rat_error__oom();
			break;
		}
	}
	if (error)
		rat_token_list_free(out);
done:
	json_decref(doc);
	return error;
}

int rat_token__remote_revoke(const rat_workspace *ws, const char *id)
{
	rat_buf path = RAT_BUF_INIT;
	int error;

	if ((error = rat_buf_puts(&path, "/rat/v1/tokens/")) == 0 &&
	    (error = rat_remote__segment(&path, id)) == 0)
		error = call(ws, "DELETE", rat_buf_cstr(&path), NULL, NULL);
	rat_buf_free(&path);
	return error;
}
