/*
 * quality/xlsx.c - .xlsx mocks (the original Ratatouille's Excel mocks):
 * each sheet becomes a CSV file that mocks.c reads as the table the sheet
 * names (bronze_raw_sales or bronze.raw_sales).
 *
 * The workbook is converted by xlsx2csv (Debian's xlsx2csv package), a
 * reader of the file's XML: no macro or other code of the workbook runs.
 * It runs as a child process with an empty environment but PATH and the
 * locale, in the scratch folder, bounded (child.c): its output capped by
 * RLIMIT_FSIZE, its CPU time by RLIMIT_CPU, and killed when it runs past
 * XLSX_TIMEOUT_MS. The
 * workbook itself is capped at XLSX_MAX_BYTES. All sheets go to one output,
 * each after a line "-------- <n> - <sheet name>"; the sheets are split
 * here, into files named by their number, never by the sheet's name (a
 * name could hold a path).
 */
#include "util/common.h"
#include "util/buf.h"
#include "util/fs.h"
#include "util/proc.h"
#include "quality/quality.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define XLSX_MAX_BYTES ((off_t)32 << 20)
#define XLSX_MAX_OUTPUT ((rlim_t)256 << 20)
#define XLSX_TIMEOUT_MS 60000

/* Where xlsx2csv may be: the Debian package's place first. */
static const char *const converters[] = { "/usr/bin/xlsx2csv", "/usr/local/bin/xlsx2csv" };

static const char *converter(void)
{
	size_t i;

	for (i = 0; i < RAT_ARRAY_SIZE(converters); i++)
		if (access(converters[i], X_OK) == 0)
			return converters[i];
	return NULL;
}

/* xlsx2csv -a copy > out_path, bounded; the error names display. */
static int convert(const char *copy, const char *out_path, const char *err_path, const char *dir,
		   const char *display)
{
	const char *prog = converter();
	char *argv[] = { (char *)"xlsx2csv", (char *)"-a", (char *)copy, NULL };
	char *envp[] = { (char *)"PATH=/usr/bin:/bin", (char *)"LC_ALL=C.UTF-8", NULL };
	rat_quality_child c = { prog, argv, envp, dir, out_path, err_path, display, "xlsx2csv",
				"could not read it", copy, XLSX_MAX_OUTPUT, XLSX_TIMEOUT_MS };

	if (!prog)
		return rat_error__set(RAT_ENOTFOUND, RAT_ERRCLASS_PIPELINE,
				      "%s: reading .xlsx mocks needs xlsx2csv (Debian: apt-get install "
				      "xlsx2csv; scripts/deps.sh installs it)", display);
	return rat_quality__run_child(&c);
}

/* "-------- <n> - <name>" with n == want: the start of sheet n; *name after " - ". */
static bool sheet_line(const char *line, long want, const char **name)
{
	char *end;
	long n;

	if (strncmp(line, "-------- ", 9) != 0)
		return false;
	n = strtol(line + 9, &end, 10);
	if (n != want || strncmp(end, " - ", 3) != 0)
		return false;
	*name = end + 3;
	return true;
}

/* Split the converter's output into <base>-<n>.csv, one per sheet. */
static int split_sheets(rat_strarray *names, rat_strarray *paths, const char *out_path,
			const char *base, const char *display)
{
	FILE *in = fopen(out_path, "r"), *sheet = NULL;
	char *line = NULL, *path;
	const char *name;
	size_t cap = 0;
	ssize_t len;
	int error = 0;

	if (!in)
		return rat_error__set(RAT_EIO, RAT_ERRCLASS_OS, "%s: xlsx2csv wrote nothing", display);
	while (!error && (len = getline(&line, &cap, in)) >= 0) {
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		if (sheet_line(line, (long)names->count + 1, &name)) {
			if (sheet && fclose(sheet) != 0)
				error = rat_error__set(RAT_EIO, RAT_ERRCLASS_OS, "%s: writing its CSV",
						       display);
			sheet = NULL;
			path = rat__sprintf("%s-%zu.csv", base, names->count + 1);
			if (!error && (!path || rat_strarray__push(names, name) != 0 ||
				       rat_strarray__push_owned(paths, path) != 0))
				error = RAT_ENOMEM;
			else if (!error && (sheet = fopen(path, "w")) == NULL)
				error = rat_error__set(RAT_EIO, RAT_ERRCLASS_OS, "%s: cannot write %s",
						       display, path);
		} else if (sheet && fprintf(sheet, "%s\n", line) < 0) {
			error = rat_error__set(RAT_EIO, RAT_ERRCLASS_OS, "%s: writing its CSV",
					       display);
		}
	}
	if (sheet && fclose(sheet) != 0 && !error)
		error = rat_error__set(RAT_EIO, RAT_ERRCLASS_OS, "%s: writing its CSV", display);
	free(line);
	fclose(in);
	if (!error && names->count == 0)
		error = rat_error__set(RAT_EINVALID, RAT_ERRCLASS_PIPELINE,
				       "%s: no sheet in the workbook", display);
	return error;
}

int rat_mocks__xlsx_sheets(rat_strarray *names, rat_strarray *paths, const char *path,
			   const char *display, const char *scratch, size_t id)
{
	rat_buf workbook = RAT_BUF_INIT;
	char *base = rat__sprintf("%s/xlsx-%zu", scratch, id);
	char *copy = rat__sprintf("%s/xlsx-%zu.xlsx", scratch, id);
	char *out = rat__sprintf("%s/xlsx-%zu.out", scratch, id);
	char *err = rat__sprintf("%s/xlsx-%zu.err", scratch, id);
	int error;

	if (!base || !copy || !out || !err) {
		error = RAT_ENOMEM;
		goto cleanup;
	}
	/* the workbook is copied, so that the converter reads only what was checked */
	error = rat_fs__read_file(&workbook, path, (size_t)XLSX_MAX_BYTES);
	if (error == RAT_ETOOBIG)
		error = rat_error__set(RAT_ETOOBIG, RAT_ERRCLASS_INVALID,
				       "%s: an .xlsx mock is at most %lld MiB",
				       display, (long long)(XLSX_MAX_BYTES >> 20));
	if (!error && (error = rat_fs__write_file_private(copy, workbook.ptr, workbook.len)) == 0 &&
	    (error = convert(copy, out, err, scratch, display)) == 0)
		error = split_sheets(names, paths, out, base, display);
cleanup:
	rat_buf_free(&workbook);
	free(base);
	free(copy);
	free(out);
	free(err);
	return error;
}
