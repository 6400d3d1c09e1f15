/*
 * rat/errors.h - error codes and the thread-local last error.
 *
 * Every function that can fail returns an int: 0 on success, a negative
 * RAT_E* code on failure. The message explaining the failure, with the values
 * that caused it (file, line, key, object), is kept per thread and read with
 * rat_error_last() until the next failing call on that thread replaces it.
 * Codes are never renumbered.
 */
#ifndef RAT_ERRORS_H
#define RAT_ERRORS_H

#include "common.h"

RAT_BEGIN_DECL

typedef enum rat_error_code {
	RAT_OK = 0,
	RAT_ERROR = -1,     /**< generic failure */
	RAT_ENOMEM = -2,    /**< out of memory */
	RAT_ENOTFOUND = -3, /**< a named thing (workspace, file, profile) does not exist */
	RAT_EEXISTS = -4,   /**< the thing to create already exists or is in the way */
	RAT_EINVALID = -5,  /**< invalid argument, configuration or input */
	RAT_EIO = -6,       /**< the operating system refused a file operation */
	RAT_ESQL = -7,      /**< the engine refused or failed a SQL statement */
	RAT_ETYPE = -8,     /**< a value was read as a type it cannot be converted to */
	RAT_ETOOBIG = -9,   /**< input exceeds a size cap */
	RAT_ECONFLICT = -10, /**< a concurrent change won (stale head, merge conflict): nothing was written */
	RAT_ECANCELED = -11, /**< the caller asked to stop (a cancel flag, Ctrl-C): nothing was published */
	RAT_EACCESS = -12    /**< a workspace asked for what belongs to another (a ref, main): refused */
} rat_error_code;

typedef enum rat_error_class {
	RAT_ERRCLASS_NONE = 0,
	RAT_ERRCLASS_NOMEMORY,
	RAT_ERRCLASS_OS,
	RAT_ERRCLASS_INVALID,
	RAT_ERRCLASS_CONFIG,    /**< workspace.yaml, profiles, environment */
	RAT_ERRCLASS_WORKSPACE,
	RAT_ERRCLASS_ENGINE,
	RAT_ERRCLASS_CATALOG,
	RAT_ERRCLASS_PIPELINE   /**< pipeline files, templates, the DAG, runs */
} rat_error_class;

typedef struct rat_error {
	const char *message; /**< never NULL; "" when no error happened on this thread */
	int klass;           /**< a rat_error_class */
} rat_error;

/**
 * The last error of the calling thread. Never NULL. The pointer stays valid
 * for the life of the thread; its contents change at the next failure.
 */
RAT_EXTERN(const rat_error *) rat_error_last(void);

/** Forget the calling thread's last error. */
RAT_EXTERN(void) rat_error_clear(void);

RAT_END_DECL

#endif
