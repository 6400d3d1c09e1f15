/*
 * catalog/tree.c - a commit's key map in the embedded catalog (embedded.h):
 * a root node over leaves.
 *
 *   trees(hash, body)    a root: a line "rat-tree 2", then a line
 *                        "<bucket> <leaf hash>" for each bucket that holds keys
 *   leaves(hash, body)   one bucket: canonical JSON key -> table state
 *
 * A key falls in one of RAT_TREE_BUCKETS buckets by a hash of its bytes
 * (FNV-1a). A commit writes a new leaf for each bucket it changes and a new
 * root, and shares every other leaf with its parent, so its cost does not
 * grow with the number of tables on the branch. Nodes are named by the
 * SHA-256 of their body: the same map is the same root.
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/sha256.h"
#include "catalog/embedded.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef rat_embedded embedded;

/* Insert a node's body into table (trees or leaves) if new; its hash into out. */
static int put_body(embedded *e, const char *table, const char *body, size_t len,
		    char out[RAT_HASH_LEN + 1])
{
	char sql[64];
	sqlite3_stmt *st = NULL;
	int error;

	snprintf(sql, sizeof(sql), "INSERT OR IGNORE INTO %s(hash, body) VALUES (?, ?)", table);
	if ((error = rat_sha256__hex(body, len, out)) != 0)
		return error;
	if ((error = rat_embedded__prepare(e, sql, "writing a tree", &st)) != 0)
		return error;
	if (sqlite3_bind_text(st, 1, out, -1, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_bind_text(st, 2, body, (int)len, SQLITE_STATIC) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_DONE)
		error = rat_embedded__db_error(e, "writing a tree");
	rat_embedded__done(e, st);
	return error;
}

/* The body of a node; RAT_EIO naming what when it is missing. */
static int get_body(embedded *e, const char *table, const char *hash, const char *what,
		    rat_buf *out)
{
	char sql[64];
	sqlite3_stmt *st = NULL;
	int rc, error = 0;

	snprintf(sql, sizeof(sql), "SELECT body FROM %s WHERE hash = ?", table);
	if ((error = rat_embedded__prepare(e, sql, "reading a tree", &st)) != 0)
		return error;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		error = rat_buf_put(out, sqlite3_column_text(st, 0),
				    (size_t)sqlite3_column_bytes(st, 0));
	else if (rc == SQLITE_DONE)
		error = rat_error__set(RAT_EIO, RAT_ERRCLASS_CATALOG, "catalog %s: %s is missing",
				       e->path, what);
	else
		error = rat_embedded__db_error(e, "reading a tree");
	rat_embedded__done(e, st);
	return error;
}

/* A JSON object node (a leaf, or a tree of version 1) parsed. */
int rat_embedded__tree_json(embedded *e, const char *table, const char *hash, const char *what,
		    json_t **out)
{
	rat_buf body = RAT_BUF_INIT;
	json_error_t jerr;
	int error;

	*out = NULL;
	body.max = (size_t)1 << 30;
	if ((error = get_body(e, table, hash, what, &body)) == 0 &&
	    ((*out = json_loadb(body.ptr ? body.ptr : "", body.len, 0, &jerr)) == NULL ||
	     !json_is_object(*out))) {
		error = rat_error__set(RAT_EIO, RAT_ERRCLASS_CATALOG, "catalog %s: %s is damaged: %s",
				       e->path, what, *out ? "not an object" : jerr.text);
		json_decref(*out);
		*out = NULL;
	}
	rat_buf_free(&body);
	return error;
}

/*
 * A leaf parsed (a reference: json_decref() it), shared with the node cache
 * (embedded.h) unless it is large: never change it (tree_apply copies).
 */
static int get_leaf(embedded *e, const char *hash, json_t **out)
{
	char what[96];
	size_t i;
	int error;

	for (i = 0; i < RAT_EMBEDDED_NODES; i++)
		if (e->nodes[i].json && e->nodes[i].hash[0] == hash[0] &&
		    strcmp(e->nodes[i].hash, hash) == 0) {
			*out = json_incref(e->nodes[i].json);
			return 0;
		}
	snprintf(what, sizeof(what), "tree leaf %.12s", hash);
	if ((error = rat_embedded__tree_json(e, "leaves", hash, what, out)) != 0)
		return error;
	/* a leaf of more than RAT_EMBEDDED_NODE_KEYS keys is parsed each time rather than
	 * kept (memory stays bounded); the oldest kept goes */
	if (json_object_size(*out) <= RAT_EMBEDDED_NODE_KEYS) {
		i = e->next_node++ % RAT_EMBEDDED_NODES;
		json_decref(e->nodes[i].json);
		e->nodes[i].json = json_incref(*out);
		snprintf(e->nodes[i].hash, sizeof(e->nodes[i].hash), "%s", hash);
	}
	return 0;
}

/* A leaf: a JSON object key -> state, stored as canonical JSON. */
static int put_leaf(embedded *e, json_t *leaf, char out[RAT_HASH_LEN + 1])
{
	char *body = json_dumps(leaf, JSON_SORT_KEYS | JSON_COMPACT);
	int error = body ? put_body(e, "leaves", body, strlen(body), out) : rat_error__oom();

	free(body);
	return error;
}

/* The bucket of a key: FNV-1a of its bytes, modulo RAT_TREE_BUCKETS. */
static unsigned bucket_of(const char *key)
{
	uint32_t h = 2166136261u;

	for (; *key; key++)
		h = (h ^ (unsigned char)*key) * 16777619u;
	return h % RAT_TREE_BUCKETS;
}

#define ROOT_HEADER "rat-tree 2\n"
#define ROOT_LINE 68 /* "ff " + hash + "\n" */

/* The root node of tree hash, read and checked. */
int rat_embedded__tree_root(embedded *e, const char *hash, rat_tree_root *out)
{
	rat_buf body = RAT_BUF_INIT;
	char what[96];
	const char *line;
	size_t n = strlen(ROOT_HEADER);
	unsigned bucket;
	int error;

	memset(out, 0, sizeof(*out));
	snprintf(what, sizeof(what), "tree %.12s", hash);
	if ((error = get_body(e, "trees", hash, what, &body)) != 0)
		return error;
	if (body.len < n || memcmp(body.ptr, ROOT_HEADER, n) != 0 || (body.len - n) % ROOT_LINE)
		goto damaged;
	for (line = body.ptr + n; line < body.ptr + body.len; line += ROOT_LINE) {
		if (!isxdigit((unsigned char)line[0]) || !isxdigit((unsigned char)line[1]) ||
		    sscanf(line, "%2x", &bucket) != 1 || bucket >= RAT_TREE_BUCKETS || line[2] != ' ' ||
		    line[ROOT_LINE - 1] != '\n' || out->leaf[bucket][0])
			goto damaged;
		memcpy(out->leaf[bucket], line + 3, RAT_HASH_LEN);
		out->leaf[bucket][RAT_HASH_LEN] = '\0';
	}
	rat_buf_free(&body);
	return 0;
damaged:
	rat_buf_free(&body);
	return rat_error__set(RAT_EIO, RAT_ERRCLASS_CATALOG,
			      "catalog %s: %s is damaged: not a root node (%s)", e->path, what,
			      "\"rat-tree 2\" and a line per bucket");
}

int rat_embedded__tree_put_root(embedded *e, const rat_tree_root *root, char out[RAT_HASH_LEN + 1])
{
	rat_buf body = RAT_BUF_INIT;
	unsigned b;
	int error = rat_buf_puts(&body, ROOT_HEADER);

	body.max = (size_t)1 << 20;
	for (b = 0; !error && b < RAT_TREE_BUCKETS; b++)
		if (root->leaf[b][0])
			error = rat_buf_printf(&body, "%02x %s\n", b, root->leaf[b]);
	if (!error)
		error = put_body(e, "trees", body.ptr, body.len, out);
	rat_buf_free(&body);
	return error;
}

/*
 * Write a key map (a JSON object key -> state) as leaves and a root; the
 * root's hash into out.
 */
int rat_embedded__tree_put_map(embedded *e, json_t *map, char out[RAT_HASH_LEN + 1])
{
	json_t *leaves[RAT_TREE_BUCKETS] = { NULL }, *value;
	rat_tree_root *root = rat__calloc(1, sizeof(*root));
	const char *key;
	unsigned b;
	int error = root ? 0 : RAT_ENOMEM;

	json_object_foreach(map, key, value) {
		if (error)
			break;
		b = bucket_of(key);
		if ((!leaves[b] && (leaves[b] = json_object()) == NULL) ||
		    json_object_set(leaves[b], key, value) != 0)
			error = rat_error__oom();
	}
	for (b = 0; !error && b < RAT_TREE_BUCKETS; b++)
		if (leaves[b])
			error = put_leaf(e, leaves[b], root->leaf[b]);
	if (!error)
		error = rat_embedded__tree_put_root(e, root, out);
	for (b = 0; b < RAT_TREE_BUCKETS; b++)
		json_decref(leaves[b]);
	free(root);
	return error;
}

int rat_embedded__tree_entry(embedded *e, const rat_tree_root *root, const char *key,
			     rat_table_state *out)
{
	const char *hash = root->leaf[bucket_of(key)];
	json_t *leaf = NULL, *value;
	int error;

	memset(out, 0, sizeof(*out));
	if (!hash[0])
		return RAT_ENOTFOUND;
	if ((error = get_leaf(e, hash, &leaf)) != 0)
		return error;
	if ((value = json_object_get(leaf, key)) == NULL)
		error = RAT_ENOTFOUND;
	else if ((error = rat_catalog__state_parse(out, value)) != 0)
		rat_table_state_clear(out);
	json_decref(leaf);
	return error;
}

int rat_embedded__tree_contents(embedded *e, const rat_tree_root *root, rat_contents_kind kind,
				rat_contents *out)
{
	json_t *leaf = NULL;
	size_t capacity = 0;
	unsigned b;
	int error = 0;

	memset(out, 0, sizeof(*out));
	for (b = 0; !error && b < RAT_TREE_BUCKETS; b++) {
		if (!root->leaf[b][0])
			continue;
		if ((error = get_leaf(e, root->leaf[b], &leaf)) == 0)
			error = rat_catalog__contents_add_json(out, &capacity, leaf, kind);
		json_decref(leaf);
		leaf = NULL;
	}
	rat_catalog__contents_sort(out);
	if (error)
		rat_catalog__contents_free(out);
	return error;
}

/*
 * Apply ops to a root node, in place: each bucket an op touches gets a new
 * leaf (none when it is left empty); the others are kept as they are.
 */
int rat_embedded__tree_apply(embedded *e, rat_tree_root *root, const rat_commit_request *r)
{
	json_t *touched[RAT_TREE_BUCKETS] = { NULL };
	unsigned b;
	size_t i;
	int error = 0;

	for (i = 0; !error && i < r->op_count; i++) {
		const rat_catalog_op *op = &r->ops[i];
		b = bucket_of(op->key);
		if (!touched[b] && root->leaf[b][0]) {
			json_t *shared = NULL;
			/* a copy to change: the leaf read may be the cache's */
			if ((error = get_leaf(e, root->leaf[b], &shared)) == 0 &&
			    (touched[b] = json_copy(shared)) == NULL)
				error = rat_error__oom();
			json_decref(shared);
		} else if (!touched[b] && (touched[b] = json_object()) == NULL) {
			error = rat_error__oom();
		}
		if (error)
			break;
		if (op->kind == RAT_OP_DELETE) {
			if (json_object_del(touched[b], op->key) != 0)
				error = rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_CATALOG,
						       "commit to '%s': cannot delete '%s': no such table",
						       r->branch, op->key);
		} else {
			json_t *state = rat_catalog__state_json(op->state);
			if (!state || json_object_set_new(touched[b], op->key, state) != 0)
				error = rat_error__oom();
		}
	}
	for (b = 0; !error && b < RAT_TREE_BUCKETS; b++) {
		if (!touched[b])
			continue;
		if (json_object_size(touched[b]) == 0)
			root->leaf[b][0] = '\0';
		else
			error = put_leaf(e, touched[b], root->leaf[b]);
	}
	for (b = 0; b < RAT_TREE_BUCKETS; b++)
		json_decref(touched[b]);
	return error;
}
