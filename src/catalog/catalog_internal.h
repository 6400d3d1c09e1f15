/*
 * catalog/catalog_internal.h - the backend interface and what catalog.c (the
 * backend-independent part: diff, merge) shares with backends.
 */
#ifndef RAT_CATALOG_INTERNAL_H
#define RAT_CATALOG_INTERNAL_H

#include "rat/catalog.h"
#include "catalog/catalog.h"

struct rat_catalog_backend {
	/*
	 * true: the backend's store decides who reads and writes what (a server
	 * acting as the workspace its token names, `rat serve`): owners.c checks
	 * nothing itself, and ref_owner, granted, readable_commit and
	 * branch_claimed may be NULL. false: they are the store's, owners.c asks them.
	 */
	bool server_checks;
	int (*resolve)(void *impl, const char *ref, char hash[RAT_HASH_LEN + 1]);
	/* owner: the workspace the ref belongs to ("": none) */
	int (*create_ref)(void *impl, const char *name, rat_ref_kind kind, const char *hash,
			  const char *owner);
	int (*delete_ref)(void *impl, const char *name, const char *expected_hash);
	/* Point a branch at new_hash if it is still at expected_hash (RAT_ECONFLICT otherwise). */
	int (*move_ref)(void *impl, const char *name, const char *expected_hash, const char *new_hash);
	int (*list_refs)(void *impl, rat_refs *out);
	/* The keys of a commit's map of one kind (parsing only those), sorted. */
	int (*contents)(void *impl, const char *hash, rat_contents_kind kind, rat_contents *out);
	/* One key's state at a commit (RAT_ENOTFOUND when the commit has no such key). */
	int (*entry)(void *impl, const char *hash, const char *key, rat_table_state *out);
	/* Commit on a branch; merge_parent "" for a plain commit. */
	int (*commit)(void *impl, const rat_commit_request *request, const char *merge_parent,
		      char out_hash[RAT_HASH_LEN + 1]);
	int (*commit_info)(void *impl, const char *hash, rat_commit_info *out);
	/* The commit made with request id id (RAT_ENOTFOUND when none was). */
	int (*find_request)(void *impl, const char *id, char hash[RAT_HASH_LEN + 1]);
	/* The nearest common ancestor of a and b (following all parents); "" if none. */
	int (*merge_base)(void *impl, const char *a, const char *b, char out[RAT_HASH_LEN + 1]);
	/* The owner of a ref (RAT_ENOTFOUND when there is no such ref). */
	int (*ref_owner)(void *impl, const char *name, char *owner, size_t len);
	/* Record or check an identity, and give its legacy refs to it (catalog.h). */
	int (*claim)(void *impl, const rat_identity *id, bool move);
	/* Whether a product of workspace owner grants workspace reader access. */
	int (*granted)(void *impl, const char *owner, const char *reader, bool *out);
	/* Whether workspace may read commit: main, its own refs or a granted one reach it. */
	int (*readable_commit)(void *impl, const char *commit, const char *workspace, bool *out);
	/* Whether a workspace other than name claims branch (its name into who; "" none). */
	int (*branch_claimed)(void *impl, const char *branch, const char *name, char *who,
			      size_t len);
	/*
	 * A merge done by the store itself (NULL: catalog.c merges with the calls
	 * above): source (a hash, named source_name) into the branch target.
	 */
	int (*merge)(void *impl, const char *source_name, const char *source, const char *target,
		     bool dry_run, const char *author, rat_merge_result *out);
	void (*free)(void *impl);
};

/* A catalog over backend (impl released by its free, also when this fails). */
RAT_MUST_USE int rat_catalog__new(rat_catalog **out, const rat_catalog_backend *backend,
				  void *impl);

struct rat_catalog {
	const rat_catalog_backend *backend;
	void *impl;
	int64_t fixed_time_ms; /* -1: commits are dated by the real clock */
	char *workspace;       /* the workspace it acts as; NULL: the operator */
	char *request_id;      /* the request its commits are made for (rat_catalog_set_request_id()) */
	json_t *commit_props;  /* properties every commit gets (rat_catalog_set_commit_meta()) */
	int64_t commit_time_ms; /* and the time it is dated by (0: none given) */
};

/* owners.c: a ref as the catalog's workspace names it (dev/NAME: dev/<workspace>/NAME). */
const char *rat_catalog__ref_name(const rat_catalog *c, const char *ref, char *buf, size_t len);
/* RAT_EACCESS unless the catalog's workspace may write (create) ref. */
RAT_MUST_USE int rat_catalog__check_write(rat_catalog *c, const char *ref);
RAT_MUST_USE int rat_catalog__check_create(rat_catalog *c, const char *name);
#define RAT_REF_NAME_MAX 512

/* Table state <-> JSON (the stored form). */
json_t *rat_catalog__state_json(const rat_table_state *state);
RAT_MUST_USE int rat_catalog__state_parse(rat_table_state *out, json_t *json);
RAT_MUST_USE int rat_catalog__state_copy(rat_table_state *out, const rat_table_state *in);
/*
 * Append the entries of a JSON object key -> state to out (capacity: its
 * allocated items); on failure out holds what was added, for
 * rat_catalog__contents_free(). Sort once all are in: callers get keys sorted.
 */
RAT_MUST_USE int rat_catalog__contents_add_json(rat_contents *out, size_t *capacity, json_t *map,
					       rat_contents_kind kind);
void rat_catalog__contents_sort(rat_contents *contents);
/* RAT_ECONFLICT, said: merging source into target changes conflicts on both sides. */
int rat_catalog__merge_refused(const char *source, const char *target,
			       const rat_strarray *conflicts);
void rat_catalog__commit_info_clear(rat_commit_info *info);

#endif
