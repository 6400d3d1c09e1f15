/*
 * quality/mocks.c - a pipeline's mock tables (tests/mocks/), loaded into an
 * engine session as the tables its SQL reads.
 *
 * A mock file names its table by its stem (bronze.sales.csv is bronze.sales)
 * unless a YAML file says otherwise:
 *
 *   table: bronze.sales          tables:                     rows:
 *   rows:                          - table: bronze.sales       - {id: 1}
 *     - {id: 1, amount: 2.5}        rows: [...]
 *
 * The original Ratatouille's name for a table, layer_table (bronze_raw_sales,
 * the stem of bronze_raw_sales.csv), is layer.table (bronze.raw_sales).
 * Two mock files of one table are an error naming both: which one a test
 * read would depend on the order of a folder's listing; a test names the
 * file it wants instead (files.c: -- @mocks: mocks/<file>).
 *
 * YAML rows become JSON (plain scalars keep their type: 1, 2.5, true, null;
 * quoted ones are strings) and DuckDB's JSON reader types the columns, as it
 * does for .json files; .csv and .parquet files are read by their readers,
 * each sheet of an .xlsx workbook is a table named by the sheet (xlsx.c),
 * and a .py file is the original's generator (pymock.c), its table named by
 * its `# @generates:` line or its stem.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/sql.h"
#include "util/yaml.h"
#include "rat/engine.h"
#include "rat/workspace.h"
#include "quality/quality.h"

#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const yaml_keys[] = { "table", "rows", "tables", NULL };
static const char *const table_keys[] = { "table", "rows", NULL };

/* key as layer.table: the original's layer_table (bronze_raw_sales) made bronze.raw_sales. */
static void mock_key(char *out, size_t size, const char *key)
{
	size_t n;
	int i;

	for (i = 0; !strchr(key, '.') && i < RAT_LAYER_COUNT; i++) {
		n = strlen(rat_layer_name((rat_layer)i));
		if (strncmp(key, rat_layer_name((rat_layer)i), n) == 0 && key[n] == '_' && key[n + 1]) {
			snprintf(out, size, "%.*s.%s", (int)n, key, key + n + 1);
			return;
		}
	}
	snprintf(out, size, "%s", key);
}

/*
 * The table key names, or an error when another mock file (sources, beside
 * loaded) made it already.
 */
static int claim(const rat_mocks *m, const char *key, const char *display)
{
	size_t i;

	for (i = 0; i < m->loaded.count; i++)
		if (strcmp(m->loaded.strings[i], key) == 0)
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
					      "%s: mock table %s is also in %s (two mocks of one "
					      "table: give each test the file it reads, "
					      "-- @mocks: mocks/<file>)", display, key,
					      m->sources.strings[i]);
	return 0;
}

/* The table is loaded from display's file. */
static int loaded(rat_mocks *m, const char *key, const char *display)
{
	int error = rat_strarray__push(&m->loaded, key);

	return error ? error : rat_strarray__push(&m->sources, display);
}

/* CREATE OR REPLACE TABLE "layer"."name" AS SELECT * FROM reader('path'...) */
static int create_from(rat_engine *engine, const char *key, const char *reader, const char *path,
		       const char *extra, const char *display)
{
	rat_buf sql = RAT_BUF_INIT, rel = RAT_BUF_INIT;
	const char *dot = strchr(key, '.');
	char layer[64];
	int error;

	if (!dot || dot == key || !dot[1] || (size_t)(dot - key) >= sizeof(layer))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				      "%s: mock table '%s' is not layer.table (nor layer_table, "
				      "bronze_sales for bronze.sales)", display, key);
	snprintf(layer, sizeof(layer), "%.*s", (int)(dot - key), key);
	if ((error = rat_sql__relation(&rel, key)) != 0 ||
	    (error = rat_buf_puts(&sql, "CREATE SCHEMA IF NOT EXISTS ")) != 0 ||
	    (error = rat_sql__ident(&sql, layer)) != 0 ||
	    (error = rat_buf_printf(&sql, "; CREATE OR REPLACE TABLE %s AS SELECT * FROM %s(",
				    rat_buf_cstr(&rel), reader)) != 0 ||
	    (error = rat_sql__literal(&sql, path)) != 0 ||
	    (error = rat_buf_printf(&sql, "%s)", extra)) != 0)
		goto cleanup;
	if ((error = rat_engine_exec(engine, rat_buf_cstr(&sql))) != 0)
		rat_error__prefix("%s: mock %s", display, key);
cleanup:
	rat_buf_free(&sql);
	rat_buf_free(&rel);
	return error;
}

static bool wanted(const rat_strarray *only, const char *key)
{
	char want[256];
	size_t i;

	for (i = 0; only && i < only->count; i++) {
		mock_key(want, sizeof(want), only->strings[i]);
		if (strcmp(want, key) == 0)
			return true;
	}
	return !only;
}

/* One {table, rows} of a YAML mock: the rows to a JSON file, then a table of it. */
static int load_rows(rat_mocks *m, const rat_yaml *yaml, const rat_yaml_field *rows_field,
		     const char *name)
{
	const rat_yaml_field rows = *rows_field;
	char *json = NULL, *path = NULL, key[256];
	size_t n = 0;
	int error;

	mock_key(key, sizeof(key), name);
	if ((error = rat_yaml__sequence(&n, yaml, &rows)) != 0)
		return error;
	if (n == 0)
		return rat_yaml__field_error(yaml, &rows,
					     "a mock needs at least one row (its columns and types "
					     "come from the rows)");
	if ((error = rat_yaml__json(&json, rows.value)) != 0)
		return error;
	if ((path = rat__sprintf("%s/mock-%zu.json", m->scratch, m->files++)) == NULL) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	if ((error = claim(m, key, rat_yaml__display(yaml))) == 0 &&
	    (error = rat_fs__write_file_atomic(path, json, strlen(json))) == 0 &&
	    (error = create_from(m->engine, key, "read_json", path, ", format = 'array'",
				 rat_yaml__display(yaml))) == 0)
		error = loaded(m, key, rat_yaml__display(yaml));
cleanup:
	free(json);
	free(path);
	return error;
}

static int load_table_entry(rat_mocks *m, const rat_yaml *yaml, rat_yaml_field *item)
{
	rat_yaml_field f;
	char *key = NULL, name[256];
	int error;

	if ((error = rat_yaml__mapping(yaml, item, table_keys)) != 0)
		return error;
	if (!rat_yaml__field(&f, item->value, item->path, "table"))
		return rat_yaml__field_error(yaml, item, "give the mock's table: layer.name");
	if ((error = rat_yaml__string(&key, yaml, &f)) != 0)
		return error;
	mock_key(name, sizeof(name), key);
	if (wanted(m->only, name)) {
		if (!rat_yaml__field(&f, item->value, item->path, "rows"))
			error = rat_yaml__field_error(yaml, item, "give the mock's rows");
		else
			error = load_rows(m, yaml, &f, key);
	}
	free(key);
	return error;
}

static int load_yaml(rat_mocks *m, const char *path, const char *display, const char *stem)
{
	rat_yaml *yaml = NULL;
	rat_yaml_field f;
	struct fy_node *root;
	size_t i, n;
	int error;

	if ((error = rat_yaml__load(&yaml, path, display)) != 0)
		return error;
	root = rat_yaml__root(yaml);
	if ((error = rat_yaml__check_mapping(yaml, root, "", yaml_keys)) != 0)
		goto cleanup;
	if (rat_yaml__field(&f, root, "", "tables")) {
		if ((error = rat_yaml__sequence(&n, yaml, &f)) != 0)
			goto cleanup;
		for (i = 0; !error && i < n; i++) {
			rat_yaml_field item;
			rat_yaml__item(&item, rat_yaml__at(f.value, i), f.path, i);
			error = load_table_entry(m, yaml, &item);
		}
	} else if (rat_yaml__field(&f, root, "", "table")) {
		rat_yaml_field whole = { NULL, root, "" };
		error = load_table_entry(m, yaml, &whole);
	} else if (rat_yaml__field(&f, root, "", "rows")) {
		char name[256];
		mock_key(name, sizeof(name), stem);
		if (wanted(m->only, name))
			error = load_rows(m, yaml, &f, stem);
	} else {
		error = rat_yaml__error(yaml, root, "", "a mock has rows, table + rows, or tables");
	}
cleanup:
	rat_yaml__free(yaml);
	return error;
}

/* An .xlsx workbook: each sheet a table, named by the sheet (xlsx.c). */
static int load_xlsx(rat_mocks *m, const char *path, const char *display)
{
	rat_strarray names = RAT_STRARRAY_INIT, paths = RAT_STRARRAY_INIT;
	char key[256], *where;
	size_t i;
	int error = rat_mocks__xlsx_sheets(&names, &paths, path, display, m->scratch, m->files++);

	for (i = 0; !error && i < names.count; i++) {
		mock_key(key, sizeof(key), names.strings[i]);
		if ((where = rat__sprintf("%s, sheet '%s'", display, names.strings[i])) == NULL)
			error = RAT_ENOMEM;
		else if (wanted(m->only, key) && (error = claim(m, key, where)) == 0 &&
			 (error = create_from(m->engine, key, "read_csv", paths.strings[i],
					      ", header = true", where)) == 0)
			error = loaded(m, key, where);
		free(where);
	}
	rat_strarray_free(&names);
	rat_strarray_free(&paths);
	return error;
}

/* A .py generator: run (pymock.c) when its table is wanted, read from the Parquet file it wrote. */
static int load_python(rat_mocks *m, const char *path, const char *display, const char *stem)
{
	char *table = NULL, *out = NULL, key[256];
	int error = rat_mocks__python_table(&table, path, display, stem);

	if (error)
		return error;
	mock_key(key, sizeof(key), table);
	free(table);
	if (!wanted(m->only, key))
		return 0;
	if (!m->ws)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				      "%s: a .py mock runs in a workspace's tests", display);
	if ((out = rat__sprintf("%s/pymock-%zu.parquet", m->scratch, m->files)) == NULL)
		return RAT_ENOMEM;
	if ((error = claim(m, key, display)) == 0 &&
	    (error = rat_mocks__python(m->ws, path, display, m->scratch, m->files++, out)) == 0 &&
	    (error = create_from(m->engine, key, "read_parquet", out, "", display)) == 0)
		error = loaded(m, key, display);
	free(out);
	return error;
}

/* One mock file: path on disk, display in messages, name its file name. */
static int load_file(rat_mocks *m, const char *path, const char *display, const char *name)
{
	static const struct {
		const char *suffix, *reader, *extra;
	} kinds[] = { { ".csv", "read_csv", "" },
		      { ".json", "read_json", "" },
		      { ".parquet", "read_parquet", "" } };
	char *stem = NULL, key[256];
	size_t i;
	int error = 0;

	if (rat__str_has_suffix(name, ".xlsx"))
		return strncmp(name, "~$", 2) == 0 ? 0 : load_xlsx(m, path, display); /* ~$: Excel's lock */
	if (rat__str_has_suffix(name, ".py") && name[0] != '_') { /* _helpers.py: not a mock */
		stem = rat__strndup(name, strlen(name) - 3);
		error = stem ? load_python(m, path, display, stem) : RAT_ENOMEM;
		free(stem);
		return error;
	}
	if (rat__str_has_suffix(name, ".yaml") || rat__str_has_suffix(name, ".yml")) {
		stem = rat__strndup(name, strlen(name) - (rat__str_has_suffix(name, ".yml") ? 4 : 5));
		error = stem ? load_yaml(m, path, display, stem) : RAT_ENOMEM;
		free(stem);
		return error;
	}
	for (i = 0; i < RAT_ARRAY_SIZE(kinds); i++) {
		if (!rat__str_has_suffix(name, kinds[i].suffix))
			continue;
		if ((stem = rat__strndup(name, strlen(name) - strlen(kinds[i].suffix))) == NULL)
			return RAT_ENOMEM;
		mock_key(key, sizeof(key), stem);
		if (wanted(m->only, key) && (error = claim(m, key, display)) == 0 &&
		    (error = create_from(m->engine, key, kinds[i].reader, path, kinds[i].extra,
					 display)) == 0)
			error = loaded(m, key, display);
		free(stem);
		return error;
	}
	return 0;
}

bool rat_mocks__is_mock_file(const char *name)
{
	static const char *const suffixes[] = { ".yaml", ".yml", ".csv", ".json", ".parquet",
						".xlsx", ".py" };
	size_t i;

	for (i = 0; i < RAT_ARRAY_SIZE(suffixes); i++)
		if (rat__str_has_suffix(name, suffixes[i]))
			return true;
	return false;
}

int rat_mocks__load_file(rat_mocks *m, const char *path, const char *display)
{
	const char *slash = strrchr(path, '/');

	if (rat_mocks__is_mock_file(path))
		return load_file(m, path, display, slash ? slash + 1 : path);
	return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
			      "%s: not a mock file (.yaml, .yml, .csv, .json, .parquet, .xlsx or .py)",
			      display);
}

int rat_mocks__load(rat_mocks *m, const char *dir, const char *display_dir)
{
	rat_strarray names = RAT_STRARRAY_INIT;
	char want[256];
	size_t i;
	int error = 0;

	if (!rat_fs__is_dir(dir))
		goto check;
	if ((error = rat_fs__list_dir(&names, dir)) != 0)
		return error;
	for (i = 0; !error && i < names.count; i++) {
		char *full = rat_fs__join(dir, names.strings[i]);
		char *display = rat__sprintf("%s/%s", display_dir, names.strings[i]);
		if (!full || !display)
			error = RAT_ENOMEM;
		else if (names.strings[i][0] != '.' && rat_fs__is_file(full))
			error = load_file(m, full, display, names.strings[i]);
		free(full);
		free(display);
	}
	rat_strarray_free(&names);
check:
	for (i = 0; !error && m->only && i < m->only->count; i++) {
		mock_key(want, sizeof(want), m->only->strings[i]);
		if (!rat_strarray__contains(&m->loaded, want))
			error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_PIPELINE,
					       "no mock for %s in %s", m->only->strings[i],
					       display_dir);
	}
	return error;
}
