/*
 * fuzz/fuzz_workspace_yaml.c - the workspace.yaml loader: YAML syntax
 * (libfyaml through util/yaml.c), the strict key checks and every value's
 * validation (config/workspace_config.c), and profile resolution.
 *
 * The input is the file's text. The loader only reads files, so it is
 * written to a scratch workspace folder first; that folder holds three
 * profile files (one extending a built-in, two extending each other) so that
 * `resources.profile` can reach the profile-file reader too.
 */
#include "rat.h"
#include "util/common.h"
#include "util/fs.h"
#include "config/config.h"
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

const char fuzz_asan_options[] = FUZZ_LIBFYAML_ASAN_OPTIONS;
const char fuzz_lsan_suppressions[] = FUZZ_LIBFYAML_SUPPRESSIONS;

static const char *const profiles[][2] = {
	{ "profiles/team.yaml", "extends: tiny\ndescription: the team's\n"
				"resources:\n  max_memory_mb: 512\n  threads: 2\n" },
	{ "profiles/loop_a.yaml", "extends: loop_b\n" },
	{ "profiles/loop_b.yaml", "extends: loop_a\nresources: {threads: 1}\n" },
};

static void setup(void)
{
	static bool done;
	char *dir;
	size_t i;

	if (done)
		return;
	done = true;
	/* the loader reads RAT_PROFILE when the file names no profile */
	unsetenv("RAT_PROFILE");
	if ((dir = rat_fs__join(fuzz_scratch_dir(), "profiles")) == NULL || rat_fs__mkdir_p(dir) != 0)
		abort();
	free(dir);
	for (i = 0; i < RAT_ARRAY_SIZE(profiles); i++)
		free(fuzz_write_file(profiles[i][0], profiles[i][1], strlen(profiles[i][1])));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const rat_env env = RAT_ENV_INIT; /* no RAT_PROFILE: the YAML alone decides */
	rat_workspace_config config;
	char *path;

	setup();
	path = fuzz_write_file("workspace.yaml", data, size);
	if (rat_config__load_workspace(&config, path, "workspace.yaml", fuzz_scratch_dir(), NULL,
				       NULL, &env) == 0)
		rat_config__free_workspace(&config);
	free(path);
	return 0;
}
