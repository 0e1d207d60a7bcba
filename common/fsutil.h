/* fsutil.h - whole-file reads and writes, directory helpers. All return
 * 0 (or a byte count) on success and -errno on failure. */
#ifndef DL_FSUTIL_H
#define DL_FSUTIL_H

#include <stddef.h>
#include <sys/types.h>

/* Read up to size-1 bytes of path into buf and NUL-terminate it.
 * Returns the byte count. */
ssize_t read_file(const char *path, char *buf, size_t size);
/* Write the whole string to path (O_WRONLY|O_TRUNC, no O_CREAT: kernel files
 * like cgroup knobs exist already; creating a stray file is a bug). */
int write_file(const char *path, const char *text);
/* Like write_file() but creates the file with mode 0644 if missing. */
int write_new_file(const char *path, const char *text);
/* mkdir -p: create path and its missing parents. */
int mkdir_p(const char *path, mode_t mode);
/* An exclusive flock of a directory itself (waits; no lock file to leave
 * behind).  Returns the fd that holds it, or -errno. */
int lock_dir(const char *dir);
/* snprintf into buf; -ENAMETOOLONG when the result does not fit. */
int path_join(char *buf, size_t size, const char *dir, const char *name);

#endif
