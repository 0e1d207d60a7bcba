/* launch_2b - subtask 2b: chroot plus new PID and UTS namespaces.
 * The child is PID 1 of its namespace and may change its own hostname
 * without touching the host's. */
#define _GNU_SOURCE
#include "launcher.h"

#include <sched.h>

int main(int argc, char **argv)
{
	struct launch_opts opts;
	int flags = 0;
	launch_parse(argc, argv, "subtask2", 0, &opts);
	launch_prepare(&opts);
	launch_hold_interrupts(); /* so a Ctrl-C can never orphan the container */
	/* BEGIN SOLUTION: the clone flags for new PID and UTS namespaces (man 2 clone) */
	flags = CLONE_NEWPID | CLONE_NEWUTS;
	/* END SOLUTION */
	return launch_wait(launch_child(&opts, flags, NULL));
}
