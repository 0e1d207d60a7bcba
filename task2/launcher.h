/* launcher.h - what the three task-2 launchers share: options, preparing
 * the root, entering it, and running a child in new namespaces. */
#ifndef DL_LAUNCHER_H
#define DL_LAUNCHER_H

#include <linux/limits.h> /* PATH_MAX, also under strict -std=c11 */
#include <sys/types.h>

struct launch_opts {
	char root[PATH_MAX];     /* -r DIR, default: container_root beside us */
	char program[PATH_MAX];  /* host path of the program to run */
	char **args;             /* argv for the program, args[0] = "/<name>" */
	long cpu_percent;        /* -c N (2c only), default 50 */
};

/* Parse "[-r ROOT] [-c PERCENT] [PROGRAM [ARG...]]".  The default program is
 * container_prog beside the launcher, run with default_arg.  Options stop at
 * the program name, so the program's own flags are never ours. */
void launch_parse(int argc, char **argv, const char *default_arg, int allow_cpu,
		  struct launch_opts *opts);
/* Check we are root, then fill opts->root with the program and its
 * libraries (dies with a one-line message on failure). */
void launch_prepare(const struct launch_opts *opts);
/* chroot into root and exec the program; only returns by dying. */
void launch_exec_in_root(const struct launch_opts *opts);
/* clone() a child in new namespaces (flags) that runs launch_exec_in_root.
 * With a ready pipe (else NULL) the child first waits until the parent
 * closes ready[1].  Returns the child's host PID. */
pid_t launch_child(const struct launch_opts *opts, int flags, const int *ready);
/* Block SIGINT/SIGTERM/SIGHUP until launch_wait (or the exec in the child)
 * so an interrupt during setup is answered, not lost or fatal half-way. */
void launch_hold_interrupts(void);
/* Wait for pid; SIGINT/SIGTERM/SIGHUP meanwhile end it with SIGKILL.
 * Returns an exit code in the shell's convention (128+N for signal N). */
int launch_wait(pid_t pid);

#endif
