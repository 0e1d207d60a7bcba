/* rootfs.h - the container's filesystem, built inside its new mount
 * namespace, in this order:
 *
 *   fs_make_private   nothing we mount propagates back to the host
 *   fs_mount_root     overlay (image layers + the container's upper dir)
 *                     on the rootfs directory, or a bind of a plain rootfs
 *   fs_check_root     refuse an image whose /proc, /sys, /dev or
 *                     /etc/resolv.conf would lead outside it (safepath.h)
 *   fs_pivot          pivot_root into it and detach the host's tree
 *   fs_mount_proc     a proc of the new PID namespace
 *   fs_mount_sys      sysfs, mounted after the new network namespace
 *                     exists so it shows the container's interfaces
 *   fs_mount_dev      a tmpfs /dev with a handful of device nodes, never
 *                     the host's /dev
 *   fs_mask           hardening: hide or freeze risky /proc and /sys files
 *
 * Every mount but the root is made inside the container's own mount
 * namespace, so they vanish with it.  The root is made here too for build's
 * RUN steps; for run, dl-run --live-root mounts it on the host before the
 * clone (liveroot.h, which uses fs_mount_root) and the container finds it
 * in its copy of the mount tree.
 * Each function returns 0 or -errno and points *what at the failed step
 * (for fs_check_root, at a whole sentence saying what is wrong).
 */
#ifndef DL_T3_ROOTFS_H
#define DL_T3_ROOTFS_H

#include "cli.h"

int fs_make_private(const char **what);
int fs_mount_root(const struct run_opts *o, const char **what);
int fs_check_root(const char *rootfs, const char **what);
int fs_pivot(const char *rootfs, const char **what);
int fs_mount_proc(const char **what);
int fs_mount_sys(int readonly, const char **what);
int fs_mount_dev(const char **what);
int fs_mask(const char **what);

#endif
