/* runlimits.h - the resource limits of `run --cpus/--memory/--pids`, parsed
 * into the common cgroup module's struct cg_limits. */
#ifndef DL_T3_RUNLIMITS_H
#define DL_T3_RUNLIMITS_H

#include "cgroup.h"

/* Every container cgroup lives under <root>/<controller>/docker-lite/. */
#define DL_CGROUP_GROUP "docker-lite"
/* Below this the kernel's OOM killer fires before a shell even starts. */
#define DL_MEMORY_MIN (6LL << 20)
/* PID_MAX_LIMIT on 64-bit */
#define DL_PIDS_MAX 4194304L

/* Pure: "--cpus 0.5" -> quota 50000 for a period of 100000 us.  At most 5
 * decimals (1 us of a 100 ms period), at least 0.01 CPU, at most ncpus.
 * Returns 0, -EINVAL (not a number) or -ERANGE. */
int parse_cpus(const char *text, long period_us, long ncpus, long *quota_us);
/* Pure: "256M" -> bytes (k/m/g suffixes, as cg_parse_size), >= 6 MiB. */
int parse_memory(const char *text, long long *bytes);
/* Pure: a whole number from 1 to DL_PIDS_MAX. */
int parse_pids(const char *text, long *pids);
/* The cgroup root: $DL_CGROUP_ROOT (tests use a fake tree) or /sys/fs/cgroup. */
const char *cgroup_root(void);

#endif
