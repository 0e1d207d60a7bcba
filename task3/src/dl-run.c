/* dl-run - start a container: new namespaces, an overlay root reached by
 * pivot_root, a tiny init as PID 1, optional cgroup limits.
 *
 *   dl-run [options] -- COMMAND [ARG]...     (dl-run --help lists them)
 *   dl-run --remove-cgroup NAME              (stop, when the monitor was killed)
 *   dl-run --freeze NAME | --thaw NAME       (pause, unpause: freeze.h)
 *   dl-run --check-limits OPTION...          (run's limits valid? cli.h)
 *   dl-run --stats NAME...                   (what they use: stats.h)
 *   dl-run --set-state FILE KEY=VALUE...     (conductor.sh's state changes)
 *   dl-run --wait-gone SECONDS PID START     (stop: wait for a process to end)
 *   dl-run --remove DIR                      (stop: unmount and delete: statedir.h)
 *
 * Processes (foreground):          (--detach):
 *   dl-run                           dl-run ---- exits 0 once started
 *     └─ init (PID 1 inside)           └─ monitor (setsid, output to the log)
 *          └─ COMMAND (PID 2)               └─ init (PID 1) └─ COMMAND
 *
 * Output: in the foreground the command has the caller's stdio; with --log
 * (conductor.sh gives it when the output is not a terminal) its stdout
 * and stderr are pipes to dl-run, which relays them to the caller's and
 * appends them to the log (relay.h).  --detach: the log itself.
 *
 * State (conductor.sh run): with --create dl-run claims the container's
 * directory (--state) and writes its record under the state lock
 * (statedir.h); if the container then does not start, it removes the
 * directory again (unclaim).  The parent (dl-run or the monitor) creates
 * the cgroup, clones the init into it (cgroup v2: born there; v1: moved
 * in, spawn.h), records it in DIR/state, and only then lets the command
 * start; it waits for the init, removes the cgroup and records the exit
 * code, or with --rm removes the whole directory (finish_state).  Sync
 * pipes order the two sides (syncpipe.h): go, ready, start.
 * With --live-root the parent first mounts the container's root on the
 * host (liveroot.h), and unmounts it again if the container does not
 * start; with --on-exit the monitor becomes that command once the
 * container has ended (run_on_exit).
 * Exit codes: the command's (128+N for signal N), 125 when dl-run fails,
 * 126/127 when the command cannot run / is not found.
 * This file is the parent's half; the child's is container.c.
 */
#define _GNU_SOURCE
#include "cgroup.h"
#include "cli.h"
#include "command.h"
#include "container.h"
#include "err.h"
#include "fds.h"
#include "start.h"
#include "forward.h"
#include "freeze.h"
#include "fsutil.h"
#include "keyfile.h"
#include "liveroot.h"
#include "procstat.h"
#include "relay.h"
#include "runlimits.h"
#include "statedir.h"
#include "spawn.h"
#include "stats.h"
#include "sys.h"
#include "syscalls.h"
#include "tty.h"
#include "userns.h"
#include "syncpipe.h"
#include "status.h"

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define LOCK_TIMEOUT_S 60
#define CGROUP_BUSY_WAIT_MS 5000

/* Returns 0 or the -errno of the last try; warns, ending with then. */
static int destroy_cgroup(struct cgroup *cg, const char *then)
{
	/* the namespace's last processes may still be exiting: EBUSY a while */
	for (int waited = 0;; waited += 20) {
		int rc = cg_destroy(cg);
		if (!rc)
			return 0;
		if (rc != -EBUSY || waited >= CGROUP_BUSY_WAIT_MS) {
			log_warn("cannot remove the container's cgroup: %s%s", strerror(-rc), then);
			return rc;
		}
		nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
	}
}

/* NAME: a leaf below cg_root()'s group; rootless, a leaf's path below the
 * cgroup delegated to the user (cgroup.h: cg_open_path). */
static int open_leaf(struct cgroup *cg, const char *name)
{
	return name[0] == '/' ? cg_open_path(cg, name) : cg_open(cg, cg_root(), name);
}

/* --remove-cgroup NAME: what the monitor does when the container ends,
 * for stop to do when the monitor was killed.  Through common/cgroup.c, so
 * the group goes only when empty and, on v2, the root's controllers are put
 * back as they were (a plain rmdir would forget them). */
static int remove_cgroup(const char *name)
{
	struct cgroup cg;
	int rc = open_leaf(&cg, name);
	if (rc)
		die_err(rc, "cannot remove the cgroup %s/%s under %s", CG_GROUP, name, cg_root());
	return destroy_cgroup(&cg, "") ? DL_EXIT_FAILURE : 0;
}

/* --freeze NAME, --thaw NAME: pause and unpause every process of the
 * container whose cgroup leaf is NAME (freeze.h). */
static int freeze(const char *name, int frozen)
{
	const char *what = frozen ? "freeze" : "thaw";
	struct cgroup cg;
	int rc = open_leaf(&cg, name);
	if (rc)
		die_err(rc, "cannot %s the cgroup %s/%s under %s", what, CG_GROUP, name, cg_root());
	rc = freeze_cgroup(&cg, frozen, FREEZE_TIMEOUT_MS);
	if (rc == -EOPNOTSUPP)
		die("cannot %s %s/%s: no freezer under %s (on cgroup v1 the freezer hierarchy must be mounted)",
		    what, CG_GROUP, name, cg_root());
	if (rc == -ETIMEDOUT)
		die("cannot freeze %s/%s: a process did not stop within %d ms (one in an uninterruptible sleep?); thawed it again",
		    CG_GROUP, name, FREEZE_TIMEOUT_MS);
	if (rc)
		die_err(rc, "cannot %s the cgroup %s/%s under %s", what, CG_GROUP, name, cg_root());
	return 0;
}

/* --stats NAME...: one line for each cgroup leaf NAME, what its container
 * uses, as numbers (-1: not accounted, or no limit): NAME, CPU time in ns,
 * memory in use and its limit, pids and their limit, bytes read and
 * written.  conductor.sh's stats samples it and shows rates.  A leaf that
 * is gone (the container ended meanwhile) gives a line of -1. */
static int print_stats(int n, char **names)
{
	for (int i = 0; i < n; i++) {
		struct cgroup cg;
		struct cg_usage u = { -1, -1, -1, -1, -1, -1, -1 };
		int rc = open_leaf(&cg, names[i]);
		if (rc == -EINVAL)
			die("invalid cgroup name '%s'", names[i]);
		if (!rc)
			stats_read(&cg, &u);
		printf("%s %lld %lld %lld %lld %lld %lld %lld\n", names[i], u.cpu_ns, u.mem_bytes, u.mem_limit, u.pids,
		       u.pids_limit, u.io_read, u.io_write);
	}
	return fflush(stdout) == 0 ? 0 : DL_EXIT_FAILURE;
}

/* --state's record: DIR/state, set once in main (state_file_of). */
static char state_file[PATH_MAX];

/* Update the record under the state lock (conductor.sh takes the same
 * one), so concurrent state changes are never lost. */
static int update_state(const struct run_opts *o, const char *const drop[], const char *add)
{
	int lock = -1;
	if (o->lock && (lock = lock_take(o->lock, LOCK_TIMEOUT_S)) < 0)
		return lock;
	int rc = keyfile_update(state_file, drop, add, 1);
	if (lock >= 0)
		close(lock);
	return rc;
}

static int record_start(const struct run_opts *o, pid_t pid, const struct cgroup *cg)
{
	static const char *const drop[] = { "pid", "starttime", "parent", "parentstart", "cgroup", "status",
					    "exitcode", NULL };
	char add[8192];
	struct proc_stat st;
	int rc = proc_stat_read(pid, &st);
	if (rc)
		return rc;
	struct proc_stat self;
	if ((rc = proc_stat_read(getpid(), &self)))
		return rc;
	/* the parent too (this process: the monitor of a detached container):
	 * stop waits for it, so nothing of the container outlives stop */
	size_t n = (size_t)snprintf(add, sizeof(add), "pid=%d\nstarttime=%llu\nparent=%d\nparentstart=%llu\n",
				    (int)pid, st.starttime, (int)getpid(), self.starttime);
	for (int c = 0; cg && c < CG_NCONTROLLERS; c++)
		if (cg->leaf[c][0])
			n += (size_t)snprintf(add + n, sizeof(add) - n, "cgroup=%s\n", cg->leaf[c]);
	snprintf(add + n, sizeof(add) - n, "status=running\n");
	return update_state(o, drop, add);
}

/* `stop` marks the state "status=stopping", then waits for us while it
 * holds the lock: the exit code is not wanted then, and waiting for the
 * lock would only hold stop up until our timeout. */
static int stop_under_way(void)
{
	static char text[KEYFILE_MAX];
	ssize_t n = read_file(state_file, text, sizeof(text));
	return n < 0 || keyfile_has(text, "status", "stopping");
}

/* The record has a network that addnetwork made (a veth, or a rootless
 * container's pasta): only conductor.sh (network.sh) can undo it.  The
 * same two keys as containers.sh's network_of. */
static int has_network(const char *text)
{
	for (const char *line = text; *line;) {
		size_t len = strcspn(line, "\n");
		if ((len > 5 && strncmp(line, "veth=", 5) == 0) || (len > 7 && strncmp(line, "netpid=", 7) == 0))
			return 1;
		line += len + (line[len] == '\n');
	}
	return 0;
}

/* --rm, the container over and the lock held: remove its directory if it
 * is still this container's (this process recorded itself as "parent"),
 * dl-run can undo all it has (no network; rootless, files of the
 * subordinate ids need a user namespace: conductor.sh removes those), and
 * nothing is left mounted under it.  Returns 1 when removed. */
static int remove_state(const struct run_opts *o, const char *text)
{
	char me[32];
	snprintf(me, sizeof(me), "%d", (int)getpid());
	if (!o->remove || o->rootless || has_network(text) || !keyfile_has(text, "parent", me))
		return 0;
	int rc = o->live_root ? live_root_unmount(o->rootfs) : 0;
	if (!rc)
		rc = statedir_remove(o->state);
	if (rc)
		log_warn("cannot remove %s: %s (conductor.sh removes it)", o->state, strerror(-rc));
	return !rc;
}

/* The container has ended: under the lock, remove its directory (--rm,
 * remove_state), else record the exit code.  Not when stop is under way:
 * it holds the lock, waits for us, and removes the container itself.
 * Returns 1 when the directory was removed. */
static int finish_state(const struct run_opts *o, int code)
{
	static const char *const drop[] = { "status", "exitcode", NULL };
	static char text[KEYFILE_MAX];
	char add[64];
	snprintf(add, sizeof(add), "exitcode=%d\nstatus=exited\n", code);
	int lock = -1;
	long pause_ms = 1;
	for (long waited_ms = 0; o->lock && lock < 0; waited_ms += pause_ms) {
		if (stop_under_way())
			return 0;
		if (waited_ms >= LOCK_TIMEOUT_S * 1000L) {
			log_warn("cannot record the exit code %d in %s: the lock %s stayed taken", code,
				 state_file, o->lock);
			return 0;
		}
		lock = lock_take(o->lock, 0);
		if (lock < 0) {
			pause_ms = pause_ms >= 25 ? 50 : pause_ms * 2;
			nanosleep(&(struct timespec){ .tv_nsec = pause_ms * 1000 * 1000 }, NULL);
		}
	}
	int removed = 0, rc = 0;
	ssize_t n = read_file(state_file, text, sizeof(text));
	if (n >= 0 && !(removed = remove_state(o, text)))
		rc = keyfile_update(state_file, drop, add, 0);
	if (lock >= 0)
		close(lock);
	if (n == -ENOENT || rc == -ENOENT) /* stop removed the state already */
		return 0;
	if (n < 0 || rc)
		log_warn("cannot record the exit code in %s: %s", state_file, strerror(n < 0 ? (int)-n : -rc));
	return removed;
}

/* ---- the container's directory: claimed here, kept once it started ---- */

static const struct run_opts *claimed; /* --create made it, and it has not started */
static pid_t claimer;                   /* the process that made it (not a child) */

/* The container started (or the monitor took it over): the directory is
 * the container's now, for stop or --rm to remove. */
static void claim_kept(void)
{
	claimed = NULL;
}

/* atexit: the container never started (dl-run died, or its init failed):
 * take back the directory --create made, so the name is free again.  Only
 * in the process that made it: children (the init before its exec, the
 * monitor) exit through here too. */
static void unclaim(void)
{
	if (!claimed || getpid() != claimer)
		return;
	int lock = lock_take(claimed->lock, LOCK_TIMEOUT_S);
	int rc = statedir_remove(claimed->state);
	if (rc)
		log_warn("cannot remove %s: %s ('conductor.sh stop %s' removes it)", claimed->state,
			 strerror(-rc), claimed->hostname ? claimed->hostname : "NAME");
	if (lock >= 0)
		close(lock);
}

/* --create: claim the name, under the lock (statedir.h). */
static void claim_state(const struct run_opts *o)
{
	const char *gone = "", *slash = strrchr(o->state, '/');
	const char *name = slash ? slash + 1 : o->state;
	int lock = lock_take(o->lock, LOCK_TIMEOUT_S);
	if (lock < 0)
		die_err(lock, "cannot take the state lock %s", o->lock);
	int rc = statedir_claim(o->state, o->lower ? o->lower : "", o->create, &gone);
	close(lock);
	/* conductor.sh said so already when the name was taken before it
	 * started: this is another run that claimed it meanwhile */
	if (rc == -EEXIST)
		die("a container named '%s' was just created by another run: choose another name", name);
	if (rc == -ENOENT && gone[0])
		die("the image's layer %s is gone (was the image removed just now?): build it again", gone);
	if (rc)
		die_err(rc, "cannot create %s", o->state);
	claimed = o;
	claimer = getpid();
	if (atexit(unclaim))
		die("atexit");
}

/* --state DIR: its record is DIR/state. */
static void state_file_of(const struct run_opts *o)
{
	int rc = path_join(state_file, sizeof(state_file), o->state, "state");
	if (rc)
		die_err(rc, "invalid --state %s", o->state);
}

/* --set-state FILE KEY=VALUE...: conductor.sh's changes of a state file
 * (stop's "stopping", pause's "paused", addnetwork's keys), made by the one
 * writer of state files, with the lock the caller holds.  A KEY= with no
 * value is written so: an empty value. */
static int set_state(const char *file, int n, char **pairs)
{
	const char *drop[64];
	char add[KEYFILE_MAX];
	size_t used = 0;
	if (n >= (int)(sizeof(drop) / sizeof(drop[0])))
		die("--set-state: too many keys");
	for (int i = 0; i < n; i++) {
		char *eq = strchr(pairs[i], '=');
		if (!eq || eq == pairs[i] || strchr(pairs[i], '\n'))
			die("--set-state: '%s' is not KEY=VALUE on one line", pairs[i]);
		int len = snprintf(add + used, sizeof(add) - used, "%s\n", pairs[i]);
		if (len < 0 || (size_t)len >= sizeof(add) - used)
			die("--set-state: the values are too long");
		used += (size_t)len;
		*eq = '\0'; /* the key, for drop */
		drop[i] = pairs[i];
	}
	drop[n] = NULL;
	int rc = keyfile_update(file, drop, add, 0);
	if (rc)
		die_err(rc, "cannot update %s", file);
	return 0;
}

/* --wait-gone SECONDS PID STARTTIME: wait until that process (PID with
 * that start time: procstat.h) has ended, at most SECONDS; exit 0 when it
 * has, 1 when the time ran out.  stop's waits (lib/wait.sh): a pidfd
 * becomes readable when the process exits, so no polling. */
static int wait_gone(const char *secs, const char *pid_text, const char *start_text)
{
	char *secs_end, *pid_end;
	unsigned long long start;
	errno = 0;
	long timeout_s = strtol(secs, &secs_end, 10);
	long pid = strtol(pid_text, &pid_end, 10);
	if (errno || secs_end == secs || *secs_end || timeout_s < 0 || timeout_s > 86400 || pid_end == pid_text ||
	    *pid_end || pid <= 0 || pid > INT32_MAX || parse_starttime(start_text, &start))
		die("usage: dl-run --wait-gone SECONDS PID STARTTIME");
	/* the pidfd first, then who it is: a PID reused after the check
	 * cannot slip in between */
	int fd = sys_pidfd_open((pid_t)pid, 0);
	if (fd < 0 && errno == ESRCH)
		return 0;
	if (fd < 0)
		die_errno("pidfd_open %ld", pid);
	struct proc_stat st;
	if (proc_stat_read((pid_t)pid, &st) || !proc_stat_is(&st, start))
		return 0;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int n;
	while ((n = poll(&p, 1, (int)(timeout_s * 1000))) < 0 && errno == EINTR)
		;
	if (n < 0)
		die_errno("poll");
	return n ? 0 : 1;
}

/* --remove DIR: stop's and rmi's last step (statedir.h): unmount what is
 * under DIR, then delete it, never through a mount. */
static int remove_dir(const char *dir)
{
	int rc = statedir_unmount(dir);
	if (rc == -EBUSY)
		die("something is still mounted under %s: not deleting it (unmount it, then try again)", dir);
	if (rc)
		die_err(rc, "cannot unmount what is under %s", dir);
	if ((rc = statedir_remove(dir)))
		die_err(rc, "cannot delete %s", dir);
	return 0;
}

/* An interactive shell inside takes the terminal for its own process
 * group; give it back to the one that had it, or the caller's shell may
 * find itself in the background. */
static void restore_terminal(pid_t foreground)
{
	if (foreground <= 0 || !isatty(0) || tcgetpgrp(0) == foreground)
		return;
	signal(SIGTTOU, SIG_IGN);
	tcsetpgrp(0, foreground);
	signal(SIGTTOU, SIG_DFL);
}

/* The init in its namespaces, and on cgroup v2 in cg from birth (*born_in;
 * spawn.h). */
static pid_t clone_init(struct child_ctx *ctx, const struct cgroup *cg, int *born_in)
{
	int flags = 0;
	/* BEGIN SOLUTION: the clone flags: new UTS, PID, mount and IPC namespaces, and a new network one unless share_net (man 2 clone) */
	flags = CLONE_NEWUTS | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC;
	if (!ctx->o->share_net)
		flags |= CLONE_NEWNET; /* build's RUN keeps the host's network for apt */
	/* END SOLUTION */
	if (ctx->o->rootless)
		flags |= CLONE_NEWUSER; /* made first: it owns the others (userns.h) */
	return spawn_init(container_main, ctx, flags, cg, born_in);
}

/* Undo what the parent made for a container that did not start: its
 * cgroup and its root on the host.  (conductor.sh removes what a killed
 * dl-run leaves: remove_tree unmounts whatever is under the container.) */
static void undo_start(const struct run_opts *o, struct cgroup *cg)
{
	if (cg)
		destroy_cgroup(cg, " (stop removes it)");
	int rc = o->live_root ? live_root_unmount(o->rootfs) : 0;
	if (rc)
		log_warn("cannot unmount %s: %s (stop unmounts it)", o->rootfs, strerror(-rc));
}

/* Kill a half-started init and undo what the parent made. */
static void abandon(const struct run_opts *o, pid_t pid, struct cgroup *cg)
{
	kill(pid, SIGKILL);
	wait_exit_code(pid);
	undo_start(o, cg);
}

/* --live-root: the overlay on the host, before the clone copies the host's
 * mount tree into the container's namespace (liveroot.h). */
static void mount_live_root(const struct run_opts *o)
{
	const char *what = "?";
	int rc = o->live_root ? live_root_mount(o, &what) : 0;
	if (rc)
		die_err(rc, "cannot set up the container: %s", what);
}

/* --on-exit: the monitor of a detached container becomes that command once
 * the container has ended by itself (conductor.sh run --rm -d: "stop
 * --from-monitor NAME", which removes it).  Replacing itself rather than
 * starting a child keeps the monitor's PID and start time, recorded in the
 * state as "parent": that is how stop knows the call comes from this very
 * container's monitor and not from one that ended long ago, whose name a
 * new container may have taken since.  Not when stop is under way: that
 * stop removes the container, and waits for us to end. */
static void run_on_exit(const struct run_opts *o)
{
	if (!o->on_exit[0] || (o->state && stop_under_way()))
		return;
	reset_signals(); /* SIGPIPE is ignored here (main) */
	if (close_fds_except(NULL, 0) < 0)
		log_warn("cannot close inherited file descriptors");
	execv(o->on_exit[0], (char *const *)o->on_exit);
	log_warn("cannot run %s after the container: %s", o->on_exit[0], strerror(errno));
}

/* Where the command's output goes.  Plain foreground: the caller's stdio
 * (all -1).  --detach: the log (log_fd).  Foreground --log: pipes whose
 * write ends (write_fd) become the command's stdout and stderr and whose
 * read ends our relay copies to the caller and to the log.  --tty: a pty
 * whose master the init sends us by tty_sock, relayed the same way. */
struct output {
	int log_fd;
	int write_fd[RELAY_STREAMS];
	int tty_sock[2];
	struct relay relay;
};

static void output_none(struct output *out)
{
	*out = (struct output){ .log_fd = -1, .write_fd = { -1, -1 }, .tty_sock = { -1, -1 } };
	relay_init(&out->relay);
}

static void open_log(const struct run_opts *o, struct output *out)
{
	out->log_fd = open(o->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (out->log_fd < 0)
		die_errno("cannot open the log file %s", o->log);
}

/* After the init ended, its last processes are being killed: their pipe
 * ends close within milliseconds.  Only a process stuck in the kernel
 * holds one longer; do not wait for it forever. */
#define DRAIN_SILENCE_MS 2000

/* Foreground --log: the log and one pipe per stream, or one pipe for both
 * when the caller's stdout and stderr are one file (the order is kept). */
static void open_relay(struct output *out)
{
	int fds[2 * RELAY_STREAMS];
	int streams = same_file(1, 2) ? 1 : 2;
	for (int i = 0; i < streams; i++)
		if (pipe2(&fds[2 * i], O_CLOEXEC) < 0)
			die_errno("pipe");
	struct relay *r = &out->relay;
	r->src[0] = fds[0];
	r->src[1] = streams == 2 ? fds[2] : -1;
	r->dst[0] = 1;
	r->dst[1] = 2;
	out->write_fd[0] = fds[1];
	out->write_fd[1] = streams == 2 ? fds[3] : fds[1];
}

/* The child has its copies of the write ends and the socket: ours would
 * keep the pipes from ever ending.  The pidfd tells the relay when the
 * init has ended. */
static int start_relay(struct output *out, pid_t pid)
{
	if (out->write_fd[0] < 0 && out->tty_sock[0] < 0)
		return 0; /* nothing to relay */
	close(out->write_fd[0]);
	if (out->write_fd[1] != out->write_fd[0])
		close(out->write_fd[1]);
	close(out->tty_sock[1]);
	out->relay.pidfd = sys_pidfd_open(pid, 0);
	return out->relay.pidfd < 0 ? -errno : 0;
}

/* --tty, once the init reported ready: its pty's master, and the caller's
 * terminal made ready for it (raw mode last: errors before it print as
 * usual). */
static int take_tty(const struct run_opts *o, struct output *out)
{
	int master = fd_recv(out->tty_sock[0]);
	close(out->tty_sock[0]);
	if (master < 0)
		return master;
	if (o->detach)
		return relay_tty_output(&out->relay, master);
	return relay_tty(&out->relay, master, o->interactive);
}

/* Relay the output (if we do) until the container ended; its exit code. */
static int wait_container(struct output *out, pid_t pid)
{
	int rc = out->relay.pidfd >= 0 ? relay_run(&out->relay) : 0;
	if (rc)
		log_warn("the container's output was cut short: %s", strerror(-rc));
	return wait_exit_code(pid);
}

static int limited(const struct cg_limits *l)
{
	return l->cpu_quota_us || l->memory_bytes || l->pids_max || l->nio || l->io_weight;
}

/* The limits need controllers the user's cgroup does not offer. */
static noreturn void not_delegated(const char *dir)
{
	char path[PATH_MAX], offered[256] = "";
	if (path_join(path, sizeof(path), dir, "cgroup.controllers") == 0 &&
	    read_file(path, offered, sizeof(offered)) >= 0)
		offered[strcspn(offered, "\n")] = '\0';
	die("a controller these limits need is not delegated to you: your cgroup %s offers \"%s\" (cgroup.controllers); an admin delegates more to every user with Delegate=cpu cpuset io memory pids in a drop-in for user@.service",
	    dir, offered);
}

/* Start the container and wait for it; notify_fd >= 0 (--detach): tell
 * the caller once it runs, then keep waiting as the monitor. */
static int run_container(const struct run_opts *o, struct output *out, int notify_fd)
{
	struct cgroup cgroup, *cg = NULL;
	int go[2], ready[2], rc;
	pid_t foreground = isatty(0) ? tcgetpgrp(0) : -1;

	mount_live_root(o);
	if (o->cgroup) {
		rc = cg_create(&cgroup, o->cgroup_root, o->cgroup, &o->limits);
		if (rc && limited(&o->limits)) {
			undo_start(o, NULL);
			if (rc == -EOPNOTSUPP && o->rootless)
				not_delegated(o->cgroup_root);
			if (rc == -EOPNOTSUPP)
				die("cannot create the cgroup %s/%s under %s: a controller these limits need is not there (v1: its hierarchy, e.g. blkio for I/O, must be mounted; v2: it must be in cgroup.controllers, e.g. io)",
				    CG_GROUP, o->cgroup, o->cgroup_root);
			die_err(rc, "cannot create the cgroup %s/%s under %s", CG_GROUP, o->cgroup,
				o->cgroup_root);
		}
		/* no limits: a leaf only for pause; where cgroups cannot be made
		 * (none mounted, not writable) the container runs without one, and
		 * the state records none, so pause says it cannot */
		cg = rc ? NULL : &cgroup;
	}
	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(ready, O_CLOEXEC) < 0) {
		int err = errno;
		undo_start(o, cg);
		errno = err;
		die_errno("pipe");
	}
	/* the log is the relay's alone: the init gets it only to be it (-d) */
	struct child_ctx ctx = { .o = o, .go_fd = go[0], .ready_fd = ready[1],
				 .log_fd = o->detach ? out->log_fd : -1, .out_fd = out->write_fd[0],
				 .err_fd = out->write_fd[1], .tty_sock = out->tty_sock[1] };
	forward_signals_to(0); /* from now on dl-run is not killed by them */
	int born_in;
	pid_t pid = clone_init(&ctx, cg, &born_in);
	if (pid < 0) {
		int err = errno;
		undo_start(o, cg);
		errno = err;
		die_errno("cannot create the container's namespaces");
	}
	forward_signals_to(pid);
	close(go[0]);
	close(ready[1]);
	/* rootless: the init has no ids until we map them, from outside */
	if (o->rootless && (rc = userns_write_maps(pid, &o->ids))) {
		abandon(o, pid, cg);
		die_err(rc, "cannot map the user namespace's ids (newuidmap/newgidmap, /etc/subuid)");
	}
	/* in the cgroup before the init runs a single instruction of setup
	 * (v1, or a kernel without clone3: born in it, it is there already) */
	if (cg && !born_in && (rc = cg_attach(cg, pid))) {
		abandon(o, pid, cg);
		die_err(rc, "cannot move the container into its cgroup");
	}
	if ((rc = start_relay(out, pid))) {
		abandon(o, pid, cg);
		die_err(rc, "cannot watch the container (pidfd_open)");
	}
	sync_send(go[1], SYNC_GO);
	if (!sync_wait(ready[0], SYNC_READY)) {
		/* the init said why on stderr */
		int code = wait_container(out, pid);
		undo_start(o, cg);
		return code ? code : DL_EXIT_FAILURE;
	}
	if (o->tty && (rc = take_tty(o, out))) {
		abandon(o, pid, cg);
		die_err(rc, "cannot relay the container's terminal");
	}
	if (o->state && (rc = record_start(o, pid, cg))) {
		abandon(o, pid, cg);
		die_err(rc, "cannot record the container in %s", state_file);
	}
	claim_kept();
	sync_send(go[1], SYNC_START);
	close(go[1]);
	close(ready[0]);
	if (notify_fd >= 0) {
		/* the monitor keeps nothing of the caller: output to the log */
		stdio_to_log(out->log_fd);
		sync_send(notify_fd, SYNC_RUNNING);
		close(notify_fd);
	}
	int code = wait_container(out, pid);
	tty_restore();
	restore_terminal(foreground);
	if (cg)
		destroy_cgroup(cg, " (stop removes it)");
	if (o->state && finish_state(o, code))
		return code; /* --rm: nothing left for --on-exit to do */
	run_on_exit(o);
	return code;
}

/* --detach: fork the monitor, return once it reports the container runs. */
static int run_detached(const struct run_opts *o)
{
	struct output out;
	int notify[2];
	output_none(&out);
	open_log(o, &out);
	/* -t: the monitor relays the pty to the log (relay_tty_output) */
	out.relay.drain_ms = DRAIN_SILENCE_MS;
	if (pipe2(notify, O_CLOEXEC) < 0 ||
	    (o->tty && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, out.tty_sock) < 0))
		die_errno("pipe");
	pid_t monitor = fork();
	if (monitor < 0)
		die_errno("fork");
	if (monitor == 0) {
		close(notify[0]);
		setsid(); /* no terminal, no process group of the caller's */
		exit(run_container(o, &out, notify[1]));
	}
	close(notify[1]);
	close(out.log_fd);
	if (sync_wait(notify[0], SYNC_RUNNING)) {
		claim_kept(); /* the monitor has it now */
		return 0;
	}
	/* the monitor failed before the container ran, and said why */
	int code = wait_exit_code(monitor);
	return code ? code : DL_EXIT_FAILURE;
}

/* In the foreground: with --tty through a pty, with --log through pipes,
 * both relayed by us; else on the caller's stdio as it is. */
static int run_foreground(const struct run_opts *o)
{
	struct output out;
	output_none(&out);
	out.relay.drain_ms = DRAIN_SILENCE_MS;
	if (o->log)
		open_log(o, &out);
	out.relay.log_fd = out.log_fd;
	if (o->tty && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, out.tty_sock) < 0)
		die_errno("socketpair");
	else if (!o->tty && o->log)
		open_relay(&out);
	return run_container(o, &out, -1);
}

/* --check-volume SPEC: conductor.sh asks before it makes anything, so the
 * rules of a -v stay here alone (volume.h).  A bad one: the reason on
 * stdout, for the caller's own error line. */
static int check_volume(const char *spec)
{
	struct volume v;
	const char *why;
	if (!volume_parse(spec, &v, &why))
		return 0;
	puts(why);
	return DL_EXIT_FAILURE;
}

/* --check-limits OPTION...: the limits of a run, checked as dl-run would
 * (cli.h), for conductor.sh to ask before it makes anything.  A bad one:
 * the reason on stdout, for the caller's own error line. */
static int check_limits(int argc, char **argv)
{
	struct run_opts o;
	char err[CLI_ERR_MAX];
	if (!limits_parse(argc, argv, sysconf(_SC_NPROCESSORS_ONLN), &o, err, sizeof(err)))
		return 0;
	puts(err);
	return DL_EXIT_FAILURE;
}

/* --unshare -- COMMAND: COMMAND as root of a user namespace with the
 * containers' maps (podman unshare): how a user removes what a rootless
 * container's other users made (conductor.sh's remove_tree). */
static int unshare_run(char **argv)
{
	struct userns_ids ids;
	if (geteuid() == 0)
		die("--unshare is for ordinary users: root needs no user namespace");
	userns_ids_of_caller(&ids);
	return userns_run(&ids, argv);
}

/* ---- rootless limits: a cgroup delegated to the user (cgroup.h) ---- */

/* Limits need a cgroup delegated to the user.  When we are in none, start
 * again in a scope of the user's systemd manager (userns.h), before the
 * sealed copy: the scope needs our binary's path. */
static void seek_user_cgroup(int argc, char **argv)
{
	char dir[PATH_MAX];
	int rc = cg_delegated(dir, sizeof(dir));
	if (rc == -EACCES || rc == -EBUSY)
		userns_rerun_in_user_scope(argc, argv); /* returns when it cannot: enter_user_cgroup says why */
}

/* Into the supervisor cgroup of the delegated one, which then becomes the
 * root of the container's (cgroup.h: cg_enter_delegated).  What the root
 * enabled is recorded beside the container's state, not in root's /run. */
static void enter_user_cgroup(struct run_opts *o)
{
	static char dir[PATH_MAX];
	int rc = cg_enter_delegated(dir, sizeof(dir));
	if (rc == -EOPNOTSUPP)
		die("rootless limits need cgroup v2, which can be delegated to a user; this machine's cgroups (%s) are v1: run as root for limits",
		    cg_root());
	if (rc == -EACCES)
		die("rootless limits need a cgroup delegated to you, and yours (%s) is not: docker-lite asks your systemd user manager for one (systemd-run --user --scope), and it is not running (log in, or: sudo loginctl enable-linger $USER); or run as root",
		    dir);
	if (rc == -EBUSY)
		die("rootless limits need a cgroup of your own that holds no other process, and yours (%s) holds others: docker-lite asks your systemd user manager for one (systemd-run --user --scope), and it is not running (log in, or: sudo loginctl enable-linger $USER); or run as root",
		    dir);
	if (rc)
		die_err(rc, "cannot enter the cgroup delegated to you (%s)", dir);
	if (!o->state)
		die("rootless limits need --state: what the cgroup's root enabled is kept in it");
	cg_set_record_dir(o->state);
	o->cgroup_root = dir;
}

/* Started by an ordinary user: the container gets a user namespace whose
 * root is that user (userns.h).  What needs the host's root is refused
 * here, before anything is made. */
static void start_rootless(struct run_opts *o, int argc, char **argv)
{
	if (o->cgroup)
		seek_user_cgroup(argc, argv);
	int rc = userns_seal_self(argv);
	if (rc)
		die_err(rc, "cannot run from a sealed copy of %s", argv[0]);
	if (o->live_root)
		die("--live-root needs root: a user cannot mount on the host (rootless, the root is mounted inside the container only)");
	if (o->cgroup)
		enter_user_cgroup(o);
	o->rootless = 1;
	userns_ids_of_caller(&o->ids);
	if (!userns_has_ranges(&o->ids))
		userns_warn_single(&o->ids);
}

int main(int argc, char **argv)
{
	struct run_opts o;
	char err[CLI_ERR_MAX];

	/* first thing: nothing the caller left open (a lock, a test's pipe,
	 * a host directory) may reach the container or the monitor */
	helper_start(argv[0]);
	if (argc == 3 && strcmp(argv[1], "--remove-cgroup") == 0) {
		if (geteuid() != 0 && argv[2][0] != '/')
			die("must be run as root: removing a cgroup of root's needs it (try sudo)");
		return remove_cgroup(argv[2]);
	}
	if (argc == 3 && (strcmp(argv[1], "--freeze") == 0 || strcmp(argv[1], "--thaw") == 0)) {
		if (geteuid() != 0 && argv[2][0] != '/')
			die("must be run as root: freezing a cgroup of root's needs it (try sudo)");
		return freeze(argv[2], argv[1][2] == 'f');
	}
	if (argc == 3 && strcmp(argv[1], "--check-volume") == 0)
		return check_volume(argv[2]);
	if (argc >= 3 && strcmp(argv[1], "--stats") == 0)
		return print_stats(argc - 2, argv + 2);
	if (argc >= 2 && strcmp(argv[1], "--check-limits") == 0)
		return check_limits(argc - 1, argv + 1);
	if (argc > 3 && strcmp(argv[1], "--unshare") == 0 && strcmp(argv[2], "--") == 0)
		return unshare_run(argv + 3);
	if (argc >= 4 && strcmp(argv[1], "--set-state") == 0)
		return set_state(argv[2], argc - 3, argv + 3);
	if (argc == 5 && strcmp(argv[1], "--wait-gone") == 0)
		return wait_gone(argv[2], argv[3], argv[4]);
	if (argc == 3 && strcmp(argv[1], "--remove") == 0)
		return remove_dir(argv[2]);
	int rc = parse_outcome(run_parse(argc, argv, sysconf(_SC_NPROCESSORS_ONLN), &o, err, sizeof(err)),
			       RUN_USAGE, err);
	if (rc >= 0)
		return rc;
	o.cgroup_root = cg_root();
	if (o.state)
		state_file_of(&o);
	if (geteuid() != 0)
		start_rootless(&o, argc, argv); /* may start again in a scope: before the claim */
	if (o.create)
		claim_state(&o);
	signal(SIGPIPE, SIG_IGN); /* a vanished reader is an error return, not death */
	return o.detach ? run_detached(&o) : run_foreground(&o);
}
