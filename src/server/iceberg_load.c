/*
 * server/iceberg_load.c - loadTable: a table's metadata at the request's ref,
 * with an ETag (the metadata location and the snapshots mode) that answers
 * If-None-Match with 304, and snapshots=refs.
 *
 * A metadata file is never rewritten (a new version is a new file): once
 * one has been parsed, its text goes out as it is on later loads, without
 * being parsed and printed again.
 */
#include "server/iceberg.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The snapshots a ref points at, alone (snapshots=refs). */
static void only_ref_snapshots(json_t *md)
{
	json_t *snaps = json_object_get(md, "snapshots"), *refs = json_object_get(md, "refs");
	json_t *keep = json_array(), *s, *ref;
	const char *name;
	size_t i;

	json_array_foreach(snaps, i, s) {
		json_object_foreach(refs, name, ref)
			if (json_equal(json_object_get(ref, "snapshot-id"), json_object_get(s, "snapshot-id"))) {
				json_array_append(keep, s);
				break;
			}
	}
	json_object_set_new(md, "snapshots", keep);
}

#define FNV_START 1469598103934665603ULL

/* FNV-1a (64 bits) of s, going on from h. */
static uint64_t fnv(uint64_t h, const char *s)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void etag_of(char out[80], const char *location, const char *mode)
{
	snprintf(out, 80, "\"%016llx\"", (unsigned long long)fnv(fnv(FNV_START, location), mode));
}

/*
 * Metadata files known to hold a JSON object: a metadata file is never
 * rewritten (a new version is a new file), so once one has been parsed, its
 * text can go out as it is, without parsing and printing it again on every
 * load. Bounded; a full set starts again.
 */
/* A set of locations, hashed (open addressing): at most KNOWN_MAX, then it starts again. */
#define KNOWN_SLOTS 8192
#define KNOWN_MAX (KNOWN_SLOTS / 2)
static pthread_mutex_t known_lock = PTHREAD_MUTEX_INITIALIZER;
static char *known[KNOWN_SLOTS];
static size_t known_count;

static size_t slot_of(const char *location)
{
	return (size_t)(fnv(FNV_START, location) % KNOWN_SLOTS);
}

/* Under the lock: the slot holding location, or the empty one where it would go. */
static size_t find_slot(const char *location)
{
	size_t i = slot_of(location);

	while (known[i] && strcmp(known[i], location) != 0)
		i = (i + 1) % KNOWN_SLOTS;
	return i;
}

static bool is_known(const char *location)
{
	bool hit;

	pthread_mutex_lock(&known_lock);
	hit = known[find_slot(location)] != NULL;
	pthread_mutex_unlock(&known_lock);
	return hit;
}

static void add_known(const char *location)
{
	char *copy = strdup(location);
	size_t i;

	if (!copy)
		return;
	pthread_mutex_lock(&known_lock);
	if (known_count == KNOWN_MAX) {
		for (i = 0; i < KNOWN_SLOTS; i++) {
			free(known[i]);
			known[i] = NULL;
		}
		known_count = 0;
	}
	i = find_slot(location);
	if (known[i]) {
		free(copy);
	} else {
		known[i] = copy;
		known_count++;
	}
	pthread_mutex_unlock(&known_lock);
}

/* The LoadTableResult of a known metadata file, its text as it is. */
static int load_raw(ice *x, const char *key, const rat_table_metadata_file *file)
{
	json_t *config = ice_table_config(x, key), *where = json_string(file->location);
	char *loc = where ? json_dumps(where, JSON_ENCODE_ANY) : NULL;
	char *cfg = json_dumps(config, JSON_COMPACT);

	json_decref(config);
	json_decref(where);
	if (loc && cfg &&
	    (x->res->raw = malloc(strlen(loc) + strlen(file->json) + strlen(cfg) + 64)) != NULL) {
		sprintf(x->res->raw, "{\"metadata-location\":%s,\"metadata\":%s,\"config\":%s}", loc,
			file->json, cfg);
		x->res->status = 200;
	} else {
		srv_error(x->res, 500, "ServerErrorException", "out of memory");
	}
	free(loc);
	free(cfg);
	return x->res->status;
}

int ice_load_table(ice *x, const char *key)
{
	rat_table_metadata_file file = { NULL, NULL, 0 };
	char *mode = srv_query(x->r, "snapshots");
	const char *match = srv_header(x->r, "If-None-Match");
	json_t *md = NULL;
	int error;

	if (mode && !srv_is(mode, "all") && !srv_is(mode, "refs")) {
		free(mode);
		return srv_error(x->res, 400, "BadRequestException", "snapshots is all or refs");
	}
	if ((error = rat_table_metadata_read(&file, x->catalog, x->r->who->ws, ice_branch(x),
					     key)) != 0 && error != RAT_ENOTFOUND) {
		srv_lib_error(x->res, error);
		goto done;
	}
	if (error || file.is_view) {
		srv_error(x->res, 404, "NoSuchTableException", "no table %s on %s%s", key,
			  ice_branch(x), error ? "" : " (it is a view)");
		goto done;
	}
	etag_of(x->res->etag, file.location, mode ? mode : "all");
	if (match && strstr(match, x->res->etag)) {
		x->res->status = 304;
		goto done;
	}
	if (!srv_is(mode, "refs") && is_known(file.location)) {
		load_raw(x, key, &file);
		goto done;
	}
	if ((md = json_loads(file.json, 0, NULL)) == NULL || !json_is_object(md)) {
		srv_error(x->res, 500, "ServerErrorException", "%s: %s is not a JSON object", key,
			  file.location);
		goto done;
	}
	add_known(file.location);
	if (srv_is(mode, "refs"))
		only_ref_snapshots(md);
	x->res->status = 200;
	x->res->body = json_pack("{s:s, s:O, s:o}", "metadata-location", file.location, "metadata",
				 md, "config", ice_table_config(x, key));
done:
	json_decref(md);
	free(mode);
	rat_table_metadata_file_free(&file);
	return x->res->status;
}
