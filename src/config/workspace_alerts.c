/*
 * config/workspace_alerts.c - workspace.yaml's `alerts:`: where `rat serve`
 * sends what needs a person (docs/orchestration.md, "Alerts").
 *
 *   alerts:
 *     - url: https://hooks.example.com/rat
 *       secret: ALERTS_KEY       # a workspace secret: signs each event
 *       events: [run.failed]     # default: every event
 *
 * A url is http or https, without credentials in it (a signing key goes in
 * the workspace's secrets, never in workspace.yaml).
 */
#include "util/common.h"
#include "util/mem.h"
#include "util/names.h"
#include "util/yaml.h"
#include "config/config.h"

#include <ctype.h>
#include <libfyaml.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const alert_keys[] = { "url", "secret", "events", NULL };

const char *const rat_config__alert_events[] = { "run.failed", "product.late", "freshness.failed",
						 NULL };

/* NULL when url is one the server may post to, else why not (static text). */
static const char *bad_url(const char *url)
{
	const char *host, *end, *at;
	size_t i;

	if (strncasecmp(url, "http://", 7) == 0)
		host = url + 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		host = url + 8;
	else
		return "not an http:// or https:// URL";
	if (strlen(url) > 2048)
		return "longer than 2048 characters";
	for (i = 0; url[i]; i++)
		if ((unsigned char)url[i] <= ' ' || url[i] == 0x7f)
			return "a space or a control character in it";
	end = host + strcspn(host, "/?#");
	if (end == host)
		return "no host";
	if ((at = memchr(host, '@', (size_t)(end - host))) != NULL)
		return "credentials in it (a key goes in the workspace's secrets: secret:)";
	return NULL;
}

static int parse_alert(rat_alert_config *a, const rat_yaml *yaml, const rat_yaml_field *item)
{
	rat_yaml_field field;
	const char *why;
	size_t i, j;
	int error;

	if ((error = rat_yaml__mapping(yaml, item, alert_keys)) != 0)
		return error;
	if (!rat_yaml__field(&field, item->value, item->path, "url"))
		return rat_yaml__field_error(yaml, item, "an alert needs a url:");
	if ((error = rat_yaml__string(&a->url, yaml, &field)) != 0)
		return error;
	if ((why = bad_url(a->url)) != NULL)
		return rat_yaml__field_error(yaml, &field, "'%.80s': %s", a->url, why);
	if (rat_yaml__field(&field, item->value, item->path, "secret")) {
		if ((error = rat_yaml__string(&a->secret, yaml, &field)) != 0)
			return error;
		if (!rat_name__valid_env(a->secret))
			return rat_yaml__field_error(yaml, &field,
						     "'%.64s' is not a secret's name (letters, digits and "
						     "'_', not starting with a digit: rat secret set NAME)",
						     a->secret);
	}
	if (!rat_yaml__field(&field, item->value, item->path, "events"))
		return 0;
	if ((error = rat_yaml__string_list(&a->events, yaml, &field)) != 0)
		return error;
	if (a->events.count == 0)
		return rat_yaml__field_error(yaml, &field,
					     "no event (leave events: out for every event)");
	for (i = 0; i < a->events.count; i++) {
		for (j = 0; rat_config__alert_events[j]; j++)
			if (strcmp(a->events.strings[i], rat_config__alert_events[j]) == 0)
				break;
		if (!rat_config__alert_events[j])
			return rat_yaml__field_error(yaml, &field,
						     "unknown event '%.64s' (run.failed, product.late "
						     "or freshness.failed)",
						     a->events.strings[i]);
	}
	return 0;
}

int rat_config__parse_alerts(rat_workspace_config *config, const rat_yaml *yaml,
			     const rat_yaml_field *section)
{
	size_t count, i;
	int error;

	if ((error = rat_yaml__sequence(&count, yaml, section)) != 0)
		return error;
	if (count > 32)
		return rat_yaml__field_error(yaml, section, "at most 32 alerts, got %zu", count);
	if (count && (config->alerts = rat__calloc(count, sizeof(*config->alerts))) == NULL)
		return RAT_ENOMEM;
	for (i = 0; i < count; i++) {
		rat_yaml_field item;

		rat_yaml__item(&item, rat_yaml__at(section->value, i), section->path, i);
		config->alert_count = i + 1;
		if ((error = parse_alert(&config->alerts[i], yaml, &item)) != 0)
			return error;
	}
	return 0;
}

void rat_config__free_alerts(rat_workspace_config *config)
{
	size_t i;

	for (i = 0; i < config->alert_count; i++) {
		free(config->alerts[i].url);
		free(config->alerts[i].secret);
		rat_strarray_free(&config->alerts[i].events);
	}
	free(config->alerts);
	config->alerts = NULL;
	config->alert_count = 0;
}
