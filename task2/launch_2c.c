/* launch_2c - subtask 2c: chroot, new PID/UTS/IPC namespaces, and a cgroup
 * limiting the container to a share of one CPU (default 50%).
 *
 * The child is created blocked on a pipe; the parent moves it into the
 * cgroup and only then lets it exec, so not one instruction of the program
 * runs unlimited.  The cgroup is removed afterwards, whatever happened. */
#define _GNU_SOURCE
#include "cgroup.h"
#include "err.h"
#include "launcher.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static void create_cpu_cgroup(struct cgroup *cg, long percent)
{
	struct cg_limits limits = { .cpu_period_us = CG_DEFAULT_PERIOD_US };
	long max_percent = 100 * sysconf(_SC_NPROCESSORS_ONLN);
	char name[32];
	enum cg_mode mode;

	if (cg_quota_from_percent(percent, max_percent, limits.cpu_period_us,
				  &limits.cpu_quota_us))
		die("CPU limit %ld%% out of range: use 1 to %ld (percent of one CPU)", percent,
		    max_percent);
	if (cg_detect(cg_root(), &mode))
		die("no cgroup filesystem mounted at %s: mount cgroup2 there, or the v1 cpu hierarchy",
		    cg_root());
	snprintf(name, sizeof(name), "task2c-%d", (int)getpid());
	int rc = 0;
	/* BEGIN SOLUTION: create the leaf <name> (in docker-lite's group under cg_root()) with these limits: cg_create() (common/cgroup.h) */
	rc = cg_create(cg, cg_root(), name, &limits);
	/* END SOLUTION */
	if (rc)
		die_err(rc, "cannot create a %s cpu cgroup under %s", cg_mode_name(mode),
			cg_root());
}

int main(int argc, char **argv)
{
	struct launch_opts opts;
	struct cgroup cg;
	int ready[2];

	launch_parse(argc, argv, "subtask3", 1, &opts);
	launch_prepare(&opts);
	launch_hold_interrupts(); /* from here on an interrupt must remove the cgroup */
	create_cpu_cgroup(&cg, opts.cpu_percent);
	if (pipe2(ready, O_CLOEXEC) < 0) {
		cg_destroy(&cg);
		die_errno("pipe");
	}
	pid_t child = launch_child(&opts, CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC, ready);
	close(ready[0]);
	int rc = 0;
	/* the child waits on the pipe until it is in the cgroup: not one instruction runs unlimited */
	/* BEGIN SOLUTION: move the child into the cgroup: cg_attach() (common/cgroup.h) */
	/* STUB: rc = -ENOSYS; */
	rc = cg_attach(&cg, child);
	/* END SOLUTION */
	if (rc) {
		kill(child, SIGKILL);
		launch_wait(child);
		cg_destroy(&cg);
		die_err(rc, "cannot move the container into its cgroup");
	}
	close(ready[1]); /* go */
	int status = launch_wait(child);
	rc = cg_destroy(&cg);
	if (rc)
		log_warn("could not remove cgroup %s: %s", cg.leaf[0][0] ? cg.leaf[0] : cg.leaf[1],
			 "remove it with rmdir");
	return status;
}
