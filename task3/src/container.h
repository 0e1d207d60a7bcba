/* container.h - the inside half of dl-run: what the cloned child does in
 * its new namespaces before it becomes the container's PID 1 (init.h).
 *
 *   wait for 'g'     the parent has put us in the cgroup
 *   build            mounts, pivot_root, /proc, /sys, /dev, masks,
 *                    hostname, working directory (mounts.h)
 *   --tty            a pty from the container's devpts: the master to
 *                    dl-run over tty_sock, the slave for the command
 *   send 'r'         ready; wait for 's' (the parent recorded us)
 *   harden, become init and start the command
 */
#ifndef DL_T3_CONTAINER_H
#define DL_T3_CONTAINER_H

#include "cli.h"

struct child_ctx {
	const struct run_opts *o;
	int go_fd;    /* read: 'g', then 's' */
	int ready_fd; /* write: 'r' */
	int log_fd;   /* --detach: the command's stdout and stderr */
	int out_fd;   /* foreground --log: pipes to dl-run's relay for stdout, */
	int err_fd;   /* stderr (the same pipe when they share a file); or -1 */
	int tty_sock; /* --tty: the unix socket the pty's master goes out by; or -1 */
};

/* clone() entry point: arg is a struct child_ctx.  Never returns. */
int container_main(void *arg);
/* --detach: stdin from /dev/null, stdout and stderr to log_fd (closed). */
void stdio_to_log(int log_fd);
/* The relay's pipes become stdout and stderr (both closed after); stdin
 * stays the caller's. */
void output_to_relay(int out_fd, int err_fd);

#endif
