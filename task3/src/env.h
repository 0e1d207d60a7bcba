/* env.h - the environment a container command starts with.
 *
 * Never the caller's: the host's variables (paths of the tool, a sudo
 * user's settings, test harness variables) have no meaning inside and may
 * leak information.  Like Docker: a fixed PATH, HOME=/root, HOSTNAME, the
 * caller's TERM (an interactive shell needs it), then each --env K=V.
 */
#ifndef DL_T3_ENV_H
#define DL_T3_ENV_H

#include <stddef.h>

#define ENV_MAX 256
#define ENV_DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct env {
	char *vars[ENV_MAX + 1]; /* NULL-terminated, ready for environ */
	size_t n;
	char hostname[300], term[300]; /* storage for the two composed defaults */
};

/* Pure: the defaults; hostname and term may be NULL (left out). */
void env_init(struct env *e, const char *hostname, const char *term);
/* Pure: add or replace "KEY=VALUE" (the string is not copied).  -EINVAL
 * unless KEY is [A-Za-z_][A-Za-z0-9_]*; -E2BIG when full. */
int env_set(struct env *e, const char *kv);
/* Pure: the value of key, or NULL. */
const char *env_get(const struct env *e, const char *key);

#endif
