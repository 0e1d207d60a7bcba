/* spawn.h - start the container's init: a child in new namespaces and,
 * when the container has one, in its cgroup.
 *
 * On cgroup v2 the child is born in its leaf (clone3's CLONE_INTO_CGROUP,
 * Linux 5.7): it never runs a single instruction outside its limits, and
 * the parent writes no cgroup.procs afterwards (a migration is what makes
 * a v1 `run --pids` slower).  v1 has no such clone, and an older kernel no
 * clone3: there the caller moves the child in itself (cg_attach) before
 * letting it go on.
 */
#ifndef DL_T3_SPAWN_H
#define DL_T3_SPAWN_H

#include "cgroup.h"

#include <sys/types.h>

/* fn(arg) in a child with these clone flags (SIGCHLD on its end); its exit
 * code is fn's return.  cg (NULL: none) a v2 cgroup: the child is born in
 * its leaf, and *born_in is set to 1; else (v1, or the kernel cannot) 0:
 * the caller must cg_attach it.  Returns the pid, or -1 with errno set. */
pid_t spawn_init(int (*fn)(void *), void *arg, int flags, const struct cgroup *cg, int *born_in);

#endif
