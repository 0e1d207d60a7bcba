/* syscalls.h - thin wrappers around the system calls task 3's helpers make.
 *
 * They live in their own object file (syscalls.o) so unit tests can replace
 * them with -Wl,--wrap=sys_xxx: the linker only redirects references that
 * cross object files.  Each returns what the system call returns and leaves
 * errno set, exactly like the call it wraps.
 */
#ifndef DL_T3_SYSCALLS_H
#define DL_T3_SYSCALLS_H

#include <stddef.h>
#include <sys/types.h>

int sys_mount(const char *source, const char *target, const char *fstype, unsigned long flags,
	      const void *data);
int sys_umount2(const char *target, int flags);
/* pivot_root(2) has no glibc wrapper */
int sys_pivot_root(const char *new_root, const char *put_old);
int sys_sethostname(const char *name, size_t len);
int sys_mknod(const char *path, mode_t mode, dev_t dev);
/* the user switch (user.h) */
int sys_setgroups(size_t n, const gid_t *groups);
int sys_setgid(gid_t gid);
int sys_setuid(uid_t uid);
int sys_prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4,
	      unsigned long arg5);
/* capget/capset take struct __user_cap_header_struct / _data_struct */
int sys_capget(void *header, void *data);
int sys_capset(void *header, const void *data);
int sys_close_range(unsigned int first, unsigned int last, int flags);
/* openat2(2) (Linux 5.6) has no glibc wrapper; how is a struct open_how */
int sys_openat2(int dirfd, const char *path, void *how, size_t size);
/* the new mount API (Linux 5.2): a detached copy of a mount, and putting
 * it in place; rootless containers bind the host's devices this way */
int sys_open_tree(int dirfd, const char *path, unsigned int flags);
int sys_move_mount(int from_dirfd, const char *from_path, int to_dirfd, const char *to_path,
		   unsigned int flags);
pid_t sys_clone(int (*fn)(void *), void *stack_top, int flags, void *arg);
/* clone3(2) (no glibc wrapper) with CLONE_INTO_CGROUP: a child born in
 * the cgroup v2 directory cgroup_fd.  No stack: like fork, the child goes
 * on from here on a copy of ours, and it returns 0 there. */
pid_t sys_clone3_into(unsigned long long flags, int exit_signal, int cgroup_fd);
/* rt_sigaction(2) setting SIG_DFL: unlike glibc's sigaction(), it also
 * reaches the two signals glibc keeps for itself (32 and 33) */
int sys_signal_default(int sig);

#endif
