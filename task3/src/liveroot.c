#define _GNU_SOURCE
#include "liveroot.h"
#include "fsutil.h"
#include "mounts.h"
#include "syscalls.h"

#include <errno.h>
#include <sys/mount.h>

/* The two mounts stacked on the rootfs directory: the overlay and the
 * unbindable bind under it. */
#define LIVE_ROOT_MOUNTS 2

/* Unmount the n topmost mounts on rootfs.  MNT_DETACH: on a failure path
 * nothing may keep dl-run from reporting the real error. */
static int unmount_n(const char *rootfs, int n)
{
	int rc = 0;
	for (int i = 0; i < n; i++)
		if (sys_umount2(rootfs, MNT_DETACH) < 0 && !rc)
			rc = -errno;
	return rc;
}

int live_root_mount(const struct run_opts *o, const char **what)
{
	int rc = mkdir_p(o->rootfs, 0755);
	if (rc) {
		*what = "create the rootfs directory";
		return rc;
	}
	if (sys_mount(o->rootfs, o->rootfs, NULL, MS_BIND, NULL) < 0) {
		*what = "bind the rootfs directory on itself";
		return -errno;
	}
	/* before anything is mounted on it: from now on nothing propagates */
	if (sys_mount(NULL, o->rootfs, NULL, MS_UNBINDABLE, NULL) < 0) {
		rc = -errno;
		*what = "make the rootfs mount unbindable";
		unmount_n(o->rootfs, 1);
		return rc;
	}
	if ((rc = fs_mount_root(o, what))) {
		unmount_n(o->rootfs, 1);
		return rc;
	}
	return 0;
}

int live_root_unmount(const char *rootfs)
{
	return unmount_n(rootfs, LIVE_ROOT_MOUNTS);
}
