/* cgroup.h - resource limits through cgroups, on v2 (unified) and v1/hybrid
 * hosts alike.
 *
 * The mode is detected from the filesystem type of the cgroup root (statfs):
 * cgroup2 mounted there means unified v2; a tmpfs there means the controllers
 * are separate v1 hierarchies below it (legacy or hybrid).  Never from the
 * kernel version: the same kernel boots either way.
 */
#ifndef DL_CGROUP_H
#define DL_CGROUP_H

#include <linux/limits.h> /* PATH_MAX, also under strict -std=c11 */
#include <stddef.h>
#include <sys/types.h>

/* Where every docker-lite cgroup is, task 2's and task 3's alike, written
 * here only: <root>/CG_GROUP/<leaf> on v2, <root>/<controller>/CG_GROUP/<leaf>
 * on v1 (cg_leaf_path).  The root is CG_DEFAULT_ROOT unless the environment
 * variable CG_ROOT_ENV names another (tests: a fake or an absent tree). */
#define CG_DEFAULT_ROOT "/sys/fs/cgroup"
#define CG_ROOT_ENV "DL_CGROUP_ROOT"
#define CG_GROUP "docker-lite"
#define CG_V2_MAGIC 0x63677270L    /* CGROUP2_SUPER_MAGIC */
#define CG_V1_MAGIC 0x27e0ebL      /* CGROUP_SUPER_MAGIC */
#define CG_TMPFS_MAGIC 0x01021994L /* TMPFS_MAGIC */
#define CG_DEFAULT_PERIOD_US 100000L
/* Run-time state that outlives one process: the record of the v2 root's
 * controllers docker-lite enabled (cleared at reboot, as the change is). */
#define CG_DEFAULT_RECORD_DIR "/run/docker-lite"
#define CG_RECORD_FILE "cgroup-root-enabled"

enum cg_mode { CG_MODE_NONE = 0, CG_MODE_V1, CG_MODE_V2 };
/* CG_FREEZER is no limit: every cgroup gets its leaf, for pause (on v2 every
 * cgroup has cgroup.freeze, so there it is the one leaf, no controller).
 * CG_IO is v1's blkio hierarchy, v2's io controller; CG_CPUACCT is v1's
 * cpuacct hierarchy (v2: cpu.stat is in every cgroup).  Limits or not, a
 * container also gets what accounts its use (stats), where that changes
 * nothing outside docker-lite's group: v1 a leaf in each of these mounted
 * hierarchies; v2 the controllers the root already enables, enabled in the
 * group too. */
enum cg_controller { CG_CPU = 0, CG_MEMORY, CG_PIDS, CG_FREEZER, CG_IO, CG_CPUACCT, CG_NCONTROLLERS };

/* One block-I/O throttle: at most value bytes (or I/Os) a second, read or
 * written, on the whole disk major:minor (the kernel throttles disks, not
 * partitions). */
enum cg_io_kind { CG_IO_READ_BPS = 0, CG_IO_WRITE_BPS, CG_IO_READ_IOPS, CG_IO_WRITE_IOPS, CG_IO_NKINDS };
struct cg_io_limit {
	enum cg_io_kind kind;
	unsigned major, minor;
	unsigned long long value;
};
#define CG_IO_MAX 16
/* The proportional weight's range (v1 blkio.bfq.weight, v2 io.bfq.weight). */
#define CG_IO_WEIGHT_MIN 10
#define CG_IO_WEIGHT_MAX 1000

/* A limit of 0 means "leave unlimited". */
struct cg_limits {
	long cpu_quota_us;  /* CPU time per period; quota/period = cores */
	long cpu_period_us; /* 0: CG_DEFAULT_PERIOD_US */
	long long memory_bytes;
	long pids_max;
	struct cg_io_limit io[CG_IO_MAX];
	size_t nio;
	unsigned io_weight; /* BFQ's weight, CG_IO_WEIGHT_MIN..MAX */
};

struct cgroup {
	enum cg_mode mode;
	char root[PATH_MAX];  /* the cgroup root it was made under */
	char group[PATH_MAX]; /* v2: <root>/CG_GROUP; v1: unused */
	/* v2: leaf[0] is the one directory; v1: one leaf per used controller */
	char leaf[CG_NCONTROLLERS][PATH_MAX];
	char v1_group[CG_NCONTROLLERS][PATH_MAX];
};

const char *cg_mode_name(enum cg_mode mode);
/* The cgroup root: $DL_CGROUP_ROOT when set and not empty, else
 * CG_DEFAULT_ROOT. */
const char *cg_root(void);
/* Pure: whether name can be a leaf: one path component, not starting with
 * '.' (so never ".", ".." or a hidden name). */
int cg_leaf_name_ok(const char *name);
/* Pure: a container's leaf, <name>.<tag>: the tag the first 8 hex digits of
 * the SHA-256 of its scope (conductor.sh: its state root's path), so that
 * containers of one name under two state roots (two test suites, a grader)
 * never share a cgroup; `printf %s ROOT | sha256sum` gives the same tag.
 * Returns 0, -EINVAL (name is no good leaf name) or -ENAMETOOLONG. */
int cg_leaf_name(char *buf, size_t size, const char *name, const char *scope);
/* Pure: the group and the leaf name would have in one hierarchy (v2: the
 * root itself; v1: the controller's directory below it):
 * <hierarchy>/CG_GROUP and <hierarchy>/CG_GROUP/<name>, each PATH_MAX long.
 * Returns 0, -EINVAL (a bad name) or -ENAMETOOLONG. */
int cg_leaf_path(const char *hierarchy, const char *name, char *group, char *leaf);
/* Pure: the mode a cgroup root of this filesystem type means. */
enum cg_mode cg_mode_from_fstype(long f_type);
/* statfs(root) -> mode; -ENOENT when nothing is mounted there. */
int cg_detect(const char *root, enum cg_mode *mode);

/* Pure: quota for percent of one CPU ("50" -> 50000 of 100000).
 * -ERANGE when percent < 1 or > max_percent, or the quota would be under
 * the kernel's 1 ms minimum. */
int cg_quota_from_percent(long percent, long max_percent, long period_us, long *quota_us);
/* Pure: the text written to cpu.max ("50000 100000", or "max 100000"). */
int cg_format_cpu_max(char *buf, size_t size, long quota_us, long period_us);
/* Pure: "256M", "1G", "64KB", "4096B", "1048576" -> bytes (decimal: "06M"
 * is 6M, as Docker reads it); -ERANGE when it does not fit in 64 bits,
 * -EINVAL on anything else (0 too). */
int cg_parse_size(const char *text, long long *bytes);
/* Pure: the line one throttle writes, and the file it goes to.  v2: io.max
 * "8:0 wbps=1048576"; v1: blkio.throttle.write_bps_device "8:0 1048576". */
int cg_format_io(char *buf, size_t size, enum cg_mode mode, const struct cg_io_limit *io,
		 const char **knob);

/* Create the leaf <name> under root (cg_leaf_path) with the limits applied
 * (none: the leaf alone; v1: the freezer's, when that hierarchy is mounted).  On failure,
 * whatever was created is removed again.  Returns 0 or -errno. */
int cg_create(struct cgroup *cg, const char *root, const char *name, const struct cg_limits *limits);
/* The cgroup cg_create would make, without making anything: for a
 * cg_destroy from another process than the one that made it.  Returns 0 or
 * -errno (-EINVAL for a bad name, -ENOENT when no cgroup fs is mounted). */
int cg_open(struct cgroup *cg, const char *root, const char *name);
/* A rootless container's leaf, by its path <dir>/CG_GROUP/<name> below a
 * cgroup delegated to its user (v2 only): for stats and the freezer, which
 * cannot find it below cg_root().  Returns 0, -EINVAL (no such path) or
 * -EOPNOTSUPP (not on cgroup v2). */
int cg_open_path(struct cgroup *cg, const char *leaf);
/* Move pid into the cgroup (every hierarchy on v1). */
int cg_attach(const struct cgroup *cg, pid_t pid);
/* The directory whose freezer pauses the cgroup: v2 the leaf, v1 the leaf
 * in the freezer hierarchy; NULL when there is none (v1 without it). */
const char *cg_freezer_dir(const struct cgroup *cg);
/* Remove the leaf cgroup(s), then the group directory if nothing else uses
 * it; on v2, once the group is gone, disable again at the root exactly the
 * controllers cg_create enabled there (never one that was on before).  Safe
 * to call twice.  Returns 0 or the first -errno. */
int cg_destroy(struct cgroup *cg);

/* Rootless limits (cgroup v2 only).  A user may limit processes only in a
 * cgroup delegated to them: the directory and its cgroup.procs and
 * cgroup.subtree_control are theirs, as systemd makes a unit with
 * Delegate=yes (a scope of the user's own manager: `systemd-run --user
 * --scope -p Delegate=yes`).  The kernel lets a child cgroup have a
 * controller only when its parent holds no process (the no-internal-process
 * rule), so the caller moves itself into <dir>/CG_SUPERVISOR first; <dir>,
 * returned in dir (PATH_MAX), is then the root to give cg_create.
 * cg_delegated only checks; cg_enter_delegated checks and moves.
 * -EOPNOTSUPP: not cgroup v2 (v1 cannot be delegated safely); -EACCES: the
 * caller's cgroup is not delegated to them; -EBUSY: it holds other
 * processes too (a login's shell), so it cannot hand on controllers. */
#define CG_SUPERVISOR "supervisor"
int cg_delegated(char *dir, size_t size);
int cg_enter_delegated(char *dir, size_t size);

/* cg_create and cg_destroy serialise on a lock of the cgroup root and keep
 * what they enabled at a v2 root in <dir>/CG_RECORD_FILE, so a container
 * started by one process and removed by another leaves the root as found.
 * The directory defaults to CG_DEFAULT_RECORD_DIR; the unit tests' fake tree
 * points it at a scratch directory. */
void cg_set_record_dir(const char *dir);

#endif
