#define _GNU_SOURCE
#include "launcher.h"
#include "err.h"
#include "fsutil.h"
#include "rootfs.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define STACK_SIZE (256 * 1024)

static void usage(const char *prog, int allow_cpu)
{
	fprintf(stderr, "usage: %s [-r ROOT_DIR]%s [PROGRAM [ARG...]]\n", prog,
		allow_cpu ? " [-c CPU_PERCENT]" : "");
	exit(2);
}

/* The directory this launcher lives in, so defaults work from any cwd. */
static void own_dir(char *buf, size_t size)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	if (n < 0)
		die_errno("readlink /proc/self/exe");
	self[n] = '\0';
	snprintf(buf, size, "%s", dirname(self));
}

static long parse_percent(const char *text)
{
	char *end;
	errno = 0;
	long value = strtol(text, &end, 10);
	if (errno || end == text || *end)
		die("invalid CPU limit '%s': give a whole percentage of one CPU, e.g. -c 50", text);
	return value;
}

void launch_parse(int argc, char **argv, const char *default_arg, int allow_cpu,
		  struct launch_opts *opts)
{
	static char *default_args[3];
	static char program_name[PATH_MAX + 1];
	char dir[PATH_MAX];
	int opt;

	set_progname(argv[0]);
	own_dir(dir, sizeof(dir));
	memset(opts, 0, sizeof(*opts));
	if (path_join(opts->root, sizeof(opts->root), dir, "container_root"))
		die("path too long: %s", dir);
	opts->cpu_percent = 50;
	/* "+": stop at the first non-option, the program's flags are its own */
	while ((opt = getopt(argc, argv, allow_cpu ? "+hr:c:" : "+hr:")) != -1) {
		switch (opt) {
		case 'r': snprintf(opts->root, sizeof(opts->root), "%s", optarg); break;
		case 'c': opts->cpu_percent = parse_percent(optarg); break;
		default: usage(argv[0], allow_cpu);
		}
	}
	if (optind < argc) {
		snprintf(opts->program, sizeof(opts->program), "%s", argv[optind]);
		opts->args = &argv[optind];
	} else {
		if (path_join(opts->program, sizeof(opts->program), dir, "container_prog"))
			die("path too long: %s", dir);
		default_args[1] = (char *)default_arg;
		opts->args = default_args;
	}
	/* inside the root the program lives at /<basename> */
	char copy[PATH_MAX];
	snprintf(copy, sizeof(copy), "%s", opts->program);
	snprintf(program_name, sizeof(program_name), "/%s", basename(copy));
	opts->args[0] = program_name;
}

void launch_prepare(const struct launch_opts *opts)
{
	struct stat st;
	char failed[PATH_MAX];

	if (geteuid() != 0)
		die("must be run as root: chroot, namespaces and cgroups need it (try sudo)");
	if (stat(opts->program, &st) < 0 || !S_ISREG(st.st_mode))
		die("program '%s' not found: build it first (make -C task2) or give a path to an executable",
		    opts->program);
	if (stat(opts->root, &st) == 0 && !S_ISDIR(st.st_mode))
		die("cannot use root dir '%s': it is not a directory", opts->root);
	if (stat(opts->root, &st) < 0 && errno != ENOENT)
		die_errno("cannot use root dir '%s'", opts->root);
	int rc = rootfs_prepare(opts->root, opts->program, failed, sizeof(failed));
	if (rc == -ENOEXEC)
		die("'%s' is not a 64-bit ELF program", failed);
	if (rc)
		die_err(rc, "cannot fill root dir '%s' (at %s)", opts->root, failed);
}

/* Interrupts are held (blocked, not lost) from before a launcher creates its
 * first resource until launch_wait can answer them by ending the container:
 * a Ctrl-C in between would otherwise kill the launcher and leave a cgroup or
 * an orphaned container behind - or, when the shell started us with SIGINT
 * ignored, be dropped so the interrupted run carries on. */
static sigset_t mask_before_hold;
static int interrupts_held;

void launch_hold_interrupts(void)
{
	sigset_t interrupts;
	sigemptyset(&interrupts);
	sigaddset(&interrupts, SIGINT);
	sigaddset(&interrupts, SIGTERM);
	sigaddset(&interrupts, SIGHUP);
	sigprocmask(SIG_BLOCK, &interrupts, &mask_before_hold);
	interrupts_held = 1;
}

static void release_interrupts(void)
{
	if (interrupts_held)
		sigprocmask(SIG_SETMASK, &mask_before_hold, NULL);
}

void launch_exec_in_root(const struct launch_opts *opts)
{
	/* the program must not start with our held interrupts still blocked */
	release_interrupts();
	/* without a chdir the working directory stays outside the new root */
	/* BEGIN SOLUTION: chroot() into opts->root, then chdir("/") (man 2 chroot) */
	if (chroot(opts->root) < 0)
		die_errno("chroot %s", opts->root);
	if (chdir("/") < 0)
		die_errno("chdir / inside %s", opts->root);
	/* END SOLUTION */
	execv(opts->args[0], opts->args);
	die_errno("exec %s inside %s", opts->args[0], opts->root);
}

struct child_args {
	const struct launch_opts *opts;
	const int *ready;
};

static int child_main(void *arg)
{
	struct child_args *child = arg;
	char byte;
	if (child->ready) {
		/* our copy of the write end would keep the pipe open forever */
		close(child->ready[1]);
		/* wait until the parent has put us in our cgroup: EOF means go */
		while (read(child->ready[0], &byte, 1) < 0 && errno == EINTR)
			;
		close(child->ready[0]);
	}
	launch_exec_in_root(child->opts);
	return 1;
}

pid_t launch_child(const struct launch_opts *opts, int flags, const int *ready)
{
	static struct child_args child;
	char *stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		die_errno("mmap for the child's stack");
	child.opts = opts;
	child.ready = ready;
	fflush(stdout);
	pid_t pid = clone(child_main, stack + STACK_SIZE, flags | SIGCHLD, &child);
	if (pid < 0)
		die_errno("clone with new namespaces");
	return pid;
}

static volatile sig_atomic_t child_pid;

/* The child is PID 1 of its own PID namespace: the kernel drops every
 * signal an init has no handler for, so a forwarded SIGTERM would be lost.
 * An interrupted launcher therefore ends its container with SIGKILL. */
static void forward_signal(int sig)
{
	(void)sig;
	if (child_pid > 0)
		kill(child_pid, SIGKILL);
}

int launch_wait(pid_t pid)
{
	struct sigaction sa = { .sa_handler = forward_signal };
	int status;

	child_pid = pid;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	release_interrupts(); /* one that came while held is answered here */
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die_errno("waitpid");
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
