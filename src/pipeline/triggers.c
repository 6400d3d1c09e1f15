/*
 * pipeline/triggers.c - a pipeline's `triggers:` read strictly
 * (pipeline/triggers.h): each item a mapping whose `type` says which keys
 * it takes; a cron expression and its time zone checked as they are read,
 * so that a schedule that could never fire is refused at load, naming its
 * line, not at 6 a.m.
 */
#include "pipeline/triggers.h"

#include <libfyaml.h>
#include <stdlib.h>
#include <string.h>

#include "pipeline/config.h"
#include "rat/schedule.h"
#include "util/error.h"
#include "util/mem.h"

const char *const rat_trigger__kinds[] = { "schedule", "landing", "freshness", "webhook", NULL };

static const char *const overlaps[] = { "skip", "queue", NULL };
static const char *const catchups[] = { "last", "none", "all", NULL };
static const char *const auths[] = { "signature", "bearer", NULL };
static const char *const retry_keys[] = { "max", "delay", "backoff", NULL };

#define COMMON_KEYS "type", "name", "select", "overlap", "retries"
static const char *const schedule_keys[] = { COMMON_KEYS, "cron", "timezone", "catchup", NULL };
static const char *const landing_keys[] = { COMMON_KEYS, "path", "pattern", "interval", "bucket", NULL };
static const char *const freshness_keys[] = { COMMON_KEYS, NULL };
static const char *const webhook_keys[] = { COMMON_KEYS, "secret", "auth", NULL };
static const char *const *const kind_keys[] = { schedule_keys, landing_keys, freshness_keys,
						webhook_keys };

void rat_trigger__free_all(rat_trigger_config *list, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		free(list[i].name);
		free(list[i].cron);
		free(list[i].timezone);
		free(list[i].path);
		free(list[i].pattern);
		free(list[i].secret);
		rat_strarray_free(&list[i].select);
	}
	free(list);
}

static rat_trigger_config *append(rat_trigger_config **list, size_t *count)
{
	rat_trigger_config *grown = rat__realloc(*list, (*count + 1) * sizeof(**list)), *t;

	if (!grown)
		return NULL;
	*list = grown;
	t = &grown[(*count)++];
	memset(t, 0, sizeof(*t));
	t->retry_backoff = 2;
	return t;
}

/* An optional string key of item into *out. */
static int string_key(char **out, const rat_yaml *yaml, const rat_yaml_field *item, const char *key,
		      rat_yaml_field *f)
{
	if (!rat_yaml__field(f, item->value, item->path, key))
		return 0;
	return rat_yaml__string(out, yaml, f);
}

static int choice_key(int *out, const rat_yaml *yaml, const rat_yaml_field *item, const char *key,
		      const char *const *names)
{
	rat_yaml_field f;
	char *v = NULL, list[96];
	int error;

	if ((error = string_key(&v, yaml, item, key, &f)) != 0 || !v)
		return error;
	if ((*out = rat_pipeline__choice(v, names)) < 0) {
		rat_pipeline__choices_text(list, sizeof(list), names);
		error = rat_yaml__field_error(yaml, &f, "'%s' is not one of %s", v, list);
	}
	free(v);
	return error;
}

static int valid_name(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= '0' && s[n] <= '9') || s[n] == '_' ||
		      s[n] == '-'))
			return 0;
	return n > 0 && n <= 64;
}

/* `name:`, or the kind's name, numbered from the second of a kind; unique in the pipeline. */
static int name_of(rat_trigger_config *t, const rat_trigger_config *others, size_t n,
		   const rat_yaml *yaml, const rat_yaml_field *item)
{
	rat_yaml_field f;
	size_t i, same = 0;
	int error;

	if ((error = string_key(&t->name, yaml, item, "name", &f)) != 0)
		return error;
	if (t->name && !valid_name(t->name))
		return rat_yaml__field_error(yaml, &f,
					     "'%s': a trigger's name is 1 to 64 of a-z, 0-9, _ and -",
					     t->name);
	for (i = 0; !t->name && i < n; i++)
		same += others[i].kind == t->kind;
	if (!t->name && !(t->name = same ? rat__sprintf("%s-%zu", rat_trigger__kinds[t->kind], same + 1)
					 : rat__strdup(rat_trigger__kinds[t->kind])))
		return RAT_ENOMEM;
	for (i = 0; i < n; i++)
		if (strcmp(others[i].name, t->name) == 0)
			return rat_yaml__field_error(yaml, item,
						     "a second trigger named '%s' (the first is at "
						     "line %d; give each a name:)",
						     t->name, others[i].line);
	return 0;
}

/* retries: a count, or {max, delay, backoff}. */
static int retries_key(rat_trigger_config *t, const rat_yaml *yaml, const rat_yaml_field *item)
{
	rat_yaml_field f, g;
	int64_t n;
	int error;

	if (!rat_yaml__field(&f, item->value, item->path, "retries"))
		return 0;
	if (!f.value || fy_node_get_type(f.value) != FYNT_MAPPING) {
		if ((error = rat_yaml__int(&n, yaml, &f, 0, 10)) == 0)
			t->retries = (int)n, t->retry_delay_s = 30;
		return error;
	}
	if ((error = rat_yaml__mapping(yaml, &f, retry_keys)) != 0)
		return error;
	t->retry_delay_s = 30;
	if (rat_yaml__field(&g, f.value, f.path, "max")) {
		if ((error = rat_yaml__int(&n, yaml, &g, 0, 10)) != 0)
			return error;
		t->retries = (int)n;
	} else {
		return rat_yaml__field_error(yaml, &f, "give max: the number of retries (0 to 10)");
	}
	if (rat_yaml__field(&g, f.value, f.path, "delay") &&
	    (error = rat_pipeline__yaml_duration(&t->retry_delay_s, yaml, &g)) != 0)
		return error;
	if (rat_yaml__field(&g, f.value, f.path, "backoff")) {
		if ((error = rat_yaml__positive_number(&t->retry_backoff, yaml, &g)) != 0)
			return error;
		if (t->retry_backoff < 1 || t->retry_backoff > 10)
			return rat_yaml__field_error(yaml, &g, "a backoff is a factor from 1 to 10");
	}
	return 0;
}

static int schedule_keys_read(rat_trigger_config *t, const rat_yaml *yaml, const rat_yaml_field *item)
{
	rat_yaml_field f, z;
	rat_schedule *s = NULL;
	int error, catchup = 0;

	if ((error = string_key(&t->cron, yaml, item, "cron", &f)) != 0 ||
	    (error = string_key(&t->timezone, yaml, item, "timezone", &z)) != 0 ||
	    (error = choice_key(&catchup, yaml, item, "catchup", catchups)) != 0)
		return error;
	t->catchup = (rat_trigger_catchup)catchup;
	if (!t->cron)
		return rat_yaml__field_error(yaml, item,
					     "a schedule needs cron: (five fields, or a preset such "
					     "as daily or hourly)");
	if (rat_schedule_parse(&s, t->cron, NULL) != 0)
		return rat_yaml__field_error(yaml, &f, "%s", rat_error_last()->message);
	rat_schedule_free(s);
	s = NULL;
	if (t->timezone && rat_schedule_parse(&s, t->cron, t->timezone) != 0)
		return rat_yaml__field_error(yaml, &z, "%s", rat_error_last()->message);
	rat_schedule_free(s);
	return 0;
}

/* The original's s3_sensor form, bucket: B with path: P, as the prefix s3://B/P. */
static int bucket_key_read(rat_trigger_config *t, const rat_yaml *yaml, const rat_yaml_field *item)
{
	rat_yaml_field f;
	char *bucket = NULL, *url;
	int error;

	if ((error = string_key(&bucket, yaml, item, "bucket", &f)) != 0 || !bucket)
		return error;
	if (!t->path || rat__str_has_prefix(t->path, "s3://"))
		error = rat_yaml__field_error(yaml, &f, "bucket: takes a path: (the prefix in it, "
							"as in bucket: lake, path: acme/landing/sales/)");
	else if ((url = rat__sprintf("s3://%s/%s", bucket, t->path)) == NULL)
		error = RAT_ENOMEM;
	else {
		free(t->path);
		t->path = url;
	}
	free(bucket);
	return error;
}

static int landing_keys_read(rat_trigger_config *t, const rat_yaml *yaml, const rat_yaml_field *item)
{
	rat_yaml_field f;
	int error;

	if ((error = string_key(&t->path, yaml, item, "path", &f)) != 0 ||
	    (error = bucket_key_read(t, yaml, item)) != 0)
		return error;
	if (t->path) {
		rat_pipeline__trim_landing(t->path);
		if (!rat_pipeline__valid_landing(t->path))
			return rat_yaml__field_error(yaml, &f,
						     "'%s' is neither a folder under landing/ (relative, "
						     "no '..') nor an S3 prefix (s3://bucket/folder)",
						     t->path);
	}
	if ((error = string_key(&t->pattern, yaml, item, "pattern", &f)) != 0)
		return error;
	if (t->pattern && (!t->pattern[0] || strchr(t->pattern, '/')))
		return rat_yaml__field_error(yaml, &f, "a pattern matches file names: no '/'");
	t->interval_s = 60;
	if (rat_yaml__field(&f, item->value, item->path, "interval") &&
	    (error = rat_pipeline__yaml_duration(&t->interval_s, yaml, &f)) != 0)
		return error;
	if (t->interval_s < 5 || t->interval_s > 86400)
		return rat_yaml__field_error(yaml, &f, "look every 5 seconds to once a day");
	return 0;
}

static int webhook_keys_read(rat_trigger_config *t, const rat_yaml *yaml, const rat_yaml_field *item)
{
	rat_yaml_field f;
	int error, auth = 0;

	if ((error = string_key(&t->secret, yaml, item, "secret", &f)) != 0 ||
	    (error = choice_key(&auth, yaml, item, "auth", auths)) != 0)
		return error;
	t->bearer = auth == 1;
	if (!t->secret)
		return rat_yaml__field_error(yaml, item,
					     "a webhook needs secret: the name of a workspace secret "
					     "(rat secret set NAME) holding its key; unsigned calls "
					     "are refused");
	return 0;
}

/* One item of triggers:, appended to *list. */
static int read_item(rat_trigger_config **list, size_t *count, const rat_yaml *yaml,
		     const rat_yaml_field *item)
{
	rat_trigger_config *t;
	rat_yaml_field f;
	char *type = NULL;
	int error, col, overlap = -1;

	if (!item->value || fy_node_get_type(item->value) != FYNT_MAPPING)
		return rat_yaml__field_error(yaml, item, "a trigger is a mapping with a type:");
	if (!rat_yaml__field(&f, item->value, item->path, "type"))
		return rat_yaml__field_error(yaml, item, "a trigger needs a type: schedule, landing "
							 "(or s3_sensor), freshness or webhook");
	if ((error = rat_yaml__string(&type, yaml, &f)) != 0)
		return error;
	if (!(t = append(list, count))) {
		free(type);
		return RAT_ENOMEM;
	}
	rat_yaml__position(yaml, item->value, &t->line, &col);
	if (strcmp(type, "s3_sensor") == 0)
		t->kind = RAT_TRIGGER_LANDING;
	else if (rat_pipeline__choice(type, rat_trigger__kinds) >= 0)
		t->kind = (rat_trigger_kind)rat_pipeline__choice(type, rat_trigger__kinds);
	else
		error = rat_yaml__field_error(yaml, &f,
					      "'%s' is not a trigger type (schedule, landing or "
					      "s3_sensor, freshness, webhook)",
					      type);
	free(type);
	if (error || (error = rat_yaml__mapping(yaml, item, kind_keys[t->kind])) != 0 ||
	    (error = name_of(t, *list, *count - 1, yaml, item)) != 0 ||
	    (error = choice_key(&overlap, yaml, item, "overlap", overlaps)) != 0 ||
	    (error = retries_key(t, yaml, item)) != 0)
		return error;
	/* a landing trigger queues by default: files that land while its run runs may come too
	 * late for that run, and only a run after it ingests them */
	t->overlap = overlap >= 0 ? (rat_trigger_overlap)overlap
		     : t->kind == RAT_TRIGGER_LANDING ? RAT_OVERLAP_QUEUE : RAT_OVERLAP_SKIP;
	if (rat_yaml__field(&f, item->value, item->path, "select") &&
	    (error = rat_yaml__string_list(&t->select, yaml, &f)) != 0)
		return error;
	switch (t->kind) {
	case RAT_TRIGGER_SCHEDULE:
		return schedule_keys_read(t, yaml, item);
	case RAT_TRIGGER_LANDING:
		return landing_keys_read(t, yaml, item);
	case RAT_TRIGGER_WEBHOOK:
		return webhook_keys_read(t, yaml, item);
	default:
		return 0;
	}
}

int rat_trigger__yaml(rat_trigger_config **out, size_t *count, const rat_yaml *yaml,
		      struct fy_node *root)
{
	rat_yaml_field f, item;
	size_t i, n;
	int error;

	if (!rat_yaml__field(&f, root, "", "triggers") || rat_yaml__is_null(f.value))
		return 0;
	if ((error = rat_yaml__sequence(&n, yaml, &f)) != 0)
		return error;
	for (i = 0; i < n; i++) {
		rat_yaml__item(&item, rat_yaml__at(f.value, i), f.path, i);
		if ((error = read_item(out, count, yaml, &item)) != 0)
			return error;
	}
	return 0;
}

int rat_trigger__schedule(rat_trigger_config **out, size_t *count, const char *cron, int line,
			  const char *where)
{
	rat_trigger_config *t;
	rat_schedule *s = NULL;
	int error;

	if ((error = rat_schedule_parse(&s, cron, NULL)) != 0) {
		rat_error__prefix("%s:%d: schedule", where, line);
		return error;
	}
	rat_schedule_free(s);
	if (!(t = append(out, count)))
		return RAT_ENOMEM;
	t->kind = RAT_TRIGGER_SCHEDULE;
	t->line = line;
	t->decorator = 1;
	if (!(t->name = rat__strdup("schedule")) || !(t->cron = rat__strdup(cron)))
		return RAT_ENOMEM;
	return 0;
}

int rat_trigger__check(const rat_trigger_config *list, size_t count, int64_t warn_after_s,
		       int64_t error_after_s, const char *landing, const char *where)
{
	size_t i;

	for (i = 0; i < count; i++) {
		if (list[i].kind == RAT_TRIGGER_FRESHNESS && !warn_after_s && !error_after_s)
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
					      "%s:%d: triggers: a freshness trigger needs a freshness "
					      "to keep (freshness: warn_after or error_after, here or "
					      "in workspace.yaml)",
					      where, list[i].line);
		if (list[i].kind == RAT_TRIGGER_LANDING && !list[i].path && !landing)
			return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
					      "%s:%d: triggers: a landing trigger needs a folder to "
					      "watch (path:, or the pipeline's landing:)",
					      where, list[i].line);
	}
	return 0;
}
