/* fds.h - closing inherited file descriptors.
 *
 * Whatever started us may have left descriptors open: conductor.sh's lock,
 * bats' fd 3, a directory on the host.  A container that inherits a host
 * directory fd can walk out of its root through it (runc CVE-2024-21626),
 * and a long-lived process holding the lock or a test's pipe stalls them.
 * So every helper closes all fds above 2 first thing, keeping only the
 * ones it has just made for itself.
 */
#ifndef DL_T3_FDS_H
#define DL_T3_FDS_H

#include <stddef.h>

/* Close every fd >= 3 except the n in keep (any order, -1 entries are
 * ignored).  Returns 0 or -errno. */
int close_fds_except(const int *keep, size_t n);
/* Open /dev/null on any of fds 0-2 that is closed, so a file opened later
 * never lands on one of them (and gets program output written into it). */
void ensure_stdio(void);

#endif
