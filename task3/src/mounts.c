#define _GNU_SOURCE
#include "mounts.h"
#include "fsutil.h"
#include "overlay.h"
#include "safepath.h"
#include "syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* On failure: remember the step, return -errno. */
#define TRY(call, step)                                                                          \
	do {                                                                                     \
		if ((call) < 0) {                                                                \
			*what = (step);                                                          \
			return -errno;                                                           \
		}                                                                                \
	} while (0)

int fs_make_private(const char **what)
{
	/* BEGIN SOLUTION: make every mount of this namespace private, recursively, so nothing propagates to the host (man 2 mount: MS_PRIVATE) */
	/* The new mount namespace starts as a copy of the host's, and mounts
	 * marked "shared" there would propagate our overlay and /proc back to
	 * the host.  Make every mount private, recursively, before anything. */
	TRY(sys_mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL), "make all mounts private");
	/* END SOLUTION */
	return 0;
}

int fs_mount_root(const struct run_opts *o, const char **what)
{
	int rc = mkdir_p(o->rootfs, 0755);
	if (rc) {
		*what = "create the rootfs directory";
		return rc;
	}
	if (!o->lower) {
		/* pivot_root needs a mount point: bind the directory on itself */
		TRY(sys_mount(o->rootfs, o->rootfs, NULL, MS_BIND | MS_REC, NULL), "bind the rootfs");
		if (o->harden)
			TRY(sys_mount(NULL, o->rootfs, NULL, MS_BIND | MS_REMOUNT | MS_NODEV, NULL),
			    "remount the rootfs nodev");
		return 0;
	}
	char data[OVERLAY_DATA_MAX];
	/* a container's upper (it has a state dir) goes with it: no syncs */
	rc = overlay_data(data, sizeof(data), o->lower, o->upper, o->work, o->state != NULL);
	if (rc) {
		*what = rc == -E2BIG ? "overlay options (too many or too long layer paths)"
				     : "overlay options (layer paths must be absolute, without ',' ':' or '\\')";
		return rc;
	}
	if ((rc = mkdir_p(o->upper, 0755)) || (rc = mkdir_p(o->work, 0700))) {
		*what = "create the upper and work directories";
		return rc;
	}
	/* hardened: device nodes an image brings along cannot be opened */
	unsigned long flags = o->harden ? MS_NODEV : 0;
	/* BEGIN SOLUTION: mount an overlay at o->rootfs with these flags and data (man 2 mount; overlayfs) */
	/* lowerdir is topmost first: the image's last layer shadows the base */
	TRY(sys_mount("overlay", o->rootfs, "overlay", flags, data), "mount the overlay rootfs");
	/* END SOLUTION */
	return 0;
}

int fs_check_root(const char *rootfs, const char **what)
{
	static const char *const mount_dirs[] = { "proc", "sys", "dev" };
	int root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	TRY(root, "open the rootfs");
	int rc = 0;
	for (size_t i = 0; !rc && i < sizeof(mount_dirs) / sizeof(mount_dirs[0]); i++) {
		rc = check_mount_dir(root, mount_dirs[i], 0555);
		if (rc == -ELOOP)
			*what = i == 0 ? "the image's /proc is a symlink: refusing to mount over it"
			      : i == 1 ? "the image's /sys is a symlink: refusing to mount over it"
				       : "the image's /dev is a symlink: refusing to mount over it";
		else if (rc)
			*what = i == 0 ? "the image's /proc is not a directory: refusing to mount over it"
			      : i == 1 ? "the image's /sys is not a directory: refusing to mount over it"
				       : "the image's /dev is not a directory: refusing to mount over it";
	}
	if (!rc && (rc = check_beneath(root, "etc/resolv.conf")))
		*what = rc == -EXDEV ? "the image's /etc/resolv.conf (or /etc) is a symlink leading out of the image: refusing it"
				     : "the image's /etc/resolv.conf cannot be checked";
	close(root);
	return rc;
}

int fs_pivot(const char *rootfs, const char **what)
{
	/* BEGIN SOLUTION: make rootfs the root: pivot_root(".", ".") from inside it, then detach the old root (man 2 pivot_root, umount2) */
	/* pivot_root(".", ".") (see pivot_root(2)) stacks the old root on
	 * top of the new one at "/"; unmounting "." then detaches the old
	 * root, host tree and all, without a put_old directory to make in
	 * the image.  Unlike chroot, nothing of the host stays reachable. */
	TRY(chdir(rootfs), "enter the rootfs");
	TRY(sys_pivot_root(".", "."), "pivot_root into the rootfs");
	TRY(sys_umount2(".", MNT_DETACH), "detach the old root");
	TRY(chdir("/"), "chdir to the new root");
	/* END SOLUTION */
	return 0;
}

int fs_mount_proc(const char *at, const char **what)
{
	/* BEGIN SOLUTION: mount a new proc filesystem at `at` (/proc), nosuid, nodev, noexec (man 5 proc) */
	/* a proc mounted from inside the new PID namespace lists only it */
	TRY(sys_mount("proc", at, "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL), "mount /proc");
	/* END SOLUTION */
	return 0;
}

/* Put a copy made by fs_open_host_nodes (a detached mount) at target. */
static int place_copy(int fd, const char *target)
{
	return sys_move_mount(fd, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH);
}

int fs_mount_sys(const char *at, int readonly, const struct host_nodes *host, const char **what)
{
	unsigned long flags = MS_NOSUID | MS_NODEV | MS_NOEXEC | (readonly ? MS_RDONLY : 0);
	if (host && host->sys >= 0) {
		/* rootless with the host's network: its sysfs, bound */
		TRY(place_copy(host->sys, at), "bind the host's /sys");
		TRY(sys_mount(NULL, at, NULL, MS_BIND | MS_REMOUNT | flags, NULL), "make /sys read-only");
		return 0;
	}
	/* BEGIN SOLUTION: mount sysfs at /sys with these flags (man 5 sysfs) */
	/* sysfs shows the network namespace of whoever mounts it */
	TRY(sys_mount("sysfs", at, "sysfs", flags, NULL), "mount /sys");
	/* END SOLUTION */
	return 0;
}

static const struct {
	const char *path;
	unsigned int major, minor;
} dev_nodes[] = {
	{ "/dev/null", 1, 3 },	  { "/dev/zero", 1, 5 },    { "/dev/full", 1, 7 },
	{ "/dev/random", 1, 8 }, { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },
};

static const struct {
	const char *path, *target;
} dev_links[] = {
	{ "/dev/fd", "/proc/self/fd" },	      { "/dev/stdin", "/proc/self/fd/0" },
	{ "/dev/stdout", "/proc/self/fd/1" }, { "/dev/stderr", "/proc/self/fd/2" },
	{ "/dev/ptmx", "pts/ptmx" },
};

int fs_open_host_nodes(struct host_nodes *host, int need_sys, const char **what)
{
	_Static_assert(sizeof(dev_nodes) / sizeof(dev_nodes[0]) == DL_DEV_NODES, "one fd per node");
	for (size_t i = 0; i < DL_DEV_NODES; i++)
		host->dev[i] = -1;
	host->sys = -1;
	/* copies of the mounts (open_tree), not paths: after pivot_root the
	 * host's mounts are out of our namespace, and a bind of one fails */
	for (size_t i = 0; i < DL_DEV_NODES; i++)
		TRY(host->dev[i] = sys_open_tree(AT_FDCWD, dev_nodes[i].path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC),
		    "copy the host's device nodes");
	if (need_sys)
		TRY(host->sys = sys_open_tree(AT_FDCWD, "/sys",
					      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE),
		    "copy the host's /sys");
	return 0;
}

void fs_close_host_nodes(struct host_nodes *host)
{
	for (size_t i = 0; host && i < DL_DEV_NODES; i++)
		if (host->dev[i] >= 0)
			close(host->dev[i]);
	if (host && host->sys >= 0)
		close(host->sys);
}

/* A device node: made (root), or the host's bound on an empty file. */
static int make_node(size_t i, const struct host_nodes *host)
{
	if (!host)
		return sys_mknod(dev_nodes[i].path, S_IFCHR | 0666, makedev(dev_nodes[i].major, dev_nodes[i].minor));
	int fd = open(dev_nodes[i].path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0)
		return -1;
	close(fd);
	return place_copy(host->dev[i], dev_nodes[i].path);
}

int fs_mount_dev(const struct host_nodes *host, const char **what)
{
	/* A bind of the host's /dev would hand the container every disk, and
	 * an "rm -rf" of the container through it would empty the host's
	 * /dev (the original course code did both).  A fresh tmpfs with the
	 * few character devices programs expect is all a container needs. */
	TRY(sys_mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC | MS_STRICTATIME,
		      "mode=755,size=65536k"),
	    "mount a tmpfs on /dev");
	mode_t old_umask = umask(0);
	for (size_t i = 0; i < sizeof(dev_nodes) / sizeof(dev_nodes[0]); i++)
		TRY(make_node(i, host), "create the device nodes in /dev");
	TRY(mkdir("/dev/pts", 0755), "mkdir /dev/pts");
	TRY(mkdir("/dev/shm", 01777), "mkdir /dev/shm");
	umask(old_umask);
	/* newinstance: the container's own ptys, not the host's.  Group tty
	 * (5) owns them where it exists: not in a rootless one-id map. */
	int tty_group = !host || host->tty_group;
	TRY(sys_mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
		      tty_group ? "newinstance,ptmxmode=0666,mode=0620,gid=5" : "newinstance,ptmxmode=0666,mode=0620"),
	    "mount /dev/pts");
	TRY(sys_mount("shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		      "mode=1777,size=65536k"),
	    "mount /dev/shm");
	for (size_t i = 0; i < sizeof(dev_links) / sizeof(dev_links[0]); i++)
		TRY(symlink(dev_links[i].target, dev_links[i].path), "create the symlinks in /dev");
	return 0;
}

/* Docker's masked and read-only paths (moby's oci/defaults.go). */
static const char *const masked_paths[] = {
	"/proc/kcore",	       "/proc/sysrq-trigger", "/proc/keys",   "/proc/timer_list",
	"/proc/latency_stats", "/proc/sched_debug",   "/proc/acpi",   "/proc/scsi",
	"/proc/asound",	       "/sys/firmware",	      "/sys/devices/virtual/powercap",
};
static const char *const readonly_paths[] = { "/proc/sys", "/proc/bus", "/proc/fs", "/proc/irq" };

/* A file is hidden under /dev/null, a directory under an empty read-only
 * tmpfs; a path this kernel does not have needs no mask. */
static int mask_path(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return errno == ENOENT ? 0 : -1;
	if (S_ISDIR(st.st_mode))
		return sys_mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
				 "size=0");
	return sys_mount("/dev/null", path, NULL, MS_BIND, NULL);
}

/* Read-only bind of a path over itself (proc's flags kept: a remount may
 * not clear them). */
static int freeze_path(const char *path)
{
	unsigned long keep = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	if (sys_mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
		return errno == ENOENT ? 0 : -1;
	return sys_mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | keep, NULL);
}

int fs_mask(const char **what)
{
	for (size_t i = 0; i < sizeof(masked_paths) / sizeof(masked_paths[0]); i++)
		TRY(mask_path(masked_paths[i]), masked_paths[i]);
	for (size_t i = 0; i < sizeof(readonly_paths) / sizeof(readonly_paths[0]); i++)
		TRY(freeze_path(readonly_paths[i]), readonly_paths[i]);
	return 0;
}
