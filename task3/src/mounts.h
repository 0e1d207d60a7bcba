/* mounts.h - the container's filesystem, built inside its new mount
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
#ifndef DL_T3_MOUNTS_H
#define DL_T3_MOUNTS_H

#include "cli.h"

int fs_make_private(const char **what);
int fs_mount_root(const struct run_opts *o, const char **what);
int fs_check_root(const char *rootfs, const char **what);
int fs_pivot(const char *rootfs, const char **what);
/* at: "/proc" after fs_pivot; rootless, <rootfs>/proc before it, while
 * the host's proc is still in sight (a user namespace's root may mount a
 * proc or sysfs only where one fully visible is mounted already: the
 * kernel's mount_too_revealing) */
int fs_mount_proc(const char *at, const char **what);
/* Rootless, a container may not make device nodes (mknod needs the host's
 * root) nor mount a sysfs of a network namespace it does not own (build's
 * --share-net): it binds the host's, opened before pivot_root hides them. */
#define DL_DEV_NODES 6
struct host_nodes {
	int dev[DL_DEV_NODES];
	int sys;       /* -1: mount a sysfs of our own */
	int tty_group; /* the map has gid 5 (tty), for /dev/pts */
};
int fs_open_host_nodes(struct host_nodes *host, int need_sys, const char **what);
/* Once bound: no fd of the host's may stay with the init, whose
 * /proc/1/fd a process inside could open. */
void fs_close_host_nodes(struct host_nodes *host);
/* host NULL: as root, a sysfs and device nodes of our own */
int fs_mount_sys(const char *at, int readonly, const struct host_nodes *host, const char **what);
int fs_mount_dev(const struct host_nodes *host, const char **what);
int fs_mask(const char **what);

#endif
