/*
 * run/exec.c - executable pipelines (build.h): a .py, .sh or `command:`
 * run as a child process with the workspace's environment and RAT_*
 * variables, writing its rows as files into a folder it is given; a
 * failure names the pipeline and shows the end of its output.
 *
 * A Python file with a pipeline decorator (util/pydecl.h) runs under the
 * Python the ratatouille package is for (RAT_PYTHON, else the build's),
 * through `python -m ratatouille._runner FILE FUNCTION`: the runner calls
 * the function with a context whose write() hands rows to the same folder
 * as Parquet, whose query() reads the run branch, and whose log lines come
 * back into the step's record.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/mask.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/proc.h"
#include "util/random.h"
#include "util/sha256.h"
#include "util/sql.h"
#include "rat/catalog.h"
#include "rat/engine.h"
#include "rat/pipeline.h"
#include "rat/workspace.h"
#include "engine/engine.h"
#include "pipeline/pipeline.h"
#include "quality/quality.h"
#include "run/build.h"
#include "run/run.h"
#include "session/session.h"
#include "template/template.h"
#include "workspace/tables.h"
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* The operator's variables an executable keeps (when set): finding programs, text, time. */
static const char *const kept_vars[] = { "PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ", NULL };

/*
 * The executable's whole environment, "NAME=value" each, into out: what the
 * run gives it (RAT_*), HOME and TMPDIR in its own working folder, PATH,
 * LANG, LC_ALL, LC_CTYPE and TZ as the workspace saw them, the variables the
 * workspace may read (RAT_VAR_*, env_vars) and its secrets. Nothing else of
 * the operator's environment: no credential reaches it.
 */
static int child_env(rat_strarray *out, const build *b, const char *out_dir, const char *work)
{
	const rat_pipeline *p = b->p;
	const rat_workspace *ws = b->ctx->ws;
	const rat_strarray *secrets = NULL;
	const char *value;
	size_t i;
	int error = 0;

	if (rat_strarray__push_owned(out, rat__sprintf("RAT_OUTPUT_DIR=%s", out_dir)) ||
	    rat_strarray__push_owned(out, rat__sprintf("RAT_PIPELINE=%s", p->key)) ||
	    rat_strarray__push_owned(out, rat__sprintf("RAT_WORKSPACE=%s", rat_workspace_name(ws))) ||
	    rat_strarray__push_owned(out, rat__sprintf("RAT_RUN_ID=%s", b->ctx->run_id)) ||
	    rat_strarray__push_owned(out, rat__sprintf("RAT_RUN_STARTED_AT=%s", b->ctx->started_at)) ||
	    rat_strarray__push_owned(out, rat__sprintf("RAT_IS_INCREMENTAL=%d", b->incremental)) ||
	    (p->landing && rat_strarray__push_owned(out, rat__sprintf("RAT_LANDING_DIR=%s/landing/%s",
					rat_workspace_path(ws), p->landing))) ||
	    rat_strarray__push_owned(out, rat__sprintf("HOME=%s", work)) ||
	    rat_strarray__push_owned(out, rat__sprintf("TMPDIR=%s/tmp", work)))
		return RAT_ENOMEM;
	for (i = 0; !error && kept_vars[i]; i++)
		if ((value = rat_workspace__env(ws, kept_vars[i])) != NULL)
			error = rat_strarray__push_owned(out, rat__sprintf("%s=%s", kept_vars[i],
									   value));
	if (!error && !rat_workspace__env(ws, "PATH"))
		error = rat_strarray__push(out, "PATH=/usr/local/bin:/usr/bin:/bin");
	if (!error)
		error = rat_workspace__allowed_environ(out, ws);
	if (!error)
		error = rat_pipeline__secrets(&secrets, b->ctx->pipelines);
	for (i = 0; !error && i < secrets->count; i++)
		error = rat_strarray__push(out, secrets->strings[i]);
	return error;
}

/*
 * What a decorated Python pipeline's runner needs beyond a script's: where
 * the package is, the workspace's folder and state (to read the run branch:
 * the catalog and the warehouse, never a credential), the run branch, where
 * its log goes, and the list of the landing files it reads (one a line).
 */
static int python_env(rat_strarray *out, const build *b, const char *log_path,
		      const char *landing_list)
{
	const rat_workspace *ws = b->ctx->ws;
	static const char *const passed[] = { "RAT_PROFILE", "RAT_NOW", "NESSIE_URI", NULL };
	char *pkg = rat_pipeline__python_path(ws);
	const char *value;
	size_t i;
	int error = 0;

	if ((pkg && rat_strarray__push_owned(out, rat__sprintf("PYTHONPATH=%s", pkg))) ||
	    rat_strarray__push_owned(out, rat__sprintf("RAT_HOME=%s", rat_workspace_home(ws))) ||
	    rat_strarray__push_owned(out, rat__sprintf("RAT_WORKSPACE_PATH=%s", rat_workspace_path(ws))) ||
	    rat_strarray__push_owned(out, rat__sprintf("ICEBERG_WAREHOUSE=%s", rat_workspace_warehouse(ws))) ||
	    rat_strarray__push_owned(out, rat__sprintf("RAT_RUN_BRANCH=%s", b->ctx->branch)) ||
	    rat_strarray__push_owned(out, rat__sprintf("RAT_LOG_FILE=%s", log_path)) ||
	    (landing_list && rat_strarray__push_owned(out, rat__sprintf("RAT_LANDING_FILES=%s", landing_list))))
		error = RAT_ENOMEM;
	for (i = 0; !error && passed[i]; i++)
		if ((value = rat_workspace__env(ws, passed[i])) != NULL)
			error = rat_strarray__push_owned(out, rat__sprintf("%s=%s", passed[i], value));
	free(pkg);
	return error;
}

/* The new landing files a run hands a landing pipeline, one absolute path a line, into path. */
static int write_landing_list(const build *b, const char *path)
{
	rat_buf text = RAT_BUF_INIT;
	size_t i;
	int error = 0;

	for (i = 0; !error && i < b->new_abs.count; i++)
		error = rat_buf_printf(&text, "%s\n", b->new_abs.strings[i]);
	if (!error)
		error = rat_fs__write_file_atomic(path, text.ptr ? text.ptr : "", text.len);
	rat_buf_free(&text);
	return error;
}

/* The last lines of a log, for an error message. */
static char *log_tail(const char *path)
{
	rat_buf text = RAT_BUF_INIT;
	const char *s;
	int lines = 0;
	char *tail;

	if (rat_fs__read_file(&text, path, (size_t)16 << 20) != 0 || !text.len) {
		rat_error_clear();
		rat_buf_free(&text);
		return rat__strdup("(no output)");
	}
	for (s = text.ptr + text.len - 1; s > text.ptr; s--)
		if (*s == '\n' && s != text.ptr + text.len - 1 && ++lines == 10)
			break;
	tail = rat__strdup(s == text.ptr ? s : s + 1);
	rat_buf_free(&text);
	return tail;
}

/* The decorated Python pipeline's own environment, after a script's (python_env). */
static int decorated_env(rat_strarray *env, build *b)
{
	char *log_path = rat__sprintf("%s/pipeline.log", b->scratch);
	char *landing = b->p->landing ? rat__sprintf("%s/landing_files", b->scratch) : NULL;
	int error = 0;

	if (!log_path || (b->p->landing && !landing))
		error = RAT_ENOMEM;
	if (!error && landing)
		error = write_landing_list(b, landing);
	if (!error)
		error = python_env(env, b, log_path, landing);
	free(log_path);
	free(landing);
	return error;
}

/* What a step's record keeps of a pipeline's own log, at most. */
#define LOG_MAX ((size_t)1 << 20)

/* What a decorated Python pipeline logged (context.log) into its step's record. */
static void keep_log(build *b)
{
	char *path = rat__sprintf("%s/pipeline.log", b->scratch);
	rat_buf text = RAT_BUF_INIT;

	int error = path ? rat_fs__read_file(&text, path, LOG_MAX) : RAT_ENOMEM;

	if (!error && text.len) {
		while (text.len && text.ptr[text.len - 1] == '\n')
			text.ptr[--text.len] = '\0';
		rat_mask__same_length(text.ptr); /* a secret's value, logged, is not kept */
		b->step->log = rat_run__keep(b->rec, rat_buf_cstr(&text));
	} else if (error == RAT_ETOOBIG) { /* a record holds lines, not a data dump */
		b->step->log = "WARNING its log is over 1 MiB and was not kept (log less, or log counts)";
	}
	rat_error_clear(); /* no log: nothing to keep */
	rat_buf_free(&text);
	free(path);
}

static int spawn(build *b, const char *out_dir, const char *log_path)
{
	const rat_pipeline *p = b->p;
	const char *argv_py[] = { "python3", p->source_path, NULL };
	const char *argv_decorated[] = { rat_pipeline__python(b->ctx->ws), "-m",
					 "ratatouille._runner", p->source_path, p->py_function, NULL };
	const char *argv_sh[] = { "sh", p->source_path, NULL };
	const char *argv_cmd[] = { "sh", "-c", p->command, NULL };
	const char *const *argv = p->py_function ? argv_decorated
				  : p->kind == RAT_PIPELINE_PYTHON ? argv_py
				  : p->kind == RAT_PIPELINE_SHELL ? argv_sh : argv_cmd;
	rat_strarray env = RAT_STRARRAY_INIT;
	posix_spawn_file_actions_t actions;
	posix_spawnattr_t attr;
	char *tail = NULL, *work = rat__sprintf("%s/work", b->scratch), *tmp = NULL, **envp = NULL;
	int status = 0, error = 0, rc;
	pid_t pid;

	if (!work || (tmp = rat__sprintf("%s/tmp", work)) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = rat_fs__mkdir_p(tmp)) != 0 || (error = child_env(&env, b, out_dir, work)) != 0 ||
	    (p->py_function && (error = decorated_env(&env, b)) != 0))
		goto cleanup;
	if ((envp = rat__calloc(env.count + 1, sizeof(char *))) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	memcpy(envp, env.strings, env.count * sizeof(char *)); /* borrowed; NULL-terminated */
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, 1, log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_adddup2(&actions, 1, 2);
	posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addchdir_np(&actions, work); /* its own folder, not the workspace */
	/* its own process group, so that a cancel stops what it starts too */
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
	posix_spawnattr_setpgroup(&attr, 0);
	rc = posix_spawnp(&pid, argv[0], &actions, &attr, (char *const *)argv, envp);
	posix_spawn_file_actions_destroy(&actions);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		errno = rc;
		error = rat_error__os(RAT_EIO, "%s: cannot start %s", p->display, argv[0]);
		goto cleanup;
	}
	rat_run__watch_child(b->ctx, b->index, pid);
	rat_proc__wait(pid, &status, 0);
	rat_run__watch_child(b->ctx, b->index, 0);
	if (p->py_function)
		keep_log(b);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		goto cleanup;
	if (rat_run__cancelled(b->ctx)) {
		error = rat_run__cancel_error(b->ctx);
		goto cleanup;
	}
	tail = log_tail(log_path);
	if (WIFSIGNALED(status))
		error = rat_error__set(RAT_ERROR, RAT_ERRCLASS_PIPELINE,
				       "%s: %s was killed by signal %d; its last output:\n%s",
				       p->key, p->display, WTERMSIG(status), tail ? tail : "");
	else
		error = rat_error__set(RAT_ERROR, RAT_ERRCLASS_PIPELINE,
				       "%s: %s exited with status %d; its last output:\n%s", p->key,
				       p->display, WEXITSTATUS(status), tail ? tail : "");
	b->named = true;
cleanup:
	free(tail);
	free(work);
	free(tmp);
	free(envp);
	rat_strarray_free(&env);
	return error;
}

/* The SELECT over what an executable wrote (CSV, NDJSON, Parquet); "" when it wrote nothing. */
static int output_sql(rat_buf *sql, const char *out_dir, int64_t *files)
{
	static const struct {
		const char *suffix, *reader;
	} readers[] = { { ".csv", "read_csv" },       { ".ndjson", "read_json" },
			{ ".jsonl", "read_json" },    { ".json", "read_json" },
			{ ".parquet", "read_parquet" } };
	rat_strarray names = RAT_STRARRAY_INIT;
	size_t i, r;
	int error;

	*files = 0;
	if ((error = rat_run__list_files(&names, out_dir, NULL, 0)) != 0)
		return error;
	rat_strarray__sort(&names);
	for (r = 0; !error && r < RAT_ARRAY_SIZE(readers); r++) {
		rat_strarray these = RAT_STRARRAY_INIT;
		for (i = 0; !error && i < names.count; i++)
			if (rat__str_has_suffix(names.strings[i], readers[r].suffix))
				error = rat_strarray__push_owned(&these, rat__sprintf("%s/%s", out_dir,
										names.strings[i]));
		if (!error && these.count) {
			*files += (int64_t)these.count;
			if ((error = rat_buf_printf(sql, "%sSELECT * FROM %s(",
						    sql->len ? " UNION ALL BY NAME " : "",
						    readers[r].reader)) == 0 &&
			    (error = rat_run__list_literal(sql, &these)) == 0)
				error = rat_buf_putc(sql, ')');
		}
		rat_strarray_free(&these);
	}
	rat_strarray_free(&names);
	return error;
}

int rat_run__run_executable(build *b, rat_buf *sql)
{
	char *out_dir = rat__sprintf("%s/output", b->scratch);
	char *log_path = rat__sprintf("%s/output.log", b->scratch);
	int64_t files = 0;
	int error;

	if (!out_dir || !log_path) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = rat_fs__mkdir_p(out_dir)) == 0 && (error = spawn(b, out_dir, log_path)) == 0)
		error = output_sql(sql, out_dir, &files);
	b->step->files_ingested = files;
cleanup:
	free(out_dir);
	free(log_path);
	return error;
}
