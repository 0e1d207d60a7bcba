#define _GNU_SOURCE
#include "caps.h"
#include "syscalls.h"

#include <errno.h>
#include <linux/capability.h>
#include <stddef.h>
#include <sys/prctl.h>

/* Docker's default capability set, less MKNOD; everything else is dropped.
 * Notably absent: SYS_ADMIN (mount), SYS_MODULE, SYS_PTRACE, SYS_RAWIO,
 * SYS_BOOT, SYS_TIME, NET_ADMIN (the host configures the container's
 * network from outside, so the container never needs it).  Docker keeps
 * MKNOD because its devices cgroup forbids opening the nodes made with
 * it; docker-lite has no devices cgroup, so a container with MKNOD could
 * create a node for the host's disk and read it: dropped (FIFOs and
 * sockets need no capability).  The rootfs is also mounted nodev. */
static const int kept_caps[] = {
	CAP_CHOWN,   CAP_DAC_OVERRIDE,	   CAP_FSETID,	   CAP_FOWNER, CAP_NET_RAW,
	CAP_SETGID,  CAP_SETUID,	   CAP_SETFCAP,	   CAP_SETPCAP, CAP_NET_BIND_SERVICE,
	CAP_SYS_CHROOT, CAP_KILL,	   CAP_AUDIT_WRITE,
};

int cap_is_kept(int cap)
{
	for (size_t i = 0; i < sizeof(kept_caps) / sizeof(kept_caps[0]); i++)
		if (kept_caps[i] == cap)
			return 1;
	return 0;
}

uint64_t cap_kept_mask(void)
{
	uint64_t mask = 0;
	for (size_t i = 0; i < sizeof(kept_caps) / sizeof(kept_caps[0]); i++)
		mask |= (uint64_t)1 << kept_caps[i];
	return mask;
}

/* The bounding set limits what any later exec can gain.  The kernel knows
 * caps 0..cap_last_cap; PR_CAPBSET_READ says EINVAL past the last one, so
 * no /proc file is needed to find it. */
static int drop_bounding(void)
{
	for (int cap = 0; cap < 64; cap++) {
		int in_set = sys_prctl(PR_CAPBSET_READ, (unsigned long)cap, 0, 0, 0);
		if (in_set < 0)
			return errno == EINVAL ? 0 : -errno;
		if (in_set && !cap_is_kept(cap) &&
		    sys_prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0) < 0)
			return -errno;
	}
	return 0;
}

/* Root's exec gives it (inheritable | bounding): trim the inheritable set
 * too, and the permitted/effective ones for the rest of this process. */
static int trim_sets(void)
{
	struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	uint64_t kept = cap_kept_mask();

	if (sys_capget(&header, data) < 0)
		return -errno;
	for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
		uint32_t mask = (uint32_t)(kept >> (32 * i));
		data[i].effective &= mask;
		data[i].permitted &= mask;
		data[i].inheritable &= mask;
	}
	return sys_capset(&header, data) < 0 ? -errno : 0;
}

int caps_harden(const char **what)
{
	int rc;
	if ((rc = drop_bounding())) {
		*what = "drop capabilities from the bounding set";
		return rc;
	}
	/* ambient capabilities survive exec: none, please (EINVAL: old kernel) */
	if (sys_prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL) {
		*what = "clear the ambient capabilities";
		return -errno;
	}
	if ((rc = trim_sets())) {
		*what = "trim the capability sets";
		return rc;
	}
	/* no setuid binary or file capability can raise privileges again */
	if (sys_prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		*what = "set no_new_privs";
		return -errno;
	}
	return 0;
}
