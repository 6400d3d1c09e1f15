/*
 * util/dl.c - where a library loaded on first use is looked for (dl.h).
 */
#include "util/dl.h"

#include <string.h>

/* dlopen of dir/library when dir is a folder; NULL otherwise. */
static void *open_in(const char *dir, size_t dir_len, const char *library)
{
	char path[4096];

	if (!dir || !dir_len || dir_len + strlen(library) + 2 > sizeof(path))
		return NULL;
	snprintf(path, sizeof(path), "%.*s/%s", (int)dir_len, dir, library);
	return dlopen(path, RTLD_NOW | RTLD_LOCAL);
}

void *rat_dl__open(const char *library, const char *dir, char *why, size_t len)
{
	void *lib = dlopen(library, RTLD_NOW | RTLD_LOCAL);
	const char *said, *slash;
	Dl_info self;

	if (lib) {
		why[0] = '\0';
		return lib;
	}
	said = dlerror();
	snprintf(why, len, "%s", said ? said : "not found");
	if (!(dladdr((void *)rat_dl__open, &self) && self.dli_fname &&
	      (slash = strrchr(self.dli_fname, '/')) != NULL &&
	      (lib = open_in(self.dli_fname, (size_t)(slash - self.dli_fname), library)) != NULL) &&
	    dir)
		lib = open_in(dir, strlen(dir), library);
	if (lib)
		why[0] = '\0'; /* found after all: no failure to tell */
	return lib;
}

int rat_dl__self_dir(char *out, size_t len)
{
	const char *slash;
	Dl_info self;

	if (!dladdr((void *)rat_dl__self_dir, &self) || !self.dli_fname ||
	    (slash = strrchr(self.dli_fname, '/')) == NULL ||
	    (size_t)(slash - self.dli_fname) + 1 > len)
		return -1;
	snprintf(out, len, "%.*s", (int)(slash - self.dli_fname), self.dli_fname);
	return 0;
}
