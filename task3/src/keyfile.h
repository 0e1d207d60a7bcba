/* keyfile.h - the key=value state files of conductor.sh, and their one
 * writer.
 *
 * dl-run writes a container's record when it claims the name (statedir.h),
 * its PID, start time and cgroups when it starts, its exit code when it
 * ends, and conductor.sh's own changes (dl-run --set-state, which state_set
 * in lib/state.sh calls).  Updates replace only the keys given and keep
 * every other line, and are atomic (temp file + rename): a reader or a
 * killed writer never sees half a file.
 */
#ifndef DL_T3_KEYFILE_H
#define DL_T3_KEYFILE_H

#include <stddef.h>

#define KEYFILE_MAX 65536

/* Pure: copy the lines of old whose key is not in drop (NULL-terminated),
 * then append add (whole "key=value\n" lines).  Returns 0 or -E2BIG. */
int keyfile_merge(const char *old, const char *const drop[], const char *add, char *out,
		  size_t size);
/* Pure: text has the line "key=value". */
int keyfile_has(const char *text, const char *key, const char *value);
/* Rewrite path with keyfile_merge().  When path does not exist: create it
 * if create, else return -ENOENT and write nothing (the container's state
 * was removed meanwhile: never bring it back). */
int keyfile_update(const char *path, const char *const drop[], const char *add, int create);
/* Take an exclusive flock on path (created if missing), waiting at most
 * timeout_s seconds.  Returns the fd (close it to release) or -errno. */
int lock_take(const char *path, int timeout_s);

#endif
