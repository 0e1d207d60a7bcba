/* sys.h - thin wrappers around the system calls the common helpers make.
 *
 * They live in their own object file (sys.o) so unit tests can replace them
 * with -Wl,--wrap=sys_xxx: the linker only redirects references that cross
 * object files, which is why they are not static inlines.
 * Each returns what the system call returns and leaves errno set.
 */
#ifndef DL_SYS_H
#define DL_SYS_H

#include <sys/types.h>
#include <sys/vfs.h>

int sys_statfs(const char *path, struct statfs *buf);
int sys_pidfd_open(pid_t pid, unsigned int flags);
int sys_setns(int fd, int nstype);
int sys_mkdir(const char *path, mode_t mode);
int sys_rmdir(const char *path);

#endif
