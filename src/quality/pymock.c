/*
 * quality/pymock.c - .py mocks, the original Ratatouille's generators:
 *
 *     # @generates: bronze.raw_sales
 *     import pandas as pd
 *     def generate():
 *         return pd.DataFrame({"txn_id": ["T001"], "quantity": [2]})
 *
 * (or a class with a generate() method). The table is the `# @generates:`
 * line's, else the file's stem, read without running Python. The file runs
 * under the workspace's Python (RAT_PYTHON, else the build's) through the
 * ratatouille package (`python -m ratatouille._mock FILE OUT`), which writes
 * the DataFrame as Parquet with its pandas types: as a child process with
 * only PATH, the locale, HOME and TMPDIR in the scratch folder, and
 * PYTHONPATH to the package, bounded in output and time as xlsx2csv is.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/fs.h"
#include "rat/workspace.h"
#include "pipeline/pipeline.h"
#include "quality/quality.h"
#include "workspace/workspace.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PYMOCK_MAX_OUTPUT ((rlim_t)1 << 30)
#define PYMOCK_TIMEOUT_MS 120000

int rat_mocks__python_table(char **table, const char *path, const char *display, const char *stem)
{
	rat_buf text = RAT_BUF_INIT;
	const char *at, *start;
	int error = rat_fs__read_text(&text, path, display, (size_t)4 << 20);

	*table = NULL;
	if (error)
		return error;
	for (at = strstr(rat_buf_cstr(&text), "@generates:"); at && !*table;
	     at = strstr(at + 1, "@generates:")) {
		const char *line = at;
		while (line > text.ptr && line[-1] != '\n')
			line--;
		while (*line == ' ' || *line == '\t')
			line++;
		if (*line != '#') /* only in a comment, as the original read it */
			continue;
		for (start = at + strlen("@generates:"); *start == ' ' || *start == '\t'; start++)
			;
		for (at = start; *at && !isspace((unsigned char)*at); at++)
			;
		*table = rat__strndup(start, (size_t)(at - start));
		if (*table && !(*table)[0]) {
			free(*table);
			*table = NULL;
		}
	}
	rat_buf_free(&text);
	if (!*table && (*table = rat__strdup(stem)) == NULL)
		return RAT_ENOMEM;
	return 0;
}

/* The child's environment: PATH, the locale, HOME and TMPDIR in scratch, PYTHONPATH; NULL-ended. */
static int child_env(rat_strarray *env, const rat_workspace *ws, const char *scratch)
{
	char *package = rat_pipeline__python_path(ws);
	int error = 0;

	if (rat_strarray__push(env, "PATH=/usr/local/bin:/usr/bin:/bin") ||
	    rat_strarray__push(env, "LC_ALL=C.UTF-8") ||
	    rat_strarray__push_owned(env, rat__sprintf("HOME=%s", scratch)) ||
	    rat_strarray__push_owned(env, rat__sprintf("TMPDIR=%s", scratch)) ||
	    rat_strarray__push(env, "PYTHONDONTWRITEBYTECODE=1") ||
	    (package && rat_strarray__push_owned(env, rat__sprintf("PYTHONPATH=%s", package))))
		error = RAT_ENOMEM;
	free(package);
	return error;
}

int rat_mocks__python(const rat_workspace *ws, const char *path, const char *display,
		      const char *scratch, size_t id, const char *out_path)
{
	const char *python = rat_pipeline__python(ws);
	rat_strarray env = RAT_STRARRAY_INIT;
	char *log = rat__sprintf("%s/pymock-%zu.log", scratch, id);
	char *err = rat__sprintf("%s/pymock-%zu.err", scratch, id);
	char **envp = NULL;
	int error;

	if (!log || !err || (error = child_env(&env, ws, scratch)) != 0 ||
	    (envp = rat__calloc(env.count + 1, sizeof(char *))) == NULL) {
		error = RAT_ENOMEM;
	} else {
		char *argv[] = { (char *)python, (char *)"-m", (char *)"ratatouille._mock", (char *)path,
				 (char *)out_path, NULL };
		rat_quality_child c = { python, argv, envp, scratch, log, err, display, "the generator",
					"failed", NULL, PYMOCK_MAX_OUTPUT, PYMOCK_TIMEOUT_MS };
		memcpy(envp, env.strings, env.count * sizeof(char *)); /* borrowed; NULL-ended */
		if (access(python, X_OK) != 0)
			error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_PIPELINE,
					       "%s: a .py mock needs Python with pandas (%s is not "
					       "there; RAT_PYTHON names another)", display, python);
		else
			error = rat_quality__run_child(&c);
	}
	free(envp);
	rat_strarray_free(&env);
	free(log);
	free(err);
	return error;
}
