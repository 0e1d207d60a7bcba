/* freeze.h - pause and unpause: freeze and thaw every process of a
 * container's cgroup at once.
 *
 * A frozen process is stopped by the kernel where it stands: it gets no
 * CPU and cannot notice (unlike SIGSTOP, which its parent can see and a
 * SIGCONT from anyone ends).  v1 has a freezer hierarchy whose
 * freezer.state is written FROZEN or THAWED and reads FREEZING until every
 * task has stopped; v2 has cgroup.freeze (1 or 0) in every cgroup, and its
 * cgroup.events says "frozen 1" once they all have.  The names and values
 * are this file's alone (freeze.c).
 */
#ifndef DL_T3_FREEZE_H
#define DL_T3_FREEZE_H

#include "cgroup.h"

/* A task in an uninterruptible sleep (disk, NFS) freezes only when it
 * wakes: this long at most, then the cgroup is thawed again. */
#define FREEZE_TIMEOUT_MS 5000

/* Pure: whether the text of the file the kernel reports in (v1
 * freezer.state, v2 cgroup.events) says the cgroup is frozen (or, with
 * frozen 0, thawed). */
int freeze_reached(enum cg_mode mode, const char *report, int frozen);
/* Freeze (frozen 1) or thaw (0) the cgroup and wait until the kernel says
 * it is done.  0, -EOPNOTSUPP (no freezer: v1 without the hierarchy),
 * -ENOENT (no such cgroup), -ETIMEDOUT (not frozen within timeout_ms:
 * thawed again), or another -errno. */
int freeze_cgroup(const struct cgroup *cg, int frozen, long timeout_ms);

#endif
