/*
 * secret/api.c - a workspace's secrets (rat/secret.h): set, remove, list
 * without the key, and every value opened for a run (secret.h).
 */
#include "util/common.h"
#include "util/aead.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/mask.h"
#include "util/names.h"
#include "secret/secret.h"
#include "secret/store.h"
#include "workspace/workspace.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The names an executable's environment already has (run/exec.c): no secret takes one. */
static const char *const taken[] = { "HOME", "TMPDIR", "PATH", "LANG", "LC_ALL", "LC_CTYPE",
				     "TZ",   NULL };

static int check_name(const char *name)
{
	size_t i;

	if (!rat_name__valid_env(name))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "invalid secret name '%.64s' (letters, digits and '_', not "
				      "starting with a digit, at most 128: it becomes an environment "
				      "variable)",
				      name ? name : "");
	for (i = 0; taken[i]; i++)
		if (strcmp(name, taken[i]) == 0 || rat__str_has_prefix(name, "RAT_"))
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
					      "secret name '%s' is taken: an executable pipeline "
					      "gets RAT_*, HOME, TMPDIR, PATH, LANG, LC_ALL, LC_CTYPE "
					      "and TZ from its run",
					      name);
	return 0;
}

static int check_value(const char *name, const char *value, size_t len)
{
	if (len < RAT_MASK_MIN_BYTES || len > RAT_SECRET_MAX_BYTES)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "secret '%s': a value has %d to %d bytes, got %zu (a shorter "
				      "one could not be masked in messages without hiding other text)",
				      name, RAT_MASK_MIN_BYTES, RAT_SECRET_MAX_BYTES, len);
	if (memchr(value, '\0', len))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "secret '%s': the value holds a NUL byte (an environment "
				      "variable cannot)",
				      name);
	return 0;
}

/* Seal value as name's entry of store, keeping when it was created. */
static int put(json_t *store, const rat_workspace *ws, const unsigned char *key, const char *name,
	       const char *value, size_t len)
{
	json_t *secrets = json_object_get(store, "secrets"), *old = json_object_get(secrets, name);
	int64_t now = rat_workspace_now_ms(ws);
	int64_t created = old ? json_integer_value(json_object_get(old, "created_ms")) : now;
	rat_buf sealed = RAT_BUF_INIT;
	char *aad = rat_secret__aad(ws, name), *hex = NULL;
	json_t *entry = NULL;
	int error;

	if (!aad) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if (!old && json_object_size(secrets) >= RAT_SECRET_MAX_COUNT) {
		error = rat_error__set(RAT_ETOOBIG, RAT_ERRCLASS_INVALID,
				       "workspace '%s' has %d secrets already (the most it holds)",
				       rat_workspace_name(ws), RAT_SECRET_MAX_COUNT);
		goto cleanup;
	}
	if ((error = rat_aead__seal(&sealed, key, aad, value, len)) != 0)
		goto cleanup;
	if ((hex = rat_hex__encode(sealed.ptr, sealed.len)) == NULL ||
	    (entry = json_object()) == NULL ||
	    json_object_set_new(entry, "created_ms", json_integer(created)) != 0 ||
	    json_object_set_new(entry, "updated_ms", json_integer(now)) != 0 ||
	    json_object_set_new(entry, "sealed", json_string(hex)) != 0 ||
	    json_object_set(secrets, name, entry) != 0)
		error = rat_error__oom();
	json_decref(entry);
cleanup:
	rat_buf_free(&sealed);
	free(hex);
	free(aad);
	return error;
}

int rat_secret_set(const rat_workspace *ws, const char *name, const char *value, size_t len)
{
	unsigned char key[RAT_AEAD_KEY_BYTES];
	json_t *store = NULL;
	int fd = -1, error;

	if (!ws || !value)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "rat_secret_set: no workspace or no value");
	if ((error = check_name(name)) != 0 || (error = check_value(name, value, len)) != 0)
		return error;
	/* the store is named by the workspace's name: only the workspace that holds it writes it */
	if ((error = rat_workspace__claim_identity(ws)) == 0 &&
	    (error = rat_secret__key(key, ws, true)) == 0 &&
	    (error = rat_secret__lock(&fd, ws)) == 0 && (error = rat_secret__read(&store, ws)) == 0 &&
	    (error = put(store, ws, key, name, value, len)) == 0)
		error = rat_secret__write(store, ws);
	if (error)
		rat_error__prefix("workspace '%s': secret '%s'", rat_workspace_name(ws), name);
	rat__wipe(key, sizeof(key));
	json_decref(store);
	if (fd >= 0)
		close(fd);
	return error;
}

int rat_secret_remove(const rat_workspace *ws, const char *name)
{
	json_t *store = NULL;
	int fd = -1, error;

	if (!ws || (error = check_name(name)) != 0)
		return ws ? error : rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
						   "rat_secret_remove: no workspace");
	if ((error = rat_workspace__claim_identity(ws)) == 0 &&
	    (error = rat_secret__lock(&fd, ws)) == 0 && (error = rat_secret__read(&store, ws)) == 0) {
		if (json_object_del(json_object_get(store, "secrets"), name) != 0)
			error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_INVALID,
					       "workspace '%s' has no secret '%s'",
					       rat_workspace_name(ws), name);
		else
			error = rat_secret__write(store, ws);
	}
	json_decref(store);
	if (fd >= 0)
		close(fd);
	return error;
}

static int compare_info(const void *a, const void *b)
{
	return strcmp(((const rat_secret_info *)a)->name, ((const rat_secret_info *)b)->name);
}

int rat_secret_list_get(rat_secret_list *out, const rat_workspace *ws)
{
	json_t *store = NULL, *entry;
	const char *name;
	int error;

	memset(out, 0, sizeof(*out));
	if (!ws)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID,
				      "rat_secret_list_get: no workspace");
	if ((error = rat_workspace__check_identity(ws)) != 0 ||
	    (error = rat_secret__read(&store, ws)) != 0)
		return error;
	if (json_object_size(json_object_get(store, "secrets")) &&
	    (out->items = rat__calloc(json_object_size(json_object_get(store, "secrets")),
				      sizeof(*out->items))) == NULL)
		error = RAT_ENOMEM;
	json_object_foreach(json_object_get(store, "secrets"), name, entry) {
		rat_secret_info *info = &out->items[out->count];
		if (error || (info->name = rat__strdup(name)) == NULL) {
			error = RAT_ENOMEM;
			break;
		}
		info->created_ms = json_integer_value(json_object_get(entry, "created_ms"));
		info->updated_ms = json_integer_value(json_object_get(entry, "updated_ms"));
		out->count++;
	}
	json_decref(store);
	if (error)
		rat_secret_list_free(out);
	else if (out->count > 1)
		qsort(out->items, out->count, sizeof(*out->items), compare_info);
	return error;
}

void rat_secret_list_free(rat_secret_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->count; i++)
		free((char *)list->items[i].name);
	free(list->items);
	memset(list, 0, sizeof(*list));
}

/* Open name's sealed value (hex) into "NAME=value" in out, and remember the value to mask. */
static int open_one(rat_strarray *out, const rat_workspace *ws, const unsigned char *key,
		    const char *name, const char *hex)
{
	rat_buf plain = RAT_BUF_INIT;
	char *aad = rat_secret__aad(ws, name);
	unsigned char *sealed = rat__calloc(1, strlen(hex) / 2 + 1);
	size_t len = 0;
	int error;

	if (!aad || !sealed) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = rat_hex__decode(hex, sealed, strlen(hex) / 2 + 1, &len)) == 0 &&
	    (error = rat_aead__open(&plain, key, aad, sealed, len)) == 0 &&
	    (error = check_value(name, rat_buf_cstr(&plain), plain.len)) == 0 &&
	    (error = rat_mask__add(rat_buf_cstr(&plain))) == 0)
		error = rat_strarray__push_owned(out, rat__sprintf("%s=%s", name,
								   rat_buf_cstr(&plain)));
	if (error)
		rat_error__prefix("secret '%s'", name);
cleanup:
	if (plain.ptr)
		rat__wipe(plain.ptr, plain.len);
	rat_buf_free(&plain);
	free(sealed);
	free(aad);
	return error;
}

int rat_secret__load(rat_strarray *out, const rat_workspace *ws)
{
	unsigned char key[RAT_AEAD_KEY_BYTES];
	json_t *store = NULL, *entry;
	const char *name;
	int error;

	if ((error = rat_workspace__check_identity(ws)) != 0 ||
	    (error = rat_secret__read(&store, ws)) != 0)
		return error;
	if (json_object_size(json_object_get(store, "secrets")) == 0)
		goto cleanup;
	if ((error = rat_secret__key(key, ws, false)) != 0)
		goto cleanup;
	json_object_foreach(json_object_get(store, "secrets"), name, entry) {
		if ((error = open_one(out, ws, key, name,
				      json_string_value(json_object_get(entry, "sealed")))) != 0)
			break;
	}
	rat__wipe(key, sizeof(key));
	if (!error)
		rat_strarray__sort(out);
cleanup:
	json_decref(store);
	if (error)
		rat_error__prefix("workspace '%s': its secrets", rat_workspace_name(ws));
	return error;
}

const char *rat_secret__value(const rat_strarray *loaded, const char *name)
{
	size_t i, n = strlen(name);

	for (i = 0; loaded && i < loaded->count; i++)
		if (strncmp(loaded->strings[i], name, n) == 0 && loaded->strings[i][n] == '=')
			return loaded->strings[i] + n + 1;
	return NULL;
}
