/*
 * pipeline/testing.h - internals of `rat test` (rat/test.h): mock tables.
 */
#ifndef RAT_PIPELINE_TESTING_H
#define RAT_PIPELINE_TESTING_H

#include "util/common.h"
#include "pipeline/run.h"

/* Loading a folder of mocks into a session. */
typedef struct rat_mocks {
	rat_engine *engine;
	const char *scratch;       /* where YAML rows are written as JSON */
	const rat_strarray *only;  /* load only these tables (NULL: every mock) */
	rat_strarray loaded;       /* the tables loaded */
	size_t files;              /* JSON files written so far */
} rat_mocks;

/**
 * Create a table for every mock file in dir (display_dir names it in
 * messages). A table of m->only with no mock is an error naming it.
 */
int rat_mocks__load(rat_mocks *m, const char *dir, const char *display_dir);

#endif
