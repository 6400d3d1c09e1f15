/*
 * workspace/pipelines.c - rat_workspace_list_pipelines(): a layer's
 * pipelines, in either layout (a flat file, or a folder of its name), and a
 * flat pipeline's folder of documents and tests beside it. A Python file
 * with a pipeline decorator (util/pydecl.h) is named by it, as the original
 * Ratatouille named it: its name=, else its function's name.
 */
#include "util/common.h"
#include "util/fs.h"
#include "util/pydecl.h"
#include "util/yaml.h"
#include "workspace/workspace.h"
#include "rat/workspace.h"

#include <libfyaml.h>

#include <stdlib.h>
#include <string.h>

/* "sales.sql" -> "sales" for the pipeline files (a lone .yaml: a command); NULL otherwise. */
static char *pipeline_stem(const char *file)
{
	static const char *const kinds[] = { ".sql", ".py", ".sh", ".yaml" };
	size_t i;

	if (file[0] == '.')
		return NULL;
	for (i = 0; i < RAT_ARRAY_SIZE(kinds); i++)
		if (rat__str_has_suffix(file, kinds[i]) && strlen(file) > strlen(kinds[i]))
			return rat__strndup(file, strlen(file) - strlen(kinds[i]));
	return NULL;
}

static bool is_pipeline_folder(const char *dir)
{
	static const char *const entries[] = { "pipeline.sql", "pipeline.py", "pipeline.sh",
					       "config.yaml" };
	size_t i;

	for (i = 0; i < RAT_ARRAY_SIZE(entries); i++) {
		char *path = rat_fs__join(dir, entries[i]);
		bool found = path && rat_fs__is_file(path);
		free(path);
		if (found)
			return true;
	}
	return false;
}

/* Whether two files hold the same bytes (at most 4 MiB each: pipeline files). */
static int same_bytes(bool *same, const char *a, const char *b)
{
	rat_buf x = RAT_BUF_INIT, y = RAT_BUF_INIT;
	int error;

	if ((error = rat_fs__read_file(&x, a, (size_t)4 << 20)) == 0 &&
	    (error = rat_fs__read_file(&y, b, (size_t)4 << 20)) == 0)
		*same = x.len == y.len && memcmp(rat_buf_cstr(&x), rat_buf_cstr(&y), x.len) == 0;
	rat_buf_free(&x);
	rat_buf_free(&y);
	return error;
}

/* "pipelines/<layer>/<name>.<ext>" (flat) or ".../<name>/pipeline.<ext>" (config.yaml). */
static char *pipeline_file(const char *layer, const char *name, size_t ext, bool in_folder)
{
	static const char *const exts[] = { "sql", "py", "sh", "yaml" };

	if (!in_folder)
		return rat__sprintf("pipelines/%s/%s.%s", layer, name, exts[ext]);
	return rat__sprintf("pipelines/%s/%s/%s.%s", layer, name, ext == 3 ? "config" : "pipeline",
			    exts[ext]);
}

static bool is_workspace_file(const rat_workspace *ws, const char *relative)
{
	char *path = rat_fs__join(rat_workspace_path(ws), relative);
	bool found = path && rat_fs__is_file(path);

	free(path);
	return found;
}

/*
 * A flat <name>.yaml beside the folder's config.yaml (the original
 * Ratatouille kept both): config.yaml is used, so every key of the flat
 * file must be in it (its values may differ: config.yaml's win, which the
 * pipeline's loading reports); a key only the flat file has is an error.
 */
static int check_flat_yaml(const char *flat_abs, const char *flat, const char *inner_abs,
			   const char *inner)
{
	rat_yaml *a = NULL, *b = NULL;
	struct fy_node_pair *pair;
	void *iter = NULL;
	int error;

	if ((error = rat_yaml__load(&a, flat_abs, flat)) != 0 ||
	    (error = rat_yaml__load(&b, inner_abs, inner)) != 0)
		goto cleanup;
	while (!error && (pair = fy_node_mapping_iterate(rat_yaml__root(a), &iter)) != NULL) {
		struct fy_node *key = fy_node_pair_key(pair);
		size_t len = 0;
		const char *name = key ? fy_node_get_scalar(key, &len) : NULL;
		char *copy = name ? rat__strndup(name, len) : NULL;
		if (!copy)
			error = name ? RAT_ENOMEM : rat_yaml__error(a, key, "", "a key must be text");
		else if (!fy_node_mapping_lookup_by_string(rat_yaml__root(b), name, len))
			error = rat_yaml__error(a, key, copy,
						"not in %s, which is used instead of this file "
						"(move the key there, or delete %s)",
						inner, flat);
		free(copy);
	}
cleanup:
	rat_yaml__free(a);
	rat_yaml__free(b);
	return error;
}

/* Flat file ext of name against the folder's counterpart (main: the folder's first file). */
static int check_flat_file(const rat_workspace *ws, const char *layer, const char *name,
			   size_t ext, const char *main_file)
{
	char *flat = pipeline_file(layer, name, ext, false), *inner = pipeline_file(layer, name, ext, true);
	char *flat_abs = flat ? rat_fs__join(rat_workspace_path(ws), flat) : NULL;
	char *inner_abs = inner ? rat_fs__join(rat_workspace_path(ws), inner) : NULL;
	bool same = false;
	int error = 0;

	if (!flat_abs || !inner_abs)
		error = RAT_ENOMEM;
	else if (ext == 3 && rat_fs__is_file(flat_abs) && rat_fs__is_file(inner_abs))
		error = check_flat_yaml(flat_abs, flat, inner_abs, inner);
	else if (rat_fs__is_file(flat_abs) &&
		 (!rat_fs__is_file(inner_abs) ||
		  ((error = same_bytes(&same, flat_abs, inner_abs)) == 0 && !same)))
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
				       "%s and %s both define %s.%s: keep one (a folder holding "
				       "pipeline.sql is the folder layout; beside a flat %s.sql, "
				       "%s/ holds only README.md, docs/ and tests/)",
				       flat, rat_fs__is_file(inner_abs) ? inner : main_file, layer, name,
				       name, name);
	free(flat);
	free(inner);
	free(flat_abs);
	free(inner_abs);
	return error;
}

/*
 * name is a folder of pipeline files (the folder layout) and flat files
 * beside it too: one pipeline, the folder's, when every flat file is the
 * same bytes as its counterpart in the folder (<name>.sql as pipeline.sql)
 * or, for <name>.yaml, has only keys config.yaml has; else an error naming
 * both files.
 */
static int check_both_layouts(const rat_workspace *ws, const char *layer, const char *name)
{
	char *main_file = NULL;
	size_t i;
	int error = 0;

	for (i = 0; !main_file && i < 4; i++) {
		if ((main_file = pipeline_file(layer, name, i, true)) == NULL)
			return RAT_ENOMEM;
		if (!is_workspace_file(ws, main_file)) {
			free(main_file);
			main_file = NULL;
		}
	}
	for (i = 0; !error && main_file && i < 4; i++)
		error = check_flat_file(ws, layer, name, i, main_file);
	free(main_file);
	return error;
}

static int list_stems(rat_strarray *out, const rat_workspace *ws, rat_layer layer)
{
	rat_strarray entries = RAT_STRARRAY_INIT, names = RAT_STRARRAY_INIT,
		     folders = RAT_STRARRAY_INIT;
	char *dir = NULL;
	size_t i;
	int error = 0;

	if (!rat_layer_name(layer))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_INVALID, "layer %d out of range",
				      (int)layer);
	if ((dir = rat__sprintf("%s/pipelines/%s", rat_workspace_path(ws), rat_layer_name(layer))) == NULL)
		return RAT_ENOMEM;
	if (rat_fs__is_dir(dir) && (error = rat_fs__list_dir(&entries, dir)) != 0)
		goto cleanup;
	for (i = 0; i < entries.count; i++) {
		char *path = rat_fs__join(dir, entries.strings[i]), *name = NULL;
		if (!path) {
			error = RAT_ENOMEM;
			goto cleanup;
		}
		if (rat_fs__is_dir(path) && entries.strings[i][0] != '.' && is_pipeline_folder(path) &&
		    (name = rat__strdup(entries.strings[i])) != NULL &&
		    (error = rat_strarray__push(&folders, name)) != 0) {
			free(name);
			free(path);
			goto cleanup;
		} else if (!name && rat_fs__is_file(path)) {
			name = pipeline_stem(entries.strings[i]);
		}
		free(path);
		if (!name)
			continue;
		/* flat files beside a folder that holds the pipeline: the same, or an error */
		if (rat_strarray__contains(&folders, name) && rat_strarray__contains(&names, name) &&
		    (error = check_both_layouts(ws, rat_layer_name(layer), name)) != 0) {
			free(name);
			goto cleanup;
		}
		if ((rat_strarray__contains(&folders, name) ||
		     rat__str_has_suffix(entries.strings[i], ".yaml")) &&
		    rat_strarray__contains(&names, name)) {
			free(name); /* the same pipeline, or the YAML of one already listed */
			continue;
		}
		if (rat_strarray__contains(&names, name)) {
			error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
					       "%s: pipeline '%s' is defined twice (keep one of "
					       "%s.sql, %s.py, %s.sh, %s/)",
					       dir, name, name, name, name, name);
			free(name);
			goto cleanup;
		}
		if ((error = rat_strarray__push_owned(&names, name)) != 0)
			goto cleanup;
	}
	rat_strarray__hand_over(out, &names);
cleanup:
	rat_strarray_free(&names);
	rat_strarray_free(&folders);
	rat_strarray_free(&entries);
	free(dir);
	return error;
}

/* A Python pipeline's name from its decorator, into *name (NULL: a plain script, or no .py). */
static int decorated_name(char **name, const rat_workspace *ws, const char *layer,
			  const char *stem)
{
	static const char *const forms[] = { "%s/pipelines/%s/%s/pipeline.py", "%s/pipelines/%s/%s.py" };
	rat_pydecl decl = RAT_PYDECL_INIT;
	rat_buf text = RAT_BUF_INIT;
	char *path = NULL, *display;
	size_t i;
	int error = 0;

	*name = NULL;
	for (i = 0; !path && i < RAT_ARRAY_SIZE(forms); i++) {
		if ((path = rat__sprintf(forms[i], rat_workspace_path(ws), layer, stem)) == NULL)
			return RAT_ENOMEM;
		if (!rat_fs__is_file(path)) {
			free(path);
			path = NULL;
		}
	}
	if (!path)
		return 0;
	display = path + strlen(rat_workspace_path(ws)) + 1;
	if ((error = rat_fs__read_text(&text, path, display, (size_t)4 << 20)) == 0 &&
	    (error = rat_pydecl__scan(&decl, rat_buf_cstr(&text), display)) == 0 && decl.found) {
		if (decl.layer && strcmp(decl.layer, layer) != 0)
			error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
					       "%s:%d: a %s pipeline in pipelines/%s/ (move the file, or "
					       "change its layer)",
					       display, decl.line, decl.layer, layer);
		else if ((*name = rat__strdup(decl.name ? decl.name : decl.function)) == NULL)
			error = RAT_ENOMEM;
	}
	rat_pydecl__free(&decl);
	rat_buf_free(&text);
	free(path);
	return error;
}

int rat_workspace__list_pipeline_files(rat_strarray *names, rat_strarray *stems,
				       const rat_workspace *ws, rat_layer layer)
{
	rat_strarray found = RAT_STRARRAY_INIT, named = RAT_STRARRAY_INIT;
	size_t i, j;
	int error = list_stems(&found, ws, layer);

	for (i = 0; !error && i < found.count; i++) {
		char *name = NULL;
		if ((error = decorated_name(&name, ws, rat_layer_name(layer), found.strings[i])) == 0)
			error = name ? rat_strarray__push_owned(&named, name)
				     : rat_strarray__push(&named, found.strings[i]);
	}
	for (i = 0; !error && i < named.count; i++)
		for (j = i + 1; !error && j < named.count; j++)
			if (strcmp(named.strings[i], named.strings[j]) == 0)
				error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
						       "pipelines/%s/: '%s' and '%s' both define %s.%s "
						       "(a Python pipeline is named by its decorator's "
						       "name=, else its function): keep one",
						       rat_layer_name(layer), found.strings[i],
						       found.strings[j], rat_layer_name(layer),
						       named.strings[i]);
	for (i = 1; !error && i < named.count; i++) /* by name, the stems along */
		for (j = i; j > 0 && strcmp(named.strings[j - 1], named.strings[j]) > 0; j--) {
			char *n = named.strings[j], *f = found.strings[j];
			named.strings[j] = named.strings[j - 1];
			found.strings[j] = found.strings[j - 1];
			named.strings[j - 1] = n;
			found.strings[j - 1] = f;
		}
	if (!error) {
		rat_strarray__hand_over(names, &named);
		if (stems)
			rat_strarray__hand_over(stems, &found);
	}
	rat_strarray_free(&found);
	rat_strarray_free(&named);
	return error;
}

int rat_workspace_list_pipelines(rat_strarray *out, const rat_workspace *ws, rat_layer layer)
{
	return rat_workspace__list_pipeline_files(out, NULL, ws, layer);
}
