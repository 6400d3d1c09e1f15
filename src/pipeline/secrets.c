/*
 * pipeline/secrets.c - what a pipeline reads of its workspace beyond its
 * files (pipeline.h): the environment its templates may read (env_var())
 * and its secrets (secret(), and an executable's environment), opened once
 * per load, behind a mutex because a run's threads ask at once.
 */
#include "util/common.h"
#include "pipeline/pipeline.h"
#include "secret/secret.h"
#include "template/template.h"
#include "workspace/workspace.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct rat_pipeline_secrets {
	pthread_mutex_t lock;
	bool loaded;
	rat_strarray values; /* "NAME=value", sorted */
};

int rat_pipeline__secrets_new(struct rat_pipeline_secrets **out)
{
	struct rat_pipeline_secrets *s = rat__calloc(1, sizeof(*s));

	if ((*out = s) == NULL)
		return RAT_ENOMEM;
	pthread_mutex_init(&s->lock, NULL);
	return 0;
}

void rat_pipeline__secrets_free(struct rat_pipeline_secrets *secrets)
{
	if (!secrets)
		return;
	rat_strarray__free_wiped(&secrets->values);
	pthread_mutex_destroy(&secrets->lock);
	free(secrets);
}

int rat_pipeline__secrets(const rat_strarray **out, const rat_pipelines *all)
{
	struct rat_pipeline_secrets *s = all->secrets;
	int error = 0;

	*out = NULL;
	if (!s || !all->ws)
		return rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				      "secrets are read only in a workspace's runs and tests");
	pthread_mutex_lock(&s->lock);
	if (!s->loaded && (error = rat_secret__load(&s->values, all->ws)) == 0)
		s->loaded = true;
	if (error)
		rat_strarray_free(&s->values); /* tried again by the next caller */
	pthread_mutex_unlock(&s->lock);
	if (!error)
		*out = &s->values;
	return error;
}

/* env_var() in a pipeline's templates: what the workspace may read of its environment. */
static int workspace_env(void *all, const char *name, const char **value)
{
	return rat_workspace__allowed_env(value, ((const rat_pipelines *)all)->ws, name);
}

/* secret() in a pipeline's templates: the workspace's secret, or an error naming it. */
static int workspace_secret(void *ctx, const char *name, const char **value)
{
	const rat_pipelines *all = ctx;
	const rat_strarray *values;
	int error = rat_pipeline__secrets(&values, all);

	if (error)
		return error;
	if ((*value = rat_secret__value(values, name)) == NULL)
		return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_PIPELINE,
				      "workspace '%s' has no secret '%s' (rat secret set -w %s %s)",
				      rat_workspace_name(all->ws), name, rat_workspace_name(all->ws),
				      name);
	return 0;
}

void rat_pipeline__template_env(rat_template_context *tc, const rat_pipelines *all)
{
	tc->env = all->ws ? workspace_env : NULL;
	tc->secret = all->ws ? workspace_secret : NULL;
	tc->env_ctx = (void *)all; /* read only: env_var() and secret() look up */
}
