#define _GNU_SOURCE
#include "cli.h"
#include "runlimits.h"
#include "procstat.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

/* Walks argv: the current option's name and, for "--opt=value", its value. */
struct cursor {
	int argc, i;
	char **argv;
	char name[64];
	const char *inline_value;
	char *err;
	size_t errsz;
};

/* A reason quotes what was typed: a newline in it must not split the one
 * line a caller shows (conductor.sh's error), so control characters are
 * copied as \xNN. */
static void copy_one_line(char *dst, size_t size, const char *src)
{
	size_t n = 0;
	for (; *src && n + 5 < size; src++) {
		unsigned char ch = (unsigned char)*src;
		if (ch < 0x20 || ch == 0x7f)
			n += (size_t)sprintf(dst + n, "\\x%02x", ch);
		else
			dst[n++] = (char)ch;
	}
	dst[n] = '\0';
}

static int fail(struct cursor *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct cursor *c, const char *fmt, ...)
{
	char line[CLI_ERR_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	copy_one_line(c->err, c->errsz, line);
	return -1;
}

/* Split argv[i] into name and inline value. */
static void cursor_load(struct cursor *c)
{
	const char *arg = c->argv[c->i];
	const char *eq = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
	if (len >= sizeof(c->name))
		len = sizeof(c->name) - 1;
	memcpy(c->name, arg, len);
	c->name[len] = '\0';
	c->inline_value = eq ? eq + 1 : NULL;
}

static int is(const struct cursor *c, const char *name)
{
	return strcmp(c->name, name) == 0;
}

/* The option's value: inline, or the next argument. */
static const char *value(struct cursor *c)
{
	if (c->inline_value)
		return c->inline_value;
	if (c->i + 1 >= c->argc) {
		fail(c, "option %s needs a value", c->name);
		return NULL;
	}
	return c->argv[++c->i];
}

/* A flag takes no value: "--detach=1" is a mistake, not a yes. */
static int flag(struct cursor *c)
{
	if (c->inline_value)
		return fail(c, "option %s takes no value", c->name);
	return 1;
}

static int take_env(struct cursor *c, const char **env, size_t *n)
{
	const char *kv = value(c);
	if (!kv)
		return -1;
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv)
		return fail(c, "--env wants KEY=VALUE, got '%s'", kv);
	if (*n == ENV_MAX)
		return fail(c, "too many --env options (at most %d)", ENV_MAX);
	env[(*n)++] = kv;
	return 0;
}

/* --volume SPEC, repeated: parsed now, so a bad one is refused before
 * anything is mounted. */
static int take_volume(struct cursor *c, struct run_opts *o)
{
	const char *spec = value(c), *why;
	if (!spec)
		return -1;
	if (o->nvolumes == VOLUME_MAX)
		return fail(c, "too many --volume options (at most %d)", VOLUME_MAX);
	if (volume_parse(spec, &o->volumes[o->nvolumes], &why))
		return fail(c, "invalid volume '%s': %s", spec, why);
	o->nvolumes++;
	return 0;
}

/* --on-exit WORD, repeated: the words of one command, in order. */
static int take_on_exit(struct cursor *c, struct run_opts *o)
{
	const char *word = value(c);
	if (!word)
		return -1;
	if (o->non_exit == ON_EXIT_MAX)
		return fail(c, "too many --on-exit words (at most %d)", ON_EXIT_MAX);
	o->on_exit[o->non_exit++] = word;
	return 0;
}

/* After "--": the command.  Without "--" there is no command. */
static int take_command(struct cursor *c, char ***argv)
{
	if (c->i + 1 >= c->argc)
		return fail(c, "no command after '--'");
	*argv = &c->argv[c->i + 1];
	return 0;
}

/* Limits are parsed now, so a bad value is refused before anything runs;
 * conductor.sh shows these lines as its own (--check-limits): each names
 * the option, the value and what to give instead. */
static int take_limit(struct cursor *c, long ncpus, struct cg_limits *l)
{
	const char *v = value(c);
	int rc;
	if (!v)
		return -1;
	if (is(c, "--cpus")) {
		l->cpu_period_us = CG_DEFAULT_PERIOD_US;
		rc = parse_cpus(v, l->cpu_period_us, ncpus, &l->cpu_quota_us);
		if (rc == -ERANGE)
			return fail(c, "invalid --cpus '%s': use 0.01 to %ld (the CPUs of this machine)", v, ncpus);
		if (rc)
			return fail(c, "invalid --cpus '%s': use a number of CPUs such as 0.5 or 2 (at most 5 decimals)",
				    v);
	} else if (is(c, "--memory")) {
		rc = parse_memory(v, &l->memory_bytes);
		if (rc == -ERANGE)
			return fail(c, "invalid --memory '%s': use at least %lldM (less cannot even start a shell)", v,
				    DL_MEMORY_MIN >> 20);
		if (rc == -EOVERFLOW)
			return fail(c, "invalid --memory '%s': too large for 64 bits (leave --memory out for no limit)",
				    v);
		if (rc)
			return fail(c, "invalid --memory '%s': use bytes or a size with K, M or G, e.g. 256M", v);
	} else if (parse_pids(v, &l->pids_max)) {
		return fail(c, "invalid --pids '%s': use a whole number from 1 to %ld", v, DL_PIDS_MAX);
	}
	return 0;
}

/* The block-I/O options, each kind's name and what its value is. */
static const struct {
	const char *name;
	enum cg_io_kind kind;
	int iops;
} io_options[] = {
	{ "--device-read-bps", CG_IO_READ_BPS, 0 },
	{ "--device-write-bps", CG_IO_WRITE_BPS, 0 },
	{ "--device-read-iops", CG_IO_READ_IOPS, 1 },
	{ "--device-write-iops", CG_IO_WRITE_IOPS, 1 },
};
#define N_IO_OPTIONS (sizeof(io_options) / sizeof(io_options[0]))

static int io_option(const struct cursor *c)
{
	for (size_t i = 0; i < N_IO_OPTIONS; i++)
		if (is(c, io_options[i].name))
			return (int)i;
	return -1;
}

/* The device must be one the controller can throttle: a block device, and
 * a whole disk (the kernel refuses a partition's numbers), checked now so
 * that nothing is made for a limit that cannot be set. */
static int take_device(struct cursor *c, const char *v, const char *dev, struct cg_io_limit *io)
{
	struct block_disk disk;
	int rc = block_disk_of(DL_SYSFS_ROOT, dev, &disk);
	if (rc == -ENOTBLK)
		return fail(c, "invalid %s '%s': %s is not a block device (give a disk such as /dev/sda)",
			    c->name, v, dev);
	if (rc)
		return fail(c, "invalid %s '%s': %s: %s", c->name, v, dev, strerror(-rc));
	if (disk.partition)
		return fail(c, "invalid %s '%s': %s is a partition of the disk %s (%u:%u), and I/O limits apply to whole disks: use /dev/%s",
			    c->name, v, dev, disk.name, disk.major, disk.minor, disk.name);
	io->major = disk.major;
	io->minor = disk.minor;
	return 0;
}

/* --device-read-bps DEV:RATE and the like, repeatable. */
static int take_io(struct cursor *c, int which, struct cg_limits *l)
{
	const char *v = value(c);
	char dev[PATH_MAX];
	if (!v)
		return -1;
	int iops = io_options[which].iops;
	struct cg_io_limit io = { .kind = io_options[which].kind };
	int rc = parse_device_value(v, iops, dev, sizeof(dev), &io.value);
	if (rc == -ERANGE && iops)
		return fail(c, "invalid %s '%s': the rate must be a whole number of I/Os a second, at least 1, e.g. /dev/sda:1000",
			    c->name, v);
	if (rc == -ERANGE)
		return fail(c, "invalid %s '%s': the rate must be bytes a second, with k, m or g, e.g. /dev/sda:1mb",
			    c->name, v);
	if (rc)
		return fail(c, "invalid %s '%s': use DEVICE:%s with DEVICE an absolute path, e.g. /dev/sda:%s",
			    c->name, v, iops ? "N" : "RATE", iops ? "1000" : "1mb");
	if (l->nio == CG_IO_MAX)
		return fail(c, "too many I/O limits (at most %d)", CG_IO_MAX);
	if (take_device(c, v, dev, &io))
		return -1;
	l->io[l->nio++] = io;
	return 0;
}

static int take_weight(struct cursor *c, struct cg_limits *l)
{
	const char *v = value(c);
	if (!v)
		return -1;
	if (parse_io_weight(v, &l->io_weight))
		return fail(c, "invalid --blkio-weight '%s': use a whole number from %d to %d", v, CG_IO_WEIGHT_MIN,
			    CG_IO_WEIGHT_MAX);
	return 0;
}

static int run_option(struct cursor *c, long ncpus, struct run_opts *o)
{
	const char **str = is(c, "--hostname") ? &o->hostname
			 : is(c, "--lower")    ? &o->lower
			 : is(c, "--upper")    ? &o->upper
			 : is(c, "--work")     ? &o->work
			 : is(c, "--rootfs")   ? &o->rootfs
			 : is(c, "--cgroup")   ? &o->cgroup
			 : is(c, "--cgroup-scope") ? &o->cgroup_scope
			 : is(c, "--state")    ? &o->state
			 : is(c, "--create")   ? &o->create
			 : is(c, "--lock")     ? &o->lock
			 : is(c, "--log")      ? &o->log
			 : is(c, "--workdir")  ? &o->workdir
			 : is(c, "--user")     ? &o->user
					       : NULL;
	if (str)
		return (*str = value(c)) ? 0 : -1;
	if (is(c, "--cpus") || is(c, "--memory") || is(c, "--pids"))
		return take_limit(c, ncpus, &o->limits);
	if (io_option(c) >= 0)
		return take_io(c, io_option(c), &o->limits);
	if (is(c, "--blkio-weight"))
		return take_weight(c, &o->limits);
	if (is(c, "--env"))
		return take_env(c, o->env, &o->nenv);
	if (is(c, "--on-exit"))
		return take_on_exit(c, o);
	if (is(c, "--volume"))
		return take_volume(c, o);
	if (is(c, "--live-root"))
		return (o->live_root = flag(c)) > 0 ? 0 : -1;
	if (is(c, "--share-net"))
		return (o->share_net = flag(c)) > 0 ? 0 : -1;
	if (is(c, "--detach"))
		return (o->detach = flag(c)) > 0 ? 0 : -1;
	if (is(c, "--rm"))
		return (o->remove = flag(c)) > 0 ? 0 : -1;
	if (is(c, "--tty"))
		return (o->tty = flag(c)) > 0 ? 0 : -1;
	if (is(c, "--interactive"))
		return (o->interactive = flag(c)) > 0 ? 0 : -1;
	if (is(c, "--no-harden"))
		return flag(c) > 0 ? (o->harden = 0) : -1;
	return fail(c, "unknown option '%s'", c->argv[c->i]);
}

/* --live-root and --on-exit (conductor.sh's live root and run --rm -d). */
static int run_check_lifecycle(struct cursor *c, const struct run_opts *o)
{
	/* in the foreground the caller runs what comes next, and wants the code */
	if (o->non_exit && !o->detach)
		return fail(c, "--on-exit needs --detach (the monitor runs it)");
	if (o->non_exit && o->on_exit[0][0] != '/')
		return fail(c, "--on-exit: the first word must be an absolute path, got '%s'", o->on_exit[0]);
	/* an unbindable mount cannot be bound again: only an overlay goes on it */
	if (o->live_root && !o->lower)
		return fail(c, "--live-root needs an overlay (--lower, --upper, --work)");
	return 0;
}

/* --blkio-weight: only BFQ honours a weight, so the disk the container's
 * root is written to must use it; anywhere else the weight would be
 * accepted by no one, a silent no-op. */
static int run_check_weight(struct cursor *c, const struct run_opts *o)
{
	char dir[PATH_MAX], active[32];
	struct block_disk disk;
	struct stat st;
	if (!o->limits.io_weight)
		return 0;
	/* the rootfs may not be made yet: the nearest directory above it that is */
	snprintf(dir, sizeof(dir), "%s", o->upper ? o->upper : o->rootfs);
	int rc;
	while ((rc = stat(dir, &st) < 0 ? -errno : 0) == -ENOENT && strrchr(dir, '/') > dir)
		*strrchr(dir, '/') = '\0';
	if (!rc)
		rc = block_disk_from_sysfs(DL_SYSFS_ROOT, major(st.st_dev), minor(st.st_dev), &disk);
	if (rc)
		return fail(c, "--blkio-weight: cannot find the disk under %s: %s (a weight needs the BFQ scheduler on a real disk)",
			    dir, strerror(-rc));
	rc = block_disk_has_bfq(DL_SYSFS_ROOT, &disk, active, sizeof(active));
	if (rc < 0)
		return fail(c, "--blkio-weight: cannot read the I/O scheduler of %s: %s", disk.name, strerror(-rc));
	if (!rc)
		return fail(c, "--blkio-weight is not supported here: the disk %s uses the %s I/O scheduler, and only bfq honours a weight (echo bfq > /sys/block/%s/queue/scheduler)",
			    disk.name, active, disk.name);
	return 0;
}

/* Options that only make sense together. */
static int run_check(struct cursor *c, const struct run_opts *o)
{
	int overlay = !!o->lower + !!o->upper + !!o->work;
	int limited = o->limits.cpu_quota_us || o->limits.memory_bytes || o->limits.pids_max || o->limits.nio ||
		      o->limits.io_weight;
	if (!o->rootfs)
		return fail(c, "--rootfs DIR is required (the container's root)");
	if (overlay != 0 && overlay != 3)
		return fail(c, "--lower, --upper and --work go together (an overlay needs all three)");
	if (limited && !o->cgroup)
		return fail(c, "--cpus, --memory, --pids and the I/O limits need --cgroup NAME");
	if (o->cgroup && !cg_leaf_name_ok(o->cgroup))
		return fail(c, "invalid --cgroup '%s': one path component, not starting with '.'",
			    o->cgroup);
	if (o->detach && !o->log)
		return fail(c, "--detach needs --log FILE (where the output goes)");
	if (o->detach && o->interactive)
		return fail(c, "--interactive needs the foreground: nobody types to a detached container");
	if (o->interactive && !o->tty)
		return fail(c, "--interactive goes with --tty (without it stdin is the caller's as it is)");
	if (o->lock && !o->state)
		return fail(c, "--lock only guards --state updates: give --state too");
	if ((o->create || o->remove) && !o->lock)
		return fail(c, "--create and --rm change the state root: give --state and --lock");
	if (o->hostname && (!o->hostname[0] || strlen(o->hostname) > 64))
		return fail(c, "invalid --hostname: 1 to 64 characters");
	if (!o->argv)
		return fail(c, "no command: put it after '--'");
	if (run_check_weight(c, o))
		return -1;
	return run_check_lifecycle(c, o);
}

/* Walk the options up to "--": each goes to option(c, arg).  Returns 1
 * for -h/--help, -1 when an option was refused, 0 at "--" or the end. */
static int walk_options(struct cursor *c, int (*option)(struct cursor *, void *), void *arg)
{
	for (c->i = 1; c->i < c->argc; c->i++) {
		cursor_load(c);
		if (is(c, "--"))
			break;
		if (is(c, "-h") || is(c, "--help"))
			return 1;
		if (option(c, arg))
			return -1;
	}
	return 0;
}

struct run_walk {
	long ncpus;
	struct run_opts *o;
};

static int run_walk_option(struct cursor *c, void *arg)
{
	struct run_walk *w = arg;
	return run_option(c, w->ncpus, w->o);
}

/* --cgroup NAME --cgroup-scope DIR: the leaf is NAME tagged with its scope
 * (conductor.sh: the state root), named by common/cgroup.c alone. */
static int run_cgroup_leaf(struct cursor *c, struct run_opts *o)
{
	if (!o->cgroup_scope)
		return 0;
	if (!o->cgroup)
		return fail(c, "--cgroup-scope DIR tags the leaf of --cgroup NAME: give --cgroup too");
	if (cg_leaf_name(o->cgroup_leaf, sizeof(o->cgroup_leaf), o->cgroup, o->cgroup_scope))
		return fail(c, "invalid --cgroup '%s': too long for a cgroup leaf with its tag", o->cgroup);
	o->cgroup = o->cgroup_leaf;
	return 0;
}

int run_parse(int argc, char **argv, long ncpus, struct run_opts *o, char *err, size_t errsz)
{
	struct cursor c = { .argc = argc, .argv = argv, .err = err, .errsz = errsz };
	struct run_walk w = { ncpus, o };
	memset(o, 0, sizeof(*o));
	o->harden = 1;
	err[0] = '\0';
	int rc = walk_options(&c, run_walk_option, &w);
	if (rc)
		return rc;
	if (c.i < argc && take_command(&c, &o->argv))
		return -1;
	rc = run_check(&c, o);
	return rc ? rc : run_cgroup_leaf(&c, o);
}

/* --check-limits: the limit options alone, and --rootfs (the weight's disk). */
static int limits_walk_option(struct cursor *c, void *arg)
{
	struct run_walk *w = arg;
	if (is(c, "--rootfs") || is(c, "--cpus") || is(c, "--memory") || is(c, "--pids") || io_option(c) >= 0 ||
	    is(c, "--blkio-weight"))
		return run_option(c, w->ncpus, w->o);
	return fail(c, "unknown option '%s' (--check-limits takes the limit options only)", c->argv[c->i]);
}

int limits_parse(int argc, char **argv, long ncpus, struct run_opts *o, char *err, size_t errsz)
{
	struct cursor c = { .argc = argc, .argv = argv, .err = err, .errsz = errsz };
	struct run_walk w = { ncpus, o };
	memset(o, 0, sizeof(*o));
	err[0] = '\0';
	int rc = walk_options(&c, limits_walk_option, &w);
	if (rc > 0)
		return fail(&c, "--check-limits takes no --help");
	if (rc || (o->limits.io_weight && !o->rootfs && fail(&c, "--blkio-weight needs --rootfs DIR (its disk)")))
		return -1;
	return run_check_weight(&c, o);
}

static int exec_option(struct cursor *c, struct exec_opts *o)
{
	const char *v;
	if (is(c, "--pid")) {
		char *end;
		if (!(v = value(c)))
			return -1;
		errno = 0;
		long pid = strtol(v, &end, 10);
		if (errno || *end || end == v || pid < 1 || pid > DL_PIDS_MAX)
			return fail(c, "invalid --pid '%s'", v);
		o->pid = (pid_t)pid;
		return 0;
	}
	if (is(c, "--starttime")) {
		if (!(v = value(c)))
			return -1;
		if (parse_starttime(v, &o->starttime))
			return fail(c, "invalid --starttime '%s'", v);
		o->has_starttime = 1;
		return 0;
	}
	if (is(c, "--workdir"))
		return (o->workdir = value(c)) ? 0 : -1;
	if (is(c, "--user"))
		return (o->user = value(c)) ? 0 : -1;
	if (is(c, "--env"))
		return take_env(c, o->env, &o->nenv);
	if (is(c, "--no-harden"))
		return flag(c) > 0 ? (o->harden = 0) : -1;
	if (is(c, "--tty"))
		return (o->tty = flag(c)) > 0 ? 0 : -1;
	if (is(c, "--interactive"))
		return (o->interactive = flag(c)) > 0 ? 0 : -1;
	return fail(c, "unknown option '%s'", c->argv[c->i]);
}

static int exec_walk_option(struct cursor *c, void *o)
{
	return exec_option(c, o);
}

int exec_parse(int argc, char **argv, struct exec_opts *o, char *err, size_t errsz)
{
	struct cursor c = { .argc = argc, .argv = argv, .err = err, .errsz = errsz };
	memset(o, 0, sizeof(*o));
	o->harden = 1;
	err[0] = '\0';
	int rc = walk_options(&c, exec_walk_option, o);
	if (rc)
		return rc;
	if (c.i < argc && take_command(&c, &o->argv))
		return -1;
	if (o->interactive && !o->tty)
		return fail(&c, "--interactive goes with --tty (without it stdin is the caller's as it is)");
	if (!o->pid || !o->has_starttime)
		return fail(&c, "--pid and --starttime are required (from the container's state)");
	if (!o->argv)
		return fail(&c, "no command: put it after '--'");
	return 0;
}
