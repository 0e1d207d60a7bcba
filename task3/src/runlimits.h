/* runlimits.h - the resource limits of `run --cpus/--memory/--pids`, parsed
 * into the common cgroup module's struct cg_limits. */
#ifndef DL_T3_RUNLIMITS_H
#define DL_T3_RUNLIMITS_H

#include "cgroup.h"

/* Below this the kernel's OOM killer fires before a shell even starts. */
#define DL_MEMORY_MIN (6LL << 20)
/* PID_MAX_LIMIT on 64-bit */
#define DL_PIDS_MAX 4194304L

/* These are the only parsers of run's limits: conductor.sh asks dl-run
 * --check-limits rather than parse them itself.  Numbers are decimal, a
 * leading zero included ("06M" is 6M, "010" is 10), as Docker reads them. */

/* Pure: "--cpus 0.5" -> quota 50000 for a period of 100000 us.  At most 5
 * decimals (1 us of a 100 ms period), at least 0.01 CPU, at most ncpus.
 * Returns 0, -EINVAL (not a number) or -ERANGE. */
int parse_cpus(const char *text, long period_us, long ncpus, long *quota_us);
/* Pure: "256M" -> bytes (k/m/g suffixes, as cg_parse_size).  0, -EINVAL
 * (not a size), -ERANGE (under DL_MEMORY_MIN) or -EOVERFLOW (more than 64
 * bits hold). */
int parse_memory(const char *text, long long *bytes);
/* Pure: a whole number from 1 to DL_PIDS_MAX.  0, -EINVAL (not a whole
 * number) or -ERANGE. */
int parse_pids(const char *text, long *pids);

/* ---- block I/O (--device-read-bps and the like, --blkio-weight) -------- */

#define DL_SYSFS_ROOT "/sys"

/* Pure: "DEV:RATE" -> DEV (copied into dev) and its value: with iops a
 * whole number of I/Os a second, else bytes a second with k/m/g suffixes
 * as cg_parse_size ("1m", "512k", "1048576").  The last ':' splits, DEV
 * must be absolute.  0, -EINVAL (no DEV: or DEV not absolute), -ERANGE (a
 * bad value) or -ENAMETOOLONG. */
int parse_device_value(const char *text, int iops, char *dev, size_t size, unsigned long long *value);
/* Pure: a weight from CG_IO_WEIGHT_MIN to CG_IO_WEIGHT_MAX (Docker's). */
int parse_io_weight(const char *text, unsigned *weight);

/* A block device as the kernel's I/O controllers see it: throttles go on
 * whole disks only, so a partition names the disk it is part of. */
struct block_disk {
	unsigned major, minor; /* the whole disk's */
	int partition;         /* the device given was a partition of it */
	char name[64];         /* the disk's kernel name, e.g. "vda" */
};
/* From <sysfs>/dev/block/MAJ:MIN: the disk holding that device (itself, or
 * for a partition the directory above it in sysfs, whose "dev" file has
 * its numbers).  0, -ENOENT (not a block device the kernel knows). */
int block_disk_from_sysfs(const char *sysfs, unsigned major, unsigned minor, struct block_disk *disk);
/* The same for a device path: -ENOTBLK when it is no block device. */
int block_disk_of(const char *sysfs, const char *dev, struct block_disk *disk);
/* Whether the disk's I/O scheduler is BFQ (<sysfs>/block/NAME/queue/
 * scheduler shows "[bfq]"): the only one that honours a weight.  1, 0, or
 * -errno; active names the scheduler in use. */
int block_disk_has_bfq(const char *sysfs, const struct block_disk *disk, char *active, size_t size);

#endif
