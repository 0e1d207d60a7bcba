/* syscalls.c - see syscalls.h: one line per system call, nothing else, so a
 * unit test can swap any of them for a fake. */
#define _GNU_SOURCE
#include "syscalls.h"

#include <grp.h>
#include <linux/sched.h> /* struct clone_args, CLONE_INTO_CGROUP */
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int sys_mount(const char *source, const char *target, const char *fstype, unsigned long flags,
	      const void *data)
{
	return mount(source, target, fstype, flags, data);
}

int sys_umount2(const char *target, int flags)
{
	return umount2(target, flags);
}

int sys_pivot_root(const char *new_root, const char *put_old)
{
	return (int)syscall(SYS_pivot_root, new_root, put_old);
}

int sys_sethostname(const char *name, size_t len)
{
	return sethostname(name, len);
}

int sys_mknod(const char *path, mode_t mode, dev_t dev)
{
	return mknod(path, mode, dev);
}

int sys_setgroups(size_t n, const gid_t *groups)
{
	return setgroups(n, groups);
}

int sys_setgid(gid_t gid)
{
	return setgid(gid);
}

int sys_setuid(uid_t uid)
{
	return setuid(uid);
}

int sys_prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4,
	      unsigned long arg5)
{
	return prctl(option, arg2, arg3, arg4, arg5);
}

int sys_capget(void *header, void *data)
{
	return (int)syscall(SYS_capget, header, data);
}

int sys_capset(void *header, const void *data)
{
	return (int)syscall(SYS_capset, header, data);
}

int sys_close_range(unsigned int first, unsigned int last, int flags)
{
	return (int)syscall(SYS_close_range, first, last, flags);
}

int sys_openat2(int dirfd, const char *path, void *how, size_t size)
{
	return (int)syscall(SYS_openat2, dirfd, path, how, size);
}

int sys_open_tree(int dirfd, const char *path, unsigned int flags)
{
	return (int)syscall(SYS_open_tree, dirfd, path, flags);
}

int sys_move_mount(int from_dirfd, const char *from_path, int to_dirfd, const char *to_path,
		   unsigned int flags)
{
	return (int)syscall(SYS_move_mount, from_dirfd, from_path, to_dirfd, to_path, flags);
}

pid_t sys_clone(int (*fn)(void *), void *stack_top, int flags, void *arg)
{
	return clone(fn, stack_top, flags, arg);
}

pid_t sys_clone3_into(unsigned long long flags, int exit_signal, int cgroup_fd)
{
	struct clone_args args = { .flags = flags | CLONE_INTO_CGROUP, .exit_signal = (unsigned)exit_signal,
				   .cgroup = (unsigned)cgroup_fd };
	return (pid_t)syscall(SYS_clone3, &args, sizeof(args));
}

int sys_signal_default(int sig)
{
	/* the kernel's struct sigaction: handler, flags, restorer, mask */
	struct {
		void (*handler)(int);
		unsigned long flags;
		void (*restorer)(void);
		unsigned long mask;
	} act = { .handler = SIG_DFL };
	return (int)syscall(SYS_rt_sigaction, sig, &act, NULL, sizeof(act.mask));
}
