/* liveroot.h - the container's root on the host (dl-run --live-root).
 *
 * The overlay is mounted in the host's own mount namespace, at the rootfs
 * directory (.containers/<name>/rootfs), so that directory *is* the
 * container's root for anyone on the host: a file copied there appears
 * inside at once, a file the container writes appears there, as the
 * original's chroot directory and Docker's merged/ do.  The container gets
 * a private copy of the mount tree (clone's CLONE_NEWNS copies it) and
 * pivots into its copy of the overlay.  The mount stays while the
 * container exists, exited or not; conductor.sh's stop unmounts it.
 *
 * Propagation: where / is shared (systemd makes it so), a mount made under
 * a shared mount is copied to every peer of it: other mount namespaces,
 * binds of a parent directory.  So the overlay is not mounted straight on
 * the directory: the directory is first bound on itself and that bind made
 * unbindable, which is private (nothing mounted on it propagates anywhere)
 * and also keeps it and all on it out of a recursive bind of a directory
 * above.  The overlay then goes on top of that bind.  A peer receives at
 * most the bind itself, showing the same empty directory it had, and loses
 * it again when stop unmounts ours (an unmount propagates like a mount).
 */
#ifndef DL_T3_LIVEROOT_H
#define DL_T3_LIVEROOT_H

#include "cli.h"

/* Mount the container's root on the host as above.  Returns 0 or -errno
 * with *what naming the failed step; on failure nothing stays mounted. */
int live_root_mount(const struct run_opts *o, const char **what);
/* Undo live_root_mount (on dl-run's failure paths; stop does it itself).
 * Returns 0 or the -errno of the first unmount that failed. */
int live_root_unmount(const char *rootfs);

#endif
