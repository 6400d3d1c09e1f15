/*
 * rat/secret.h - a workspace's secrets: named values a pipeline needs
 * (an API token, a database password), read in templates as
 * {{ secret('NAME') }} and given to the workspace's executable pipelines
 * as environment variables.
 *
 * The store is RAT_HOME/secrets/<workspace>.json (mode 0600, in a folder
 * of mode 0700): outside the workspace's folder, so that nothing a
 * workspace holds (or a copy of it, or Git) carries a secret. Each value is
 * sealed with AES-256-GCM under a key kept apart from the store
 * (RAT_SECRETS_KEY_FILE, else $XDG_CONFIG_HOME/rat/secrets.key, else
 * $HOME/.config/rat/secrets.key; created with mode 0600 by the first
 * rat_secret_set()), bound to the workspace and the name. Nothing here
 * returns a value: librat reads them only for a template or an executable,
 * and masks them in every message and in the SQL it shows or records.
 */
#ifndef RAT_SECRET_H
#define RAT_SECRET_H

#include "common.h"
#include "workspace.h"

RAT_BEGIN_DECL

/** The longest value stored, in bytes. */
#define RAT_SECRET_MAX_BYTES 65536
/** The most secrets a workspace holds. */
#define RAT_SECRET_MAX_COUNT 256

/**
 * Store value (len bytes: at least 4, at most RAT_SECRET_MAX_BYTES, no NUL
 * byte) as the workspace's secret name, replacing the one of that name.
 * name: letters, digits and '_', not starting with a digit, at most 128;
 * not RAT_* (the variables a run gives an executable), nor HOME, TMPDIR,
 * PATH, LANG, LC_ALL, LC_CTYPE or TZ. RAT_EINVALID names what is wrong (never
 * the value). The key file is created when absent.
 */
RAT_EXTERN(int) RAT_CHECKED rat_secret_set(const rat_workspace *ws, const char *name, const char *value, size_t len);

/** Remove the workspace's secret name; RAT_ENOTFOUND when it has none of that name. */
RAT_EXTERN(int) RAT_CHECKED rat_secret_remove(const rat_workspace *ws, const char *name);

typedef struct rat_secret_info {
	const char *name;
	int64_t created_ms; /**< when it was first set, ms since the epoch (RAT_NOW applies) */
	int64_t updated_ms; /**< when it was last set */
} rat_secret_info;

typedef struct rat_secret_list {
	rat_secret_info *items; /**< sorted by name */
	size_t count;
} rat_secret_list;

/**
 * The workspace's secrets, names and dates only (an empty list when it has
 * none), read without the key. Free with rat_secret_list_free(); the
 * strings live as long as the list.
 */
RAT_EXTERN(int) RAT_CHECKED rat_secret_list_get(rat_secret_list *out, const rat_workspace *ws);
/** Release a list (NULL-safe); it is left empty. */
RAT_EXTERN(void) rat_secret_list_free(rat_secret_list *list);

RAT_END_DECL

#endif
