/*
 * fuzz/fuzz_pipeline_config.c - a pipeline's configuration: the `-- @key:
 * value` annotations of its SQL header, then its YAML over them
 * (pipeline/config.c through rat_pipeline__configure()).
 *
 * Input: SQL text, then a NUL byte, then the YAML text. Without a NUL the
 * pipeline has no YAML (annotations only). An empty SQL part makes it a
 * command pipeline (no SQL file; the YAML must give `command:`). The YAML is
 * written to a scratch file, as configure reads only files.
 */
#include "rat.h"
#include "util/common.h"
#include "pipeline/pipeline.h"
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

const char fuzz_asan_options[] = FUZZ_LIBFYAML_ASAN_OPTIONS;
const char fuzz_lsan_suppressions[] = FUZZ_LIBFYAML_SUPPRESSIONS;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	rat_pipelines all = { 0 };
	rat_pipeline *p;
	char *sql = NULL, *yaml = NULL, *yaml_path = NULL;
	size_t yaml_len = 0;

	fuzz_split(data, size, &sql, &yaml, &yaml_len);
	/* held in a list of one, so that rat_pipelines_free() frees what configure set */
	if ((p = calloc(1, sizeof(*p))) == NULL)
		abort();
	all.items = p;
	all.count = 1;
	p->layer = strdup("silver");
	p->name = strdup("orders");
	p->key = strdup("silver.orders");
	p->display = strdup("pipelines/silver/orders.sql");
	p->folder = strdup("pipelines/silver/orders");
	if (!p->layer || !p->name || !p->key || !p->display || !p->folder)
		abort();
	p->sql_first_line = 1;
	if (sql[0]) {
		p->kind = RAT_PIPELINE_SQL;
		p->sql = sql;
		sql = NULL;
	} else {
		p->kind = RAT_PIPELINE_COMMAND;
	}
	if (yaml)
		yaml_path = fuzz_write_file("orders.yaml", yaml, yaml_len);
	rat__ignore(rat_pipeline__configure(p, yaml_path, yaml_path ? "pipelines/silver/orders.yaml" : NULL));
	rat_pipelines_free(&all);
	free(yaml_path);
	free(yaml);
	free(sql);
	return 0;
}
