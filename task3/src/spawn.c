/* spawn.c - see spawn.h. */
#define _GNU_SOURCE
#include "spawn.h"

#include "syscalls.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>

#define STACK_SIZE (1024 * 1024)

/* clone(): the child runs fn on a stack of its own */
static pid_t spawn_on_stack(int (*fn)(void *), void *arg, int flags)
{
	char *stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
			   -1, 0);
	if (stack == MAP_FAILED)
		return -1;
	pid_t pid = sys_clone(fn, stack + STACK_SIZE, flags | SIGCHLD, arg);
	int err = errno;
	munmap(stack, STACK_SIZE);
	errno = err;
	return pid;
}

/* clone3() into the leaf.  -1 with errno ENOSYS: a kernel before 5.3 (no
 * clone3); E2BIG: before 5.7, whose clone3 takes a shorter struct
 * clone_args and refuses the unknown cgroup field at its end. */
static pid_t spawn_in_cgroup(int (*fn)(void *), void *arg, int flags, const char *leaf)
{
	/* O_PATH: the directory only names the cgroup, nothing is read */
	int fd = open(leaf, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	pid_t pid = sys_clone3_into((unsigned)flags, SIGCHLD, fd);
	/* the child, on a copy of our stack, ends as clone() ends it: with
	 * fn's return; its copy of fd (a host directory) goes with the rest
	 * it inherited (container_main closes all but its pipes first) */
	if (pid == 0)
		_exit(fn(arg));
	int err = errno;
	close(fd);
	errno = err;
	return pid;
}

pid_t spawn_init(int (*fn)(void *), void *arg, int flags, const struct cgroup *cg, int *born_in)
{
	*born_in = 0;
	if (cg && cg->mode == CG_MODE_V2) {
		pid_t pid = spawn_in_cgroup(fn, arg, flags, cg->leaf[0]);
		*born_in = pid >= 0;
		if (pid >= 0 || (errno != ENOSYS && errno != E2BIG))
			return pid;
		/* an older kernel: clone(), and the caller moves the child in */
	}
	return spawn_on_stack(fn, arg, flags);
}
