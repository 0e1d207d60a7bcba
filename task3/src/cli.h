/* cli.h - the command lines of dl-run and dl-exec.
 *
 * Options come first; "--" ends them and everything after it is the
 * container command, passed to execvp() exactly as given (never re-split,
 * never parsed: "-- ls -e" gives ls its -e).  "--opt VALUE" and
 * "--opt=VALUE" are both accepted.
 */
#ifndef DL_T3_CLI_H
#define DL_T3_CLI_H

#include "cgroup.h"
#include "env.h"
#include "userns.h"
#include "volume.h"

#include <linux/limits.h> /* NAME_MAX */
#include <stddef.h>
#include <sys/types.h>

#define CLI_ERR_MAX 256
/* words of --on-exit: conductor.sh's "stop --from-monitor NAME" needs 4 */
#define ON_EXIT_MAX 8

struct run_opts {
	const char *hostname;
	const char *lower, *upper, *work, *rootfs; /* overlay: all or none of the first 3 */
	int share_net;                             /* keep the host's network (build's RUN) */
	const char *cgroup;                        /* the leaf in docker-lite's group (limits or not: pause) */
	const char *cgroup_scope;                  /* --cgroup-scope: the leaf is cgroup_leaf, tagged */
	char cgroup_leaf[NAME_MAX + 1];            /* cg_leaf_name(--cgroup, --cgroup-scope) */
	struct cg_limits limits;
	const char *cgroup_root; /* not an option: cg_root(), or rootless a cgroup delegated to the user */
	const char *state;  /* --state: the container's directory (statedir.h), its record DIR/state */
	const char *lock;   /* --lock: the state root's lock, taken for every change */
	const char *create; /* --create: claim --state, its record these lines */
	int remove;         /* --rm: remove --state when the container has ended */
	int detach;
	const char *log; /* --detach: the output; foreground: a copy, relayed */
	int tty;         /* --tty: the command gets a pty, relayed (tty.h) */
	int interactive; /* --interactive: the caller's stdin is relayed to it */
	const char *env[ENV_MAX];
	size_t nenv;
	const char *workdir;
	const char *user; /* name|uid[:group|gid] (user.h); NULL: root */
	struct volume volumes[VOLUME_MAX]; /* --volume, parsed (volume.h) */
	size_t nvolumes;
	int harden;
	int live_root;                            /* the overlay on the host too (liveroot.h) */
	int rootless;                             /* not an option: started by a user (userns.h) */
	struct userns_ids ids;                    /* rootless: the maps' ids */
	const char *on_exit[ON_EXIT_MAX + 1];     /* --detach: run when it ends, NULL-terminated */
	size_t non_exit;
	char **argv; /* the command, NULL-terminated */
};

struct exec_opts {
	pid_t pid;
	unsigned long long starttime;
	int has_starttime;
	const char *workdir;
	const char *user; /* as in run_opts */
	const char *env[ENV_MAX];
	size_t nenv;
	int harden;
	int tty, interactive; /* as in run_opts */
	char **argv;
};

/* Parse argv (argv[0] is the program).  ncpus bounds --cpus.  Returns 0,
 * 1 for --help, or -1 with a one-line reason in err. */
int run_parse(int argc, char **argv, long ncpus, struct run_opts *o, char *err, size_t errsz);
int exec_parse(int argc, char **argv, struct exec_opts *o, char *err, size_t errsz);
/* --check-limits: argv (argv[0] the program) holds limit options only, and
 * --rootfs DIR for --blkio-weight; parsed and checked as run_parse would,
 * into o->limits.  0 or -1 with a one-line reason in err. */
int limits_parse(int argc, char **argv, long ncpus, struct run_opts *o, char *err, size_t errsz);

#define RUN_USAGE                                                                              \
	"usage: dl-run [--hostname NAME] [--lower DIRS --upper DIR --work DIR] --rootfs DIR\n"   \
	"              [--share-net] [--cgroup NAME [--cgroup-scope DIR]\n"                     \
	"                 [--cpus N.N] [--memory SIZE] [--pids N]\n"                            \
	"                 [--device-read-bps DEV:RATE] [--device-write-bps DEV:RATE]\n"         \
	"                 [--device-read-iops DEV:N] [--device-write-iops DEV:N]\n"             \
	"                 [--blkio-weight 10-1000]]\n"                                          \
	"              [--state DIR --lock FILE [--create RECORD] [--rm]]\n"                     \
	"              [[--detach] --log FILE] [--env K=V]...\n"                                 \
	"              [--workdir DIR] [--user SPEC] [--volume HOST:CONTAINER[:ro]]...\n"         \
"              [--no-harden] [--tty [--interactive]]\n"         \
	"              [--live-root] [--on-exit WORD]...\n"                              \
	"              -- COMMAND [ARG]...\n"                  \
	"       dl-run --remove-cgroup LEAF   (what the monitor does at the end, for stop)\n" \
	"       dl-run --freeze LEAF | --thaw LEAF   (pause, unpause: the cgroup's freezer)\n" \
	"       dl-run --check-volume SPEC   (a valid --volume? for conductor.sh run -v)\n" \
	"       dl-run --check-limits [--rootfs DIR] LIMIT-OPTION...   (valid limits? for run)\n" \
	"       dl-run --stats LEAF...   (what the containers of these cgroup leaves use)\n" \
	"       (LEAF: a leaf's name in docker-lite's group; rootless, its path below the\n" \
	"       cgroup delegated to the user)\n"
#define EXEC_USAGE                                                                              \
	"usage: dl-exec --pid PID --starttime T [--workdir DIR] [--user SPEC] [--env K=V]...\n" \
	"               [--no-harden] [--tty [--interactive]] -- COMMAND [ARG]...\n"

#endif
