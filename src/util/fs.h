/*
 * util/fs.h - file system helpers: size-capped reads, atomic writes, folder
 * creation and listing, path joining. Errors name the path.
 */
#ifndef RAT_UTIL_FS_H
#define RAT_UTIL_FS_H

#include "util/common.h"
#include "util/buf.h"

/** Read a whole file (at most max bytes) into out. RAT_ENOTFOUND, RAT_EIO, RAT_ETOOBIG. */
RAT_MUST_USE int rat_fs__read_file(rat_buf *out, const char *path, size_t max);
/**
 * Read a whole text file (SQL) as rat_fs__read_file() does, refusing a NUL
 * byte, which would silently end the text where it stands for whoever
 * reads it as a C string: RAT_EINVALID "<display>:<line>:<col>: a NUL byte
 * (SQL text holds none)".
 */
RAT_MUST_USE int rat_fs__read_text(rat_buf *out, const char *path, const char *display,
				   size_t max);
/** Write all of data to fd, retrying short writes and EINTR; -1 (errno set) on failure. */
RAT_MUST_USE int rat_fs__write_all(int fd, const void *data, size_t len);
/** Write a file so that readers see the old content or the new, never a part. */
RAT_MUST_USE int rat_fs__write_file_atomic(const char *path, const void *data, size_t len);
/** As rat_fs__write_file_atomic(), the file readable and writable by its owner only (0600). */
RAT_MUST_USE int rat_fs__write_file_private(const char *path, const void *data, size_t len);
/**
 * fsync the file or folder at path; with parent, the folder that holds it
 * (so that a name just made there survives a crash).
 */
RAT_MUST_USE int rat_fs__sync(const char *path, bool parent);
/** Create a folder and its missing parents. */
RAT_MUST_USE int rat_fs__mkdir_p(const char *path);
bool rat_fs__is_dir(const char *path);
bool rat_fs__is_file(const char *path);
bool rat_fs__exists(const char *path);
/**
 * Look for a symbolic link at or under path, following none: *found gets the
 * first one's path (free it), or NULL when there is none or path does not
 * exist. Folders nested deeper than 64 levels are an error.
 */
RAT_MUST_USE int rat_fs__find_symlink(char **found, const char *path);
/**
 * Open root/rel (flags as open(2)'s, O_NOFOLLOW and O_CLOEXEC added)
 * following no symbolic link, neither root's last component nor any of
 * rel's: a link that is there when it is opened, or is swapped in while it
 * is, cannot lead elsewhere. rel is relative, without "." or ".."
 * components ("" opens root, as a folder). *fd gets the descriptor (close it).
 * RAT_ENOTFOUND when a component is missing; RAT_EINVALID, naming the path
 * to it, when one is a symbolic link; RAT_EIO otherwise.
 */
RAT_MUST_USE int rat_fs__open_below(int *fd, const char *root, const char *rel, int flags);
/**
 * The error of an openat(dir, name, ... O_NOFOLLOW) that just failed (errno
 * as it left it), naming path: RAT_ENOTFOUND, RAT_EINVALID for a symbolic
 * link or a file where a folder was expected, else RAT_EIO.
 */
RAT_MUST_USE int rat_fs__open_error(int dir, const char *name, const char *path);
/**
 * Remove a folder tree (or a file). Best effort and silent: it runs on
 * cleanup paths and must not replace the error being reported.
 */
void rat_fs__remove_tree(const char *path);
/** Entries of a folder (not "." or ".."), sorted. */
RAT_MUST_USE int rat_fs__list_dir(rat_strarray *out, const char *path);
/** "a/b"; a copy of b when b is absolute. NULL on out of memory. */
char *rat_fs__join(const char *a, const char *b);
/** An absolute, normalised form of path (which need not exist). */
char *rat_fs__absolute(const char *path);
/** The current folder. */
char *rat_fs__cwd(void);
/** The last component of path, without trailing slashes. */
char *rat_fs__basename(const char *path);
/** The parent folder of an absolute, normalised path ("/" for "/"). */
char *rat_fs__dirname(const char *path);

#endif
