/*
 * pipeline/discover.c - finding a workspace's pipelines and loading each:
 * its files (flat or folder form), its configuration, its dependencies.
 *
 * Names come from rat_workspace_list_pipelines(), the one place that knows
 * which files are pipelines; this file maps a name to its files, reads the
 * SQL, configures it (pipeline/config.c) and asks the template engine for
 * the ref() names it depends on.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/pydecl.h"
#include "rat/workspace.h"
#include "config/config.h"
#include "pipeline/config.h"
#include "pipeline/pipeline.h"
#include "template/template.h"
#include "workspace/workspace.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SOURCE_BYTES ((size_t)4 << 20)

static const struct {
	const char *suffix;
	rat_pipeline_kind kind;
} source_kinds[] = {
	{ "sql", RAT_PIPELINE_SQL },
	{ "py", RAT_PIPELINE_PYTHON },
	{ "sh", RAT_PIPELINE_SHELL },
};

/* Relative to the workspace, for messages. */
static char *display_path(const rat_workspace *ws, const char *path)
{
	size_t n = strlen(rat_workspace_path(ws));

	if (strncmp(path, rat_workspace_path(ws), n) == 0 && path[n] == '/')
		return rat__strdup(path + n + 1);
	return rat__strdup(path);
}

/* base: ".../pipelines/silver/orders" (flat) or ".../orders/pipeline" (folder). */
static int find_files(rat_pipeline *p, const char *base, const char *yaml_base, char **yaml)
{
	size_t i;

	*yaml = NULL;
	p->kind = RAT_PIPELINE_COMMAND;
	for (i = 0; i < RAT_ARRAY_SIZE(source_kinds); i++) {
		char *path = rat__sprintf("%s.%s", base, source_kinds[i].suffix);
		if (!path)
			return RAT_ENOMEM;
		if (rat_fs__is_file(path) && !p->source_path) {
			p->source_path = path;
			p->kind = source_kinds[i].kind;
		} else if (rat_fs__is_file(path)) {
			int error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
						   "pipeline %s has two files: %s and %s (keep one)",
						   p->key, p->source_path, path);
			free(path);
			return error;
		} else {
			free(path);
		}
	}
	if ((*yaml = rat__sprintf("%s.yaml", yaml_base)) == NULL)
		return RAT_ENOMEM;
	if (!rat_fs__is_file(*yaml)) {
		free(*yaml);
		*yaml = NULL;
	}
	return 0;
}

/*
 * A pipeline in the folder layout with flat files beside it too (the
 * original Ratatouille kept both; rat_workspace_list_pipelines() checked
 * that they agree): the flat ones are ignored, which p's warnings say.
 */
static int note_flat_files(rat_pipeline *p, const rat_workspace *ws, const char *dir)
{
	static const char *const flat[] = { "sql", "py", "sh", "yaml" };
	size_t i;
	int error = 0;

	for (i = 0; !error && i < RAT_ARRAY_SIZE(flat); i++) {
		char *path = rat__sprintf("%s.%s", dir, flat[i]), *shown = NULL;
		if (!path || (shown = display_path(ws, path)) == NULL)
			error = RAT_ENOMEM;
		else if (rat_fs__is_file(path) && (i < 3 || p->config_display))
			error = rat_strarray__push_owned(
				&p->warnings,
				i < 3 ? rat__sprintf("%s is ignored: %s, the same, is used (delete "
						     "one)", shown, p->display)
				      : rat__sprintf("%s is ignored: %s is used (it has every key "
						     "of it; where they differ, its values win)",
						     shown, p->config_display));
		free(path);
		free(shown);
	}
	return error;
}

/* strings' copies into an empty list (the YAML's, when it set one, win). */
static int take_list(rat_strarray *to, const rat_strarray *from)
{
	size_t i;
	int error = 0;

	for (i = 0; !error && to->count == 0 && i < from->count; i++)
		error = rat_strarray__push(to, from->strings[i]);
	return error;
}

/*
 * A Python pipeline's decorator (util/pydecl.h), for what its YAML does not
 * say: description, owner, unique key, partitioning, tags, the schedule (a
 * trigger) and depends_on. A file without one stays a plain script.
 */
static int python_declaration(rat_pipeline *p)
{
	rat_pydecl decl = RAT_PYDECL_INIT;
	rat_buf text = RAT_BUF_INIT;
	int error;

	if ((error = rat_fs__read_text(&text, p->source_path, p->display, MAX_SOURCE_BYTES)) != 0 ||
	    (error = rat_pydecl__scan(&decl, rat_buf_cstr(&text), p->display)) != 0 || !decl.found)
		goto cleanup;
	if ((p->py_function = rat__strdup(decl.function)) == NULL ||
	    (!p->description && decl.description && (p->description = rat__strdup(decl.description)) == NULL) ||
	    (!p->owner && decl.owner && (p->owner = rat__strdup(decl.owner)) == NULL)) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = take_list(&p->unique_key, &decl.unique_key)) != 0 ||
	    (error = take_list(&p->doc_tags, &decl.tags)) != 0 ||
	    (error = take_list(&p->py_depends_on, &decl.depends_on)) != 0)
		goto cleanup;
	if (!p->partition_by_set && decl.partition_by.count) {
		p->partition_by_set = true;
		error = take_list(&p->partition_by, &decl.partition_by);
	}
	if (!error && decl.schedule && p->trigger_count == 0) /* the YAML's triggers: win */
		error = rat_trigger__schedule(&p->triggers, &p->trigger_count, decl.schedule, decl.line,
					      p->display);
cleanup:
	rat_pydecl__free(&decl);
	rat_buf_free(&text);
	return error;
}

/* What follows the configuration: workspace defaults, a Python pipeline's decorator, the triggers' checks. */
static int settle(rat_pipeline *p, const rat_workspace *ws)
{
	int error = 0;

	if (!p->warn_after_s && !p->error_after_s) {
		/* workspace.yaml's freshness: defaults, for a pipeline that sets none */
		p->warn_after_s = rat_workspace__defaults(ws)->freshness_warn_s;
		p->error_after_s = rat_workspace__defaults(ws)->freshness_error_s;
	}
	if (p->kind == RAT_PIPELINE_PYTHON && (error = python_declaration(p)) != 0)
		return error;
	if (p->landing && rat__str_has_prefix(p->landing, "s3://")) {
		rat_pipeline__trim_landing(p->landing);
		p->landing_url = p->landing;
		if ((p->landing = rat__sprintf(".s3/%s", p->landing_url + 5)) == NULL)
			return RAT_ENOMEM;
	}
	return rat_trigger__check(p->triggers, p->trigger_count, p->warn_after_s, p->error_after_s,
				  p->landing,
				  p->trigger_count && !p->triggers[0].decorator && p->config_display
					  ? p->config_display : p->display);
}

int rat_pipeline__load(rat_pipeline *p, const rat_workspace *ws, const char *layer,
		       const char *stem, const char *name)
{
	char *dir = NULL, *base = NULL, *yaml_base = NULL, *yaml = NULL, *yaml_display = NULL;
	rat_buf text = RAT_BUF_INIT;
	int error = 0;

	p->layer = rat__strdup(layer);
	p->name = rat__strdup(name);
	p->key = rat__sprintf("%s.%s", layer, name);
	p->folder = rat__sprintf("pipelines/%s/%s", layer, stem);
	dir = rat__sprintf("%s/pipelines/%s/%s", rat_workspace_path(ws), layer, stem);
	if (!p->layer || !p->name || !p->key || !p->folder || !dir) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if (rat_fs__is_dir(dir)) {
		base = rat__sprintf("%s/pipeline", dir);
		yaml_base = rat__sprintf("%s/config", dir);
	} else {
		base = rat__strdup(dir);
		yaml_base = rat__strdup(dir);
	}
	if (!base || !yaml_base || (error = find_files(p, base, yaml_base, &yaml)) != 0)
		goto cleanup;
	if (!p->source_path && !yaml && strcmp(base, dir) != 0) {
		/* a folder that is not a pipeline's (e.g. docs) beside a flat <name>.sql */
		free(base);
		free(yaml_base);
		base = rat__strdup(dir);
		yaml_base = rat__strdup(dir);
		if (!base || !yaml_base || (error = find_files(p, base, yaml_base, &yaml)) != 0)
			goto cleanup;
	}
	p->display = display_path(ws, p->source_path ? p->source_path : yaml);
	if (!p->display || (yaml && (yaml_display = display_path(ws, yaml)) == NULL)) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	p->config_path = yaml;
	yaml = NULL;
	if (!rat_config__valid_identifier(name)) {
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				       "%s: '%s' cannot name a table (letters, digits and '_', "
				       "not starting with a digit)",
				       p->display, name);
		goto cleanup;
	}
	if (p->kind == RAT_PIPELINE_SQL) {
		if ((error = rat_fs__read_text(&text, p->source_path, p->display,
					       MAX_SOURCE_BYTES)) != 0)
			goto cleanup;
		if ((p->sql = rat_buf_detach(&text)) == NULL && (p->sql = rat__strdup("")) == NULL) {
			error = RAT_ENOMEM;
			goto cleanup;
		}
	}
	p->sql_first_line = 1;
	error = rat_pipeline__configure(p, p->config_path, yaml_display);
	p->config_display = yaml_display;
	yaml_display = NULL;
	if (!error)
		error = settle(p, ws);
	if (!error && strcmp(base, dir) != 0)
		error = note_flat_files(p, ws, dir);
cleanup:
	rat_buf_free(&text);
	free(dir);
	free(base);
	free(yaml_base);
	free(yaml);
	free(yaml_display);
	return error;
}

/* The .sql files of macros/, read once for every pipeline. */
static int load_macros(rat_pipelines *out, const rat_workspace *ws)
{
	rat_strarray entries = RAT_STRARRAY_INIT;
	char *dir = rat_fs__join(rat_workspace_path(ws), "macros");
	size_t i;
	int error = 0;

	if (!dir)
		return RAT_ENOMEM;
	if (!rat_fs__is_dir(dir) || (error = rat_fs__list_dir(&entries, dir)) != 0)
		goto cleanup;
	if (entries.count && (out->macros = rat__calloc(entries.count, sizeof(*out->macros))) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	for (i = 0; !error && i < entries.count; i++) {
		rat_template_source *m = &out->macros[out->macro_count];
		rat_buf text = RAT_BUF_INIT;
		char *full;

		if (entries.strings[i][0] == '.' || !rat__str_has_suffix(entries.strings[i], ".sql"))
			continue;
		if ((full = rat_fs__join(dir, entries.strings[i])) == NULL ||
		    (m->path = rat__sprintf("macros/%s", entries.strings[i])) == NULL) {
			free(full);
			error = RAT_ENOMEM;
			break;
		}
		out->macro_count++;
		if ((error = rat_fs__read_text(&text, full, m->path, MAX_SOURCE_BYTES)) == 0 &&
		    (m->text = rat_buf_detach(&text)) == NULL && (m->text = rat__strdup("")) == NULL)
			error = RAT_ENOMEM;
		rat_buf_free(&text);
		free(full);
	}
cleanup:
	rat_strarray_free(&entries);
	free(dir);
	return error;
}

/* p's ref()s as keys: a bare name is the one pipeline of that name (dag.c). */
static int find_deps(rat_pipeline *p, const rat_pipelines *all)
{
	rat_template_context tc = RAT_TEMPLATE_CONTEXT_INIT;
	rat_strarray names = RAT_STRARRAY_INIT;
	size_t i;
	int error;

	for (i = 0; i < p->py_depends_on.count; i++) { /* a Python pipeline's depends_on= */
		const char *key;
		if ((error = rat_pipeline__resolve_ref(&key, all, p, p->py_depends_on.strings[i])) != 0) {
			rat_error__prefix("%s: depends_on", p->display);
			return error;
		}
		if (!rat_strarray__contains(&p->deps, key) && (error = rat_strarray__push(&p->deps, key)) != 0)
			return error;
	}
	if (!p->sql)
		return 0;
	tc.path = p->display;
	rat_pipeline__template_env(&tc, all);
	tc.macros = all->macros;
	tc.macro_count = all->macro_count;
	if ((error = rat_template__refs(&names, p->sql, &tc)) != 0)
		return error;
	for (i = 0; !error && i < names.count; i++) {
		const char *key;
		if ((error = rat_pipeline__resolve_ref(&key, all, p, names.strings[i])) != 0)
			rat_error__prefix("%s:%d", p->display,
					  rat_pipeline__ref_line(p, names.strings[i]));
		else if (!rat_strarray__contains(&p->deps, key))
			error = rat_strarray__push(&p->deps, key);
	}
	rat_strarray_free(&names);
	if (error)
		return error;
	for (i = 0; i < p->deps.count; i++)
		if (strcmp(p->deps.strings[i], p->key) == 0)
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
					      "%s: %s refers to itself (use {{ this }} for the "
					      "table it writes)",
					      p->display, p->key);
	return 0;
}

int rat_pipeline__load_all(rat_pipelines *out, const rat_workspace *ws)
{
	rat_strarray names[RAT_LAYER_COUNT] = { RAT_STRARRAY_INIT, RAT_STRARRAY_INIT,
						 RAT_STRARRAY_INIT },
		     stems[RAT_LAYER_COUNT] = { RAT_STRARRAY_INIT, RAT_STRARRAY_INIT,
						 RAT_STRARRAY_INIT };
	size_t total = 0, i;
	int layer, error = 0;

	memset(out, 0, sizeof(*out));
	out->ws = ws;
	if ((error = rat_pipeline__secrets_new(&out->secrets)) != 0)
		return error;
	for (layer = 0; !error && layer < RAT_LAYER_COUNT; layer++)
		if ((error = rat_workspace__list_pipeline_files(&names[layer], &stems[layer], ws,
								 (rat_layer)layer)) == 0)
			total += names[layer].count;
	if (error || (error = load_macros(out, ws)) != 0)
		goto cleanup;
	if (total && (out->items = rat__calloc(total, sizeof(*out->items))) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	for (layer = 0; !error && layer < RAT_LAYER_COUNT; layer++)
		for (i = 0; !error && i < names[layer].count; i++)
			error = rat_pipeline__load(&out->items[out->count++], ws,
						   rat_layer_name((rat_layer)layer),
						   stems[layer].strings[i], names[layer].strings[i]);
	for (i = 0; !error && i < out->count; i++)
		error = find_deps(&out->items[i], out);
cleanup:
	for (layer = 0; layer < RAT_LAYER_COUNT; layer++) {
		rat_strarray_free(&names[layer]);
		rat_strarray_free(&stems[layer]);
	}
	if (error)
		rat_pipelines_free(out);
	return error;
}

void rat_pipeline__free(rat_pipeline *p)
{
	size_t i, j;

	free(p->layer);
	free(p->name);
	free(p->key);
	free(p->source_path);
	free(p->config_path);
	free(p->config_display);
	free(p->display);
	free(p->folder);
	free(p->sql);
	free(p->command);
	free(p->description);
	free(p->owner);
	rat_strarray_free(&p->unique_key);
	rat_strarray_free(&p->partition_by);
	free(p->landing);
	free(p->landing_url);
	for (i = 0; i < p->column_count; i++) {
		rat_column_config *c = &p->columns[i];
		free(c->name);
		free(c->type);
		free(c->description);
		free(c->example);
		free(c->pii_type);
		for (j = 0; j < c->test_count; j++) {
			rat_strarray_free(&c->tests[j].values);
			free(c->tests[j].bound);
		}
		free(c->tests);
	}
	free(p->columns);
	for (i = 0; i < p->test_count; i++) {
		free(p->tests[i].name);
		free(p->tests[i].sql);
		free(p->tests[i].expect);
	}
	free(p->tests);
	for (i = 0; i < p->doc_rule_count; i++) {
		free(p->doc_rules[i].name);
		free(p->doc_rules[i].description);
		free(p->doc_rules[i].sql);
	}
	free(p->doc_rules);
	rat_strarray_free(&p->doc_tags);
	free(p->freshness_column);
	free(p->documentation);
	rat_trigger__free_all(p->triggers, p->trigger_count);
	free(p->py_function);
	rat_strarray_free(&p->py_depends_on);
	rat_strarray_free(&p->deps);
	rat_strarray_free(&p->warnings);
}

void rat_pipelines_free(rat_pipelines *pipelines)
{
	size_t i;

	if (!pipelines)
		return;
	for (i = 0; i < pipelines->count; i++)
		rat_pipeline__free(&pipelines->items[i]);
	free(pipelines->items);
	for (i = 0; i < pipelines->macro_count; i++) {
		free((char *)pipelines->macros[i].path);
		free((char *)pipelines->macros[i].text);
	}
	free(pipelines->macros);
	rat_pipeline__secrets_free(pipelines->secrets);
	memset(pipelines, 0, sizeof(*pipelines));
}

rat_pipeline *rat_pipeline__find(const rat_pipelines *pipelines, const char *key)
{
	size_t i;

	for (i = 0; i < pipelines->count; i++)
		if (strcmp(pipelines->items[i].key, key) == 0)
			return &pipelines->items[i];
	return NULL;
}
