/*
 * secret/store.c - the secret store's file and its key (secret.h).
 *
 * RAT_HOME/secrets/<workspace>.json, mode 0600 in a folder of mode 0700:
 *
 *     {"format": 1, "workspace": "shop",
 *      "secrets": {"API_TOKEN": {"created_ms": ..., "updated_ms": ...,
 *                                "sealed": "<hex: nonce | ciphertext | tag>"}}}
 *
 * Names and dates are plain, so that listing needs no key; each value is
 * sealed (util/aead.h) with the associated data "rat-secret-v1\n<workspace>
 * \n<name>", so that a value moved to another workspace or name does not
 * open. Writers hold an flock on <workspace>.lock beside it, so that two
 * `rat secret set` at once both land; the file is replaced atomically.
 * The key is 32 random bytes as 64 hex digits in a file of its own, apart
 * from the store; one with group or other permissions is refused, as ssh
 * refuses such a private key.
 */
#include "util/common.h"
#include "util/aead.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/hex.h"
#include "util/random.h"
#include "secret/store.h"
#include "workspace/workspace.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define STORE_MAX_BYTES ((size_t)32 << 20)

char *rat_secret__store_path(const rat_workspace *ws, const char *suffix)
{
	return rat__sprintf("%s/secrets/%s%s", rat_workspace_home(ws), rat_workspace_name(ws),
			    suffix);
}

char *rat_secret__aad(const rat_workspace *ws, const char *name)
{
	return rat__sprintf("rat-secret-v1\n%s\n%s", rat_workspace_name(ws), name);
}

/* Read the key in path into key; RAT_ENOTFOUND when the file is absent. */
static int read_key(unsigned char *key, const char *path)
{
	rat_buf text = RAT_BUF_INIT;
	struct stat st;
	size_t len = 0;
	int error;

	if (stat(path, &st) == 0 && (st.st_mode & 077))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
				      "secrets key %s is readable by others (mode %04o): chmod 600 "
				      "it",
				      path, (unsigned)(st.st_mode & 07777));
	if ((error = rat_fs__read_file(&text, path, 256)) != 0)
		goto cleanup;
	while (text.len && (text.ptr[text.len - 1] == '\n' || text.ptr[text.len - 1] == '\r'))
		text.ptr[--text.len] = '\0';
	if (rat_hex__decode(rat_buf_cstr(&text), key, RAT_AEAD_KEY_BYTES, &len) != 0 ||
	    len != RAT_AEAD_KEY_BYTES)
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
				       "secrets key %s is not %d hex digits", path,
				       2 * RAT_AEAD_KEY_BYTES);
cleanup:
	rat_buf_free(&text);
	return error;
}

/* Create the key file at path (mode 0600, never replacing one), then read it. */
static int create_key(unsigned char *key, const char *path)
{
	unsigned char fresh[RAT_AEAD_KEY_BYTES];
	char *dir = rat_fs__dirname(path), *hex = NULL;
	int fd = -1, error;

	if (!dir)
		return RAT_ENOMEM;
	if ((error = rat_fs__mkdir_p(dir)) != 0 ||
	    (error = rat_random__bytes(fresh, sizeof(fresh))) != 0)
		goto cleanup;
	if ((hex = rat_hex__encode(fresh, sizeof(fresh))) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) >= 0) {
		if (rat_fs__write_all(fd, hex, strlen(hex)) < 0 || rat_fs__write_all(fd, "\n", 1) < 0 ||
		    fsync(fd) < 0)
			error = rat_error__os(RAT_EIO, "writing the secrets key %s", path);
	} else if (errno != EEXIST) { /* another process made it first: read theirs */
		error = rat_error__os(RAT_EIO, "creating the secrets key %s", path);
	}
	if (!error)
		error = read_key(key, path);
cleanup:
	if (fd >= 0)
		close(fd);
	memset(fresh, 0, sizeof(fresh));
	free(hex);
	free(dir);
	return error;
}

int rat_secret__key(unsigned char *key, const rat_workspace *ws, bool create)
{
	char *path = NULL;
	int error;

	if ((error = rat_workspace__secrets_key_path(&path, ws)) != 0)
		return error;
	error = read_key(key, path);
	if (error == RAT_ENOTFOUND && create) {
		rat_error_clear();
		error = create_key(key, path);
	} else if (error == RAT_ENOTFOUND) {
		error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_CONFIG,
				       "workspace '%s' has secrets, but their key %s is missing (set "
				       "RAT_SECRETS_KEY_FILE to where it is kept)",
				       rat_workspace_name(ws), path);
	}
	free(path);
	return error;
}

int rat_secret__lock(int *fd, const rat_workspace *ws)
{
	char *dir = rat__sprintf("%s/secrets", rat_workspace_home(ws));
	char *path = rat_secret__store_path(ws, ".lock");
	int error = 0;

	*fd = -1;
	if (!dir || !path) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = rat_fs__mkdir_p(dir)) != 0)
		goto cleanup;
	if (chmod(dir, 0700) < 0) {
		error = rat_error__os(RAT_EIO, "%s", dir);
		goto cleanup;
	}
	if ((*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0 || flock(*fd, LOCK_EX) < 0)
		error = rat_error__os(RAT_EIO, "locking %s", path);
cleanup:
	if (error && *fd >= 0) {
		close(*fd);
		*fd = -1;
	}
	free(dir);
	free(path);
	return error;
}

/* The store's format: what rat_secret__read() accepts. */
static int check_store(json_t *root, const char *path, const rat_workspace *ws)
{
	json_t *secrets = json_object_get(root, "secrets"), *entry;
	const char *name;

	if (!json_is_object(root) || json_integer_value(json_object_get(root, "format")) != 1 ||
	    !json_is_string(json_object_get(root, "workspace")) ||
	    strcmp(json_string_value(json_object_get(root, "workspace")),
		   rat_workspace_name(ws)) != 0 ||
	    !json_is_object(secrets))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
				      "%s: not a secret store of workspace '%s' (format 1)", path,
				      rat_workspace_name(ws));
	json_object_foreach(secrets, name, entry)
		if (!json_is_object(entry) || !json_is_integer(json_object_get(entry, "created_ms")) ||
		    !json_is_integer(json_object_get(entry, "updated_ms")) ||
		    !json_is_string(json_object_get(entry, "sealed")))
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG,
					      "%s: secret '%.128s' lacks created_ms, updated_ms or "
					      "sealed",
					      path, name);
	return 0;
}

/* A store with no secret yet. */
static int empty_store(json_t **out, const rat_workspace *ws)
{
	json_t *root = json_object();

	if (!root || json_object_set_new(root, "format", json_integer(1)) != 0 ||
	    json_object_set_new(root, "workspace", json_string(rat_workspace_name(ws))) != 0 ||
	    json_object_set_new(root, "secrets", json_object()) != 0) {
		json_decref(root);
		return rat_error__oom();
	}
	*out = root;
	return 0;
}

int rat_secret__read(json_t **out, const rat_workspace *ws)
{
	char *path = rat_secret__store_path(ws, ".json");
	rat_buf text = RAT_BUF_INIT;
	json_error_t jerr;
	int error;

	*out = NULL;
	if (!path)
		return RAT_ENOMEM;
	if ((error = rat_fs__read_file(&text, path, STORE_MAX_BYTES)) == RAT_ENOTFOUND) {
		rat_error_clear();
		error = empty_store(out, ws);
	} else if (!error && (*out = json_loadb(text.ptr, text.len, JSON_REJECT_DUPLICATES,
						&jerr)) == NULL) {
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CONFIG, "%s:%d: %s", path,
				       jerr.line, jerr.text);
	} else if (!error && (error = check_store(*out, path, ws)) != 0) {
		json_decref(*out);
		*out = NULL;
	}
	rat_buf_free(&text);
	free(path);
	return error;
}

int rat_secret__write(json_t *store, const rat_workspace *ws)
{
	char *path = rat_secret__store_path(ws, ".json");
	char *text = json_dumps(store, JSON_SORT_KEYS | JSON_INDENT(2));
	int error;

	if (!path || !text)
		error = RAT_ENOMEM;
	else
		error = rat_fs__write_file_private(path, text, strlen(text));
	free(path);
	free(text);
	return error;
}
