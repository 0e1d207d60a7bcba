/* stats.h - what a container uses, read from its cgroup's own files:
 * `conductor.sh stats`.  The file names differ between the versions:
 *
 *   what            v1 (a hierarchy each)                  v2 (one leaf)
 *   CPU time        cpuacct/.../cpuacct.usage (ns)         cpu.stat usage_usec
 *   memory          memory.usage_in_bytes - total_inactive_file (memory.stat)
 *                                                          memory.current - inactive_file
 *   memory limit    memory.limit_in_bytes (huge: none)     memory.max ("max")
 *   pids, limit     pids.current, pids.max ("max")         the same
 *   block I/O       blkio.throttle.io_service_bytes        io.stat rbytes=, wbytes=
 *                   ("8:0 Read N", "8:0 Write N")
 *
 * Memory counts as Docker does: without the page cache the kernel can drop
 * at once (inactive files), which a container's reads and writes fill.
 */
#ifndef DL_T3_STATS_H
#define DL_T3_STATS_H

#include "cgroup.h"

/* -1 in a field: not accounted (no leaf in that hierarchy or controller),
 * or, for a limit, none. */
struct cg_usage {
	long long cpu_ns;
	long long mem_bytes, mem_limit;
	long long pids, pids_limit;
	long long io_read, io_write;
};

/* Pure: the number after "key " on a line of a flat keyed file such as
 * cpu.stat or memory.stat; -1 when there is no such line. */
long long stats_keyed(const char *text, const char *key);
/* Pure: a number file's value: "max" (v2) or a v1 "unlimited" (above 2^62)
 * is -1, as is anything that is no number. */
long long stats_limit(const char *text);
/* Pure: the bytes read and written over every disk: v2 io.stat lines
 * "8:0 rbytes=N wbytes=N ...", v1 io_service_bytes lines "8:0 Read N". */
void stats_io(enum cg_mode mode, const char *text, long long *read, long long *written);
/* Read every field of the cgroup cg_open found.  0, or -ENOENT when none
 * of its files is there (no such container). */
int stats_read(const struct cgroup *cg, struct cg_usage *u);

#endif
