/* dl-exec - run a command inside a running container.
 *
 *   dl-exec --pid PID --starttime T [--workdir DIR] [--env K=V]...
 *           [--user SPEC] [--no-harden] [--tty [--interactive]] -- COMMAND [ARG]...
 *
 * PID is the container's init (host PID) and T its start time, both from
 * the container's state.  Steps:
 *   1. check that PID is still that process (a PID reused by an unrelated
 *      process is never entered), holding /proc/PID open so the check
 *      stays valid;
 *   2. open the init's root and cwd while still in the host's mount
 *      namespace (afterwards /proc/PID means something else);
 *   3. join all five namespaces at once (pidfd + setns);
 *   4. chroot to the init's root, chdir to its cwd;
 *   5. fork: the child is inside the PID namespace; it joins the
 *      container's cgroups, is hardened like the container, and execs
 *      COMMAND with argv exactly as given;
 *      (--tty: on a pty of the container's devpts, which dl-exec relays
 *      to the caller's terminal, tty.h);
 *   6. wait, and exit with the command's exit code (128+N for signal N,
 *      126/127 when it cannot run / is not found, 125 when dl-exec fails).
 */
#define _GNU_SOURCE
#include "caps.h"
#include "cgjoin.h"
#include "cgroup.h"
#include "userns.h"
#include "cli.h"
#include "env.h"
#include "err.h"
#include "fds.h"
#include "start.h"
#include "user.h"
#include "forward.h"
#include "ns.h"
#include "procstat.h"
#include "command.h"
#include "relay.h"
#include "sys.h"
#include "tty.h"
#include "syncpipe.h"
#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define JOINED_NAMESPACES (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC)

struct target {
	pid_t pid;
	int proc_fd, root_fd, cwd_fd;
	int cg_fds[CGJOIN_MAX];
	int ncg;
};

/* /proc/PID, held open, still names the container's init? */
static void verify(const struct target *t, unsigned long long starttime)
{
	struct proc_stat st;
	int rc = proc_stat_read_at(t->proc_fd, &st);
	if (rc == -ESRCH || rc == -ENOENT || (!rc && (st.state == 'Z' || st.state == 'X')))
		die("the container's init (PID %d) has exited: the container is not running",
		    (int)t->pid);
	if (rc)
		die_err(rc, "cannot read /proc/%d/stat", (int)t->pid);
	if (!proc_stat_is(&st, starttime))
		die("PID %d is no longer the container's init (start time %llu, expected %llu): not entering it",
		    (int)t->pid, st.starttime, starttime);
}

/* cgroup.procs of each docker-lite cgroup the init is in, opened now:
 * after joining the mount namespace the host's /sys/fs/cgroup is gone. */
static void open_cgroups(struct target *t)
{
	char text[4096], paths[CGJOIN_MAX][PATH_MAX];
	enum cg_mode mode;
	int fd = openat(t->proc_fd, "cgroup", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, text, sizeof(text) - 1);
	if (fd >= 0)
		close(fd);
	if (n < 0 || cg_detect(cg_root(), &mode))
		return; /* no cgroups to join */
	text[n] = '\0';
	/* rootless, the container's leaf is below a cgroup delegated to its user */
	int flags = (mode == CG_MODE_V2 ? CGJOIN_V2 : 0) | (geteuid() != 0 ? CGJOIN_NESTED : 0);
	int count = cgjoin_paths(text, cg_root(), flags, paths, CGJOIN_MAX);
	if (count < 0)
		die_err(count, "cannot read the container's cgroups from /proc/%d/cgroup", (int)t->pid);
	for (int i = 0; i < count; i++) {
		if ((t->cg_fds[t->ncg] = open(paths[i], O_WRONLY | O_CLOEXEC)) < 0)
			die_errno("cannot open %s", paths[i]);
		t->ncg++;
	}
}

static void open_target(struct target *t, const struct exec_opts *o)
{
	char path[64];
	memset(t, 0, sizeof(*t));
	t->pid = o->pid;
	snprintf(path, sizeof(path), "/proc/%d", (int)o->pid);
	if ((t->proc_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		die("no process %d: the container is not running", (int)o->pid);
	verify(t, o->starttime);
	t->root_fd = openat(t->proc_fd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	t->cwd_fd = openat(t->proc_fd, "cwd", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (t->root_fd < 0 || t->cwd_fd < 0)
		die_errno("cannot open the root and cwd of process %d", (int)o->pid);
	open_cgroups(t);
}

static void enter_root(const struct target *t, const char *workdir)
{
	char cwd[PATH_MAX];
	/* BEGIN SOLUTION: enter the container's root (fchdir to its fd, then chroot) and then its working directory (man 2 chroot, fchdir) */
	if (fchdir(t->root_fd) < 0 || chroot(".") < 0)
		die_errno("cannot enter the container's root");
	if (fchdir(t->cwd_fd) < 0)
		die_errno("cannot enter the container's working directory");
	/* END SOLUTION */
	/* a cwd outside the root would be a way out (cf. CVE-2024-21626):
	 * getcwd() cannot name it from inside, so fall back to "/" */
	if (!getcwd(cwd, sizeof(cwd)) || cwd[0] != '/')
		if (chdir("/") < 0)
			die_errno("chdir /");
	if (workdir && chdir(workdir) < 0)
		die_errno("cannot enter the working directory %s in the container", workdir);
	close(t->root_fd);
	close(t->cwd_fd);
}

/* In the PID namespace now: wait until the parent has put us in the
 * container's cgroups, harden, exec (on the pty's slave with --tty). */
static void command_child(const struct exec_opts *o, const struct user_id *user, int go_fd,
			  int slave, char **envp)
{
	if (slave >= 0)
		command_use_tty(slave);
	const char *what = "?";
	int rc;
	if (!sync_wait(go_fd, SYNC_GO))
		_exit(DL_EXIT_FAILURE);
	if (o->harden && (rc = caps_harden(&what)))
		die_err(rc, "cannot harden the command: %s", what);
	/* after hardening, as in the container (container.c) */
	if (o->user && (rc = user_switch(user)))
		die_err(rc, "cannot become the user '%s'", o->user);
	exec_command(o->argv, envp);
}

/* --tty: we are in the container's mount namespace and root, so its
 * /dev/pts/ptmx gives a pty of its own devpts (tty.h). */
static void open_tty(const struct exec_opts *o, int *master, int *slave)
{
	int rc;
	*master = *slave = -1;
	if (o->tty && (rc = pty_open(master, slave)))
		die_err(rc, "cannot open a terminal in the container's /dev/pts/ptmx");
}

/* Relay the pty (if any) until the command ended; its exit code. */
static int wait_command(const struct exec_opts *o, pid_t child, int master)
{
	struct relay r;
	int rc = 0;
	relay_init(&r);
	r.drain_ms = 2000;
	if (master >= 0 && ((r.pidfd = sys_pidfd_open(child, 0)) < 0 ||
			    (rc = relay_tty(&r, master, o->interactive)))) {
		rc = rc ? rc : -errno;
		kill(child, SIGKILL);
		wait_exit_code(child);
		die_err(rc, "cannot relay the command's terminal");
	}
	if (master >= 0 && (rc = relay_run(&r)))
		log_warn("the command's output was cut short: %s", strerror(-rc));
	tty_restore();
	return wait_exit_code(child);
}

int main(int argc, char **argv)
{
	struct exec_opts o;
	struct target t;
	struct env env;
	struct user_id user;
	char err[CLI_ERR_MAX], hostname[65] = "";
	int go[2], rc, master, slave;

	helper_start(argv[0]);
	rc = parse_outcome(exec_parse(argc, argv, &o, err, sizeof(err)), EXEC_USAGE, err);
	if (rc >= 0)
		return rc;
	/* rootless (userns.h): the container's user namespace is joined too,
	 * first (setns orders it so), and gives us the rights in the others */
	int joined = JOINED_NAMESPACES | (geteuid() != 0 ? CLONE_NEWUSER : 0);
	signal(SIGPIPE, SIG_IGN);

	open_target(&t, &o);
	/* rootless, into a container's leaf only from a cgroup of the user's
	 * own (the kernel checks cgroup.procs of the two cgroups' common
	 * ancestor): a scope of the user's manager, like the container's */
	char own[PATH_MAX];
	if (t.ncg && geteuid() != 0 && cg_delegated(own, sizeof(own)) == -EACCES)
		userns_rerun_in_user_scope(argc, argv);
	/* BEGIN SOLUTION: join the namespaces of process t.pid: ns_join_pid() with JOINED_NAMESPACES (common/ns.h) */
	if ((rc = ns_join_pid(t.pid, joined)))
		die_err(rc, "cannot join the namespaces of process %d", (int)t.pid);
	/* END SOLUTION */
	/* the init was alive all along: the pidfd setns used was its */
	verify(&t, o.starttime);
	close(t.proc_fd);
	enter_root(&t, o.workdir);

	/* the image's /etc/passwd: we are in the container's root now */
	if (o.user && user_lookup(o.user, &user, err, sizeof(err)))
		die("cannot run as '%s': %s", o.user, err);
	gethostname(hostname, sizeof(hostname) - 1);
	/* TERM only with a terminal, as Docker */
	env_init(&env, hostname, o.tty ? getenv("TERM") : NULL);
	if (o.user && env_set(&env, user.home_env))
		die("invalid home directory '%s' of '%s'", user.home, o.user);
	for (size_t i = 0; i < o.nenv; i++)
		if (env_set(&env, o.env[i]))
			die("invalid --env '%s'", o.env[i]);
	/* nobody inside may open /proc/<child>/exe (this binary) before exec */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	open_tty(&o, &master, &slave);
	if (pipe2(go, O_CLOEXEC) < 0)
		die_errno("pipe");
	forward_signals_to(0);
	pid_t child = fork();
	if (child < 0)
		die_errno("fork");
	if (child == 0) {
		close(go[1]);
		command_child(&o, &user, go[0], slave, env.vars);
	}
	forward_signals_to(child);
	close(go[0]);
	if (slave >= 0)
		close(slave); /* the command's alone: its end closes the pty */
	for (int i = 0; i < t.ncg; i++) {
		if (dprintf(t.cg_fds[i], "%d\n", (int)child) < 0) {
			kill(child, SIGKILL);
			wait_exit_code(child);
			die_errno("cannot move the command into the container's cgroup");
		}
		close(t.cg_fds[i]);
	}
	sync_send(go[1], SYNC_GO);
	close(go[1]);
	return wait_command(&o, child, master);
}
