/*
 * util/pydecl.h - the declaration of a Python pipeline, read from its source
 * without running Python (pydecl.c): the original Ratatouille's decorator
 *
 *     @bronze_pipeline(name="raw_sales", schedule="0 6 * * *", owner="data")
 *     def ingest_sales(context): ...
 *
 * (@pipeline, @bronze_pipeline, @silver_pipeline, @gold_pipeline, with or
 * without a `ratatouille.pipeline.` prefix). `rat list` and `rat run` know
 * a Python pipeline's table and settings from it, as from a SQL file's
 * header. Its arguments must be literals (strings, lists and dicts of
 * strings, None, True, False, numbers): anything else is an error naming
 * the file, the line and the argument.
 */
#ifndef RAT_UTIL_PYDECL_H
#define RAT_UTIL_PYDECL_H

#include "util/common.h"

typedef struct rat_pydecl {
	bool found;         /* a file with no such decorator is a plain script */
	int line;           /* the decorator's line (1-based) */
	char *decorator;    /* "pipeline", "bronze_pipeline", ... */
	char *function;     /* the decorated def's name */
	char *name;         /* name=, or NULL (the function's name is the table's) */
	char *layer;        /* layer= (@pipeline), or the decorator's, or NULL */
	char *schedule, *description, *owner; /* or NULL */
	rat_strarray tags;       /* tags=[...] as given; a dict's as "key=value" */
	rat_strarray unique_key; /* merge_keys= / unique_key= */
	rat_strarray partition_by;
	rat_strarray depends_on; /* depends_on=["layer.table", ...] */
} rat_pydecl;

#define RAT_PYDECL_INIT                                                                      \
	{ false, 0, NULL, NULL, NULL, NULL, NULL, NULL, NULL, RAT_STRARRAY_INIT,           \
	  RAT_STRARRAY_INIT, RAT_STRARRAY_INIT, RAT_STRARRAY_INIT }

/**
 * Read the pipeline decorator of Python source text (display: the file, for
 * messages). One per file: a second is an error; none leaves out->found
 * false. RAT_EINVALID names display:line and what is wrong.
 */
RAT_MUST_USE int rat_pydecl__scan(rat_pydecl *out, const char *text, const char *display);
void rat_pydecl__free(rat_pydecl *decl);

#endif
