/* keyfile.h - the key=value state files conductor.sh keeps, updated from C.
 *
 * dl-run records the container's PID, start time and cgroups in the state
 * file conductor.sh made (--pidfile), and later its exit code.  Updates
 * replace only the keys dl-run owns and keep every other line, and are
 * atomic (temp file + rename), like state_set in lib/state.sh: a reader or
 * a killed writer never sees half a file.
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
