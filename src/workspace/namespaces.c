/*
 * workspace/namespaces.c - namespaces beyond the layers (rat/table.h), as
 * an Iceberg REST catalog makes them: a key of the catalog without a '.'
 * ("analytics"), whose state is a NAMESPACE with its properties
 * (catalog/catalog.h). The layers always exist and have no key until a
 * client gives one properties.
 *
 * Each change is one catalog commit checked against the head it lands on
 * (rat_workspace__commit_at_head): a namespace is dropped only while the
 * head it is dropped from holds none of its tables, and a table is made
 * only in a namespace its head holds (metadata.c), so the two cannot cross.
 */
#include "util/common.h"
#include "util/error.h"
#include "util/random.h"
#include "rat/table.h"
#include "catalog/catalog.h"
#include "config/config.h"
#include "workspace/tables.h"
#include "workspace/workspace.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A namespace's properties, as text, at most this long. */
#define PROPERTIES_MAX (64 * 1024)

/* Schemas an engine session keeps for itself, or DuckDB does. */
static const char *const reserved[] = { "products",   "main",   "information_schema",
					"pg_catalog", "temp",   "system" };

int rat_workspace__namespace_name(const char *name)
{
	size_t i;

	if (!name || !*name || strlen(name) > RAT_NAMESPACE_MAX || !rat_config__valid_identifier(name))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
				      "invalid namespace name '%.80s' (letters, digits and '_', not "
				      "starting with a digit, at most %d bytes)",
				      name ? name : "", RAT_NAMESPACE_MAX);
	for (i = 0; i < sizeof(reserved) / sizeof(reserved[0]); i++)
		if (strcasecmp(name, reserved[i]) == 0)
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
					      "'%s' cannot name a namespace: a session keeps the "
					      "schema %s for itself",
					      name, reserved[i]);
	return 0;
}

/* Whether name is a layer's (a name without a dot). */
static bool is_layer(const char *name)
{
	rat_layer layer;

	return !strchr(name, '.') && rat_workspace__key_layer(&layer, name);
}

/* RAT_ENOTFOUND, said: no namespace name on ref. */
static int no_namespace(const char *name, const char *ref)
{
	return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_CATALOG, "there is no namespace %.80s on %s",
			      name, ref);
}

/* The entry of namespace name at head: 0 (its state in out), RAT_ENOTFOUND, or an error. */
static int entry_at(rat_catalog *catalog, const char *head, const char *name,
		    rat_table_state *out)
{
	int error = rat_catalog__entry(catalog, head, name, out);

	if (error == RAT_ENOTFOUND) {
		rat_error_clear();
		return RAT_ENOTFOUND;
	}
	if (!error && !out->ns) { /* a key without a dot is always a namespace's */
		rat_table_state_clear(out);
		return rat_error__set(RAT_EIO, RAT_ERRCLASS_CATALOG,
				      "catalog key %s is not a namespace", name);
	}
	return error;
}

int rat_workspace__namespace_of(rat_catalog *catalog, const char *head, const char *branch,
				const char *key)
{
	const char *dot = strchr(key, '.');
	char name[RAT_NAMESPACE_MAX + 1];
	rat_table_state state;
	rat_layer layer;
	int error;

	if (rat_workspace__key_layer(&layer, key))
		return 0;
	if (!dot || (size_t)(dot - key) > RAT_NAMESPACE_MAX)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
				      "'%.80s' is not a table name (namespace.table)", key);
	memcpy(name, key, (size_t)(dot - key));
	name[dot - key] = '\0';
	if ((error = entry_at(catalog, head, name, &state)) == RAT_ENOTFOUND) {
		no_namespace(name, branch);
		rat_error__prefix("%s", key);
		return RAT_ENOTFOUND;
	}
	rat_table_state_clear(&state);
	return error;
}

/* A JSON object of strings, or NULL (said) naming what. */
static json_t *string_object(const char *text, const char *what)
{
	json_error_t jerr;
	json_t *o, *v;
	const char *k;

	if (text && strlen(text) > PROPERTIES_MAX) {
		rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE, "%s: longer than %d bytes",
			       what, PROPERTIES_MAX);
		return NULL;
	}
	if ((o = json_loads(text ? text : "{}", 0, &jerr)) == NULL || !json_is_object(o)) {
		rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE, "%s: not a JSON object%s%s",
			       what, o ? "" : " (", o ? "" : jerr.text);
		json_decref(o);
		return NULL;
	}
	json_object_foreach(o, k, v)
		if (!json_is_string(v)) {
			rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
				       "%s: the value of '%.80s' is not a string", what, k);
			json_decref(o);
			return NULL;
		}
	return o;
}

/*
 * The state of a namespace with properties props (canonical text), whose
 * content id is id (NULL: a new one; a namespace keeps its id as it
 * changes, as a table does).
 */
static int namespace_state(rat_table_state *out, json_t *props, const char *id)
{
	char uuid[37];
	int error;

	memset(out, 0, sizeof(*out));
	out->snapshot_id = -1;
	out->ns = true;
	if (!id && (error = rat_random__uuid(uuid)) != 0)
		return error;
	out->metadata_location = rat__strdup("");
	out->content_id = rat__strdup(id ? id : uuid);
	out->properties = json_dumps(props, JSON_COMPACT | JSON_SORT_KEYS);
	if (!out->metadata_location || !out->content_id || !out->properties) {
		rat_table_state_clear(out);
		return rat_error__oom();
	}
	return 0;
}

int rat_namespace_get(char **properties, rat_catalog *catalog, const rat_workspace *ws,
		      const char *ref, const char *name)
{
	rat_table_state state;
	bool layer;
	int error;

	if (properties)
		*properties = NULL;
	if (!ref)
		ref = rat_workspace_branch(ws);
	layer = name && is_layer(name);
	if (!layer && rat_workspace__namespace_name(name) != 0) {
		rat_error_clear();
		return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_CATALOG,
				      "there is no namespace %.80s on %s (not a namespace name)",
				      name ? name : "", ref);
	}
	if ((error = entry_at(catalog, ref, name, &state)) == RAT_ENOTFOUND) {
		if (!layer)
			return no_namespace(name, ref);
		return properties && (*properties = rat__strdup("{}")) == NULL ? rat_error__oom() : 0;
	}
	if (error)
		return error;
	if (properties) {
		*properties = state.properties;
		state.properties = NULL;
	}
	rat_table_state_clear(&state);
	return 0;
}

int rat_namespace_list_get(rat_namespace_list *out, rat_catalog *catalog,
			   const rat_workspace *ws, const char *ref)
{
	rat_contents contents;
	size_t i, n = 0;
	int error;

	memset(out, 0, sizeof(*out));
	if ((error = rat_catalog__namespaces(catalog, ref ? ref : rat_workspace_branch(ws),
					     &contents)) != 0)
		return error;
	if ((out->items = rat__calloc(contents.count + RAT_LAYER_COUNT, sizeof(*out->items))) == NULL) {
		error = RAT_ENOMEM;
		goto done;
	}
	for (i = 0; i < RAT_LAYER_COUNT; i++) {
		const rat_catalog_entry *e = rat_catalog__find(&contents, rat_layer_name((rat_layer)i));
		rat_namespace_info *info = &out->items[n++];
		info->is_layer = 1;
		info->name = rat__strdup(rat_layer_name((rat_layer)i));
		info->properties = rat__strdup(e ? e->state.properties : "{}");
		if (!info->name || !info->properties)
			error = RAT_ENOMEM;
	}
	for (i = 0; !error && i < contents.count; i++) {
		rat_namespace_info *info;
		if (is_layer(contents.items[i].key))
			continue;
		info = &out->items[n++];
		info->name = rat__strdup(contents.items[i].key);
		info->properties = rat__strdup(contents.items[i].state.properties);
		if (!info->name || !info->properties)
			error = RAT_ENOMEM;
	}
	out->count = n; /* the others by name: contents come sorted by key */
done:
	rat_catalog__contents_free(&contents);
	if (error)
		rat_namespace_list_free(out);
	return error;
}

void rat_namespace_list_free(rat_namespace_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->count; i++) {
		free((char *)list->items[i].name);
		free((char *)list->items[i].properties);
	}
	free(list->items);
	memset(list, 0, sizeof(*list));
}

/* What a change of one namespace checks at the head it lands on, and the op it makes. */
typedef struct change {
	const char *branch;
	const char *name;
	enum { CREATE, DROP, UPDATE } kind;
	json_t *props;                /* CREATE: the properties */
	const char *const *removals;  /* UPDATE */
	size_t removal_count;
	json_t *updates;              /* UPDATE */
	rat_strarray *missing;        /* UPDATE: removals not there */
	rat_table_state state;        /* the state put */
	rat_catalog_op op;
} change;

/* What a check returns when the head already holds what the change would make: no commit. */
#define NOTHING_TO_COMMIT 1

/* Another namespace whose name differs from name only in case, at head; NULL if none. */
static int case_clash(rat_catalog *catalog, const char *head, const char *name, char **out)
{
	rat_contents contents;
	size_t i;
	int error = rat_catalog__namespaces(catalog, head, &contents);

	*out = NULL;
	for (i = 0; !error && i < contents.count && !*out; i++)
		if (strcasecmp(contents.items[i].key, name) == 0 &&
		    (*out = rat__strdup(contents.items[i].key)) == NULL)
			error = RAT_ENOMEM;
	rat_catalog__contents_free(&contents);
	return error;
}

static int check_create(rat_catalog *catalog, const char *head, change *c)
{
	char *clash = NULL;
	int error;

	if (is_layer(c->name))
		return rat_error__set(RAT_EEXISTS, RAT_ERRCLASS_CATALOG,
				      "namespace %s exists: it is a layer", c->name);
	if ((error = case_clash(catalog, head, c->name, &clash)) != 0)
		return error;
	if (clash)
		error = rat_error__set(RAT_EEXISTS, RAT_ERRCLASS_CATALOG,
				       strcmp(clash, c->name) == 0 ? "namespace %s exists on %s"
								   : "namespace %s exists on %s "
								     "(as %s: names are compared "
								     "ignoring case)",
				       c->name, c->branch, clash);
	free(clash);
	if (error)
		return error;
	rat_table_state_clear(&c->state);
	if ((error = namespace_state(&c->state, c->props, NULL)) != 0)
		return error;
	c->op.kind = RAT_OP_PUT;
	c->op.state = &c->state;
	return 0;
}

/* Whether head holds a table or view of namespace name (RAT_ECONFLICT, naming one). */
static int check_empty(rat_catalog *catalog, const char *head, const change *c)
{
	rat_contents contents;
	size_t i, n = strlen(c->name), held = 0;
	const char *first = NULL;
	int error = rat_catalog__contents(catalog, head, &contents);

	for (i = 0; !error && i < contents.count; i++)
		if (strncmp(contents.items[i].key, c->name, n) == 0 && contents.items[i].key[n] == '.')
			if (held++ == 0)
				first = contents.items[i].key;
	if (!error && held == 1)
		error = rat_error__set(RAT_ECONFLICT, RAT_ERRCLASS_CATALOG,
				       "namespace %s on %s is not empty: it holds %s", c->name,
				       c->branch, first);
	else if (!error && held)
		error = rat_error__set(RAT_ECONFLICT, RAT_ERRCLASS_CATALOG,
				       "namespace %s on %s is not empty: it holds %s and %zu more",
				       c->name, c->branch, first, held - 1);
	rat_catalog__contents_free(&contents);
	return error;
}

static int check_drop(rat_catalog *catalog, const char *head, change *c)
{
	rat_table_state state;
	int error;

	if (is_layer(c->name))
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_CATALOG,
				      "namespace %s is a layer: it cannot be dropped", c->name);
	if ((error = entry_at(catalog, head, c->name, &state)) == RAT_ENOTFOUND)
		return no_namespace(c->name, c->branch);
	if (error)
		return error;
	rat_table_state_clear(&state);
	if ((error = check_empty(catalog, head, c)) != 0)
		return error;
	c->op.kind = RAT_OP_DELETE;
	c->op.state = NULL;
	return 0;
}

/*
 * The properties at head, less the removals, with the updates: the state to
 * put (keeping the namespace's identity), a layer's key removed once it has
 * none; NOTHING_TO_COMMIT when they are as they were.
 */
static int check_update(rat_catalog *catalog, const char *head, change *c)
{
	rat_table_state state;
	json_t *props, *v;
	const char *k;
	bool layer = is_layer(c->name), changed = false;
	size_t i;
	int error = entry_at(catalog, head, c->name, &state);

	if (error == RAT_ENOTFOUND && !layer)
		return no_namespace(c->name, c->branch);
	if (error && error != RAT_ENOTFOUND)
		return error;
	if (error) /* a layer without a key: no properties yet */
		memset(&state, 0, sizeof(state));
	if ((props = json_loads(state.properties ? state.properties : "{}", 0, NULL)) == NULL ||
	    !json_is_object(props)) {
		json_decref(props);
		rat_table_state_clear(&state);
		return rat_error__set(RAT_EIO, RAT_ERRCLASS_CATALOG,
				      "namespace %s: its recorded properties are not an object",
				      c->name);
	}
	error = 0;
	rat_strarray_free(c->missing); /* from an attempt on an older head */
	for (i = 0; !error && i < c->removal_count; i++) {
		if (json_object_del(props, c->removals[i]) == 0)
			changed = true;
		else
			error = rat_strarray__push(c->missing, c->removals[i]);
	}
	json_object_foreach(c->updates, k, v)
		if (!json_equal(json_object_get(props, k), v))
			changed = true;
	if (!error && json_object_update(props, c->updates) != 0)
		error = rat_error__oom();
	rat_table_state_clear(&c->state);
	if (!error && !changed) {
		error = NOTHING_TO_COMMIT;
	} else if (!error && layer && json_object_size(props) == 0) {
		c->op.kind = RAT_OP_DELETE; /* a layer needs no key without properties */
		c->op.state = NULL;
	} else if (!error && (error = namespace_state(&c->state, props, state.content_id)) == 0) {
		c->op.kind = RAT_OP_PUT;
		c->op.state = &c->state;
	}
	json_decref(props);
	rat_table_state_clear(&state);
	return error;
}

static int check_change(rat_catalog *catalog, const char *head, void *payload)
{
	change *c = payload;

	return c->kind == CREATE ? check_create(catalog, head, c)
	       : c->kind == DROP ? check_drop(catalog, head, c)
				 : check_update(catalog, head, c);
}

/* Make change c on branch as one commit; an update that changes nothing makes none (commit ""). */
static int commit_change(char commit[65], rat_catalog *catalog, const rat_workspace *ws,
			 const char *branch, change *c, const char *verb)
{
	rat_commit_request request = { NULL, NULL, &c->op, 1, NULL, NULL, NULL, 0 };
	char *message;
	int error;

	commit[0] = '\0';
	c->branch = request.branch = branch ? branch : rat_workspace_branch(ws);
	c->op.key = c->name;
	if ((message = rat__sprintf("%s namespace %s", verb, c->name)) == NULL)
		return rat_error__oom();
	request.author = rat_workspace__author(ws, NULL);
	request.message = message;
	error = rat_workspace__commit_at_head(commit, catalog, ws, &request, check_change, c);
	if (error == NOTHING_TO_COMMIT)
		error = 0;
	if (error)
		commit[0] = '\0';
	free(message);
	rat_table_state_clear(&c->state);
	return error;
}

int rat_namespace_create(char commit[65], rat_catalog *catalog, const rat_workspace *ws,
			 const char *branch, const char *name, const char *properties)
{
	change c;
	int error;

	memset(&c, 0, sizeof(c));
	commit[0] = '\0';
	c.kind = CREATE;
	c.name = name;
	if ((error = rat_workspace__namespace_name(name)) != 0)
		return error;
	if ((c.props = string_object(properties, "the namespace's properties")) == NULL)
		return RAT_EINVALID;
	error = commit_change(commit, catalog, ws, branch, &c, "create");
	json_decref(c.props);
	return error;
}

int rat_namespace_drop(char commit[65], rat_catalog *catalog, const rat_workspace *ws,
		       const char *branch, const char *name)
{
	change c;

	memset(&c, 0, sizeof(c));
	commit[0] = '\0';
	c.kind = DROP;
	c.name = name;
	if (!is_layer(name) && rat_workspace__namespace_name(name) != 0)
		return RAT_EINVALID;
	return commit_change(commit, catalog, ws, branch, &c, "drop");
}

int rat_namespace_update(char commit[65], rat_strarray *missing, rat_catalog *catalog,
			 const rat_workspace *ws, const char *branch, const char *name,
			 const char *const *removals, size_t removal_count, const char *updates)
{
	change c;
	size_t i;
	int error;

	memset(&c, 0, sizeof(c));
	memset(missing, 0, sizeof(*missing));
	commit[0] = '\0';
	c.kind = UPDATE;
	c.name = name;
	c.removals = removals;
	c.removal_count = removal_count;
	c.missing = missing;
	if (!is_layer(name) && rat_workspace__namespace_name(name) != 0)
		return RAT_EINVALID;
	if ((c.updates = string_object(updates, "the properties to set")) == NULL)
		return RAT_EINVALID;
	for (i = 0; i < removal_count; i++)
		if (!removals[i] || json_object_get(c.updates, removals[i])) {
			json_decref(c.updates);
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_WORKSPACE,
					      "property '%.80s' is both removed and set",
					      removals[i] ? removals[i] : "(null)");
		}
	error = commit_change(commit, catalog, ws, branch, &c, "update");
	json_decref(c.updates);
	if (error)
		rat_strarray_free(missing);
	return error;
}
