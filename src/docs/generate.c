/*
 * docs/generate.c - `rat docs generate`: each pipeline's README.md and
 * docs/, and the workspace's lineage page.
 *
 * A pipeline's documents go into the folder of its name,
 * pipelines/<layer>/<name>/, whichever its layout: beside a flat <name>.sql
 * (and <name>.yaml) that folder holds only documents and tests, which
 * discovery reads as no pipeline of its own. Generation never moves,
 * renames or rewrites a pipeline's files. Documents are written atomically,
 * and only when their content changes.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/fs.h"
#include "rat/docs.h"
#include "rat/workspace.h"
#include "docs/docs.h"

#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DOC_BYTES ((size_t)16 << 20)

static const char *relative(const rat_docs_model *m, const char *path)
{
	size_t n = strlen(rat_workspace_path(m->ws));

	if (strncmp(path, rat_workspace_path(m->ws), n) == 0 && path[n] == '/')
		return path + n + 1;
	return path;
}

/*
 * Refuse path when it, or a folder on the way to it from the workspace, is
 * a symbolic link: a link's target would be read into a README (someone
 * else's file, published as this pipeline's manual section) or written
 * through it.
 */
static int refuse_link(const rat_docs_model *m, const char *path)
{
	const char *rel = relative(m, path);
	size_t base = (size_t)(rel - path), end;
	char *prefix;
	struct stat st;
	bool link;

	if (rel == path)
		return 0; /* outside the workspace: not a document of a pipeline */
	for (end = base; path[end]; end++) {
		if (path[end + 1] != '/' && path[end + 1] != '\0')
			continue;
		if ((prefix = rat__strndup(path, end + 1)) == NULL)
			return RAT_ENOMEM;
		link = lstat(prefix, &st) == 0 && S_ISLNK(st.st_mode);
		free(prefix);
		if (link)
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
					      "%.*s is a symbolic link: rat docs follows none "
					      "(make it a file or a folder of its own)",
					      (int)(end + 1 - base), rel);
	}
	return 0;
}

/* Write content to path unless the file holds it already; the report lists which. */
static int write_doc(rat_docs_report *out, const rat_docs_model *m, const char *path,
		     const rat_buf *content)
{
	rat_buf old = RAT_BUF_INIT;
	char *dir = rat_fs__dirname(path);
	int error;

	if (!dir)
		return RAT_ENOMEM;
	if ((error = refuse_link(m, path)) != 0)
		goto cleanup;
	error = rat_fs__read_file(&old, path, MAX_DOC_BYTES);
	if (error == 0 && old.len == content->len &&
	    memcmp(rat_buf_cstr(&old), rat_buf_cstr(content), old.len) == 0) {
		error = rat_strarray__push(&out->unchanged, relative(m, path));
		goto cleanup;
	}
	if (error && error != RAT_ENOTFOUND)
		goto cleanup;
	if (error) /* a new file */
		rat_error_clear();
	if ((error = rat_fs__mkdir_p(dir)) == 0 &&
	    (error = rat_fs__write_file_atomic(path, rat_buf_cstr(content), content->len)) == 0)
		error = rat_strarray__push(&out->written, relative(m, path));
cleanup:
	rat_buf_free(&old);
	free(dir);
	return error;
}

static int readme(rat_buf *content, const rat_docs_model *m, const rat_pipeline *p,
		  const char *path)
{
	rat_buf old = RAT_BUF_INIT;
	char *manual = NULL;
	int error = refuse_link(m, path);

	if (error)
		return error;
	error = rat_fs__read_file(&old, path, MAX_DOC_BYTES);
	if (error == RAT_ENOTFOUND)
		rat_error_clear();
	if ((!error || error == RAT_ENOTFOUND) &&
	    (error = rat_docs__manual(&manual, error ? NULL : rat_buf_cstr(&old),
				      relative(m, path))) == 0)
		error = rat_docs__readme(content, m, p, manual);
	rat_buf_free(&old);
	free(manual);
	return error;
}

typedef int (*render_fn)(rat_buf *out, const rat_docs_model *m, const rat_pipeline *p);

static int document(rat_docs_report *out, const rat_docs_model *m, const rat_pipeline *p)
{
	static const struct {
		const char *file;
		render_fn render;
	} docs[] = {
		{ "docs/data_dictionary.md", rat_docs__data_dictionary },
		{ "docs/business_rules.md", rat_docs__business_rules },
		{ "docs/lineage.md", rat_docs__lineage },
	};
	rat_buf content = RAT_BUF_INIT;
	char *dir = rat_docs__dir(m, p), *path = NULL;
	size_t i;
	int error = 0;

	if (!dir || (path = rat_fs__join(dir, "README.md")) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = readme(&content, m, p, path)) != 0 ||
	    (error = write_doc(out, m, path, &content)) != 0)
		goto cleanup;
	for (i = 0; !error && i < RAT_ARRAY_SIZE(docs); i++) {
		free(path);
		rat_buf_clear(&content);
		if ((path = rat_fs__join(dir, docs[i].file)) == NULL)
			error = RAT_ENOMEM;
		else if ((error = docs[i].render(&content, m, p)) == 0)
			error = write_doc(out, m, path, &content);
	}
cleanup:
	if (error)
		rat_error__prefix("%s", p->key);
	rat_buf_free(&content);
	free(dir);
	free(path);
	return error;
}

static int workspace_page(rat_docs_report *out, const rat_docs_model *m)
{
	rat_buf content = RAT_BUF_INIT;
	char *path = rat__sprintf("%s/docs/lineage.md", rat_workspace_path(m->ws));
	int error;

	if (!path)
		return RAT_ENOMEM;
	if ((error = rat_docs__workspace_lineage(&content, m)) == 0)
		error = write_doc(out, m, path, &content);
	rat_buf_free(&content);
	free(path);
	return error;
}

int rat_docs_generate(rat_docs_report *out, const rat_workspace *ws, const char *pipeline)
{
	rat_docs_model m;
	const rat_pipeline *only = NULL;
	size_t i;
	int error;

	memset(out, 0, sizeof(*out));
	if ((error = rat_docs__load(&m, ws)) != 0)
		return error;
	if ((pipeline && (error = rat_pipeline__find_named(&only, &m.all, NULL, pipeline)) != 0) ||
	    (error = rat_docs__load_tables(&m, only ? only->key : NULL)) != 0)
		goto cleanup;
	for (i = 0; !error && i < m.all.count; i++) {
		const rat_pipeline *p = &m.all.items[m.order[i]];
		if (!only || p == only) {
			out->pipeline_count++;
			error = document(out, &m, p);
		}
	}
	if (!error && !only)
		error = workspace_page(out, &m);
cleanup:
	rat_docs__model_free(&m);
	return error;
}
