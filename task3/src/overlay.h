/* overlay.h - the mount options of a container's overlay root.
 *
 * lowerdir lists the read-only layers TOPMOST FIRST: in
 * "lowerdir=L3:L2:L1:BASE" a file in L3 shadows the same file in L2, L1 and
 * BASE.  (The original course code listed the base first, so the base
 * shadowed every later layer.)  upperdir takes the container's writes and
 * workdir is overlayfs's scratch space on the same filesystem.
 */
#ifndef DL_T3_OVERLAY_H
#define DL_T3_OVERLAY_H

#include <stddef.h>

/* The kernel copies mount data into one page, NUL included. */
#define OVERLAY_DATA_MAX 4096

/* Pure: write "lowerdir=<lower>,upperdir=<upper>,workdir=<work>" into buf,
 * and ",volatile" when scratch: the upper directory is a container's,
 * deleted with it, so nothing it holds needs syncing to the disk.  Without
 * it the unmount at stop (or run --rm) syncs the whole filesystem the upper
 * is on (overlayfs's sync_fs), and waits for every other program's dirty
 * data there; a build step's upper becomes a layer and keeps its syncs.
 * Every path must be absolute and hold no ',' or '\' (they would be read as
 * option separators or escapes); lower is a ':'-separated list without
 * empty entries.  Returns 0, -EINVAL for a bad path, or -E2BIG when the
 * text would not fit in one page (too many or too long layer paths). */
int overlay_data(char *buf, size_t size, const char *lower, const char *upper, const char *work, int scratch);
/* Pure: number of entries in a lowerdir list, or -EINVAL when it is bad. */
int overlay_lower_count(const char *lower);

#endif
