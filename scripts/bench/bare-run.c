/* bare-run - the least a container start can do, as the yardstick for
 * task3's dl-run: clone() into new PID, UTS, IPC, mount and network
 * namespaces, make the mounts private, bind the root directory on itself,
 * pivot_root into it and exec the command.  No /proc, /dev, overlay,
 * cgroup, hardening or state: only the system calls every runtime needs.
 *
 *   bare-run ROOTFS COMMAND [ARG]...      exit code: the command's
 *
 * Built by scripts/bench/run into its work directory; never installed.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define STACK_SIZE (256 * 1024)

static char **child_argv;
static const char *child_root;

static int fail(const char *what)
{
	perror(what);
	return 125;
}

static int enter_root_and_exec(void *unused)
{
	(void)unused;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return fail("make mounts private");
	if (mount(child_root, child_root, NULL, MS_BIND | MS_REC, NULL) < 0)
		return fail("bind the root");
	if (chdir(child_root) < 0)
		return fail("chdir to the root");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return fail("pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		return fail("detach the old root");
	if (chdir("/") < 0)
		return fail("chdir /");
	execv(child_argv[0], child_argv);
	return fail(child_argv[0]);
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bare-run ROOTFS COMMAND [ARG]...\n");
		return 125;
	}
	child_root = argv[1];
	child_argv = argv + 2;
	char *stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		return fail("mmap");
	int flags = CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNS | CLONE_NEWNET;
	pid_t pid = clone(enter_root_and_exec, stack + STACK_SIZE, flags | SIGCHLD, NULL);
	if (pid < 0)
		return fail("clone");
	int status;
	if (waitpid(pid, &status, 0) < 0)
		return fail("waitpid");
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
