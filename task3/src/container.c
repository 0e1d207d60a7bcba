#define _GNU_SOURCE
#include "container.h"
#include "caps.h"
#include "command.h"
#include "env.h"
#include "err.h"
#include "fds.h"
#include "fsutil.h"
#include "init.h"
#include "mounts.h"
#include "syscalls.h"
#include "tty.h"
#include "user.h"
#include "syncpipe.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

/* -v: before pivot_root, while the host's paths are still reachable;
 * each mount point is resolved inside the root (volume.h). */
static void mount_volumes(const struct run_opts *o)
{
	if (!o->nvolumes)
		return;
	int root = open(o->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0)
		die_errno("cannot open the container's root %s", o->rootfs);
	for (size_t i = 0; i < o->nvolumes; i++) {
		const char *what = "?";
		int rc = volume_mount(root, &o->volumes[i], &what);
		if (rc)
			die_err(rc, "-v %s: cannot %s", o->volumes[i].spec, what);
	}
	close(root);
}

/* Rootless (userns.h): proc and sysfs are mounted into the root before
 * pivot_root (mounts.h says why); device nodes and, with the host's
 * network, /sys are the host's, bound (struct host_nodes). */
static void build_rootless(const struct run_opts *o)
{
	const char *what = "?";
	char proc[PATH_MAX], sys[PATH_MAX];
	struct host_nodes host;
	int rc;
	if ((rc = path_join(proc, sizeof(proc), o->rootfs, "proc")) ||
	    (rc = path_join(sys, sizeof(sys), o->rootfs, "sys")))
		die_err(rc, "the container's root %s: path too long", o->rootfs);
	host.tty_group = userns_has_ranges(&o->ids);
	if ((rc = fs_open_host_nodes(&host, o->share_net, &what)) || (rc = fs_mount_proc(proc, &what)) ||
	    (rc = fs_mount_sys(sys, o->share_net || o->harden, &host, &what)) ||
	    (rc = fs_pivot(o->rootfs, &what)) || (rc = fs_mount_dev(&host, &what)) ||
	    (o->harden && (rc = fs_mask(&what))))
		die_err(rc, "cannot set up the container: %s", what);
	fs_close_host_nodes(&host);
}

static void build_container(const struct run_opts *o)
{
	const char *what = "?";
	int rc;
	/* --live-root: the parent mounted the overlay on the host before the
	 * clone, so our copy of the mount tree has it already */
	if ((rc = fs_make_private(&what)) || (!o->live_root && (rc = fs_mount_root(o, &what))))
		die_err(rc, "cannot set up the container: %s", what);
	if (fs_check_root(o->rootfs, &what))
		die("%s (in %s)", what, o->rootfs);
	mount_volumes(o);
	if (o->rootless)
		build_rootless(o);
	else if ((rc = fs_pivot(o->rootfs, &what)) || (rc = fs_mount_proc("/proc", &what)) ||
		 (rc = fs_mount_sys("/sys", o->share_net || o->harden, NULL, &what)) ||
		 (rc = fs_mount_dev(NULL, &what)) || (o->harden && (rc = fs_mask(&what))))
		die_err(rc, "cannot set up the container: %s", what);
	if (o->hostname && sys_sethostname(o->hostname, strlen(o->hostname)) < 0)
		die_errno("cannot set the hostname %s", o->hostname);
	/* the init's cwd is also where `exec` starts; a missing one is made,
	 * as Docker's WORKDIR and run -w do.  After pivot_root "/" is the
	 * container's root, so no path here can lead to the host. */
	if (o->workdir && (rc = mkdir_p(o->workdir, 0755)))
		die_err(rc, "cannot make the working directory %s in the container", o->workdir);
	if (chdir(o->workdir ? o->workdir : "/") < 0)
		die_errno("cannot enter the working directory %s in the container", o->workdir);
}

/* --detach: no terminal, output to the log file. */
void stdio_to_log(int log_fd)
{
	int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (null < 0 || dup2(null, 0) < 0 || dup2(log_fd, 1) < 0 || dup2(log_fd, 2) < 0)
		die_errno("cannot redirect the container's output to its log");
	close(null);
	close(log_fd);
}

void output_to_relay(int out_fd, int err_fd)
{
	if (dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
		die_errno("cannot connect the container's output to dl-run");
	close(out_fd);
	if (err_fd != out_fd)
		close(err_fd);
}

/* --tty: the pty is made in here, where /dev/pts is the container's own
 * devpts; dl-run, outside, gets the master.  Returns the slave. */
static int make_tty(int sock)
{
	int master, slave, rc;
	if ((rc = pty_open(&master, &slave)))
		die_err(rc, "cannot open a terminal in the container's /dev/pts/ptmx");
	if ((rc = fd_send(sock, master)))
		die_err(rc, "cannot pass the terminal to dl-run");
	close(master);
	close(sock);
	return slave;
}

int container_main(void *arg)
{
	const struct child_ctx *c = arg;
	const struct run_opts *o = c->o;
	struct env env;
	char hostname[65] = "";
	int keep[] = { c->go_fd, c->ready_fd, c->log_fd, c->out_fd, c->err_fd, c->tty_sock };
	int slave = -1;

	/* the parent's ends of the sync pipes came along with the clone */
	if (close_fds_except(keep, sizeof(keep) / sizeof(keep[0])) < 0)
		die_errno("cannot close inherited file descriptors");
	if (!sync_wait(c->go_fd, SYNC_GO))
		_exit(DL_EXIT_FAILURE); /* the parent gave up */
	build_container(o);
	if (o->tty)
		slave = make_tty(c->tty_sock);
	if (sync_send(c->ready_fd, SYNC_READY) < 0 || !sync_wait(c->go_fd, SYNC_START))
		_exit(DL_EXIT_FAILURE);
	close(c->go_fd);
	close(c->ready_fd);
	if (o->detach)
		stdio_to_log(c->log_fd);
	else if (c->out_fd >= 0)
		output_to_relay(c->out_fd, c->err_fd);
	if (slave >= 0)
		command_use_tty(slave);
	/* nobody inside may open /proc/1/exe (this binary, on the host) or
	 * ptrace us (cf. runc CVE-2019-5736); reset by the command's exec.
	 * Rootless, the user outside must reach us (/proc/PID/ns for exec,
	 * /proc/PID/root for cp), which a non-dumpable process forbids to
	 * all but the host's root; our binary is a sealed copy instead
	 * (userns_seal_self), so /proc/1/exe leads nowhere writable. */
	if (!o->rootless)
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	const char *what = "?";
	int rc;
	struct user_id user;
	char err[256];
	/* read in the image's /etc/passwd (we are in its root now) */
	if (o->user && user_lookup(o->user, &user, err, sizeof(err)))
		die("cannot run as '%s': %s", o->user, err);
	if (o->harden && (rc = caps_harden(&what)))
		die_err(rc, "cannot harden the container: %s", what);
	/* after hardening, which keeps CAP_SETUID and CAP_SETGID; the init
	 * becomes the user too, like Docker's PID 1 (it only forwards signals
	 * to the command and reaps: a same-user init can do both) */
	if (o->user && (rc = user_switch(&user)))
		die_err(rc, "cannot become the user '%s'", o->user);
	gethostname(hostname, sizeof(hostname) - 1);
	/* TERM only with a terminal, as Docker: nothing of the caller's
	 * environment leaks in otherwise */
	env_init(&env, hostname, o->tty ? getenv("TERM") : NULL);
	if (o->user && env_set(&env, user.home_env))
		die("invalid home directory '%s' of '%s'", user.home, o->user);
	for (size_t i = 0; i < o->nenv; i++)
		if (env_set(&env, o->env[i]))
			die("invalid --env '%s'", o->env[i]);
	init_run(o->argv, env.vars);
}
