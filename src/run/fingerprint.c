/*
 * run/fingerprint.c - a build is skipped when nothing it depends on
 * changed (build.h): its compiled SQL, its configuration, the version of
 * every table it reads and the landing files it reads, hashed into the
 * fingerprint its table's snapshot records.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/random.h"
#include "util/sha256.h"
#include "util/sql.h"
#include "rat/catalog.h"
#include "rat/engine.h"
#include "rat/pipeline.h"
#include "rat/workspace.h"
#include "engine/engine.h"
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

/*
 * What a build's result depends on: its compiled SQL (a decorated Python
 * pipeline's source), its configuration
 * (materialization, keys, partitioning, checks), the version of every table
 * it reads, and the landing files it reads (names, sizes, times).
 */
int rat_run__fingerprint(build *b, const char *sql)
{
	rat_buf text = RAT_BUF_INIT;
	size_t i;
	int error = rat_buf_printf(&text, "%s\n", sql);

	if (!error && b->p->config_path &&
	    (error = rat_fs__read_file(&text, b->p->config_path, (size_t)4 << 20)) == 0)
		error = rat_buf_putc(&text, '\n');

	for (i = 0; !error && i < b->p->deps.count; i++) {
		const rat_catalog_entry *e = rat_catalog__find(&b->contents, b->p->deps.strings[i]);
		error = rat_buf_printf(&text, "%s=%s\n", b->p->deps.strings[i],
				       e ? e->state.metadata_location : "");
	}
	for (i = 0; !error && i < b->new_abs.count; i++) {
		struct stat st;
		if (stat(b->new_abs.strings[i], &st) == 0)
			error = rat_buf_printf(&text, "%s %lld %lld\n", b->new_rel.strings[i],
					       (long long)st.st_size, (long long)st.st_mtime);
	}
	if (!error)
		error = rat_sha256__hex(text.ptr, text.len, b->fingerprint);
	rat_buf_free(&text);
	return error;
}

/* Did the previous build of this table already produce exactly this? */
int rat_run__up_to_date(build *b, const char *sql, bool *fresh)
{
	rat_table_metadata meta;
	const rat_table_snapshot *snap;
	rat_store *store = NULL;
	char *stored = NULL;
	const char *recorded;
	int error;

	*fresh = false;
	if (!b->entry || b->ctx->opts->full_refresh ||
	    (b->p->kind != RAT_PIPELINE_SQL && !(b->p->py_function && b->p->landing)))
		return 0;
	if (b->p->materialized == RAT_MATERIALIZE_VIEW) {
		if (!b->entry->state.view)
			return 0;
		if ((error = rat_workspace__view_sql(&stored, b->ctx->ws, b->entry)) == 0)
			*fresh = strcmp(stored, sql) == 0;
		free(stored);
		return error;
	}
	if (b->entry->state.view ||
	    (error = rat_workspace__entry_metadata(&meta, &store, b->ctx->ws, b->entry)) != 0)
		return b->entry->state.view ? 0 : error;
	snap = meta.current_snapshot_id >= 0 ? rat_table__snapshot(&meta, meta.current_snapshot_id)
					     : NULL;
	recorded = snap ? json_string_value(json_object_get(snap->summary, FINGERPRINT_KEY)) : NULL;
	*fresh = recorded && strcmp(recorded, b->fingerprint) == 0;
	rat_table__metadata_free(&meta);
	rat_store__free(store);
	return 0;
}
