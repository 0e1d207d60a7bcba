/* procstat.h - who a PID is: its state and start time from /proc/PID/stat.
 *
 * A PID alone is a weak name: once a process is reaped its PID is handed to
 * the next one.  PID + start time (clock ticks since boot, field 22) names
 * one process for good, so docker-lite never signals or enters a process
 * without checking both. */
#ifndef DL_T3_PROCSTAT_H
#define DL_T3_PROCSTAT_H

#include <sys/types.h>

struct proc_stat {
	char state;                   /* field 3: R, S, D, Z (zombie), ... */
	unsigned long long starttime; /* field 22 */
};

/* Pure: parse the text of /proc/PID/stat.  Field 2 (comm) may hold spaces
 * and parentheses, so fields are counted after the LAST ')'.
 * Returns 0 or -EINVAL. */
int proc_stat_parse(const char *text, struct proc_stat *st);
/* Read and parse "stat" below an open /proc/PID directory fd (which keeps
 * naming the same process even when the PID is reused: reads fail with
 * ESRCH once it is gone).  Returns 0 or -errno. */
int proc_stat_read_at(int procdir_fd, struct proc_stat *st);
/* Same for /proc/<pid>/stat. */
int proc_stat_read(pid_t pid, struct proc_stat *st);
/* Pure: does st describe a live (non-zombie) process with this start time? */
int proc_stat_is(const struct proc_stat *st, unsigned long long starttime);
/* Pure: parse a start time argument ("12345"); -EINVAL on anything else. */
int parse_starttime(const char *text, unsigned long long *starttime);

#endif
