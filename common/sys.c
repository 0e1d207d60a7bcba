#define _GNU_SOURCE
#include "sys.h"

#include <sched.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int sys_statfs(const char *path, struct statfs *buf)
{
	return statfs(path, buf);
}

/* glibc 2.36 has pidfd_open(), older ones do not: the raw syscall works on
 * both. SYS_pidfd_open exists since Linux 5.3. */
int sys_pidfd_open(pid_t pid, unsigned int flags)
{
	return (int)syscall(SYS_pidfd_open, pid, flags);
}

int sys_setns(int fd, int nstype)
{
	return setns(fd, nstype);
}

int sys_mkdir(const char *path, mode_t mode)
{
	return mkdir(path, mode);
}

int sys_rmdir(const char *path)
{
	return rmdir(path);
}
