/* namespace_prog.c - task 1: PID and UTS namespaces by system call.
 *
 * Child 1 is created by clone(CLONE_NEWPID|CLONE_NEWUTS): it is PID 1 of a
 * new PID namespace and owns a new hostname.  Child 2 is made to land in the
 * same namespaces without clone flags: the parent opens a pidfd on child 1,
 * setns()es into its PID namespace (which only affects children forked from
 * then on), forks, and the new child joins child 1's UTS namespace.
 *
 * Output order is fixed by two pipes, and stdout is flushed before every
 * fork so no stdio buffer is ever copied into a child: the text is the same
 * on a terminal, in a pipe or in a file.
 */
#define _GNU_SOURCE
#include "err.h"
#include "sys.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILD1_HOSTNAME "Child1Hostname"
#define STACK_SIZE (256 * 1024)

/* Pipes that order child 1's life: it says "ready" after printing, then
 * waits until the parent closes "release" before it exits.  Child 1 must
 * outlive child 2's fork: a PID namespace whose init has died accepts no
 * new processes (fork fails with ENOMEM). */
struct child1_sync {
	int ready[2];
	int release[2];
};

static void print_separator(void)
{
	puts("----------------------------------------");
}

static void print_block(const char *who)
{
	char host[256];
	if (gethostname(host, sizeof(host)) < 0)
		die_errno("gethostname");
	printf("%s Process PID: %d\n", who, (int)getpid());
	printf("%s Hostname: %s\n", who, host);
	print_separator();
	/* flush before anyone forks, and before a child exits */
	fflush(stdout);
}

static int child1_main(void *arg)
{
	struct child1_sync *sync = arg;
	char byte;

	/* never outlive the parent, even if it is killed */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	close(sync->ready[0]);
	close(sync->release[1]);
	/* a new UTS namespace: its hostname is ours to change, the host's stays */
	/* BEGIN SOLUTION: set this namespace's hostname to CHILD1_HOSTNAME (man 2 sethostname) */
	if (sethostname(CHILD1_HOSTNAME, strlen(CHILD1_HOSTNAME)) < 0)
		die_errno("sethostname in child 1");
	/* END SOLUTION */
	print_block("Child1");
	if (write(sync->ready[1], "r", 1) != 1)
		die_errno("child 1: signalling the parent");
	/* blocks until the parent closes its end (or dies) */
	while (read(sync->release[0], &byte, 1) < 0 && errno == EINTR)
		;
	return 0;
}

static pid_t start_child1(struct child1_sync *sync)
{
	if (pipe2(sync->ready, O_CLOEXEC) < 0 || pipe2(sync->release, O_CLOEXEC) < 0)
		die_errno("pipe");
	char *stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		die_errno("mmap for child 1's stack");
	pid_t pid = -1;
	/* the stack grows down on every architecture we build for: pass its top */
	/* BEGIN SOLUTION: clone() child1_main into new PID and UTS namespaces (man 2 clone) */
	pid = clone(child1_main, stack + STACK_SIZE, CLONE_NEWPID | CLONE_NEWUTS | SIGCHLD, sync);
	/* END SOLUTION */
	if (pid < 0)
		die_errno("clone(CLONE_NEWPID|CLONE_NEWUTS) (run as root; check that "
			  "user/PID/UTS namespaces are enabled in the kernel)");
	close(sync->ready[1]);
	close(sync->release[0]);
	return pid;
}

static void wait_child1_ready(struct child1_sync *sync)
{
	char byte;
	ssize_t n;
	while ((n = read(sync->ready[0], &byte, 1)) < 0 && errno == EINTR)
		;
	if (n != 1)
		die("child 1 exited before printing (see its error above)");
}

static int join_pid_namespace_of(pid_t child1)
{
	int pidfd = -1;
	/* sys_pidfd_open() and sys_setns() (common/sys.h) wrap the system calls;
	 * setns() on a pidfd needs Linux >= 5.8 (EINVAL on older kernels) */
	/* BEGIN SOLUTION: pidfd_open() child 1, setns() into its PID namespace (man 2 pidfd_open, setns) */
	pidfd = sys_pidfd_open(child1, 0);
	if (pidfd < 0)
		die_errno("pidfd_open(child 1) (needs Linux >= 5.3)");
	if (sys_setns(pidfd, CLONE_NEWPID) < 0)
		die_errno("setns(pidfd, CLONE_NEWPID) (needs Linux >= 5.8)");
	/* END SOLUTION */
	return pidfd;
}

static void child2_main(int pidfd)
{
	/* BEGIN SOLUTION: join child 1's UTS namespace through the pidfd (man 2 setns) */
	if (sys_setns(pidfd, CLONE_NEWUTS) < 0)
		die_errno("child 2: setns(pidfd, CLONE_NEWUTS)");
	/* END SOLUTION */
	print_block("Child2");
	exit(0);
}

static void wait_for(pid_t pid, const char *who)
{
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die_errno("waitpid(%s)", who);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("%s failed (status 0x%x)", who, status);
}

int main(int argc, char **argv)
{
	(void)argc;
	set_progname(argv[0]);
	if (geteuid() != 0)
		die("must be run as root: creating PID and UTS namespaces needs CAP_SYS_ADMIN (try sudo %s)",
		    argv[0]);

	struct child1_sync sync;
	print_separator();
	print_block("Parent");

	pid_t child1 = start_child1(&sync);
	wait_child1_ready(&sync);
	print_block("Parent");

	int pidfd = join_pid_namespace_of(child1);
	pid_t child2 = fork();
	if (child2 < 0)
		die_errno("fork of child 2");
	if (child2 == 0)
		child2_main(pidfd);
	wait_for(child2, "child 2");
	print_block("Parent");

	close(sync.release[1]); /* let child 1 exit, then reap it */
	wait_for(child1, "child 1");
	close(pidfd);
	return 0;
}
