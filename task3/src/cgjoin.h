/* cgjoin.h - put an exec'd process into its container's cgroups.
 *
 * A process started by `exec` must count against the container's limits
 * (--pids, --memory, --cpus) like the container's own processes, or exec
 * would be a way around them.  The container's cgroups are read from
 * /proc/<init>/cgroup; only docker-lite's own groups are joined.
 */
#ifndef DL_T3_CGJOIN_H
#define DL_T3_CGJOIN_H

#include <linux/limits.h>
#include <stddef.h>

#define CGJOIN_MAX 8

/* flags: CGJOIN_V2 reads the v2 line, not the v1 ones; CGJOIN_NESTED (v2,
 * rootless) also takes a docker-lite group below the root, as in a cgroup
 * delegated to a user: "0::/user.slice/.../x.scope/docker-lite/x". */
#define CGJOIN_V2 1
#define CGJOIN_NESTED 2

/* Pure: from the text of /proc/PID/cgroup, the cgroup.procs files of every
 * hierarchy where PID is in a docker-lite group ("/docker-lite/..."):
 * v1 lines "N:cpu:/docker-lite/x" -> <root>/cpu/docker-lite/x/cgroup.procs;
 * with CGJOIN_V2, the line "0::/docker-lite/x" -> <root>/docker-lite/x/...
 * Returns how many were written to paths, or -EINVAL/-ENAMETOOLONG/-E2BIG. */
int cgjoin_paths(const char *text, const char *root, int flags, char paths[][PATH_MAX],
		 size_t max);

#endif
